"""The result of the dynamics backtest (:mod:`detente.dynamics.backtest`).

:class:`BacktestResult` holds the per-origin scores, the yearly coverage rows, the
heavy-year check and the settings, and summarises them: mean scores per sample, target,
horizon and forecaster; whether the simulation beats each baseline out of sample; the
calibration of the yearly totals; and the forecasts the calibration figure draws.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ._backtest_scoring import BASELINES, HORIZONS, TARGET_BASELINES, TARGETS

__all__ = ["BacktestResult"]


@dataclass(frozen=True, eq=False)
class BacktestResult:
    """Per-origin scores (tidy: origin, sample, target, horizon, forecaster, score), yearly
    coverage rows, the heavy-year check and the settings."""

    scores: pd.DataFrame
    yearly: pd.DataFrame
    heavy_years: dict[str, Any]
    settings: dict[str, Any]

    def table(self) -> pd.DataFrame:
        """Mean score per sample, target, horizon and forecaster, with the origin counts."""
        g = self.scores.groupby(["sample", "target", "horizon", "forecaster"], observed=True)
        return g["score"].agg(["mean", "count"]).reset_index()

    def summary_dict(self) -> dict[str, Any]:
        """Per target and horizon: the simulation's test score, each baseline's, the number of
        test origins and whether the simulation beats each baseline out of sample."""
        t = self.table()
        out: dict[str, Any] = {}
        for target, (unit, higher) in TARGETS.items():
            rows: dict[str, Any] = {}
            for h in HORIZONS:
                sel = t[(t["target"] == target) & (t["horizon"] == h)]
                test: Any = sel[sel["sample"] == "test"].set_index("forecaster")
                train: Any = sel[sel["sample"] == "train"].set_index("forecaster")
                if "simulation" not in test.index:
                    continue
                sim = float(test.at["simulation", "mean"])
                names = [*BASELINES, *(TARGET_BASELINES.get(target, ()))]
                base = {b: float(test.at[b, "mean"]) for b in names if b in test.index}
                beats = {b: bool(sim > v if higher else sim < v) for b, v in base.items()}
                rows[str(h)] = {
                    "simulation": sim,
                    "baselines": base,
                    "n_test_origins": int(test.at["simulation", "count"]),
                    "beats": beats,
                    "beats_all": all(beats.values()),
                    "train_simulation": (
                        float(train.at["simulation", "mean"])
                        if "simulation" in train.index
                        else None
                    ),
                }
            out[target] = {"score": unit, "higher_is_better": higher, "horizons": rows}
        return {
            "targets": out,
            "yearly": self.yearly_summary(),
            "forecasts": self.forecasts(),
            "heavy_years": self.heavy_years,
            "settings": self.settings,
        }

    def forecasts(self) -> list[dict[str, Any]]:
        """The simulation's out-of-sample forecasts of yearly totals, origin by origin: the
        origin, its sample, the series, the year after the origin (1-3), the observed total
        and the forecast's median and central 50% and 90% intervals (for the calibration
        figure)."""
        if self.yearly.empty:
            return []
        y = self.yearly[self.yearly["forecaster"] == "simulation"]
        cols = ("observed", "median", "lo50", "hi50", "lo90", "hi90")
        return [
            {
                "origin": str(r["origin"]),
                "sample": str(r["sample"]),
                "series": str(r["series"]),
                "year": int(r["year"]),
                **{c: float(r[c]) for c in cols},
            }
            for _, r in y.iterrows()
        ]

    def yearly_summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.yearly.empty:  # no origin with a whole year of test months (a thin record)
            return out

        def stats_of(g: pd.DataFrame) -> dict[str, Any]:
            return {
                "coverage_50": float(g["in50"].mean()),
                "coverage_90": float(g["in90"].mean()),
                "pit_mean": float(g["pit"].mean()),
                "pit_deciles": np.histogram(g["pit"], bins=10, range=(0, 1))[0].tolist(),
                "n": len(g),
            }

        y = self.yearly[self.yearly["sample"] == "test"]
        for key, g in y.groupby(["series", "forecaster"], observed=True):
            series, fc = str(key[0]), str(key[1])
            out.setdefault(series, {})[fc] = stats_of(g)
        # the same on the training origins: calibration where the parameters were chosen
        y = self.yearly[self.yearly["sample"] == "train"]
        for key, g in y.groupby(["series", "forecaster"], observed=True):
            series, fc = str(key[0]), str(key[1])
            if fc in out.get(series, {}):
                out[series][fc]["train"] = stats_of(g)
        return out
