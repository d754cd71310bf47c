"""`torch.utils.checkpoint`: trade compute for memory by recomputing a block's forward during backward.

`checkpoint(function, *args, use_reentrant=True)` runs `function` without recording a graph, keeps
only its inputs, and when backward reaches the block runs `function` again with grad enabled and
backpropagates through that second run. Dropout and other random ops must draw the same numbers both
times, so the generator's state is saved before the forward and restored for the recomputation
(`preserve_rng_state=True`), then put back so the rest of the program sees the RNG as if the block had
run once.

`use_reentrant=False` in PyTorch records the forward normally and drops and recomputes what it saved;
ember runs the block once with a normal graph instead: the outputs, gradients and RNG stream are
PyTorch's, only the memory saving is not reproduced.
"""
import warnings

from .._tensor import Tensor
from ..autograd import backward
from ..autograd.function import Function
from ..autograd.grad_mode import enable_grad
from ..nn.modules.container import Sequential
from ..random import fork_rng, get_rng_state, set_rng_state

__all__ = ['checkpoint', 'checkpoint_sequential', 'CheckpointFunction', 'detach_variable']


def detach_variable(inputs):
    """The tensors of `inputs` detached into leaves that keep their requires_grad; other values as they are."""
    if not isinstance(inputs, tuple):
        raise RuntimeError(f"Only tuple of tensors is supported. Got Unsupported input type: {type(inputs).__name__}")
    return tuple(x.detach().requires_grad_(x.requires_grad) if isinstance(x, Tensor) else x for x in inputs)


class CheckpointFunction(Function):
    """The reentrant checkpoint: a single graph node whose backward reruns the block and its backward."""

    @staticmethod
    def forward(ctx, run_function, preserve_rng_state, *args):
        if not any(arg.requires_grad for arg in args if isinstance(arg, Tensor)):
            warnings.warn("None of the inputs have requires_grad=True. Gradients will be None")
        ctx.run_function = run_function
        ctx.preserve_rng_state = preserve_rng_state
        if preserve_rng_state:
            ctx.fwd_cpu_state = get_rng_state()
        ctx.inputs = [None if isinstance(arg, Tensor) else arg for arg in args]
        ctx.tensor_indices = [i for i, arg in enumerate(args) if isinstance(arg, Tensor)]
        ctx.save_for_backward(*(arg for arg in args if isinstance(arg, Tensor)))
        return run_function(*args)  # Function.apply runs forward with grad disabled

    @staticmethod
    def backward(ctx, *grad_outputs):
        inputs = list(ctx.inputs)
        for index, tensor in zip(ctx.tensor_indices, ctx.saved_tensors):
            inputs[index] = tensor
        with fork_rng(enabled=ctx.preserve_rng_state):
            if ctx.preserve_rng_state:
                set_rng_state(ctx.fwd_cpu_state)  # the same dropout masks as the forward drew
            detached_inputs = detach_variable(tuple(inputs))
            with enable_grad():
                outputs = ctx.run_function(*detached_inputs)
        if isinstance(outputs, Tensor):
            outputs = (outputs,)
        outputs_with_grad, grads_with_output = [], []
        for output, grad in zip(outputs, grad_outputs):
            if isinstance(output, Tensor) and output.requires_grad:
                outputs_with_grad.append(output)
                grads_with_output.append(grad)
        if len(outputs_with_grad) == 0:
            raise RuntimeError("none of output has requires_grad=True, this checkpoint() is not necessary")
        # a backward inside backward: parameters used in the block get their .grad here
        backward(outputs_with_grad, grads_with_output)
        return (None, None) + tuple(x.grad if isinstance(x, Tensor) else None for x in detached_inputs)


def checkpoint(function, *args, use_reentrant=None, context_fn=None, determinism_check='default', debug=False,
               early_stop=True, **kwargs):
    """`function(*args)`, recomputed during backward instead of keeping its intermediate results."""
    if use_reentrant is None:
        warnings.warn("torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly. Starting "
                      "in PyTorch 2.9, calling checkpoint without use_reentrant will raise an exception. "
                      "use_reentrant=False is recommended, but if you need to preserve the current default "
                      "behavior, you can pass use_reentrant=True. Refer to docs for more details on the "
                      "differences between the two variants.", stacklevel=2)
        use_reentrant = True
    preserve = kwargs.pop('preserve_rng_state', True)
    if kwargs and use_reentrant:
        raise ValueError("Unexpected keyword arguments: " + ",".join(arg for arg in kwargs))
    if use_reentrant:
        if context_fn is not None or debug is not False:
            raise ValueError("Passing `context_fn` or `debug` is only supported when use_reentrant=False.")
        return CheckpointFunction.apply(function, preserve, *args)
    return function(*args, **kwargs)


def checkpoint_sequential(functions, segments, input, use_reentrant=None, **kwargs):
    """Run `functions` (a Sequential or a list of modules) in `segments` chunks, checkpointing all but the last."""
    if use_reentrant is None:
        warnings.warn("torch.utils.checkpoint.checkpoint_sequential: the use_reentrant parameter should be "
                      "passed explicitly. In version 2.9 we will raise an exception if use_reentrant is not "
                      "passed. use_reentrant=False is recommended, but if you need to preserve the current "
                      "default behavior, you can pass use_reentrant=True. Refer to docs for more details on "
                      "the differences between the two variants.", stacklevel=2)
        use_reentrant = True
    preserve = kwargs.pop('preserve_rng_state', True)
    if kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(arg for arg in kwargs))

    def run_function(start, end, functions):
        def forward(input):
            for j in range(start, end + 1):
                input = functions[j](input)
            return input
        return forward

    if isinstance(functions, Sequential):
        functions = list(functions.children())
    segment_size = len(functions) // segments
    end = -1  # the last segment runs normally: its output is what backward starts from
    for start in range(0, segment_size * (segments - 1), segment_size):
        end = start + segment_size - 1
        input = checkpoint(run_function(start, end, functions), input, use_reentrant=use_reentrant,
                           preserve_rng_state=preserve)
    return run_function(end + 1, len(functions) - 1, functions)(input)
