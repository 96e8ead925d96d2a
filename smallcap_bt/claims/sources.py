"""The five source texts (``shared/sources``), cited by these fields."""

from smallcap_bt.claims.model import Source

SOURCES: dict[str, Source] = {
    "000": Source(
        "000",
        "000_077adc620815b7d5.txt",
        "What could drive U.S. small cap returns in 2026?",
        "Jonathan Coleman",
        "Janus Henderson",
        "2025-12",
    ),
    "001": Source(
        "001",
        "001_9a09e37d8d5b8c3e.txt",
        "Could 2026 bode well for US small-caps?",
        "Aniket Ghatak",
        "Alvarium Wealth",
        "2025-12",
    ),
    "002": Source(
        "002",
        "002_5cf67bdb40fc5b5c.txt",
        "Are Small-Cap Stocks About to Make a Comeback in 2026? (summary + analysis)",
        "",
        "news summary",
        "2025-12",
    ),
    "003": Source(
        "003",
        "003_b02ac7d9812d3a5f.txt",
        "Why Small-Cap Stocks Are Poised for a Historic Comeback in 2026",
        "Nathaniel Stone",
        "AInvest",
        "2026-01-12",
    ),
    "004": Source(
        "004",
        "004_5814144163a6bcee.txt",
        "Small-Cap Leadership in 2026: A Structural Case with Specific Stock Opportunities",
        "Julian West",
        "AInvest",
        "2026-01-15",
    ),
}


def src(*keys: str) -> tuple[Source, ...]:
    """Sources by key."""
    return tuple(SOURCES[k] for k in keys)
