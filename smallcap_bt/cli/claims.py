"""``smallcap-bt verify`` and ``smallcap-bt claims list/show/check/templates``."""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

from smallcap_bt.cli.output import (
    EXIT_CHECK_FAILED,
    EXIT_OK,
    add_inference_options,
    add_jobs_option,
    add_progress_option,
    path_arg,
    print_table,
)


def _fmt(v: object, pct: bool) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, float):
        return f"{v * 100:.2f}%" if pct else f"{v:.4g}"
    return str(v)


def _p(v: object) -> str:
    """A p-value to three decimals (``<0.001`` below), the same width in every row."""
    if not isinstance(v, float) or math.isnan(v):
        return ""
    return "<0.001" if v < 0.0005 else f"{v:.3f}"


def _short_units(units: str, width: int = 40) -> str:
    """The units of an estimate in a few words (``% cumulative over the window``), cut at a
    word with an ellipsis when longer than ``width``."""
    head = units.split("(")[0].split(":")[0].strip().rstrip(",")
    if head.startswith("decimal"):
        head = "%" + head[len("decimal") :]
    if len(head) <= width:
        return head
    return head[: width - 3].rsplit(" ", 1)[0].rstrip(",;") + "..."


def add_claim_options(parser: argparse.ArgumentParser, verb: str, only: str) -> None:
    """Claim ids (positional) and ``--claims FILE.toml`` (repeatable), read by
    :func:`_chosen_claims`; ``verb`` and ``only`` complete the help of ``--claims``."""
    parser.add_argument("claims", nargs="*", help="claim ids (default: all built-in claims)")
    parser.add_argument(
        "--claims",
        dest="claim_files",
        action="append",
        type=path_arg,
        metavar="FILE.toml",
        help=f"also {verb} a TOML file (repeatable); with ids or --claims, {only}",
    )


def _chosen_claims(args: argparse.Namespace) -> list | None:
    """Claim ids from the command line plus every claim of ``--claims`` files."""
    from smallcap_bt.claims.catalogue import load_catalogue

    chosen: list = list(args.claims or [])
    for path in args.claim_files or []:
        chosen += load_catalogue(path)
    return chosen or None


def _cmd_claims_check(args: argparse.Namespace) -> int:
    from smallcap_bt.claims.catalogue import load_catalogue
    from smallcap_bt.claims.registry import registry

    for path in args.files:
        claims = load_catalogue(path)
        clash = [c.id for c in claims if c.id in registry]
        for c in claims:
            parts = ", ".join(f"{p.name}: {p.test} ({p.kind}, {p.direction})" for p in c.parts)
            print(f"{path}: {c.id} ok — {parts or 'not testable: ' + c.reason}")
        if clash:
            print(f"{path}: note: id(s) {clash} shadow built-in claims when run with --claims")
    return EXIT_OK


def _type_text(annotation: object) -> str:
    """A parameter's type in words, with the choices of a ``Literal``."""
    import typing

    text = str(annotation).replace("typing.", "")
    if typing.get_origin(annotation) is typing.Literal:
        return "one of " + ", ".join(repr(a) for a in typing.get_args(annotation))
    args = typing.get_args(annotation)
    if (
        typing.get_origin(annotation) is tuple
        and args
        and typing.get_origin(args[0]) is typing.Literal
    ):
        return "list of " + ", ".join(repr(a) for a in typing.get_args(args[0]))
    return (
        text.replace("<class '", "")
        .replace("'>", "")
        .replace("smallcap_bt.claims.templates.params.", "")
    )


def _template_detail(name: str) -> int:
    """``claims templates NAME``: the template's description and every parameter with its
    type (choices), default and whether it is required."""
    from smallcap_bt.claims.templates.specs import get_spec

    spec = get_spec(name)  # an unknown name: ClaimDefinitionError with a did-you-mean
    print(f"{spec.name}: {spec.description}\n")
    rows = []
    for key, f in spec.params.model_fields.items():
        rows.append(
            {
                "parameter": key,
                "type": _type_text(f.annotation),
                "default": "(required)" if f.is_required() else repr(f.default),
            }
        )
    print_table(rows, ["parameter", "type", "default"])
    return EXIT_OK


def _cmd_claims_templates(args: argparse.Namespace) -> int:
    from smallcap_bt.claims.templates.specs import SPECS  # no implementation imported

    if getattr(args, "name", None):
        return _template_detail(args.name)
    rows = []
    for t in sorted(SPECS.values(), key=lambda t: t.name):
        fields = ", ".join(
            f"{k}{'' if f.is_required() else '?'}" for k, f in t.params.model_fields.items()
        )
        rows.append({"template": t.name, "what it tests": t.description, "params": fields})
    print_table(rows, ["template", "what it tests", "params"])
    return EXIT_OK


