"""The result of :func:`detente.analysis.diagnosis.diagnose`: the :class:`Diagnosis` record and
its views (``to_dict``, ``to_frame``, ``summary`` as text, Markdown or HTML)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..core import STRICT_MARGIN, GapResult, ZoneDetails
from .drivers import Driver
from .levers import LeverResult
from .render import check_format, markdown_to_html

if TYPE_CHECKING:
    import pandas as pd

    from ..scenario import Scenario

__all__ = ["Diagnosis"]


@dataclass(frozen=True, eq=False)
class Diagnosis:
    """The impasse diagnosis of one scenario. Build it with :func:`diagnose`.

    Attributes
    ----------
    point : GapResult
        The verdict at the scenario's values.
    zone : ZoneDetails or None
        Size, Nash point and favourites when the point zone is open.
    batch : GapResult
        Per-draw results.
    p_zone_nonempty, p_zone_se : float
        Share of draws with an open zone and its binomial standard error.
    gap_mean : float
    gap_quantiles : dict
        Quantile -> gap.
    drivers : tuple of Driver, strongest first.
    levers : tuple of LeverResult
        The named levers first, then the searched ones, best first.
    """

    scenario_id: str
    veto_ids: tuple[str, ...]
    issue_ids: tuple[str, ...]
    draws: int
    seed: int
    point: GapResult
    zone: ZoneDetails | None
    batch: GapResult
    p_zone_nonempty: float
    p_zone_se: float
    gap_mean: float
    gap_quantiles: dict[float, float]
    drivers: tuple[Driver, ...]
    levers: tuple[LeverResult, ...]
    settings: dict[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    scenario: Scenario | None = field(default=None, repr=False)

    # ----- convenience ---------------------------------------------------------------
    @property
    def zone_nonempty(self) -> bool:
        return bool(self.point.zone_nonempty)

    @property
    def gap(self) -> float:
        return float(self.point.gap)

    @property
    def is_knife_edge(self) -> bool:
        """Empty zone whose gap is no more than the strict-preference margins (no red line
        to cross, no cost of agreement to cover): the status quo is Pareto-optimal for the
        veto players."""
        n = len(self.veto_ids)
        return (not self.zone_nonempty) and self.gap <= n * STRICT_MARGIN * (1 + 1e-6) + 1e-12

    def lever(self, name: str) -> LeverResult:
        for lv in self.levers:
            if lv.name == name:
                return lv
        raise KeyError(name)

    def __repr__(self) -> str:
        state = "open" if self.zone_nonempty else f"empty (gap {self.gap:.3g})"
        return (
            f"<Diagnosis {self.scenario_id!r}: zone {state}; "
            f"P(zone non-empty) = {self.p_zone_nonempty:.3f} over {self.draws} draws>"
        )

    # ----- result face ---------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """JSON-ready. Keys: ``zone_nonempty`` (point verdict), ``p_zone_nonempty``, ``gap``
        (``point``: the value at the scenario's values; ``mean`` and ``quantiles`` over the
        draws), ``blockers``, ``levers`` and the rest."""
        pkg = {i: float(v) for i, v in zip(self.issue_ids, self.point.best_package, strict=True)}
        return {
            "scenario": self.scenario_id,
            "veto_players": list(self.veto_ids),
            "draws": self.draws,
            "seed": self.seed,
            "settings": self.settings,
            "zone_nonempty": self.zone_nonempty,
            "knife_edge": self.is_knife_edge,
            "p_zone_nonempty": self.p_zone_nonempty,
            "p_zone_nonempty_se": self.p_zone_se,
            "gap": {
                "point": self.gap,
                "mean": self.gap_mean,
                "quantiles": {f"{q:g}": v for q, v in self.gap_quantiles.items()},
            },
            "best_package": pkg,
            "best_package_is": "max-min package inside the zone"
            if self.zone_nonempty
            else "a package attaining the gap",
            "surplus": {
                a: float(x) for a, x in zip(self.veto_ids, self.point.surplus, strict=True)
            },
            "blockers": [b.to_dict() for b in self.point.blockers()],
            "blocker_frequencies": self.batch.blocker_frequencies(),
            "zone": None if self.zone is None else self.zone.to_dict(self.issue_ids),
            "drivers": [d.to_dict() for d in self.drivers],
            "levers": [lv.to_dict() for lv in self.levers],
            "method": self.point.method,
            "resolution": self.point.resolution,
            "notes": list(self.notes),
        }

    def _repr_html_(self) -> str:
        from .._notebook import html_repr

        return html_repr(repr(self), self.summary())

    def to_frame(self, kind: str = "draws") -> pd.DataFrame:
        """Tidy tables.

        ``draws``: draw, zone_nonempty, gap. ``drivers``: path, low, high, rho_gap, rho_zone.
        ``levers``: name, change, size, p_zone_nonempty, delta, zone_nonempty, applicable.
        ``blockers``: kind, actor, issue, amount, detail (point verdict).
        """
        import pandas as pd

        if kind == "draws":
            return pd.DataFrame(
                {
                    "draw": np.arange(self.draws),
                    "zone_nonempty": self.batch.zone_nonempty,
                    "gap": self.batch.gap,
                }
            )
        if kind == "drivers":
            return pd.DataFrame(
                [
                    {
                        "path": d.path,
                        "low": d.low,
                        "high": d.high,
                        "rho_gap": d.rho_gap,
                        "rho_zone": d.rho_zone,
                    }
                    for d in self.drivers
                ],
                columns=["path", "low", "high", "rho_gap", "rho_zone"],
            )
        if kind == "levers":
            cols = [
                "name",
                "change",
                "size",
                "p_zone_nonempty",
                "delta",
                "zone_nonempty",
                "applicable",
            ]
            return pd.DataFrame(
                [{c: getattr(lv, c) for c in cols} for lv in self.levers], columns=cols
            )
        if kind == "blockers":
            cols = ["kind", "actor", "issue", "amount", "detail"]
            return pd.DataFrame([b.to_dict() for b in self.point.blockers()], columns=cols)
        raise ValueError(
            "The 'kind' parameter of to_frame must be one of 'draws', 'drivers', 'levers', "
            f"'blockers'. Got {kind!r} instead."
        )

    def summary(self, fmt: str = "text", max_drivers: int = 8) -> str:
        """The diagnosis as ``text``, ``markdown`` or ``html``, with numbered notes."""
        check_format(fmt, "Diagnosis")
        if fmt == "html":
            return markdown_to_html(self.summary("markdown", max_drivers))
        md = fmt == "markdown"
        h = (lambda t: f"### {t}") if md else (lambda t: t)
        bullet = "- " if md else "  "
        lines = [h(f"Impasse diagnosis: {self.scenario_id}"), ""]
        ids = list(self.veto_ids)
        # a table of thousands of actors would print every id on one line
        veto = (
            ", ".join(ids)
            if len(ids) <= 12
            else f"{', '.join(ids[:10])} and {len(ids) - 10:,} more"
        )
        if self.zone_nonempty:
            lines.append(
                f"Zone of agreement: OPEN at the scenario's values (veto players: {veto})."
            )
            pkg = ", ".join(
                f"{i} {v:.4g}" for i, v in zip(self.issue_ids, self.point.best_package, strict=True)
            )
            lines.append(f"{bullet}max-min package: {pkg}")
            if self.zone is not None:
                z = self.zone
                lines.append(
                    f"{bullet}size: {100 * z.volume_fraction:.2f}% of the issue space "
                    f"(± {100 * z.volume_se:.2f}, {z.n_points} Sobol points)"
                )
                if z.nash_point is not None:
                    lines.append(
                        f"{bullet}Nash point: "
                        + ", ".join(
                            f"{i} {v:.4g}"
                            for i, v in zip(self.issue_ids, z.nash_point, strict=True)
                        )
                    )
                for a, fav in z.favourites.items():
                    lines.append(
                        f"{bullet}{a}'s favourite in the zone: "
                        + ", ".join(
                            f"{i} {v:.4g}" for i, v in zip(self.issue_ids, fav, strict=True)
                        )
                    )
        else:
            lines.append(
                f"Zone of agreement: EMPTY at the scenario's values (veto players: {veto}); "
                f"gap {self.gap:.4g} [1]."
            )
            if self.is_knife_edge:
                lines.append(
                    f"{bullet}knife edge: the status quo is Pareto-optimal for the veto players "
                    "and the gap is only their strict-preference margins; any concession would "
                    "open the zone"
                )
            lines.append("Blockers:")
            for b in self.point.blockers()[:8]:
                lines.append(f"{bullet}{b.detail}")
        lines.append("")
        qs = self.gap_quantiles
        lines.append(
            f"Monte Carlo over {self.draws} draws (seed {self.seed}): "
            f"P(zone non-empty) = {self.p_zone_nonempty:.3f} ± {self.p_zone_se:.3f}; "
            f"gap mean {self.gap_mean:.3g}, median {qs.get(0.5, float('nan')):.3g}, "
            f"90% interval [{qs.get(0.05, float('nan')):.3g}, {qs.get(0.95, float('nan')):.3g}]."
        )
        freq = self.batch.blocker_frequencies()
        if freq:
            lines.append(
                "Blockers across draws: "
                + "; ".join(f"{k} {100 * v:.0f}%" for k, v in list(freq.items())[:5])
            )
        if self.drivers:
            lines.append("")
            lines.append("Drivers (Spearman rank correlation with the gap / with an open zone):")
            if md:
                lines += ["", "| quantity | range | rho(gap) | rho(open) |", "|---|---|---|---|"]
            for d in self.drivers[:max_drivers]:
                rg = "  n/a" if d.rho_gap is None else f"{d.rho_gap:+.2f}"
                rz = "  n/a" if d.rho_zone is None else f"{d.rho_zone:+.2f}"
                if md:
                    lines.append(
                        f"| {d.path} | [{d.low:g}, {d.high:g}] | {rg.strip()} | {rz.strip()} |"
                    )
                else:
                    lines.append(f"{bullet}{d.path:<42} {rg}  {rz}")
        if self.levers:
            lines.append("")
            lines.append(
                f"Levers (P(zone non-empty) with the change; baseline {self.p_zone_nonempty:.3f}; "
                "* = efficient):"
            )
            if md:
                lines += ["", "| lever | P(zone non-empty) | change vs baseline | what changes |"]
                lines.append("|---|---|---|---|")
            for lv in self.levers:
                mark = " *" if lv.efficient else ""
                if not lv.applicable:
                    row = (lv.name, "n/a", "n/a", f"not applicable ({lv.reason})")
                else:
                    row = (
                        lv.name + mark,
                        f"{lv.p_zone_nonempty:.3f}",
                        f"{(lv.delta or 0):+.3f}",
                        lv.change,
                    )
                detail = _lever_detail(lv)
                if md:
                    cells = (*row[:3], row[3] + (f" ({detail})" if detail else ""))
                    lines.append("| " + " | ".join(x.replace("|", "/") for x in cells) + " |")
                elif not lv.applicable:
                    lines.append(f"{bullet}{row[0]}: {row[3]}")
                else:
                    lines.append(f"{bullet}{row[0]}: P = {row[1]} ({row[2]}); {row[3]}")
                    if detail:
                        lines.append(f"{bullet}    {detail}")
        lines.append("")
        notes = [
            "gap: the smallest total utility (normalised, 1 = a whole issue scale at full "
            "salience) the veto players must give up, plus red-line distance crossed, for "
            "a package all of them prefer to the status quo; see docs/diagnosis.md.",
            f"method: {self.point.method}, resolution {self.point.resolution:g}; "
            f"curvature {self.settings.get('curvature')}, agreement cost "
            f"{self.settings.get('agreement_cost')}.",
            *self.notes,
        ]
        lines += [f"[{k}] {n}" for k, n in enumerate(notes, 1)]
        return "\n".join(lines)


def _lever_detail(lv: LeverResult) -> str:
    """The extra line a named lever earns in the summary."""
    if lv.extra.get("label"):
        return f"{lv.extra.get('kind', 'lever')}: {lv.extra['label']}"
    return ""
