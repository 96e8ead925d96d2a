"""Reports: HTML in a real headless browser, LaTeX structure, numbers equal to the JSON,
figures with their axes, series and captions, and citations."""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest

import smallcap_bt as sb
from smallcap_bt.cli import main
from smallcap_bt.reports import figures as F
from tests.conftest import FRENCH, REPO, Job

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def report(store_dir, tmp_path_factory):
    """``smallcap-bt report`` of every claim with the strategy tearsheet, in this process
    (``$SMALLCAP_BT_JOBS`` is 1 in the suite), so that coverage sees it: the suite's one
    full report. ``…-panels.log`` beside the output gets a line from every process that
    builds a monthly panel."""
    import smallcap_bt.panel.build as build

    out = tmp_path_factory.mktemp("report")
    log = out.parent / f"{out.name}-panels.log"
    original = build.monthly_panel

    def logged(*a, **k):
        with log.open("a") as f:
            f.write(f"{os.getpid()}\n")
        return original(*a, **k)

    argv = ["--store", str(store_dir), "report", "--out", str(out), "--vintage", "202602"]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(build, "monthly_panel", logged)
        assert main([*argv, "--draws", "200", "--joint-draws", "100", "-q"]) == 0
    return out


def test_report_builds_the_monthly_panel_once(report):
    """The claims, the overview figures and the strategy sweep share one panel (issue 12);
    every figure is a palette PNG."""
    from PIL import Image

    assert (report.parent / f"{report.name}-panels.log").read_text().split() == [str(os.getpid())]
    for name in ("wealth", "fed_cuts", "strategy", "spec_size-premium-long-run"):
        with Image.open(report / "figures" / f"{name}.png") as img:
            assert img.mode == "P", name


