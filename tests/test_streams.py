"""The counter-based random streams (``smallcap_bt.stats.streams``) against SplitMix64's
published values and a plain-Python implementation written here from the algorithm's
definition (Steele, Lea & Flood 2014; https://prng.di.unimi.it/splitmix64.c)."""

from __future__ import annotations

import numpy as np
import pytest

from smallcap_bt.stats import streams

MASK = (1 << 64) - 1


def splitmix64(state: int, count: int) -> list[int]:
    """``count`` outputs of SplitMix64 from ``state``, in Python integers."""
    out = []
    for _ in range(count):
        state = (state + 0x9E3779B97F4A7C15) & MASK
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        out.append(z ^ (z >> 31))
    return out


def test_row_zero_is_splitmix64_with_its_published_values() -> None:
    # Rosetta Code, "Pseudo-random numbers/Splitmix64": the first five outputs for 1234567
    published = [
        6457827717110365317,
        3203168211198807973,
        9817491932198370423,
        4593380528125082431,
        16408922859458223821,
    ]
    assert splitmix64(1234567, 5) == published
    assert [int(w) for w in streams.counter_words(1234567, 0, 1, 5)[0]] == published


@pytest.mark.parametrize("key", [0, 1, 2**63 + 12345, MASK])
def test_rows_are_consecutive_runs_of_one_splitmix64_sequence(key: int) -> None:
    got = streams.counter_words(key, 3, 2, 4)
    # rows of 4 words: row 3 is outputs 13..16 of the sequence from the key, row 4 17..20
    assert [int(w) for w in got.ravel()] == splitmix64(key, 20)[12:]


def test_iid_indices_take_both_halves_of_each_word_by_multiply_shift() -> None:
    key, n = 99, 1195
    idx = streams.iid_indices(key, 5, 1, 7, n)[0]
    words = splitmix64(key, 24)[20:]  # rows of ceil(7 / 2) = 4 words: row 5 is outputs 21-24
    halves = [h for w in words for h in (w >> 32, w & 0xFFFFFFFF)][:7]
    assert idx.tolist() == [(h * n) >> 32 for h in halves]


def test_iid_indices_are_uniform() -> None:
    """Pearson chi-square of 370,000 indices on 37 cells (36 degrees of freedom): the 0.1%
    critical value is 67.0; a stream with a biased half or a wrong shift fails it."""
    n = 37
    idx = streams.iid_indices(streams.draw_key(np.random.default_rng(1)), 0, 1000, 370, n)
    counts = np.bincount(idx.ravel(), minlength=n)
    expected = idx.size / n
    assert ((counts - expected) ** 2 / expected).sum() < 67.0
    assert idx.min() == 0 and idx.max() == n - 1


@pytest.mark.parametrize("block", [1.0, 1.8, 4.0, 12.0])
def test_stationary_blocks_start_with_probability_one_over_block(block: float) -> None:
    rows, n = 400, 500
    idx = streams.stationary_indices(
        streams.draw_key(np.random.default_rng(2)), 0, rows, n, 1 / block
    )
    cont = np.diff(idx, axis=1) % n == 1  # continues the block (or a new start hit t + 1)
    p_new = 1 - cont.mean()
    p = 1 / block
    expected = p * (1 - 1 / n)  # a new start equal to the next index looks like a continuation
    se = np.sqrt(expected * (1 - expected) / cont.size)
    assert abs(p_new - expected) < 5 * se
    # the starts themselves are uniform: first positions of 400 rows over 500 values
    assert 0 <= idx[:, 0].min() and idx[:, 0].max() < n


def test_threshold_rejects_probabilities_outside_zero_one() -> None:
    assert streams.new_block_threshold(1.0) == 2**32
    assert streams.new_block_threshold(0.5) == 2**31
    for bad in (0.0, -0.1, 1.5):
        with pytest.raises(ValueError, match="not in"):
            streams.new_block_threshold(bad)
