"""`assert_close`: PyTorch's comparison of two (nested) values, and its failure messages.

Comparing goes in two steps, as in PyTorch: first the two inputs are walked together (sequences
element by element, mappings key by key) into pairs of leaves; then each pair is compared by the
first comparer that accepts its types (None, booleans, numbers, tensor-likes). A failure is kept
as a `_Mismatch` (exception type, message, where in the nesting) until the user's `msg` is applied.
"""
import cmath
import collections.abc
import contextlib
import warnings

import numpy as np

from .. import _dtype as dtypes
from .._tensor import Tensor

# PyTorch's default (rtol, atol) per dtype; every other dtype (integers, bool) compares exactly.
# Mismatching dtypes (with check_dtype=False) take the loosest of both.
_DTYPE_PRECISIONS = {
    dtypes.float16: (0.001, 1e-5),
    dtypes.bfloat16: (0.016, 1e-5),
    dtypes.float32: (1.3e-6, 1e-5),
    dtypes.float64: (1e-7, 1e-7),
    dtypes.complex64: (1.3e-6, 1e-5),
    dtypes.complex128: (1e-7, 1e-7),
}

# the dtype a Python number stands for when its tolerances are looked up
_NUMBER_DTYPES = {int: dtypes.int64, float: dtypes.float64, complex: dtypes.complex128}


class _Mismatch(Exception):
    """A failed comparison: the exception to raise, its message, and the path (`id`) to the failing
    item inside nested inputs."""

    def __init__(self, type, msg, *, id=()):
        super().__init__(msg)
        self.type, self.msg, self.id = type, msg, id

    def to_error(self, msg=None):
        """The user-facing exception. A string `msg` replaces the message; a callable one is given
        the generated message (with the path of the failing item) to build on."""
        if not isinstance(msg, str):
            generated = self.msg
            if self.id:
                generated += f"\n\nThe failure occurred for item {''.join(str([item]) for item in self.id)}"
            msg = msg(generated) if callable(msg) else generated
        return self.type(msg)


class _Unsupported(Exception):
    """A comparer does not handle these inputs; the next one is tried."""


def default_tolerances(*inputs, dtype_precisions=None):
    """The loosest (rtol, atol) of the inputs' dtypes (tensors or dtypes)."""
    precisions = dtype_precisions or _DTYPE_PRECISIONS
    rtols, atols = zip(*[precisions.get(x.dtype if isinstance(x, Tensor) else x, (0.0, 0.0)) for x in inputs])
    return max(rtols), max(atols)


def _tolerances(*inputs, rtol, atol, id):
    if (rtol is None) != (atol is None):
        # only one of them given could pass surprisingly (atol=0 but rtol>0), so PyTorch refuses it
        raise _Mismatch(ValueError, "Both 'rtol' and 'atol' must be either specified or omitted, "
                                    f"but got no {'rtol' if rtol is None else 'atol'}.", id=id)
    if rtol is not None:
        return rtol, atol
    return default_tolerances(*inputs)


def _mismatch_message(*, identifier, default_identifier, extra, abs_diff, abs_diff_index, atol, rel_diff,
                      rel_diff_index, rtol):
    equality = rtol == 0 and atol == 0

    def difference(kind, diff, index, tolerance):
        line = f"{kind.title()} difference: {diff}" if index is None else \
            f"Greatest {kind} difference: {diff} at index {index}"
        return line + ("" if equality else f" (up to {tolerance} allowed)") + "\n"

    if identifier is None:
        identifier = default_identifier
    elif callable(identifier):
        identifier = identifier(default_identifier)
    message = f"{identifier} are not {'equal' if equality else 'close'}!\n\n"
    if extra:
        message += f"{extra.strip()}\n"
    message += difference("absolute", abs_diff, abs_diff_index, atol)
    message += difference("relative", rel_diff, rel_diff_index, rtol)
    return message.strip()


def _scalar_mismatch_message(actual, expected, *, rtol, atol, identifier=None):
    abs_diff = abs(actual - expected)
    rel_diff = float("inf") if expected == 0 else abs_diff / abs(expected)
    return _mismatch_message(identifier=identifier, default_identifier="Scalars",
                             extra=f"Expected {expected} but got {actual}.", abs_diff=abs_diff, abs_diff_index=None,
                             atol=atol, rel_diff=rel_diff, rel_diff_index=None, rtol=rtol)


