"""Sparse COO tensors: PyTorch's `torch.sparse_coo` layout, as `nn.Embedding(sparse=True)` produces
for its weight gradient and `optim.SparseAdam` consumes.

A COO tensor of shape `size` stores `nnz` entries: `indices`, an int64 array (sparse_dim, nnz) of
coordinates into the first `sparse_dim` dims, and `values`, an array (nnz, *size[sparse_dim:]) of
what sits there. An index may repeat ("uncoalesced"): the tensor's value at a coordinate is then
the sum of its entries; `coalesce()` sorts the coordinates and sums the repeats.

`SparseCooTensor` subclasses `Tensor` so that `.grad`, the autograd engine and `isinstance` treat it
as a tensor, while the dense code path stays untouched: its `_data` is a `_NoDenseArray`, which
answers the metadata (`shape`, `dtype`, ...) every tensor reports and refuses, with PyTorch's
"Could not run 'aten::<op>' ... 'SparseCPU' backend" error, any NumPy computation a dense op tries
on it. The few operations PyTorch's sparse backend offers that course code meets (add, scalar
mul/div, neg, sum, coalesce, to_dense, zero_) are methods here; `dense + sparse` (a dense result) is
`dense_plus_sparse`, which the `add` / `sub` ops call when NumPy refuses their sparse operand, and
`ember.sparse` holds `mm` and `sum`.
"""
import numpy as np

from . import _dtype as dtypes
from ._creation import layout
from ._tensor import Tensor

__all__ = ['sparse_coo', 'sparse_coo_tensor', 'SparseCooTensor']

sparse_coo = layout('sparse_coo')

# methods every (dense) Tensor gets from this module: the strided answers of the sparse API
TENSOR_METHODS = ('to_sparse', 'to_dense', 'sparse_dim', 'dense_dim', 'is_coalesced', 'coalesce', '_indices',
                  '_values', 'indices', 'values', '_nnz', 'sparse_mask')


def _not_on_backend(op_name, backend='SparseCPU'):
    return NotImplementedError(f"Could not run 'aten::{op_name}' with arguments from the '{backend}' backend. "
                               f"This could be because the operator doesn't exist for this backend. (ember "
                               f"supports only a few operations on sparse tensors; use .to_dense() first.)")


class _NoDenseArray:
    """The `_data` of a sparse tensor: the metadata of the dense array it stands for, and no
    elements. NumPy hands any computation on it to `__array_ufunc__` / `__array__`, which raise."""
    __slots__ = ('shape', 'dtype')
    __array_priority__ = 10000

    def __init__(self, shape, dtype):
        self.shape = shape
        self.dtype = dtype

    ndim = property(lambda self: len(self.shape))
    size = property(lambda self: int(np.prod(self.shape, dtype=np.int64)))
    itemsize = property(lambda self: self.dtype.itemsize)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        raise _not_on_backend(ufunc.__name__)

    def __array_function__(self, func, types, args, kwargs):
        raise _not_on_backend(func.__name__)

    def __array__(self, dtype=None, copy=None):
        raise _not_on_backend('_to_dense (implicitly)')

    def __getattr__(self, name):  # .reshape, .astype, .sum ... of the dense array that isn't there
        if name.startswith('__'):  # protocol probes (copy, pickle, hasattr) get the usual answer
            raise AttributeError(name)
        raise _not_on_backend(name)

    def __getitem__(self, index):
        raise _not_on_backend('index')


def _binary_refusal(name):
    def method(self, other):
        raise _not_on_backend(name)
    return method


for _name in ('add', 'sub', 'mul', 'truediv', 'floordiv', 'mod', 'pow', 'matmul', 'lt', 'le', 'gt', 'ge'):
    setattr(_NoDenseArray, f'__{_name}__', _binary_refusal(_name))
    setattr(_NoDenseArray, f'__r{_name}__', _binary_refusal(_name))


