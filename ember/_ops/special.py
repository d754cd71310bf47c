"""Special functions: the gamma family, incomplete gamma, error-function relatives, Bessel and Airy
functions, the classical orthogonal polynomials, and a few number-theoretic and floating-point
helpers (gcd, lcm, ldexp, frexp, nextafter, signbit).

PyTorch's CPU kernels (ATen/native/Math.h) are the Cephes library's approximations: rational or
Chebyshev expansions on a few ranges of the argument, joined to asymptotic forms. ember evaluates the
same expansions, vectorised: each range is a mask, and the result picks from the ranges with
`np.where`. They are evaluated in float64 and rounded to the input's dtype, so float32 results are
within about an ulp of PyTorch's and float64 ones agree to ~1e-13. Iterative parts (series, continued
fractions, recurrences) loop over the terms, never over the elements; each element stops adding terms
once its own sum has converged, as the scalar kernel would.

Many of these have no derivative in PyTorch (the Bessel functions, airy_ai, the polynomials): their
results simply record no graph. `ember.special` gives them torch.special's names.
"""
import math

import numpy as np
from numpy.polynomial import Chebyshev

from .. import _dtype as dtypes, return_types
from ..autograd.graph import Node
from ._util import record, result, write_out, binary_operands, broadcast_error, default_float, wrap, quietly
from .elementwise import _unary, _binary, _float_only, _tensor_only, _erf_erfc, exp, exp2, log, sin, cos, sgn, square
from .indexing import where
from .._tensor import Tensor, _scalar_type_name

_GAMMA = ['lgamma', 'digamma', 'polygamma', 'mvlgamma', 'igamma', 'igammac', 'i0']
_MISC = ['sinc', 'signbit', 'gcd', 'lcm', 'ldexp', 'frexp', 'nextafter']
# PyTorch's top-level in-place functions (`torch.i0_(t)`); the others exist as Tensor methods only
_INPLACE_FUNCTIONS = ['i0_', 'sinc_', 'gcd_', 'lcm_', 'ldexp_', 'xlogy_', 'logit_']

__all__ = _GAMMA + _MISC + _INPLACE_FUNCTIONS
TENSOR_METHODS = tuple(_GAMMA + _MISC)
INPLACE_METHODS = ('lgamma', 'digamma', 'polygamma', 'mvlgamma', 'igamma', 'igammac', 'i0', 'sinc', 'gcd', 'lcm',
                   'ldexp', 'nextafter')

_MACHEP = 1.11022302462515654042e-16  # Cephes' float64 machine epsilon (half of numpy's eps)


# ---- helpers ---------------------------------------------------------------------------------------------
def _in_float64(kernel):
    """A NumPy kernel computed in float64 and rounded back to the (float) dtype of its first operand."""
    def compute(data, *others):
        dtype = data.dtype
        operands = np.broadcast_arrays(*(np.asarray(x, dtype=np.float64) for x in (data,) + others))
        return quietly(lambda: np.asarray(kernel(*operands)).astype(dtype, copy=False))
    return compute


def _no_graph_unary(kernel, input, out):
    """A unary special function PyTorch defines no derivative for: its result records no graph."""
    return write_out(out, result(_in_float64(kernel)(default_float(input._data))))


def _polevl(x, coefficients):
    """The polynomial with `coefficients` (highest power first) at x, by Horner's rule."""
    total = np.zeros_like(x)
    for c in coefficients:
        total = total * x + c
    return total


def _chbevl(x, coefficients):
    """Cephes' Chebyshev series: sum' c_i T_i(x / 2), coefficients highest order first (Clenshaw's
    recurrence). The caller maps its interval onto x in (-2, 2)."""
    b0, b1, b2 = np.full_like(x, coefficients[0]), np.zeros_like(x), np.zeros_like(x)
    for c in coefficients[1:]:
        b2, b1 = b1, b0
        b0 = x * b1 - b2 + c
    return 0.5 * (b0 - b2)


def _converging_sum(first, next_term, tolerance=_MACHEP, max_terms=2000):
    """first + t1 + t2 + ...: `first` is an array of the result's shape, `next_term(n)` gives the n-th
    term of every element; an element stops adding once its term falls below `tolerance` times its sum."""
    total = np.array(first, dtype=np.float64)
    adding = np.ones(total.shape, dtype=bool)
    for n in range(1, max_terms):
        term = next_term(n)
        total = np.where(adding, total + term, total)
        adding &= ~(np.abs(term) <= tolerance * np.abs(total))
        if not adding.any():
            break
    return total


def _save_operands(node, input, other, dtype):
    """Keep both operands of a binary op; a Python number becomes a 0-d tensor of the result's dtype."""
    node.save_for_backward(*(x if isinstance(x, Tensor) else wrap(np.asarray(x, dtype)) for x in (input, other)))


class _NotImplementedInput(Node):
    """The gradient of a binary op that PyTorch has for its second input only: asking for the first
    raises PyTorch's NotImplementedError at backward time."""
    __slots__ = ()
    _missing = ''

    def backward(self, grad):
        if self.needs_input_grad(0):
            raise NotImplementedError(f"the derivative for '{self._missing}' is not implemented.")
        return None, self._other_grad(grad)


# ---- the gamma function and its derivatives -------------------------------------------------------------
# lgamma on [1, 3], the stretch that holds both its zeros (at 1 and 2): lgamma(x) = (x - 1)(x - 2) R(x),
# R a Chebyshev series interpolating math.lgamma at Chebyshev nodes (computed once, here, as erf's are in
# elementwise.py); so the result keeps its full relative accuracy next to the zeros.
_LGAMMA_BETWEEN_ZEROS = Chebyshev.interpolate(
    lambda x: np.array([math.lgamma(v) for v in x]) / ((x - 1) * (x - 2)), 31, domain=[1.0, 3.0])
# Stirling's series for lgamma beyond 15: B_2k / (2k (2k - 1) z^(2k - 1)), k = 7 down to 1
_STIRLING = (1 / 156, -691 / 360360, 1 / 1188, -1 / 1680, 1 / 1260, -1 / 360, 1 / 12)


def _lgamma_of_positive(x):
    """log Gamma(x) for x > 0 (float64)."""
    # below 3: the series on [1, 3], reached from (0, 1) by lgamma(x) = lgamma(x + 1) - log(x)
    below_one = x < 1
    shifted = np.clip(np.where(below_one, x + 1, x), 1, 3)
    near = (shifted - 1) * (shifted - 2) * _LGAMMA_BETWEEN_ZEROS(shifted)
    near = np.where(below_one, near - np.log(x), near)
    # from 3 on: climb to z >= 15 with lgamma(x) = lgamma(x + k) - log(x (x + 1) ... (x + k - 1)), then Stirling
    z, product = x.copy(), np.ones_like(x)
    for _ in range(12):
        climbing = z < 15
        product = np.where(climbing, product * z, product)
        z = np.where(climbing, z + 1, z)
    inverse = 1 / z
    stirling = ((z - 0.5) * np.log(z) - z + 0.5 * math.log(2 * math.pi)
                + inverse * _polevl(inverse * inverse, _STIRLING) - np.log(product))
    far = np.where(np.isposinf(x), np.inf, stirling)
    return np.where(x < 3, near, far)


def _lgamma(x):
    negative = x < 0
    positive_part = _lgamma_of_positive(np.where(negative, 1 - x, x))
    # reflection: |Gamma(x) Gamma(1 - x)| = pi / |sin(pi x)|, with sin(pi x) taken from x's distance to the
    # nearest integer, which is exact
    reflected = np.log(math.pi / np.abs(np.sin(math.pi * (x - np.rint(x))))) - positive_part
    out = np.where(negative, reflected, positive_part)
    return np.where(negative & (x == np.floor(x)), np.inf, out)  # the poles (and -inf): +inf, as C's lgamma


class LgammaBackward0(Node):
    def backward(self, grad):
        input, = self.saved_tensors
        return (grad * digamma(input),)


def lgamma(input, *, out=None):
    """log |Gamma(input)|."""
    return _unary(_in_float64(_lgamma), input, LgammaBackward0, out, save_input=True)


# Cephes' digamma: psi(x + 1) = psi(x) + 1/x lifts x to 10 or more, where the asymptotic series
# log(x) - 1/(2x) - sum B_2k / (2k x^2k) holds (coefficients highest power first)
_PSI_ASYMPTOTIC = (8.33333333333333333333e-2, -2.10927960927960927961e-2, 7.57575757575757575758e-3,
                   -4.16666666666666666667e-3, 3.96825396825396825397e-3, -8.33333333333333333333e-3,
                   8.33333333333333333333e-2)
