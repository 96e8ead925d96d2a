"""Figures (matplotlib, Agg backend, never ``plt.show()``), each with a caption that states
its definitions and dates. Every function returns a ``matplotlib.figure.Figure``."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from smallcap_bt.claims.runner import ClaimResult
    from smallcap_bt.reports.plots import SpecCurveFigures


def _fig(height: float = 4.2, width: float = 9.0) -> Figure:
    from smallcap_bt.reports.plots import new_figure

    return new_figure(width, height)


def _caption(fig: Figure, text: str) -> None:
    from smallcap_bt.reports.plots import set_caption

    set_caption(fig, text)


def caption(fig: Figure) -> str:
    """The caption text of a figure made here (printed once, under the figure, by reports)."""
    from smallcap_bt.reports.plots import caption as _c

    return _c(fig)


def _shade_recessions(ax, usrec: pd.Series) -> None:
    u = usrec.dropna()
    on = u[u == 1].index
    if len(on) == 0:
        return
    x = on.to_timestamp()
    starts = [x[0]]
    ends = []
    for a, b in itertools.pairwise(x):
        if (b - a).days > 40:
            ends.append(a)
            starts.append(b)
    ends.append(x[-1])
    for s, e in zip(starts, ends, strict=True):
        ax.axvspan(s, e + pd.offsets.MonthEnd(1), color="grey", alpha=0.2, lw=0)


def cumulative_wealth(panel: pd.DataFrame, definition: str = "tercile.vw") -> Figure:
    """Wealth of small and large (log scale) and relative wealth, recessions shaded."""
    s, l_ = panel[f"small.{definition}"].dropna(), panel[f"large.{definition}"].dropna()
    ws, wl = (1 + s).cumprod(), (1 + l_).cumprod()
    fig = _fig(5.2)
    ax1, ax2 = fig.subplots(2, 1, sharex=True)
    x = ws.index.to_timestamp()
    ax1.plot(x, ws.to_numpy(), label="small", color="tab:orange")
    ax1.plot(x, wl.to_numpy(), label="large", color="tab:blue")
    ax1.set_yscale("log")
    ax1.set_ylabel("wealth of $1")
    ax1.legend(loc="upper left")
    ax2.plot(x, (ws / wl).to_numpy(), color="black", label="relative wealth small/large")
    ax2.set_yscale("log")
    ax2.set_ylabel("small / large")
    shaded = "usrec" in panel.columns
    for ax in (ax1, ax2) if shaded else ():
        _shade_recessions(ax, panel["usrec"].loc[s.index[0] :])
    ax1.set_title("Small vs large caps: cumulative total return", y=1.0)
    _caption(
        fig,
        f"Definition {definition} (Kenneth French size portfolios, NYSE breakpoints); "
        f"monthly total returns compounded {s.index[0]}..{s.index[-1]}; "
        + (
            "grey = NBER recessions (FRED USREC)."
            if shaded
            else "recessions not shaded (FRED USREC is not in this vintage)."
        ),
    )
    return fig


def decade_bars(table: pd.DataFrame, definition: str = "tercile.vw") -> Figure:
    """Geometric annual return by decade: small, large and the difference."""
    fig = _fig()
    ax = fig.subplots()
    xs = np.arange(len(table))
    ax.bar(xs - 0.27, table["small"] * 100, 0.27, label="small", color="tab:orange")
    ax.bar(xs, table["large"] * 100, 0.27, label="large", color="tab:blue")
    ax.bar(xs + 0.27, table["sml"] * 100, 0.27, label="small minus large", color="black")
    ax.set_xticks(
        xs, [d + ("" if c else "*") for d, c in zip(table.index, table["complete"], strict=True)]
    )
    ax.axhline(0, color="grey", lw=0.8)
    ax.set_ylabel("% per year (geometric)")
    fig.legend(loc="outside lower center", ncols=3, frameon=False)
    ax.set_title("Returns by calendar decade", y=1.0)
    _caption(
        fig,
        f"Definition {definition}; geometric annualised returns per calendar decade, "
        f"{table['start'].iloc[0]}..{table['end'].iloc[-1]}; * = incomplete decade.",
    )
    return fig


def event_paths(
    small: pd.Series,
    large: pd.Series,
    dates: pd.DatetimeIndex,
    horizon: int = 24,
    definition: str = "tercile.vw",
    draws: int = 1000,
    seed: int = 0,
) -> Figure:
    """Mean cumulative relative return after events, with a 5-95% placebo band from circular
    shifts of the real event calendar within its era (:func:`smallcap_bt.stats.placebo_band`)."""
    from smallcap_bt.reports.plots import event_study_plot
    from smallcap_bt.stats.events import placebo_band

    table = placebo_band(small, large, dates, horizon=horizon)
    pos = range(int(table.attrs["n_events"]))
    draws = int(table.attrs["shifts"])  # every shift: the draws and seed arguments are unused
    fig = event_study_plot(
        table,
        n_events=len(pos),
        draws=draws,
        units="decimal, cumulative (compounded small minus compounded large)",
        title="Small minus large after Fed cuts",
        event_label="Fed cuts",
    )
    _caption(
        fig,
        f"Definition {definition}; events = FRED target-rate cuts (effective dates), "
        "windows start the month after; compounded small minus compounded large; "
        f"placebo band = 5-95% of all {int(draws):,} circular shifts of the event-month "
        "calendar within its era (same count, spacing and clustering of events).",
    )
    return fig


def rolling_relative_fig(panel: pd.DataFrame, definition: str = "tercile.vw") -> Figure:
    """Trailing 10- and 15-year relative returns; runs below zero shaded."""
    from smallcap_bt.stats.streaks import rolling_relative

    fig = _fig()
    ax = fig.subplots()
    for years, color in ((10, "tab:green"), (15, "tab:purple")):
        rr = rolling_relative(
            panel[f"small.{definition}"], panel[f"large.{definition}"], years
        ).dropna()
        ax.plot(
            rr.index.to_timestamp(), rr.to_numpy() * 100, color=color, label=f"trailing {years}y"
        )
        neg = rr < 0
        if years == 15:
            ax.fill_between(
                rr.index.to_timestamp(),
                0,
                rr.to_numpy() * 100,
                where=neg.to_numpy(),
                color=color,
                alpha=0.2,
                label="15y underperformance runs",
            )
    ax.axhline(0, color="grey", lw=0.8)
    ax.set_ylabel("% per year (geometric difference)")
    ax.legend()
    ax.set_title("Rolling relative returns of small vs large", y=1.0)
    _caption(
        fig,
        f"Definition {definition}; difference of trailing geometric annual returns, "
        "value at month t covers the years ending at t.",
    )
    return fig


def relative_beme_fig(panel: pd.DataFrame) -> Figure:
    """Small/big aggregate book-to-market history."""
    rb = panel["rel_beme"].dropna()
    fig = _fig()
    ax = fig.subplots()
    ax.plot(rb.index.to_timestamp(), rb.to_numpy(), color="black")
    ax.axhline(float(rb.median()), color="grey", ls="--", label="median")
    ax.set_ylabel("small BE/ME / big BE/ME")
    ax.legend()
    ax.set_title("Relative book-to-market of small vs big stocks", y=1.0)
    _caption(
        fig,
        "Aggregate BE/ME of the three small over the three big 2x3 portfolios, "
        "weighted by market equity (avg cap x firms); Kenneth French 6_Portfolios_2x3, "
        f"{rb.index[0]}..{rb.index[-1]}. A proxy for relative P/E, which is not public.",
    )
    return fig


def specification_plot(result: ClaimResult, joint_p: float | None = None) -> Figure:
    """Specification curve of a claim result (see :func:`smallcap_bt.reports.plots.
    spec_curve_plot`), built from its JSON form only."""

    return spec_curve_from_dict(result.to_dict(), joint_p=joint_p)


def spec_curve_from_dict(
    claim: dict, joint_p: float | None = None, reuse: SpecCurveFigures | None = None
) -> Figure:
    """Specification curve from one claim of the results JSON (``ver.to_dict()["claims"]``).

    Uses ``specifications``, ``headline``, ``verdict``, the first part's ``numeric.stated``
    and, when present, ``joint.p_median`` as the joint p-value (the one the verdict
    uses). ``reuse``: a
    :class:`~smallcap_bt.reports.plots.SpecCurveFigures` pool to draw on (see
    :func:`~smallcap_bt.reports.plots.spec_curve_plot`).
    """
    from smallcap_bt.reports.plots import spec_curve_plot

    specs = pd.DataFrame(claim["specifications"])
    head = claim.get("headline") or {}
    stated = None
    for part in claim.get("parts", []):
        if (part.get("numeric") or {}).get("stated") is not None:
            stated = part["numeric"]["stated"]
            break
    if stated is None and (claim.get("numeric") or {}).get("stated") is not None:
        stated = claim["numeric"]["stated"]
    if joint_p is None and isinstance(claim.get("joint"), dict):
        joint_p = claim["joint"].get("p_median")
    return spec_curve_plot(
        specs,
        headline=str(head.get("spec", "")),
        stated=stated,
        units=str(head.get("units", "")),
        joint_p=joint_p,
        title=f"{claim['id']}: {str(claim['verdict']).replace('_', ' ')}",
        reuse=reuse,
    )


def equity_curves(equity: pd.DataFrame, title: str, note: str) -> Figure:
    """Wealth of a strategy's best variant and its benchmark (log scale)."""
    fig = _fig()
    ax = fig.subplots()
    x = equity.index.to_timestamp()
    for c in equity.columns:
        ax.plot(x, equity[c].to_numpy(), label=str(c))
    ax.set_yscale("log")
    ax.set_ylabel("wealth of $1")
    ax.legend()
    ax.set_title(title, y=1.0)
    _caption(fig, note)
    return fig