def test_report_files(report):
    for name in ("report.md", "report.html", "claims.tex", "results.json"):
        assert (report / name).stat().st_size > 1000, name
    figs = report / "figures"
    assert (figs / "wealth.png").is_file() and (figs / "strategy.png").is_file()
    assert (figs / "spec_since-1927-2.85pct.png").is_file()
    # formats follow the outputs: PNG only unless LaTeX figures are asked for
    assert not list(figs.glob("*.svg")) and not list(figs.glob("*.pdf"))
    png = (figs / "wealth.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(png[16:20], "big") >= 9 * 200 - 2  # 9 in wide at >= 200 dpi


def _pct(x):
    """Independent formatting of a decimal as the report prints it."""
    return f"{x * 100:.2f}%"


def test_scorecard_grouped_by_source_with_units_and_claimed_figure(report):
    doc = json.loads((report / "results.json").read_text())
    md = (report / "report.md").read_text()
    card = md.split("## Scorecard")[1].split("## Overview figures")[0]
    titles = {c["source"][0]["title"] for c in doc["claims"]}
    heads = [ln[4:] for ln in card.splitlines() if ln.startswith("### ")]
    assert len(heads) == len(titles) and all(any(t in h for t in titles) for h in heads)
    rows = {}
    for ln in card.splitlines():
        if ln.startswith("| ") and not ln.startswith(("| claim", "|---")):
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", ln.strip())[1:-1]]
            rows[cells[0]] = cells
    assert set(rows) == {c["id"] for c in doc["claims"]}
    for c in doc["claims"]:
        r = rows[c["id"]]
        assert r[4] == c["verdict"].replace("_", " ")
        if not c["testable"]:
            continue
        h = c["headline"]
        assert r[5] == f"{c['robustness']['agree']}/{c['robustness']['total']}"
        if h["units"].startswith("decimal"):
            assert r[3].startswith(_pct(h["estimate"]) + " "), (c["id"], r[3])
            assert r[3][len(_pct(h["estimate"])) :].strip(), "units said after the figure"
    fed = rows["fed-cuts-since-1990"]
    assert "cumulative over 12 months" in fed[3]
    num = next(c for c in doc["claims"] if c["id"] == "since-1927-2.85pct")
    stated = num["parts"][0]["numeric"]["stated"]
    assert rows["since-1927-2.85pct"][2].startswith(_pct(stated))  # the claimed figure
    assert "np.int64" not in md and "np.float64" not in md


def test_scorecard_renders_optional_joint_and_adjusted_p():
    from smallcap_bt.reports.scorecard import scorecard

    claim = {
        "id": "x",
        "source": [{"key": "001", "title": "T", "author": "", "publisher": "P", "date": "2025"}],
        "quote": "q",
        "testable": True,
        "verdict": "supported",
        "hypothesis": "h",
        "headline": {"estimate": 0.0123, "units": "decimal, per year", "p_value": 0.04},
        "robustness": {"agree": 3, "total": 4},
        "parts": [],
    }
    row = scorecard({"claims": [claim]})[0]["rows"][0]
    assert (
        row["joint_p"] == "" and row["p_adjusted"] == "" and row["measured"] == ("1.23% per year")
    )
    claim |= {"joint": {"p_count": 0.0312, "p_median": 0.2}, "p_adjusted": 0.09}
    row = scorecard({"claims": [claim]})[0]["rows"][0]
    # the joint p-value the verdict uses (its median statistic), not the count's
    assert row["joint_p"] == "0.2" and row["p_adjusted"] == "0.09"


def _assert_well_formed_markdown(md: str) -> None:
    """report.md parsed as CommonMark with tables (markdown-it-py, independent of the
    templates): every line starting with '|' lies inside a table, every table row has its
    header's cells, no sentence runs into the next block, every stamp is its own paragraph.
    (A new user found the yearly table merged into the statistics table, the stamp read as a
    table row, parts' bullets and the joint test run together, and a separator row glued to
    the first row of the vintage table.)"""
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").enable("table").parse(md)
    lines = md.splitlines()
    inside: set[int] = set()
    for t in tokens:
        if t.type == "table_open" and t.map:
            inside.update(range(*t.map))
    stray = [lines[i] for i, ln in enumerate(lines) if ln.startswith("|") and i not in inside]
    assert not stray, stray[:3]
    i = 0
    while i < len(tokens):
        if tokens[i].type == "table_open":
            widths, j = [], i
            while tokens[j].type != "table_close":
                if tokens[j].type == "tr_open":
                    widths.append(0)
                elif tokens[j].type in ("th_open", "td_open"):
                    widths[-1] += 1
                j += 1
            assert len(set(widths)) == 1, (widths, lines[tokens[i].map[0]])
            i = j
        i += 1
    texts = [t.content for t in tokens if t.type == "inline"]
    glued = [x for x in texts if re.search(r"\.(Joint test|!\[)|\.- \*\*|\|\|", x)]
    assert not glued, glued[:2]
    stamps = [x for x in texts if x.startswith("_data vintage")]
    assert stamps and all(x.count("_data vintage") == 1 for x in stamps)
    assert md.count("_data vintage") == len(stamps)


def test_report_markdown_is_well_formed(report):
    md = (report / "report.md").read_text()
    assert "| year | strategy | benchmark | excess | months |" in md
    # the rules as verdicts.py applies them: significance decides supported vs unproven
    assert "unproven if an inferential claim" in md and "never changes it" not in md
    assert "headline's own two-sided test" in md  # HAC and bootstrap p-values are two-sided
    # the joint test says which specifications it covers (a new user found 240 of 270)
    assert "Joint test over all 14 specifications (their median" in md
    assert re.search(r"Joint test over \d+ of the \d+ specifications \(those it re-est", md)
    # a numeric claim says whether its stated figure is reproduced, apart from its verdict
    assert "| 2.85% ± 0.25%; reproduced: yes |" in md
    assert re.search(r"\| 5\.00% ± 2\.50%; reproduced: no \(closest specification [^)]+: ", md)
    _assert_well_formed_markdown(md)


def test_captions_once_and_plain_numbers(report):
    md = (report / "report.md").read_text()
    html = (report / "report.html").read_text()
    caps = re.findall(r"<figcaption>(.*?)</figcaption>", html, flags=re.S)
    assert len(caps) >= 30
    for cap in caps:
        assert html.count(cap) == 1, cap[:60]  # each caption printed once
        assert "np." not in cap
    # the Fed-cut band states its placebo: every circular shift of the real calendar
    assert re.search(r"5-95% of all [0-9,]+ circular shifts of the event-month calendar", html)
    assert "placebo = 1000" not in md


def test_vintage_and_version_on_every_page(report):
    md = (report / "report.md").read_text()
    stamp = f"data vintage 202602 · smallcap_bt {sb.__version__}"
    assert md.count(stamp) >= 36  # header, each claim section, footer
    html = (report / "report.html").read_text()
    assert html.count(stamp) >= 36
    assert "b3643b25dc99ee06" in md  # sha256 of the size-portfolio file


def test_latex_table_structure(report):
    tex = (report / "claims.tex").read_text()
    assert tex.count(r"\begin{longtable}") == tex.count(r"\end{longtable}") == 1
    body = tex.split(r"\endhead")[1].split(r"\bottomrule")[0].strip().splitlines()
    assert len(body) == 35
    for row in body:
        assert row.endswith(r"\\")
        assert len(re.findall(r"(?<!\\)&", row)) == 7, row  # 8 columns
        assert not re.search(r"(?<!\\)[%_#$]", row), row
    assert r"\%" in tex and "since-1927-2.85pct" in tex
    assert tex.count("{") == tex.count("}")
    # every estimate says its units and sample (a new user found one column mixing
    # arithmetic % a year, geometric %, cumulative %, a rank and a logit slope)
    doc = json.loads((report / "results.json").read_text())
    rows = {r.split(" & ")[0].replace(r"\_", "_"): r.split(" & ") for r in body}
    for c in doc["claims"]:
        h = c.get("headline") or {}
        if h.get("estimate") is not None:
            cells = rows[c["id"]]
            units = (
                h["units"].replace("decimal", "%", 1)
                if h["units"].startswith("decimal")
                else h["units"]
            )
            assert cells[5] == units.replace("%", r"\%").replace("_", r"\_"), c["id"]
            sample = f"{h['start']}..{h['end']}" if h.get("start") and h.get("end") else ""
            assert cells[6] == sample, c["id"]
    keys = {s["key"] for c in doc["claims"] for s in c["source"]}
    legend = tex.split("Sources: ")[1]
    assert all(f"{k}: " in legend for k in keys)


def test_html_links_and_images_resolve(report):
    html = (report / "report.html").read_text()
    ids = set(re.findall(r'id="([^"]+)"', html))
    for target in re.findall(r'href="#([^"]+)"', html):
        assert target in ids, target
    imgs = re.findall(r'src="data:image/png;base64,([^"]+)"', html)
    assert len(imgs) >= 30
    for data in imgs[:5]:
        assert base64.b64decode(data)[:8] == b"\x89PNG\r\n\x1a\n"
    assert "src='http" not in html and 'src="http' not in html  # opens offline


LAYOUT_CHECK = """
<script>
window.addEventListener('load', () => {
  const bad = [];
  const vw = document.documentElement.clientWidth;
  const boxes = 'td,th,p,li,h1,h2,h3,figcaption,blockquote,code';
  for (const el of document.querySelectorAll(boxes)) {
    if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflow !== 'visible') {
      bad.push('clipped ' + el.tagName + ': ' + el.textContent.slice(0, 60));
    }
    const r = el.getBoundingClientRect();
    const what = el.tagName + ': ' + el.textContent.slice(0, 60);
    if (r.right > vw + 1) bad.push('overflows page ' + what);
  }
  for (const t of document.querySelectorAll('table')) {
    if (t.getBoundingClientRect().right > vw + 1) bad.push('table wider than page');
    for (const c of t.querySelectorAll('td,th')) {
      const text = c.textContent.slice(0, 60);
      if (c.scrollWidth > c.clientWidth + 1) bad.push('cell text overflows: ' + text);
    }
  }
  let figs = 0;
  for (const img of document.querySelectorAll('img')) {
    figs += 1;
    const r = img.getBoundingClientRect();
    if (!img.complete || img.naturalWidth === 0) bad.push('image not decoded: ' + img.alt);
    const fits = r.right <= vw + 1 && r.width >= 100;
    if (!fits) bad.push('figure does not fit: ' + img.alt + ' ' + r.width);
    const ratio = img.naturalWidth / img.naturalHeight, shown = r.width / r.height;
    if (Math.abs(ratio - shown) > 0.02 * ratio) bad.push('figure distorted: ' + img.alt);
  }
  if (document.documentElement.scrollWidth > vw + 1) bad.push('page scrolls sideways');
  document.body.setAttribute('data-layout', JSON.stringify({figures: figs, bad: bad}));
});
</script>
"""


@pytest.mark.skipif(
    CHROMIUM is None,
    reason="Debian chromium not installed (.ci/run installs it); apt-get install chromium",
)
def test_html_layout_in_headless_browser(report, tmp_path):
    """No text overflows its box and every figure fits, in a real browser. The page is fluid
    (max 1100 px), so the narrow window (700 px) is the hard case; wider ones were checked
    alike when the check was written."""
    width = 700
    import html as html_lib

    page = (report / "report.html").read_text().replace("</body>", LAYOUT_CHECK + "</body>")
    probe = tmp_path / "probe.html"
    probe.write_text(page)
    cmd = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'profile'}",
        f"--window-size={width},1600",
        "--virtual-time-budget=10000",
        "--dump-dom",
        probe.as_uri(),
    ]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    found = re.search(r'data-layout="([^"]*)"', res.stdout)
    assert found, res.stderr[-2000:]
    layout = json.loads(html_lib.unescape(found.group(1)))
    assert layout["figures"] >= 30
    assert layout["bad"] == []


