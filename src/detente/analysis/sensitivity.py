"""Global sensitivity of a reported quantity over every input's stated range (SALib).

``sensitivity(scenario, "zone.p_open", method="sobol", n=256)`` samples the uncertain inputs
the quantity reads (each on its range, triangular with its value as the mode, as every Monte
Carlo of detente draws them), evaluates the quantity at every design point and returns
first-order and total Sobol indices with bootstrap intervals (Saltelli 2002; Jansen 1999 as
implemented by SALib), or Morris elementary effects for screening (Morris 1991; Campolongo et
al. 2007).

Quantities (``--quantity``):

==========================  ======================================================  ==========
quantity                    what it is at one design point                          reads
==========================  ======================================================  ==========
``zone.p_open``             1 if the veto players' zone of agreement is open, else   the veto
                            0 (its mean over the ranges is P(zone))                  players'
``zone.gap``                the gap between the veto players' win-sets              numbers,
                                                                                    status quo
``forecast.MODEL.ISSUE``    a model's forecast on an issue (``detente forecast``)    all but
                                                                                    drivers
``outlook.MODE@MONTH``      P(MODE by MONTH) in the crisis dynamics (talks,          what the
                            substantive, agreement, crisis, instigation, impasse)    simulation
                                                                                    reads
``claim.ID``                the margin of the claim's first condition (positive:     its
                            it holds)                                                quantity's
==========================  ======================================================  ==========

Inputs a quantity cannot read are left out, by the same dependency information that decides
what a claim's ``hinges_on`` screens (:attr:`detente.analysis.quantities.Estimate.paths`):
sampling them would only add noise and cost. The design points are cut into fixed chunks that
:func:`detente.executor.run_variants` evaluates wherever it is told, so the indices are the same
numbers whatever the executor.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import ModelError
from ..executor import ExecutorSpec, run_variants
from ..scenario.arrays import ScenarioArrays, quantile

if TYPE_CHECKING:
    from ..scenario import Scenario

__all__ = [
    "METHODS",
    "OUTLOOK_MODES",
    "QuantityRef",
    "SensitivityResult",
    "parse_quantity",
    "pinned",
    "sensitivity",
]

METHODS = ("sobol", "morris")
#: ``outlook.MODE@MONTH`` -> the claim-catalogue quantity it is.
OUTLOOK_MODES = {
    "talks": "p_talks",
    "substantive": "p_substantive",
    "agreement": "p_agreement",
    "crisis": "p_crisis",
    "instigation": "p_instigation",
    "impasse": "p_impasse",
}
#: Design points per task for the vectorised quantities (fixed, so chunking never changes a
#: number: the batched solvers see the same rows whatever the executor).
CHUNK = 512
#: Morris grid levels.
MORRIS_LEVELS = 4
#: Bootstrap resamples of the Sobol and Morris intervals.
RESAMPLES = 200
#: Total index below which an input "matters little" in the plain-words summary.
SMALL = 0.05
_BARGAINING_PARAMETERS = ("utility_curvature", "agreement_cost")


@dataclass(frozen=True)
class QuantityRef:
    """A parsed ``--quantity``: its kind, the inner name and arguments, and its label."""

    text: str
    kind: str  # zone | forecast | outlook | claim
    name: str
    args: dict[str, Any] = field(default_factory=dict)
    label: str = ""

    @property
    def is_vectorised(self) -> bool:
        """Evaluated on a whole batch of design points at once (else one scenario each)."""
        return self.kind == "zone" or (
            self.kind == "forecast" and self.name in ("compromise", "median")
        )


def parse_quantity(s: Scenario, text: str) -> QuantityRef:
    """Read ``--quantity``; raises :class:`ModelError` naming what is accepted."""
    from ..models import MODELS

    parts = text.strip().split(".")
    head = parts[0]
    hint = (
        "use zone.p_open, zone.gap, forecast.MODEL.ISSUE, outlook.MODE@MONTH or claim.ID "
        "(see docs/sensitivity.md)"
    )
    if head == "zone" and len(parts) == 2 and parts[1] in ("p_open", "gap"):
        label = "P(zone)" if parts[1] == "p_open" else "the gap between the win-sets"
        return QuantityRef(text, "zone", parts[1], {}, label)
    if head == "forecast" and len(parts) == 3:
        model, issue = parts[1], parts[2]
        if model not in MODELS:
            raise ModelError(
                f"quantity {text}: no model {model!r}; models: {', '.join(sorted(MODELS))}"
            )
        if issue not in s.issue_ids:
            raise ModelError(
                f"quantity {text}: no issue {issue!r}; issues: {', '.join(s.issue_ids)}"
            )
        return QuantityRef(
            text,
            "forecast",
            model,
            {"issue": issue},
            f"the {model} forecast on {s.issue(issue).label or issue}",
        )
    if head == "outlook" and len(parts) == 2:
        mode, _, month = parts[1].partition("@")
        if mode not in OUTLOOK_MODES or not month.isdigit() or int(month) < 1:
            raise ModelError(
                f"quantity {text}: write outlook.MODE@MONTH with MODE one of "
                f"{', '.join(OUTLOOK_MODES)} and MONTH >= 1, e.g. outlook.talks@12"
            )
        if s.roles is None:
            raise ModelError(
                f"quantity {text}: not applicable: the scenario declares no roles (challenger, "
                "defender) for the crisis dynamics"
            )
        return QuantityRef(
            text,
            "outlook",
            OUTLOOK_MODES[mode],
            {"month": int(month)},
            f"P({mode} by month {month})",
        )
    if head == "claim" and len(parts) == 2:
        known = [c.id for c in s.claims]
        if parts[1] not in known:
            raise ModelError(
                f"quantity {text}: no claim {parts[1]!r}; this scenario's claims: {', '.join(known) or 'none'}"
            )
        claim = next(c for c in s.claims if c.id == parts[1])
        cond = claim.check[0]
        if cond.compare in ("==", "!="):
            raise ModelError(
                f"quantity {text}: the claim compares with {cond.compare}; it has no margin"
            )
        return QuantityRef(
            text, "claim", parts[1], {}, f"the margin of claim {parts[1]} ({cond.describe()})"
        )
    raise ModelError(f"unknown quantity {text!r}; {hint}")


# ----- what a quantity reads ---------------------------------------------------------------


def _bargaining_reads(s: Scenario, path: str) -> bool:
    veto = set(s.veto_players or s.actor_ids)
    head = path.split(".")[0]
    if head == "status_quo":
        return True
    if head == "parameters":
        return path.split(".")[1] in _BARGAINING_PARAMETERS
    if head == "drivers":
        return False
    return head in veto and not path.endswith(".capability")


def read_paths(s: Scenario, q: QuantityRef, *, seed: int = 0) -> list[str]:
    """The uncertain inputs (``--set`` paths) the quantity reads, in the scenario's order."""
    uncertain = [p for p, x in s.quantities() if not x.is_certain]
    if q.kind == "zone":
        return [p for p in uncertain if _bargaining_reads(s, p)]
    if q.kind == "forecast":  # the models read no driver; the veto constraint reads every issue
        return [p for p in uncertain if not p.startswith("drivers.")]
    from .quantities import Evaluator

    ev = Evaluator(s, draws=8, runs=50, months=_months(s, q), seed=seed)
    est = _estimate(ev, s, q)
    if est.paths is not None:
        return [p for p in uncertain if p in est.paths]
    named = _named_input(s, q) if est.reads == "input" else None
    if named is not None:  # an encoding: the quantity is an input
        return [p for p in uncertain if p == named]
    return [p for p in uncertain if _bargaining_reads(s, p)]


