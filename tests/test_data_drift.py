"""Drift between vintages, checked against an independent reading of the raw snapshot files
(plain zipfile + pandas.read_csv, nothing from smallcap_bt's parsers)."""

from __future__ import annotations

import io
import math
import zipfile

import numpy as np
import pandas as pd
import pytest

from smallcap_bt.cli import main
from smallcap_bt.data.drift import compare_verifications, diff_vintages, smb_mean_change
from tests.conftest import FRENCH, raw_french_table


def _raw_factors(vintage: str) -> pd.DataFrame:
    with zipfile.ZipFile(FRENCH / vintage / "ftp" / "F-F_Research_Data_Factors_CSV.zip") as zf:
        text = zf.read(zf.namelist()[0]).decode()
    lines = text.split("\r\n")
    start = next(i for i, ln in enumerate(lines) if ln.startswith(","))
    end = lines.index("", start)
    df = pd.read_csv(io.StringIO("\n".join(lines[start:end])), index_col=0)
    df.columns = [c.strip() for c in df.columns]
    df.index = df.index.astype(str)
    return df


def _changes(a: pd.DataFrame, b: pd.DataFrame) -> tuple[int, float, str]:
    """Months with any value changed, and the largest change (percent units) with its month."""
    idx = a.index.intersection(b.index)
    x = a.loc[idx].to_numpy(float)
    y = b.loc[idx].to_numpy(float)
    x[np.isin(x, (-99.99, -999))] = np.nan
    y[np.isin(y, (-99.99, -999))] = np.nan
    d = np.abs(y - x)
    changed = (np.nan_to_num(d, nan=1.0) > 1e-9) & ~(np.isnan(x) & np.isnan(y))
    i, _ = np.unravel_index(np.nanargmax(d), d.shape)
    return int(changed.any(axis=1).sum()), float(np.nanmax(d)), str(idx[i])


def test_factor_drift_matches_raw_files(store_dir):
    old, new = _raw_factors("202302"), _raw_factors("202602")
    n_changed, largest, when = _changes(old, new)
    frame = diff_vintages("202302", "202602", store=store_dir)
    row = frame.loc["ff.factors.monthly"]
    assert row["status"] == "revised"
    assert row["common"] == len(old.index.intersection(new.index)) == 1160
    assert row["changed"] == n_changed
    assert row["max_abs_change"] == pytest.approx(largest, abs=1e-9)  # pp, files hold percent
    assert row["max_date"] == f"{when[:4]}-{when[4:]}"
    assert row["units"] == "pp"


def test_size_portfolio_drift_matches_raw_files(store_dir):
    title = "Value Weight Returns -- Monthly"  # 202602 prefixes it with "Average"
    old = raw_french_table(title, vintage="202302")
    new = raw_french_table(title, vintage="202602")
    old.index, new.index = old.index.astype(str), new.index.astype(str)
    n_changed, largest, when = _changes(old, new)
    row = diff_vintages("202302", "202602", store=store_dir).loc["ff.portfolios_me.monthly.vw"]
    assert row["changed"] == n_changed
    assert row["max_abs_change"] == pytest.approx(largest, abs=1e-9)
    assert row["max_date"] == f"{when[:4]}-{when[4:]}"


def test_long_run_smb_mean_change_matches_raw_files(store_dir):
    old, new = _raw_factors("202302")["SMB"], _raw_factors("202602")["SMB"]
    got = smb_mean_change("202302", "202602", store=store_dir)
    assert got["mean_a"] == pytest.approx(old.mean() * 12, abs=1e-9)  # percent a year
    assert got["mean_b"] == pytest.approx(new.mean() * 12, abs=1e-9)
    assert got["change"] == pytest.approx((new.mean() - old.mean()) * 12, abs=1e-9)
    common = old.index.intersection(new.index)
    assert got["common_change"] == pytest.approx(
        (new[common].mean() - old[common].mean()) * 12, abs=1e-9
    )
    assert got["period_a"] == "1926-07..2023-02" and got["period_b"] == "1926-07..2026-02"


def test_identical_vintages_have_no_drift(store_dir):
    frame = diff_vintages("202602", "202602", store=store_dir)
    assert (frame["status"] == "identical").all()
    assert (frame["changed"] == 0).all()
    fred = diff_vintages("202302", "202602", store=store_dir).loc["fred.GS10"]
    assert fred["status"] == "identical"  # both vintages hold the same FRED snapshot