def _lines(fig):
    return [ln for ax in fig.axes for ln in ax.get_lines()]


def test_figures_have_axes_series_and_captions(panel, store_dir):
    from smallcap_bt.data.vintage import Vintage
    from smallcap_bt.stats.events import cut_dates
    from smallcap_bt.stats.regimes import decade_table

    fig = F.cumulative_wealth(panel)
    assert len(fig.axes) == 2 and len(_lines(fig)) == 3
    assert "1926-07" in F.caption(fig) and "NBER" in F.caption(fig)
    fig = F.decade_bars(decade_table(panel["small.tercile.vw"], panel["large.tercile.vw"]))
    assert len(fig.axes[0].patches) == 30 and "geometric" in F.caption(fig)
    target = Vintage.open("202602", store_dir).target
    fig = F.event_paths(
        panel["small.tercile.vw"],
        panel["large.tercile.vw"],
        cut_dates(target, "1990-01-01")["every cut"],
        draws=50,
    )
    assert fig.axes[0].get_xlabel().startswith("months after")
    assert "placebo" in F.caption(fig) and len(_lines(fig)) >= 1
    fig = F.rolling_relative_fig(panel)
    assert {ln.get_label() for ln in _lines(fig)} >= {"trailing 10y", "trailing 15y"}
    fig = F.relative_beme_fig(panel)
    assert "6_Portfolios_2x3" in F.caption(fig)


