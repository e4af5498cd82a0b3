"""Static compromise models: the weighted mean, the weighted median and the Condorcet winner.

Per issue, only actors with a stance count. The voting weight of actor ``k`` on issue ``j`` is
``w_kj = c_k s_kj`` (capability times salience).

- ``compromise``: the weighted mean ``O_j = sum_k w_kj x_kj / sum_k w_kj`` (the "compromise
  model" of Stokman and of Achen 2006, also the starting point of the exchange model).
- ``median``: the weighted median of the positions.
- ``condorcet``: the actor position that beats every other actor position in pairwise
  votes, each actor voting with weight ``w_kj`` (``vote="intensity"``: by how much it prefers one
  to the other, ``w (|x_k - b|^r - |x_k - a|^r)``, as in Bueno de Mesquita's model; or
  ``vote="majority"``: its whole weight for the nearer one). When no position beats all others
  (a tie or a cycle) the model says so and falls back to the weighted median, in a note.

References
----------
Achen, C. H. (2006). Evaluating political decision-making models. In Thomson et al. (eds),
*The European Union Decides*, Cambridge UP, 264-298. doi:10.1017/CBO9780511492082.011
Stokman, F. N., & Van Oosten, R. (1994). The exchange of voting positions. In Bueno de Mesquita
& Stokman (eds), *European Community Decision Making*, Yale UP, 105-127.
Scholz, J. B., Calbert, G. J., & Smith, G. A. (2011). Unravelling Bueno De Mesquita's group
decision model. *Journal of Theoretical Politics* 23(4), 510-531. doi:10.1177/0951629811418142
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import numpy as np

from ..errors import ModelError
from ..scenario.arrays import ScenarioArrays
from ._spatial import stance_weights, static_forecast_positions, weighted_mean, weighted_median
from .base import Forecast, ModelSettings, register

if TYPE_CHECKING:
    from ..scenario import Scenario

__all__ = ["Compromise", "Condorcet", "WeightedMedian", "batch", "batch_median", "condorcet_winner"]


def batch(arrays: ScenarioArrays) -> np.ndarray:
    """Weighted-mean outcome per issue for one scenario ``(I,)`` or a batch of draws ``(n, I)``.

    >>> from detente.scenario import load_bundled
    >>> round(float(batch(load_bundled("ec-emissions-1994").to_arrays())[0]), 12)
    7.389955686854
    """
    out, _ = weighted_mean(
        arrays.positions, stance_weights(arrays), arrays.has_stance, arrays.status_quo
    )
    return out


def batch_median(arrays: ScenarioArrays) -> np.ndarray:
    """Weighted-median outcome per issue, ``(I,)`` or ``(n, I)`` for a batch of draws."""
    return weighted_median(
        arrays.positions, stance_weights(arrays), arrays.status_quo, arrays.has_stance
    )


def _fallback_notes(arrays: ScenarioArrays, fallback: np.ndarray) -> list[str]:
    notes = []
    for j, f in enumerate(np.atleast_1d(fallback)):
        if f == 1:
            notes.append(
                f"{arrays.issue_ids[j]}: every actor with a stance has zero capability or "
                "salience; the plain mean of their positions is used."
            )
        elif f == 2:
            notes.append(
                f"{arrays.issue_ids[j]}: no actor has a stance; the outcome is the status quo."
            )
    return notes


def _forecast(
    name: str,
    params: dict[str, Any],
    scenario: Scenario,
    arrays: ScenarioArrays,
    outcome: np.ndarray,
    notes: list[str],
    seed: Any,
    extra: dict[str, Any] | None = None,
) -> Forecast:
    return Forecast(
        model=name,
        params=params,
        scenario_id=scenario.id,
        actor_ids=arrays.actor_ids,
        issue_ids=arrays.issue_ids,
        positions=static_forecast_positions(arrays),
        outcome=np.asarray(outcome, dtype=float),
        notes=tuple(notes),
        extra=extra or {},
        seed=seed if isinstance(seed, int) else None,
    )


@register
@dataclass(frozen=True, kw_only=True)
class Compromise(ModelSettings):
    """The capability x salience weighted mean of the positions, per issue.

    ``O_j = sum_k c_k s_kj x_kj / sum_k c_k s_kj`` over actors with a stance on issue j.
    """

    name: ClassVar[str] = "compromise"
    description: ClassVar[str] = "capability x salience weighted mean per issue (Achen 2006)"

    def forecast(
        self, scenario: Scenario, *, seed: int | np.random.Generator | None = None
    ) -> Forecast:
        a = scenario.to_arrays()
        out, fb = weighted_mean(a.positions, stance_weights(a), a.has_stance, a.status_quo)
        notes = _fallback_notes(a, fb)
        notes.append("Weights are capability x salience; only actors with a stance count.")
        return _forecast(self.name, asdict(self), scenario, a, out, notes, seed)


@register
@dataclass(frozen=True, kw_only=True)
class WeightedMedian(ModelSettings):
    """The capability x salience weighted median of the positions, per issue."""

    name: ClassVar[str] = "median"
    description: ClassVar[str] = "capability x salience weighted median per issue"

    def forecast(
        self, scenario: Scenario, *, seed: int | np.random.Generator | None = None
    ) -> Forecast:
        a = scenario.to_arrays()
        w = stance_weights(a)
        out = weighted_median(a.positions, w, a.status_quo, a.has_stance)
        notes = []
        for j, total in enumerate(w.sum(axis=0)):
            if not a.has_stance[:, j].any():
                notes.append(f"{a.issue_ids[j]}: no actor has a stance; the status quo is used.")
            elif total <= 0:
                notes.append(
                    f"{a.issue_ids[j]}: every actor with a stance has zero capability or "
                    "salience; the plain median of their positions is used."
                )
        return _forecast(self.name, asdict(self), scenario, a, out, notes, seed)


def condorcet_winner(
    positions: np.ndarray,
    weights: np.ndarray,
    *,
    vote: Literal["intensity", "majority"] = "intensity",
    exponent: float = 1.0,
    rtol: float = 1e-12,
) -> tuple[float | None, np.ndarray, np.ndarray]:
    """The position among ``positions`` that beats every other one in pairwise votes.

    Parameters
    ----------
    positions, weights : ndarray, shape (n,)
        Voters' ideal points (also the candidates) and voting weights.
    vote : {"intensity", "majority"}
        ``intensity``: voter k gives ``w_k (|x_k - b|^r - |x_k - a|^r)`` to a over b (Bueno de
        Mesquita 1994; Scholz et al. 2011, with ``r = exponent``). ``majority``: voter k gives
        ``w_k`` to the nearer of a and b.

    Returns
    -------
    winner : float or None
        None when no candidate beats all others (a tie or a cycle).
    candidates : ndarray, shape (m,)
        The distinct positions.
    margins : ndarray, shape (m, m)
        ``margins[a, b]``: votes for a over b minus votes for b over a.

    Examples
    --------
    Three voters with weights 3, 2, 2 at 0, 5, 10: 5 beats both others.

    >>> condorcet_winner(np.array([0.0, 5, 10]), np.array([3.0, 2, 2]))[0]
    5.0
    """
    cand = np.unique(positions)
    da = np.abs(positions[None, :] - cand[:, None]) ** exponent  # (m, n)
    if vote == "intensity":
        # sum_k w_k (d_bk - d_ak) = s_b - s_a with s = d @ w: O(m n), not an (m, m, n) array
        s = da @ weights
        margins = s[None, :] - s[:, None]
    elif vote == "majority":
        # the (m, m, n) comparison in blocks of rows, so memory stays O(m n) for any crowd
        m, n = da.shape
        margins = np.empty((m, m))
        step = max(1, int(4_000_000 // max(1, m * n)))
        for r in range(0, m, step):
            block = np.sign(da[None, :, :] - da[r : r + step, None, :])
            margins[r : r + step] = (block * weights[None, None, :]).sum(-1)
    else:
        raise ModelError(
            f"The 'vote' parameter of condorcet must be 'intensity' or 'majority'. Got {vote!r} instead."
        )
    tol = rtol * max(float(np.abs(margins).max(initial=0.0)), 1e-300)
    beats = margins > tol
    np.fill_diagonal(beats, True)
    winners = np.flatnonzero(beats.all(axis=1))
    winner = float(cand[winners[0]]) if winners.size == 1 else None
    return winner, cand, margins


@register
@dataclass(frozen=True, kw_only=True)
class Condorcet(ModelSettings):
    """The Condorcet winner among actor positions, per issue, with weighted pairwise votes.

    Parameters
    ----------
    vote : {"intensity", "majority"}
        How an actor's weight ``c_k s_kj`` is cast between two positions (see
        :func:`condorcet_winner`).
    exponent : float
        Distance exponent ``r`` in intensity votes (1 reproduces the Scholz et al. median).
    """

    name: ClassVar[str] = "condorcet"
    description: ClassVar[str] = "Condorcet winner among actor positions (weighted pairwise votes)"

    vote: Literal["intensity", "majority"] = "intensity"
    exponent: float = 1.0

    def __post_init__(self) -> None:
        if self.vote not in ("intensity", "majority"):
            raise ModelError(
                f"The 'vote' parameter of condorcet must be 'intensity' or 'majority'. Got {self.vote!r} instead."
            )
        if not (np.isfinite(self.exponent) and self.exponent > 0):
            raise ModelError(
                f"The 'exponent' parameter of condorcet must be a positive number. Got {self.exponent!r} instead."
            )

    def forecast(
        self, scenario: Scenario, *, seed: int | np.random.Generator | None = None
    ) -> Forecast:
        a = scenario.to_arrays()
        w = stance_weights(a)
        fallback = weighted_median(a.positions, w, a.status_quo, a.has_stance)
        out = np.empty(a.n_issues)
        notes: list[str] = []
        found: dict[str, bool] = {}
        for j, iid in enumerate(a.issue_ids):
            h = a.has_stance[:, j]
            if not h.any():
                out[j] = fallback[j]
                found[iid] = False
                notes.append(f"{iid}: no actor has a stance; the status quo is used.")
                continue
            votes = w[h, j]
            if votes.sum() <= 0:
                votes = np.ones(int(h.sum()))
                notes.append(
                    f"{iid}: every actor with a stance has zero capability or salience; "
                    "each casts an equal vote."
                )
            winner, cand, margins = condorcet_winner(
                a.positions[h, j], votes, vote=self.vote, exponent=self.exponent
            )
            found[iid] = winner is not None
            if winner is not None:
                out[j] = winner
                continue
            out[j] = fallback[j]
            undefeated = [
                float(c) for c, row in zip(cand, margins, strict=True) if (row >= 0).all()
            ]
            why = (
                "a tie between " + " and ".join(f"{c:g}" for c in undefeated)
                if undefeated
                else "a cycle (every position is beaten by another)"
            )
            notes.append(
                f"{iid}: no Condorcet winner among the actor positions ({why}); "
                f"falling back to the weighted median {fallback[j]:g}."
            )
        return _forecast(
            self.name,
            asdict(self),
            scenario,
            a,
            out,
            notes,
            seed,
            extra={"condorcet_winner_found": found},
        )
