"""Drift between vintages: how much a release of the data revises history.

The Kenneth French library recomputes its whole history with each CRSP release (Akey,
Robertson and Simutin, "Noisy Factors", 2023): a result is reproducible only with the vintage
it was computed on. :func:`diff_vintages` measures, per dataset, how many periods changed and
by how much; :func:`smb_mean_change` the change of the long-run SMB premium;
:func:`compare_verifications` puts the verdicts and headline estimates of two runs side by side.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from smallcap_bt.data.catalog import DATASETS, dataset
from smallcap_bt.data.store import Store

if TYPE_CHECKING:  # pragma: no cover
    import os

    import pandas as pd

    StoreLike = Store | str | os.PathLike[str] | None
#: changes smaller than this (in stored units) are float noise, not revisions
TOLERANCE = 1e-10


def _store(store: StoreLike) -> Store:
    return store if isinstance(store, Store) else Store(store)


def _scale(ds_id: str) -> tuple[float, str]:
    units = dataset(ds_id).units
    return (100.0, "pp") if units.startswith("decimal return") else (1.0, units)


def _label(x: Any) -> str:
    import pandas as pd

    return x.strftime("%Y-%m-%d") if isinstance(x, pd.Timestamp) else str(x)


def diff_dataset(a: pd.DataFrame, b: pd.DataFrame, ds_id: str) -> dict[str, Any]:
    """Compare one dataset in two vintages over their common periods and columns.

    Returns
    -------
    dict
        ``common`` (periods in both), ``changed`` (periods where any value differs),
        ``mean_abs_change`` and ``max_abs_change`` (over all values of the common periods, in
        percentage points for returns, else the dataset's units), ``max_date``,
        ``max_column``, and ``units``.
    """
    scale, units = _scale(ds_id)
    idx = a.index.intersection(b.index)
    cols = [c for c in a.columns if c in b.columns]
    x = a.loc[idx, cols].to_numpy(dtype=float)
    y = b.loc[idx, cols].to_numpy(dtype=float)
    both_nan = np.isnan(x) & np.isnan(y)
    diff = np.where(both_nan, 0.0, np.abs(y - x))
    one_nan = np.isnan(diff)  # a value present in one vintage only counts as changed
    changed_cell = one_nan | (diff > TOLERANCE)
    out: dict[str, Any] = {
        "common": len(idx),
        "first_common": _label(idx[0]) if len(idx) else "",
        "last_common": _label(idx[-1]) if len(idx) else "",
        "changed": int(changed_cell.any(axis=1).sum()),
        "mean_abs_change": math.nan,
        "max_abs_change": math.nan,
        "max_date": "",
        "max_column": "",
        "units": units,
    }
    finite = np.where(one_nan, np.nan, diff)
    if len(idx) and np.isfinite(finite).any():
        out["mean_abs_change"] = float(np.nanmean(finite) * scale)
        i, j = np.unravel_index(int(np.nanargmax(finite)), finite.shape)
        out["max_abs_change"] = float(finite[i, j] * scale)
        if out["max_abs_change"] > 0:
            out["max_date"] = _label(idx[i])
            out["max_column"] = cols[j]
    return out


def diff_vintages(a: str, b: str, store: StoreLike = None) -> pd.DataFrame:
    """Per dataset, how vintage ``b`` revises vintage ``a``.

    Parameters
    ----------
    a, b : str
        Vintage names (``@latest`` / ``@DATE`` allowed).
    store : Store or path, optional

    Returns
    -------
    pandas.DataFrame
        Indexed by dataset id: ``status`` (``identical`` same bytes, ``revised``, ``same
        values``, ``only in A``/``only in B``), ``rows_a``, ``rows_b``, ``last_a``, ``last_b``,
        ``common``, ``changed`` (periods with any value changed), ``mean_abs_change``,
        ``max_abs_change`` (percentage points for returns), ``max_date``, ``max_column``,
        ``units``.
    """
    import pandas as pd

    st = _store(store)
    fa, fb = st.manifest(a)["files"], st.manifest(b)["files"]
    rows = []
    for ds_id in DATASETS:
        spec = DATASETS[ds_id]
        ra, rb = fa.get(spec.file), fb.get(spec.file)
        in_a = ra is not None and ds_id in ra["datasets"]
        in_b = rb is not None and ds_id in rb["datasets"]
        if not (in_a or in_b):
            continue
        row: dict[str, Any] = {"dataset": ds_id}
        if in_a:
            row.update(rows_a=ra["datasets"][ds_id]["rows"], last_a=ra["datasets"][ds_id]["last"])
        if in_b:
            row.update(rows_b=rb["datasets"][ds_id]["rows"], last_b=rb["datasets"][ds_id]["last"])
        if not (in_a and in_b):
            row["status"] = "only in A" if in_a else "only in B"
        elif ra["sha256"] == rb["sha256"]:
            row.update(status="identical", changed=0, mean_abs_change=0.0, max_abs_change=0.0)
            row["units"] = _scale(ds_id)[1]
        else:
            d = diff_dataset(st.load(spec, a), st.load(spec, b), ds_id)
            row.update(d)
            row["status"] = "revised" if d["changed"] else "same values"
        rows.append(row)
    cols = [
        "status",
        "rows_a",
        "rows_b",
        "last_a",
        "last_b",
        "common",
        "changed",
        "mean_abs_change",
        "max_abs_change",
        "max_date",
        "max_column",
        "units",
    ]
    frame = pd.DataFrame(rows).set_index("dataset")
    return frame.reindex(columns=cols)


def smb_mean_change(a: str, b: str, store: StoreLike = None) -> dict[str, Any]:
    """The long-run SMB premium in two vintages (arithmetic: monthly mean x 12, percent a year).

    Returns
    -------
    dict
        ``mean_a``, ``mean_b`` over each vintage's full sample (``period_a``, ``period_b``),
        ``change`` (b − a, percentage points a year), and ``common_a``, ``common_b``,
        ``common_change`` over the months both vintages hold (``common_period``).
    """
    st = _store(store)
    spec = dataset("ff.factors.monthly")
    sa = st.load(spec, a)["smb"].dropna()
    sb = st.load(spec, b)["smb"].dropna()
    idx = sa.index.intersection(sb.index)

    def ann(s: pd.Series) -> float:
        return float(s.mean() * 12 * 100)

    return {
        "mean_a": ann(sa),
        "mean_b": ann(sb),
        "change": ann(sb) - ann(sa),
        "period_a": f"{sa.index[0]}..{sa.index[-1]}",
        "period_b": f"{sb.index[0]}..{sb.index[-1]}",
        "common_a": ann(sa[idx]),
        "common_b": ann(sb[idx]),
        "common_change": ann(sb[idx]) - ann(sa[idx]),
        "common_period": f"{idx[0]}..{idx[-1]}" if len(idx) else "",
        "units": "percent a year (arithmetic, monthly mean x 12)",
    }


def _headline_rows(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    for c in doc.get("claims", []):
        h = c.get("headline") or {}
        rows[c["id"]] = {
            "claim": c["id"],
            "verdict": c.get("verdict"),
            "estimate": h.get("estimate"),
            "units": h.get("units", ""),
            "spec": h.get("spec", ""),
        }
        parts = c.get("parts") or []
        if len(parts) > 1:
            for p in parts:
                ph = p.get("headline") or {}
                rows[f"{c['id']}/{p.get('name')}"] = {
                    "claim": c["id"],
                    "verdict": p.get("verdict"),
                    "estimate": ph.get("estimate"),
                    "units": ph.get("units", ""),
                    "spec": ph.get("spec", ""),
                }
    return rows


def _merge(a: list[str], b: list[str]) -> list[str]:
    """``a`` in its order, each item only in ``b`` placed after the item that precedes it in
    ``b``."""
    order = list(a)
    for i, key in enumerate(b):
        if key not in order:
            order.insert(order.index(b[i - 1]) + 1 if i else 0, key)
    return order


def _merged_order(ra: dict[str, dict[str, Any]], rb: dict[str, dict[str, Any]]) -> list[str]:
    """Row keys of two runs: claims merged by :func:`_merge` (A's order, claims only B has in
    their place in B's order), and under each claim its rows (the claim, then its parts),
    merged the same way, so that a part one run lacks stays under its claim."""

    def groups(rows: dict[str, dict[str, Any]]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for key, row in rows.items():
            out.setdefault(row["claim"], []).append(key)
        return out

    ga, gb = groups(ra), groups(rb)
    return [
        key
        for claim in _merge(list(ga), list(gb))
        for key in _merge(ga.get(claim, []), gb.get(claim, []))
    ]


def compare_verifications(results_a: dict[str, Any], results_b: dict[str, Any]) -> pd.DataFrame:
    """Verdicts and headline estimates of two ``verify`` runs side by side.

    Parameters
    ----------
    results_a, results_b : dict
        Documents as produced by ``Verification.to_dict()`` (or read from ``verify --json``).

    Returns
    -------
    pandas.DataFrame
        One row per claim (and per part of two-part claims, ``<id>/<part>``, under its
        claim), in A's order with rows only B has in their place in B's order: ``verdict_a``,
        ``verdict_b``, ``flipped`` (both runs have it and the verdicts differ — including to
        or from ``not_testable``), ``present`` (``both``, ``only A``, ``only B``),
        ``estimate_a``, ``estimate_b``, ``change`` (b − a, in the estimate's units), ``units``,
        ``spec``. The vintage names are in ``attrs["vintage_a"]``/``attrs["vintage_b"]``.
    """
    import pandas as pd

    ra, rb = _headline_rows(results_a), _headline_rows(results_b)
    rows = []
    for key in _merged_order(ra, rb):
        a, b = ra.get(key, {}), rb.get(key, {})
        ea, eb = a.get("estimate"), b.get("estimate")
        change = (
            float(eb) - float(ea)
            if isinstance(ea, int | float) and isinstance(eb, int | float)
            else math.nan
        )
        rows.append(
            {
                "claim": key,
                "verdict_a": a.get("verdict"),
                "verdict_b": b.get("verdict"),
                "flipped": bool(a and b and a.get("verdict") != b.get("verdict")),
                "present": "both" if a and b else ("only A" if a else "only B"),
                "estimate_a": math.nan if ea is None else float(ea),
                "estimate_b": math.nan if eb is None else float(eb),
                "change": change,
                "units": a.get("units") or b.get("units") or "",
                "spec": a.get("spec") or b.get("spec") or "",
            }
        )
    cols = [
        "verdict_a",
        "verdict_b",
        "flipped",
        "present",
        "estimate_a",
        "estimate_b",
        "change",
        "units",
        "spec",
    ]
    frame = pd.DataFrame(rows, columns=["claim", *cols]).set_index("claim")
    frame = frame.reindex(columns=cols)
    frame.attrs["vintage_a"] = (results_a.get("vintage") or {}).get("name")
    frame.attrs["vintage_b"] = (results_b.get("vintage") or {}).get("name")
    return frame
