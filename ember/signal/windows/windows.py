"""The windows of `torch.signal.windows`, built from ember's tensor ops in PyTorch's order of
operations (so they round as PyTorch's do, and carry a graph when `requires_grad=True`).

Unlike `ember.hann_window` & co. (periodic by default, formulas in n / (N - 1)), these follow
SciPy: symmetric by default (`sym=True`, for filter design), and each samples its formula on a
`linspace` of M points. The periodic window (`sym=False`, for spectral analysis) of M points is the
symmetric window of M + 1 points without its last one.
"""
import math
from collections.abc import Iterable

from ... import _creation, _ops
from ... import _dtype as dtypes

__all__ = ['bartlett', 'blackman', 'cosine', 'exponential', 'gaussian', 'general_cosine', 'general_hamming',
           'hamming', 'hann', 'kaiser', 'nuttall']


def _checked_dtype(function_name, M, dtype, layout):
    """The window's dtype (the default float dtype for None), after PyTorch's argument checks."""
    dtype = dtypes.get_default_dtype() if dtype is None else dtype
    if M < 0:
        raise ValueError(f"{function_name} requires non-negative window length, got M={M}")
    if layout is not None and layout is not _creation.strided:
        raise ValueError(f"{function_name} is implemented for strided tensors only, got: {layout}")
    if dtype not in (dtypes.float32, dtypes.float64):
        raise ValueError(f"{function_name} expects float32 or float64 dtypes, got: {dtype}")
    return dtype


def _trivial(M, dtype, device, requires_grad):
    """The window of 0 points (empty) or 1 point (a single 1), or None for a longer one."""
    if M == 0:
        return _creation.empty((0,), dtype=dtype, device=device, requires_grad=requires_grad)
    if M == 1:
        return _creation.ones((1,), dtype=dtype, device=device, requires_grad=requires_grad)
    return None


def _samples(start, step, M, dtype, device, requires_grad):
    """M points from `start`, `step` apart: the argument each window's formula is evaluated at."""
    return _creation.linspace(start, start + (M - 1) * step, M, dtype=dtype, device=device,
                              requires_grad=requires_grad)


