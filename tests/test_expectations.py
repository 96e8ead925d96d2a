"""Verdicts and headline figures pinned by expectations that do not come from the code.

``tests/expectations.toml`` states, for every testable claim on vintage 202602, the expected
verdict (with a one-line reason), the headline specification, and the headline figure as
recomputed by ``tests/oracle`` straight from the raw snapshot files (no ``smallcap_bt`` import
there). The library is run once (``verify`` of every claim, seed 0, 2,000 draws) and compared
part by part; a failure names the claim, the part, the expected and the actual value.

The last tests pin the oracle's own figures that an independent referee published in issue 10
(calendar-year SMB, best rolling decade, relative-drawdown spell, Fed-cut episodes), so that
later tests can assert that the library reproduces them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from tests.oracle import expect, figures, raw

EXPECT = expect.load()
CLAIMS: dict[str, dict[str, Any]] = {c["id"]: c for c in EXPECT["claim"]}
PARTS = [(c["id"], p) for c in EXPECT["claim"] for p in c["part"]]
PART_IDS = [f"{cid}:{p['name']}" for cid, p in PARTS]
NUMERIC = [(cid, p) for cid, p in PARTS if "stated_tolerance" in p]

Library = dict[str, dict[str, Any]]


@pytest.fixture(scope="module")
def library(store_dir: Path, verified) -> Library:
    """Every claim verified once on 202602 (seed 0, 2,000 draws), as :func:`expect.view`s.

    ``SMALLCAP_BT_VERIFY_ONLY=<id>`` verifies that claim alone (``scripts/mutation_smoke.py``
    runs the tests of one mutated claim with ``-k <id>``).
    """
    import os

    import smallcap_bt as sb

    only = os.environ.get("SMALLCAP_BT_VERIFY_ONLY")
    if only:
        ver = sb.verify([only], vintage="202602", store=store_dir, seed=0, draws=2_000)
    else:
        ver = verified  # the suite's shared run: same settings
    return {c["id"]: expect.view(c) for c in ver.to_dict()["claims"]}


# ---------------------------------------------------------------------------- coverage


def test_every_testable_claim_has_expectations(library: Library) -> None:
    testable = {cid for cid, v in library.items() if v["testable"]}
    assert testable == set(CLAIMS), (
        f"testable claims without expectations: {sorted(testable - set(CLAIMS))}; "
        f"expectations for claims not testable or unknown: {sorted(set(CLAIMS) - testable)}"
    )
    for cid, c in CLAIMS.items():
        assert set(library[cid]["parts"]) == {p["name"] for p in c["part"]}, (
            f"{cid}: parts expected {[p['name'] for p in c['part']]}, "
            f"library has {sorted(library[cid]['parts'])}"
        )


@pytest.mark.parametrize("cid", EXPECT["not_testable"])
def test_not_testable(library: Library, cid: str) -> None:
    assert library[cid]["verdict"] == "not_testable", (
        f"{cid}: expected not_testable, library says {library[cid]['verdict']}"
    )


# ---------------------------------------------------------------------------- figures


@pytest.mark.parametrize(("cid", "part"), PARTS, ids=PART_IDS)
def test_oracle_gives_expected_figure(cid: str, part: dict[str, Any]) -> None:
    """The oracle (raw files, no smallcap_bt) still gives the figure written in the TOML."""
    got = expect.oracle(part)
    assert got == pytest.approx(part["estimate"], rel=0, abs=max(part["tolerance"], 1e-11)), (
        f"{cid} [{part['name']}]: oracle {part['oracle']}() gives {got!r}, "
        f"expectations.toml says {part['estimate']!r} ({part['units']})"
    )


@pytest.mark.parametrize(("cid", "part"), PARTS, ids=PART_IDS)
def test_headline_estimate_matches_oracle(library: Library, cid: str, part: dict[str, Any]) -> None:
    msg = expect.check_estimate(cid, part, library[cid])
    assert msg is None, msg


@pytest.mark.parametrize(("cid", "part"), PARTS, ids=PART_IDS)
def test_headline_units(library: Library, cid: str, part: dict[str, Any]) -> None:
    """The units the library prints are those of the figure the oracle computes (a geometric
    figure labelled arithmetic, or a cumulative one labelled per year, is a reporting bug)."""
    msg = expect.check_units(cid, part, library[cid])
    assert msg is None, msg


# ---------------------------------------------------------------------------- verdicts


@pytest.mark.parametrize("cid", list(CLAIMS))
def test_verdict(library: Library, cid: str) -> None:
    msg = expect.check_verdict(CLAIMS[cid], library[cid])
    assert msg is None, msg


@pytest.mark.parametrize(("cid", "part"), PARTS, ids=PART_IDS)
def test_agreement(library: Library, cid: str, part: dict[str, Any]) -> None:
    """The claimed direction, seen through the specifications: a flipped direction flips the
    headline's agreement and turns ``agree`` into ``total - agree``."""
    msg = expect.check_agreement(cid, part, library[cid], CLAIMS[cid]["why"])
    assert msg is None, msg


