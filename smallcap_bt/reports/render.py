"""``smallcap-bt report``: a self-contained report of all claims on one vintage.

Writes ``report.md``, ``report.html`` (one file, figures embedded), ``claims.tex``,
``results.json`` and ``figures/`` into the output folder.
"""

from __future__ import annotations

import base64
import html
import sys
from pathlib import Path
from typing import Any

from smallcap_bt.reports.tables import fmt, latex_table, summary_rows


def _log(progress: bool, msg: str) -> None:
    if progress:
        print(msg, file=sys.stderr, flush=True)


def _md_table(rows: list[dict[str, str]], cols: list[str]) -> str:
    out = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    out += [
        "| " + " | ".join(str(r.get(c, "")).replace("|", "\\|") for c in cols) + " |" for r in rows
    ]
    return "\n".join(out)


def _spec_rows(claim: dict[str, Any]) -> list[dict[str, str]]:
    return [
        {
            "part": s.get("part", ""),
            "spec": s["spec"],
            "estimate": fmt(s["estimate"], s["units"]),
            "ci": (
                f"[{fmt(s['ci_low'], s['units'])}, {fmt(s['ci_high'], s['units'])}]"
                if s["ci_low"] is not None
                else ""
            ),
            "p": fmt(s["p_value"]),
            "n": fmt(s["n"]),
            "dates": f"{s['start']}..{s['end']}",
            "agrees": fmt(s["agrees"]),
        }
        for s in claim["specifications"]
    ]


def build_report(
    out: str | Path,
    vintage: str | None = None,
    *,
    store=None,
    seed: int = 0,
    draws: int = 2_000,
    claims: list[str] | None = None,
    strategies: bool = True,
    progress: bool = False,
) -> dict[str, Path]:
    """Verify claims and write the report files; returns their paths."""
    from smallcap_bt.claims.runner import verify_all
    from smallcap_bt.data.store import atomic_write
    from smallcap_bt.panel.build import monthly_panel
    from smallcap_bt.reports import figures as F
    from smallcap_bt.stats.regimes import decade_table

    out = Path(out)
    figdir = out / "figures"
    figdir.mkdir(parents=True, exist_ok=True)
    _log(progress, "verifying claims ...")
    ver = verify_all(claims, vintage, store=store, seed=seed, draws=draws, progress=progress)
    doc = ver.to_dict()
    name = doc["vintage"]["name"]
    stamp = f"data vintage {name} · smallcap_bt {doc['library']['version']} · seed {seed}"
    _log(progress, "drawing figures ...")
    panel = monthly_panel(name, store=store)
    figs: dict[str, tuple[Any, str]] = {}
    figs["wealth"] = (F.cumulative_wealth(panel), "Cumulative small vs large since 1926")
    figs["decades"] = (
        F.decade_bars(decade_table(panel["small.tercile.vw"], panel["large.tercile.vw"])),
        "Returns by decade",
    )
    try:
        from smallcap_bt.panel.build import target_rate_daily
        from smallcap_bt.stats.events import cut_dates

        cuts = cut_dates(target_rate_daily(name, store=store))["every cut"]
        figs["fed_cuts"] = (
            F.event_paths(panel["small.tercile.vw"], panel["large.tercile.vw"], cuts, seed=seed),
            "After Fed cuts since 1990",
        )
    except Exception as exc:
        _log(progress, f"  no Fed-cut figure: {exc}")
    figs["rolling"] = (F.rolling_relative_fig(panel), "Rolling 10- and 15-year relative returns")
    if panel.get("rel_beme") is not None and panel["rel_beme"].notna().any():
        figs["beme"] = (F.relative_beme_fig(panel), "Relative book-to-market")
    if strategies:
        from smallcap_bt.strategies.sweeps import sweep

        _log(progress, "backtesting the Fed-cut rotation ...")
        res = sweep(
            "fed-cut",
            panel=panel,
            vintage=name,
            store=store,
            start="1990-01",
            spa_reps=500,
            seed=seed,
        )
        figs["strategy"] = (
            F.equity_curves(
                res.equity(),
                f"Fed-cut rotation, best of {res.n_variants} variants",
                f"Best variant {res.best} by information ratio vs buy-and-hold large; 10 bp per "
                f"unit turnover; positions decided at month end, held the next month; deflated "
                f"Sharpe {res.overfitting.get('deflated_sharpe_active', float('nan')):.3f}, PBO "
                f"{res.overfitting.get('pbo', float('nan')):.3f}.",
            ),
            "Strategy: Fed-cut rotation",
        )
    spec_figs = {}
    for r in ver.results:
        if r.parts:
            spec_figs[r.claim.id] = F.specification_plot(r)
    paths: dict[str, Path] = {}
    captions: dict[str, str] = {}
    for key, (fig, _) in figs.items():
        F.save(fig, figdir / key, ("png", "svg"))
        captions[key] = F.caption(fig)
    for cid, fig in spec_figs.items():
        F.save(fig, figdir / f"spec_{cid}", ("png", "svg"))
        captions[f"spec_{cid}"] = F.caption(fig)

    atomic_write(out / "results.json", ver.to_json().encode())
    atomic_write(out / "claims.tex", latex_table(doc).encode())
    md = _markdown(doc, figs, captions, stamp)
    atomic_write(out / "report.md", md.encode())
    atomic_write(out / "report.html", _html(doc, figs, captions, stamp, figdir).encode())
    for n in ("results.json", "claims.tex", "report.md", "report.html"):
        paths[n] = out / n
    paths["figures"] = figdir
    return paths


