"""Result figures: specification curves and event studies.

Every function returns a :class:`matplotlib.figure.Figure` built directly (not through
``pyplot``), so nothing is left open in a global figure manager and nothing is shown twice;
IPython displays a returned Figure inline through its PNG formatter, with no ``%matplotlib``
magic. Labels are laid out by matplotlib's constrained layout, so they are never cut (the
report lays its figures out in one pass with the same rules: :mod:`smallcap_bt.reports.layout`).
Titles sit at the top of their Axes (``y=1.0``: no ticks or labels are above any Axes here),
which spares matplotlib a search for a free place at every draw. Each figure carries its
caption as text (``caption(fig)``) for the report to print once, below it.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "AGAINST",
    "CLAIM_WAY",
    "SpecCurveFigures",
    "caption",
    "event_study_plot",
    "short_units",
    "spec_curve_plot",
]

#: colour of a specification whose estimate points the way the claim says (blue, not green,
#: so that colour-blind readers tell it from :data:`AGAINST`)
CLAIM_WAY = "#2166ac"
#: colour of a specification pointing against the claim (orange: "against", not "error")
AGAINST = "#e08214"
HEADLINE_EDGE = "black"
STATED = "#762a83"
BAND = "#bdbdbd"


_FIGURE_CLASS: type | None = None


def figure_class() -> type[Figure]:
    """``matplotlib.figure.Figure`` with a ``_repr_png_``, so that IPython shows it inline
    in a fresh kernel (no ``%matplotlib`` magic, pyplot never imported). Where matplotlib's
    inline backend is active its own PNG printer is used instead: one image either way."""
    global _FIGURE_CLASS
    if _FIGURE_CLASS is None:
        from matplotlib.figure import Figure

        class ResultFigure(Figure):
            """A matplotlib Figure that renders itself as PNG in notebooks."""

            def _repr_png_(self) -> bytes:
                import io

                buf = io.BytesIO()
                self.savefig(buf, format="png", dpi=100)
                return buf.getvalue()

        _FIGURE_CLASS = ResultFigure
    return _FIGURE_CLASS


def new_figure(width: float, height: float) -> Figure:
    """A Figure outside pyplot, with constrained layout (labels never cut).

    Parameters
    ----------
    width, height : float
        Size in inches.
    """
    return figure_class()(figsize=(width, height), layout="constrained")


def set_caption(fig: Figure, text: str) -> None:
    """Attach the caption (plain ``str``) to a figure; it is not drawn inside the figure."""
    fig._smallcap_caption = str(text)  # type: ignore[attr-defined]


def caption(fig: Figure) -> str:
    """The caption of a figure made here (empty if none)."""
    return str(getattr(fig, "_smallcap_caption", ""))


def short_units(units: str) -> tuple[float, str]:
    """Scale and axis label for a units string of the results JSON.

    ``"decimal, cumulative over 12 months (compounded ...)"`` -> ``(100, "% cumulative over 12
    months")``; other units keep scale 1 and the text before any parenthesis.

    Parameters
    ----------
    units : str
        The ``units`` field of a specification.

    Returns
    -------
    scale : float
        Multiply values by this to plot them (100 for decimal returns).
    label : str
        Short axis label.
    """
    head = units.split("(")[0].strip().rstrip(",")
    if head.startswith("decimal"):
        rest = head[len("decimal") :].strip(" ,")
        return 100.0, ("% " + rest).strip()
    return 1.0, head or "value"


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width)) if text else ""


def _float(x: Any) -> float:
    return float("nan") if x is None else float(x)


def _dimensions(
    specs: Sequence[str], order: Sequence[str] | None = None
) -> list[tuple[str, list[bool]]]:
    """Rows of the dashboard under a curve: each ``|``-separated component value that varies
    across ``specs``, with the specs that have it; values listed in the order they first
    appear in ``order`` (default ``specs``)."""
    split = [s.split("|") for s in specs]
    ref = [s.split("|") for s in (order or specs)]
    width = max(len(p) for p in split)
    rows: list[tuple[str, list[bool]]] = []
    for j in range(width):
        values = [p[j] if j < len(p) else "" for p in split]
        seen = set(values)
        distinct = [v for v in dict.fromkeys(p[j] if j < len(p) else "" for p in ref) if v in seen]
        if len(distinct) < 2:
            continue
        rows += [(v or "(none)", [x == v for x in values]) for v in distinct]
    return rows


def spec_curve_plot(
    table: pd.DataFrame,
    *,
    headline: str,
    stated: float | None = None,
    units: str = "",
    joint_p: float | None = None,
    title: str = "",
    reuse: SpecCurveFigures | None = None,
) -> Figure:
    """Specification curve: every specification's estimate, sorted, with its interval.

    Specifications with different units (e.g. cumulative over 1, 3, ... 24 months) get one
    panel each, with their own scale and label, so no horizon is read in another's units.
    Under each curve a dashboard marks which choices (the ``|``-separated parts of the spec
    id: size definition, event, ...) make each specification.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per specification with columns ``spec`` (str), ``estimate``, ``ci_low``,
        ``ci_high`` (float, in ``units``; intervals may be missing), ``agrees`` (bool: points
        the way the claim says) and optionally ``units`` (str, per row) — e.g.
        ``pd.DataFrame(result.to_dict()["specifications"])``.
    headline : str
        The ``spec`` of the headline specification (drawn larger, labelled).
    stated : float, optional
        The figure the source states, in the headline's units (dashed line on its panel).
    units : str
        Units when ``table`` has no ``units`` column (e.g. ``"decimal, per year"``).
    joint_p : float, optional
        p-value of the joint test over all specifications, shown in the title.
    title : str
        Title (e.g. the claim id and verdict).
    reuse : SpecCurveFigures, optional
        Draw on a figure of this pool instead of a new one (the report's many curves): the
        same figure, returned again — and emptied — by the pool's next curve of the same
        shape, so save it before drawing the next.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.ticker import MaxNLocator

    if table.empty:
        raise ValueError("spec_curve_plot: the specification table is empty")
    missing = {"spec", "estimate", "agrees"} - set(table.columns)
    if missing:
        raise ValueError(f"spec_curve_plot: table lacks columns {sorted(missing)}")
    t = table.copy()
    if "units" not in t.columns:
        t["units"] = units
    t["units"] = t["units"].fillna(units).astype(str)
    for c in ("estimate", "ci_low", "ci_high"):
        t[c] = [_float(x) for x in t[c]] if c in t.columns else np.nan
    groups = list(dict.fromkeys(t["units"]))
    n_groups = len(groups)
    order = list(t["spec"])
    dims = {u: _dimensions(list(t.loc[t["units"] == u, "spec"]), order) for u in groups}
    dash_rows = max(len(d) for d in dims.values())
    width = min(14.0, max(6.5, 2.6 * n_groups + 1.5))
    height = 3.4 + 0.2 * dash_rows
    ratios = [3.0, max(0.6, 0.22 * dash_rows)] if dash_rows else [1.0]
    if reuse is not None and title:
        fig, axes = reuse.take(width, height, ratios, n_groups)
    else:
        fig = new_figure(width, height)
        axes = fig.subplots(
            len(ratios), n_groups, squeeze=False, gridspec_kw={"height_ratios": ratios}
        )
    head_units = t.loc[t["spec"] == headline, "units"]
    head_group = head_units.iloc[0] if len(head_units) else None
    for k, u in enumerate(groups):
        g = t[t["units"] == u].sort_values("estimate", kind="mergesort").reset_index(drop=True)
        scale, label = short_units(u)
        ax: Axes = axes[0, k]
        x = np.arange(1, len(g) + 1)
        colors = [CLAIM_WAY if bool(a) else AGAINST for a in g["agrees"]]
        lo = (g["estimate"] - g["ci_low"]).to_numpy() * scale
        hi = (g["ci_high"] - g["estimate"]).to_numpy() * scale
        has_ci = ~(np.isnan(lo) | np.isnan(hi))
        ax.scatter(x, g["estimate"] * scale, c=colors, s=14, zorder=3, linewidths=0)
        ci = np.flatnonzero(has_ci)
        if len(ci):  # one collection for all intervals (drawn behind the dots)
            ax.vlines(
                x[ci],
                g["ci_low"].to_numpy()[ci] * scale,
                g["ci_high"].to_numpy()[ci] * scale,
                colors=[colors[i] for i in ci],
                lw=1.0,
                alpha=0.55,
                zorder=2,
            )
        is_head = (g["spec"] == headline).to_numpy()
        if is_head.any():
            i = int(np.flatnonzero(is_head)[0])
            ax.scatter(
                [x[i]],
                [g["estimate"][i] * scale],
                s=70,
                c=[colors[i]],
                edgecolors=HEADLINE_EDGE,
                linewidths=1.3,
                zorder=4,
            )
            ax.annotate(
                "headline",
                (x[i], g["estimate"][i] * scale),
                xytext=(4, 6),
                textcoords="offset points",
                fontsize=8,
            )
        ax.axhline(0.0, color="grey", lw=0.8, zorder=1)
        if stated is not None and u == head_group:
            ax.axhline(
                float(stated) * scale,
                color=STATED,
                ls="--",
                lw=1.1,
                label=f"stated {float(stated) * scale:g}",
            )
            ax.legend(loc="upper left", fontsize=7, frameon=False)
        ax.set_title(_wrap(label, 28 if n_groups > 1 else 80), fontsize=9, y=1.0)
        ax.set_xlim(0.3, len(g) + 0.7)
        ax.tick_params(labelsize=8)
        if dash_rows:
            ax.set_xticks([])
            dax: Axes = axes[1, k]
            rows = _dimensions(list(g["spec"]), order)
            marks = [(i, r) for r, (_, mask) in enumerate(rows) for i in np.flatnonzero(mask)]
            if marks:  # one collection for the whole dashboard
                dax.scatter(
                    [x[i] for i, _ in marks],
                    [r for _, r in marks],
                    marker="|",
                    s=40,
                    c=[colors[i] for i, _ in marks],
                    linewidths=1.4,
                )
            dax.set_xlim(ax.get_xlim())
            dax.set_xticks([])  # the rank is read off the curve above; one label below
            same = k and [v for v, _ in rows] == [v for v, _ in dims[groups[0]]]
            if not rows:
                dax.set_axis_off()
            elif same:
                dax.set_yticks([])  # the first panel names the rows
                dax.set_ylim(len(rows) - 0.5, -0.5)
            else:
                dax.set_yticks(range(len(rows)), [v for v, _ in rows], fontsize=7)
                dax.set_ylim(len(rows) - 0.5, -0.5)
        else:
            ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=6))
    fig.supxlabel("specifications, ranked by estimate within each panel", fontsize=8)
    top = title
    if joint_p is not None:
        top = (
            f"{title} — joint test p = {float(joint_p):.3g}"
            if title
            else (f"joint test p = {float(joint_p):.3g}")
        )
    if top:
        fig.suptitle(top, fontsize=10)
    agree = int(t["agrees"].astype(bool).sum())
    note = (
        f"{len(t)} specifications ({agree} agree with the claim, blue; {len(t) - agree} "
        "do not, orange), each panel sorted by estimate; large dot = headline "
        f"({headline}); bars = 95% intervals where computed."
    )
    if stated is not None:
        note += " Dashed line = the figure the source states."
    if n_groups > 1:
        note += " One panel per unit of measurement (horizon), each on its own scale."
    set_caption(fig, note)
    return fig