@pytest.mark.parametrize(("cid", "part"), PARTS, ids=PART_IDS)
def test_direction(library: Library, cid: str, part: dict[str, Any]) -> None:
    msg = expect.check_direction(cid, part, library[cid])
    assert msg is None, msg


@pytest.mark.parametrize(("cid", "part"), NUMERIC, ids=[f"{c}:{p['name']}" for c, p in NUMERIC])
def test_numeric_figure(library: Library, cid: str, part: dict[str, Any]) -> None:
    """Stated figure and tolerance as the source and hypothesis give them; reproduced or not
    judged from the oracle's figure."""
    msg = expect.check_numeric(cid, part, library[cid])
    assert msg is None, msg


def test_failures_lists_every_mismatch(library: Library) -> None:
    """``expect.failures`` (for scripts/mutation_smoke.py) is empty on the real results and
    names the claim when a verdict and an agreement count are changed."""
    cid = "fed-cuts-since-1990"
    assert expect.failures(CLAIMS[cid], library[cid]) == []
    bad = {**library[cid], "verdict": "contradicted"}
    bad["parts"] = {"main": {**library[cid]["parts"]["main"], "agree": 13}}
    msgs = expect.failures(CLAIMS[cid], bad)
    assert len(msgs) == 2 and all(m.startswith(cid) for m in msgs), msgs


# ---------------------------------------------------------------------------- the oracle itself


def test_oracle_imports_nothing_from_smallcap_bt() -> None:
    """The oracle must not share code with what it checks."""
    import ast

    for path in (Path(__file__).parent / "oracle").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            bad = [n for n in names if n.split(".")[0] == "smallcap_bt"]
            assert not bad, f"{path.name} imports {bad}: the oracle must be independent"


def test_raw_reader_agrees_with_conftest_reader() -> None:
    """Two independent readers of the same zip agree (conftest's splits on CRLF blank lines)."""
    from tests.conftest import raw_french_table

    title = "Average Value Weight Returns -- Monthly"
    ours = raw.french_table("Portfolios_Formed_on_ME", title)
    theirs = raw_french_table(title)
    assert len(ours) == len(theirs) == 1196
    assert ours.index[0] == pd.Period("1926-07", "M") and ours.index[-1] == pd.Period(
        "2026-02", "M"
    )
    pd.testing.assert_series_equal(
        ours["Lo 30"].reset_index(drop=True), theirs["Lo 30"].reset_index(drop=True)
    )
    assert ours["<= 0"].isna().all(), "-99.99 (missing) must read as NaN"


def test_calendar_year_smb_referee() -> None:
    """Issue 10: 'the calendar-year mean of SMB over 1927-2023 is 2.778% on 202602 (1927-2022:
    2.844%)'. These are the means of the PUBLISHED ANNUAL table (F-F_Research_Data_Factors,
    'Annual Factors: January-December'). Compounding monthly SMB within each calendar year
    gives a different, lower figure (2.391% / 2.434%): French's annual SMB is built from the
    annual returns of the six portfolios, not by compounding the monthly factor."""
    assert figures.calendar_year_smb_annual_table(1927, 2023) == pytest.approx(0.02778, abs=5e-6)
    assert figures.calendar_year_smb_annual_table(1927, 2022) == pytest.approx(0.02844, abs=5e-6)
    assert figures.calendar_year_smb_compounded(1927, 2023) == pytest.approx(0.023915, abs=5e-6)
    assert figures.calendar_year_smb_compounded(1927, 2022) == pytest.approx(0.024339, abs=5e-6)


def test_best_rolling_decade_referee() -> None:
    """Issue 10: best rolling 10-year window of tercile.vw starts 1973-07 for small minus large
    and 1975-01 for small alone. Reproduced by the GEOMETRIC reading (difference of compound
    annual returns; for small alone its compound annual return). The cumulative difference
    (compounded small minus compounded large) peaks in 1975-01 instead, the arithmetic mean
    of monthly differences in 1932-05."""
    m = pd.Period
    assert figures.best_rolling_window("geometric").start == m("1973-07", "M")
    assert figures.best_rolling_window("geometric", leg="small").start == m("1975-01", "M")
    assert figures.best_rolling_window("cumulative", leg="small").start == m("1975-01", "M")
    assert figures.best_rolling_window("cumulative").start == m("1975-01", "M")
    assert figures.best_rolling_window("arithmetic").start == m("1932-05", "M")


