"""ember.autograd.functional: derivatives of whole functions, as torch.autograd.functional.

`vjp` is one backward pass. `jacobian` is one backward pass per output element. `jvp` and `hvp` use
the double-backward trick, as PyTorch does: for u = g(v) linear in v (a vjp), the vjp of u with
respect to v at any v is the jvp we want, so forward-mode products cost two backward passes.
`hessian` is the jacobian of the jacobian.

Inputs and outputs nest as in PyTorch: a function of one tensor gets results of one tensor, a
function of a tuple gets tuples, and a jacobian is indexed [output][input].
"""
from .grad_mode import enable_grad, set_grad_enabled, is_grad_enabled

__all__ = ['vjp', 'jvp', 'jacobian', 'hessian', 'hvp', 'vhp']


# ---- argument handling ----------------------------------------------------------------------------------
def _as_tuple(value, arg_name, fn_name):
    """(was it a tuple, the tensors as a tuple); anything but tensors is a TypeError, as in PyTorch."""
    from .._tensor import Tensor
    is_tuple = isinstance(value, tuple)
    values = value if is_tuple else (value,)
    for i, v in enumerate(values):
        if not isinstance(v, Tensor):
            where = f"the value at index {i}" if is_tuple else f"the given {arg_name}"
            raise TypeError(f"The {arg_name} given to {fn_name} must be either a Tensor or a tuple of Tensors but "
                            f"{where} has type {type(v)}.")
    return is_tuple, values


def _unpack(values, was_tuple):
    """Undo `_as_tuple`: `was_tuple` is one flag, or (outer, inner) for the nested jacobian/hessian."""
    if isinstance(was_tuple, tuple):
        outer, inner = was_tuple
        if not inner:
            values = tuple(v[0] for v in values)
        return values if outer else values[0]
    return values if was_tuple else values[0]


def _prepare(tensors, create_graph, need_graph):
    """Fresh tensors to differentiate with respect to: a view keeps the caller's graph when building a
    graph (create_graph), a detached copy otherwise."""
    return tuple(t.view_as(t) if create_graph and t.requires_grad else t.detach().requires_grad_(need_graph)
                 for t in tensors)


def _finish(tensors, create_graph):
    if tensors and isinstance(tensors[0], tuple):
        return tuple(_finish(t, create_graph) for t in tensors)
    return tensors if create_graph else tuple(t.detach() for t in tensors)


def _check_v(v, others, others_is_tuple):
    if len(v) != len(others):
        if others_is_tuple:
            raise RuntimeError(f"v is a tuple of invalid length: should be {len(others)} but got {len(v)}.")
        raise RuntimeError("The given v should contain a single Tensor.")
    for i, (el_v, el_other) in enumerate(zip(v, others)):
        if el_v.shape != el_other.shape:
            prefix = f"Entry {i} in " if others_is_tuple else ""
            raise RuntimeError(f"{prefix}v has invalid size: should be {el_other.shape} but got {el_v.shape}.")


def _vector(v, others, others_is_tuple, create_graph, fn_name, what):
    if v is None:
        if len(others) != 1 or others[0].numel() != 1:
            raise RuntimeError(f"The vector v can only be None if the {what} a single Tensor with a single "
                               "element.")
        return None
    _, v = _as_tuple(v, 'v', fn_name)
    v = _prepare(v, create_graph, need_graph=False)
    _check_v(v, others, others_is_tuple)
    return v


def _check_requires_grad(tensors, strict, message):
    if strict:
        for i, t in enumerate(tensors):
            if t is None or not t.requires_grad:
                raise RuntimeError(message.format(i))


def _grad(outputs, inputs, grad_outputs=None, create_graph=False, retain_graph=None):
    """autograd.grad over the outputs that require grad; None for inputs none of them reach."""
    from . import grad
    grad_outputs = (None,) * len(outputs) if grad_outputs is None else grad_outputs
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if o is not None and o.requires_grad]
    if not pairs:
        return (None,) * len(inputs)
    return grad(tuple(o for o, _ in pairs), inputs, tuple(g for _, g in pairs), retain_graph=retain_graph,
                create_graph=create_graph, allow_unused=True)


def _zeros_for_none(grads, refs, strict, message):
    """Where no gradient arrived the derivative is 0 (an error in strict mode)."""
    from .._creation import zeros_like
    result = []
    for i, (g, ref) in enumerate(zip(grads, refs)):
        if g is None:
            if strict:
                raise RuntimeError(message.format(i))
            g = zeros_like(ref)
        result.append(g)
    return tuple(result)


_INDEPENDENT = ("The output of the user-provided function is independent of input {}. This is not allowed in "
                "strict mode.")
_NO_GRAD_OUTPUT = ("Output {} of the user-provided function does not require gradients. The outputs must be "
                   "computed in a differentiable manner from the input when running in strict mode.")


