"""``smallcap-bt report``: a report of all claims on one vintage, rendered from the Jinja2
templates in ``reports/templates``.

Writes into the output folder: ``results.json`` (as ``verify --json``), ``report.md`` and
``report.html`` (one self-contained file, PNG figures at 200 dpi embedded), ``claims.tex``
(the scorecard as a booktabs longtable) and ``figures/``. Figure formats follow the outputs:
PNG for Markdown and HTML; vector PDF plus ``figures.tex`` only when LaTeX figures are asked
for (``tex_figures=True``).

The overview figures and the strategy backtest do not depend on the claims, so they are
drawn in a worker process while the claims are verified; specification curves are then drawn
from the results JSON, half of them in the worker.
"""

from __future__ import annotations

import base64
import struct
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any

from smallcap_bt.reports import scorecard as S
from smallcap_bt.reports.tables import fmt, latex_table, tex_escape

DPI = 200


def _rules() -> str:
    """The verdict rules in words, from :data:`smallcap_bt.claims.verdicts.RULES`."""
    from fractions import Fraction

    from smallcap_bt.claims.verdicts import RULES as R

    def share(x: float) -> str:
        return str(Fraction(x).limit_denominator(100))

    return (
        "Verdict rules: supported if the headline specification agrees and at least "
        f"{share(R['SUPPORT_SHARE'])} of specifications do and, for an inferential claim, the "
        f"effect is significant at {R['ALPHA']:g}: by the headline's own two-sided test (its "
        "estimate on the claimed side) or by the joint test's median statistic (one-sided in "
        "the claimed direction); unproven if an inferential "
        "claim agrees that robustly but neither test is significant; contradicted if the "
        f"headline disagrees and at most {share(R['CONTRADICT_SHARE'])} agree; mixed otherwise. "
        "Descriptive and numeric claims are judged on the realised figures."
    )


RULES = _rules()


