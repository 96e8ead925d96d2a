"""Multiple testing across claims: Holm and Benjamini-Hochberg adjusted p-values.

References
----------
Holm, S. (1979). A simple sequentially rejective multiple test procedure. Scandinavian
Journal of Statistics 6(2), 65-70 (controls the family-wise error rate).
Benjamini, Y. and Hochberg, Y. (1995). Controlling the false discovery rate: a practical and
powerful approach to multiple testing. JRSS B 57(1), 289-300 (controls the false discovery
rate under independence or positive dependence).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd


def holm(p: np.ndarray) -> np.ndarray:
    """Holm (1979) step-down adjusted p-values of a family (finite values in [0, 1]).

    With ``p_(1) <= ... <= p_(m)`` sorted: ``adj_(i) = max_{j <= i} min(1, (m - j + 1) p_(j))``,
    returned in the input order (statsmodels' ``multipletests(..., method="holm")``, the
    suite's oracle).
    """
    p = np.asarray(p, dtype=float)
    m = len(p)
    order = np.argsort(p, kind="stable")
    adj = np.empty(m)
    adj[order] = np.minimum(np.maximum.accumulate(p[order] * np.arange(m, 0, -1)), 1.0)
    return adj


def benjamini_hochberg(p: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg (1995) step-up adjusted p-values (false discovery rate).

    With ``p_(1) <= ... <= p_(m)`` sorted: ``adj_(i) = min_{j >= i} min(1, m p_(j) / j)``,
    returned in the input order (statsmodels' ``multipletests(..., method="fdr_bh")``, the
    suite's oracle).
    """
    p = np.asarray(p, dtype=float)
    m = len(p)
    order = np.argsort(p, kind="stable")
    raw = p[order] / (np.arange(1, m + 1) / m)  # statsmodels' arithmetic, to the bit
    adj = np.empty(m)
    adj[order] = np.minimum(np.minimum.accumulate(raw[::-1])[::-1], 1.0)
    return adj


def adjust_pvalues(pvalues: Mapping[str, float]) -> pd.DataFrame:
    """Holm and Benjamini-Hochberg adjusted p-values over a family of tests.

    Parameters
    ----------
    pvalues : mapping of str to float
        Raw p-values by name (e.g. claim id -> headline p-value). NaN (or None) means "no
        test": it is passed through as NaN and does not count in the family.

    Returns
    -------
    pandas.DataFrame
        Indexed by name, in the input order: ``p_value`` (raw), ``p_holm``, ``p_bh``; the
        family size is in ``attrs["m"]``.
    """
    names = list(pvalues)
    raw = np.array(
        [math.nan if pvalues[k] is None else float(pvalues[k]) for k in names], dtype=float
    )
    bad = raw[np.isfinite(raw) & ((raw < 0) | (raw > 1))]
    if len(bad):
        raise ValueError(f"adjust_pvalues: p-values must lie in [0, 1], got {bad.tolist()}")
    p_holm = np.full(len(raw), np.nan)
    p_bh = np.full(len(raw), np.nan)
    ok = np.isfinite(raw)
    if ok.any():
        p_holm[ok] = holm(raw[ok])
        p_bh[ok] = benjamini_hochberg(raw[ok])
    out = pd.DataFrame({"p_value": raw, "p_holm": p_holm, "p_bh": p_bh}, index=pd.Index(names))
    out.attrs["m"] = int(ok.sum())
    return out
