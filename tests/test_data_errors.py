"""Bad input gets a clear error naming the file, URL or series; nothing is left half-written."""

from __future__ import annotations

import http.server
import io
import os
import re
import socket
import threading
import time
import zipfile
from typing import ClassVar

import numpy as np
import pytest

from smallcap_bt.data import Store, fetch_vintage, import_snapshot, load
from smallcap_bt.data.catalog import file_spec
from smallcap_bt.data.parse import parse_fred_csv, parse_french_csv, unzip_single_csv
from smallcap_bt.data.sources import fetch_fred_series, fetch_french_file
from smallcap_bt.exceptions import (
    DataQualityWarning,
    DataUnavailableError,
    IntegrityError,
    SchemaError,
    UnknownDatasetError,
    ValidationError,
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


@pytest.mark.parametrize(
    ("body", "pattern"),
    [
        (b"PK\x03\x04truncated", r"F-F_Momentum_Factor_CSV\.zip: .*\(downloaded from "),
        (b"just some text, not a zip", r"F-F_Momentum_Factor_CSV\.zip: .*\(downloaded from "),
    ],
    ids=["truncated-zip", "text"],
)
def test_a_download_that_does_not_parse_names_its_url(
    tmp_path, server, http_override, body, pattern
):
    """A bad-input battery: a truncated zip or a text page fetched over the network was
    reported by file name only; the error now also names the URL it came from."""
    http_override["/french/x/ftp/F-F_Momentum_Factor_CSV.zip"] = (200, body)
    url = f"{server}/french/x"
    with pytest.raises(SchemaError, match=pattern) as err:
        fetch_vintage(files=["F-F_Momentum_Factor"], store=tmp_path, french_url=url)
    assert f"{url}/ftp/F-F_Momentum_Factor_CSV.zip" in str(err.value)


def test_base_url_from_environment(tmp_path, server, monkeypatch):
    monkeypatch.setenv("SMALLCAP_BT_FRED_URL", f"{server}/fred/graph/fredgraph.csv")
    got = fetch_fred_series("USREC")
    assert got.url.endswith("fredgraph.csv?id=USREC")
    assert got.content == (FRED_DIR / "USREC.csv").read_bytes()


# -- bad input at the boundary, through the command line -------------------------------------------
# Each case: exit code 3, a message naming the file and the rule, and the store unchanged.
ME_NAME = "Portfolios_Formed_on_ME"


def _me_text(vintage: str = "202602") -> str:
    return unzip_single_csv(
        (FRENCH / vintage / "ftp" / f"{ME_NAME}_CSV.zip").read_bytes(), ME_NAME
    ).decode()


def _row_end(text: str, key: str, after: str) -> int:
    """Index just past the CRLF of the row ``key`` found after ``after``."""
    i = text.index(f"\r\n{key},", text.index(after))
    return text.index("\r\n", i + 2) + 2


def _french_folder(tmp_path, text: str | None = None, members: dict | None = None):
    folder = tmp_path / "snap"
    (folder / "ftp").mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(folder / "ftp" / f"{ME_NAME}_CSV.zip", "w") as zf:
        for name, body in (members or {f"{ME_NAME}.csv": text}).items():
            zf.writestr(name, body)
    return folder


def _fred_folder(tmp_path, series: str, body: bytes):
    folder = tmp_path / "fred"
    folder.mkdir(exist_ok=True)
    (folder / f"{series}.csv").write_bytes(body)
    return folder


def _replace_value(text: str, key: str, after: str, col: int, new: str) -> str:
    start = text.index(f"\r\n{key},", text.index(after)) + 2
    end = text.index("\r\n", start)
    fields = text[start:end].split(",")
    fields[col] = new
    return text[:start] + ",".join(fields) + text[end:]


def _import(store, folder, capsys, *extra):
    from smallcap_bt.cli import main

    code = main(["--store", str(store), "data", "import", "--vintage", "v", *extra, str(folder)])
    out = capsys.readouterr()
    return code, out.out, out.err


def _snapshot(store) -> dict:
    folder = store / "vintages"
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.json"))}


@pytest.fixture
def base_store(tmp_path):
    """A store that already holds vintage ``v`` (202302 French files)."""
    store = tmp_path / "store"
    import_snapshot(FRENCH / "202302", "v", store=store)
    return store


def _last_key(text: str, title: str) -> str:
    """The date key of the last row of the table titled ``title``."""
    block = text[text.index(title) :].split("\r\n\r\n")[0].split("\r\n")
    return block[-1].split(",")[0].strip()


def _cases() -> dict:
    t = _me_text()
    vw = "Average Value Weight Returns -- Monthly"
    last = "Average Firm Size"
    blank = t[: _row_end(t, "195012", last)] + "\r\n" + t[_row_end(t, "195012", last) :]
    cut = t[: _row_end(t, "195012", last)] + "\r\n" + t[t.index("Copyright") :]
    gap = t[: _row_end(t, "195005", vw)] + t[_row_end(t, "195006", vw) :]
    return {
        "blank line in last table": (blank, r"'Average Firm Size'.*195012.*cuts it short"),
        "last table cut before footer": (cut, r"Average Firm Size.*ends in 1950-12.*truncated"),
        "missing month": (gap, r"1 month missing between 1950-05 and 1950-07.*index-gap"),
        "99999% monthly return": (
            _replace_value(t, "199005", vw, 10, "99999.00"),
            r"Average Value Weight Returns.*1990-05.*lo_10: 99999% is not plausible.*range",
        ),
        "return of -100%": (
            _replace_value(t, "199005", vw, 10, "-100.00"),
            r"1990-05.*lo_10: -100% is not plausible.*above -100%",
        ),
        "column of -99.99": (
            "\r\n".join(
                ",".join([*f[:10], "-99.99", *f[11:]])
                if len(f) == 20 and f[0].strip().isdigit()
                else line
                for line in t.split("\r\n")
                for f in [line.split(",")]
            ),
            r"column lo_10: every value is a missing-value code.*all-missing",
        ),
        "one -99.99 inside a series": (
            _replace_value(t, "199005", vw, 10, "-99.99"),
            r"Average Value Weight Returns.*1990-05.*column lo_10: 1 missing value.*"
            r"interior-missing",
        ),
        "a literal nan": (
            _replace_value(t, "199005", vw, 10, "nan"),
            r"'Average Value Weight Returns -- Monthly', line \d+ \(199005\), column 'Lo 10': "
            r"'nan' is not a number.*-99\.99",
        ),
        "month 13": (
            t.replace("\r\n199012,", "\r\n199013,", 1),
            r"invalid date.*month 13 of 199013 is not 01-12",
        ),
        "month 13 as the last row": (  # rolled into a new month, not a duplicate
            t.replace(f"\r\n{_last_key(t, vw)},", f"\r\n{_last_key(t, vw)[:4]}13,", 1),
            r"invalid date.*month 13 of \d{4}13 is not 01-12",
        ),
        "months out of order": (
            t[: _row_end(t, "195004", vw)]
            + t[_row_end(t, "195005", vw) : _row_end(t, "195006", vw)]
            + t[_row_end(t, "195004", vw) : _row_end(t, "195005", vw)]
            + t[_row_end(t, "195006", vw) :],
            r"dates are not strictly increasing: 195005 follows 195006",
        ),
        "returns in decimals": (
            "\r\n".join(
                ",".join([f[0], *(f"{float(x) / 100:.6f}" for x in f[1:])])
                if len(f) == 20 and len(f[0].strip()) == 6 and f[0].strip().isdigit()
                else line
                for line in t.split("\r\n")
                for f in [line.split(",")]
            ),
            r"the largest return is 0\.\d+%: the values look 100 times too small.*scale",
        ),
        "a header naming a CRSP month after today": (
            re.sub(r"\d{6} CRSP database", "209912 CRSP database", t, count=1),
            r"header.*names the 209912 CRSP database, after today.*future",
        ),
        "negative number of firms": (
            _replace_value(t, "200001", "Number of Firms", 3, "-50"),
            r"Number of Firms in Portfolios.*2000-01.*med_40: -50 is not plausible.*firms",
        ),
    }


@pytest.mark.parametrize("case", list(_cases()))
def test_bad_french_file_is_rejected_and_store_unchanged(base_store, tmp_path, capsys, case):
    text, pattern = _cases()[case]
    before = _snapshot(base_store)
    code, _, err = _import(base_store, _french_folder(tmp_path, text), capsys, "--replace")
    assert code == 3, err
    assert "Portfolios_Formed_on_ME" in err
    assert re.search(pattern, err, re.S), err
    assert _snapshot(base_store) == before
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "bad, what",
    [("\r\n199013,", r"month 13 of 199013 is not 01-12"), ("\r\n19901231,", r"mixes date formats")],
    ids=["month-13", "date-width"],
)
def test_bad_dates_in_the_untitled_first_table_name_it(tmp_path, capsys, bad, what):
    """The monthly factors are the first, untitled table of F-F_Research_Data_Factors: its
    messages say "(untitled)" as the parser's other messages do (they said '')."""
    name = "F-F_Research_Data_Factors"
    raw = (FRENCH / "202602" / "ftp" / f"{name}_CSV.zip").read_bytes()
    text = unzip_single_csv(raw, name).decode().replace("\r\n199012,", bad, 1)
    folder = tmp_path / "snap"
    (folder / "ftp").mkdir(parents=True)
    with zipfile.ZipFile(folder / "ftp" / f"{name}_CSV.zip", "w") as zf:
        zf.writestr(f"{name}.csv", text)
    code, _, err = _import(tmp_path / "store", folder, capsys)
    assert code == 3, err
    assert re.search(rf"{name}.*: table '\(untitled\)'.*{what}", err), err