def test_specification_plot(verified):
    r = verified["easing-tailwind"]  # the session's run of every claim (seed 0, 2,000 draws)
    fig = F.specification_plot(r)
    units = {s.estimate.units for p in r.parts for s in p.part.specs}
    curves = [ax for ax in fig.axes if ax.get_title()]
    assert len(curves) == len(units)  # one panel per unit of measurement
    assert sum(len(ax.collections[0].get_offsets()) for ax in curves) == len(r.specifications)
    assert "headline" in F.caption(fig)


def test_saved_figures_are_deterministic(tmp_path):
    import pandas as pd

    from smallcap_bt.reports.plots import spec_curve_plot

    t = pd.DataFrame(
        {
            "spec": ["a|1m", "b|1m"],
            "estimate": [0.01, -0.02],
            "ci_low": [0.0, -0.03],
            "ci_high": [0.02, -0.01],
            "agrees": [True, False],
        }
    )
    saved = []
    for i in range(2):
        (tmp_path / str(i)).mkdir()
        fig = spec_curve_plot(t, headline="a|1m", units="decimal, per month", title="t")
        saved.append(F.save(fig, tmp_path / str(i) / "spec_x.y", ("png", "svg", "pdf")))
    for a, b in zip(*saved, strict=True):
        assert a.name == b.name and a.read_bytes() == b.read_bytes(), a.name
    png = saved[0][0].read_bytes()
    width = int.from_bytes(png[16:20], "big")  # IHDR: 6.5 in at 200 dpi
    assert width == pytest.approx(6.5 * 200, abs=2)
    svg = saved[0][1].read_text()
    assert "<dc:date>" not in svg


def test_cite(store_dir, capsys):
    assert main(["--store", str(store_dir), "cite", "--vintage", "202602"]) == 0
    out = capsys.readouterr().out
    assert "@software{smallcap_bt" in out and f"version = {{{sb.__version__}}}" in out
    assert "CRSP database vintages 202510, 202511, 202602" in out
    # fetched over loopback by the session fixture: every file has its download date
    from smallcap_bt.data.store import Store

    recs = Store(store_dir).manifest("202602")["files"].values()
    latest = max(r["retrieved_at"][:10] for r in recs if r["source"] == "french")
    french = out[out.index("@misc{french_data_library") :].split("\n}\n")[0]
    assert f"  year = {{2026}},\n  urldate = {{{latest}}}," in french  # CRSP 202602
    assert "unknown" not in french
    assert "@misc{fred_dfedtaru" in out and "urldate = {" in out
    assert out.count("@") == 2 + 17


# --------------------------------------------------------------------------- Summary objects
def _summary():
    import pandas as pd

    from smallcap_bt.reports.summary import Summary

    s = Summary("fed-cuts-since-1990: supported")
    s.add_table(
        pd.DataFrame({"spec": ["tercile.vw|every cut|12m"], "n": [np.int64(55)], "p": [0.0746]}),
        title="headline",
    )
    s.add_table([{"agree": "47/60", "units": "decimal_{cum} 100% & more"}])
    s.add_note("windows start the month after the event month")
    return s


def test_summary_text_html_latex():
    from html.parser import HTMLParser

    s = _summary()
    text = s.as_text()
    lines = text.splitlines()
    assert lines[0].strip() == "fed-cuts-since-1990: supported" and str(s) == text
    assert "np.int64" not in text and " 55 " in text + " "
    header = next(ln for ln in lines if ln.startswith("spec"))
    row = lines[lines.index(header) + 2]
    assert row.index("55") == header.index("n")  # columns aligned under their header
    assert text.endswith("[1] windows start the month after the event month")

    class Tags(HTMLParser):
        def __init__(self):
            super().__init__()
            self.stack, self.tables = [], 0

        def handle_starttag(self, tag, attrs):
            self.stack.append(tag)
            self.tables += tag == "table"

        def handle_endtag(self, tag):
            assert self.stack.pop() == tag  # well nested

    p = Tags()
    p.feed(s._repr_html_())
    assert p.tables == 2 and p.stack == []
    assert "&amp; more" in s.as_html()
    tex = s.as_latex()
    assert tex.count(r"\begin{tabular}") == tex.count(r"\end{tabular}") == 2
    assert r"100\% \& more" in tex and r"decimal\_\{cum\}" in tex
    from smallcap_bt.reports.tables import tex_escape

    # OT1 (LaTeX's default encoding) prints a bare |, < and > as an em dash, ¡ and ¿
    assert tex_escape("smb|hac <0.1>") == r"smb\textbar{}hac \textless{}0.1\textgreater{}"
    body = [ln for ln in tex.splitlines() if ln.endswith(r"\\") and "&" in ln]
    assert all(len(re.findall(r"(?<!\\)&", ln)) == ln.count("&") - ln.count(r"\&") for ln in body)


# --------------------------------------------------------------------------- result figures
def _spec_table():
    """A made-up fed-cut-like table: 3 horizons (units) x 4 definitions x 2 event sets."""
    import pandas as pd

    rows = []
    g = np.random.default_rng(3)
    for h in (1, 12, 24):
        for d in ("tercile.vw", "quintile.vw", "tercile.ew", "decile.ew"):
            for ev in ("every cut", "first cut of cycle"):
                est = float(g.normal(0.004 * h, 0.01))
                rows.append(
                    {
                        "spec": f"{d}|{ev}|{h}m",
                        "estimate": est,
                        "ci_low": est - 0.01,
                        "ci_high": est + 0.01,
                        "units": f"decimal, cumulative over {h} months (compounded)",
                        "agrees": est > 0,
                    }
                )
    return pd.DataFrame(rows)