_PSI_10 = 2.25175258906672110764  # psi(10), returned exactly when x lands on 10


def _digamma(x):
    negative = x < 0
    z = np.where(negative, 1 - x, x)
    shift = np.zeros_like(x)
    for _ in range(10):  # z >= 0, so ten steps reach 10
        below = z < 10
        shift = np.where(below, shift - 1 / z, shift)
        z = np.where(below, z + 1, z)
    inverse_square = 1 / (z * z)
    tail = np.where(z < 1e17, inverse_square * _polevl(inverse_square, _PSI_ASYMPTOTIC), 0.0)
    psi = np.where(z == 10, shift + _PSI_10, shift + np.log(z) - 0.5 / z - tail)
    # reflection: psi(x) = psi(1 - x) - pi / tan(pi r), r the fractional part of x (pi r is more exact
    # than pi x)
    psi = np.where(negative, psi - math.pi / np.tan(math.pi * np.fmod(x, 1)), psi)
    psi = np.where(x == 0, np.copysign(np.inf, -x), psi)  # +-0 give -+inf, as C's lgamma's derivative would
    return np.where(negative & (x == np.trunc(x)), np.nan, psi)  # negative integers (and -inf)


class DigammaBackward0(Node):
    def backward(self, grad):
        input, = self.saved_tensors
        return (grad * polygamma(1, input),)


def digamma(input, *, out=None):
    """psi(input), the derivative of lgamma."""
    return _unary(_in_float64(_digamma), input, DigammaBackward0, out, save_input=True)


def _trigamma(x):
    # PyTorch's own: reflection below 1/2, six steps of psi1(x) = psi1(x + 1) + 1/x^2, then the
    # asymptotic series 1/x + 1/(2x^2) + 1/(6x^3) - 1/(30x^5) + 1/(42x^7)
    reflect = x < 0.5
    total = np.where(reflect, -(math.pi ** 2) / np.sin(math.pi * x) ** 2, 0.0)
    x = np.where(reflect, 1 - x, x)
    for _ in range(6):
        total = total + 1 / (x * x)
        x = x + 1
    inverse_square = 1 / (x * x)
    total = total + (1 + 1 / (2 * x) + inverse_square * (1 / 6 - inverse_square * (1 / 30 - inverse_square / 42))) / x
    return np.where(reflect, -total, total)


# The Euler-Maclaurin correction of Hurwitz's zeta: (2k)! / B_2k
_ZETA_EULER_MACLAURIN = (12.0, -720.0, 30240.0, -1209600.0, 47900160.0, -1.8924375803183791606e9, 7.47242496e10,
                         -2.950130727918164224e12, 1.1646782814350067249e14, -4.5979787224074726105e15,
                         1.8152105401943546773e17, -7.1661652561756670113e18)


def _zeta(x, q):
    """Hurwitz's zeta, sum over k >= 0 of (q + k)^-x (Cephes' zeta, as PyTorch has it)."""
    # the terms themselves while they matter (at least 9 of them, and on to q + k > 9) ...
    total = q ** -x
    a, term = q.copy(), np.zeros_like(q)
    summing, converged = np.ones(q.shape, dtype=bool), np.zeros(q.shape, dtype=bool)
    count = 0
    while summing.any():
        count += 1
        a = np.where(summing, a + 1, a)
        term = np.where(summing, a ** -x, term)
        total = np.where(summing, total + term, total)
        negligible = summing & (-_MACHEP * total < term) & (term < _MACHEP * total)
        converged |= negligible
        summing &= ~negligible & ((count < 9) | (a <= 9))
    # ... then the rest as an integral plus the Euler-Maclaurin correction
    tail = total + term * a / (x - 1) - 0.5 * term
    adding = ~converged
    factor, power, k = np.ones_like(q), term, 0.0
    for coefficient in _ZETA_EULER_MACLAURIN:
        factor = factor * (x + k)
        power = power / a
        correction = factor * power / coefficient
        tail = np.where(adding, tail + correction, tail)
        adding &= ~(np.abs(correction / tail) < _MACHEP)
        k += 1
        factor = factor * (x + k)
        power = power / a
        k += 1
    out = np.where(converged, total, tail)
    # the edges of the domain, the first matching rule winning as in the scalar kernel
    out = np.where((q <= 0) & (x != np.floor(x)), np.nan, out)
    out = np.where((q <= 0) & (q == np.floor(q)), np.inf, out)
    out = np.where(x < 1, np.nan, out)
    return np.where(x == 1, np.inf, out)


def _polygamma_kernel(n):
    if n == 0:
        return _digamma
    if n == 1:
        return _trigamma
    # psi^(n)(x) = (-1)^(n+1) n! zeta(n + 1, x)
    scale = (1.0 if n % 2 else -1.0) * math.exp(math.lgamma(n + 1.0))
    return lambda x: scale * _zeta(np.full_like(x, n + 1.0), x)


class PolygammaBackward0(Node):
    __slots__ = ('n',)

    def backward(self, grad):
        input, = self.saved_tensors
        return (grad * polygamma(self.n + 1, input),)


def polygamma(n, input, *, out=None):
    """The n-th derivative of digamma at input."""
    if isinstance(n, Tensor):  # `input.polygamma(n)`, the Tensor method, passes the tensor first
        n, input = input, n
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    t = _unary(_in_float64(_polygamma_kernel(n)), input, PolygammaBackward0, None, save_input=True)
    if t.grad_fn is not None:
        t.grad_fn.n = n
    return write_out(out, t)


class MvlgammaBackward0(Node):
    __slots__ = ('p',)

    def backward(self, grad):
        input, = self.saved_tensors
        return (grad * sum(digamma(input - j / 2) for j in range(self.p)),)


def mvlgamma(input, p, *, out=None):
    """The multivariate log-gamma of dimension p: p(p-1)/4 log(pi) + sum over j < p of lgamma(input - j/2)."""
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")

    def kernel(x):
        return p * (p - 1) / 4 * math.log(math.pi) + sum(_lgamma(x - j / 2) for j in range(p))
    t = _unary(_in_float64(kernel), input, MvlgammaBackward0, None, save_input=True)
    if t.grad_fn is not None:
        t.grad_fn.p = p
    return write_out(out, t)


# ---- the regularized incomplete gamma functions ----------------------------------------------------------
# P(a, x) = gamma(a, x) / Gamma(a) and Q = 1 - P, by PyTorch's choice of method (SciPy's): the power series
# of P, the alternating series of Q for small x, or Q's continued fraction for x > a. (PyTorch also uses a
# uniform asymptotic expansion where a > 20 and x is near a; ember sums the series/fraction there, which
# converges in a few hundred terms.)
def _igamma_prefactor(a, x):
    """x^a e^-x / Gamma(a)."""
    return np.exp(a * np.log(x) - x - _lgamma(a))


def _igamma_series(a, x):
    """P(a, x) = x^a e^-x / Gamma(a + 1) * sum over n of x^n / ((a + 1) ... (a + n))  (DLMF 8.11.4)."""
    state = {'term': np.ones_like(x), 'r': a.copy()}

    def next_term(n):
        state['r'] = state['r'] + 1
        state['term'] = state['term'] * x / state['r']
        return state['term']
    return _converging_sum(np.ones_like(x), next_term) * _igamma_prefactor(a, x) / a


def _igammac_series(a, x):
    """Q(a, x) for small x, without the cancellation of 1 - P  (DLMF 8.7.3)."""
    state = {'factor': np.ones_like(x)}

    def next_term(n):
        state['factor'] = state['factor'] * -x / n
        return state['factor'] / (a + n)
    total = _converging_sum(np.zeros_like(x), next_term)
    log_x = np.log(x)
    return -np.expm1(a * log_x - _lgamma(1 + a)) - np.exp(a * log_x - _lgamma(a)) * total


