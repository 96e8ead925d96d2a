"""User claims: TOML files and keyword-built claims run exactly like built-in ones, through the
CLI and the API; every definition error names the file, the claim and the field."""

from __future__ import annotations

import json
import re

import pytest

import smallcap_bt as sb
from smallcap_bt.claims import load_catalogue
from smallcap_bt.cli import main
from smallcap_bt.exceptions import ClaimDefinitionError, UndeclaredDatasetError
from tests.conftest import REPO

EXAMPLES = REPO / "examples" / "claims"
FIRST_HIKE = EXAMPLES / "first-hike.toml"
SINCE_1963 = EXAMPLES / "size-premium-since-1963.toml"


def test_claims_check_validates_both_examples(capsys):
    assert main(["claims", "check", str(FIRST_HIKE), str(SINCE_1963)]) == 0
    out = capsys.readouterr().out
    assert "first-hike-12m ok" in out and "event_study" in out
    assert "size-premium-since-1963 ok" in out and "long_run_mean" in out


@pytest.mark.parametrize("path", [FIRST_HIKE, SINCE_1963], ids=lambda p: p.stem)
def test_example_runs_through_cli_and_api_alike(store_dir, tmp_path, path):
    out = tmp_path / "r.json"
    args = ["--store", str(store_dir), "verify", "--claims", str(path), "--vintage", "202602"]
    assert main([*args, "--draws", "200", "--joint-draws", "100", "--json", str(out), "-q"]) == 0
    doc = json.loads(out.read_text())
    (rec,) = doc["claims"]
    claim = load_catalogue(path)[0]
    assert rec["id"] == claim.id and rec["testable"]
    api = sb.verify(claim, vintage="202602", store=store_dir, draws=200, joint_draws=100)
    assert api.verdict == rec["verdict"]
    assert api.headline.estimate.value == pytest.approx(rec["headline"]["estimate"], abs=1e-12)


def test_the_tutorial_claim_is_testable_as_written(store_dir, tmp_path):
    """docs/add-a-claim.md's TOML block, copied as a reader would, is a testable claim with
    the example file's headline estimate (a new user found it not_testable: it lacked the
    example's event sets, and an empty default set made the whole claim untestable)."""
    import re

    page = (REPO / "docs" / "add-a-claim.md").read_text()
    block = re.search(r"```toml\n(.*?)```", page, flags=re.S).group(1)
    (tmp_path / "mine.toml").write_text(block)
    kw = {"vintage": "202602", "store": store_dir, "draws": 100, "joint_draws": 0}
    ours = sb.verify(load_catalogue(tmp_path / "mine.toml")[0], **kw)
    example = sb.verify(load_catalogue(FIRST_HIKE)[0], **kw)
    assert ours.verdict != "not_testable", ours.reason
    assert ours.headline.estimate.value == pytest.approx(example.headline.estimate.value)


def test_an_empty_event_set_is_named_in_the_reason(store_dir, tmp_path):
    """Without ``sets`` every default hike set runs; hikes in a recession since 1982 are none,
    and the reason says which set and which sets have events."""
    import re

    text = re.sub(r", sets = \[.*?\], details = \".*?\"", "", FIRST_HIKE.read_text())
    assert "sets" not in text.split("params =")[1]
    (tmp_path / "no-sets.toml").write_text(text)
    claim = load_catalogue(tmp_path / "no-sets.toml")[0]
    r = sb.verify(claim, vintage="202602", store=store_dir, draws=50, joint_draws=0)
    assert r.verdict == "not_testable"
    assert "event set 'hikes in recession' has no events" in r.reason
    assert "'every hike'" in r.reason


def test_first_hike_reads_tightening_cycles(store_dir):
    claim = load_catalogue(FIRST_HIKE)[0]
    r = sb.verify(claim, vintage="202602", store=store_dir, draws=200, joint_draws=0)
    # the event table holds the first hikes of tightening cycles, e.g. 1994-02, 2004-06, 2022-03
    months = {str(m) for m in r.details["event_month"]}
    assert {"1994-02", "2004-06", "2015-12", "2022-03"} <= months
    assert not months & {"2001-01", "2008-01"}  # easing months are not hikes


