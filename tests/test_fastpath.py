"""The joint test's vectorised point estimates (``claims.fastpath``) against each template's
own point-estimate path, on resampled panels of the real data.

The template path is the definition (its headline figures are recomputed independently from
the raw files in ``tests/oracle``); the fast path must give the same numbers on every null
draw, not only on the observed data that ``spec_curve_test`` checks at run time.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from smallcap_bt.claims.catalogue import builtin_claims
from smallcap_bt.claims.engine import joint_problem
from smallcap_bt.claims.fastpath import BUILDERS, logit_rows, ols_rows, rolling_sum_rows
from smallcap_bt.claims.templates.base import TestInput as Input
from smallcap_bt.claims.templates.base import get_template
from smallcap_bt.claims.templates.specs import SPECS
from smallcap_bt.data.vintage import Vintage
from smallcap_bt.stats.inference import stationary_indices
from smallcap_bt.stats.joint import Resampled


def _parts() -> list[tuple[str, int]]:
    out = []
    for c in builtin_claims():
        for i, p in enumerate(c.parts):
            if p.kind == "inferential" and get_template(p.test).resamplable:
                out.append((c.id, i))
    return out


PARTS = _parts()
#: every part on complete draws; with missing months only where the statistic stays defined
#: (compounded windows and trailing returns run NaN from the first hole on)
CASES = [(c, i, 0.0) for c, i in PARTS] + [
    (c, i, 0.01)
    for c, i in PARTS
    if next(x for x in builtin_claims() if x.id == c).parts[i].test
    not in ("event_study", "predictive_regression")
]


def test_every_resamplable_template_has_a_fast_path() -> None:
    resamplable = {n for n, t in SPECS.items() if t.resamplable}
    assert resamplable == set(BUILDERS)
    assert len(PARTS) >= 10  # every inferential claim of the catalogue is tested below


def _draws(
    panel: pd.DataFrame, cols: list[str], k: int, seed: int, holes: float
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Demeaned return columns (with a share ``holes`` of months missing) and k draws."""
    g = np.random.default_rng(seed)
    values = {}
    for c in cols:
        v = panel[c].to_numpy(dtype=float).copy()
        v[g.random(len(v)) < holes] = np.nan
        values[c] = v - np.nanmean(v)
    return values, stationary_indices(len(panel), k, 8.0, g)


@pytest.mark.parametrize(
    ("claim_id", "part", "holes"), CASES, ids=[f"{c}-{i}-holes{h:g}" for c, i, h in CASES]
)
def test_fast_path_equals_template_on_null_draws(
    store_dir: Path, claim_id: str, part: int, holes: float
) -> None:
    claim = next(c for c in builtin_claims() if c.id == claim_id)
    _compare(store_dir, claim, part, holes)


def test_fast_path_follows_a_regressor_that_is_itself_resampled(store_dir: Path) -> None:
    """A user claim may regress on a return column (rf, mkt_rf) that the null resamples: its
    changes then differ per draw, in the fast path as in the template."""
    import smallcap_bt as sb

    claim = sb.Claim(
        id="rf-sensitivity",
        sources=["001"],
        quote="small caps move with the risk-free rate",
        as_of="2026-01-01",
        hypothesis="Small minus large rises with the T-bill rate.",
        kind="inferential",
        test="rate_sensitivity",
        direction="positive",
        headline="tercile.vw|drf|full",
        why_headline="the broadest sample",
        params={"variables": ["rf", "mkt_rf", "fedfunds"], "definitions": ["tercile.vw", "smb"]},
    )
    _compare(store_dir, claim, 0, 0.0)