def _igammac_continued_fraction(a, x):
    """Q(a, x) for x > a by its continued fraction (DLMF 8.9.2), evaluated forward (Cephes' igamc)."""
    big, big_inverse = 4.503599627370496e15, 2.22044604925031308085e-16
    y, z, c = 1 - a, x + (2 - a), np.zeros_like(x)
    p_before, q_before, p_last, q_last = np.ones_like(x), x.copy(), x + 1, z * x
    answer = p_last / q_last
    going = np.ones(x.shape, dtype=bool)
    for _ in range(2000):
        c, y, z = c + 1, y + 1, z + 2
        yc = y * c
        p_next, q_next = p_last * z - p_before * yc, q_last * z - q_before * yc
        ratio = p_next / q_next
        change = np.where(q_next != 0, np.abs((answer - ratio) / ratio), 1.0)
        answer = np.where(going & (q_next != 0), ratio, answer)
        p_before, q_before, p_last, q_last = p_last, q_last, p_next, q_next
        rescale = np.where(np.abs(p_next) > big, big_inverse, 1.0)  # keep the convergents finite
        p_before, q_before, p_last, q_last = p_before * rescale, q_before * rescale, p_last * rescale, q_last * rescale
        going &= ~(change <= _MACHEP)
        if not going.any():
            break
    return answer * _igamma_prefactor(a, x)


def _igamma_edges(a, x, P_or_Q):
    """The values on the domain's edges (SciPy's); NaN marks the elements computed normally."""
    lower = P_or_Q == 'P'
    out = np.full_like(x, np.nan)
    out = np.where(np.isposinf(x), 1.0 if lower else 0.0, out)
    out = np.where(np.isposinf(a), np.where(np.isposinf(x), np.nan, 0.0 if lower else 1.0), out)
    out = np.where(x == 0, 0.0 if lower else 1.0, out)
    out = np.where(a == 0, np.where(x > 0, 1.0 if lower else 0.0, np.nan), out)
    return np.where((x < 0) | (a < 0), np.nan, out), (x < 0) | (a < 0) | (a == 0) | (x == 0) | np.isinf(a) | np.isinf(x)


def _igammac(a, x):
    edges, on_edge = _igamma_edges(a, x, 'Q')
    # each method on the elements it is chosen for (evaluating it elsewhere would cost needless terms)
    out = np.full_like(x, np.nan)
    use_p = np.where(x > 1.1, x < a, np.where(x <= 0.5, -0.4 / np.log(x) < a, x * 1.1 < a)) & ~on_edge
    use_fraction = (x > 1.1) & ~use_p & ~on_edge
    use_series = ~use_p & ~use_fraction & ~on_edge & ~np.isnan(a) & ~np.isnan(x)
    out[use_p] = 1 - _igamma_series(a[use_p], x[use_p])
    out[use_fraction] = _igammac_continued_fraction(a[use_fraction], x[use_fraction])
    out[use_series] = _igammac_series(a[use_series], x[use_series])
    return np.where(on_edge, edges, out)


def _igamma(a, x):
    edges, on_edge = _igamma_edges(a, x, 'P')
    out = np.full_like(x, np.nan)
    from_q = (x > 1) & (x > a) & ~on_edge
    use_series = ~from_q & ~on_edge & ~np.isnan(a) & ~np.isnan(x)
    out[from_q] = 1 - _igammac(a[from_q], x[from_q])
    out[use_series] = _igamma_series(a[use_series], x[use_series])
    return np.where(on_edge, edges, out)


def _igamma_density(input, other):
    """d/dx P(a, x) = x^(a-1) e^-x / Gamma(a), with ember ops (so it can be differentiated again)."""
    return exp((input - 1) * log(other) - other - lgamma(input))


class IgammaBackward0(_NotImplementedInput):
    _missing = 'igamma: input'

    def _other_grad(self, grad):
        return grad * _igamma_density(*self.saved_tensors)


class IgammacBackward0(_NotImplementedInput):
    _missing = 'igammac: input'

    def _other_grad(self, grad):
        return -grad * _igamma_density(*self.saved_tensors)


def _incomplete_gamma(kernel, op_name, input, other, node_class, out):
    _tensor_only(op_name, other)
    _float_only(op_name, input, other)  # PyTorch has no integer kernel (and doesn't promote)
    t = _binary(_in_float64(kernel), input, other, node_class, None)
    return write_out(out, t)


def igamma(input, other, *, out=None):
    """The regularized lower incomplete gamma function P(input, other)."""
    return _incomplete_gamma(_igamma, 'igamma', input, other, IgammaBackward0, out)


def igammac(input, other, *, out=None):
    """The regularized upper incomplete gamma function Q(input, other) = 1 - P(input, other)."""
    return _incomplete_gamma(_igammac, 'igammac', input, other, IgammacBackward0, out)


# ---- the normal distribution and the scaled error function ----------------------------------------------
def _erfcx_of_nonnegative(x):
    """exp(x^2) erfc(x) for x >= 0 (float64)."""
    out = np.exp(x * x) * _erf_erfc(np.minimum(x, 1.0))[1]  # below 1, erfc > 0.15: no digits lost
    # from 1 on, the continued fraction sqrt(pi) erfcx(x) = 1 / (x + (1/2) / (x + 1 / (x + (3/2) / ...))),
    # which converges faster the larger x is (elementwise.py's erfc uses it from 10 on with 8 terms; 200
    # terms reach full precision from 1)
    fraction = x.copy()
    for k in range(200, 0, -1):
        fraction = x + (k / 2) / fraction
    return np.where(x < 1, out, 1 / (math.sqrt(math.pi) * fraction))


def _erfcx(x):
    # erfcx(-x) = 2 exp(x^2) - erfcx(x); it overflows to inf below about -26.6
    positive_part = _erfcx_of_nonnegative(np.abs(x))
    doubled = 2 * np.exp(x * x)
    out = np.where(x >= 0, positive_part, np.where(x < -6.1, doubled, doubled - positive_part))
    return np.where(np.isnan(x), x, out)


def _erfc(x):
    """erfc in float64, to full relative precision in the right tail (through erfcx)."""
    return np.where(x < 1, _erf_erfc(np.minimum(x, 1.0))[1], np.exp(-x * x) * _erfcx_of_nonnegative(np.abs(x)))


class SpecialErfcxBackward0(Node):
    def backward(self, grad):
        input, = self.saved_tensors
        return ((2 * input * self.saved_output - 2 / math.sqrt(math.pi)) * grad,)


def special_erfcx(input, *, out=None):
    """The scaled complementary error function exp(input^2) * erfc(input)."""
    t = _unary(_in_float64(_erfcx), input, SpecialErfcxBackward0, out, save_input=True)
    if t.grad_fn is not None:
        t.grad_fn.save_output(t)
    return t


def _ndtr(x):
    # PyTorch's composite (1 + erf(x / sqrt(2))) / 2, in x's own dtype: it is exactly 0 where erf rounds to -1
    half_x = x * x.dtype.type(1 / math.sqrt(2))
    return (1 + _erf_erfc(half_x)[0].astype(x.dtype)) * x.dtype.type(0.5)


class SpecialNdtrBackward0(Node):
    def backward(self, grad):
        input, = self.saved_tensors
        return (grad * exp(-0.5 * input * input) / math.sqrt(2 * math.pi),)


def special_ndtr(input, *, out=None):
    """The standard normal distribution function: the area under its density left of input."""
    return _unary(_ndtr, input, SpecialNdtrBackward0, out, save_input=True)


def _ndtri(y):
    # Cephes: a rational function of y - 1/2 in the middle; in the tails, of 1/z with z = sqrt(-2 log y)
    # (two ranges of z), corrected from the leading z - log(z)/z
    upper = y > 1 - 0.13533528323661269189  # exp(-2)
    tail_y = np.where(upper, 1 - y, y)
    middle = tail_y > 0.13533528323661269189
    centered = y - 0.5
    square = centered * centered
    middle_value = (centered + centered * (square * _polevl(square, _NDTRI_P0) / _polevl(square, _NDTRI_Q0))) \
        * math.sqrt(2 * math.pi)
    z = np.sqrt(-2 * np.log(tail_y))
    inverse = 1 / z
    correction = np.where(z < 8, inverse * _polevl(inverse, _NDTRI_P1) / _polevl(inverse, _NDTRI_Q1),
                          inverse * _polevl(inverse, _NDTRI_P2) / _polevl(inverse, _NDTRI_Q2))
    tail_value = z - np.log(z) / z - correction
    out = np.where(middle, middle_value, np.where(upper, tail_value, -tail_value))
    out = np.where((y < 0) | (y > 1), np.nan, out)
    return np.where(y == 0, -np.inf, np.where(y == 1, np.inf, out))


class SpecialNdtriBackward0(Node):
    def backward(self, grad):
        out = self.saved_output
        return (grad * math.sqrt(2 * math.pi) * exp(square(out) / 2),)


