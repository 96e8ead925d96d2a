"""``smallcap-bt data ...`` and ``smallcap-bt catalog``: import, fetch and inspect vintages."""

from __future__ import annotations

import argparse
import sys

from smallcap_bt.cli.output import EXIT_DATA, EXIT_OK, bounded_int, path_arg, print_table


def _warn(report) -> None:
    for w in report.warnings:
        print(f"smallcap-bt: warning: {w}", file=sys.stderr)


def _cmd_data_import(args: argparse.Namespace) -> int:
    from smallcap_bt.data.load import import_snapshot
    from smallcap_bt.data.store import Store

    report = import_snapshot(
        args.dirs, args.vintage, store=args.store, replace=args.replace, strict=args.strict
    )
    if not args.quiet:
        print(report)
    else:
        _warn(report)
    if args.default:
        Store(args.store).set_default(report.vintage)
    return EXIT_OK


def _positive(kind: type, what: str, high: float):
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{what} must be a number, got {text!r}") from None
        if not 0 < value <= high:
            raise argparse.ArgumentTypeError(f"{what} must be > 0 and <= {high:g}, got {text}")
        return value

    return parse


def _cmd_data_fetch(args: argparse.Namespace) -> int:
    from smallcap_bt.data.load import fetch_vintage

    report = fetch_vintage(
        args.vintage,
        args.files or None,
        store=args.store,
        french_url=args.french_url,
        fred_url=args.fred_url,
        replace=args.replace,
        timeout=args.timeout,
        deadline=args.deadline,
        retries=args.retries,
        strict=args.strict,
    )
    if not args.quiet:
        print(report)
    else:
        _warn(report)
    return EXIT_OK


def _cmd_data_list(args: argparse.Namespace) -> int:
    from smallcap_bt.data.parse import header_sentence
    from smallcap_bt.data.store import Store

    st = Store(args.store)
    names = [args.vintage] if args.vintage else st.vintages()
    for n in names:
        st.manifest(n)  # validates the name and that it exists
    if not names:
        st.default_vintage()  # raises with instructions
    default = st.default_vintage()
    if default.startswith("@"):
        print(
            f"default vintage: {default} (no single vintage is complete: each file is taken "
            "from its newest stored copy; see 'data show ID' for which)\n"
        )
    for name in names:
        man = st.manifest(name)
        missing = st.missing_files(name)
        state = "complete" if not missing else f"{len(missing)} catalog files missing"
        print(
            f"vintage {name}{' (default)' if name == default else ''} — dated "
            f"{st.vintage_date(name)}, {state} — store {st.root}"
        )
        rows = []
        for _fname, rec in sorted(man["files"].items()):
            for ds_id, ds in sorted(rec["datasets"].items()):
                rows.append(
                    {
                        "dataset": ds_id,
                        "first": ds["first"],
                        "last": ds["last"],
                        "rows": ds["rows"],
                        "sha256": rec["sha256"][:12],
                        "from": rec.get("from_vintage", ""),
                        "vintage line": header_sentence(rec.get("vintage_line")),
                    }
                )
        rows.sort(key=lambda r: r["dataset"])  # ff.* then fred.*, not by file name
        cols = ["dataset", "first", "last", "rows", "sha256", "vintage line"]
        if any(r["from"] for r in rows):
            cols.insert(5, "from")
        print_table(rows, cols)
        print()
    return EXIT_OK


def _cmd_data_show(args: argparse.Namespace) -> int:
    from smallcap_bt.data.catalog import dataset
    from smallcap_bt.data.parse import header_sentence
    from smallcap_bt.data.store import Store

    st = Store(args.store)
    vintage = st.resolve(args.vintage)
    spec = dataset(args.id)
    rec = st.file_record(vintage, spec.file)
    ds = rec["datasets"][spec.id]
    fields = {
        "dataset": spec.id,
        "description": spec.description,
        "source": spec.source,
        "frequency": spec.frequency,
        "units": spec.units,
        "vintage": vintage,
        "file": rec["filename"],
        "sha256": rec["sha256"],
        "bytes": rec.get("bytes", "not recorded"),
        "vintage line": header_sentence(rec.get("vintage_line")) or None,
        "origin": rec.get("origin", "not recorded"),
        "from vintage": rec.get("from_vintage", vintage),
        "retrieved at": (
            f"{rec['retrieved_at']} ({rec.get('retrieved_how', 'download time')})"
            if rec.get("retrieved_at")
            else rec.get("retrieved_how", "unknown")
        ),
        "imported at": rec.get("imported_at", ""),
        "first": ds["first"],
        "last": ds["last"],
        "rows": ds["rows"],
        "columns": ", ".join(ds.get("columns", [])),
    }
    for k, v in fields.items():
        print(f"{k:>13}: {v}")
    return EXIT_OK


