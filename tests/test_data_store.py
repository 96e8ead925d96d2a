"""The store never loses data and never lies: transactions, kills, concurrency, composition,
names, damaged layouts, the Parquet cache and provenance.

Every case checks the exit code (or the error type), the message (names the file and the
problem) and the store's state afterwards.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from smallcap_bt.cli import main
from smallcap_bt.data import Store, import_snapshot, load, vintage_fingerprint
from smallcap_bt.data.catalog import FILES
from smallcap_bt.data.store import sha256
from smallcap_bt.exceptions import IntegrityError, InvalidVintageNameError, StoreError
from tests.conftest import FRED_DIR, FRENCH

ALL = [FRENCH / "202602", FRENCH / "202510", FRENCH / "202511", FRED_DIR]


def cli(store: Path, *args: str, capsys=None) -> tuple[int, str, str]:
    code = main(["--store", str(store), *args])
    if capsys is None:
        return code, "", ""
    out = capsys.readouterr()
    return code, out.out, out.err


def state(store: Path) -> dict[str, bytes]:
    """Everything that defines the store's published state: manifests and DEFAULT."""
    out = {}
    for p in sorted((store / "vintages").glob("*.json")) if (store / "vintages").is_dir() else []:
        out[p.name] = p.read_bytes()
    if (store / "DEFAULT").is_file():
        out["DEFAULT"] = (store / "DEFAULT").read_bytes()
    return out


def consistent(store: Path) -> None:
    """Every manifest parses, and every file it lists has its bytes with the right sha256."""
    st = Store(store)
    for name in st.vintages():
        man = st.manifest(name)
        for rec in man["files"].values():
            blob = store / "blobs" / rec["sha256"]
            assert blob.is_file(), (name, rec["filename"])
            assert sha256(blob.read_bytes()) == rec["sha256"]
        assert all(v == "ok" for v in st.check(name).values())


@pytest.fixture(scope="module")
def separate(tmp_path_factory) -> Path:
    """Each snapshot folder imported on its own, as a new user does."""
    root = tmp_path_factory.mktemp("separate")
    for folder in [*ALL, FRENCH / "202302", FRENCH / "202607"]:
        import_snapshot(folder, store=root)
    return root


# -- composition and the default vintage ---------------------------------------------------------
def test_separate_imports_resolve_to_latest_copy_of_each_file(separate):
    st = Store(separate)
    assert set(st.vintages()) == {"2026-08-10", "202302", "202510", "202511", "202602", "202607"}
    assert st.default_vintage() == "@latest"  # no single vintage is complete
    fp = vintage_fingerprint(store=separate)
    src = {ds: v["from_vintage"] for ds, v in fp["datasets"].items()}
    # the newest copy of each file by its own date, never by string order
    assert src["ff.factors.monthly"] == "202607"
    assert src["ff.portfolios_me.monthly.vw"] == "202602"
    assert src["ff.portfolios_2x3.monthly.vw"] == "202510"
    assert src["ff.momentum.monthly"] == "202511"
    assert src["fred.FEDFUNDS"] == "2026-08-10"
    assert set(fp["datasets"]) == {d for f in FILES for d in _ids(f)}


def _ids(fname: str) -> list[str]:
    from smallcap_bt.data.catalog import datasets_in

    return [d.id for d in datasets_in(fname)]


def test_resolution_at_a_date_takes_copies_at_or_before_it(separate):
    man = Store(separate).manifest("@202511")
    assert man["files"]["F-F_Research_Data_Factors"]["from_vintage"] == "202511"
    assert man["files"]["Portfolios_Formed_on_ME"]["from_vintage"] == "202302"
    assert "FEDFUNDS" not in man["files"]  # FRED copy ends 2026-06, after the date
    with pytest.raises(Exception, match="no stored file is dated at or before 1999-01-31"):
        Store(separate).manifest("@199901")


