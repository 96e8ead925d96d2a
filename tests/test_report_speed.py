"""What makes ``smallcap-bt report`` cheaper (issue 12) without changing what a reader sees:
palette PNGs that keep every pixel within a few levels of matplotlib's own rendering, one
layout per figure whatever the formats, a one-pass layout with constrained layout's rules,
specification curves drawn on reused figures (the same bytes as on new ones). One monthly
panel per report and one verification per vintage are checked on the reports that
``tests/test_reports.py`` builds anyway. No timings here (the benchmark is
``benchmarks/bench_report.py``): each test pins the mechanism."""

from __future__ import annotations

import io
import json
import sys

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from smallcap_bt.reports import figures as F
from smallcap_bt.reports.plots import spec_curve_plot
from tests.conftest import Job


def _spec_figure():
    t = pd.DataFrame(
        {
            "spec": [f"{d}|{h}m" for d in ("a", "b", "c") for h in (1, 3)],
            "estimate": [0.01, -0.02, 0.03, 0.015, -0.005, 0.02],
            "ci_low": [0.0, -0.03, 0.01, 0.0, -0.02, 0.0],
            "ci_high": [0.02, -0.01, 0.05, 0.03, 0.01, 0.04],
            "agrees": [True, False, True, True, False, True],
        }
    )
    return spec_curve_plot(t, headline="a|1m", stated=0.02, units="decimal, per month", title="t")


