"""Terminal output: tables that fit the terminal, progress by mode (bar / plain / off)."""

from __future__ import annotations

import io
import re

import pytest

from smallcap_bt.cli import output

ROWS = [
    {"id": "ff.portfolios_2x3.monthly.vw", "n": 1, "text": "word " * 40 + "[not markup]"},
    {"id": "fred.DFEDTARU", "n": 22, "text": "short"},
]


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_table_piped_keeps_one_line_per_row(capsys):
    output.print_table(ROWS, ["id", "n", "text"])
    lines = capsys.readouterr().out.rstrip("\n").splitlines()
    assert len(lines) == 2 + len(ROWS)  # header, rule, one line per row: never wrapped
    assert lines[0].split() == ["id", "n", "text"]
    assert set(lines[1].replace(" ", "")) == {"─"}
    assert "[not markup]" in lines[2]  # values print verbatim (no rich markup)
    assert lines[2].index("1") == lines[0].index("n")  # aligned under the header


def test_table_piped_many_columns_never_wraps(capsys):
    cols = [f"c{i}" for i in range(9)]
    rows = [{c: f"value-{c}-{'x' * (3 * i)} end" for i, c in enumerate(cols)} for _ in range(3)]
    output.print_table(rows, cols)
    lines = capsys.readouterr().out.rstrip("\n").splitlines()
    assert len(lines) == 2 + len(rows)
    assert lines[2].endswith("value-c8-" + "x" * 24 + " end")


def test_table_on_a_terminal_wraps_to_its_width(monkeypatch):
    tty = _Tty()
    monkeypatch.setattr("sys.stdout", tty)
    monkeypatch.setenv("COLUMNS", "60")
    output.print_table(ROWS, ["id", "n", "text"])
    text = re.sub(r"\x1b\[[0-9;]*m", "", tty.getvalue())  # drop colour codes
    lines = text.rstrip("\n").splitlines()
    assert max(len(ln) for ln in lines) <= 60
    assert len(lines) > 2 + len(ROWS)  # the long text wrapped inside its cell
    assert "ff.portfolios_2x3.monthly.vw" in text  # the id column never breaks
    words = " ".join(ln.split("  ")[-1] for ln in lines[2:])
    assert words.count("word") == 40  # nothing cut


@pytest.mark.parametrize(
    ("mode", "quiet", "tty", "ci", "want"),
    [
        ("auto", False, True, "", "bar"),
        ("auto", False, False, "", "plain"),
        ("auto", False, True, "true", "plain"),
        ("bar", False, False, "", "plain"),
        ("plain", False, True, "", "plain"),
        ("auto", True, True, "", "off"),
        ("plain", True, False, "", "off"),
        ("off", False, True, "", "off"),
    ],
)
def test_progress_mode(monkeypatch, mode, quiet, tty, ci, want):
    monkeypatch.setenv("CI", ci)
    stream = _Tty() if tty else io.StringIO()
    assert output.resolve_progress(mode, quiet=quiet, stream=stream) == want


def test_progress_mode_rejects_unknown():
    with pytest.raises(ValueError, match="progress mode must be one of"):
        output.resolve_progress("fancy")