class SparseCooTensor(Tensor):
    """A tensor in PyTorch's `sparse_coo` layout (type(t) is a Tensor subclass here; PyTorch
    reports `torch.Tensor`). Build one with `ember.sparse_coo_tensor` or `Tensor.to_sparse()`."""
    __slots__ = ('_sparse_indices', '_sparse_values', '_coalesced')
    is_sparse = True

    @staticmethod
    def _make(indices, values, size, coalesced=False):
        """Wrap an int64 (sparse_dim, nnz) array and a (nnz, *dense) array, without copying."""
        t = Tensor._wrap(_NoDenseArray(tuple(size), values.dtype))._make_subclass_like(SparseCooTensor)
        t._sparse_indices = indices
        t._sparse_values = values
        t._coalesced = coalesced or indices.shape[1] < 2  # (no repeats possible: PyTorch says coalesced)
        return t

    def __init__(self, *args, **kwargs):
        pass

    def __new__(cls, *args, **kwargs):
        raise TypeError("build sparse tensors with ember.sparse_coo_tensor(indices, values, size)")

    # ---- metadata ------------------------------------------------------------------------------
    @property
    def layout(self):
        return sparse_coo

    def sparse_dim(self):
        """How many leading dims the indices address."""
        return self._sparse_indices.shape[0]

    def dense_dim(self):
        """How many trailing dims each stored value has."""
        return self._sparse_values.ndim - 1

    def _nnz(self):
        """The number of stored entries (repeated coordinates counted each time)."""
        return self._sparse_indices.shape[1]

    def is_coalesced(self):
        """Whether the coordinates are known to be sorted and unique."""
        return self._coalesced

    def _indices(self):
        """The stored coordinates, (sparse_dim, nnz) int64, as they are (repeats and all)."""
        return Tensor._wrap(self._sparse_indices)

    def _values(self):
        """The stored values, (nnz, *dense dims), as they are."""
        return Tensor._wrap(self._sparse_values)

    def indices(self):
        """The coordinates of a coalesced tensor (PyTorch refuses them on an uncoalesced one)."""
        if not self._coalesced:
            raise RuntimeError("Cannot get indices on an uncoalesced tensor, please call .coalesce() first")
        return self._indices()

    def values(self):
        """The values of a coalesced tensor."""
        if not self._coalesced:
            raise RuntimeError("Cannot get values on an uncoalesced tensor, please call .coalesce() first")
        return self._values()

    # ---- conversions ---------------------------------------------------------------------------
    def coalesce(self):
        """The same tensor with sorted, unique coordinates (repeats summed); `self` if it already is."""
        if self._coalesced:
            return self
        indices, values = _coalesced(self._sparse_indices, self._sparse_values, self._data.shape)
        return SparseCooTensor._make(indices, values, self._data.shape, coalesced=True)

    def to_dense(self, dtype=None, *, masked_grad=None):
        """The dense tensor: zeros with each entry's value added at its coordinate."""
        out = Tensor._wrap(self._scatter_add(np.zeros(self._data.shape, dtype=self._data.dtype)))
        return out if dtype is None else out.to(dtype)

    def to_sparse(self, sparse_dim=None):
        """Already sparse."""
        return self

    def clone(self, *, memory_format=None):
        """A copy of the indices and values."""
        return SparseCooTensor._make(self._sparse_indices.copy(), self._sparse_values.copy(), self._data.shape,
                                     self._coalesced)

    def _detached_copy(self):
        return self.clone()

    def detach(self):
        """The same indices and values, cut from the graph."""
        t = SparseCooTensor._make(self._sparse_indices, self._sparse_values, self._data.shape, self._coalesced)
        t._version_counter = self._version_counter
        return t

    @property
    def data(self):
        return SparseCooTensor._make(self._sparse_indices, self._sparse_values, self._data.shape, self._coalesced)

    def __repr__(self, *, tensor_contents=None):
        return _sparse_repr(self)

    def __deepcopy__(self, memo):
        if id(self) not in memo:
            memo[id(self)] = _rebuild_sparse(*self.__reduce_ex__(2)[1])
        return memo[id(self)]

    def __reduce_ex__(self, protocol):
        return (_rebuild_sparse, (self._sparse_indices.copy(), self._sparse_values.copy(), self._data.shape,
                                  self._coalesced, self._requires_grad))

    # ---- arithmetic PyTorch's sparse backend offers --------------------------------------------
    def add(self, other, *, alpha=1):
        """sparse + sparse is sparse (see `_sparse_sum`); sparse + dense is refused, as in PyTorch."""
        if not isinstance(other, SparseCooTensor):
            raise RuntimeError("add(sparse, dense) is not supported. Use add(dense, sparse) instead.")
        return _sparse_sum(self, other, alpha)

    def sub(self, other, *, alpha=1):
        return self.add(other, alpha=-alpha)

    def add_(self, other, *, alpha=1):
        total = self.add(other, alpha=alpha)
        self._set(total._sparse_indices, total._sparse_values.astype(self._data.dtype, copy=False),
                  total._coalesced)
        return self

    def sub_(self, other, *, alpha=1):
        return self.add_(other, alpha=-alpha)

    def mul(self, other):
        """Times a number (or a 0-dim tensor): the values scale, the coordinates stay."""
        factor = _scalar_operand(other, 'mul')
        return SparseCooTensor._make(self._sparse_indices, _values_result(self, np.multiply, factor),
                                     self._data.shape, self._coalesced)

    def div(self, other):
        factor = _scalar_operand(other, 'div')
        return SparseCooTensor._make(self._sparse_indices, _values_result(self, np.true_divide, factor),
                                     self._data.shape, self._coalesced)

    def mul_(self, other):
        self._sparse_values *= _scalar_operand(other, 'mul_')
        self._version_counter[0] += 1
        return self

    def div_(self, other):
        self._sparse_values /= _scalar_operand(other, 'div_')
        self._version_counter[0] += 1
        return self

    def neg(self):
        return SparseCooTensor._make(self._sparse_indices, -self._sparse_values, self._data.shape, self._coalesced)

    def zero_(self):
        """Drop every entry (nnz becomes 0), as PyTorch's sparse zero_ does."""
        self._set(np.zeros((self.sparse_dim(), 0), dtype=np.int64),
                  np.zeros((0,) + self._sparse_values.shape[1:], dtype=self._data.dtype), True)
        return self

    def sum(self, dim=None, keepdim=False, *, dtype=None):
        """The sum over `dim` (all dims when None): dense once every sparse dim is summed (a 0-dim
        tensor for all dims), else sparse and coalesced, as in PyTorch's sparse sum."""
        if dim is None:
            total = Tensor._wrap(np.asarray(self._sparse_values.sum(dtype=self._data.dtype)))
            return total if dtype is None else total.to(dtype)
        if keepdim:
            raise _not_on_backend('sum.dim_IntList (keepdim=True)')
        from ._ops._util import reduce_dims
        dims = reduce_dims(dim, self._data.ndim) or ()
        coalesced = self.coalesce()
        sparse_dim = coalesced.sparse_dim()
        values = coalesced._sparse_values if dtype is None else coalesced._sparse_values.astype(dtype.numpy_type)
        # dense dims are summed within each stored value; sparse dims by merging the coordinates left
        values = values.sum(axis=tuple(d - sparse_dim + 1 for d in dims if d >= sparse_dim), dtype=values.dtype)
        kept = [d for d in range(sparse_dim) if d not in dims]
        size = tuple(n for d, n in enumerate(self._data.shape) if d not in dims)
        if not kept:
            return Tensor._wrap(values.sum(axis=0, dtype=values.dtype))
        indices = coalesced._sparse_indices
        if len(kept) < sparse_dim:
            indices, values = _coalesced(indices[kept], values, size)
        return SparseCooTensor._make(indices, values, size, coalesced=True)

    def _set(self, indices, values, coalesced):
        self._sparse_indices, self._sparse_values, self._coalesced = indices, values, coalesced
        self._version_counter[0] += 1

    def _scatter_add(self, array, alpha=1):
        """array += alpha * self, in place, for a NumPy array of the same shape (no broadcasting,
        as in PyTorch); returns `array`."""
        if array.shape != self._data.shape:
            raise RuntimeError(f"add: expected 'self' and 'other' to have same size, but self has size "
                               f"{list(array.shape)} while other has size {list(self._data.shape)} (FYI: "
                               f"dense-sparse addition does not currently support broadcasting)")
        # PyTorch coalesces first (repeats summed among themselves, then added) and scales the
        # values in the result's dtype: the same rounding
        coalesced = self.coalesce()
        values = coalesced._sparse_values.astype(array.dtype, copy=False)
        array[tuple(coalesced._sparse_indices)] += values if alpha == 1 else values * alpha
        return array

    def __radd__(self, other):  # dense + sparse is dense (Python asks the subclass first)
        if isinstance(other, Tensor):
            return other.add(self)
        return self.add(other)

    def __rsub__(self, other):
        if isinstance(other, Tensor):
            return other.sub(self)
        raise _not_on_backend('rsub')

    __add__ = add
    __sub__ = sub
    __mul__ = __rmul__ = mul
    __truediv__ = div
    __neg__ = neg
    __iadd__ = add_
    __isub__ = sub_
    __imul__ = mul_
    __itruediv__ = div_