def test_fast_path_keeps_event_windows_that_end_in_the_last_month(store_dir: Path) -> None:
    """Every horizon from 1 to 6 months: some windows end exactly in the panel's last month
    (kept by both paths) or run past it (dropped by both)."""
    import smallcap_bt as sb

    claim = sb.Claim(
        id="cuts-short-horizons",
        sources=["001"],
        quote="small caps rally right after Fed cuts",
        as_of="2026-01-01",
        hypothesis="Small minus large is positive over the months after a cut.",
        kind="inferential",
        test="event_study",
        direction="positive",
        headline="tercile.vw|every cut|3m",
        why_headline="a quarter",
        params={"events": "fed_cuts", "since": "1990-01-01", "horizons": [1, 2, 3, 4, 5, 6]},
    )
    _compare(store_dir, claim, 0, 0.0)


def _compare(store_dir: Path, claim: object, part: int, holes: float) -> None:
    """Fast path and template on three resampled panels (a share ``holes`` of months
    missing in every return column)."""
    spec = claim.parts[part]  # type: ignore[attr-defined]
    vintage = Vintage.open("202602", store_dir)
    data = vintage.declared(claim.declared_datasets(), owner="test")  # type: ignore[attr-defined]
    tpl = get_template(spec.test)
    inp = Input(data, np.random.default_rng(0), 0, claim.as_of, inference=False)  # type: ignore[attr-defined]
    probe = tpl.run(inp, spec.template_params)
    jp = joint_problem(tpl, spec, data, claim.as_of, [s.name for s in probe.specs])  # type: ignore[attr-defined]
    assert jp.batch is not None and len(jp.names) >= 2
    cid = claim.id  # type: ignore[attr-defined]
    values, idx = _draws(jp.panel, jp.returns, 3, zlib_seed(cid, part), holes)
    fast = jp.batch(Resampled(jp.panel, values, idx))
    assert fast.shape == (3, len(jp.names))
    for i in range(3):
        frame = jp.panel.copy()
        for c, v in values.items():
            frame[c] = v[idx[i]]
        slow = jp.statistic(frame)
        np.testing.assert_allclose(fast[i], slow, rtol=1e-8, atol=1e-12, err_msg=cid)
    assert np.isfinite(fast).all()


def zlib_seed(claim_id: str, part: int) -> int:
    import zlib

    return zlib.crc32(f"{claim_id}/{part}".encode())


# -- the helpers against textbook references -------------------------------------------------
def test_ols_rows_equals_lstsq_with_missing_values() -> None:
    g = np.random.default_rng(1)
    x, y = g.normal(size=(4, 50)), g.normal(size=(4, 50))
    y[g.random((4, 50)) < 0.1] = np.nan
    x[0, 3] = np.nan
    a, b = ols_rows(x, y)
    for i in range(4):
        ok = np.isfinite(x[i]) & np.isfinite(y[i])
        ref = np.linalg.lstsq(np.column_stack([np.ones(ok.sum()), x[i, ok]]), y[i, ok], rcond=None)
        np.testing.assert_allclose([a[i], b[i]], ref[0], rtol=1e-10)


def test_rolling_sum_rows_equals_pandas() -> None:
    g = np.random.default_rng(2)
    x = g.normal(size=(3, 40))
    x[1, [5, 20]] = np.nan
    got = rolling_sum_rows(x, 6)
    for i in range(3):
        ref = pd.Series(x[i]).rolling(6).sum().to_numpy()
        np.testing.assert_allclose(got[i], ref, rtol=1e-12, atol=1e-14, equal_nan=True)


def test_logit_rows_equals_statsmodels() -> None:
    import statsmodels.api as sm

    g = np.random.default_rng(3)
    x = g.normal(size=(3, 400))
    y = (g.random((3, 400)) < 1 / (1 + np.exp(-(0.3 + 1.2 * x)))).astype(float)
    x[2, :7] = np.nan
    b = logit_rows(x, y)
    for i in range(3):
        ok = np.isfinite(x[i])
        ref = sm.Logit(y[i, ok], sm.add_constant(x[i, ok])).fit(disp=0).params[1]
        assert b[i] == pytest.approx(ref, rel=1e-8)
