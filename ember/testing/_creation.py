"""`make_tensor`: a random tensor for a test, drawn the way PyTorch draws it, so that a seeded
`make_tensor` gives PyTorch's values."""
import collections.abc
import math
import warnings

from .. import _dtype as dtypes

_BOOLEAN_OR_INTEGRAL_TYPES = (dtypes.bool, dtypes.uint8, dtypes.int8, dtypes.int16, dtypes.int32, dtypes.int64,
                              dtypes.uint16, dtypes.uint32, dtypes.uint64)
_FLOATING_TYPES = (dtypes.float16, dtypes.bfloat16, dtypes.float32, dtypes.float64)
_COMPLEX_TYPES = (dtypes.complex64, dtypes.complex128)


def make_tensor(*shape, dtype, device=None, low=None, high=None, requires_grad=False, noncontiguous=False,
                exclude_zero=False, memory_format=None):
    """A tensor of `shape` filled with values drawn uniformly from [low, high).

    `low`/`high` default by dtype: bool [0, 2), unsigned [0, 10), signed integers [-9, 10), floating
    and complex [-9, 9) (both parts); bounds outside the dtype's finite range are clamped to it.
    `noncontiguous` returns every other element of a tensor twice as long in the last dimension;
    `exclude_zero` replaces zeros by 1 (integers) or the dtype's `tiny` (floats)."""
    from .. import _creation

    if len(shape) == 1 and isinstance(shape[0], collections.abc.Sequence):
        shape = shape[0]
    shape = tuple(shape)
    if noncontiguous and memory_format is not None:
        raise ValueError(f"The parameters `noncontiguous` and `memory_format` are mutually exclusive, "
                         f"but got noncontiguous={noncontiguous} and memory_format={memory_format}")
    if requires_grad and dtype in _BOOLEAN_OR_INTEGRAL_TYPES:
        raise ValueError(f"`requires_grad=True` is not supported for boolean and integral dtypes, but got "
                         f"dtype={dtype}")
    noncontiguous = noncontiguous and math.prod(shape) > 1
    if noncontiguous:
        # twice the last dimension, so that taking every other element leaves distinct values
        shape = (*shape[:-1], 2 * shape[-1])

    if dtype in _BOOLEAN_OR_INTEGRAL_TYPES:
        if dtype is dtypes.bool:
            bounds = dict(lowest_inclusive=0, highest_exclusive=2, default_low=0, default_high=2)
        else:
            info = dtypes.iinfo(dtype)
            # randint takes int64 bounds, so int64's maximum itself can't be an exclusive bound + 1
            bounds = dict(lowest_inclusive=info.min, highest_exclusive=info.max + (dtype is not dtypes.int64),
                          default_low=-9, default_high=10)
        low, high = _low_high(low, high, dtype, **bounds)
        result = _creation.randint(low, high, shape, dtype=dtype, device=device)
    elif dtype in _FLOATING_TYPES or dtype in _COMPLEX_TYPES:
        info = dtypes.finfo(dtype)
        low, high = _low_high(low, high, dtype, lowest_inclusive=info.min, highest_exclusive=info.max,
                              default_low=-9, default_high=9)
        result = _creation.empty(shape, dtype=dtype, device=device)
        _uniform_(result.view_as_real() if dtype in _COMPLEX_TYPES else result, low, high)
    else:
        raise TypeError(f"The requested dtype '{dtype}' is not supported by torch.testing.make_tensor()."
                        " To request support, file an issue at: https://github.com/pytorch/pytorch/issues")

    if noncontiguous:
        result = result[..., 1::2]  # (an offset of one element catches offset bugs too)
    elif memory_format is not None:
        result = result.clone(memory_format=memory_format)
    if exclude_zero:
        result[result == 0] = 1 if dtype in _BOOLEAN_OR_INTEGRAL_TYPES else dtypes.finfo(dtype).tiny
    if dtype not in _BOOLEAN_OR_INTEGRAL_TYPES:
        result.requires_grad = requires_grad
    return result


def _low_high(low, high, dtype, *, lowest_inclusive, highest_exclusive, default_low, default_high):
    """The user's bounds (or the dtype's defaults), checked and clamped to what `dtype` holds;
    integer bounds are ceiled (randint's high is exclusive, so it is ceiled too)."""
    low = default_low if low is None else low
    high = default_high if high is None else high
    if any(isinstance(value, float) and math.isnan(value) for value in (low, high)):
        raise ValueError(f"`low` and `high` cannot be NaN, but got low={low} and high={high}")
    if low == high and dtype not in _BOOLEAN_OR_INTEGRAL_TYPES:
        warnings.warn("Passing `low==high` to `torch.testing.make_tensor` for floating or complex types is "
                      "deprecated since 2.1 and will be removed in 2.3. Use `torch.full(...)` instead.",
                      FutureWarning, stacklevel=3)
    elif low >= high:
        raise ValueError(f"`low` must be less than `high`, but got {low} >= {high}")
    elif high < lowest_inclusive or low >= highest_exclusive:
        raise ValueError(f"The value interval specified by `low` and `high` is [{low}, {high}), "
                         f"but {dtype} only supports [{lowest_inclusive}, {highest_exclusive})")
    low = min(max(low, lowest_inclusive), highest_exclusive)
    high = min(max(high, lowest_inclusive), highest_exclusive)
    if dtype in _BOOLEAN_OR_INTEGRAL_TYPES:
        return math.ceil(low), math.ceil(high)
    return low, high


def _uniform_(tensor, low, high):
    # uniform_ needs high - low to fit the dtype: draw a range half as wide and double it
    if high - low >= dtypes.finfo(tensor.dtype).max:
        return tensor.uniform_(low / 2, high / 2).mul_(2)
    return tensor.uniform_(low, high)
