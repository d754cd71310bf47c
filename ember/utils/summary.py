"""`summary`: the Keras-style table of a model's layers, their output shapes and parameter counts,
laid out as the `torchsummary` package prints it.

It works by running the model once: a forward hook on every submodule records what that module
returned, so the rows come out in the order the modules *finish* (a block's row follows the rows of
the layers inside it). Example::

    >>> from ember.vision.models import LeNet
    >>> info = ember.utils.summary(LeNet(), (3, 32, 32))      # prints the table
    >>> info.total_params
    62006
    >>> info.rows[0].name, info.rows[0].output_shape
    ('Conv2d-1', [-1, 6, 28, 28])
"""
from collections import namedtuple

from .. import nn
from .._creation import rand
from .._tensor import Tensor
from ..autograd.grad_mode import no_grad

__all__ = ['summary', 'ModelSummary', 'SummaryRow']

_RULE = '-' * 64
_DOUBLE_RULE = '=' * 64
_ROW_FORMAT = '{:>20}  {:>25} {:>15}'
_BYTES_PER_ELEMENT = 4.  # torchsummary sizes everything as float32, whatever the dtypes
_MEGABYTE = 1024 ** 2.

SummaryRow = namedtuple('SummaryRow', ['name', 'type', 'index', 'module_name', 'input_shape', 'output_shape',
                                       'num_params', 'trainable'])
SummaryRow.__doc__ = """One row of the table: `name` is `type-index` (e.g. 'Conv2d-1'); `module_name` the
submodule's name in `named_modules()`; shapes have the batch dimension replaced by `batch_size`;
`output_shape` is a list of shapes when the module returned several tensors; `trainable` says
whether any of the module's own parameters requires grad."""


class ModelSummary:
    """What `summary` returns: the printed `text` (also `str(summary)`), the `rows`, and the totals."""

    def __init__(self, text, rows, total_params, trainable_params, input_size_mb, forward_backward_size_mb,
                 params_size_mb):
        self.text = text
        self.rows = rows
        self.total_params = total_params
        self.trainable_params = trainable_params
        self.non_trainable_params = total_params - trainable_params
        self.input_size_mb = input_size_mb
        self.forward_backward_size_mb = forward_backward_size_mb
        self.params_size_mb = params_size_mb
        self.total_size_mb = params_size_mb + forward_backward_size_mb + input_size_mb

    def __str__(self):
        return self.text

    def __repr__(self):
        return self.text


def _batch_shape(tensor, batch_size):
    shape = list(tensor.shape)
    if shape:
        shape[0] = batch_size
    return shape


def _num_elements(shape):
    """Elements in a shape, or in a list of shapes (a module returning several tensors)."""
    if shape and isinstance(shape[0], list):
        return sum(_num_elements(s) for s in shape)
    count = 1
    for size in shape:
        count *= size
    return count


def summary(model, input_size, batch_size=-1, device=None, dtypes=None, print_summary=True):
    """Run `model` once on random inputs of shape `(2, *input_size)` and tabulate every submodule
    that is not a Sequential/ModuleList (nor the model itself): its output shape and its number of
    parameters, then the totals and torchsummary's memory estimate. `input_size` is one shape
    (without the batch dimension) or a list of shapes for a model taking several inputs; `dtypes`
    gives the input dtypes (default float32); `device` is accepted for torchsummary's signature.
    The model runs in the mode it is in, as torchsummary runs it, so the random stream (the input
    draw, dropout masks) advances exactly as in a PyTorch script that calls torchsummary; like
    there, a BatchNorm in training mode updates its running statistics. No graph is recorded.
    Prints the table unless `print_summary=False`; returns a `ModelSummary`."""
    input_sizes = [tuple(input_size)] if isinstance(input_size, tuple) else [tuple(s) for s in input_size]
    if dtypes is None:
        dtypes = [None] * len(input_sizes)
    # a batch of 2, as torchsummary uses, so that layers that need more than one sample still run
    inputs = [rand(2, *size) if dtype is None else rand(2, *size).type(dtype)
              for size, dtype in zip(input_sizes, dtypes)]

    rows = []
    trainable_counts = []  # per row: how many of its parameters require grad
    names = {module: name for name, module in model.named_modules()}

    def record(module, args, output):
        outputs = output if isinstance(output, (list, tuple)) else (output,)
        shapes = [_batch_shape(o, batch_size) for o in outputs if isinstance(o, Tensor)]
        own_params = list(module.parameters(recurse=False))
        trainable_counts.append(sum(p.numel() for p in own_params if p.requires_grad))
        rows.append(SummaryRow(
            name=f'{type(module).__name__}-{len(rows) + 1}', type=type(module).__name__, index=len(rows) + 1,
            module_name=names.get(module, ''),
            input_shape=_batch_shape(args[0], batch_size) if args and isinstance(args[0], Tensor) else None,
            output_shape=shapes[0] if len(shapes) == 1 and not isinstance(output, (list, tuple)) else shapes,
            # torchsummary reads only `.weight` and `.bias`; every parameter the module owns itself gives
            # the same counts for the standard layers and the right ones for e.g. LSTM
            num_params=sum(p.numel() for p in own_params),
            trainable=any(p.requires_grad for p in own_params)))

    handles = [module.register_forward_hook(record) for module in model.modules()
               if module is not model and not isinstance(module, (nn.Sequential, nn.ModuleList))]
    try:
        with no_grad():
            model(*inputs)
    finally:
        for handle in handles:
            handle.remove()

    total_params = sum(row.num_params for row in rows)
    trainable_params = sum(trainable_counts)
    total_output = sum(_num_elements(row.output_shape) for row in rows)
    # torchsummary multiplies the dimensions of *all* inputs together (not the sum of their sizes) and
    # counts every output twice (its gradient); kept so the numbers match its tables
    input_elements = _num_elements([d for size in input_sizes for d in size])
    input_size_mb = abs(input_elements * batch_size * _BYTES_PER_ELEMENT / _MEGABYTE)
    forward_backward_size_mb = abs(2. * total_output * _BYTES_PER_ELEMENT / _MEGABYTE)
    params_size_mb = abs(total_params * _BYTES_PER_ELEMENT / _MEGABYTE)

    lines = [_RULE, _ROW_FORMAT.format('Layer (type)', 'Output Shape', 'Param #'), _DOUBLE_RULE]
    lines += [_ROW_FORMAT.format(row.name, str(row.output_shape), f'{row.num_params:,}') for row in rows]
    lines += [_DOUBLE_RULE,
              f'Total params: {total_params:,}',
              f'Trainable params: {trainable_params:,}',
              f'Non-trainable params: {total_params - trainable_params:,}',
              _RULE,
              'Input size (MB): %0.2f' % input_size_mb,
              'Forward/backward pass size (MB): %0.2f' % forward_backward_size_mb,
              'Params size (MB): %0.2f' % params_size_mb,
              'Estimated Total Size (MB): %0.2f' % (params_size_mb + forward_backward_size_mb + input_size_mb),
              _RULE]
    result = ModelSummary('\n'.join(lines) + '\n', rows, total_params, trainable_params, input_size_mb,
                          forward_backward_size_mb, params_size_mb)
    if print_summary:
        print(result.text)
    return result
