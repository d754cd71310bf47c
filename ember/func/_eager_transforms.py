"""grad, vjp, jvp, jacrev, jacfwd, hessian and linearize, built on ember's reverse-mode autograd.

Each transform takes a function and returns a function (or, for vjp/jvp/linearize, calls it at
given points). Under the hood every derivative is an `autograd.grad` call:

- reverse mode (grad, vjp, jacrev) is one backward pass per cotangent;
- forward mode (jvp, linearize, jacfwd) uses the double-backward trick, as
  `ember.autograd.functional.jvp` does: u -> J^T u is linear in a dummy u, so the vjp of that map,
  against a tangent v, is J v.

Transforms compose (`grad(grad(f))`, `jacfwd(jacrev(f))`, `vmap(grad(f))`), and their results stay
differentiable by the caller's autograd, because a derivative that depends on anything requiring
grad outside the transform (an enclosing transform's input, a parameter the function closes over)
is built as a graph too (create_graph), which the outer transform or `.backward()` differentiates
again. See `_Scope`.
"""
import functools

from .._tensor import Tensor
from ..autograd.grad_mode import enable_grad, is_grad_enabled
from ..autograd.functional import _grad
from ..autograd.graph import AccumulateGrad
from ._pytree import tree_flatten, tree_unflatten
from ._vmap import _no_randomness

__all__ = ['grad', 'grad_and_value', 'vjp', 'jvp', 'jacrev', 'jacfwd', 'hessian', 'linearize']


# ---- shared pieces ----------------------------------------------------------------------------------------
def _check_tensors(leaves):
    for leaf in leaves:
        if not isinstance(leaf, Tensor):
            raise ValueError(f"Thing passed to transform API must be Tensor, got {type(leaf)}")


def _check_floating(leaves):
    # forward mode (jvp, jacfwd) checks the primals' dtype before anything else, as PyTorch does
    for leaf in leaves:
        if not (leaf.is_floating_point() or leaf.is_complex()):
            raise ValueError(f"Expected primal to be floating point or complex, but got: {leaf.dtype}")


class _Scope:
    """One call of a transform: the leaves it made for itself, and what its results may keep.

    The inputs being differentiated are tracked: one that already requires grad (a parameter, or an
    enclosing transform's input) through a view of it, any other as a fresh leaf of this scope. As
    in PyTorch, a result keeps a graph for the caller's autograd exactly when grad mode was on at the
    call and the result depends on a tensor requiring grad from outside the scope (a parameter the
    function closes over, or one passed in): `w` in `grad(lambda x: w * x**2)`, which is what lets a
    physics-informed net train through its `grad`/`jacrev` residuals. Results that depend only on
    the scope's own leaves are returned detached."""
    __slots__ = ('grad_enabled', 'own_leaves', '_cleared')

    def __init__(self):
        self.grad_enabled = is_grad_enabled()  # read before the transform turns grad mode on for itself
        self.own_leaves = set()                # ids of the leaves made here (fresh inputs, dummies)
        self._cleared = set()                  # graph nodes known to reach nothing outside

    def leaf(self, tensor):
        """`tensor` as a new leaf of this scope that requires grad."""
        self.own_leaves.add(id(tensor))
        return tensor.requires_grad_()

    def track(self, tensors):
        return [t.view_as(t) if t.requires_grad else self.leaf(t.detach()) for t in tensors]

    def reaches_outside(self, tensors):
        """Whether any of `tensors` was computed from a tensor requiring grad that this scope did
        not make: a walk of their graph back to its leaves."""
        stack = []
        for t in tensors:
            if t.requires_grad:
                if t.grad_fn is None:
                    if id(t) not in self.own_leaves:
                        return True
                else:
                    stack.append(t.grad_fn)
        seen = set()
        while stack:
            node = stack.pop()
            if node is None or node in seen or node in self._cleared:
                continue
            seen.add(node)
            if isinstance(node, AccumulateGrad):
                if id(node.variable) not in self.own_leaves:
                    return True
                continue
            stack.extend(fn for fn, _ in node.next_functions)
        self._cleared |= seen
        return False

    def needs_graph(self, outputs):
        """Whether derivatives of `outputs` must be built as graphs (create_graph): when something
        outside the scope requires grad, the derivatives may depend on it too."""
        return self.grad_enabled and self.reaches_outside(outputs)

    def results(self, tree):
        """`tree` with each tensor detached unless it depends on something outside the scope."""
        def result(leaf):
            keeps_graph = self.grad_enabled and self.reaches_outside([leaf])
            return leaf if keeps_graph else leaf.detach()
        leaves, spec = tree_flatten(tree)
        return tree_unflatten([result(leaf) if isinstance(leaf, Tensor) else leaf for leaf in leaves], spec)


