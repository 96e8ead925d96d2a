"""``smallcap-bt verify`` and ``smallcap-bt claims list/show``."""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

from smallcap_bt.cli.output import EXIT_CHECK_FAILED, EXIT_OK, print_table


def _fmt(v: object, pct: bool) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, float):
        return f"{v * 100:.2f}%" if pct else f"{v:.4g}"
    return str(v)


def _cmd_verify(args: argparse.Namespace) -> int:
    from smallcap_bt.claims.lock import check_lock, write_lock
    from smallcap_bt.claims.runner import verify_all
    from smallcap_bt.data.store import atomic_write

    progress = not args.quiet and sys.stderr.isatty()
    ver = verify_all(
        args.claims or None,
        args.vintage,
        store=args.store,
        seed=args.seed,
        draws=args.draws,
        progress=progress,
    )
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
                    "p": _fmt(h.get("p_value"), False),
                    "agree": f"{d['robustness']['agree']}/{d['robustness']['total']}",
                    "headline spec": h.get("spec", "") or d.get("reason", "")[:50],
                }
            )
        print(
            f"smallcap_bt verify — vintage {ver.fingerprint['name']}, seed {args.seed}, "
            f"{args.draws} draws"
        )
        print_table(rows, ["claim", "verdict", "estimate", "95% CI", "p", "agree", "headline spec"])
        counts: dict[str, int] = {}
        for r in ver.results:
            counts[r.verdict] = counts.get(r.verdict, 0) + 1
        print("\n" + ", ".join(f"{k}: {v}" for k, v in sorted(counts.items())))
    if args.json:
        atomic_write(Path(args.json), ver.to_json().encode())
    if args.lock:
        write_lock(ver, args.lock)
    if args.check:
        diffs = check_lock(ver, args.check)
        if diffs:
            print(f"\nlock check against {args.check} FAILED:", file=sys.stderr)
            for d in diffs:
                print(f"  {d}", file=sys.stderr)
            return EXIT_CHECK_FAILED
        if not args.quiet:
            print(f"lock check against {args.check}: no verdict flipped, no estimate moved")
    return EXIT_OK


def _cmd_claims_list(args: argparse.Namespace) -> int:
    from smallcap_bt.claims.registry import registry

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
    v.add_argument("claims", nargs="*", help="claim ids (default: all)")
    v.add_argument("--vintage", help="named vintage (default: the store's default)")
    v.add_argument("--json", metavar="FILE", help="write machine-readable results")
    v.add_argument("--lock", metavar="FILE", help="record verdicts and estimates")
    v.add_argument("--check", metavar="FILE", help="compare with a lockfile; exit 1 on change")
    v.add_argument("--seed", type=int, default=0, help="base seed (default 0)")
    v.add_argument("--draws", type=int, default=2000, help="bootstrap/placebo draws")
    v.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        default=argparse.SUPPRESS,
        help="print nothing but errors and the check result",
    )
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
