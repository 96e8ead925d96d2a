"""Parsed values against an independent reading of the raw files, for two vintages.

The reference readings use only ``zipfile``/``csv`` and string search on the raw snapshot, or
pandas-datareader's own Fama-French and FRED parsers; neither shares code with
:mod:`smallcap_bt.data.parse`.
"""

from __future__ import annotations

import csv
import zipfile

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest
from pandas_datareader.famafrench import FamaFrenchReader
from pandas_datareader.fred import FredReader

from smallcap_bt.data import load
from smallcap_bt.data.catalog import ME_COLUMNS
from tests.conftest import FRED_DIR, FRENCH


def raw_rows(vintage: str, name: str, title: str) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the table under ``title`` (exact text) in a snapshot zip."""
    with zipfile.ZipFile(FRENCH / vintage / "ftp" / f"{name}_CSV.zip") as zf:
        text = zf.read(zf.namelist()[0]).decode("latin-1")
    lines = text.splitlines()
    start = (
        next(i for i, ln in enumerate(lines) if ln.strip() == title)
        if title
        else next(i for i, ln in enumerate(lines) if ln.startswith(",")) - 1
    )
    rows = list(csv.reader(lines[start + 1 :]))
    header = rows[0]
    body = []
    for r in rows[1:]:
        if not r or not r[0].strip().isdigit():
            break
        body.append(r)
    return header, body


def as_decimal(cells: list[str]) -> np.ndarray:
    v = np.array([float(c) for c in cells])
    v[(v == -99.99) | (v == -999)] = np.nan
    return v / 100


@pytest.mark.parametrize(
    ("vintage", "title", "n_rows", "last"),
    [
        ("202602", "Average Value Weight Returns -- Monthly", 1196, "202602"),
        ("202302", "Value Weight Returns -- Monthly", 1160, "202302"),
    ],
)
def test_size_portfolios_first_last_rows(store_dir, vintage, title, n_rows, last):
    _header, body = raw_rows(vintage, "Portfolios_Formed_on_ME", title)
    frame = load("ff.portfolios_me.monthly.vw", vintage, store=store_dir)
    assert len(frame) == len(body) == n_rows
    assert list(frame.columns) == ME_COLUMNS
    assert str(frame.index[0]) == "1926-07" and frame.index[-1].strftime("%Y%m") == last
    for row in (body[0], body[len(body) // 2], body[-1]):
        period = pd.Period(f"{row[0].strip()[:4]}-{row[0].strip()[4:]}", freq="M")
        np.testing.assert_allclose(
            frame.loc[period].to_numpy(), as_decimal(row[1:]), rtol=0, atol=1e-12
        )
    # the "<= 0" column is all -99.99 in the file: missing, not a -99.99% return
    assert frame["le_0"].isna().all()


def test_decile_labels_map_to_one_name_across_vintages(store_dir):
    h_new, _ = raw_rows(
        "202602", "Portfolios_Formed_on_ME", "Average Value Weight Returns -- Monthly"
    )
    h_old, _ = raw_rows("202302", "Portfolios_Formed_on_ME", "Value Weight Returns -- Monthly")
    assert "2-Dec" in h_new and "Dec 2" in h_old  # the files really differ
    new = load("ff.portfolios_me.monthly.vw", "202602", store=store_dir)
    old = load("ff.portfolios_me.monthly.vw", "202302", store=store_dir)
    assert list(new.columns) == list(old.columns)


@pytest.mark.parametrize("vintage", ["202602", "202302"])
def test_factors_monthly_and_annual(store_dir, vintage):
    _, body = raw_rows(vintage, "F-F_Research_Data_Factors", "")
    monthly = load("ff.factors.monthly", vintage, store=store_dir)
    assert len(monthly) == len(body)
    np.testing.assert_allclose(monthly.iloc[0].to_numpy(), as_decimal(body[0][1:]))
    np.testing.assert_allclose(monthly.iloc[-1].to_numpy(), as_decimal(body[-1][1:]))
    _, annual_rows = raw_rows(
        vintage, "F-F_Research_Data_Factors", "Annual Factors: January-December"
    )
    annual = load("ff.factors.annual", vintage, store=store_dir)
    assert annual.index.freqstr.startswith("Y")
    assert annual.index[0].year == 1927
    np.testing.assert_allclose(annual.iloc[-1].to_numpy(), as_decimal(annual_rows[-1][1:]))


@pytest.mark.parametrize(
    ("name", "ds_id", "vintage"),
    [
        ("Portfolios_Formed_on_ME", "ff.portfolios_me.monthly.ew", "202602"),
        ("F-F_Research_Data_Factors", "ff.factors.monthly", "202302"),
        ("6_Portfolios_2x3", "ff.portfolios_2x3.monthly.vw", "202510"),
    ],
)
def test_matches_pandas_datareader_parser(server, store_dir, monkeypatch, name, ds_id, vintage):
    """pandas-datareader's own parser (by position) gives the same numbers, in percent."""
    import pandas_datareader.famafrench as ff

    monkeypatch.setattr(ff, "_URL", f"{server}/french/{vintage}/")
    tables = FamaFrenchReader(name, start="1926-01-01").read()
    position = 1 if ds_id.endswith(".ew") else 0
    theirs = tables[position].replace([-99.99, -999], np.nan) / 100
    ours = load(ds_id, "202602" if vintage != "202302" else "202302", store=store_dir)
    np.testing.assert_allclose(ours.to_numpy(), theirs.to_numpy(), rtol=0, atol=1e-12)
    assert (ours.index.strftime("%Y%m") == theirs.index.strftime("%Y%m")).all()