def _rgb(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def test_palette_png_matches_matplotlib_rendering():
    """Same size and dpi as matplotlib's PNG, every pixel within 16 levels, the background
    exactly white, and fewer bytes (an 8-bit palette instead of RGBA)."""
    fig = _spec_figure()
    ref = io.BytesIO()
    fig.savefig(ref, format="png", dpi=200, metadata={"Software": None})
    ours = F.png_bytes(fig, dpi=200)
    img = Image.open(io.BytesIO(ours))
    assert img.mode == "P" and img.size == Image.open(ref).size
    assert img.info["dpi"] == pytest.approx((200, 200), abs=0.01)
    a, b = _rgb(ref.getvalue()), _rgb(ours)
    assert np.abs(a - b).max() <= 16
    white = (a == 255).all(axis=2)
    assert white.mean() > 0.5 and (b[white] == 255).all()  # background stays pure white
    black = (a == 0).all(axis=2)
    assert black.any() and (b[black] == 0).all()  # and text pure black
    assert len(ours) < 0.7 * len(ref.getvalue())
    assert F.png_bytes(fig, dpi=200) == ours  # deterministic
    assert b"Software" not in ours


def test_transparent_figure_keeps_its_alpha():
    fig = _spec_figure()
    fig.patch.set_alpha(0.0)
    img = Image.open(io.BytesIO(F.png_bytes(fig, dpi=50)))
    assert img.mode == "RGBA" and np.asarray(img)[..., 3].min() == 0


def test_save_lays_out_once_for_all_formats(tmp_path, monkeypatch):
    """PNG then PDF: the constrained layout runs once (the PDF reuses it), and the figure
    gets its layout engine, canvas and dpi back afterwards."""
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    calls = []
    original = ConstrainedLayoutEngine.execute
    monkeypatch.setattr(
        ConstrainedLayoutEngine,
        "execute",
        lambda self, fig: calls.append(fig) or original(self, fig),
    )
    fig = _spec_figure()
    canvas, dpi = fig.canvas, fig.dpi
    paths = F.save(fig, tmp_path / "spec_x.y", ("png", "pdf"))
    assert [p.name for p in paths] == ["spec_x.y.png", "spec_x.y.pdf"]
    assert paths[1].read_bytes()[:5] == b"%PDF-"
    assert len(calls) == 1
    assert isinstance(fig.get_layout_engine(), ConstrainedLayoutEngine)
    assert fig.canvas is canvas and fig.dpi == dpi


# ------------------------------------------------------------------ one-pass layout, reuse
#: claims whose curves share figure shapes (3 panels; 1 panel with and without a stated
#: figure), one with a panel whose dashboard is empty (axis off) and one whose later panels
#: reuse the first panel's row names
REUSED = [
    "two-thousands-rising-rates",
    "more-volatile",
    "recovery-after-recession",
    "ai-margin-arithmetic",
    "seventies-high-rates",
    "since-late-2022",
]


def _report_png(fig, tmp_path, name):
    (path,) = F.save(fig, tmp_path / name, ("png",), layout="grid")
    return path.read_bytes()


def test_reused_spec_figures_draw_the_same_bytes(verified, tmp_path):
    """A curve drawn on a pooled figure (after other curves, in either order) is byte for
    byte the curve drawn on a new figure: nothing of the previous curve survives."""
    from smallcap_bt.reports.plots import SpecCurveFigures

    claims = [verified[c].to_dict() for c in REUSED]
    fresh = {c["id"]: _report_png(F.spec_curve_from_dict(c), tmp_path, "f") for c in claims}
    for order in (claims, claims[::-1]):
        pool = SpecCurveFigures()
        for c in order:
            fig = F.spec_curve_from_dict(c, reuse=pool)
            assert _report_png(fig, tmp_path, "p") == fresh[c["id"]], c["id"]
    assert len(pool._figures) < len(claims)  # figures were in fact reused


def test_pooled_spec_figure_keeps_headline_panels_and_stated_line(verified):
    """Drawn after a three-panel curve on the same pool, a one-panel curve with a stated
    figure has its own title, one panel, one headline mark, the stated line and its legend."""
    from smallcap_bt.reports.plots import SpecCurveFigures

    pool = SpecCurveFigures()
    F.spec_curve_from_dict(verified["more-volatile"].to_dict(), reuse=pool)
    F.spec_curve_from_dict(verified["seventies-high-rates"].to_dict(), reuse=pool)
    claim = verified["ai-margin-arithmetic"].to_dict()
    fig = F.spec_curve_from_dict(claim, reuse=pool)
    assert fig.get_suptitle().startswith("ai-margin-arithmetic: ")
    curves = [ax for ax in fig.axes if ax.get_title()]
    assert len(curves) == 1
    (ax,) = curves
    assert [t.get_text() for t in ax.texts] == ["headline"]
    dots = ax.collections[0].get_offsets()
    assert len(dots) == len(claim["specifications"])
    stated = [ln for ln in ax.get_lines() if ln.get_linestyle() == "--"]
    assert len(stated) == 1 and ax.get_legend() is not None
    assert sum(ax.get_legend() is not None for ax in fig.axes) == 1


def _layout_boxes(fig, how):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from smallcap_bt.reports.layout import grid_layout

    canvas = FigureCanvasAgg(fig)
    fig.dpi = 200
    if how == "constrained":
        fig.get_layout_engine().execute(fig)
    else:
        assert grid_layout(fig, canvas.get_renderer())
    return np.array([ax.get_position().bounds for ax in fig.axes])


@pytest.mark.parametrize("which", ["spec", "decades", "tearsheet"])
def test_grid_layout_places_axes_as_constrained_layout_does(which, monkeypatch):
    """The one-pass layout puts every Axes within a few pixels of constrained layout's
    place (suptitle, supxlabel, a legend outside the Axes, height ratios, several panels),
    measures each Axes once per pass, cuts no text, and leaves no layout engine."""
    from matplotlib.axes import Axes
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    from smallcap_bt.reports import layout
    from smallcap_bt.reports.tearsheet import tearsheet

    def make():
        if which == "spec":
            return spec_curve_plot(
                _table3(), headline="a|3m", stated=0.02, units="decimal", title="t"
            )
        if which == "decades":
            t = pd.DataFrame(
                {"small": [0.1, 0.05], "large": [0.08, 0.07], "sml": [0.02, -0.02],
                 "complete": [True, False], "start": ["1930-01", "1940-01"],
                 "end": ["1939-12", "1945-06"]},
                index=["1930s", "1940s"],
            )  # fmt: skip
            return F.decade_bars(t)
        idx = pd.period_range("2000-01", "2009-12", freq="M")
        g = np.random.default_rng(1)
        s, b = (pd.Series(g.normal(0.01, 0.04, len(idx)), index=idx) for _ in range(2))
        return tearsheet(s, b, name="rotation", bench_name="large").figure

    want = _layout_boxes(make(), "constrained")
    passes, measured = [], []
    place, tight = layout._place, Axes.get_tightbbox
    monkeypatch.setattr(layout, "_place", lambda *a: passes.append(1) or place(*a))
    monkeypatch.setattr(
        Axes, "get_tightbbox", lambda self, *a, **k: measured.append(self) or tight(self, *a, **k)
    )
    fig = make()
    got = _layout_boxes(fig, "grid")
    monkeypatch.undo()
    size = fig.get_size_inches() * 200  # pixels
    np.testing.assert_allclose(got[:, [0, 2]] * size[0], want[:, [0, 2]] * size[0], atol=12)
    np.testing.assert_allclose(got[:, [1, 3]] * size[1], want[:, [1, 3]] * size[1], atol=12)
    # one measurement of each Axes; a second only where the new sizes moved ticks (the
    # tearsheet's dates), never for the specification curves the report draws by dozens
    assert 1 <= len(passes) <= 2
    if which == "spec":
        assert len(passes) == 1
    assert len(measured) == len(passes) * len(fig.axes)
    assert not isinstance(fig.get_layout_engine(), ConstrainedLayoutEngine)
    assert all(ax.get_in_layout() for ax in fig.axes)
    from tests.test_reports import _text_inside

    _text_inside(fig)


def test_grid_layout_leaves_nested_grids_to_matplotlib():
    """Axes on a nested grid (``subgridspec``, its own spacing): the one-pass layout does not
    claim them (it reads a GridSpec's spacing); constrained layout places them, once."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    from smallcap_bt.reports.layout import grid_layout

    def make():
        fig = Figure(figsize=(6, 3), layout="constrained")
        inner = fig.add_gridspec(1, 1)[0].subgridspec(1, 2, wspace=0.5)
        for cell in inner:
            fig.add_subplot(cell).set_title("panel")
        return fig

    fig = make()
    assert not grid_layout(fig, FigureCanvasAgg(fig).get_renderer())
    want = make()
    FigureCanvasAgg(want)
    want.get_layout_engine().execute(want)
    got = np.array([ax.get_position().bounds for ax in fig.axes])
    np.testing.assert_allclose(got, [ax.get_position().bounds for ax in want.axes], atol=1e-9)
    assert not isinstance(fig.get_layout_engine(), ConstrainedLayoutEngine)


def _table3():
    rows = []
    for d, e in (("a", 0.01), ("b", -0.02), ("c", 0.03)):
        for h in (1, 3):
            rows.append({"spec": f"{d}|{h}m", "estimate": e * h, "ci_low": e * h - 0.01,
                         "ci_high": e * h + 0.01, "agrees": e > 0,
                         "units": f"decimal, cumulative over {h} months"})  # fmt: skip
    return pd.DataFrame(rows)


def test_save_with_grid_layout_restores_the_canvas(tmp_path):
    fig = _spec_figure()
    canvas, dpi = fig.canvas, fig.dpi
    (path,) = F.save(fig, tmp_path / "x", ("png",), layout="grid")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert fig.canvas is canvas and fig.dpi == dpi
    with pytest.raises(ValueError, match="layout"):
        F.save(fig, tmp_path / "y", ("png",), layout="tight")


def test_report_chunks_share_one_figure_pool(verified, tmp_path, monkeypatch):
    """The report hands its curves out in chunks (``render._draw_balanced``); later
    chunks in the same process draw on the figures of the first instead of new ones (a new
    figure per shape and chunk was a quarter of the drawing time), with the same files."""
    from smallcap_bt.reports import plots, render

    claims = [verified[c].to_dict() for c in REUSED]
    made: list[object] = []
    original = plots.new_figure

    def counted(*a, **k):
        made.append(a)
        return original(*a, **k)

    monkeypatch.setattr(render._SPEC_FIGURES, "pool", None, raising=False)
    monkeypatch.setattr(plots, "new_figure", counted)
    (tmp_path / "a").mkdir()
    render._draw_specs(claims, str(tmp_path / "a"), ("png",))
    first = len(made)
    assert first >= 1
    (tmp_path / "b").mkdir()
    render._draw_specs(claims, str(tmp_path / "b"), ("png",))
    assert len(made) == first  # the second chunk made no figure
    for c in claims:
        name = f"spec_{c['id']}.png"
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_reports_drawn_at_once_in_threads_share_no_figure(verified, tmp_path, monkeypatch):
    """Two threads drawing curves at the same time (two reports in one notebook, say) each
    draw on their own figures: the same bytes as one thread alone. With one pool for the
    process they crashed or drew on each other's figures (a referee's finding)."""
    import threading

    from smallcap_bt.reports import render

    ids = REUSED[:2]
    claims = [verified[c].to_dict() for c in ids] * 2
    monkeypatch.setattr(render._SPEC_FIGURES, "pool", None, raising=False)
    alone = tmp_path / "alone"
    alone.mkdir()
    render._draw_specs(claims[: len(ids)], str(alone), ("png",))
    start, errors = threading.Barrier(2), []

    def draw(k: int) -> None:
        out = tmp_path / f"t{k}"
        out.mkdir()
        start.wait()
        try:
            for c in claims:  # each curve twice: figures reused within the thread
                render._draw_specs([c], str(out), ("png",))
        except Exception as exc:  # reported below, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=draw, args=(k,)) for k in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    for c in ids:
        want = (alone / f"spec_{c}.png").read_bytes()
        assert all((tmp_path / f"t{k}" / f"spec_{c}.png").read_bytes() == want for k in (0, 1))


def test_a_new_report_draws_with_the_rcparams_of_its_time(store_dir, tmp_path):
    """Figures kept from an earlier report are not reused by the next one: after a style
    change, a report's curves are those of a fresh figure in that style (they kept the
    first report's colours)."""
    import matplotlib

    from smallcap_bt.reports import render

    kw = {"store": store_dir, "claims": ["more-volatile"], "strategies": False, "draws": 40}
    render.build_report(tmp_path / "r1", "202602", joint_draws=0, **kw)
    with matplotlib.rc_context({"axes.facecolor": "#eeeeee", "axes.edgecolor": "#aa0000"}):
        render.build_report(tmp_path / "r2", "202602", joint_draws=0, jobs=1, **kw)
        claim = json.loads((tmp_path / "r2" / "results.json").read_text())
        fresh = F.spec_curve_from_dict(claim["claims"][0])
        want = _report_png(fresh, tmp_path, "fresh")
    got = (tmp_path / "r2" / "figures" / "spec_more-volatile.png").read_bytes()
    assert got == want
    assert got != (tmp_path / "r1" / "figures" / "spec_more-volatile.png").read_bytes()


