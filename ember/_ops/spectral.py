"""Spectral ops: the three discrete Fourier transforms every `ember.fft` function is made of, the window
functions, and the short-time Fourier transform (`stft`, `istft`).

The transforms are PyTorch's primitives, each a scaled NumPy (pocketfft) transform over `dims`:
- `fft_c2c`: complex to complex, forward (e^-2pi i jk/n) or inverse (e^+2pi i jk/n);
- `fft_r2c`: real to complex, forward; `onesided` keeps the first n // 2 + 1 frequencies of the last
  dim, the rest being the conjugates of those (the spectrum of a real signal is Hermitian);
- `fft_c2r`: the inverse of a onesided spectrum back to a real signal of `last_dim_size` points.
`scale` is the normalisation (1, 1/n or 1/sqrt(n)), chosen by ember.fft from `norm`.

Backward, each is the adjoint of its (linear) map: the adjoint of an unnormalised DFT is the unnormalised
DFT in the other direction. A real input takes the real part; a onesided output's gradient is padded with
zeros to the full spectrum first; `fft_c2r` reads each frequency between the first and the last twice
(as itself and as its mirrored conjugate), so those gradients count twice (PyTorch's formulas).
"""
import math
import warnings

import numpy as np

from .. import _dtype as dtypes
from ..autograd.graph import Node
from ._util import record, result
from .complex import real

__all__ = ['hann_window', 'hamming_window', 'bartlett_window', 'blackman_window', 'kaiser_window', 'stft',
           'istft']
TENSOR_METHODS = ('stft', 'istft')
INPLACE_METHODS = ()


# ---- the three transforms ----------------------------------------------------------------------------
def _scaled(data, scale):
    return data if scale == 1 else data * data.real.dtype.type(scale)


class FftC2CBackward0(Node):
    __slots__ = ('dim', 'scale', 'forward')

    def backward(self, grad):
        return (fft_c2c(grad, self.dim, self.scale, not self.forward),)


def fft_c2c(input, dims, scale, forward):
    """The DFT of a complex tensor over `dims`, times `scale` (`forward` False: the inverse DFT)."""
    data = input._data
    if forward:
        spectrum = np.fft.fftn(data, axes=dims)
    else:
        spectrum = np.fft.ifftn(data, axes=dims, norm='forward')  # ('forward': the inverse unscaled)
    node = record(FftC2CBackward0, input)
    if node is not None:
        node.dim, node.scale, node.forward = dims, scale, forward
    return result(_scaled(spectrum, scale).astype(data.dtype, copy=False), node)


class FftR2CBackward0(Node):
    __slots__ = ('dim', 'scale', 'onesided', 'last_dim_size')

    def backward(self, grad):
        if self.onesided:  # the frequencies left out had no part in the output: zero gradient
            from .resample import constant_pad_nd
            missing = self.last_dim_size - grad.shape[self.dim[-1]]
            pad = [0, 0] * (grad.dim() - 1 - self.dim[-1]) + [0, missing]
            grad = constant_pad_nd(grad, pad)
        return (real(fft_c2c(grad, self.dim, self.scale, forward=False)),)


def fft_r2c(input, dims, scale, onesided):
    """The forward DFT of a real tensor over `dims`, times `scale`; `onesided`: only the first
    n // 2 + 1 frequencies of the last of `dims`."""
    data = input._data
    half = np.fft.rfftn(data, axes=dims)
    if not onesided:
        half = _fill_with_conjugate_symmetry(half, dims, data.shape[dims[-1]])
    node = record(FftR2CBackward0, input)
    if node is not None:
        node.dim, node.scale, node.onesided, node.last_dim_size = dims, scale, onesided, data.shape[dims[-1]]
    return result(_scaled(half, scale).astype(np.result_type(data.dtype, np.complex64), copy=False), node)


def _fill_with_conjugate_symmetry(half, dims, last_dim_size):
    """The full spectrum of a real signal from its onesided part, X[-k] = conj(X[k]) (index -k taken
    modulo each transformed dim), as PyTorch completes it (so zeros keep PyTorch's signs)."""
    last = dims[-1]
    missing = np.arange(half.shape[last], last_dim_size)
    mirrored = np.take(half, (last_dim_size - missing) % last_dim_size, axis=last)
    for d in dims[:-1]:
        mirrored = np.take(mirrored, (-np.arange(half.shape[d])) % half.shape[d], axis=d)
    return np.concatenate([half, np.conj(mirrored)], axis=last)


