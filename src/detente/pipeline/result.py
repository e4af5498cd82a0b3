"""The typed result of a run: every number the terminal, HTML and JSON views show.

The sections the library computes are kept as its typed results (:mod:`.parts`); the
``forecasts``, ``diagnosis``, ``outlook`` and ``claims`` the renderers and the JSON read are
views of them, built on first read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .._json import jsonable, tidy_frame

if TYPE_CHECKING:
    from collections.abc import Callable

    import pandas as pd

    from ..scenario import Scenario
    from .parts import Calibration, ClaimsPart, DiagnosisPart, ModelRun, OutlookPart

__all__ = ["AnalysisReport"]


@dataclass(eq=False)
class AnalysisReport:
    """Everything behind ``detente run``: the typed result of each section and its JSON view.

    Attributes
    ----------
    scenario : Scenario
        The scenario analysed (after ``--set`` and ``--what-if`` changes).
    settings : dict
        ``draws``, ``runs``, ``months``, ``seed``, ``what_ifs`` and ``sets``: enough to
        reproduce the report.
    setting : dict
        Title, question, description, start date, attribution and sources.
    actors, issues : list of dict
        The actors (capability, veto, red lines, tools, stances) and issues (scale, anchors,
        status quo).
    model_runs : tuple of ModelRun
        Each registered model's :class:`~detente.models.base.Forecast`, or why it could not run.
    diagnosis_part, outlook_part, claims_part : DiagnosisPart, OutlookPart, ClaimsPart or None
        The typed results of the zone of agreement and levers
        (:class:`~detente.analysis.diagnosis.Diagnosis`), the crisis dynamics
        (:class:`~detente.dynamics.result.DynamicsResult`, the what-if deltas, the element
        effects) and the claims (:class:`~detente.analysis.claims.ClaimsReport`); None where
        the section cannot be computed (``missing`` says why).
    forecasts, diagnosis, outlook, claims : list of dict, dict or None (read-only views)
        The JSON views of the parts above: one entry per model (``outcome`` per issue,
        ``positions`` by round, ``notes``, or ``error``); the zone, its levers and the win-set
        map; the outlook by horizon with what-if deltas; the claims with verdicts.
    calibration_part : Calibration or None
        The calibration against history: the stored backtest (JSON as saved beside the
        record), its verdicts and the record's monthly series.
    calibration : dict or None (read-only view)
        Its JSON view.
    provenance : dict
        Counts of numbers by provenance kind, the most uncertain inputs, every number.
    missing : dict
        Section name -> a sentence saying what information the scenario lacks for it.
    timings : dict
        Section name -> seconds spent. Not in :meth:`to_dict`: wall-clock seconds differ
        between identical runs, and the JSON of two identical runs is byte-identical (the
        run store keeps timings in a column of their own).
    """

    scenario: Scenario
    settings: dict[str, Any]
    setting: dict[str, Any]
    actors: list[dict[str, Any]]
    issues: list[dict[str, Any]]
    model_runs: tuple[ModelRun, ...] = ()
    diagnosis_part: DiagnosisPart | None = None
    outlook_part: OutlookPart | None = None
    claims_part: ClaimsPart | None = None
    calibration_part: Calibration | None = None
    provenance: dict[str, Any] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    #: Figures drawn by the analysis modules themselves (e.g. the win-set map), as
    #: ``(id, title, caption, svg)``; not part of the JSON.
    extra_figures: list[tuple[str, str, str, str]] = field(default_factory=list)
    #: The run's shared quantities (one simulation per scenario variant); not in the JSON.
    evaluator: Any = field(default=None, repr=False, compare=False)
    _views: dict[str, tuple[object, Any]] = field(default_factory=dict, repr=False)

    # ----- the views -------------------------------------------------------------------
    def _view(self, name: str, part: object, build: Callable[[], Any]) -> Any:
        """The view of ``part``, built once (again only if the part is replaced)."""
        hit = self._views.get(name)
        if hit is None or hit[0] is not part:
            hit = (part, build())
            self._views[name] = hit
        return hit[1]

    @property
    def forecasts(self) -> list[dict[str, Any]]:
        runs = self.model_runs
        return self._view("forecasts", runs, lambda: [m.to_dict() for m in runs])

    @property
    def diagnosis(self) -> dict[str, Any] | None:
        part = self.diagnosis_part
        return None if part is None else self._view("diagnosis", part, part.to_dict)

    @property
    def outlook(self) -> dict[str, Any] | None:
        part = self.outlook_part
        return None if part is None else self._view("outlook", part, part.to_dict)

    @property
    def claims(self) -> dict[str, Any] | None:
        part = self.claims_part
        return None if part is None else self._view("claims", part, part.to_dict)

    @property
    def calibration(self) -> dict[str, Any] | None:
        part = self.calibration_part
        return None if part is None else self._view("calibration", part, part.to_dict)

    def to_dict(self) -> dict[str, Any]:
        """Every number behind the report, JSON-ready (NaN and infinity become null)."""
        return jsonable(
            {
                "detente_report": 1,
                "scenario": self.scenario.id,
                "settings": self.settings,
                "setting": self.setting,
                "actors": self.actors,
                "issues": self.issues,
                "forecasts": self.forecasts,
                "diagnosis": self.diagnosis,
                "outlook": self.outlook,
                "claims": self.claims,
                "calibration": self.calibration,
                "provenance": self.provenance,
                "missing": self.missing,
            }
        )

    def to_json(self, **kw: Any) -> str:
        """The JSON text of :meth:`to_dict` (compact unless ``indent`` is given)."""
        import json

        kw.setdefault("ensure_ascii", False)
        return json.dumps(self.to_dict(), allow_nan=False, **kw)

    def __repr__(self) -> str:
        got = [
            n
            for n in ("forecasts", "diagnosis", "outlook", "claims", "calibration")
            if getattr(self, n)
        ]
        return f"<AnalysisReport {self.scenario.id!r}: {', '.join(got) or 'scenario only'}>"

    def _repr_html_(self) -> str:
        """The summary and the forecasts (``to_frame(wide=True)``) in a notebook."""
        from .._notebook import html_repr

        return html_repr(repr(self), self.summary(), self.to_frame(wide=True))

    def summary(self, fmt: str = "text") -> str:
        """A concise summary: the question, the zone of agreement, the outlook, the claims.

        ``fmt`` is ``text`` or ``markdown``; the full report is ``detente run``'s.
        """
        from ..analysis.render import check_format

        check_format(fmt, "AnalysisReport")
        s = self.scenario
        lines = [f"{s.meta.title} ({s.id})"]
        if s.meta.question:
            lines.append(f"Question: {s.meta.question}")
        d = self.diagnosis
        if d is not None:
            zone = "open" if d.get("zone_nonempty") else "empty"
            lines.append(
                f"Zone of agreement: {zone} at the point values; P(zone non-empty) = "
                f"{d.get('p_zone_nonempty', float('nan')):.3f} over {self.settings.get('draws')} draws"
            )
        else:
            lines.append(
                "Zone of agreement: not applicable (" + self.missing.get("diagnosis", "") + ")"
            )
        o = self.outlook
        if o is not None:
            for h in o["horizons"]:
                lines.append(
                    f"By {h['date']} (month {h['month']}): P(talks) {h['talks']:.2f}, "
                    f"P(agreement) {h['agreement']:.2f}, P(crisis) {h['crisis']:.2f}"
                )
        else:
            lines.append("Outlook: not applicable (" + self.missing.get("outlook", "") + ")")
        c = self.claims
        if c is not None:
            counts = c.get("counts", {})
            lines.append(
                "Claims: "
                + ", ".join(f"{n} {k}" for k, n in sorted(counts.items()))
                + " (encoded claims are not findings)"
            )
        else:
            lines.append("Claims: not applicable (" + self.missing.get("claims", "") + ")")
        if fmt == "markdown":
            return "\n".join(f"- {x}" if k else f"**{x}**" for k, x in enumerate(lines))
        return "\n".join(lines)

    def to_frame(self, kind: str = "issues", *, wide: bool = False) -> pd.DataFrame:
        """Tidy tables, numbers rounded to their precision (:func:`detente._json.tidy`).

        ``issues`` (default): one row per model and issue: model, issue, outcome (held to what
        the veto players accept), unconstrained_outcome (the model alone), status_quo. With
        ``wide=True``: one row per issue (the index), the ``status_quo`` column, one column per
        model with its outcome, and one ``<model> unconstrained`` column per model.
        ``outlook``: one row per horizon. ``claims``: one row per claim.
        """
        import pandas as pd

        if wide and kind != "issues":
            raise ValueError(
                f"The 'wide' parameter of to_frame applies to kind='issues' only. Got kind={kind!r}."
            )
        if kind == "issues":
            rows = []
            sq = {i["id"]: i.get("status_quo") for i in self.issues}
            for f in self.forecasts:
                raw = f.get("unconstrained_outcome") or f.get("outcome") or {}
                for iid, v in (f.get("outcome") or {}).items():
                    rows.append(
                        {
                            "model": f["model"],
                            "issue": iid,
                            "outcome": v,
                            "unconstrained_outcome": raw.get(iid, v),
                            "status_quo": sq.get(iid),
                        }
                    )
            cols = ["model", "issue", "outcome", "unconstrained_outcome", "status_quo"]
            long = pd.DataFrame(rows, columns=cols).astype(
                {"outcome": float, "unconstrained_outcome": float, "status_quo": float}
            )
            if not wide:
                return tidy_frame(long)
            issues = [i["id"] for i in self.issues]
            models = list(dict.fromkeys(long["model"]))
            table = pd.DataFrame(index=pd.Index(issues, name="issue"))
            table["status_quo"] = [sq.get(i) for i in issues]
            for column, suffix in (("outcome", ""), ("unconstrained_outcome", " unconstrained")):
                for m in models:
                    part = long[long["model"] == m].set_index("issue")[column]
                    table[m + suffix] = part.reindex(issues).astype(float)
            return tidy_frame(table.astype(float))
        if kind == "outlook":
            return tidy_frame(pd.DataFrame((self.outlook or {}).get("horizons", [])))
        if kind == "claims":
            cols = ["id", "text", "evidence", "verdict", "robustness", "precision", "hinges_on"]
            return pd.DataFrame(
                [{k: c.get(k) for k in cols} for c in (self.claims or {}).get("claims", [])],
                columns=cols,
            )
        raise ValueError(
            f"The 'kind' parameter of to_frame must be one of 'issues', 'outlook', 'claims'. Got {kind!r} instead."
        )