def add_into_dense(dense, op, other, alpha=1):
    """`dense.add_(sparse, alpha)` / `dense.sub_(...)` outside autograd (what SGD does with a sparse
    gradient); other in-place ops with a sparse operand are not in PyTorch's sparse backend either."""
    if op.__name__ not in ('add', 'sub'):
        raise _not_on_backend(op.__name__ + '_')
    other._scatter_add(dense._data, alpha if op.__name__ == 'add' else -alpha)
    dense._version_counter[0] += 1
    return dense


def dense_plus_sparse(dense, other, alpha=1):
    """The array of `dense + alpha * other` for a sparse `other` of the same shape: PyTorch's
    add(dense, sparse), whose result is dense, in the promoted dtype (the `add` / `sub` ops call
    this when NumPy meets a sparse operand)."""
    from ._ops._util import as_tensor_arg
    dense = as_tensor_arg(dense, other)
    target = dtypes.result_numpy_dtype(dense, other)
    if isinstance(alpha, bool) and target != np.bool_:
        raise RuntimeError("Boolean alpha only supported for Boolean results.")
    if isinstance(alpha, float) and target.kind in 'iub':
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating point number.")
    return other._scatter_add(dense._data.astype(target), alpha)


def _scalar_operand(other, op_name):
    if isinstance(other, Tensor):
        if other.is_sparse or other._data.ndim != 0:
            raise _not_on_backend(op_name)
        return other._data
    return other