class FftC2RBackward0(Node):
    __slots__ = ('dim', 'scale')

    def backward(self, grad):
        grad_input = fft_r2c(grad, self.dim, self.scale, onesided=True)
        last = self.dim[-1]
        twice = grad.shape[last] - grad_input.shape[last]  # the frequencies read twice: 1 .. twice
        if twice > 0:
            weights = np.ones(grad_input.shape[last], dtype=grad._data.dtype)
            weights[1:1 + twice] = 2
            grad_input = grad_input * _along(weights, grad_input.dim(), last)
        return (grad_input,)


def _along(weights, ndim, dim):
    """A 1-d array of weights as a tensor that broadcasts along `dim` of an `ndim`-dim tensor."""
    shape = [1] * ndim
    shape[dim] = weights.shape[0]
    return result(weights.reshape(shape))


def fft_c2r(input, dims, scale, last_dim_size):
    """The inverse DFT of a onesided spectrum over `dims`, times `scale`: a real signal whose last
    transformed dim has `last_dim_size` points (the imaginary parts of frequency 0, and of n / 2 for even
    n, are ignored)."""
    data = input._data
    shape = [data.shape[d] for d in dims[:-1]] + [last_dim_size]
    signal = np.fft.irfftn(data, s=shape, axes=dims, norm='forward')
    node = record(FftC2RBackward0, input)
    if node is not None:
        node.dim, node.scale = dims, scale
    return result(_scaled(signal, scale).astype(data.real.dtype, copy=False), node)


# ---- windows ---------------------------------------------------------------------------------------------
# Each is computed in the output dtype, step by step as PyTorch does. A periodic window of length N is the
# symmetric window of length N + 1 without its last point: the window a DFT of N points sees as one period.
def _window(name, window_length, periodic, dtype, requires_grad, formula):
    float_type = np.dtype(dtypes.to_numpy_dtype(dtype)) if dtype is not None else dtypes._default[0].numpy_type
    if window_length < 0:
        raise RuntimeError(f"{name} requires non-negative window_length, got window_length={window_length}")
    if float_type.kind != 'f':
        raise RuntimeError(f"{name} expects floating point dtypes, got: {dtypes._BY_NUMPY[float_type]}")
    if window_length <= 1:
        values = np.ones(window_length, dtype=float_type)
    else:
        length = window_length + 1 if periodic else window_length
        values = formula(np.arange(length, dtype=float_type), length, float_type.type)[:window_length]
    return result(values).requires_grad_(requires_grad)


def _cosine_sum(positions, length, scalar, alpha, beta):
    """alpha - beta cos(2 pi n / (N - 1)): the Hann (0.5, 0.5) and Hamming (0.54, 0.46) windows."""
    return np.cos(positions * scalar(2 * math.pi / (length - 1))) * scalar(-beta) + scalar(alpha)


def hann_window(window_length, periodic=True, *, dtype=None, layout=None, device=None, requires_grad=False,
                pin_memory=False):
    """The Hann window, 0.5 - 0.5 cos(2 pi n / (N - 1))."""
    return _window('hann_window', window_length, periodic, dtype, requires_grad,
                   lambda n, length, scalar: _cosine_sum(n, length, scalar, 0.5, 0.5))


def hamming_window(window_length, periodic=True, alpha=0.54, beta=0.46, *, dtype=None, layout=None, device=None,
                   requires_grad=False, pin_memory=False):
    """The Hamming window, alpha - beta cos(2 pi n / (N - 1))."""
    return _window('hamming_window', window_length, periodic, dtype, requires_grad,
                   lambda n, length, scalar: _cosine_sum(n, length, scalar, alpha, beta))


def _bartlett(positions, length, scalar):
    ramp = positions * scalar(2 / (length - 1))
    first_half = (length - 1) // 2 + 1
    ramp[first_half:] = ramp[first_half:] * scalar(-1) + scalar(2)
    return ramp


def bartlett_window(window_length, periodic=True, *, dtype=None, layout=None, device=None, requires_grad=False,
                    pin_memory=False):
    """The Bartlett (triangular) window: 2n / (N - 1) up to the middle, back down to 0 after it."""
    return _window('bartlett_window', window_length, periodic, dtype, requires_grad, _bartlett)


def _blackman(positions, length, scalar):
    angle = positions * scalar(math.pi / (length - 1))
    return np.cos(angle * scalar(4)) * scalar(0.08) - np.cos(angle * scalar(2)) * scalar(0.5) + scalar(0.42)