def test_separate_imports_then_verify_works(separate, tmp_path, capsys):
    out_json = tmp_path / "r.json"
    code, out, err = cli(
        separate,
        "verify",
        "since-1927-2.85pct",
        "--draws",
        "200",
        "--json",
        str(out_json),
        capsys=capsys,
    )
    assert code == 0, err
    assert "@latest" in out
    doc = json.loads(out_json.read_text())
    assert doc["vintage"]["name"] == "@latest"
    assert doc["vintage"]["datasets"]["ff.factors.monthly"]["from_vintage"] == "202607"
    assert doc["claims"][0]["verdict"] != "not_testable"


def test_default_is_newest_complete_by_date_not_by_name(separate):
    st = Store(separate)
    # "zz-old" sorts last by name but holds the 202302 files (dated 2023-02)
    st.compose("zz-old", ["202302", "202510", "202511", "2026-08-10"])
    st.compose("a-new", ["202602", "202510", "202511", "2026-08-10"])
    assert not st.missing_files("zz-old") and not st.missing_files("a-new")
    assert st.vintage_date("a-new") > st.vintage_date("zz-old")
    assert st.default_vintage() == "a-new"
    fp = vintage_fingerprint("a-new", store=separate)
    assert fp["datasets"]["ff.factors.monthly"]["from_vintage"] == "202602"
    for name in ("zz-old", "a-new"):
        (separate / "vintages" / f"{name}.json").unlink()


def test_compose_cli_and_conflicts(separate, capsys):
    code, out, _ = cli(
        separate, "data", "compose", "mix", "--from", "202602", "202302", capsys=capsys
    )
    assert code == 0 and "Portfolios_Formed_on_ME" in out and "202602" in out
    before = state(separate)
    code, _, err = cli(separate, "data", "compose", "mix", "--from", "202302", capsys=capsys)
    assert code == 3 and "already holds F-F_Research_Data_Factors_CSV.zip" in err
    assert state(separate) == before
    (separate / "vintages" / "mix.json").unlink()


# -- transactions ----------------------------------------------------------------------------------
def test_failed_import_publishes_nothing(tmp_path):
    store = tmp_path / "s"
    import_snapshot(FRENCH / "202302", "v", store=store)
    before = state(store)
    bad = tmp_path / "fred"
    bad.mkdir()
    for f in ("GS10.csv", "TB3MS.csv"):
        (bad / f).write_bytes((FRED_DIR / f).read_bytes())
    (bad / "GS2.csv").write_bytes(b"observation_date,GS2\n2020-01-01,1e9\n")
    with pytest.raises(Exception, match=r"GS2\.csv.*1e\+09.*interest rate"):
        import_snapshot([bad, FRED_DIR], "v", store=store, replace=True)
    assert state(store) == before  # not 17 files + 2: nothing
    assert not any((store / "staging").iterdir())
    consistent(store)


def test_concurrent_imports_keep_every_file(tmp_path):
    store = tmp_path / "s"
    code = (
        "import sys; from smallcap_bt.cli import main; "
        "sys.exit(main(['--store', sys.argv[1], '-q', 'data', 'import', '--vintage', 'v', "
        "*sys.argv[2:]]))"
    )
    a = [str(FRENCH / "202602"), str(FRENCH / "202510")]
    b = [str(FRED_DIR)]
    procs = [
        subprocess.Popen([sys.executable, "-c", code, str(store), *dirs], stderr=subprocess.PIPE)
        for dirs in (a, b)
    ]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    man = Store(store).manifest("v")
    assert len(man["files"]) == 4 + 17  # every file of both imports, none lost
    consistent(store)


