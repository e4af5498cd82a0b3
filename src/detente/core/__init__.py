"""The bargaining core: what an actor wants and who must agree.

The one place where detente defines an actor's utility for a package over all issues, the
win-set membership test (with its tolerances) and the zone/gap solver. Models, the
simulation, the diagnosis, the levers and the claims all ask it, so they cannot disagree.
It sits below ``models``, ``dynamics`` and ``analysis`` and above ``scenario`` (the layers
are import-linter contracts in ``pyproject.toml``).

Modules: :mod:`.utility` (inputs, utility, reservation, the win-set test, who holds a veto),
:mod:`.results` (:class:`GapResult`, :class:`Blocker`), :mod:`.gap` (the gap solver),
:mod:`.zone` (the fast zone test and its closed form), :mod:`.details` (inside an open zone),
:mod:`.project` (the nearest package in the zone), :mod:`.reference` (per-draw reference
solver for tests and benchmarks only).

Definitions (``docs/diagnosis.md`` has the long form). Coordinates are normalised per issue,
``y_j = (x_j - L_j) / (H_j - L_j)`` in ``[0, 1]``, so every issue counts on the same footing.

Utility
    ``U_v(x) = - sum_j w_vj |y_j - pi_vj| ** c``, with ``w_vj = s_vj / sum_k s_vk`` the
    actor's saliences normalised to sum to one, ``pi_vj`` its normalised position and ``c``
    the curvature (``parameters.utility_curvature`` if the scenario has it, else 1).
    ``U_v`` lies in ``[-1, 0]``.
Reservation
    ``r_v = U_v(q) + k``, the utility of the status quo ``q`` plus the cost of agreement ``k``
    (``parameters.agreement_cost`` if present, else 0), in the same utility units.
Win-set
    ``W_v = {x in the issue box, within v's red lines : U_v(x) > r_v}``. Strict preference
    is implemented as ``U_v(x) >= r_v + tol`` with ``tol`` = :data:`STRICT_MARGIN`, and the
    red lines up to :data:`LP_TOLERANCE`: :meth:`BargainingInputs.in_win_sets` is the one
    membership test every part of detente uses.
Zone of agreement
    ``Z = intersection of W_v`` over the veto players (all actors if nobody has a veto).
    A veto player with no salience anywhere is indifferent: its red lines bind, its
    utility condition is dropped.
Gap
    ``G = min_x sum_v [ max(0, r_v + tol - U_v(x)) + rho * sum_j dist(y_j, red-line interval_vj) ]``
    over the issue box: the smallest total utility the veto players would have to give up,
    below what they need to prefer a deal, plus the red-line distance they would have to
    cross (priced at ``rho`` = ``red_line_price`` per full scale, default 1: a red line is as
    dear as an issue that carried all of the actor's salience). ``G >= 0`` and ``G == 0``
    exactly when ``Z`` is non-empty. A gap of 0.1 means, e.g., one veto player conceding
    10 points on a 0-100 issue that carries all its salience, or 20 on one carrying half.

Computation. With ``c = 1`` every condition is piecewise linear and the gap is a linear
programme (absolute values through auxiliary variables). The batch is solved as *one*
block-diagonal LP by HiGHS (Huangfu & Hall 2018, doi:10.1007/s12532-017-0130-5), in chunks,
so the result is exact (to the solver's feasibility tolerance, reported as ``resolution``)
and the per-draw overhead of building and calling a solver disappears. Every non-empty
verdict is re-checked on its witness package in NumPy. Packages inside a non-empty zone are
the max-min package (the one that maximises the smallest surplus over the reservation),
a second block LP. With ``c != 1`` the problem is not an LP; a vectorised search
(candidate packages, then coordinate refinement on a grid of ``grid_points`` per issue) is
used: a non-empty verdict is certified by its witness, an empty one is not, and
``method == "search"`` with ``resolution`` = the grid step says so.

:func:`zone_open` answers only "is the zone open?" (and the max-min surplus ``m*``), fast:
in closed form for up to two veto players (LP duality), with pair certificates, witness
packages and an LP for the undecided draws beyond. The counterfactual levers use it.
Knife edge: with no red lines and no cost of agreement the status quo gives every veto
player exactly its reservation, so a zone shut only because the status quo is
Pareto-optimal for them has a gap of just the strict margins.

References: Tsebelis (2002) *Veto Players*, Princeton UP, doi:10.1515/9781400831456
(win-sets, the winset of the status quo); Putnam (1988) doi:10.1017/S0020818300027697
(win-sets in two-level games); Nash (1950) doi:10.2307/1907266.
"""

from .details import ZoneDetails, zone_details, zone_volume
from .gap import solve, win_set_gap
from .project import nearest_in_zone
from .results import Blocker, GapResult
from .utility import (
    LP_TOLERANCE,
    STRICT_MARGIN,
    BargainingInputs,
    agreement_arrays,
    agreement_matrix,
    apply_veto_matrix,
    bargaining_inputs,
    distance_utility,
    package_in_win_sets,
    restricted_arrays,
    veto_holders,
    veto_matrix,
    win_set_masks,
)
from .zone import maximin_packages, pair_max_min_surplus, zone_open

__all__ = [
    "LP_TOLERANCE",
    "STRICT_MARGIN",
    "BargainingInputs",
    "Blocker",
    "GapResult",
    "ZoneDetails",
    "agreement_arrays",
    "agreement_matrix",
    "apply_veto_matrix",
    "bargaining_inputs",
    "distance_utility",
    "maximin_packages",
    "nearest_in_zone",
    "package_in_win_sets",
    "pair_max_min_surplus",
    "restricted_arrays",
    "solve",
    "veto_holders",
    "veto_matrix",
    "win_set_gap",
    "win_set_masks",
    "zone_details",
    "zone_open",
    "zone_volume",
]
