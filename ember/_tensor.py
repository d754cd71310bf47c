"""ember.Tensor: a NumPy array plus the autograd bookkeeping PyTorch keeps for a tensor.

- `_data` is the NumPy array. Views (slicing, `view`, `transpose`, ...) are NumPy views of the same
  memory, exactly as PyTorch's views share storage.
- `_version_counter` is a one-element list shared by a tensor and all its views; every in-place op
  bumps it, and backward compares it with the version each saved tensor had (PyTorch's version
  counter, whose value `_version` reads).
- `_grad` holds what `.grad` shows; assigning `.grad` checks the value as PyTorch does, the engine
  writes `_grad` directly.
- `grad_fn`/`_output_nr` place a non-leaf tensor in the graph; a leaf that requires grad sends its
  gradient to an `AccumulateGrad` node, created on first use.
- `_base`/`_view_src` (views only) remember how a view was made from its base, so an in-place op on a view can
  rewrite the base's history (PyTorch's CopySlices).

Almost every method delegates to a function in `ember._ops`; the list of those methods is at the
end of this file.
"""
import functools
import warnings
import weakref
from collections import OrderedDict

import numpy as np

from . import _dtype as dtypes
from . import _warnings
from . import storage as _storage
from ._size import Size
from .autograd.grad_mode import GradMode, InferenceVersionCounter
from .autograd.graph import AccumulateGrad, RemovableHandle
from .autograd import backward as _autograd_backward

__all__ = ['Tensor']

_object_new = object.__new__

_NON_LEAF_GRAD_WARNING = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad attribute won't be "
    "populated during autograd.backward(). If you indeed want the .grad field to be populated for a non-leaf "
    "Tensor, use .retain_grad() on the non-leaf Tensor. If you access the non-leaf Tensor by mistake, make sure "
    "you access the leaf Tensor instead. See github.com/pytorch/pytorch/pull/30531 for more information.")


def _refuse_inplace_on_inference():
    raise RuntimeError("Inplace update to inference tensor outside InferenceMode is not allowed.You can make a "
                       "clone to get a normal tensor before doing inplace update.See "
                       "https://github.com/pytorch/rfcs/pull/17 for more details.")


class _TensorExtra:
    """Rarely used per-tensor state, kept out of the hot path."""
    __slots__ = ('grad_accumulator', 'hooks', 'retains_grad', 'strong_accumulator', 'post_accumulate_grad_hooks')

    def __init__(self):
        self.grad_accumulator = None   # weakref to the leaf's AccumulateGrad
        self.strong_accumulator = None  # kept alive while the leaf has hooks
        self.hooks = None
        self.retains_grad = False
        self.post_accumulate_grad_hooks = None  # run by the engine once `.grad` of this leaf is updated


