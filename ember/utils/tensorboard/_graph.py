"""`add_graph`: one forward of an `nn.Module` as a TensorFlow `GraphDef` for TensorBoard's graph tab.

PyTorch traces the model with the JIT. ember has no JIT, but it has the autograd graph, which is a
record of every differentiable op of the forward: run the model once (inputs made to require grad, so
every op that touches them is recorded) and walk the `grad_fn` graph back from the outputs. Each
autograd node becomes one graph node (its op is the forward op, `AddmmBackward0` -> `addmm`); its edges
are the node's `next_functions`. Parameters and inputs are the graph's leaves.

Names follow PyTorch's module scopes, `Net/Sequential[features]/Linear[0]/addmm`: forward hooks on
every submodule see each call's inputs and outputs, and an op belongs to the innermost module call
that lies between them (walking back from the call's outputs, stopping at its inputs).
"""
import functools
import inspect
import re

from tensorboard.compat.proto.attr_value_pb2 import AttrValue
from tensorboard.compat.proto.config_pb2 import RunMetadata
from tensorboard.compat.proto.graph_pb2 import GraphDef
from tensorboard.compat.proto.node_def_pb2 import NodeDef
from tensorboard.compat.proto.step_stats_pb2 import DeviceStepStats, StepStats
from tensorboard.compat.proto.tensor_shape_pb2 import TensorShapeProto
from tensorboard.compat.proto.versions_pb2 import VersionDef

from ..._tensor import Tensor
from ...autograd.graph import AccumulateGrad
from ...autograd.grad_mode import enable_grad