def test_zip_with_two_members_is_rejected(base_store, tmp_path, capsys):
    t = _me_text()
    folder = _french_folder(tmp_path, members={"a.csv": t, f"{ME_NAME}.csv": t})
    before = _snapshot(base_store)
    code, _, err = _import(base_store, folder, capsys, "--replace")
    assert code == 3
    assert "Portfolios_Formed_on_ME_CSV.zip: zip holds 2 members ['a.csv'" in err
    assert _snapshot(base_store) == before


def test_html_page_saved_as_zip_is_named(base_store, tmp_path, capsys):
    folder = tmp_path / "snap" / "ftp"
    folder.mkdir(parents=True)
    (folder / f"{ME_NAME}_CSV.zip").write_bytes(
        b"<!DOCTYPE html><html><head><title>Page not found</title></head></html>"
    )
    before = _snapshot(base_store)
    code, _, err = _import(base_store, tmp_path / "snap", capsys, "--replace")
    assert code == 3
    assert "Portfolios_Formed_on_ME_CSV.zip: the file is an HTML page ('Page not found')" in err
    assert _snapshot(base_store) == before


FRED_HEAD = b"observation_date,FEDFUNDS\n"


@pytest.mark.parametrize(
    "body, pattern",
    [
        (FRED_HEAD + b"2020-01-01,1.5\n2020-02-01,1e9\n", r"2020-02: column fedfunds: 1e\+09"),
        (FRED_HEAD + b"2020-01-01,1.5\n2020-02-01,-50\n", r"2020-02: column fedfunds: -50% p\.a"),
        (FRED_HEAD + b"2020-01-01,.\n2020-02-01,.\n", r"every value is a missing-value code"),
        (FRED_HEAD + b"2020-01-01,1.5\n2020-03-01,1.6\n", r"1 month missing between 2020-01"),
        (FRED_HEAD + b"2020-01-01,1.5\n2020-01-01,1.6\n", r"dates are not strictly increasing"),
        (FRED_HEAD, r"no observations"),
        (
            FRED_HEAD + b"2020-01-01,1.5\n2020-02-01,.\n2020-03-01,.\n2020-04-01,1.6\n",
            r"2020-02: column fedfunds: 2 missing value.*interior-missing",
        ),
        (  # two isolated gaps: only one unpublished period is allowed
            FRED_HEAD + b"2020-01-01,1.5\n2020-02-01,.\n2020-03-01,1.5\n2020-04-01,.\n"
            b"2020-05-01,1.6\n",
            r"2020-02: column fedfunds: 2 missing value.*interior-missing",
        ),
        (FRED_HEAD + b"2020-01-01,1.5\n2020-02-01,nan\n", r"line 3: value 'nan' is not a number"),
        (
            FRED_HEAD + b"2020-01-01,1.5\n2020-13-01,1.6\n",
            r"FEDFUNDS, line 3: '2020-13-01' is not a date \(YYYY-MM-DD\)$",
        ),
        (
            FRED_HEAD + b"2099-11-01,1.5\n2099-12-01,1.6\n",
            r"2099-12: the last observation, 2099-12, is after today.*future",
        ),
        (
            FRED_HEAD
            + b"".join(
                b"%d-%02d-01,%.4f\n" % (1990 + i // 12, i % 12 + 1, 0.05) for i in range(300)
            ),
            r"highest rate in 25 years is 0\.05% p\.a\.: the values look 100 times too small",
        ),
        (b"<html><body>Service unavailable</body></html>", r"is an HTML page"),
    ],
    ids=[
        "1e9",
        "-50",
        "only-dots",
        "missing-month",
        "duplicate",
        "empty",
        "two-dots-inside",
        "two-isolated-dots",
        "nan",
        "bad-date",
        "future",
        "decimals",
        "html",
    ],
)
def test_bad_fred_series_is_rejected_and_store_unchanged(
    base_store, tmp_path, capsys, body, pattern
):
    before = _snapshot(base_store)
    code, _, err = _import(base_store, _fred_folder(tmp_path, "FEDFUNDS", body), capsys)
    assert code == 3, err
    assert "FEDFUNDS" in err
    assert re.search(pattern, err), err
    assert _snapshot(base_store) == before


def test_daily_gap_is_an_error():
    body = b"observation_date,DFF\n2020-01-01,1.5\n2020-01-02,1.5\n2020-01-20,1.6\n"
    from smallcap_bt.data.store import parse_file

    with pytest.raises(ValidationError, match=r"DFF\.csv.*2020-01-02: 18 days without a row"):
        parse_file(file_spec("DFF"), body)


def test_extreme_value_warns_and_strict_makes_it_an_error(base_store, tmp_path, capsys):
    body = (FRED_DIR / "FEDFUNDS.csv").read_bytes().replace(b"1981-01-01,19.08", b"1981-01-01,27")
    folder = _fred_folder(tmp_path, "FEDFUNDS", body)
    before = _snapshot(base_store)
    code, _, err = _import(base_store, folder, capsys, "--strict")
    assert code == 3
    assert "1981-01: column fedfunds: 27% p.a. is legal but extreme" in err
    assert _snapshot(base_store) == before
    code, out, _ = _import(base_store, folder, capsys)
    assert code == 0
    assert "warning: FEDFUNDS.csv" in out and "legal but extreme" in out
    assert "FEDFUNDS" in Store(base_store).manifest("v")["files"]
    with pytest.warns(DataQualityWarning, match="legal but extreme"):
        from smallcap_bt.data.store import parse_and_validate

        parse_and_validate(file_spec("FEDFUNDS"), body)


def test_symlink_to_another_file_is_refused(base_store, tmp_path, capsys):
    folder = tmp_path / "fred"
    folder.mkdir()
    (folder / "GS10.csv").write_bytes((FRED_DIR / "GS10.csv").read_bytes())
    (folder / "FEDFUNDS.csv").symlink_to(folder / "GS10.csv")
    before = _snapshot(base_store)
    code, _, err = _import(base_store, folder, capsys)
    assert code == 3
    assert "FEDFUNDS.csv is a symbolic link to" in err and "GS10.csv" in err
    assert "observation_date,GS10" not in err  # no echo of the other file's content
    assert _snapshot(base_store) == before


# -- network deadlines -----------------------------------------------------------------------------
class _Trickle(http.server.BaseHTTPRequestHandler):
    """Sends headers at once, then one byte every 0.2 s (bounded: 50 bytes, 10 s)."""

    calls: ClassVar[list[str]] = []
    mode: ClassVar[str] = "trickle"

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        _Trickle.calls.append(self.path)
        if _Trickle.mode == "flaky" and len(_Trickle.calls) < 3:
            self.send_response(503)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if _Trickle.mode in ("short", "gzip"):  # a body cut short, a body that is not gzip
            self.send_response(200)
            self.send_header("Content-Length", "5000")
            if _Trickle.mode == "gzip":
                self.send_header("Content-Encoding", "gzip")
            self.end_headers()
            self.wfile.write(b"observation_date,GS10\n1990-01-01,8.2\n")
            self.wfile.flush()
            return
        if _Trickle.mode in ("flaky", "html"):
            body = (
                (FRED_DIR / "GS10.csv").read_bytes()
                if _Trickle.mode == "flaky"
                else b"<!DOCTYPE html>\n<html><title>Maintenance</title></html>"
            )
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        self.send_response(200)
        self.send_header("Content-Length", "50")
        self.end_headers()
        try:
            for _ in range(50):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.2)
        except OSError:
            pass


