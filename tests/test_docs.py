"""The docs build with warnings as errors, and the generated pages are up to date."""

from __future__ import annotations

import importlib.util
import sys

import pytest

from tests.conftest import REPO, Job

#: the strict docs build, a background job (tests/conftest.py): it overlaps with other tests
MKDOCS = Job(
    "mkdocs",
    (sys.executable, "-m", "mkdocs", "build", "--strict", "-d", "{tmp}/site"),
    cwd=REPO,
    env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin", "HOME": "{tmp}"},
)


def _gen():
    spec = importlib.util.spec_from_file_location("gen_docs", REPO / "scripts" / "gen_docs.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_generated_pages_are_current(monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    gen = _gen()
    assert (REPO / "docs" / "claims.md").read_text() == gen.claims_md(), (
        "run: COLUMNS=100 python scripts/gen_docs.py"
    )
    assert (REPO / "docs" / "cli.md").read_text() == gen.cli_md(), (
        "run: COLUMNS=100 python scripts/gen_docs.py"
    )
    assert gen.claims_md().count("\n## ") == 35


@pytest.mark.background(MKDOCS)
def test_docs_build_strict(background):
    res = background(MKDOCS)
    tmp_path = res.tmp
    assert res.returncode == 0, res.stdout + res.stderr
    api = (tmp_path / "site" / "api" / "index.html").read_text()
    assert "hac_mean" in api and "Newey-West" in api
    assert "fed-cuts-since-1990" in (tmp_path / "site" / "claims" / "index.html").read_text()
    # the executed notebooks are rendered with their outputs (figures included)
    nb04 = tmp_path / "site" / "notebooks" / "04_strategies_overfitting" / "index.html"
    assert "data:image/png;base64" in nb04.read_text()
    assert "smallcap-bt verify" in (tmp_path / "site" / "quickstart" / "index.html").read_text()
