"""The autograd graph as plain data.

Every differentiable op that sees an input with `requires_grad` creates one `Node`: an object of a
class named like PyTorch's (`MulBackward0`, `MmBackward0`, ...) that knows
- `next_functions`: for each tensor input, the node that produced it (or the input's
  `AccumulateGrad` if it is a leaf), as `(node, output_nr)` pairs, `(None, 0)` for constants;
- the tensors it saved for backward;
- `backward(grad_output)`: how to turn the gradient of its output into the gradients of its inputs.

Backward formulas are written with ember ops, so when `create_graph=True` they record a graph of
their own and higher-order gradients come for free.
"""
import functools
import re
import sys
import weakref
from collections import OrderedDict

from .grad_mode import GradMode, InferenceVersionCounter
from .anomaly_mode import AnomalyMode, store_forward_traceback

__all__ = ['Node', 'AccumulateGrad', 'RemovableHandle', 'saved_tensors_hooks', 'save_on_cpu',
           'disable_saved_tensors_hooks', 'increment_version', 'register_multi_grad_hook']

_FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved tensors after "
    "they have already been freed). Saved intermediate values of the graph are freed when you call "
    ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
    "graph a second time or if you need to access saved tensors after calling backward.")


_INFERENCE_SAVED_MESSAGE = (
    "Inference tensors cannot be saved for backward. Please do not use Tensors created in inference mode in "
    "computation tracked by autograd. To work around this, you can make a clone to get a normal tensor and use it "
    "in autograd, or use `torch.no_grad()` instead of `torch.inference_mode()`.")


_NO_VERSION = (None,)
_NO_EDGE = (None, 0)  # the edge of an input that needs no gradient

# The nodes of a forward pass stay alive until its backward, and with them the small tuples each
# keeps: the (shape, dtype) of its inputs and the versions of the tensors it saved. As new tuples per
# node they were about a third of the objects a forward pass leaves for Python's cycle collector to
# scan (it does so every 700 new objects, and now and then the whole heap); equal tuples are shared
# instead, one per distinct value.
_SHARED_TUPLES = {}


def _shared(values):
    """The one shared tuple equal to `values` (a tuple of immutable values)."""
    shared = _SHARED_TUPLES.get(values)
    if shared is None:
        if len(_SHARED_TUPLES) >= 4096:  # programs whose shapes keep changing: start over
            _SHARED_TUPLES.clear()
        _SHARED_TUPLES[values] = shared = values
    return shared


class RemovableHandle:
    """Returned by every `register_*hook`; `handle.remove()` takes the hook out again."""
    _next_id = 0

    def __init__(self, hooks_dict, *extra_dicts):
        self.hooks_dict_ref = weakref.ref(hooks_dict)
        self.extra_dict_refs = [weakref.ref(d) for d in extra_dicts]
        self.id = RemovableHandle._next_id
        RemovableHandle._next_id += 1

    def remove(self):
        for ref in [self.hooks_dict_ref] + self.extra_dict_refs:
            d = ref()
            if d is not None:
                d.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def _refuse_inference_tensors(tensors):
    """Inference tensors keep no version to check when backward reads them: PyTorch refuses to save them."""
    for t in tensors:
        if getattr(t, '_version_counter', None).__class__ is InferenceVersionCounter:
            raise RuntimeError(_INFERENCE_SAVED_MESSAGE)


class _NodeHooks:
    """Hooks of one node, created only when a hook is registered so plain nodes stay small."""
    __slots__ = ('pre_hooks', 'post_hooks', 'tensor_pre_hooks', 'retains_grad_hooks')

    def __init__(self):
        self.pre_hooks = OrderedDict()          # fn(grad_outputs) -> new grad_outputs or None
        self.post_hooks = OrderedDict()         # fn(grad_inputs, grad_outputs) -> new grad_inputs or None
        self.tensor_pre_hooks = {}              # output_nr -> OrderedDict of Tensor.register_hook hooks
        self.retains_grad_hooks = {}            # output_nr -> fn(grad) that stores tensor.grad