def special_ndtri(input, *, out=None):
    """The inverse of ndtr: the x whose normal-distribution area is input."""
    t = _unary(_in_float64(_ndtri), input, SpecialNdtriBackward0, out, save_output=True)
    return t


def _log_ndtr(x):
    # SciPy's: in the left tail through erfcx, whose exp(t^2) cancels analytically against -t^2
    t = x / math.sqrt(2)
    left = np.log(_erfcx(-t) / 2) - t * t
    return np.where(x < -1, left, np.log1p(-_erfc(t) / 2))


class SpecialLogNdtrBackward0(Node):
    def backward(self, grad):
        input, = self.saved_tensors
        return (grad / math.sqrt(2 * math.pi) * exp(-(self.saved_output + input * input / 2)),)


def special_log_ndtr(input, *, out=None):
    """log(ndtr(input)), accurate far into the left tail."""
    t = _unary(_in_float64(_log_ndtr), input, SpecialLogNdtrBackward0, out, save_input=True)
    if t.grad_fn is not None:
        t.grad_fn.save_output(t)
    return t


# ---- modified Bessel functions -----------------------------------------------------------------------------
# Cephes: exp(-|x|) I(|x|) is a Chebyshev series in x/2 - 2 on [0, 8], and exp(-|x|) sqrt(|x|) I(|x|) one in
# 32/|x| - 2 beyond 8; K on [0, 2] is a series in x^2 - 2 plus a log(x/2) I(x) term, exp(x) sqrt(x) K(x)
# beyond 2 a series in 8/x - 2.
def _i0e(x):
    magnitude = np.abs(x)
    return np.where(magnitude <= 8, _chbevl(magnitude / 2 - 2, _I0E_A),
                    _chbevl(32 / magnitude - 2, _I0E_B) / np.sqrt(magnitude))


def _exp_scaled(scaled_kernel):
    """I(x) = exp(|x|) * (exp(-|x|) I(x)), the exponential taken in x's own dtype: in float32 it overflows
    (to inf) where PyTorch's float32 kernel does, from |x| ~ 88.7 on."""
    return lambda data: quietly(lambda: np.exp(np.abs(data)) * _in_float64(scaled_kernel)(data))


def _i0(x):
    return np.exp(np.abs(x)) * _i0e(x)


def _i1e(x):
    magnitude = np.abs(x)
    out = np.where(magnitude <= 8, _chbevl(magnitude / 2 - 2, _I1E_A) * magnitude,
                   _chbevl(32 / magnitude - 2, _I1E_B) / np.sqrt(magnitude))
    return np.where(x < 0, -out, out)


def _i1(x):
    return np.exp(np.abs(x)) * _i1e(x)


def _k0e(x):
    small = np.exp(x) * (_chbevl(x * x - 2, _K0_A) - np.log(0.5 * x) * _i0(x))
    out = np.where(x <= 2, small, _chbevl(8 / x - 2, _K0E_B) / np.sqrt(x))
    return np.where(x == 0, np.inf, np.where(x < 0, np.nan, out))


def _k0(x):
    small = _chbevl(x * x - 2, _K0_A) - np.log(0.5 * x) * _i0(x)
    out = np.where(x <= 2, small, np.exp(-x) * _chbevl(8 / x - 2, _K0E_B) / np.sqrt(x))
    return np.where(x == 0, np.inf, np.where(x < 0, np.nan, out))


def _k1e(x):
    small = np.exp(x) * (np.log(0.5 * x) * _i1(x) + _chbevl(x * x - 2, _K1_A) / x)
    out = np.where(x <= 2, small, _chbevl(8 / x - 2, _K1E_B) / np.sqrt(x))
    return np.where(x == 0, np.inf, np.where(x < 0, np.nan, out))


def _k1(x):
    small = np.log(0.5 * x) * _i1(x) + _chbevl(x * x - 2, _K1_A) / x
    out = np.where(x <= 2, small, np.exp(-x) * _chbevl(8 / x - 2, _K1E_B) / np.sqrt(x))
    return np.where(x == 0, np.inf, np.where(x < 0, np.nan, out))


class I0Backward0(Node):
    def backward(self, grad):
        input, = self.saved_tensors
        return (grad * special_i1(input),)


def i0(input, *, out=None):
    """The modified Bessel function of the first kind, order 0."""
    return _unary(_exp_scaled(_i0e), input, I0Backward0, out, save_input=True)


class SpecialI0EBackward0(Node):
    def backward(self, grad):
        input, = self.saved_tensors
        return (grad * (special_i1e(input) - sgn(input) * self.saved_output),)


def special_i0e(input, *, out=None):
    """exp(-|input|) * i0(input), which doesn't overflow."""
    t = _unary(_in_float64(_i0e), input, SpecialI0EBackward0, out, save_input=True)
    if t.grad_fn is not None:
        t.grad_fn.save_output(t)
    return t


class SpecialI1Backward0(Node):
    def backward(self, grad):
        input, = self.saved_tensors
        # i1'(x) = i0(x) - i1(x)/x, 1/2 at 0
        at_zero = input == 0
        return (grad * where(at_zero, 0.5, i0(input) - self.saved_output / where(at_zero, 1.0, input)),)


def special_i1(input, *, out=None):
    """The modified Bessel function of the first kind, order 1."""
    t = _unary(_exp_scaled(_i1e), input, SpecialI1Backward0, out, save_input=True)
    if t.grad_fn is not None:
        t.grad_fn.save_output(t)
    return t


class SpecialI1EBackward0(Node):
    def backward(self, grad):
        input, = self.saved_tensors
        at_zero = input == 0
        slope = special_i0e(input) - self.saved_output * (sgn(input) + 1 / where(at_zero, 1.0, input))
        return (grad * where(at_zero, 0.5, slope),)


def special_i1e(input, *, out=None):
    """exp(-|input|) * i1(input)."""
    t = _unary(_in_float64(_i1e), input, SpecialI1EBackward0, out, save_input=True)
    if t.grad_fn is not None:
        t.grad_fn.save_output(t)
    return t


def special_modified_bessel_i0(input, *, out=None):
    """I0(input), the modified Bessel function of the first kind (no derivative in PyTorch)."""
    return write_out(out, result(_exp_scaled(_i0e)(default_float(input._data))))


def special_modified_bessel_i1(input, *, out=None):
    """I1(input), the modified Bessel function of the first kind (no derivative in PyTorch)."""
    return write_out(out, result(_exp_scaled(_i1e)(default_float(input._data))))


def special_modified_bessel_k0(input, *, out=None):
    """K0(input), the modified Bessel function of the second kind."""
    return _no_graph_unary(_k0, input, out)


def special_modified_bessel_k1(input, *, out=None):
    """K1(input), the modified Bessel function of the second kind."""
    return _no_graph_unary(_k1, input, out)


def special_scaled_modified_bessel_k0(input, *, out=None):
    """exp(input) * K0(input), which doesn't underflow."""
    return _no_graph_unary(_k0e, input, out)


def special_scaled_modified_bessel_k1(input, *, out=None):
    """exp(input) * K1(input)."""
    return _no_graph_unary(_k1e, input, out)


# ---- Bessel functions of the first and second kind, and Airy's Ai ------------------------------------------
# Cephes: up to 5 a rational function of x^2 (times the factors of the first zeros, for J); beyond, Hankel's
# asymptotic form sqrt(2 / (pi x)) (P cos(x - phase) - (5/x) Q sin(x - phase)) with P, Q rational in 25/x^2.
def _bessel_asymptotic(x, P, Q, quarter_turns, second_kind):
    w = 25 / (x * x)
    p = _polevl(w, P[0]) / _polevl(w, P[1])
    q = _polevl(w, Q[0]) / _polevl(w, Q[1])
    phase = x - quarter_turns * math.pi / 4
    if second_kind:
        value = p * np.sin(phase) + 5 / x * q * np.cos(phase)
    else:
        value = p * np.cos(phase) - 5 / x * q * np.sin(phase)
    return value * math.sqrt(2 / math.pi) / np.sqrt(x)


def _j0(x):
    x = np.abs(x)
    square = x * x
    small = (square - 5.78318596294678452118) * (square - 30.4712623436620863991) * _polevl(square, _J0_RP) \
        / _polevl(square, _J0_RQ)
    small = np.where(x < 1e-5, 1 - square / 4, small)
    return np.where(x <= 5, small, _bessel_asymptotic(x, (_J0_PP, _J0_PQ), (_J0_QP, _J0_QQ), 1, False))


