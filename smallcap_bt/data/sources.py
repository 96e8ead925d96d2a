"""Network access with deadlines: bounded retries with backoff, typed errors with the URL.

``fetch_*`` functions return the raw bytes exactly as received; parsing happens in
:mod:`smallcap_bt.data.parse`. Base URLs are configurable (see :mod:`smallcap_bt.config`), so a
mirror or a loopback server can stand in for the live sites.

Every download has three limits: ``timeout`` (seconds to connect and between any two bytes),
``deadline`` (seconds for the whole file, retries included, so a server that trickles a byte
every few seconds is cut off: the body is read as it arrives, so the overshoot is at most one
``timeout``) and ``retry_count`` (further attempts after a connection error
or a 5xx status, waiting ``backoff`` x 2^attempt seconds). A 4xx status is not retried, and an
HTML page sent with status 200 is an error naming the URL.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from smallcap_bt.config import fred_base_url, french_base_url
from smallcap_bt.data.catalog import file_spec
from smallcap_bt.data.parse import looks_like_html
from smallcap_bt.exceptions import DataUnavailableError

_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Fetched:
    """Raw bytes of one remote file with where and when they were retrieved."""

    name: str
    content: bytes
    url: str
    retrieved_at: str


class _Retry(Exception):
    """A failure worth another attempt (connection error, 5xx)."""


def download(
    url: str,
    label: str,
    *,
    timeout: float = 30.0,
    deadline: float = 300.0,
    retry_count: int = 2,
    backoff: float = 0.5,
    max_bytes: int = 200_000_000,
) -> bytes:
    """GET ``url`` and return its body, within ``deadline`` seconds overall.

    Raises
    ------
    DataUnavailableError
        Network down, HTTP error, deadline passed, an empty body or an HTML page; the
        message names ``label``, the URL and what happened.
    """
    import requests
    import urllib3

    hint = "Check the network, or import a snapshot: smallcap-bt data import DIR"
    start = time.monotonic()
    last = "no attempt"
    for attempt in range(retry_count + 1):
        left = deadline - (time.monotonic() - start)
        if left <= 0:
            break
        try:
            with requests.get(
                url, stream=True, timeout=(min(timeout, left), min(timeout, left))
            ) as resp:
                if resp.status_code >= 400:
                    msg = f"HTTP status {resp.status_code}"
                    if resp.status_code < 500:
                        raise DataUnavailableError(
                            f"could not download {label} from {url} ({msg}). {hint}"
                        )
                    raise _Retry(msg)
                body = bytearray()
                while chunk := resp.raw.read1(_CHUNK, decode_content=True):
                    body += chunk
                    if time.monotonic() - start > deadline:
                        raise DataUnavailableError(
                            f"download of {label} from {url} passed its deadline of "
                            f"{deadline:g} s after {len(body)} bytes (the server is too slow). "
                            f"{hint}"
                        )
                    if len(body) > max_bytes:
                        raise DataUnavailableError(
                            f"download of {label} from {url} exceeds {max_bytes} bytes"
                        )
        except _Retry as exc:
            last = str(exc)
        except requests.RequestException as exc:
            last = f"no response: {type(exc).__name__}: {str(exc)[:200]}"
        except urllib3.exceptions.HTTPError as exc:  # raised by the body's reads
            last = f"the body broke off: {type(exc).__name__}: {str(exc)[:200]}"
        else:
            if not body:
                raise DataUnavailableError(f"download of {label} from {url} returned no bytes")
            if looks_like_html(bytes(body)):
                raise DataUnavailableError(
                    f"download of {label} from {url} returned an HTML page instead of the "
                    "data (an error or landing page); check the URL (--french-url/--fred-url)"
                )
            return bytes(body)
        pause = backoff * 2**attempt
        if attempt < retry_count and time.monotonic() - start + pause < deadline:
            time.sleep(pause)
    elapsed = time.monotonic() - start
    raise DataUnavailableError(
        f"could not download {label} from {url} ({last}; {attempt + 1} attempt(s) in "
        f"{elapsed:.1f} s, deadline {deadline:g} s). {hint}"
    )


def _fetched(name: str, url: str, content: bytes) -> Fetched:
    now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    return Fetched(name, content, url, now)


def fetch_french_file(
    name: str,
    base_url: str | None = None,
    *,
    retry_count: int = 2,
    timeout: float = 30,
    deadline: float = 300,
    backoff: float = 0.5,
) -> Fetched:
    """Download one Kenneth French zip (``<base>ftp/<name>_CSV.zip``) as raw bytes.

    Parameters
    ----------
    name : str
        Library file name, e.g. ``"Portfolios_Formed_on_ME"``.
    base_url : str, optional
        Defaults to ``$SMALLCAP_BT_FRENCH_URL`` or the library's own site.
    retry_count, timeout, deadline, backoff
        See :func:`download` (seconds).

    Raises
    ------
    DataUnavailableError
        Network down, HTTP error or deadline passed; the message carries the URL and status.
    """
    file_spec(name)
    url = f"{french_base_url(base_url)}ftp/{name}_CSV.zip"
    content = download(
        url,
        f"{name}_CSV.zip",
        timeout=timeout,
        deadline=deadline,
        retry_count=retry_count,
        backoff=backoff,
    )
    return _fetched(name, url, content)


def fetch_fred_series(
    series: str,
    base_url: str | None = None,
    *,
    retry_count: int = 2,
    timeout: float = 30,
    deadline: float = 300,
    backoff: float = 0.5,
) -> Fetched:
    """Download one FRED series as fredgraph CSV bytes (``<base>?id=<series>``).

    Raises
    ------
    DataUnavailableError
        Network down, HTTP error or deadline passed; the message carries the URL and status.
    """
    file_spec(series)
    url = f"{fred_base_url(base_url)}?id={series}"
    content = download(
        url,
        f"FRED series {series}",
        timeout=timeout,
        deadline=deadline,
        retry_count=retry_count,
        backoff=backoff,
    )
    return _fetched(series, url, content)