def _values_result(t, ufunc, factor):
    """ufunc(values, factor) in the dtype PyTorch's promotion gives the tensor op."""
    values = t._sparse_values
    target = dtypes.result_numpy_dtype(values, Tensor._wrap(factor) if isinstance(factor, np.ndarray) else factor)
    return ufunc(values.astype(target, copy=False), factor).astype(target, copy=False)


def _flat_coordinates(indices, size):
    """One int64 key per entry: its coordinate raveled over the sparse dims (row-major)."""
    if indices.shape[0] == 1:
        return indices[0]
    return np.ravel_multi_index(tuple(indices), size[:indices.shape[0]])


def _coalesced(indices, values, size):
    """Sorted unique coordinates and the summed values of each (PyTorch's coalesce)."""
    keys = _flat_coordinates(indices, size)
    unique_keys, first, owner = np.unique(keys, return_index=True, return_inverse=True)
    summed = np.zeros((unique_keys.size,) + values.shape[1:], dtype=values.dtype)
    np.add.at(summed, owner, values)
    return indices[:, first], summed


def _sparse_sum(a, b, alpha):
    """a + alpha * b, both sparse, keeping PyTorch's layout of the result:
    - the same coordinates in the same order (two lookups of one index tensor): values add up;
    - both coalesced: the coalesced union;
    - otherwise the entries of `a`, then those of `b` (uncoalesced).
    The last case is where PyTorch's merge walk can fold a few equal neighbours together, so its
    `_nnz()` may be smaller than ember's; the tensor's value (to_dense, coalesce) is the same."""
    if a._data.shape != b._data.shape:
        raise RuntimeError(f"add: expected sizes of 'self' and 'other' to match, but {list(a._data.shape)} != "
                           f"{list(b._data.shape)}")
    target = np.result_type(a._data.dtype, b._data.dtype)
    b_values = b._sparse_values if alpha == 1 else b._sparse_values * alpha
    size = a._data.shape
    if b._nnz() == 0:
        return SparseCooTensor._make(a._sparse_indices.copy(), a._sparse_values.astype(target), size, a._coalesced)
    if a._nnz() == 0:
        return SparseCooTensor._make(b._sparse_indices.copy(), b_values.astype(target), size, b._coalesced)
    if a._sparse_indices.shape == b._sparse_indices.shape and np.array_equal(a._sparse_indices, b._sparse_indices):
        return SparseCooTensor._make(a._sparse_indices.copy(), (a._sparse_values + b_values).astype(target),
                                     size, a._coalesced and b._coalesced)
    indices = np.concatenate([a._sparse_indices, b._sparse_indices], axis=1)
    values = np.concatenate([a._sparse_values.astype(target), b_values.astype(target)])
    if a._coalesced and b._coalesced:
        return SparseCooTensor._make(*_coalesced(indices, values, size), size, coalesced=True)
    return SparseCooTensor._make(indices, values, size, coalesced=False)