class Tensor:
    # `type(x)` prints <class 'ember.Tensor'>, the public name, as PyTorch's prints <class 'torch.Tensor'>
    __module__ = 'ember'
    # `_view_src` is only set on views: (parent tensor, view function, args, version of its grad_fn)
    __slots__ = ('_data', '_requires_grad', '_grad', 'grad_fn', '_output_nr', '_version_counter', '_base',
                 '_view_src', '_extra', '__dict__', '__weakref__')
    # make NumPy hand `ndarray * tensor` back to Tensor.__rmul__ instead of looping over elements
    __array_priority__ = 1000
    __array_ufunc__ = None

    # ---- construction ------------------------------------------------------------------------
    def __new__(cls, *args, **kwargs):
        """The legacy constructor: `Tensor(2, 3)` is uninitialised float, `Tensor([1, 2])` copies."""
        from ._creation import _legacy_new
        return _legacy_new(cls, dtypes._default[0].numpy_type, args, kwargs)

    def __init__(self, *args, **kwargs):
        pass

    @staticmethod
    def _wrap(data, grad_fn=None):
        """Make a tensor around a NumPy array without copying (the fast internal constructor)."""
        t = _object_new(Tensor)
        t._data = data
        t._grad = None
        t._output_nr = 0
        t._version_counter = InferenceVersionCounter((0,)) if GradMode.inference else [0]
        t._base = None
        t._extra = None
        t.grad_fn = grad_fn
        t._requires_grad = grad_fn is not None
        return t

    def _make_subclass_like(self, cls):
        t = _object_new(cls)
        t._data = self._data
        t._grad = None
        t._output_nr = 0
        t._version_counter = self._version_counter
        t._base = None
        t._extra = None
        t.grad_fn = None
        t._requires_grad = False
        return t

    # ---- metadata ----------------------------------------------------------------------------
    @property
    def dtype(self):
        return dtypes._BY_NUMPY[self._data.dtype]

    @property
    def shape(self):
        return Size(self._data.shape)

    def size(self, dim=None):
        """The shape, or the length of dimension `dim`."""
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[_wrap_dim(dim, self._data.ndim)]

    def dim(self):
        return self._data.ndim

    ndimension = dim

    @property
    def ndim(self):
        return self._data.ndim

    def numel(self):
        return self._data.size

    nelement = numel

    def element_size(self):
        return self._data.itemsize

    @property
    def itemsize(self):
        return self._data.itemsize

    @property
    def nbytes(self):
        return self._data.nbytes

    @property
    def device(self):
        from .cuda import device, is_meta_array
        return device('meta') if is_meta_array(self._data) else device('cpu')

    @property
    def is_meta(self):
        """Whether this tensor is on the `meta` device: a shape and a dtype, no values."""
        from .cuda import is_meta_array
        return is_meta_array(self._data)

    @property
    def is_cpu(self):
        return not self.is_meta

    is_cuda = False
    is_sparse = False
    is_quantized = False
    is_mps = False

    def is_pinned(self):
        return False  # pinned (page-locked) memory only exists for copies to a GPU

    def pin_memory(self, device=None):
        raise RuntimeError("Cannot access accelerator device when none is available.")

    def is_shared(self):
        return _storage.is_shared(self._data)

    def share_memory_(self):
        """Mark the memory as shared between processes (see `ember.storage.share_memory`)."""
        _storage.share_memory(self._data)
        return self

    @property
    def layout(self):
        from ._creation import strided
        return strided

    def get_device(self):
        return -1

    def is_floating_point(self):
        return self._data.dtype.kind == 'f'

    def is_complex(self):
        return self._data.dtype.kind == 'c'

    def is_signed(self):
        return self._data.dtype.kind in 'fic'

    def stride(self, dim=None):
        """Strides in elements, as PyTorch reports them."""
        itemsize = self._data.itemsize
        strides = tuple(s // itemsize for s in self._data.strides)
        return strides if dim is None else strides[_wrap_dim(dim, self._data.ndim)]

    def storage_offset(self):
        base = self._base
        if base is None:  # (the detached copy of a view remembers where the view started)
            return self.__dict__.get('_detached_offset', 0)
        return (self.data_ptr() - base.data_ptr()) // self._data.itemsize + base.storage_offset()

    def data_ptr(self):
        """Address of the first element: equal for a tensor and a view that starts where it starts."""
        return self._data.__array_interface__['data'][0]

    def is_contiguous(self, memory_format=None):
        """Whether the memory is row-major, or laid out as `memory_format` (e.g. `channels_last`) orders it."""
        if memory_format is None:
            return self._data.flags.c_contiguous
        conversion = _ops.conversion
        conversion.check_memory_format(memory_format, 'is_contiguous')
        return conversion.is_laid_out(self._data, memory_format)

    def is_set_to(self, other):
        return self.data_ptr() == other.data_ptr() and self._data.shape == other._data.shape \
            and self._data.strides == other._data.strides

    def is_same_size(self, other):
        return self._data.shape == other._data.shape

    def is_inference(self):
        """Whether this tensor was made in inference mode (or is a view of one that was)."""
        return self._version_counter.__class__ is InferenceVersionCounter

    # ---- storage: the memory this tensor is a view of (see ember/storage.py) ----------------------
    def untyped_storage(self):
        """The memory as bytes; a tensor's views have the same."""
        return _storage.UntypedStorage._from_array(_storage.bytes_of(self._data))

    def storage(self):
        """The memory read as this tensor's dtype (deprecated in PyTorch for `untyped_storage`)."""
        _storage._warn_typed_storage_removal()
        return _storage.TypedStorage._wrap(self.untyped_storage(), self.dtype)

    def storage_type(self):
        return _storage.storage_type(self.dtype)

    def set_(self, source=None, storage_offset=0, size=None, stride=None):
        """Make this tensor look at the memory of `source` (a tensor or a storage, with the given offset,
        sizes and strides), or at none (`set_()`)."""
        if GradMode.enabled:
            self._check_inplace_allowed()
        if source is None:
            data = np.empty(0, dtype=self._data.dtype)
        elif isinstance(source, Tensor):
            if source._data.dtype != self._data.dtype:
                raise RuntimeError(f"Could not set tensor of type {dtypes.cpp_type_name(source._data.dtype)} to a "
                                   f"tensor of type {dtypes.cpp_type_name(self._data.dtype)}")
            data = source._data
        else:
            if isinstance(source, _storage.TypedStorage) and source.dtype is not self.dtype:
                raise RuntimeError(f"Expected a Storage of type {self.dtype} or an UntypedStorage, but got "
                                   f"{source.dtype}")
            data = _storage.array_from_storage(source, self.dtype, storage_offset, size, stride)
        self._data = data
        self._version_counter[0] += 1
        return self

    def resize_(self, *sizes, memory_format=None):
        """Give the tensor a new row-major shape over its memory (from its first element), growing the memory
        if needed; the new elements are uninitialised. PyTorch grows the storage itself, which its other views
        then see; ember's grown memory is new, which they don't."""
        if self._requires_grad:
            raise RuntimeError("cannot resize variables that require grad")
        shape = _ops._util.sizes_from_args(sizes, 'resize_')
        if any(s < 0 for s in shape):
            raise RuntimeError(f"Trying to create tensor with negative dimension {min(shape)}: {list(shape)}")
        itemsize = self._data.itemsize
        memory = _storage.bytes_of(self._data)
        start = self.data_ptr() - memory.__array_interface__['data'][0]
        numel = int(np.prod(shape))
        if start + numel * itemsize <= memory.size:
            self._data = memory[start:start + numel * itemsize].view(self._data.dtype).reshape(shape)
        else:
            grown = np.empty(numel, dtype=self._data.dtype)
            kept = memory[start:start + (memory.size - start) // itemsize * itemsize].view(self._data.dtype)
            grown[:kept.size] = kept
            self._data = grown.reshape(shape)
        return self

    def resize_as_(self, the_template, memory_format=None):
        return self.resize_(the_template._data.shape)

    def resize(self, *sizes):
        """Deprecated: the tensor in a new shape of as many elements (a differentiable reshape)."""
        warnings.warn("non-inplace resize is deprecated", UserWarning, stacklevel=2)
        return self._resized(_ops._util.sizes_from_args(sizes))

    def resize_as(self, tensor):
        warnings.warn("non-inplace resize_as is deprecated", UserWarning, stacklevel=2)
        return self._resized(tensor._data.shape)

    def _resized(self, shape):
        numel = int(np.prod(shape))
        if numel != self._data.size:
            raise RuntimeError(f"requested resize to {'x'.join(map(str, shape))} ({numel} elements in total), but the "
                               f"given tensor has a size of {'x'.join(map(str, self._data.shape))} ({self._data.size} "
                               "elements). autograd's resize can only change the shape of a given tensor, while "
                               "preserving the number of elements. ")
        return _ops.reshape(self, shape)  # (a view when the memory allows one, as PyTorch's Resize)

    # ---- Python callables applied element by element (CPU only in PyTorch, and slow there too) -------
    def apply_(self, callable):
        """Replace every element `v` by `callable(v)`."""
        return self._map_elements('apply_', callable)

    def map_(self, tensor, callable):
        """Replace every element `v` by `callable(v, w)`, `w` the matching element of `tensor` (broadcast)."""
        return self._map_elements('map_', callable, ('other', tensor))  # (PyTorch's message calls it 'other')

    def map2_(self, x, y, callable):
        """Replace every element `v` by `callable(v, a, b)`, `a` and `b` the matching elements of `x` and `y`."""
        return self._map_elements('map2_', callable, ('x', x), ('y', y))

    def _map_elements(self, name, callable, *others):
        if self._requires_grad:
            raise RuntimeError(f"Can't call {name}() on Variable that requires grad. Use var.detach().{name}() "
                               "instead.")
        arrays = []
        for argument, other in others:
            if other._data.dtype != self._data.dtype:
                message = f"for argument '{argument}'" if name == 'map2_' else f"for '{argument}'"
                raise TypeError(f"{name}: expected {self.type()} {message} (got {other.type()})")
            arrays.append(_ops.expand(other, self._data.shape)._data)
        # frompyfunc hands each element to `callable` as a Python number, as PyTorch does
        self._data[...] = np.frompyfunc(callable, 1 + len(arrays), 1)(self._data, *arrays)
        self._version_counter[0] += 1
        return self

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    # ---- autograd state ----------------------------------------------------------------------
    @property
    def requires_grad(self):
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value):
        self._set_requires_grad(value, "only Tensors of floating point and complex dtype can require gradients")

    def requires_grad_(self, requires_grad=True):
        """Start (or stop) recording operations on this leaf tensor."""
        return self._set_requires_grad(requires_grad, "only Tensors of floating point dtype can require gradients")

    def _set_requires_grad(self, requires_grad, integer_refusal):
        """`requires_grad_`; `integer_refusal` is the message for a tensor that cannot have gradients, which
        PyTorch words differently for `requires_grad_()`, `.requires_grad =` and factories' `requires_grad=True`."""
        if self.grad_fn is not None:
            if requires_grad:
                return self
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use a "
                "computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach().")
        if requires_grad and self._data.dtype.kind not in 'fc':
            raise RuntimeError(integer_refusal)
        if requires_grad and not GradMode.inference and self.is_inference():
            raise RuntimeError("Setting requires_grad=True on inference tensor outside InferenceMode is not allowed.")
        self._requires_grad = bool(requires_grad)
        return self

    @property
    def is_leaf(self):
        return self.grad_fn is None

    @property
    def output_nr(self):
        return self._output_nr

    @property
    def _version(self):
        """How many times this tensor's memory was changed in place (counted with its views)."""
        if self.is_inference():
            raise RuntimeError("Inference tensors do not track version counter.")
        return self._version_counter[0]

    @property
    def grad(self):
        """The gradient backward accumulated into this tensor (None until then)."""
        grad = self._grad
        # backward never fills `.grad` of a non-leaf: PyTorch warns, as reading it is usually a mistake
        if grad is None and self.grad_fn is not None and not self.retains_grad:
            warnings.warn(_NON_LEAF_GRAD_WARNING, UserWarning, stacklevel=2)
        return grad

    @grad.setter
    def grad(self, grad):
        if grad is not None:
            self._check_assigned_grad(grad)
        self._grad = grad

    @grad.deleter
    def grad(self):
        self._grad = None

    def _check_assigned_grad(self, grad):
        """PyTorch's checks on `x.grad = grad`: a tensor of x's dtype and size (dtype first)."""
        if not isinstance(grad, Tensor):
            raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of type "
                            f"{type(grad).__name__}")
        if grad is self:
            raise RuntimeError("can't assign Variable as its own grad")
        if grad._data.dtype != self._data.dtype:
            raise RuntimeError(
                f"attempting to assign a gradient with dtype '{dtypes.cpp_type_name(grad._data.dtype)}' to a tensor "
                f"with grad_dtype '{_scalar_type_name(self._data.dtype)}'. The gradient must match the tensor's "
                "grad_dtype (defaults to the tensor's dtype). You can set the tensor's grad_dtype attribute with a "
                "specific dtype, or None to allow any dtype. Set grad_dtype with caution. Diverging the dtypes of a "
                "tensor and its gradient may break downstream systems that assume they match.")
        if grad.shape != self.shape:
            raise RuntimeError(f"attempting to assign a gradient of size '{list(grad.shape)}' to a tensor of size "
                               f"'{list(self.shape)}'. Please ensure that the gradient and the tensor are the same "
                               "size")

    def _get_extra(self):
        extra = self._extra
        if extra is None:
            extra = self._extra = _TensorExtra()
        return extra

    def _grad_accumulator(self):
        """The AccumulateGrad node of this leaf (one per leaf while anything refers to it)."""
        extra = self._extra
        if extra is None:
            extra = self._extra = _TensorExtra()
        ref = extra.grad_accumulator
        node = ref() if ref is not None else None
        if node is None:
            node = AccumulateGrad(self)
            extra.grad_accumulator = weakref.ref(node)
            if extra.hooks:
                extra.strong_accumulator = node
                node._hook_state().tensor_pre_hooks[0] = extra.hooks
        return node

    @property
    def retains_grad(self):
        return self._extra is not None and self._extra.retains_grad

    def retain_grad(self):
        """Keep `.grad` for this non-leaf tensor after backward."""
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is None or self.retains_grad:
            return
        self._get_extra().retains_grad = True
        ref = weakref.ref(self)

        def retain(grad):
            tensor = ref()
            if tensor is None:
                return
            if tensor._grad is None:
                tensor._grad = grad.detach().clone() if not GradMode.enabled else grad.clone()
            else:
                tensor._grad = tensor._grad + grad
        self.grad_fn._hook_state().retains_grad_hooks[self._output_nr] = retain

    def register_post_accumulate_grad_hook(self, hook):
        """`hook(tensor)` runs after backward has accumulated this leaf's `.grad` (an optimizer step can go here)."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
        extra = self._get_extra()
        if extra.post_accumulate_grad_hooks is None:
            extra.post_accumulate_grad_hooks = OrderedDict()
        handle = RemovableHandle(extra.post_accumulate_grad_hooks)
        extra.post_accumulate_grad_hooks[handle.id] = hook
        return handle

    def register_hook(self, hook):
        """`hook(grad)` runs when this tensor's gradient is computed; it may return a new gradient."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            # OrderedDict, not dict: the handle holds a weak reference to it
            hooks = self.grad_fn._hook_state().tensor_pre_hooks.setdefault(self._output_nr, OrderedDict())
        else:
            extra = self._get_extra()
            if extra.hooks is None:
                extra.hooks = OrderedDict()
            hooks = extra.hooks
            node = self._grad_accumulator()
            extra.strong_accumulator = node
            node._hook_state().tensor_pre_hooks[0] = hooks
        handle = RemovableHandle(hooks)
        hooks[handle.id] = hook
        return handle

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Compute the gradient of this tensor w.r.t. the graph leaves (see `ember.autograd.backward`)."""
        _autograd_backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def detach(self):
        """A tensor that shares memory and version counter but is cut from the graph."""
        t = Tensor._wrap(self._data)
        t._version_counter = self._version_counter
        if self._base is not None:  # same storage as the view, so the same offset in it (PyTorch's)
            t._detached_offset = self.storage_offset()
        return t

    def detach_(self):
        if self._base is not None and self.grad_fn is not None:
            raise RuntimeError("Can't detach views in-place. Use detach() instead.")
        self.grad_fn = None
        self._requires_grad = False
        return self

    def _detached_copy(self):
        return Tensor._wrap(np.array(self._data, copy=True))

    @property
    def data(self):
        """The same memory without autograd history (and, as in PyTorch, its own version counter)."""
        t = Tensor._wrap(self._data)
        if self.is_inference():
            t._version_counter = InferenceVersionCounter((0,))
        if self._base is not None:
            t._detached_offset = self.storage_offset()
        return t

    @data.setter
    def data(self, value):
        self._data = value._data
        self.__dict__.pop('_detached_offset', None)

    # ---- conversion ----------------------------------------------------------------------------
    def numpy(self, *, force=False):
        """A NumPy array sharing the tensor's memory; a new array object each call, as in PyTorch."""
        if self._requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")
        if self.is_meta:
            raise TypeError("can't convert meta device type tensor to numpy. Use Tensor.cpu() to copy the tensor to "
                            "host memory first.")
        return self._data.view()

    def __array__(self, dtype=None, copy=None):
        return self._data if dtype is None else self._data.astype(dtype)

    def item(self):
        """The value of a one-element tensor as a Python number."""
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted to Scalar")
        return self._data.item() if self._data.ndim == 0 else self._data.reshape(()).item()

    def tolist(self):
        return self._data.tolist()

    def _python_scalar(self):
        # float(t), int(t), complex(t) and '%f' % t raise ValueError in PyTorch, where item() raises RuntimeError
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return self.item()

    def _warn_scalar_of_graph(self):
        # PyTorch warns (once) in float() and complex(), not in int() or item(), and not under no_grad
        # (where LBFGS reads its closure's loss)
        if self._requires_grad and GradMode.enabled:
            _warnings.warn_once("Converting a tensor with requires_grad=True to a scalar may lead to unexpected "
                                "behavior.\nConsider using tensor.detach() first.")

    def __float__(self):
        self._warn_scalar_of_graph()
        return float(self._python_scalar())

    def __int__(self):
        return int(self._python_scalar())

    def is_nonzero(self):
        size = self._data.size
        if size != 1:
            raise RuntimeError(f"Boolean value of Tensor with {'no values' if size == 0 else 'more than one value'} "
                               "is ambiguous")
        return bool(self._data.reshape(()))

    __bool__ = is_nonzero

    def __index__(self):
        # any one-element integer tensor, whatever its number of dimensions: [1, 2][tensor([1])] is 2
        if self._data.size != 1 or self._data.dtype.kind not in 'iub':
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __complex__(self):
        self._warn_scalar_of_graph()
        return complex(self._python_scalar())

    def __format__(self, format_spec):
        # PyTorch formats only plain 0-d tensors as numbers; a Parameter prints as itself
        if self._data.ndim == 0 and type(self) is Tensor:
            return self.item().__format__(format_spec)
        return object.__format__(self, format_spec)

    def __hash__(self):
        return id(self)

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __reversed__(self):
        return self.flip(0)

    def __contains__(self, element):
        return bool((self == element).any())

    def __repr__(self, *, tensor_contents=None):
        from ._tensor_str import tensor_repr
        if self.is_meta:
            return self._meta_repr()
        return tensor_repr(self)

    def _meta_repr(self):
        # PyTorch prints no values for a meta tensor: `...`, then the device, size and a non-default dtype
        from ._tensor_str import _add_suffixes
        suffixes = ["device='meta'", f"size={tuple(self._data.shape)}"]
        if self.dtype is not dtypes.get_default_dtype():
            suffixes.append(f'dtype={self.dtype}')
        if self.grad_fn is not None:
            suffixes.append(f'grad_fn=<{type(self.grad_fn).__name__}>')
        elif self._requires_grad:
            suffixes.append('requires_grad=True')
        return _add_suffixes('tensor(...', suffixes, len('tensor('))

    def __deepcopy__(self, memo):
        if not self.is_leaf:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) support the "
                               "deepcopy protocol at the moment.")
        if id(self) in memo:
            return memo[id(self)]
        new = self._make_subclass_like(type(self))
        new._data = self._data.copy()
        new._version_counter = [0]
        new._requires_grad = self._requires_grad
        if self._grad is not None:
            new._grad = self._grad.__deepcopy__(memo)
        new.__dict__.update({k: __import__('copy').deepcopy(v, memo) for k, v in self.__dict__.items()})
        memo[id(self)] = new
        return new

    def __reduce_ex__(self, protocol):
        # plain pickling (multiprocessing, copy): the array and the leaf's requires_grad
        return (_rebuild_tensor_from_numpy, (self._data, self._requires_grad))

    def __setstate__(self, state):
        pass

    # ---- new tensors with this tensor's dtype ---------------------------------------------------
    # (`_creation` is imported below, once Tensor exists)
    def new_tensor(self, data, *, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
        """A copy of `data` as a new leaf, with this tensor's dtype unless `dtype` is given."""
        if isinstance(data, Tensor):
            warnings.warn("To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() "
                          "or sourceTensor.detach().clone().requires_grad_(True), rather than "
                          "tensor.new_tensor(sourceTensor).", UserWarning, stacklevel=2)
        return _creation.tensor(data, dtype=dtype or self.dtype, device=device, requires_grad=requires_grad)

    def new_zeros(self, *sizes, size=None, dtype=None, device=None, requires_grad=False, layout=None,
                  pin_memory=False):
        """Zeros of the given shape, with this tensor's dtype unless `dtype` is given."""
        return _creation.zeros(*sizes, size=size, dtype=dtype or self.dtype, device=device,
                               requires_grad=requires_grad)

    def new_ones(self, *sizes, size=None, dtype=None, device=None, requires_grad=False, layout=None,
                 pin_memory=False):
        """Ones of the given shape, with this tensor's dtype unless `dtype` is given."""
        return _creation.ones(*sizes, size=size, dtype=dtype or self.dtype, device=device,
                              requires_grad=requires_grad)

    def new_empty(self, *sizes, size=None, dtype=None, device=None, requires_grad=False, layout=None,
                  pin_memory=False):
        """An uninitialised tensor of the given shape, with this tensor's dtype unless `dtype` is given."""
        return _creation.empty(*sizes, size=size, dtype=dtype or self.dtype, device=device,
                               requires_grad=requires_grad)

    def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False, layout=None,
                 pin_memory=False):
        """`fill_value` in the given shape, with this tensor's dtype unless `dtype` is given."""
        return _creation.full(size, fill_value, dtype=dtype or self.dtype, device=device,
                              requires_grad=requires_grad)

    def new_empty_strided(self, size, stride, *, dtype=None, device=None, requires_grad=False, layout=None,
                          pin_memory=False):
        """An uninitialised tensor of the given sizes and strides, with this tensor's dtype unless `dtype` is given."""
        return _creation.empty_strided(size, stride, dtype=dtype or self.dtype, device=device,
                                       requires_grad=requires_grad, pin_memory=pin_memory)

    def new(self, *args, **kwargs):
        """The legacy constructor with this tensor's dtype: `x.new(2, 3)`, `x.new([1, 2])`, `x.new(storage)`."""
        return _creation._legacy_new(Tensor, self._data.dtype, args, kwargs, exact_dtype=True)

    # ---- in-place machinery ------------------------------------------------------------------
    def _inplace(self, op, *args, **kwargs):
        """Run `op(self, *args)` and write its result into self: the one path every in-place op
        takes when autograd may be involved.

        Autograd is kept exact the way PyTorch does it: the op is applied to a copy of the old
        value that sits where `self` sat in the graph, and `self` then takes the result's place.
        If `self` is a view, its base's history is rewritten (CopySlices) so that gradients
        flowing into the base see the modified region.
        """
        if self._version_counter.__class__ is InferenceVersionCounter and not GradMode.inference:
            _refuse_inplace_on_inference()
        recording = GradMode.enabled and (self._requires_grad or any(
            getattr(a, '_requires_grad', False) for a in args))
        if not recording:
            # optimizer updates (add_, mul_, addcmul_, ...): write straight into our memory
            kernel = _inplace_kernels.get(op)
            if kernel is not None and kernel(self._data, *args, **kwargs):
                self._version_counter[0] += 1
                return self
            if args and getattr(args[0], 'is_sparse', False):
                return _sparse.add_into_dense(self, op, *args, **kwargs)  # dense.add_(sparse_grad)
            with _no_grad():
                result = op(self, *args, **kwargs)
            self._write(result._data)
            return self
        self._check_inplace_allowed()
        if self._base is not None and self._version_counter[0] != self._view_src[3]:
            from .autograd.graph import _regenerate_view
            _regenerate_view(self)  # the base was changed in place since this view was made
        old = self._snapshot()
        result = op(old, *args, **kwargs)
        self._write(result._data)
        if self._base is None:
            self.grad_fn = result.grad_fn
            self._output_nr = result._output_nr
            self._requires_grad = result._requires_grad
        else:
            _rebase_view_history(self, result)
        return self

    def _check_inplace_allowed(self):
        if self.grad_fn is None and self._requires_grad:
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
        base = self._base
        if base is not None and base.grad_fn is None and base._requires_grad:
            raise RuntimeError("a view of a leaf Variable that requires grad is being used in an "
                               "in-place operation.")
        if base is not None and self.grad_fn is not None and self._view_src[1].__name__ == '_select_piece':
            name = type(self.grad_fn).__name__.replace('Backward0', '')
            raise RuntimeError(f"Output {self._output_nr} of {name} is a view and is being modified inplace. "
                               "This view is the output of a function that returns multiple views. Such functions "
                               "do not allow the output views to be modified inplace. You should replace the "
                               "inplace operation by an out-of-place one.")
        # a custom Function's backward stands for the view: rewriting it as CopySlices would bypass that backward
        custom_function = getattr(self.grad_fn, '_forward_cls', None)
        if base is not None and custom_function is not None:
            raise RuntimeError(f"Output {self._output_nr} of {custom_function.__name__} is a view and is being "
                               "modified inplace. This view was created inside a custom Function (or because an input was "
                               "returned as-is) and the autograd logic to handle view+inplace would override the "
                               "custom backward associated with the custom Function, leading to incorrect gradients. "
                               "This behavior is forbidden. You can fix this by cloning the output of the custom "
                               "Function.")

    def _snapshot(self):
        """A copy of the current value that stands where `self` stands in the graph."""
        old = Tensor._wrap(self._data.copy())
        old.grad_fn = self.grad_fn
        old._output_nr = self._output_nr
        old._requires_grad = self._requires_grad
        if self.grad_fn is None and self._requires_grad:
            old._extra = self._extra
        return old

    def _write(self, value):
        """Store `value` (a NumPy array) into this tensor's memory, with PyTorch's checks."""
        data = self._data
        if value.dtype != data.dtype and not _can_cast_inplace(value.dtype, data.dtype):
            raise RuntimeError(f"result type {_scalar_type_name(value.dtype)} can't be cast to the desired "
                               f"output type {_scalar_type_name(data.dtype)}")
        if value.shape != data.shape:
            try:
                shape = np.broadcast_shapes(value.shape, data.shape)
            except ValueError:
                shape = None
            if shape != data.shape:
                raise RuntimeError(f"output with shape {list(data.shape)} doesn't match the broadcast shape "
                                   f"{list(shape) if shape is not None else list(value.shape)}")
        if not data.flags.writeable:
            # (NumPy makes an expanded view read-only: its elements share memory)
            raise RuntimeError("unsupported operation: more than one element of the written-to tensor refers to a "
                               "single memory location. Please clone() the tensor before performing the operation.")
        if data.ndim == 0:
            data[()] = value
        else:
            data[...] = value
        self._version_counter[0] += 1

    # ---- python protocols ----------------------------------------------------------------------
    def __getitem__(self, index):
        return _ops.indexing.getitem(self, index)  # (`_ops` is imported below, once Tensor exists)

    def __setitem__(self, index, value):
        if self._version_counter.__class__ is InferenceVersionCounter and not GradMode.inference:
            _refuse_inplace_on_inference()
        _ops.indexing.setitem(self, index, value)

    def fill_diagonal_(self, fill_value, wrap=False):
        """Write `fill_value` where all indices are equal. With `wrap`, the diagonal of a matrix taller
        than it is wide starts again below the square, as it runs on through memory every width + 1
        elements (PyTorch's rule, also NumPy's fill_diagonal)."""
        shape = self._data.shape
        if len(shape) < 2:
            raise RuntimeError("dimensions must larger than 1")
        if len(shape) > 2 and len(set(shape)) != 1:
            raise RuntimeError("all dimensions of input must be of equal length")
        height, width = shape[:2]
        if wrap and len(shape) == 2 and height > width + 1:
            flat = np.arange(0, height * width, width + 1)
            key = (flat // width, flat % width)
        else:
            key = (np.arange(min(shape)),) * len(shape)
        self[tuple(Tensor._wrap(positions) for positions in key)] = fill_value
        return self


# ---------------------------------------------------------------------------------------------
def _wrap_dim(dim, ndim):
    """A dimension index in [0, ndim), accepting negatives, with PyTorch's IndexError."""
    n = ndim if ndim > 0 else 1
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})")
    return dim + n if dim < 0 else dim


