"""A summary object in the spirit of statsmodels' ``iolib.summary.Summary``.

One object holds a title, one or more tables and notes, and renders them as plain text
(terminal, ``print``), HTML (notebooks: ``_repr_html_``) and LaTeX (papers). Result objects
return it from ``summary()``; nothing here computes statistics.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

import pandas as pd

from smallcap_bt.reports.tables import fmt, tex_escape

__all__ = ["Summary"]

TableLike: TypeAlias = pd.DataFrame | Sequence[Mapping[str, Any]]


def _frame(table: TableLike) -> pd.DataFrame:
    if isinstance(table, pd.DataFrame):
        return table
    return pd.DataFrame(list(table))


def _cell(value: Any) -> str:
    """Plain text of one cell: numpy scalars become Python values first (no ``np.int64(…)``)."""
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        try:
            value = value.item()
        except (TypeError, ValueError):
            pass
    if isinstance(value, float) and value != value:  # NaN
        return ""
    return fmt(value)


def _text_table(df: pd.DataFrame, index: bool) -> list[str]:
    cols = [str(c) for c in df.columns]
    rows = [[_cell(v) for v in row] for row in df.itertuples(index=False, name=None)]
    if index:
        cols = [str(df.index.name or ""), *cols]
        rows = [[_cell(i), *r] for i, r in zip(df.index, rows, strict=True)]
    widths = [max([len(c)] + [len(r[j]) for r in rows]) for j, c in enumerate(cols)]

    def line(cells: list[str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    rule = "-" * (sum(widths) + 2 * (len(widths) - 1))
    return [line(cols), rule, *(line(r) for r in rows)]


@dataclass
class _Table:
    frame: pd.DataFrame
    title: str = ""
    index: bool = False


class Summary:
    """Title, tables and notes rendered as text, HTML or LaTeX.

    Parameters
    ----------
    title : str
        One line shown above everything else.
    tables : list of pandas.DataFrame or list of row dicts, optional
        Tables in display order; add more with :meth:`add_table`.
    notes : list of str, optional
        Footnotes (units, dates, data vintage...), shown once below the tables.

    Examples
    --------
    >>> s = Summary("since-1927-2.85pct: supported")
    >>> s.add_table([{"estimate": "2.50%", "ci": "[0.9%, 4.1%]"}], title="headline")
    >>> s.add_note("decimal returns, arithmetic annual (monthly mean x 12)")
    >>> print(s.as_text().splitlines()[0])
    since-1927-2.85pct: supported
    """

    def __init__(
        self,
        title: str = "",
        tables: Iterable[TableLike] | None = None,
        notes: Iterable[str] | None = None,
    ) -> None:
        self.title = title
        self.tables = [_Table(_frame(t)) for t in (tables or [])]
        self.notes = list(notes or [])

    def add_table(self, table: TableLike, *, title: str = "", index: bool = False) -> Summary:
        """Append a table (a DataFrame or a list of row dicts); returns ``self``."""
        self.tables.append(_Table(_frame(table), title, index))
        return self

    def add_note(self, note: str) -> Summary:
        """Append one note line; returns ``self``."""
        self.notes.append(note)
        return self

    # ------------------------------------------------------------------ renderers
    def as_text(self) -> str:
        """Plain text with aligned columns, as ``print(summary)`` shows it; titles and notes
        wrap to the tables' width (at least 60 characters)."""
        import textwrap

        tables = [_text_table(t.frame, t.index) for t in self.tables]
        width = max([60, *(len(x) for lines in tables for x in lines)])

        def wrap(text: str, indent: str = "") -> list[str]:
            return textwrap.wrap(text, width, subsequent_indent=indent) or [""]

        blocks: list[str] = []
        if self.title:
            blocks += [x.center(width).rstrip() for x in wrap(self.title)]
            blocks.append("=" * width)
        body = [
            "\n".join((wrap(t.title) if t.title else []) + lines)
            for t, lines in zip(self.tables, tables, strict=True)
        ]
        if body:
            blocks.append("\n\n".join(body))
        if self.notes:
            if body:
                blocks.append("=" * width)
            for i, n in enumerate(self.notes, 1):
                blocks += wrap(f"[{i}] {n}", "    ")
        return "\n".join(b for b in blocks if b)

    def as_html(self) -> str:
        """An HTML fragment: a caption-titled table per table, then an ordered list of notes."""
        e = html.escape
        out = ["<div class='smallcap-summary'>"]
        if self.title:
            out.append(f"<h4>{e(self.title)}</h4>")
        for t in self.tables:
            df = t.frame
            head = ([e(str(df.index.name or ""))] if t.index else []) + [
                e(str(c)) for c in df.columns
            ]
            out.append("<table class='simpletable'>")
            if t.title:
                out.append(f"<caption>{e(t.title)}</caption>")
            out.append("<thead><tr>" + "".join(f"<th>{h}</th>" for h in head) + "</tr></thead>")
            out.append("<tbody>")
            for i, row in zip(df.index, df.itertuples(index=False, name=None), strict=True):
                cells = ([f"<th>{e(_cell(i))}</th>"] if t.index else []) + [
                    f"<td>{e(_cell(v))}</td>" for v in row
                ]
                out.append("<tr>" + "".join(cells) + "</tr>")
            out.append("</tbody></table>")
        if self.notes:
            out.append("<ol class='notes'>" + "".join(f"<li>{e(n)}</li>" for n in self.notes))
            out.append("</ol>")
        out.append("</div>")
        return "\n".join(out)

    def as_latex(self) -> str:
        """LaTeX ``tabular`` environments with booktabs rules (``\\usepackage{booktabs}``)."""
        out: list[str] = []
        if self.title:
            out.append(r"\paragraph{" + tex_escape(self.title) + "}")
        for t in self.tables:
            df = t.frame
            head = ([str(df.index.name or "")] if t.index else []) + [str(c) for c in df.columns]
            out.append(r"\begin{tabular}{" + "l" * len(head) + "}")
            if t.title:
                out.append(rf"\multicolumn{{{len(head)}}}{{l}}{{{tex_escape(t.title)}}} \\")
            out.append(r"\toprule")
            out.append(" & ".join(tex_escape(h) for h in head) + r" \\")
            out.append(r"\midrule")
            for i, row in zip(df.index, df.itertuples(index=False, name=None), strict=True):
                cells = ([_cell(i)] if t.index else []) + [_cell(v) for v in row]
                out.append(" & ".join(tex_escape(c) for c in cells) + r" \\")
            out.append(r"\bottomrule")
            out.append(r"\end{tabular}")
        for i, n in enumerate(self.notes, 1):
            out.append(rf"\\ \footnotesize [{i}] {tex_escape(n)}")
        return "\n".join(out) + "\n"

    def __str__(self) -> str:
        return self.as_text()

    def __repr__(self) -> str:
        return self.as_text()

    def _repr_html_(self) -> str:
        return self.as_html()


