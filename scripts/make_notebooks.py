"""Regenerate the notebooks in notebooks/ (without outputs) from the cells below."""

from pathlib import Path

import nbformat as nbf

SETUP = '''import os
from pathlib import Path

import smallcap_bt as sb

# offline: import the data snapshots once into the local store (no network needed)
shared = Path(os.environ.get("SMALLCAP_BT_SHARED_DATA", "../../shared/data"))
if "202602" not in sb.Store().vintages():
    sb.import_snapshot([shared / "french/202602", shared / "french/202510",
                        shared / "french/202511", shared / "fred/2026-08-10"], "202602")
VINTAGE = "202602"'''

NOTEBOOKS = {
    "01_quickstart.ipynb": [
        (
            "md",
            "# Quick start\nLoad data from a pinned vintage, verify one claim, read its evidence.",
        ),
        ("code", SETUP),
        ("code", "sb.catalog().head(10)"),
        (
            "code",
            'vw = sb.load("ff.portfolios_me.monthly.vw", vintage=VINTAGE)\n'
            'vw[["lo_30", "hi_30", "lo_10", "hi_10"]].tail()',
        ),
        ("code", 'r = sb.verify("since-1927-2.85pct", vintage=VINTAGE)\nr'),
        ("code", 'r.specifications[["estimate", "units", "agrees"]]'),
        ("code", 'assert r.verdict in {"supported", "contradicted", "mixed"}'),
    ],
    "02_fed_cut_event_study.ipynb": [
        (
            "md",
            "# Small caps after Fed cuts since 1990\nCuts come from FRED's target series "
            "(effective dates); windows start the month after the cut's month.",
        ),
        ("code", SETUP),
        (
            "code",
            "from smallcap_bt.panel.build import target_rate_daily\n"
            "from smallcap_bt.stats import easing_cycles, event_study, fed_decisions\n"
            "dec = fed_decisions(target_rate_daily(VINTAGE))\n"
            "cuts = dec[(dec.kind == 'cut') & (dec.index >= '1990-01-01')]\n"
            "easing_cycles(dec).tail(6)",
        ),
        (
            "code",
            "panel = sb.monthly_panel(VINTAGE)\n"
            "es = event_study(panel['small.tercile.vw'], panel['large.tercile.vw'], "
            "cuts.index, placebo_draws=2000, boot_draws=2000, seed=1)\nes.summary()",
        ),
        ("code", "es.events.tail()"),
        ("code", "r = sb.verify('fed-cuts-since-1990', vintage=VINTAGE)\nr.summary()"),
    ],
    "03_size_premium.ipynb": [
        (
            "md",
            "# The size premium since 1926\nHAC means, factor alphas, subperiods, and how "
            "much the 202302 and 202602 vintages disagree.",
        ),
        (
            "code",
            SETUP + "\nif '202302' not in sb.Store().vintages():\n"
            "    sb.import_snapshot([shared / 'french/202302'], '202302')",
        ),
        (
            "code",
            "from smallcap_bt.stats import factor_alpha, hac_mean, subperiod_difference\n"
            "panel = sb.monthly_panel(VINTAGE)\n"
            "print(hac_mean(panel['sml.smb'], label='SMB'))\n"
            "print(factor_alpha(panel['sml.decile.vw'], panel, 'capm'))\n"
            "print(subperiod_difference(panel['sml.smb'].dropna(), '1981-01'))",
        ),
        (
            "code",
            "new = sb.load('ff.factors.monthly', VINTAGE)['smb']\n"
            "old = sb.load('ff.factors.monthly', '202302')['smb']\n"
            "common = old.index.intersection(new.index)\n"
            "diff = (new[common] - old[common])\n"
            "print('months revised:', int((diff.abs() > 1e-9).sum()), 'of', len(common))\n"
            "print('mean SMB x 12, 202302 vs 202602 on common months:',\n"
            "      round(old[common].mean() * 12, 5), round(new[common].mean() * 12, 5))",
        ),
    ],
    "04_strategies_overfitting.ipynb": [
        (
            "md",
            "# Trading the claims, and how much of it is luck\nAll variants run in one "
            "vectorbt call; the sweep reports deflated Sharpe, PBO and SPA.",
        ),
        ("code", SETUP),
        (
            "code",
            "from smallcap_bt.strategies import sweep\n"
            "res = sweep('fed-cut', vintage=VINTAGE, start='1990-01', cost_bps=10)\nres",
        ),
        ("code", "res.metrics.sort_values('info_ratio', ascending=False).head()"),
        ("code", "res.overfitting"),
        (
            "code",
            "from smallcap_bt.reports.figures import equity_curves\n"
            "fig = equity_curves(res.equity(), 'Fed-cut rotation', 'best variant vs large')\n"
            "fig",
        ),
    ],
}


def main() -> None:
    out = Path(__file__).resolve().parents[1] / "notebooks"
    out.mkdir(exist_ok=True)
    for name, cells in NOTEBOOKS.items():
        nb = nbf.v4.new_notebook()
        nb.cells = [
            nbf.v4.new_markdown_cell(src) if kind == "md" else nbf.v4.new_code_cell(src)
            for kind, src in cells
        ]
        nb.metadata["kernelspec"] = {
            "name": "python3",
            "display_name": "Python 3",
            "language": "python",
        }
        nbf.write(nb, out / name)


if __name__ == "__main__":
    main()
