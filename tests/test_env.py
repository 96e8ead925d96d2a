"""``smallcap-bt env`` reports the installed versions of the numerical stack."""

from __future__ import annotations

import functools
import json
import platform
import subprocess
import sys

from smallcap_bt.cli import main


@functools.cache
def _pip_versions() -> dict[str, str]:
    """Independent oracle: what pip says is installed in this interpreter."""
    res = subprocess.run(
        [sys.executable, "-m", "pip", "list", "--format", "json", "--disable-pip-version-check"],
        capture_output=True,
        text=True,
        check=True,
    )
    return {d["name"].lower().replace("_", "-"): d["version"] for d in json.loads(res.stdout)}


def test_env_json_matches_pip(capsys):
    assert main(["env", "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    want = _pip_versions()
    assert got["python"] == platform.python_version()
    names = [
        "numpy",
        "pandas",
        "scipy",
        "statsmodels",
        "vectorbt",
        "numba",
        "pandas-datareader",
        "matplotlib",
    ]
    for name in names:
        assert got[name] == want[name], name
    assert got["smallcap_bt"] == want["smallcap-bt"]


def test_env_table(capsys):
    assert main(["env"]) == 0
    out = capsys.readouterr().out
    rows = {ln.split()[0]: ln.split()[1] for ln in out.splitlines()[2:]}
    assert set(rows) >= {"python", "numpy", "vectorbt", "numba", "pandas-datareader"}
    assert rows["numpy"] == _pip_versions()["numpy"]


def test_lock_file_pins_every_dependency_with_hashes():
    """requirements.lock (scripts/lock.sh) pins each dependency and test extra of pyproject
    exactly, inside its declared range and scripts/lock-constraints.txt, with sha256
    hashes; scripts install from it."""
    import re
    import tomllib

    from packaging.requirements import Requirement

    from tests.conftest import REPO

    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    wanted = [Requirement(r) for r in project["dependencies"]]
    wanted += [Requirement(r) for r in project["optional-dependencies"]["test"]]
    text = (REPO / "requirements.lock").read_text()
    blocks = re.findall(
        r"^([A-Za-z0-9_.\-]+)==(\S+) \\\n((?:\s+--hash=sha256:[0-9a-f]{64}.*\n)+)", text, flags=re.M
    )
    pins = {re.sub(r"[-_.]+", "-", n).lower(): v for n, v, _ in blocks}
    top = [ln for ln in text.splitlines() if ln and not ln.startswith((" ", "#"))]
    assert len(top) == len(blocks), "every pinned package has hashes"
    for req in wanted:
        name = re.sub(r"[-_.]+", "-", req.name).lower()
        assert name in pins, f"{req.name} missing from requirements.lock: run scripts/lock.sh"
        assert req.specifier.contains(pins[name], prereleases=True), (req, pins[name])
    # and inside scripts/lock-constraints.txt (versions the locked environment avoids)
    lines = (REPO / "scripts" / "lock-constraints.txt").read_text().splitlines()
    constraints = [Requirement(ln) for ln in lines if ln.strip() and not ln.startswith("#")]
    assert constraints, "scripts/lock-constraints.txt names no version"
    for req in constraints:
        name = re.sub(r"[-_.]+", "-", req.name).lower()
        assert req.specifier.contains(pins[name], prereleases=True), (
            f"requirements.lock pins {name} {pins[name]}, which scripts/lock-constraints.txt "
            "excludes: run scripts/lock.sh"
        )
    body = (REPO / "scripts" / "bootstrap.sh").read_text()
    assert "--require-hashes -r requirements.lock" in body and "--no-deps -e ." in body


def test_ci_runs_the_readme_set_up_commands():
    """.ci/run runs the README's two set-up commands, in order: the install and main job
    (scripts/bootstrap.sh, which installs from requirements.lock), then the test command."""
    from tests.conftest import REPO

    readme = (REPO / "README.md").read_text()
    block = readme.split("two commands", 1)[1].split("```bash\n", 1)[1].split("```", 1)[0]
    commands = [ln.split("#", 1)[0].strip() for ln in block.splitlines() if ln.strip()]
    assert len(commands) == 2, commands
    ci = [ln.strip() for ln in (REPO / ".ci" / "run").read_text().splitlines()]
    # the test command exactly (its exit code is the run's); the install may add an error
    # branch that exits non-zero, nothing that swallows a failure
    where = [
        next((i for i, ln in enumerate(ci) if ln == c or ln.startswith(c + " || {")), None)
        for c in commands
    ]
    assert None not in where, (commands, "not each a line of .ci/run")
    assert where[0] < where[1]
    assert ci[where[1]] == commands[1]
    assert "exit 1" in ci[where[0]] or ci[where[0]] == commands[0]
    assert not any(ln.startswith("exit 0") or ln == "exit" for ln in ci[: where[1]])
