"""``smallcap-bt data ...`` and ``smallcap-bt catalog``: import, fetch and inspect vintages."""

from __future__ import annotations

import argparse

from smallcap_bt.cli.output import EXIT_DATA, EXIT_OK, print_table


def _cmd_data_import(args: argparse.Namespace) -> int:
    from smallcap_bt.data.load import import_snapshot
    from smallcap_bt.data.store import Store

    report = import_snapshot(args.dirs, args.vintage, store=args.store, replace=args.replace)
    if not args.quiet:
        print(report)
    if args.default:
        Store(args.store).set_default(report.vintage)
    return EXIT_OK


def _cmd_data_fetch(args: argparse.Namespace) -> int:
    from smallcap_bt.data.load import fetch_vintage

    report = fetch_vintage(
        args.vintage,
        args.files or None,
        store=args.store,
        french_url=args.french_url,
        fred_url=args.fred_url,
        replace=args.replace,
    )
    if not args.quiet:
        print(report)
    return EXIT_OK


def _cmd_data_list(args: argparse.Namespace) -> int:
    from smallcap_bt.data.store import Store

    st = Store(args.store)
    names = [args.vintage] if args.vintage else st.vintages()
    if not names:
        st.default_vintage()  # raises with instructions
    default = st.default_vintage()
    for name in names:
        man = st.manifest(name)
        print(f"vintage {name}{' (default)' if name == default else ''} — store {st.root}")
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
                        "vintage line": (rec.get("vintage_line") or "")[:60],
                    }
                )
        print_table(rows, ["dataset", "first", "last", "rows", "sha256", "vintage line"])
        print()
    return EXIT_OK


def _cmd_data_show(args: argparse.Namespace) -> int:
    from smallcap_bt.data.catalog import dataset
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
        "bytes": rec["bytes"],
        "vintage line": rec.get("vintage_line"),
        "origin": rec["origin"],
        "retrieved at": rec["retrieved_at"],
        "first": ds["first"],
        "last": ds["last"],
        "rows": ds["rows"],
        "columns": ", ".join(ds["columns"]),
    }
    for k, v in fields.items():
        print(f"{k:>13}: {v}")
    return EXIT_OK


def _cmd_data_check(args: argparse.Namespace) -> int:
    from smallcap_bt.data.store import Store

    st = Store(args.store)
    vintage = st.resolve(args.vintage)
    status = st.check(vintage)
    bad = {k: v for k, v in status.items() if v != "ok"}
    for k, v in status.items():
        print(f"{k:<34} {v}")
    return EXIT_DATA if bad else EXIT_OK


def _cmd_data_default(args: argparse.Namespace) -> int:
    from smallcap_bt.data.store import Store

    Store(args.store).set_default(args.name)
    print(f"default vintage: {args.name}")
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
    imp.add_argument("dirs", nargs="+", help="folders like french/202602 or fred/2026-08-10")
    imp.add_argument("--vintage", help="vintage name (default: CRSP vintage of the header)")
    imp.add_argument("--replace", action="store_true", help="replace differing files")
    imp.add_argument("--default", action="store_true", help="make it the default vintage")
    imp.set_defaults(func=_cmd_data_import)
    fet = dsub.add_parser("fetch", help="download from the live sources (or a mirror)")
    fet.add_argument("files", nargs="*", help="file names or FRED ids (default: all)")
    fet.add_argument("--vintage")
    fet.add_argument("--french-url", help="base URL of the French library mirror")
    fet.add_argument("--fred-url", help="fredgraph CSV endpoint")
    fet.add_argument("--replace", action="store_true")
    fet.set_defaults(func=_cmd_data_fetch)
    lst = dsub.add_parser("list", help="datasets, periods and hashes of stored vintages")
    lst.add_argument("--vintage")
    lst.set_defaults(func=_cmd_data_list)
    show = dsub.add_parser("show", help="provenance of one dataset")
    show.add_argument("id", help="dataset id, e.g. ff.portfolios_me.monthly.vw")
    show.add_argument("--vintage")
    show.set_defaults(func=_cmd_data_show)
    chk = dsub.add_parser("check", help="verify stored checksums")
    chk.add_argument("--vintage")
    chk.set_defaults(func=_cmd_data_check)
    dfl = dsub.add_parser("default", help="set the default vintage")
    dfl.add_argument("name")
    dfl.set_defaults(func=_cmd_data_default)

    cat = sub.add_parser("catalog", help="list every dataset with units and frequency")
    cat.set_defaults(func=_cmd_catalog)
