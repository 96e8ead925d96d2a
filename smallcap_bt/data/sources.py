"""Network access, through pandas-datareader's readers (retries, sessions, timeouts).

``fetch_*`` functions return the raw bytes exactly as received; parsing happens in
:mod:`smallcap_bt.data.parse`. Base URLs are configurable (see :mod:`smallcap_bt.config`), so a
mirror or a loopback server can stand in for the live sites.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pandas_datareader._utils import RemoteDataError
from pandas_datareader.famafrench import FamaFrenchReader
from pandas_datareader.fred import FredReader

from smallcap_bt.config import fred_base_url, french_base_url
from smallcap_bt.data.catalog import file_spec
from smallcap_bt.exceptions import DataUnavailableError


@dataclass(frozen=True)
class Fetched:
    """Raw bytes of one remote file with where and when they were retrieved."""

    name: str
    content: bytes
    url: str
    retrieved_at: str


class _StatusMixin:
    """Remember the last HTTP status; stop retrying on client errors (404 will not heal)."""

    last_status: int | None = None

    def _output_error(self, out) -> bool:  # pandas-datareader hook, called on non-200
        self.last_status = out.status_code
        return 400 <= out.status_code < 500


class _FrenchReader(_StatusMixin, FamaFrenchReader):
    def __init__(self, symbols: str, base_url: str, **kwargs) -> None:
        super().__init__(symbols, start="1900-01-01", **kwargs)
        self._base = base_url

    @property
    def url(self) -> str:
        return f"{self._base}ftp/{self.symbols}_CSV.zip"


class _FredReader(_StatusMixin, FredReader):
    def __init__(self, symbols: str, base_url: str, **kwargs) -> None:
        super().__init__(symbols, start="1900-01-01", **kwargs)
        self._base = base_url

    @property
    def url(self) -> str:
        return f"{self._base}?id={self.symbols}"


def _get(reader: _StatusMixin, url: str, name: str, label: str) -> Fetched:
    try:
        response = reader._get_response(url)  # type: ignore[attr-defined]
    except RemoteDataError as exc:
        status = f"HTTP status {reader.last_status}" if reader.last_status else "no response"
        detail = str(exc).splitlines()[-1] if str(exc) else ""
        raise DataUnavailableError(
            f"could not download {label} from {url} ({status}; {detail}). Check the network, "
            "or import a snapshot: smallcap-bt data import DIR"
        ) from exc
    finally:
        reader.close()  # type: ignore[attr-defined]
    if not response.content:
        raise DataUnavailableError(f"download of {label} from {url} returned no bytes")
    now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    return Fetched(name, response.content, url, now)


def fetch_french_file(
    name: str, base_url: str | None = None, *, retry_count: int = 2, timeout: float = 30
) -> Fetched:
    """Download one Kenneth French zip (``<base>ftp/<name>_CSV.zip``) as raw bytes.

    Parameters
    ----------
    name : str
        Library file name, e.g. ``"Portfolios_Formed_on_ME"``.
    base_url : str, optional
        Defaults to ``$SMALLCAP_BT_FRENCH_URL`` or the library's own site.
    retry_count, timeout
        Passed to pandas-datareader's reader (retries on 5xx and connection errors).

    Raises
    ------
    DataUnavailableError
        Network down or HTTP error; the message carries the URL and status.
    """
    file_spec(name)
    reader = _FrenchReader(
        name, french_base_url(base_url), retry_count=retry_count, timeout=timeout, pause=0.2
    )
    return _get(reader, reader.url, name, f"{name}_CSV.zip")


def fetch_fred_series(
    series: str, base_url: str | None = None, *, retry_count: int = 2, timeout: float = 30
) -> Fetched:
    """Download one FRED series as fredgraph CSV bytes (``<base>?id=<series>``).

    Raises
    ------
    DataUnavailableError
        Network down or HTTP error; the message carries the URL and status.
    """
    file_spec(series)
    reader = _FredReader(
        series, fred_base_url(base_url), retry_count=retry_count, timeout=timeout, pause=0.2
    )
    return _get(reader, reader.url, series, f"FRED series {series}")