def _can_cast_inplace(src, dst):
    from ._dtype import _category
    return _category(src) <= _category(dst)


def _scalar_type_name(np_dtype):
    return {'float32': 'Float', 'float64': 'Double', 'float16': 'Half', 'int64': 'Long', 'int32': 'Int',
            'int16': 'Short', 'int8': 'Char', 'uint8': 'Byte', 'uint16': 'UInt16', 'uint32': 'UInt32',
            'uint64': 'UInt64', 'bool': 'Bool', 'complex64': 'ComplexFloat',
            'complex128': 'ComplexDouble'}[np_dtype.name]


def _no_grad():
    from .autograd.grad_mode import no_grad
    return no_grad()


def _rebuild_tensor_from_numpy(data, requires_grad):
    t = Tensor._wrap(data)
    t._requires_grad = requires_grad
    return t


def _rebase_view_history(view, result):
    """After an in-place op on `view`, make its base's gradient route the view's region through the
    op (CopySlices), and give the view a fresh grad_fn that reads from the new base."""
    from ._ops.view import CopySlices, regenerate_view
    base = view._base
    node = CopySlices(base, result)
    node.view_of_base = view
    base.grad_fn = node
    base._output_nr = 0
    base._requires_grad = True
    regenerate_view(view)


# ---- NumPy's keyword spellings ----------------------------------------------------------------
# PyTorch's argument parser takes `axis=` for `dim=` and `keepdims=` for `keepdim=` in every op written in
# C++; these few are Python functions in PyTorch, which take only their own keywords.
_PYTHON_SIGNATURES = frozenset({'split', 'norm', 'unflatten', 'unique', 'unique_consecutive'})
_NUMPY_KEYWORDS = (('axis', 'dim'), ('keepdims', 'keepdim'))
_with_numpy_keywords = {}  # op -> its wrapper, so that `ember.sum` and `Tensor.sum` are one function