def _cmd_data_check(args: argparse.Namespace) -> int:
    from smallcap_bt.data.catalog import datasets_in
    from smallcap_bt.data.store import Store

    st = Store(args.store)
    vintage = st.resolve(args.vintage)
    status = st.check(vintage)
    bad = {k: v for k, v in status.items() if v != "ok"}
    print(f"vintage {vintage} — store {st.root}")
    for k, v in status.items():
        print(f"{k:<34} {v}")
    stale = st.check_caches(vintage)
    if stale:
        print("\ncaches that did not match their raw files (the raw bytes are the truth):")
        for line in stale:
            print(f"  {line}")
    missing = st.missing_files(vintage)
    if missing:
        print(f"\nnot in vintage {vintage} (claims that need these datasets cannot run):")
        for f in missing:
            ids = ", ".join(d.id for d in datasets_in(f))
            print(f"  {f:<32} {ids}")
    staging = st.root / "staging"
    if staging.is_dir() and any(staging.iterdir()):
        print("\nleft over by an interrupted import (never published; removed by the next one):")
        for p in sorted(staging.iterdir()):
            print(f"  staging/{p.name}")
    if bad:
        print(f"\n{len(bad)} of {len(status)} files FAILED the check", file=sys.stderr)
        return EXIT_DATA
    print(
        f"\n{len(status)} files ok" + (f", {len(missing)} catalog files absent" if missing else "")
    )
    return EXIT_OK


def _cmd_data_default(args: argparse.Namespace) -> int:
    from smallcap_bt.data.store import Store

    Store(args.store).set_default(args.name)
    print(f"default vintage: {args.name}")
    return EXIT_OK


def _cmd_data_compose(args: argparse.Namespace) -> int:
    from smallcap_bt.data.store import Store

    chosen = Store(args.store).compose(args.name, args.sources, replace=args.replace)
    if not args.quiet:
        print(f"vintage {args.name} composed from:")
        for f, src in sorted(chosen.items()):
            print(f"  {f:<34} {src}")
    if args.default:
        Store(args.store).set_default(args.name)
    return EXIT_OK


def _num(x: object, fmt: str) -> str:
    import math

    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    return format(x, fmt) if isinstance(x, int | float) else str(x)


def _cmd_data_diff(args: argparse.Namespace) -> int:
    from smallcap_bt.cli.output import check_output, human_output, write_output
    from smallcap_bt.data.drift import diff_vintages, smb_mean_change
    from smallcap_bt.exceptions import DataError

    check_output(args.json, "--json")
    frame = diff_vintages(args.a, args.b, store=args.store)
    rows = []
    alone: dict[str, list[str]] = {k: [] for k in ("only in A", "only in B", "identical")}
    for ds_id, r in frame.iterrows():
        if r["status"] in alone and not args.all:
            alone[r["status"]].append(str(ds_id))
            continue
        rows.append(
            {
                "dataset": ds_id,
                "status": r["status"],
                "last A/B": f"{_num(r['last_a'], '')}/{_num(r['last_b'], '')}",
                "months changed": (
                    f"{_num(r['changed'], '.0f')}/{_num(r['common'], '.0f')}"
                    if r["status"] in ("revised", "same values")
                    else _num(r["changed"], ".0f")
                ),
                "mean |chg|": _num(r["mean_abs_change"], ".4f"),
                "max |chg|": _num(r["max_abs_change"], ".4f"),
                "at": f"{r['max_date']} {r['max_column']}".strip()
                if isinstance(r["max_date"], str)
                else "",
                "units": r["units"] if isinstance(r["units"], str) else "",
            }
        )
    smb: dict | None = None
    smb_error = ""
    try:
        smb = smb_mean_change(args.a, args.b, store=args.store)
    except DataError as exc:  # the factors file may be absent from one vintage
        smb_error = str(exc)
    with human_output(args.json):
        print(f"data diff {args.a} -> {args.b}: changes over the periods both vintages hold")
        print(
            "(pp = percentage points of return; months changed = periods with any column changed)"
        )
        columns = ["dataset", "status", "last A/B", "months changed"]
        print_table(rows, [*columns, "mean |chg|", "max |chg|", "at", "units"])
        labels = {"only in A": f"only in {args.a}", "only in B": f"only in {args.b}"}
        for status, ids in alone.items():
            if ids:
                print(f"{labels.get(status, 'identical bytes')}: {len(ids)} datasets", end="")
                print(f" ({', '.join(ids[:4])}{', ...' if len(ids) > 4 else ''})")
        if smb is None:
            print(f"\nlong-run SMB mean: not available ({smb_error})")
        else:
            print(
                "\nlong-run SMB mean (arithmetic, monthly mean x 12, % a year):\n"
                f"  {args.a} {smb['mean_a']:.3f} ({smb['period_a']}), {args.b} "
                f"{smb['mean_b']:.3f} ({smb['period_b']}): change {smb['change']:+.3f} pp\n"
                f"  over the months both hold ({smb['common_period']}): {smb['common_a']:.3f} "
                f"-> {smb['common_b']:.3f} ({smb['common_change']:+.3f} pp)"
            )
    if args.json:
        import json

        doc = {
            "a": args.a,
            "b": args.b,
            "smb": smb,
            "datasets": frame.reset_index().to_dict("records"),
        }
        write_output(args.json, (json.dumps(doc, indent=2, default=str) + "\n").encode(), "--json")
    return EXIT_OK