def _named_input(s: Scenario, q: QuantityRef) -> str | None:
    cond = next(c for c in s.claims if c.id == q.name).check[0]
    a = cond.args
    if cond.quantity in ("position", "salience"):
        return f"{a['actor']}.{a['issue']}.{cond.quantity}"
    if cond.quantity == "capability":
        return f"{a['actor']}.capability"
    if cond.quantity == "driver":
        return f"drivers.{a['driver']}"
    return None


def _months(s: Scenario, q: QuantityRef) -> int:
    if q.kind == "outlook":
        return int(q.args["month"])
    if q.kind == "claim":
        from .. import defaults

        return defaults.MONTHS
    return 1


def _estimate(ev: Any, s: Scenario, q: QuantityRef) -> Any:
    if q.kind == "outlook":
        return ev.quantity(ev.baseline, q.name, dict(q.args))
    claim = next(c for c in s.claims if c.id == q.name)
    return ev.estimate(claim.check[0], under=claim.under)


# ----- one design point --------------------------------------------------------------------


def pinned(s: Scenario, values: dict[str, float]) -> Scenario:
    """A copy of ``s`` with each quantity at a path fixed at the given value (its range
    collapsed to it), validated once: a design point of the experiment."""
    from ..scenario import Scenario as _Scenario

    data = s.model_dump()
    actors = {a["id"]: a for a in data["actors"]}
    for path, v in values.items():
        x = {"value": float(v), "low": float(v), "high": float(v)}
        parts = path.split(".")
        if parts[0] == "status_quo":
            data["status_quo"][parts[1]] = x
        elif parts[0] in ("drivers", "parameters"):
            data[parts[0]][parts[1]]["value"] = x
        elif parts[1] == "capability":
            actors[parts[0]]["capability"] = x
        elif parts[1] == "red_lines":
            actors[parts[0]]["red_lines"][parts[2]]["bound"] = x
        else:
            actors[parts[0]]["stances"][parts[1]][parts[2]] = x
    return _Scenario.model_validate(data)