def test_book_to_market_table_found_by_multiline_title(store_dir):
    beme = load("ff.portfolios_2x3.beme", store=store_dir)
    _, body = raw_rows(
        "202510",
        "6_Portfolios_2x3",
        "and BE(Fiscal Year t-1) is adjusted for net stock issuance to Dec t-1",
    )
    np.testing.assert_allclose(beme.iloc[-1].to_numpy(), [float(c) for c in body[-1][1:]])
    assert beme.index[-1] == pd.Period("2025-10", freq="M")


def test_daily_factors_on_dates(store_dir):
    daily = load("ff.factors.daily", store=store_dir)
    assert isinstance(daily.index, pd.DatetimeIndex)
    assert daily.index[-1] == pd.Timestamp("2025-10-31")
    assert daily.loc["2025-10-31", "mkt_rf"] == pytest.approx(0.0040)


@pytest.mark.parametrize("series", ["FEDFUNDS", "DFEDTARU", "T10Y2Y", "CPIAUCSL", "USREC"])
def test_fred_matches_pandas_datareader(server, store_dir, series):
    reader = FredReader(series, start="1800-01-01")
    reader.__class__ = type(
        "R", (FredReader,), {"url": property(lambda self: f"{server}/fred/graph/fredgraph.csv")}
    )
    theirs = reader.read()[series]
    ours = load(f"fred.{series}", store=store_dir)[series.lower()]
    assert len(ours) == len(theirs)
    np.testing.assert_array_equal(ours.to_numpy(), theirs.to_numpy())
    first = (FRED_DIR / f"{series}.csv").read_text().splitlines()[1].split(",")[0]
    assert str(ours.index[0])[:7] == first[:7]


def test_fred_monthly_on_period_index(store_dir):
    ff = load("fred.FEDFUNDS", store=store_dir)
    assert isinstance(ff.index, pd.PeriodIndex) and ff.index.freqstr == "M"
    assert ff.loc["1981-01", "fedfunds"] == 19.08  # spot value listed in SOURCES.md
    cpi = load("fred.CPIAUCSL", store=store_dir)
    assert np.isnan(cpi.loc["2025-10", "cpiaucsl"])  # no October 2025 CPI at FRED