def _single_scalar(outputs, is_tuple, fn_name):
    if is_tuple:
        raise RuntimeError(f"The function given to {fn_name} should return a single Tensor")
    if outputs[0].numel() != 1:
        raise RuntimeError(f"The Tensor returned by the function given to {fn_name} should contain a single element")


# ---- the products ---------------------------------------------------------------------------------------------
def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), v^T J): the vector-Jacobian product at `inputs`, one backward pass."""
    with enable_grad():
        inputs_is_tuple, inputs = _as_tuple(inputs, 'inputs', 'vjp')
        inputs = _prepare(inputs, create_graph, need_graph=True)
        outputs_is_tuple, outputs = _as_tuple(func(*inputs), 'outputs of the user-provided function', 'vjp')
        _check_requires_grad(outputs, strict, _NO_GRAD_OUTPUT)
        v = _vector(v, outputs, outputs_is_tuple, create_graph, 'vjp', 'user-provided function returns')
    with set_grad_enabled(create_graph or is_grad_enabled()):
        products = _zeros_for_none(_grad(outputs, inputs, v, create_graph), inputs, strict, _INDEPENDENT)
    return (_unpack(_finish(outputs, create_graph), outputs_is_tuple),
            _unpack(_finish(products, create_graph), inputs_is_tuple))


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), J v): the Jacobian-vector product, by the double-backward trick."""
    from .._creation import zeros_like
    with enable_grad():
        inputs_is_tuple, inputs = _as_tuple(inputs, 'inputs', 'jvp')
        inputs = _prepare(inputs, create_graph, need_graph=True)
        v = _vector(v, inputs, inputs_is_tuple, create_graph, 'jvp', 'input to the user-provided function is')
        outputs_is_tuple, outputs = _as_tuple(func(*inputs), 'outputs of the user-provided function', 'jvp')
        _check_requires_grad(outputs, strict, _NO_GRAD_OUTPUT)
        # u = J^T w is linear in the dummy w; its vjp with respect to w, against v, is J v
        dummies = tuple(zeros_like(out, requires_grad=True) for out in outputs)
        grad_inputs = _grad(outputs, inputs, dummies, create_graph=True)
        _check_requires_grad(grad_inputs, strict, "The gradient with respect to input {} is independent of the "
                                                  "inputs of the user-provided function. This is not allowed in "
                                                  "strict mode.")
    with set_grad_enabled(create_graph or is_grad_enabled()):
        products = _zeros_for_none(_grad(grad_inputs, dummies, v, create_graph), outputs, strict,
                                   "The gradient with respect to the input is independent of entry {} in the "
                                   "grad_outputs when using the double backward trick to compute forward mode "
                                   "gradients. This is not allowed in strict mode.")
    return (_unpack(_finish(outputs, create_graph), outputs_is_tuple),
            _unpack(_finish(products, create_graph), outputs_is_tuple))


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False, strategy='reverse-mode'):
    """The Jacobian of `func` at `inputs`: result[i][j] has shape outputs[i].shape + inputs[j].shape.
    Computed one backward pass per output element (`vectorize` and `strategy` give the same numbers)."""
    from .._creation import zeros_like
    from .._ops.shape import stack
    if strategy not in ('forward-mode', 'reverse-mode'):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your '
                             'function has more outputs than inputs, "forward-mode" tends to be more performant. '
                             'Otherwise, prefer to use "reverse-mode".')
    if strategy == 'forward-mode' and create_graph:
        raise NotImplementedError('torch.autograd.functional.jacobian: `create_graph=True` and '
                                  '`strategy="forward-mode"` are not supported together (yet). Please either set '
                                  '`create_graph=False` or `strategy="reverse-mode"`.')
    if strict and (vectorize or strategy == 'forward-mode'):
        raise RuntimeError("torch.autograd.functional.jacobian: `strict=True` and `vectorized=True` are not "
                           "supported together. Please either set `strict=False` or `vectorize=False`.")
    with enable_grad():
        inputs_is_tuple, inputs = _as_tuple(inputs, 'inputs', 'jacobian')
        inputs = _prepare(inputs, create_graph, need_graph=True)
        outputs_is_tuple, outputs = _as_tuple(func(*inputs), 'outputs of the user-provided function', 'jacobian')
        _check_requires_grad(outputs, strict, _NO_GRAD_OUTPUT)
        jacobian = []
        for i, out in enumerate(outputs):
            rows = [[] for _ in inputs]  # rows[j]: d out.flat[k] / d inputs[j], for each k
            flat = out.reshape(-1)
            for k in range(out.numel()):
                grads = _grad((flat[k],), inputs, retain_graph=True, create_graph=create_graph)
                for j, (g, inp) in enumerate(zip(grads, inputs)):
                    if g is None:
                        if strict:
                            raise RuntimeError(f"Output {i} of the user-provided function is independent of input "
                                               f"{j}. This is not allowed in strict mode.")
                        g = zeros_like(inp)
                    elif strict and create_graph and not g.requires_grad:
                        raise RuntimeError(f"The jacobian of the user-provided function is independent of input "
                                           f"{i}. This is not allowed in strict mode when create_graph=True.")
                    rows[j].append(g)
            jacobian.append(tuple(
                stack(row, 0).view(tuple(out.shape) + tuple(inp.shape)) if row else
                zeros_like(inp).reshape(tuple(out.shape) + tuple(inp.shape))
                for row, inp in zip(rows, inputs)))
        return _unpack(_finish(tuple(jacobian), create_graph), (outputs_is_tuple, inputs_is_tuple))


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False, outer_jacobian_strategy='reverse-mode'):
    """The Hessian of a scalar function: result[i][j] has shape inputs[i].shape + inputs[j].shape."""
    inputs_is_tuple, inputs = _as_tuple(inputs, 'inputs', 'hessian')
    if outer_jacobian_strategy not in ('forward-mode', 'reverse-mode'):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode".')

    def scalar_function(*xs):
        out = func(*xs)
        is_tuple, outs = _as_tuple(out, 'outputs of the user-provided function', 'hessian')
        _check_requires_grad(outs, strict, _NO_GRAD_OUTPUT)
        _single_scalar(outs, is_tuple, 'hessian')
        return out.squeeze()

    def gradient(*xs):
        jac = jacobian(scalar_function, xs, create_graph=True)
        _check_requires_grad(jac, strict, "While computing the hessian, found that the jacobian of the "
                                          "user-provided function with respect to input {} is independent of the "
                                          "input. This is not allowed in strict mode. You should ensure that your "
                                          "function is twice differentiable and that the jacobian depends on the "
                                          "inputs (this would be violated by a linear function for example).")
        return jac

    result = jacobian(gradient, inputs, create_graph=create_graph, strict=strict, vectorize=vectorize,
                      strategy=outer_jacobian_strategy)
    return _unpack(result, (inputs_is_tuple, inputs_is_tuple))