def accepting_numpy_keywords(op, signature_of=None):
    """`op`, also taking `axis=` for its `dim` and `keepdims=` for its `keepdim` (`x.sum(axis=0)`).

    Ops without those parameters are returned as they are; the others cost one call more, and
    translate only when a keyword is passed. `signature_of` is the function whose parameters count
    (for an in-place method that forwards `*args` to its op)."""
    wrapper = _with_numpy_keywords.get(op)
    if wrapper is not None:
        return wrapper
    code = getattr(signature_of or op, '__code__', None)
    if code is None or getattr(op, '__name__', None) in _PYTHON_SIGNATURES:
        return op
    parameters = code.co_varnames[:code.co_argcount + code.co_kwonlyargcount]
    aliases = tuple((numpy_name, name) for numpy_name, name in _NUMPY_KEYWORDS if name in parameters)
    if not aliases:
        return op

    @functools.wraps(op)
    def wrapper(*args, **kwargs):
        if kwargs:
            for numpy_name, name in aliases:
                if numpy_name in kwargs:
                    if name in kwargs:  # (PyTorch's message for `sum(dim=0, axis=0)`)
                        raise TypeError(f"{op.__name__}() got an unexpected keyword argument '{numpy_name}'")
                    kwargs[name] = kwargs.pop(numpy_name)
        return op(*args, **kwargs)
    _with_numpy_keywords[op] = wrapper
    return wrapper


