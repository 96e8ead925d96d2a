"""Bad input gets a clear error naming the file, URL or series; nothing is left half-written."""

from __future__ import annotations

import io
import os
import socket
import zipfile

import numpy as np
import pytest

from smallcap_bt.data import Store, fetch_vintage, import_snapshot, load
from smallcap_bt.data.parse import parse_fred_csv, parse_french_csv, unzip_single_csv
from smallcap_bt.data.sources import fetch_fred_series, fetch_french_file
from smallcap_bt.exceptions import (
    DataUnavailableError,
    IntegrityError,
    SchemaError,
    UnknownDatasetError,
    VintageMismatchError,
)
from tests.conftest import FRED_DIR, FRENCH

ME_ZIP = FRENCH / "202602" / "ftp" / "Portfolios_Formed_on_ME_CSV.zip"


def _csv_bytes() -> bytes:
    return unzip_single_csv(ME_ZIP.read_bytes(), "Portfolios_Formed_on_ME_CSV.zip")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_network_down_names_url():
    url = f"http://127.0.0.1:{_free_port()}/"
    with pytest.raises(DataUnavailableError, match=r"127\.0\.0\.1.*Portfolios_Formed_on_ME_CSV"):
        fetch_french_file("Portfolios_Formed_on_ME", url, retry_count=0)


@pytest.mark.parametrize("status", [404, 500])
def test_http_error_names_url_and_status(server, http_override, status):
    http_override["/french/x/ftp/F-F_Momentum_Factor_CSV.zip"] = (status, b"oops")
    with pytest.raises(DataUnavailableError, match=rf"HTTP status {status}") as err:
        fetch_french_file("F-F_Momentum_Factor", f"{server}/french/x/", retry_count=1)
    assert f"{server}/french/x/ftp/F-F_Momentum_Factor_CSV.zip" in str(err.value)


def test_fred_http_error(server):
    with pytest.raises(DataUnavailableError, match=r"FRED series GS2 .*HTTP status 404"):
        fetch_fred_series("GS2", f"{server}/nowhere/fredgraph.csv", retry_count=0)


def test_unknown_ids_suggest_close_matches():
    with pytest.raises(UnknownDatasetError, match="did you mean 'ff.portfolios_me.monthly.vw'"):
        load("ff.portfolio_me.monthly.vw")
    with pytest.raises(UnknownDatasetError, match="'FEDFUNDS'"):
        fetch_fred_series("FEDFUND")


def test_zip_without_csv():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("readme.txt", "nothing here")
    with pytest.raises(SchemaError, match=r"x_CSV\.zip: zip holds no CSV member"):
        unzip_single_csv(buf.getvalue(), "x_CSV.zip")