def _sources(claim: dict[str, Any], emph: str = "") -> str:
    """'Author, Publisher (date), Title' for every source of a claim."""
    return "; ".join(
        f"{s['author'] + ', ' if s['author'] else ''}{s['publisher']} "
        f"({s['date']}), {emph}{s['title']}{emph}"
        for s in claim["source"]
    )


def _vintage_lines(doc: dict[str, Any]) -> list[str]:
    rows = []
    for ds, v in sorted(doc["vintage"]["datasets"].items()):
        rows.append(
            f"{ds}: {v['file']} sha256 {v['sha256'][:16]}… "
            f"{v['first']}..{v['last']} {v.get('vintage_line') or ''}".strip()
        )
    return rows


def _markdown(doc, figs, captions, stamp: str) -> str:
    rows = summary_rows(doc)
    parts = [
        f"# smallcap_bt report\n\n_{stamp}_\n",
        "Historical claims about US small vs large caps from 2025-26 commentaries, "
        "reconstructed on Kenneth French and FRED data. Verdict rules: supported if the "
        "headline specification agrees and at least 2/3 of specifications do; "
        "contradicted if the headline disagrees and at most 1/3 agree; mixed otherwise.\n",
        "## Summary\n",
        _md_table(rows, ["claim", "source", "verdict", "estimate", "ci", "p", "agree", "spec"]),
        "\n## Overview figures\n",
    ]
    for key, (_, title) in figs.items():
        parts.append(f"### {title}\n\n![{title}](figures/{key}.png)\n\n*{captions[key]}*\n")
    parts.append("## Claims\n")
    for c in doc["claims"]:
        parts.append(f"### {c['id']} — {c['verdict']}\n")
        parts.append(f"> {c['quote']}\n")
        parts.append(f"Source: {_sources(c, '*')}. As of {c['as_of']}.\n")
        if not c["testable"]:
            parts.append(f"**Not testable**: {c['reason']}\n\n_{stamp}_\n")
            continue
        h = c["headline"]
        parts.append(
            f"Hypothesis: {c['hypothesis']}  \nTest: {c['test']}  \n"
            f"Fidelity: {c['fidelity']}" + (f"; proxy: {c['proxy']}" if c["proxy"] else "") + "\n"
        )
        for p in c["parts"]:
            ph = p["headline"]
            parts.append(
                f"- **{p['name']}**: {p['verdict']} — {p['hypothesis']} Headline "
                f"`{ph['spec']}`: {fmt(ph['estimate'], ph['units'])} "
                f"({ph['units']}; {ph['start']}..{ph['end']}; {ph['method']}); "
                f"agreement {p['robustness']['agree']}/{p['robustness']['total']}."
                + (
                    f" Stated {fmt(p['numeric']['stated'], ph['units'])}, reproduced: "
                    f"{fmt(p['numeric']['reproduced'])}, closest "
                    f"`{p['numeric']['closest_spec']}`."
                    if "numeric" in p
                    else ""
                )
            )
        parts.append(f"\nHeadline estimate {fmt(h['estimate'], h['units'])}.\n")
        parts.append(
            f"![specifications](figures/spec_{c['id']}.png)\n\n"
            f"*{captions.get('spec_' + c['id'], '')}*\n"
        )
        parts.append(
            _md_table(
                _spec_rows(c), ["part", "spec", "estimate", "ci", "p", "n", "dates", "agrees"]
            )
            + "\n"
        )
        parts.append(f"_{stamp}_\n")
    parts.append("## Data vintage\n\n" + "\n".join(f"- {x}" for x in _vintage_lines(doc)))
    parts.append(f"\n\n_{stamp}_\n")
    return "\n".join(parts)


