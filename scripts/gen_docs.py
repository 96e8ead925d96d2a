"""Generate docs/claims.md (from the claim registry) and docs/cli.md (from the CLI parser)."""

from __future__ import annotations

import argparse
from pathlib import Path

DOCS = Path(__file__).resolve().parents[1] / "docs"


def claims_md() -> str:
    from smallcap_bt.claims.registry import registry

    out = [
        "# Claim catalogue",
        "",
        "Generated from the registry (`scripts/gen_docs.py`); every row of CLAIMS.md.",
        "",
    ]
    for c in registry:
        out += [f"## {c.id}", "", f"> {c.quote}", ""]
        out += [f"- **{k.capitalize()}**: {v}" for k, v in c.fields()]
        out.append("")
    return "\n".join(out)


def cli_md() -> str:
    from smallcap_bt.cli import build_parser

    parser = build_parser()
    out = [
        "# CLI reference",
        "",
        "Generated from the argument parser.",
        "",
        "```text",
        parser.format_help().rstrip(),
        "```",
        "",
    ]

    def walk(p: argparse.ArgumentParser, prefix: str) -> None:
        for action in p._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    out.extend(
                        [
                            f"## {prefix} {name}",
                            "",
                            "```text",
                            sub.format_help().rstrip(),
                            "```",
                            "",
                        ]
                    )
                    walk(sub, f"{prefix} {name}")

    walk(parser, "smallcap-bt")
    return "\n".join(out)


def main() -> None:
    (DOCS / "claims.md").write_text(claims_md())
    (DOCS / "cli.md").write_text(cli_md())


if __name__ == "__main__":
    main()
