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


def test_mypy_clean_on_claims_and_stats():
    """The typed core (claims and stats) has zero mypy errors (config in pyproject.toml)."""
    res = subprocess.run(
        [sys.executable, "-m", "mypy"], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert res.returncode == 0, res.stdout + res.stderr


def test_version_is_written_once():
    import tomllib

    from smallcap_bt import __version__

    meta = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert "version" not in meta and "version" in meta["dynamic"]
    assert (REPO / "CHANGELOG.md").read_text().count(f"## {__version__}") == 1
