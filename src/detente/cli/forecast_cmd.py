"""``detente forecast``: predicted outcomes per issue from one or all bargaining models."""

from __future__ import annotations

from dataclasses import fields
from typing import Annotated, Any

import typer
from rich.table import Table

from .. import defaults
from ..errors import DetenteError, ModelError
from ._common import (
    FromOption,
    JsonOption,
    ScenarioArg,
    SetOption,
    StoreOption,
    app,
    console,
    fail,
    load_scenario,
    print_json,
    record_if_asked,
    safe,
)
from ._limits import RoundsOption, SeedOption

# Display order for --model all; models registered later (by other modules) follow by name.
_ORDER = (
    "compromise",
    "median",
    "condorcet",
    "eum",
    "exchange",
    "nash",
    "kalai_smorodinsky",
    "egalitarian",
)


def model_names(choice: str) -> list[str]:
    """The models to run for ``--model`` (a name, a comma-separated list, or ``all``)."""
    from ..models import MODELS

    if choice == "all":
        return [m for m in _ORDER if m in MODELS] + sorted(set(MODELS) - set(_ORDER))
    return [c.strip() for c in choice.split(",") if c.strip()]


def is_iterative(model_cls: Any) -> bool:
    return any(f.name == "rounds" for f in fields(model_cls))


def run_forecasts(
    scenario: Any,
    names: list[str],
    rounds: int | None,
    seed: int | None,
    *,
    respect_veto: bool = True,
) -> dict[str, Any]:
    """Forecasts by model name; ``rounds`` applies to the models that iterate."""
    from ..models import MODELS, get_model

    out = {}
    for name in names:
        get_model(name)  # raises ModelError with a hint for unknown names
        settings: dict[str, Any] = {"respect_veto": respect_veto}
        if rounds is not None and is_iterative(MODELS[name]):
            settings["rounds"] = rounds
        model = get_model(name, **settings)
        out[name] = model.forecast(scenario, seed=seed)
    return out


@app.command()
def forecast(
    scenario: ScenarioArg,
    model: Annotated[
        str,
        typer.Option(
            "--model",
            "-m",
            help="A model name (compromise, median, condorcet, eum, exchange, nash, "
            "kalai_smorodinsky, egalitarian), a comma-separated list, or 'all'.",
        ),
    ] = "all",
    rounds: RoundsOption = None,
    trace: Annotated[
        bool, typer.Option("--trace", help="Print each model's explained moves and notes.")
    ] = False,
    seed: SeedOption = defaults.SEED,
    ignore_veto: Annotated[
        bool,
        typer.Option(
            "--ignore-veto",
            help="Show each model's raw outcome, not constrained to what the veto players "
            "accept (respect_veto=False; see docs/models/contract.md).",
        ),
    ] = False,
    json_out: JsonOption = False,
    set_: SetOption = None,
    fmt: FromOption = None,
    store: StoreOption = None,
    capabilities: Annotated[
        str | None,
        typer.Option(
            "--capabilities",
            help="A capability file (JSON, from 'detente backtest outcomes "
            "--save-capabilities'): multiply each listed actor's capability by its fitted "
            "multiplier; actors not listed keep theirs (docs/backtest.md).",
        ),
    ] = None,
) -> None:
    """Predict the outcome of every issue with one or all bargaining models.

    The table shows, per issue, the range of the actors' positions, the status quo and each
    model's predicted outcome, constrained to what the veto players accept (then a second
    table with each model's own outcome where the constraint changed it). With --json:
    {"scenario": ..., "models": {name: {"outcome": ..., "unconstrained_outcome": ...,
    "veto_note": {issue: ...}, "trace": [...], ...}}}, the trace listing positions
    (actor -> issue -> value) from round 0.
    """
    try:
        s = load_scenario(scenario, set_, fmt)
        unlisted: list[str] = []
        if capabilities:
            # lazy import: loaded only when the option is given (CLI start-up time)
            from ..analysis.capfile import apply_capabilities, read_capability_file

            s, unlisted = apply_capabilities(
                s, read_capability_file(capabilities), source=capabilities
            )
        names = model_names(model)
        if not names:
            raise ModelError("--model names no model; give a model name or 'all'")
        results = run_forecasts(s, names, rounds, seed, respect_veto=not ignore_veto)
    except DetenteError as err:
        fail(err)
    record_if_asked(
        store,
        "forecast",
        {"scenario": s.id, "models": {n: f.to_dict() for n, f in results.items()}},
    )
    if json_out:
        out: dict[str, Any] = {
            "scenario": s.id,
            "models": {n: f.to_dict() for n, f in results.items()},
        }
        if capabilities:
            out["capabilities"] = {"file": capabilities, "actors_not_listed": unlisted}
        print_json(out)
        return
    if capabilities:
        console.print(
            f"Capabilities multiplied as in {capabilities}"
            + (f"; not listed (unchanged): {', '.join(unlisted)}" if unlisted else ""),
            soft_wrap=True,
            markup=False,
            style="dim",
        )
    render_forecasts(s, results, trace=trace)


_SHORT = {
    "compromise": "mean",
    "median": "med",
    "condorcet": "cond",
    "exchange": "exch",
    "nash": "nash",
    "kalai_smorodinsky": "KS",
    "egalitarian": "egal",
    "eum": "eum",
}


