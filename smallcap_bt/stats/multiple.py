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
    holm = np.full(len(raw), np.nan)
    bh = np.full(len(raw), np.nan)
    ok = np.isfinite(raw)
    if ok.any():
        from statsmodels.stats.multitest import multipletests

        holm[ok] = multipletests(raw[ok], method="holm")[1]
        bh[ok] = multipletests(raw[ok], method="fdr_bh")[1]
    out = pd.DataFrame({"p_value": raw, "p_holm": holm, "p_bh": bh}, index=pd.Index(names))
    out.attrs["m"] = int(ok.sum())
    return out
