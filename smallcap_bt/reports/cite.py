"""Citation: BibTeX for the library and for the data sources of a vintage."""

from __future__ import annotations

from smallcap_bt._version import __version__
from smallcap_bt.data.load import vintage_info
from smallcap_bt.panel.definitions import StoreArg


def bibtex(vintage: str | None = None, *, store: StoreArg = None) -> str:
    """BibTeX entries: smallcap_bt, the Kenneth French Data Library (with the CRSP vintages of
    the files used) and every FRED series of the vintage (with retrieval dates).

    The ``urldate`` of a FRED series is when its bytes left FRED: the download time for a
    fetch, the date recorded in the snapshot folder's ``SOURCES.md`` (or a sidecar) for an
    import — never the import date; it is left out when unknown, and ``year`` is its year.
    The Data Library's ``year`` is that of the newest CRSP database its files were built
    from; its ``urldate`` is the latest known retrieval date of its files, and the note says
    how many files' dates are unknown; it is left out for a vintage without French files."""
    man = vintage_info(vintage, store=store)
    files = man["files"]
    import re

    crsp = sorted(
        {
            m.group(1)
            for rec in files.values()
            if rec["source"] == "french"
            for m in [re.search(r"(\d{6}) CRSP", rec.get("vintage_line") or "")]
            if m
        }
    )
    french = [rec for rec in files.values() if rec["source"] == "french"]
    dates = sorted((rec.get("retrieved_at") or "")[:10] for rec in french)
    unknown = sum(1 for d in dates if not d)
    french_dates = "".join(
        [
            f"  year = {{{crsp[-1][:4]}}},\n" if crsp else "",
            f"  urldate = {{{dates[-1]}}},\n" if dates and dates[-1] else "",
        ]
    )
    undated = f"; retrieval date unknown for {unknown} of {len(french)} files" if unknown else ""
    entries = [
        "@software{smallcap_bt,\n  title = {smallcap\\_bt: reconstructing claims about US "
        "small vs large caps from primary data},\n  author = {{smallcap\\_bt developers}},\n"
        f"  version = {{{__version__}}},\n  year = {{2026}},\n"
        f"  note = {{Results computed on data vintage {man['name']}}}\n}}",
    ]
    if french:  # a vintage of FRED series only cites no Data Library files
        entries.append(
            "@misc{french_data_library,\n  author = {French, Kenneth R.},\n  title = {Data "
            "Library},\n  howpublished = {\\url{https://mba.tuck.dartmouth.edu/pages/faculty/ken."
            "french/data_library.html}},\n"
            + french_dates
            + "  note = {Files: "
            + ", ".join(sorted(rec["filename"] for rec in french)).replace("_", "\\_")
            + "; CRSP database vintages "
            + ", ".join(crsp)
            + undated
            + "}\n}"
        )
    for name, rec in sorted(files.items()):
        if rec["source"] != "fred":
            continue
        when = (rec.get("retrieved_at") or "")[:10]
        urldate = f"  year = {{{when[:4]}}},\n  urldate = {{{when}}},\n" if when else ""
        how = rec.get("retrieved_how") or ("download time" if when else "retrieval date unknown")
        entries.append(
            f"@misc{{fred_{name.lower()},\n  author = {{{{Federal Reserve Bank of St. Louis}}}},"
            f"\n  title = {{{name}, retrieved from FRED}},\n  howpublished = "
            f"{{\\url{{https://fred.stlouisfed.org/series/{name}}}}},\n"
            f"{urldate}  note = {{sha256 "
            f"{rec['sha256'][:16]}, observations through "
            f"{next(iter(rec['datasets'].values()))['last']}; retrieval date from: {how}}}\n}}"
        )
    return "\n\n".join(entries) + "\n"
