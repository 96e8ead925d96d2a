"""Bounds on a run's draws, shared by the API (:func:`smallcap_bt.claims.runner.verify_all`)
and the command line.

* ``MIN_DRAWS``: a 95% percentile interval needs at least one draw in each 2.5% tail (40
  draws); with fewer, ``--draws 1`` had printed the interval [5.03%, 5.03%] around an
  estimate of 8.18%.
* ``MAX_SEED``: seeds are whole numbers in ``[0, 2**63 - 1]``, as ``--seed`` takes them
  (``seed=None`` or ``-1`` reached NumPy's seeding as a bare ``TypeError``/``ValueError``).
* ``MIN_JOINT_DRAWS``: a Monte Carlo p-value is at least ``1 / (1 + draws)``, so the joint
  test can reach p < 0.05 only from 20 null draws on (0 skips it).
"""

from __future__ import annotations

MAX_SEED = 2**63 - 1
MIN_DRAWS = 40
MAX_DRAWS = 200_000
MIN_JOINT_DRAWS = 20
MAX_JOINT_DRAWS = 100_000


def check_draws(draws: int, joint_draws: int) -> None:
    """``ValueError`` naming the argument when a run's draws are outside the bounds."""
    for name, value in (("draws", draws), ("joint_draws", joint_draws)):
        whole_number(name, value)
    if not MIN_DRAWS <= draws <= MAX_DRAWS:
        raise ValueError(
            f"draws must be between {MIN_DRAWS:,} and {MAX_DRAWS:,}, got {draws:,} (a 95% "
            "percentile interval needs a draw in each 2.5% tail)"
        )
    if joint_draws != 0 and not MIN_JOINT_DRAWS <= joint_draws <= MAX_JOINT_DRAWS:
        raise ValueError(
            f"joint_draws is 0 (no joint test) or between {MIN_JOINT_DRAWS} and "
            f"{MAX_JOINT_DRAWS:,}, got {joint_draws:,} (a p-value below 0.05 needs 20 draws)"
        )


def whole_number(name: str, value: object) -> int:
    """``value`` as an ``int`` (Python or NumPy integer, not bool), else ``TypeError``."""
    import operator

    try:
        if isinstance(value, bool):
            raise TypeError
        return operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        raise TypeError(f"{name} must be a whole number, got {value!r}") from None


def check_seed(seed: object, name: str = "seed") -> None:
    """``TypeError``/``ValueError`` naming ``name`` unless ``seed`` is a whole number in
    ``[0, MAX_SEED]`` (the bounds of ``--seed``)."""
    value = whole_number(name, seed)
    if not 0 <= value <= MAX_SEED:
        raise ValueError(f"{name} must be between 0 and 2**63 - 1, got {value}")
