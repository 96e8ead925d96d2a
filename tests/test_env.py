"""``smallcap-bt env`` reports the installed versions of the numerical stack."""

from __future__ import annotations

import json
import platform
import subprocess
import sys

from smallcap_bt.cli import main


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
        "arch",
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