def blackman_window(window_length, periodic=True, *, dtype=None, layout=None, device=None, requires_grad=False,
                    pin_memory=False):
    """The Blackman window, 0.42 - 0.5 cos(2 pi n / (N - 1)) + 0.08 cos(4 pi n / (N - 1))."""
    return _window('blackman_window', window_length, periodic, dtype, requires_grad, _blackman)


def kaiser_window(window_length, periodic=True, beta=12.0, *, dtype=None, layout=None, device=None,
                  requires_grad=False, pin_memory=False):
    """The Kaiser window, I0(beta sqrt(1 - ((n - a) / a)^2)) / I0(beta) with a = (N - 1) / 2 and I0 the
    modified Bessel function of order 0; larger beta, narrower window."""
    def kaiser(positions, length, scalar):
        middle = (length - 1) / 2.0
        distance = (positions.astype(np.float64) - middle) / middle
        return (np.i0(beta * np.sqrt(np.abs(1 - distance ** 2))) / np.i0(beta)).astype(positions.dtype)
    return _window('kaiser_window', window_length, periodic, dtype, requires_grad, kaiser)


# ---- the short-time Fourier transform ------------------------------------------------------------------
def _padded_window(window, win_length, n_fft, dtype):
    """The window (ones by default) centred in n_fft points, with PyTorch's check of its size."""
    from .._creation import ones
    from .resample import constant_pad_nd
    if window is None:
        window = ones(win_length, dtype=dtype)
    elif window.dim() != 1 or window.shape[0] != win_length:
        raise RuntimeError(f"stft: expected a 1D window tensor of size equal to win_length={win_length}, but got "
                           f"window with size {list(window.shape)}")
    left = (n_fft - win_length) // 2
    return constant_pad_nd(window, [left, n_fft - win_length - left]) if win_length < n_fft else window