# ---- construction ----------------------------------------------------------------------------------
def sparse_coo_tensor(indices, values, size=None, *, dtype=None, device=None, pin_memory=False, requires_grad=False,
                      check_invariants=None, is_coalesced=None):
    """A sparse COO tensor with entries `values[k]` at coordinates `indices[:, k]` (not coalesced
    unless `is_coalesced=True`). Without `size`, each sparse dim is one past its largest index."""
    from ._ops._util import to_array
    index_array = np.array(to_array(indices), dtype=np.int64)
    value_array = np.array(to_array(values), copy=True)
    if dtype is not None:
        value_array = value_array.astype(dtype.numpy_type)
    elif value_array.dtype == np.float64 and not isinstance(values, Tensor):
        value_array = value_array.astype(dtypes.get_default_dtype().numpy_type)
    if index_array.ndim != 2:
        raise RuntimeError(f"indices must be sparse_dim x nnz, but got: {list(index_array.shape)}")
    if value_array.ndim == 0 or value_array.shape[0] != index_array.shape[1]:
        raise RuntimeError(f"indices and values must have same nnz, but got nnz from indices: {index_array.shape[1]}"
                           f", nnz from values: {value_array.shape[0] if value_array.ndim else 0}")
    if size is None:
        extent = index_array.max(axis=1) + 1 if index_array.shape[1] else np.zeros(index_array.shape[0], np.int64)
        size = tuple(int(n) for n in extent) + value_array.shape[1:]
    else:
        size = tuple(int(n) for n in size)
        if index_array.shape[1] and (index_array.max(axis=1) >= np.array(size[:index_array.shape[0]])).any():
            raise RuntimeError(f"size is inconsistent with indices: for dim 0, size is {size[0]} but found index "
                               f"{int(index_array[0].max())}")
    t = SparseCooTensor._make(index_array, value_array, size, coalesced=bool(is_coalesced))
    if requires_grad:
        t._requires_grad = True
    return t


def _rebuild_sparse(indices, values, size, coalesced, requires_grad):
    t = SparseCooTensor._make(indices, values, size, coalesced)
    t._requires_grad = requires_grad
    return t


