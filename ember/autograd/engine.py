"""The backward engine: one topological walk over the recorded graph.

1. Order the nodes reachable from the roots so every node comes after all nodes that feed it a
   gradient (reverse post-order of a depth-first search).
2. Walk that order once. Each node receives the sum of the gradients sent to it, runs its hooks,
   and its `backward` sends gradients on along `next_functions`.
3. The engine, not each op, makes an input's gradient fit the input: summed down to its shape
   when the op broadcast it, cast to its dtype when the op promoted it (as PyTorch's engine does).
4. In anomaly mode (`autograd.detect_anomaly`) it checks each node's gradients for NaN and, when a
   node fails, warns with the traceback of the forward call that created it.
"""
from sys import getrefcount

from .graph import AccumulateGrad, accumulate_grad
from .grad_mode import GradMode
from .anomaly_mode import AnomalyMode, raise_on_nan, warn_forward_traceback

__all__ = ['run_backward', 'current_graph_task_id', 'will_engine_execute_node']


class _GraphTask:
    """One backward call, as hooks may ask about it: its id, and which nodes it will run (found from
    its order and the nodes needed for its `inputs` only when a hook first asks)."""
    __slots__ = ('id', 'order', 'needed', 'nodes')
    next_id = 0

    def __init__(self, order, needed):
        self.id = _GraphTask.next_id
        _GraphTask.next_id += 1
        self.order, self.needed, self.nodes = order, needed, None

    def will_execute(self, node):
        if self.nodes is None:
            self.nodes = self.needed if self.needed is not None else set(self.order)
        return node in self.nodes


_running_tasks = []  # the backward calls under way, innermost (a backward inside a hook) last


def current_graph_task_id():
    """The id of the backward call running now, -1 outside backward (PyTorch's _current_graph_task_id)."""
    return _running_tasks[-1].id if _running_tasks else -1


def will_engine_execute_node(node):
    """Whether the backward call running now will run `node` (a grad_fn or a leaf's AccumulateGrad)."""
    if not _running_tasks:
        raise RuntimeError("_will_engine_execute_node should only be called during the backward pass")
    return _running_tasks[-1].will_execute(node)


def _topological_order(roots):
    """Nodes reachable from `roots`, each before the nodes it sends gradients to."""
    order = []
    visited = set()
    for root in roots:
        if root in visited:
            continue
        visited.add(root)
        stack = [(root, iter(root.next_functions))]
        while stack:
            node, children = stack[-1]
            for child, _ in children:
                if child is not None and child not in visited:
                    visited.add(child)
                    if child.next_functions:
                        stack.append((child, iter(child.next_functions)))
                        break
                    order.append(child)  # a leaf's AccumulateGrad: done as soon as it is seen
            else:
                stack.pop()
                order.append(node)
    order.reverse()
    return order


def _fit_to_input(grad, meta):
    shape, dtype = meta
    data = grad._data
    if data.shape != shape:
        grad = grad.sum_to_size(shape)
    if data.dtype != dtype:
        grad = grad.to(_ember_dtype(dtype))
    return grad


def _ember_dtype(numpy_dtype):
    from .._dtype import from_numpy_dtype
    return from_numpy_dtype(numpy_dtype)


def run_backward(roots, retain_graph, create_graph, inputs=None, accumulate=True):
    """Backpropagate from `roots`, a list of `(node, output_nr, grad)`.

    With `inputs` (a list of `(node, output_nr)` positions), the gradients arriving there are
    returned in a list; `accumulate=False` is `autograd.grad` (no `.grad` is touched),
    `accumulate=True` with inputs is `backward(inputs=...)` (only those leaves accumulate).
    """
    buffers = {}
    for node, nr, grad in roots:
        _add_to_buffer(buffers, node, nr, grad)
    order = _topological_order([node for node, _, _ in roots])

    captured = None
    needed = None
    if inputs is not None:
        captured = {position: None for position in inputs}
        targets = {node for node, _ in inputs}
        # only nodes on a path to a requested input have to run
        needed = set()
        for node in reversed(order):
            if node in targets or any(child in needed for child, _ in node.next_functions):
                needed.add(node)

    previous_mode = GradMode.enabled
    GradMode.enabled = create_graph
    _running_tasks.append(_GraphTask(order, needed))
    anomaly = AnomalyMode.enabled
    if anomaly:
        previous_node = AnomalyMode.current_node
    node = None
    try:
        for node in order:
            grads = buffers.pop(node, None)
            if grads is None or (needed is not None and node not in needed):
                continue
            hooks = node._hooks
            if hooks is not None:
                grads = _run_pre_hooks(node, hooks, grads)
            if captured is not None:
                for nr, g in enumerate(grads):
                    if (node, nr) in captured:
                        captured[(node, nr)] = g if captured[(node, nr)] is None else captured[(node, nr)] + g
            if node.__class__ is AccumulateGrad:
                if accumulate and (captured is None or (node, 0) in captured) and grads[0] is not None:
                    # when nothing but this buffer holds the gradient (getrefcount counts its own
                    # argument too), `.grad` may take the gradient's memory without a copy
                    unshared = hooks is None and getrefcount(grads[0]) == 2
                    accumulate_grad(node.variable, grads[0], unshared)
                    extra = node.variable._extra
                    if extra is not None and extra.post_accumulate_grad_hooks:
                        _run_post_accumulate_grad_hooks(node.variable, extra.post_accumulate_grad_hooks)
                if hooks is not None and hooks.post_hooks:
                    for hook in hooks.post_hooks.values():
                        hook((), grads)
                continue
            if node._freed:
                from .graph import _FREED_MESSAGE
                raise RuntimeError(_FREED_MESSAGE)
            if anomaly:
                AnomalyMode.current_node = node  # the parent of the nodes a create_graph backward records
            input_grads = node.backward(*grads)
            if input_grads.__class__ is not tuple:
                input_grads = (input_grads,)
            if hooks is not None and hooks.post_hooks:
                input_grads = _fitted_to_inputs(node, input_grads)  # what PyTorch's post-hooks see
                for hook in hooks.post_hooks.values():
                    result = hook(input_grads, grads)
                    if result is not None:
                        input_grads = _checked_hook_results(hook, input_grads, result)
            if anomaly and AnomalyMode.check_nan:
                raise_on_nan(node, input_grads)
            if not retain_graph:
                node._release_saved()
            _send(node, input_grads, buffers)
            input_grads = None  # (an AccumulateGrad run next counts the references to its gradient)
    except BaseException:
        if anomaly and node is not None:
            warn_forward_traceback(node)  # the forward line behind the failing node, as PyTorch reports it
        raise
    finally:
        GradMode.enabled = previous_mode
        _running_tasks.pop()
        if anomaly:
            AnomalyMode.current_node = previous_node
    if captured is not None:
        return [captured[position] for position in inputs]
    return None


