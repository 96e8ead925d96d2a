"""Mutation smoke test: can a silent one-line change to a claim flip its verdict unseen?

For every testable claim of the built-in catalogue, write a mutated copy of the catalogue to a
temporary folder and run the tests that pin that claim (``tests/test_expectations.py`` and the
claims tests), with ``SMALLCAP_BT_CATALOGUE_DIR`` pointing at the copy:

* every part's ``direction`` is flipped (positive <-> negative; ``about`` -> positive);
* for parts with a stated figure, a second mutant tightens ``tolerance`` tenfold.

A mutant is *caught* when the tests fail. The target is every mutant.

Usage: ``.venv/bin/python scripts/mutation_smoke.py [CLAIM_ID ...] [--jobs N]``
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CATALOGUE = REPO / "smallcap_bt" / "claims" / "catalogue"
FLIP = {"positive": "negative", "negative": "positive", "about": "positive"}


def _claim_block(text: str, cid: str) -> tuple[int, int]:
    """Character span of the [[claim]] record with id ``cid`` (up to the next [[claim]])."""
    start = text.index(f'id = "{cid}"')
    head = text.rfind("[[claim]]", 0, start)
    nxt = text.find("\n[[claim]]", start)
    return head, len(text) if nxt < 0 else nxt


def mutants(cid: str, text: str) -> list[tuple[str, str]]:
    """(description, mutated file text) pairs for one claim."""
    a, b = _claim_block(text, cid)
    block = text[a:b]
    out = []
    flipped = re.sub(
        r'^direction = "(\w+)"', lambda m: f'direction = "{FLIP[m.group(1)]}"', block, flags=re.M
    )
    out.append(("direction flipped", text[:a] + flipped + text[b:]))
    if re.search(r"^tolerance = ", block, flags=re.M):
        tight = re.sub(
            r"^tolerance = ([0-9.eE+-]+)",
            lambda m: f"tolerance = {float(m.group(1)) / 10!r}",
            block,
            flags=re.M,
        )
        out.append(("tolerance / 10", text[:a] + tight + text[b:]))
    return out


def run_mutant(cid: str, fname: str, what: str, text: str) -> tuple[str, str, bool, str]:
    """Run the pinning tests against one mutant; True when they fail (mutant caught)."""
    with tempfile.TemporaryDirectory() as tmp:
        for f in CATALOGUE.glob("*.toml"):
            shutil.copy(f, tmp)
        (Path(tmp) / fname).write_text(text)
        env = dict(os.environ, SMALLCAP_BT_CATALOGUE_DIR=tmp, SMALLCAP_BT_VERIFY_ONLY=cid)
        cmd = [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-x",
            "-n0",  # one process: under pytest-xdist, -x ends the run with exit 2, not 1
            "-p",
            "no:cacheprovider",
            "tests/test_expectations.py",
            "-k",
            cid,
        ]
        res = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, check=False)
    last = (res.stdout.strip().splitlines() or ["?"])[-1]
    # caught only when tests failed (1); a usage or internal error (2-4) is not a catch
    return cid, what, res.returncode == 1, last


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("claims", nargs="*", help="claim ids (default: every testable claim)")
    ap.add_argument("--jobs", type=int, default=2, help="mutants run in parallel (default 2)")
    args = ap.parse_args()
    jobs = []
    for f in sorted(CATALOGUE.glob("*.toml")):
        text = f.read_text()
        doc = tomllib.loads(text)
        for rec in doc.get("claim", []):
            testable = "test" in rec or "parts" in rec
            if testable and (not args.claims or rec["id"] in args.claims):
                jobs += [(rec["id"], f.name, w, t) for w, t in mutants(rec["id"], text)]
    with ThreadPoolExecutor(args.jobs) as pool:
        results = list(pool.map(lambda j: run_mutant(*j), jobs))
    caught = 0
    for cid, what, ok, last in results:
        caught += ok
        print(f"{'caught ' if ok else 'MISSED '} {cid:<28} {what:<18} {last}")
    print(f"\n{caught} of {len(results)} mutants caught")
    return 0 if caught == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