class Node:
    """One step of the recorded computation. Subclasses define `backward`."""
    # `_metadata` is set only when first read, so a node that nobody asks about pays nothing for it
    __slots__ = ('next_functions', 'input_meta', '_saved', '_saved_versions', '_saved_output',
                 '_saved_output_counter', '_saved_output_version', '_hooks', '_freed', '_metadata', '__weakref__')

    def __init__(self, *inputs):
        # one edge per tensor argument, in the op's argument order, as PyTorch shows them
        edges = []
        meta = []
        for x in inputs:
            if getattr(x, '_requires_grad', False):
                if x._base is not None and x._version_counter[0] != x._view_src[3]:
                    _regenerate_view(x)  # its base was changed in place since the view was made
                fn = x.grad_fn
                edges.append((x._grad_accumulator(), 0) if fn is None else (fn, x._output_nr))
                data = x._data
                meta.append((data.shape, data.dtype))
            else:
                edges.append(_NO_EDGE)
                meta.append(None)
        self.next_functions = tuple(edges)
        meta = tuple(meta)
        self.input_meta = _SHARED_TUPLES.get(meta) or _shared(meta)
        self._saved = None
        self._saved_output = None
        self._hooks = None
        self._freed = False
        if AnomalyMode.enabled:
            store_forward_traceback(self)

    # ---- what the op keeps for backward -------------------------------------------------------
    def save_for_backward(self, *tensors):
        """Keep input tensors for backward; their version is checked when they are read back."""
        if GradMode.inference_tensors_exist:
            _refuse_inference_tensors(tensors)
        if _saved_tensors_hooks:
            self._saved = _PackedTensors(tensors)
            self._saved_versions = None
            return
        self._saved = tensors
        # Python numbers may be saved too (the `other` of `x * 2`); they have no version
        versions = tuple([getattr(t, '_version_counter', _NO_VERSION)[0] for t in tensors])
        self._saved_versions = _SHARED_TUPLES.get(versions) or _shared(versions)

    def save_crosswise(self, first, second, first_index=0):
        """Keep what the gradient of a product of `first` and `second` (inputs `first_index` and
        `first_index + 1`) reads: `first` only if `second` needs a gradient, `second` only if `first`
        does. As in PyTorch, an operand that is not kept may then be changed in place before backward
        (`y * 3`, `W @ y` with a constant W)."""
        self.save_for_backward(first if self.needs_input_grad(first_index + 1) else None,
                               second if self.needs_input_grad(first_index) else None)

    @property
    def saved_tensors(self):
        if self._freed:
            raise RuntimeError(_FREED_MESSAGE)
        saved = self._saved
        if saved is None:
            return ()
        if saved.__class__ is _PackedTensors:
            return saved.unpack(self)
        for t, v in zip(saved, self._saved_versions):
            if v is not None and t._version_counter[0] != v:
                _raise_modified(self, t, v)
        return saved

    def save_output(self, output):
        """Keep this node's own output: its array and version counter, not the tensor (which refers
        to this node: a reference cycle). Reading it gives a tensor detached from the graph, or for
        double backward one attached to this node again."""
        if _saved_tensors_hooks:
            self._saved_output = _PackedTensors((output,), output_of=self)
            return
        self._saved_output = output._data
        self._saved_output_counter = output._version_counter
        self._saved_output_version = output._version_counter[0]

    @property
    def saved_output(self):
        if self._freed:
            raise RuntimeError(_FREED_MESSAGE)
        if self._saved_output.__class__ is _PackedTensors:
            return self._saved_output.unpack(self)[0]
        t = _wrap(self._saved_output)
        t._version_counter = self._saved_output_counter  # shared, as detach() shares it
        if t._version_counter[0] != self._saved_output_version:
            _raise_modified(self, t, self._saved_output_version, is_output=True)
        if GradMode.enabled:  # double backward: the saved output is this node's output
            t.grad_fn = self
            t._requires_grad = True
        return t

    def _release_saved(self):
        if self._saved is not None or self._saved_output is not None:
            self._saved = None
            self._saved_output = None
            self._freed = True

    def needs_input_grad(self, i):
        return self.next_functions[i][0] is not None

    # ---- the public face of a node ------------------------------------------------------------
    def name(self):
        return type(self).__name__

    def __repr__(self):
        return f"<{type(self).__name__} object at {hex(id(self))}>"

    def __call__(self, *grad_outputs):
        return self.backward(*grad_outputs)

    @property
    def metadata(self):
        """A dict for the user's (and anomaly mode's) notes about this node."""
        try:
            return self._metadata
        except AttributeError:
            self._metadata = {}
            return self._metadata

    def register_hook(self, hook):
        """`hook(grad_inputs, grad_outputs)` runs after this node's backward; it may return new
        grad_inputs."""
        hooks = self._hook_state().post_hooks
        handle = RemovableHandle(hooks)
        hooks[handle.id] = hook
        return handle

    def register_prehook(self, hook):
        """`hook(grad_outputs)` runs before this node's backward; it may return new grad_outputs."""
        hooks = self._hook_state().pre_hooks
        handle = RemovableHandle(hooks)
        hooks[handle.id] = hook
        return handle

    def _hook_state(self):
        if self._hooks is None:
            self._hooks = _NodeHooks()
        return self._hooks


