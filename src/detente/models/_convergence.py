"""Convergence of an iterated model: fixed points, cycles, and runs that do neither.

An iterated model whose next round depends only on the current positions (the expected
utility model: risk exponents are recomputed from the positions every round) repeats
forever once its positions repeat. :func:`detect_cycles` finds, per draw, the shortest
period ``p`` such that the positions of the last ``p`` rounds repeat those ``p`` rounds
earlier (within ``rtol`` of the positions' range), and the first round from which they do:

- ``p == 1``: converged (a fixed point from round ``start`` on);
- ``p >= 2``: a cycle of length ``p`` (period-2 cycles are common in the expected utility
  model): the final round's positions, and any statistic of them, depend on the round the
  run stops at;
- ``p == 0``: neither within the rounds run.
"""

from __future__ import annotations

import numpy as np

__all__ = ["cycle_mean", "detect_cycles"]


def detect_cycles(
    positions: np.ndarray, *, rtol: float = 1e-9, max_period: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Shortest period and the round it starts, per draw.

    Parameters
    ----------
    positions : ndarray, shape (D, T + 1, A) or (T + 1, A)
        Positions by round (round 0 first).
    rtol : float
        Positions closer than ``rtol`` times the range of the initial positions are equal.
    max_period : int, optional
        Longest period looked for (default: every period that repeats at least once).

    Returns
    -------
    period : ndarray of int, shape (D,) or ()
        0 when no repetition was found.
    start : ndarray of int, shape (D,) or ()
        The first round of the repeating stretch (-1 when none).

    Examples
    --------
    >>> x = np.array([[0.0], [1.0], [2.0], [3.0], [2.0], [3.0], [2.0]])
    >>> [int(v) for v in detect_cycles(x)]
    [2, 2]
    >>> [int(v) for v in detect_cycles(np.array([[0.0], [1.0], [1.0]]))]
    [1, 1]
    """
    x = np.asarray(positions, dtype=float)
    single = x.ndim == 2
    if single:
        x = x[None]
    D, T1, _ = x.shape
    T = T1 - 1
    span = x[:, 0].max(axis=1) - x[:, 0].min(axis=1)
    tol = rtol * np.where(span > 0, span, 1.0)
    period = np.zeros(D, dtype=int)
    start = np.full(D, -1, dtype=int)
    longest = (T + 1) // 2 if max_period is None else min(max_period, (T + 1) // 2)
    for p in range(1, longest + 1):
        # eq[:, t]: round t + p repeats round t, for t = 0 .. T - p
        eq = np.all(np.abs(x[:, p:] - x[:, :-p]) <= tol[:, None, None], axis=2)
        # the last p comparisons (one whole period) must hold
        ok = eq[:, T - 2 * p + 1 :].all(axis=1) & (period == 0)
        if not ok.any():
            continue
        # first t from which every later comparison holds
        tail = np.flip(np.cumprod(np.flip(eq, axis=1), axis=1), axis=1).astype(bool)
        first = np.where(tail.any(axis=1), np.argmax(tail, axis=1), T - p + 1)
        period[ok] = p
        start[ok] = first[ok]
    if single:
        return np.asarray(period[0]), np.asarray(start[0])
    return period, start


def cycle_mean(stat: np.ndarray, period: np.ndarray) -> np.ndarray:
    """Mean of a per-round statistic (D, T + 1) over the last ``period`` rounds (the final
    round where ``period`` is 0 or 1)."""
    s = np.atleast_2d(np.asarray(stat, dtype=float))
    p = np.atleast_1d(np.asarray(period, dtype=int))
    T1 = s.shape[1]
    k = np.arange(T1)[None, :]
    use = k >= T1 - np.maximum(p, 1)[:, None]
    return np.asarray((s * use).sum(axis=1) / use.sum(axis=1))