Tensor.size = accepting_numpy_keywords(Tensor.size)
Tensor.stride = accepting_numpy_keywords(Tensor.stride)


# ---- methods: the ops, with the tensor as first argument ------------------------------------
from . import _ops  # noqa: E402  (the op modules need Tensor defined first)
from . import _creation  # noqa: E402  (likewise; the new_* methods use it)


def _make_inplace(op, name):
    def method(self, *args, **kwargs):
        return self._inplace(op, *args, **kwargs)
    method.__name__ = method.__qualname__ = name + '_'
    method.__doc__ = f"In-place version of `{name}`."
    return method


for _module in _ops.MODULES:
    for _name in _module.TENSOR_METHODS:
        setattr(Tensor, _name, accepting_numpy_keywords(getattr(_module, _name)))
    for _name in _module.INPLACE_METHODS:
        _op = getattr(_module, _name)
        setattr(Tensor, _name + '_', accepting_numpy_keywords(_make_inplace(_op, _name), signature_of=_op))


def _shape_inplace(view_op):
    """`t_`, `squeeze_`, ...: the tensor itself takes the new shape (and the op's graph node)."""
    def method(self, *args, **kwargs):
        new = view_op(self, *args, **kwargs)
        self._data = new._data
        self._version_counter[0] += 1  # PyTorch counts a metadata change in place as a modification
        if self._base is not None:  # (replaying a view doesn't know about t_ & co: keep its grad_fn)
            self._view_src = self._view_src[:3] + (self._version_counter[0],)
        if new.grad_fn is not None:
            self.grad_fn, self._output_nr = new.grad_fn, 0
        return self
    method.__name__ = view_op.__name__ + '_'
    return method


