"""Claims registered with the reason they cannot be tested on public French/FRED data."""

from smallcap_bt.claims.model import Claim
from smallcap_bt.claims.sources import src


def _u(cid: str, keys: list[str], quote: str, as_of: str, needs: str) -> Claim:
    return Claim(
        cid,
        src(*keys),
        quote,
        as_of,
        "not testable with public data",
        (),
        "none",
        "",
        None,
        f"not in Kenneth French or FRED data; would need {needs}",
        family="untestable",
    )


CLAIMS = [
    _u(
        "forward-pe-levels",
        ["001", "002", "003", "004"],
        "forward P/E 19x vs 23x; 16 vs 21.7; 16.5x vs 23.8x; trailing 32.79, forward 25.39",
        "2026-01-15",
        "index-level forward earnings estimates (e.g. I/B/E/S consensus)",
    ),
    _u(
        "floating-debt-share",
        ["001"],
        "41% … rely on floating or variable rate debt … only 19%",
        "2025-12-10",
        "company debt-structure data (e.g. Compustat debt schedules)",
    ),
    _u(
        "ma-record",
        ["001"],
        "acquisitions in the Russell 3000 index are currently on pace to "
        "hit a record high last set in 1996",
        "2025-12-10",
        "M&A deal data (e.g. SDC)",
    ),
    _u(
        "earnings-growth-23pct",
        ["004"],
        "median earnings growth of 23% for the next 12 months",
        "2026-01-15",
        "analyst earnings estimates",
    ),
    _u(
        "fund-flows",
        ["003"],
        "outflows reaching -$7.68 billion in October",
        "2026-01-12",
        "fund-flow data (e.g. ICI, EPFR)",
    ),
    _u(
        "stock-picks",
        ["004"],
        "OPEN Buy, SMR Hold, ACHR Sell, APLD Buy, RKLB Hold",
        "2026-01-15",
        "per-stock prices: supported through user-supplied prices, not bundled",
    ),
    _u(
        "analyst-coverage",
        ["001"],
        "for every one analyst that covers a small-cap company "
        "there are approximately four analysts covering a single large-cap firm",
        "2025-12-10",
        "analyst coverage data (e.g. I/B/E/S)",
    ),
]
