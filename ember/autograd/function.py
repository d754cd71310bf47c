"""`autograd.Function`: how users write their own differentiable ops.

    class Exp(Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, grad_output):
            y, = ctx.saved_tensors
            return grad_output * y

`Exp.apply(x)` runs `forward` without recording and, if an input requires grad, attaches one node
of class `ExpBackward` to the outputs; that node is the `ctx` both methods see. `forward` may also
be written without `ctx`, with a separate `setup_context(ctx, inputs, output)` that saves what
backward needs (the style `torch.func` transforms require).
"""
import functools
import inspect

import numpy as np

from .graph import Node
from .grad_mode import GradMode

__all__ = ['Function', 'FunctionCtx', 'BackwardCFunction', 'InplaceFunction', 'NestedIOFunction',
           'once_differentiable']


def _is_tensor(x):
    from .._tensor import Tensor
    return isinstance(x, Tensor)


class FunctionCtx:
    """What `ctx` offers inside `forward` (or `setup_context`) and `backward`. Like PyTorch's, it
    only notes what it is told; `Function.apply` acts on the notes once `forward` has returned."""

    def save_for_backward(self, *tensors):
        for i, t in enumerate(tensors):
            if t is not None and not _is_tensor(t):
                raise TypeError(f"save_for_backward can only save variables, but argument {i} is of type "
                                f"{type(t).__name__}")
        self.to_save = tensors

    def mark_dirty(self, *tensors):
        self.dirty_tensors = tensors

    def mark_non_differentiable(self, *tensors):
        self.non_differentiable = tensors

    def set_materialize_grads(self, value):
        self._materialize_grads = value


class BackwardCFunction(Node, FunctionCtx):
    """Base of the node classes made for each Function subclass (instances have a __dict__)."""
    _forward_cls = None
    # the ctx only notes the tensors; `apply` saves them in the node once forward has returned
    save_for_backward = FunctionCtx.save_for_backward

    def backward(self, *grads):
        if self._materialize_grads:
            from .._creation import zeros
            grads = tuple(zeros(shape, dtype=dtype) if g is None else g
                          for g, (shape, dtype) in zip(grads + (None,) * (len(self._output_meta) - len(grads)),
                                                       self._output_meta))
        result = self._forward_cls.backward(self, *grads)
        if not isinstance(result, tuple):
            result = (result,)
        # backward returns one value per forward input; extra values are allowed only if None
        expected = len(self._is_tensor_input)
        if len(result) < expected or any(r is not None for r in result[expected:]):
            raise RuntimeError(f"function {type(self).__name__} returned an incorrect number of gradients "
                               f"(expected {expected}, got {len(result)})")
        grads = []
        for position, (grad, is_tensor) in enumerate(zip(result, self._is_tensor_input)):
            if not is_tensor:
                if grad is not None:
                    raise RuntimeError(f"function {type(self).__name__} returned a gradient different than None "
                                       f"at position {position + 1}, but the corresponding forward input was not "
                                       "a Variable")
                continue
            if grad is not None and not _is_tensor(grad):
                raise RuntimeError(f"expected Variable or None (got {type(grad).__name__})")
            grads.append(grad)
        self._check_gradient_shapes(grads)
        return tuple(grads)

    def _check_gradient_shapes(self, grads):
        """PyTorch's engine accepts a gradient the input's shape broadcasts to (and sums it down to
        that shape); any other shape is the Function's mistake, reported with its index among the
        tensor inputs."""
        for index, (grad, meta) in enumerate(zip(grads, self.input_meta)):
            if grad is None or meta is None or grad._data.shape == meta[0]:
                continue
            shape, grad_shape = meta[0], grad._data.shape
            if not _broadcasts_to(shape, grad_shape):
                raise RuntimeError(f"Function {type(self).__name__} returned an invalid gradient at index {index} - "
                                   f"got {list(grad_shape)} but expected shape compatible with {list(shape)}")

    @property
    def needs_input_grad(self):
        return self._needs_input_grad

    def __repr__(self):
        return f"<ember.autograd.function.{type(self).__name__} object at {hex(id(self))}>"


def _broadcasts_to(shape, target):
    try:
        return np.broadcast_shapes(shape, target) == target
    except ValueError:
        return False


class _FunctionMeta(type):
    """Gives every Function subclass its own node class, named like PyTorch's (`ExpBackward`)."""

    def __init__(cls, name, bases, attrs):
        cls._backward_cls = type(name + 'Backward', (BackwardCFunction,), {'_forward_cls': cls})
        super().__init__(name, bases, attrs)


