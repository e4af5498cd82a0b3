"""scipy.special's few functions that a ``detente run`` calls, without importing scipy.special.

Importing :mod:`scipy.special` costs some 0.25 s of CPU (it pulls in scipy's array-API layer),
a tenth of a flagship run that calls only :func:`ndtri`, :func:`logit`, :func:`expit`,
:func:`gammaln`, :func:`xlogy` and one Student's t quantile. These give scipy 1.17's numbers
bit for bit (tested on millions of points against scipy, ``tests/test_special.py``): each is a
port of scipy's own C++ (the xsf library, which carries Cephes; BSD-licensed, see
``src/detente/data/files/SOURCES.md``), with its coefficient tables, its order of operations
and the C library's ``log``, ``log1p``, ``exp``, ``sqrt`` and ``sin`` (``math.*`` in numba,
as scipy's C++ calls them; NumPy's SIMD ``exp`` and ``log`` differ from the C library in the
last bit on a few per cent of arguments).

- :func:`ndtri`: Cephes ``ndtri`` (S. L. Moshier, Cephes Math Library 2.1, 1989), the
  standard normal quantile, rational approximations on three ranges.
- :func:`gammaln`: Cephes ``lgam`` (release 2.2, 1992), the log of ``|Gamma(x)|``: a rational
  approximation on [2, 3] reached by recurrence below 13, Stirling's series above, the
  reflection formula below -34.
- :func:`logit`, :func:`expit`, :func:`xlogy`: xsf's formulas (``log(x / (1 - x))`` away from
  1/2 and ``log1p(2 (x - 1/2)) - log1p(-2 (x - 1/2))`` near it; ``1 / (1 + exp(-x))``;
  ``0`` if ``x == 0`` and ``y`` is not NaN, else ``x log(y)``).
- :func:`t975`: ``scipy.special.stdtrit(df, 0.975)`` (what ``scipy.stats.t.ppf(0.975, df)``
  gives) from a table of scipy's values for integer ``df`` 1 to :data:`T975_MAX_DF`
  (:mod:`detente._t975`, written by ``scripts/make_t975_table.py``); scipy beyond it.

The array work is done by kernels (:mod:`detente._kernels`: compiled ahead of time by the
install, else by numba on first call) over 1-D C-contiguous writeable float64 arrays, each
called with one signature only (:data:`SIGNATURES`); the Python functions here cast their
input to float64 (scipy computes a float32 input in single precision), flatten it, call the
kernel and give back the input's shape, a NumPy scalar for a scalar input as a ufunc does.
Kernels use ``error_model="numpy"`` and divide by nothing that can be zero, so compiled ahead
of time (whose error model is Python's) they behave the same.

>>> float(ndtri(0.975))
1.959963984540054
>>> float(expit(0.0)), float(logit(0.5)), float(gammaln(5.0)) == float(np.log(24.0))
(0.5, 0.0, True)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ._kernels import njit
from ._t975 import T975

__all__ = ["SIGNATURES", "T975_MAX_DF", "expit", "gammaln", "logit", "ndtri", "t975", "xlogy"]

#: Largest degrees of freedom of :func:`t975`'s table (scipy computes beyond it).
T975_MAX_DF = len(T975)

_ONE = "float64[::1](float64[::1])"
#: The one numba signature each kernel is called with (the functions below make sure of it).
SIGNATURES = {
    "ndtri_kernel": _ONE,
    "gammaln_kernel": _ONE,
    "logit_kernel": _ONE,
    "expit_kernel": _ONE,
    "xlogy_kernel": "float64[::1](float64[::1], float64[::1])",
}

# Cephes ndtri: P0/Q0 for |y - 1/2| <= 3/8, P1/Q1 for z = sqrt(-2 log y) in [2, 8), P2/Q2 in
# [8, 64]; Q tables omit their leading coefficient 1 (Cephes' p1evl).
_NDTRI_P0 = np.array([
    -5.99633501014107895267e1, 9.80010754185999661536e1, -5.66762857469070293439e1,
    1.39312609387279679503e1, -1.23916583867381258016e0,
])  # fmt: skip
_NDTRI_Q0 = np.array([
    1.95448858338141759834e0, 4.67627912898881538453e0, 8.63602421390890590575e1,
    -2.25462687854119370527e2, 2.00260212380060660359e2, -8.20372256168333339912e1,
    1.59056225126211695515e1, -1.18331621121330003142e0,
])  # fmt: skip
_NDTRI_P1 = np.array([
    4.05544892305962419923e0, 3.15251094599893866154e1, 5.71628192246421288162e1,
    4.40805073893200834700e1, 1.46849561928858024014e1, 2.18663306850790267539e0,
    -1.40256079171354495875e-1, -3.50424626827848203418e-2, -8.57456785154685413611e-4,
])  # fmt: skip
_NDTRI_Q1 = np.array([
    1.57799883256466749731e1, 4.53907635128879210584e1, 4.13172038254672030440e1,
    1.50425385692907503408e1, 2.50464946208309415979e0, -1.42182922854787788574e-1,
    -3.80806407691578277194e-2, -9.33259480895457427372e-4,
])  # fmt: skip
_NDTRI_P2 = np.array([
    3.23774891776946035970e0, 6.91522889068984211695e0, 3.93881025292474443415e0,
    1.33303460815807542389e0, 2.01485389549179081538e-1, 1.23716634817820021358e-2,
    3.01581553508235416007e-4, 2.65806974686737550832e-6, 6.23974539184983293730e-9,
])  # fmt: skip
_NDTRI_Q2 = np.array([
    6.02427039364742014255e0, 3.67983563856160859403e0, 1.37702099489081330271e0,
    2.16236993594496635890e-1, 1.34204006088543189037e-2, 3.28014464682127739104e-4,
    2.89247864745380683936e-6, 6.79019408009981274425e-9,
])  # fmt: skip
_EXP_M2 = 0.13533528323661269189  # exp(-2)
_SQRT2PI = 2.506628274631000502415765284811045253007

# Cephes lgam: A Stirling's series of log Gamma, B/C the rational function on [2, 3].
_LGAM_A = np.array([
    8.11614167470508450300e-4, -5.95061904284301438324e-4, 7.93650340457716943945e-4,
    -2.77777777730099687205e-3, 8.33333333333331927722e-2,
])  # fmt: skip
_LGAM_B = np.array([
    -1.37825152569120859100e3, -3.88016315134637840924e4, -3.31612992738871184744e5,
    -1.16237097492762307383e6, -1.72173700820839662146e6, -8.53555664245765465627e5,
])  # fmt: skip
_LGAM_C = np.array([
    -3.51815701436523470549e2, -1.70642106651881159223e4, -2.20528590553854454839e5,
    -1.13933444367982507207e6, -2.53252307177582951285e6, -2.01889141433532773231e6,
])  # fmt: skip
_LS2PI = 0.91893853320467274178  # log(sqrt(2 pi))
_LOGPI = 1.144729885849400174143427351353058711647  # log(pi)
_MAXLGM = 2.556348e305


@njit(inline="always", error_model="numpy")
def _polevl(x: float, coef: np.ndarray) -> float:
    """``coef[0] x^N + ... + coef[N]`` by Horner's rule (Cephes ``polevl``)."""
    ans = coef[0]
    for i in range(1, coef.size):
        ans = ans * x + coef[i]
    return ans