def test_relative_drawdown_spell_referee() -> None:
    """Issue 10: the current spell of tercile.vw relative wealth below its running peak began
    after the 1983-07 peak and lasts 511 months (1983-08..2026-02)."""
    dd = figures.current_relative_drawdown()
    assert dd.peak == pd.Period("1983-07", "M")
    assert dd.months == 511
    assert dd.trough == pd.Period("1999-03", "M")
    assert dd.depth == pytest.approx(-0.71506, abs=5e-5)


def test_fed_cut_episodes_referee() -> None:
    """Issue 10: every-cut 12-month mean 8.73%; weighting the 7 episodes (cuts whose windows
    overlap) equally gives 4.66%; three of the seven are negative. Cut dates from the raw
    DFEDTAR / DFEDTARU files; 55 cuts since 1990 have a complete 12-month window."""
    st = figures.fed_cut_episodes(12)
    assert len(st.events) == 55
    assert st.event_mean == pytest.approx(0.0873, abs=5e-5)
    assert st.episode_mean == pytest.approx(0.0466, abs=5e-5)
    assert (len(st.episodes), st.negative_episodes) == (7, 3)
    firsts = [e.index[0].strftime("%Y-%m-%d") for e in st.episodes]
    assert firsts == [
        "1990-07-13",
        "1995-07-06",
        "1998-09-29",
        "2001-01-03",
        "2007-09-18",
        "2019-08-01",
        "2024-09-19",
    ]


def test_first_cuts_against_published_easing_cycles() -> None:
    """First cuts of easing cycles derived from the raw FRED target files (cycle rule: a hike
    since the previous cut, or more than 12 months since it) against the start dates of the
    easing cycles in the Federal Reserve Board's history of federal funds target changes
    (https://www.federalreserve.gov/monetarypolicy/openmarket.htm; announcement dates: June 6,
    1989; July 6, 1995; September 29, 1998; January 3, 2001; September 18, 2007; July 31, 2019;
    September 18, 2024). FRED's dates are effective dates: since 2008 usually the day after."""
    published = ["1989-06-06", "1995-07-06", "1998-09-29", "2001-01-03", "2007-09-18"]
    published += ["2019-07-31", "2024-09-18"]
    derived = figures.fed_first_cuts(12, since="1989-01-01")
    assert len(derived) == len(published)
    for d, p in zip(derived, published, strict=True):
        lag = (d - pd.Timestamp(p)).days
        assert 0 <= lag <= 1, f"derived first cut {d.date()} vs published announcement {p}"
    # since 1990 the 1989 cycle is already under way: the library's headline event set
    assert figures.fed_first_cuts(12)[0] == pd.Timestamp("1995-07-06")


def test_every_cut_counts_six_months_twice() -> None:
    """Issue 10: 'six months are counted twice among every cut' - two cuts in one month."""
    months = pd.Series(figures.fed_cuts("1990-01-01").to_period("M"))
    twice = sorted({str(m) for m in months[months.duplicated()]})
    assert twice == ["1990-12", "1991-12", "2001-01", "2008-01", "2008-10", "2020-03"]


def test_interval_centres_referee() -> None:
    """Issue 10 item 2: the HAC interval of a cumulative estimate is centred on the sum of
    monthly differences, not on the compounded figure: post-gfc-three-years 29.84% vs 19.24%;
    since-late-2022 -60.57% vs -31.4%."""
    assert figures.post_gfc_three_years() == pytest.approx(0.2984, abs=5e-5)
    assert figures.sum_of_monthly_differences("2009-03", "2012-02") == pytest.approx(0.1924)
    assert figures.since_late_2022() == pytest.approx(-0.6057, abs=5e-5)
    assert figures.sum_of_monthly_differences("2022-10", "2025-11") == pytest.approx(-0.3139)


def test_streak_readings_referee() -> None:
    """Issue 10 item 6: by runs of negative trailing 15-year returns the current run is 2nd,
    behind 1992-07..2003-06; by relative-drawdown duration the current spell (from 1983-08,
    after the 1983-07 peak) is the longest on record for five of the six leg definitions
    (decile.ew: its current spell, 239 months from 2006-04, is one month short of 1983-08's)."""
    runs = figures.negative_trailing_runs(15)
    assert (str(runs.start[0]), runs.months[0], runs.ongoing[0]) == ("1992-07", 132, False)
    assert (runs.months[1], bool(runs.ongoing[1])) == (89, True)
    longest_now = []
    for d in raw.SIZE_LEGS:
        spells = figures.relative_drawdown_spells(d)
        longest_now.append(bool(spells.ongoing[0]))
        if d != "decile.ew":
            assert (str(spells.start[0]), spells.months[0]) == ("1983-08", 511), d
    assert sum(longest_now) == 5
    ew = figures.relative_drawdown_spells("decile.ew")
    assert (str(ew.start[0]), ew.months[0], str(ew.start[1]), ew.months[1]) == (
        "1983-08",
        240,
        "2006-04",
        239,
    )