def plot_sweep(result) -> Figure:
    """Wealth of a sweep's best variant and its benchmark; displays inline in Jupyter.

    ``result`` is a :class:`smallcap_bt.strategies.sweeps.SweepResult`. The figure is not
    managed by pyplot, so it carries its own ``_repr_png_`` for notebooks.
    """
    r = result.backtest.returns
    fig = equity_curves(
        result.equity(),
        f"{result.strategy}: best of {result.n_variants} variants",
        f"Best variant {result.best} by information ratio vs buy-and-hold "
        f"{result.backtest.other}; {result.backtest.cost_bps:g} bp per unit of traded value; "
        f"{r.index[0]}..{r.index[-1]}.",
    )

    def _repr_png_() -> bytes:
        import io

        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=100)
        return buf.getvalue()

    fig._repr_png_ = _repr_png_  # type: ignore[attr-defined]
    return fig


def save(
    fig: Figure,
    path,
    formats: tuple[str, ...] = ("png",),
    dpi: int = 200,
    layout: str = "constrained",
) -> list:
    """Write a figure in the given formats (``png`` at ``dpi``; ``svg``/``pdf`` vector,
    deterministic: fixed ``svg.hashsalt``, no date in the metadata). Returns the paths.

    The layout is computed once, before the first format is written, and reused by the
    others: by the figure's own engine (``layout="constrained"``) or, for the report's
    fixed-shape figures, by :func:`smallcap_bt.reports.layout.grid_layout` (``"grid"``: the
    same pads and rules measured in one pass, at ``dpi``; the figure keeps those positions
    and no layout engine). An opaque PNG is written as an 8-bit palette image
    (:func:`png_bytes`): the same pixels' positions at ``dpi`` pixels per inch, a third of
    the bytes."""
    from pathlib import Path

    import matplotlib

    p = Path(path)  # names may contain dots (claim ids): append, never replace, a suffix
    out = []
    engine = fig.get_layout_engine()
    old_canvas = fig.canvas
    if layout == "grid":
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        from smallcap_bt.reports.layout import grid_layout

        old_dpi = fig.dpi
        if not isinstance(fig.canvas, FigureCanvasAgg):
            FigureCanvasAgg(fig)  # until the end: png_bytes draws on the renderer measured here
        try:
            fig.dpi = dpi
            grid_layout(fig, fig.canvas.get_renderer())  # type: ignore[attr-defined]
        finally:
            fig.dpi = old_dpi
        engine = None
    elif layout != "constrained":
        raise ValueError(f"save: layout must be 'constrained' or 'grid', not {layout!r}")
    try:
        for i, fmt_ in enumerate(formats):
            target = p.parent / f"{p.name}.{fmt_}"
            if i == 1 and engine is not None:
                fig.set_layout_engine("none")  # laid out by the first format: keep it
            if fmt_ == "png":
                target.write_bytes(png_bytes(fig, dpi))
                out.append(target)
                continue
            meta = {
                "svg": {"Date": None, "Creator": None},
                "pdf": {"CreationDate": None, "ModDate": None, "Creator": None, "Producer": None},
            }[fmt_]
            with matplotlib.rc_context({"svg.hashsalt": "smallcap_bt", "svg.fonttype": "path"}):
                fig.savefig(target, metadata=meta)
            out.append(target)
    finally:
        if engine is not None and fig.get_layout_engine() is not engine:
            fig.set_layout_engine(engine)
        fig.set_canvas(old_canvas)
    return out


