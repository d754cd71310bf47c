"""Samplers that accept or reject draws: `_standard_gamma` (with its implicit reparameterisation
gradient), `_sample_dirichlet` (whose gradient `_dirichlet_grad` gives), `poisson` and `binomial`, as
PyTorch's CPU kernels draw them.

PyTorch runs these element by element (`cpu_serial_kernel`), each element taking as many double
uniforms (`at::uniform_real_distribution<double>`) and scalar normals (`at::normal_distribution<double>`,
which caches its second Box-Muller value in the generator) as its rejection loop needs. How many draws
an element takes depends on the values drawn, so element k+1's draws start wherever element k's ended:
to give the same numbers from the same generator, the loops below run one element at a time too. The
gradient of `_standard_gamma` has no draws and is vectorised.

Arithmetic follows the C++ types: in the float32 kernels some steps are float (`scalar_t`) and the rest
double (`accscalar_t`, and float constants such as `0.0331f` promoted to double), which the loops keep
by computing float steps on `np.float32` values and double steps on Python floats.
"""
import math

import numpy as np

from .. import _sampling
from .. import random as _random
from ..autograd.graph import Node
from .._tensor import Tensor, _scalar_type_name
from ._util import record, result, wrap

__all__ = ['poisson', 'binomial', '_standard_gamma', '_standard_gamma_grad', '_sample_dirichlet', '_dirichlet_grad']
TENSOR_METHODS = []
INPLACE_METHODS = []

_F32 = np.float32
_ONE_THIRD_F = float(_F32(1.0) / _F32(3.0))  # `1.0f / 3.0f`: a float constant, even in the double kernel
_C_0331 = float(_F32(0.0331))


class _Draws:
    """One generator's scalar draws, in stream order: `uniform()` is one double uniform in [0, 1)
    (53 bits of a random64), `normal()` one standard normal through the caching scalar sampler."""
    __slots__ = ('generator',)

    def __init__(self, generator):
        self.generator = generator if generator is not None else _random.default_generator

    def uniform(self):
        return float(_sampling._unit_uniform(self.generator, 1, np.float64)[0])

    def normal(self):
        return float(_sampling._standard_normal_scalar(self.generator, 1)[0])


def _check_floating(data, op_name):
    if data.dtype not in (np.float32, np.float64):
        raise NotImplementedError(f"\"{op_name}\" not implemented for '{_scalar_type_name(data.dtype)}'")


# ---- gamma --------------------------------------------------------------------------------------------------
def _gamma_one(alpha, draws, single):
    """One Gamma(alpha, 1) sample (Marsaglia and Tsang, 2000, with the alpha < 1 boost), as a Python
    float. `single`: alpha is a float32 (the boost's `1.0f / alpha` and `alpha + 1.0f` are then float
    operations, and so is `alpha - 1.0f / 3.0f`)."""
    scale = 1.0
    if alpha < 1.0:
        if alpha == 0.0:
            return 0.0
        exponent = float(_F32(1.0) / alpha) if single else 1.0 / alpha
        scale *= math.pow(1.0 - draws.uniform(), exponent)
        alpha = alpha + _F32(1.0) if single else alpha + 1.0
    d = float(alpha - _F32(_ONE_THIRD_F)) if single else alpha - _ONE_THIRD_F
    c = 1.0 / math.sqrt(9.0 * d)
    while True:
        y = 0.0
        while y <= 0:
            x = draws.normal()
            y = 1.0 + c * x
        v = y * y * y
        u = 1.0 - draws.uniform()
        xx = x * x
        if u < 1.0 - _C_0331 * xx * xx:
            return scale * d * v
        if math.log(u) < 0.5 * xx + d * (1.0 - v + math.log(v)):
            return scale * d * v


def _gamma_samples(alpha, draws, out_dtype):
    """Gamma samples for the array `alpha`, in C order (PyTorch's serial kernel order for a contiguous
    input), computed with alpha of dtype `alpha.dtype` and rounded to `out_dtype`."""
    single = alpha.dtype == np.float32
    flat = alpha.reshape(-1)
    values = [_gamma_one(a, draws, single) for a in (flat if single else flat.tolist())]
    samples = np.array(values, dtype=np.float64).astype(out_dtype)
    # a sample that rounds to 0 becomes the smallest normal number, so that its log stays finite
    return np.maximum(samples, np.finfo(out_dtype).tiny).reshape(alpha.shape)


