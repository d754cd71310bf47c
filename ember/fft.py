"""ember.fft: discrete Fourier transforms, as `torch.fft`.

Every transform here is one or two of the three primitives in ember._ops.spectral (complex to complex,
real to complex, complex to real), which carry the gradients; this module does what PyTorch's Python
reference (torch/_refs/fft.py) does around them: check and normalise `n`/`s`, `dim` and `norm`,
promote the dtype, pad with zeros or trim each transformed dim to the signal length asked for, and pick
the scale.

`norm` says which direction is scaled: "backward" (the default) divides the inverse transforms by n,
"forward" the forward ones, "ortho" both by sqrt(n), so that every transform is unitary.
"""
import math
from collections.abc import Sequence

import numpy as np

from . import _dtype as dtypes
from ._tensor import Tensor, _scalar_type_name
from ._ops import narrow, constant_pad_nd, conj, roll
from ._ops._util import wrap_dim, write_out
from ._ops.spectral import fft_c2c, fft_r2c, fft_c2r

__all__ = ['fft', 'ifft', 'fft2', 'ifft2', 'fftn', 'ifftn', 'rfft', 'irfft', 'rfft2', 'irfft2', 'rfftn', 'irfftn',
           'hfft', 'ihfft', 'hfft2', 'ihfft2', 'hfftn', 'ihfftn', 'fftfreq', 'rfftfreq', 'fftshift', 'ifftshift']

_NORMS = (None, 'backward', 'forward', 'ortho')


# ---- arguments ------------------------------------------------------------------------------------
def _scale(norm, signal_numel, forward):
    """The factor a transform of `signal_numel` points is multiplied by under `norm`."""
    if norm not in _NORMS:
        raise RuntimeError(f'Invalid normalization mode: "{norm}"')
    if norm == 'ortho':
        return 1 / math.sqrt(signal_numel)
    scaled = norm == 'forward' if forward else norm in (None, 'backward')
    return 1 / signal_numel if scaled else 1


def _promoted(input, require_complex=False):
    """Integers become the default float dtype; float16 has no CPU transform in PyTorch."""
    data = input._data
    if data.dtype.kind == 'c':
        return input
    if data.dtype.kind != 'f':
        input = input.to(dtypes._default[0])
    elif data.dtype == np.float16:
        raise RuntimeError("Unsupported dtype Half")
    return input.to(input.dtype.to_complex()) if require_complex else input


def _one_dim(input, dim):
    if input._data.ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    return wrap_dim(dim, input._data.ndim)


def _check_points(n):
    if n < 1:
        raise RuntimeError(f"Invalid number of data points ({n}) specified")


def _shape_and_dims(input, s, dim):
    """`s` and `dim` of an n-dimensional transform as two tuples of the same length (PyTorch's
    defaults: the last len(s) dims, or all dims; -1 in `s` keeps that dim's size)."""
    ndim = input._data.ndim
    if dim is not None:
        dim = (dim,) if not isinstance(dim, Sequence) else tuple(dim)
        dims = tuple(wrap_dim(d, ndim) for d in dim)
        if len(set(dims)) != len(dims):
            raise RuntimeError("FFT dims must be unique")
    if s is not None:
        s = (s,) if not isinstance(s, Sequence) else tuple(s)
        if dim is not None and len(dim) != len(s):
            raise RuntimeError("When given, dim and shape arguments must have the same length")
        if len(s) > ndim:
            raise RuntimeError(f"Got shape with {len(s)} values but input tensor only has {ndim} dimensions.")
        if dim is None:
            dims = tuple(range(ndim - len(s), ndim))
        shape = tuple(input._data.shape[d] if n == -1 else n for n, d in zip(s, dims))
    elif dim is None:
        dims, shape = tuple(range(ndim)), input._data.shape
    else:
        shape = tuple(input._data.shape[d] for d in dims)
    for n in shape:
        _check_points(n)
    return tuple(shape), dims


def _resized(input, dims, sizes):
    """`input` with each of `dims` trimmed or zero-padded (at the end) to its size in `sizes`."""
    pad = [0, 0] * input._data.ndim
    for d, size in zip(dims, sizes):
        have = input._data.shape[d]
        if have > size:
            input = narrow(input, d, 0, size)
        pad[2 * (input._data.ndim - 1 - d) + 1] = max(size - have, 0)
    return constant_pad_nd(input, pad) if any(pad) else input


