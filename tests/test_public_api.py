"""What a notebook user meets first: a clean namespace and self-describing frames."""

from __future__ import annotations

import hashlib
import sys

import pytest

import smallcap_bt as sb
from tests.conftest import FRED_DIR, FRENCH, Job

LIGHT = Job(  # a fresh interpreter, run as a background job (tests/conftest.py)
    "import-stays-light",
    (
        sys.executable,
        "-c",
        "import sys, smallcap_bt as sb; dir(sb); "
        "print(sorted(m for m in ('vectorbt', 'matplotlib', 'pandas', 'statsmodels', 'rich') "
        "if m in sys.modules))",
    ),
)


def test_dir_shows_only_the_public_api():
    names = dir(sb)
    assert names == sorted(sb.__all__)
    for leaked in ("Any", "TYPE_CHECKING", "annotations", "importlib", "_LAZY"):
        assert leaked not in names
    for public in ("load", "verify", "sweep", "Summary", "versions", "catalog"):
        assert public in names and getattr(sb, public) is not None


@pytest.mark.background(LIGHT)
def test_import_stays_light(background):
    res = background(LIGHT)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "[]"


def test_loaded_frames_carry_units_frequency_dataset_and_vintage(store_dir):
    vw = sb.load("ff.portfolios_me.monthly.vw", "202602", store=store_dir)
    zip_path = FRENCH / "202602" / "ftp" / "Portfolios_Formed_on_ME_CSV.zip"
    assert vw.attrs == {
        "dataset": "ff.portfolios_me.monthly.vw",
        "units": "decimal return per month",
        "frequency": "M",
        "vintage": "202602",
        "file": "Portfolios_Formed_on_ME_CSV.zip",
        "sha256": hashlib.sha256(zip_path.read_bytes()).hexdigest(),
    }
    assert vw.index.freqstr == "M"
    ff = sb.load("fred.FEDFUNDS", store=store_dir)  # default vintage resolved to its name
    assert ff.attrs["vintage"] == "202602" and ff.attrs["units"] == "percent per annum"
    assert (
        ff.attrs["sha256"] == hashlib.sha256((FRED_DIR / "FEDFUNDS.csv").read_bytes()).hexdigest()
    )