def _img(path: Path) -> str:
    data = base64.b64encode(path.read_bytes()).decode()
    return f"data:image/png;base64,{data}"


def _html(doc, figs, captions, stamp: str, figdir: Path) -> str:
    e = html.escape

    def table(rows, cols):
        head = "".join(f"<th>{e(c)}</th>" for c in cols)
        body = "".join(
            "<tr>" + "".join(f"<td>{e(str(r.get(c, '')))}</td>" for c in cols) + "</tr>"
            for r in rows
        )
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

    out = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<title>smallcap_bt report</title><style>",
        "body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;"
        "color:#222}table{border-collapse:collapse;font-size:12px;margin:1em 0}"
        "td,th{border:1px solid #ccc;padding:2px 6px}th{background:#eee}"
        ".supported{color:#176e2c}.contradicted{color:#b00020}.mixed{color:#a66b00}"
        ".stamp{color:#666;font-size:11px}img{max-width:100%}"
        "blockquote{border-left:3px solid #ccc;margin-left:0;padding-left:1em}</style>"
        "</head><body>",
        f"<header class='stamp'>{e(stamp)}</header><h1>smallcap_bt report</h1>",
        "<nav><a href='#summary'>Summary</a> · <a href='#figures'>Figures</a> · "
        "<a href='#claims'>Claims</a> · <a href='#vintage'>Data vintage</a></nav>",
        "<h2 id='summary'>Summary</h2>",
    ]
    rows = summary_rows(doc)
    for r in rows:
        r["claim"] = r["claim"]
    out.append(table(rows, ["claim", "source", "verdict", "estimate", "ci", "p", "agree", "spec"]))
    out.append("<h2 id='figures'>Overview figures</h2>")
    for key, (_, title) in figs.items():
        out.append(
            f"<figure><img alt='{e(title)}' src='{_img(figdir / (key + '.png'))}'>"
            f"<figcaption>{e(captions[key])}</figcaption></figure>"
        )
    out.append("<h2 id='claims'>Claims</h2>")
    for c in doc["claims"]:
        out.append(
            f"<section id='{e(c['id'])}'><h3>{e(c['id'])} — <span "
            f"class='{e(c['verdict'])}'>{e(c['verdict'])}</span></h3>"
        )
        out.append(f"<blockquote>{e(c['quote'])}</blockquote>")
        out.append(f"<p>Source: {e(_sources(c))}. As of {e(c['as_of'])}.</p>")
        if not c["testable"]:
            out.append(f"<p><b>Not testable</b>: {e(c['reason'])}</p>")
        else:
            out.append(
                f"<p>Hypothesis: {e(c['hypothesis'])}<br>Test: {e(c['test'])}<br>"
                f"Fidelity: {e(c['fidelity'])}"
                + (f"; proxy: {e(c['proxy'])}" if c["proxy"] else "")
                + "</p><ul>"
            )
            for p in c["parts"]:
                ph = p["headline"]
                out.append(
                    f"<li><b>{e(p['name'])}</b>: {e(p['verdict'])} — headline "
                    f"<code>{e(ph['spec'])}</code> {e(fmt(ph['estimate'], ph['units']))}"
                    f" ({e(ph['units'])}; {e(ph['start'])}..{e(ph['end'])}); agreement "
                    f"{p['robustness']['agree']}/{p['robustness']['total']}</li>"
                )
            out.append("</ul>")
            key = f"spec_{c['id']}"
            out.append(
                f"<figure><img alt='specifications of {e(c['id'])}' "
                f"src='{_img(figdir / (key + '.png'))}'><figcaption>"
                f"{e(captions.get(key, ''))}</figcaption></figure>"
            )
            out.append(
                table(
                    _spec_rows(c), ["part", "spec", "estimate", "ci", "p", "n", "dates", "agrees"]
                )
            )
        out.append(f"<p class='stamp'>{e(stamp)}</p></section>")
    out.append("<h2 id='vintage'>Data vintage</h2><ul>")
    out += [f"<li>{e(x)}</li>" for x in _vintage_lines(doc)]
    out.append(f"</ul><footer class='stamp'>{e(stamp)}</footer></body></html>")
    return "\n".join(out)