def _send(node, input_grads, buffers):
    """Add each gradient `node` computed to the buffer of the node its input came from."""
    for (child, nr), grad, meta in zip(node.next_functions, input_grads, node.input_meta):
        if child is None or grad is None:
            continue
        data = grad._data
        if data.shape != meta[0] or data.dtype != meta[1]:
            grad = _fit_to_input(grad, meta)
        _add_to_buffer(buffers, child, nr, grad)


def _fitted_to_inputs(node, input_grads):
    """Each gradient made to fit its input, None for inputs that take no gradient."""
    return tuple(None if grad is None or meta is None else
                 grad if (grad._data.shape, grad._data.dtype) == meta else _fit_to_input(grad, meta)
                 for grad, meta in zip(input_grads, node.input_meta))


def _add_to_buffer(buffers, node, nr, grad):
    grads = buffers.get(node)
    if grads is None:
        if nr == 0:
            buffers[node] = [grad]
            return
        grads = buffers[node] = [None]
    if nr >= len(grads):
        grads.extend([None] * (nr + 1 - len(grads)))
    old = grads[nr]
    # (a sparse gradient goes on the right: dense + sparse is dense, sparse + dense is refused)
    grads[nr] = grad if old is None else (grad + old if old.is_sparse and not grad.is_sparse else old + grad)


def _run_post_accumulate_grad_hooks(variable, hooks):
    """`Tensor.register_post_accumulate_grad_hook`: each hook sees the leaf, its `.grad` now updated."""
    for hook in tuple(hooks.values()):
        result = hook(variable)
        if result is not None:
            raise TypeError(f"expected Variable, but hook returned '{type(result).__name__}'")


def _run_pre_hooks(node, hooks, grads):
    grads = list(grads)
    for nr, tensor_hooks in hooks.tensor_pre_hooks.items():
        if nr < len(grads) and grads[nr] is not None:
            for hook in tuple(tensor_hooks.values()):
                result = hook(grads[nr])
                if result is not None:
                    _check_hook_result(hook, grads[nr], result)
                    grads[nr] = result
    for nr, hook in hooks.retains_grad_hooks.items():
        if nr < len(grads) and grads[nr] is not None:
            hook(grads[nr])
    for hook in tuple(hooks.pre_hooks.values()):
        result = hook(tuple(grads))
        if result is not None:
            grads = list(_checked_hook_results(hook, grads, result))
    return grads


def _check_hook_result(hook, grad, new_grad):
    """A hook may replace a gradient, but only by a tensor of the same type and size: the nodes
    downstream were recorded for those (PyTorch's checks and messages)."""
    from .._tensor import Tensor
    from .graph import _legacy_type_name
    if not isinstance(new_grad, Tensor):
        raise TypeError(f"expected Variable, but hook returned '{type(new_grad).__name__}'")
    name = getattr(hook, '__name__', '<unknown>')
    if new_grad._data.dtype != grad._data.dtype:
        raise RuntimeError(f"hook '{name}' has changed the type of value (was torch.{_legacy_type_name(grad.dtype)} "
                           f"got torch.{_legacy_type_name(new_grad.dtype)})")
    if new_grad._data.shape != grad._data.shape:
        raise RuntimeError(f"hook '{name}' has changed the size of value")


def _checked_hook_results(hook, grads, results):
    """The tuple a node's pre- or post-hook returned, checked gradient by gradient against `grads`."""
    if not isinstance(results, tuple):
        raise TypeError(f"expected tuple, but hook returned '{type(results).__name__}'")
    if len(results) != len(grads):
        raise RuntimeError(f"hook '{getattr(hook, '__name__', '<unknown>')}' has returned an incorrect number of "
                           f"values (got {len(results)}, but expected {len(grads)})")
    for grad, result in zip(grads, results):
        if result is not None:
            if grad is None:
                raise RuntimeError("can't replace a None gradient with a non-None value")
            _check_hook_result(hook, grad, result)
    return results
