"""The data commands as a user runs them."""

from __future__ import annotations

import sys

import pytest

from smallcap_bt.cli import main
from smallcap_bt.data.catalog import DATASETS
from tests.conftest import FRED_DIR, FRENCH, Job

# real subprocesses, run as background jobs (tests/conftest.py)
CONSOLE = Job(
    "console-data-check",
    (sys.executable, "-m", "smallcap_bt.cli", "--store", "{store}", "data", "check"),
)
LIGHT = Job(
    "import-light",
    (
        sys.executable,
        "-c",
        "import sys, smallcap_bt; "
        "bad = [m for m in ('vectorbt', 'matplotlib', 'statsmodels', 'pandas') "
        "if m in sys.modules]; print(bad)",
    ),
)


def test_import_then_list_shows_every_dataset(tmp_path, capsys):
    dirs = [str(FRENCH / v) for v in ("202602", "202510", "202511")] + [str(FRED_DIR)]
    assert main(["--store", str(tmp_path), "data", "import", *dirs]) == 0
    out = capsys.readouterr().out
    assert "vintage 202602:" in out and "kept the first" in out
    assert main(["--store", str(tmp_path), "data", "list"]) == 0
    listing = capsys.readouterr().out
    for ds_id in DATASETS:
        assert ds_id in listing, ds_id
    listed = [ln.split()[0] for ln in listing.splitlines() if ln.startswith(("ff.", "fred."))]
    assert listed == sorted(listed)  # by dataset: the FRED rows are not among the ff ones
    assert "6a83b5b883cd" in listing  # hash of the factors zip
    assert "202602 CRSP database" in listing
    # the header's sentence, not its line: Portfolios_Formed_on_ME's first line goes on with
    # "It contains" and F-F_Momentum_Factor's with "It" (../shared/data/french/*/SOURCES.md)
    ff_rows = [ln for ln in listing.splitlines() if ln.startswith("ff.")]
    assert all(ln.rstrip().endswith("CRSP database.") for ln in ff_rows), ff_rows
    assert main(["--store", str(tmp_path), "data", "show", "ff.momentum.monthly"]) == 0
    shown = capsys.readouterr().out
    assert "vintage line: This file was created using the 202511 CRSP database.\n" in shown


def test_show_and_errors(store_dir, tmp_path, capsys):
    assert main(["--store", str(store_dir), "data", "show", "ff.portfolios_me.monthly.vw"]) == 0
    out = capsys.readouterr().out
    assert "b3643b25dc99" in out and "1926-07" in out and "2026-02" in out
    assert main(["--store", str(store_dir), "data", "show", "ff.portfolio_me.monthly"]) == 2
    assert "did you mean" in capsys.readouterr().err
    assert main(["--store", str(tmp_path), "data", "list"]) == 3
    assert "smallcap-bt data import" in capsys.readouterr().err


@pytest.mark.background(CONSOLE)
def test_console_script_runs(background):
    res = background(CONSOLE)
    assert res.returncode == 0, res.stderr
    assert "Portfolios_Formed_on_ME" in res.stdout and "ok" in res.stdout


@pytest.mark.background(LIGHT)
def test_import_is_fast_and_light(background):
    res = background(LIGHT)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "[]"


def test_unexpected_error_is_exit_4_with_one_line(store_dir, capsys, monkeypatch):
    import smallcap_bt.cli.data as data_cli

    def boom(args):
        raise RuntimeError("something impossible")

    monkeypatch.setattr(data_cli, "_cmd_data_list", boom)
    assert main(["--store", str(store_dir), "data", "list"]) == 4
    err = capsys.readouterr().err
    assert "RuntimeError: something impossible" in err and "bug" in err and "--debug" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert main(["--store", str(store_dir), "--debug", "data", "list"]) == 4
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err and "boom" in err


def test_interrupt_is_130_without_traceback(store_dir, capsys, monkeypatch):
    import smallcap_bt.cli.data as data_cli

    def stop(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(data_cli, "_cmd_data_check", stop)
    assert main(["--store", str(store_dir), "data", "check"]) == 130
    assert capsys.readouterr().err.strip() == "smallcap-bt: interrupted"


def test_unknown_vintage_is_a_data_error_listing_what_exists(store_dir, capsys):
    assert main(["--store", str(store_dir), "data", "check", "--vintage", "209901"]) == 3
    err = capsys.readouterr().err
    assert "vintage '209901' is not in the store" in err and "202602" in err
    assert main(["--store", str(store_dir), "data", "check", "--vintage", "2026-02"]) == 3
    assert "did you mean '202602'?" in capsys.readouterr().err  # a misspelling (new user)


def test_default_command_validates_and_keeps_marker(store_dir, capsys):
    marker = (store_dir / "DEFAULT").read_bytes()
    assert main(["--store", str(store_dir), "data", "default", "209901"]) == 3
    assert "209901" in capsys.readouterr().err
    assert (store_dir / "DEFAULT").read_bytes() == marker


def test_list_says_date_completeness_and_default(store_dir, capsys):
    assert main(["--store", str(store_dir), "data", "list"]) == 0
    out = capsys.readouterr().out
    assert "vintage 202602 (default) — dated 2026-02-28, complete" in out
    assert "vintage 202302 — dated 2023-02-28, 4 catalog files missing" in out


def test_import_of_a_file_or_badly_named_folder(tmp_path, capsys):
    f = tmp_path / "notes.txt"
    f.write_text("x")
    assert main(["--store", str(tmp_path / "s"), "data", "import", str(f)]) == 3
    assert f"snapshot folder {f} is not a folder" in capsys.readouterr().err
    bad = tmp_path / "my fred"
    bad.mkdir()
    (bad / "GS10.csv").write_bytes((FRED_DIR / "GS10.csv").read_bytes())
    assert main(["--store", str(tmp_path / "s"), "data", "import", str(bad)]) == 2
    assert "the folder name 'my fred' is not a valid vintage name" in capsys.readouterr().err
    assert not (tmp_path / "s" / "vintages").exists()
    assert main(["--store", str(tmp_path / "s"), "data", "import", "--vintage", "g", str(bad)]) == 0


@pytest.mark.parametrize(
    "line, sentence",
    [
        (
            "This file was created using the 202602 CRSP database.  It contains",
            "This file was created using the 202602 CRSP database.",
        ),
        (  # a dot before the sentence's end is not its end (a referee's case)
            "Created by CMPT_v2.1 using the 202602 CRSP database.  It",
            "Created by CMPT_v2.1 using the 202602 CRSP database.",
        ),
        ("created using the 202510 CRSP database", "created using the 202510 CRSP database"),
        ("a header  without one", "a header without one"),
        (None, ""),
    ],
)
def test_header_sentence(line, sentence):
    from smallcap_bt.data.parse import header_sentence

    assert header_sentence(line) == sentence
