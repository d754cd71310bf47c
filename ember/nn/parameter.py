"""`Parameter`: the tensor subclass that marks a tensor as a module's learnable state.

Assigning a `Parameter` to a module attribute registers it in `module._parameters`; a plain tensor
is just an attribute. That is the whole difference, as in PyTorch.
"""
from .._tensor import Tensor

__all__ = ['Parameter', 'Buffer']


class Parameter(Tensor):
    """A tensor that is a module parameter. It shares `data`'s memory and requires grad by default
    (even under `no_grad`)."""

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            from .._creation import empty
            data = empty(0)
        if requires_grad and not (data.is_floating_point() or data.is_complex()):
            raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
        param = data._make_subclass_like(cls)
        param._requires_grad = bool(requires_grad)
        return param

    def __init__(self, data=None, requires_grad=True):
        pass

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(self.data.clone(), self.requires_grad)
        memo[id(self)] = result
        return result

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, protocol):
        return (_rebuild_parameter, (self.data, self.requires_grad))


def _rebuild_parameter(data, requires_grad):
    return Parameter(data, requires_grad)


class Buffer(Tensor):
    """Marks a tensor as a buffer when assigned to a module attribute: `self.running = Buffer(t)`
    is `self.register_buffer('running', t, persistent)`."""

    def __new__(cls, data=None, *, persistent=True):
        if data is None:
            from .._creation import empty
            data = empty(0)
        buffer = data._make_subclass_like(cls)
        buffer.persistent = persistent
        return buffer

    def __init__(self, data=None, *, persistent=True):
        pass
