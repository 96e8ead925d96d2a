"""The code base stays ruff clean and ruff formatted (the test command runs it, so CI does).

ruff and mypy run as background jobs (see ``tests/conftest.py``): started once the tests are
collected, they overlap with the in-process tests; mypy keeps its usual incremental cache
(``.mypy_cache``), so a clean clone runs it in full.
"""

import sys

import pytest

from tests.conftest import REPO, Job

PATHS = ["smallcap_bt", "tests", "benchmarks", "scripts", "notebooks", "docs/notebooks"]
RUFF = {
    name: Job(f"ruff-{name}", (sys.executable, "-m", "ruff", *command, *PATHS), cwd=REPO)
    for name, command in {"lint": ["check"], "format": ["format", "--check"]}.items()
}
MYPY = Job("mypy", (sys.executable, "-m", "mypy"), cwd=REPO)


@pytest.mark.parametrize(
    "job", [pytest.param(job, marks=pytest.mark.background(job), id=k) for k, job in RUFF.items()]
)
def test_ruff(job, background):
    res = background(job)
    assert res.returncode == 0, res.stdout + res.stderr


@pytest.mark.background(MYPY)
def test_mypy_clean_on_claims_and_stats(background):
    """The typed core (claims and stats) has zero mypy errors (config in pyproject.toml)."""
    res = background(MYPY)
    assert res.returncode == 0, res.stdout + res.stderr


def test_version_is_written_once():
    import tomllib

    from smallcap_bt import __version__

    meta = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert "version" not in meta and "version" in meta["dynamic"]
    assert (REPO / "CHANGELOG.md").read_text().count(f"## {__version__}") == 1
