"""Random sampling ops on tensors: the in-place fills (`uniform_`, `normal_`, `random_`, ...),
`bernoulli` and `multinomial`. The samples come from `ember._sampling`, which reproduces PyTorch's
CPU streams; these functions only handle arguments, checks and where the values go."""
import math

import numpy as np

from .. import _sampling
from .. import random as _random
from .._dtype import cpp_type_name
from .._tensor import Tensor, _scalar_type_name

__all__ = ['multinomial']
TENSOR_METHODS = ['uniform_', 'normal_', 'random_', 'exponential_', 'geometric_', 'log_normal_', 'cauchy_',
                  'bernoulli_', 'bernoulli', 'multinomial']
INPLACE_METHODS = []


def _generator(generator):
    return generator if generator is not None else _random.default_generator


def _replace(old, values):
    return values


def _memory_order(data):
    """The axes of `data` from the outermost in memory to the innermost, as PyTorch's TensorIterator
    orders them to run through a tensor: by decreasing stride, broadcast (stride 0) axes left where
    they are, ties kept in axis order. Its samplers fill in this order, and `empty_like` gives a new
    tensor the same order (preserve_format): `rand_like(x.t())` and `dropout(x.t())` draw in x's order."""
    strides = [abs(stride) for stride in data.strides]
    order = list(range(data.ndim - 1, -1, -1))  # innermost first; an insertion sort moves each axis in
    for start in range(1, data.ndim):
        moving = start
        for further_in in range(start - 1, -1, -1):
            inside, candidate = strides[order[further_in]], strides[order[moving]]
            if inside == 0 or candidate == 0 or inside == candidate:
                continue  # no order between these two: compare with the next one in
            if inside < candidate:
                break
            order[further_in], order[moving] = order[moving], order[further_in]
            moving = further_in
    return order[::-1]


def in_memory_order(data, draw, shape=None):
    """`draw(shape)` samples (shape defaults to data's) laid out as PyTorch's `empty_like(data)` is:
    drawn for the axes in `data`'s memory order, then seen in the usual axis order."""
    shape = data.shape if shape is None else shape
    if data.flags.c_contiguous:
        return draw(tuple(shape))
    order = _memory_order(data)
    return draw(tuple(shape[axis] for axis in order)).transpose(np.argsort(order))


def _fill(tensor, values):
    """Write `values` (C-order samples) into `tensor` through the in-place path (leaf check, version
    bump). PyTorch fills a non-contiguous tensor in memory order, so the samples follow the strides."""
    return tensor._inplace(_replace, Tensor._wrap(in_memory_order(tensor._data, values.reshape)))


def _real_view(tensor):
    """A float tensor to fill in place of a complex one, as PyTorch fills `view_as_real(tensor)`: shape
    (*shape, 2), each (real, imaginary) pair adjacent and the pairs in the tensor's own memory order,
    so that the samplers see the same layout (and take the same contiguous or strided path)."""
    data = tensor._data
    part = np.float32 if data.dtype == np.complex64 else np.float64
    order = _memory_order(data)
    pairs = np.empty([data.shape[axis] for axis in order] + [2], dtype=part)
    return Tensor._wrap(pairs.transpose(list(np.argsort(order)) + [data.ndim]))


def _fill_complex(tensor, real):
    """Write the pairs of `real` (from `_real_view`) into the complex `tensor`, position by position."""
    pairs = np.ascontiguousarray(real._data)
    values = pairs.view(np.complex64 if pairs.dtype == np.float32 else np.complex128)[..., 0]
    return tensor._inplace(_replace, Tensor._wrap(values))


def _float_dtype(tensor, op_name):
    dtype = tensor._data.dtype
    if dtype.kind != 'f':
        raise NotImplementedError(f"\"{op_name}\" not implemented for '{_scalar_type_name(dtype)}'")
    return dtype


def uniform_(self, from_=0.0, to=1.0, *, generator=None, **kwargs):
    """Fill with samples uniform in [from, to). Both bounds, and the width of the range, must be
    finite in the tensor's dtype (PyTorch's checks, in its order; numbers printed as C++ prints them)."""
    from_ = kwargs.pop('from', from_)
    if self._data.dtype.kind == 'c':
        return _fill_complex(self, uniform_(_real_view(self), from_, to, generator=generator))
    dtype = _float_dtype(self, 'check_uniform_bounds')
    highest = float(np.finfo(dtype).max)
    for name, bound in (('from', from_), ('to', to)):
        if not -highest <= bound <= highest:  # (NaN fails too)
            raise RuntimeError(f"{name} is out of bounds for {cpp_type_name(dtype)}")
    if from_ > to:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found from={from_:g} > to={to:g}")
    if to - from_ > highest:
        raise RuntimeError(f"uniform_ expects to-from <= std::numeric_limits<{_scalar_type_name(dtype)}>::max(), "
                           "but found "
                           f"to={to:g} and from={from_:g} which result in to-from to exceed the limit")
    return _fill(self, _sampling.uniform(_generator(generator), self._data.shape, dtype, from_, to))


def normal_(self, mean=0.0, std=1.0, *, generator=None):
    """Fill with normal samples."""
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")
    if self._data.dtype.kind == 'c':  # each part gets std / sqrt(2), so that |z| has variance std**2
        return _fill_complex(self, normal_(_real_view(self), mean, std / math.sqrt(2), generator=generator))
    dtype = _float_dtype(self, 'normal_kernel_cpu')
    contiguous = self._data.flags.c_contiguous
    return _fill(self, _sampling.normal(_generator(generator), self._data.shape, dtype, mean, std, contiguous))