def _vjp_flat(outputs, inputs, cotangents, create_graph):
    """d(outputs . cotangents)/d(inputs), with zeros where an input does not reach the outputs."""
    grads = _grad(tuple(outputs), tuple(inputs), cotangents, create_graph=create_graph, retain_graph=True)
    return [g if g is not None else inp.new_zeros(inp.shape) for g, inp in zip(grads, inputs)]


def _split_aux(output, has_aux, api):
    if not has_aux:
        return output, None
    if not (isinstance(output, tuple) and len(output) == 2):
        raise RuntimeError(f"{api}: output of function f should be a tuple: (output, aux) if has_aux is True")
    aux_leaves, _ = tree_flatten(output[1])
    for leaf in aux_leaves:
        if not isinstance(leaf, Tensor):
            raise RuntimeError(f"Expected tensors, got unsupported type {type(leaf)}")
    return output


def _check_outputs(leaves, api, reverse_mode):
    for leaf in leaves:
        if not isinstance(leaf, Tensor):
            raise RuntimeError(f"{api}: expected f(*primals) to return only tensors, got unsupported type "
                               f"{type(leaf)}")
    if not reverse_mode:
        return
    # a cotangent for an integer output would be an integer too: PyTorch's vjp (so jacrev) refuses it
    for leaf in leaves:
        if not (leaf.is_floating_point() or leaf.is_complex()):
            raise RuntimeError("vjp(f, ...): All outputs of f must be floating-point or complex Tensors, got Tensor "
                               f"with dtype {leaf.dtype}")


def _normalize_argnums(argnums, num_args):
    """argnums as a tuple of non-negative positions (checked as PyTorch checks them)."""
    if isinstance(argnums, int) and not isinstance(argnums, bool):
        positions = (argnums,)
    elif isinstance(argnums, tuple) and argnums and all(isinstance(a, int) for a in argnums):
        positions = argnums
        if len(set(positions)) != len(positions):
            raise RuntimeError(f"argnums elements must be unique, got {argnums}")
    elif isinstance(argnums, tuple) and not argnums:
        raise RuntimeError("argnums must be non-empty")
    else:
        raise RuntimeError(f"argnums must be int or Tuple[int, ...], got: {type(argnums)}")
    for a in positions:
        if not -num_args <= a < num_args:
            raise RuntimeError(f"Got argnum={a}, but only {num_args} positional inputs")
    return tuple(a % num_args for a in positions)


def _diff_args(args, argnums):
    """The arguments at `argnums` (one of them, or a tuple when argnums is a tuple), flattened."""
    positions = _normalize_argnums(argnums, len(args))
    chosen = args[positions[0]] if isinstance(argnums, int) else tuple(args[a] for a in positions)
    leaves, spec = tree_flatten(chosen)
    _check_tensors(leaves)
    return positions, leaves, spec


def _replace_args(args, positions, argnums, tracked):
    args = list(args)
    if isinstance(argnums, int):
        args[positions[0]] = tracked
    else:
        for a, value in zip(positions, tracked):
            args[a] = value
    return args


