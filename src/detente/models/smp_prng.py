"""KTAB's pseudo-random generator (``KBase::PRNG``), bit for bit.

KTAB draws from C++'s ``std::mt19937_64`` seeded with the scenario's 64-bit seed, passes
each 64-bit word through the bijection ``q(n) = (n + a)(2n + 3) mod 2^64`` with
``a = 0xE08C1D668B756F83`` and scales it to ``[0, 1]`` by dividing by ``2^64 - 1``.
The spatial model of politics draws only when ``StateTransitions`` is ``Stochastic``: one
``probSel`` per actor per turn, picking a bargain with the probabilities of the
probabilistic Condorcet election among its bargains.

Adapted from KTAB ``kutils/libsrc/prng.cpp`` (Copyright KAPSARC, MIT licence; see
``tests/data/LICENSE-KTAB.txt``).
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["MT19937_64", "KtabPrng"]

_M64 = (1 << 64) - 1
_Q64C = 0xE08C1D668B756F83
_MAX = float(_M64)


class MT19937_64:
    """The 64-bit Mersenne Twister of C++11 (``std::mt19937_64``), seeded like ``seed(s)``."""

    _N, _M = 312, 156
    _A = 0xB5026F5AA96619E9
    _UPPER, _LOWER = 0xFFFFFFFF80000000, 0x7FFFFFFF

    def __init__(self, seed: int = 5489) -> None:
        mt = [0] * self._N
        mt[0] = seed & _M64
        for i in range(1, self._N):
            mt[i] = (6364136223846793005 * (mt[i - 1] ^ (mt[i - 1] >> 62)) + i) & _M64
        self._mt = mt
        self._i = self._N

    def _twist(self) -> None:
        mt, n, m = self._mt, self._N, self._M
        for i in range(n):
            x = (mt[i] & self._UPPER) | (mt[(i + 1) % n] & self._LOWER)
            xa = x >> 1
            if x & 1:
                xa ^= self._A
            mt[i] = mt[(i + m) % n] ^ xa
        self._i = 0

    def __call__(self) -> int:
        if self._i >= self._N:
            self._twist()
        y = self._mt[self._i]
        self._i += 1
        y ^= (y >> 29) & 0x5555555555555555
        y ^= (y << 17) & 0x71D67FFFEDA60000
        y ^= (y << 37) & 0xFFF7EEE000000000
        y ^= y >> 43
        return y & _M64


class KtabPrng:
    """``KBase::PRNG``: ``uniform()``, ``uniform(a, b)`` and ``prob_sel(p)`` as KTAB computes them."""

    def __init__(self, seed: int) -> None:
        if not 0 < seed <= _M64:
            raise ValueError(f"a KTAB seed is a positive 64-bit integer; got {seed}")
        self.seed = seed
        self._mt = MT19937_64(seed)

    def uniform_word(self) -> int:
        n = self._mt()
        return ((n + _Q64C) * (2 * n + 3)) & _M64

    def uniform(self, a: float = 0.0, b: float = 1.0) -> float:
        x = float(self.uniform_word()) / _MAX
        return a + (b - a) * x

    def prob_sel(self, p: Sequence[float]) -> int:
        """Index drawn from the probabilities ``p`` (first index whose running sum reaches u)."""
        u = self.uniform(0.0, 1.0)
        total = 0.0
        for k, pk in enumerate(p):
            total += float(pk)
            if u <= total:
                return k
        return len(p) - 1
