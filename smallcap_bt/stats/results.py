"""Typed result values that explain themselves (printable and notebook-friendly)."""

from __future__ import annotations

import html
import math
from dataclasses import asdict, dataclass, field
from typing import Any


def _fmt(x: float | None, pct: bool) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    return f"{x * 100:.2f}%" if pct else f"{x:.4g}"


@dataclass(frozen=True)
class Estimate:
    """A point estimate with its interval, significance and provenance.

    Attributes
    ----------
    value : float
        The estimate, in ``units``.
    ci_low, ci_high : float
        Confidence interval at level ``ci_level`` (NaN where not computed).
    p_value : float
        Two-sided p-value of ``value = 0`` unless ``method`` says otherwise (NaN if none).
    n : int
        Observations (months, events or episodes) used.
    units : str
        E.g. ``"decimal per year, arithmetic (monthly mean x 12)"``.
    method : str
        How the interval and p-value were obtained (HAC lags, bootstrap kind and draws).
    start, end : str
        First and last period used.
    definition : str
        Size definition (or other specification) behind the number.
    label : str
        What the number is.
    """

    value: float
    ci_low: float = math.nan
    ci_high: float = math.nan
    p_value: float = math.nan
    n: int = 0
    units: str = ""
    method: str = ""
    start: str = ""
    end: str = ""
    definition: str = ""
    label: str = ""
    ci_level: float = 0.95
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def is_percent(self) -> bool:
        """Whether ``units`` are decimal returns (shown as percent)."""
        return self.units.startswith("decimal")

    @property
    def significant(self) -> bool:
        """p-value below ``1 - ci_level``."""
        return bool(self.p_value < 1 - self.ci_level)

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON dict (NaN becomes None)."""
        d = asdict(self)
        d.pop("extra")
        return {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in d.items()}

    def __str__(self) -> str:
        pct = self.is_percent
        ci = f"[{_fmt(self.ci_low, pct)}, {_fmt(self.ci_high, pct)}]"
        return (
            f"{self.label or 'estimate'}: {_fmt(self.value, pct)} "
            f"{int(self.ci_level * 100)}% CI {ci}, p={_fmt(self.p_value, False)}, "
            f"n={self.n}, {self.start}..{self.end}; {self.units}; {self.method}"
            + (f"; {self.definition}" if self.definition else "")
        )

    def __repr__(self) -> str:
        return f"Estimate({self})"

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><th style='text-align:left'>{html.escape(k)}</th>"
            f"<td style='text-align:left'>{html.escape(str(v))}</td></tr>"
            for k, v in self.to_dict().items()
            if v not in ("", None)
        )
        return f"<table>{rows}</table>"
