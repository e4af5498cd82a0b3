"""NumPy views of a scenario, single or batched over Monte Carlo draws.

Shapes (``...`` is empty for :meth:`Scenario.to_arrays`, ``(n_draws,)`` for
:meth:`Scenario.sample`):

=================  =========================  =============================================
name               shape                      meaning
=================  =========================  =============================================
positions          (..., n_actors, n_issues)  stance positions; status quo where no stance
saliences          (..., n_actors, n_issues)  salience / salience_max, in [0, 1]; 0 where no stance
has_stance         (n_actors, n_issues)       whether the actor has a stance on the issue
capabilities       (..., n_actors)            capability, >= 0
veto               (n_actors,)                veto power
status_quo         (..., n_issues)            status quo point
scale_low/high     (n_issues,)                issue scale bounds
red_low/red_high   (..., n_actors, n_issues)  the interval an actor's red lines allow
drivers            name -> (...)              driver values
parameters         name -> (...)              parameter values
events             event id -> (...)          a deadline's effect size (``effect.by``)
=================  =========================  =============================================
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .schema import Quantity, Scenario

__all__ = ["ScenarioArrays", "as_generator", "quantile"]


def as_generator(seed: int | np.random.Generator | None) -> np.random.Generator:
    """A NumPy generator from a seed, a generator (used as is) or None (fresh entropy)."""
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(seed)


@dataclass(frozen=True, eq=False)
class ScenarioArrays:
    actor_ids: tuple[str, ...]
    issue_ids: tuple[str, ...]
    positions: np.ndarray
    saliences: np.ndarray
    has_stance: np.ndarray
    capabilities: np.ndarray
    veto: np.ndarray
    status_quo: np.ndarray
    scale_low: np.ndarray
    scale_high: np.ndarray
    red_low: np.ndarray
    red_high: np.ndarray
    drivers: dict[str, np.ndarray] = field(default_factory=dict)
    parameters: dict[str, np.ndarray] = field(default_factory=dict)
    events: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def n_actors(self) -> int:
        return len(self.actor_ids)

    @property
    def n_issues(self) -> int:
        return len(self.issue_ids)

    @property
    def n_draws(self) -> int | None:
        """Number of draws in a batch, or None for a single scenario."""
        return None if self.capabilities.ndim == 1 else int(self.capabilities.shape[0])

    def take(self, idx: np.ndarray | slice) -> ScenarioArrays:
        """The draws ``idx`` (indices, a boolean mask or a slice) of a batch, as a batch."""
        if self.n_draws is None:
            raise ValueError("take() selects draws of a batch; this is a single scenario")
        return replace(
            self,
            positions=self.positions[idx],
            saliences=self.saliences[idx],
            capabilities=self.capabilities[idx],
            status_quo=self.status_quo[idx],
            red_low=self.red_low[idx],
            red_high=self.red_high[idx],
            drivers={k: v[idx] for k, v in self.drivers.items()},
            parameters={k: v[idx] for k, v in self.parameters.items()},
            events={k: v[idx] for k, v in self.events.items()},
        )

    def actor_index(self, actor_id: str) -> int:
        return self.actor_ids.index(actor_id)

    def issue_index(self, issue_id: str) -> int:
        return self.issue_ids.index(issue_id)

    @classmethod
    def from_scenario(cls, s: Scenario) -> ScenarioArrays:
        return cls._build(s, lambda path, q: np.float64(q.value))

    @classmethod
    def sample(
        cls,
        s: Scenario,
        n_draws: int,
        seed: int | np.random.Generator | None,
        *,
        paired_with: Scenario | None = None,
    ) -> ScenarioArrays:
        if n_draws < 1:
            raise ValueError(f"n_draws must be >= 1; got {n_draws}")
        rng = as_generator(seed)
        # One uniform stream per quantity in a fixed order, so adding draws is reproducible.
        base = s if paired_with is None else paired_with
        rows = {path: k for k, (path, _) in enumerate(base.quantities())}
        u = rng.random((len(rows), n_draws))
        extra = np.random.default_rng(
            [0 if isinstance(seed, np.random.Generator) or seed is None else int(seed), 0x5EED]
        )
        quantities = list(s.quantities())
        if list(rows) == [p for p, _ in quantities] and all(q.shift is None for _, q in quantities):
            # each number at its own row of u, in order: the table is u's rows' quantiles
            # (what _drawn_all gives, without stacking u's rows into a copy of u)
            drawn = _triangular_rows([q for _, q in quantities], u)
            table = {p: drawn[k] for k, (p, _) in enumerate(quantities)}
            return cls._build(s, lambda path, q: table[path], (n_draws,))
        uniforms = {}
        for path, _ in quantities:
            # a what-if variant reuses the uniforms of the quantity at the same path, so its
            # draws are paired with the baseline's (common random numbers)
            uniforms[path] = u[rows[path]] if path in rows else extra.random(n_draws)
        # keyed by path, not by the Quantity object: one object at two paths (a model_copy
        # that shares it) still draws from two independent streams
        table = _drawn_all(quantities, uniforms)
        return cls._build(s, lambda path, q: table[path], (n_draws,))

    @classmethod
    def from_uniforms(cls, s: Scenario, uniforms: Mapping[str, np.ndarray]) -> ScenarioArrays:
        """A batch in which the quantity at each path of ``uniforms`` takes the triangular
        quantiles (:func:`quantile`) of the given uniforms, one per draw, and every other
        quantity its value: the arrays of a designed experiment (global sensitivity). A
        number a what-if's shift moved follows the shift in each draw (see :func:`_drawn`)."""
        n = {np.asarray(u).shape for u in uniforms.values()}
        if len(n) != 1 or len(next(iter(n))) != 1:
            raise ValueError("from_uniforms needs one 1-d array of uniforms per path, all as long")
        missing = set(uniforms) - {p for p, _ in s.quantities()}
        if missing:
            raise ValueError(f"no quantity at {', '.join(sorted(missing))}")
        (shape,) = n
        given = {p: np.asarray(x, float) for p, x in uniforms.items()}
        # a number a shift moved follows its share and goal when they vary in the design
        drawn = [
            (path, q)
            for path, q in s.quantities()
            if path in given or (q.shift is not None and _moves_with(q, given))
        ]
        own = {p: given[p] if p in given else _mode_uniform(q, shape) for p, q in drawn}
        table = _drawn_all(drawn, given, own)
        return cls._build(s, lambda path, q: table.get(path, np.float64(q.value)), shape)

    @classmethod
    def _build(
        cls,
        s: Scenario,
        getter: Callable[[str, Quantity], np.ndarray | np.float64],
        batch_shape: tuple[int, ...] = (),
    ) -> ScenarioArrays:
        """The arrays with each number given by ``getter(path, quantity)``; ``path`` is the
        quantity's path in :meth:`Scenario.quantities`, so numbers never depend on which
        Python objects the scenario shares."""
        A, I = s.n_actors, s.n_issues
        lo = np.array([i.low for i in s.issues], dtype=float)
        hi = np.array([i.high for i in s.issues], dtype=float)
        sq = [
            getter(f"status_quo.{i.id}", s.status_quo[i.id])
            if i.id in s.status_quo
            else np.float64(i.low)
            for i in s.issues
        ]
        status_quo = np.stack(np.broadcast_arrays(*sq), axis=-1).astype(float)
        # a scenario without any status quo still has the batch's shape
        status_quo = np.broadcast_to(status_quo, (*batch_shape, I)).copy()
        batch = status_quo.shape[:-1]
        caps = np.stack(
            np.broadcast_arrays(
                *[getter(f"{a.id}.capability", a.capability) for a in s.actors], np.empty(batch)
            ),
            axis=-1,
        )[..., :A]
        has = np.zeros((A, I), dtype=bool)
        pos = np.empty((*batch, A, I))
        sal = np.zeros((*batch, A, I))
        rlo = np.broadcast_to(lo, (*batch, A, I)).copy()
        rhi = np.broadcast_to(hi, (*batch, A, I)).copy()
        for k, a in enumerate(s.actors):
            for j, iss in enumerate(s.issues):
                st = a.stances.get(iss.id)
                if st is None:
                    pos[..., k, j] = status_quo[..., j]
                else:
                    has[k, j] = True
                    pos[..., k, j] = getter(f"{a.id}.{iss.id}.position", st.position)
                    sal[..., k, j] = (
                        getter(f"{a.id}.{iss.id}.salience", st.salience) / s.salience_max
                    )
                rl = a.red_lines.get(iss.id)
                if rl is not None:
                    if rl.op == ">=":
                        rlo[..., k, j] = getter(f"{a.id}.red_lines.{iss.id}", rl.bound)
                    else:
                        rhi[..., k, j] = getter(f"{a.id}.red_lines.{iss.id}", rl.bound)
        drivers = {
            k: _per_draw(getter(f"drivers.{k}", d.value), batch) for k, d in s.drivers.items()
        }
        params = {
            k: _per_draw(getter(f"parameters.{k}", p.value), batch) for k, p in s.parameters.items()
        }
        events = {
            e.id: _per_draw(getter(f"events.{e.id}.effect.by", e.effect.by), batch)
            for e in s.events
            if e.effect is not None and e.effect.by is not None
        }
        return cls(
            actor_ids=s.actor_ids,
            issue_ids=s.issue_ids,
            positions=pos,
            saliences=sal,
            has_stance=has,
            capabilities=np.asarray(caps, dtype=float),
            veto=np.array([a.veto for a in s.actors], dtype=bool),
            status_quo=status_quo,
            scale_low=lo,
            scale_high=hi,
            red_low=rlo,
            red_high=rhi,
            drivers=drivers,
            parameters=params,
            events=events,
        )


