"""``detente simulate`` (monthly Monte Carlo of the crisis dynamics), ``detente calibrate`` and
``detente backtest dynamics`` (the simulation scored on its record)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from .. import defaults
from ..errors import DetenteError, ModelError
from ._common import (
    JsonOption,
    RecordOption,
    ScenarioArg,
    SetOption,
    StoreOption,
    app,
    check_store,
    console,
    fail,
    load_scenario,
    print_json,
    record_if_asked,
    safe,
    with_record,
)
from ._executor_opts import ExecutorOption, SchedulerOption, WorkersOption
from ._limits import MonthsOption, RunsOption, SeedOption


@app.command()
def simulate(
    scenario: ScenarioArg = defaults.SCENARIO,
    months: MonthsOption = defaults.MONTHS,
    runs: RunsOption = defaults.RUNS,
    what_if: Annotated[
        list[str] | None,
        typer.Option(
            "--what-if",
            help="A named shock or lever (see 'detente simulate --list-what-ifs'), repeatable: "
            "applied in the order given; the output also shows the change against the baseline.",
        ),
    ] = None,
    seed: SeedOption = defaults.SEED,
    json_: JsonOption = False,
    plot: Annotated[
        Path | None, typer.Option("--plot", help="Write a fan chart (PNG or SVG) to this file.")
    ] = None,
    set_: SetOption = None,
    groups: Annotated[
        int | None,
        typer.Option(
            "--groups",
            min=1,
            help="Runs share one draw of the uncertain inputs per group (default: "
            f"{defaults.RUNS_PER_GROUP} runs per group, as in 'detente run').",
        ),
    ] = None,
    list_what_ifs: Annotated[
        bool, typer.Option("--list-what-ifs", help="List the named what-ifs and exit.")
    ] = False,
    rules: Annotated[
        bool, typer.Option("--rules", help="List the simulation's rules and their basis, and exit.")
    ] = False,
    record: RecordOption = None,
    store: StoreOption = None,
) -> None:
    """Simulate the monthly dynamics: P(mode) by month, time to talks, provocations."""
    from .._outputs import atomic_path, check_outputs

    if plot is not None and not (rules or list_what_ifs):
        # before anything is imported or computed: a plot that cannot be written ends here
        if plot.suffix.lower() not in (".png", ".svg"):
            fail(
                ModelError(
                    f"--plot {plot}: the fan chart is written as .png or .svg; "
                    f"got {plot.suffix or 'no extension'}"
                )
            )
        try:
            check_outputs([("--plot", plot)])
            check_store(store, [("--plot", plot)])
        except DetenteError as err:
            fail(err)
    from ..dynamics import simulate as run_simulation
    from ..dynamics.whatifs import apply_what_if, compare, what_ifs_of

    if rules:
        from ..dynamics.rules import RULES

        for r in RULES:
            console.print(r.describe(), markup=False, soft_wrap=True)
            console.print("")
        return
    if list_what_ifs:
        try:
            declared = what_ifs_of(load_scenario(scenario, set_))
        except DetenteError as err:
            fail(err)
        for name, text in declared.items():
            console.print(f"{safe(name)}: {safe(text)}", markup=False)
        if not declared:
            console.print("this scenario declares no what-ifs", markup=False)
        return
    what_ifs = list(what_if or [])
    label = " + ".join(what_ifs) if what_ifs else None
    try:
        s = with_record(load_scenario(scenario, set_), record)
        shocked = None
        for name in what_ifs:
            shocked = apply_what_if(shocked if shocked is not None else s, name)
    except DetenteError as err:
        fail(err)

    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    n_sims = 2 if shocked is not None else 1
    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} months"),
        TimeElapsedColumn(),
        console=typer_err_console(),
        transient=True,
        disable=json_,
    ) as bar:
        task = bar.add_task(f"simulating {runs} runs", total=months * n_sims)

        def tick(k: int) -> None:
            bar.advance(task, k)

        try:
            base = run_simulation(
                s,
                months=months,
                runs=runs,
                seed=seed,
                progress=tick,
                groups=groups,
            )
            result = base
            if shocked is not None:
                result = run_simulation(
                    shocked,
                    months=months,
                    runs=runs,
                    seed=seed,
                    progress=tick,
                    what_if=label,
                    groups=groups,
                )
        except DetenteError as err:
            fail(err)
    diff = compare(base, result) if shocked is not None else None
    record_if_asked(
        store,
        "simulate",
        {**result.to_dict(), **({"change_vs_baseline": diff} if diff is not None else {})},
    )
    if plot is not None:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        axes = result.plot()
        try:
            with atomic_path(plot, "--plot") as tmp:
                axes[0].figure.savefig(tmp, format=plot.suffix.lstrip(".").lower())
        except DetenteError as err:
            fail(err)
        finally:
            plt.close(axes[0].figure)
    if json_:
        out = result.to_dict()
        if diff is not None:
            out["change_vs_baseline"] = diff
        print_json(out)
        return
    console.print(result.summary(), markup=False, soft_wrap=True)
    if diff is not None:
        console.print("")
        console.print(f"Change against the baseline (what-if {label}):", markup=False)
        console.print(
            f"{'horizon':>8} {'dP(talks)':>10} {'dP(agreem.)':>11} {'dP(crisis)':>10}", markup=False
        )
        for h, d in diff.items():
            console.print(
                f"{h:>6} m {d['talks']:>+10.3f} {d['agreement']:>+11.3f} {d['crisis']:>+10.3f}",
                markup=False,
            )
    if plot is not None:
        console.print(f"fan chart written to {safe(plot)}", soft_wrap=True)


def typer_err_console() -> Any:
    from ._common import err_console

    return err_console


@app.command()
def calibrate(json_: JsonOption = False) -> None:
    """Fit the dynamics to the packaged record and print the parameters and scores."""
    from ..dynamics.calibration import calibrate as run_calibration

    try:
        cal = run_calibration()
    except DetenteError as err:
        fail(err)
    if json_:
        print_json(cal.to_dict())
    else:
        console.print(cal.summary(), markup=False, soft_wrap=True)


def _backtest_app() -> Any:
    from .backtest_cmd import backtest_app

    return backtest_app


@_backtest_app().command("dynamics")
def backtest_dynamics(
    scenario: ScenarioArg,
    runs: Annotated[
        int, typer.Option("--runs", min=20, max=100_000, help="Monte Carlo runs per origin.")
    ] = 400,
    seed: SeedOption = defaults.SEED,
    json_: JsonOption = False,
    save: Annotated[
        bool,
        typer.Option(
            "--save",
            help="Store the summary beside the record (the report reads it): backtest.json in a "
            "record's folder, NAME.backtest.json beside a CSV record NAME.csv.",
        ),
    ] = False,
    fit: Annotated[
        bool,
        typer.Option(
            "--fit",
            help="First fit the simulation's parameters on the training origins and print them.",
        ),
    ] = False,
    test_only: Annotated[
        bool,
        typer.Option(
            "--test-only", help="Score the test origins only (faster; no training scores)."
        ),
    ] = False,
    set_: SetOption = None,
    record: RecordOption = None,
    executor: ExecutorOption = None,
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
) -> None:
    """Score simulate() from rolling origins on the case's record against three baselines.

    The origins run in this process unless --executor, --workers or --scheduler say otherwise
    (the numbers are the same wherever they run). The seed defaults to 2021 (detente's
    defaults.SEED), as for every other command; the stored summary is keyed by it."""
    from ..dynamics.backtest import BASELINES, TARGETS, backtest
    from ._executor_opts import backtest_spec_or_fail

    spec = backtest_spec_or_fail(executor, workers, scheduler)
    from .._outputs import check_output
    from ..dynamics.verdicts import backtest_key, backtest_verdicts, save_summary, summary_path

    try:
        s = with_record(load_scenario(scenario, set_), record)
        if save and s.roles is not None and s.roles.record is not None:
            # beside the record (a user's CSV: NAME.backtest.json): checked before the work
            check_output(summary_path(s.roles.record), "--save")
        fitted = None
        if fit:
            from ..dynamics.fit import fit as run_fit

            fitted = run_fit(s, seed=seed)
        params = {k: v[0] for k, v in fitted.parameters.items()} if fitted else None
        samples = ("test",) if test_only else ("train", "test")
        result = backtest(
            s, runs=runs, seed=seed, parameters=params, samples=samples, executor=spec
        )
    except DetenteError as err:
        fail(err)
    summary = result.summary_dict()
    if fitted is not None:
        summary["fitted"] = {
            k: {"value": v[0], "low": v[1], "high": v[2], "provenance": v[3]}
            for k, v in fitted.parameters.items()
        }
    summary["verdicts"] = backtest_verdicts(summary)
    if save:
        assert s.roles is not None and s.roles.record is not None
        path = save_summary(summary, s.roles.record, backtest_key(s, summary["settings"]))
        if not json_:
            console.print(f"summary written to {path}", markup=False)
    if json_:
        print_json(summary)
        return
    st = summary["settings"]
    console.print(
        f"Backtest of the dynamics of {st['scenario']} on record {st['record']}: origins every "
        f"6 months from {st['first_origin']}; training origins to {st['train_last_origin']}, "
        f"test origins from {st['test_first_origin']} (out of sample), {st['runs']} runs each; "
        f"parameter uncertainty: {st.get('parameter_uncertainty', 'the scenario ranges')}.",
        markup=False,
        soft_wrap=True,
    )
    shown = (*BASELINES, "duration")
    head = f"{'target':<18} {'h':>3} {'n':>3} {'simulation':>10} " + " ".join(
        f"{b:>11}" for b in shown
    )
    console.print(head, markup=False)
    for target, spec in summary["targets"].items():
        for h, r in spec["horizons"].items():
            cells = " ".join(
                f"{r['baselines'][b]:>10.4f}{'' if r['beats'][b] else '*'}"
                if b in r["baselines"]
                else f"{'-':>11}"
                for b in shown
            )
            console.print(
                f"{target:<18} {h:>3} {r['n_test_origins']:>3} {r['simulation']:>10.4f} {cells}",
                markup=False,
            )
    console.print(
        "* the simulation does not beat this baseline; "
        + ", ".join(
            f"{t}: {'higher' if hi else 'lower'} is better" for t, (_, hi) in TARGETS.items()
        ),
        markup=False,
        soft_wrap=True,
    )
    if fitted is not None:
        console.print("\nFitted on the training data:", markup=False)
        for k, v in fitted.parameters.items():
            console.print(f"  {k:<30} {v[0]:>9.4f}  [{v[1]:.4f}, {v[2]:.4f}]", markup=False)
    console.print("", markup=False)
    for line in summary["verdicts"]:
        console.print(f"- {line}", markup=False, soft_wrap=True)
