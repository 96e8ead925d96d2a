"""``smallcap-bt report`` and ``smallcap-bt cite``."""

from __future__ import annotations

import argparse

from smallcap_bt.cli.output import (
    EXIT_OK,
    add_inference_options,
    add_jobs_option,
    add_progress_option,
    bounded_int,
    path_arg,
)


def _cmd_report(args: argparse.Namespace) -> int:
    from pathlib import Path

    from smallcap_bt.cli.claims import _chosen_claims
    from smallcap_bt.cli.output import check_output, resolve_progress
    from smallcap_bt.exceptions import UsageError
    from smallcap_bt.reports.render import build_report

    check_output(args.out, "--out", folder=True)
    # root passes the access check in /sys or /proc, where the folder still cannot be made:
    # make the missing folders and take them away again (nothing is left if the run fails)
    made = [p for p in [Path(args.out), *Path(args.out).parents] if not p.exists()]
    try:
        Path(args.out).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--out {args.out}: cannot create the folder ({exc.strerror})") from None
    for p in made:  # deepest first
        p.rmdir()
    quiet = getattr(args, "quiet", False)
    paths = build_report(
        args.out,
        args.vintage,
        claims=_chosen_claims(args),
        store=args.store,
        seed=args.seed,
        draws=args.draws,
        strategies=not args.no_strategies,
        progress=resolve_progress(args.progress, quiet=quiet),
        tex_figures=args.tex_figures,
        workers=args.workers,
        jobs=args.jobs,
        joint_draws=args.joint_draws,
        compare_vintage=args.compare_vintage,
    )
    if not quiet:
        for name, path in paths.items():
            print(f"wrote {path}" if name != "figures" else f"figures in {path}")
    return EXIT_OK


def _cmd_cite(args: argparse.Namespace) -> int:
    from smallcap_bt.reports.cite import bibtex

    print(bibtex(args.vintage, store=args.store), end="")
    return EXIT_OK


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Register ``report`` and ``cite``."""
    from smallcap_bt.cli.claims import add_claim_options

    r = sub.add_parser(
        "report",
        help="write report.md/.html, claims.tex, results.json and figures",
        description="Verify the claims and write a report: report.html (self-contained), "
        "report.md, claims.tex (scorecard table), results.json and figures/ (PNG, 200 dpi).",
    )
    add_claim_options(r, "report the claims of", "only those are reported")
    r.add_argument("--out", required=True, type=path_arg, help="output folder (created if missing)")
    r.add_argument("--vintage", help="named data vintage (default: the store's default vintage)")
    add_inference_options(r)
    add_jobs_option(r)
    r.add_argument(
        "--no-strategies", action="store_true", help="skip the Fed-cut strategy tearsheet"
    )
    r.add_argument(
        "--tex-figures",
        action="store_true",
        help="also write vector PDF figures and figures.tex for LaTeX",
    )
    r.add_argument(
        "--compare-vintage",
        metavar="NAME",
        help="add a 'Vintage sensitivity' section: the same claims on vintage NAME, verdicts "
        "and headline estimates side by side (default: none)",
    )
    r.add_argument(
        "--workers",
        type=bounded_int(0, 64, "--workers"),
        default=0,
        help="forked processes drawing figures while claims are verified (Linux); 0 = none "
        "(default: 0)",
    )
    add_progress_option(r)
    r.add_argument(
        "-q", "--quiet", action="store_true", default=argparse.SUPPRESS, help="no output"
    )
    r.set_defaults(func=_cmd_report)
    c = sub.add_parser("cite", help="BibTeX for the library and the data of a vintage")
    c.add_argument("--vintage", help="named data vintage (default: the store's default)")
    c.set_defaults(func=_cmd_cite)
