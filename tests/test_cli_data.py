"""The data commands as a user runs them."""

from __future__ import annotations

import subprocess
import sys

from smallcap_bt.cli import main
from smallcap_bt.data.catalog import DATASETS
from tests.conftest import FRED_DIR, FRENCH


def test_import_then_list_shows_every_dataset(tmp_path, capsys):
    dirs = [str(FRENCH / v) for v in ("202602", "202510", "202511")] + [str(FRED_DIR)]
    assert main(["--store", str(tmp_path), "data", "import", *dirs]) == 0
    out = capsys.readouterr().out
    assert "vintage 202602:" in out and "kept the first" in out
    assert main(["--store", str(tmp_path), "data", "list"]) == 0
    listing = capsys.readouterr().out
    for ds_id in DATASETS:
        assert ds_id in listing, ds_id
    assert "6a83b5b883cd" in listing  # hash of the factors zip
    assert "202602 CRSP database" in listing


def test_show_and_errors(store_dir, tmp_path, capsys):
    assert main(["--store", str(store_dir), "data", "show", "ff.portfolios_me.monthly.vw"]) == 0
    out = capsys.readouterr().out
    assert "b3643b25dc99" in out and "1926-07" in out and "2026-02" in out
    assert main(["--store", str(store_dir), "data", "show", "ff.portfolio_me.monthly"]) == 2
    assert "did you mean" in capsys.readouterr().err
    assert main(["--store", str(tmp_path), "data", "list"]) == 3
    assert "smallcap-bt data import" in capsys.readouterr().err


def test_console_script_runs(store_dir):
    res = subprocess.run(
        [sys.executable, "-m", "smallcap_bt.cli", "--store", str(store_dir), "data", "check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert res.returncode == 0, res.stderr
    assert "Portfolios_Formed_on_ME" in res.stdout and "ok" in res.stdout


def test_import_is_fast_and_light():
    code = (
        "import sys, smallcap_bt; "
        "bad = [m for m in ('vectorbt', 'matplotlib', 'statsmodels', 'pandas') "
        "if m in sys.modules]; print(bad)"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert res.stdout.strip() == "[]"