_DRAW_AFTER_IMPORTS = """
import json, sys
from smallcap_bt.claims.parallel import _preload
from smallcap_bt.data.vintage import Vintage
from smallcap_bt.reports import render

store, out = sys.argv[1:]
vin = Vintage.open("202602", store)
vin.panel  # as build_report has it before the claims run
_preload([])
render._import_drawing()
before = set(sys.modules)
specs = [
    {"spec": f"{d}|{h}m", "estimate": e, "ci_low": e - 0.01, "ci_high": e + 0.01,
     "agrees": e > 0, "units": f"decimal, cumulative over {h} months"}
    for d in ("tercile.vw", "decile.ew") for h, e in ((1, 0.01), (3, -0.02))
]
claim = {"id": "c", "verdict": "mixed", "specifications": specs,
         "headline": {"spec": "tercile.vw|1m", "units": specs[0]["units"]},
         "parts": [{"numeric": {"stated": 0.02}}], "joint": {"p_median": 0.3}}
render._draw_specs([claim], out, ("png",))
render._draw_overview(vin, store, 0, 40, True, out, ("png",))
# numba's compiler imports its modules when a kernel's cache is cold: not drawing's
new = [m for m in set(sys.modules) - before if not m.startswith(("numba", "llvmlite"))]
print(json.dumps(sorted(new)))
"""
DRAW_AFTER_IMPORTS = Job(
    "draw-after-import-drawing",
    (sys.executable, "-c", _DRAW_AFTER_IMPORTS, "{store}", "{tmp}"),
    set_env={"MPLBACKEND": "Agg"},
)


