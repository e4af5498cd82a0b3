"""What a lever is: one :class:`Change` to a scenario (applied to point values and to every
draw alike) and the :class:`LeverResult` of a lever; the search and the named levers are in
:mod:`.levers`."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from .._json import jsonable
from ..core import agreement_arrays, bargaining_inputs

if TYPE_CHECKING:
    from ..scenario import Scenario, ScenarioArrays

__all__ = ["Change", "Kind", "LeverResult"]


Kind = Literal["position", "salience", "red_line", "drop_issue", "status_quo"]


@dataclass(frozen=True)
class Change:
    """One change to a scenario, applicable to point values and to every draw alike.

    ``amount``: the fraction toward the status quo (position), the salience factor, the
    fraction of the way to the permissive scale end (red line; 1 removes it), or the
    status-quo shift as a share of the scale (signed).
    """

    kind: Kind
    issue: str
    actor: str | None = None
    amount: float = 1.0

    @property
    def element(self) -> tuple[str, str | None, str]:
        return (self.kind, self.actor, self.issue)

    # ----- description ---------------------------------------------------------------
    def describe(self, s: Scenario) -> tuple[str, tuple[str, ...], float]:
        """(human text, ``--set`` assignments at the point values, size)."""
        iss = s.issue(self.issue)
        width = iss.high - iss.low
        sq = s.status_quo_value(self.issue)
        if self.kind == "position":
            st = s.actor(self.actor or "").stances[self.issue]
            p = st.position.value
            new = p + self.amount * (sq - p)
            return (
                f"{self.actor} moves its position on {self.issue} {_pct(self.amount)} of the way "
                f"to the status quo ({_n(p)} -> {_n(new)})",
                (f"{self.actor}.{self.issue}.position={_n(new)}",),
                abs(new - p) / width,
            )
        if self.kind == "salience":
            st = s.actor(self.actor or "").stances[self.issue]
            old = st.salience.value
            new = min(s.salience_max, old * self.amount)
            return (
                f"{self.actor} {'cares less' if self.amount < 1 else 'cares more'} about "
                f"{self.issue} (salience {_n(old)} -> {_n(new)})",
                (f"{self.actor}.{self.issue}.salience={_n(new)}",),
                abs(new - old) / s.salience_max,
            )
        if self.kind == "red_line":
            rl = s.actor(self.actor or "").red_lines[self.issue]
            b = rl.bound.value
            end = iss.low if rl.op == ">=" else iss.high
            if self.amount >= 1:
                return (
                    f"{self.actor} drops its red line on {self.issue} ({rl.op} {_n(b)})",
                    (f"{self.actor}.red_lines.{self.issue}=none",),
                    abs(end - b) / width,
                )
            new = b + self.amount * (end - b)
            return (
                f"{self.actor} relaxes its red line on {self.issue} from {rl.op} {_n(b)} "
                f"to {rl.op} {_n(new)}",
                (f"{self.actor}.red_lines.{self.issue}={_n(new)}",),
                abs(new - b) / width,
            )
        if self.kind == "drop_issue":
            a = agreement_arrays(s)
            inp = bargaining_inputs(a)
            share = float(inp.weights[0, :, a.issue_index(self.issue)].mean())
            return (
                f"{self.issue} is taken off the table (scenario.without_issue({self.issue!r}))",
                (),
                share,
            )
        new = min(iss.high, max(iss.low, sq + self.amount * width))
        return (
            f"the status quo on {self.issue} moves from {_n(sq)} to {_n(new)}",
            (f"status_quo.{self.issue}={_n(new)}",),
            abs(new - sq) / width,
        )

    # ----- application ---------------------------------------------------------------
    def apply(self, a: ScenarioArrays, s: Scenario) -> ScenarioArrays:
        """The arrays (point or batch) with this change applied to every draw."""
        j = a.issue_index(self.issue)
        lo, hi = float(a.scale_low[j]), float(a.scale_high[j])
        if self.kind == "position":
            k = a.actor_index(self.actor or "")
            pos = a.positions.copy()
            p = pos[..., k, j]
            pos[..., k, j] = p + self.amount * (a.status_quo[..., j] - p)
            return replace(a, positions=pos)
        if self.kind == "salience":
            k = a.actor_index(self.actor or "")
            sal = a.saliences.copy()
            sal[..., k, j] = np.minimum(1.0, sal[..., k, j] * self.amount)
            return replace(a, saliences=sal)
        if self.kind == "red_line":
            k = a.actor_index(self.actor or "")
            op = s.actor(self.actor or "").red_lines[self.issue].op
            if op == ">=":
                rl = a.red_low.copy()
                rl[..., k, j] = rl[..., k, j] + min(1.0, self.amount) * (lo - rl[..., k, j])
                return replace(a, red_low=rl)
            rh = a.red_high.copy()
            rh[..., k, j] = rh[..., k, j] + min(1.0, self.amount) * (hi - rh[..., k, j])
            return replace(a, red_high=rh)
        if self.kind == "drop_issue":
            # an issue nobody cares about and nobody draws a line on is off the table:
            # saliences renormalise over the rest, exactly as in Scenario.without_issue
            sal = a.saliences.copy()
            sal[..., :, j] = 0.0
            rl, rh = a.red_low.copy(), a.red_high.copy()
            rl[..., :, j], rh[..., :, j] = lo, hi
            return replace(a, saliences=sal, red_low=rl, red_high=rh)
        sq = a.status_quo.copy()
        sq[..., j] = np.clip(sq[..., j] + self.amount * (hi - lo), lo, hi)
        pos = a.positions.copy()
        # actors without a stance sit at the status quo (see ScenarioArrays)
        no_stance = ~a.has_stance[:, j]
        pos[..., no_stance, j] = sq[..., j, None]
        return replace(a, status_quo=sq, positions=pos)


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def _n(x: float) -> str:
    return f"{x:.4g}"


@dataclass(frozen=True, eq=False)
class LeverResult:
    """A lever and its effect.

    Attributes
    ----------
    name : str
        A named lever's name, or a generated label for a searched one.
    changes : tuple of Change
    change : str
        What changes, in words.
    assignments : tuple of str
        ``--set`` assignments reproducing it at the point values (empty for dropping an
        issue or a package test).
    size : float
        How big the change is (see the module docstring); NaN for a package test.
    p_zone_nonempty : float or None
        P(zone non-empty) with the lever (None when not applicable).
    delta : float or None
        Against the baseline's P(zone non-empty) on the same draws.
    zone_nonempty : bool or None
        The point verdict with the lever.
    opens_share : float or None
        Share of draws in which the baseline zone is empty and the lever opens it.
    applicable : bool
    reason : str
        Why not applicable, or which rule defined the lever (flagship ids or fallback).
    efficient : bool
        No other searched lever has both a larger effect and a smaller size.
    extra : dict
    """

    name: str
    changes: tuple[Change, ...]
    change: str
    assignments: tuple[str, ...]
    size: float
    p_zone_nonempty: float | None
    delta: float | None
    zone_nonempty: bool | None
    opens_share: float | None
    applicable: bool = True
    reason: str = ""
    efficient: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        if not self.applicable:
            return f"<LeverResult {self.name}: not applicable>"
        return (
            f"<LeverResult {self.name}: P(zone non-empty) = {self.p_zone_nonempty:.3f} "
            f"({(self.delta or 0.0):+.3f})>"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "change": self.change,
            "assignments": list(self.assignments),
            "size": None if not np.isfinite(self.size) else float(self.size),
            "p_zone_nonempty": self.p_zone_nonempty,
            "delta": self.delta,
            "zone_nonempty": self.zone_nonempty,
            "opens_share": self.opens_share,
            "applicable": self.applicable,
            "reason": self.reason,
            "efficient": self.efficient,
            **({"extra": jsonable(self.extra)} if self.extra else {}),
        }