@pytest.fixture
def slow_server():
    _Trickle.calls.clear()
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Trickle)
    httpd.daemon_threads = True
    # shutdown() waits up to one poll interval (0.5 s by default) for the loop to notice
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    )
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_trickling_server_hits_the_deadline(slow_server):
    _Trickle.mode = "trickle"
    url = f"{slow_server}/fredgraph.csv"
    with pytest.raises(DataUnavailableError) as err:
        fetch_fred_series("GS10", url, timeout=5, deadline=1.0, retry_count=0)
    msg = str(err.value)
    assert f"{url}?id=GS10" in msg and "passed its deadline of 1 s" in msg
    assert len(_Trickle.calls) == 1


def test_retries_with_backoff_then_success(slow_server):
    _Trickle.mode = "flaky"
    got = fetch_fred_series(
        "GS10", f"{slow_server}/fredgraph.csv", retry_count=3, backoff=0.01, deadline=30
    )
    assert got.content == (FRED_DIR / "GS10.csv").read_bytes()
    assert len(_Trickle.calls) == 3  # two 503s, then the file


def test_bounded_retries_name_status_and_attempts(slow_server):
    _Trickle.mode = "flaky"
    with pytest.raises(DataUnavailableError, match=r"HTTP status 503; 2 attempt\(s\)"):
        fetch_fred_series("GS10", f"{slow_server}/x", retry_count=1, backoff=0.01)
    assert len(_Trickle.calls) == 2


