"""Scrambled Sobol' points without importing :mod:`scipy.stats`.

:func:`sobol_points` gives the points of ``scipy.stats.qmc.Sobol(d, scramble=True,
seed=seed).random(n)``, bit for bit (tested against scipy): the Joe & Kuo (2008) direction
numbers (``new-joe-kuo-6``, search criterion D(6)) of the first :data:`MAX_DIM` dimensions,
kept in ``data/files/sobol_new_joe_kuo_6_1024.txt``, Bratley & Fox's (1988) recurrence for the
direction numbers, Matousek's (1998) left linear matrix scramble and a digital shift drawn as
scipy draws them, and the points in Gray-code order (Antonov & Saleev 1979). Importing
:mod:`scipy.stats` costs some 0.3 s of CPU (its distributions' docstrings are built at import),
more than the rest of a small analysis; this module costs nothing to import. Beyond
:data:`MAX_DIM` dimensions the points come from scipy itself (same numbers).

References: S. Joe and F. Y. Kuo (2008), "Constructing Sobol sequences with better
two-dimensional projections", SIAM J. Sci. Comput. 30(5):2635-2654, doi:10.1137/070709359;
P. Bratley and B. L. Fox (1988), "Algorithm 659", ACM TOMS 14(1):88-100,
doi:10.1145/42288.214372; J. Matousek (1998), "On the L2-discrepancy for anchored boxes",
J. Complexity 14(4):527-556, doi:10.1006/jcom.1998.0489.

>>> import numpy as np
>>> p = sobol_points(4, 2, seed=0)
>>> p.shape, bool(np.all((p >= 0) & (p < 1)))
((4, 2), True)
>>> sorted(np.floor(p[:, 0] * 4).astype(int).tolist())  # one point in each quarter
[0, 1, 2, 3]
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np

__all__ = ["BITS", "MAX_DIM", "sobol_points"]

#: Bits of each coordinate (scipy's default): points are multiples of 2**-30.
BITS = 30
#: Dimensions whose direction numbers are kept here.
MAX_DIM = 1024
_TABLE = Path(__file__).parent / "data" / "files" / "sobol_new_joe_kuo_6_1024.txt"


@functools.cache
def _table() -> tuple[tuple[int, int, tuple[int, ...]], ...]:
    """The kept table: per dimension from the second, (s, a, (m_1 .. m_s))."""
    rows = _TABLE.read_text(encoding="utf-8").splitlines()[1:]
    out = []
    for line in rows:
        _, s, a, *m = (int(x) for x in line.split())
        out.append((s, a, tuple(m)))
    return tuple(out)


@functools.cache
def _direction_numbers(d: int) -> np.ndarray:
    """The unscrambled direction numbers ``v[k, j]`` of the first ``d`` dimensions
    (``d x BITS``, as integers of ``BITS`` bits: ``m_j`` shifted left by ``BITS - 1 - j``)."""
    v = np.zeros((d, BITS), dtype=np.int64)
    v[:1, :] = 1  # the first dimension: every m_j = 1 (van der Corput)
    for k, (s, a, m) in enumerate(_table()[: max(0, d - 1)], start=1):
        row = list(m) + [0] * (BITS - s)
        for j in range(s, BITS):
            # m_j = 2 a_1 m_{j-1} xor 4 a_2 m_{j-2} ... xor 2^s m_{j-s} xor m_{j-s}, where
            # a_1 .. a_{s-1} are the bits of a, highest first
            new = row[j - s] ^ (row[j - s] << s)
            for i in range(1, s):
                if (a >> (s - 1 - i)) & 1:
                    new ^= row[j - i] << i
            row[j] = new
        v[k] = row
    return v << (BITS - 1 - np.arange(BITS))


def _generator(seed: int | np.random.Generator | None) -> np.random.Generator:
    """The generator scipy's engine draws its scramble from: ``default_rng(seed)`` for an int
    (or None), and for a generator a child spawned from it (whose seed sequence then counts
    one more child, as with scipy)."""
    if not isinstance(seed, np.random.Generator):
        return np.random.default_rng(seed)
    bit_generator = seed.bit_generator
    child = bit_generator.seed_seq.spawn(1)[0]  # type: ignore[attr-defined]
    return np.random.Generator(type(bit_generator)(child))


def sobol_points(n: int, d: int, seed: int | np.random.Generator | None = None) -> np.ndarray:
    """The first ``n`` points of the scrambled Sobol' sequence in ``d`` dimensions.

    Parameters
    ----------
    n : int
        Number of points (a power of 2 keeps the sequence's balance).
    d : int
        Dimensions.
    seed : int, numpy.random.Generator or None
        As scipy's ``seed``: an int seeds ``default_rng``; a generator spawns a child.

    Returns
    -------
    numpy.ndarray
        ``(n, d)`` points in [0, 1), equal to
        ``scipy.stats.qmc.Sobol(d, scramble=True, seed=seed).random(n)``.
    """
    if d > MAX_DIM:
        from scipy.stats import qmc  # beyond the table kept here: scipy's own engine

        return np.asarray(qmc.Sobol(d, scramble=True, seed=seed).random(n))
    rng = _generator(seed)
    # the digital shift, then the lower-triangular scrambling matrices (unit diagonal)
    shift_bits = rng.integers(2, size=(d, BITS), dtype=np.uint32).astype(np.int64)
    shift = shift_bits @ (np.int64(1) << np.arange(BITS, dtype=np.int64))
    ltm = np.tril(rng.integers(2, size=(d, BITS, BITS), dtype=np.uint32)).astype(np.int64)
    ltm[:, np.arange(BITS), np.arange(BITS)] = 1
    v = _direction_numbers(d)
    # bit p (from the highest) of a scrambled direction number is the parity of row p of the
    # matrix times the bits of the plain one, highest first
    highest_first = (v[:, :, None] >> (BITS - 1 - np.arange(BITS))) & 1  # (d, j, q)
    parity = np.einsum("dpq,djq->djp", ltm, highest_first) & 1
    scrambled = parity @ (np.int64(1) << (BITS - 1 - np.arange(BITS, dtype=np.int64)))
    # point i: the shift xor the direction numbers of the bits of i's Gray code
    i = np.arange(n, dtype=np.int64)
    gray = i ^ (i >> 1)
    quasi = np.broadcast_to(shift, (n, d)).copy()
    for b in range(max(1, int(n).bit_length())):
        on = ((gray >> b) & 1).astype(bool)
        quasi[on] ^= scrambled[:, b]
    return quasi.astype(np.uint32) * (1.0 / 2**BITS)