# ---- the sparse API on dense (strided) tensors -------------------------------------------------------
def to_sparse(self, sparse_dim=None, *, layout=None, blocksize=None, dense_dim=None):
    """The COO form of a dense tensor: one entry per nonzero (per nonzero slice past `sparse_dim`)."""
    if self.is_sparse:
        return self
    data = self._data
    sparse_dim = data.ndim if sparse_dim is None else sparse_dim
    nonzero_slices = data.reshape(data.shape[:sparse_dim] + (-1,)).any(axis=-1) if sparse_dim < data.ndim \
        else data != 0
    indices = np.array(np.nonzero(nonzero_slices), dtype=np.int64).reshape(sparse_dim, -1)
    values = data[tuple(indices)].copy()
    return SparseCooTensor._make(indices, values, data.shape, coalesced=True)


def to_dense(self, dtype=None, *, masked_grad=None):
    """A dense tensor is its own dense form."""
    return self if dtype is None else self.to(dtype)


def sparse_dim(self):
    return 0


def sparse_mask(self, mask):
    """The entries of this dense tensor at the coordinates of the sparse tensor `mask` (whose values
    are ignored), as a sparse tensor with `mask`'s indices, repeats and order kept."""
    if not mask.is_sparse:
        raise _not_on_backend('sparse_mask', 'CPU')
    if self._data.shape != mask._data.shape:
        raise RuntimeError(f"sparse_mask(): operands have incompatible sizes; self has size {list(self._data.shape)} "
                           f"but mask has size {list(mask._data.shape)}")
    return SparseCooTensor._make(mask._sparse_indices, self._data[tuple(mask._sparse_indices)], self._data.shape,
                                 mask._coalesced)


def dense_dim(self):
    return self._data.ndim


def _layout_error(op_name, expected='sparse coordinate tensor'):
    def method(self):
        raise RuntimeError(f"{op_name} expected {expected} layout but got Strided")
    method.__name__ = op_name
    return method


def _backend_error(op_name):
    def method(self):
        raise _not_on_backend(op_name, 'CPU')
    method.__name__ = op_name
    return method


is_coalesced = _layout_error('is_coalesced')
coalesce = _layout_error('coalesce')
indices = _layout_error('indices')
values = _layout_error('values', 'sparse tensor')
_indices = _backend_error('_indices')
_values = _backend_error('_values')
_nnz = _backend_error('_nnz')


# ---- printing --------------------------------------------------------------------------------------
def _sparse_repr(t):
    """PyTorch's form: indices and values as tensors, then size, nnz, dtype, layout, each suffix
    after the first one on a new line."""
    from ._tensor_str import _tensor_str, _add_suffixes
    prefix = 'tensor('
    indent = len(prefix)

    def part(name, data):
        inner = indent + len(name) + len('=tensor(')
        text = _tensor_str(data, inner) if data.size else '[]'
        if data.size == 0:
            text += f', size={tuple(data.shape)}'
        return f'{name}=tensor({text})'

    text = prefix + part('indices', t._sparse_indices) + ',\n' + ' ' * indent + part('values', t._sparse_values)
    suffixes = [f'size={tuple(t._data.shape)}', f'nnz={t._nnz()}']
    dtype = t.dtype
    if dtype not in (dtypes.get_default_dtype(), dtypes.int64, dtypes.bool):
        suffixes.append(f'dtype={dtype}')
    suffixes.append(f'layout={sparse_coo}')
    if t.grad_fn is not None:
        suffixes.append(f'grad_fn=<{type(t.grad_fn).__name__}>')
    elif t._requires_grad:
        suffixes.append('requires_grad=True')
    # PyTorch puts the first suffix on its own line, then wraps the rest as usual
    return _add_suffixes(text + ',\n' + ' ' * indent + suffixes[0], suffixes[1:], indent)


def _sparse_grad(indices, values, size):
    """The uncoalesced COO gradient an op's backward returns (e.g. embedding with sparse=True)."""
    return SparseCooTensor._make(indices, values, size, coalesced=False)