class SpecCurveFigures:
    """A pool of specification-curve figures reused from one curve to the next.

    Most of the cost of a new curve is matplotlib's: Axes, their ticks and tick labels.
    The report draws dozens of curves of a few shapes (panels x rows), so
    :func:`spec_curve_plot` with ``reuse=pool`` takes the pool's figure of that shape,
    empties it (every artist, legend and limit the previous curve set; positions back to
    the grid's) and draws into it. The result equals a new figure's drawing, whatever was
    drawn before (``tests/test_report_speed.py`` compares the bytes).
    """

    def __init__(self) -> None:
        self._figures: dict[tuple[int, int], tuple[Figure, np.ndarray]] = {}

    def take(
        self, width: float, height: float, ratios: list[float], n_groups: int
    ) -> tuple[Figure, np.ndarray]:
        """The emptied figure and ``(rows, n_groups)`` Axes for one curve, sized in inches."""
        key = (len(ratios), n_groups)
        if key not in self._figures:
            fig = new_figure(width, height)
            axes = fig.subplots(
                len(ratios), n_groups, squeeze=False, gridspec_kw={"height_ratios": ratios}
            )
            self._figures[key] = (fig, axes)
            return fig, axes
        fig, axes = self._figures[key]
        fig.set_size_inches(width, height)
        axes[0, 0].get_subplotspec().get_gridspec().set_height_ratios(ratios)
        for ax in axes.flat:
            for artist in [*ax.collections, *ax.lines, *ax.texts]:
                artist.remove()
            if ax.get_legend() is not None:
                ax.get_legend().remove()
            ax.set_axis_on()
            ax.relim()  # no artists left: empty data limits
            ax.set_autoscale_on(True)
            ax.set_position(ax.get_subplotspec().get_position(fig))
            ax.set_in_layout(True)
        return fig, axes


