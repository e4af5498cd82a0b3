"""detente._special gives scipy.special's numbers bit for bit.

Each function is compared with scipy on more than a million points over its whole domain,
its edges (0, 1, the smallest subnormal, 1 - eps, the switch points of each approximation
and their neighbours, NaN, +-inf, out-of-range arguments) and the values a run passes, on
the bit patterns (so 0.0 and -0.0 differ; NaNs match as NaNs, their payloads ignored).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import special as sc

from detente import _special
from detente._t975 import T975

TINY = np.array([5e-324, 1e-320, 2.2250738585072014e-308, 1e-300, 1e-200, 1e-30, 1e-16, 1e-9])
EDGES = np.r_[0.0, -0.0, 1.0, -1.0, np.nan, np.inf, -np.inf, 0.5, 2.0, -5e-324, TINY]


def _bits_equal(ours: np.ndarray, theirs: np.ndarray) -> np.ndarray:
    """Elementwise: the same bit pattern, or both NaN."""
    ours, theirs = np.asarray(ours, float), np.asarray(theirs, float)
    assert ours.shape == theirs.shape
    same = ours.view(np.uint64) == theirs.view(np.uint64)
    return same | (np.isnan(ours) & np.isnan(theirs))


def _assert_same(name: str, x: np.ndarray, *more: np.ndarray) -> None:
    ours = getattr(_special, name)(x, *more)
    theirs = getattr(sc, name)(x, *more)
    ok = _bits_equal(ours, theirs)
    bad = np.flatnonzero(~ok)
    assert bad.size == 0, (
        f"{name}: {bad.size} of {ok.size} differ, e.g. at {np.asarray(x).ravel()[bad[:5]]}: "
        f"{np.asarray(ours).ravel()[bad[:5]]} against scipy's {np.asarray(theirs).ravel()[bad[:5]]}"
    )


def _around(points: np.ndarray, k: int = 40) -> np.ndarray:
    """Each point and its ``k`` nearest doubles on either side."""
    out = [points]
    lo, hi = points.copy(), points.copy()
    for _ in range(k):
        lo, hi = np.nextafter(lo, -np.inf), np.nextafter(hi, np.inf)
        out += [lo, hi]
    return np.concatenate(out)


def _probabilities(rng: np.random.Generator) -> np.ndarray:
    """Points of [0, 1]: uniform, log-uniform near 0 and near 1 (down to subnormals), the
    largest doubles below 1, and the edges."""
    near0 = np.exp(rng.uniform(np.log(5e-324), np.log(0.5), 400_000))
    return np.r_[
        rng.random(600_000),
        near0,
        1.0 - near0,
        1.0 - np.arange(1, 20_001) * 2.0**-53,
        EDGES,
        1.0 - TINY,
    ]


def test_ndtri_equals_scipy_bit_for_bit() -> None:
    rng = np.random.default_rng(1)
    switches = np.array([np.exp(-2), 1 - np.exp(-2), np.exp(-32), 0.5, 0.125, 0.875])
    x = np.r_[
        _probabilities(rng),
        _around(switches),
        np.clip(rng.random(100_000), 1e-9, 1 - 1e-9),  # posterior draws' clipped uniforms
        0.5 + 0.5 * rng.random(100_000),  # half-normal draws
        0.975,  # the Sobol indices' 95% quantile
        rng.uniform(-3, 4, 10_000),  # out of range: NaN
    ]
    assert x.size > 1_000_000
    _assert_same("ndtri", x)


def test_logit_equals_scipy_bit_for_bit() -> None:
    rng = np.random.default_rng(2)
    x = np.r_[
        _probabilities(rng),
        _around(np.array([0.3, 0.65, 1e-6, 1 - 1e-6])),  # its switch points; the clip in to_theta
        rng.uniform(-3, 4, 10_000),
    ]
    assert x.size > 1_000_000
    _assert_same("logit", x)


def test_expit_equals_scipy_bit_for_bit() -> None:
    rng = np.random.default_rng(3)
    x = np.r_[
        rng.normal(0, 3, 400_000),
        rng.uniform(-800, 800, 400_000),  # exp overflows beyond +-709.78
        np.exp(rng.uniform(-745, 6.6, 200_000)) * rng.choice([-1.0, 1.0], 200_000),
        _around(np.array([-745.13, -709.78, 0.0, 36.7, 709.78])),
        EDGES,
        -TINY,
        1.7976931348623157e308,
        -1.7976931348623157e308,
    ]
    assert x.size > 1_000_000
    _assert_same("expit", x)


def test_gammaln_equals_scipy_bit_for_bit() -> None:
    rng = np.random.default_rng(4)
    ints = np.arange(-200.0, 2001.0)  # poles at 0, -1, ...; log factorials (a count's y + 1)
    x = np.r_[
        rng.uniform(-200, 200, 300_000),
        rng.uniform(0, 15, 200_000),  # the recurrence to [2, 3]
        np.exp(rng.uniform(np.log(5e-324), np.log(3e305), 300_000)),
        -np.exp(rng.uniform(np.log(5e-324), np.log(1e300), 200_000)),
        rng.integers(0, 40, 50_000) + rng.uniform(0.01, 50, 50_000),  # y + size in a run
        ints,
        ints + 0.5,
        _around(np.array([-34.0, -33.5, 2.0, 3.0, 13.0, 1000.0, 1e8, 2.556348e305, 1.0])),
        EDGES,
        1.7976931348623157e308,
    ]
    assert x.size > 1_000_000
    _assert_same("gammaln", x)


def test_xlogy_equals_scipy_bit_for_bit() -> None:
    rng = np.random.default_rng(5)
    n = 500_000
    x = np.r_[rng.integers(0, 30, n).astype(float), rng.normal(0, 10, n)]
    y = np.r_[rng.random(n), np.exp(rng.uniform(-745, 709, n))]
    x[::11] = 0.0
    special = np.r_[0.0, -0.0, 1.0, -1.0, 2.5, np.nan, np.inf, -np.inf, 5e-324]
    xs, ys = np.meshgrid(special, np.r_[special, 0.5, 1e-300], indexing="ij")
    _assert_same("xlogy", np.r_[x, xs.ravel()], np.r_[y, ys.ravel()])
    # broadcast as a ufunc would: a column of counts against a row of probabilities
    _assert_same("xlogy", np.arange(6.0)[:, None], rng.random((1, 7)))


def test_the_functions_keep_shapes_and_give_scalars_for_scalars() -> None:
    grid = np.linspace(0.01, 0.99, 12).reshape(3, 4)
    for name in ("ndtri", "logit", "expit", "gammaln"):
        f, g = getattr(_special, name), getattr(sc, name)
        assert f(grid).shape == (3, 4)
        assert np.array_equal(f(grid.T), g(grid.T))  # a non-contiguous input
        assert np.array_equal(f(grid[:, ::2]), g(grid[:, ::2]))
        scalar = f(0.25)
        assert isinstance(scalar, np.float64) and scalar == g(0.25)
        assert _bits_equal(f(3), g(3))  # an int is cast to float64
    assert isinstance(_special.xlogy(2.0, 3.0), np.float64)


def test_t975_is_scipys_stdtrit_for_every_entry_of_its_table() -> None:
    df = np.arange(1, _special.T975_MAX_DF + 1)
    theirs = sc.stdtrit(df, 0.975)
    ours = np.array([_special.t975(int(d)) for d in df])
    assert len(T975) == _special.T975_MAX_DF == 1000
    assert _bits_equal(ours, theirs).all()
    assert _special.t975(1) == pytest.approx(12.7062, abs=1e-4)  # the textbook t table
    assert _special.t975(30) == pytest.approx(2.0423, abs=1e-4)


@pytest.mark.parametrize("df", [1001, 5000, 2.5])
def test_t975_beyond_its_table_is_scipys(df: float) -> None:
    assert _special.t975(df) == float(sc.stdtrit(df, 0.975))  # type: ignore[arg-type]


def test_each_kernel_is_called_with_its_one_signature_only(monkeypatch) -> None:
    """The kernels' signatures are what the ahead-of-time build compiles: every call through
    the Python functions (scalars, ints, float32, lists, 2-D, non-contiguous and read-only
    arrays) passes 1-D C-contiguous writeable float64 arrays, nothing else."""
    from detente import _aot_build

    seen: list[tuple[str, tuple[np.ndarray, ...]]] = []
    for name in _special.SIGNATURES:
        kernel = getattr(_special, name)
        bound = kernel._bind()

        def call(*args, _name=name, _bound=bound):
            seen.append((_name, args))
            return _bound(*args)

        monkeypatch.setattr(kernel, "_call", call)
    grid = np.linspace(0.01, 0.99, 12).reshape(3, 4)
    frozen = grid.ravel().copy()
    frozen.flags.writeable = False
    inputs = (0.5, 3, np.float32(0.5), [0.1, 0.2], grid, grid.T, grid[:, ::2], frozen)
    for f in (_special.ndtri, _special.logit, _special.expit, _special.gammaln):
        for x in inputs:
            f(x)
    for x in inputs:
        _special.xlogy(x, frozen[:1])
    _special.xlogy(np.arange(6.0)[:, None], grid[:1, :])
    assert {name for name, _ in seen} == set(_special.SIGNATURES)
    for name, args in seen:
        assert len(args) == _special.SIGNATURES[name].count("float64[::1]") - 1, name
        for a in args:
            assert type(a) is np.ndarray and a.dtype == np.float64 and a.ndim == 1, name
            assert a.flags.c_contiguous and a.flags.writeable, name
    # and the build compiles exactly these: float64[::1] arrays in and out
    built = {k: (a, r) for m, k, a, r in _aot_build.EXPORTS if m == "detente._special"}
    assert set(built) == set(_special.SIGNATURES)
    for name, (args, result) in built.items():
        assert result == "float64[1]" and set(args) == {"float64[1]"}, name
        assert len(args) == len(seen[[n for n, _ in seen].index(name)][1]), name