class StandardGammaBackward0(Node):
    def backward(self, grad):
        alpha, = self.saved_tensors
        return (grad * _standard_gamma_grad(alpha, self.saved_output),)


def _standard_gamma(input, generator=None):
    """Gamma(input, 1) samples. Differentiable: the gradient is the implicit reparameterisation one
    (`_standard_gamma_grad`), -(d cdf / d alpha) / pdf at the sample."""
    data = np.asarray(input._data, order='C')
    _check_floating(data, 'gamma_cpu')
    samples = _gamma_samples(data, _Draws(generator), data.dtype)
    node = record(StandardGammaBackward0, input)
    out = result(samples, node)
    if node is not None:
        node.save_for_backward(input)
        node.save_output(out)
    return out


def _sample_dirichlet(input, generator=None):
    """Dirichlet samples along the last dimension: gamma samples drawn in double (so that small
    concentrations do not underflow), normalised, rounded to the input's dtype and kept inside (0, 1)."""
    data = np.asarray(input._data, order='C')
    _check_floating(data, 'dirichlet')
    gammas = _gamma_samples(data.astype(np.float64), _Draws(generator), np.float64)
    values = (gammas / gammas.sum(axis=-1, keepdims=True)).astype(data.dtype)
    largest_below_one = np.nextafter(data.dtype.type(1), data.dtype.type(0))
    return wrap(np.clip(values, np.finfo(data.dtype).tiny, largest_below_one))


# ---- the gradient of the gamma sampler --------------------------------------------------------
_DIGAMMA_ASYMPTOTIC = (8.33333333333333333333E-2, -2.10927960927960927961E-2, 7.57575757575757575758E-3,
                       -4.16666666666666666667E-3, 3.96825396825396825397E-3, -8.33333333333333333333E-3,
                       8.33333333333333333333E-2)
_PSI_10 = 2.25175258906672110764


def _digamma_positive(x):
    """digamma of positive float64 values, as the gradient kernels compute it (Cephes): recur up to
    x >= 10, then the asymptotic series."""
    x = np.array(x, dtype=np.float64)
    shift = np.zeros_like(x)
    for _ in range(10):  # at most ten steps take every x > 0 to 10 or beyond
        small = x < 10
        shift -= np.where(small, 1.0 / x, 0.0)
        x = np.where(small, x + 1.0, x)
    z = 1.0 / (x * x)
    series = np.zeros_like(x)
    for coefficient in _DIGAMMA_ASYMPTOTIC:
        series = series * z + coefficient
    series = np.where(x < 1e17, z * series, 0.0)
    return np.where(x == 10, shift + _PSI_10, shift + np.log(x) - 0.5 / x - series)


_GAMMA_GRAD_RATIONAL = np.array([
    [0.16009398, -0.094634809, 0.025146376, -0.0030648343, 1, 0.32668115, 0.10406089, 0.0014179084],
    [0.53487893, 0.1298071, 0.065735949, -0.0015649758, 0.16639465, 0.020070113, -0.0035938915, -0.00058392623],
    [0.040121004, -0.0065914022, -0.0026286047, -0.0013441777, 0.017050642, -0.0021309326, 0.00085092367,
     -1.5247877e-07]])