def claim_summary(claim: dict[str, Any], *, vintage: str | None = None) -> Summary:
    """The summary of one claim result, from its JSON form (``ClaimResult.to_dict()``).

    Parameters
    ----------
    claim : dict
        One claim of the results JSON: ``id``, ``quote``, ``verdict``, ``headline``,
        ``robustness``, ``parts`` (optional ``joint``, ``p_adjusted``, ``reason``).
    vintage : str, optional
        Data vintage name, stated in the notes.

    Returns
    -------
    Summary
        Title ``"<id>: <verdict>"``; a table claimed vs measured (figure with units, 95%
        interval, p-value, agreement, joint p when present); one row per part for two-part
        claims; notes with the headline's units, dates and method.
    """
    from smallcap_bt.reports.scorecard import measured, scorecard, sections

    row = scorecard({"claims": [claim]})[0]["rows"][0]
    sec = sections({"claims": [claim]})[0]
    s = Summary(f"{claim['id']}: {row['verdict_text']}")
    h = claim.get("headline") or {}
    units = h.get("units", "")
    ci = ""
    if h.get("ci_low") is not None and h.get("ci_high") is not None:
        ci = f"[{fmt(h['ci_low'], units)}, {fmt(h['ci_high'], units)}]"
    main = {
        "claimed": row["claimed"] or row["direction"] or "",
        "measured": measured(h.get("estimate"), units) if h else "",
        "95% CI": ci,
        "p": row["p"],
        "agree": row["agree"],
    }
    if row["joint_p"]:
        main["joint p"] = row["joint_p"]
    if row["p_adjusted"]:
        main["adjusted p"] = row["p_adjusted"]
    if claim.get("testable", True):
        rows = [{"": k, "value": v} for k, v in main.items() if v]
        s.add_table(rows, title=claim.get("quote", ""))
    else:
        s.add_note(f"claim: {claim.get('quote', '')}")
    if len(sec["parts"]) > 1:
        s.add_table(
            [
                {"part": p["name"], "verdict": p["verdict"], "headline": p["spec"],
                 "measured": p["measured"], "agree": p["agree"]}
                for p in sec["parts"]
            ],
            title="parts",
        )  # fmt: skip
    if not claim.get("testable", True):
        s.add_note(f"not testable: {claim.get('reason', '')}")
    if h:
        s.add_note(f"headline specification {h.get('spec', '')}: {units}")
        s.add_note(f"{h.get('start', '')}..{h.get('end', '')}; {h.get('method', '')}".strip("; "))
    if vintage:
        s.add_note(f"data vintage {vintage}")
    return s