def test_two_vintages_coexist_and_differ(store_dir):
    from smallcap_bt.data import vintage_fingerprint

    new = load("ff.factors.monthly", "202602", store=store_dir)
    old = load("ff.factors.monthly", "202302", store=store_dir)
    assert old.index[-1] < new.index[-1]
    common = old.index.intersection(new.index)
    # the library revises history: some SMB months differ between the two vintages
    assert (old.loc[common, "smb"] - new.loc[common, "smb"]).abs().max() > 0
    fp_new = vintage_fingerprint("202602", store=store_dir)
    fp_old = vintage_fingerprint("202302", store=store_dir)
    assert (
        fp_new["datasets"]["ff.factors.monthly"]["sha256"]
        != fp_old["datasets"]["ff.factors.monthly"]["sha256"]
    )
    assert "202302" in fp_old["datasets"]["ff.factors.monthly"]["vintage_line"]


def test_import_equals_fetch_and_hashes_are_stable(tmp_path, store_dir):
    from smallcap_bt.data import import_snapshot, vintage_fingerprint

    import_snapshot(
        [FRENCH / "202602", FRENCH / "202510", FRENCH / "202511", FRED_DIR], store=tmp_path
    )
    for ds_id in (
        "ff.portfolios_me.monthly.vw",
        "ff.factors.monthly",
        "fred.DFEDTAR",
        "ff.portfolios_2x3.beme",
    ):
        pdt.assert_frame_equal(
            load(ds_id, "202602", store=tmp_path), load(ds_id, "202602", store=store_dir)
        )
    fp = vintage_fingerprint("202602", store=tmp_path)
    assert fp == vintage_fingerprint("202602", store=store_dir)
    # published checksum of the original library zip (shared/data/french/202602/SOURCES.md)
    assert fp["datasets"]["ff.factors.monthly"]["sha256"] == (
        "6a83b5b883cd06d516f4e116ec14fa52f7f97caaccb930afa6a2af337c1fc4ad"
    )


def test_load_returns_a_copy(store_dir):
    a = load("ff.factors.monthly", store=store_dir)
    a.iloc[0, 0] = 99.0
    assert load("ff.factors.monthly", store=store_dir).iloc[0, 0] != 99.0


def test_lf_line_endings_parse_identically():
    from smallcap_bt.data.catalog import dataset
    from smallcap_bt.data.parse import french_frame, parse_french_csv, unzip_single_csv

    raw = unzip_single_csv(
        (FRENCH / "202602/ftp/Portfolios_Formed_on_ME_CSV.zip").read_bytes(), "x"
    )
    lf = raw.replace(b"\r\n", b"\n")
    assert b"\r" not in lf
    spec = dataset("ff.portfolios_me.annual.ew")
    pdt.assert_frame_equal(
        french_frame(parse_french_csv(raw, "crlf"), spec),
        french_frame(parse_french_csv(lf, "lf"), spec),
    )


def test_panel_leaves_out_only_columns_of_a_missing_series(tmp_path):
    """A vintage without GS2 keeps every other macro column; the gap is recorded, not silent."""
    import shutil

    from smallcap_bt.data import import_snapshot
    from smallcap_bt.panel.build import monthly_panel
    from tests.conftest import FRED_DIR, FRENCH

    fred = tmp_path / "fred"
    shutil.copytree(FRED_DIR, fred)
    (fred / "GS2.csv").unlink()
    import_snapshot([FRENCH / "202602", fred], "v", store=tmp_path / "s")
    panel = monthly_panel("v", store=tmp_path / "s")
    assert "gs2" not in panel.columns
    assert "GS2.csv is not in vintage 'v'" in panel.attrs["missing_columns"]["gs2"]
    for col in ("fedfunds", "gs10", "tbill", "cpi_yoy", "credit_spread", "t10y2y", "target"):
        assert panel[col].notna().sum() > 100, col
    assert set(panel.attrs["missing_columns"]) == {"gs2", "rel_beme"}