def _per_draw(x: np.ndarray | np.float64, batch: tuple[int, ...]) -> np.ndarray:
    """``x`` as a float array of the batch's shape, one entry per draw (a fixed number is
    filled in: most of a scenario's parameters are, and a run builds some 130 batches)."""
    if np.ndim(x) == 0:
        return np.full(batch, float(x))
    if isinstance(x, np.ndarray) and x.shape == batch:  # a drawn row: its copy, as a float
        return x.astype(float)
    return np.broadcast_to(x, batch).astype(float)


def _mode_uniform(q: Quantity, shape: tuple[int, ...]) -> np.ndarray:
    """The uniform at which the triangular quantile of ``q`` is its value (its mode); for a
    number a shift moved, that of the number before the shift."""
    while q.shift is not None:
        q = q.shift.origin
    width = q.high - q.low
    return np.full(shape, 0.5 if width == 0 else (q.value - q.low) / width)


def _moves_with(q: Quantity, given: Mapping[str, np.ndarray]) -> bool:
    sh = q.shift
    if sh is None:
        return False
    return (
        sh.toward in given
        or (sh.share_path is not None and sh.share_path in given)
        or _moves_with(sh.origin, given)
        or _moves_with(sh.goal, given)
    )


def _drawn_all(
    quantities: list[tuple[str, Quantity]],
    uniforms: Mapping[str, np.ndarray],
    own: Mapping[str, np.ndarray] | None = None,
) -> dict[str, np.ndarray]:
    """:func:`_drawn` of each ``(path, quantity)`` at its own uniforms (``own[path]``, by
    default ``uniforms[path]``), the numbers no shift moved in one array operation: the same
    arithmetic per element as :func:`_triangular` (a flagship run draws some 7,000 of them)."""
    own = uniforms if own is None else own
    plain = [(p, q) for p, q in quantities if q.shift is None]
    out: dict[str, np.ndarray] = {}
    if plain:
        u = np.stack([np.asarray(own[p], float) for p, _ in plain])
        for (p, _), row in zip(plain, _triangular_rows([q for _, q in plain], u), strict=True):
            out[p] = row
    for p, q in quantities:
        if q.shift is not None:
            out[p] = _drawn(q, own[p], uniforms)
    return out


