"""Axiomatic bargaining solutions over the whole multi-issue space: Nash, Kalai-Smorodinsky,
egalitarian.

The bargaining players ``P`` are the veto players (every actor when nobody has a veto). A
package ``x`` sets every issue at once. Player k's utility is

    u_k(x) = - sum_j s_kj * (|x_j - p_kj| / W_j) ** gamma_k

over the issues where k has a stance (``s`` salience in [0, 1], ``p`` ideal position, ``W_j`` the
width of issue j's scale, ``gamma`` the curvature: 1 is linear loss, 2 quadratic). The status quo
``q`` is the disagreement point, the gain is ``g_k(x) = u_k(x) - u_k(q)``. Red lines of the players
are hard limits: ``x`` must lie in the box ``[L_j, H_j]`` that every player's red lines allow.

- ``nash`` (Nash 1950, asymmetric form of Kalai 1977 / Roth 1979): maximise
  ``sum_k w_k log g_k(x)`` with ``w_k`` the capability shares.
- ``kalai_smorodinsky`` (Kalai & Smorodinsky 1975): the largest ``t`` with
  ``g_k(x) >= t * g_k^*`` for all k, ``g_k^*`` the best gain k can get while nobody loses; ties
  are broken towards the largest total gain so the package is Pareto-optimal.
- ``egalitarian`` (Kalai 1977): the largest equal gain ``g_k(x) >= t``, ties broken likewise.

Whether there is a deal at all is the bargaining core's verdict, not the model's: when the zone
of agreement of :func:`detente.core.win_set_gap` (the veto players' win-sets, with their red
lines, the scenario's curvature and cost of agreement) is empty, every solution here reports
no agreement, with the core's blockers as the reason, so the Nash family and the diagnosis
cannot disagree. When no package in the box gives every player strictly more than the status
quo, each also returns
the disagreement point -- the status quo on every issue -- with ``extra["agreement"] = False``
and the reason (which players cannot gain together; red lines only when some conflict).

Numerics: with ``|x_j - p_kj| / W_j`` replaced by auxiliary variables ``e_kj >= |...|`` every problem is
smooth and, for ``gamma >= 1``, convex; it is solved with SLSQP from several starts (the max-min
package, each player's best package pulled towards it, and the best of a quasi-random sample
of packages), keeping the best verified result. :func:`batch` checks many parameter draws at
once on a shared sample of packages.

References
----------
Nash, J. F. (1950). The bargaining problem. *Econometrica* 18(2), 155-162. doi:10.2307/1907266
Kalai, E., & Smorodinsky, M. (1975). Other solutions to Nash's bargaining problem.
*Econometrica* 43(3), 513-518. doi:10.2307/1914280
Kalai, E. (1977). Proportional solutions to bargaining situations: interpersonal utility
comparisons. *Econometrica* 45(7), 1623-1630. doi:10.2307/1913954
Roth, A. E. (1979). *Axiomatic Models of Bargaining*. Springer. doi:10.1007/978-3-642-51570-5
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from .._sobol import sobol_points
from ..core import STRICT_MARGIN, GapResult, agreement_arrays, win_set_gap
from ..errors import ModelError
from ..scenario.arrays import ScenarioArrays, as_generator
from ._nash_problem import (
    _TOL,
    MAX_PLAYERS,
    Problem,
    _least_change,
    _lexi_refine,
    _max_min_share,
    _problem,
    _sample,
    _slsqp,
    _Smooth,
    _why_not,
)
from .base import Forecast, ModelSettings, register

if TYPE_CHECKING:
    from ..scenario import Scenario

__all__ = ["Egalitarian", "KalaiSmorodinsky", "NashBargaining", "Problem", "batch"]


#: The most bargaining players the joint solutions are computed for (every actor bargains
#: when nobody holds a veto).
@dataclass(frozen=True, kw_only=True)
class _Bargaining(ModelSettings):
    """Shared settings and the agreement check of the axiomatic solutions."""

    name: ClassVar[str]
    description: ClassVar[str]
    solution: ClassVar[str]

    curvature: float | None = None
    actor_curvature: dict[str, float] = field(default_factory=dict)
    n_samples: int = 1024
    max_starts: int = 4

    def __post_init__(self) -> None:
        values = [self.curvature] if self.curvature is not None else []
        values += list(self.actor_curvature.values())
        for v in values:
            if not (isinstance(v, int | float) and np.isfinite(v) and v >= 1):
                raise ModelError(
                    f"The 'curvature' parameter of {self.name} must be a number >= 1 (concave "
                    f"utilities keep the bargaining problem convex). Got {v!r} instead."
                )
        if not (isinstance(self.max_starts, int) and self.max_starts >= 1):
            raise ModelError(
                f"The 'max_starts' parameter of {self.name} must be an integer >= 1. "
                f"Got {self.max_starts!r} instead."
            )
        if not (isinstance(self.n_samples, int) and self.n_samples >= 16):
            raise ModelError(
                f"The 'n_samples' parameter of {self.name} must be an integer >= 16. "
                f"Got {self.n_samples!r} instead."
            )

    def _gamma(self, scenario: Scenario, arrays: ScenarioArrays) -> tuple[np.ndarray, str]:
        if self.curvature is not None:
            base, where = float(self.curvature), "model setting"
        elif "utility_curvature" in arrays.parameters:
            base = float(arrays.parameters["utility_curvature"])
            where = "scenario parameter utility_curvature"
            if not base >= 1:
                raise ModelError(
                    f"parameters.utility_curvature must be >= 1 for {self.name}; got {base:g}"
                )
        else:
            base, where = 1.0, "default"
        unknown = set(self.actor_curvature) - set(arrays.actor_ids)
        if unknown:
            raise ModelError(
                f"The 'actor_curvature' parameter of {self.name} names unknown actors "
                f"{', '.join(sorted(unknown))}; actors: {', '.join(arrays.actor_ids)}"
            )
        gamma = np.array([float(self.actor_curvature.get(a, base)) for a in arrays.actor_ids])
        text = f"curvature {base:g} ({where})"
        if self.actor_curvature:
            text += "; per actor: " + ", ".join(
                f"{a} {v:g}" for a, v in sorted(self.actor_curvature.items())
            )
        return gamma, text

    def _solve(self, p: Problem, sm: _Smooth, x_mm: np.ndarray, best: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def forecast(
        self, scenario: Scenario, *, seed: int | np.random.Generator | None = None
    ) -> Forecast:
        arrays = scenario.to_arrays()
        gamma, gamma_text = self._gamma(scenario, arrays)
        p, active, notes, conflicts, fixed = _problem(arrays, gamma)
        who = "veto players" if arrays.veto.any() else "all actors (nobody has a veto)"
        notes.insert(0, f"Bargaining players: {', '.join(p.players)} ({who}); {gamma_text}.")
        others = ~arrays.veto
        if arrays.veto.any() and (
            (arrays.red_low[others] > arrays.scale_low).any()
            or (arrays.red_high[others] < arrays.scale_high).any()
        ):
            notes.append("Red lines of actors without a veto are not imposed.")
        outcome = np.full(arrays.n_issues, np.nan)
        extra: dict[str, Any] = {
            "players": list(p.players),
            "weights": dict(zip(p.players, p.weights.tolist(), strict=True)),
            "solution": self.solution,
        }
        reasons: list[str] = []
        for issue, a_lo, a_hi, lo, hi in conflicts:
            reasons.append(
                f"red lines conflict on {issue}: {a_lo} requires >= {lo:g} but {a_hi} requires <= {hi:g}"
            )
        x_best: np.ndarray | None = None
        if not reasons:
            best = p.best_gains()
            # (the core's zone is open here)
            extra["best_gains"] = dict(zip(p.players, best.tolist(), strict=True))
            boxed = bool(
                np.any(p.low > arrays.scale_low[active] + 0)
                or np.any(p.high < arrays.scale_high[active])
            )
            for k, b in enumerate(best):
                # the core's strict preference: a gain within its margin is no gain (a best
                # gain of 1e-308 would also overflow every share of it below)
                if b <= STRICT_MARGIN:
                    where = "within the red lines " if boxed else ""
                    reasons.append(
                        f"{p.players[k]} cannot gain: no package {where}is better for it than "
                        "the status quo (it already has its best outcome there)"
                    )
        if not reasons and p.n_issues > 0 and len(p.players) > MAX_PLAYERS:
            raise ModelError(
                f"{self.name}: {len(p.players)} bargaining players; the joint solution is an "
                f"optimisation with one constraint per player, affordable up to {MAX_PLAYERS}: "
                "mark the veto players (veto: true), who alone bargain, or use another model"
            )
        if not reasons and p.n_issues > 0:
            sm = _Smooth(p)
            sample = _sample(p, self.n_samples)
            shares = (p.gains(sample) / best).min(axis=1)
            starts = [sample[int(np.argmax(shares))], *list(p.best_packages())][: self.max_starts]
            t, x_mm = _max_min_share(p, sm, best, starts)
            extra["max_min_gain_share"] = t
            if t <= _TOL:
                reasons.append(_why_not(p, sm, best))
            else:
                x_best = _least_change(p, sm, self._solve(p, sm, x_mm, best))
        # whether there is a deal at all is the bargaining core's verdict (the model's own
        # reasons above explain a shut zone in its terms; the core has the last word)
        zone = _core_zone(scenario)
        extra["zone_open"] = bool(zone.zone_nonempty)
        if not reasons and not bool(zone.zone_nonempty):
            details = [b.detail for b in zone.blockers()[:3]]
            reasons.append(
                "no zone of agreement in the bargaining core ("
                + ("; ".join(details) if details else "no package beats the status quo for all")
                + ")"
            )
        if reasons:
            # the disagreement point is the forecast: nothing changes without agreement
            extra["agreement"] = False
            extra["reason"] = "; ".join(reasons)
            outcome = np.asarray(arrays.status_quo, dtype=float).copy()
            notes.append(
                "No package gives every bargaining player more than the status quo, so the "
                "forecast is the disagreement point (the status quo): " + extra["reason"] + "."
            )
        else:
            extra["agreement"] = True
            idx = [arrays.actor_ids.index(a) for a in p.players]
            outcome = np.clip(
                arrays.status_quo,
                arrays.red_low[idx].max(axis=0),
                arrays.red_high[idx].min(axis=0),
            )
            for j, v in fixed.items():
                outcome[j] = v
            if x_best is None:  # every issue settled by consensus (or none in play)
                x_best = np.zeros(0)
            outcome[active] = x_best
            g = p.gains(x_best)
            extra["gains"] = dict(zip(p.players, g.tolist(), strict=True))
            extra["gain_shares"] = dict(zip(p.players, (g / best).tolist(), strict=True))
            notes.append(
                "Some package beats the status quo for every bargaining player; the "
                f"{self.solution} gives "
                + ", ".join(
                    f"{a} {v:.0%} of its best gain"
                    for a, v in zip(p.players, g / best, strict=True)
                )
                + "."
            )
            if fixed:
                notes.append(
                    "Settled where every bargaining player who cares wants the same: "
                    + ", ".join(f"{arrays.issue_ids[j]} at {v:.4g}" for j, v in fixed.items())
                    + "."
                )
            # what each player gives up: its largest salience-weighted concession
            loss = p.salience * (np.abs(x_best - p.ideal) / p.width) ** p.gamma[:, None]
            extra["concessions"] = {
                a: {
                    iid: {"ideal": float(p.ideal[k, j]), "outcome": float(x_best[j])}
                    for j, iid in enumerate(p.issues)
                    if p.salience[k, j] > 0 and abs(x_best[j] - p.ideal[k, j]) > 1e-6 * p.width[j]
                }
                for k, a in enumerate(p.players)
            }
            for k, a in enumerate(p.players):
                if loss[k].size == 0 or loss[k].max() <= 0:
                    notes.append(f"{a} concedes nothing on the issues still in dispute.")
                    continue
                j = int(np.argmax(loss[k]))
                notes.append(
                    f"{a} concedes most on {p.issues[j]}: {x_best[j]:.4g} instead of its "
                    f"{p.ideal[k, j]:.4g} (status quo {p.status_quo[j]:.4g})."
                )
            idle = [
                arrays.issue_ids[j]
                for j in range(arrays.n_issues)
                if j not in set(active) and j not in fixed
            ]
            if idle:
                notes.append(
                    "No bargaining player cares about "
                    + ", ".join(idle)
                    + "; those issues stay at the status quo (within the red lines)."
                )
        return Forecast(
            model=self.name,
            params=asdict(self),
            scenario_id=scenario.id,
            actor_ids=arrays.actor_ids,
            issue_ids=arrays.issue_ids,
            positions=np.asarray(arrays.positions, dtype=float)[None].copy(),
            outcome=outcome,
            notes=tuple(notes),
            extra=extra,
            seed=seed if isinstance(seed, int) else None,
        )


def _core_zone(scenario: Scenario) -> GapResult:
    """The bargaining core's verdict on the scenario (who must agree: the veto matrix)."""
    return win_set_gap(agreement_arrays(scenario))


