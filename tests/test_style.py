"""The code base stays ruff clean and ruff formatted (the test command runs it, so CI does)."""

import subprocess
import sys

import pytest

from tests.conftest import REPO

PATHS = ["smallcap_bt", "tests", "benchmarks", "scripts"]


@pytest.mark.parametrize("command", [["check"], ["format", "--check"]], ids=["lint", "format"])
def test_ruff(command):
    res = subprocess.run(
        [sys.executable, "-m", "ruff", *command, *PATHS],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert res.returncode == 0, res.stdout + res.stderr
