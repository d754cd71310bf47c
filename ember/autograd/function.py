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
of class `ExpBackward` to the outputs; that node is the `ctx` both methods see.
"""
import functools

from .graph import Node
from .grad_mode import GradMode

__all__ = ['Function', 'FunctionCtx', 'once_differentiable']


class FunctionCtx:
    """What `ctx` offers inside `forward` and `backward`."""

    def save_for_backward(self, *tensors):
        Node.save_for_backward(self, *tensors)

    def mark_dirty(self, *tensors):
        self._dirty = tensors

    def mark_non_differentiable(self, *tensors):
        self._non_differentiable = {id(t) for t in tensors}

    def set_materialize_grads(self, value):
        self._materialize_grads = value


class BackwardCFunction(Node, FunctionCtx):
    """Base of the node classes made for each Function subclass (instances have a __dict__)."""
    _function_class = None

    def backward(self, *grads):
        if self._materialize_grads:
            from .._creation import zeros
            grads = tuple(zeros(shape, dtype=dtype) if g is None else g
                          for g, (shape, dtype) in zip(grads + (None,) * (len(self._output_meta) - len(grads)),
                                                       self._output_meta))
        result = self._function_class.backward(self, *grads)
        if not isinstance(result, tuple):
            result = (result,)
        # backward returns one value per forward argument; keep those of the tensor arguments
        if len(result) < len(self._tensor_positions) and len(result) != len(self._all_args):
            raise RuntimeError(f"function {type(self).__name__} returned an incorrect number of gradients "
                               f"(expected {len(self._all_args)}, got {len(result)})")
        if len(result) > len(self._all_args):
            if any(r is not None for r in result[len(self._all_args):]):
                raise RuntimeError(f"function {type(self).__name__} returned an incorrect number of gradients "
                                   f"(expected {len(self._all_args)}, got {len(result)})")
        return tuple(result[i] if i < len(result) else None for i in self._tensor_positions)

    @property
    def needs_input_grad(self):
        return self._needs_input_grad


class _FunctionMeta(type):
    """Gives every Function subclass its own node class, named like PyTorch's (`ExpBackward`)."""

    def __init__(cls, name, bases, attrs):
        cls._backward_cls = type(name + 'Backward', (BackwardCFunction,), {'_function_class': cls})
        super().__init__(name, bases, attrs)


class Function(metaclass=_FunctionMeta):
    """Subclass it with static `forward(ctx, ...)` and `backward(ctx, ...)`; call `.apply(...)`."""

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
        return None

    def __init__(self, *args, **kwargs):
        pass

    def __call__(self, *args, **kwargs):
        raise RuntimeError("Legacy autograd function with non-static forward method is deprecated. Please use new-"
                           "style autograd function with static forward method.")

    @classmethod
    def apply(cls, *args, **kwargs):
        from .._tensor import Tensor
        tensor_positions = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        tensor_args = [args[i] for i in tensor_positions]
        recording = GradMode.enabled and any(t._requires_grad for t in tensor_args)
        ctx = cls._backward_cls.__new__(cls._backward_cls)
        Node.__init__(ctx, *tensor_args)
        ctx._tensor_positions = tensor_positions
        ctx._all_args = args
        ctx._needs_input_grad = tuple(isinstance(a, Tensor) and a._requires_grad for a in args)
        ctx._materialize_grads = True
        ctx._non_differentiable = set()
        ctx._dirty = ()
        previous = GradMode.enabled
        GradMode.enabled = False
        try:
            if cls.setup_context is not Function.setup_context:
                output = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, output)
            else:
                output = cls.forward(ctx, *args, **kwargs)
        finally:
            GradMode.enabled = previous
        single = not isinstance(output, tuple)
        outputs = (output,) if single else output
        final = []
        meta = []
        for nr, out in enumerate(outputs):
            if not isinstance(out, Tensor):
                final.append(out)
                meta.append(((), None))
                continue
            meta.append((out._data.shape, out.dtype))
            differentiable = id(out) not in ctx._non_differentiable
            if any(out is a for a in tensor_args) and not any(out is d for d in ctx._dirty):
                out = out.view_as(out)  # an input returned as is: give the output its own identity
            if recording and differentiable and out._data.dtype.kind in 'fc':
                out.grad_fn = ctx
                out._output_nr = nr
                out._requires_grad = True
            final.append(out)
        ctx._output_meta = meta
        ctx.input_meta = [m for m in ctx.input_meta]
        return final[0] if single else tuple(final)


def once_differentiable(fn):
    """Run `backward` without recording a graph (its result can't be differentiated again)."""
    @functools.wraps(fn)
    def wrapper(ctx, *args):
        from .grad_mode import no_grad
        with no_grad():
            return fn(ctx, *args)
    return wrapper
