"""One-pass grid layout for the report's figures (a cheaper stand-in for constrained layout).

Every figure here puts its Axes on one :class:`~matplotlib.gridspec.GridSpec` (``fig.subplots``)
with a fixed shape. Matplotlib's constrained layout measures every Axes' decorations twice
and solves a general constraint system; for such a grid the solution is arithmetic. This
module measures each Axes' tight box once (tick labels, title, annotations, in-axes legends),
keeps the same pads (``w_pad``/``h_pad`` in inches, ``wspace``/``hspace`` as fractions), the
same rules (a column's left margin is the largest of its Axes', inner sizes follow the width
and height ratios) and the same room for the suptitle, the supxlabel and legends placed
``"outside ..."`` the Axes, and places the Axes. A second measurement follows only when the
new size changed some axis's ticks (locators pick ticks by axis length).

Empty axis labels are hidden first: an empty label is not drawn, but matplotlib still
positions it from the tick labels' boxes at every draw and counts its point in the tight box.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.backend_bases import RendererBase
    from matplotlib.figure import Figure
    from matplotlib.gridspec import GridSpec, SubplotSpec
    from matplotlib.transforms import Transform

__all__ = ["grid_layout"]


def _pads(fig: Figure) -> dict[str, float]:
    """Pads of the figure's layout engine (constrained layout's, from rcParams otherwise)."""
    import matplotlib as mpl

    info: dict[str, Any] = {}
    engine = fig.get_layout_engine()
    if engine is not None:
        info = engine.get()
    out = {}
    for k in ("w_pad", "h_pad", "wspace", "hspace"):
        v = info.get(k)
        out[k] = float(mpl.rcParams[f"figure.constrained_layout.{k}"] if v is None else v)
    return out


def _hide_empty_labels(axes: list[Axes]) -> None:
    for ax in axes:
        for axis in (ax.xaxis, ax.yaxis):
            if not axis.label.get_text():
                axis.label.set_visible(False)
                axis.set_label_coords(0.5, 0.5)  # no automatic placement at each draw


def _ticks(axes: list[Axes]) -> list[np.ndarray]:
    """Each axis's tick locations, as its locator picks them now (they depend on its length)."""
    return [
        np.asarray(axis.get_major_locator()(), float)
        for ax in axes
        for axis in (ax.xaxis, ax.yaxis)
        if axis.get_visible() and ax.axison
    ]


def _same(a: list[np.ndarray], b: list[np.ndarray]) -> bool:
    return all(x.shape == y.shape and np.allclose(x, y) for x, y in zip(a, b, strict=True))


def grid_layout(fig: Figure, renderer: RendererBase | None = None) -> bool:
    """Place the Axes of ``fig`` once, as constrained layout would, and switch its layout
    engine off (the positions stay as set).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        A figure whose Axes all lie on one GridSpec (``fig.subplots``), without subfigures
        or colorbars. Pads are taken from its layout engine (or the rcParams defaults).
    renderer : RendererBase, optional
        The renderer the figure will be drawn with (text extents depend on its dpi); the
        figure's canvas's by default.

    Returns
    -------
    bool
        ``True`` if laid out here; ``False`` if the figure does not fit that shape, in which
        case its own layout engine has been run once (then switched off) instead.
    """
    from matplotlib.gridspec import GridSpec

    axes = [ax for ax in fig.axes if ax.get_in_layout()]
    specs = [ax.get_subplotspec() for ax in axes]
    grids = {id(s.get_gridspec()): s.get_gridspec() for s in specs if s is not None}
    engine = fig.get_layout_engine()
    if (
        not axes
        or None in specs
        or len(grids) != 1
        or not all(isinstance(g, GridSpec) for g in grids.values())  # not a nested grid
        or fig.subfigs
        or any(getattr(ax, "_colorbars", None) for ax in axes)
    ):
        if engine is not None:
            engine.execute(fig)
            fig.set_layout_engine("none")
        return False
    pads = _pads(fig)
    fig.set_layout_engine("none")
    _hide_empty_labels(axes)
    if renderer is None:
        renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    ticks = _ticks(axes)
    for _ in range(3):  # usually once; again if the new sizes moved some ticks
        _place(fig, axes, renderer, pads)
        now = _ticks(axes)
        if _same(ticks, now):
            break
        ticks = now
    return True


def _spec(ax: Axes) -> SubplotSpec:
    """The Axes' place in its grid (every Axes laid out here has one)."""
    ss = ax.get_subplotspec()
    if ss is None:
        raise ValueError("grid_layout: every Axes must sit on a GridSpec (fig.subplots)")
    return ss


def _height(artist: Any, renderer: RendererBase, to_fig: Transform) -> float:
    """Height in figure fractions of an artist's tight box (0 if it draws nothing)."""
    box = artist.get_tightbbox(renderer)
    return 0.0 if box is None else float(box.transformed(to_fig).height)