def test_kill_at_random_moments_leaves_previous_or_next_state(tmp_path):
    """SIGKILL an import at random moments: the vintage holds its old files or all new ones."""
    store = tmp_path / "s"
    import_snapshot(FRENCH / "202602", "v", store=store)
    old = set(Store(store).manifest("v")["files"])
    new = old | {f for f, s in FILES.items() if s.source == "fred"}
    cmd = [
        sys.executable,
        "-m",
        "smallcap_bt.cli",
        "--store",
        str(store),
        "-q",
        "data",
        "import",
        "--vintage",
        "v",
        str(FRED_DIR),
    ]
    t0 = time.monotonic()  # one uninterrupted run (elsewhere) sets the range of kill moments
    subprocess.run([*cmd[:4], str(tmp_path / "scratch"), *cmd[5:]], check=True)
    span = time.monotonic() - t0
    rng = random.Random(11)
    seen = []
    for k in range(4):
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(span * (0.45 + 0.5 * (k + rng.random()) / 4))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        files = set(Store(store).manifest("v")["files"])
        assert files in (old, new), f"partial vintage: {len(files)} files"
        seen.append(len(files))
        consistent(store)
        if files == new:  # start again from the old state
            (store / "vintages" / "v.json").unlink()
            import_snapshot(FRENCH / "202602", "v", store=store)
    code = main(["--store", str(store), "data", "check", "--vintage", "v"])
    assert code == 0
    assert seen  # kills landed before and after the publish: both states were seen in runs


# -- vintage names ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "args",
    [
        ["data", "show", "ff.factors.monthly", "--vintage", "../../somewhere"],
        ["data", "check", "--vintage", "../x"],
        ["data", "list", "--vintage", "a/b"],
        ["data", "default", "../../x"],
        ["data", "import", "--vintage", "../evil", str(FRENCH / "202302")],
        ["data", "diff", "202602", "/etc/passwd"],
        ["verify", "since-1927-2.85pct", "--vintage", "../../somewhere"],
    ],
)
def test_vintage_names_validated_on_every_command(store_dir, tmp_path, capsys, args):
    outside = tmp_path / "somewhere.json"
    outside.write_text(json.dumps({"name": "x", "files": {}}))
    before = state(store_dir)
    code, _, err = cli(store_dir, *args, capsys=capsys)
    assert code == 2
    assert "invalid vintage name" in err
    assert state(store_dir) == before
    assert not (store_dir.parent / "evil.json").exists()


def test_default_marker_with_traversal_is_refused(tmp_path, capsys):
    store = tmp_path / "s"
    import_snapshot(FRENCH / "202302", "v", store=store)
    (store / "DEFAULT").write_text("../../x")
    code, _, err = cli(store, "data", "show", "ff.factors.monthly", capsys=capsys)
    assert code == 3 and "DEFAULT holds an invalid vintage name '../../x'" in err


def test_default_marker_naming_a_missing_vintage_is_an_error(tmp_path, capsys):
    """DEFAULT names a vintage that is not stored (deleted by hand): an error saying how to
    reset it, not results from another vintage (a bad-input battery saw verify and cite run
    silently on another one)."""
    store = tmp_path / "s"
    import_snapshot(FRENCH / "202302", "v", store=store)
    (store / "DEFAULT").write_text("999999")
    code, _, err = cli(store, "cite", capsys=capsys)
    assert code == 3 and "names vintage '999999', which is not in the store (stored: v)" in err
    assert "smallcap-bt data default NAME" in err


# -- damaged stores --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "content, problem",
    [
        ("[1, 2]", "expected a JSON object, found list"),
        ('{"name": "v", "files": []}', "field 'files' is missing or not an object"),
        (
            '{"name": "v", "files": {"GS10": {"source": "fred", "filename": "GS10.csv", '
            '"datasets": {}}}}',
            "files.GS10.sha256 is missing",
        ),
        ("{not json", "is not valid JSON"),
    ],
)
def test_manifest_of_wrong_shape(tmp_path, capsys, content, problem):
    store = tmp_path / "s"
    (store / "vintages").mkdir(parents=True)
    (store / "vintages" / "v.json").write_text(content)
    code, _, err = cli(store, "data", "list", capsys=capsys)
    assert code == 3
    assert "v.json" in err and problem in err
    assert (store / "vintages" / "v.json").read_text() == content  # left for the user