def _j1(x):
    magnitude = np.abs(x)
    square = magnitude * magnitude
    small = _polevl(square, _J1_RP) / _polevl(square, _J1_RQ) * magnitude * (square - 14.6819706421238932572) \
        * (square - 49.2184563216946036703)
    out = np.where(magnitude <= 5, small,
                   _bessel_asymptotic(magnitude, (_J1_PP, _J1_PQ), (_J1_QP, _J1_QQ), 3, False))
    return np.where(x < 0, -out, out)


def _y0(x):
    square = x * x
    small = _polevl(square, _Y0_YP) / _polevl(square, _Y0_YQ) + 2 / math.pi * np.log(x) * _j0(x)
    out = np.where(x <= 5, small, _bessel_asymptotic(x, (_J0_PP, _J0_PQ), (_J0_QP, _J0_QQ), 1, True))
    return np.where(x == 0, -np.inf, np.where(x < 0, np.nan, out))


def _y1(x):
    square = x * x
    small = x * (_polevl(square, _Y1_YP) / _polevl(square, _Y1_YQ)) + 2 / math.pi * (_j1(x) * np.log(x) - 1 / x)
    out = np.where(x <= 5, small, _bessel_asymptotic(x, (_J1_PP, _J1_PQ), (_J1_QP, _J1_QQ), 3, True))
    return np.where(x == 0, -np.inf, np.where(x < 0, np.nan, out))


def special_bessel_j0(input, *, out=None):
    """J0(input), the Bessel function of the first kind, order 0 (no derivative in PyTorch)."""
    return _no_graph_unary(_j0, input, out)


def special_bessel_j1(input, *, out=None):
    """J1(input), the Bessel function of the first kind, order 1."""
    return _no_graph_unary(_j1, input, out)


def special_bessel_y0(input, *, out=None):
    """Y0(input), the Bessel function of the second kind, order 0."""
    return _no_graph_unary(_y0, input, out)


def special_bessel_y1(input, *, out=None):
    """Y1(input), the Bessel function of the second kind, order 1."""
    return _no_graph_unary(_y1, input, out)


def _spherical_j0(x):
    square = x * x
    # sin(x)/x's Taylor series near 0, where the division would lose digits
    series = 1 + square * (-1 / 6 + square * (1 / 120 + square * (-1 / 5040 + square * (
        1 / 362880 + square * (-1 / 39916800 + square * (1 / 6227020800))))))
    out = np.where(np.abs(x) < 0.5, series, np.sin(x) / x)
    return np.where(np.isinf(x), 0.0, out)


def special_spherical_bessel_j0(input, *, out=None):
    """j0(input) = sin(input) / input, the spherical Bessel function of the first kind."""
    return _no_graph_unary(_spherical_j0, input, out)


_AIRY_C1, _AIRY_C2 = 0.355028053887817239260, 0.258819403792806798405  # Ai(0), -Ai'(0)


def _airy_ai(x):
    # Cephes: Ai's Maclaurin series f(x) c1 - g(x) c2 on [-2.09, 2.09]; beyond, its asymptotic forms in
    # zeta = 2/3 |x|^(3/2): oscillating on the left, exp(-zeta) on the right
    root = np.sqrt(np.abs(x))
    zeta = 2 * np.abs(x) * root / 3
    inverse = 1 / zeta
    square = inverse * inverse
    theta = zeta + math.pi / 4
    left = 0.564189583547756286948 / np.sqrt(root) * (
        np.sin(theta) * (1 + square * _polevl(square, _AIRY_AFN) / _polevl(square, _AIRY_AFD))
        - np.cos(theta) * (inverse * _polevl(square, _AIRY_AGN) / _polevl(square, _AIRY_AGD)))
    right = 0.564189583547756286948 * (_polevl(inverse, _AIRY_AN) / _polevl(inverse, _AIRY_AD)) \
        / (2 * np.sqrt(root) * np.exp(zeta))
    # the series: f = sum 3^k (1/3)_k x^3k / (3k)!, g = sum 3^k (2/3)_k x^(3k+1) / (3k+1)!, term by term
    cube = x * x * x
    f, g = np.ones_like(x), x.copy()
    f_term, g_term, k = np.ones_like(x), x.copy(), 1.0
    adding = np.ones(x.shape, dtype=bool)
    while adding.any():
        f_term = f_term * cube / ((k + 1) * (k + 2))
        g_term = g_term * cube / ((k + 2) * (k + 3))
        k += 3
        f = np.where(adding, f + f_term, f)
        g = np.where(adding, g + g_term, g)
        adding &= np.abs(f_term / f) > np.finfo(np.float64).eps
    series = _AIRY_C1 * f - _AIRY_C2 * g
    out = np.where(x < -2.09, left, np.where(x >= 2.09, right, series))
    out = np.where(x > 103.892, 0.0, out)
    return np.where(np.isinf(x), np.nan, out)


def special_airy_ai(input, *, out=None):
    """Ai(input), the Airy function of the first kind (no derivative in PyTorch)."""
    return _no_graph_unary(_airy_ai, input, out)


# ---- the classical orthogonal polynomials -----------------------------------------------------------------
# PyTorch evaluates these in the result's own dtype by their three-term recurrences (or, for Chebyshev
# polynomials of high degree inside (-1, 1), by their trigonometric closed forms), so ember does too.
# None has a derivative in PyTorch.
def _polynomial_operands(op_name, x, n):
    """x and the degree n broadcast, x in the promoted float dtype, n as int64 (a float n truncates as C's cast
    does; NaN and inf count as negative degrees)."""
    if not isinstance(x, Tensor) and not isinstance(n, Tensor):
        raise TypeError(f"{op_name}() received an invalid combination of arguments - got "
                        f"({type(x).__name__}, {type(n).__name__}), but expected (Tensor x, Tensor n)")
    dtype = default_float(np.empty(0, dtypes.result_numpy_dtype(x, n))).dtype
    x_data = np.asarray(x._data if isinstance(x, Tensor) else x, dtype=dtype)
    n_data = np.asarray(n._data if isinstance(n, Tensor) else n)
    if n_data.dtype.kind == 'f':
        n_data = np.where(np.isfinite(n_data), np.trunc(n_data), -1)
    try:
        x_data, n_data = np.broadcast_arrays(x_data, n_data.astype(np.int64))
    except ValueError:
        raise broadcast_error(x_data.shape, n_data.shape) from None
    return x_data, n_data


def _recurrence(n, first, second, step, needed):
    """P_n for each element's degree n, from P_0 = first, P_1 = second and P_(k+1) = step(k, P_(k-1), P_k),
    run as far as the largest degree among the `needed` elements."""
    out = np.where(n == 0, first, second)
    top = int(n[needed].max()) if needed.any() else 1
    previous, current = first, second
    for k in range(1, top):
        previous, current = current, step(k, previous, current)
        out = np.where(n == k + 1, current, out)
        still = needed & (n > k + 1)
        if np.isnan(current[still]).all():  # NaN (overflow) stays NaN: PyTorch's loop stops there too
            return np.where(still, current, out)
    return out


def _chebyshev(kind, y, n, at_plus_one, at_minus_one, trig_after, shifted=False):
    """T, U, V or W of degree n at y (y = 2x - 1 for the shifted polynomials, which mark their ends by x)."""
    one = np.ones_like(y)
    first = {'t': y, 'u': y + y, 'v': y + y - 1, 'w': y + y + 1}[kind]
    trig = (n > trig_after) & (np.abs(y) < 1)
    out = _recurrence(n, one, first, lambda k, p, q: (y + y) * q - p, ~trig & (n > 1))
    theta = np.arccos(y)
    degree = n.astype(y.dtype)
    even = n % 2 == 0
    odd_sign = np.where(even, 1, -1).astype(y.dtype)
    if kind == 't':  # T_n(cos theta) = cos(n theta)
        closed, plus, minus = np.cos(degree * theta), one, odd_sign
    elif kind == 'u':  # U_n(cos theta) = sin((n + 1) theta) / sin(theta)
        sine = np.sin(theta)
        closed = np.where(sine != 0, np.sin((n + 1) * theta) / sine, (n + 1) * np.cos((n + 1) * theta) / y)
        plus, minus = (n + 1).astype(y.dtype), (n + 1) * odd_sign
    elif kind == 'v':  # V_n(cos theta) = cos((n + 1/2) theta) / cos(theta / 2)
        plus, minus = one, (n + n + 1) * odd_sign
        closed = np.where(np.sin(theta / 2) != 1, np.cos((degree + 0.5) * theta) / np.cos(theta / 2), minus)
    else:  # W_n(cos theta) = sin((n + 1/2) theta) / sin(theta / 2)
        plus, minus = (n + n + 1).astype(y.dtype), odd_sign
        # at theta = 0 PyTorch's shifted W gives +-1, the unshifted one 2n + 1
        fallback = odd_sign if shifted else np.where(y > 0, plus, odd_sign)
        closed = np.where(np.cos(theta / 2) != 1, np.sin((degree + 0.5) * theta) / np.sin(theta / 2), fallback)
    out = np.where(trig, closed, out)
    out = np.where(at_minus_one, minus, np.where(at_plus_one, plus, out))
    return np.where(n < 0, 0, out).astype(y.dtype, copy=False)