@dataclass(frozen=True)
class _Job:
    """What every task needs: shipped once to each worker."""

    scenario: Any
    quantity: QuantityRef
    paths: tuple[str, ...]
    uniforms: np.ndarray  # (n_points, n_inputs) in [0, 1]
    seed: int
    runs: int


def _evaluate_chunk(job: _Job, rows: tuple[int, int]) -> list[float]:
    """The quantity at design points ``rows[0]:rows[1]``."""
    lo, hi = rows
    u = job.uniforms[lo:hi]
    s, q = job.scenario, job.quantity
    if q.is_vectorised:
        batch = ScenarioArrays.from_uniforms(s, {p: u[:, k] for k, p in enumerate(job.paths)})
        return [float(x) for x in _vectorised(q, batch)]
    quantities = dict(s.quantities())
    out = []
    for row in u:
        values = {p: float(quantile(quantities[p], row[k])) for k, p in enumerate(job.paths)}
        out.append(_one_point(pinned(s, values), q, job.seed, job.runs))
    return out


def _vectorised(q: QuantityRef, batch: ScenarioArrays) -> np.ndarray:
    from ..models.compromise import batch as compromise_batch
    from ..models.compromise import batch_median
    from .bargaining import win_set_gap, zone_open

    if q.kind == "zone":
        if q.name == "p_open":
            is_open, _ = zone_open(batch, exact=False)
            return np.asarray(is_open, float)
        return np.asarray(win_set_gap(batch).gap, float)
    j = batch.issue_index(q.args["issue"])
    f = compromise_batch if q.name == "compromise" else batch_median
    return np.asarray(f(batch), float)[:, j]


def _one_point(s: Scenario, q: QuantityRef, seed: int, runs: int) -> float:
    if q.kind == "forecast":
        from ..models import get_model

        return float(get_model(q.name).forecast(s, seed=seed).outcome_for(q.args["issue"]))
    from .quantities import Evaluator

    # every input the quantity reads is pinned: the draws cannot vary them
    ev = Evaluator(s, draws=2, runs=runs, months=_months(s, q), seed=seed, groups=1)
    est = _estimate(ev, s, q)
    value = float(est.value)
    if q.kind == "claim":
        cond = next(c for c in s.claims if c.id == q.name).check[0]
        value = value - cond.threshold if cond.compare in (">", ">=") else cond.threshold - value
    return value


