"""Independent oracle: headline figures recomputed from the raw snapshot files.

Nothing here imports ``smallcap_bt``: the readers in :mod:`tests.oracle.raw` parse the French
zips and FRED CSVs from scratch, and :mod:`tests.oracle.figures` recomputes every testable
claim's headline figure from the written definition of the claim.
"""
