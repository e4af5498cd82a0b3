"""``detente backtest``: score forecasts against what happened.

The command group is :data:`backtest_app`; each backtest is a subcommand: ``outcomes`` here,
``dynamics`` in :mod:`detente.cli.dynamics_cmd` (it imports :data:`backtest_app` and adds
itself with ``@backtest_app.command("dynamics")``).
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich import box
from rich.table import Table

from .. import defaults
from ..errors import DetenteError, ModelError, Problem, ScenarioError
from ._common import JsonOption, app, console, fail, print_json, progress_steps
from ._executor_opts import ExecutorOption, SchedulerOption, WorkersOption
from ._limits import SeedOption

__all__ = ["backtest_app"]

backtest_app = typer.Typer(
    name="backtest",
    help="Score forecasts against what happened.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)
app.add_typer(backtest_app, name="backtest")


@backtest_app.command("outcomes")
def outcomes(
    file: Annotated[
        str,
        typer.Argument(
            help="An outcome dataset: a DEU-layout table (pX/sX columns, rp, out, prnr) or a "
            "YAML file with an 'outcomes:' list (see docs/backtest.md)."
        ),
    ],
    model: Annotated[
        str,
        typer.Option("--model", "-m", help="Model names, comma-separated, or 'all'."),
    ] = "all",
    capabilities: Annotated[
        str | None,
        typer.Option(
            "--capabilities",
            help="equal, column:NAME (actor X's capability in column NAMEX), or a CSV table "
            "actor,capability. Default: the file's own (equal for DEU tables).",
        ),
    ] = None,
    seed: SeedOption = defaults.SEED,
    n_boot: Annotated[
        int, typer.Option("--bootstrap", help="Bootstrap resamples of the proposals.")
    ] = 2000,
    folds: Annotated[
        int, typer.Option("--folds", help="Outer cross-validation folds (grouped by proposal).")
    ] = 10,
    no_ensemble: Annotated[
        bool,
        typer.Option(
            "--no-ensemble", help="Skip the learned forecasters (ensemble, fitted capabilities)."
        ),
    ] = False,
    plot: Annotated[
        str | None,
        typer.Option("--plot", help="Write a chart of MAE minus compromise's to PATH.png."),
    ] = None,
    train: Annotated[
        str | None,
        typer.Option(
            "--train",
            help="Fit every learned forecaster on this dataset only (same layouts as FILE) and "
            "score on FILE. Without it: grouped cross-validation inside FILE.",
        ),
    ] = None,
    save_capabilities: Annotated[
        str | None,
        typer.Option(
            "--save-capabilities",
            help="Write the fitted capability multipliers (fitted on --train, or on FILE "
            "without it) to PATH as JSON, for 'detente forecast --capabilities PATH'.",
        ),
    ] = None,
    json_out: JsonOption = False,
    executor: ExecutorOption = None,
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
) -> None:
    """Run every model on decisions with observed outcomes and score it against baselines.

    Prints MAE and RMSE per model and baseline (midpoint, status quo, weighted mean =
    compromise, weighted median, unweighted mean; on EU data also council_weights and
    commission), each with a paired bootstrap 95% interval of its MAE minus compromise's
    (resampling proposals), and the learned forecasters: cross-validated inside FILE, or
    with --train fitted on TRAIN only and scored on FILE.
    With --json: {"dataset", "reference", "scores", "failures", "ensemble",
    "fitted_capabilities", "protocol", "train", "learned", "notes", "params", "issues"}.
    """
    # lazy imports: the analysis stack loads only when the command runs (CLI start-up time)
    from .._outputs import check_output, write_atomic
    from ..analysis.backtest import run_backtest
    from ..analysis.capfile import format_capability_file
    from ..analysis.outcomes import read_outcomes
    from ..analysis.transfer import full_fit_of, run_train_test
    from ..models import MODELS, get_model
    from ._executor_opts import backtest_spec_or_fail

    spec = backtest_spec_or_fail(executor, workers, scheduler)
    if n_boot < 100:
        fail(ModelError(f"--bootstrap must be at least 100; got {n_boot}"))
    if folds < 2:
        fail(ModelError(f"--folds must be at least 2; got {folds}"))
    if save_capabilities and no_ensemble:
        fail(ModelError("--save-capabilities needs the learned forecasters; drop --no-ensemble"))
    if train and no_ensemble:
        fail(ModelError("--train fits the learned forecasters; drop --no-ensemble"))
    try:
        if save_capabilities:
            check_output(save_capabilities, "--save-capabilities")
        names = (
            list(MODELS) if model == "all" else [m.strip() for m in model.split(",") if m.strip()]
        )
        if not names:
            raise ModelError("--model names no model; give a model name or 'all'")
        for n in names:
            get_model(n)
        data = read_outcomes(file, capabilities=capabilities)
        train_data = read_outcomes(train, capabilities=capabilities) if train else None
        if train_data is None:
            total = len(names) * len(data.decisions) + (0 if no_ensemble else 2)
            with progress_steps(total, "backtest", json_out) as step:
                result = run_backtest(
                    data,
                    models=names,
                    seed=seed,
                    n_boot=n_boot,
                    ensemble=not no_ensemble,
                    n_folds=folds,
                    progress=step,
                    executor=spec,
                )
        else:
            total = len(names) * (len(data.decisions) + len(train_data.decisions)) + 4
            with progress_steps(total, "backtest", json_out) as step:
                result = run_train_test(
                    data,
                    train_data,
                    models=names,
                    seed=seed,
                    n_boot=n_boot,
                    progress=step,
                    executor=spec,
                )
        if plot:
            _save_plot(result, plot)
        if save_capabilities:
            fit = result.capability_fit or full_fit_of(result, data)
            if fit is None:
                raise ModelError("no capabilities were fitted (too few proposals with outcomes)")
            write_atomic(save_capabilities, format_capability_file(fit))
    except DetenteError as err:
        fail(err)
    except ValueError as err:  # too few proposals to fit on
        fail(ModelError(str(err)))
    if json_out:
        print_json(result.to_dict())
        return
    _render(result)


def _save_plot(result: Any, path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ax = result.plot()
    try:
        ax.figure.savefig(path, dpi=120, bbox_inches="tight")
    except (OSError, ValueError) as err:
        raise ScenarioError(
            [
                Problem(
                    f"cannot write the plot: {err}",
                    "give a writable .png, .svg or .pdf path",
                    field="--plot",
                )
            ]
        ) from None
    finally:
        plt.close(ax.figure)


def _render(r: Any) -> None:
    ds = r.dataset
    console.print(
        f"[bold]Outcome backtest[/] on {ds['name']}: {ds['n_decisions']} decisions, "
        f"{ds['n_issues']} issues, {ds['n_observed']} with an observed outcome; capabilities "
        f"{ds['capabilities']}",
        soft_wrap=True,
    )
    t = Table(box=box.SIMPLE_HEAD, padding=(0, 1, 0, 0), pad_edge=False)
    for head, just in (
        ("forecaster", "left"),
        ("kind", "left"),
        ("n", "right"),
        ("none", "right"),
        ("MAE", "right"),
        ("RMSE", "right"),
        ("ΔMAE [95% CI]", "right"),
    ):
        t.add_column(head, justify=just, no_wrap=True)  # type: ignore[arg-type]
    for s in r.scores:
        d = s["mae_minus_reference"]
        ci = "—" if d is None else f"{d:+.2f} [{s['ci_low']:+.2f}, {s['ci_high']:+.2f}]"
        style = "bold" if s["kind"] == "ensemble" else None
        t.add_row(
            s["forecaster"],
            s["kind"],
            str(s["n"]),
            str(s["n_no_outcome"]),
            "—" if s["mae"] is None else f"{s['mae']:.2f}",
            "—" if s["rmse"] is None else f"{s['rmse']:.2f}",
            ci,
            style=style,
        )
    console.print(t)
    console.print(
        "n: issues scored; none: observed issues the forecaster gave no outcome for; "
        f"ΔMAE: MAE minus {r.reference}'s, with a paired bootstrap interval over proposals",
        style="dim",
        soft_wrap=True,
    )
    for name, f in r.failures.items():
        if f["decisions"]:
            console.print(
                f"{name} raised on {f['decisions']} decisions, e.g. {f['examples'][0]}",
                soft_wrap=True,
                markup=False,
            )
    if r.train is not None:
        console.print(
            f"Learned forecasters fitted on {r.train['name']} only ({r.train['n_decisions']} "
            f"decisions); scored on {ds['name']}.",
            soft_wrap=True,
            markup=False,
        )
    for line in r.verdicts():
        console.print(line, soft_wrap=True)
    for k, n in enumerate(r.notes, 1):
        console.print(f"[{k}] {n}", soft_wrap=True, markup=False, style="dim")
