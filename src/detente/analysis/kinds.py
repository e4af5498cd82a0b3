"""Evidence kinds checked by computation: does a verdict restate the typed inputs?

A claim declared ``derived`` is meant to say something the inputs do not say on their own.
This module tests that over the draws of the uncertain inputs. For each condition of a claim it
takes the condition's verdict *per draw* (per parameter group for the dynamics; for a share over
the draws such as ``p_zone``, the per-draw indicator that the share averages) and asks whether a
rule on the typed inputs alone predicts it in at least :data:`AGREEMENT` of the draws:

typed bounds
    A comparison of the red-line bounds the quantity reads: the veto players' bounds on an
    issue do not overlap (``max lower > min upper``), on any issue, pairwise; and, for a
    package asked of a win-set, the package lies outside the actor's bounds. For the bargaining
    quantities (zone, gap, win-sets) such a comparison decides the verdict by construction
    when it holds, so it counts even when it is the same in every draw. For the dynamics it
    counts only when it varies and is associated with the verdict beyond chance (below).
a single input
    A threshold on one uncertain input the quantity reads (``x > t`` or ``x < t``) with at
    least 5% of the draws on each side. Such a rule is picked from the data, so it counts only
    when the verdict itself varies (the less frequent verdict in at least 5% of the draws) and
    the split is beyond chance: a one-sided hypergeometric (Fisher) test below
    :data:`ALPHA` divided by the number of inputs screened.
reads an input
    A quantity that is an input (``position``, ``salience``, ``capability``, ``driver``,
    ``red_line_overlap``) restates it whatever the draws say.

cannot fail within the stated ranges
    A condition no input can flip (:func:`cannot_fail`) is *structural*: its verdict is the
    model's construction (its kernel, or arithmetic on the ranges), not a finding. Its
    estimate is clear of the threshold (not too close to call); per draw of the inputs it
    keeps the verdict in every draw (a value free of simulation noise: the inputs and the
    bargaining set) or in :data:`AGREEMENT` of them (a simulated share, whose value per draw
    carries the noise of a few runs); along every input it reads (the quantity's dependency
    paths), a per-draw trend beyond chance (``t >= HINGE_Z``, as for the hinges) extrapolated
    to either end of the input's own stated range does not carry the value across the
    threshold; and the two inputs whose trends point toward the threshold most clearly (the
    largest ``t``), each pinned alone at that end of its range, leave the verdict clear of its
    interval there (computed again: simulated for the dynamics).

A claim whose every condition is predicted so (restated or structural), or whose verdict a
structural condition that fails decides, is reported as an ``encoding`` with the rules it
restates (:class:`Restatement`), whatever its file declares; a claim with some conditions
predicted keeps its kind and lists them as partial restatements or structural conditions.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np

from ..core import agreement_arrays
from ._exact_tests import fisher_exact_two_sided, hypergeom_upper_tail
from ._restatement import AGREEMENT, OPS, STRUCTURAL, STRUCTURAL_FAILS, Restatement
from ._structural import cannot_fail
from .drivers import draw_order, varying_quantities

if TYPE_CHECKING:
    from ..scenario import Scenario, ScenarioArrays
    from ..scenario.case import Claim, Condition
    from .quantities import Estimate

__all__ = [
    "AGREEMENT",
    "ALPHA",
    "STRUCTURAL",
    "STRUCTURAL_FAILS",
    "Restatement",
    "cannot_fail",
    "claim_restatements",
    "restatement",
]

#: Family-wise level of the chance test for rules picked from the data.
ALPHA = 0.01
#: Smallest share of the draws on each side of a single input's threshold.
MIN_SIDE = 0.05
#: The bargaining quantities, which typed bounds decide by construction.
BARGAINING = frozenset({"zone_open", "gap", "p_zone", "in_win_set", "ideal_package"})
#: The quantities that are inputs themselves.
INPUTS = frozenset({"position", "salience", "capability", "driver", "red_line_overlap"})


# --------------------------------------------------------------------------------------
# candidate rules
# --------------------------------------------------------------------------------------
def _bounds(d: ScenarioArrays) -> list[tuple[str, int, int, str, np.ndarray]]:
    """Every typed red-line bound of the draws: (path, actor, issue, op, values)."""
    out = []
    for k, a in enumerate(d.actor_ids):
        for j, i in enumerate(d.issue_ids):
            lo, hi = np.asarray(d.red_low[:, k, j], float), np.asarray(d.red_high[:, k, j], float)
            if np.any(lo > d.scale_low[j]):
                out.append((f"{a}.red_lines.{i}", k, j, ">=", lo))
            if np.any(hi < d.scale_high[j]):
                out.append((f"{a}.red_lines.{i}", k, j, "<=", hi))
    return out


#: Per draws object: the scenario, the draws as the zone sees them and their typed bounds
#: (every condition of every claim on the same draws reads them).
_AGREED: weakref.WeakKeyDictionary[Any, tuple[Any, ScenarioArrays, list[Any]]] = (
    weakref.WeakKeyDictionary()
)


def _agreed_bounds(
    scenario: Scenario, draws: ScenarioArrays
) -> tuple[ScenarioArrays, list[tuple[str, int, int, str, np.ndarray]]]:
    """``agreement_arrays(scenario, draws)`` and its :func:`_bounds`, once per draws object."""
    got = _AGREED.get(draws)
    if got is None or got[0] is not scenario:
        d = agreement_arrays(scenario, draws)
        got = (scenario, d, _bounds(d))
        _AGREED[draws] = got
    return got[1], got[2]


def _bound_rules(
    d: ScenarioArrays,
    package: dict[str, float] | None,
    actor: str | None,
    all_bounds: list[tuple[str, int, int, str, np.ndarray]] | None = None,
) -> list[tuple[str, tuple[str, ...], np.ndarray]]:
    veto = np.asarray(d.veto, bool)
    if not veto.any():
        veto = np.ones_like(veto)
    if all_bounds is None:
        all_bounds = _bounds(d)
    bounds = [b for b in all_bounds if veto[b[1]]]
    rules: list[tuple[str, tuple[str, ...], np.ndarray]] = []
    if package and actor is not None and actor in d.actor_ids:
        k = d.actor_ids.index(actor)
        outside: np.ndarray | None = None
        paths2: list[str] = []
        for issue, c in package.items():
            if issue not in d.issue_ids:
                continue
            j = d.issue_ids.index(issue)
            for path, kk, jj, op, arr in all_bounds:
                if kk != k or jj != j:
                    continue
                out = (c < arr) if op == ">=" else (c > arr)
                rules.append((f"{issue} = {c:g} lies outside {path}", (path,), out))
                outside = out if outside is None else outside | out
                paths2.append(path)
        if outside is not None and len(paths2) > 1:
            rules.append((f"the package lies outside {actor}'s red lines", tuple(paths2), outside))
    any_shut: np.ndarray | None = None
    any_paths: list[str] = []
    for j, issue in enumerate(d.issue_ids):
        lows = [b for b in bounds if b[2] == j and b[3] == ">="]
        highs = [b for b in bounds if b[2] == j and b[3] == "<="]
        if not lows and not highs:
            continue
        n = d.red_low.shape[0]
        lo = np.max([b[4] for b in lows], axis=0) if lows else np.full(n, d.scale_low[j])
        hi = np.min([b[4] for b in highs], axis=0) if highs else np.full(n, d.scale_high[j])
        shut = lo > hi
        paths = tuple(b[0] for b in (*lows, *highs))
        rules.append((f"the veto players' red lines on {issue} do not overlap", paths, shut))
        any_shut = shut if any_shut is None else any_shut | shut
        any_paths += paths
        for lb in lows:
            for hb in highs:
                if lb[1] != hb[1] and (len(lows) > 1 or len(highs) > 1):
                    rules.append(
                        (f"{lb[0]} (lower) > {hb[0]} (upper)", (lb[0], hb[0]), lb[4] > hb[4])
                    )
    if any_shut is not None and len(rules) > 1:
        rules.append(
            ("on some issue the veto players' red lines do not overlap", tuple(any_paths), any_shut)
        )
    return rules


def _best_splits(
    xs: list[np.ndarray], v: np.ndarray, orders: list[np.ndarray], min_agreement: float = 0.0
) -> list[tuple[float, float, str, float]]:
    """For each input ``x`` of ``xs`` (each of ``v``'s size, with its stable sort order in
    ``orders``: :func:`~.drivers.draw_order`), the threshold on ``x`` that best predicts
    ``v``: (agreement, p-value, side, threshold). Every input's splits are one array
    computation (the claims screen some 100 inputs per condition).

    The p-value is computed only for a split that agrees in at least ``min_agreement`` of the
    draws (1.0 otherwise): the caller reads it only then, and a hypergeometric tail per input
    screened was most of the evidence-kind check's time.
    """
    n, k = v.size, len(xs)
    none = (0.0, 1.0, "", float("nan"))
    m = max(1, int(np.ceil(MIN_SIDE * n)))
    cut = np.arange(m, n - m + 1)  # the first ``cut`` draws are the low side
    if cut.size == 0 or k == 0:
        return [none] * k
    order = np.stack(orders)  # (k, n)
    xs_sorted = np.take_along_axis(np.stack(xs), order, axis=1)
    cum = np.concatenate([np.zeros((k, 1)), np.cumsum(v[order].astype(float), axis=1)], axis=1)
    total = cum[:, -1]
    distinct = xs_sorted[:, cut - 1] < xs_sorted[:, np.minimum(cut, n - 1)]
    low_true = cum[:, cut]
    high_true = total[:, None] - low_true
    # rule "x above t => holds": holds above, fails below
    agree_up = (high_true + (cut - low_true)) / n
    agree_down = 1.0 - agree_up
    # the first best cut among those between distinct values
    rows = np.arange(k)
    i_up = np.argmax(np.where(distinct, agree_up, -np.inf), axis=1)
    i_down = np.argmax(np.where(distinct, agree_down, -np.inf), axis=1)
    best_up, best_down = agree_up[rows, i_up], agree_down[rows, i_down]
    above = best_up >= best_down
    c = np.where(above, cut[i_up], cut[i_down])
    agree = np.where(above, best_up, best_down)
    t = 0.5 * (xs_sorted[rows, c - 1] + xs_sorted[rows, c])
    out = []
    for r in range(k):
        if not distinct[r].any():
            out.append(none)
            continue
        side, cr, ar = ("above" if above[r] else "below"), int(c[r]), float(agree[r])
        if ar < min_agreement:
            out.append((ar, 1.0, side, float(t[r])))
            continue
        if above[r]:
            held = int(np.rint(total[r] - cum[r, cr]))  # holds above the cut
            drawn = n - cr
        else:
            held = int(np.rint(cum[r, cr]))  # holds below the cut
            drawn = cr
        out.append((ar, hypergeom_upper_tail(held, n, int(total[r]), drawn), side, float(t[r])))
    return out


def _agreement(rule: np.ndarray, v: np.ndarray) -> float:
    a = float(np.mean(rule == v))
    return max(a, 1.0 - a)


def _varies_beyond_chance(rule: np.ndarray, v: np.ndarray, n_tests: int) -> bool:
    if rule.all() or not rule.any() or v.all() or not v.any():
        return False
    table = [
        [int(np.sum(rule & v)), int(np.sum(rule & ~v))],
        [int(np.sum(~rule & v)), int(np.sum(~rule & ~v))],
    ]
    return fisher_exact_two_sided(table) < ALPHA / max(1, n_tests)


def restatement(
    condition: str,
    quantity: str,
    verdict: np.ndarray,
    draws: ScenarioArrays | None,
    scenario: Scenario,
    *,
    paths: frozenset[str] | None = None,
    args: dict[str, Any] | None = None,
) -> Restatement | None:
    """The first rule on the typed inputs that predicts ``verdict`` (one bool per draw), or None.

    ``quantity`` is the condition's quantity (for an effect, the quantity it changes),
    ``draws`` the inputs of each draw, ``paths`` the inputs the quantity reads (None: all),
    ``args`` the condition's arguments (a package asked of a win-set is compared with the
    actor's bounds).
    """
    if quantity in INPUTS:
        what = ", ".join(str(v) for v in (args or {}).values() if isinstance(v, str))
        return Restatement(condition, f"reads the input {quantity} ({what}) directly", (), 1.0, 0)
    if draws is None:
        return None
    v = np.asarray(verdict, bool).ravel()
    n = v.size
    if n < 8 or draws.n_draws != n:
        return None
    minority = min(v.mean(), 1.0 - v.mean())
    a = args or {}
    package = a.get("package")
    pkg = {str(k): float(x) for k, x in package.items()} if isinstance(package, dict) else None
    # the red lines that bind as the core says: veto players', and controllers' on their issues
    agreed, bounds = _agreed_bounds(scenario, draws)
    rules = _bound_rules(agreed, pkg, a.get("actor"), bounds)
    constructive = quantity in BARGAINING
    for text, inputs, rule in rules:
        if paths is not None and not set(inputs) <= paths and not constructive:
            continue
        agree = _agreement(rule, v)
        if agree < AGREEMENT:
            continue
        # a typed comparison decides a bargaining verdict when it fires (bounds that do not
        # overlap shut the zone; a package outside a bound is outside the win-set), not when
        # it never does
        if (constructive and rule.mean() >= MIN_SIDE) or _varies_beyond_chance(rule, v, len(rules)):
            return Restatement(condition, text, inputs, agree, n)
    if minority < MIN_SIDE:
        return None

    inputs_x = {
        p: x for p, x in varying_quantities(scenario, draws).items() if paths is None or p in paths
    }
    best: Restatement | None = None
    screened = [(p, x) for p, x in inputs_x.items() if x.shape == v.shape]
    splits = _best_splits(
        [x for _, x in screened], v, [draw_order(draws, p, x) for p, x in screened], AGREEMENT
    )
    for (p, _), (agree, pval, side, t) in zip(screened, splits, strict=True):
        if agree >= AGREEMENT and pval < ALPHA / max(1, len(inputs_x)):
            holds = "holds" if side == "above" else "fails"
            r = Restatement(condition, f"{p} > {t:.4g} (then it {holds})", (p,), agree, n)
            if best is None or agree > best.agreement:
                best = r
    return best


def claim_restatements(
    claim: Claim,
    texts: list[str],
    estimates: list[Estimate],
    scenario: Scenario,
    *,
    at_corner: Callable[[Condition, dict[str, float]], Estimate | None] | None = None,
) -> tuple[tuple[Restatement, ...], bool]:
    """The rules on the typed inputs that predict each condition per draw, and the conditions
    that cannot fail within the stated ranges (:func:`cannot_fail`); and whether the claim's
    verdict is so decided: every condition (or all of them together) predicted or structural,
    or a structural condition that fails."""
    found: list[Restatement] = []
    per_cond: list[tuple[np.ndarray, Estimate] | None] = []
    for cond, text, est in zip(claim.check, texts, estimates, strict=True):
        of = str(cond.args["of"]) if cond.quantity == "effect" else cond.quantity
        inner = dict(cond.args.get("args", {})) if cond.quantity == "effect" else cond.args
        per_cond.append(None)
        if est.reads == "record":
            continue
        if est.aggregate:
            rules = [
                restatement(text, of, sig.astype(bool), d, scenario, args=inner)
                for sig, d in est.signals
            ]
            if rules and all(r is not None for r in rules):
                found.append(
                    Restatement(
                        text,
                        " and ".join(dict.fromkeys(r.rule for r in rules if r)),
                        tuple(dict.fromkeys(p for r in rules if r for p in r.inputs)),
                        min(r.agreement for r in rules if r),
                        rules[0].n_draws if rules[0] else 0,
                    )
                )
            continue
        if est.per_draw is None:
            r = restatement(text, of, np.zeros(0, bool), None, scenario, args=inner)
            if r is not None:
                found.append(r)
            continue
        x = np.asarray(est.per_draw, float)
        ok = np.isfinite(x)
        v = np.zeros(x.shape, bool)
        v[ok] = OPS[cond.compare](x[ok], cond.threshold)
        per_cond[-1] = (v, est)
        d = est.draws if ok.all() or est.draws is None else est.draws.take(ok)
        r = restatement(text, of, v[ok], d, scenario, paths=est.paths, args=inner)
        if r is not None:
            found.append(r)
    # conditions that cannot fail within the stated ranges (one that fails so decides the
    # verdict by construction)
    fixed_fail = False
    for cond, text, est in zip(claim.check, texts, estimates, strict=True):
        corner = None if at_corner is None else partial(at_corner, cond)
        r = cannot_fail(text, est, cond.compare, cond.threshold, scenario, at_corner=corner)
        if r is not None:
            found.append(r)
            fixed_fail |= not bool(OPS[cond.compare](est.value, cond.threshold))
    covered = {r.condition for r in found}
    every = len(texts) > 0 and (all(t in covered for t in texts) or fixed_fail)
    usable = [p for p in per_cond if p is not None]
    if not every and len(usable) == len(texts) > 1:
        sizes = {p[0].shape for p in usable}
        if len(sizes) == 1:
            both = np.logical_and.reduce([p[0] for p in usable])
            est0 = usable[0][1]
            paths = None
            if all(p[1].paths is not None for p in usable):
                paths = frozenset().union(*(p[1].paths or frozenset() for p in usable))
            r = restatement("every condition together", "", both, est0.draws, scenario, paths=paths)
            if r is not None:
                found.append(r)
                every = True
    return tuple(found), every