#: Above this many players the pairs who cannot both gain are not searched (one solve per
#: pair); the reason is given per side of the status quo instead.
@register
@dataclass(frozen=True, kw_only=True)
class NashBargaining(_Bargaining):
    """The asymmetric Nash bargaining solution over all issues (weights = capability shares).

    Parameters
    ----------
    curvature : float >= 1, optional
        Exponent of the distance loss. Default: the scenario's ``parameters.utility_curvature``
        if it has one, else 1 (linear).
    actor_curvature : dict, optional
        Per-actor overrides of the curvature.
    n_samples : int
        Size of the quasi-random sample of packages used for starting points.
    max_starts : int
        Number of solver starts (the max-min package and points towards the heaviest
        players' best packages).

    Examples
    --------
    One issue on [0, 1], status quo 1: p1 wants 0 with quadratic loss (gain ``1 - x^2``), p2
    wants 1 with linear loss and also wants y (status quo 0) at 1 (gain ``x`` once y = 1). The
    product ``(1 - x^2) x`` peaks at ``x = 1/sqrt(3)``, where p1 gains 2/3.

    >>> from detente.testing import make_scenario
    >>> s = make_scenario(
    ...     {"p1": {"capability": 1, "stances": {"x": (0, 1)}},
    ...      "p2": {"capability": 1, "stances": {"x": (1, 1), "y": (1, 1)}}},
    ...     {"x": (0, 1), "y": (0, 1)}, status_quo={"x": 1, "y": 0})
    >>> f = NashBargaining(actor_curvature={"p1": 2.0}).forecast(s)
    >>> round(f.extra["gains"]["p1"], 6), round(f.outcome_for("x"), 6)
    (0.666667, 0.57735)
    """

    name: ClassVar[str] = "nash"
    description: ClassVar[str] = (
        "Nash bargaining solution over all issues; status quo as disagreement, red lines as limits"
    )
    solution: ClassVar[str] = "Nash bargaining solution"

    def _solve(self, p: Problem, sm: _Smooth, x_mm: np.ndarray, best: np.ndarray) -> np.ndarray:
        w = p.weights
        eps = 1e-12 * best

        def obj(z: np.ndarray) -> float:
            g = sm.gains(z)
            # log extended linearly below eps so the solver may step outside the domain
            safe = np.where(g > eps, np.log(np.maximum(g, eps)), np.log(eps) + (g - eps) / eps)
            return -float(w @ safe)

        def jac(z: np.ndarray) -> np.ndarray:
            g = sm.gains(z)
            d = np.where(g > eps, 1.0 / np.maximum(g, eps), 1.0 / eps)
            return -((w * d) @ sm.gains_jac(z))

        cons = [sm.abs_constraints()]
        # The problem is convex for curvature >= 1, so a few starts suffice: the max-min
        # package, and halfway from it towards the best packages of the heaviest players.
        starts = [x_mm]
        for k in np.argsort(-w, kind="stable")[: self.max_starts - 1]:
            starts.append(x_mm + 0.5 * (p.best_packages()[k] - x_mm))
        best_val, best_x = np.inf, x_mm
        for x0 in starts:
            if np.any(p.gains(x0) <= 0):
                continue
            z = _slsqp(obj, jac, sm.join(x0), cons, sm.bounds())
            if z is None:
                continue
            x = sm.x_of(z)
            g = p.gains(x)
            if np.any(g <= 0):
                continue
            val = -float(w @ np.log(g))
            if val < best_val - 1e-14:
                best_val, best_x = val, x
        return best_x


