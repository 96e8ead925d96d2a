"""Reports: HTML in a real headless browser, LaTeX structure, numbers equal to the JSON,
figures with their axes, series and captions, and citations."""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess

import numpy as np
import pytest

import smallcap_bt as sb
from smallcap_bt.cli import main
from smallcap_bt.reports import figures as F
from smallcap_bt.reports.tables import fmt, summary_rows

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def report(store_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    assert (
        main(
            [
                "--store",
                str(store_dir),
                "report",
                "--out",
                str(out),
                "--vintage",
                "202602",
                "--draws",
                "200",
                "-q",
            ]
        )
        == 0
    )
    return out


def test_report_files(report):
    for name in ("report.md", "report.html", "claims.tex", "results.json"):
        assert (report / name).stat().st_size > 1000, name
    assert (report / "figures" / "wealth.png").is_file()
    assert (report / "figures" / "spec_since-1927-2.85pct.png").is_file()
    assert (report / "figures" / "strategy.svg").is_file()


def test_every_summary_number_equals_the_json(report):
    doc = json.loads((report / "results.json").read_text())
    md = (report / "report.md").read_text()
    html = (report / "report.html").read_text()
    for row in summary_rows(doc):
        line = next(ln for ln in md.splitlines() if ln.startswith(f"| {row['claim']} |"))
        cells = [c.strip() for c in line.strip("|").split("|")]
        assert cells[2] == row["verdict"] and cells[3] == row["estimate"]
        assert cells[4] == row["ci"] and cells[6] == row["agree"]
        assert f"<td>{row['estimate']}</td>" in html or row["estimate"] == ""
    c = next(c for c in doc["claims"] if c["id"] == "since-1927-2.85pct")
    assert fmt(c["headline"]["estimate"], c["headline"]["units"]) in md
    assert fmt(0.02500707070707, "decimal") == "2.50%"


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
        assert len(re.findall(r"(?<!\\)&", row)) == 5, row
        assert not re.search(r"(?<!\\)[%_#$]", row), row
    assert r"\%" in tex and "since-1927-2.85pct" in tex
    assert tex.count("{") == tex.count("}")


def test_html_links_and_images_resolve(report):
    html = (report / "report.html").read_text()
    ids = set(re.findall(r"id='([^']+)'", html))
    for target in re.findall(r"href='#([^']+)'", html):
        assert target in ids
    imgs = re.findall(r"src='data:image/png;base64,([^']+)'", html)
    assert len(imgs) >= 30
    for data in imgs[:5]:
        assert base64.b64decode(data)[:8] == b"\x89PNG\r\n\x1a\n"
    assert "src='http" not in html and 'src="http' not in html  # opens offline


@pytest.mark.skipif(
    CHROMIUM is None,
    reason="Debian chromium not installed (.ci/run installs "
    "it); install with: apt-get install chromium",
)
def test_html_renders_in_headless_browser(report, tmp_path):
    shot = tmp_path / "shot.png"
    cmd = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--window-size=1200,1600",
        f"--screenshot={shot}",
        (report / "report.html").as_uri(),
    ]
    subprocess.run(cmd, capture_output=True, timeout=120, check=False)
    import matplotlib.image as mpimg

    img = mpimg.imread(shot)
    assert img.shape[0] >= 1000 and img.shape[1] >= 1000
    assert float(np.std(img[..., :3])) > 0.05  # not blank: text, tables and a figure


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


def test_specification_plot(store_dir):
    import smallcap_bt as sb

    r = sb.verify("easing-tailwind", vintage="202602", store=store_dir, draws=100)
    fig = F.specification_plot(r)
    assert len(fig.axes[0].get_yticklabels()) == len(r.specifications)
    assert "headline" in F.caption(fig)


def test_cite(store_dir, capsys):
    assert main(["--store", str(store_dir), "cite", "--vintage", "202602"]) == 0
    out = capsys.readouterr().out
    assert "@software{smallcap_bt" in out and f"version = {{{sb.__version__}}}" in out
    assert "CRSP database vintages 202510, 202511, 202602" in out
    assert "@misc{fred_dfedtaru" in out and "urldate = {" in out
    assert out.count("@") == 2 + 17