def _tensor_mismatch_message(actual, expected, matches, *, rtol, atol, identifier=None):
    """The statistics PyTorch prints: how many elements mismatch, and the greatest absolute and
    relative differences among them (computed in the arrays' own dtype, as PyTorch does)."""
    shape = matches.shape
    matches = matches.reshape(-1)
    total, mismatched = matches.size, int(matches.size - matches.sum())
    extra = f"Mismatched elements: {mismatched} / {total} ({mismatched / total:.1%})"
    actual, expected = actual.reshape(-1), expected.reshape(-1)
    integral = actual.dtype.kind not in 'fc'
    if integral:  # (their differences could overflow their own dtype)
        actual, expected = actual.astype(np.int64), expected.astype(np.int64)
    with np.errstate(all='ignore'):
        abs_diff = np.abs(actual - expected)
        abs_diff[matches] = 0
        # an integer true division gives the default float dtype in PyTorch
        rel_diff = abs_diff / np.abs(expected)
    if integral:
        rel_diff = rel_diff.astype(dtypes._default[0].numpy_type)
    rel_diff[matches] = 0
    # argmax finds the first greatest difference, or the first NaN, as torch.max does
    abs_index, rel_index = int(np.argmax(abs_diff)), int(np.argmax(rel_diff))
    return _mismatch_message(identifier=identifier, default_identifier="Tensor-likes", extra=extra,
                             abs_diff=abs_diff[abs_index].item(), abs_diff_index=_unravel(abs_index, shape),
                             atol=atol, rel_diff=rel_diff[rel_index].item(),
                             rel_diff_index=_unravel(rel_index, shape), rtol=rtol)


def _unravel(flat_index, shape):
    return tuple(int(i) for i in np.unravel_index(flat_index, shape))


# ---- the comparers: each takes a pair of leaves it understands, or raises _Unsupported -----------

class _Pair:
    def __init__(self, actual, expected, *, id=(), **options):
        self.actual, self.expected, self.id = actual, expected, id

    def _fail(self, type, msg):
        raise _Mismatch(type, msg, id=self.id)


class _NonePair(_Pair):
    def __init__(self, actual, expected, **options):
        if not (actual is None or expected is None):
            raise _Unsupported
        super().__init__(actual, expected, **options)

    def compare(self):
        if not (self.actual is None and self.expected is None):
            self._fail(AssertionError, f"None mismatch: {self.actual} is not {self.expected}")


class _BooleanPair(_Pair):
    def __init__(self, actual, expected, **options):
        if not all(isinstance(x, (bool, np.bool_)) for x in (actual, expected)):
            raise _Unsupported
        super().__init__(bool(actual), bool(expected), **options)

    def compare(self):
        if self.actual is not self.expected:
            self._fail(AssertionError, f"Booleans mismatch: {self.actual} is not {self.expected}")


class _NumberPair(_Pair):
    """Python and NumPy numbers; their type stands for a dtype (int: int64, float: float64,
    complex: complex128) for the tolerances and for check_dtype."""

    def __init__(self, actual, expected, *, id=(), rtol=None, atol=None, equal_nan=False, check_dtype=False,
                 **options):
        if not all(isinstance(x, (int, float, complex, np.number)) for x in (actual, expected)):
            raise _Unsupported
        actual, expected = (x.item() if isinstance(x, np.number) else x for x in (actual, expected))
        super().__init__(actual, expected, id=id)
        self.rtol, self.atol = _tolerances(_NUMBER_DTYPES[type(actual)], _NUMBER_DTYPES[type(expected)],
                                           rtol=rtol, atol=atol, id=id)
        self.equal_nan, self.check_dtype = equal_nan, check_dtype

    def compare(self):
        actual, expected = self.actual, self.expected
        if self.check_dtype and type(actual) is not type(expected):
            self._fail(AssertionError, f"The (d)types do not match: {type(actual)} != {type(expected)}.")
        if actual == expected or (self.equal_nan and cmath.isnan(actual) and cmath.isnan(expected)):
            return
        abs_diff = abs(actual - expected)
        if cmath.isfinite(abs_diff) and abs_diff <= self.atol + self.rtol * abs(expected):
            return
        self._fail(AssertionError, _scalar_mismatch_message(actual, expected, rtol=self.rtol, atol=self.atol))