def _gamma_grad_values(alpha, x):
    """-(d/d alpha cdf(x; alpha)) / pdf(x; alpha) for standard Gamma samples x, in float64: a Taylor
    series for x < 0.8, Rice's saddle point expansion for alpha > 8, else a bivariate rational
    approximation (PyTorch's three regimes, each evaluated everywhere and picked by mask)."""
    with np.errstate(all='ignore'):
        # small x: the series of the incomplete gamma function and of its derivative in alpha
        numer, denom = np.ones_like(x), alpha.copy()
        series1, series2 = numer / denom, numer / (denom * denom)
        for i in range(1, 6):
            numer = numer * (-x / i)
            denom = denom + 1
            series1 = series1 + numer / denom
            series2 = series2 + numer / (denom * denom)
        pow_x_alpha = np.power(x, alpha)
        gamma_pdf = np.power(x, alpha - 1) * np.exp(-x)
        gamma_cdf_alpha = (np.log(x) - _digamma_positive(alpha)) * pow_x_alpha * series1 - pow_x_alpha * series2
        small_x = -gamma_cdf_alpha / gamma_pdf
        small_x = np.where(np.isnan(small_x), 0.0, small_x)
        # large alpha, near the mean and away from it
        near_numer = (1 + 24 * alpha * (1 + 12 * alpha)) * (
            1440 * (alpha * alpha) + 6 * x * (53 - 120 * x) - 65 * x * x / alpha + alpha * (107 + 3600 * x))
        near = near_numer / (1244160 * (alpha * alpha) * (alpha * alpha))
        root = np.sqrt(8 * alpha)
        term2 = root / (alpha - x)
        term3 = np.power(x - alpha - alpha * np.log(x / alpha), -1.5)
        term23 = np.where(x < alpha, term2 - term3, term2 + term3)
        term1 = np.log(x / alpha) * term23 - np.sqrt(2 / alpha) * (alpha + x) / ((alpha - x) * (alpha - x))
        stirling = 1 + 1 / (12 * alpha) * (1 + 1 / (24 * alpha))
        far = -stirling * x * term1 / root
        large_alpha = np.where((0.9 * alpha <= x) & (x <= 1.1 * alpha), near, far)
        # the rational approximation in u = log(x / alpha), v = log(alpha)
        u, v = np.log(x / alpha), np.log(alpha)
        coefficients = [row0 + u * (row1 + u * row2) for row0, row1, row2 in zip(*_GAMMA_GRAD_RATIONAL)]
        p = coefficients[0] + v * (coefficients[1] + v * (coefficients[2] + v * coefficients[3]))
        q = coefficients[4] + v * (coefficients[5] + v * (coefficients[6] + v * coefficients[7]))
        rational = np.exp(p / q)
    return np.where(x < 0.8, small_x, np.where(alpha > 8, large_alpha, rational))


def _standard_gamma_grad(input, output):
    """d output / d input for `output = _standard_gamma(input)`, elementwise."""
    alpha, x = np.broadcast_arrays(input._data, output._data)
    values = _gamma_grad_values(alpha.astype(np.float64), x.astype(np.float64))
    return wrap(values.astype(input._data.dtype))


# ---- the gradient of the Dirichlet sampler ----------------------------------------------------
def _beta_grad_alpha_small(x, alpha, beta):
    """The Beta(alpha, beta) reparameterisation gradient in alpha for x near 0: a Taylor series."""
    factor = _digamma_positive(alpha) - _digamma_positive(alpha + beta) - np.log(x)
    numer = np.ones_like(x)
    series = numer / alpha * (factor + 1 / alpha)
    for i in range(1, 11):
        numer = numer * (i - beta) * x / i
        denom = alpha + i
        series = series + numer / denom * (factor + 1 / denom)
    result = x * np.power(1 - x, -beta) * series
    return np.where(np.isnan(result), 0.0, result)


def _beta_grad_beta_small(x, alpha, beta):
    """The Beta(alpha, beta) reparameterisation gradient in beta for x near 0: a Taylor series."""
    factor = _digamma_positive(alpha + beta) - _digamma_positive(beta)
    numer, betas, dbetas = np.ones_like(x), np.ones_like(x), np.zeros_like(x)
    series = factor / alpha
    for i in range(1, 9):
        numer = numer * -x / i
        dbetas = dbetas * (beta - i) + betas
        betas = betas * (beta - i)
        series = series + numer / (alpha + i) * (dbetas + factor * betas)
    result = -np.power(1 - x, 1 - beta) * series
    return np.where(np.isnan(result), 0.0, result)


