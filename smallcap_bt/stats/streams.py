"""Counter-based random streams of the null simulations and pair bootstraps.

A simulation needs one random 64-bit word per simulated month. Drawing them from NumPy's
``Generator`` means writing ``draws x months`` index and uniform arrays to memory and reading
them back in the kernels; at 10,000 draws that was a third of ``verify``'s time. Here a word
is a pure function of a key and its position, so the numba kernels compute each word where
they use it, and these NumPy functions compute the very same words for the reference
implementations and the tests.

The generator is SplitMix64 (Steele, Lea & Flood 2014, "Fast splittable pseudorandom number
generators", OOPSLA; the generator of Java's ``SplittableRandom``; it passes BigCrush). A
simulation's words are consecutive outputs of one SplitMix64 sequence started at its key: with
``W`` words per row (``ceil(months / 2)`` for iid indices, ``months`` for the stationary
bootstrap), word ``t`` of row ``row`` is output number ``row * W + t + 1``, i.e.
``mix64(key + (row * W + t + 1) * GAMMA)`` with the Stafford "variant 13" finaliser. So the
whole simulation is one consecutive run of the generator, the setting of its published tests.
The key comes from the caller's ``numpy.random.Generator`` (one draw per simulation), so
results are reproducible from the user's seed and do not depend on how the draws are split
into chunks or processes.

Decoding (``hi``/``lo`` = upper/lower 32 bits of a word):

- iid indices uniform on ``0 .. n-1``, two per word: ``(hi * n) >> 32`` and
  ``(lo * n) >> 32`` (Lemire's multiply-shift without rejection: each index has probability
  within ``1 / 2**32`` of ``1 / n``, a relative error below 3e-7 for ``n < 1,200``);
- a stationary-bootstrap month starts a new block when ``hi < ceil(p * 2**32)`` (probability
  within ``2**-32`` of ``p = 1 / block``), at ``(lo * n) >> 32``.
"""

from __future__ import annotations

import math

import numpy as np

GAMMA = 0x9E3779B97F4A7C15
MIX1 = 0xBF58476D1CE4E5B9
MIX2 = 0x94D049BB133111EB
#: a stream's key: a Python int or a NumPy uint64 in ``0 .. 2**64 - 1``
Key = int | np.uint64


def draw_key(g: np.random.Generator) -> np.uint64:
    """A 64-bit key from ``g`` (advances ``g`` by one draw)."""
    return np.uint64(g.integers(0, 2**64 - 1, dtype=np.uint64, endpoint=True))


def mix64(z: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser (Stafford variant 13) on a uint64 array (wrapping arithmetic)."""
    z = np.asarray(z, dtype=np.uint64)
    with np.errstate(over="ignore"):
        z = (z ^ (z >> np.uint64(30))) * np.uint64(MIX1)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(MIX2)
    return z ^ (z >> np.uint64(31))


def counter_words(key: Key, row0: int, rows: int, width: int) -> np.ndarray:
    """Words ``(rows, width)`` of rows ``row0 .. row0 + rows - 1`` of a stream of ``width``
    words per row.

    Parameters
    ----------
    key : int or numpy.uint64
        The 64-bit key (:func:`draw_key`).
    row0, rows : int
        First row (simulated draw) and number of rows.
    width : int
        Words per row ``W``: word ``t`` of row ``r`` is SplitMix64 output ``r * W + t + 1``.

    Returns
    -------
    numpy.ndarray
        uint64 words, the same as the numba kernels compute at those positions.
    """
    if width < 0 or row0 < 0 or rows < 0:
        raise ValueError(f"counter stream: rows {row0}+{rows} of width {width}")
    r = np.arange(row0, row0 + rows, dtype=np.uint64)[:, None]
    t = np.arange(width, dtype=np.uint64)[None, :]
    with np.errstate(over="ignore"):
        c = r * np.uint64(width) + t + np.uint64(1)
        return mix64(np.uint64(key) + c * np.uint64(GAMMA))


def uniform_index(bits: np.ndarray, n: int) -> np.ndarray:
    """Indices ``0 .. n-1`` (int64) from 32-bit values by multiply-shift."""
    return ((np.asarray(bits, dtype=np.uint64) * np.uint64(n)) >> np.uint64(32)).astype(np.int64)


def iid_indices(key: Key, row0: int, rows: int, months: int, n: int) -> np.ndarray:
    """iid indices ``(rows, months)`` uniform on ``0 .. n-1``, two per word (``ceil(months /
    2)`` words per row): position ``t`` decodes the upper half of word ``t // 2`` of its row
    when ``t`` is even, the lower half when odd."""
    w = counter_words(key, row0, rows, (months + 1) // 2)
    halves = np.empty((rows, 2 * w.shape[1]), dtype=np.uint64)
    halves[:, 0::2] = w >> np.uint64(32)
    halves[:, 1::2] = w & np.uint64(0xFFFFFFFF)
    return uniform_index(halves[:, :months], n)


def new_block_threshold(p: float) -> int:
    """``ceil(p * 2**32)``: a month starts a block when its word's upper half is below it."""
    if not 0 < p <= 1:
        raise ValueError(f"stationary bootstrap: block start probability {p} not in (0, 1]")
    return math.ceil(p * 2.0**32)


def stationary_indices(key: Key, row0: int, rows: int, n: int, p: float) -> np.ndarray:
    """Stationary-bootstrap index matrix ``(rows, n)`` of the counter stream (``n`` words per
    row; wrapping at the end).

    Month 0 always starts a block; month ``t`` starts one when the upper half of its word is
    below :func:`new_block_threshold` of ``p = 1 / block``, at the index given by the lower
    half; otherwise it continues the block (previous index + 1, modulo ``n``).
    """
    w = counter_words(key, row0, rows, n)
    new = (w >> np.uint64(32)) < np.uint64(new_block_threshold(p))
    new[:, 0] = True
    starts = uniform_index(w & np.uint64(0xFFFFFFFF), n)
    pos = np.arange(n, dtype=np.int64)
    last_new = np.where(new, pos, 0)
    np.maximum.accumulate(last_new, axis=1, out=last_new)
    begin = np.take_along_axis(starts, last_new, axis=1)
    return (begin + pos - last_new) % n