def _call_at_primals(func, primals, has_aux, api, forward_mode=False):
    """Call func at the tracked primals: (scope, tracked, output leaves, output spec, aux, spec)."""
    leaves, spec = tree_flatten(primals)
    _check_tensors(leaves)
    if forward_mode:
        _check_floating(leaves)
    scope = _Scope()
    with enable_grad():
        tracked = scope.track(leaves)
        output = func(*tree_unflatten(tracked, spec))
        output, aux = _split_aux(output, has_aux, api)
        outputs, output_spec = tree_flatten(output)
        _check_outputs(outputs, api, reverse_mode=not forward_mode)
    return scope, tracked, outputs, output_spec, aux, spec


# ---- reverse mode -----------------------------------------------------------------------------------------
def grad_and_value(func, argnums=0, has_aux=False):
    """Like `grad`, but the function returns (gradient, value), or ((gradient), (value, aux)) with
    `has_aux`."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        api = 'grad_and_value(f)(*args)'
        positions, leaves, spec = _diff_args(args, argnums)
        scope = _Scope()
        with enable_grad():
            tracked = scope.track(leaves)
            output = func(*_replace_args(args, positions, argnums, tree_unflatten(tracked, spec)), **kwargs)
            output, aux = _split_aux(output, has_aux, api)
            if not isinstance(output, Tensor):
                raise RuntimeError(f"{api}: Expected f(*args) to return a Tensor, got {type(output)}")
            if output.dim() != 0:
                raise RuntimeError(f"{api}: Expected f(*args) to return a scalar Tensor, got tensor with "
                                   f"{output.dim()} dims. Maybe you wanted to use the vjp or jacrev APIs instead?")
            grads = _vjp_flat([output], tracked, None, scope.needs_graph([output]))
        gradient, value = scope.results((tree_unflatten(grads, spec), output))
        return (gradient, (value, scope.results(aux))) if has_aux else (gradient, value)
    return wrapper


def grad(func, argnums=0, has_aux=False):
    """The gradient of a scalar function with respect to the arguments at `argnums` (an int, or a
    tuple for several), shaped like those arguments. With `has_aux`, `func` returns (output, aux)
    and the gradient function returns (gradient, aux)."""
    value_and_grad = grad_and_value(func, argnums, has_aux)

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        gradient, value = value_and_grad(*args, **kwargs)
        return (gradient, value[1]) if has_aux else gradient
    return wrapper


def vjp(func, *primals, has_aux=False):
    """(func(*primals), vjp_fn[, aux]): vjp_fn(cotangents) gives the vector-Jacobian product, a tuple
    with one entry per primal. `cotangents` is nested like the output; vjp_fn can be called again."""
    scope, tracked, outputs, output_spec, aux, spec = _call_at_primals(func, primals, has_aux, 'vjp(f, *primals)')
    output = tree_unflatten(outputs, output_spec)
    create_graph = scope.needs_graph(outputs)

    def vjp_fn(cotangents):
        cotangent_leaves, cotangent_spec = tree_flatten(cotangents)
        if cotangent_spec != output_spec:
            raise RuntimeError("Expected pytree structure of cotangents to be the same as pytree structure of outputs "
                               f"to the function. cotangents: {cotangent_spec}, primal output: {output_spec}")
        for i, (c, out) in enumerate(zip(cotangent_leaves, outputs)):
            if c.shape != out.shape:
                raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of {c.shape} and output[{i}] has "
                                   f"a shape of {out.shape}.")
        with enable_grad():
            grads = _vjp_flat(outputs, tracked, tuple(cotangent_leaves), create_graph)
        return scope.results(tree_unflatten(grads, spec))

    result = (scope.results(output), vjp_fn)
    return result + (scope.results(aux),) if has_aux else result


def _jacobian_rows(outputs, inputs, scope):
    """J[i][j]: d outputs[i] / d inputs[j], of shape outputs[i].shape + inputs[j].shape, one
    backward pass per output element (the rows of the Jacobian)."""
    from .._ops.shape import stack
    create_graph = scope.needs_graph(outputs)
    jacobians = []
    for out in outputs:
        flat = out.reshape(-1)
        rows = [_vjp_flat([flat[k]], inputs, None, create_graph) for k in range(flat.numel())]
        jacobians.append([
            stack([row[j] for row in rows]).reshape(tuple(out.shape) + tuple(inp.shape)) if rows
            else inp.new_zeros(tuple(out.shape) + tuple(inp.shape)) for j, inp in enumerate(inputs)])
    return jacobians


def _jacobian_transform(func, argnums, has_aux, compute_jacobians, forward_mode):
    """What jacrev and jacfwd share: pick the arguments, call `func`, and nest the Jacobian blocks
    as PyTorch does (the output's nesting outside, the argnums' nesting inside)."""
    api = 'jvp(f, primals, tangents)' if forward_mode else 'vjp(f, *primals)'
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        positions, leaves, spec = _diff_args(args, argnums)
        if forward_mode:
            _check_floating(leaves)
        scope = _Scope()
        with enable_grad():
            tracked = scope.track(leaves)
            output = func(*_replace_args(args, positions, argnums, tree_unflatten(tracked, spec)), **kwargs)
            output, aux = _split_aux(output, has_aux, api)
            outputs, output_spec = tree_flatten(output)
            _check_outputs(outputs, api, reverse_mode=not forward_mode)
            jacobians = compute_jacobians(outputs, tracked, scope)
        result = tree_unflatten([scope.results(tree_unflatten(row, spec)) for row in jacobians], output_spec)
        return (result, scope.results(aux)) if has_aux else result
    return wrapper


def jacrev(func, argnums=0, *, has_aux=False, chunk_size=None, _preallocate_and_copy=False):
    """The Jacobian of `func` with respect to the arguments at `argnums`, by reverse mode (one
    backward pass per output element): each block has shape output.shape + input.shape.
    `chunk_size` only batches the passes in PyTorch; the numbers are the same."""
    if chunk_size is not None and (not isinstance(chunk_size, int) or chunk_size <= 0):
        raise ValueError("jacrev: `chunk_size` should be greater than 0.")
    return _jacobian_transform(func, argnums, has_aux, _jacobian_rows, forward_mode=False)


def jacfwd(func, argnums=0, has_aux=False, *, randomness='error'):
    """The Jacobian of `func` with respect to the arguments at `argnums`, by forward mode: one
    Jacobian-vector product per input element (the columns). `randomness` is vmap's: PyTorch maps
    the products with vmap, so by default a random operation in `func` is an error."""
    def forward_columns(outputs, inputs, scope):
        from .._ops.shape import stack
        from .._creation import eye
        jvp_fn = _linearized(outputs, inputs, scope)
        jacobians = [[None] * len(inputs) for _ in outputs]
        for j, inp in enumerate(inputs):
            basis = eye(inp.numel(), dtype=inp.dtype).reshape((inp.numel(),) + tuple(inp.shape))
            columns = [jvp_fn([basis[k] if i == j else None for i in range(len(inputs))])
                       for k in range(inp.numel())]
            for i, out in enumerate(outputs):
                # stacked along the input's elements first, then moved behind the output's dims
                block = stack([column[i] for column in columns]) if columns else out.new_zeros((0,) + tuple(out.shape))
                block = block.reshape((inp.numel(), out.numel())).transpose(0, 1)
                jacobians[i][j] = block.reshape(tuple(out.shape) + tuple(inp.shape))
        return jacobians

    def call(*args, **kwargs):
        if randomness == 'error':
            with _no_randomness():
                return transform(*args, **kwargs)
        return transform(*args, **kwargs)
    transform = _jacobian_transform(func, argnums, has_aux, forward_columns, forward_mode=True)
    return functools.wraps(func)(call)


def hessian(func, argnums=0):
    """The Hessian of a scalar function: jacfwd(jacrev(func)), as in PyTorch; each block has shape
    input.shape + input.shape."""
    return jacfwd(jacrev(func, argnums), argnums)


# ---- forward mode -----------------------------------------------------------------------------------------
def _linearized(outputs, inputs, scope):
    """A function from tangents (one per input, None for zero) to J v (one per output), by the
    double-backward trick: g(u) = J^T u is built once with dummies u (leaves of the scope); each
    call is the vjp of g against v. An integer output has no dummy: its J v is zeros of its dtype,
    as in PyTorch."""
    create_graph = scope.needs_graph(outputs)
    differentiable = [out for out in outputs if out.is_floating_point() or out.is_complex()]
    dummies = [scope.leaf(out.new_zeros(out.shape)) for out in differentiable]
    transposed = _grad(tuple(differentiable), tuple(inputs), tuple(dummies), create_graph=True, retain_graph=True)

    def jvp_fn(tangents):
        pairs = [(g, v) for g, v in zip(transposed, tangents) if g is not None and v is not None]
        if not pairs:
            return [out.new_zeros(out.shape) for out in outputs]
        with enable_grad():
            products = iter(_vjp_flat([g for g, _ in pairs], dummies, tuple(v for _, v in pairs), create_graph))
        return [next(products) if out.is_floating_point() or out.is_complex() else out.new_zeros(out.shape)
                for out in outputs]
    return jvp_fn


def jvp(func, primals, tangents, *, strict=False, has_aux=False):
    """(func(*primals), J v[, aux]): the Jacobian-vector product for tangents v nested like primals."""
    api = 'jvp(f, primals, tangents)'
    if not isinstance(primals, tuple):
        raise RuntimeError(f"{api}: Expected primals to be a tuple. E.g. it should be valid to call f(*primals).")
    primal_leaves, primal_spec = tree_flatten(primals)
    tangent_leaves, tangent_spec = tree_flatten(tangents)
    if primal_spec != tangent_spec:
        raise RuntimeError(f"{api}: Expected primals and tangents to have the same python structure. For example, if "
                           "primals is a tuple of 3 tensors, tangents also must be. Got primals with structure "
                           f"{primal_spec!r} and tangents with structure {tangent_spec!r}")
    if not primal_leaves:
        raise RuntimeError(f"{api}: Expected primals to contain at least one Tensor.")
    _check_tensors(tangent_leaves)
    for p, t in zip(primal_leaves, tangent_leaves):
        if isinstance(p, Tensor) and p.shape != t.shape:
            raise RuntimeError("Trying to set a forward gradient that has a different size than that of the original "
                               f"Tensor, this is not supported. Tensor is of size {list(p.shape)} while the given "
                               f"forward gradient is of size {list(t.shape)}.")
    scope, tracked, outputs, output_spec, aux, _ = _call_at_primals(func, primals, has_aux, api, forward_mode=True)
    with enable_grad():
        products = _linearized(outputs, tracked, scope)(tangent_leaves)
    result = scope.results((tree_unflatten(outputs, output_spec), tree_unflatten(products, output_spec)))
    return result + (scope.results(aux),) if has_aux else result


def linearize(func, *primals):
    """(func(*primals), jvp_fn): jvp_fn(*tangents) is the Jacobian-vector product at `primals`,
    computed from the graph recorded once here instead of re-running `func`."""
    scope, tracked, outputs, output_spec, _, spec = _call_at_primals(
        func, primals, False, 'jvp(f, primals, tangents)', forward_mode=True)
    with enable_grad():
        linear = _linearized(outputs, tracked, scope)

    def jvp_fn(*tangents):
        tangent_leaves, tangent_spec = tree_flatten(tangents)
        if tangent_spec != spec:
            raise RuntimeError(f"Expected the tangents {tangent_spec!r} to have the same argspec as the primals "
                               f"{spec!r}")
        for i, (t, p) in enumerate(zip(tangent_leaves, tracked)):
            if t.shape != p.shape:
                raise RuntimeError(f"tangent:{i} with shape {t.shape} in flattened pytree doesn't match the shape "
                                   f"{p.shape} of the corresponding primal.")
        return scope.results(tree_unflatten(linear(tangent_leaves), output_spec))

    return scope.results(tree_unflatten(outputs, output_spec)), jvp_fn
