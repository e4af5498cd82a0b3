"""The result of a dynamics Monte Carlo: paths, probabilities by month, provocations.

``P(mode)`` at month ``t`` is the share of runs in that mode at the end of month ``t``;
``P(talks by t)``, ``P(agreement by t)`` and ``P(crisis by t)`` are the shares of runs that
have been in talks (any of limited, substantive, agreement), in agreement or in crisis at
least once by the end of month ``t`` (the probabilities the what-if table reports).
Provocation intervals are the 5th and 95th percentiles of the monthly count across runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from .kernel import AGREEMENT, CRISIS, IMPASSE, KINDS, LIMITED, MODES, SUBSTANTIVE

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["HORIZONS", "DynamicsResult"]

#: The horizons (months) at which summaries and what-ifs report probabilities.
HORIZONS = (6, 12, 24, 36)


@dataclass(frozen=True, eq=False)
class DynamicsResult:
    """Monte Carlo paths of the monthly dynamics.

    Arrays are (months, runs) unless stated: ``modes`` (int index into :data:`MODES`),
    ``provocations`` (count of events), ``missiles`` (missiles launched), ``rate`` (the
    provocation rate each run drew its count from), ``active`` (the provocations' active
    regime), ``choices`` (months, runs, actors: index into :data:`KINDS`),
    ``instigated`` (the challenger chose to manufacture a crisis), ``zone`` and ``gap``
    (the bargaining set as the runs saw it), ``change_challenger`` / ``change_defender``
    (a dramatic political change that month). ``group`` (runs,) is each run's parameter
    group and ``draws`` the groups' draws of the uncertain inputs (a batched
    ``ScenarioArrays``, one row per group); ``dispersion`` holds each run's
    negative-binomial sizes (``provocations``, ``missiles``) and
    ``missiles_per_provocation``, so predictive distributions can be mixed exactly.
    ``calibrated`` is False when the scenario names no record.
    """

    scenario_id: str
    months: tuple[str, ...]
    actor_ids: tuple[str, ...]
    challenger: str
    defender: str
    seed: int | None
    modes: np.ndarray
    provocations: np.ndarray
    choices: np.ndarray
    instigated: np.ndarray
    zone: np.ndarray
    gap: np.ndarray
    change_challenger: np.ndarray
    change_defender: np.ndarray
    missiles: np.ndarray | None = None
    active: np.ndarray | None = None
    rate: np.ndarray | None = None
    group: np.ndarray | None = None
    draws: Any = None
    dispersion: dict[str, np.ndarray] = field(default_factory=dict)
    calibrated: bool = False
    what_if: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    # ----- derived quantities --------------------------------------------------------
    @property
    def n_runs(self) -> int:
        return int(self.modes.shape[1])

    @property
    def n_months(self) -> int:
        return int(self.modes.shape[0])

    def p_mode(self) -> dict[str, np.ndarray]:
        """Mode -> (months,) share of runs in that mode at the end of each month."""
        return {m: (self.modes == k).mean(axis=1) for k, m in enumerate(MODES)}

    @property
    def in_talks(self) -> np.ndarray:
        return (self.modes == LIMITED) | (self.modes == SUBSTANTIVE) | (self.modes == AGREEMENT)

    def p_ever(self) -> dict[str, np.ndarray]:
        """Event -> (months,) share of runs where it has happened by the end of each month."""
        ever = {
            "talks": self.in_talks,
            "substantive_talks": (self.modes == SUBSTANTIVE) | (self.modes == AGREEMENT),
            "agreement": self.modes == AGREEMENT,
            "crisis": self.modes == CRISIS,
            "leadership_change": self.change_challenger | self.change_defender,
        }
        return {k: np.logical_or.accumulate(v, axis=0).mean(axis=1) for k, v in ever.items()}

    def changed(self, horizon: int | None = None) -> np.ndarray:
        """Per run: a dramatic political change in either capital by the horizon."""
        t = self.n_months if horizon is None else horizon
        return np.asarray((self.change_challenger[:t] | self.change_defender[:t]).any(axis=0))

    def at_by_change(self, horizon: int) -> dict[str, dict[str, float] | float]:
        """P(talks / agreement / crisis by the horizon) over all runs, over the runs without
        a political change in either capital by then, and over those with one; and the
        share of runs with a change."""
        if not 1 <= horizon <= self.n_months:
            raise ValueError(f"horizon must be in 1..{self.n_months}; got {horizon}")
        changed = self.changed(horizon)
        talks = np.asarray(self.in_talks[:horizon].any(axis=0))
        agreement = np.asarray((self.modes[:horizon] == AGREEMENT).any(axis=0))
        crisis = np.asarray((self.modes[:horizon] == CRISIS).any(axis=0))

        def share(sel: np.ndarray) -> dict[str, float]:
            if not sel.any():
                return {"talks": float("nan"), "agreement": float("nan"), "crisis": float("nan")}
            return {
                "talks": float(talks[sel].mean()),
                "agreement": float(agreement[sel].mean()),
                "crisis": float(crisis[sel].mean()),
            }

        return {
            "all_runs": share(np.ones_like(changed)),
            "no_change": share(~changed),
            "with_change": share(changed),
            "p_change": float(changed.mean()),
        }

    def at(self, horizon: int) -> dict[str, float]:
        """P(talks / agreement / crisis by the horizon), P(impasse at it), P(no talks at all up to
        it) and P(no substantive talks or agreement up to it)."""
        if not 1 <= horizon <= self.n_months:
            raise ValueError(f"horizon must be in 1..{self.n_months}; got {horizon}")
        ever = self.p_ever()
        t = horizon - 1
        return {
            "talks": float(ever["talks"][t]),
            "agreement": float(ever["agreement"][t]),
            "crisis": float(ever["crisis"][t]),
            "impasse_now": float((self.modes[t] == IMPASSE).mean()),
            "impasse_throughout": float((~(self.in_talks[: t + 1]).any(axis=0)).mean()),
            "no_substantive_throughout": float(
                (
                    ~(
                        (self.modes[: t + 1] == SUBSTANTIVE) | (self.modes[: t + 1] == AGREEMENT)
                    ).any(axis=0)
                ).mean()
            ),
        }

    def time_to_first_talks(self) -> np.ndarray:
        """Per run, the month (1-based) talks first started; NaN when they never did."""
        talks = self.in_talks
        first = talks.argmax(axis=0).astype(float) + 1
        first[~talks.any(axis=0)] = np.nan
        return first

    def substantive_given_talks(self) -> float:
        """Share of runs with talks in which talks ever became substantive (NaN without talks)."""
        talks = self.in_talks.any(axis=0)
        subst = ((self.modes == SUBSTANTIVE) | (self.modes == AGREEMENT)).any(axis=0)
        return float(subst[talks].mean()) if talks.any() else float("nan")

    def provocation_stats(self) -> dict[str, np.ndarray]:
        """Per month: mean count, 5th and 95th percentiles across runs; and the 5th and
        95th percentiles of the cumulative count (monthly counts are small integers, so
        their percentiles are flat; the cumulative ones fan out)."""
        p = self.provocations.astype(float)
        cum = np.cumsum(p, axis=0)
        return {
            "mean": p.mean(axis=1),
            "low": np.percentile(p, 5, axis=1),
            "high": np.percentile(p, 95, axis=1),
            "cumulative_low": np.percentile(cum, 5, axis=1),
            "cumulative_high": np.percentile(cum, 95, axis=1),
        }

    def choice_shares(self, actor: str) -> dict[str, float]:
        """Share of run-months in which ``actor`` chose each kind of tool."""
        k = self.actor_ids.index(actor)
        ch = self.choices[:, :, k]
        return {kind: float((ch == j).mean()) for j, kind in enumerate(KINDS)}

    # ----- views ---------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: months, p_mode, p_ever, provocations, horizons, time to first talks."""
        ttf = self.time_to_first_talks()
        prov = self.provocation_stats()
        return {
            "scenario": self.scenario_id,
            "what_if": self.what_if,
            "seed": self.seed,
            "runs": self.n_runs,
            "months": list(self.months),
            "challenger": self.challenger,
            "defender": self.defender,
            "p_mode": {k: v.round(6).tolist() for k, v in self.p_mode().items()},
            "p_ever": {k: v.round(6).tolist() for k, v in self.p_ever().items()},
            "provocations": {k: v.round(6).tolist() for k, v in prov.items()},
            "horizons": {str(h): self.at(h) for h in HORIZONS if h <= self.n_months},
            "by_political_change": {
                str(h): self.at_by_change(h) for h in HORIZONS if h <= self.n_months
            },
            "calibrated": self.calibrated,
            "groups": None if self.group is None else int(self.group.max()) + 1,
            "time_to_first_talks": {
                "share_with_talks": float(np.isfinite(ttf).mean()),
                "median_months": _nan_none(np.nanmedian(ttf)) if np.isfinite(ttf).any() else None,
            },
            "substantive_given_talks": _nan_none(self.substantive_given_talks()),
            "choices": {a: self.choice_shares(a) for a in (self.challenger, self.defender)},
            "notes": list(self.notes),
        }

    def to_frame(self) -> pd.DataFrame:
        """Tidy monthly table: month, p_<mode>, p_ever_<event>, provocations mean/low/high."""
        import pandas as pd  # only where a table is asked for (a simulation needs none)

        df = pd.DataFrame({"month": list(self.months)})
        for k, v in self.p_mode().items():
            df[f"p_{k}"] = v
        for k, v in self.p_ever().items():
            df[f"p_ever_{k}"] = v
        for k, v in self.provocation_stats().items():
            df[f"provocations_{k}"] = v
        return df

    def _repr_html_(self) -> str:
        from .._notebook import html_repr

        return html_repr(repr(self), self.summary(), self.to_frame())

    def summary(self) -> str:
        """A plain-text summary: probabilities by horizon, time to talks, provocations."""
        head = f"Dynamics of {self.scenario_id}: {self.n_runs} runs x {self.n_months} months "
        head += f"from {self.months[0]}, seed {self.seed}"
        if self.what_if:
            head += f", what-if {self.what_if}"
        lines = [head, ""]
        lines.append(
            f"{'horizon':>8} {'P(talks)':>9} {'P(agreem.)':>10} {'P(crisis)':>9} {'impasse':>8}"
        )
        for h in HORIZONS:
            if h <= self.n_months:
                a = self.at(h)
                lines.append(
                    f"{h:>6} m {a['talks']:>9.3f} {a['agreement']:>10.3f} {a['crisis']:>9.3f} "
                    f"{a['impasse_now']:>8.3f}"
                )
        h = min(36, self.n_months)
        bc = self.at_by_change(h)
        nc, wc = bc["no_change"], bc["with_change"]
        assert isinstance(nc, dict) and isinstance(wc, dict)
        lines += [
            "",
            f"By month {h}, {bc['p_change']:.1%} of runs see a dramatic political change in "
            f"either capital: P(talks) {nc['talks']:.3f} without one, {wc['talks']:.3f} with one; "
            f"P(agreement) {nc['agreement']:.3f} / {wc['agreement']:.3f}.",
        ]
        if not self.calibrated:
            lines.append("Uncalibrated: the scenario names no record; judgement priors.")
        ttf = self.time_to_first_talks()
        share = np.isfinite(ttf).mean()
        med = f"{np.nanmedian(ttf):.0f} months" if share > 0 else "never"
        lines += [
            "",
            f"Talks ever start in {share:.1%} of runs (median first month among them: {med}).",
            f"P(substantive | talks) = {self.substantive_given_talks():.3f}.",
            f"Provocations per month: mean {self.provocations.mean():.2f} "
            f"(5-95 %: {self.provocation_stats()['low'].mean():.1f}-"
            f"{self.provocation_stats()['high'].mean():.1f}).",
            "",
            "Notes:",
            "  1. P(talks/agreement/crisis) are by the horizon (ever happened); impasse is at it.",
            "  2. Utilities mix fitted terms and judgement; see 'detente backtest dynamics' and docs/dynamics.md.",
        ]
        lines += [f"  {k + 3}. {n}" for k, n in enumerate(self.notes)]
        return "\n".join(lines)

    def __repr__(self) -> str:
        a = self.at(min(12, self.n_months))
        return (
            f"<DynamicsResult {self.scenario_id} runs={self.n_runs} months={self.n_months} "
            f"P(talks by 12m)={a['talks']:.3f} P(crisis by 12m)={a['crisis']:.3f}>"
        )

    def plot(self, ax: Any = None) -> Any:
        """Fan chart: stacked P(mode) by month above; cumulative provocations (mean, 25-75 % and
        5-95 % bands across runs) below. Returns the axes."""
        import matplotlib.pyplot as plt

        if ax is None:
            fig, axes = plt.subplots(2, 1, figsize=(9, 6), sharex=True, height_ratios=[2, 1])
        else:
            axes = ax if np.ndim(ax) else [ax, ax.twinx()]
            fig = axes[0].figure
        x = np.arange(1, self.n_months + 1)
        pm = self.p_mode()
        colors = ["#9e9e9e", "#64b5f6", "#1e88e5", "#2e7d32", "#e53935"]
        axes[0].stackplot(x, *[pm[m] for m in MODES], labels=list(MODES), colors=colors, alpha=0.85)
        axes[0].set_ylim(0, 1)
        axes[0].set_ylabel("P(mode)")
        axes[0].legend(loc="lower left", fontsize=8, ncol=5, framealpha=0.9)
        title = f"{self.scenario_id}: {self.n_runs} runs"
        axes[0].set_title(title + (f" (what-if {self.what_if})" if self.what_if else ""))
        # fan of the cumulative count (monthly counts are small integers: their
        # percentiles are steps, the cumulative ones a proper fan)
        cum = np.cumsum(self.provocations.astype(float), axis=0)
        for lo, hi, alpha in ((5, 95, 0.2), (25, 75, 0.35)):
            axes[1].fill_between(
                x,
                np.percentile(cum, lo, axis=1),
                np.percentile(cum, hi, axis=1),
                color="#e53935",
                alpha=alpha,
                lw=0,
                label=f"{lo}-{hi} %",
            )
        axes[1].plot(x, cum.mean(axis=1), color="#b71c1c", label="mean")
        axes[1].set_ylabel("provocations\n(cumulative)")
        axes[1].set_xlabel("month")
        step = max(1, self.n_months // 6)
        axes[1].set_xticks(x[::step], [self.months[k] for k in range(0, self.n_months, step)])
        axes[1].legend(loc="upper left", fontsize=8)
        fig.tight_layout()
        return axes


def _nan_none(x: float) -> float | None:
    return None if not np.isfinite(x) else float(x)
