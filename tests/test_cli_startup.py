"""Instant commands: what the command line imports before it does anything, and usage errors
of ``backtest`` that name the option, the value and the choices (exit 2)."""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

import pytest

from smallcap_bt.cli import main
from tests.conftest import FRENCH, Job, JobResult

HEAVY = ("pandas", "scipy", "statsmodels", "vectorbt", "matplotlib", "numba")
EXAMPLE = Path(__file__).parents[1] / "examples" / "claims" / "first-hike.toml"


def _probe(argv: list[str]) -> Job:
    """``smallcap-bt ARGV`` in a fresh interpreter, as a background job (tests/conftest.py)."""
    code = (
        "import sys\n"
        "from smallcap_bt.cli import main\n"
        "try:\n"
        f"    rc = main({argv!r})\n"
        "except SystemExit as exc:\n"
        "    rc = exc.code\n"
        "print(f'RC:{rc}', file=sys.stderr)\n"
        f"print('HEAVY:' + ','.join(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)\n"
    )
    return Job(f"probe {' '.join(argv)}", (sys.executable, "-c", code))


def _modules_after(res: JobResult, rc: int | None = None) -> set[str]:
    """Heavy top-level modules imported by a :func:`_probe` run of ``smallcap-bt ARGV`` (and,
    given ``rc``, a check that the command exited with it)."""
    assert res.returncode == 0, res.stderr
    *_, rc_line, line = res.stderr.strip().splitlines()
    assert line.startswith("HEAVY:"), res.stderr
    if rc is not None:
        assert rc_line == f"RC:{rc}", res.stderr
    return set(filter(None, line.removeprefix("HEAVY:").split(",")))


def _with_probes(argvs: list[list[str]], prefix: tuple[str, ...] = ()) -> list:
    """``argvs`` as parameters, each marked with the probe job of ``PREFIX + ARGV``."""
    return [
        pytest.param(
            a, marks=pytest.mark.background(PROBES.setdefault((*prefix, *a), _probe([*prefix, *a])))
        )
        for a in argvs
    ]


PROBES: dict[tuple[str, ...], Job] = {}
STORE = ("--store", "{store}")  # the job's own copy of the session store


@pytest.mark.parametrize("argv", _with_probes([["--version"], ["--help"], ["backtest", "--help"]]))
def test_help_and_version_import_nothing_heavy(argv, background):
    assert _modules_after(background(PROBES[tuple(argv)])) == set()


@pytest.mark.parametrize(
    "argv",
    _with_probes(
        [
            ["claims", "list"],
            ["claims", "show", "since-1927-2.85pct"],
            ["claims", "--help"],
            ["claims", "templates"],
            ["claims", "check", str(EXAMPLE)],
        ],
        STORE,
    ),
)
def test_claims_list_and_show_import_nothing_heavy(argv, background):
    # claims are validated from the pure-Python template specs; implementations never load
    heavy = _modules_after(background(PROBES[(*STORE, *argv)]), rc=0)
    assert not heavy & {"pandas", "scipy"}
    assert heavy == set()


HAC = Job(
    "hac-imports",
    (
        sys.executable,
        "-c",
        "import sys, numpy as np, pandas as pd\n"
        "from smallcap_bt.stats.regression import hac_mean\n"
        "hac_mean(pd.Series(np.arange(50.0) % 7, index=pd.period_range('2000-01', periods=50,"
        " freq='M')))\n"
        "print('statsmodels.api' in sys.modules)\n",
    ),
)


@pytest.mark.background(HAC)
def test_hac_imports_statsmodels_narrowly(background):
    res = background(HAC)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "False"


def test_strategy_table_matches_the_builders():
    """The static names/keys table (for --help) and the builders must not drift apart."""
    from smallcap_bt.strategies import STRATEGIES, STRATEGY_NAMES, signals
    from smallcap_bt.strategies.names import STRATEGY_INFO
    from smallcap_bt.strategies.sweeps import _fed_cut

    assert tuple(STRATEGIES) == STRATEGY_NAMES
    funcs = {
        "fed-cut": _fed_cut,
        "rate-regime": signals.rate_regime,
        "curve-regime": signals.curve_regime,
        "recovery": signals.recovery,
        "valuation": signals.valuation,
        "staged-entry": signals.staged_entry,
    }
    for name, (_, keys) in STRATEGY_INFO.items():
        if name in funcs:
            assert set(keys) <= set(inspect.signature(funcs[name]).parameters), name