@register
@dataclass(frozen=True, kw_only=True)
class KalaiSmorodinsky(_Bargaining):
    """The Kalai-Smorodinsky solution over all issues (equal shares of each player's utopia
    gain, the utopia gain being the best a player can get while nobody loses)."""

    name: ClassVar[str] = "kalai_smorodinsky"
    description: ClassVar[str] = "Kalai-Smorodinsky solution over all issues"
    solution: ClassVar[str] = "Kalai-Smorodinsky solution"

    def _solve(self, p: Problem, sm: _Smooth, x_mm: np.ndarray, best: np.ndarray) -> np.ndarray:
        utopia = np.empty(p.n_players)
        for k in range(p.n_players):
            w = np.zeros(p.n_players)
            w[k] = 1.0
            xk = _lexi_refine(p, sm, np.zeros(p.n_players), x_mm, weights=w)
            utopia[k] = max(p.gains(xk)[k], p.gains(x_mm)[k])
        t, x = _max_min_share(p, sm, utopia, [x_mm])
        return _lexi_refine(p, sm, t * utopia * (1 - 1e-9), x)


@register
@dataclass(frozen=True, kw_only=True)
class Egalitarian(_Bargaining):
    """The egalitarian solution over all issues: the largest equal utility gain for every
    player, then the largest total gain."""

    name: ClassVar[str] = "egalitarian"
    description: ClassVar[str] = "egalitarian (equal-gain) solution over all issues"
    solution: ClassVar[str] = "egalitarian solution"

    def _solve(self, p: Problem, sm: _Smooth, x_mm: np.ndarray, best: np.ndarray) -> np.ndarray:
        ones = np.ones(p.n_players)
        t, x = _max_min_share(p, sm, ones, [x_mm])
        return _lexi_refine(p, sm, t * ones * (1 - 1e-9), x)