def test_html_page_with_status_200_names_the_url(slow_server):
    _Trickle.mode = "html"
    with pytest.raises(DataUnavailableError, match="returned an HTML page") as err:
        fetch_french_file("F-F_Momentum_Factor", f"{slow_server}/french/", retry_count=0)
    assert f"{slow_server}/french/ftp/F-F_Momentum_Factor_CSV.zip" in str(err.value)


def test_fetch_with_one_bad_series_publishes_nothing(server, http_override, tmp_path, capsys):
    from smallcap_bt.cli import main

    store = tmp_path / "s"
    import_snapshot(FRENCH / "202302", "v", store=store)
    before = (store / "vintages" / "v.json").read_bytes()
    http_override["/fred/graph/fredgraph.csv"] = (404, b"gone")
    code = main(
        [
            "--store",
            str(store),
            "data",
            "fetch",
            "GS10",
            "TB3MS",
            "--vintage",
            "v",
            "--fred-url",
            f"{server}/fred/graph/fredgraph.csv",
            "--retries",
            "1",
        ]
    )
    err = capsys.readouterr().err
    assert code == 3 and "FRED series GS10" in err and "HTTP status 404" in err
    assert (store / "vintages" / "v.json").read_bytes() == before


@pytest.mark.parametrize("value", ["0", "-1", "abc", "1e9"])
def test_timeout_option_is_validated(tmp_path, capsys, value):
    from smallcap_bt.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["--store", str(tmp_path), "data", "fetch", "--timeout", value])
    assert exc.value.code == 2
    assert "--timeout must be" in capsys.readouterr().err
    assert not (tmp_path / "vintages").exists()


