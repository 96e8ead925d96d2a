"""One error tree for everything smallcap_bt raises on purpose.

Every message names the file, URL, dataset or series involved and says what is wrong.
"""

from __future__ import annotations


class SmallcapBtError(Exception):
    """Base class of every error raised by smallcap_bt."""


class DataError(SmallcapBtError):
    """Something is wrong with a data source, a file or the local store."""


class DataUnavailableError(DataError):
    """Data could not be fetched or is not in the store (network down, HTTP error, not imported)."""


class SchemaError(DataError):
    """A file does not have the layout its dataset requires (tables, columns, header, rows)."""


class IntegrityError(DataError):
    """A stored file no longer matches its recorded sha256 checksum; it is never used."""


class VintageMismatchError(DataError):
    """A vintage or lock file refers to data that differ from what is stored."""


class ValidationError(SchemaError):
    """A file parses but breaks a plausibility rule (gap, duplicate, out-of-range value,
    inconsistent table lengths); the message names the file, table, date or row and the rule."""


class StoreError(DataError):
    """The local store cannot be read or written (damaged layout, read-only, locked)."""


class DataQualityWarning(UserWarning):
    """A value is legal but extreme (e.g. a monthly return above +100%); it is kept."""


class InvalidVintageNameError(SmallcapBtError, ValueError):
    """A vintage name is not a plain name (path separators, ``..``, empty, too long)."""


class UsageError(SmallcapBtError, ValueError):
    """A command-line option or argument has an invalid value (exit code 2)."""


class UnknownDatasetError(DataError, KeyError):
    """A dataset, series or claim id is not known; the message suggests close matches."""

    def __str__(self) -> str:  # KeyError quotes its message; keep it readable
        return str(self.args[0]) if self.args else ""


class ClaimDefinitionError(SmallcapBtError):
    """A claim or specification is defined inconsistently (the message names the file,
    claim and field)."""


class UnknownClaimError(SmallcapBtError, KeyError):
    """A claim id is not in the registry; the message suggests close matches."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class UnknownStrategyError(SmallcapBtError, KeyError):
    """A strategy name is not known; the message suggests close matches."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class UndeclaredDatasetError(ClaimDefinitionError):
    """A claim read a dataset or panel column it does not declare."""


class InsufficientDataError(SmallcapBtError):
    """Too few observations for the requested statistic, window or event."""