def _chebyshev_op(kind, op_name, x, n, out, shifted=False):
    x_data, n_data = _polynomial_operands(op_name, x, n)
    with np.errstate(all='ignore'):
        if shifted:
            y = x_data + x_data - 1
            data = _chebyshev(kind, y, n_data, x_data == 1, x_data == 0, 4 if kind == 'w' else 6, shifted=True)
        else:
            data = _chebyshev(kind, x_data, n_data, x_data == 1, x_data == -1, 6 if kind == 't' else 8)
    return write_out(out, result(data))


def special_chebyshev_polynomial_t(input, n, *, out=None):
    """T_n(input), the Chebyshev polynomial of the first kind."""
    return _chebyshev_op('t', 'special_chebyshev_polynomial_t', input, n, out)


def special_chebyshev_polynomial_u(input, n, *, out=None):
    """U_n(input), the Chebyshev polynomial of the second kind."""
    return _chebyshev_op('u', 'special_chebyshev_polynomial_u', input, n, out)


def special_chebyshev_polynomial_v(input, n, *, out=None):
    """V_n(input), the Chebyshev polynomial of the third kind."""
    return _chebyshev_op('v', 'special_chebyshev_polynomial_v', input, n, out)


def special_chebyshev_polynomial_w(input, n, *, out=None):
    """W_n(input), the Chebyshev polynomial of the fourth kind."""
    return _chebyshev_op('w', 'special_chebyshev_polynomial_w', input, n, out)


def special_shifted_chebyshev_polynomial_t(input, n, *, out=None):
    """T_n(2 input - 1), the Chebyshev polynomial of the first kind moved onto [0, 1]."""
    return _chebyshev_op('t', 'special_shifted_chebyshev_polynomial_t', input, n, out, shifted=True)


def special_shifted_chebyshev_polynomial_u(input, n, *, out=None):
    """U_n(2 input - 1)."""
    return _chebyshev_op('u', 'special_shifted_chebyshev_polynomial_u', input, n, out, shifted=True)


def special_shifted_chebyshev_polynomial_v(input, n, *, out=None):
    """V_n(2 input - 1)."""
    return _chebyshev_op('v', 'special_shifted_chebyshev_polynomial_v', input, n, out, shifted=True)


def special_shifted_chebyshev_polynomial_w(input, n, *, out=None):
    """W_n(2 input - 1)."""
    return _chebyshev_op('w', 'special_shifted_chebyshev_polynomial_w', input, n, out, shifted=True)


def _polynomial_op(op_name, x, n, out, first_degree, step, edges=None):
    x_data, n_data = _polynomial_operands(op_name, x, n)
    with np.errstate(all='ignore'):
        data = _recurrence(n_data, np.ones_like(x_data), first_degree(x_data), lambda k, p, q: step(x_data, k, p, q),
                           n_data > 1)
        if edges is not None:
            data = edges(x_data, n_data, data)
    return write_out(out, result(np.where(n_data < 0, 0, data).astype(x_data.dtype, copy=False)))


def _hermite_limit(x, n, values):
    # PyTorch gives NaN above degree 128 (float32) or 512 (float64)
    return np.where(n > (128 if x.dtype == np.float32 else 512), np.nan, values)


def special_hermite_polynomial_h(input, n, *, out=None):
    """H_n(input), the physicists' Hermite polynomial: H_(k+1) = 2x H_k - 2k H_(k-1)."""
    return _polynomial_op('special_hermite_polynomial_h', input, n, out, lambda x: x + x,
                          lambda x, k, p, q: (x + x) * q - (k + k) * p, _hermite_limit)


def special_hermite_polynomial_he(input, n, *, out=None):
    """He_n(input), the probabilists' Hermite polynomial: He_(k+1) = x He_k - k He_(k-1)."""
    return _polynomial_op('special_hermite_polynomial_he', input, n, out, lambda x: x,
                          lambda x, k, p, q: x * q - k * p, _hermite_limit)


def special_laguerre_polynomial_l(input, n, *, out=None):
    """L_n(input), the Laguerre polynomial: (k + 1) L_(k+1) = (2k + 1 - x) L_k - k L_(k-1)."""
    return _polynomial_op('special_laguerre_polynomial_l', input, n, out, lambda x: 1 - x,
                          lambda x, k, p, q: (((k + k) + (1 - x)) * q - k * p) / (k + 1),
                          lambda x, n, values: np.where(x == 0, 1, values))


def special_legendre_polynomial_p(input, n, *, out=None):
    """P_n(input), the Legendre polynomial: (k + 1) P_(k+1) = (2k + 1) x P_k - k P_(k-1)."""
    def edges(x, n, values):  # P_n(1) = 1, P_n(-1) = (-1)^n
        return np.where(np.abs(x) == 1, np.where((x > 0) | (n % 2 == 0), 1, -1), values)
    return _polynomial_op('special_legendre_polynomial_p', input, n, out, lambda x: x,
                          lambda x, k, p, q: ((k + k + 1) * x * q - k * p) / (k + 1), edges)


# ---- elementary relatives: sinc, entr, xlog1py, zeta ------------------------------------------------------
def _sinc(x):
    # in x's own dtype, pi * x rounded to it, as PyTorch's kernel computes it
    product = x * x.dtype.type(math.pi)
    return np.where(x == 0, 1, np.sin(product) / product).astype(x.dtype, copy=False)


class SincBackward0(Node):
    def backward(self, grad):
        input, = self.saved_tensors
        at_zero = input == 0
        safe = where(at_zero, 1.0, input)
        product = safe * math.pi
        slope = (product * cos(product) - sin(product)) / (product * safe)
        return (grad * where(at_zero, 0.0, slope),)


def sinc(input, *, out=None):
    """The normalized sinc function sin(pi x) / (pi x), 1 at 0."""
    return _unary(lambda data: quietly(_sinc, data), input, SincBackward0, out, save_input=True)


def _entr(x):
    return np.where(x > 0, -x * np.log(np.where(x > 0, x, 1)), np.where(x == 0, 0.0, np.where(x < 0, -np.inf, x)))


class SpecialEntrBackward0(Node):
    def backward(self, grad):
        input, = self.saved_tensors
        return (grad * -(1 + log(input)),)


def special_entr(input, *, out=None):
    """-input * log(input) elementwise (0 at 0, -inf below)."""
    return _unary(_in_float64(_entr), input, SpecialEntrBackward0, out, save_input=True)


class SpecialXlog1PyBackward0(Node):
    """xlog1py(tensor, tensor); a number operand is saved as a 0-d tensor"""

    def backward(self, grad):
        input, other = self.saved_tensors
        grad_input = None
        if self.needs_input_grad(0):
            # 0 where input == 0 and log1p(other) is not finite, as PyTorch
            hidden = (input == 0) & (other <= -1)
            grad_input = special_xlog1py(grad, where(hidden, 0.0, other))
        return grad_input, grad * input / (other + 1) if self.needs_input_grad(1) else None


class SpecialXlog1PyBackward1(SpecialXlog1PyBackward0):
    """xlog1py(number, tensor)"""


class SpecialXlog1PyBackward2(SpecialXlog1PyBackward0):
    """xlog1py(tensor, number)"""


def _xlog1py(x, y):
    # 0 * log1p(y) is 0 for any y but NaN
    y = np.asarray(y, dtype=x.dtype)
    return np.where((x == 0) & ~np.isnan(y), 0, x * np.log1p(y)).astype(x.dtype, copy=False)


