"""The result of a sensitivity analysis, in numbers and plain words, and the inputs' names.

Private to :mod:`detente.analysis`; :mod:`.sensitivity` re-exports every public name.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import ModelError

if TYPE_CHECKING:
    from ..scenario import Scenario

#: Total index below which an input "matters little" in the plain-words summary.
SMALL = 0.05


@dataclass(frozen=True)
class SensitivityResult:
    """Sensitivity indices of one quantity; rows sorted by importance (total, or mu*)."""

    scenario_id: str
    quantity: str
    label: str
    method: str
    n: int
    n_evaluations: int
    seed: int
    mean: float
    variance: float
    rows: tuple[dict[str, Any], ...]
    left_out: tuple[str, ...]
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario_id,
            "quantity": self.quantity,
            "label": self.label,
            "method": self.method,
            "n": self.n,
            "n_evaluations": self.n_evaluations,
            "seed": self.seed,
            "mean": self.mean,
            "variance": self.variance,
            "inputs": [dict(r) for r in self.rows],
            "left_out": list(self.left_out),
            "notes": list(self.notes),
            "words": self.words(),
        }

    @property
    def key(self) -> str:
        return "total" if self.method == "sobol" else "mu_star"

    def words(self) -> str:
        """The finding in plain words: what drives the quantity."""
        if self.variance == 0:
            return f"{self.label} does not vary over the inputs' ranges (always {self.mean:.3g})."
        top = max((r[self.key] or 0.0) for r in self.rows)
        # Sobol indices are shares of the variance; Morris' mu* is in the quantity's units,
        # so an input matters when its mu* is a tenth of the largest
        floor = SMALL if self.method == "sobol" else 0.1 * top
        big = [r for r in self.rows if (r[self.key] or 0.0) >= floor and (r[self.key] or 0.0) > 0]
        name = "total" if self.method == "sobol" else "mu*"
        if not big:
            return f"{self.label} is driven by no single input: every {name} index is small."
        shown = [f"{r['label']} ({name} {r[self.key]:.2f})" for r in big[:3]]
        text = f"{self.label} is driven by " + _join(shown)
        if self.method == "sobol" and all((r["total_interval"] or [0.0])[0] <= 0 for r in big):
            # every interval reaches 0: which inputs matter is known (the others are exactly
            # 0), how much is not
            text = (
                f"{self.label} moves with {_join([r['label'] for r in big[:3]])} only, but at "
                f"n={self.n} (mean {self.mean:.3g}) every total index's interval reaches 0: "
                f"the largest are {_join([f'{r[self.key]:.2f}' for r in big[:3]])}; a larger "
                "--n measures them"
            )
        rest = len(self.rows) - len(big)
        if rest:
            text += f"; {rest} other input{'s' if rest > 1 else ''} matter{'s' if rest == 1 else ''} little"
        if self.method == "sobol":
            s1 = sum(max(0.0, r["first"] or 0.0) for r in self.rows)
            if s1 < 0.8:
                text += f"; interactions carry about {max(0.0, 1 - s1):.0%} of its variance"
        return text + "."

    def summary(self) -> str:
        lines = [f"{self.label} [{self.quantity}] on {self.scenario_id}: {self.method}, "
                 f"n={self.n}, {self.n_evaluations} evaluations, seed {self.seed}"]  # fmt: skip
        lines.append(f"mean {self.mean:.4g}, variance {self.variance:.4g}")
        for r in self.rows:
            if self.method == "sobol":
                lines.append(
                    f"  {r['input']:<44} first {_ci(r['first'], r['first_interval'])}  "
                    f"total {_ci(r['total'], r['total_interval'])}"
                )
            else:
                lines.append(
                    f"  {r['input']:<44} mu* {_ci(r['mu_star'], r['mu_star_interval'])}  "
                    f"sigma {r['sigma']:.3g}"
                )
        lines.append(self.words())
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)


def _join(xs: list[str]) -> str:
    return xs[0] if len(xs) == 1 else ", ".join(xs[:-1]) + " and " + xs[-1]


def _ci(x: float | None, iv: list[float] | None) -> str:
    if x is None:
        return "n/a"
    return f"{x:6.3f}" + ("" if iv is None else f" [{iv[0]:.3f}, {iv[1]:.3f}]")


def _short(label: str | None, ident: str) -> str:
    """An actor's or issue's short name: its label before any parenthesis, else its id."""
    text = (label or "").split(" (")[0].strip()
    return text if text and len(text) <= 32 else ident.replace("_", " ")


def describe_path(s: Scenario, path: str) -> str:
    """A plain-words name for an input: "Importer's red line on tariffs" (the actor's label and
    the issue's id in words)."""
    parts = path.split(".")
    if parts[0] == "status_quo":
        return f"the status quo on {parts[1].replace('_', ' ')}"
    if parts[0] == "drivers":
        return f"the driver {_short(s.drivers[parts[1]].label, parts[1])}"
    if parts[0] == "parameters":
        return f"the parameter {parts[1]}"
    if parts[0] == "events":
        e = next(e for e in s.events if e.id == parts[1])
        return f"the effect of {_short(e.label, e.id)}"
    who = _short(s.actor(parts[0]).label, parts[0])
    who += "'" if who.endswith("s") else "'s"
    if parts[1] == "capability":
        return f"{who} capability"
    if parts[1] == "red_lines":
        return f"{who} red line on {parts[2].replace('_', ' ')}"
    what = {"position": "position on", "salience": "salience of"}
    return f"{who} {what.get(parts[2], parts[2])} {parts[1].replace('_', ' ')}"


def with_spread(s: Scenario, spread: float) -> Scenario:
    """A copy in which every number without a stated range gets one: +-``spread`` of its
    issue's scale (positions, red lines, the status quo), of ``salience_max`` (saliences) or
    of its value (capabilities, drivers, parameters, deadlines' effects), clipped to what is
    allowed. For files that state no ranges (KTAB, exchange tables); stated ranges are
    kept."""
    from ..scenario import Scenario as _Scenario

    if not 0 < spread <= 1:
        raise ModelError(f"The 'spread' parameter must be in (0, 1]. Got {spread} instead.")
    width = {i.id: (i.low, i.high) for i in s.issues}
    data = s.model_dump()
    actors = {a["id"]: a for a in data["actors"]}
    events = {e["id"]: e for e in data["events"]}

    def widened(q: Any, half: float, lo: float, hi: float) -> Any:
        if q.low != q.high:
            return q.model_dump()
        return {"value": q.value, "low": max(lo, q.value - half), "high": min(hi, q.value + half)}

    for path, q in s.quantities():
        parts = path.split(".")
        if parts[0] == "status_quo":
            lo, hi = width[parts[1]]
            data["status_quo"][parts[1]] = widened(q, spread * (hi - lo), lo, hi)
        elif parts[0] in ("drivers", "parameters"):
            entry = data[parts[0]][parts[1]]
            lo, hi = entry.get("bounds") or (-math.inf, math.inf)
            entry["value"] = widened(q, spread * abs(q.value), lo, hi)
        elif parts[0] == "events":  # a deadline's effect size: of its value, kept >= 0
            effect = events[parts[1]]["effect"]
            effect["by"] = widened(q, spread * abs(q.value), 0.0, math.inf)
        elif parts[1] == "capability":
            actors[parts[0]]["capability"] = widened(q, spread * q.value, 0.0, math.inf)
        elif parts[1] == "red_lines":
            lo, hi = width[parts[2]]
            actors[parts[0]]["red_lines"][parts[2]]["bound"] = widened(
                q, spread * (hi - lo), lo, hi
            )
        elif parts[2] == "salience":
            st = actors[parts[0]]["stances"][parts[1]]
            st["salience"] = widened(q, spread * s.salience_max, 0.0, s.salience_max)
        else:
            lo, hi = width[parts[1]]
            actors[parts[0]]["stances"][parts[1]][parts[2]] = widened(q, spread * (hi - lo), lo, hi)
    return _Scenario.model_validate(data)