def _verify_vintages(args: argparse.Namespace, chosen: list | None) -> int:
    """``verify --vintages A,B``: every headline estimate and verdict side by side."""
    from smallcap_bt.claims.runner import verify_vintages
    from smallcap_bt.cli.output import human_output, write_output

    names = [v.strip() for v in args.vintages.split(",") if v.strip()]
    if len(names) != 2:
        raise ValueError(f"--vintages takes two names separated by a comma, got {args.vintages!r}")
    kw = {
        "store": args.store,
        "seed": args.seed,
        "draws": args.draws,
        "joint_draws": args.joint_draws,
        "jobs": args.jobs,
    }
    _, table, skipped = verify_vintages(names, chosen, **kw)
    rows = []
    for cid, r in table.iterrows():
        pct = str(r["units"] or "").startswith("decimal")  # in percent, as verify's table
        rows.append(
            {
                "claim": cid,
                f"verdict {names[0]}": _fmt(r["verdict_a"], False),
                f"verdict {names[1]}": _fmt(r["verdict_b"], False),
                "flip": "FLIP" if r["flipped"] else "",
                f"estimate {names[0]}": _fmt(r["estimate_a"], pct),
                f"estimate {names[1]}": _fmt(r["estimate_b"], pct),
                "change": _fmt(r["change"], pct),
                "units": _short_units(str(r["units"] or "")),
                "headline spec": r["spec"] or "",
            }
        )
    if not args.quiet:
        with human_output(args.json):
            print(
                f"smallcap_bt verify — vintages {names[0]} vs {names[1]}, seed {args.seed}, "
                f"{args.draws} draws"
            )
            print_table(rows, list(rows[0]) if rows else ["claim"])
            flipped = table[table["flipped"]]
            untestable = int(
                (
                    (flipped["verdict_a"] == "not_testable")
                    | (flipped["verdict_b"] == "not_testable")
                ).sum()
            )
            why = f" ({untestable} of them to or from not_testable)" if untestable else ""
            print(f"\n{len(flipped)} verdict(s) differ between {names[0]} and {names[1]}{why}")
            for cid, lacking in skipped:
                print(f"skipped {cid}: needs {', '.join(lacking)}, not in both vintages")
    if args.json:
        write_output(
            args.json, table.reset_index().to_json(orient="records", indent=2).encode(), "--json"
        )
    return EXIT_OK


def _cmd_verify(args: argparse.Namespace) -> int:
    from smallcap_bt.claims.lock import check_lock, failures, lock_text, read_lock
    from smallcap_bt.claims.registry import registry
    from smallcap_bt.claims.runner import verify_all
    from smallcap_bt.cli.output import (
        check_output,
        human_output,
        progress,
        resolve_progress,
        write_output,
    )
    from smallcap_bt.exceptions import UsageError

    if args.vintages and (args.lock or args.check):
        raise UsageError("--vintages compares two vintages: it takes neither --lock nor --check")
    if args.lock and args.check and Path(args.lock).resolve() == Path(args.check).resolve():
        raise UsageError(
            f"--lock and --check name the same file ({args.check}): the check would compare "
            "the run with itself; check against the old lock, then write the new one"
        )
    if args.json == "-" and args.lock == "-":
        raise UsageError("--json - and --lock - would write two documents to standard output")
    check_output(args.json, "--json")
    check_output(args.lock, "--lock")
    if args.check:
        if not Path(args.check).is_file():
            raise UsageError(f"--check {args.check}: no such lockfile")
        read_lock(Path(args.check))  # a malformed lockfile fails before the claims run
    chosen = _chosen_claims(args)
    if args.vintages:
        return _verify_vintages(args, chosen)
    mode = resolve_progress(args.progress, quiet=bool(args.quiet))
    with progress(len(chosen or registry), "verify", mode) as advance:
        ver = verify_all(
            chosen,
            args.vintage,
            store=args.store,
            seed=args.seed,
            draws=args.draws,
            joint_draws=args.joint_draws,
            on_claim=advance,
            jobs=args.jobs,
        )
    with human_output(args.json, args.lock):
        if not args.quiet:
            rows = []
            for r in ver.results:
                d = r.to_dict()
                h = d.get("headline") or {}
                pct = str(h.get("units", "")).startswith("decimal")
                ci = (
                    f"[{_fmt(h.get('ci_low'), pct)}, {_fmt(h.get('ci_high'), pct)}]"
                    if h.get("ci_low") is not None
                    else ""
                )
                rows.append(
                    {
                        "claim": r.claim.id,
                        "verdict": r.verdict,
                        "estimate": _fmt(h.get("estimate"), pct),
                        "95% CI": ci,
                        "p": _p(h.get("p_value")),
                        "p joint": _p((d.get("joint") or {}).get("p_median")),
                        "p Holm": _p((d.get("p_adjusted") or {}).get("holm")),
                        "agree": f"{d['robustness']['agree']}/{d['robustness']['total']}",
                        "units": _short_units(str(h.get("units") or "")),
                        "headline spec": h.get("spec", "") or d.get("reason", ""),
                    }
                )
            print(
                f"smallcap_bt verify — vintage {ver.fingerprint['name']}, seed {args.seed}, "
                f"{args.draws} draws"
            )
            sources: dict[str, list[str]] = {}
            for ds, rec in sorted(ver.fingerprint["datasets"].items()):
                if rec.get("from_vintage"):
                    sources.setdefault(rec["from_vintage"], []).append(ds)
            for src, ds_ids in sources.items():  # a resolved or composed vintage: which files
                print(f"  file versions of {src}: {', '.join(ds_ids)}")
            cols = ["claim", "verdict", "estimate", "units", "95% CI", "p", "p joint", "p Holm"]
            cols.append("agree")
            print_table(rows, [*cols, "headline spec"])
            counts: dict[str, int] = {}
            for r in ver.results:
                counts[r.verdict] = counts.get(r.verdict, 0) + 1
            print("\n" + ", ".join(f"{k}: {v}" for k, v in sorted(counts.items())))
    if args.json:
        write_output(args.json, ver.to_json().encode(), "--json")
    if args.lock:
        write_output(args.lock, lock_text(ver).encode(), "--lock")
    if args.check:
        diffs = check_lock(ver, args.check)
        if failures(diffs):
            print(f"\nlock check against {args.check} FAILED:", file=sys.stderr)
            for diff in diffs:
                print(f"  {diff}", file=sys.stderr)
            return EXIT_CHECK_FAILED
        # the check result is printed even with -q (to stderr when stdout carries a file)
        with human_output(args.json, args.lock):
            print(f"lock check against {args.check}: no verdict flipped, no estimate moved")
            for diff in diffs:
                print(f"  {diff}")
    return EXIT_OK