def _c2r_shape(name, input, s, dim):
    """The input sizes and dims of a complex-to-real transform, and the output's last dim size
    (2 * (m - 1) for m input frequencies, unless `s` says)."""
    shape, dims = _shape_and_dims(input, s, dim)
    if not dims:
        raise RuntimeError(f"{name} must transform at least one axis")
    given = None if s is None else (tuple(s) if isinstance(s, Sequence) else (s,))[-1]
    last_dim_size = 2 * (input._data.shape[dims[-1]] - 1) if given in (None, -1) else given
    _check_points(last_dim_size)
    return shape[:-1] + (last_dim_size // 2 + 1,), dims, last_dim_size


def _check_real(name, input):
    if input._data.dtype.kind == 'c':
        raise RuntimeError(f"{name} expects a real input tensor, but got {_scalar_type_name(input._data.dtype)}")


# ---- one-dimensional transforms --------------------------------------------------------------------
def _c2c_or_r2c(name, input, n, dim, norm, forward):
    dims = (_one_dim(input, dim),)
    size = n if n is not None else input._data.shape[dims[0]]
    _check_points(size)
    input = _promoted(input)
    if n is not None:
        input = _resized(input, dims, (n,))
    scale = _scale(norm, size, forward)
    if input._data.dtype.kind == 'c':
        return fft_c2c(input, dims, scale, forward)
    spectrum = fft_r2c(input, dims, scale, onesided=False)
    return spectrum if forward else conj(spectrum)  # the inverse of a real signal: conj of its forward


def fft(input, n=None, dim=-1, norm=None, *, out=None):
    """The one-dimensional discrete Fourier transform of `input` along `dim` (padded/trimmed to `n` points)."""
    return write_out(out, _c2c_or_r2c('fft', input, n, dim, norm, forward=True))


def ifft(input, n=None, dim=-1, norm=None, *, out=None):
    """The inverse of `fft`."""
    return write_out(out, _c2c_or_r2c('ifft', input, n, dim, norm, forward=False))


def _r2c(name, input, n, dim, norm, forward):
    _check_real(name, input)
    dims = (_one_dim(input, dim),)
    size = n if n is not None else input._data.shape[dims[0]]
    _check_points(size)
    input = _promoted(input)
    if n is not None:
        input = _resized(input, dims, (n,))
    spectrum = fft_r2c(input, dims, _scale(norm, size, forward), onesided=True)
    return spectrum if forward else conj(spectrum)


def _c2r(name, input, n, dim, norm, forward):
    dims = (_one_dim(input, dim),)
    last_dim_size = n if n is not None else 2 * (input._data.shape[dims[0]] - 1)
    _check_points(last_dim_size)
    input = _promoted(input, require_complex=True)
    if n is not None:
        input = _resized(input, dims, (last_dim_size // 2 + 1,))
    if forward:  # hfft: the forward transform of a Hermitian signal is the inverse one of its conjugate
        input = conj(input)
    return fft_c2r(input, dims, _scale(norm, last_dim_size, forward), last_dim_size)


def rfft(input, n=None, dim=-1, norm=None, *, out=None):
    """The Fourier transform of a real signal: only the n // 2 + 1 non-negative frequencies."""
    return write_out(out, _r2c('rfft', input, n, dim, norm, forward=True))


def irfft(input, n=None, dim=-1, norm=None, *, out=None):
    """The inverse of `rfft`: a real signal of `n` points (default 2 * (input.size(dim) - 1))."""
    return write_out(out, _c2r('irfft', input, n, dim, norm, forward=False))


def hfft(input, n=None, dim=-1, norm=None, *, out=None):
    """The Fourier transform of a signal with Hermitian symmetry, given by its first half: a real spectrum."""
    return write_out(out, _c2r('hfft', input, n, dim, norm, forward=True))


def ihfft(input, n=None, dim=-1, norm=None, *, out=None):
    """The inverse of `hfft`: the first n // 2 + 1 points of the inverse transform of a real signal."""
    return write_out(out, _r2c('ihfft', input, n, dim, norm, forward=False))


# ---- n-dimensional transforms ----------------------------------------------------------------------
def _c2c_n(input, s, dim, norm, forward):
    shape, dims = _shape_and_dims(input, s, dim)
    input = _resized(_promoted(input, require_complex=True), dims, shape)
    return fft_c2c(input, dims, _scale(norm, math.prod(shape), forward), forward)


def fftn(input, s=None, dim=None, norm=None, *, out=None):
    """The n-dimensional Fourier transform over `dim` (default: all dims, or the last len(s))."""
    return write_out(out, _c2c_n(input, s, dim, norm, forward=True))


def ifftn(input, s=None, dim=None, norm=None, *, out=None):
    """The inverse of `fftn`."""
    return write_out(out, _c2c_n(input, s, dim, norm, forward=False))


def fft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    """The two-dimensional Fourier transform (over the last two dims by default)."""
    return fftn(input, s, dim, norm, out=out)


def ifft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    """The inverse of `fft2`."""
    return ifftn(input, s, dim, norm, out=out)


def rfftn(input, s=None, dim=None, norm=None, *, out=None):
    """`fftn` of a real signal, keeping the non-negative frequencies of the last transformed dim."""
    _check_real('rfftn', input)
    shape, dims = _shape_and_dims(input, s, dim)
    input = _resized(_promoted(input), dims, shape)
    return write_out(out, fft_r2c(input, dims, _scale(norm, math.prod(shape), True), onesided=True))


def irfftn(input, s=None, dim=None, norm=None, *, out=None):
    """The inverse of `rfftn`: a real signal (last transformed dim 2 * (m - 1) points unless `s` says)."""
    shape, dims, last_dim_size = _c2r_shape('irfftn', input, s, dim)
    input = _resized(_promoted(input, require_complex=True), dims, shape)
    signal_numel = math.prod(shape[:-1]) * last_dim_size
    return write_out(out, fft_c2r(input, dims, _scale(norm, signal_numel, False), last_dim_size))


def rfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    """`rfftn` over two dims (the last two by default)."""
    return rfftn(input, s, dim, norm, out=out)


def irfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    """The inverse of `rfft2`."""
    return irfftn(input, s, dim, norm, out=out)


def hfftn(input, s=None, dim=None, norm=None, *, out=None):
    """The n-dimensional `hfft`: the real spectrum of a signal given by its Hermitian half."""
    shape, dims, last_dim_size = _c2r_shape('hfftn', input, s, dim)
    input = _resized(_promoted(input, require_complex=True), dims, shape)
    if len(dims) > 1:
        input = fft_c2c(input, dims[:-1], _scale(norm, math.prod(shape[:-1]), True), forward=True)
    output = fft_c2r(conj(input), dims[-1:], _scale(norm, last_dim_size, True), last_dim_size)
    return write_out(out, output)


def ihfftn(input, s=None, dim=None, norm=None, *, out=None):
    """The inverse of `hfftn`."""
    _check_real('ihfftn', input)
    shape, dims = _shape_and_dims(input, s, dim)
    if not dims:
        raise RuntimeError("ihfftn must transform at least one axis")
    input = _resized(_promoted(input), dims, shape)
    half = fft_r2c(input, dims[-1:], _scale(norm, shape[-1], False), onesided=True)
    if len(dims) == 1:
        return write_out(out, conj(half))
    half = fft_c2c(conj(half), dims[:-1], _scale(norm, math.prod(shape[:-1]), False), forward=False)
    return write_out(out, half)


def hfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    """`hfftn` over two dims (the last two by default)."""
    return hfftn(input, s, dim, norm, out=out)


def ihfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    """The inverse of `hfft2`."""
    return ihfftn(input, s, dim, norm, out=out)


# ---- frequencies and shifts --------------------------------------------------------------------------
def _frequencies(steps, n, d, dtype, requires_grad):
    float_type = dtypes.to_numpy_dtype(dtype) if dtype is not None else dtypes._default[0].numpy_type
    # (PyTorch multiplies by 1 / (n d) in the output dtype, rather than dividing)
    values = steps.astype(float_type) * float_type.type(1.0 / (n * d))
    return Tensor._wrap(values).requires_grad_(requires_grad)


def fftfreq(n, d=1.0, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """The frequencies of `fft`'s output for n samples spaced d apart: [0, 1, ..., -2, -1] / (n d)."""
    steps = np.arange(n)
    steps[(n + 1) // 2:] -= n
    return write_out(out, _frequencies(steps, n, d, dtype, requires_grad))


def rfftfreq(n, d=1.0, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """The frequencies of `rfft`'s output for n samples spaced d apart: [0, 1, ..., n // 2] / (n d)."""
    return write_out(out, _frequencies(np.arange(n // 2 + 1), n, d, dtype, requires_grad))


def _shift(input, dim, amount):
    dims = list(range(input._data.ndim)) if dim is None else [dim] if not isinstance(dim, Sequence) else list(dim)
    return roll(input, [amount(input._data.shape[d]) for d in dims], dims)


def fftshift(input, dim=None):
    """Roll the zero frequency to the centre (by n // 2 along each of `dim`, default all)."""
    return _shift(input, dim, lambda n: n // 2)


def ifftshift(input, dim=None):
    """The inverse of `fftshift` (roll by (n + 1) // 2)."""
    return _shift(input, dim, lambda n: (n + 1) // 2)
