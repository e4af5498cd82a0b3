"""Claim conditions that cannot fail within the stated ranges (see :mod:`.kinds`).

Private to :mod:`detente.analysis`; :mod:`.kinds` re-exports :func:`cannot_fail` and the
claims call :func:`corner_estimate` to compute a condition again with inputs pinned.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from ..errors import DetenteError
from ._restatement import AGREEMENT, OPS, STRUCTURAL, STRUCTURAL_FAILS, Restatement
from .drivers import varying_quantities
from .quantities import HINGE_Z

if TYPE_CHECKING:
    from ..scenario import Scenario, ScenarioArrays
    from ..scenario.case import Condition
    from .quantities import Estimate, Evaluator

__all__ = ["NOISE_FREE", "N_ENDS", "cannot_fail", "corner_estimate"]

#: Inputs simulated at the end of their ranges to confirm that a simulated value cannot fail.
N_ENDS = 2
#: The quantities whose value per draw carries no simulation noise.
NOISE_FREE = frozenset({"input", "bargaining"})


def _values_per_draw(est: Estimate) -> tuple[np.ndarray, ScenarioArrays] | None:
    """The condition's value per draw of the inputs and those draws: the per-draw value, or
    for a share over the draws (``p_zone``) the indicator it averages (for an effect, the
    difference of the two variants' indicators, on the first variant's draws)."""
    if est.aggregate:
        sig = est.signals
        if len(sig) == 1:
            y, d = np.asarray(sig[0][0], float), sig[0][1]
        elif len(sig) == 2 and np.shape(sig[0][0]) == np.shape(sig[1][0]):
            y, d = np.asarray(sig[1][0], float) - np.asarray(sig[0][0], float), sig[0][1]
        else:
            return None
    elif est.per_draw is None or est.draws is None:
        return None
    else:
        y, d = np.asarray(est.per_draw, float), est.draws
    if d.n_draws != y.size:
        return None
    ok = np.isfinite(y)
    if ok.sum() < 8:
        return None
    return (y, d) if ok.all() else (y[ok], d.take(ok))


def _keeps(compare: str, threshold: float, holds: bool, lo: float, hi: float) -> bool:
    """Whether every value in [lo, hi] gives the verdict ``holds``."""
    if compare in ("==", "!="):
        equal = (compare == "==" and holds) or (compare == "!=" and not holds)
        inside = lo <= threshold <= hi
        return bool(lo == hi == threshold) if equal else not inside
    op = OPS[compare]
    return bool(op(lo, threshold)) == holds and bool(op(hi, threshold)) == holds


def _trends(
    y: np.ndarray, d: ScenarioArrays, scenario: Scenario, paths: frozenset[str] | None
) -> list[tuple[str, float, float, float, float]]:
    """Per input the quantity reads: (path, slope of ``y`` along it, its t value, and the
    shifts of ``y`` at the low and the high end of the input's stated range)."""
    ranges = dict(scenario.quantities())
    n = y.size
    read = []
    for path, x in varying_quantities(scenario, d).items():
        if (paths is not None and path not in paths) or x.shape != y.shape or path not in ranges:
            continue
        read.append((path, x))
    if not read:
        return []
    # every input's least-squares slope at once: one row per input, each row reduced along
    # itself (NumPy sums a contiguous row as it sums the one input: the same numbers)
    xs = np.stack([x for _, x in read])
    means = xs.mean(axis=1)
    xc = xs - means[:, None]
    sxx = np.sum(xc**2, axis=1)
    yc = y - y.mean()
    slopes = np.sum(xc * yc, axis=1) / sxx
    out = []
    for r, (path, _) in enumerate(read):
        b = float(slopes[r])
        resid = yc - b * xc[r]
        se = float(np.sqrt(np.sum(resid**2) / max(1, n - 2) / float(sxx[r])))
        t = abs(b) / se if se > 0 else (np.inf if b != 0 else 0.0)
        q, mean = ranges[path], means[r]
        out.append((path, b, float(t), b * (q.low - mean), b * (q.high - mean)))
    return out


def cannot_fail(
    condition: str,
    est: Estimate,
    compare: str,
    threshold: float,
    scenario: Scenario,
    *,
    at_corner: Callable[[dict[str, float]], Estimate | None] | None = None,
) -> Restatement | None:
    """A :class:`Restatement` marked ``structural`` when no input within its stated range can
    flip the condition's verdict (see the module docstring), else None.

    ``est`` is the condition's estimate (its value, interval, value per draw, the draws and
    the inputs it reads), ``compare`` and ``threshold`` its comparison. ``at_corner`` (the
    claims pass one) estimates the condition again with inputs pinned at given values: every
    input whose trend beyond chance would carry the value across the threshold at the end of
    its range, and the :data:`N_ENDS` inputs whose trends move it most toward the threshold,
    are each pinned alone at that end of their range, and the verdict must hold there clear
    of its interval. Without ``at_corner`` such a crossing trend is taken at its word (not
    structural); with it, the computed value decides (a linear trend over the draws can be
    chance: some 100 inputs are screened at once).
    """
    if est.reads == "record" or not np.isfinite(est.value):
        return None
    got = _values_per_draw(est)
    if got is None:
        return None
    y, d = got
    holds = bool(OPS[compare](est.value, threshold))
    lo, hi = est.interval if est.interval is not None else (est.value, est.value)
    if not _keeps(compare, threshold, holds, float(lo), float(hi)):
        return None  # too close to call: it may fail at the run's own precision
    # the direction of a value that would break the verdict: +1 up, -1 down, 0 either way
    if compare in (">", ">="):
        toward = -1 if holds else 1
    elif compare in ("<", "<="):
        toward = 1 if holds else -1
    elif (compare == "==") == holds:
        toward = 0
    else:
        toward = 1 if threshold > est.value else -1
    # per draw it keeps the verdict: in every draw for a value free of simulation noise, in
    # AGREEMENT of them for a simulated share (a few runs per draw); a share over the draws
    # (P(zone)) has no verdict per draw, only its trends below
    share = float(np.mean(OPS[compare](y, threshold) == holds))
    if not est.aggregate and share < (1.0 if est.reads in NOISE_FREE else AGREEMENT):
        return None  # it fails in some draws of the inputs (beyond a simulation's noise)
    try:
        trends = _trends(y, d, scenario, est.paths)
    except (KeyError, ValueError):  # a variant without a number the baseline has
        return None
    if toward == 0:
        if any(b != 0 for _, b, *_ in trends):
            return None  # an exact equality that an input moves can break
        trends = []
    ranges = dict(scenario.quantities())
    # each input alone at the end of its own range that moves the value toward the threshold
    pushes = []
    crossing = []
    for path, _b, t, at_low, at_high in trends:
        push = max(at_low, at_high) if toward > 0 else min(at_low, at_high)
        if push * toward > 0:
            end = ranges[path].low if push == at_low else ranges[path].high
            pushes.append((t, path, end))
            # a trend beyond chance (some 100 inputs are screened at once, as for the hinges)
            # that reaches the threshold at the end of the input's range can flip it: without
            # a way to compute the condition there, it may; with one, it is computed there
            beyond = t >= HINGE_Z
            if beyond and not _keeps(compare, threshold, holds, est.value + push, est.value + push):
                if at_corner is None:
                    return None
                crossing.append((t, path, end))
    # the inputs whose trends cross the threshold go first, then those whose trends point
    # toward it most clearly
    crossing.sort(reverse=True)
    pushes.sort(reverse=True)
    corners = crossing + [p for p in pushes if p not in crossing][: max(0, N_ENDS - len(crossing))]
    verdict = "holds" if holds else "fails"
    if est.aggregate:
        where = f"it {verdict} (a share over {y.size} draws)"
    elif est.reads in NOISE_FREE:
        where = f"it {verdict} in all {y.size} draws"
    else:
        where = f"it {verdict} in {share:.0%} of {y.size} draws"
    text = f"{where}, and no input at either end of its range moves it across"
    if at_corner is not None:
        # the inputs that move it most, each alone at that end, computed again (a trend is
        # linear; a share of draws such as P(zone) can rise steeply near the end of a range)
        seen = []
        for _, path, end in corners:
            there = at_corner({path: end})
            if there is None or not np.isfinite(there.value):
                return None
            c_lo, c_hi = there.interval if there.interval is not None else (there.value,) * 2
            if not _keeps(compare, threshold, holds, float(c_lo), float(c_hi)):
                return None
            seen.append(f"{path} = {end:g}: {there.value:.3g} [{c_lo:.3g}, {c_hi:.3g}]")
        if seen:
            text += (
                "; with the inputs whose trends point at it most clearly at those ends: "
                + "; ".join(seen)
            )
    return Restatement(
        condition,
        f"{STRUCTURAL if holds else STRUCTURAL_FAILS} ({text})",
        tuple(p for _, p, _ in (corners if at_corner is not None else pushes[:N_ENDS])),
        share,
        y.size,
        structural=True,
    )


def corner_estimate(
    ev: Evaluator, under: tuple[str, ...], cond: Condition, pins: dict[str, float]
) -> Estimate | None:
    """The condition estimated again with the inputs ``pins`` pinned at those values (their
    ranges collapsed), at the settings of ``ev``; None when the pinned scenario is invalid."""
    s0 = ev.scenario
    ops = {f"{a.id}.red_lines.{i}": rl.op for a in s0.actors for i, rl in a.red_lines.items()}
    sets = [f"{p}={ops.get(p, '')}{v:.12g}" for p, v in pins.items()]
    # simulated only as far as the condition reads (a quantity without a month reads them all)
    inner = cond.args.get("args", {}) if cond.quantity == "effect" else cond.args
    months = min(ev.months, int(inner.get("month", ev.months)))
    try:
        # one evaluator per pinned scenario, shared by the conditions that pin the same ends
        other = ev.pinned(tuple(sets), months)
        # the simulations the condition reads (an effect's two variants) played as one batch
        other.reserve_condition(cond, under)
        other.simulate_reserved()
        return other.estimate(cond, under=under)
    except (DetenteError, ValueError):
        return None