def event_study_plot(
    table: pd.DataFrame,
    *,
    n_events: int,
    units: str = "decimal, cumulative (compounded small minus compounded large)",
    draws: int | None = None,
    title: str = "Small minus large after events",
    event_label: str = "events",
) -> Figure:
    """Mean cumulative relative return after events, with a placebo band and intervals.

    Parameters
    ----------
    table : pandas.DataFrame
        Indexed by horizon in months (int) with column ``mean`` (decimal, cumulative to that
        horizon) and optional ``placebo_low`` / ``placebo_high`` (5-95% of random-date
        means, same units) and ``ci_low`` / ``ci_high`` (95% interval of the mean).
    n_events : int
        Number of events averaged.
    units : str
        Units of the values (``"decimal, ..."`` is drawn in percent).
    draws : int, optional
        Number of placebo draws behind the band (stated in the caption).
    title : str
        Figure title.
    event_label : str
        What the events are (e.g. ``"Fed cuts"``), for the legend.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if "mean" not in table.columns or table.empty:
        raise ValueError("event_study_plot: table needs a non-empty 'mean' column")
    scale, label = short_units(units)
    h = np.asarray([int(i) for i in table.index])
    fig = new_figure(8.0, 4.2)
    ax = fig.subplots()
    if {"placebo_low", "placebo_high"} <= set(table.columns):
        ax.fill_between(
            h,
            table["placebo_low"] * scale,
            table["placebo_high"] * scale,
            color=BAND,
            alpha=0.6,
            lw=0,
            label="placebo 5-95%",
        )
    if {"ci_low", "ci_high"} <= set(table.columns):
        ax.vlines(
            h,
            table["ci_low"] * scale,
            table["ci_high"] * scale,
            color=CLAIM_WAY,
            alpha=0.5,
            lw=1.2,
            label="95% interval",
        )
    ax.plot(
        h,
        table["mean"] * scale,
        color="black",
        marker="o",
        ms=3.5,
        label=f"mean after {int(n_events)} {event_label}",
    )
    ax.axhline(0.0, color="grey", lw=0.8)
    ax.set_xlabel("months after the event month")
    ax.set_ylabel(label.replace("cumulative", "cumulative,"))
    ax.set_xlim(0, h.max() + 1)
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    ax.set_title(title, y=1.0)
    text = (
        f"{int(n_events)} {event_label}; windows start the month after the event month; "
        f"values {units}."
    )
    if draws is not None:
        text += f" Placebo band: {int(draws):,} draws of as many random months."
    set_caption(fig, text)
    return fig