def _text_inside(fig):
    """Every visible text's extent lies inside the figure canvas (nothing cut)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    r = canvas.get_renderer()
    drawn = fig.get_tightbbox(r).transformed(fig.dpi_scale_trans)  # everything drawn, pixels
    box = fig.bbox
    assert drawn.x0 >= box.x0 - 1 and drawn.x1 <= box.x1 + 1, (drawn, box)
    assert drawn.y0 >= box.y0 - 1 and drawn.y1 <= box.y1 + 1, (drawn, box)


def test_spec_curve_one_panel_per_units_sorted_and_coloured():
    from matplotlib import colors as mcolors
    from matplotlib import pyplot as plt

    from smallcap_bt.reports.plots import AGAINST, CLAIM_WAY, caption, spec_curve_plot

    t = _spec_table()
    head = "tercile.vw|every cut|12m"
    fig = spec_curve_plot(t, headline=head, stated=0.05, joint_p=0.0312, title="fed cuts")
    assert plt.get_fignums() == []  # built outside pyplot: nothing leaks
    curves = [ax for ax in fig.axes if ax.get_title()]
    assert [ax.get_title() for ax in curves] == [
        "% cumulative over 1 months",
        "% cumulative over 12 months",
        "% cumulative over 24 months",
    ]
    assert "joint test p = 0.0312" in fig.get_suptitle()
    for ax, h in zip(curves, (1, 12, 24), strict=True):
        want = np.sort(t.loc[t["units"].str.contains(f"over {h} months"), "estimate"]) * 100
        dots = ax.collections[0]
        np.testing.assert_allclose(dots.get_offsets()[:, 1], want)  # sorted, in percent
        agrees = want > 0
        got = [mcolors.to_hex(c) for c in dots.get_facecolors()]
        assert got == [CLAIM_WAY if a else AGAINST for a in agrees]
    # the stated figure (5%) is a line on the headline's panel only
    stated = [ln for ax in curves for ln in ax.get_lines() if ln.get_linestyle() == "--"]
    assert len(stated) == 1 and stated[0].get_ydata()[0] == pytest.approx(5.0)
    assert stated[0].axes is curves[1]
    assert "tercile.vw|every cut|12m" in caption(fig) and "np." not in caption(fig)
    assert type(caption(fig)) is str
    _text_inside(fig)


def test_spec_curve_never_red_for_agreeing_specs():
    from matplotlib import colors as mcolors

    from smallcap_bt.reports.plots import spec_curve_plot

    t = _spec_table()
    t["estimate"] = t["estimate"].abs() + 0.001
    t["agrees"] = True
    fig = spec_curve_plot(t, headline="tercile.vw|every cut|1m", title="all agree")
    for ax in fig.axes:
        for coll in ax.collections:
            for c in coll.get_facecolors():
                r, g, b, _ = c
                assert not (r > 0.6 and g < 0.35 and b < 0.35), mcolors.to_hex(c)


def test_event_study_plot():
    import pandas as pd

    from smallcap_bt.reports.plots import caption, event_study_plot

    h = pd.Index(range(1, 25), name="months")
    table = pd.DataFrame(
        {"mean": np.linspace(0, 0.1, 24), "placebo_low": -0.02, "placebo_high": 0.03}, index=h
    )
    fig = event_study_plot(table, n_events=55, draws=2000, event_label="Fed cuts")
    ax = fig.axes[0]
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), np.linspace(0, 10, 24))
    assert ax.get_xlabel() == "months after the event month"
    assert "2,000 draws" in caption(fig) and "55 Fed cuts" in caption(fig)
    _text_inside(fig)


def _kernel_job(name: str, cells: list[str], **set_env: str) -> Job:
    """A notebook of ``cells`` run in a fresh kernel with no ``MPLBACKEND`` (a background
    job, ``tests/nbrun.py``): it overlaps with the in-process tests."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    return Job(
        name,
        (sys.executable, str(REPO / "tests" / "nbrun.py"), "{tmp}/in.ipynb", "{tmp}/out.ipynb"),
        files={"in.ipynb": nbformat.writes(nb)},
        unset_env=("MPLBACKEND",),
        set_env=set_env,
    )


def _executed(res) -> list:
    import nbformat

    assert res.returncode == 0, res.stderr[-3000:]  # nbclient stops at a cell error
    return nbformat.read(res.tmp / "out.ipynb", as_version=4).cells