@pytest.mark.background(DRAW_AFTER_IMPORTS)
def test_figure_workers_inherit_every_module_they_draw_with(background):
    """What the report's process imports while the claims run (``render._import_drawing``)
    is all that drawing needs: in a fresh interpreter set up as the report is before it
    forks its figure workers, drawing a specification curve, the overview figures and the
    strategy tearsheet imports no module (each worker would import it again: matplotlib's
    Figure was about 0.25 s of CPU in every process)."""
    res = background(DRAW_AFTER_IMPORTS)
    assert res.returncode == 0, res.stderr[-2000:]
    assert json.loads(res.stdout.splitlines()[-1]) == []
    for name in ("spec_c.png", "wealth.png", "strategy.png"):
        assert (res.tmp / name).is_file(), name


def test_curves_are_queued_costliest_at_both_ends(monkeypatch):
    """``render._draw_balanced`` queues one curve per chunk with the most panels at both
    ends and the fewest in the middle, where the report's process (taking from the back)
    meets its worker (taking from the front): what is left to wait for at the end is cheap.
    The first two chunks a worker holds cannot be taken back (one running, one queued)."""
    from concurrent.futures import Future

    from smallcap_bt.reports import render

    class Pool:  # holds (runs) the first two submissions, as a busy worker would
        def __init__(self):
            self.queued: list[list[str]] = []

        def submit(self, fn, chunk, *args):
            fut: Future = Future()
            if len(self.queued) < 2:
                fut.set_running_or_notify_cancel()
                fut.set_result(fn(chunk, *args))
            self.queued.append([c["id"] for c in chunk])
            return fut

    def claim(cid, panels):
        return {"id": cid, "specifications": [{"units": f"u{k}"} for k in range(panels)]}

    panels = {"a": 1, "b": 5, "c": 2, "d": 1, "e": 3, "f": 4, "g": 1}
    claims = [claim(c, n) for c, n in panels.items()]
    drawn_here: list[str] = []

    def draw(chunk, figdir, formats):
        drawn_here.extend(c["id"] for c in chunk)
        return {c["id"]: f"caption {c['id']}" for c in chunk}

    monkeypatch.setattr(render, "_draw_specs", draw)
    pool = Pool()
    captions = render._draw_balanced(pool, claims, "unused", ("png",))  # type: ignore[arg-type]
    queue = [panels[q[0]] for q in pool.queued]
    assert all(len(q) == 1 for q in pool.queued)
    assert queue == [5, 3, 1, 1, 1, 2, 4]  # 5 and 4 at the ends, the 1-panel curves between
    assert list(captions) == list(panels)  # registry order, whoever drew them
    assert sorted(drawn_here) == sorted(panels)  # every curve drawn once
