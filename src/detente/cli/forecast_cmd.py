"""``detente forecast``: predicted outcomes per issue from one or all bargaining models."""

from __future__ import annotations

from dataclasses import fields
from typing import Annotated, Any

import typer
from rich.table import Table

from ..errors import DetenteError, ModelError
from ._common import (
    FromOption,
    JsonOption,
    ScenarioArg,
    SetOption,
    app,
    console,
    fail,
    load_scenario,
    print_json,
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
    scenario: Any, names: list[str], rounds: int | None, seed: int | None
) -> dict[str, Any]:
    """Forecasts by model name; ``rounds`` applies to the models that iterate."""
    from ..models import MODELS, get_model

    out = {}
    for name in names:
        model = get_model(name)  # raises ModelError with a hint for unknown names
        if rounds is not None and is_iterative(MODELS[name]):
            model = get_model(name, rounds=rounds)
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
    seed: SeedOption = 0,
    json_out: JsonOption = False,
    set_: SetOption = None,
    fmt: FromOption = None,
) -> None:
    """Predict the outcome of every issue with one or all bargaining models.

    The table shows, per issue, the range of the actors' positions, the status quo and each
    model's predicted outcome. With --json: {"scenario": ..., "models": {name: {"outcome": ...,
    "trace": [...], ...}}}, the trace listing positions (actor -> issue -> value) from round 0.
    """
    try:
        s = load_scenario(scenario, set_, fmt)
        names = model_names(model)
        if not names:
            raise ModelError("--model names no model; give a model name or 'all'")
        results = run_forecasts(s, names, rounds, seed)
    except DetenteError as err:
        fail(err)
    if json_out:
        print_json({"scenario": s.id, "models": {n: f.to_dict() for n, f in results.items()}})
        return
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

    a = s.to_arrays()
    from rich import box

    console.print(f"[bold]Forecasts for {safe(s.id)}[/]: {safe(s.meta.title)}", soft_wrap=True)
    rows = []
    for j, issue in enumerate(s.issues):
        h = a.has_stance[:, j]
        rng = f"{a.positions[h, j].min():.3g}-{a.positions[h, j].max():.3g}" if h.any() else "-"
        row = [issue.id, rng, f"{a.status_quo[j]:.3g}"]
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
        "actors: range of the actors' positions; SQ: status quo; —: no agreement"
        + ("; " + ", ".join(legend) if legend else ""),
        soft_wrap=True,
        style="dim",
    )
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