class _TensorLikePair(_Pair):
    """Tensors, and anything `ember.as_tensor` takes (NumPy arrays) when both sides are of directly
    related types."""

    def __init__(self, actual, expected, *, id=(), allow_subclasses=True, rtol=None, atol=None, equal_nan=False,
                 check_device=True, check_dtype=True, check_layout=True, check_stride=False, **options):
        related = isinstance(actual, type(expected)) or isinstance(expected, type(actual))
        if not related or (not allow_subclasses and type(actual) is not type(expected)):
            raise _Unsupported
        actual, expected = self._to_tensor(actual), self._to_tensor(expected)
        super().__init__(actual, expected, id=id)
        self.rtol, self.atol = _tolerances(actual, expected, rtol=rtol, atol=atol, id=id)
        self.equal_nan = equal_nan
        self.check_device, self.check_dtype = check_device, check_dtype
        self.check_layout, self.check_stride = check_layout, check_stride

    @staticmethod
    def _to_tensor(tensor_like):
        if isinstance(tensor_like, Tensor):
            return tensor_like
        from .._creation import as_tensor
        try:
            return as_tensor(tensor_like)
        except Exception:
            raise _Unsupported from None

    def compare(self):
        actual, expected = self.actual, self.expected
        self._compare_attributes(actual, expected)
        actual, expected = self._equalize_attributes(actual, expected)
        if actual.is_sparse:
            self._compare_sparse_values(actual, expected)
        else:
            self._compare_values(actual._data, expected._data, rtol=self.rtol, atol=self.atol)

    def _compare_attributes(self, actual, expected):
        def mismatch(name, actual_value, expected_value):
            self._fail(AssertionError,
                       f"The values for attribute '{name}' do not match: {actual_value} != {expected_value}.")

        if actual.shape != expected.shape:
            mismatch("shape", actual.shape, expected.shape)
        if actual.layout != expected.layout:
            if self.check_layout:
                mismatch("layout", actual.layout, expected.layout)
        elif not actual.is_sparse and self.check_stride and actual.stride() != expected.stride():
            mismatch("stride()", actual.stride(), expected.stride())
        if self.check_device and actual.device != expected.device:
            mismatch("device", actual.device, expected.device)
        if self.check_dtype and actual.dtype != expected.dtype:
            mismatch("dtype", actual.dtype, expected.dtype)

    @staticmethod
    def _equalize_attributes(actual, expected):
        """Different dtypes are compared in their promoted dtype (the unsigned 16-64-bit ones as
        int64, which promote_types refuses); a sparse tensor against a dense one densely."""
        if actual.dtype != expected.dtype:
            wide_unsigned = (dtypes.uint16, dtypes.uint32, dtypes.uint64)
            actual_dtype = dtypes.int64 if actual.dtype in wide_unsigned else actual.dtype
            expected_dtype = dtypes.int64 if expected.dtype in wide_unsigned else expected.dtype
            dtype = dtypes.promote_types(actual_dtype, expected_dtype)
            actual, expected = actual.to(dtype), expected.to(dtype)
        if actual.layout != expected.layout:
            actual = actual.to_dense() if actual.is_sparse else actual
            expected = expected.to_dense() if expected.is_sparse else expected
        return actual, expected

    def _compare_sparse_values(self, actual, expected):
        """Sparse COO tensors: the same number of sparse dimensions and of specified values, equal
        indices, close values."""
        if actual.sparse_dim() != expected.sparse_dim():
            self._fail(AssertionError, "The number of sparse dimensions in sparse COO tensors does not match: "
                                       f"{actual.sparse_dim()} != {expected.sparse_dim()}")
        if actual._nnz() != expected._nnz():
            self._fail(AssertionError, "The number of specified values in sparse COO tensors does not match: "
                                       f"{actual._nnz()} != {expected._nnz()}")
        self._compare_values(actual._indices()._data, expected._indices()._data, rtol=0, atol=0,
                             identifier="Sparse COO indices")
        self._compare_values(actual._values()._data, expected._values()._data, rtol=self.rtol, atol=self.atol,
                             identifier="Sparse COO values")

    def _compare_values(self, actual, expected, *, rtol, atol, identifier=None):
        from .._creation import as_tensor
        from .._ops import isclose
        matches = isclose(as_tensor(actual), as_tensor(expected), rtol=rtol, atol=atol,
                          equal_nan=self.equal_nan)._data
        if matches.all():
            return
        if actual.ndim == 0:
            message = _scalar_mismatch_message(actual.item(), expected.item(), rtol=rtol, atol=atol,
                                               identifier=identifier)
        else:
            message = _tensor_mismatch_message(actual, expected, matches, rtol=rtol, atol=atol,
                                               identifier=identifier)
        self._fail(AssertionError, message)


