"""CLI commands for claims: ``verify``, ``claims list``, ``claims show``."""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path


def _fmt(v: object, pct: bool) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, float):
        return f"{v * 100:.2f}%" if pct else f"{v:.4g}"
    return str(v)


def _cmd_verify(args: argparse.Namespace) -> int:
    from smallcap_bt.claims.lock import check_lock, write_lock
    from smallcap_bt.claims.runner import verify_all
    from smallcap_bt.cli import EXIT_CHECK_FAILED, EXIT_OK, _print_table
    from smallcap_bt.data.store import atomic_write

    progress = not args.quiet and sys.stderr.isatty()
    ver = verify_all(args.claims or None, args.vintage, store=args.store, seed=args.seed,
                     draws=args.draws, progress=progress)
    if not args.quiet:
        rows = []
        for r in ver.results:
            d = r.to_dict()
            h = d.get("headline") or {}
            pct = str(h.get("units", "")).startswith("decimal")
            ci = (f"[{_fmt(h.get('ci_low'), pct)}, {_fmt(h.get('ci_high'), pct)}]"
                  if h.get("ci_low") is not None else "")
            rows.append({"claim": r.claim.id, "verdict": r.verdict,
                         "estimate": _fmt(h.get("estimate"), pct), "95% CI": ci,
                         "p": _fmt(h.get("p_value"), False),
                         "agree": f"{d['robustness']['agree']}/{d['robustness']['total']}",
                         "headline spec": h.get("spec", "") or d.get("reason", "")[:50]})
        print(f"smallcap_bt verify — vintage {ver.fingerprint['name']}, seed {args.seed}, "
              f"{args.draws} draws")
        _print_table(rows, ["claim", "verdict", "estimate", "95% CI", "p", "agree",
                            "headline spec"])
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
    from smallcap_bt.cli import EXIT_OK, _print_table

    testable = {"yes": True, "no": False}.get(args.testable or "")
    rows = [{"id": c.id, "family": c.family, "sources": ",".join(s.key for s in c.sources),
             "testable": "yes" if c.testable else "no", "fidelity": c.fidelity,
             "hypothesis": c.hypothesis[:70]}
            for c in registry.filter(testable=testable, source=args.source, family=args.family)]
    _print_table(rows, ["id", "family", "sources", "testable", "fidelity", "hypothesis"])
    return EXIT_OK


def _cmd_claims_show(args: argparse.Namespace) -> int:
    from smallcap_bt.claims.registry import registry
    from smallcap_bt.cli import EXIT_OK

    print(registry.get(args.id).describe())
    return EXIT_OK


def add_claim_commands(sub: argparse._SubParsersAction) -> None:
    """Register ``verify`` and ``claims`` on the main parser."""
    v = sub.add_parser("verify", help="run claims on a vintage and print verdicts",
                       description="Run claims (all by default). Exit 1 if --check finds a "
                       "flipped verdict or a moved estimate.")
    v.add_argument("claims", nargs="*", help="claim ids (default: all)")
    v.add_argument("--vintage", help="named vintage (default: the store's default)")
    v.add_argument("--json", metavar="FILE", help="write machine-readable results")
    v.add_argument("--lock", metavar="FILE", help="record verdicts and estimates")
    v.add_argument("--check", metavar="FILE", help="compare with a lockfile; exit 1 on change")
    v.add_argument("--seed", type=int, default=0, help="base seed (default 0)")
    v.add_argument("--draws", type=int, default=2000, help="bootstrap/placebo draws")
    v.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS,
                   help="print nothing but errors and the check result")
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


def _parse_grid(items: list[str]) -> dict[str, list[object]]:
    grid: dict[str, list[object]] = {}
    for item in items:
        key, _, vals = item.partition("=")
        if not vals:
            raise ValueError(f"--grid expects key=v1,v2,... got {item!r}")
        parsed: list[object] = []
        for v in vals.split(","):
            try:
                parsed.append(int(v))
            except ValueError:
                try:
                    parsed.append(float(v))
                except ValueError:
                    parsed.append(v)
        grid[key] = parsed
    return grid


def _cmd_backtest(args: argparse.Namespace) -> int:
    from smallcap_bt.cli import EXIT_OK
    from smallcap_bt.strategies.sweeps import sweep

    try:
        res = sweep(args.strategy, definition=args.definition, vintage=args.vintage,
                    store=args.store, cost_bps=args.cost_bps, start=args.start,
                    grid=_parse_grid(args.grid or []), seed=args.seed)
    except TypeError as exc:  # a grid key the strategy does not take
        raise ValueError(f"bad --grid for {args.strategy}: {exc}") from None
    print(res.summary(top=args.top))
    return EXIT_OK


def add_backtest_command(sub: argparse._SubParsersAction) -> None:
    """Register ``backtest``."""
    from smallcap_bt.strategies.sweeps import STRATEGIES

    b = sub.add_parser("backtest", help="backtest a strategy grid on vectorbt",
                       description="strategies: " + "; ".join(
                           f"{k}: {v[2]}" for k, v in STRATEGIES.items()))
    b.add_argument("strategy", choices=sorted(STRATEGIES))
    b.add_argument("--grid", nargs="*", metavar="KEY=V1,V2",
                   help="parameter lists, e.g. holds=3,6,12 (names of the signal builder)")
    b.add_argument("--definition", default="tercile.vw", help="size definition with legs")
    b.add_argument("--cost-bps", type=float, default=10.0, help="cost per unit turnover, bp")
    b.add_argument("--start", help="first month, e.g. 1990-01")
    b.add_argument("--vintage")
    b.add_argument("--seed", type=int, default=0)
    b.add_argument("--top", type=int, default=5, help="variants to print")
    b.set_defaults(func=_cmd_backtest)


def _cmd_report(args: argparse.Namespace) -> int:
    from smallcap_bt.cli import EXIT_OK
    from smallcap_bt.reports.render import build_report

    quiet = getattr(args, "quiet", False)
    paths = build_report(args.out, args.vintage, store=args.store, seed=args.seed,
                         draws=args.draws, strategies=not args.no_strategies,
                         progress=not quiet and sys.stderr.isatty())
    if not quiet:
        for name, path in paths.items():
            print(f"wrote {path}" if name != "figures" else f"figures in {path}")
    return EXIT_OK


def _cmd_cite(args: argparse.Namespace) -> int:
    from smallcap_bt.cli import EXIT_OK
    from smallcap_bt.reports.cite import bibtex

    print(bibtex(args.vintage, store=args.store), end="")
    return EXIT_OK


def add_report_commands(sub: argparse._SubParsersAction) -> None:
    """Register ``report`` and ``cite``."""
    r = sub.add_parser("report", help="write report.md/.html, claims.tex, results.json")
    r.add_argument("--out", required=True, help="output folder")
    r.add_argument("--vintage")
    r.add_argument("--seed", type=int, default=0)
    r.add_argument("--draws", type=int, default=2000)
    r.add_argument("--no-strategies", action="store_true", help="skip the backtest figure")
    r.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS)
    r.set_defaults(func=_cmd_report)
    c = sub.add_parser("cite", help="BibTeX for the library and the data of a vintage")
    c.add_argument("--vintage")
    c.set_defaults(func=_cmd_cite)