INLINE = _kernel_job(
    "kernel-inline",
    [
        "import pandas as pd\n"
        "from smallcap_bt.reports.plots import spec_curve_plot\n"
        "t = pd.DataFrame({'spec': ['a|1m', 'b|1m'], 'estimate': [0.01, -0.02],\n"
        "                  'ci_low': [0.0, -0.03], 'ci_high': [0.02, -0.01],\n"
        "                  'agrees': [True, False]})\n"
        "spec_curve_plot(t, headline='a|1m', units='decimal, per month', title='t')",
        "from smallcap_bt.reports.figures import equity_curves\n"
        "w = pd.DataFrame({'best': [1.0, 1.1], 'benchmark': [1.0, 1.05]},\n"
        "                 index=pd.period_range('2000-01', periods=2, freq='M'))\n"
        "equity_curves(w, 'sweep', 'note')",
        "from smallcap_bt.reports.summary import Summary\nSummary('title', [[{'a': 1}]])",
    ],
)


@pytest.mark.slow
@pytest.mark.background(INLINE)
def test_figure_displays_inline_in_a_fresh_kernel(background):
    """A Figure returned by a cell shows as image/png with no magic (nbclient, real kernel)."""
    cells = _executed(background(INLINE))
    out = cells[0].outputs
    assert any("image/png" in o.get("data", {}) for o in out), out
    assert not any(o.get("output_type") == "error" for o in out)
    assert any("image/png" in o.get("data", {}) for o in cells[1].outputs), cells[1].outputs
    html = cells[2].outputs[0]["data"]
    assert "text/html" in html and "<table" in html["text/html"]


# --------------------------------------------------------------------------- tearsheet
def test_tearsheet_hand_computed():
    import pandas as pd

    from smallcap_bt.reports.tearsheet import tearsheet, yearly_table

    idx = pd.period_range("2020-11", "2023-10", freq="M")
    s = pd.Series(0.01, index=idx)
    s[pd.Period("2021-03", "M")] = -0.20  # one drawdown of exactly -20% from the peak
    b = pd.Series(0.0, index=idx)
    y = yearly_table(s, b)
    assert list(y.index) == [2020, 2021, 2022, 2023]
    assert list(y["months"]) == [2, 12, 12, 10]
    assert y.loc[2020, "strategy"] == pytest.approx(1.01**2 - 1)
    assert y.loc[2021, "strategy"] == pytest.approx(1.01**11 * 0.8 - 1)
    assert y.loc[2022, "excess"] == pytest.approx(1.01**12 - 1)
    ts = tearsheet(s, b, name="rotation", bench_name="large")
    assert ts.stats["max drawdown [%]"] == pytest.approx(-20.0)
    assert ts.stats["CAGR [%]"] == pytest.approx(((1.01**35 * 0.8) ** (12 / 36) - 1) * 100)
    assert ts.stats["worst year [%]"] == pytest.approx((1.01**11 * 0.8 - 1) * 100)
    assert len(ts.figure.axes) == 3 and "rotation vs large" in ts.figure.get_suptitle()
    _text_inside(ts.figure)


def test_tearsheet_from_a_sweep_like_result_labels_plainly():
    from types import SimpleNamespace

    import pandas as pd

    from smallcap_bt.reports.tearsheet import tearsheet_from_sweep

    idx = pd.period_range("1990-01", "1995-12", freq="M")
    g = np.random.default_rng(0)
    cols = pd.MultiIndex.from_tuples([("every cut", np.int64(12)), ("first cut", np.int64(3))])
    rets = pd.DataFrame(g.normal(0.01, 0.04, (len(idx), 2)), index=idx, columns=cols)
    res = SimpleNamespace(
        strategy="fed-cut",
        best=("every cut", np.int64(12)),
        benchmark=pd.Series(g.normal(0.008, 0.04, len(idx)), index=idx),
        backtest=SimpleNamespace(returns=rets, other="large"),
    )
    ts = tearsheet_from_sweep(res)
    assert ts.name == "fed-cut (every cut, 12)"  # no np.int64(...) in labels
    with pytest.raises(KeyError, match="not in this sweep's 2 variants"):
        tearsheet_from_sweep(res, ("every cut", 99))


def test_claim_summary_from_json():
    from smallcap_bt.reports.summary import Summary, claim_summary

    claim = {
        "id": "fed-cuts-since-1990",
        "quote": "Since 1990, US small-caps have outperformed ...",
        "testable": True,
        "verdict": "supported",
        "hypothesis": "Mean small-minus-large after Fed cuts is positive.",
        "source": [{"key": "001", "title": "T", "author": "A", "publisher": "P", "date": "D"}],
        "headline": {
            "spec": "tercile.vw|every cut|12m",
            "estimate": 0.0873,
            "ci_low": 0.0031,
            "ci_high": 0.1374,
            "p_value": 0.0746,
            "units": "decimal, cumulative over 12 months (compounded)",
            "start": "1990-08",
            "end": "2025-12",
            "method": "episode bootstrap",
        },
        "robustness": {"agree": 47, "total": 60},
        "joint": {"p_count": 0.012, "p_median": 0.03},
        "parts": [],
    }
    s = claim_summary(claim, vintage="202602")
    assert isinstance(s, Summary) and s.title == "fed-cuts-since-1990: supported"
    text = s.as_text()
    assert "8.73% cumulative over 12 months (compounded)" in text
    assert "[0.31%, 13.74%]" in text and "47/60" in text
    assert re.search(r"joint p\s+0\.03\b", text) and "0.012" not in text  # p_median
    assert "data vintage 202602" in text and max(len(x) for x in text.splitlines()) <= 100
    assert "<table" in s._repr_html_() and r"8.73\%" in s.as_latex()