class Function(metaclass=_FunctionMeta):
    """Subclass it with static `forward` and `backward`; call `.apply(...)`."""

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for your custom "
                                  "autograd.Function to use it with backward mode AD.")

    vjp = backward

    @staticmethod
    def setup_context(ctx, inputs, output):
        """Override it to write `forward` without `ctx` (`forward(x, ...)`); it gets the inputs as a
        tuple and the output of `forward`."""
        raise NotImplementedError("setup_context is not implemented.")

    def __init__(self, *args, **kwargs):
        pass

    def __call__(self, *args, **kwargs):
        raise RuntimeError("Legacy autograd function with non-static forward method is deprecated. Please use new-"
                           "style autograd function with static forward method.")

    @classmethod
    def apply(cls, *args, **kwargs):
        uses_setup_context = cls.setup_context is not Function.setup_context
        if uses_setup_context:
            # setup_context sees every argument of forward, defaults included, by position
            bound = inspect.signature(cls.forward).bind(*args, **kwargs)
            bound.apply_defaults()
            args, kwargs = bound.args, bound.kwargs
        # keyword arguments count as inputs after the positional ones (needs_input_grad, backward's results)
        inputs = args + tuple(kwargs.values())
        is_tensor_input = tuple(_is_tensor(a) for a in inputs)
        tensor_inputs = [a for a, is_tensor in zip(inputs, is_tensor_input) if is_tensor]
        recording = GradMode.enabled and any(t._requires_grad for t in tensor_inputs)
        ctx = cls._backward_cls.__new__(cls._backward_cls)
        Node.__init__(ctx, *tensor_inputs)
        ctx._is_tensor_input = is_tensor_input
        ctx._needs_input_grad = tuple(is_tensor and a._requires_grad for a, is_tensor in zip(inputs, is_tensor_input))
        ctx.to_save = ()
        ctx.dirty_tensors = ()
        ctx.non_differentiable = ()
        ctx._materialize_grads = True
        previous = GradMode.enabled
        GradMode.enabled = False
        try:
            if uses_setup_context:
                output = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, inputs, output)
            else:
                output = cls.forward(ctx, *args, **kwargs)
        finally:
            GradMode.enabled = previous
        single = not isinstance(output, tuple)
        outputs = (output,) if single else output
        _mark_dirty_inputs(ctx.dirty_tensors, outputs, recording)
        final, meta = [], []
        for nr, out in enumerate(outputs):
            if not _is_tensor(out):
                final.append(out)
                meta.append(((), None))
                continue
            meta.append((out._data.shape, out.dtype))
            differentiable = not any(out is t for t in ctx.non_differentiable)
            if any(out is a for a in tensor_inputs) and not any(out is d for d in ctx.dirty_tensors):
                out = out.view_as(out)  # an input returned as is: give the output its own identity
            if recording and differentiable and out._data.dtype.kind in 'fc':
                out.grad_fn = ctx
                out._output_nr = nr
                out._requires_grad = True
            final.append(out)
        ctx._output_meta = meta
        # saved last, as PyTorch does: an input marked dirty is saved at its new version
        Node.save_for_backward(ctx, *ctx.to_save)
        return final[0] if single else tuple(final)


def _mark_dirty_inputs(dirty_tensors, outputs, recording):
    """An input changed in place by forward must be returned, and its version moves on (PyTorch
    bumps the counter once more for `mark_dirty`, whatever forward itself did to it)."""
    for t in dirty_tensors:
        if not any(t is out for out in outputs):
            raise RuntimeError("Some elements marked as dirty during the forward method were not returned as output. "
                               "The inputs that are modified inplace must all be outputs of the Function.")
        if recording and t._requires_grad and t.grad_fn is None:
            raise RuntimeError("a leaf Variable that requires grad has been used in an in-place operation.")
        t._version_counter[0] += 1


class InplaceFunction(Function):
    """Kept, as in PyTorch, for code written against the old API: a Function with an `inplace` flag."""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace


class NestedIOFunction(Function):
    """Kept, as in PyTorch, for code written against the old API: subclasses define the instance
    methods `forward_extended` and `backward_extended` (PyTorch 2 no longer runs them either)."""

    def save_for_backward(self, *args):
        self.to_save = tuple(a for a in args if _is_tensor(a))
        self._to_save_nested = args

    @property
    def saved_tensors(self):
        return self.to_save

    def mark_dirty(self, *args, **kwargs):
        self.dirty_tensors = tuple(a for a in (*args, *kwargs.values()) if _is_tensor(a))

    def mark_non_differentiable(self, *args, **kwargs):
        self.non_differentiable = tuple(a for a in (*args, *kwargs.values()) if _is_tensor(a))

    def forward_extended(self, *input):
        raise NotImplementedError

    def backward_extended(self, *grad_output):
        raise NotImplementedError


class Error(Node):
    """The node `once_differentiable` attaches to a backward's results: differentiating them
    again is the error PyTorch reports (its DelayedError node, shown as `Error`)."""

    def backward(self, *grads):
        raise RuntimeError("trying to differentiate twice a function that was marked with @once_differentiable")


def once_differentiable(fn):
    """Run `backward` without recording a graph (its result can't be differentiated again)."""
    @functools.wraps(fn)
    def wrapper(ctx, *args, **kwargs):
        from .._tensor import Tensor
        previous = GradMode.enabled
        GradMode.enabled = False
        try:
            outputs = fn(ctx, *args, **kwargs)
        finally:
            GradMode.enabled = previous
        if not GradMode.enabled or not any(_is_tensor(a) and a._requires_grad for a in args):
            return outputs
        # a double backward (create_graph) would silently get zero: make its results lead to an Error
        # node instead, whose inputs are detached leaves standing in for the outputs, as in PyTorch
        single = not isinstance(outputs, tuple)
        stand_ins = [None if out is None else out.detach().requires_grad_()
                     for out in ((outputs,) if single else outputs)]
        error = Error(*[t for t in stand_ins if t is not None])
        wrapped = []
        for nr, t in enumerate(stand_ins):
            if t is not None:
                t = Tensor._wrap(t._data, error)
                t._output_nr = nr
            wrapped.append(t)
        return wrapped[0] if single else tuple(wrapped)
    return wrapper