# ---- hooks on several tensors ---------------------------------------------------------------------------
def register_multi_grad_hook(tensors, fn, *, mode="all"):
    """Call `fn` once per backward call with the gradients of `tensors`. With mode="all", `fn(grads)`
    runs when the gradient of every one of them that this backward reaches is computed (None for the
    others); with mode="any", `fn(grad)` runs with the first of their gradients to be computed.
    Returns a handle whose `remove()` takes the hook off all of them."""
    from .engine import current_graph_task_id, will_engine_execute_node
    if mode not in ("all", "any"):
        raise ValueError(f"Expects mode to be one of ('all', 'any') but got {mode}")
    if mode == "any":
        fired_in = set()  # ids of the backward calls in which fn already ran

        def hook_any(grad):
            task = current_graph_task_id()
            if task not in fired_in:
                fired_in.add(task)
                fn(grad)
        return _MultiHandle(tuple(t.register_hook(hook_any) for t in tensors if t.requires_grad))

    # which nodes produce the tensors' gradients: the backward call will run some of them, and
    # fn runs when the last of those has passed its gradient to the hook
    nodes = [t.grad_fn if t.grad_fn is not None else t._grad_accumulator() if t.requires_grad else None
             for t in tensors]
    pending = {}  # backward call id -> [gradients so far, how many hooks are still to run]

    def hook_for(index):
        def hook_all(grad):
            task = current_graph_task_id()
            if task not in pending:
                expected = sum(1 for node in nodes if node is not None and will_engine_execute_node(node))
                pending[task] = [[None] * len(nodes), expected]
            state = pending[task]
            state[0][index] = grad
            state[1] -= 1
            if state[1] == 0:
                del pending[task]
                fn(state[0])
        return hook_all
    return _MultiHandle(tuple(t.register_hook(hook_for(i)) for i, t in enumerate(tensors) if t.requires_grad))


class _MultiHandle:
    """The handle of a hook registered on several tensors: `remove()` takes it off all of them."""
    __slots__ = ('handles',)

    def __init__(self, handles):
        self.handles = handles

    def remove(self):
        for handle in self.handles:
            handle.remove()


# ---- saved tensors hooks -------------------------------------------------------------------------------
# The (pack_hook, unpack_hook) pairs of the `saved_tensors_hooks` blocks being run, innermost last, and
# the messages of the `disable_saved_tensors_hooks` blocks. Only the innermost pair applies.
_saved_tensors_hooks = []
_hooks_disabled_messages = []


class saved_tensors_hooks:
    """Inside this block, every tensor an op saves for backward is handed to `pack_hook(tensor)`
    and whatever it returns is kept instead; backward gets the tensor back from
    `unpack_hook(packed)`. (To keep them on disk, compressed, elsewhere; versions are then not checked.)"""

    def __init__(self, pack_hook, unpack_hook):
        self.pack_hook = pack_hook
        self.unpack_hook = unpack_hook

    def __enter__(self):
        if _hooks_disabled_messages:
            raise RuntimeError(_hooks_disabled_messages[-1])
        _saved_tensors_hooks.append((self.pack_hook, self.unpack_hook))
        return self

    def __exit__(self, *exc):
        _saved_tensors_hooks.pop()
        return False


class save_on_cpu(saved_tensors_hooks):
    """Keep saved tensors in CPU memory until backward moves them back to their device (on ember,
    whose tensors are all CPU tensors, they stay where they are)."""

    def __init__(self, pin_memory=False, device_type='cuda'):
        def pack_to_cpu(tensor):
            return tensor.device, tensor.cpu()

        def unpack_from_cpu(packed):
            device, tensor = packed
            return tensor.to(device, non_blocking=pin_memory)
        super().__init__(pack_to_cpu, unpack_from_cpu)