def _binary_number_or_tensor(kernel, input, other, node_classes, out):
    """A binary op that takes a number on either side: the node class says which (PyTorch's
    Backward0/1/2), and both operands are saved as tensors."""
    node_class = node_classes[0 if isinstance(input, Tensor) and isinstance(other, Tensor) else
                              1 if isinstance(other, Tensor) else 2]
    t = _binary(kernel, input, other, node_class, None, save=False, to_float=True)
    if t.grad_fn is not None:
        _save_operands(t.grad_fn, input, other, t._data.dtype)
    return write_out(out, t)


def special_xlog1py(input, other, *, out=None):
    """input * log1p(other), taken as 0 where input is 0."""
    return _binary_number_or_tensor(_xlog1py, input, other, (SpecialXlog1PyBackward0, SpecialXlog1PyBackward1,
                                                             SpecialXlog1PyBackward2), out)


class SpecialZetaBackward0(_NotImplementedInput):
    """zeta(tensor, tensor): PyTorch has the derivative in q only"""
    _missing = 'zeta'

    def _other_grad(self, grad):
        input, other = self.saved_tensors
        return grad * -input * special_zeta(input + 1, other)


class SpecialZetaBackward1(SpecialZetaBackward0):
    """zeta(number, tensor)"""


class SpecialZetaBackward2(SpecialZetaBackward0):
    """zeta(tensor, number)"""


def special_zeta(input, other, *, out=None):
    """Hurwitz's zeta function, the sum over k >= 0 of (other + k)^-input."""
    return _binary_number_or_tensor(_in_float64(_zeta), input, other,
                                    (SpecialZetaBackward0, SpecialZetaBackward1, SpecialZetaBackward2), out)


# ---- integers and floating-point representation -----------------------------------------------------------
def _integers_only(op_name, *tensors):
    for t in tensors:
        if t._data.dtype.kind not in 'iu':
            raise NotImplementedError(f'"{op_name}_cpu" not implemented for \'{_scalar_type_name(t._data.dtype)}\'')


def _integer_binary(np_function, op_name, input, other, out):
    _tensor_only(op_name, other)
    _integers_only(op_name, input, other)
    a, b = binary_operands(input, other)
    try:
        return write_out(out, result(np_function(a, b)))
    except ValueError:
        raise broadcast_error(a.shape, b.shape) from None


def gcd(input, other, *, out=None):
    """The greatest common divisor of integers, elementwise (non-negative; gcd(0, 0) = 0)."""
    return _integer_binary(np.gcd, 'gcd', input, other, out)


def lcm(input, other, *, out=None):
    """The least common multiple of integers, elementwise (non-negative)."""
    return _integer_binary(np.lcm, 'lcm', input, other, out)


def signbit(input, *, out=None):
    """Whether the sign bit is set: True for negative numbers and for -0.0."""
    return write_out(out, result(np.signbit(input._data)))


class LdexpBackward0(Node):
    def backward(self, grad):
        other, = self.saved_tensors
        return (grad * exp2(other) if self.needs_input_grad(0) else None,
                grad * self.saved_output * math.log(2.0) if self.needs_input_grad(1) else None)


def ldexp(input, other, *, out=None):
    """input * 2 ** other (a float result)."""
    _tensor_only('ldexp', other)
    t = _binary(lambda a, b: a * np.exp2(b), input, other, LdexpBackward0, None,
                save=lambda node, input, other: node.save_for_backward(other), to_float=True)
    if t.grad_fn is not None:
        t.grad_fn.save_output(t)
    return write_out(out, t)


class FrexpBackward0(Node):
    __slots__ = ('exponent',)

    def backward(self, grad):
        return (grad / exp2(self.exponent),)


def frexp(input, *, out=None):
    """(mantissa, exponent) with input = mantissa * 2 ** exponent and 0.5 <= |mantissa| < 1 (int32 exponent)."""
    if input._data.dtype.kind != 'f':
        raise RuntimeError("torch.frexp() only supports floating-point dtypes")
    mantissa, exponent = np.frexp(input._data)
    exponent = wrap(exponent.astype(np.int32))
    node = record(FrexpBackward0, input)
    if node is not None:
        node.exponent = exponent
    mantissa = result(mantissa, node)
    if out is not None:
        return return_types.frexp(write_out(out[0], mantissa), write_out(out[1], exponent))
    return return_types.frexp(mantissa, exponent)


class NextafterBackward0(Node):
    def backward(self, grad):
        input, other = self.saved_tensors
        return (where(input != other, grad, 0.0) if self.needs_input_grad(0) else None,
                grad * 0 if self.needs_input_grad(1) else None)


def nextafter(input, other, *, out=None):
    """The next float after input in the direction of other."""
    _tensor_only('nextafter', other)
    _float_only('nextafter', input, other)
    return _binary(np.nextafter, input, other, NextafterBackward0, out)


# ---- PyTorch's top-level in-place functions ------------------------------------------------------------
def _inplace_function(name):
    def function(input, *args, **kwargs):
        return getattr(input, name)(*args, **kwargs)
    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"`input.{name}(...)`: the in-place form, as a function."
    return function


i0_, sinc_, gcd_, lcm_, ldexp_, xlogy_, logit_ = (_inplace_function(name) for name in _INPLACE_FUNCTIONS)


