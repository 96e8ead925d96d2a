"""Shared fixtures: the real snapshots in ../shared/data, served on loopback like the live sites.

No test touches the network. The session store is built through the same code path a user
with network runs: pandas-datareader readers download from a loopback HTTP server that serves
the snapshot folders in the sources' own URL layout.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("SMALLCAP_BT_SHARED_DATA", REPO.parent / "shared" / "data"))
FRED_DIR = SHARED_DATA / "fred" / "2026-08-10"
FRENCH = SHARED_DATA / "french"

#: which snapshot folder supplies each French file of the main test vintage "202602"
MAIN_VINTAGE_FRENCH = {
    "202602": ["F-F_Research_Data_Factors", "Portfolios_Formed_on_ME"],
    "202510": ["6_Portfolios_2x3", "F-F_Research_Data_Factors_daily"],
    "202511": ["F-F_Research_Data_5_Factors_2x3", "F-F_Momentum_Factor"],
}


def pytest_configure(config: pytest.Config) -> None:
    if not (FRENCH / "202602" / "ftp" / "Portfolios_Formed_on_ME_CSV.zip").is_file():
        raise pytest.UsageError(
            f"snapshot data not found at {SHARED_DATA}: the tests read the real source files "
            "from ../shared/data (or $SMALLCAP_BT_SHARED_DATA)"
        )


class _Handler(BaseHTTPRequestHandler):
    """Serves /french/<vintage>/ftp/<file> and /fred/graph/fredgraph.csv?id=<SERIES>."""

    overrides: dict[str, tuple[int, bytes]] = {}

    def log_message(self, *args: object) -> None:  # keep test output clean
        pass

    def do_GET(self) -> None:
        url = urlparse(self.path)
        if url.path in self.overrides:
            status, body = self.overrides[url.path]
            return self._send(status, body)
        parts = url.path.strip("/").split("/")
        path: Path | None = None
        if parts[0] == "french" and len(parts) == 4 and parts[2] == "ftp":
            path = FRENCH / parts[1] / "ftp" / parts[3]
        elif url.path == "/fred/graph/fredgraph.csv":
            sid = parse_qs(url.query).get("id", [""])[0]
            path = FRED_DIR / f"{sid}.csv"
        if path is None or not path.is_file():
            return self._send(404, b"Not Found")
        return self._send(200, path.read_bytes())

    def _send(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="session")
def server() -> Iterator[str]:
    """Base URL of a loopback server mirroring the French library and fredgraph."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def http_override() -> Iterator[dict[str, tuple[int, bytes]]]:
    """Register canned responses ``{path: (status, body)}`` on the loopback server."""
    _Handler.overrides.clear()
    yield _Handler.overrides
    _Handler.overrides.clear()


def raw_french_table(title: str, name: str = "Portfolios_Formed_on_ME", vintage: str = "202602"):
    """Independent reading of one table of a snapshot zip: plain zipfile + pandas.read_csv on
    the block under ``title`` (exact text), percent values and original labels kept."""
    import io
    import zipfile

    import pandas as pd

    with zipfile.ZipFile(FRENCH / vintage / "ftp" / f"{name}_CSV.zip") as zf:
        text = zf.read(zf.namelist()[0]).decode()
    start = text.index(title)
    block = text[start:].split("\r\n\r\n")[0].split("\r\n", 1)[1]
    df = pd.read_csv(io.StringIO(block), index_col=0)
    df.columns = [c.strip() for c in df.columns]
    return df


def fetch_main_vintage(store_dir: Path, base: str, vintage: str = "202602") -> None:
    """Build the main test vintage through the live (pandas-datareader) path."""
    from smallcap_bt.data.catalog import FILES
    from smallcap_bt.data.load import fetch_vintage

    for folder, files in MAIN_VINTAGE_FRENCH.items():
        fetch_vintage(vintage, files, store=store_dir, french_url=f"{base}/french/{folder}/")
    fred = [n for n, f in FILES.items() if f.source == "fred"]
    fetch_vintage(vintage, fred, store=store_dir, fred_url=f"{base}/fred/graph/fredgraph.csv")


@pytest.fixture(scope="session")
def store_dir(tmp_path_factory: pytest.TempPathFactory, server: str) -> Path:
    """A store holding vintage 202602 (fetched over loopback) and 202302 (imported)."""
    from smallcap_bt.data.load import import_snapshot

    root = tmp_path_factory.mktemp("store")
    fetch_main_vintage(root, server)
    import_snapshot([FRENCH / "202302", FRED_DIR], "202302", store=root)
    from smallcap_bt.data.store import Store

    Store(root).set_default("202602")
    return root


@pytest.fixture(scope="session")
def panel(store_dir: Path):
    """The monthly panel of vintage 202602."""
    from smallcap_bt.panel.build import monthly_panel

    return monthly_panel(vintage="202602", store=store_dir)


@pytest.fixture(scope="session")
def verified(store_dir: Path):
    """Every claim verified once on 202602 (seed 0, 2,000 draws, 500 joint draws), shared by
    the claims and expectations tests."""
    from smallcap_bt.claims import verify_all

    return verify_all(vintage="202602", store=store_dir, seed=0, draws=2_000)