@pytest.mark.parametrize("mode", ["short", "gzip"])
def test_a_body_broken_mid_transfer_is_a_data_error_naming_the_url(slow_server, mode):
    """A connection closed before Content-Length bytes, or a body that fails to decode, is
    retried and then a DataUnavailableError naming the URL (it was exit 4, 'a bug')."""
    _Trickle.mode = mode
    url = f"{slow_server}/fredgraph.csv"
    with pytest.raises(DataUnavailableError) as err:
        fetch_fred_series("GS10", url, timeout=5, deadline=20, retry_count=1, backoff=0.01)
    msg = str(err.value)
    assert f"{url}?id=GS10" in msg and "2 attempt(s)" in msg, msg
    assert len(_Trickle.calls) == 2


def test_one_unpublished_fred_month_and_an_observation_dated_today_pass():
    """The exceptions of the interior-missing and future rules, at their edges: one '.' in
    a monthly FRED series (CPI of October 2025 was never published) and a daily value dated
    today import; a value dated tomorrow does not."""
    import datetime as dt

    from smallcap_bt.data.store import parse_and_validate

    head = b"observation_date,FEDFUNDS\n"
    rows = b"".join(b"%d-%02d-01,1.5\n" % (2000 + i // 12, i % 12 + 1) for i in range(36))
    one_gap = head + rows.replace(b"2001-06-01,1.5", b"2001-06-01,.")
    parse_and_validate(file_spec("FEDFUNDS"), one_gap)
    today = dt.datetime.now(dt.UTC).date()
    daily = b"observation_date,DFF\n"
    for d in (today - dt.timedelta(days=2), today - dt.timedelta(days=1), today):
        daily += f"{d.isoformat()},1.5\n".encode()
    parse_and_validate(file_spec("DFF"), daily)
    tomorrow = daily + f"{(today + dt.timedelta(days=1)).isoformat()},1.5\n".encode()
    with pytest.raises(ValidationError, match=r"is after today.*future"):
        parse_and_validate(file_spec("DFF"), tomorrow)