def _beta_grad_alpha_mid(x, alpha, beta):
    """The gradient in alpha when alpha and beta are both large: Rice's saddle point expansion, with a
    polynomial near the mean (where the expansion is singular)."""
    total = alpha + beta
    mean = alpha / total
    std = np.sqrt(alpha * beta / (total + 1)) / total
    poly = 47 * x * (beta * beta) * (beta * beta) + alpha * (
        (43 + 20 * (16 + 27 * beta) * x) * (beta * beta) * beta + alpha * (
            3 * (59 + 180 * beta - 90 * x) * (beta * beta) + alpha * (
                (453 + 1620 * beta * (1 - x) - 455 * x) * beta + alpha * (8 * (1 - x) * (135 * beta - 11)))))
    prefactor_num = (1 + 12 * alpha) * (1 + 12 * beta) / (total * total)
    prefactor_den = 12960 * alpha * alpha * alpha * beta * beta * (1 + 12 * total)
    near_mean = prefactor_num / (1 - x) * poly / prefactor_den
    prefactor = -x / np.sqrt(2 * alpha * beta / total)
    stirling = ((1 + 1 / (12 * alpha) + 1 / (288 * alpha * alpha)) * (1 + 1 / (12 * beta) + 1 / (288 * beta * beta))
                / (1 + 1 / (12 * total) + 1 / (288 * total * total)))
    axbx = alpha * (x - 1) + beta * x
    term1 = ((2 * (alpha * alpha) * (x - 1) + alpha * beta * (x - 1) - x * (beta * beta))
             / (np.sqrt(2 * alpha / beta) * np.power(total, 1.5) * axbx * axbx))
    term2 = 0.5 * np.log(alpha / (total * x))
    term3 = np.sqrt(8 * alpha * beta / total) / (beta * x + alpha * (x - 1))
    term4 = np.power(beta * np.log(beta / (total * (1 - x))) + alpha * np.log(alpha / (total * x)), -1.5)
    far = stirling * prefactor * (term1 + term2 * (term3 + np.where(x < mean, term4, -term4)))
    return np.where((mean - 0.1 * std <= x) & (x <= mean + 0.1 * std), near_mean, far)


# numerator (0) and denominator (1) coefficients of the rational correction, indexed [u power][a power][b power]
_DIRICHLET_GRAD_RATIONAL = np.array([
    [[[1.003668233, -0.01061107488, -0.0657888334, 0.01201642863],
      [0.6336835991, -0.3557432599, 0.05486251648, -0.001465281033],
      [-0.03276231906, 0.004474107445, 0.002429354597, -0.0001557569013]],
     [[0.221950385, -0.3187676331, 0.01799915743, 0.01074823814],
      [-0.2951249643, 0.06219954479, 0.01535556598, 0.001550077057],
      [0.02155310298, 0.004170831599, 0.001292462449, 6.976601077e-05]],
     [[-0.05980841433, 0.008441916499, 0.01085618172, 0.002319392565],
      [0.02911413504, 0.01400243777, -0.002721828457, 0.000751041181],
      [0.005900514878, -0.001936558688, -9.495446725e-06, 5.385558597e-05]]],
    [[[1, -0.02924021934, -0.04438342661, 0.007285809825],
      [0.6357567472, -0.3473456711, 0.05454656494, -0.002407477521],
      [-0.03301322327, 0.004845219414, 0.00231480583, -0.0002307248149]],
     [[0.5925320577, -0.1757678135, 0.01505928619, 0.000564515273],
      [0.1014815858, -0.06589186703, 0.01272886114, -0.0007316646956],
      [-0.007258481865, 0.001096195486, 0.0003934994223, -4.12701925e-05]],
     [[0.06469649321, -0.0236701437, 0.002902096474, -5.896963079e-05],
      [0.001925008108, -0.002869809258, 0.0008000589141, -6.063713228e-05],
      [-0.0003477407336, 6.959756487e-05, 1.097287507e-05, -1.650964693e-06]]]])