# ---- Cephes coefficient tables (as in PyTorch's ATen/native/Math.h), highest order first -----------------
_AIRY_AN = (
    0.346538101525629, 12.007595273964581, 76.27960536152345, 168.08922493463058, 159.75639135016442,
    70.53609068404442, 14.026469116338967, 1.0
)
_AIRY_AD = (
    0.5675945326387702, 14.75625625848472, 84.51389701414746, 177.31808814540045, 164.2346928715297,
    71.47784008255756, 14.095913560783403, 1.0
)
_AIRY_AFN = (
    -0.1316963234183318, -0.6264565444319123, -0.6931580360369335, -0.2797799815451191, -0.04919001326095003,
    -0.004062659235948854, -0.0001592764962392621, -2.776491081552329e-06, -1.6778769848911465e-08
)
_AIRY_AFD = (
    13.356042070655324, 32.682503279522464, 26.736704094149957, 9.187074029072596, 1.4752914677166642,
    0.11568717379518804, 0.004402916416152112, 7.547203482874142e-05, 4.5185009297058035e-07
)
_AIRY_AGN = (
    0.01973399320916857, 0.39110302961568827, 1.0657989759959559, 0.9391692298166502, 0.35146565610554764,
    0.06338889196289255, 0.005858041130483885, 0.000282851600836737, 6.98793669997261e-06,
    8.117892395543892e-08, 3.415517847659236e-10
)
_AIRY_AGD = (
    9.30892908077442, 19.835292871831214, 15.564662893286462, 5.476860694229755, 0.9542936116189619,
    0.08645808263523921, 0.004126565238242226, 0.00010125908511650914, 1.1716673321441352e-06,
    4.9183457006293e-09
)
_J0_PP = (
    0.0007969367292973471, 0.08283523921074408, 1.239533716464143, 5.447250030587687, 8.74716500199817,
    5.303240382353949, 1.0
)
_J0_PQ = (
    0.0009244088105588637, 0.08562884743544745, 1.2535274390105895, 5.470977403304171, 8.761908832370695,
    5.306052882353947, 1.0
)
_J0_QP = (
    -0.011366383889846916, -1.2825271867050931, -19.553954425773597, -93.20601521237683, -177.68116798048806,
    -147.07750515495118, -51.41053267665993, -6.050143506007285
)
_J0_QQ = (
    64.3178256118178, 856.4300259769806, 3882.4018360540163, 7240.467741956525, 5930.727011873169,
    2062.0933166032783, 242.0057402402914
)
_J0_RP = (
    -4794432209.782018, 1956174919465.5657, -249248344360967.72, 9708622510473064.0
)
_J0_RQ = (
    499.563147152651, 173785.4016763747, 48440965.83399621, 11185553704.535683, 2112775201154.892,
    310518229857422.56, 3.1812195594320496e+16, 1.7108629408104315e+18
)
_Y0_YP = (
    15592.436785523574, -14663929.59039716, 5435264770.518765, -982136065717.9115, 87590639439536.7,
    -3466283033847297.0, 4.4273326857256984e+16, -1.8495080043698668e+16
)
_Y0_YQ = (
    1041.2835366425984, 626107.330137135, 268919633.39381415, 86400248710.3935, 20297961275010.555,
    3171577528429750.5, 2.5059625617265306e+17
)
_J1_PP = (
    0.0007621256162081731, 0.07313970569409176, 1.1271960812968493, 5.112079511468076, 8.424045901417724,
    5.214515986823615, 1.0
)
_J1_PQ = (
    0.0005713231280725487, 0.06884559087544954, 1.105142326340617, 5.073863861286015, 8.399855543276042,
    5.209828486823619, 1.0
)
_J1_QP = (
    0.05108625947501766, 4.982138729512334, 75.82382841325453, 366.7796093601508, 710.8563049989261,
    597.4896124006136, 211.68875710057213, 25.207020585802372
)
_J1_QQ = (
    74.23732770356752, 1056.4488603826283, 4986.410583376536, 9562.318924047562, 7997.041604473507,
    2826.1927851763908, 336.0936078106983
)
_J1_RP = (
    -899971225.7055594, 452228297998.19403, -72749424522181.83, 3682957328638529.0
)
_J1_RQ = (
    620.8364781180543, 256987.25675774884, 83514679.14319493, 22151159547.97925, 4749141220799.914,
    784369607876235.9, 8.952223361846274e+16, 5.322786203326801e+18
)
_Y1_YP = (
    1263204747.9017804, -647355876379.1603, 114509511541823.73, -8127702555013251.0, 2.024394757135949e+17,
    -7.788771962659501e+17
)
_Y1_YQ = (
    594.3015923461282, 235564.09294306856, 73481194.44597217, 18760131610.870617, 3882312774962.3857,
    620557727146953.8, 6.871410873553005e+16, 3.9727060811656064e+18
)
_I0E_A = (
    -4.4153416464793395e-18, 3.3307945188222384e-17, -2.431279846547955e-16, 1.715391285555133e-15,
    -1.1685332877993451e-14, 7.676185498604936e-14, -4.856446783111929e-13, 2.95505266312964e-12,
    -1.726826291441556e-11, 9.675809035373237e-11, -5.189795601635263e-10, 2.6598237246823866e-09,
    -1.300025009986248e-08, 6.046995022541919e-08, -2.670793853940612e-07, 1.1173875391201037e-06,
    -4.4167383584587505e-06, 1.6448448070728896e-05, -5.754195010082104e-05, 0.00018850288509584165,
    -0.0005763755745385824, 0.0016394756169413357, -0.004324309995050576, 0.010546460394594998,
    -0.02373741480589947, 0.04930528423967071, -0.09490109704804764, 0.17162090152220877, -0.3046826723431984,
    0.6767952744094761
)
_I0E_B = (
    -7.233180487874754e-18, -4.830504485944182e-18, 4.46562142029676e-17, 3.461222867697461e-17,
    -2.8276239805165836e-16, -3.425485619677219e-16, 1.7725601330565263e-15, 3.8116806693526224e-15,
    -9.554846698828307e-15, -4.150569347287222e-14, 1.54008621752141e-14, 3.8527783827421426e-13,
    7.180124451383666e-13, -1.7941785315068062e-12, -1.3215811840447713e-11, -3.1499165279632416e-11,
    1.1889147107846439e-11, 4.94060238822497e-10, 3.3962320257083865e-09, 2.266668990498178e-08,
    2.0489185894690638e-07, 2.8913705208347567e-06, 6.889758346916825e-05, 0.0033691164782556943,
    0.8044904110141088
)
_I1E_A = (
    2.7779141127610464e-18, -2.111421214358166e-17, 1.5536319577362005e-16, -1.1055969477353862e-15,
    7.600684294735408e-15, -5.042185504727912e-14, 3.223793365945575e-13, -1.9839743977649436e-12,
    1.1736186298890901e-11, -6.663489723502027e-11, 3.625590281552117e-10, -1.8872497517228294e-09,
    9.381537386495773e-09, -4.445059128796328e-08, 2.0032947535521353e-07, -8.568720264695455e-07,
    3.4702513081376785e-06, -1.3273163656039436e-05, 4.781565107550054e-05, -0.00016176081582589674,
    0.0005122859561685758, -0.0015135724506312532, 0.004156422944312888, -0.010564084894626197,
    0.024726449030626516, -0.05294598120809499, 0.1026436586898471, -0.17641651835783406, 0.25258718644363365
)
_I1E_B = (
    7.517296310842105e-18, 4.414348323071708e-18, -4.6503053684893586e-17, -3.209525921993424e-17,
    2.96262899764595e-16, 3.3082023109209285e-16, -1.8803547755107825e-15, -3.8144030724370075e-15,
    1.0420276984128802e-14, 4.272440016711951e-14, -2.1015418427726643e-14, -4.0835511110921974e-13,
    -7.198551776245908e-13, 2.0356285441470896e-12, 1.4125807436613782e-11, 3.2526035830154884e-11,
    -1.8974958123505413e-11, -5.589743462196584e-10, -3.835380385964237e-09, -2.6314688468895196e-08,
    -2.512236237870209e-07, -3.882564808877691e-06, -0.00011058893876262371, -0.009761097491361469,
    0.7785762350182801
)
_K0_A = (
    1.374465435613523e-16, 4.25981614279661e-14, 1.0349695257633842e-11, 1.904516377220209e-09,
    2.5347910790261494e-07, 2.286212103119452e-05, 0.001264615411446926, 0.0359799365153615, 0.3442898999246285,
    -0.5353273932339028
)
_K0E_B = (
    5.300433772686263e-18, -1.6475804301524212e-17, 5.2103915050390274e-17, -1.678231096805412e-16,
    5.512055978524319e-16, -1.848593377343779e-15, 6.3400764774050706e-15, -2.2275133269916698e-14,
    8.032890775363575e-14, -2.9800969231727303e-13, 1.140340588208475e-12, -4.514597883373944e-12,
    1.8559491149547177e-11, -7.957489244477107e-11, 3.577397281400301e-10, -1.69753450938906e-09,
    8.574034017414225e-09, -4.660489897687948e-08, 2.766813639445015e-07, -1.8317555227191195e-06,
    1.39498137188765e-05, -0.00012849549581627802, 0.0015698838857300533, -0.0314481013119645,
    2.4403030820659555
)
_K1_A = (
    -7.023863479386288e-18, -2.427449850519366e-15, -6.666901694199329e-13, -1.4114883926335278e-10,
    -2.213387630734726e-08, -2.4334061415659684e-06, -0.0001730288957513052, -0.006975723859639864,
    -0.12261118082265715, -0.3531559607765449, 1.5253002273389478
)
_K1E_B = (
    -5.756744483665017e-18, 1.7940508731475592e-17, -5.689462558442859e-17, 1.838093544366639e-16,
    -6.057047248373319e-16, 2.038703165624334e-15, -7.019837090418314e-15, 2.4771544244813043e-14,
    -8.976705182324994e-14, 3.3484196660784293e-13, -1.2891739609510289e-12, 5.13963967348173e-12,
    -2.1299678384275683e-11, 9.218315187605006e-11, -4.1903547593418965e-10, 2.015049755197033e-09,
    -1.0345762465678097e-08, 5.7410841254500495e-08, -3.5019606030878126e-07, 2.406484947837217e-06,
    -1.936197974166083e-05, 0.00019521551847135162, -0.002857816859622779, 0.10392373657681724,
    2.7206261904844427
)
_NDTRI_P0 = (
    -59.96335010141079, 98.00107541859997, -56.67628574690703, 13.931260938727968, -1.2391658386738125
)
_NDTRI_Q0 = (
    1.0, 1.9544885833814176, 4.676279128988815, 86.36024213908905, -225.46268785411937, 200.26021238006066,
    -82.03722561683334, 15.90562251262117, -1.1833162112133
)
_NDTRI_P1 = (
    4.0554489230596245, 31.525109459989388, 57.16281922464213, 44.08050738932008, 14.684956192885803,
    2.1866330685079025, -0.1402560791713545, -0.03504246268278482, -0.0008574567851546854
)
_NDTRI_Q1 = (
    1.0, 15.779988325646675, 45.39076351288792, 41.3172038254672, 15.04253856929075, 2.504649462083094,
    -0.14218292285478779, -0.03808064076915783, -0.0009332594808954574
)
_NDTRI_P2 = (
    3.2377489177694603, 6.915228890689842, 3.9388102529247444, 1.3330346081580755, 0.20148538954917908,
    0.012371663481782003, 0.00030158155350823543, 2.6580697468673755e-06, 6.239745391849833e-09
)
_NDTRI_Q2 = (
    1.0, 6.02427039364742, 3.6798356385616087, 1.3770209948908132, 0.21623699359449663, 0.013420400608854318,
    0.00032801446468212774, 2.8924786474538068e-06, 6.790194080099813e-09
)