def exponential(M, *, center=None, tau=1.0, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """exp(-|n - center| / tau), centred on the window by default."""
    dtype = _checked_dtype('exponential', M, dtype, layout)
    if tau <= 0:
        raise ValueError(f"Tau must be positive, got: {tau} instead.")
    if sym and center is not None:
        raise ValueError("Center must be None for symmetric windows")
    if M == 0:
        return _creation.empty((0,), dtype=dtype, device=device, requires_grad=requires_grad)
    if center is None:
        center = (M if not sym and M > 1 else M - 1) / 2.0
    k = _samples(-center / tau, 1 / tau, M, dtype, device, requires_grad)
    return _ops.exp(-_ops.abs(k))


def cosine(M, *, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """The sine window, sin(pi (n + 1/2) / M)."""
    dtype = _checked_dtype('cosine', M, dtype, layout)
    if M == 0:
        return _creation.empty((0,), dtype=dtype, device=device, requires_grad=requires_grad)
    step = math.pi / (M + 1 if not sym and M > 1 else M)
    return _ops.sin(_samples(0.5 * step, step, M, dtype, device, requires_grad))


def gaussian(M, *, std=1.0, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """exp(-(n - (M - 1) / 2)^2 / (2 std^2))."""
    dtype = _checked_dtype('gaussian', M, dtype, layout)
    if std <= 0:
        raise ValueError(f"Standard deviation must be positive, got: {std} instead.")
    if M == 0:
        return _creation.empty((0,), dtype=dtype, device=device, requires_grad=requires_grad)
    start = -(M if not sym and M > 1 else M - 1) / 2.0
    step = 1 / (std * math.sqrt(2))
    k = _samples(start * step, step, M, dtype, device, requires_grad)
    return _ops.exp(-(k ** 2))


def kaiser(M, *, beta=12.0, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """I0(beta sqrt(1 - (2n / (M - 1) - 1)^2)) / I0(beta), with I0 the modified Bessel function of
    order 0; a larger beta gives a narrower window."""
    dtype = _checked_dtype('kaiser', M, dtype, layout)
    if beta < 0:
        raise ValueError(f"beta must be non-negative, got: {beta} instead.")
    trivial = _trivial(M, dtype, device, requires_grad)
    if trivial is not None:
        return trivial
    # beta as a tensor of the window's dtype: sqrt(beta^2 - k^2) at k = beta must come out 0, not NaN
    beta = _creation.tensor(beta, dtype=dtype)
    step = 2.0 * beta / (M if not sym else M - 1)
    end = _ops.minimum(beta, -beta + (M - 1) * step)
    k = _creation.linspace(-beta, end, M, dtype=dtype, device=device, requires_grad=requires_grad)
    return _ops.i0(_ops.sqrt(beta * beta - _ops.pow(k, 2))) / _ops.i0(beta)


def hamming(M, *, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """The Hamming window, 0.54 - 0.46 cos(2 pi n / (M - 1))."""
    return general_hamming(M, sym=sym, dtype=dtype, layout=layout, device=device, requires_grad=requires_grad)


def hann(M, *, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """The Hann window, 0.5 - 0.5 cos(2 pi n / (M - 1))."""
    return general_hamming(M, alpha=0.5, sym=sym, dtype=dtype, layout=layout, device=device,
                           requires_grad=requires_grad)


def blackman(M, *, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """The Blackman window, 0.42 - 0.5 cos(2 pi n / (M - 1)) + 0.08 cos(4 pi n / (M - 1))."""
    dtype = _checked_dtype('blackman', M, dtype, layout)
    return general_cosine(M, a=[0.42, 0.5, 0.08], sym=sym, dtype=dtype, layout=layout, device=device,
                          requires_grad=requires_grad)


def bartlett(M, *, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """The Bartlett (triangular) window, 1 - |2n / (M - 1) - 1|."""
    dtype = _checked_dtype('bartlett', M, dtype, layout)
    trivial = _trivial(M, dtype, device, requires_grad)
    if trivial is not None:
        return trivial
    k = _samples(-1, 2 / (M if not sym else M - 1), M, dtype, device, requires_grad)
    return 1 - _ops.abs(k)


def general_cosine(M, *, a, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """The sum of cosines sum_i (-1)^i a_i cos(2 pi i n / (M - 1)); Hann, Hamming, Blackman and
    Nuttall are this with particular coefficients `a`."""
    dtype = _checked_dtype('general_cosine', M, dtype, layout)
    trivial = _trivial(M, dtype, device, requires_grad)
    if trivial is not None:
        return trivial
    if not isinstance(a, Iterable):
        raise TypeError("Coefficients must be a list/tuple")
    if not a:
        raise ValueError("Coefficients cannot be empty")
    k = _samples(0, 2 * math.pi / (M if not sym else M - 1), M, dtype, device, requires_grad)
    signed_coefficients = _creation.tensor([(-1) ** i * w for i, w in enumerate(a)], dtype=dtype,
                                           requires_grad=requires_grad)
    i = _creation.arange(signed_coefficients.shape[0], dtype=dtype, requires_grad=requires_grad)
    # one row per term: a_i cos(i k), summed over the terms
    return (signed_coefficients.unsqueeze(-1) * _ops.cos(i.unsqueeze(-1) * k)).sum(0)


def general_hamming(M, *, alpha=0.54, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """alpha - (1 - alpha) cos(2 pi n / (M - 1)): Hann for alpha 0.5, Hamming for 0.54."""
    return general_cosine(M, a=[alpha, 1.0 - alpha], sym=sym, dtype=dtype, layout=layout, device=device,
                          requires_grad=requires_grad)


def nuttall(M, *, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """The minimum 4-term Blackman-Harris window of Nuttall (1981)."""
    return general_cosine(M, a=[0.3635819, 0.4891775, 0.1365995, 0.0106411], sym=sym, dtype=dtype, layout=layout,
                          device=device, requires_grad=requires_grad)
