"""Global sensitivity of a reported quantity over every input's stated range.

``sensitivity(scenario, "zone.p_open", method="sobol", n=256)`` samples the uncertain inputs
the quantity reads (each on its range, triangular with its value as the mode, as every Monte
Carlo of detente draws them), evaluates the quantity at every design point and returns
first-order and total Sobol indices with bootstrap intervals (Saltelli 2002; Saltelli et al.
2010; SALib's numbers, computed in NumPy by :mod:`._saltelli` so that a run imports neither
SALib nor scipy.stats), or Morris elementary effects for screening (Morris 1991; Campolongo et
al. 2007; by SALib).

Quantities (``--quantity``):

==========================  ======================================================  ==========
quantity                    what it is at one design point                          reads
==========================  ======================================================  ==========
``zone.p_open``             1 if the zone of agreement is open, else 0 (its mean     the veto
                            over a Sobol design is P(zone)); who must agree as in    players'
                            the diagnosis (controllers on their issues)              numbers,
``zone.gap``                the gap between the same actors' win-sets               status quo
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
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import defaults
from ..errors import ModelError
from ..executor import ExecutorSpec, run_variants
from ._saltelli import saltelli_design, sobol_indices
from ._sensitivity_points import (
    OUTLOOK_MODES,
    QuantityRef,
    _evaluate_chunk,
    _Job,
    _named_input,
    available_quantities,
    parse_quantity,
    pinned,
    pinned_copy,
)
from ._sensitivity_points import read_paths as read_paths
from ._sensitivity_result import SMALL as SMALL
from ._sensitivity_result import SensitivityResult
from ._sensitivity_result import describe_path as describe_path
from ._sensitivity_result import with_spread as with_spread

if TYPE_CHECKING:
    from ..scenario import Scenario

__all__ = [
    "METHODS",
    "OUTLOOK_MODES",
    "RUNS",
    "QuantityRef",
    "SensitivityResult",
    "available_quantities",
    "check_design",
    "command_line",
    "parse_quantity",
    "pinned",
    "pinned_copy",
    "points_per_task",
    "sensitivity",
]

METHODS = ("sobol", "morris")
#: Design points per task for the vectorised quantities (fixed, so chunking never changes a
#: number: the batched solvers see the same rows whatever the executor).
CHUNK = 512
#: Runs of the crisis dynamics per design point, by default (outlook and claim quantities).
RUNS = 200
#: Simulated runs per task for the outlook and claim quantities: their design points are
#: simulated together, ``RUNS_PER_TASK // runs`` at a time (32 at 200 runs), in one batch of
#: the vectorised simulation (fixed, so the chunks never depend on the executor; the batch
#: gives exactly the numbers of one simulation per point).
RUNS_PER_TASK = 6400
#: Morris grid levels.
MORRIS_LEVELS = 4
#: Bootstrap resamples of the Sobol and Morris intervals.
RESAMPLES = 200


# ----- the analysis ------------------------------------------------------------------------


def sensitivity(
    scenario: Scenario,
    quantity: str,
    *,
    method: str = "sobol",
    n: int = 256,
    seed: int = defaults.SEED,
    runs: int = RUNS,
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
    check_design(method, n)
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
        u = saltelli_design(len(paths), n, seed)
    else:
        from SALib.sample import morris as morris_sample

        u = morris_sample.sample(problem, n, num_levels=MORRIS_LEVELS, seed=seed)
    u = np.clip(np.asarray(u, float), 0.0, 1.0)
    size = CHUNK if q.is_vectorised else 1 if q.kind == "forecast" else points_per_task(runs)
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


def command_line(
    scenario: str,
    quantity: str,
    *,
    method: str,
    n: int,
    seed: int,
    runs: int | None = None,
    spread: float | None = None,
    sets: Sequence[str] = (),
    pins: Sequence[str] = (),
    what_ifs: Sequence[str] = (),
) -> str:
    """The ``detente sensitivity`` command that computes the same numbers (``pins`` as
    ``PATH=VALUE``; ``runs`` written for the quantities that simulate), shell-quoted."""
    import shlex

    words = ["detente", "sensitivity", scenario, "--quantity", quantity, "--method", method]
    words += ["--n", str(n), "--seed", str(seed)]
    if runs is not None and quantity.startswith(("outlook.", "claim.")):
        words += ["--runs", str(runs)]
    if spread:
        words += ["--spread", f"{spread!r}"]
    words += [w for x in sets for w in ("--set", x)]
    words += [w for x in pins for w in ("--pin", x)]
    words += [w for x in what_ifs for w in ("--what-if", x)]
    return " ".join(shlex.quote(w) for w in words)


def check_design(method: str, n: int) -> None:
    """Raise :class:`ModelError` unless ``method`` is known and ``n`` fits it (Sobol: a power
    of two >= 2; Morris: >= 2 trajectories)."""
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


def points_per_task(runs: int) -> int:
    """Design points simulated together in one task (outlook and claim quantities)."""
    return max(1, RUNS_PER_TASK // max(1, int(runs)))


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
            si = sobol_indices(
                y, len(problem["names"]), resamples=RESAMPLES, conf_level=0.95, seed=seed
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