def _environment():
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(
        loader=PackageLoader("smallcap_bt.reports", "templates"),
        autoescape=lambda name: bool(name and name.endswith(".html.j2")),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["md"] = lambda s: str(s).replace("|", "\\|").replace("\n", " ")
    env.filters["tex"] = lambda s: tex_escape(str(s))
    env.filters["wbr"] = _wbr
    return env


def _wbr(text: Any) -> Any:
    """HTML-escaped text with a line-break opportunity after ``..`` (date ranges)."""
    from markupsafe import Markup, escape

    return Markup(str(escape(str(text))).replace("..", "..<wbr>"))


def _png_size(path: Path) -> tuple[int, int]:
    """Width and height in pixels from a PNG's IHDR chunk."""
    head = path.read_bytes()[16:24]
    w, h = struct.unpack(">II", head)
    return int(w), int(h)


def _embed(path: Path) -> dict[str, Any]:
    """``src`` data URI and CSS size (pixels at 100 dpi, i.e. PNG pixels / 2) of a PNG."""
    w, h = _png_size(path)
    data = base64.b64encode(path.read_bytes()).decode()
    return {"src": f"data:image/png;base64,{data}", "width": w // 2, "height": h // 2}


#: this thread's figures for specification curves (``.pool``), kept from one chunk of curves
#: to the next within a report (the report hands them out one at a time, here and in its
#: forked workers, which inherit the state of the thread that forks them): a new pool per
#: chunk made a new figure for each shape in every chunk (chunks of three: a quarter of the
#: drawing time). Per thread, so that reports built at once in threads never share a
#: figure; emptied when a report starts, so that a report follows the rcParams of its time.
_SPEC_FIGURES = threading.local()


def _draw_specs(claims: list[dict[str, Any]], figdir: str, formats: Sequence[str]) -> dict:
    """Specification curves of ``claims`` (results-JSON dicts) saved to ``figdir``;
    returns ``{claim id: caption}``. Runs in a worker process too."""
    from smallcap_bt.reports import figures as F
    from smallcap_bt.reports.plots import SpecCurveFigures

    pool = getattr(_SPEC_FIGURES, "pool", None)
    if pool is None:
        pool = _SPEC_FIGURES.pool = SpecCurveFigures()  # figures saved before the next drawn
    out = {}
    for c in claims:
        fig = F.spec_curve_from_dict(c, reuse=pool)
        F.save(fig, Path(figdir) / f"spec_{c['id']}", tuple(formats), dpi=DPI, layout="grid")
        out[c["id"]] = F.caption(fig)
    return out


def _draw_overview(
    vintage: Any,
    store_root: str,
    seed: int,
    draws: int,
    strategies: bool,
    figdir: str,
    formats: Sequence[str],
) -> dict[str, Any]:
    """Overview figures and the strategy tearsheet (no claim results needed).

    ``vintage`` is a name (in a worker process) or the
    :class:`~smallcap_bt.data.vintage.Vintage` the claims were verified on, whose panel and
    target rate are then read once for both."""
    from smallcap_bt.data.vintage import Vintage
    from smallcap_bt.reports import figures as F
    from smallcap_bt.stats.events import cut_dates
    from smallcap_bt.stats.regimes import decade_table

    v = Vintage.open(vintage, store_root)
    panel = v.panel
    small, large = panel["small.tercile.vw"], panel["large.tercile.vw"]
    figs: list[tuple[str, str, Any]] = [
        ("wealth", "Cumulative small vs large since 1926", F.cumulative_wealth(panel)),
        ("decades", "Returns by decade", F.decade_bars(decade_table(small, large))),
    ]
    fed = _has_target(v)
    if fed:  # a vintage without the FRED target series has no Fed-cut figure or tearsheet
        cuts = cut_dates(v.target)["every cut"]
        figs.append(
            (
                "fed_cuts",
                "After Fed cuts since 1990",
                F.event_paths(small, large, cuts, seed=seed, draws=draws),
            )
        )
    figs.append(
        ("rolling", "Rolling 10- and 15-year relative returns", F.rolling_relative_fig(panel))
    )
    if panel.get("rel_beme") is not None and panel["rel_beme"].notna().any():
        figs.append(("beme", "Relative book-to-market", F.relative_beme_fig(panel)))
    out: dict[str, Any] = {"figures": [], "strategy": None, "omitted": ""}
    if not fed:
        out["omitted"] = (
            "The Fed-cut figure"
            + (" and the strategy tearsheet are" if strategies else " is")
            + " left out: they read the fed funds target (FRED DFEDTAR, DFEDTARU and "
            "DFEDTARL), which this vintage does not hold."
        )
    for key, title, fig in figs:
        F.save(fig, Path(figdir) / key, tuple(formats), dpi=DPI, layout="grid")
        out["figures"].append(
            {"key": key, "title": title, "caption": F.caption(fig), "file": f"{key}.png"}
        )
    if strategies and fed:
        from smallcap_bt.reports.tearsheet import tearsheet_from_sweep
        from smallcap_bt.strategies.sweeps import sweep

        res = sweep(
            "fed-cut",
            panel=panel,
            vintage=v.name,
            store=store_root,
            start="1990-01",
            spa_reps=500,
            seed=seed,
        )
        ts = tearsheet_from_sweep(res)
        F.save(ts.figure, Path(figdir) / "strategy", tuple(formats), dpi=DPI, layout="grid")
        over = res.overfitting
        note = (
            f"{F.caption(ts.figure)} Best of {res.n_variants} variants by information ratio "
            f"vs the benchmark, 10 bp per unit turnover, positions decided at month end and "
            f"held the next month; deflated Sharpe "
            f"{fmt(float(over.get('deflated_sharpe_active', float('nan'))))}, PBO "
            f"{fmt(float(over.get('pbo', float('nan'))))}."
        )
        out["strategy"] = {
            "name": ts.name,
            "caption": note,
            "file": "strategy.png",
            "stats": {k: f"{v:.2f}" for k, v in ts.stats.items()},
            "yearly": [
                {
                    "year": int(y),
                    "strategy": fmt(float(r["strategy"]), "decimal"),
                    "benchmark": fmt(float(r["benchmark"]), "decimal"),
                    "excess": fmt(float(r["excess"]), "decimal"),
                    "months": int(r["months"]),
                }
                for y, r in ts.yearly.iterrows()
            ],
        }
    return out


def _has_target(v: Any) -> bool:
    """Whether the vintage holds the FRED series of the fed funds target (DFEDTAR and the
    range), which the Fed-cut figure and the strategy tearsheet read."""
    from smallcap_bt.columns import COLUMN_DATASETS

    return set(COLUMN_DATASETS["target"]) <= v.datasets()


def build_report(
    out: str | Path,
    vintage: str | None = None,
    *,
    store: Any = None,
    seed: int = 0,
    draws: int = 2_000,
    joint_draws: int = 500,
    compare_vintage: str | None = None,
    claims: list[Any] | None = None,
    strategies: bool = True,
    progress: bool | str = False,
    tex_figures: bool = False,
    workers: int = 0,
    jobs: int | str | None = 1,
) -> dict[str, Path]:
    """Verify claims and write the report files.

    Parameters
    ----------
    out : str or Path
        Output folder (created). The report is written in ``out/.smallcap_bt-staging`` and
        moved into ``out`` when complete: an interrupted report leaves an earlier one whole.
        An earlier report's figures that this one does not have are removed; other files stay.
    vintage : str, optional
        Named vintage (the store's default when omitted).
    store : Store or path, optional
    seed, draws : int
        Passed to ``verify``; the Fed-cut figure's placebo band uses the same ``draws``.
    claims : list of str or Claim, optional
        Claim ids and user claims (:class:`~smallcap_bt.claims.model.Claim`, e.g. from
        :func:`~smallcap_bt.claims.catalogue.load_catalogue`); all built-in claims by default.
    strategies : bool
        Add the Fed-cut rotation tearsheet (a sweep on the strategy kernel; vectorbt is not
        called, see :meth:`~smallcap_bt.strategies.sweeps.SweepResult.portfolio`).
    progress : bool or {"auto", "bar", "plain", "off"}
        Progress on stderr (``True`` = ``auto``).
    tex_figures : bool
        Also write vector PDF figures and ``figures.tex`` for LaTeX.
    workers : int
        Worker processes drawing figures while the claims are verified (0 = none).
    jobs : int, "auto" or None
        Processes verifying the claims (:func:`smallcap_bt.claims.runner.verify_all`; 1 = this
        one, ``None`` = ``$SMALLCAP_BT_JOBS`` else every usable CPU); with ``workers=0``,
        ``jobs - 1`` workers then draw figures beside this process. Same files for any.

    Returns
    -------
    dict of str to Path
        ``results.json``, ``claims.tex``, ``report.md``, ``report.html``, ``figures``
        (and ``figures.tex``).
    """
    from smallcap_bt.claims.parallel import (
        fork_context,
        resolve_jobs,
        start_pool,
        stop_pool,
        worker_init,
    )
    from smallcap_bt.claims.runner import verify_all
    from smallcap_bt.cli.output import progress as progress_ctx
    from smallcap_bt.data.store import Store
    from smallcap_bt.data.vintage import Vintage

    mode = "auto" if progress is True else ("off" if progress is False else str(progress))
    _SPEC_FIGURES.pool = None  # new figures, drawn with today's rcParams
    out = Path(out)
    stage = out / STAGING  # the report is written here, then moved into ``out`` at once
    figdir = stage / "figures"
    st = store if isinstance(store, Store) else Store(store)
    vin = Vintage.open(vintage, st)  # one panel for the claims and the overview figures
    if compare_vintage is not None:  # a missing vintage fails now, not after the claims
        other = Vintage.open(compare_vintage, st)
        if other.same_files(vin):
            what = "is" if other.name == vin.name else f"{other.name} holds the same files as"
            raise ValueError(
                f"compare_vintage (--compare-vintage) {what} the report's own vintage "
                f"{vin.name}; name another one to compare with"
            )
    _clear_stage(stage)  # what an interrupted report left
    figdir.mkdir(parents=True)  # after the inputs are known to be there
    name = vin.name
    formats = ("png", "pdf") if tex_figures else ("png",)
    context = fork_context()
    pool = start_pool(workers, context) if workers > 0 and context else None
    try:
        with progress_ctx(4, "report", mode) as advance:
            args = (name, str(st.root), seed, draws, strategies, str(figdir), formats)
            overview: Future | None = pool.submit(_draw_overview, *args) if pool else None
            t0 = time.monotonic()
            n_draw = resolve_jobs(jobs) - 1 if pool is None and context else 0
            ver = verify_all(
                claims,
                vin,
                store=st,
                seed=seed,
                draws=draws,
                joint_draws=joint_draws,
                jobs=jobs,
                meanwhile=_import_drawing if n_draw > 0 else None,
            )
            advance(f"claims verified in {time.monotonic() - t0:.1f} s")
            if n_draw > 0:
                # the claims had every process; now figures: forked after the claims, the
                # workers read this process's panel instead of building their own, and
                # inherit the plotting modules imported here while the claims ran
                pool = start_pool(n_draw, context, worker_init, (vin,))
                overview = pool.submit(_draw_overview_forked, *args[2:])
            doc = ver.to_dict()
            testable = [c for c in doc["claims"] if c.get("testable") and c.get("specifications")]
            captions = _draw_balanced(pool, testable, str(figdir), formats)
            advance("specification curves drawn")
            ov = overview.result() if overview is not None else _draw_overview(vin, *args[1:])
            advance("overview figures drawn")
            sensitivity = None
            if compare_vintage is not None:
                sensitivity = _sensitivity(
                    compare_vintage, vin, doc, claims, st, seed, draws, joint_draws, jobs
                )
            paths = _write(stage, doc, ver.to_json(), captions, ov, tex_figures, seed, sensitivity)
            paths = _publish(stage, out, paths)
            _remove_stale(out, captions, ov, formats)
            advance("files written")
    except BaseException:
        if pool is not None:
            stop_pool(pool)
        _clear_stage(stage)  # an earlier report in ``out`` stays whole
        raise
    if pool is not None:
        pool.shutdown()
    return paths


def _import_drawing() -> None:
    """Import what drawing the figures needs (matplotlib's Agg canvas and Figure, Pillow and
    its image plugins, the figure, layout, tearsheet and strategy modules): run in the
    report's process while worker processes verify the claims, so that it costs no time of
    its own and the figure workers forked afterwards inherit the modules instead of each
    importing them (``tests/test_report_speed.py`` checks that drawing imports nothing
    more)."""
    import matplotlib.backends.backend_agg
    import matplotlib.figure  # noqa: F401
    import PIL.Image

    from smallcap_bt.reports import figures, layout, plots, tearsheet  # noqa: F401
    from smallcap_bt.strategies import sweeps  # noqa: F401

    PIL.Image.preinit()  # the image plugins the first PNG would import


def _draw_overview_forked(*args: Any) -> dict[str, Any]:
    """:func:`_draw_overview` in a worker forked from the report's process, on its Vintage
    (given to :func:`smallcap_bt.claims.parallel.worker_init` at the fork)."""
    from smallcap_bt.claims.parallel import worker_work

    v = worker_work()
    return _draw_overview(v, str(v.store.root), *args)


def _sensitivity(
    other: str,
    vin: Any,
    doc: dict[str, Any],
    claims: list[Any] | None,
    store: Any,
    seed: int,
    draws: int,
    joint_draws: int,
    jobs: int | str | None = 1,
) -> dict[str, Any]:
    """The "Vintage sensitivity" section: the claims on vintage ``other`` beside this report's
    results ``doc`` (vintage ``vin``), as :func:`smallcap_bt.claims.runner.verify_vintages`
    puts them, without verifying the report's own vintage a second time: claims that need a
    dataset either vintage lacks are skipped (listed), the others run on ``other`` only. The
    comparison reads verdicts and headline estimates, which depend on the claim, vintage,
    seed and draws alone (not on which other claims ran)."""
    from smallcap_bt.claims.registry import registry
    from smallcap_bt.claims.runner import _resolve_claims, split_by_data, verify_all
    from smallcap_bt.data.drift import compare_verifications
    from smallcap_bt.data.vintage import Vintage
    from smallcap_bt.reports.scorecard import sensitivity_rows

    held = [Vintage.open(other, store).datasets(), vin.datasets()]
    run, skipped = split_by_data(_resolve_claims(claims or None, registry), held)
    pair = [other, vin.name]
    lacks = [f"{cid} (needs {', '.join(ds)})" for cid, ds in skipped]
    if not run:  # nothing to set side by side: the section says why
        return {"names": pair, "rows": [], "flips": 0, "skipped": lacks}
    ids = {c.id for c in run}
    kw = {"store": store, "seed": seed, "draws": draws, "joint_draws": joint_draws, "jobs": jobs}
    theirs = verify_all(run, other, **kw)
    ours = {**doc, "claims": [c for c in doc["claims"] if c["id"] in ids]}
    table = compare_verifications(theirs.to_dict(), ours)
    return {
        "names": pair,
        "rows": sensitivity_rows(table, pair),
        "flips": int(table["flipped"].sum()),
        "skipped": lacks,
    }


def _panels(claim: dict[str, Any]) -> int:
    """Panels of a claim's specification curve (one per unit of measurement): a curve costs
    about 0.06 s plus 0.045 s per panel to draw and save."""
    return len({str(s.get("units", "")) for s in claim.get("specifications", [])})


def _draw_balanced(
    pool: ProcessPoolExecutor | None,
    claims: list[dict[str, Any]],
    figdir: str,
    formats: Sequence[str],
    chunk: int = 1,
) -> dict[str, str]:
    """Draw specification curves shared between this process and the pool: every chunk of
    ``chunk`` curves is queued to the pool; this process takes chunks from the back of the
    queue as long as it can cancel them (not yet started), so whichever side is free draws
    next. The costliest curves sit at both ends of the queue and the cheapest in the middle,
    where the two sides meet: what this process may wait for at the end (the chunk the
    worker is drawing and the one it holds queued, which cannot be taken back) is cheap.
    Chunks of one: each process keeps its figures from one chunk to the next
    (``_SPEC_FIGURES``); this process waited about 0.8 s at the end with chunks of three
    in registry order."""
    if pool is None:
        return _draw_specs(claims, figdir, formats)
    ranked = sorted(claims, key=_panels, reverse=True)  # stable: registry order within
    ends = ranked[0::2] + ranked[1::2][::-1]  # costliest at both ends
    chunks = [ends[i : i + chunk] for i in range(0, len(ends), chunk)]
    futures = [pool.submit(_draw_specs, c, figdir, formats) for c in chunks]
    captions: dict[str, str] = {}
    for c, fut in zip(reversed(chunks), reversed(futures), strict=True):
        if fut.cancel():
            captions.update(_draw_specs(c, figdir, formats))
    for fut in futures:
        if not fut.cancelled():
            captions.update(fut.result())
    return {c["id"]: captions[c["id"]] for c in claims}  # registry order


#: the overview figures' names (``figures/<key>.<format>``)
OVERVIEW_KEYS = ("wealth", "decades", "fed_cuts", "rolling", "beme", "strategy")


#: folder inside ``out`` where a report is written before it is moved into place
STAGING = ".smallcap_bt-staging"


def _clear_stage(stage: Path) -> None:
    """Remove a staging folder (this report's on failure, or one an interrupted report left)."""
    import shutil

    shutil.rmtree(stage, ignore_errors=True)


def _publish(stage: Path, out: Path, paths: dict[str, Path]) -> dict[str, Path]:
    """Move every file written in ``stage`` to the same place in ``out`` (figures first, the
    report's documents last; each move is a rename on one file system) and return ``paths``
    at their new places. Until this runs, an earlier report in ``out`` is untouched: an
    interrupted report leaves no mix of new figures and old documents."""
    import os

    files = sorted(
        (p for p in stage.rglob("*") if p.is_file()), key=lambda p: (p.parent == stage, str(p))
    )
    for src in files:
        dst = out / src.relative_to(stage)
        dst.parent.mkdir(parents=True, exist_ok=True)
        os.replace(src, dst)
    _clear_stage(stage)
    return {k: out / p.relative_to(stage) for k, p in paths.items()}


def _remove_stale(
    out: Path, captions: dict[str, str], ov: dict[str, Any], formats: Sequence[str]
) -> None:
    """Remove what an earlier report left in ``out`` that this one did not write: figures of
    claims or overview figures it does not have, the formats it did not ask for, and
    ``figures.tex`` without ``tex_figures`` (an old ``figures.tex`` included figures of
    claims no longer reported). Only the report's own names are touched."""
    keys = [f["key"] for f in ov["figures"]] + (["strategy"] if ov.get("strategy") else [])
    written = {f"spec_{cid}.{fmt}" for cid in captions for fmt in formats}
    written |= {f"{key}.{fmt}" for key in keys for fmt in formats}
    figdir = out / "figures"
    for path in figdir.iterdir():
        ours = path.suffix in (".png", ".pdf") and (
            path.name.startswith("spec_") or path.stem in OVERVIEW_KEYS
        )
        if ours and path.name not in written:
            path.unlink()
    if "pdf" not in formats:
        (out / "figures.tex").unlink(missing_ok=True)


def _write(
    out: Path,
    doc: dict[str, Any],
    results_json: str,
    captions: dict[str, str],
    ov: dict[str, Any],
    tex_figures: bool,
    seed: int,
    sensitivity: dict[str, Any] | None = None,
) -> dict[str, Path]:
    from smallcap_bt.data.store import atomic_write

    figdir = out / "figures"
    name = doc["vintage"]["name"]
    version = doc["library"]["version"]
    stamp = f"data vintage {name} · smallcap_bt {version} · seed {seed}"
    env = _environment()
    ctx: dict[str, Any] = {
        "stamp": stamp,
        "rules": RULES,
        "vintage_name": name,
        "version": version,
        "scorecard": S.scorecard(doc),
        "sections": S.sections(doc),
        "vintage": S.vintage_lines(doc),
        "figures": ov["figures"],
        "omitted": ov.get("omitted", ""),
        "strategy": ov["strategy"],
        "spec_files": {cid: f"spec_{cid}.png" for cid in captions},
        "spec_captions": captions,
        "sensitivity": sensitivity,
    }
    atomic_write(out / "results.json", results_json.encode())
    atomic_write(out / "claims.tex", latex_table(doc).encode())
    atomic_write(out / "report.md", env.get_template("report.md.j2").render(ctx).encode())
    html_ctx = dict(ctx)
    html_ctx["figures"] = [{**f, **_embed(figdir / f["file"])} for f in ov["figures"]]
    if ov["strategy"]:
        html_ctx["strategy"] = {**ov["strategy"], **_embed(figdir / ov["strategy"]["file"])}
    html_ctx["spec_srcs"] = {cid: _embed(figdir / f"spec_{cid}.png") for cid in captions}
    page = env.get_template("report.html.j2").render(html_ctx)
    atomic_write(out / "report.html", page.encode())
    paths = {n: out / n for n in ("results.json", "claims.tex", "report.md", "report.html")}
    if tex_figures:
        figs = [{**f, "file": f["file"].replace(".png", ".pdf")} for f in ov["figures"]]
        figs += [
            {"key": f"spec-{cid}", "file": f"spec_{cid}.pdf", "caption": cap}
            for cid, cap in captions.items()
        ]
        tex = env.get_template("figures.tex.j2").render({**ctx, "figures": figs})
        atomic_write(out / "figures.tex", tex.encode())
        paths["figures.tex"] = out / "figures.tex"
    paths["figures"] = figdir
    return paths