def stft(input, n_fft, hop_length=None, win_length=None, window=None, center=True, pad_mode='reflect',
         normalized=False, onesided=None, return_complex=None, align_to_window=None):
    """The short-time Fourier transform of a (batch of) signal(s): the DFT of each frame of n_fft samples,
    taken every hop_length samples and multiplied by `window`. Result: (batch,) frequencies x frames."""
    from .resample import pad_nonconstant, constant_pad_nd
    if return_complex is None and input._data.dtype.kind != 'c' and (window is None or not window.is_complex()):
        raise RuntimeError("stft requires the return_complex parameter be given for real inputs, and will further "
                           "require that return_complex=True in a future PyTorch release.")
    if window is None:
        warnings.warn("A window was not provided. A rectangular window will be applied,which is known to cause "
                      "spectral leakage. Other windows such as torch.hann_window or torch.hamming_window are "
                      "recommended to reduce spectral leakage.To suppress this warning and use a rectangular window, "
                      "explicitly set `window=torch.ones(n_fft, device=<device>)`.", UserWarning, stacklevel=2)
    if input.dim() not in (1, 2):
        raise RuntimeError(f"stft: expected a 1D or 2D tensor, but got {input.dim()}D tensor")
    hop_length = n_fft // 4 if hop_length is None else hop_length
    win_length = n_fft if win_length is None else win_length
    signal_dim = input.dim()
    if center:  # pad by n_fft // 2 on both sides, so that frame t is centred on sample t * hop_length
        pad = [n_fft // 2, n_fft // 2]
        batched = input.reshape((1,) * (3 - signal_dim) + tuple(input.shape))
        padded = constant_pad_nd(batched, pad) if pad_mode == 'constant' else pad_nonconstant(batched, pad, pad_mode)
        input = padded.reshape(padded.shape[3 - signal_dim:])
    length = input.shape[-1]
    if not 0 < n_fft <= length:
        raise RuntimeError(f"stft: expected 0 < n_fft < {length}, but got n_fft={n_fft}")
    if hop_length <= 0:
        raise RuntimeError(f"stft: expected hop_length > 0, but got hop_length={hop_length}")
    if not 0 < win_length <= n_fft:
        raise RuntimeError(f"stft: expected 0 < win_length <= n_fft, but got win_length={win_length}")
    frames = (input if signal_dim == 2 else input.unsqueeze(0)).unfold(-1, n_fft, hop_length)  # (batch, frames, n_fft)
    if window is not None or win_length < n_fft:
        frames = frames * _padded_window(window, win_length, n_fft, input.dtype.to_real())
    scale = 1 / math.sqrt(n_fft) if normalized else 1
    if frames._data.dtype.kind == 'c':
        spectrum = fft_c2c(frames, (2,), scale, forward=True)
    else:
        spectrum = fft_r2c(frames, (2,), scale, onesided=True if onesided is None else onesided)
    spectrum = spectrum.transpose(1, 2)  # (batch, frequencies, frames)
    if signal_dim == 1:
        spectrum = spectrum.squeeze(0)
    if return_complex:
        return spectrum
    warnings.warn("stft with return_complex=False is deprecated. In a future pytorch release, stft will return "
                  "complex tensors for all inputs, and return_complex=False will raise an error.\nNote: you can "
                  "still call torch.view_as_real on the complex output to recover the old return format.",
                  UserWarning, stacklevel=2)
    from .complex import view_as_real
    return view_as_real(spectrum)


def istft(input, n_fft, hop_length=None, win_length=None, window=None, center=True, normalized=False,
          onesided=None, length=None, return_complex=False):
    """The inverse of `stft`: each frame transformed back, divided by the window and overlap-added (the
    sum of the squared windows over each sample divides the result, PyTorch's least-squares inverse)."""
    from .conv import fold
    from .._creation import ones
    if input._data.dtype.kind != 'c':
        raise RuntimeError("istft requires a complex-valued input tensor matching the output from stft with "
                           "return_complex=True.")
    hop_length = n_fft // 4 if hop_length is None else hop_length
    win_length = n_fft if win_length is None else win_length
    input_dim = input.dim()
    if input_dim not in (2, 3):
        raise RuntimeError(f"istft: expected a tensor with 2 or 3 dimensions of complex, but got {input_dim}")
    frequencies, n_frames = input.shape[-2], input.shape[-1]
    onesided = frequencies != n_fft if onesided is None else onesided
    if onesided and n_fft // 2 + 1 != frequencies:
        raise RuntimeError("istft expected the frequency dimension (3rd to the last) of the input tensor to match "
                           f"n_fft / 2 + 1 when onesided=True, but got {frequencies}")
    if not onesided and n_fft != frequencies:
        raise RuntimeError("istft expected the frequency dimension (3rd to the last) of the input tensor to match "
                           f"n_fft when onesided=False, but got {frequencies}")
    if not 0 < hop_length <= win_length:
        raise RuntimeError("istft expected 0 < hop_length <= win_length")
    if not 0 < win_length <= n_fft:
        raise RuntimeError("istft expected 0 < win_length <= n_fft")
    real_type = input.dtype.to_real()
    if window is None:
        warnings.warn("A window was not provided. A rectangular window will be applied.Please provide the same window "
                      "used by stft to make the inversion lossless.To suppress this warning and use a rectangular "
                      "window, explicitly set `window=torch.ones(n_fft, device=<device>)`.", UserWarning, stacklevel=2)
    window = _padded_window(window if window is not None else ones(win_length, dtype=real_type), win_length,
                            n_fft, real_type)
    frames = (input if input_dim == 3 else input.unsqueeze(0)).transpose(1, 2)  # (batch, frames, frequencies)
    scale = 1 / math.sqrt(n_fft) if normalized else 1 / n_fft
    if return_complex:
        if onesided:
            raise RuntimeError("Cannot have onesided output if window or input is complex")
        frames = fft_c2c(frames, (2,), scale, forward=False)
    else:
        if not onesided:
            frames = frames.narrow(-1, 0, n_fft // 2 + 1)
        frames = fft_c2r(frames, (2,), scale, n_fft)
    frames = frames * window
    # overlap-add: fold is the adjoint of cutting a signal into frames, so it sums what overlaps
    signal_length = n_fft + hop_length * (n_frames - 1)

    def overlap_add(pieces):  # (batch, frames, n_fft) -> (batch, signal_length)
        return fold(pieces.transpose(1, 2), (1, signal_length), (1, n_fft), stride=(1, hop_length)).reshape(
            pieces.shape[0], signal_length)
    signal = overlap_add(frames)
    envelope = overlap_add((window * window).expand(1, n_frames, n_fft))
    start = n_fft // 2 if center else 0
    end = start + length if length is not None else (signal_length - n_fft // 2 if center else signal_length)
    signal, envelope = signal[:, start:end], envelope[:, start:end]
    if envelope._data.size and np.abs(envelope._data).min() < 1e-11:
        raise RuntimeError("istft(...): window overlap add min: 1e-11 is too small: the window and hop_length "
                           "leave samples no window covers")
    signal = signal / envelope
    if end > signal_length:  # a `length` longer than the frames cover: zeros after them
        from .resample import constant_pad_nd
        signal = constant_pad_nd(signal, [0, end - signal_length])
    return signal.squeeze(0) if input_dim == 2 else signal