from . import _sparse  # noqa: E402  (sparse COO tensors subclass Tensor)
for _name in _sparse.TENSOR_METHODS:
    setattr(Tensor, _name, getattr(_sparse, _name))


for _name in ('squeeze', 'unsqueeze', 't', 'transpose', 'swapaxes', 'swapdims', 'as_strided'):
    setattr(Tensor, _name + "_", _shape_inplace(getattr(_ops, _name)))


def _reflected(op):
    def method(self, other):
        return op(other, self)
    return method


Tensor.__add__ = Tensor.__radd__ = _ops.add
Tensor.__sub__ = _ops.sub
Tensor.__rsub__ = lambda self, other: _ops.elementwise.rsub(self, other)
Tensor.__mul__ = Tensor.__rmul__ = _ops.mul
Tensor.__truediv__ = _ops.div
Tensor.__rtruediv__ = lambda self, other: _ops.reciprocal(self) * other  # as PyTorch: 1 / x is MulBackward0
Tensor.__matmul__ = _ops.matmul
Tensor.__rmatmul__ = _reflected(_ops.matmul)
Tensor.__pow__ = _ops.pow
Tensor.__rpow__ = _reflected(_ops.pow)
Tensor.__neg__ = _ops.neg
Tensor.__abs__ = _ops.abs
Tensor.__pos__ = _ops.positive
Tensor.__iadd__ = Tensor.add_
Tensor.__isub__ = Tensor.sub_
Tensor.__imul__ = Tensor.mul_
Tensor.__itruediv__ = Tensor.div_
_inplace_kernels = _ops.elementwise.INPLACE_KERNELS


