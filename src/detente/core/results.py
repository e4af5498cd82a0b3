"""Results of the zone/gap solver: :class:`GapResult` and the :class:`Blocker` it names."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["Blocker", "GapResult"]


# results
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Blocker:
    """One thing keeping the zone shut.

    kind:
        ``red-line-conflict`` (veto players' red lines leave no common value on ``issue``),
        ``red-line`` (the gap package has to cross ``actor``'s red line on ``issue``; not
        listed on issues with a red-line conflict, where who crosses is a tie),
        ``shortfall`` (``actor`` would still prefer the status quo at the gap package),
        ``concession`` (``actor`` loses utility against the status quo on ``issue`` there).
    amount:
        Its share of the gap (utility units), or the width of the red-line conflict
        (issue units) for ``red-line-conflict``.
    """

    kind: str
    actor: str | None
    issue: str | None
    amount: float
    detail: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "actor": self.actor,
            "issue": self.issue,
            "amount": float(self.amount),
            "detail": self.detail,
        }


@dataclass(frozen=True, eq=False)
class GapResult:
    """Zone of agreement and gap for one scenario or a batch of draws.

    Arrays have a leading draw axis of length ``n`` for batched input and none otherwise.

    Attributes
    ----------
    zone_nonempty : bool array (...)
    gap : float array (...), >= 0, 0 exactly where the zone is non-empty.
    best_package : (..., n_issues) in issue units: the max-min package inside the zone when
        it is non-empty, else the package that attains the gap.
    surplus : (..., n_veto) ``U_v(best) - r_v`` (>= tol inside the zone).
    shortfall : (..., n_veto) ``max(0, r_v + tol - U_v(best))`` at the gap package.
    red_line_excess : (..., n_veto, n_issues) issue units by which the gap package crosses
        each red line.
    concession : (..., n_veto, n_issues) utility lost against the status quo on each issue
        at ``best_package`` (negative = gained).
    red_line_conflict : (..., n_issues) bool: the veto players' red lines leave no value.
    method : ``"lp"`` (exact) or ``"search"``.
    resolution : the certification: LP feasibility tolerance, or the search grid step in
        normalised units (a fraction of each issue's scale).
    """

    veto_ids: tuple[str, ...]
    issue_ids: tuple[str, ...]
    zone_nonempty: np.ndarray
    gap: np.ndarray
    best_package: np.ndarray
    surplus: np.ndarray
    shortfall: np.ndarray
    red_line_excess: np.ndarray
    concession: np.ndarray
    red_line_conflict: np.ndarray
    reservation: np.ndarray
    red_low: np.ndarray
    red_high: np.ndarray
    method: str
    resolution: float
    curvature: np.ndarray
    agreement_cost: np.ndarray
    red_line_price: float
    batched: bool
    notes: tuple[str, ...] = field(default=())

    @property
    def n_draws(self) -> int | None:
        return int(self.gap.shape[0]) if self.batched else None

    def __repr__(self) -> str:
        veto = ", ".join(self.veto_ids)
        if self.batched:
            return (
                f"<GapResult {self.n_draws} draws, veto {veto}: P(zone non-empty) = "
                f"{float(np.mean(self.zone_nonempty)):.3f}, mean gap {float(np.mean(self.gap)):.4g}; "
                f"{self.method}>"
            )
        state = "open" if bool(self.zone_nonempty) else f"empty, gap {float(self.gap):.4g}"
        return f"<GapResult veto {veto}: zone {state}; {self.method}>"

    def draw(self, k: int) -> GapResult:
        """The result of draw ``k`` as an unbatched result."""
        if not self.batched:
            return self

        def pick(x: np.ndarray) -> np.ndarray:
            return np.asarray(x[k])

        return GapResult(
            veto_ids=self.veto_ids,
            issue_ids=self.issue_ids,
            zone_nonempty=pick(self.zone_nonempty),
            gap=pick(self.gap),
            best_package=pick(self.best_package),
            surplus=pick(self.surplus),
            shortfall=pick(self.shortfall),
            red_line_excess=pick(self.red_line_excess),
            concession=pick(self.concession),
            red_line_conflict=pick(self.red_line_conflict),
            reservation=pick(self.reservation),
            red_low=pick(self.red_low),
            red_high=pick(self.red_high),
            method=self.method,
            resolution=self.resolution,
            curvature=pick(self.curvature),
            agreement_cost=pick(self.agreement_cost),
            red_line_price=self.red_line_price,
            batched=False,
            notes=self.notes,
        )

    def blockers(self, k: int | None = None) -> list[Blocker]:
        """What blocks the zone (empty list when it is open), largest first, for one draw."""
        r = self if not self.batched else self.draw(0 if k is None else k)
        if bool(r.zone_nonempty):
            return []
        out: list[Blocker] = []
        for j, iid in enumerate(self.issue_ids):
            if bool(r.red_line_conflict[j]):
                hi_v = int(np.argmax(r.red_low[:, j]))
                lo_v = int(np.argmin(r.red_high[:, j]))
                need, allow = float(r.red_low[hi_v, j]), float(r.red_high[lo_v, j])
                out.append(
                    Blocker(
                        "red-line-conflict",
                        f"{self.veto_ids[hi_v]}+{self.veto_ids[lo_v]}",
                        iid,
                        need - allow,
                        f"red lines on {iid} do not overlap: {self.veto_ids[hi_v]} needs >= "
                        f"{need:.4g}, {self.veto_ids[lo_v]} accepts <= {allow:.4g} "
                        f"({need - allow:.4g} apart)",
                    )
                )
        for v, a in enumerate(self.veto_ids):
            for j, iid in enumerate(self.issue_ids):
                ex = float(r.red_line_excess[v, j])
                # on a conflict issue who crosses is a tie the solver breaks arbitrarily:
                # the conflict blocker above names both sides instead
                if ex > 1e-7 and not bool(r.red_line_conflict[j]):
                    out.append(
                        Blocker(
                            "red-line",
                            a,
                            iid,
                            ex,
                            f"{a} would have to cross its red line on {iid} by {ex:.3g}",
                        )
                    )
        for v, a in enumerate(self.veto_ids):
            sf = float(r.shortfall[v])
            if sf > 1e-9:
                out.append(
                    Blocker(
                        "shortfall",
                        a,
                        None,
                        sf,
                        f"{a} still prefers the status quo by {sf:.3g} utility at the closest package",
                    )
                )
                losses = [
                    (float(r.concession[v, j]), iid)
                    for j, iid in enumerate(self.issue_ids)
                    if r.concession[v, j] > 1e-9
                ]
                for loss, iid in sorted(losses, reverse=True):
                    out.append(
                        Blocker(
                            "concession",
                            a,
                            iid,
                            loss,
                            f"{a} loses {loss:.3g} utility on {iid} against the status quo",
                        )
                    )
        order = {"red-line-conflict": 0, "red-line": 1, "shortfall": 2, "concession": 3}
        out.sort(key=lambda b: (order[b.kind], -b.amount))
        return out

    def blocker_frequencies(self) -> dict[str, float]:
        """Share of draws in which each (kind, actor, issue) blocker appears."""
        if not self.batched:
            return {_bkey(b): 1.0 for b in self.blockers()}
        n = int(self.gap.shape[0])
        out: dict[str, float] = {}
        nonempty = self.zone_nonempty
        for j, iid in enumerate(self.issue_ids):
            f = float(np.mean(self.red_line_conflict[:, j] & ~nonempty))
            if f > 0:
                out[f"red-line-conflict:{iid}"] = f
        for v, a in enumerate(self.veto_ids):
            for j, iid in enumerate(self.issue_ids):
                f = float(
                    np.mean(
                        (self.red_line_excess[:, v, j] > 1e-7)
                        & ~nonempty
                        & ~self.red_line_conflict[:, j]
                    )
                )
                if f > 0:
                    out[f"red-line:{a}:{iid}"] = f
            f = float(np.mean((self.shortfall[:, v] > 1e-9) & ~nonempty))
            if f > 0:
                out[f"shortfall:{a}"] = f
        del n
        return dict(sorted(out.items(), key=lambda kv: -kv[1]))


def _bkey(b: Blocker) -> str:
    return ":".join(x for x in (b.kind, b.actor, b.issue) if x)