def _tensors_in(value):
    """The tensors in a forward's arguments or result (nested tuples, lists and dicts)."""
    if isinstance(value, Tensor):
        yield value
    elif isinstance(value, (tuple, list)):
        for item in value:
            yield from _tensors_in(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _tensors_in(item)


def _record_call(calls, path, module, args, output):
    calls.append((path, args, output))


def _trace(model, args):
    """Run `model(*args)` once in eval mode with grad enabled; return the graph-ready inputs, the
    output, and every module call as (module path, args, output), innermost calls first."""
    inputs = tuple(arg.detach().requires_grad_() if isinstance(arg, Tensor) and arg.is_floating_point() else arg
                   for arg in args)
    calls = []
    handles = [module.register_forward_hook(functools.partial(_record_call, calls, path))
               for path, module in model.named_modules()]
    was_training = model.training
    model.train(False)  # as PyTorch's add_graph: dropout and batch-norm statistics as at inference
    try:
        with enable_grad():
            output = model(*inputs)
    finally:
        model.train(was_training)
        for handle in handles:
            handle.remove()
    return inputs, output, calls


def _producer(tensor):
    """The graph node that made `tensor`, and which of its outputs it is."""
    if tensor.grad_fn is not None:
        return tensor.grad_fn, tensor._output_nr
    if tensor.requires_grad:
        return tensor._grad_accumulator(), 0
    return None, 0


def _walk_back(start_nodes, stop_nodes=()):
    """Nodes reachable backwards from `start_nodes` without passing `stop_nodes`, in forward order
    (every node after the nodes it takes inputs from)."""
    order, seen = [], set(map(id, stop_nodes))
    for start in start_nodes:
        if start is None or id(start) in seen:
            continue
        seen.add(id(start))
        stack = [(start, iter(start.next_functions))]
        while stack:  # depth-first, post-order, without recursion: graphs may be thousands deep
            node, edges = stack[-1]
            for next_node, _ in edges:
                if next_node is not None and id(next_node) not in seen:
                    seen.add(id(next_node))
                    stack.append((next_node, iter(next_node.next_functions)))
                    break
            else:
                stack.pop()
                order.append(node)
    return order


def _op_name(node):
    # name the forward op the node records, as ATen spells it: SplitWithSizesBackward0 -> split_with_sizes
    forward_name = re.sub(r'Backward\d*$', '', type(node).__name__) or type(node).__name__
    return re.sub(r'(?<!^)(?=[A-Z])', '_', forward_name).lower()


def _node_def(name, op, inputs, shapes):
    shape_protos = [TensorShapeProto(unknown_rank=True) if shape is None else
                    TensorShapeProto(dim=[TensorShapeProto.Dim(size=size) for size in shape]) for shape in shapes]
    return NodeDef(name=name, op=op, input=inputs,
                   attr={'_output_shapes': AttrValue(list=AttrValue.ListValue(shape=shape_protos))})


def graph(model, input_to_model=None):
    """The `GraphDef` of one forward of `model` on `input_to_model` (a tensor or a tuple of them),
    and the `RunMetadata` TensorBoard expects next to it (PyTorch logs an empty CPU step)."""
    if input_to_model is None:
        args = ()
    elif isinstance(input_to_model, (tuple, list)):
        args = tuple(input_to_model)
    else:
        args = (input_to_model,)
    inputs, output, calls = _trace(model, args)
    outputs = list(_tensors_in(output))

    # scope names: Net/Sequential[features]/Linear[0], as PyTorch's trace names them
    scopes = {}
    for path, module in model.named_modules():
        parent, _, attribute = path.rpartition('.')
        scopes[path] = f"{scopes[parent]}/{type(module).__name__}[{attribute}]" if path else type(model).__name__

    # leaves: model inputs (named after forward's parameters) and parameters (under their module)
    leaf_names = {}
    try:
        arg_names = [p for p in inspect.signature(model.forward).parameters][:len(inputs)]
    except (TypeError, ValueError):
        arg_names = []
    arg_names += [f"input.{i}" for i in range(len(arg_names), len(inputs))]
    for arg_name, tensor in zip(arg_names, inputs):
        leaf_names[id(tensor)] = (f"input/{arg_name}", 'IO Node')
    for qualified_name, parameter in model.named_parameters():
        path, _, attribute = qualified_name.rpartition('.')
        leaf_names[id(parameter)] = (f"{scopes[path]}/{attribute}", 'Parameter')

    # each op in the innermost module call that made it; hooks fire innermost first
    scope_of = {}
    for path, call_args, call_output in calls:
        boundary = [node for node, _ in map(_producer, _tensors_in(call_args)) if node is not None]
        starts = [node for node, _ in map(_producer, _tensors_in(call_output))]
        for node in _walk_back(starts, boundary):
            scope_of.setdefault(id(node), scopes.get(path, scopes['']))

    # each node's output shapes, read off its consumers' input metadata and the traced tensors
    nodes = _walk_back([_producer(t)[0] for t in outputs])
    shapes = {}
    for node in nodes:
        for (next_node, output_nr), meta in zip(node.next_functions, node.input_meta):
            if next_node is not None and meta is not None:
                shapes.setdefault(id(next_node), {})[output_nr] = tuple(meta[0])
    for _, call_args, call_output in calls:
        for tensor in _tensors_in((call_args, call_output)):
            node, output_nr = _producer(tensor)
            if node is not None:
                shapes.setdefault(id(node), {})[output_nr] = tuple(tensor.shape)

    names, used, node_defs = {}, set(), []
    for node in nodes:
        if isinstance(node, AccumulateGrad):
            name, op = leaf_names.get(id(node.variable), (f"{scopes['']}/tensor", 'Tensor'))
        else:
            name, op = f"{scope_of.get(id(node), scopes[''])}/{_op_name(node)}", _op_name(node)
        unique, count = name, 0
        while unique in used:  # the second `mul` in a scope is `mul.1`
            count += 1
            unique = f"{name}.{count}"
        used.add(unique)
        names[id(node)] = unique
        edges = [names[id(next_node)] + (f":{output_nr}" if output_nr else '')
                 for next_node, output_nr in node.next_functions if next_node is not None]
        node_shapes = shapes.get(id(node), {})
        node_defs.append(_node_def(unique, op, edges,
                                   [node_shapes.get(nr) for nr in range(max(node_shapes, default=-1) + 1)]))
    for i, tensor in enumerate(outputs):
        node, output_nr = _producer(tensor)
        edges = [] if node is None else [names[id(node)] + (f":{output_nr}" if output_nr else '')]
        node_defs.append(_node_def(f"output/output.{i + 1}", 'IO Node', edges, [tuple(tensor.shape)]))

    # producer 22: the GraphDef version PyTorch writes, which TensorBoard's graph plugin reads
    run_metadata = RunMetadata(step_stats=StepStats(dev_stats=[DeviceStepStats(device="/device:CPU:0")]))
    return GraphDef(node=node_defs, versions=VersionDef(producer=22)), run_metadata
