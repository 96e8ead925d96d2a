"""Evaluate one claim on a vintage: run each part's template, judge agreement, run the joint
test across the specification curve, and give the verdict."""

from __future__ import annotations

import difflib
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from smallcap_bt.claims.model import Claim, PartSpec
from smallcap_bt.claims.results import Part, SpecResult
from smallcap_bt.claims.templates.base import NotTestableYet, Template, TestInput, get_template
from smallcap_bt.claims.verdicts import agrees
from smallcap_bt.data.vintage import DeclaredData, Vintage
from smallcap_bt.exceptions import ClaimDefinitionError

if TYPE_CHECKING:
    from smallcap_bt.stats.joint import Resampled

#: panel columns a joint test resamples (returns); every other column stays on its calendar
RETURN_PREFIXES = ("sml.", "small.", "large.")
RETURN_COLUMNS = ("mkt", "mkt_rf", "rf", "smb", "hml")


@dataclass
class Settings:
    """Run settings: base seed, bootstrap/placebo draws, joint-test draws (0 = no joint test)."""

    seed: int = 0
    draws: int = 2_000
    joint_draws: int = 500

    def rng(self, claim_id: str, part: int) -> np.random.Generator:
        """A per-claim, per-part generator: stable and independent of the run order."""
        return np.random.default_rng([zlib.crc32(claim_id.encode()), part, self.seed])


class FrameData:
    """A :class:`DeclaredData` whose panel columns come from a given (resampled) frame."""

    def __init__(self, base: DeclaredData, frame: pd.DataFrame) -> None:
        self._base, self._frame = base, frame
        self.name = base.name
        self.vintage = base.vintage  # memoised calendars and regimes are shared

    def col(self, column: str) -> pd.Series:
        from smallcap_bt.panel.build import column_datasets

        self._base._check(column_datasets(column), f"panel column {column!r}")
        return self._frame[column].copy()

    def load(self, dataset_id: str) -> pd.DataFrame:
        return self._base.load(dataset_id)

    @property
    def target(self) -> pd.Series:
        return self._base.target


@dataclass
class JointProblem:
    """What the joint test of one part runs on.

    Attributes
    ----------
    panel : pandas.DataFrame
        The vintage's monthly panel.
    returns : list of str
        Return columns resampled under the null; every other column stays on its calendar.
    names : list of str
        Specifications tested jointly (those with a point estimate on the observed data).
    statistic : callable
        ``statistic(frame) -> (S,)``: the template's own point estimates, oriented so that
        ``> 0`` is the claim's direction.
    batch : callable or None
        The same on ``k`` draws at once (:mod:`smallcap_bt.claims.fastpath`), or None.
    """

    panel: pd.DataFrame
    returns: list[str]
    names: list[str]
    statistic: Callable[[pd.DataFrame], np.ndarray]
    batch: Callable[[Resampled], np.ndarray] | None


def joint_problem(
    tpl: Template, spec: PartSpec, data: DeclaredData, as_of: str, names: list[str]
) -> JointProblem:
    """The statistic, its vectorised form and the columns of one part's joint test."""
    from smallcap_bt.claims.fastpath import batch_for

    panel = data.vintage.panel
    returns = [
        c
        for c in panel.columns
        if (c.startswith(RETURN_PREFIXES) or c in RETURN_COLUMNS) and panel[c].notna().any()
    ]
    sign = -1.0 if spec.direction == "negative" else 1.0
    unused = np.random.default_rng(0)  # point estimates draw nothing
    # the specifications the fast path computes (e.g. not episode-weighted means)
    view: Any = FrameData(data, panel)
    probe = tpl.run(TestInput(view, unused, 0, as_of, inference=False), spec.template_params)
    observed = {s.name: s.estimate.value for s in probe.specs}
    names = [n for n in names if np.isfinite(observed.get(n, np.nan))]

    def statistic(frame: pd.DataFrame) -> np.ndarray:
        values = observed  # the probe ran on the panel itself: no second run
        if frame is not panel:
            fast = TestInput(FrameData(data, frame), unused, 0, as_of, inference=False)  # type: ignore[arg-type]
            values = {s.name: s.estimate.value for s in tpl.run(fast, spec.template_params).specs}
        return sign * np.array([values.get(n, np.nan) for n in names], dtype=float)

    prepared = batch_for(tpl.name, TestInput(data, unused, 0, as_of, False), spec.template_params)
    if prepared is None:
        return JointProblem(panel, returns, names, statistic, None)
    run = prepared

    def batch(draws: Resampled) -> np.ndarray:
        values = run(draws)
        nan = np.full(draws.k, np.nan)
        return sign * np.column_stack(
            [np.broadcast_to(values.get(n, nan), (draws.k,)) for n in names]
        )

    return JointProblem(panel, returns, names, statistic, batch)


def _joint_test(
    tpl: Template,
    spec: PartSpec,
    data: DeclaredData,
    inp: TestInput,
    names: list[str],
    settings: Settings,
    rng: np.random.Generator,
) -> Any:
    """Joint test of every specification at once (block bootstrap under the null)."""
    from smallcap_bt.stats.joint import null_block_length, spec_curve_test

    jp = joint_problem(tpl, spec, data, inp.as_of, names)
    # the null's block length depends on the panel's return columns only: once per vintage
    block = data.vintage.memo(
        ("joint block", tuple(jp.returns)), lambda: null_block_length(jp.panel, jp.returns)
    )
    return spec_curve_test(
        jp.panel,
        jp.statistic,
        resample=jp.returns,
        draws=settings.joint_draws,
        seed=rng,
        block=block,
        batch_statistic=jp.batch,
    )


def evaluate_part(
    claim: Claim, index: int, spec: PartSpec, vintage: Vintage, settings: Settings
) -> Part:
    """Run one part's template and judge every specification."""
    tpl = get_template(spec.test)
    data = vintage.declared(claim.declared_datasets(), owner=f"claim {claim.id!r}")
    rng = settings.rng(claim.id, index)
    inp = TestInput(data, rng, settings.draws, claim.as_of)
    out = tpl.run(inp, spec.template_params)
    specs = [SpecResult(s.name, s.estimate, agrees(spec, s.estimate), s.params) for s in out.specs]
    names = [s.spec for s in specs]
    if spec.headline not in names:
        close = difflib.get_close_matches(spec.headline, names, n=3, cutoff=0.3)
        raise ClaimDefinitionError(
            f"claim {claim.id!r}, part {spec.name!r}: headline {spec.headline!r} is not among "
            f"the {len(names)} specifications of template {spec.test!r}"
            + (f"; did you mean {', '.join(close)}?" if close else "")
        )
    joint = None
    if spec.kind == "inferential" and tpl.resamplable and settings.joint_draws > 0:
        joint = _joint_test(tpl, spec, data, inp, names, settings, rng)
    return Part(spec, specs, out.details, list(out.notes), joint)


def evaluate(claim: Claim, vintage: Vintage, settings: Settings) -> list[Part]:
    """Every part of a testable claim (raises NotTestableYet when the data end too early)."""
    return [evaluate_part(claim, i, p, vintage, settings) for i, p in enumerate(claim.parts)]


__all__ = ["NotTestableYet", "Settings", "evaluate", "evaluate_part"]