def test_truncated_zip():
    data = ME_ZIP.read_bytes()
    with pytest.raises(SchemaError, match="truncated|cannot be read"):
        unzip_single_csv(data[: len(data) // 2], "Portfolios_Formed_on_ME_CSV.zip")


def test_truncated_csv_mid_row():
    raw = _csv_bytes()
    cut = raw[: raw.index(b"192701") + 20]  # ends in the middle of a row
    with pytest.raises(SchemaError, match="Portfolios_Formed_on_ME.csv.*truncated"):
        parse_french_csv(cut, "Portfolios_Formed_on_ME.csv")


def test_truncated_csv_mid_row_inside_table():
    raw = _csv_bytes()
    pos = raw.index(b"\r\n", raw.index(b"193001")) + 2
    cut = raw[:pos] + b"193002,   1.0,  2.0\r\n" + raw[pos:]
    with pytest.raises(SchemaError, match=r"expected 20 fields, found 3"):
        parse_french_csv(cut, "Portfolios_Formed_on_ME.csv")


def test_missing_table_title_lists_what_is_there():
    from smallcap_bt.data.catalog import dataset
    from smallcap_bt.data.parse import french_frame

    raw = _csv_bytes().replace(b"Average Firm Size", b"Something Else")
    ff = parse_french_csv(raw, "Portfolios_Formed_on_ME.csv")
    with pytest.raises(SchemaError, match=r"ff.portfolios_me.size.*not found.*Something Else"):
        french_frame(ff, dataset("ff.portfolios_me.size"))


def test_import_rejects_file_with_missing_table_and_writes_nothing(tmp_path):
    raw = _csv_bytes().replace(b"Number of Firms in Portfolios", b"Firms")
    folder = tmp_path / "snap" / "ftp"
    folder.mkdir(parents=True)
    with zipfile.ZipFile(folder / "Portfolios_Formed_on_ME_CSV.zip", "w") as zf:
        zf.writestr("Portfolios_Formed_on_ME.csv", raw)
    with pytest.raises(SchemaError, match="Number of firms|number of firms"):
        import_snapshot(tmp_path / "snap", "bad", store=tmp_path / "store")
    assert Store(tmp_path / "store").vintages() == []


def test_fred_unexpected_header():
    with pytest.raises(SchemaError, match=r"FRED series GS10: unexpected header 'DATE,VALUE'"):
        parse_fred_csv(b"DATE,VALUE\n2020-01-01,1.0\n", "GS10")


def test_fred_blank_cells_are_missing_values():
    frame = parse_fred_csv(
        b"observation_date,GS10\n2020-01-01,1.5\n2020-02-01,\n2020-03-01,.\n", "GS10"
    )
    assert frame["gs10"].isna().tolist() == [False, True, True]


def test_fred_garbage_value_names_line():
    with pytest.raises(SchemaError, match=r"GS10, line 3: value 'n/a'"):
        parse_fred_csv(b"observation_date,GS10\n2020-01-01,1.5\n2020-02-01,n/a\n", "GS10")


def test_fred_lf_and_crlf_identical():
    raw = (FRED_DIR / "TB3MS.csv").read_bytes()
    a = parse_fred_csv(raw, "TB3MS")
    b = parse_fred_csv(raw.replace(b"\n", b"\r\n"), "TB3MS")
    np.testing.assert_array_equal(a.to_numpy(), b.to_numpy())


def test_interrupted_write_leaves_store_consistent(tmp_path, monkeypatch):
    store = tmp_path / "store"
    import_snapshot(FRENCH / "202302", "v1", store=store)
    before = load("ff.factors.monthly", "v1", store=store)
    manifest_before = (store / "vintages" / "v1.json").read_bytes()

    real_replace = os.replace

    def crash(src, dst):
        if str(dst).endswith("v1.json"):
            raise KeyboardInterrupt("power cut while writing the manifest")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        import_snapshot(FRED_DIR, "v1", store=store)
    monkeypatch.setattr(os, "replace", real_replace)
    assert (store / "vintages" / "v1.json").read_bytes() == manifest_before
    assert not list(store.rglob("*.tmp"))
    np.testing.assert_array_equal(load("ff.factors.monthly", "v1", store=store), before)
    with pytest.raises(DataUnavailableError, match="GS10.csv is not in vintage 'v1'"):
        load("fred.GS10", "v1", store=store)


def test_corrupted_blob_is_reported_never_used(tmp_path):
    store = tmp_path / "store"
    import_snapshot(FRENCH / "202302", "v1", store=store)
    rec = Store(store).file_record("v1", "F-F_Research_Data_Factors")
    blob = store / "blobs" / rec["sha256"]
    blob.write_bytes(blob.read_bytes()[:-10] + b"0123456789")
    with pytest.raises(IntegrityError, match=r"F-F_Research_Data_Factors_CSV\.zip.*not used"):
        load("ff.factors.monthly", "v1", store=store)
    assert Store(store).check("v1")["F-F_Research_Data_Factors"] != "ok"


def test_conflicting_reimport_needs_replace(tmp_path):
    store = tmp_path / "store"
    import_snapshot(FRENCH / "202302", "v", store=store)
    assert (
        import_snapshot(FRENCH / "202302", "v", store=store).actions["F-F_Research_Data_Factors"]
        == "unchanged"
    )
    with pytest.raises(VintageMismatchError, match="already holds F-F_Research_Data_Factors"):
        import_snapshot(FRENCH / "202602", "v", store=store)
    rep = import_snapshot(FRENCH / "202602", "v", store=store, replace=True)
    assert rep.actions["F-F_Research_Data_Factors"] == "replaced"


def test_import_of_folder_without_data(tmp_path):
    with pytest.raises(DataUnavailableError, match="no known data file"):
        import_snapshot(tmp_path, store=tmp_path / "s")


def test_no_vintage_says_how_to_import(tmp_path):
    with pytest.raises(DataUnavailableError, match="smallcap-bt data import"):
        load("ff.factors.monthly", store=tmp_path)


def test_fetch_all_default_vintage_name_from_header(tmp_path, server):
    rep = fetch_vintage(
        files=["F-F_Research_Data_Factors"], store=tmp_path, french_url=f"{server}/french/202607"
    )
    assert rep.vintage == "202607"
    assert (
        load("ff.factors.monthly", "202607", store=tmp_path).index[-1].strftime("%Y-%m")
        == "2026-07"
    )


def test_base_url_from_environment(tmp_path, server, monkeypatch):
    monkeypatch.setenv("SMALLCAP_BT_FRED_URL", f"{server}/fred/graph/fredgraph.csv")
    got = fetch_fred_series("USREC")
    assert got.url.endswith("fredgraph.csv?id=USREC")
    assert got.content == (FRED_DIR / "USREC.csv").read_bytes()