def _dirichlet_grad_rational(x, alpha, total):
    """The gradient elsewhere: x (digamma(total) - digamma(alpha)) / beta, corrected by a rational
    function of u = log x, a = log alpha - u and b = log total - a."""
    u = np.log(x).reshape(-1)
    a = np.log(alpha).reshape(-1) - u
    b = np.log(total).reshape(-1) - a
    powers = np.stack([np.ones_like(u), u, u * u])[:, None] * np.stack([np.ones_like(a), a, a * a])[None]
    c = _DIRICHLET_GRAD_RATIONAL[..., None]
    in_b = c[..., 0, :] + b * (c[..., 1, :] + b * (c[..., 2, :] + b * c[..., 3, :]))  # [2, 3, 3, elements]
    p, q = (powers * in_b).sum(axis=(1, 2))
    approx = x * (_digamma_positive(total) - _digamma_positive(alpha)) / (total - alpha)
    return (p / q).reshape(x.shape) * approx


def _dirichlet_grad_values(x, alpha, total, boundary):
    """-(d/d alpha cdf(x; alpha, total - alpha)) / pdf(x; alpha, total - alpha) / (1 - x), in float64,
    for a Beta sample x (one coordinate of a Dirichlet sample): PyTorch's four regimes, each evaluated
    everywhere and picked by mask. `boundary` = total x (1 - x), in the input's dtype as PyTorch has it."""
    beta = total - alpha
    with np.errstate(all='ignore'):
        near_zero = _beta_grad_alpha_small(x, alpha, beta)
        near_one = -_beta_grad_beta_small(1 - x, beta, alpha)
        both_large = _beta_grad_alpha_mid(x, alpha, beta)
        rational = _dirichlet_grad_rational(x, alpha, total)
    return np.where((x <= 0.5) & (boundary < 2.5), near_zero,
                    np.where((x >= 0.5) & (boundary < 0.75), near_one,
                             np.where((alpha > 6) & (beta > 6), both_large, rational)))


def _dirichlet_grad(x, alpha, total):
    """The reparameterisation gradient of each coordinate x of a Dirichlet sample in its concentration
    alpha (`total` is the concentrations' sum), elementwise: what Dirichlet.rsample's backward uses."""
    if x.shape != alpha.shape or x.shape != total.shape:
        raise RuntimeError(f"_dirichlet_grad: expected x, alpha and total to have the same shape, but got "
                           f"{tuple(x.shape)}, {tuple(alpha.shape)} and {tuple(total.shape)}")
    _check_floating(x._data, '_dirichlet_grad_cpu')
    boundary = total._data * x._data * (1 - x._data)
    values = _dirichlet_grad_values(*(np.asarray(t._data, dtype=np.float64) for t in (x, alpha, total)), boundary)
    return wrap(values.astype(x._data.dtype))


# ---- poisson ------------------------------------------------------------------------------------------------
def _poisson_one(rate, draws):
    """One Poisson(rate) sample: Hoermann's transformed rejection (1993) for rate >= 10, else the
    product of uniforms until it falls below exp(-rate)."""
    if rate >= 10:
        slam, loglam = math.sqrt(rate), math.log(rate)
        b = 0.931 + 2.53 * slam
        a = -0.059 + 0.02483 * b
        invalpha = 1.1239 + 1.1328 / (b - 3.4)
        vr = 0.9277 - 3.6224 / (b - 2)
        while True:
            U = draws.uniform() - 0.5
            V = draws.uniform()
            us = 0.5 - abs(U)
            k = math.floor((2 * a / us + b) * U + rate + 0.43)
            if us >= 0.07 and V <= vr:
                return k
            if k < 0 or (us < 0.013 and V > us):
                continue
            if math.log(V) + math.log(invalpha) - math.log(a / (us * us) + b) <= -rate + k * loglam - math.lgamma(k + 1.0):
                return k
    if rate == 0:
        return 0
    enlam, count, product = math.exp(-rate), 0, 1.0
    while True:
        product *= draws.uniform()
        if product <= enlam:
            return count
        count += 1


def poisson(input, generator=None):
    """Poisson samples with rates `input` (float), in input's dtype."""
    data = np.asarray(input._data, order='C')  # (ascontiguousarray would make a 0-d rate 1-d)
    _check_floating(data, 'poisson_cpu')
    if (data < 0).any():
        raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
    draws = _Draws(generator)
    values = [_poisson_one(rate, draws) for rate in data.astype(np.float64).reshape(-1).tolist()]
    return wrap(np.array(values, dtype=np.float64).astype(data.dtype).reshape(data.shape))


