"""ember.autograd: reverse-mode automatic differentiation over the recorded graph.

`backward` accumulates gradients into the leaves' `.grad`; `grad` returns them instead.
Both hand the work to `engine.run_backward`.
"""
import numpy as np

from .grad_mode import (no_grad, enable_grad, set_grad_enabled, is_grad_enabled, inference_mode,
                        is_inference_mode_enabled)
from .graph import Node
from .engine import run_backward
from .function import Function, FunctionCtx, once_differentiable
from .variable import Variable
from .anomaly_mode import detect_anomaly, set_detect_anomaly
from . import anomaly_mode  # noqa: F401
from .gradcheck import gradcheck, gradgradcheck
from . import graph  # noqa: F401
from . import functional  # noqa: F401
from . import profiler  # noqa: F401
from .. import _tensor  # (partly imported while it imports this package: read its Tensor at call time)

__all__ = ['backward', 'grad', 'Function', 'Variable', 'no_grad', 'enable_grad', 'set_grad_enabled',
           'is_grad_enabled', 'inference_mode', 'gradcheck', 'gradgradcheck', 'Node', 'detect_anomaly',
           'set_detect_anomaly']


def _as_tuple(x):
    if x is None:
        return ()
    if isinstance(x, (tuple, list)):
        return tuple(x)
    return (x,)


def _make_roots(outputs, grad_outputs, who):
    Tensor = _tensor.Tensor
    roots = []
    grad_outputs = _as_tuple(grad_outputs) or (None,) * len(outputs)
    if len(grad_outputs) != len(outputs):
        raise RuntimeError(f"{who} got {len(outputs)} tensors and {len(grad_outputs)} gradients")
    for i, (out, g) in enumerate(zip(outputs, grad_outputs)):
        if not isinstance(out, Tensor):
            raise TypeError(f"{who}: expected a Tensor, got {type(out).__name__}")
        if not out._requires_grad:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a grad_fn")
        if g is None:
            data = out._data
            if data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            if data.dtype.kind != 'f':
                raise RuntimeError("grad can be implicitly created only for real scalar outputs but got "
                                   f"{out.dtype}")
            seed = np.empty_like(data)  # (np.ones is a Python function; this is two C calls)
            seed.fill(1)
            g = Tensor._wrap(seed)
        elif not isinstance(g, Tensor):
            from .._creation import tensor
            g = tensor(g, dtype=out.dtype)
        elif g._data.shape != out._data.shape:
            raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of {g.shape} and "
                               f"output[{i}] has a shape of {out.shape}.")
        if out._base is not None:
            _regenerate_stale_view(out)
        node = out.grad_fn
        roots.append((node if node is not None else out._grad_accumulator(), out._output_nr, g))
    return roots


def _regenerate_stale_view(t):
    if t._base is not None and t._version_counter[0] != t._view_src[3]:
        from .graph import _regenerate_view
        _regenerate_view(t)


def _input_positions(inputs):
    positions = []
    for t in inputs:
        if not t._requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
        _regenerate_stale_view(t)
        positions.append((t.grad_fn, t._output_nr) if t.grad_fn is not None else (t._grad_accumulator(), 0))
    return positions


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, grad_variables=None,
             inputs=None):
    """Accumulate into the leaves' `.grad` the gradient of `tensors` (weighted by `grad_tensors`)."""
    tensors = _as_tuple(tensors)
    if grad_variables is not None:
        grad_tensors = grad_variables
    roots = _make_roots(tensors, grad_tensors, 'backward')
    if retain_graph is None:
        retain_graph = create_graph
    positions = _input_positions(_as_tuple(inputs)) if inputs is not None else None
    if positions is not None and not positions:
        raise RuntimeError("'inputs' argument to backward() cannot be empty.")
    grads = run_backward(roots, retain_graph, create_graph, inputs=positions, accumulate=True)
    if positions is not None:
        from .graph import accumulate_grad
        for t, g in zip(_as_tuple(inputs), grads):
            if t.grad_fn is not None and g is not None:  # leaves were handled by their AccumulateGrad
                accumulate_grad(t, g)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, only_inputs=True,
         allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """The gradients of `outputs` with respect to `inputs`, as a tuple; `.grad` is not touched."""
    outputs = _as_tuple(outputs)
    single = not isinstance(inputs, (tuple, list))
    inputs = _as_tuple(inputs)
    if allow_unused is None:
        allow_unused = materialize_grads
    roots = _make_roots(outputs, grad_outputs, 'grad')
    if retain_graph is None:
        retain_graph = create_graph
    positions = _input_positions(inputs)
    grads = run_backward(roots, retain_graph, create_graph, inputs=positions, accumulate=False)
    result = []
    for t, g in zip(inputs, grads):
        if g is None:
            if not allow_unused:
                raise RuntimeError("One of the differentiated Tensors appears to not have been used in the graph. "
                                   "Set allow_unused=True if this is the desired behavior.")
            if materialize_grads:
                from .._creation import zeros_like
                g = zeros_like(t)
        elif not create_graph:
            g = g.detach()
        result.append(g)
    return tuple(result)