def _cmd_catalog(args: argparse.Namespace) -> int:
    from smallcap_bt.data.catalog import DATASETS

    rows = [
        {"id": d.id, "freq": d.frequency, "units": d.units, "description": d.description}
        for d in DATASETS.values()
    ]
    print_table(rows, ["id", "freq", "units", "description"])
    return EXIT_OK


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Register ``data`` and ``catalog`` on the main parser."""
    data = sub.add_parser("data", help="import, fetch and inspect data vintages")
    dsub = data.add_subparsers(dest="data_command", required=True)
    imp = dsub.add_parser("import", help="import snapshot folders (original file formats)")
    imp.add_argument(
        "dirs",
        nargs="+",
        type=path_arg,
        help="folders like french/202602 or fred/2026-08-10",
    )
    imp.add_argument("--vintage", help="vintage name (default: CRSP vintage of the header)")
    imp.add_argument("--replace", action="store_true", help="replace differing files")
    imp.add_argument("--default", action="store_true", help="make it the default vintage")
    imp.add_argument(
        "--strict", action="store_true", help="treat warnings (extreme values) as errors"
    )
    imp.set_defaults(func=_cmd_data_import)
    fet = dsub.add_parser("fetch", help="download from the live sources (or a mirror)")
    fet.add_argument("files", nargs="*", help="file names or FRED ids (default: all)")
    fet.add_argument("--vintage")
    fet.add_argument("--french-url", help="base URL of the French library mirror")
    fet.add_argument("--fred-url", help="fredgraph CSV endpoint")
    fet.add_argument("--replace", action="store_true", help="replace differing files")
    fet.add_argument(
        "--timeout",
        type=_positive(float, "--timeout", 3600),
        default=30.0,
        help="seconds to connect and between any two bytes (default 30)",
    )
    fet.add_argument(
        "--deadline",
        type=_positive(float, "--deadline", 86400),
        default=300.0,
        help="overall seconds per file, retries included (default 300)",
    )
    fet.add_argument(
        "--retries",
        type=bounded_int(0, 10, "--retries"),
        default=2,
        help="further attempts after a connection error or 5xx, with backoff (default 2)",
    )
    fet.add_argument(
        "--strict", action="store_true", help="treat warnings (extreme values) as errors"
    )
    fet.set_defaults(func=_cmd_data_fetch)
    lst = dsub.add_parser("list", help="datasets, periods and hashes of stored vintages")
    lst.add_argument("--vintage")
    lst.set_defaults(func=_cmd_data_list)
    show = dsub.add_parser("show", help="provenance of one dataset")
    show.add_argument("id", help="dataset id, e.g. ff.portfolios_me.monthly.vw")
    show.add_argument("--vintage")
    show.set_defaults(func=_cmd_data_show)
    chk = dsub.add_parser(
        "check", help="verify checksums and completeness of a vintage (exit 3 on a bad file)"
    )
    chk.add_argument("--vintage")
    chk.set_defaults(func=_cmd_data_check)
    dfl = dsub.add_parser("default", help="set the default vintage")
    dfl.add_argument("name")
    dfl.set_defaults(func=_cmd_data_default)
    com = dsub.add_parser("compose", help="assemble a named vintage from files of other vintages")
    com.add_argument("name", help="name of the new vintage")
    com.add_argument(
        "--from",
        dest="sources",
        nargs="+",
        required=True,
        help="source vintages; each file comes from the first that holds it (@latest allowed)",
    )
    com.add_argument("--replace", action="store_true", help="replace differing files")
    com.add_argument("--default", action="store_true", help="make it the default vintage")
    com.set_defaults(func=_cmd_data_compose)
    dif = dsub.add_parser(
        "diff", help="how vintage B revises vintage A, per dataset, and the SMB mean"
    )
    dif.add_argument("a", help="older vintage, e.g. 202302")
    dif.add_argument("b", help="newer vintage, e.g. 202602")
    dif.add_argument(
        "--json",
        metavar="FILE",
        type=path_arg,
        help="also write the table as JSON ('-': standard output)",
    )
    dif.add_argument("--all", action="store_true", help="list identical and one-sided datasets too")
    dif.set_defaults(func=_cmd_data_diff)

    cat = sub.add_parser("catalog", help="list every dataset with units and frequency")
    cat.set_defaults(func=_cmd_catalog)