def batch(
    arrays: ScenarioArrays,
    *,
    curvature: float = 1.0,
    n_samples: int = 2048,
    seed: int | np.random.Generator | None = 0,
    chunk: int = 64,
) -> np.ndarray:
    """Whether some package beats the status quo for every bargaining player, per draw.

    Evaluates a shared quasi-random sample of packages (plus each player's best package and
    the status quo) inside each draw's red-line box. ``True`` proves an agreement exists;
    ``False`` means none was found among the samples (the single-scenario ``forecast`` settles it
    by optimisation). Returns ``bool`` of shape ``()`` or ``(n_draws,)``.
    """
    rng = as_generator(seed)
    single = arrays.n_draws is None
    pos = arrays.positions[None] if single else arrays.positions
    sal = arrays.saliences[None] if single else arrays.saliences
    sq = arrays.status_quo[None] if single else arrays.status_quo
    rlo = arrays.red_low[None] if single else arrays.red_low
    rhi = arrays.red_high[None] if single else arrays.red_high
    idx = np.flatnonzero(arrays.veto) if arrays.veto.any() else np.arange(arrays.n_actors)
    width = arrays.scale_high - arrays.scale_low
    I = arrays.n_issues
    u = sobol_points(n_samples, I, rng)
    out = np.zeros(pos.shape[0], dtype=bool)
    h = arrays.has_stance[idx]
    for start in range(0, pos.shape[0], chunk):
        sl = slice(start, start + chunk)
        p = pos[sl][:, idx]  # (n, K, I)
        s = np.where(h, sal[sl][:, idx], 0.0)
        lo = rlo[sl][:, idx].max(axis=1)  # (n, I)
        hi = rhi[sl][:, idx].min(axis=1)
        ok_box = (lo <= hi).all(axis=1)
        hi = np.maximum(hi, lo)
        pts = lo[:, None, :] + u[None] * (hi - lo)[:, None, :]  # (n, S, I)
        bestp = np.clip(p, lo[:, None, :], hi[:, None, :])  # (n, K, I)
        pts = np.concatenate([pts, bestp], axis=1)
        d_sq = (s * (np.abs(sq[sl][:, None, :] - p) / width) ** curvature).sum(-1)  # (n, K)
        d = np.abs(pts[:, :, None, :] - p[:, None, :, :]) / width  # (n, S, K, I)
        gains = d_sq[:, None, :] - (s[:, None] * d**curvature).sum(-1)  # (n, S, K)
        scale = np.maximum(gains.max(axis=1, keepdims=True), 1e-300)
        good = (gains > _TOL * scale).all(axis=2).any(axis=1)
        out[sl] = good & ok_box
    return out[0] if single else out