def _place(fig: Figure, axes: list[Axes], renderer: RendererBase, pads: dict[str, float]) -> None:
    """One measurement of every Axes' decorations, then the positions (figure fractions)."""
    width, height = fig.get_size_inches()
    w_pad, h_pad = pads["w_pad"] / width, pads["h_pad"] / height
    gs = cast("GridSpec", _spec(axes[0]).get_gridspec())  # grid_layout checked it
    nrows, ncols = gs.get_geometry()
    wspace = (gs.wspace if gs.wspace is not None else pads["wspace"]) / 2 / ncols
    hspace = (gs.hspace if gs.hspace is not None else pads["hspace"]) / 2 / nrows
    to_fig = fig.transFigure.inverted()
    # margins of each column (left, right) and row (top, bottom): decorations + pads
    left, right = np.zeros(ncols), np.zeros(ncols)
    top, bottom = np.zeros(nrows), np.zeros(nrows)
    for ax in axes:
        ss = _spec(ax)
        pos = ax.get_position(original=True)
        tight = ax.get_tightbbox(renderer, for_layout_only=True)
        box = pos if tight is None else tight.transformed(to_fig)
        c0, c1 = ss.colspan.start, ss.colspan.stop - 1
        r0, r1 = ss.rowspan.start, ss.rowspan.stop - 1
        pad_l = wspace if c0 > 0 and wspace > w_pad else w_pad
        pad_r = wspace if c1 < ncols - 1 and wspace > w_pad else w_pad
        pad_t = hspace if r0 > 0 and hspace > h_pad else h_pad
        pad_b = hspace if r1 < nrows - 1 and hspace > h_pad else h_pad
        left[c0] = max(left[c0], pos.x0 - box.x0 + pad_l)
        right[c1] = max(right[c1], box.x1 - pos.x1 + pad_r)
        top[r0] = max(top[r0], box.y1 - pos.y1 + pad_t)
        bottom[r1] = max(bottom[r1], pos.y0 - box.y0 + pad_b)
    # figure-level margins: suptitle, supxlabel, legends outside the Axes
    fig_top = fig_bottom = fig_left = fig_right = 0.0
    sup = getattr(fig, "_suptitle", None)  # matplotlib's own layout engines read these too
    if sup is not None and sup.get_in_layout() and getattr(sup, "_autopos", False):
        sup.set_position((sup.get_position()[0], 1 - h_pad))
        fig_top = _height(sup, renderer, to_fig) + 2 * h_pad
    sxl = getattr(fig, "_supxlabel", None)
    if sxl is not None and sxl.get_in_layout() and getattr(sxl, "_autopos", False):
        sxl.set_position((sxl.get_position()[0], h_pad))
        fig_bottom = _height(sxl, renderer, to_fig) + 2 * h_pad
    for leg in fig.legends:
        where = getattr(leg, "_outside_loc", None)
        if not where or getattr(leg, "_bbox_to_anchor", None) is not None:
            continue
        tight = leg.get_tightbbox(renderer)
        if tight is None:
            continue
        box = tight.transformed(to_fig)
        if where == "lower":
            fig_bottom = max(fig_bottom, box.height + 2 * h_pad)
        elif where == "upper":
            fig_top = max(fig_top, box.height + 2 * h_pad)
        elif where == "right":
            fig_right = max(fig_right, box.width + 2 * w_pad)
        elif where == "left":
            fig_left = max(fig_left, box.width + 2 * w_pad)
    wr = np.asarray(gs.get_width_ratios() or [1.0] * ncols, float)
    hr = np.asarray(gs.get_height_ratios() or [1.0] * nrows, float)
    inner_w = (1 - fig_left - fig_right - left.sum() - right.sum()) * wr / wr.sum()
    inner_h = (1 - fig_top - fig_bottom - top.sum() - bottom.sum()) * hr / hr.sum()
    x0 = fig_left + np.cumsum(left + inner_w + right) - right - inner_w
    y1 = 1 - fig_top - (np.cumsum(top + inner_h + bottom) - bottom - inner_h)  # rows from top
    for ax in axes:
        ss = _spec(ax)
        c0, c1 = ss.colspan.start, ss.colspan.stop - 1
        r0, r1 = ss.rowspan.start, ss.rowspan.stop - 1
        ax.set_position(
            (
                float(x0[c0]),
                float(y1[r1] - inner_h[r1]),
                float(x0[c1] + inner_w[c1] - x0[c0]),
                float(y1[r0] - y1[r1] + inner_h[r1]),
            )
        )
        ax.set_in_layout(True)  # set_position takes an Axes out of layouts: it is in this one