def test_tex_figures_are_vector_and_listed(report, tmp_path):
    """--tex-figures: PDF figures (no creation date) and a figures.tex that includes them."""
    import shutil

    from smallcap_bt.reports import render

    out = tmp_path / "rep"
    shutil.copytree(report, out)
    doc = json.loads((out / "results.json").read_text())
    claims = [c for c in doc["claims"] if c["testable"]][:2]
    caps = render._draw_specs(claims, str(out / "figures"), ("png", "pdf"))
    ov = {"figures": [], "strategy": None}
    paths = render._write(out, doc, (out / "results.json").read_text(), caps, ov, True, 0)
    tex = paths["figures.tex"].read_text()
    for c in claims:
        pdf = out / "figures" / f"spec_{c['id']}.pdf"
        assert pdf.read_bytes()[:5] == b"%PDF-" and b"CreationDate" not in pdf.read_bytes()
        assert rf"\includegraphics[width=\linewidth]{{figures/spec_{c['id']}.pdf}}" in tex
    assert tex.count(r"\begin{figure}") == tex.count(r"\end{figure}") == len(claims)
    assert tex.count("{") == tex.count("}")


CLAIM_AND_SWEEP = _kernel_job(
    "kernel-claim-and-sweep",
    [
        "import smallcap_bt as sb\n"
        "r = sb.verify('fed-cuts-since-1990', vintage='202602', draws=100, joint_draws=0)\n"
        "r.plot()",
        "sb.sweep('fed-cut', vintage='202602').plot()",
        "r.summary()",
    ],
    SMALLCAP_BT_HOME="{store}",
)


@pytest.mark.background(CLAIM_AND_SWEEP)
def test_claim_and_sweep_plots_display_in_a_fresh_kernel(background):
    """The done-when of issue 13: in a fresh Jupyter kernel ``sb.verify(...).plot()`` and
    ``sb.sweep("fed-cut").plot()`` display charts, and ``.summary()`` renders as HTML."""
    cells = _executed(background(CLAIM_AND_SWEEP))
    for cell in cells[:2]:
        assert any("image/png" in o.get("data", {}) for o in cell.outputs), cell.outputs
    html = cells[2].outputs[0]["data"]["text/html"]
    assert "fed-cuts-since-1990" in html and "<table" in html


def test_a_report_on_french_files_only_says_what_it_left_out(tmp_path):
    """No FRED series: no recession shading, no Fed-cut figure, no strategy tearsheet, each
    said in the report (the report ended in a KeyError after drawing its figures)."""
    from smallcap_bt.data.load import import_snapshot
    from smallcap_bt.reports import render

    import_snapshot(FRENCH / "202602", "fr", store=tmp_path / "s")
    paths = render.build_report(
        tmp_path / "out", "fr", store=tmp_path / "s", claims=["more-volatile"], draws=40,
        joint_draws=0,
    )  # fmt: skip
    md = paths["report.md"].read_text()
    assert "recessions not shaded (FRED USREC is not in this vintage)" in md
    assert "The Fed-cut figure and the strategy tearsheet are left out" in md
    assert "## Strategy tearsheet" not in md and "fed_cuts.png" not in md
    assert "are left out" in paths["report.html"].read_text()
    _assert_well_formed_markdown(md)


def test_a_report_into_an_older_reports_folder_leaves_none_of_its_files(store_dir, tmp_path):
    """A report written over an earlier one (with --tex-figures and another claim) kept the
    old claim's figures and a figures.tex that included them (a bad-input battery). Files
    that are not the report's own names stay."""
    from smallcap_bt.reports import render

    kw = {"store": store_dir, "strategies": False, "draws": 40, "joint_draws": 0}
    render.build_report(tmp_path, "202602", claims=["more-volatile", "best-decade-1970s"],
                        tex_figures=True, **kw)  # fmt: skip
    (tmp_path / "figures" / "mine.png").write_bytes(b"a user's file")
    render.build_report(tmp_path, "202602", claims=["more-volatile"], **kw)
    figs = sorted(p.name for p in (tmp_path / "figures").iterdir())
    assert "spec_best-decade-1970s.png" not in figs and not any(f.endswith(".pdf") for f in figs)
    assert "spec_more-volatile.png" in figs and "mine.png" in figs
    assert not (tmp_path / "figures.tex").exists()


def test_no_claim_on_both_vintages_is_said_not_a_crash(store_dir, tmp_path):
    """202302 has no 2x3 portfolios: ``verify --vintages`` of the valuation claim alone is a
    data error naming what it lacks (it said "no claims given"), and a report's section says
    that nothing could be compared (it failed after drawing every figure)."""
    from smallcap_bt.claims.runner import verify_vintages
    from smallcap_bt.exceptions import DataUnavailableError
    from smallcap_bt.reports import render

    claims = ["cheap-relative-to-large"]
    with pytest.raises(DataUnavailableError, match=r"none of the claims can run on both.*beme"):
        verify_vintages(["202302", "202602"], claims, store=store_dir, draws=40)
    paths = render.build_report(
        tmp_path, "202602", store=store_dir, claims=claims, strategies=False, draws=40,
        joint_draws=0, compare_vintage="202302",
    )  # fmt: skip
    md = paths["report.md"].read_text()
    block = md.split("## Vintage sensitivity")[1].split("## Data vintage")[0]
    assert "No claim of this report can run on both vintages." in block
    assert "cheap-relative-to-large (needs ff.portfolios_2x3.beme" in block
    _assert_well_formed_markdown(md)
    assert "No claim of this report can run on both" in paths["report.html"].read_text()


