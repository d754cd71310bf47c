"""`gradcheck` and `gradgradcheck`: compare autograd's gradients with finite differences.

For each input that requires grad, the numerical Jacobian is built column by column by nudging one
element by ±eps (central differences); the analytical Jacobian row by row with `autograd.grad`
on one output element at a time. Use float64 inputs: float32 can't resolve eps=1e-6.
"""
import numpy as np

__all__ = ['gradcheck', 'gradgradcheck', 'GradcheckError']


class GradcheckError(RuntimeError):
    pass


def _as_tuple(x):
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _differentiable_outputs(outputs):
    return [o for o in outputs if hasattr(o, '_data') and o._requires_grad]


def _jacobian_dtype(tensor):
    return tensor._data.dtype if tensor._data.dtype.kind == 'f' else np.float64


def _numerical_jacobians(func, inputs, wrt, eps):
    """One (n_input_elements x n_output_elements) matrix per (input, output) pair."""
    from .grad_mode import no_grad
    with no_grad():
        base_outputs = [o for o in _as_tuple(func(*inputs)) if hasattr(o, '_data')]
    jacobians = []
    for i in wrt:
        data = inputs[i]._data
        flat = data.reshape(-1) if data.flags.c_contiguous else None
        if flat is None:
            raise GradcheckError("gradcheck expects contiguous inputs")
        # in the output's dtype, as PyTorch's numerical Jacobian (float32 outputs resolve eps coarsely)
        cols = [np.zeros((data.size, o._data.size), dtype=_jacobian_dtype(o)) for o in base_outputs]
        for k in range(data.size):
            original = flat[k]
            with no_grad():
                flat[k] = original + eps
                plus = [np.array(o._data, dtype=np.float64) for o in _as_tuple(func(*inputs)) if hasattr(o, '_data')]
                flat[k] = original - eps
                minus = [np.array(o._data, dtype=np.float64) for o in _as_tuple(func(*inputs)) if hasattr(o, '_data')]
                flat[k] = original
            for j, (p, m) in enumerate(zip(plus, minus)):
                cols[j][k] = ((p - m) / (2 * eps)).reshape(-1)
        jacobians.append(cols)
    return jacobians


def _analytical_jacobians(func, inputs, wrt):
    from . import grad
    from .._creation import zeros_like
    outputs = [o for o in _as_tuple(func(*inputs)) if hasattr(o, '_data')]
    # in the input's dtype, as PyTorch's analytical Jacobian
    jacobians = [[np.zeros((inputs[i]._data.size, o._data.size), dtype=_jacobian_dtype(inputs[i])) for o in outputs]
                 for i in wrt]
    for j, out in enumerate(outputs):
        if not out._requires_grad:
            continue
        for k in range(out._data.size):
            grad_output = zeros_like(out)
            grad_output._data.flat[k] = 1  # (flat: zeros_like keeps out's memory order, so reshape may copy)
            grads = grad(out, [inputs[i] for i in wrt], grad_output, retain_graph=True, allow_unused=True)
            for n, g in enumerate(grads):
                if g is not None:
                    jacobians[n][j][:, k] = g._data.reshape(-1)
    return jacobians


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True, nondet_tol=0.0,
              check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False, fast_mode=False,
              **kwargs):
    """True if autograd's gradients of `func` at `inputs` match finite differences."""
    inputs = _as_tuple(inputs)
    wrt = [i for i, x in enumerate(inputs) if hasattr(x, '_data') and x._requires_grad]
    if not wrt:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but none of the them "
                         "have requires_grad=True.")
    for i in wrt:
        if inputs[i]._data.dtype != np.float64:
            import warnings
            warnings.warn("Input #%d requires gradient and is not a double precision floating point. "
                          "This check will likely fail if all the inputs are not of double precision "
                          "floating point." % i)
    from .._tensor import Tensor
    numerical = _numerical_jacobians(func, inputs, wrt, eps)
    analytical = _analytical_jacobians(func, inputs, wrt)
    for n, i in enumerate(wrt):
        for j, (num, ana) in enumerate(zip(numerical[n], analytical[n])):
            if not np.allclose(ana, num, rtol=rtol, atol=atol):
                if not raise_exception:
                    return False
                # the Jacobians print as tensors, as in PyTorch's message
                raise GradcheckError(f"Jacobian mismatch for output {j} with respect to input {i},\n"
                                     f"numerical:{Tensor._wrap(num)}\nanalytical:{Tensor._wrap(ana)}\n")
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3, gen_non_contig_grad_outputs=False,
                  raise_exception=True, **kwargs):
    """gradcheck of the gradient itself: checks second derivatives through `create_graph=True`."""
    from . import grad
    from .grad_mode import enable_grad
    from .._creation import randn
    from .._dtype import float64
    inputs = _as_tuple(inputs)
    outputs = [o for o in _as_tuple(func(*inputs)) if hasattr(o, '_data') and o._requires_grad]
    if grad_outputs is None:
        # contiguous (randn_like would keep a strided output's memory order), as the finite differences need
        grad_outputs = [randn(o.shape, dtype=float64).requires_grad_() for o in outputs]
    grad_outputs = list(_as_tuple(grad_outputs))
    wrt = [i for i, x in enumerate(inputs) if hasattr(x, '_data') and x._requires_grad]
    n_in = len(inputs)

    def first_derivative(*args):
        ins, gos = args[:n_in], args[n_in:]
        # gradcheck evaluates this under no_grad for finite differences: the gradient inside
        # still needs a graph
        with enable_grad():
            outs = [o for o in _as_tuple(func(*ins)) if hasattr(o, '_data') and o._requires_grad]
            grads = grad(outs, [ins[i] for i in wrt], gos, create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(first_derivative, tuple(inputs) + tuple(grad_outputs), eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