def _triangular_rows(qs: list[Quantity], u: np.ndarray) -> np.ndarray:
    """:func:`_triangular` of ``qs[k]`` at the uniforms ``u[k]``, for every ``k`` at once."""
    shape = (len(qs),) + (1,) * (u.ndim - 1)
    a = np.array([q.low for q in qs], dtype=float).reshape(shape)
    c = np.array([q.value for q in qs], dtype=float).reshape(shape)
    b = np.array([q.high for q in qs], dtype=float).reshape(shape)
    out = np.empty(np.broadcast_shapes(u.shape, shape))
    # a block of rows at a time, its temporaries small enough to stay in the cache (a
    # sample of 2,000 draws is 121 rows of 2,000: 1.7 times faster in blocks)
    step = max(1, _BLOCK // max(1, math.prod(out.shape[1:])))
    for i in range(0, len(qs), step):
        rows = slice(i, i + step)
        _triangular_block(a[rows], c[rows], b[rows], u[rows], out[rows])
    return out


#: Elements of :func:`_triangular_rows`'s blocks (each temporary 128 kB).
_BLOCK = 16_384


def _triangular_block(
    a: np.ndarray, c: np.ndarray, b: np.ndarray, u: np.ndarray, out: np.ndarray
) -> None:
    """:func:`_triangular`'s arithmetic for rows ``(a, c, b)`` at ``u``, into ``out``, in
    place (a run draws some 75 of these tables: fresh temporaries cost more than the
    arithmetic), the same operations in the same order for each element."""
    flat = b == a
    width = np.where(flat, 1.0, b - a)  # a point range is its value (below)
    left = u * width
    left *= c - a
    np.sqrt(left, out=left)
    left += a
    np.subtract(1, u, out=out)
    out *= width
    out *= b - c
    np.sqrt(out, out=out)
    np.subtract(b, out, out=out)
    _select_into(out, left, u < (c - a) / width)
    if flat.any():
        np.copyto(out, np.broadcast_to(a, out.shape), where=np.broadcast_to(flat, out.shape))


def _select_into(out: np.ndarray, other: np.ndarray, where: np.ndarray) -> None:
    """``np.copyto(out, other, where=where)`` for float arrays of one shape, bit for bit,
    without branches: ``out ^= (other ^ out) & mask`` on the bits (``mask`` all ones where
    ``where``). A masked copy branches on each element, and a triangular draw's mask is
    random: it cost three times the rest of the arithmetic. ``other`` is overwritten."""
    bits, picked = out.view(np.uint64), other.view(np.uint64)
    np.bitwise_xor(picked, bits, out=picked)
    mask = where.astype(np.uint64)
    np.negative(mask, out=mask)
    np.bitwise_and(picked, mask, out=picked)
    np.bitwise_xor(bits, picked, out=bits)


def _drawn(q: Quantity, u: np.ndarray, uniforms: Mapping[str, np.ndarray]) -> np.ndarray:
    """The draws of ``q`` at its uniforms ``u``: triangular on its range, or, for a number a
    what-if's shift moved (:class:`~detente.scenario.schema.Shift`), the shift repeated in
    each draw, ``x + f (g - x)`` clipped to the scale, with ``x`` the number before the shift
    (at ``u``), ``g`` the goal (at its path's uniforms) and ``f`` the share (at its
    parameter's uniforms): one draw of the share for every number the shift moves."""
    sh = q.shift
    if sh is None:
        return _triangular(q, u)

    def at(path: str | None, r: Quantity) -> np.ndarray:
        row = uniforms.get(path) if path is not None else None
        return _drawn(r, row, uniforms) if row is not None else np.full(u.shape, r.value)

    x = _drawn(sh.origin, u, uniforms)
    goal, share = at(sh.toward, sh.goal), at(sh.share_path, sh.share)
    return np.clip(x + share * (goal - x), sh.within[0], sh.within[1])


def quantile(q: Quantity, u: np.ndarray) -> np.ndarray:
    """The quantity's value at uniforms ``u`` in [0, 1]: the inverse CDF of the triangular
    distribution on its range with its value as the mode (how every draw is made)."""
    return _triangular(q, np.asarray(u, float))


def _triangular(q: Quantity, u: np.ndarray) -> np.ndarray:
    """Inverse CDF of the triangular distribution (low, mode=value, high) at uniforms ``u``."""
    a, c, b = q.low, q.value, q.high
    if b == a:
        return np.full_like(u, a)
    fc = (c - a) / (b - a)
    left = a + np.sqrt(u * (b - a) * (c - a))
    right = b - np.sqrt((1 - u) * (b - a) * (b - c))
    return np.where(u < fc, left, right)
