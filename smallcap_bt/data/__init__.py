"""Data layer: catalog, sources (network), parse (pure), store (vintages) and load (public)."""

from smallcap_bt.data.catalog import DATASETS, FILES, DatasetSpec, catalog_frame, dataset
from smallcap_bt.data.drift import compare_verifications, diff_vintages, smb_mean_change
from smallcap_bt.data.load import (
    ImportReport,
    fetch_vintage,
    import_snapshot,
    load,
    vintage_fingerprint,
    vintage_info,
)
from smallcap_bt.data.store import Store

__all__ = [
    "DATASETS",
    "FILES",
    "DatasetSpec",
    "ImportReport",
    "Store",
    "catalog_frame",
    "compare_verifications",
    "dataset",
    "diff_vintages",
    "fetch_vintage",
    "import_snapshot",
    "load",
    "smb_mean_change",
    "vintage_fingerprint",
    "vintage_info",
]