@pytest.mark.parametrize("folder", ["vintages", "blobs"])
def test_store_folder_replaced_by_a_file(tmp_path, capsys, folder):
    store = tmp_path / "s"
    import_snapshot(FRENCH / "202302", "v", store=store)
    target = store / folder
    os.rename(target, tmp_path / "moved")
    target.write_text("oops")
    code, out, err = cli(store, "data", "check", "--vintage", "v", capsys=capsys)
    assert code == 3
    assert f"{target} is a file, expected a folder" in out + err
    target.unlink()
    os.rename(tmp_path / "moved", target)
    assert cli(store, "data", "check", "--vintage", "v", capsys=capsys)[0] == 0


def test_unwritable_store_is_a_data_error(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    code, _, err = cli(blocker / "store", "data", "import", str(FRED_DIR), capsys=capsys)
    assert code == 3
    assert "store" in err and str(blocker) in err
    assert blocker.read_text() == "not a folder"


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions")
def test_read_only_store_still_reads(tmp_path, capsys):  # pragma: no cover - not as root
    store = tmp_path / "s"
    import_snapshot(FRENCH / "202302", "v", store=store)
    for p in [store, *store.rglob("*")]:
        p.chmod(0o555 if p.is_dir() else 0o444)
    try:
        assert cli(store, "data", "show", "ff.factors.monthly", capsys=capsys)[0] == 0
        code, _, err = cli(store, "data", "import", str(FRED_DIR), capsys=capsys)
        assert code == 3 and "cannot write" in err
    finally:
        for p in [store, *store.rglob("*")]:
            p.chmod(0o755 if p.is_dir() else 0o644)


def test_missing_and_corrupt_blobs_fail_check(tmp_path, capsys):
    store = tmp_path / "s"
    import_snapshot(FRENCH / "202302", "v", store=store)
    st = Store(store)
    rec = st.file_record("v", "Portfolios_Formed_on_ME")
    (store / "blobs" / rec["sha256"]).unlink()
    code, out, _ = cli(store, "data", "check", "--vintage", "v", capsys=capsys)
    assert code == 3
    assert "Portfolios_Formed_on_ME_CSV.zip of vintage 'v'" in out and "is missing" in out
    with pytest.raises(IntegrityError, match="is missing"):
        load("ff.portfolios_me.monthly.vw", "v", store=store)


def test_check_reports_what_claims_cannot_use(tmp_path, capsys):
    store = tmp_path / "s"
    import_snapshot([FRENCH / "202302", FRED_DIR], "v", store=store)
    code, out, _ = cli(store, "data", "check", "--vintage", "v", capsys=capsys)
    assert code == 0
    assert "6_Portfolios_2x3" in out and "ff.portfolios_2x3.beme" in out
    assert "cannot run" in out and "19 files ok" in out


# -- the Parquet cache -----------------------------------------------------------------------------
def test_cache_is_parquet_and_rebuilt_when_stale_or_damaged(tmp_path):
    store = tmp_path / "s"
    import_snapshot(FRENCH / "202302", "v", store=store)
    caches = sorted((store / "cache").iterdir())
    assert caches and all(p.suffix == ".parquet" for p in caches)
    assert not list(store.rglob("*.pkl"))
    want = load("ff.factors.monthly", "v", store=store)
    path = next(p for p in caches if ".ff.factors.monthly." in p.name)
    # wrong shape: a valid Parquet file with the first 10 rows only
    want.head(10).reset_index().astype({"date": str}).rename(
        columns={"date": "__date__"}
    ).to_parquet(path, index=False)
    pd.testing.assert_frame_equal(load("ff.factors.monthly", "v", store=store), want)
    path.write_bytes(b"garbage")
    pd.testing.assert_frame_equal(load("ff.factors.monthly", "v", store=store), want)
    assert len(pd.read_parquet(path)) == len(want)  # rebuilt in place


# -- provenance ------------------------------------------------------------------------------------
def test_retrieval_date_comes_from_sources_md_not_import_date(tmp_path):
    store = tmp_path / "s"
    import_snapshot(FRED_DIR, "f", store=store)
    rec = Store(store).file_record("f", "FEDFUNDS")
    # ../shared/data/fred/2026-08-10/SOURCES.md: "FEDFUNDS — ... file last changed in
    # `d6d6edd...` (2026-07-14)"
    assert rec["retrieved_at"] == "2026-07-14"
    assert "SOURCES.md" in rec["retrieved_how"]
    assert rec["imported_at"][:10] != "2026-07-14"
    from smallcap_bt.reports.cite import bibtex

    bib = bibtex("f", store=store)
    assert "year = {2026},\n  urldate = {2026-07-14}" in bib
    assert f"urldate = {{{rec['imported_at'][:10]}}}" not in bib
    assert "french_data_library" not in bib  # FRED only: no empty "Files: ;" entry


def test_french_citation_has_the_crsp_year_and_known_retrieval_dates(tmp_path):
    """../shared/data/french/202602/SOURCES.md: F-F_Research_Data_Factors is the library's
    own zip (member timestamp 2026-03-27); Portfolios_Formed_on_ME was rebuilt (no date).
    Both files say "created using the 202602 CRSP database"."""
    from smallcap_bt.reports.cite import bibtex

    import_snapshot(FRENCH / "202602", "v", store=tmp_path / "s")
    bib = bibtex("v", store=tmp_path / "s")
    french = bib[bib.index("@misc{french_data_library") :].split("\n}\n")[0]
    assert "  year = {2026},\n  urldate = {2026-03-27},\n" in french
    assert "CRSP database vintages 202602; retrieval date unknown for 1 of 2 files}" in french


def test_retrieval_date_from_sidecar_and_unknown(tmp_path):
    snap = tmp_path / "snap"
    snap.mkdir()
    (snap / "GS10.csv").write_bytes((FRED_DIR / "GS10.csv").read_bytes())
    (snap / "GS10.csv.retrieved").write_text("2025-01-02\n")
    (snap / "TB3MS.csv").write_bytes((FRED_DIR / "TB3MS.csv").read_bytes())
    import_snapshot(snap, "s", store=tmp_path / "st")
    st = Store(tmp_path / "st")
    assert st.file_record("s", "GS10")["retrieved_at"] == "2025-01-02"
    tb = st.file_record("s", "TB3MS")
    assert tb["retrieved_at"] is None and "unknown" in tb["retrieved_how"]


def test_invalid_name_error_type():
    with pytest.raises(InvalidVintageNameError, match=r"invalid vintage name '\.\.'"):
        Store("/nonexistent").manifest("..")
    with pytest.raises(StoreError, match="is a file, not a folder"):
        with Store(Path(__file__)).lock():
            pass


def test_all_real_snapshots_pass_strict_validation(tmp_path):
    rep = import_snapshot(ALL, "all", store=tmp_path / "s", strict=True)
    assert rep.warnings == []
    assert len(rep.actions) == 23
    rep = import_snapshot(
        [FRENCH / "202302", FRENCH / "202607"], "old", store=tmp_path / "s", strict=True
    )
    assert rep.warnings == []
    np.testing.assert_array_equal(
        load("ff.factors.monthly", "all", store=tmp_path / "s").columns,
        ["mkt_rf", "smb", "hml", "rf"],
    )


def test_vintage_handle_benefits_from_resolution(separate):
    from smallcap_bt.data.vintage import Vintage

    v = Vintage.open(None, separate)
    assert v.name == "@latest"
    assert "fred.CPIAUCSL" in v.datasets() and "ff.portfolios_2x3.beme" in v.datasets()
    data = v.declared(["fred.CPIAUCSL"], "test")
    assert data.col("cpi_yoy").loc["2020-12"] == pytest.approx(
        1.3, abs=0.1
    )  # BLS: CPI-U +1.4% Dec/Dec 2020 (NSA); SA ~1.3
    assert v.fingerprint["datasets"]["fred.CPIAUCSL"]["from_vintage"] == "2026-08-10"


def test_default_can_be_set_to_latest(separate, capsys):
    assert cli(separate, "data", "default", "@latest", capsys=capsys)[0] == 0
    assert Store(separate).default_vintage() == "@latest"
    (separate / "DEFAULT").unlink()


def test_second_writer_waits_then_gives_up_with_a_clear_message(tmp_path):
    import filelock

    store = tmp_path / "s"
    import_snapshot(FRENCH / "202302", "v", store=store)
    before = state(store)
    with filelock.FileLock(str(store / ".lock")):
        st = Store(store, lock_timeout=0.3)
        with pytest.raises(StoreError, match=r"another smallcap-bt process is writing.*\.lock"):
            st.add_file(
                "v",
                "GS10",
                (FRED_DIR / "GS10.csv").read_bytes(),
                origin="test",
                retrieved_at="2026-01-01",
            )
    assert state(store) == before


def test_store_that_cannot_be_written_still_reads(tmp_path, capsys, monkeypatch):
    """Like a read-only store (as root, permissions cannot show it): writes fail, reads work."""
    import shutil

    import smallcap_bt.data.store as store_mod

    store = tmp_path / "s"
    import_snapshot(FRENCH / "202302", "v", store=store)
    want = load("ff.factors.monthly", "v", store=store)
    shutil.rmtree(store / "cache")
    before = state(store)

    def refuse(path, data):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(store_mod, "atomic_write", refuse)
    monkeypatch.setattr("smallcap_bt.data.transaction.atomic_write", refuse)
    pd.testing.assert_frame_equal(load("ff.factors.monthly", "v", store=store), want)
    code, _, err = cli(store, "data", "import", "--vintage", "v", str(FRED_DIR), capsys=capsys)
    assert code == 3
    assert "cannot write vintage 'v'" in err and "Permission denied" in err
    assert "nothing was published" in err
    assert state(store) == before


def test_check_finds_a_file_entry_lacking_catalogue_datasets(tmp_path, capsys):
    store = tmp_path / "s"
    import_snapshot(FRENCH / "202302", "v", store=store)
    path = store / "vintages" / "v.json"
    man = json.loads(path.read_text())
    del man["files"]["Portfolios_Formed_on_ME"]["datasets"]["ff.portfolios_me.size"]
    path.write_text(json.dumps(man))
    code, out, err = cli(store, "data", "check", "--vintage", "v", capsys=capsys)
    assert code == 3
    assert "Portfolios_Formed_on_ME_CSV.zip: the manifest lacks datasets" in out
    assert "ff.portfolios_me.size" in out and "1 of 2 files FAILED" in err


def test_cached_frames_equal_a_fresh_parse_of_the_raw_bytes(store_dir):
    from smallcap_bt.data.store import parse_file

    st = Store(store_dir)
    for fname, spec in FILES.items():
        frames = parse_file(spec, st.raw("202602", fname))
        for ds_id, frame in frames.items():
            if not ds_id.startswith("__"):
                cached = load(ds_id, "202602", store=store_dir)  # from Parquet
                pd.testing.assert_frame_equal(cached, frame, check_exact=True)
    assert list((store_dir / "cache").glob("*.c1.parquet"))


def test_a_cache_changed_after_import_is_not_trusted(tmp_path, capsys):
    """A bad-input battery rewrote a cached Parquet frame with the same shape and values x10:
    verify reported 27.78% a year and data check said all files ok. The manifest now records
    a digest of each parsed frame; a cache that does not match is ignored, rebuilt from the
    raw bytes, and data check names and removes it."""
    import pandas as pd

    from smallcap_bt.cli import main
    from smallcap_bt.data.cache import write_frame
    from smallcap_bt.data.catalog import dataset

    store = tmp_path / "s"
    import_snapshot([FRENCH / "202602"], "v", store=store)
    st = Store(store)
    spec = dataset("ff.factors.annual")
    good = st.load(spec, "v")  # writes the cache
    rec = st.file_record("v", spec.file)
    path = st._cache_path(rec["sha256"], spec.id)
    assert path.is_file()
    write_frame(path, good * 10)  # same shape, other values
    again = Store(store).load(spec, "v")
    pd.testing.assert_frame_equal(again, good, check_names=False)
    write_frame(path, good * 10)
    assert main(["--store", str(store), "data", "check", "--vintage", "v"]) == 0
    out = capsys.readouterr().out
    assert "ff.factors.annual: its cached frame" in out and "removed" in out
    assert not path.exists()