def test_plain_progress_prints_about_every_tenth(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    err = io.StringIO()
    with output.progress(35, "verify", "plain", stream=err) as advance:
        for i in range(35):
            advance(f"claim-{i}")
    lines = err.getvalue().splitlines()
    assert lines[0].startswith("verify: 1/35 (2%) claim-0 [")
    assert lines[-1].startswith("verify: 35/35 (100%) claim-34 [")
    assert 10 <= len(lines) <= 14  # periodic, not one line per step
    done = [int(ln.split()[1].split("/")[0]) for ln in lines]
    assert done == sorted(done)


def test_bar_and_off(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    tty = _Tty()
    with output.progress(4, "report", "bar", stream=tty) as advance:
        for _ in range(4):
            advance("x")
    assert "report" in tty.getvalue() and "4/4" in tty.getvalue()
    quiet = _Tty()
    with output.progress(4, "report", "off", stream=quiet) as advance:
        advance("x")
    assert quiet.getvalue() == ""


def test_result_files_follow_links_and_never_replace_pipes(tmp_path):
    """A result file named through a symbolic link is written at the link's target, the
    link kept; a pipe or device (``/dev/stdout`` is one when piped) is written to, never
    replaced by a regular file (a rename over it had replaced this machine's /dev/stdout)."""
    import os
    import stat
    import threading

    from smallcap_bt.data.store import atomic_write

    (tmp_path / "link.json").symlink_to("real.json")
    output.write_output(str(tmp_path / "link.json"), b"{}")
    assert (tmp_path / "link.json").is_symlink() and (tmp_path / "real.json").read_bytes() == b"{}"
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    atomic_write(fifo, b"through the pipe")
    reader.join(10)
    assert got == [b"through the pipe"]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_dash_sends_the_file_alone_to_stdout_and_tables_to_stderr(store_dir, tmp_path, capsys):
    """``verify --json -`` and ``--lock -``: standard output is exactly the file (parseable
    JSON), the verdict table goes to standard error; ``-q --check`` still prints the check
    result (its help says so)."""
    import json

    from smallcap_bt.cli import main

    base = ["--store", str(store_dir), "verify", "since-1927-2.85pct", "--draws", "50"]
    assert main([*base, "--json", "-"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["claims"][0]["id"] == "since-1927-2.85pct"
    assert "since-1927-2.85pct" in err and "supported" in err
    assert main([*base, "--lock", "-", "-q"]) == 0
    lock = tmp_path / "lock.json"
    lock.write_text(capsys.readouterr().out)
    assert "since-1927-2.85pct" in json.loads(lock.read_text())["claims"]
    assert main([*base, "--check", str(lock), "-q"]) == 0
    out, err = capsys.readouterr()
    assert out.strip() == f"lock check against {lock}: no verdict flipped, no estimate moved"


def test_unwritable_outputs_are_usage_errors_before_any_work(store_dir, tmp_path, capsys):
    """A result file that cannot be written is exit 2 naming the option and the path, found
    before the claims run (a bad-input battery saw exit 4, "a bug", after the whole run)."""
    from smallcap_bt.cli import main

    (tmp_path / "afile").write_text("x")
    (tmp_path / "adir").mkdir()
    base = ["--store", str(store_dir), "verify", "since-1927-2.85pct", "--draws", "50", "-q"]
    cases = {
        ("--json", "adir"): "is a folder; name a file",
        ("--lock", "adir"): "is a folder; name a file",
        ("--json", "afile/x.json"): "is a file, not a folder",
    }
    for (option, name), why in cases.items():
        assert main([*base, option, str(tmp_path / name)]) == 2
        assert f"{option} {tmp_path / name}: " in (err := capsys.readouterr().err) and why in err
    argv = ["--store", str(store_dir), "report", "--out", str(tmp_path / "afile"), "-q"]
    assert main(argv) == 2
    assert "is a file; name a folder" in capsys.readouterr().err
    argv = ["--store", str(store_dir), "report", "--out", str(tmp_path / "r"), "-q"]
    assert main([*argv, "--compare-vintage", "nosuch"]) == 3
    assert not (tmp_path / "r").exists()  # nothing written before the inputs are known
    from smallcap_bt.exceptions import UsageError

    with pytest.raises(UsageError, match=r"--json .*adir: cannot write"):
        output.write_output(str(tmp_path / "adir"), b"{}", "--json")  # at write time too


@pytest.mark.parametrize(
    "argv",
    [
        ["--store", "", "data", "list"],
        ["verify", "more-volatile", "--check", ""],
        ["verify", "more-volatile", "--lock", ""],
        ["verify", "more-volatile", "--json", ""],
        ["verify", "--claims", ""],
        ["report", "--out", ""],
        ["data", "import", ""],
        ["data", "diff", "a", "b", "--json", ""],
    ],
    ids=["store", "check", "lock", "json", "claims", "out", "import", "diff-json"],
)
def test_an_empty_path_is_a_usage_error(argv, tmp_path, monkeypatch, capsys):
    """An unset shell variable (``--check "$LOCK"``): the gate passed without checking, the
    store and the report went into the current folder (a bad-input battery)."""
    from smallcap_bt.cli import main

    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    assert "needs a path, got an empty string" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []  # nothing written here


def test_an_out_folder_that_cannot_be_made_is_a_usage_error(store_dir, capsys):
    """As root the access check passes in /proc and /sys, where no folder can be made: exit 2
    naming --out (it was exit 4 after the claims ran)."""
    from smallcap_bt.cli import main

    argv = ["--store", str(store_dir), "report", "more-volatile", "--out", "/proc/nope", "-q"]
    assert main(argv) == 2
    assert "--out /proc/nope: cannot create the folder" in capsys.readouterr().err


def test_small_mistakes_get_messages_that_name_them(tmp_path, capsys):
    """A bad-input battery's unclear cases: a fractional --retries was truncated, a negative
    --workers accepted, a folder given to claims check 'did not exist', a file given as the
    store 'held no vintage'."""
    from smallcap_bt.cli import main

    (tmp_path / "afile").write_text("x")
    for argv, needle in [
        (["data", "fetch", "--retries", "1.9"], "--retries must be a whole number, got '1.9'"),
        (["report", "--out", "x", "--workers", "-1"], "--workers must be between 0 and 64"),
        # backtest's --seed and --top were plain ints: -1 reached NumPy's seeding, 0 printed
        # a message of the command itself; --scheduler "" ran locally without a word
        (["backtest", "fed-cut", "--seed", "-1"], "--seed must be between 0 and"),
        (["backtest", "fed-cut", "--top", "0"], "--top must be between 1 and"),
        (["backtest", "fed-cut", "--scheduler", ""], "needs a Dask scheduler address"),
    ]:
        with pytest.raises(SystemExit) as exc:
            main(argv)
        assert exc.value.code == 2 and needle in capsys.readouterr().err
    assert main(["claims", "check", str(tmp_path)]) == 2
    assert "is a folder; name a .toml file" in capsys.readouterr().err
    assert main(["--store", str(tmp_path / "afile"), "data", "list"]) == 3
    assert "is a file, not a folder" in capsys.readouterr().err


def test_dev_stdout_redirected_to_a_log_is_appended_to_not_replaced(store_dir, tmp_path):
    """``verify --json /dev/stdout >> log``: /dev/stdout then names the log itself, and
    following the link to rename a new file over it had wiped what the log held (review)."""
    import json
    import subprocess
    import sys

    log = tmp_path / "log.txt"
    log.write_text("OLD\n")
    argv = [sys.executable, "-m", "smallcap_bt.cli", "--store", str(store_dir), "verify"]
    argv += ["size-premium-long-run", "--draws", "40", "--joint-draws", "0", "-q"]
    with log.open("a") as out:
        subprocess.run([*argv, "--json", "/dev/stdout"], stdout=out, check=True)
    text = log.read_text()
    assert text.startswith("OLD\n")
    assert json.loads(text[4:])["claims"][0]["id"] == "size-premium-long-run"