_PAIR_TYPES = (_NonePair, _BooleanPair, _NumberPair, _TensorLikePair)


def _originate_pairs(actual, expected, *, id=(), **options):
    """Walk nested sequences and mappings of both inputs together into the pairs of leaves to compare."""
    if (isinstance(actual, collections.abc.Sequence) and not isinstance(actual, str)
            and isinstance(expected, collections.abc.Sequence) and not isinstance(expected, str)):
        if len(actual) != len(expected):
            raise _Mismatch(AssertionError,
                            f"The length of the sequences mismatch: {len(actual)} != {len(expected)}", id=id)
        return [pair for index in range(len(actual))
                for pair in _originate_pairs(actual[index], expected[index], id=(*id, index), **options)]
    if isinstance(actual, collections.abc.Mapping) and isinstance(expected, collections.abc.Mapping):
        actual_keys, expected_keys = set(actual.keys()), set(expected.keys())
        if actual_keys != expected_keys:
            raise _Mismatch(AssertionError,
                            "The keys of the mappings do not match:\n"
                            f"Missing keys in the actual mapping: {sorted(expected_keys - actual_keys)}\n"
                            f"Additional keys in the actual mapping: {sorted(actual_keys - expected_keys)}", id=id)
        keys = actual_keys
        with contextlib.suppress(Exception):  # (keys of mixed types don't sort)
            keys = sorted(keys)
        return [pair for key in keys
                for pair in _originate_pairs(actual[key], expected[key], id=(*id, key), **options)]
    for pair_type in _PAIR_TYPES:
        try:
            return [pair_type(actual, expected, id=id, **options)]
        except _Unsupported:
            continue
    raise _Mismatch(TypeError,
                    f"No comparison pair was able to handle inputs of type {type(actual)} and {type(expected)}.",
                    id=id)


def assert_close(actual, expected, *, allow_subclasses=True, rtol=None, atol=None, equal_nan=False,
                 check_device=True, check_dtype=True, check_layout=True, check_stride=False, msg=None):
    """Assert that `actual` and `expected` are close: |actual - expected| <= atol + rtol * |expected|
    elementwise, with the same shape, device, dtype and layout (each check can be switched off).

    Tensors, NumPy arrays, Python/NumPy numbers and (nested) sequences and mappings of them are
    compared. Without `rtol` and `atol` the tolerances depend on the dtype (float32: rtol 1.3e-6,
    atol 1e-5; float64: 1e-7 both; integers and bool: exact). `msg` replaces the message, or (a
    callable) is given it to build on. Raises AssertionError with PyTorch's message."""
    __tracebackhide__ = True
    options = dict(allow_subclasses=allow_subclasses, rtol=rtol, atol=atol, equal_nan=equal_nan,
                   check_device=check_device, check_dtype=check_dtype, check_layout=check_layout,
                   check_stride=check_stride)
    try:
        pairs = _originate_pairs(actual, expected, **options)
    except _Mismatch as mismatch:
        raise mismatch.to_error() from None  # (PyTorch ignores `msg` for a structure mismatch)
    for pair in pairs:
        try:
            pair.compare()
        except _Mismatch as mismatch:
            raise mismatch.to_error(msg) from None


def assert_allclose(actual, expected, rtol=None, atol=None, equal_nan=True, msg=""):
    """Deprecated since PyTorch 1.12: `assert_close` with looser default tolerances, NaNs equal and
    dtypes not checked."""
    warnings.warn("`torch.testing.assert_allclose()` is deprecated since 1.12 and will be removed in a future "
                  "release. Please use `torch.testing.assert_close()` instead. You can find detailed upgrade "
                  "instructions in https://github.com/pytorch/pytorch/issues/61844.", FutureWarning, stacklevel=2)
    from .._creation import tensor
    if not isinstance(actual, Tensor):
        actual = tensor(actual)
    if not isinstance(expected, Tensor):
        expected = tensor(expected, dtype=actual.dtype)
    if rtol is None and atol is None:
        rtol, atol = default_tolerances(actual, expected, dtype_precisions={
            dtypes.float16: (1e-3, 1e-3), dtypes.float32: (1e-4, 1e-5), dtypes.float64: (1e-5, 1e-8)})
    assert_close(actual, expected, rtol=rtol, atol=atol, equal_nan=equal_nan, check_device=True,
                 check_dtype=False, check_stride=False, msg=msg or None)
