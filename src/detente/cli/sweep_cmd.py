"""``detente sweep``: every combination of a grid of what-ifs through the pipeline."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from .. import defaults
from ..errors import DetenteError
from ._common import (
    FromOption,
    JsonOption,
    PinOption,
    ScenarioArg,
    SetOption,
    WhatIfOption,
    app,
    check_store_option,
    console,
    err_console,
    fail,
    load_scenario,
    print_json,
    store_path,
)
from ._executor_opts import (
    ExecutorOption,
    SchedulerOption,
    WorkersOption,
    progress_bar,
    spec_or_fail,
)
from ._limits import SeedOption

METRICS = ("p_zone", "gap", "talks_12", "crisis_12", "claims_holding")


@app.command(context_settings={"help_option_names": ["-h", "--help"]})
def sweep(
    scenario: ScenarioArg,
    grid: Annotated[
        list[str],
        typer.Option(
            "--grid",
            help="PATH=V1,V2,... (a --set path and its values), repeatable: every combination runs.",
        ),
    ],
    what_if: WhatIfOption = None,
    set_: SetOption = None,
    pin: PinOption = None,
    fmt: FromOption = None,
    draws: Annotated[
        int, typer.Option("--draws", min=2, help="Monte Carlo draws per variant.")
    ] = defaults.DRAWS,
    runs: Annotated[
        int, typer.Option("--runs", min=1, help="Dynamics runs per variant.")
    ] = defaults.RUNS,
    months: Annotated[
        int, typer.Option("--months", min=1, help="Dynamics horizon.")
    ] = defaults.MONTHS,
    seed: SeedOption = defaults.SEED,
    independent_seeds: Annotated[
        bool,
        typer.Option(
            "--independent-seeds",
            help="Give variant i the i-th seed spawned from --seed (default: every variant uses "
            "--seed, common random numbers).",
        ),
    ] = False,
    executor: ExecutorOption = None,
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    store: Annotated[
        str | None,
        typer.Option(
            "--store",
            callback=check_store_option,
            help="Record every variant as a run, and the sweep as one table sweep_N, in the run "
            "store at PATH ('default': $DETENTE_STORE or the user's data folder).",
            show_default=False,
        ),
    ] = None,
    plot: Annotated[
        str | None,
        typer.Option(
            "--plot", help="Write the small-multiples figure to this file.", show_default=False
        ),
    ] = None,
    metric: Annotated[
        str, typer.Option("--metric", help=f"The figure's quantity: {', '.join(METRICS)}.")
    ] = "p_zone",
    json_out: JsonOption = False,
    output: Annotated[
        str | None,
        typer.Option(
            "--output",
            "-o",
            help="Write the JSON (with every variant's full report) to this file.",
            show_default=False,
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar.")] = False,
) -> None:
    """Every combination of the --grid values, each through the whole pipeline, on this machine
    or a Dask cluster; with --store, one run per variant and one table per sweep.

    Example: detente sweep SCENARIO --grid ACTOR.red_lines.ISSUE=50,60,70
    --grid drivers.economic_distress=0.6,0.9 --store runs.duckdb
    """
    from .._outputs import check_output
    from ..store.sweep import parse_grid
    from ..store.sweep import sweep as run_sweep

    spec = spec_or_fail(executor, workers, scheduler)
    if metric not in METRICS:
        fail(f"--metric must be one of {', '.join(METRICS)}; got {metric!r}")
    try:
        for path, opt in ((output, "--output"), (plot, "--plot")):
            if path:
                check_output(path, opt)
        parsed = parse_grid(grid)
        s = load_scenario(scenario, set_, fmt, pins=pin)
        with progress_bar("sweep", quiet or json_out) as progress:
            r = run_sweep(s, parsed, what_ifs=tuple(what_if or ()), draws=draws, runs=runs,
                          months=months, seed=seed, independent_seeds=independent_seeds,
                          source=scenario, executor=spec, progress=progress)  # fmt: skip
        d = r.to_dict()
        table = None
        if store:
            table = _record(store, scenario, fmt, r, set_ or [], pin or [])
            d["store"] = {"path": str(store_path(store)), "table": table}
        _write(output, plot, r, metric)
    except DetenteError as err:
        fail(err)
    if json_out:
        print_json(d)
    else:
        _print(d, list(parsed))
    if table:
        err_console.print(
            f"recorded {len(d['variants'])} runs and table {table} in {store_path(store or '')} "
            f"(see 'detente runs list' and 'detente runs sweep {table}')",
            highlight=False,
        )


def _record(
    store: str, scenario: str, fmt: str | None, r: Any, sets: list[str], pins: list[str]
) -> str:
    from ..store import RunStore, ScenarioSource
    from ..store.sweep import summary_row

    st = RunStore(store_path(store))
    source = ScenarioSource.resolve(scenario, fmt)
    rows = []
    for v in r.variants:
        grid_sets = [f"{p}={x}" for p, x in v["values"].items()]
        run_id = st.record(
            "sweep",
            source=source,
            result=v["result"],
            sets=[*sets, *grid_sets],
            pins=pins,
            what_ifs=list(r.what_ifs),
            seed=v["seed"],
            sizes={k: r.settings[k] for k in ("draws", "runs", "months")},
            options={"variant": v["index"], "grid": r.grid},
            label=f"sweep variant {v['index']}",
        )
        rows.append({"run_id": run_id, "variant": v["index"], **v["values"], "seed": v["seed"],
                     **summary_row(v["result"])})  # fmt: skip
    return str(st.add_sweep_table(rows))


def _write(output: str | None, plot: str | None, r: Any, metric: str) -> None:
    from .._outputs import atomic_path, write_atomic

    if output:
        write_atomic(
            output,
            json.dumps(r.to_dict(full=True), indent=2, ensure_ascii=False) + "\n",
            "--output",
        )
    if plot:
        import matplotlib

        matplotlib.use("Agg")
        from ..plotting.sensitivity import sweep_multiples

        fig = sweep_multiples(r.to_dict(), metric)
        with atomic_path(plot, "--plot") as tmp:
            fig.savefig(tmp, format=plot.rsplit(".", 1)[-1] if "." in plot else "png", dpi=150)


def _print(d: dict[str, Any], paths: list[str]) -> None:
    t = Table(title=f"Sweep of {escape(d['scenario'])}: {len(d['variants'])} variants")
    for p in paths:
        t.add_column(escape(p), justify="right", overflow="fold")
    for m in METRICS:
        t.add_column(m, justify="right")

    def cell(x: Any) -> str:
        if x is None:
            return "-"
        return f"{x:.3g}" if isinstance(x, float) else str(x)

    for v in d["variants"]:
        t.add_row(*(cell(v["values"][p]) for p in paths), *(cell(v[m]) for m in METRICS))
    console.print(t)
