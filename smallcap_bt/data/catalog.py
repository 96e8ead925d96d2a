"""The dataset catalog: every dataset smallcap_bt reads, with its source, units and frequency.

Dataset ids follow ``<source>.<file>.<frequency>[.<weighting>]`` for Kenneth French files
(``ff.portfolios_me.monthly.vw``) and ``fred.<SERIES>`` for FRED series (``fred.FEDFUNDS``).
Original column labels are kept here, next to the canonical snake_case names used in frames.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Literal

from smallcap_bt.exceptions import UnknownDatasetError

Source = Literal["french", "fred"]
Frequency = Literal["D", "M", "A"]

#: canonical column names for Kenneth French labels (both decile spellings map to one name)
FRENCH_COLUMNS: dict[str, str] = {
    "Mkt-RF": "mkt_rf",
    "SMB": "smb",
    "HML": "hml",
    "RMW": "rmw",
    "CMA": "cma",
    "RF": "rf",
    "Mom": "mom",
    "<= 0": "le_0",
    "Lo 30": "lo_30",
    "Med 40": "med_40",
    "Hi 30": "hi_30",
    "Lo 20": "lo_20",
    "Qnt 2": "qnt_2",
    "Qnt 3": "qnt_3",
    "Qnt 4": "qnt_4",
    "Hi 20": "hi_20",
    "Lo 10": "lo_10",
    "Hi 10": "hi_10",
    "SMALL LoBM": "small_lobm",
    "ME1 BM2": "small_medbm",
    "SMALL HiBM": "small_hibm",
    "BIG LoBM": "big_lobm",
    "ME2 BM2": "big_medbm",
    "BIG HiBM": "big_hibm",
}
_DECILE = re.compile(r"^(?:Dec\s*(\d)|(\d)-Dec)$")


def canonical_column(label: str) -> str:
    """Map an original Kenneth French column label to its canonical snake_case name.

    ``Dec 2`` (older vintages) and ``2-Dec`` (2026 vintages) both become ``dec_2``.
    Unknown labels are lower-cased with non-alphanumerics turned into underscores.
    """
    label = label.strip()
    if label in FRENCH_COLUMNS:
        return FRENCH_COLUMNS[label]
    m = _DECILE.match(label)
    if m:
        return f"dec_{m.group(1) or m.group(2)}"
    return re.sub(r"[^0-9a-z]+", "_", label.lower()).strip("_")


ME_COLUMNS = (
    ["le_0", "lo_30", "med_40", "hi_30", "lo_20", "qnt_2", "qnt_3", "qnt_4", "hi_20", "lo_10"]
    + [f"dec_{i}" for i in range(2, 10)]
    + ["hi_10"]
)
SIX_COLUMNS = ["small_lobm", "small_medbm", "small_hibm", "big_lobm", "big_medbm", "big_hibm"]


@dataclass(frozen=True)
class FileSpec:
    """One remote file: a Kenneth French zip or a FRED series CSV."""

    name: str
    source: Source
    description: str

    @property
    def filename(self) -> str:
        """File name as published (``<NAME>_CSV.zip`` for French, ``<SERIES>.csv`` for FRED)."""
        return f"{self.name}_CSV.zip" if self.source == "french" else f"{self.name}.csv"


@dataclass(frozen=True)
class DatasetSpec:
    """One dataset: a table of a French file, or a FRED series.

    Attributes
    ----------
    id : str
        Dataset id, e.g. ``ff.portfolios_me.monthly.vw``.
    file : str
        Name of the remote file holding it (``Portfolios_Formed_on_ME``, ``FEDFUNDS``).
    source : {"french", "fred"}
    title : str or None
        Regular expression matched (case-insensitive, whitespace folded) against table titles;
        ``None`` for the untitled first table of a French file. Unused for FRED.
    frequency : {"D", "M", "A"}
    units : str
        Units after parsing (returns are decimal, not percent).
    columns : tuple of str
        Canonical columns the table must have.
    percent : bool
        Whether the file stores percent that parsing divides by 100.
    description : str
    """

    id: str
    file: str
    source: Source
    frequency: Frequency
    units: str
    description: str
    title: str | None = None
    columns: tuple[str, ...] = field(default_factory=tuple)
    percent: bool = False


FILES: dict[str, FileSpec] = {}
DATASETS: dict[str, DatasetSpec] = {}


def _file(name: str, source: Source, description: str) -> None:
    FILES[name] = FileSpec(name, source, description)


def _ds(spec: DatasetSpec) -> None:
    DATASETS[spec.id] = spec


# --- Kenneth French Data Library -------------------------------------------------------------
_file("F-F_Research_Data_Factors", "french", "Fama-French 3 factors (Mkt-RF, SMB, HML) and RF")
_file(
    "Portfolios_Formed_on_ME",
    "french",
    "Portfolios formed on size (ME): 30/40/30, quintiles, deciles",
)
_file("6_Portfolios_2x3", "french", "6 portfolios formed on size and book-to-market (2x3)")
_file("F-F_Research_Data_5_Factors_2x3", "french", "Fama-French 5 factors (2x3)")
_file("F-F_Momentum_Factor", "french", "Momentum factor (Mom)")
_file("F-F_Research_Data_Factors_daily", "french", "Fama-French 3 factors, daily")

_F3 = ("mkt_rf", "smb", "hml", "rf")
_ds(
    DatasetSpec(
        "ff.factors.monthly",
        "F-F_Research_Data_Factors",
        "french",
        "M",
        "decimal return per month",
        "Mkt-RF, SMB, HML and the 1-month T-bill RF",
        None,
        _F3,
        True,
    )
)
_ds(
    DatasetSpec(
        "ff.factors.annual",
        "F-F_Research_Data_Factors",
        "french",
        "A",
        "decimal return per calendar year",
        "Annual factors, January-December",
        r"annual factors",
        _F3,
        True,
    )
)
_ds(
    DatasetSpec(
        "ff.factors.daily",
        "F-F_Research_Data_Factors_daily",
        "french",
        "D",
        "decimal return per trading day",
        "Daily Mkt-RF, SMB, HML and RF",
        None,
        _F3,
        True,
    )
)
_F5 = ("mkt_rf", "smb", "hml", "rmw", "cma", "rf")
_ds(
    DatasetSpec(
        "ff.factors5.monthly",
        "F-F_Research_Data_5_Factors_2x3",
        "french",
        "M",
        "decimal return per month",
        "Five factors (2x3 sorts), monthly",
        None,
        _F5,
        True,
    )
)
_ds(
    DatasetSpec(
        "ff.factors5.annual",
        "F-F_Research_Data_5_Factors_2x3",
        "french",
        "A",
        "decimal return per calendar year",
        "Five factors (2x3 sorts), annual",
        r"annual factors",
        _F5,
        True,
    )
)
_ds(
    DatasetSpec(
        "ff.momentum.monthly",
        "F-F_Momentum_Factor",
        "french",
        "M",
        "decimal return per month",
        "Momentum factor, monthly",
        None,
        ("mom",),
        True,
    )
)
_ds(
    DatasetSpec(
        "ff.momentum.annual",
        "F-F_Momentum_Factor",
        "french",
        "A",
        "decimal return per calendar year",
        "Momentum factor, annual",
        r"january-december",
        ("mom",),
        True,
    )
)

_ME = tuple(ME_COLUMNS)
for _w, _word in (("vw", "value"), ("ew", "equal")):
    _ds(
        DatasetSpec(
            f"ff.portfolios_me.monthly.{_w}",
            "Portfolios_Formed_on_ME",
            "french",
            "M",
            "decimal return per month",
            f"{_word.title()}-weighted monthly returns of size portfolios "
            "(30/40/30 breakpoints, quintiles, deciles; NYSE breakpoints)",
            rf"^(average )?{_word} weight(ed)? returns -- monthly$",
            _ME,
            True,
        )
    )
    _ds(
        DatasetSpec(
            f"ff.portfolios_me.annual.{_w}",
            "Portfolios_Formed_on_ME",
            "french",
            "A",
            "decimal return per calendar year",
            f"{_word.title()}-weighted annual (Jan-Dec) returns of size portfolios",
            rf"^(average )?{_word} weight(ed)? returns -- annual",
            _ME,
            True,
        )
    )
    _ds(
        DatasetSpec(
            f"ff.portfolios_2x3.monthly.{_w}",
            "6_Portfolios_2x3",
            "french",
            "M",
            "decimal return per month",
            f"{_word.title()}-weighted monthly returns of the 6 size x B/M portfolios",
            rf"^(average )?{_word} weight(ed)? returns -- monthly$",
            tuple(SIX_COLUMNS),
            True,
        )
    )
    _ds(
        DatasetSpec(
            f"ff.portfolios_2x3.annual.{_w}",
            "6_Portfolios_2x3",
            "french",
            "A",
            "decimal return per calendar year",
            f"{_word.title()}-weighted annual returns of the 6 size x B/M portfolios",
            rf"^(average )?{_word} weight(ed)? returns -- annual",
            tuple(SIX_COLUMNS),
            True,
        )
    )
_ds(
    DatasetSpec(
        "ff.portfolios_me.firms",
        "Portfolios_Formed_on_ME",
        "french",
        "M",
        "number of firms",
        "Number of firms in each size portfolio",
        r"^number of firms",
        _ME,
    )
)
_ds(
    DatasetSpec(
        "ff.portfolios_me.size",
        "Portfolios_Formed_on_ME",
        "french",
        "M",
        "USD millions",
        "Average firm size (market equity) in each size portfolio",
        r"^average firm size",
        _ME,
    )
)
_ds(
    DatasetSpec(
        "ff.portfolios_2x3.firms",
        "6_Portfolios_2x3",
        "french",
        "M",
        "number of firms",
        "Number of firms in each of the 6 portfolios",
        r"^number of firms",
        tuple(SIX_COLUMNS),
    )
)
_ds(
    DatasetSpec(
        "ff.portfolios_2x3.market_cap",
        "6_Portfolios_2x3",
        "french",
        "M",
        "USD millions",
        "Average market cap of firms in each of the 6 portfolios",
        r"^average market cap",
        tuple(SIX_COLUMNS),
    )
)
_ds(
    DatasetSpec(
        "ff.portfolios_2x3.beme",
        "6_Portfolios_2x3",
        "french",
        "M",
        "ratio (book equity / market equity)",
        "Value-weight average BE/ME, BE of fiscal year t-1 over ME of December t-1",
        r"average of be/me calculated",
        tuple(SIX_COLUMNS),
    )
)
_ds(
    DatasetSpec(
        "ff.portfolios_2x3.beme_june",
        "6_Portfolios_2x3",
        "french",
        "M",
        "ratio (book equity / market equity)",
        "Value-weight average BE/ME, BE of fiscal year t-1 over ME of June t",
        r"average of be_fyt-1/me_june",
        tuple(SIX_COLUMNS),
    )
)
_ds(
    DatasetSpec(
        "ff.portfolios_2x3.op",
        "6_Portfolios_2x3",
        "french",
        "M",
        "ratio (operating profit / book equity)",
        "Value-weight average operating profitability",
        r"average of op calculated",
        tuple(SIX_COLUMNS),
    )
)
_ds(
    DatasetSpec(
        "ff.portfolios_2x3.inv",
        "6_Portfolios_2x3",
        "french",
        "M",
        "log growth of assets",
        "Value-weight average investment (asset growth)",
        r"average of investment",
        tuple(SIX_COLUMNS),
    )
)

# --- FRED ------------------------------------------------------------------------------------
_FRED: dict[str, tuple[Frequency, str, str]] = {
    "FEDFUNDS": ("M", "percent per annum", "Effective federal funds rate, monthly average"),
    "DFF": ("D", "percent per annum", "Effective federal funds rate, daily"),
    "DFEDTAR": ("D", "percent per annum", "Federal funds target rate (1982-09-27 to 2008-12-15)"),
    "DFEDTARU": ("D", "percent per annum", "Federal funds target range, upper limit (2008-12-16-)"),
    "DFEDTARL": ("D", "percent per annum", "Federal funds target range, lower limit (2008-12-16-)"),
    "TB3MS": ("M", "percent per annum", "3-month Treasury bill, secondary market rate"),
    "GS2": ("M", "percent per annum", "2-year Treasury constant maturity yield"),
    "GS10": ("M", "percent per annum", "10-year Treasury constant maturity yield"),
    "DGS10": ("D", "percent per annum", "10-year Treasury constant maturity yield, daily"),
    "T10Y2Y": ("D", "percentage points", "10-year minus 2-year Treasury yield spread"),
    "T10Y3M": ("D", "percentage points", "10-year minus 3-month Treasury yield spread"),
    "CPIAUCSL": ("M", "index 1982-84=100", "CPI for all urban consumers, seasonally adjusted"),
    "USREC": ("M", "0/1 indicator", "NBER-based recession indicator (1 = recession month)"),
    "UNRATE": ("M", "percent", "Unemployment rate"),
    "INDPRO": ("M", "index 2017=100", "Industrial production index"),
    "BAA": ("M", "percent per annum", "Moody's seasoned Baa corporate bond yield"),
    "AAA": ("M", "percent per annum", "Moody's seasoned Aaa corporate bond yield"),
}
for _sid, (_freq, _units, _desc) in _FRED.items():
    _file(_sid, "fred", _desc)
    _ds(DatasetSpec(f"fred.{_sid}", _sid, "fred", _freq, _units, _desc, None, (_sid.lower(),)))


def _unknown(kind: str, key: str, choices: list[str]) -> UnknownDatasetError:
    close = difflib.get_close_matches(key, choices, n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    return UnknownDatasetError(
        f"unknown {kind} {key!r}{hint} (list them: smallcap-bt catalog, or "
        "smallcap_bt.catalog() in Python)"
    )


def dataset(dataset_id: str) -> DatasetSpec:
    """Return the spec of ``dataset_id``; unknown ids raise with close matches suggested.

    A bare FRED series id (``"FEDFUNDS"``) is accepted for ``"fred.FEDFUNDS"``.
    """
    if dataset_id in DATASETS:
        return DATASETS[dataset_id]
    if f"fred.{dataset_id}" in DATASETS:
        return DATASETS[f"fred.{dataset_id}"]
    raise _unknown("dataset", dataset_id, list(DATASETS))


def file_spec(name: str) -> FileSpec:
    """Return the spec of a remote file (``Portfolios_Formed_on_ME``, ``FEDFUNDS``)."""
    if name in FILES:
        return FILES[name]
    raise _unknown("file or series", name, list(FILES))


def datasets_in(file_name: str) -> list[DatasetSpec]:
    """All datasets stored in one remote file."""
    return [d for d in DATASETS.values() if d.file == file_name]


def catalog_frame():  # -> pandas.DataFrame (pandas imported lazily)
    """The catalog as a DataFrame: id, source, file, frequency, units, description."""
    import pandas as pd

    rows = [
        {
            "id": d.id,
            "source": d.source,
            "file": d.file,
            "frequency": d.frequency,
            "units": d.units,
            "description": d.description,
        }
        for d in DATASETS.values()
    ]
    return pd.DataFrame(rows).set_index("id")
