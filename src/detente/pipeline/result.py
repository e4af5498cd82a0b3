"""The typed result of a run: every number the terminal, HTML and JSON views show."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .._json import jsonable

if TYPE_CHECKING:
    import pandas as pd

    from ..scenario import Scenario

__all__ = ["AnalysisReport"]


@dataclass(eq=False)
class AnalysisReport:
    """Everything behind ``detente run``: plain, JSON-ready data per section.

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
    forecasts : list of dict
        One entry per registered model: ``outcome`` per issue, ``positions`` by round
        (rounds+1 x actors x issues), ``notes``, or ``error`` where the model cannot run on
        this scenario.
    diagnosis, outlook, claims, calibration : dict or None
        The zone of agreement and levers; the crisis-dynamics outlook by horizon with what-if
        deltas; the claims with verdicts; the calibration against history. None where the
        section cannot be computed; ``missing`` says why.
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
    forecasts: list[dict[str, Any]] = field(default_factory=list)
    diagnosis: dict[str, Any] | None = None
    outlook: dict[str, Any] | None = None
    claims: dict[str, Any] | None = None
    calibration: dict[str, Any] | None = None
    provenance: dict[str, Any] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    #: Figures drawn by the analysis modules themselves (e.g. the win-set map), as
    #: ``(id, title, caption, svg)``; not part of the JSON.
    extra_figures: list[tuple[str, str, str, str]] = field(default_factory=list)
    #: The run's shared quantities (one simulation per scenario variant); not in the JSON.
    evaluator: Any = field(default=None, repr=False, compare=False)

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

    def to_frame(self, kind: str = "issues") -> pd.DataFrame:
        """Tidy tables. ``issues`` (default): one row per model and issue with the forecast
        (columns model, issue, outcome, status_quo); ``outlook``: one row per horizon;
        ``claims``: one row per claim."""
        import pandas as pd

        if kind == "issues":
            rows = []
            sq = {i["id"]: i.get("status_quo") for i in self.issues}
            for f in self.forecasts:
                for iid, v in (f.get("outcome") or {}).items():
                    rows.append(
                        {"model": f["model"], "issue": iid, "outcome": v, "status_quo": sq.get(iid)}
                    )
            return pd.DataFrame(rows, columns=["model", "issue", "outcome", "status_quo"])
        if kind == "outlook":
            return pd.DataFrame((self.outlook or {}).get("horizons", []))
        if kind == "claims":
            cols = ["id", "text", "evidence", "verdict", "robustness", "precision", "hinges_on"]
            return pd.DataFrame(
                [{k: c.get(k) for k in cols} for c in (self.claims or {}).get("claims", [])],
                columns=cols,
            )
        raise ValueError(
            f"The 'kind' parameter of to_frame must be one of 'issues', 'outlook', 'claims'. Got {kind!r} instead."
        )