def test_keyword_claim_runs_like_a_builtin(store_dir):
    claim = sb.Claim(
        id="my-2020s",
        sources=["001"],
        quote="small caps lagged in the 2020s",
        as_of="2026-01-01",
        hypothesis="Small minus large was negative over 2020-2025.",
        kind="descriptive",
        test="window_difference",
        direction="negative",
        headline="tercile.vw|2020s",
        why_headline="the stated decade so far",
        params={
            "measure": "geometric",
            "windows": [{"label": "2020s", "start": "2020-01", "end": "2025-12"}],
        },
    )
    r = sb.verify(claim, vintage="202602", store=store_dir, draws=100)
    assert r.verdict in ("supported", "mixed", "contradicted")
    assert len(r.specifications) == 6 and "geometric" in r.headline.estimate.units


def _write(tmp_path, body: str):
    path = tmp_path / "mine.toml"
    path.write_text(body)
    return path


GOOD = """
[[claim]]
id = "mine"
sources = ["001"]
quote = "q"
as_of = "2026-01-01"
hypothesis = "h"
kind = "descriptive"
test = "window_difference"
direction = "DIRECTION"
headline = "tercile.vw|w"
why_headline = "w"
params = { windows = [{ label = "w", start = "2020-01", end = "2020-12" }] }
"""


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        (GOOD.replace("DIRECTION", "upward"), "parts.0.direction"),
        (
            GOOD.replace("DIRECTION", "positive").replace('"window_difference"', '"window_diff"'),
            "unknown test template 'window_diff'",
        ),
        (GOOD.replace("DIRECTION", "positive").replace("label =", "lable ="), "lable"),
        (
            GOOD.replace("DIRECTION", "positive").replace('sources = ["001"]', 'sources = ["9"]'),
            "unknown source key '9'",
        ),
        (GOOD.replace("DIRECTION", "about"), "stated"),
        ("[[claim]]\nid = 'x'\n", "field sources"),
        ("not toml ::", "not valid TOML"),
        # found by a bad-input battery: these passed `claims check`
        (GOOD.replace('"DIRECTION"', '"positive"\nthreshold = nan'), "threshold"),
        (
            GOOD.replace("DIRECTION", "positive").replace("2026-01-01", "2026-99-99"),
            "as_of '2026-99-99' is not an ISO date",
        ),
        (
            GOOD.replace("DIRECTION", "positive").replace('"2020-01"', '"2020-13"'),
            "start '2020-13' is not a month",
        ),
        (
            GOOD.replace("DIRECTION", "positive").replace('"2020-01"', '"2021-01"'),
            "start 2021-01 is after end 2020-12",
        ),
        (
            GOOD.replace("DIRECTION", "positive").replace(
                "params = {", 'params = { definitions = ["tercile.wv"], '
            ),
            "unknown size definition 'tercile.wv'; did you mean 'tercile.vw'?",
        ),
        (  # a third battery: verify then failed with a raw NumPy broadcasting error
            FIRST_HIKE.read_text().replace("horizons = [6, 12, 24]", "horizons = [0, -6]"),
            "horizons are months, at least one and each >= 1; got (0, -6)",
        ),
        (  # a third battery: 300 characters passed check and verify, then crashed report
            GOOD.replace("DIRECTION", "positive").replace('id = "mine"', f'id = "{"m" * 101}"'),
            "is 101 characters long; at most 100",
        ),
        (  # a third battery: a file's own source "001" silently shadowed the built-in one
            GOOD.replace("DIRECTION", "positive")
            + '[sources."001"]\ntitle = "My notes"\ndate = "2026-01"\n',
            "source '001' is already a built-in source ('Could 2026 bode well",
        ),
        (  # ... and so did the same source written inline in the claim (a referee)
            GOOD.replace("DIRECTION", "positive").replace(
                'sources = ["001"]', 'sources = [{key = "001", title = "Mine", date = "2020-01"}]'
            ),
            "claim 'mine': source '001' is already a built-in source",
        ),
        (  # a third battery: unknown set names passed check, then failed in verify
            FIRST_HIKE.read_text().replace('"every hike", ', '"evry hike", '),
            "event set 'evry hike' is not one of fed_hikes's: every hike, first hike of",
        ),
        (  # ... and a details naming no set of the claim was ignored without a word
            FIRST_HIKE.read_text().replace(
                'details = "tercile.vw|first hike', 'details = "tercile.vw|first cut'
            ),
            "details 'tercile.vw|first cut of cycle (gap 12m)' is not 'DEFINITION|SET'",
        ),
    ],
    ids=[
        "direction",
        "template",
        "param",
        "source",
        "about-needs-stated",
        "missing",
        "toml",
        "nan",
        "as-of-day",
        "month-13",
        "start-after-end",
        "definition",
        "horizons",
        "long-id",
        "builtin-source-key",
        "builtin-source-inline",
        "event-set",
        "details",
    ],
)
def test_definition_errors_name_file_claim_and_field(tmp_path, capsys, body, needle):
    path = _write(tmp_path, body)
    with pytest.raises(ClaimDefinitionError) as err:
        load_catalogue(path)
    assert str(path) in str(err.value) and needle in str(err.value)
    assert main(["claims", "check", str(path)]) == 2
    assert needle in capsys.readouterr().err


