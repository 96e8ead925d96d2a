"""The report's content as plain data, read from the results JSON (``ver.to_dict()``).

Pure functions, no I/O: a scorecard grouped by source text and one section per claim, every
number formatted once (:func:`smallcap_bt.reports.tables.fmt`) and said with its units. The
templates (``reports/templates``) only lay these out.

Optional keys read when present: ``claims[*].joint`` (``p_median``: the joint test over all
specifications, by its median statistic, as the verdicts use it) and ``claims[*].p_adjusted``
(multiple-testing adjusted p).
"""

from __future__ import annotations

from typing import Any

from smallcap_bt.reports.tables import fmt


def unit_text(units: str) -> str:
    """What a value is, without the leading ``decimal``: ``"decimal, per year, arithmetic"``
    -> ``"per year, arithmetic"``; other units unchanged."""
    u = (units or "").strip()
    if u.startswith("decimal"):
        return u[len("decimal") :].strip(" ,")
    return u


def measured(value: Any, units: str) -> str:
    """A value with its units: ``"8.73% cumulative over 12 months (...)"``."""
    if value is None:
        return ""
    return f"{fmt(value, units)} {unit_text(units)}".strip()


def _reproduced(num: dict[str, Any], units: str) -> str:
    """``; reproduced: yes`` or ``; reproduced: no (closest specification ...)``: whether the
    headline lies within the stated figure's tolerance, reported apart from the verdict."""
    if num.get("reproduced") is None:
        return ""
    if num["reproduced"]:
        return "; reproduced: yes"
    close = num.get("closest_estimate")
    where = (
        f" (closest specification {num.get('closest_spec', '')}: {fmt(close, units)})"
        if close is not None
        else ""
    )
    return f"; reproduced: no{where}"


def _stated(claim: dict[str, Any]) -> tuple[str, str]:
    """(claimed figure with units, direction text) of a claim."""
    for part in claim.get("parts") or []:
        num = part.get("numeric") or {}
        if num.get("stated") is not None:
            units = (part.get("headline") or {}).get("units", "")
            tol = num.get("tolerance")
            text = fmt(num["stated"], units)
            if tol is not None:
                text += f" ± {fmt(tol, units)}"
            return text + _reproduced(num, units), ""
    num = claim.get("numeric") or {}
    if num.get("stated") is not None:
        units = (claim.get("headline") or {}).get("units", "")
        return fmt(num["stated"], units), ""
    return "", claim.get("hypothesis", "")


def _joint(claim: dict[str, Any]) -> str:
    """The joint test's p-value the verdict uses: its median statistic (``p_median``)."""
    j = claim.get("joint")
    if isinstance(j, dict) and j.get("p_median") is not None:
        return fmt(float(j["p_median"]))
    return ""


def _joint_scope(claim: dict[str, Any]) -> str:
    """Which specifications the joint test re-estimated: ``all 84 specifications`` or ``240 of
    the 270 specifications (not the episode-weighted ones ...)``."""
    j = claim.get("joint")
    total = (claim.get("robustness") or {}).get("total")
    if not isinstance(j, dict) or j.get("n_specs") is None or not total:
        return "all specifications"
    n = int(j["n_specs"])
    if n >= total:
        return f"all {total} specifications"
    return (
        f"{n} of the {total} specifications (those it re-estimates on every null draw, "
        "e.g. not episode-weighted means)"
    )


def source_label(src: dict[str, Any]) -> str:
    """``Author, Publisher (date), Title``."""
    who = f"{src['author']}, " if src.get("author") else ""
    return f"{who}{src.get('publisher', '')} ({src.get('date', '')}), {src.get('title', '')}"