def _comparison(op):
    """`t == None` is False and `t < None` a TypeError, as in PyTorch: Python does that when the
    operator returns NotImplemented for an operand it can't compare."""
    def method(self, other):
        try:
            return op(self, other)
        except TypeError:
            return NotImplemented
    method.__name__ = op.__name__
    return method


def _invert(self):
    if self._data.dtype.kind in 'fc':
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type tensors")
    return _ops.bitwise_not(self)


Tensor.__eq__ = _comparison(_ops.eq)
Tensor.__ne__ = _comparison(_ops.ne)
Tensor.__lt__ = _comparison(_ops.lt)
Tensor.__le__ = _comparison(_ops.le)
Tensor.__gt__ = _comparison(_ops.gt)
Tensor.__ge__ = _comparison(_ops.ge)
Tensor.__floordiv__ = _ops.floor_divide
Tensor.__rfloordiv__ = _reflected(_ops.floor_divide)
Tensor.__mod__ = _ops.remainder
Tensor.__rmod__ = _reflected(_ops.remainder)
Tensor.__and__ = Tensor.__rand__ = _ops.bitwise_and
Tensor.__or__ = Tensor.__ror__ = _ops.bitwise_or
Tensor.__xor__ = Tensor.__rxor__ = _ops.bitwise_xor
Tensor.__invert__ = _invert
Tensor.__lshift__ = _ops.bitwise_left_shift
Tensor.__rshift__ = _ops.bitwise_right_shift
Tensor.__rlshift__ = _reflected(_ops.bitwise_left_shift)
Tensor.__rrshift__ = _reflected(_ops.bitwise_right_shift)
Tensor.__ifloordiv__ = Tensor.floor_divide_
Tensor.__imod__ = Tensor.remainder_
Tensor.__iand__ = Tensor.bitwise_and_
Tensor.__ior__ = Tensor.bitwise_or_
Tensor.__ixor__ = Tensor.bitwise_xor_
Tensor.__ilshift__ = Tensor.bitwise_left_shift_
Tensor.__irshift__ = Tensor.bitwise_right_shift_
Tensor.__ipow__ = Tensor.pow_
Tensor.copy_ = _ops.conversion.copy_
Tensor.index_put_ = _ops.indexing.index_put_
Tensor.ravel = _ops.flatten  # PyTorch's ravel is flatten() with its defaults: a view when the memory allows
from ._ops.view import matrix_transpose as _matrix_transpose  # noqa: E402


