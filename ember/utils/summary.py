"""`summary`: the Keras-style table of a model's layers, their output shapes and parameter counts,
exactly as the `torchsummary` package (1.5.1) prints it; like it, `summary()` returns None.
`model_summary()` gives the same table as data (rows and totals) without printing.

It works by running the model once: a forward hook on every submodule records what that module
returned, so the rows come out in the order the modules *finish* (a block's row follows the rows of
the layers inside it). Example::

    >>> from ember.vision.models import LeNet
    >>> ember.utils.summary(LeNet(), (3, 32, 32))      # prints the table
    >>> info = model_summary(LeNet(), (3, 32, 32))
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

__all__ = ['summary', 'model_summary', 'ModelSummary', 'SummaryRow']

_RULE = '-' * 64
_DOUBLE_RULE = '=' * 64
_ROW_FORMAT = '{:>20}  {:>25} {:>15}'
_BYTES_PER_ELEMENT = 4.  # torchsummary sizes everything as float32, whatever the dtypes
_MEGABYTE = 1024 ** 2.

SummaryRow = namedtuple('SummaryRow', ['name', 'type', 'index', 'module_name', 'input_shape', 'output_shape',
                                       'num_params', 'trainable'])
SummaryRow.__doc__ = """One row of the table: `name` is `type-index` (e.g. 'Conv2d-1'); `module_name` the
submodule's name in `named_modules()`; shapes have the batch dimension replaced by `batch_size`
(by -1 in each of the shapes of a module that returned several tensors); `num_params` counts the
module's `weight` and `bias`, and `trainable` is `weight.requires_grad`: torchsummary's rules."""


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


def _product(shape):
    """The product of every size in a shape or in a list of shapes, as torchsummary's np.prod takes it."""
    count = 1
    for size in shape:
        count *= _product(size) if isinstance(size, list) else size
    return count


def _weight_and_bias(module):
    """The tensors torchsummary counts: a module's `weight` and `bias` (not, e.g., an LSTM's weight_ih_l0)."""
    return [t for t in (getattr(module, 'weight', None), getattr(module, 'bias', None)) if hasattr(t, 'size')]


def model_summary(model, input_size, batch_size=-1, dtypes=None):
    """Run `model` once on random inputs of shape `(2, *input_size)` and tabulate every submodule
    that is not a Sequential/ModuleList (nor the model itself): its output shape and its number of
    parameters, then the totals and torchsummary's memory estimate, in a `ModelSummary`.
    `input_size` is one shape (without the batch dimension) or a list of shapes for a model taking
    several inputs; `dtypes` gives the input dtypes (default float32).
    The model runs in the mode it is in, as torchsummary runs it, so the random stream (the input
    draw, dropout masks) advances exactly as in a PyTorch script that calls torchsummary; like
    there, a BatchNorm in training mode updates its running statistics. No graph is recorded."""
    input_sizes = [tuple(input_size)] if isinstance(input_size, tuple) else [tuple(s) for s in input_size]
    if dtypes is None:
        dtypes = [None] * len(input_sizes)
    # a batch of 2, as torchsummary uses, so that layers that need more than one sample still run
    inputs = [rand(2, *size) if dtype is None else rand(2, *size).type(dtype)
              for size, dtype in zip(input_sizes, dtypes)]

    rows = []
    names = {module: name for name, module in model.named_modules()}

    def record(module, args, output):
        if isinstance(output, (list, tuple)):
            # torchsummary writes -1 (not batch_size) into each shape of a tuple output
            output_shape = [_batch_shape(o, -1) for o in output if isinstance(o, Tensor)]
        else:
            output_shape = _batch_shape(output, batch_size)
        weight = getattr(module, 'weight', None)
        rows.append(SummaryRow(
            name=f'{type(module).__name__}-{len(rows) + 1}', type=type(module).__name__, index=len(rows) + 1,
            module_name=names.get(module, ''),
            input_shape=_batch_shape(args[0], batch_size) if args and isinstance(args[0], Tensor) else None,
            output_shape=output_shape,
            num_params=sum(t.numel() for t in _weight_and_bias(module)),
            trainable=hasattr(weight, 'size') and weight.requires_grad))

    handles = []

    def register_hook(module):
        if not isinstance(module, (nn.Sequential, nn.ModuleList)) and module is not model:
            handles.append(module.register_forward_hook(record))

    model.apply(register_hook)
    try:
        with no_grad():
            model(*inputs)
    finally:
        for handle in handles:
            handle.remove()

    total_params = sum(row.num_params for row in rows)
    trainable_params = sum(row.num_params for row in rows if row.trainable)
    total_output = sum(_product(row.output_shape) for row in rows)
    # torchsummary multiplies the dimensions of *all* inputs together (not the sum of their sizes) and
    # counts every output twice (its gradient); kept so the numbers match its tables
    input_size_mb = abs(_product([d for size in input_sizes for d in size]) * batch_size * _BYTES_PER_ELEMENT
                        / _MEGABYTE)
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
    return ModelSummary('\n'.join(lines) + '\n', rows, total_params, trainable_params, input_size_mb,
                        forward_backward_size_mb, params_size_mb)


def summary(model, input_size, batch_size=-1, device="cuda", dtypes=None):
    """torchsummary's `summary`: print the table of `model_summary(model, input_size, batch_size,
    dtypes)` and return None. `device` ('cuda' or 'cpu', as torchsummary checks) changes nothing:
    torchsummary falls back to the CPU when CUDA is not available, and ember always runs there."""
    if device.lower() not in ('cuda', 'cpu'):
        raise AssertionError("Input device is not valid, please specify 'cuda' or 'cpu'")
    print(model_summary(model, input_size, batch_size, dtypes).text, end='')