# ----- the result --------------------------------------------------------------------------


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
    of its value (capabilities, drivers, parameters), clipped to what is allowed. For files
    that state no ranges (KTAB, exchange tables); stated ranges are kept."""
    from ..scenario import Scenario as _Scenario

    if not 0 < spread <= 1:
        raise ModelError(f"The 'spread' parameter must be in (0, 1]. Got {spread} instead.")
    width = {i.id: (i.low, i.high) for i in s.issues}
    data = s.model_dump()
    actors = {a["id"]: a for a in data["actors"]}

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


# ----- the analysis ------------------------------------------------------------------------


def sensitivity(
    scenario: Scenario,
    quantity: str,
    *,
    method: str = "sobol",
    n: int = 256,
    seed: int = 2021,
    runs: int = 200,
    spread: float | None = None,
    executor: ExecutorSpec | None = None,
    progress: Any = None,
) -> SensitivityResult:
    """Global sensitivity of ``quantity`` over the uncertain inputs it reads.

    Parameters
    ----------
    scenario : Scenario
    quantity : str
        See the module docstring.
    method : {"sobol", "morris"}
        Sobol first-order and total indices (``n`` a power of two; ``n * (D + 2)`` evaluations
        for ``D`` inputs) or Morris screening (``n`` trajectories; ``n * (D + 1)``).
    n : int
    seed : int
        Seeds the design, the bootstrap and every evaluation (each design point uses the same
        seed: common random numbers, so the simulation's noise does not pose as sensitivity).
    runs : int
        Runs of the crisis dynamics per design point (outlook and dynamics claims).
    spread : float, optional
        Give every number without a stated range one (see :func:`with_spread`).
    executor : ExecutorSpec, optional
        Where to evaluate the design points (default: in this process).
    progress : callable, optional
        ``progress(done, total)``.

    Returns
    -------
    SensitivityResult
    """
    if method not in METHODS:
        raise ModelError(
            f"The 'method' parameter of sensitivity must be one of {', '.join(METHODS)}. Got {method!r} instead."
        )
    if method == "sobol" and (n < 2 or n & (n - 1)):
        raise ModelError(
            f"The 'n' parameter of sensitivity must be a power of two >= 2 for Sobol (Saltelli's sequence). Got {n} instead; try {2 ** max(1, round(math.log2(max(n, 2))))}."
        )
    if method == "morris" and n < 2:
        raise ModelError(
            f"The 'n' parameter of sensitivity must be >= 2 for Morris. Got {n} instead."
        )
    if spread:
        scenario = with_spread(scenario, spread)
    q = parse_quantity(scenario, quantity)
    paths = read_paths(scenario, q, seed=seed)
    uncertain = [p for p, x in scenario.quantities() if not x.is_certain]
    left_out = tuple(p for p in uncertain if p not in paths)
    if not paths:
        raise ModelError(
            f"quantity {quantity}: it reads no uncertain input (every number it reads is certain); there is nothing to vary. Give ranges in the scenario, or --spread 0.1 to give every number without a range +-10% of its scale"
        )
    problem = {"num_vars": len(paths), "names": list(paths), "bounds": [[0.0, 1.0]] * len(paths)}
    if method == "sobol":
        from SALib.sample import sobol as sobol_sample

        u = sobol_sample.sample(problem, n, calc_second_order=False, scramble=True, seed=seed)
    else:
        from SALib.sample import morris as morris_sample

        u = morris_sample.sample(problem, n, num_levels=MORRIS_LEVELS, seed=seed)
    u = np.clip(np.asarray(u, float), 0.0, 1.0)
    size = CHUNK if q.is_vectorised else 1
    chunks = [(i, min(len(u), i + size)) for i in range(0, len(u), size)]
    if executor is not None and not executor.chosen and q.is_vectorised and len(chunks) <= 64:
        # a vectorised quantity takes about a second here: a pool of processes would cost more
        executor = ExecutorSpec("inline")
    job = _Job(scenario, q, tuple(paths), u, int(seed), int(runs))
    values = run_variants(_evaluate_chunk, job, chunks, executor, progress=progress)
    y = np.asarray([v for chunk in values for v in chunk], float)
    if not np.all(np.isfinite(y)):
        raise ModelError(
            f"quantity {quantity}: {int((~np.isfinite(y)).sum())} design points gave no finite value (the quantity is undefined there)"
        )
    labels = {p: describe_path(scenario, p) for p in paths}
    notes = [
        "inputs drawn on their ranges, triangular with the value as the mode (as every Monte "
        "Carlo of detente); the quantity's other inputs stay at their values"
    ]
    if q.kind == "claim" and _named_input(scenario, q) is not None:
        notes.append(
            f"claim {q.name} reads one input itself: it is an encoding, and so is its sensitivity"
        )
    if spread:
        notes.append(
            f"numbers without a stated range were given +-{spread:g} of their scale (--spread)"
        )
    if left_out:
        notes.append(f"{len(left_out)} uncertain inputs left out: {q.label} does not read them")
    if not q.is_vectorised and q.kind != "forecast":
        notes.append(
            f"each design point runs the simulation {runs} times with the same seed (common random numbers); its Monte Carlo noise remains in the indices"
        )
    var = float(y.var())
    rows: list[dict[str, Any]] = (
        _indices(problem, u, y, method, seed, labels)
        if var > 0
        else [{"input": p, "label": labels[p], **dict.fromkeys(_keys(method))} for p in paths]
    )
    key = "total" if method == "sobol" else "mu_star"
    widths = [
        r[f"{key}_interval"][1] - r[f"{key}_interval"][0] for r in rows if r.get(f"{key}_interval")
    ]
    if method == "sobol" and widths and max(widths) > 0.3:
        notes.append(f"the intervals are wide (up to {max(widths):.2f}): a larger --n narrows them")
    rows.sort(key=lambda r: -(r[key] or 0.0))
    return SensitivityResult(
        scenario.id, quantity, q.label, method, int(n), len(y), int(seed),
        float(y.mean()), var, tuple(rows), left_out, tuple(notes),
    )  # fmt: skip


def _keys(method: str) -> tuple[str, ...]:
    if method == "sobol":
        return ("first", "first_interval", "total", "total_interval")
    return ("mu_star", "mu_star_interval", "mu", "sigma")


def _iv(x: float, half: float) -> list[float] | None:
    """The interval x +- half, or None when SALib gives no half-width."""
    lo, hi = _r(x - half), _r(x + half)
    return None if lo is None or hi is None else [lo, hi]


def _r(x: float) -> float | None:
    """Six decimals; None where SALib gives no number (a bootstrap of constant values)."""
    x = float(x)
    return float(round(x, 6)) if math.isfinite(x) else None


def _indices(
    problem: dict[str, Any],
    u: np.ndarray,
    y: np.ndarray,
    method: str,
    seed: int,
    labels: dict[str, str],
) -> list[dict[str, Any]]:
    import warnings

    with warnings.catch_warnings():
        # SALib warns on tiny variances and nearly constant outputs; the notes say so instead
        warnings.simplefilter("ignore", RuntimeWarning)
        # "Constant values encountered": a rare event leaves some resamples constant; the
        # intervals show the imprecision and the notes say when they are wide
        warnings.simplefilter("ignore", UserWarning)
        if method == "sobol":
            from SALib.analyze import sobol

            si = sobol.analyze(
                problem,
                y,
                calc_second_order=False,
                num_resamples=RESAMPLES,
                conf_level=0.95,
                seed=seed,
            )
            out = []
            for k, p in enumerate(problem["names"]):
                s1, c1, st, ct = (float(si[x][k]) for x in ("S1", "S1_conf", "ST", "ST_conf"))
                out.append({
                    "input": p, "label": labels[p], "first": _r(s1),
                    "first_interval": _iv(s1, c1),
                    "total": _r(st), "total_interval": _iv(st, ct),
                })  # fmt: skip
            return out
        from SALib.analyze import morris

        si = morris.analyze(
            problem,
            u,
            y,
            conf_level=0.95,
            num_resamples=RESAMPLES,
            num_levels=MORRIS_LEVELS,
            seed=seed,
        )
        out = []
        for k, p in enumerate(problem["names"]):
            ms, mc = float(si["mu_star"][k]), float(si["mu_star_conf"][k])
            out.append({
                "input": p, "label": labels[p], "mu_star": _r(ms),
                "mu_star_interval": _iv(ms, mc),
                "mu": _r(si["mu"][k]), "sigma": _r(si["sigma"][k]),
            })  # fmt: skip
        return out
