"""The notebooks run top to bottom, offline, on the public API (executed with nbclient).

Each notebook runs in a fresh kernel on its own copy of the session store, as a background
job (``tests/nbrun.py``; see ``tests/conftest.py``): the kernels start as soon as the store is
built and overlap with the in-process tests.
"""

from __future__ import annotations

import sys

import nbformat
import pytest

from tests.conftest import REPO, SHARED_DATA, Job

NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
RUNS = {
    path: Job(
        f"notebook-{path.stem}",
        (sys.executable, str(REPO / "tests" / "nbrun.py"), str(path), "{tmp}/out.ipynb"),
        set_env={
            "SMALLCAP_BT_HOME": "{store}",
            "SMALLCAP_BT_SHARED_DATA": str(SHARED_DATA),
            "MPLBACKEND": "Agg",
        },
    )
    for path in NOTEBOOKS
}


def test_there_are_four_notebooks():
    assert [p.name for p in NOTEBOOKS] == [
        "01_quickstart.ipynb",
        "02_fed_cut_event_study.ipynb",
        "03_size_premium.ipynb",
        "04_strategies_overfitting.ipynb",
    ]


@pytest.mark.slow
@pytest.mark.parametrize(
    "path",
    [pytest.param(p, marks=pytest.mark.background(job), id=p.stem) for p, job in RUNS.items()],
)
def test_notebook_executes(path, background):
    res = background(RUNS[path])
    assert res.returncode == 0, res.stderr[-3000:]  # nbclient stops at a cell error
    nb = nbformat.read(res.tmp / "out.ipynb", as_version=4)
    assert len(nb.cells) == len(nbformat.read(path, as_version=4).cells)
    errors = [
        o
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if o.get("output_type") == "error"
    ]
    assert not errors