@njit(inline="always", error_model="numpy")
def _p1evl(x: float, coef: np.ndarray) -> float:
    """``x^N + coef[0] x^(N-1) + ... + coef[N-1]`` (Cephes ``p1evl``, leading 1 implied)."""
    ans = x + coef[0]
    for i in range(1, coef.size):
        ans = ans * x + coef[i]
    return ans


@njit(inline="always", error_model="numpy")
def _ndtri1(y0: float) -> float:
    if y0 == 0.0:
        return -math.inf
    if y0 == 1.0:
        return math.inf
    if y0 < 0.0 or y0 > 1.0:
        return math.nan
    negate = True
    y = y0
    if y > 1.0 - _EXP_M2:
        y = 1.0 - y
        negate = False
    if y > _EXP_M2:
        y = y - 0.5
        y2 = y * y
        x = y + y * (y2 * _polevl(y2, _NDTRI_P0) / _p1evl(y2, _NDTRI_Q0))
        return x * _SQRT2PI
    x = math.sqrt(-2.0 * math.log(y))
    x0 = x - math.log(x) / x
    z = 1.0 / x
    if x < 8.0:  # y > exp(-32)
        x1 = z * _polevl(z, _NDTRI_P1) / _p1evl(z, _NDTRI_Q1)
    else:
        x1 = z * _polevl(z, _NDTRI_P2) / _p1evl(z, _NDTRI_Q2)
    x = x0 - x1
    return -x if negate else x


@njit(inline="always", error_model="numpy")
def _lgam_large(x: float) -> float:
    """Cephes lgam for ``x >= 13``: Stirling's series (its first terms beyond 1000)."""
    if x > _MAXLGM:
        return math.inf
    q = (x - 0.5) * math.log(x) - x + _LS2PI
    if x >= 1000.0:
        if x > 1.0e8:
            return q
        p = 1.0 / (x * x)
        p = (
            (7.9365079365079365079365e-4 * p - 2.7777777777777777777778e-3) * p
            + 0.0833333333333333333333
        ) / x
        return q + p
    p = 1.0 / (x * x)
    return q + _polevl(p, _LGAM_A) / x


