"""Verdict and robustness of every claim rest on the same rule.

A claim that ``holds`` must not come with a robustness below 0.5, nor one that ``fails``
with a robustness above 0.5: the robustness is the share of units (parameter draws for the
point-value rules C6–C8, bootstrap resamples of the draws or runs for the aggregate rules)
in which the verdict's own rule holds. Checked on the flagship and on two changed scenarios
that flip many verdicts (``us-waters-down``; ``economic-collapse``, which makes C10 and C12
fail because distress is already at its bound).
"""

from __future__ import annotations

import numpy as np
import pytest

from detente.analysis.claims import ClaimContext, evaluate_claims
from detente.dynamics.whatifs import apply_what_if
from detente.scenario import load_bundled

DRAWS = 400

#: Claims whose verdict is read at the point values and whose robustness is the share of
#: parameter draws in which the same rule holds. These can legitimately disagree with the
#: majority of draws when the point values sit on a boundary; the one that does on the
#: flagship is C6, whose Hanoi package (denuclearization 40) sits exactly on the DPRK's red
#: line "<= 40" (range 30-50, symmetric), so the package is acceptable at the point values
#: and in about half the draws. It is checked separately below.
BOUNDARY = {"C6"}


@pytest.fixture(scope="module")
def flagship():
    return load_bundled("us-dprk-2021")


@pytest.fixture(scope="module")
def reports(flagship):
    out = {"baseline": evaluate_claims(flagship, draws=DRAWS, seed=1)}
    for name in ("us-waters-down", "economic-collapse"):
        out[name] = evaluate_claims(apply_what_if(flagship, name), draws=DRAWS, seed=1)
    return out


@pytest.mark.parametrize("which", ["baseline", "us-waters-down", "economic-collapse"])
def test_verdict_and_robustness_agree(reports, which):
    rep = reports[which]
    assert [c.id for c in rep.claims] == [f"C{k}" for k in range(1, 15)]
    for c in rep.claims:
        assert c.verdict in ("holds", "fails"), (which, c.id, c.verdict, c.explanation)
        assert c.robustness is not None and 0.0 <= c.robustness <= 1.0
        assert c.robustness_definition, c.id
        assert c.to_dict()["robustness_definition"] == c.robustness_definition
        if c.id in BOUNDARY:
            continue
        if c.verdict == "holds":
            assert c.robustness >= 0.5, (which, c.id, c.robustness, c.value)
        else:
            assert c.robustness <= 0.5, (which, c.id, c.robustness, c.value)


def test_the_changed_scenarios_flip_verdicts_both_ways(reports):
    base = {c.id: c.verdict for c in reports["baseline"].claims}
    for name in ("us-waters-down", "economic-collapse"):
        changed = {c.id: c.verdict for c in reports[name].claims}
        assert any(base[k] == "holds" and changed[k] == "fails" for k in base), name
    # the reported contradiction: C12 failing at the point values with a high robustness
    c12 = reports["economic-collapse"]["C12"]
    assert c12.verdict == "fails" and c12.robustness <= 0.5


def test_c6_boundary_is_reported(reports, flagship):
    c6 = reports["baseline"]["C6"]
    rl = flagship.actor("dprk").red_lines["denuclearization"]
    assert c6.value["package"]["denuclearization"] == rl.bound.value
    # same rule, draw by draw: in the DPRK's win-set and outside the US's
    assert c6.robustness <= c6.value["p_in_dprk_win_set"]
    # holds at the point values, in about half the draws, and says why
    assert c6.verdict == "holds" and abs(c6.robustness - 0.5) < 0.1
    assert "boundary" in c6.explanation


def test_bootstrap_is_seeded_and_shared_by_paired_arrays(flagship):
    a = ClaimContext(flagship, draws=10, seed=3).bootstrap(50)
    b = ClaimContext(flagship, draws=10, seed=3).bootstrap(50)
    c = ClaimContext(flagship, draws=10, seed=4).bootstrap(50)
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    assert (a.sum(axis=1) == 50).all()  # each resample draws 50 units with replacement
