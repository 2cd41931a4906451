"""Seeds: from the integer a user types to the 32 bytes the core needs.

We use numpy's SeedSequence so that a seed means the same thing here as in
numpy: run i of a sweep gets SeedSequence(seed, spawn_key=(i,)), which is
exactly SeedSequence(seed).spawn(n)[i].
"""

from __future__ import annotations

import numbers
from typing import Union

import numpy as np

from ._core import ConfigError

SeedLike = Union[int, np.random.SeedSequence]

__all__ = ["seed_bytes", "check_seed", "child_sequence"]


def check_seed(seed: object) -> None:
    """Raise ConfigError unless `seed` is a non-negative integer or a SeedSequence."""
    if isinstance(seed, np.random.SeedSequence):
        return
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, numbers.Integral):
        raise ConfigError(f"seed: must be a non-negative integer, got {seed!r}")
    if int(seed) < 0:
        raise ConfigError(f"seed: must be a non-negative integer, got {int(seed)}")


def seed_bytes(seed: SeedLike, index: int | None = None) -> bytes:
    """32 bytes for the core; `index` picks the index-th child of `seed`."""
    check_seed(seed)
    if isinstance(seed, np.random.SeedSequence):
        ss = seed if index is None else child_sequence(seed, index)
    elif index is None:
        ss = np.random.SeedSequence(int(seed))
    else:
        ss = child_sequence(seed, index)
    return ss.generate_state(8, np.uint32).astype("<u4").tobytes()  # little-endian on every machine


def child_sequence(seed: SeedLike, index: int) -> np.random.SeedSequence:
    """The index-th child of `seed`, without the side effects of .spawn()."""
    check_seed(seed)
    if isinstance(seed, np.random.SeedSequence):
        return np.random.SeedSequence(seed.entropy, spawn_key=tuple(seed.spawn_key) + (index,), pool_size=seed.pool_size)
    return np.random.SeedSequence(int(seed), spawn_key=(index,))