def scorecard(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """Claims grouped by their (first) source, in order of first appearance.

    Returns
    -------
    list of dict
        ``{"source": str, "key": str, "rows": [row, ...]}``; each row has ``id``, ``words``
        (the quote), ``claimed``, ``direction``, ``measured``, ``verdict``, ``agree``,
        ``p``, ``joint_p``, ``p_adjusted`` (formatted strings, empty when absent).
    """
    groups: dict[str, dict[str, Any]] = {}
    for c in doc["claims"]:
        src = (c.get("source") or [{}])[0]
        key = str(src.get("key", "")) or "?"
        g = groups.setdefault(key, {"key": key, "source": source_label(src), "rows": []})
        h = c.get("headline") or {}
        rob = c.get("robustness") or {}
        claimed, direction = _stated(c)
        g["rows"].append(
            {
                "id": c["id"],
                "words": c.get("quote", ""),
                "claimed": claimed,
                "direction": direction if c.get("testable") else "",
                "measured": measured(h.get("estimate"), h.get("units", "")),
                "verdict": str(c.get("verdict", "")),
                "verdict_text": str(c.get("verdict", "")).replace("_", " "),
                "agree": f"{rob['agree']}/{rob['total']}" if rob.get("total") else "",
                "p": fmt(h.get("p_value")),
                "joint_p": _joint(c),
                "p_adjusted": fmt(c.get("p_adjusted")),
                "reason": c.get("reason", "") if not c.get("testable") else "",
            }
        )
    return list(groups.values())


def spec_rows(claim: dict[str, Any]) -> list[dict[str, str]]:
    """One formatted row per specification of a claim, units said on every row."""
    out = []
    for s in claim.get("specifications") or []:
        u = s.get("units", "")
        ci = (
            f"[{fmt(s['ci_low'], u)}, {fmt(s['ci_high'], u)}]"
            if s.get("ci_low") is not None
            else ""
        )
        out.append(
            {
                "part": str(s.get("part", "")),
                "spec": str(s["spec"]),
                "estimate": fmt(s.get("estimate"), u),
                "ci": ci,
                "units": unit_text(u),
                "p": fmt(s.get("p_value")),
                "n": fmt(s.get("n")),
                "dates": f"{s.get('start', '')}..{s.get('end', '')}",
                "agrees": fmt(s.get("agrees")),
            }
        )
    return out


def sections(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """Per-claim sections: the claim's text, source, test, parts and specification rows."""
    out = []
    for c in doc["claims"]:
        parts = []
        for p in c.get("parts") or []:
            ph = p.get("headline") or {}
            num = p.get("numeric")
            parts.append(
                {
                    "name": p.get("name", ""),
                    "verdict": p.get("verdict", ""),
                    "hypothesis": p.get("hypothesis", ""),
                    "spec": ph.get("spec", ""),
                    "measured": measured(ph.get("estimate"), ph.get("units", "")),
                    "dates": f"{ph.get('start', '')}..{ph.get('end', '')}",
                    "method": ph.get("method", ""),
                    "agree": f"{p['robustness']['agree']}/{p['robustness']['total']}",
                    "stated": (
                        f"{fmt(num['stated'], ph.get('units', ''))}, reproduced: "
                        f"{fmt(num.get('reproduced'))}, closest {num.get('closest_spec')}"
                        if num
                        else ""
                    ),
                }
            )
        out.append(
            {
                "id": c["id"],
                "verdict": str(c.get("verdict", "")),
                "verdict_text": str(c.get("verdict", "")).replace("_", " "),
                "quote": c.get("quote", ""),
                "sources": "; ".join(source_label(s) for s in c.get("source") or []),
                "as_of": c.get("as_of", ""),
                "testable": bool(c.get("testable")),
                "reason": c.get("reason", ""),
                "hypothesis": c.get("hypothesis", ""),
                "test": c.get("test", ""),
                "fidelity": c.get("fidelity", ""),
                "proxy": c.get("proxy", ""),
                "parts": parts,
                "joint_p": _joint(c),
                "joint_scope": _joint_scope(c),
                "specs": spec_rows(c),
            }
        )
    return out


def vintage_lines(doc: dict[str, Any]) -> list[str]:
    """One line per dataset of the vintage: file, sha256 prefix, first..last, the header's
    sentence naming the CRSP database."""
    from smallcap_bt.data.parse import header_sentence

    rows = []
    for ds, v in sorted(doc["vintage"]["datasets"].items()):
        source = f" (file version of vintage {v['from_vintage']})" if v.get("from_vintage") else ""
        rows.append(
            f"{ds}: {v['file']}{source} sha256 {v['sha256'][:16]}… "
            f"{v['first']}..{v['last']} {header_sentence(v.get('vintage_line'))}".strip()
        )
    return rows


def sensitivity_rows(table: Any, names: list[str]) -> list[dict[str, str]]:
    """Rows of the "Vintage sensitivity" section from
    :func:`smallcap_bt.data.drift.compare_verifications` (verdicts and headlines side by side)."""

    def value(x: Any, units: str = "") -> str:
        if x is None or (isinstance(x, float) and x != x):
            return ""
        return fmt(x, units)

    return [
        {
            "claim": str(cid),
            f"verdict {names[0]}": value(r["verdict_a"]),
            f"verdict {names[1]}": value(r["verdict_b"]),
            "flip": "flip" if r["flipped"] else "",
            f"headline {names[0]}": value(r["estimate_a"], str(r["units"] or "")),
            f"headline {names[1]}": value(r["estimate_b"], str(r["units"] or "")),
            "change": value(r["change"], str(r["units"] or "")),
            "units": unit_text(str(r["units"] or "")),
        }
        for cid, r in table.iterrows()
    ]
