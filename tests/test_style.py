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
def test_mypy_clean_on_the_package(background):
    """The whole package has zero mypy errors (config in pyproject.toml)."""
    res = background(MYPY)
    assert res.returncode == 0, res.stdout + res.stderr


def test_version_is_written_once():
    import tomllib

    from smallcap_bt import __version__

    meta = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert "version" not in meta and "version" in meta["dynamic"]
    assert (REPO / "CHANGELOG.md").read_text().count(f"## {__version__}") == 1


#: numba's decorators and compilers: a function passed to one is compiled from its bytecode
NUMBA_COMPILERS = {"njit", "jit", "vectorize", "guvectorize", "cfunc", "generated_jit", "jitclass"}


def _compiles_with_numba(tree) -> bool:
    """Whether a module calls or decorates with one of numba's compilers, however imported
    (``from numba import njit as fast``, ``import numba as nb; nb.njit``,
    ``numba.experimental.jitclass``); ``np.vectorize`` and other same-named functions are not
    numba's."""
    import ast

    direct: set[str] = set()  # local names bound to a compiler
    modules: set[str] = set()  # local names bound to numba or one of its submodules
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "numba":
            for a in node.names:
                if a.name in NUMBA_COMPILERS:
                    direct.add(a.asname or a.name)
                else:
                    modules.add(a.asname or a.name)
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.split(".")[0] == "numba":
                    modules.add(a.asname or a.name.split(".")[0])

    def numba_compiler(expr) -> bool:
        if isinstance(expr, ast.Call):
            expr = expr.func
        if isinstance(expr, ast.Name):
            return expr.id in direct
        if isinstance(expr, ast.Attribute) and expr.attr in NUMBA_COMPILERS:
            root = expr.value
            while isinstance(root, ast.Attribute):
                root = root.value
            return isinstance(root, ast.Name) and root.id in modules
        return False

    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and numba_compiler(node.func):
            return True
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            if any(numba_compiler(d) for d in node.decorator_list):
                return True
    return False


def test_the_kernel_detector_knows_numba_from_its_namesakes():
    import ast

    def finds(src: str) -> bool:
        return _compiles_with_numba(ast.parse(src))

    assert finds("from numba import njit\n@njit(cache=True)\ndef f(x): return x")
    assert finds("from numba import njit as fast\n@fast\ndef f(x): return x")
    assert finds("import numba as nb\ng = nb.njit(lambda x: x)")
    assert finds("from numba.experimental import jitclass\n@jitclass([])\nclass A: pass")
    assert finds("import numba.experimental\n@numba.experimental.jitclass([])\nclass A: pass")
    assert not finds("import numpy as np\nf = np.vectorize(len)")
    assert not finds("from functools import cache\n@cache\ndef f(x): return x")


def test_coverage_leaves_out_exactly_the_modules_that_define_numba_kernels():
    """SlipCover (the README's test command) rewrites the bytecode of the files it measures,
    and numba cannot type a kernel compiled from rewritten bytecode (a TypingError at the
    kernel's first call). So every module that defines a kernel is in ``[tool.slipcover]
    omit``, and nothing else is left out but the ``python -m`` entry point."""
    import ast
    import tomllib

    conf = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["slipcover"]
    kernels = {
        p.relative_to(REPO).as_posix()
        for p in sorted((REPO / "smallcap_bt").rglob("*.py"))
        if _compiles_with_numba(ast.parse(p.read_text()))
    }
    assert "smallcap_bt/stats/nb.py" in kernels  # the detector finds the known kernels
    assert set(conf["omit"]) == kernels | {"smallcap_bt/cli/__main__.py"}
    # and the omitted modules hold kernels only: plain Python there would go unmeasured
    for path in kernels:
        plain = [
            f.name
            for f in ast.parse((REPO / path).read_text()).body
            if isinstance(f, ast.FunctionDef) and not f.decorator_list
        ]
        assert not plain, f"{path}: move {plain} to a measured module (see stats/rotation.py)"
    assert conf["source"] == "smallcap_bt"