def test_data_diff_command(store_dir, capsys):
    code = main(["--store", str(store_dir), "data", "diff", "202302", "202602"])
    out = capsys.readouterr().out
    assert code == 0
    old, new = _raw_factors("202302")["SMB"], _raw_factors("202602")["SMB"]
    assert f"202302 {old.mean() * 12:.3f} (1926-07..2023-02)" in out
    assert f"202602 {new.mean() * 12:.3f} (1926-07..2026-02)" in out
    assert "ff.portfolios_me.monthly.vw" in out and "revised" in out
    assert "only in 202602: 15 datasets" in out and "identical bytes: 17 datasets" in out
    assert main(["--store", str(store_dir), "data", "diff", "202302", "202602", "--all"]) == 0
    out = capsys.readouterr().out
    assert "ff.portfolios_2x3.monthly.vw" in out and "only in B" in out


def test_data_diff_unknown_vintage(store_dir, capsys):
    code = main(["--store", str(store_dir), "data", "diff", "202302", "199901"])
    err = capsys.readouterr().err
    assert code == 3 and "vintage '199901' is not in the store" in err


def _doc(name: str, claims: list[tuple[str, str, float | None]]) -> dict:
    return {
        "vintage": {"name": name},
        "claims": [
            {
                "id": cid,
                "verdict": verdict,
                "headline": None
                if est is None
                else {"spec": "decile.vw", "estimate": est, "units": "decimal per year"},
            }
            for cid, verdict, est in claims
        ],
    }


def test_compare_verifications_flags_flips_and_changes():
    a = _doc("202302", [("c1", "supported", 0.0250), ("c2", "mixed", 0.01), ("c3", "x", None)])
    a["claims"].append({"id": "c5", "verdict": "not_testable", "headline": None})
    b = _doc("202602", [("c1", "supported", 0.0199), ("c2", "contradicted", -0.02), ("c4", "y", 1)])
    b["claims"].append({"id": "c5", "verdict": "supported", "headline": {"estimate": 0.1}})
    frame = compare_verifications(a, b)
    # a claim only B has keeps its place in B's order (after c2), as parts do (below)
    assert list(frame.index) == ["c1", "c2", "c4", "c3", "c5"]
    assert frame.loc["c5", "flipped"]  # from not_testable to a verdict is a change
    assert frame.attrs == {"vintage_a": "202302", "vintage_b": "202602"}
    assert not frame.loc["c1", "flipped"]
    assert frame.loc["c1", "change"] == pytest.approx(0.0199 - 0.0250)
    assert frame.loc["c2", "flipped"] and frame.loc["c2", "verdict_b"] == "contradicted"
    assert frame.loc["c2", "change"] == pytest.approx(-0.03)
    assert not frame.loc["c3", "flipped"] and frame.loc["c3", "present"] == "only A"
    assert math.isnan(frame.loc["c3", "change"])
    assert pd.isna(frame.loc["c4", "verdict_a"]) and frame.loc["c4", "present"] == "only B"
    assert not frame.loc["c4", "flipped"]
    assert frame.loc["c1", "present"] == "both"
    assert frame.loc["c1", "units"] == "decimal per year"


def test_compare_verifications_of_two_parts_and_empty():
    part = {"name": "p", "verdict": "supported", "headline": {"estimate": 1.0, "units": "u"}}
    a = {"claims": [{"id": "c", "verdict": "mixed", "headline": None, "parts": [part, part]}]}
    b = {"claims": [{"id": "c", "verdict": "mixed", "headline": None, "parts": [part, part]}]}
    frame = compare_verifications(a, b)
    assert "c/p" in frame.index and not frame["flipped"].any()
    assert compare_verifications({}, {}).empty


def test_parts_only_one_run_has_stay_beside_their_claim():
    """A claim not testable on the older vintage has no parts there: its parts from the newer
    run are listed under it, not after every other claim (``verify --vintages`` did)."""
    parts = [
        {"name": n, "verdict": "supported", "headline": {"estimate": 0.01, "units": "u"}}
        for n in ("level", "rank")
    ]
    a = _doc("a", [("c1", "supported", 0.01), ("c2", "not_testable", None), ("c3", "x", 0.02)])
    b = _doc("b", [("c1", "supported", 0.01), ("c2", "mixed", 0.01), ("c3", "x", 0.02)])
    b["claims"][1]["parts"] = parts
    b["claims"].insert(0, {"id": "c0", "verdict": "mixed", "headline": None, "parts": parts})
    frame = compare_verifications(a, b)
    assert list(frame.index) == [
        "c0", "c0/level", "c0/rank", "c1", "c2", "c2/level", "c2/rank", "c3"
    ]  # fmt: skip
    # a claim only B has, after a claim whose parts A lists, comes after those parts (a
    # referee's case: it came between the claim and its parts)
    a = _doc("a", [("x", "mixed", None), ("z", "x", 0.02)])
    a["claims"][0]["parts"] = parts
    b = _doc("b", [("x", "mixed", None), ("y", "x", 0.01), ("z", "x", 0.02)])
    frame = compare_verifications(a, b)
    assert list(frame.index) == ["x", "x/level", "x/rank", "y", "z"]