def _conjugate_transpose(self):
    if self._data.ndim > 2:
        raise RuntimeError(f"tensor.H is only supported on matrices (2-D tensors). Got {self._data.ndim}-D tensor. "
                           "For batches of matrices, consider using tensor.mH")
    return _ops.permute(_ops.conj(self), tuple(range(self._data.ndim - 1, -1, -1)))


def _reversed_dims(self):
    # PyTorch deprecates x.T for tensors that are not matrices, warning once per process
    if self._data.ndim == 0:
        _warnings.warn_once("Tensor.T is deprecated on 0-D tensors. This function is the identity in these cases.")
    elif self._data.ndim != 2:
        _warnings.warn_once("The use of `x.T` on tensors of dimension other than 2 to reverse their shape is "
                            "deprecated and it will throw an error in a future release. Consider `x.mT` to transpose "
                            "batches of matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` to reverse the "
                            "dimensions of a tensor.")
    return _ops.permute(self, tuple(range(self._data.ndim - 1, -1, -1)))


Tensor.T = property(_reversed_dims, doc="The tensor with its dims reversed.")
Tensor.mT = property(lambda self: _matrix_transpose(self, 'mT', conjugate=False),
                     doc="Transpose of the last two dims.")
Tensor.H = property(_conjugate_transpose, doc="The conjugate transpose of a matrix (the transpose, for real tensors).")
Tensor.mH = property(lambda self: _matrix_transpose(self, 'mH', conjugate=True),
                     doc="Conjugate transpose of the last two dims.")
# the parts of a complex tensor are views into its memory: `z.real.zero_()` and `z.imag = x` write into z
Tensor.real = property(_ops.real, lambda self, value: _ops.real(self).copy_(value))
Tensor.imag = property(_ops.imag, lambda self, value: _ops.imag(self).copy_(value))
Tensor.float = lambda self, memory_format=None: _ops.to(self, dtypes.float32, memory_format=memory_format)
Tensor.double = lambda self, memory_format=None: _ops.to(self, dtypes.float64, memory_format=memory_format)
Tensor.half = lambda self, memory_format=None: _ops.to(self, dtypes.float16, memory_format=memory_format)
Tensor.long = lambda self, memory_format=None: _ops.to(self, dtypes.int64, memory_format=memory_format)
Tensor.int = lambda self, memory_format=None: _ops.to(self, dtypes.int32, memory_format=memory_format)
Tensor.short = lambda self, memory_format=None: _ops.to(self, dtypes.int16, memory_format=memory_format)
Tensor.char = lambda self, memory_format=None: _ops.to(self, dtypes.int8, memory_format=memory_format)
Tensor.byte = lambda self, memory_format=None: _ops.to(self, dtypes.uint8, memory_format=memory_format)
Tensor.bool = lambda self, memory_format=None: _ops.to(self, dtypes.bool, memory_format=memory_format)
# (NumPy has no bfloat16: ember's bfloat16 tensors are float32, as `to(bfloat16)` makes them)
Tensor.bfloat16 = lambda self, memory_format=None: _ops.to(self, dtypes.bfloat16, memory_format=memory_format)
Tensor.cfloat = lambda self, memory_format=None: _ops.to(self, dtypes.complex64, memory_format=memory_format)
Tensor.cdouble = lambda self, memory_format=None: _ops.to(self, dtypes.complex128, memory_format=memory_format)
Tensor.cpu = lambda self, memory_format=None: _ops.to(self, memory_format=memory_format)


def _cuda(self, device=None, non_blocking=False, memory_format=None):
    from .cuda import _cuda_unavailable
    raise _cuda_unavailable()


Tensor.cuda = _cuda
