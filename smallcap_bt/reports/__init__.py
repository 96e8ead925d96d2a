"""Reports: tables, figures, the Markdown/HTML/LaTeX/JSON report, and citations."""

from smallcap_bt.reports.cite import bibtex
from smallcap_bt.reports.render import build_report
from smallcap_bt.reports.tables import fmt, latex_table, summary_rows

__all__ = ["bibtex", "build_report", "fmt", "latex_table", "summary_rows"]