def _cmd_claims_list(args: argparse.Namespace) -> int:
    from smallcap_bt.claims.registry import registry
    from smallcap_bt.exceptions import UsageError

    known = {
        "--family": sorted({c.family for c in registry}),
        "--source": sorted({s.key for c in registry for s in c.sources}),
    }
    for option, value in (("--family", args.family), ("--source", args.source)):
        if value is not None and value not in known[option]:  # not an empty list: a typo
            raise UsageError(
                f"{option} {value!r} matches no claim (known: {', '.join(known[option])})"
            )
    testable = {"yes": True, "no": False}.get(args.testable or "")
    rows = [
        {
            "id": c.id,
            "family": c.family,
            "sources": ",".join(s.key for s in c.sources),
            "testable": "yes" if c.testable else "no",
            "fidelity": c.fidelity,
            "hypothesis": c.hypothesis[:70],
        }
        for c in registry.filter(testable=testable, source=args.source, family=args.family)
    ]
    print_table(rows, ["id", "family", "sources", "testable", "fidelity", "hypothesis"])
    return EXIT_OK


def _cmd_claims_show(args: argparse.Namespace) -> int:
    from smallcap_bt.claims.registry import registry

    print(registry.get(args.id).describe())
    return EXIT_OK


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Register ``verify`` and ``claims`` on the main parser."""
    v = sub.add_parser(
        "verify",
        help="run claims on a vintage and print verdicts",
        description="Run claims (all by default). Exit 1 if --check finds a "
        "flipped verdict or a moved estimate.",
    )
    add_claim_options(v, "run the claims of", "only those run")
    v.add_argument("--vintage", help="named vintage (default: the store's default)")
    v.add_argument(
        "--json",
        metavar="FILE",
        type=path_arg,
        help="write machine-readable results ('-': standard output)",
    )
    v.add_argument(
        "--vintages",
        metavar="A,B",
        help="run on two vintages and show every headline estimate and verdict side by side "
        "(flips flagged)",
    )
    v.add_argument(
        "--lock",
        metavar="FILE",
        type=path_arg,
        help="record verdicts and estimates ('-': standard output)",
    )
    v.add_argument(
        "--check",
        metavar="FILE",
        type=path_arg,
        help="compare with a lockfile; exit 1 on change",
    )
    add_inference_options(v)
    add_jobs_option(v)
    v.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        default=argparse.SUPPRESS,
        help="print nothing but errors, the check result and files sent to standard output",
    )
    add_progress_option(v)
    v.set_defaults(func=_cmd_verify)
    c = sub.add_parser("claims", help="describe the claim registry")
    csub = c.add_subparsers(dest="claims_command", required=True)
    lst = csub.add_parser("list", help="list registered claims")
    lst.add_argument("--testable", choices=["yes", "no"])
    lst.add_argument("--source", help="source key, e.g. 004")
    lst.add_argument("--family")
    lst.set_defaults(func=_cmd_claims_list)
    show = csub.add_parser("show", help="show one claim")
    show.add_argument("id")
    show.set_defaults(func=_cmd_claims_show)
    chk = csub.add_parser("check", help="validate claim files (TOML) without running them")
    chk.add_argument("files", nargs="+", metavar="FILE.toml")
    chk.set_defaults(func=_cmd_claims_check)
    tpl = csub.add_parser("templates", help="list the test templates and their parameters")
    tpl.add_argument(
        "name",
        nargs="?",
        help="one template: its parameters with their types, choices and defaults",
    )
    tpl.set_defaults(func=_cmd_claims_templates)