class disable_saved_tensors_hooks:
    """Inside this block, entering `saved_tensors_hooks` raises RuntimeError(`error_message`)."""

    def __init__(self, error_message):
        self.error_message = error_message

    def __enter__(self):
        _hooks_disabled_messages.append(self.error_message)
        return self

    def __exit__(self, *exc):
        _hooks_disabled_messages.pop()
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self:
                return func(*args, **kwargs)
        return wrapper


def increment_version(tensor):
    """Move the version counter of `tensor` (or of each tensor in an iterable) on, as an in-place op
    would: for changes made behind autograd's back (through `.numpy()`), so backward notices them."""
    for t in (tensor,) if hasattr(tensor, '_version_counter') else tensor:
        t._version_counter[0] += 1


class _PackedTensors:
    """What a node keeps when saved tensors hooks were active: each tensor as the pack hook
    returned it, with the unpack hook to call and the tensor's place in the graph, so that under
    create_graph the tensor read back is connected as the original was (PyTorch does the same)."""
    __slots__ = ('unpack_hook', 'packed', 'edges')

    def __init__(self, tensors, output_of=None):
        pack_hook, self.unpack_hook = _saved_tensors_hooks[-1]
        packed, edges = [], []
        for t in tensors:
            if getattr(t, '_version_counter', None) is None:  # None, or a Python number an op keeps
                packed.append(t)
                edges.append(_NOT_PACKED)
                continue
            version = t._version_counter[0]
            packed.append(pack_hook(t))
            if t._version_counter[0] != version:
                raise RuntimeError("A saved tensor pack hook is modifying its input in place. Tensors provided as "
                                   "input to pack hook cannot be modified by in-place operations as this can lead "
                                   "to unexpected side-effects. Please open an issue if you need to perform in-place "
                                   "operations on the input to a pack hook.")
            if not t._requires_grad:
                edges.append(None)
            elif output_of is not None:  # the node's own output (kept without a reference to the node)
                edges.append((None, t._output_nr))
            else:
                edges.append((t.grad_fn if t.grad_fn is not None else t._grad_accumulator(), t._output_nr))
        self.packed, self.edges = tuple(packed), tuple(edges)

    def unpack(self, node):
        from .._tensor import Tensor
        unpacked = []
        for value, edge in zip(self.packed, self.edges):
            if edge is _NOT_PACKED:
                unpacked.append(value)
                continue
            t = self.unpack_hook(value)
            if not isinstance(t, Tensor):
                raise TypeError("Output of saved tensor unpack_hook expected to be a Tensor but got result of type "
                                f"{type(t).__name__}")
            if edge is not None and GradMode.enabled:
                fn, output_nr = edge
                t = _wrap(t._data)
                t.grad_fn, t._output_nr, t._requires_grad = (node if fn is None else fn), output_nr, True
            unpacked.append(t)
        return tuple(unpacked)


_NOT_PACKED = object()  # the mark of a saved value that is not a tensor


_Tensor = None  # ember's Tensor class, looked up on first use (its module imports this one)


def _wrap(data):
    global _Tensor
    if _Tensor is None:
        from .._tensor import Tensor as _Tensor
    return _Tensor._wrap(data)


def _regenerate_view(view):
    """A view is used after its base was changed in place: rebuild its grad_fn from the base."""
    from .._ops.view import regenerate_view
    if view.grad_fn is not None and view._view_src[1].__name__ == '_select_piece':
        raise RuntimeError(f"Output {view._output_nr} of {type(view.grad_fn).__name__.replace('Backward0', '')} "
                           "is a view and its base or another view of its base has been modified inplace. This "
                           "view is the output of a function that returns multiple views. Such functions do not "
                           "allow the output views to be modified inplace. You should replace the inplace "
                           "operation by an out-of-place one.")
    regenerate_view(view)