def _first_derivative(func, inputs, v, create_graph, strict, fn_name):
    """What vhp and hvp share: the prepared inputs, v, func's scalar output and its gradient (with a graph)."""
    inputs_is_tuple, inputs = _as_tuple(inputs, 'inputs', fn_name)
    inputs = _prepare(inputs, create_graph, need_graph=True)
    v = _vector(v, inputs, inputs_is_tuple, create_graph, fn_name, 'input to the user-provided function is')
    outputs_is_tuple, outputs = _as_tuple(func(*inputs), 'outputs of the user-provided function', fn_name)
    _check_requires_grad(outputs, strict, _NO_GRAD_OUTPUT)
    _single_scalar(outputs, outputs_is_tuple, fn_name)
    gradient = _grad(outputs, inputs, create_graph=True)
    _check_requires_grad(gradient, strict, "The jacobian of the user-provided function with respect to input {} is "
                                           "independent of the input. This is not allowed in strict mode.")
    return inputs_is_tuple, inputs, v, outputs_is_tuple, outputs, gradient


_HESSIAN_INDEPENDENT = ("The jacobian of the user-provided function is independent of input {}. This is not "
                        "allowed in strict mode.")


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), v^T H): the vector-Hessian product of a scalar function."""
    with enable_grad():
        inputs_is_tuple, inputs, v, outputs_is_tuple, outputs, gradient = _first_derivative(
            func, inputs, v, create_graph, strict, 'vhp')
    with set_grad_enabled(create_graph or is_grad_enabled()):
        products = _zeros_for_none(_grad(gradient, inputs, v, create_graph), inputs, strict, _HESSIAN_INDEPENDENT)
    return (_unpack(_finish(outputs, create_graph), outputs_is_tuple),
            _unpack(_finish(products, create_graph), inputs_is_tuple))


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), H v): the Hessian-vector product of a scalar function, by the double-backward trick
    (equal to vhp for twice continuously differentiable functions, whose Hessian is symmetric)."""
    from .._creation import zeros_like
    with enable_grad():
        inputs_is_tuple, inputs, v, outputs_is_tuple, outputs, gradient = _first_derivative(
            func, inputs, v, create_graph, strict, 'hvp')
        dummies = tuple(zeros_like(inp, requires_grad=True) for inp in inputs)
        double_back = _grad(gradient, inputs, dummies, create_graph=True)
    with set_grad_enabled(create_graph or is_grad_enabled()):
        products = _zeros_for_none(_grad(double_back, dummies, v, create_graph), inputs, strict,
                                   "The hessian of the user-provided function is independent of entry {} in the "
                                   "grad_jacobian. This is not allowed in strict mode as it prevents from using "
                                   "the double backward trick to replace forward mode AD.")
    return (_unpack(_finish(outputs, create_graph), outputs_is_tuple),
            _unpack(_finish(products, create_graph), inputs_is_tuple))