def png_bytes(fig: Figure, dpi: int = 200) -> bytes:
    """PNG of a figure at ``dpi`` pixels per inch, without a ``Software`` text chunk.

    An opaque image (every figure here: white face) is quantised to a 256-colour palette
    (fast octree; palette entries within 2 levels of pure white or black snapped to them, so
    the background stays exactly white): lines, text and fills are flat colours plus their
    anti-aliased edges, so this changes no pixel by more than a few levels and keeps every
    pixel, at a third of the bytes and less time than deflating RGBA. A figure with any
    transparency is written as matplotlib writes it (RGBA).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    dpi : int
        Pixels per inch (the image is ``size_inches * dpi`` pixels).

    Returns
    -------
    bytes
        The PNG file (deterministic for a given figure; ``pHYs`` records ``dpi``).
    """
    import io

    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    out = io.BytesIO()
    old_canvas, old_dpi = fig.canvas, fig.dpi
    # an Agg canvas already attached is used as it is (its renderer keeps measured texts);
    # otherwise one is attached for this drawing and the figure's own canvas put back
    canvas = old_canvas if isinstance(old_canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    try:
        fig.dpi = dpi
        canvas.draw()  # one pass: the layout engine runs inside Figure.draw
        rgba = np.asarray(canvas.buffer_rgba())
        if rgba[..., 3].min() < 255:
            fig.savefig(out, format="png", dpi=dpi, metadata={"Software": None})
            return out.getvalue()
        height, width = rgba.shape[:2]  # RGB without a NumPy copy of the pixels
        image = Image.frombuffer("RGBA", (width, height), rgba, "raw", "RGBA", 0, 1).convert("RGB")
    finally:
        fig.dpi = old_dpi
        fig.set_canvas(old_canvas)
    q = image.quantize(256, method=Image.Quantize.FASTOCTREE)
    palette = np.asarray(q.getpalette() or [], np.int16).reshape(-1, 3)
    for pure in (255, 0):
        near = np.abs(palette - pure).max(axis=1) <= 2
        palette[near] = pure
    q.putpalette(palette.astype(np.uint8).ravel().tolist())
    q.save(out, format="png", dpi=(dpi, dpi))
    return out.getvalue()
