"""The code base stays ruff clean (run as part of the test command, so CI enforces it)."""

import subprocess
import sys

from tests.conftest import REPO


def test_ruff_clean():
    res = subprocess.run([sys.executable, "-m", "ruff", "check", "smallcap_bt", "tests",
                          "benchmarks"], cwd=REPO, capture_output=True, text=True, check=False)
    assert res.returncode == 0, res.stdout + res.stderr
