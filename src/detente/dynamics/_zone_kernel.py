"""The monthly zone's closed form for one or two veto players, compiled, run by run.

The same arithmetic, in the same order, as :func:`detente.dynamics.zone.closed_form_zone` on
the bargaining core's inputs (:func:`detente.core.bargaining_inputs`,
:func:`detente.core.zone_open`, :func:`detente.core.pair_max_min_surplus`), including NumPy's
order of summation over the issues (:func:`pairwise_sum`), so every zone and gap is the same
float; ``tests/dynamics/test_month_kernel.py`` checks it on generated inputs. The monthly loop
recomputes the zone of a few runs every month; built from NumPy calls, each recomputation
cost a millisecond of per-call overhead whatever the number of runs.

Private to :mod:`detente.dynamics` (:class:`detente.dynamics.zone.MonthlyZone` calls it).
"""

from __future__ import annotations

import numpy as np

from .._kernels import njit
from ..core import LP_TOLERANCE, STRICT_MARGIN

__all__ = ["MAX_ISSUES", "pairwise_sum", "zone_rows"]

# The core's tolerances, written here as literals: compiled code keeps them as constants, and
# numba's cache (like the ahead-of-time build) is keyed on this file, not on the core's. A
# change in the core then stops the import until it is made here too, which renews both.
_LP_TOL = 1e-9
_STRICT = 1e-6
if (float(LP_TOLERANCE), float(STRICT_MARGIN)) != (_LP_TOL, _STRICT):  # pragma: no cover
    raise ImportError(
        "detente.dynamics._zone_kernel: the core's LP_TOLERANCE or STRICT_MARGIN changed; "
        "write the new values in _LP_TOL and _STRICT here too"
    )


#: The most issues :func:`pairwise_sum` sums (NumPy's block; beyond it NumPy recurses, and
#: numba cannot cache a recursive function).
MAX_ISSUES = 128


@njit(inline="always")
def pairwise_sum(a, start, n):  # pragma: no cover - compiled
    """``np.sum`` of ``a[start:start + n]`` (``n <= MAX_ISSUES``) in NumPy's order: its
    identity 0 plus the pairwise summation of the contiguous run (plain from -0 below 8
    terms, else eight accumulators), so a sum of negative zeros is 0 as NumPy's."""
    if n < 8:
        res = -0.0
        for i in range(n):
            res += a[start + i]
        return 0.0 + res
    r0, r1, r2, r3 = a[start], a[start + 1], a[start + 2], a[start + 3]
    r4, r5, r6, r7 = a[start + 4], a[start + 5], a[start + 6], a[start + 7]
    i = 8
    while i < n - (n % 8):
        r0 += a[start + i]
        r1 += a[start + i + 1]
        r2 += a[start + i + 2]
        r3 += a[start + i + 3]
        r4 += a[start + i + 4]
        r5 += a[start + i + 5]
        r6 += a[start + i + 6]
        r7 += a[start + i + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        res += a[start + i]
        i += 1
    return 0.0 + res


@njit(inline="always")
def _clip(x, lo, hi):  # pragma: no cover - compiled
    return min(max(x, lo), hi)


@njit()
def zone_rows(
    rows, pos, red_low, red_high, veto, held, weights, status_quo, cost, indifferent,
    s_lo, s_hi, width, zone, gap,
):  # pragma: no cover - compiled  # fmt: skip
    """Zone and gap of the runs ``rows`` among one or two veto players (``veto``: their actor
    indices; ``held[v, j]``: player ``v`` must agree on issue ``j``, else its red line there
    is the scale's bound). ``weights`` (runs, V, I), ``status_quo`` (runs, I), ``cost``
    (runs,) and ``indifferent`` (runs, V) are the core's (normalised) inputs, which the
    monthly moves do not change; positions and red lines are read from the stances. Written
    into ``zone`` and ``gap`` at ``rows``."""
    V = veto.shape[0]
    n_i = pos.shape[2]
    ideal = np.empty((V, n_i))
    rlo = np.empty((V, n_i))
    rhi = np.empty((V, n_i))
    lo = np.empty(n_i)
    hb = np.empty(n_i)
    buf = np.empty(n_i)
    rr = np.empty(V)
    a = np.empty((V, V, n_i))  # a[v, c, j]: v's utility on issue j at candidate c
    ts = np.empty(n_i + 2)
    for r in rows:
        for v in range(V):
            k = veto[v]
            for j in range(n_i):
                ideal[v, j] = (pos[r, k, j] - s_lo[j]) / width[j]
                low = red_low[r, k, j] if held[v, j] else s_lo[j]
                high = red_high[r, k, j] if held[v, j] else s_hi[j]
                rlo[v, j] = _clip((low - s_lo[j]) / width[j], 0.0, 1.0)
                rhi[v, j] = _clip((high - s_lo[j]) / width[j], 0.0, 1.0)
        conflict = False
        for j in range(n_i):
            lo[j] = rlo[0, j]
            hi = rhi[0, j]
            for v in range(1, V):
                lo[j] = max(lo[j], rlo[v, j])
                hi = min(hi, rhi[v, j])
            buf[j] = max(lo[j] - hi, 0.0)
            hb[j] = max(hi, lo[j])
            conflict = conflict or lo[j] > hb[j] + _LP_TOL
        deficit = pairwise_sum(buf, 0, n_i)
        for v in range(V):  # the reservation U_v(q) + k
            for j in range(n_i):
                buf[j] = weights[r, v, j] * abs(status_quo[r, j] - ideal[v, j])
            rr[v] = -10.0 if indifferent[r, v] else -pairwise_sum(buf, 0, n_i) + cost[r]
        for v in range(V):
            for c in range(V):
                for j in range(n_i):
                    cand = _clip(ideal[c, j], lo[j], hb[j])
                    a[v, c, j] = -weights[r, v, j] * abs(cand - ideal[v, j])
        if V == 1:
            m = pairwise_sum(a[0, 0], 0, n_i) - rr[0]
        else:
            ts[0], ts[1] = 0.0, 1.0
            for j in range(n_i):
                num = a[1, 1, j] - a[1, 0, j]
                den = a[0, 0, j] - a[0, 1, j] - a[1, 0, j] + a[1, 1, j]
                ts[2 + j] = _clip(num / den, 0.0, 1.0) if abs(den) > 1e-15 else 0.0
            m = np.inf
            for tt in ts:
                ut = 1 - tt
                for j in range(n_i):
                    x = tt * a[0, 0, j] + ut * a[1, 0, j]
                    y = tt * a[0, 1, j] + ut * a[1, 1, j]
                    buf[j] = x if x >= y or x != x else y
                psi = pairwise_sum(buf, 0, n_i) - (tt * rr[0] + (1 - tt) * rr[1])
                if psi < m or psi != psi:
                    m = psi
                if m != m:
                    break
        if conflict:
            m = -np.inf
        zone[r] = deficit <= 0.0 and m >= _STRICT
        gap[r] = 0.0 if zone[r] else _clip(deficit + max(-m, 0.0), _LP_TOL, 1.0)