def test_backtest_definition_typo_lists_choices(store_dir, capsys):
    code = main(["--store", str(store_dir), "backtest", "fed-cut", "--definition", "quintile"])
    err = capsys.readouterr().err
    assert code == 2
    assert "unknown --definition 'quintile'" in err and "did you mean quintile.vw" in err
    assert "tercile.ew" in err  # the choices are listed


@pytest.mark.parametrize(
    ("grid", "message"),
    [
        (["hold=3"], "'hold' is not a parameter of strategy 'fed-cut'; did you mean holds?"),
        (["since=1990-01,2000-01"], "'since' of strategy 'fed-cut' takes one value, got 2"),
        (["holds"], "--grid expects KEY=V1,V2"),
    ],
)
def test_backtest_grid_errors_name_the_key_and_the_strategy(store_dir, capsys, grid, message):
    assert main(["--store", str(store_dir), "backtest", "fed-cut", "--grid", *grid]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("strategy", "grid", "message"),
    [  # a bad-input battery: the first ran as "falling", the others ended in a traceback
        ("rate-regime", ["directions=sideways"], "values are rising or falling, got 'sideways'"),
        ("rate-regime", ["variables=bogus"], "'bogus' is not a panel series a signal can read"),
        ("curve-regime", ["variable=bogus"], "'bogus' is not a panel series a signal can read"),
        ("fed-cut", ["since=abc"], "a date YYYY-MM or YYYY-MM-DD, got 'abc'"),
        ("fed-cut", ["since=2020-13"], "a date YYYY-MM or YYYY-MM-DD, got '2020-13'"),
    ],
)
def test_backtest_grid_values_are_checked(store_dir, capsys, strategy, grid, message):
    assert main(["--store", str(store_dir), "backtest", strategy, "--grid", *grid]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and "unexpected error" not in err


def test_a_backtest_on_a_vintage_without_its_series_is_a_data_error(store_dir, tmp_path, capsys):
    """202302 has no 2x3 portfolios (relative B/M); a store of French files only has no FRED
    series: exit 3 naming the file to import (it was exit 4, a KeyError)."""
    from smallcap_bt.data.load import import_snapshot

    argv = ["--store", str(store_dir), "backtest", "valuation", "--vintage", "202302"]
    assert main(argv) == 3
    assert "reads the panel series 'rel_beme'" in capsys.readouterr().err
    french = tmp_path / "french-only"
    import_snapshot(FRENCH / "202602", "fr", store=french)
    for strategy, file in (
        ("rate-regime", "FEDFUNDS"),
        ("recovery", "USREC"),
        ("fed-cut", "DFEDTAR"),
    ):
        assert main(["--store", str(french), "backtest", strategy]) == 3, strategy
        err = capsys.readouterr().err
        assert f"{file}.csv is not in vintage" in err and "unexpected error" not in err, err


def test_backtest_grid_key_of_a_strategy_without_parameters(store_dir, capsys):
    assert main(["--store", str(store_dir), "backtest", "buy-and-hold", "--grid", "x=1"]) == 2
    assert "has no parameters" in capsys.readouterr().err


def test_unknown_strategy_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["backtest", "fed-cutt"])
    assert exc.value.code == 2
    assert "fed-cut" in capsys.readouterr().err


def test_backtest_unreachable_scheduler_is_a_usage_error(store_dir, capsys):
    pytest.importorskip("distributed")
    argv = ["--store", str(store_dir), "backtest", "buy-and-hold", "--scheduler", "nonsense://x"]
    assert main(argv) == 2
    assert "cannot reach the Dask scheduler at 'nonsense://x'" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv, known",
    [(["--family", "nope"], "decades, events"), (["--source", "999"], "000, 001")],
)
def test_claims_list_filter_that_matches_nothing_is_a_usage_error(argv, known, capsys):
    """A typo in --family or --source printed an empty table and exit 0."""
    assert main(["claims", "list", *argv]) == 2
    err = capsys.readouterr().err
    assert "matches no claim (known: " in err and known in err