@pytest.mark.parametrize(
    ("window", "reason"),
    [
        ('start = "1963-07", end = "2099-12"', "through 2099-12"),
        ('start = "1800-01", end = "2025-12"', "from 1800-01"),
    ],
    ids=["end-after-data", "start-before-data"],
)
def test_a_window_beyond_the_data_is_not_testable(store_dir, tmp_path, window, reason):
    """A window the data do not cover is not_testable, as the README says, instead of being
    cut to the data (1800-2099 had given a verdict on 1926-2026)."""
    text = SINCE_1963.read_text().replace('start = "1963-07", end = "2025-12"', window)
    assert window in text
    claim = load_catalogue(_write(tmp_path, text))[0]
    r = sb.verify(claim, vintage="202602", store=store_dir, draws=50, joint_draws=0)
    assert r.verdict == "not_testable" and reason in r.reason, r.reason


def test_headline_missing_from_specifications_is_named(store_dir, tmp_path, capsys):
    path = _write(tmp_path, GOOD.replace("DIRECTION", "positive").replace("|w", "|nope"))
    args = ["--store", str(store_dir), "verify", "--claims", str(path), "--vintage", "202602"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "'mine'" in err and "headline 'tercile.vw|nope'" in err and "tercile.vw|w" in err


def test_claims_read_only_declared_datasets(store_dir):
    v = sb.Vintage.open("202602", store_dir)
    view = v.declared(["ff.portfolios_me.monthly.vw"], owner="claim 'x'")
    assert len(view.col("sml.tercile.vw")) > 1000
    with pytest.raises(
        UndeclaredDatasetError, match=r"claim 'x' reads panel column 'tbill'.*TB3MS"
    ):
        view.col("tbill")
    with pytest.raises(UndeclaredDatasetError, match="fred.CPIAUCSL"):
        view.load("fred.CPIAUCSL")
    # every built-in claim that reads data declares what its templates read
    for claim in sb.registry:
        if claim.testable and claim.id != "ai-margin-arithmetic":  # arithmetic on quoted figures
            assert claim.declared_datasets(), claim.id


def test_verify_vintages_side_by_side(store_dir, tmp_path, capsys):
    """Estimates in decimal units print in percent, as verify's own table prints them (they
    printed 0.0233 beside the units "% per year")."""
    args = ["--store", str(store_dir), "verify", "size-premium-long-run", "more-volatile"]
    js = tmp_path / "v.json"
    argv = [*args, "--vintages", "202302,202602", "--draws", "100", "--joint-draws", "0"]
    assert main([*argv, "--json", str(js)]) == 0
    out = capsys.readouterr().out
    assert "202302" in out and "202602" in out and "size-premium-long-run" in out
    assert "verdict(s) differ" in out
    for rec in json.loads(js.read_text()):
        assert rec["units"].startswith("decimal")
        row = next(ln.split() for ln in out.splitlines() if ln.startswith(rec["claim"] + " "))
        want = [f"{rec[k] * 100:.2f}%" for k in ("estimate_a", "estimate_b", "change")]
        assert [c for c in row if c.endswith("%") and c != "%"][:3] == want, row


@pytest.mark.parametrize(
    "argv",
    [
        ["verify", "more-volatile", "--draws", "0"],
        ["verify", "more-volatile", "--draws", "10000000"],
        ["verify", "more-volatile", "--joint-draws", "-1"],
        ["verify", "more-volatile", "--draws", "many"],
        ["report", "--out", "x", "--draws", "0"],
        # a bad-input battery: one draw gave the "interval" [5.03%, 5.03%] around 8.18%
        ["verify", "more-volatile", "--draws", "1"],
        ["verify", "more-volatile", "--draws", "39"],
        ["verify", "more-volatile", "--joint-draws", "1"],
        ["verify", "more-volatile", "--seed", "-1"],
    ],
    ids=["zero", "huge", "negative-joint", "text", "report-zero", "one", "39", "joint-1", "seed"],
)
def test_draw_counts_are_validated(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert re.search(r"(draws must be|draws is 0 \(no joint test\) or|--seed must be)", err), err


def test_the_api_bounds_draws_like_the_command_line(store_dir):
    kw = {"vintage": "202602", "store": store_dir}
    with pytest.raises(ValueError, match="draws must be between 40"):
        sb.verify("more-volatile", draws=1, **kw)
    with pytest.raises(ValueError, match="joint_draws is 0 .* or between 20"):
        sb.verify("more-volatile", joint_draws=5, **kw)


def test_a_claim_id_runs_once_per_run(store_dir, tmp_path, capsys):
    """A claim of a file that reuses a built-in id, run beside the built-in, is a usage error
    (the lockfile is keyed by id: the check had compared one against the other's record);
    the same id twice, an empty list and a non-claim are errors too."""
    text = SINCE_1963.read_text().replace('"size-premium-since-1963"', '"since-1927-2.85pct"')
    path = _write(tmp_path, text)
    argv = ["--store", str(store_dir), "verify", "since-1927-2.85pct", "--claims", str(path)]
    assert main([*argv, "--draws", "50", "-q"]) == 2
    assert "'since-1927-2.85pct' appears twice" in capsys.readouterr().err
    kw = {"vintage": "202602", "store": store_dir, "draws": 50, "joint_draws": 0}
    with pytest.raises(ValueError, match="appears twice in this run; "):
        sb.verify(["more-volatile", "more-volatile"], **kw)
    with pytest.raises(ValueError, match="no claims given"):
        sb.verify([], **kw)
    with pytest.raises(TypeError, match="not int"):
        sb.verify(5, **kw)
    ver = sb.verify(["more-volatile", "since-1927-2.85pct"], **kw)
    assert [r.claim.id for r in ver] == ["more-volatile", "since-1927-2.85pct"]
    assert len(ver) == 2 and "more-volatile" in ver
    one = sb.relative_returns("tercile.vw", "202602", store=store_dir)
    assert list(one.columns) == ["tercile.vw"]  # one id, not its characters


def test_a_users_claims_go_into_the_report(store_dir, tmp_path):
    """``report [IDS] --claims FILE``: the report of a user's own claim beside a built-in one
    (a new user found no way to put their claims in a report)."""
    out = tmp_path / "rep"
    argv = ["--store", str(store_dir), "report", "since-1927-2.85pct", "--claims"]
    argv += [str(FIRST_HIKE), "--out", str(out), "--draws", "40", "--joint-draws", "0"]
    assert main([*argv, "--no-strategies", "-q"]) == 0
    doc = json.loads((out / "results.json").read_text())
    assert [c["id"] for c in doc["claims"]] == ["since-1927-2.85pct", "first-hike-12m"]
    assert "### first-hike-12m" in (out / "report.md").read_text()
    assert (out / "figures" / "spec_first-hike-12m.png").is_file()


def test_a_claim_built_in_python_names_its_errors_like_a_file():
    """``sb.Claim(...)`` with a bad source and direction: a ClaimDefinitionError naming the
    claim and each field, not pydantic's raw message with its links (a new-user trial)."""
    kw = {
        "id": "mine", "sources": ["9"], "quote": "q", "as_of": "2026-01-01",
        "hypothesis": "h", "kind": "descriptive", "test": "window_difference",
        "direction": "upward", "headline": "tercile.vw|w", "why_headline": "w",
        "params": {"windows": [{"label": "w", "start": "2020-01", "end": "2020-12"}]},
    }  # fmt: skip
    with pytest.raises(ClaimDefinitionError) as err:
        sb.Claim(**kw)
    msg = str(err.value)
    assert msg.startswith("claim 'mine' is invalid:")
    assert "field sources: " in msg and "unknown source key '9'" in msg
    assert "field parts.0.direction: " in msg and "errors.pydantic.dev" not in msg


def test_claims_templates_name_shows_each_parameter(capsys):
    """``claims templates NAME``: every parameter with its type, its choices and default (a
    new user could see parameter names only, not the values they take)."""
    assert main(["claims", "templates", "event_study"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("event_study: Cumulative small minus large")
    row = next(ln for ln in out.splitlines() if ln.startswith("events "))
    assert "one of 'fed_cuts', 'fed_hikes', 'nber_troughs'" in row and "(required)" in row
    assert any(ln.startswith("horizons ") and "(1, 3, 6, 12, 24)" in ln for ln in out.splitlines())
    assert main(["claims", "templates", "event_studdy"]) == 2
    assert "unknown test template 'event_studdy'" in capsys.readouterr().err


def test_a_vintage_compared_with_itself_is_a_usage_error(store_dir, tmp_path, capsys):
    """``verify --vintages A,A`` and ``report --compare-vintage`` naming the report's own
    vintage ran every claim twice and reported "0 verdicts differ" (a bad-input battery)."""
    base = ["--store", str(store_dir)]
    argv = [*base, "verify", "more-volatile", "--vintages", "202602,202602", "--draws", "40"]
    assert main(argv) == 2
    assert "two different vintages are compared, got 202602 twice" in capsys.readouterr().err
    out = tmp_path / "r"
    argv = [*base, "report", "more-volatile", "--out", str(out), "--vintage", "202602"]
    assert main([*argv, "--compare-vintage", "202602", "-q"]) == 2
    assert "is the report's own vintage 202602" in capsys.readouterr().err
    assert not out.exists()  # refused before any work
    # two names, the same files (as @latest often is): compared by content, not by name
    from smallcap_bt.data.load import import_snapshot
    from tests.conftest import FRENCH

    st = tmp_path / "s"
    for name in ("a", "b"):
        import_snapshot(FRENCH / "202302", name, store=st)
    assert main(["--store", str(st), "verify", "more-volatile", "--vintages", "a,b"]) == 2
    assert "a and b hold the same files (nothing could differ)" in capsys.readouterr().err
    argv = ["--store", str(st), "report", "more-volatile", "--out", str(out), "--vintage", "a"]
    assert main([*argv, "--compare-vintage", "b", "-q"]) == 2
    assert "b holds the same files as the report's own vintage a" in capsys.readouterr().err


def test_event_set_names_known_without_data_are_the_sets_built_from_data(store_dir):
    """``claims check`` validates set names from :func:`smallcap_bt.columns.event_set_names`
    (pure Python); the sets ``verify`` builds from the Fed target and NBER dates have exactly
    those names, in that order."""
    import numpy as np

    from smallcap_bt.claims.templates.base import TestInput
    from smallcap_bt.claims.templates.events import event_sets
    from smallcap_bt.claims.templates.params import EventParams, event_datasets
    from smallcap_bt.columns import event_set_names
    from smallcap_bt.data.vintage import Vintage

    v = Vintage.open("202602", store_dir)
    for source in ("fed_cuts", "fed_hikes", "nber_troughs"):
        p = EventParams(events=source)
        inp = TestInput(v.declared(event_datasets(p)), np.random.default_rng(0), 40)
        sets, _ = event_sets(inp, p)
        assert list(sets) == event_set_names(source), source