def _raw_smb(vintage: str) -> pd.Series:
    """SMB by month, decimal: the first (monthly) table of a snapshot's raw factors zip."""
    with zipfile.ZipFile(FRENCH / vintage / "ftp" / "F-F_Research_Data_Factors_CSV.zip") as z:
        lines = z.read(z.namelist()[0]).decode().splitlines()
    head = lines.index(",Mkt-RF,SMB,HML,RF")
    rows = list(csv.reader(lines[head + 1 : lines.index("", head)]))
    months = pd.PeriodIndex([f"{r[0][:4]}-{r[0][4:]}" for r in rows], freq="M")
    return pd.Series([float(r[2]) / 100 for r in rows], index=months)


def test_a_kept_panel_is_a_copy_and_a_replaced_file_gives_a_new_panel(tmp_path):
    """``monthly_panel`` keeps the panels this process built (issue 12: the suite built the
    same panel about a hundred times). A caller's changes never reach the next caller, and a
    vintage whose file was replaced (same name, other bytes) gives the new file's values,
    checked against a plain reading of each raw factors file."""
    from smallcap_bt.data import import_snapshot
    from smallcap_bt.panel.build import monthly_panel

    store = tmp_path / "s"
    import_snapshot([FRENCH / "202302", FRED_DIR], "v", store=store)
    first = monthly_panel("v", store=store)
    first["smb"] = 99.0
    first.attrs["missing_columns"]["smb"] = "changed by a caller"
    again = monthly_panel("v", store=store)
    assert (again["smb"] != 99.0).all() and "smb" not in again.attrs["missing_columns"]

    old = _raw_smb("202302")
    pdt.assert_series_equal(again["smb"].loc[old.index], old, check_names=False)
    import_snapshot([FRENCH / "202602"], "v", store=store, replace=True)
    new = _raw_smb("202602")
    replaced = monthly_panel("v", store=store)
    assert replaced.index[-1] == new.index[-1] > old.index[-1]
    pdt.assert_series_equal(replaced["smb"].loc[new.index], new, check_names=False)


def test_a_kept_panel_checks_its_stored_files_as_a_build_does(tmp_path):
    """A stored file damaged after the panel was kept is an error on the next call, as in a
    fresh process (a referee: the kept panel was handed out while ``Vintage.load`` of the
    same file raised)."""
    from smallcap_bt.data import import_snapshot
    from smallcap_bt.data.store import Store
    from smallcap_bt.exceptions import IntegrityError
    from smallcap_bt.panel.build import monthly_panel

    store = tmp_path / "s"
    import_snapshot([FRENCH / "202302", FRED_DIR], "v", store=store)
    monthly_panel("v", store=store)
    blob = store / "blobs" / Store(store).file_record("v", "USREC")["sha256"]
    blob.chmod(0o644)
    blob.write_bytes(blob.read_bytes() + b"\n")
    with pytest.raises(IntegrityError, match=r"USREC\.csv of vintage 'v'"):
        monthly_panel("v", store=store)


def test_a_panel_built_while_its_vintage_changed_is_not_kept(tmp_path, monkeypatch):
    """Another process replaces a file while a panel is built from the old manifest: that
    panel (of the new file) is not kept under the old files' hashes, so going back to the old
    file gives the old file's values (checked against the raw zip)."""
    import smallcap_bt.panel.build as build
    from smallcap_bt.data import import_snapshot

    store = tmp_path / "s"
    import_snapshot([FRENCH / "202302", FRED_DIR], "v", store=store)
    real = build._build

    def replaced_meanwhile(name, st):
        import_snapshot([FRENCH / "202602"], "v", store=store, replace=True)
        return real(name, st)

    monkeypatch.setattr(build, "_build", replaced_meanwhile)
    assert build.monthly_panel("v", store=store).index[-1] == _raw_smb("202602").index[-1]
    monkeypatch.undo()
    import_snapshot([FRENCH / "202302"], "v", store=store, replace=True)  # back to the first
    old = _raw_smb("202302")
    back = build.monthly_panel("v", store=store)
    assert back.index[-1] == old.index[-1]
    pdt.assert_series_equal(back["smb"].loc[old.index], old, check_names=False)