def _raise_modified(node, tensor, expected, actual=None, is_output=False):
    """PyTorch 2.13's message: the op that made the tensor is named without its "Backward0" ("output 0
    of Exp"), a leaf gets no such clause, and the hint depends on whether anomaly mode is on."""
    from .._dtype import from_numpy_dtype
    actual = tensor._version_counter[0] if actual is None else actual
    dtype = from_numpy_dtype(tensor._data.dtype)
    # PyTorch prints a tensor's type as its legacy class (torch.FloatTensor) where one exists for the
    # message, else as its backend type (CPUBoolType, CPUComplexFloatType)
    type_name = f"CPU{_legacy_type_name(dtype)[:-len('Tensor')]}Type" if dtype.is_complex or dtype.name == 'bool' \
        else f"torch.{_legacy_type_name(dtype)}"
    shape = ', '.join(str(s) for s in tensor._data.shape)
    if is_output:
        where = f", which is output 0 of {_op_name(node)},"
    elif tensor.grad_fn is None:  # a leaf
        where = ''
    elif tensor._base is not None and tensor._data.dtype == tensor._view_src[0]._data.dtype:
        # PyTorch rebuilds the history of a view whose memory changed in place as one as_strided of its
        # base: that is the op it names, whichever view op made the tensor. A last view step that changes
        # the dtype (view_as_real, ...) cannot be an as_strided, so that step is replayed and named instead.
        where = ", which is output 0 of AsStrided,"
    else:
        where = f", which is output {tensor._output_nr} of {_op_name(tensor.grad_fn)},"
    hint = ("the backtrace further above shows the operation that failed to compute its gradient. "
            "The variable in question was changed in there or anywhere later. Good luck!") if AnomalyMode.enabled \
        else ("enable anomaly detection to find the operation that failed to compute its gradient, with "
              "torch.autograd.set_detect_anomaly(True, check_nan=False).")
    raise RuntimeError(
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: [{type_name} [{shape}]]{where} is at version {actual}; "
        f"expected version {expected} instead. Hint: {hint}")


def _op_name(node):
    """ExpBackward0 -> Exp, as PyTorch names the op in its version-counter message (C++ nodes such as
    torch::autograd::CopySlices keep their whole name)."""
    return re.sub(r'Backward\d*$', '', node.name())


def _legacy_type_name(dtype):
    return {'float32': 'FloatTensor', 'float64': 'DoubleTensor', 'float16': 'HalfTensor',
            'int64': 'LongTensor', 'int32': 'IntTensor', 'int16': 'ShortTensor', 'int8': 'CharTensor',
            'uint8': 'ByteTensor', 'bool': 'BoolTensor', 'complex64': 'ComplexFloatTensor',
            'complex128': 'ComplexDoubleTensor'}[dtype.name]


class AccumulateGrad(Node):
    """The sink for a leaf tensor: adds the arriving gradient into `variable.grad`."""
    __slots__ = ('variable',)

    def __init__(self, variable):
        self.next_functions = ()
        self.input_meta = ()
        self._saved = None
        self._saved_output = None
        self._hooks = None
        self._freed = False
        self.variable = variable

    def name(self):
        return 'torch::autograd::AccumulateGrad'  # PyTorch's C++ name, as for CopySlices

    def backward(self, grad):
        accumulate_grad(self.variable, grad)
        return ()


def accumulate_grad(variable, grad, unshared=False):
    """`variable._grad += grad`, as PyTorch does it: the first gradient is stored as a fresh tensor
    (never an alias of another tensor's memory); later ones are added in place unless a graph is
    being built (create_graph), in which case the sum is a new tensor that carries the graph.

    `unshared`: the caller holds the only reference to the tensor `grad`. If its array is not
    shared either, the gradient's memory becomes `.grad` as it is (PyTorch steals such gradients
    too), saving a copy of every parameter's gradient per step."""
    old = variable._grad
    if grad.is_sparse or (old is not None and old.is_sparse):
        # PyTorch: a first sparse gradient is stored as is (copied); sparse + sparse stays sparse,
        # a dense .grad takes a sparse one in place, and a sparse .grad meeting a dense one turns dense
        if old is None:
            variable._grad = grad._detached_copy()  # (its indices may be a view of the input's)
        elif old.is_sparse and not grad.is_sparse:
            variable._grad = (grad + old).detach()
        elif GradMode.enabled:
            variable._grad = old + grad
        else:
            old.add_(grad)
        return
    if old is None:
        if GradMode.enabled:
            variable._grad = grad
            return
        data = grad._data
        # the references to the array: grad's slot, `data`, getrefcount's argument; an array with a
        # base is a view of memory someone else may hold (an expanded or sliced gradient)
        if unshared and data.base is None and data.flags.writeable and sys.getrefcount(data) == 3:
            variable._grad = grad.detach()
        else:
            variable._grad = grad._detached_copy()
    elif GradMode.enabled:
        variable._grad = old + grad
    else:
        data = old._data
        if data.shape == grad._data.shape and data.flags.writeable:
            data += grad._data
            old._version_counter[0] += 1
        else:
            variable._grad = (old + grad).detach()