def render_forecasts(s: Any, results: dict[str, Any], *, trace: bool = False) -> None:
    import numpy as np
    from rich import box

    from ..models import veto as _veto_rules

    assumed = _veto_rules.status_quo_assumed(s)
    a = (_veto_rules.with_reference_point(s, assumed)[0] if assumed else s).to_arrays()

    console.print(f"[bold]Forecasts for {safe(s.id)}[/]: {safe(s.meta.title)}", soft_wrap=True)
    rows = []
    for j, issue in enumerate(s.issues):
        h = a.has_stance[:, j]
        rng = f"{a.positions[h, j].min():.3g}-{a.positions[h, j].max():.3g}" if h.any() else "-"
        sq = f"{a.status_quo[j]:.3g}" + ("*" if issue.id in assumed else "")
        row = [issue.id, rng, sq]
        for f in results.values():
            v = float(f.outcome[j])
            row.append("—" if not np.isfinite(v) else f"{v:.3g}")
        rows.append(row)
    headers = ["issue", "actors", "SQ", *[_SHORT.get(n, n) for n in results]]
    t = Table(box=box.SIMPLE_HEAD, padding=(0, 1, 0, 0), pad_edge=False)
    # numbers never wrap; on a narrow terminal the issue names fold instead
    t.add_column("issue", overflow="fold", min_width=max(len(i.id) for i in s.issues))
    for k, head in enumerate(headers[1:], 1):
        width = max(len(head), *(len(r[k]) for r in rows))
        t.add_column(head, justify="right", no_wrap=True, min_width=width)
    for row in rows:
        t.add_row(*row)
    console.print(t)
    legend = [f"{_SHORT.get(n, n)} = {n}" for n in results if _SHORT.get(n, n) != n]
    legend += [
        f"{_SHORT.get(n, n)} played {f.n_rounds} rounds" for n, f in results.items() if f.n_rounds
    ]
    console.print(
        "actors: range of the actors' positions; SQ: status quo"
        + (
            " (*: none given; the models' reference point, the weighted mean of the stances)"
            if assumed
            else ""
        )
        + "; —: no agreement"
        + ("; " + ", ".join(legend) if legend else ""),
        soft_wrap=True,
        style="dim",
    )
    _render_unconstrained(s, results)
    # one line per distinct verdict of the bargaining solutions
    verdicts: dict[tuple[bool, str, str], list[str]] = {}
    for name, f in results.items():
        if "agreement" in f.extra:
            key = (
                bool(f.extra["agreement"]),
                ", ".join(f.extra.get("players", [])),
                str(f.extra.get("reason", "")),
            )
            verdicts.setdefault(key, []).append(name)
    vetoes: dict[tuple[str, str], list[str]] = {}
    for name, f in results.items():
        status = f.veto.get("status", "")
        if status in ("projected", "blocked"):
            vetoes.setdefault((status, str(f.veto.get("reason", ""))), []).append(name)
    for (status, reason), names in vetoes.items():
        what = (
            "no change is accepted by every veto player, so issues they hold stay at the status quo"
            if status == "blocked"
            else "moved to the nearest package every veto player accepts"
        )
        console.print(f"{', '.join(names)}: {what}: {reason}.", soft_wrap=True)
    for (agreement, players, reason), names in verdicts.items():
        who = ", ".join(names)
        if agreement:
            console.print(
                f"{who}: some package beats the status quo for every bargaining player "
                f"({players}).",
                soft_wrap=True,
            )
        else:
            console.print(
                f"{who}: no package beats the status quo for every bargaining player "
                f"({players}): {reason}.",
                soft_wrap=True,
            )
    if trace:
        from ..models import MODELS

        for name, f in results.items():
            console.rule(f"{name}")
            if f.moves:
                for m in f.moves:
                    console.print(f"  r{m.round}: {m.explanation}", soft_wrap=True, markup=False)
            elif name in MODELS and is_iterative(MODELS[name]):
                console.print("  (no moves: nobody had a reason to move)")
            else:
                console.print("  (no moves: a one-shot model)")
            for k, n in enumerate(f.notes, 1):
                console.print(f"  [{k}] {n}", soft_wrap=True, markup=False)


def _render_unconstrained(s: Any, results: dict[str, Any]) -> None:
    """The models' own outcomes where the veto constraint changed them (a second table)."""
    import numpy as np
    from rich import box

    changed = {
        n: f
        for n, f in results.items()
        if f.unconstrained is not None
        and not np.allclose(f.unconstrained, f.outcome, rtol=0, atol=1e-9, equal_nan=True)
    }
    if not changed:
        return
    console.print("Before the veto constraint (each model's own outcome):", soft_wrap=True)
    t = Table(box=box.SIMPLE_HEAD, padding=(0, 1, 0, 0), pad_edge=False)
    t.add_column("issue", overflow="fold")
    for n in changed:
        t.add_column(_SHORT.get(n, n), justify="right", no_wrap=True)
    for j, issue in enumerate(s.issues):
        cells = []
        for f in changed.values():
            v = float(f.unconstrained[j])
            cells.append("—" if not np.isfinite(v) else f"{v:.3g}")
        t.add_row(issue.id, *cells)
    console.print(t)
