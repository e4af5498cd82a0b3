"""The parameters of the monthly simulation, their defaults and provenance.

A scenario may set any of them under ``parameters:`` (so ``--set parameters.NAME=VALUE``
works); a parameter the scenario lacks takes the default below. Values marked
``calibrated`` are fitted by :mod:`detente.dynamics.calibration` to the packaged record
(``detente calibrate`` reprints the fit); the rest are analyst judgement, stated with a
reason. Utilities are in logit units (see :mod:`detente.dynamics.rules`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

__all__ = ["DEFAULTS", "DEFAULTS_RECORD", "ParameterDefault", "resolve_parameters"]

#: The bundled record the calibrated defaults below were fitted on, named in the package
#: data (``data/records/DEFAULTS_RECORD``) so the engine names no case; a case on another
#: record is fitted on its own (:mod:`detente.dynamics.casefit`).
DEFAULTS_RECORD = (
    (Path(__file__).parents[1] / "data" / "records" / "DEFAULTS_RECORD").read_text("utf-8").strip()
)


@dataclass(frozen=True)
class ParameterDefault:
    value: float
    low: float
    high: float
    kind: Literal["calibrated", "judgement"]
    why: str
    label: str


def _j(value: float, low: float, high: float, label: str, why: str) -> ParameterDefault:
    return ParameterDefault(value, low, high, "judgement", why, label)


def _c(value: float, low: float, high: float, label: str, why: str) -> ParameterDefault:
    return ParameterDefault(value, low, high, "calibrated", why, label)


DEFAULTS: dict[str, ParameterDefault] = {
    "logit_noise": _j(
        1.0,
        0.7,
        1.5,
        "Logit choice noise (temperature)",
        "the utilities' unit is the noise of the fitted crisis logit, so 1 reproduces the "
        "calibrated choice frequencies; the range allows the other utilities to be judged "
        "more or less sharply",
    ),
    "crisis_base": _c(
        -3.233,
        -3.962,
        -2.505,
        "Crisis utility intercept (logit)",
        "penalised logit of a strategic-provocation month on exercise month, talks last month, a strategic month last month and the filtered probability of the active regime, 1990-02..2021-06 (n = 377); detente backtest dynamics --fit",
    ),
    "crisis_exercise": _c(
        -0.7348,
        -1.966,
        0.4968,
        "Crisis utility in exercise months",
        "penalised logit of a strategic-provocation month on exercise month, talks last month, a strategic month last month and the filtered probability of the active regime, 1990-02..2021-06 (n = 377); detente backtest dynamics --fit",
    ),
    "crisis_talks": _c(
        -2.874,
        -5.0,
        -0.7475,
        "Crisis utility while talks are on",
        "penalised logit of a strategic-provocation month on exercise month, talks last month, a strategic month last month and the filtered probability of the active regime, 1990-02..2021-06 (n = 377); detente backtest dynamics --fit",
    ),
    "crisis_persistence": _c(
        2.038,
        1.106,
        2.97,
        "Crisis utility after a crisis month",
        "penalised logit of a strategic-provocation month on exercise month, talks last month, a strategic month last month and the filtered probability of the active regime, 1990-02..2021-06 (n = 377); detente backtest dynamics --fit",
    ),
    "crisis_active": _c(
        1.538,
        0.3567,
        2.719,
        "Crisis utility in the active regime of provocations (a testing campaign)",
        "penalised logit of a strategic-provocation month on exercise month, talks last month, a strategic month last month and the filtered probability of the active regime, 1990-02..2021-06 (n = 377); detente backtest dynamics --fit",
    ),
    "provocation_rate_no_talks": _c(
        0.2054,
        0.1436,
        0.2937,
        "Provocations per month, no talks, no crisis",
        "maximum likelihood (forward algorithm), regime-switching self-exciting negative-binomial count of CSIS provocation events given the record's talks, strategic months and exercise calendar, 1991-01..2021-06 (n = 366); detente backtest dynamics --fit",
    ),
    "provocation_rate_talks": _c(
        0.183,
        0.1168,
        0.2866,
        "Provocations per month during talks",
        "maximum likelihood (forward algorithm), regime-switching self-exciting negative-binomial count of CSIS provocation events given the record's talks, strategic months and exercise calendar, 1991-01..2021-06 (n = 366); detente backtest dynamics --fit",
    ),
    "provocation_rate_crisis": _c(
        0.5045,
        0.2883,
        0.8828,
        "Provocations in a crisis month",
        "maximum likelihood (forward algorithm), regime-switching self-exciting negative-binomial count of CSIS provocation events given the record's talks, strategic months and exercise calendar, 1991-01..2021-06 (n = 366); detente backtest dynamics --fit",
    ),
    "provocation_exercise_ratio": _c(
        2.224,
        1.567,
        3.157,
        "Rate ratio of routine provocations in exercise months",
        "maximum likelihood (forward algorithm), regime-switching self-exciting negative-binomial count of CSIS provocation events given the record's talks, strategic months and exercise calendar, 1991-01..2021-06 (n = 366); detente backtest dynamics --fit",
    ),
    "inhibit_distress": _j(
        1.5,
        0.5,
        3.0,
        "Crisis inhibition by economic distress",
        "essay ¶7 s2: inhibition is stated, its size is not; 1.5 halves the crisis odds "
        "between reference and high distress",
    ),
    "inhibit_dependency": _j(
        1.5,
        0.5,
        3.0,
        "Crisis inhibition by dependency on China",
        "essay ¶7 s2: as for distress, the size is a judgement",
    ),
    "reference_distress": _j(
        0.5, 0.3, 0.6, "Distress level of the fit window", "the 1990-2021 average on the 0-1 scale"
    ),
    "reference_dependency": _j(
        0.5,
        0.3,
        0.6,
        "China dependency of the fit window",
        "the 1990-2021 average on the 0-1 scale; dependency rose after 2016 sanctions",
    ),
    "defender_escalation": _j(
        0.5,
        -0.5,
        1.5,
        "Defender's pressure utility when the challenger instigates",
        "strict deterrence answers provocations; about three answers in five",
    ),
    "defender_pressure_base": _j(
        -1.5, -2.5, -0.5, "Defender's pressure utility", "sanctions stay; new pressure is rarer"
    ),
    "defender_engagement_base": _c(
        0.001247,
        -0.995,
        0.9975,
        "Defender's engagement utility",
        'simulated likelihood: maximises the backtest log score of the monthly talks state and of P(talks by 6/12/24/36 months) over 28 training origins (1995-06..2008-12), 150 runs each, Nelder-Mead from the judgement priors (-1.5, 0, 2); detente backtest dynamics --fit; not converged: scipy\'s default first simplex moved the start 0 of defender_engagement_base by 0.00025, so it stayed there; a converged refit overfits the training origins and loses out of sample (docs/dynamics.md, "Time since the last talks")',
    ),
    "crisis_channel": _j(
        1.0,
        0.0,
        2.0,
        "Defender's engagement utility per unit of crisis-communication interest",
        "essay ¶9 s1",
    ),
    "defender_wait": _j(
        1.0,
        0.0,
        2.0,
        "Defender's value of waiting per unit of distress",
        "essay ¶8 s1: the US anticipates economic desperation",
    ),
    "defender_concession_base": _j(
        -1.5, -2.5, -0.5, "Defender's concession utility", "no concession before talks"
    ),
    "defender_obduracy": _j(
        10.0,
        5.0,
        15.0,
        "Defender's concession penalty per unit of gap",
        "essay ¶5 s2: the US cannot accept the North as a nuclear state",
    ),
    "challenger_engagement_base": _c(
        -0.6025,
        -1.83,
        0.6253,
        "Challenger's engagement utility",
        'simulated likelihood: maximises the backtest log score of the monthly talks state and of P(talks by 6/12/24/36 months) over 28 training origins (1995-06..2008-12), 150 runs each, Nelder-Mead from the judgement priors (-1.5, 0, 2); detente backtest dynamics --fit; not converged: scipy\'s default first simplex moved the start 0 of defender_engagement_base by 0.00025, so it stayed there; a converged refit overfits the training origins and loses out of sample (docs/dynamics.md, "Time since the last talks")',
    ),
    "desperation": _j(
        1.5,
        0.5,
        2.5,
        "Challenger's engagement utility per unit of distress",
        "essay ¶8 s2",
    ),
    "obduracy": _j(
        20.0,
        10.0,
        30.0,
        "Challenger's engagement and concession penalty per unit of gap (the diagnosis gap is "
        "in utility units, typically 0.05-0.3)",
        "essay ¶7 s3: obdurate until the US waters down its demands",
    ),
    "third_party_push": _j(
        0.3,
        0.0,
        0.8,
        "Challenger's engagement utility per engaging third party",
        "essay ¶1 s3: Seoul's efforts have gone unanswered, so small",
    ),
    "challenger_concession_base": _j(
        -1.0, -2.0, 0.0, "Challenger's concession utility", "no quid pro quo without a zone"
    ),
    "weakness": _j(
        2.5,
        1.0,
        4.0,
        "Challenger's concession penalty per unit of distress",
        "essay ¶8 s3-4: weakness blocks reciprocity",
    ),
    "zone_bonus": _j(
        2.0,
        1.0,
        3.0,
        "Concession utility when a zone of agreement exists",
        "a deal both prefer to the status quo makes conceding worthwhile",
    ),
    "talks_inertia": _c(
        2.838,
        1.578,
        4.099,
        "Engagement utility while talks are on",
        'simulated likelihood: maximises the backtest log score of the monthly talks state and of P(talks by 6/12/24/36 months) over 28 training origins (1995-06..2008-12), 150 runs each, Nelder-Mead from the judgement priors (-1.5, 0, 2); detente backtest dynamics --fit; not converged: scipy\'s default first simplex moved the start 0 of defender_engagement_base by 0.00025, so it stayed there; a converged refit overfits the training origins and loses out of sample (docs/dynamics.md, "Time since the last talks")',
    ),
    "talks_recency": _j(
        0.0,
        0.0,
        0.0,
        "Engagement utility of both veto players the month after talks ended, decaying with "
        "the months without talks since (rule talks_recency)",
        "off (0): on the 28 training origins the simulated-likelihood fit gives 4.6 with "
        "the other talks parameters refitted (signs bounded) and 3.1 with them held, but the "
        "joint refit is worse out of sample than the current talks parameters and the term "
        "is about 0 at the flagship's start (20 months after the last talks; decay 2.25 "
        "months): the training origins (1995-2011) have no long impasse to learn the "
        'long-gap hazard from (docs/dynamics.md, "Time since the last talks")',
    ),
    "talks_recency_months": _c(
        2.25,
        1.0,
        6.25,
        "Decay (in months) of the pull of recent talks (rule talks_recency)",
        "profile likelihood: logit of talks starting next month on exp(-(w - 1) / months) over the 130 months without talks of the record, 1990-01..2011-12 (48 followed by talks), grid 0.5..36 by 0.25; detente backtest dynamics --fit",
    ),
    "fatigue_rate": _j(
        0.01,
        0.0,
        0.02,
        "Monthly drift of the defender's stance per unit of fatigue",
        "essay ¶6 s2: at most 2 % of the gap a month",
    ),
    "election_change": _j(
        0.05,
        0.0,
        0.15,
        "Chance of a dramatic change in an election month",
        "an election (midterms included) rarely brings a dramatic change of stance: one in twenty",
    ),
    "leader_shift_max": _j(
        0.5,
        0.2,
        0.8,
        "Largest move of a new leader toward the other side (share of the distance)",
        "essay ¶9 s5: a dramatic change could end the impasse; on average a new leader moves a quarter of the way",
    ),
    "leader_shift_toward": _j(
        0.6,
        0.4,
        0.8,
        "Chance that a dramatic change moves the new leader toward the other side",
        "a change can harden a stance as well as soften it; slightly more often toward a deal "
        "after years of impasse (judgement: the record has too few changes to tell)",
    ),
    "provocation_level_sd": _c(
        0.0,
        0.0,
        0.02,
        "Monthly innovation sd of the local level of provocations (a random walk in the log rate)",
        "profile likelihood of a random-walk log level of the provocation rate (the other count parameters at their maximum-likelihood values; forward algorithm over the regimes and a grid of levels), 1991-01..2021-06 (n = 366); the likelihood puts the sd at its boundary 0 (also when fitted jointly with the other count parameters), 90% upper bound 0.02; detente backtest dynamics --fit",
    ),
    "provocation_level_memory": _j(
        1.0,
        1.0,
        1.0,
        "Monthly persistence of the local level of provocations",
        "1: a random walk (a local level, the model whose sd the likelihood estimates); below 1 "
        "the level reverts toward 0 (only by --set)",
    ),
    "provocation_excitation": _c(
        0.0,
        0.0,
        0.15,
        "Self-excitation of provocations (rate added per unit of the recent monthly mean)",
        "maximum likelihood (forward algorithm), regime-switching self-exciting negative-binomial count of CSIS provocation events given the record's talks, strategic months and exercise calendar, 1991-01..2021-06 (n = 366); detente backtest dynamics --fit; excitation at its boundary 0 (upper bound: profile likelihood)",
    ),
    "provocation_memory": _c(
        0.5652,
        0.155,
        0.902,
        "Monthly persistence of the excitation (weight of the past in its moving average)",
        "maximum likelihood (forward algorithm), regime-switching self-exciting negative-binomial count of CSIS provocation events given the record's talks, strategic months and exercise calendar, 1991-01..2021-06 (n = 366); detente backtest dynamics --fit; excitation at its boundary 0 (upper bound: profile likelihood); memory fitted at that bound",
    ),
    "provocation_active_ratio": _c(
        5.607,
        3.831,
        8.496,
        "Rate ratio of provocations in the active regime (testing campaigns)",
        "maximum likelihood (forward algorithm), regime-switching self-exciting negative-binomial count of CSIS provocation events given the record's talks, strategic months and exercise calendar, 1991-01..2021-06 (n = 366); detente backtest dynamics --fit",
    ),
    "regime_stay_quiet": _c(
        0.9651,
        0.913,
        0.9865,
        "Monthly probability that a quiet regime stays quiet",
        "maximum likelihood (forward algorithm), regime-switching self-exciting negative-binomial count of CSIS provocation events given the record's talks, strategic months and exercise calendar, 1991-01..2021-06 (n = 366); detente backtest dynamics --fit",
    ),
    "regime_stay_active": _c(
        0.9109,
        0.8048,
        0.962,
        "Monthly probability that an active regime (a testing campaign) goes on",
        "maximum likelihood (forward algorithm), regime-switching self-exciting negative-binomial count of CSIS provocation events given the record's talks, strategic months and exercise calendar, 1991-01..2021-06 (n = 366); detente backtest dynamics --fit",
    ),
    "provocation_dispersion": _c(
        2.957,
        1.186,
        7.37,
        "Negative-binomial size of the monthly provocation count (variance mu + mu^2/size)",
        "maximum likelihood (forward algorithm), regime-switching self-exciting negative-binomial count of CSIS provocation events given the record's talks, strategic months and exercise calendar, 1991-01..2021-06 (n = 366); detente backtest dynamics --fit",
    ),
    "missiles_per_provocation": _c(
        0.4651,
        0.2666,
        0.8114,
        "Missiles launched per provocation event (mean ratio of the two counts)",
        "maximum likelihood, negative-binomial count of CNS missiles launched with mean = the fitted event rate x the salvo size of the last 36 months (shrunk toward this ratio with the weight of salvo_prior_events), 1991-01..2021-06 (n = 366); detente backtest dynamics --fit",
    ),
    "missile_dispersion": _c(
        0.1682,
        0.1132,
        0.25,
        "Negative-binomial size of the monthly missile count",
        "maximum likelihood, negative-binomial count of CNS missiles launched with mean = the fitted event rate x the salvo size of the last 36 months (shrunk toward this ratio with the weight of salvo_prior_events), 1991-01..2021-06 (n = 366); detente backtest dynamics --fit",
    ),
    "salvo_prior_events": _j(
        10.0,
        5.0,
        20.0,
        "Weight (in provocation events) of missiles_per_provocation in the salvo size at the start",
        "the salvo size at the start is the record's missiles per event over the last 36 "
        "months, shrunk toward the fitted ratio as if it had been seen in this many events",
    ),
    "third_party_engagement": _j(
        1.0, 0.0, 2.0, "Third parties' engagement utility", "Seoul keeps trying (essay ¶1 s3)"
    ),
    "third_party_pressure": _j(
        -1.0, -2.0, 0.0, "Third parties' pressure utility", "sanctions are kept, rarely added"
    ),
    "third_party_concession": _j(
        -1.0, -2.0, 0.0, "Third parties' concession utility", "essay ¶7 s1: awaited, not given"
    ),
}


def resolve_parameters(
    params: dict[str, np.ndarray], shape: tuple[int, ...]
) -> dict[str, np.ndarray]:
    """Every simulation parameter as an array of ``shape``: the scenario's where it has one
    (each a new array of its own, which the caller may write into)."""
    out: dict[str, np.ndarray] = {}
    for name, d in DEFAULTS.items():
        v = params.get(name)
        if v is None:
            out[name] = np.full(shape, float(d.value))
        elif np.shape(v) == shape:
            out[name] = np.array(v, float)
        else:
            out[name] = np.array(np.broadcast_to(np.asarray(v, float), shape))
    return out