# ---- binomial -----------------------------------------------------------------------------------------------
_STIRLING_TAIL = (0.0810614667953272, 0.0413406959554092, 0.0276779256849983, 0.02079067210376509,
                  0.0166446911898211, 0.0138761288230707, 0.0118967099458917, 0.0104112652619720,
                  0.00925546218271273, 0.00833056343336287)


def _stirling_tail(k):
    """log(k!) minus its Stirling approximation: a table up to 9, a series beyond."""
    if k <= 9:
        return _STIRLING_TAIL[int(k)]
    kp1sq = (k + 1) * (k + 1)
    return (1.0 / 12 - (1.0 / 360 - 1.0 / 1260 / kp1sq) / kp1sq) / (k + 1)


def _binomial_inversion(count, prob, draws, real):
    """Count geometric waiting times until their sum passes `count`."""
    geom_sum, successes = 0.0, real(0)
    logprob = float(np.log1p(-prob))  # log1p of the kernel's scalar type (the float overload for float32)
    while True:
        geom_sum += math.ceil(math.log(draws.uniform()) / logprob)
        if geom_sum > count:
            return successes
        successes = successes + real(1)


def _btrs(count, prob, draws, real):
    """Hormann's transformed rejection with squeeze (BTRS), as TensorFlow and PyTorch write it.
    `real` is the kernel's scalar type: products of count and prob are in it before widening."""
    stddev = float(np.sqrt(count * prob * (real(1) - prob)))
    b = 1.15 + 2.53 * stddev
    a = -0.0873 + 0.0248 * b + 0.01 * float(prob)
    c = float(count * prob) + 0.5
    v_r = 0.92 - 4.2 / b
    r = float(prob) / float(real(1) - prob)
    alpha = (2.83 + 5.1 / b) * stddev
    m = math.floor(float((count + real(1)) * prob))
    count = float(count)
    while True:
        U = draws.uniform() - 0.5
        V = draws.uniform()
        us = 0.5 - abs(U)
        k = float(real(np.floor((2 * a / us + b) * U + c)))
        if k < 0 or k > count:
            continue
        if us >= 0.07 and V <= v_r:
            return k
        V = math.log(V * alpha / (a / (us * us) + b))
        upperbound = ((m + 0.5) * math.log((m + 1) / (r * (count - m + 1)))
                      + (count + 1) * math.log((count - m + 1) / (count - k + 1))
                      + (k + 0.5) * math.log(r * (count - k + 1) / (k + 1))
                      + _stirling_tail(m) + _stirling_tail(count - m) - _stirling_tail(k) - _stirling_tail(count - k))
        if V <= upperbound:
            return k


def _binomial_one(count, prob, draws, real):
    if count <= 0 or prob <= 0:
        return 0.0
    if prob >= 1:
        return float(count)
    if prob <= 0.5:
        if count * prob >= 10:
            return _btrs(count, prob, draws, real)
        return float(_binomial_inversion(count, prob, draws, real))
    if prob > 0.5:
        qprob = real(1) - prob
        if count * qprob >= 10:
            return float(count - real(_btrs(count, qprob, draws, real)))
        return float(count - _binomial_inversion(count, qprob, draws, real))
    return math.nan  # prob is NaN


def binomial(count, prob, generator=None):
    """Binomial(count, prob) samples (float tensors of the same shape and dtype)."""
    if count._data.dtype != prob._data.dtype:
        raise RuntimeError(f"expected scalar type {_scalar_type_name(count._data.dtype)} but found "
                           f"{_scalar_type_name(prob._data.dtype)}")
    counts, probs = np.broadcast_arrays(count._data, prob._data)
    _check_floating(counts, 'binomial_cpu')
    real = counts.dtype.type
    draws = _Draws(generator)
    values = [_binomial_one(n, p, draws, real) for n, p in zip(counts.reshape(-1), probs.reshape(-1))]
    return wrap(np.array(values, dtype=np.float64).astype(counts.dtype).reshape(counts.shape))