@njit(inline="always", error_model="numpy")
def _lgam1(x: float) -> float:
    if not math.isfinite(x):
        return x
    if x < -34.0:
        q = -x
        w = _lgam_large(q)  # Cephes recurses, lgam(q) with q > 34 finite: this branch
        p = np.floor(q)  # a float (numba's math.floor gives an int64)
        if p == q:
            return math.inf  # a pole
        z = q - p
        if z > 0.5:
            p += 1.0
            z = p - q
        # Cephes' sinpi(z) for z in [0, 1/2], where fmod(z, 2) is z
        z = q * (math.sin(math.pi * z) if z < 0.5 else -math.sin(math.pi * (z - 1.0)))
        if z == 0.0:
            return math.inf
        return _LOGPI - math.log(z) - w
    if x < 13.0:
        z = 1.0
        p = 0.0
        u = x
        while u >= 3.0:
            p -= 1.0
            u = x + p
            z *= u
        while u < 2.0:
            if u == 0.0:
                return math.inf  # a pole
            z /= u
            p += 1.0
            u = x + p
        if z < 0.0:
            z = -z
        if u == 2.0:
            return math.log(z)
        p -= 2.0
        x = x + p
        p = x * _polevl(x, _LGAM_B) / _p1evl(x, _LGAM_C)
        return math.log(z) + p
    return _lgam_large(x)


@njit(error_model="numpy")
def ndtri_kernel(y: np.ndarray) -> np.ndarray:
    """Cephes ``ndtri`` of each element."""
    out = np.empty(y.size)
    for i in range(y.size):
        out[i] = _ndtri1(y[i])
    return out


@njit(error_model="numpy")
def gammaln_kernel(x: np.ndarray) -> np.ndarray:
    """Cephes ``lgam`` of each element."""
    out = np.empty(x.size)
    for i in range(x.size):
        out[i] = _lgam1(x[i])
    return out


@njit(error_model="numpy")
def logit_kernel(x: np.ndarray) -> np.ndarray:
    """xsf's ``logit`` of each element."""
    out = np.empty(x.size)
    for i in range(x.size):
        v = x[i]
        if v < 0.3 or v > 0.65:
            d = 1.0 - v
            # v / d, with d == 0 only at v == 1 (+inf, scipy's 1 / 0), never a division by 0
            out[i] = math.log(v / d) if d != 0.0 else math.inf
        else:
            s = 2.0 * (v - 0.5)
            out[i] = math.log1p(s) - math.log1p(-s)
    return out


@njit(error_model="numpy")
def expit_kernel(x: np.ndarray) -> np.ndarray:
    """xsf's ``expit`` of each element."""
    out = np.empty(x.size)
    for i in range(x.size):
        out[i] = 1.0 / (1.0 + math.exp(-x[i]))
    return out


@njit(error_model="numpy")
def xlogy_kernel(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """xsf's ``xlogy`` of each pair of elements (``x`` and ``y`` of one length)."""
    out = np.empty(x.size)
    for i in range(x.size):
        if x[i] == 0.0 and not math.isnan(y[i]):
            out[i] = 0.0
        else:
            out[i] = x[i] * math.log(y[i])
    return out


def _flat(a: np.ndarray) -> np.ndarray:
    """``a`` as the kernels take it: 1-D, C-contiguous and writeable (a read-only array would
    be another signature to numba), copied only when it is not already."""
    flat = np.ascontiguousarray(a).reshape(-1)
    return flat if flat.flags.writeable else flat.copy()


def _apply(kernel: Any, x: Any) -> Any:
    """``kernel`` on ``x`` as float64, in ``x``'s shape (a NumPy scalar for a scalar)."""
    a = np.asarray(x, dtype=np.float64)
    out = kernel(_flat(a)).reshape(a.shape)
    return out[()] if out.ndim == 0 else out


def ndtri(x: Any) -> Any:
    """The standard normal quantile, ``scipy.special.ndtri(x)`` bit for bit (NaN outside
    [0, 1], -inf at 0, inf at 1)."""
    return _apply(ndtri_kernel, x)


def gammaln(x: Any) -> Any:
    """``log |Gamma(x)|``, ``scipy.special.gammaln(x)`` bit for bit (inf at the poles)."""
    return _apply(gammaln_kernel, x)


def logit(x: Any) -> Any:
    """``log(x / (1 - x))``, ``scipy.special.logit(x)`` bit for bit (NaN outside [0, 1])."""
    return _apply(logit_kernel, x)


def expit(x: Any) -> Any:
    """``1 / (1 + exp(-x))``, ``scipy.special.expit(x)`` bit for bit."""
    return _apply(expit_kernel, x)


def xlogy(x: Any, y: Any) -> Any:
    """``x log(y)``, 0 where ``x == 0`` and ``y`` is not NaN: ``scipy.special.xlogy(x, y)``
    bit for bit, broadcast."""
    a, b = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    shape = np.broadcast_shapes(a.shape, b.shape)
    a = a if a.shape == shape else np.broadcast_to(a, shape)
    b = b if b.shape == shape else np.broadcast_to(b, shape)
    out = xlogy_kernel(_flat(a), _flat(b)).reshape(a.shape)
    return out[()] if out.ndim == 0 else out


def t975(df: int) -> float:
    """``scipy.special.stdtrit(df, 0.975)``, the 97.5% quantile of Student's t with ``df``
    degrees of freedom (a positive integer): from the table up to :data:`T975_MAX_DF`,
    from scipy beyond it (the same number)."""
    if not 1 <= df <= T975_MAX_DF or int(df) != df:
        from scipy.special import stdtrit  # imported here: a default run never calls it

        return float(stdtrit(df, 0.975))
    return T975[int(df) - 1]
