"""Sweeps: every combination of a grid of what-ifs, each computed through the pipeline.

``sweep(scenario, {"ACTOR.red_lines.ISSUE": [50, 60, 70], "drivers.DRIVER":
[0.6, 0.9]})`` runs :func:`detente.pipeline.run` on the six variants wherever the executor says
(:mod:`detente.executor`) and returns their results in the grid's order. Every variant runs with
the same seed by default (common random numbers, as the pipeline's own what-ifs do: a difference
between two variants is the grid's doing, not the Monte Carlo's); ``independent_seeds=True``
gives variant ``i`` the ``i``-th seed of ``np.random.SeedSequence(seed).spawn(n)``. Either way a
variant's seed depends on the variant only, never on the worker that runs it.

:meth:`RunStore.add_sweep` records the variants as runs and one table per sweep.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .. import defaults
from ..errors import ModelError
from ..executor import ExecutorSpec, run_variants, variant_seeds

if TYPE_CHECKING:
    from ..scenario import Scenario

__all__ = ["SweepResult", "parse_grid", "summary_row", "sweep"]


def parse_grid(texts: list[str]) -> dict[str, list[Any]]:
    """``PATH=V1,V2,...`` options as ``{path: [values]}`` (numbers where they parse)."""
    grid: dict[str, list[Any]] = {}
    for text in texts:
        path, eq, values = text.partition("=")
        path = path.strip()
        if not eq or not path or not values.strip():
            raise ModelError(
                f"--grid {text!r}: write PATH=V1,V2,... e.g. ACTOR.red_lines.ISSUE=50,60,70"
            )
        if path in grid:
            raise ModelError(f"--grid {text!r}: {path} is given twice; list all its values once")
        vals: list[Any] = []
        for v in values.split(","):
            v = v.strip()
            if not v:
                raise ModelError(f"--grid {text!r}: an empty value between commas")
            try:
                vals.append(float(v) if not v.lstrip("-").isdigit() else int(v))
            except ValueError:
                vals.append(v)
        grid[path] = vals
    if not grid:
        raise ModelError("a sweep needs at least one --grid PATH=V1,V2,...")
    return grid


@dataclass(frozen=True)
class _SweepJob:
    scenario: Any
    what_ifs: tuple[str, ...]
    draws: int
    runs: int
    months: int
    source: str


def _assignments(values: dict[str, Any]) -> list[str]:
    return [f"{p}={v}" for p, v in values.items()]


def _run_variant(job: _SweepJob, item: tuple[int, dict[str, Any], int]) -> dict[str, Any]:
    from ..pipeline import run
    from ..scenario import apply_sets

    index, values, seed = item
    sets = _assignments(values)
    s = apply_sets(job.scenario, sets)
    d = run(s, draws=job.draws, runs=job.runs, months=job.months, seed=seed,
            what_ifs=job.what_ifs, sets=sets, source=job.source).to_dict()  # fmt: skip
    d.pop("timings", None)  # wall-clock times differ between runs; the numbers do not
    return {"index": index, "values": values, "seed": seed, "result": d}


def summary_row(result: dict[str, Any]) -> dict[str, Any]:
    """The main numbers of a variant's report: the sweep table's columns."""
    diag = result.get("diagnosis") or {}
    gap = diag.get("gap")
    out = {
        "p_zone": diag.get("p_zone_nonempty"),
        "zone_nonempty": diag.get("zone_nonempty"),
        "gap": gap.get("point") if isinstance(gap, dict) else gap,
    }
    horizons = (result.get("outlook") or {}).get("horizons") or []
    at12 = next((h for h in horizons if h.get("month") == 12), horizons[-1] if horizons else None)
    out["talks_12"] = at12.get("talks") if at12 else None
    out["crisis_12"] = at12.get("crisis") if at12 else None
    claims = (result.get("claims") or {}).get("claims") or []
    out["claims_holding"] = sum(c.get("verdict") == "holds" for c in claims) if claims else None
    return out


@dataclass(frozen=True)
class SweepResult:
    """A sweep's variants in grid order (the first path varies slowest)."""

    scenario_id: str
    grid: dict[str, list[Any]]
    what_ifs: tuple[str, ...]
    settings: dict[str, Any]
    variants: tuple[dict[str, Any], ...]

    def to_dict(self, *, full: bool = False) -> dict[str, Any]:
        """The sweep as JSON: each variant's grid values, seed and main numbers (``full``: and
        its whole report)."""
        rows = []
        for v in self.variants:
            row = {"index": v["index"], "values": v["values"], "seed": v["seed"],
                   **summary_row(v["result"])}  # fmt: skip
            if full:
                row["result"] = v["result"]
            rows.append(row)
        return {
            "scenario": self.scenario_id,
            "grid": self.grid,
            "what_ifs": list(self.what_ifs),
            "settings": self.settings,
            "variants": rows,
        }


def sweep(
    scenario: Scenario,
    grid: dict[str, list[Any]],
    *,
    what_ifs: tuple[str, ...] = (),
    draws: int = defaults.DRAWS,
    runs: int = defaults.RUNS,
    months: int = defaults.MONTHS,
    seed: int = defaults.SEED,
    independent_seeds: bool = False,
    source: str | None = None,
    executor: ExecutorSpec | None = None,
    progress: Any = None,
) -> SweepResult:
    """Run the pipeline on every combination of ``grid`` (see the module docstring).

    Every combination is applied to the scenario first, so a bad path or value is reported
    before any work starts.
    """
    from ..scenario import apply_sets

    combos = [dict(zip(grid, vals, strict=True)) for vals in itertools.product(*grid.values())]
    for values in combos:  # validate every variant up front
        apply_sets(scenario, _assignments(values))
    seeds = variant_seeds(seed, len(combos)) if independent_seeds else [int(seed)] * len(combos)
    job = _SweepJob(scenario, tuple(what_ifs), int(draws), int(runs), int(months),
                    source or scenario.id)  # fmt: skip
    items = [(i, v, s) for i, (v, s) in enumerate(zip(combos, seeds, strict=True))]
    out = run_variants(_run_variant, job, items, executor, progress=progress)
    settings = {"draws": int(draws), "runs": int(runs), "months": int(months), "seed": int(seed),
                "independent_seeds": bool(independent_seeds)}  # fmt: skip
    return SweepResult(scenario.id, grid, tuple(what_ifs), settings, tuple(out))
