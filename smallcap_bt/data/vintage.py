"""One resolved data handle: a named vintage of one store, passed down to every claim.

A :class:`Vintage` is resolved once (``Vintage.open``) and carries its name, store, panel and
fingerprint. Claims reach data only through a :class:`DeclaredData` view of it, which lets a
claim read only the datasets it declares, so a claim's data needs are checked, not assumed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from smallcap_bt.data.store import Store
from smallcap_bt.exceptions import DataUnavailableError, UndeclaredDatasetError

if TYPE_CHECKING:  # pragma: no cover
    import os

    import pandas as pd

IMPORT_HINT = (
    "import the snapshot folders into one vintage, e.g. smallcap-bt data import --vintage "
    "202602 --default ../shared/data/french/202602 ../shared/data/french/202510 "
    "../shared/data/french/202511 ../shared/data/fred/2026-08-10 (with network: smallcap-bt "
    "data fetch)"
)


@dataclass
class Vintage:
    """A named, resolved data vintage of a store.

    Parameters
    ----------
    name : str
        The vintage name (already resolved: it exists in ``store``).
    store : Store
        The store holding it.

    Examples
    --------
    >>> v = Vintage.open()                      # doctest: +SKIP
    >>> v.load("ff.factors.monthly"); v.panel; v.fingerprint
    """

    name: str
    store: Store
    _frames: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    _memo: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)

    def memo(self, key: Any, compute: Callable[[], Any]) -> Any:
        """``compute()`` once per key for this vintage object (derived calendars, regimes)."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    @classmethod
    def open(
        cls,
        name: str | Vintage | None = None,
        store: Store | str | os.PathLike[str] | None = None,
    ) -> Vintage:
        """Resolve ``name`` (the store's default when None) once; never downloads.

        Raises
        ------
        DataUnavailableError
            When the store holds no vintage (the message says how to import or fetch one)
            or not the one named.
        """
        if isinstance(name, Vintage):
            return name
        st = store if isinstance(store, Store) else Store(store)
        if name is None and not st.vintages():
            raise DataUnavailableError(f"no data vintage is stored at {st.root}: {IMPORT_HINT}")
        return cls(st.resolve(name), st)

    def datasets(self) -> set[str]:
        """Dataset ids this vintage holds (read from its manifest once per object, like the
        panel: a resolved vintage does not change under its user)."""
        return set(self._datasets)

    @cached_property
    def _datasets(self) -> frozenset[str]:
        man = self.store.manifest(self.name)
        return frozenset(ds for rec in man["files"].values() for ds in rec["datasets"])

    def load(self, dataset_id: str) -> pd.DataFrame:
        """One dataset of this vintage (a fresh copy; see :func:`smallcap_bt.load`)."""
        from smallcap_bt.data.load import load

        if dataset_id not in self._frames:
            self._frames[dataset_id] = load(dataset_id, self.name, store=self.store)
        return self._frames[dataset_id].copy()

    @cached_property
    def panel(self) -> pd.DataFrame:
        """The monthly panel (:func:`smallcap_bt.monthly_panel`) of this vintage."""
        from smallcap_bt.panel.build import monthly_panel

        return monthly_panel(self.name, store=self.store)

    @cached_property
    def target(self) -> pd.Series:
        """Daily fed funds target, percent p.a. (effective dates)."""
        from smallcap_bt.panel.build import target_rate_daily

        return target_rate_daily(self.name, store=self.store)

    @cached_property
    def fingerprint(self) -> dict[str, Any]:
        """Name and per-dataset sha256 and vintage line (deterministic; for result files)."""
        from smallcap_bt.data.load import vintage_fingerprint

        return vintage_fingerprint(self.name, store=self.store)

    def same_files(self, other: Vintage) -> bool:
        """Whether ``other`` holds byte for byte the same files as this vintage (same datasets
        and sha256): comparing the two could show no difference (``@latest`` is often one)."""
        fields = ("file", "sha256")

        def files(v: Vintage) -> dict[str, tuple[Any, ...]]:
            ds = v.fingerprint["datasets"]
            return {k: tuple(d.get(f) for f in fields) for k, d in ds.items()}

        return self.name == other.name or files(self) == files(other)

    def declared(self, datasets: Iterable[str], owner: str = "") -> DeclaredData:
        """A view that lets ``owner`` read only ``datasets``."""
        return DeclaredData(self, frozenset(datasets), owner)


@dataclass
class DeclaredData:
    """What a claim's test sees: the datasets it declared, and nothing else.

    Reading an undeclared dataset or panel column raises :class:`UndeclaredDatasetError`; a
    declared dataset that the vintage lacks raises :class:`DataUnavailableError` (a data error,
    never a verdict).
    """

    vintage: Vintage
    allowed: frozenset[str]
    owner: str = ""

    @property
    def name(self) -> str:
        """The vintage name."""
        return self.vintage.name

    def _check(self, datasets: Iterable[str], what: str) -> None:
        missing = [d for d in datasets if d not in self.allowed]
        if missing:
            raise UndeclaredDatasetError(
                f"{self.owner or 'claim'} reads {what}, which needs {', '.join(missing)}; "
                f"it declares only {', '.join(sorted(self.allowed)) or 'nothing'}"
            )

    def _available(self, datasets: Iterable[str], what: str) -> None:
        have = self.vintage._datasets
        absent = [d for d in datasets if d not in have]
        if absent:
            raise DataUnavailableError(
                f"{self.owner or 'claim'} needs {', '.join(absent)} ({what}), which vintage "
                f"{self.vintage.name!r} does not hold: {IMPORT_HINT}"
            )

    def load(self, dataset_id: str) -> pd.DataFrame:
        """A declared dataset of the vintage."""
        self._check([dataset_id], f"dataset {dataset_id}")
        self._available([dataset_id], f"dataset {dataset_id}")
        return self.vintage.load(dataset_id)

    def col(self, column: str) -> pd.Series:
        """One panel column (a copy), after checking its source datasets are declared."""
        from smallcap_bt.panel.build import column_datasets

        sources = column_datasets(column)
        self._check(sources, f"panel column {column!r}")
        self._available(sources, f"panel column {column!r}")
        return self.vintage.panel[column].copy()

    @property
    def target(self) -> pd.Series:
        """Daily fed funds target (needs the three FRED target series declared)."""
        ids = ("fred.DFEDTAR", "fred.DFEDTARU", "fred.DFEDTARL")
        self._check(ids, "the fed funds target")
        self._available(ids, "the fed funds target")
        return self.vintage.target