def test_report_vintage_sensitivity_section(store_dir, tmp_path, monkeypatch):
    """``report --compare-vintage``: the same claims on 202302 and 202602 side by side, flips
    counted, claims lacking data in one vintage listed. The claims run on the other vintage
    only (the report's own results are reused), and the section is what ``verify_vintages``
    (both run afresh) says."""
    import smallcap_bt.claims.runner as runner
    from smallcap_bt.claims import load_catalogue
    from smallcap_bt.reports import render
    from smallcap_bt.reports.scorecard import sensitivity_rows

    # a user's claim (report --claims FILE) beside the built-in ones: the section resolved
    # claims by id only and crashed on it (exit 4, a bad-input battery)
    (user,) = load_catalogue(REPO / "examples" / "claims" / "first-hike.toml")
    ids = ["size-premium-long-run", "more-volatile", "cheap-relative-to-large", user]
    kw = {"draws": 100, "joint_draws": 0}
    calls, sections = [], []
    verify_all, section = runner.verify_all, render._sensitivity
    monkeypatch.setattr(
        runner, "verify_all", lambda *a, **k: calls.append(a[1]) or verify_all(*a, **k)
    )
    monkeypatch.setattr(
        render, "_sensitivity", lambda *a: sections.append(section(*a)) or sections[-1]
    )
    paths = render.build_report(
        tmp_path,
        "202602",
        store=store_dir,
        claims=ids,
        strategies=False,
        compare_vintage="202302",
        **kw,
    )
    assert [getattr(v, "name", v) for v in calls] == ["202602", "202302"]
    md = paths["report.md"].read_text()
    html = paths["report.html"].read_text()
    assert "## Vintage sensitivity" in md and 'id="sensitivity"' in html
    block = md.split("## Vintage sensitivity")[1].split("## Data vintage")[0]
    vintage = [ln for ln in md.split("## Data vintage")[1].splitlines() if ln.startswith("- ff.")]
    assert vintage and all(ln.endswith("CRSP database.") for ln in vintage), vintage
    assert "| size-premium-long-run |" in block and "| more-volatile |" in block
    assert f"| {user.id} |" in block
    # decimal estimates in percent, with their units (they were bare decimals)
    row = next(ln for ln in block.splitlines() if ln.startswith("| more-volatile |"))
    assert re.search(r"\| \d+\.\d\d% \| \d+\.\d\d% \| -?\d+\.\d\d% \| per year, annualised", row), (
        row
    )
    # 202302 has no 2x3 portfolios: the valuation claim cannot run on both vintages
    assert "cheap-relative-to-large (needs ff.portfolios_2x3" in block
    monkeypatch.setattr(runner, "verify_all", verify_all)
    pair = ["202302", "202602"]
    _, table, skipped = runner.verify_vintages(pair, ids, store=store_dir, **kw)
    _assert_well_formed_markdown(md)
    assert sections[0]["rows"] == sensitivity_rows(table, pair)
    assert sections[0]["flips"] == int(table["flipped"].sum())
    assert [s.split(" ")[0] for s in sections[0]["skipped"]] == [c for c, _ in skipped]


def test_an_interrupted_report_leaves_the_earlier_one_whole(store_dir, tmp_path, monkeypatch):
    """A report stopped after drawing its figures (Ctrl-C) left its new figures beside the
    earlier report's documents (a bad-input battery). It is now written in a staging folder
    and moved into place at the end: the earlier report stays byte for byte, and a staging
    folder left by a killed report is cleared by the next one."""
    from smallcap_bt.reports import render

    kw = {"store": store_dir, "strategies": False, "draws": 40, "joint_draws": 0}
    render.build_report(tmp_path, "202602", claims=["more-volatile"], **kw)
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}

    def interrupted(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(render, "_write", interrupted)
    with pytest.raises(KeyboardInterrupt):
        render.build_report(tmp_path, "202602", claims=["best-decade-1970s"], **kw)
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before
    monkeypatch.undo()
    (tmp_path / render.STAGING / "figures").mkdir(parents=True)  # as a killed report left it
    (tmp_path / render.STAGING / "figures" / "spec_old.png").write_bytes(b"x")
    paths = render.build_report(tmp_path, "202602", claims=["best-decade-1970s"], **kw)
    assert not (tmp_path / render.STAGING).exists()
    assert paths["report.md"] == tmp_path / "report.md" and paths["report.md"].is_file()
    assert "best-decade-1970s" in paths["report.md"].read_text()
    assert (tmp_path / "figures" / "spec_best-decade-1970s.png").is_file()
    assert not (tmp_path / "figures" / "spec_more-volatile.png").exists()