def _dtype_max(dtype):
    """The largest integer `random_(from)` may produce: 2**mantissa for floats, the type's max else."""
    if dtype.kind == 'f':
        return 1 << (np.finfo(dtype).nmant + 1)
    if dtype.kind == 'b':
        return 1
    return int(np.iinfo(dtype).max)


_UNSET = object()


def random_(self, from_=None, to=_UNSET, *, generator=None, **kwargs):
    """Fill with integers: `random_()` over [0, 2**mantissa] or [0, max], `random_(to)` over [0, to),
    `random_(from, to)` over [from, to), `random_(from, None)` over [from, max]."""
    keyword_from = 'from' in kwargs
    from_ = kwargs.pop('from', from_)
    gen = _generator(generator)
    dtype = self._data.dtype
    shape = self._data.shape
    if from_ is None and to is _UNSET:
        return _fill(self, _sampling.random_default(gen, shape, dtype))
    if to is _UNSET and not keyword_from:
        from_, to = 0, from_  # random_(to): a single argument is the upper bound
    to = None if to is _UNSET else to
    from_ = int(from_)
    if to is None:
        if from_ == -(1 << 63):
            return _fill(self, _sampling.random_full_range(gen, shape, dtype))
        to = _dtype_max(dtype) + 1
    to = int(to)
    if from_ >= to:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={from_} >= to={to}")
    return _fill(self, _sampling.random_range(gen, shape, dtype, from_, to))


def exponential_(self, lambd=1.0, *, generator=None):
    """Fill with exponential samples of rate `lambd`."""
    if not lambd > 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={lambd:g}")
    dtype = self._data.dtype
    if dtype.kind != 'f':
        raise RuntimeError("Exponential distribution is a continuous probability distribution. dtype must be a "
                           f"floating point but you specified {_scalar_type_name(dtype)}")
    return _fill(self, _sampling.exponential(_generator(generator), self._data.shape, dtype, lambd))


def geometric_(self, p, *, generator=None):
    """Fill with the number of Bernoulli(p) trials up to the first success."""
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={p}")
    return _fill(self, _sampling.geometric(_generator(generator), self._data.shape, self._data.dtype, p))


def log_normal_(self, mean=1.0, std=2.0, *, generator=None):
    """Fill with exp of normal(mean, std) samples."""
    if not std > 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={std}")
    dtype = _float_dtype(self, 'log_normal_cpu')
    return _fill(self, _sampling.log_normal(_generator(generator), self._data.shape, dtype, mean, std))


def cauchy_(self, median=0.0, sigma=1.0, *, generator=None):
    """Fill with Cauchy samples."""
    dtype = self._data.dtype
    if dtype.kind != 'f':
        raise RuntimeError("Cauchy distribution is a continuous probability distribution. dtype must be a "
                           f"floating point but you specified {cpp_type_name(dtype)}")
    return _fill(self, _sampling.cauchy(_generator(generator), self._data.shape, dtype, median, sigma))


def _check_probabilities(values):
    if values.size and not ((values >= 0) & (values <= 1)).all():
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")


def bernoulli_(self, p=0.5, *, generator=None):
    """Fill with 0/1: 1 with probability `p` (a number, or a tensor broadcast to self)."""
    gen = _generator(generator)
    if isinstance(p, Tensor):
        probabilities = np.broadcast_to(p._data, self._data.shape)
        _check_probabilities(probabilities)
        return _fill(self, _sampling.bernoulli(gen, np.asarray(probabilities, order='C'), self._data.dtype))
    if not 0 <= p <= 1:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p}")
    return _fill(self, _sampling.bernoulli_scalar(gen, self._data.shape, self._data.dtype, p))


def bernoulli(input, p=None, *, generator=None, out=None):
    """0/1 samples: 1 with probability given by `input` (or by the number `p`), in input's dtype."""
    from ._util import write_out
    gen = _generator(generator)
    data = input._data
    if p is None:
        _check_probabilities(data)
        samples = _sampling.bernoulli(gen, np.asarray(data, order='C'), data.dtype)
    else:
        samples = _sampling.bernoulli_scalar(gen, data.shape, data.dtype, p)
    result = Tensor._wrap(samples)
    return write_out(out, result) if out is not None else result


def _check_rows_entry_by_entry(rows):
    """The checks of PyTorch's sampler with replacement (more than one sample), which walks each row
    entry by entry and stops at the first bad entry, or at the end of a row whose sum is not positive:
    the first problem in that order names the error."""
    bad_entries = ~(rows >= 0) | np.isinf(rows)  # NaN fails `>= 0`, so it is reported as "< 0"
    bad_rows = bad_entries.any(axis=1) | (rows.sum(axis=1) <= 0)
    if not bad_rows.any():
        return
    row = np.argmax(bad_rows)
    if not bad_entries[row].any():
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    entry = rows[row, np.argmax(bad_entries[row])]
    if not entry >= 0:
        raise RuntimeError("invalid multinomial distribution (encountering probability entry < 0)")
    raise RuntimeError("invalid multinomial distribution (encountering probability entry = infinity or NaN)")


def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    """`num_samples` category indices per row of `input` (unnormalised probabilities, 1-D or 2-D)."""
    from ._util import write_out
    data = input._data
    if data.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if data.dtype.kind != 'f':
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: {input.dtype}")
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    categories = data.shape[-1]
    if not replacement and num_samples > categories:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
    rows = data.reshape(-1, categories)
    if replacement and num_samples > 1:
        _check_rows_entry_by_entry(rows)
    elif not ((data >= 0) & (data < np.inf)).all():  # NaN fails both comparisons
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    if (rows.sum(axis=-1) <= 0).any():
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    result = Tensor._wrap(_sampling.multinomial(_generator(generator), data, int(num_samples), replacement))
    return write_out(out, result) if out is not None else result
