"""Recurrent layers: `RNN`, `LSTM`, `GRU` (whole sequences, stacked, optionally bidirectional) and
`RNNCell`, `LSTMCell`, `GRUCell` (one time step).

The sequence layers keep PyTorch's parameters and names (`weight_ih_l{k}`, `weight_hh_l{k}`,
`bias_ih_l{k}`, `bias_hh_l{k}`, `weight_hr_l{k}` for LSTM's projection, `_reverse` for the backward
direction) so a torch state_dict loads as is. Each (layer, direction) is one fused kernel over the
sequence (`ember._ops.rnn.rnn_layer`); padded inputs are handed to it in the packed layout with
every batch size equal, so padded and `PackedSequence` inputs share one path.
"""
import math
import numbers
import warnings

import numpy as np

from ..._creation import zeros, empty, empty_like
from ..._ops import cat, stack
from ..._ops import rnn as rnn_ops
from ..parameter import Parameter
from .. import init
from ..utils.rnn import PackedSequence
from .module import Module

__all__ = ['RNNBase', 'RNN', 'LSTM', 'GRU', 'RNNCellBase', 'RNNCell', 'LSTMCell', 'GRUCell']

_GATES = {'LSTM': 4, 'GRU': 3, 'RNN_TANH': 1, 'RNN_RELU': 1}


def _dropout(input, p):
    """PyTorch's CPU dropout between layers: `input * (bernoulli(1 - p) / (1 - p))`, the noise drawn
    with the shape of the layer's output, so seeded runs drop the same units as torch."""
    if p == 1:
        return input * 0
    noise = empty_like(input).bernoulli_(1 - p)
    noise.div_(1 - p)
    return input * noise


class RNNBase(Module):
    """The common part of RNN, LSTM and GRU: parameters, argument checks, the layer loop."""

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__()
        if not isinstance(dropout, numbers.Number) or not 0 <= dropout <= 1 or isinstance(dropout, bool):
            raise ValueError("dropout should be a number in range [0, 1] representing the probability of an "
                             "element being zeroed")
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so non-zero dropout "
                          f"expects num_layers greater than 1, but got dropout={dropout} and "
                          f"num_layers={num_layers}", stacklevel=2)
        if not isinstance(bias, bool):
            raise TypeError(f"bias should be of type bool, got: {type(bias).__name__}")
        if not isinstance(hidden_size, int):
            raise TypeError(f"hidden_size should be of type int, got: {type(hidden_size).__name__}")
        if input_size <= 0:
            raise ValueError("input_size must be greater than zero")
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if mode not in _GATES:
            raise ValueError("Unrecognized RNN mode: " + mode)
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        num_directions = 2 if bidirectional else 1
        gate_size = _GATES[mode] * hidden_size
        real_hidden_size = proj_size if proj_size > 0 else hidden_size

        self._flat_weights_names = []
        self._all_weights = []
        for layer in range(num_layers):
            for direction in range(num_directions):
                layer_input_size = input_size if layer == 0 else real_hidden_size * num_directions
                shapes = [('weight_ih', (gate_size, layer_input_size)), ('weight_hh', (gate_size, real_hidden_size))]
                if bias:
                    shapes += [('bias_ih', (gate_size,)), ('bias_hh', (gate_size,))]
                if proj_size > 0:
                    shapes.append(('weight_hr', (proj_size, hidden_size)))
                suffix = '_reverse' if direction == 1 else ''
                names = [f"{kind}_l{layer}{suffix}" for kind, _ in shapes]
                for name, (_, shape) in zip(names, shapes):
                    setattr(self, name, Parameter(empty(shape, device=device, dtype=dtype)))
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    @property
    def _flat_weights(self):
        return [getattr(self, name) for name in self._flat_weights_names]

    @property
    def all_weights(self):
        """The parameters of each (layer, direction), in PyTorch's order."""
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    def flatten_parameters(self):
        """A cuDNN memory-layout optimisation in PyTorch; nothing to do here."""

    def reset_parameters(self):
        """PyTorch's default: every weight and bias ~ U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)),
        drawn in parameter order."""
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s

    # ---- forward ----------------------------------------------------------------------------------
    def _hidden_shape(self, batch, cell=False):
        num_directions = 2 if self.bidirectional else 1
        size = self.hidden_size if cell or self.proj_size == 0 else self.proj_size
        return (self.num_layers * num_directions, batch, size)

    def _check_hidden(self, hx, expected, message="Expected hidden size {}, got {}"):
        if tuple(hx.shape) != expected:
            raise RuntimeError(message.format(expected, list(hx.shape)))

    def _check_hidden_dims(self, hx, dims):
        """The hidden state has as many dimensions as the input (batched 3-D or unbatched 2-D)."""
        kind = 'batched 3-D' if dims == 3 else 'unbatched 2-D'
        if self.mode == 'LSTM':
            if hx[0].dim() != dims or hx[1].dim() != dims:
                raise RuntimeError(f"For {kind} input, hx and cx should also be {dims}-D but got "
                                   f"({hx[0].dim()}-D, {hx[1].dim()}-D) tensors")
        elif hx.dim() != dims:
            raise RuntimeError(f"For {kind} input, hx should also be {dims}-D but got {hx.dim()}-D tensor")

    def forward(self, input, hx=None):
        is_lstm = self.mode == 'LSTM'
        name = {'LSTM': 'LSTM', 'GRU': 'GRU'}.get(self.mode, 'RNN')
        packed = isinstance(input, PackedSequence)
        if packed:
            data, batch_sizes_tensor, sorted_indices, unsorted_indices = input
            batch_sizes = batch_sizes_tensor._data
            batch = int(batch_sizes[0])
            if data.dim() != 2:
                raise RuntimeError(f"input must have 2 dimensions, got {data.dim()}")
            if hx is not None and sorted_indices is not None:  # the caller's order -> sorted order
                hx = tuple(h.index_select(1, sorted_indices) for h in hx) if is_lstm \
                    else hx.index_select(1, sorted_indices)
        else:
            if input.dim() not in (2, 3):
                raise ValueError(f"{name}: Expected input to be 2D or 3D, got {input.dim()}D "
                                 f"{'tensor instead' if name == 'RNN' else 'instead'}")
            batched = input.dim() == 3
            if hx is not None:
                self._check_hidden_dims(hx, 3 if batched else 2)
            if not batched:
                input = input.unsqueeze(0 if self.batch_first else 1)
                if hx is not None:
                    hx = tuple(h.unsqueeze(1) for h in hx) if is_lstm else hx.unsqueeze(1)
            if self.batch_first:
                input = input.transpose(0, 1)
            steps, batch = input.shape[0], input.shape[1]
            data = input.reshape(steps * batch, input.shape[2])
            batch_sizes = np.full(steps, batch, dtype=np.int64)
        weight_dtype = self.weight_ih_l0.dtype
        if data.dtype != weight_dtype:
            raise ValueError(f"RNN input dtype ({data.dtype}) does not match weight dtype ({weight_dtype}). "
                             f"Convert input: input.to({weight_dtype}), or convert model: model.to({data.dtype})")
        if data.shape[-1] != self.input_size:
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected {self.input_size}, "
                               f"got {data.shape[-1]}")

        if hx is None:
            h0 = zeros(self._hidden_shape(batch), dtype=data.dtype)
            c0 = zeros(self._hidden_shape(batch, cell=True), dtype=data.dtype) if is_lstm else None
        elif is_lstm:
            h0, c0 = hx
            self._check_hidden(h0, self._hidden_shape(batch), "Expected hidden[0] size {}, got {}")
            self._check_hidden(c0, self._hidden_shape(batch, cell=True), "Expected hidden[1] size {}, got {}")
        else:
            h0, c0 = hx, None
            self._check_hidden(h0, self._hidden_shape(batch))

        output, h_n, c_n = self._run_layers(data, batch_sizes, h0, c0)

        if packed:
            output = PackedSequence(output, batch_sizes_tensor, sorted_indices, unsorted_indices)
            if unsorted_indices is not None:
                h_n = h_n.index_select(1, unsorted_indices)
                c_n = c_n.index_select(1, unsorted_indices) if is_lstm else None
        else:
            output = output.reshape(steps, batch, output.shape[-1])
            if self.batch_first:
                output = output.transpose(0, 1)
            if not batched:
                output = output.squeeze(0 if self.batch_first else 1)
                h_n = h_n.squeeze(1)
                c_n = c_n.squeeze(1) if is_lstm else None
        return output, ((h_n, c_n) if is_lstm else h_n)

    def _run_layers(self, data, batch_sizes, h0, c0):
        """The stacked layers over packed `data`; dropout on every layer's output but the last."""
        num_directions = 2 if self.bidirectional else 1
        layer_input = data
        h_n, c_n = [], []
        for layer in range(self.num_layers):
            outputs = []
            for direction in range(num_directions):
                index = layer * num_directions + direction
                weights = [getattr(self, name) for name in self._all_weights[index]]
                w_ih, w_hh = weights[0], weights[1]
                b_ih, b_hh = (weights[2], weights[3]) if self.bias else (None, None)
                w_hr = weights[-1] if self.proj_size > 0 else None
                out, h, c = rnn_ops.rnn_layer(self.mode, layer_input, batch_sizes, h0[index],
                                              c0[index] if c0 is not None else None, w_ih, w_hh, b_ih, b_hh, w_hr,
                                              reverse=direction == 1)
                outputs.append(out)
                h_n.append(h)
                c_n.append(c)
            layer_input = outputs[0] if num_directions == 1 else cat(outputs, 1)
            if self.dropout and self.training and layer < self.num_layers - 1:
                layer_input = _dropout(layer_input, self.dropout)
        return layer_input, stack(h_n), (stack(c_n) if c0 is not None else None)


class RNN(RNNBase):
    """Elman RNN: h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) (or relu, `nonlinearity='relu'`).
    Arguments: input_size, hidden_size, num_layers=1, nonlinearity='tanh', bias=True, batch_first=False,
    dropout=0.0, bidirectional=False."""

    def __init__(self, *args, **kwargs):
        if 'proj_size' in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if len(args) > 3:
            self.nonlinearity = args[3]
            args = args[:3] + args[4:]
        else:
            self.nonlinearity = kwargs.pop('nonlinearity', 'tanh')
        if self.nonlinearity == 'tanh':
            mode = 'RNN_TANH'
        elif self.nonlinearity == 'relu':
            mode = 'RNN_RELU'
        else:
            raise ValueError(f"Unknown nonlinearity '{self.nonlinearity}'. Select from 'tanh' or 'relu'.")
        super().__init__(mode, *args, **kwargs)


class LSTM(RNNBase):
    """Long short-term memory: gates i, f, g, o; c_t = f c_{t-1} + i g; h_t = o tanh(c_t), projected by
    W_hr when proj_size > 0. `forward(input, (h_0, c_0))` returns `output, (h_n, c_n)`."""

    def __init__(self, *args, **kwargs):
        super().__init__('LSTM', *args, **kwargs)


class GRU(RNNBase):
    """Gated recurrent unit: r, z = sigmoid(...), n = tanh(W_in x + b_in + r (W_hn h + b_hn)),
    h_t = (1 - z) n + z h_{t-1}."""

    def __init__(self, *args, **kwargs):
        if 'proj_size' in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__('GRU', *args, **kwargs)


# ---- cells --------------------------------------------------------------------------------------
class RNNCellBase(Module):
    """Parameters of a one-step cell: weight_ih (chunks * hidden, input), weight_hh (chunks * hidden,
    hidden), bias_ih, bias_hh, all ~ U(-1/sqrt(hidden), 1/sqrt(hidden))."""

    def __init__(self, input_size, hidden_size, bias, num_chunks, device=None, dtype=None):
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.weight_ih = Parameter(empty((num_chunks * hidden_size, input_size), device=device, dtype=dtype))
        self.weight_hh = Parameter(empty((num_chunks * hidden_size, hidden_size), device=device, dtype=dtype))
        if bias:
            self.bias_ih = Parameter(empty(num_chunks * hidden_size, device=device, dtype=dtype))
            self.bias_hh = Parameter(empty(num_chunks * hidden_size, device=device, dtype=dtype))
        else:
            self.register_parameter('bias_ih', None)
            self.register_parameter('bias_hh', None)
        self.reset_parameters()

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if getattr(self, 'nonlinearity', 'tanh') != 'tanh':
            s += f", nonlinearity={self.nonlinearity}"
        return s

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def _batched(self, input, hx, name):
        """Check dims, add the batch dimension to 1-D input/hidden, default the hidden state to zeros."""
        if input.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D instead")
        hidden = hx if isinstance(hx, tuple) else (hx,)
        for i, h in enumerate(hidden):
            if h is not None and h.dim() not in (1, 2):
                label = f"hx[{i}]" if isinstance(hx, tuple) else "hidden"
                raise ValueError(f"{name}: Expected {label} to be 1D or 2D, got {h.dim()}D instead")
        is_batched = input.dim() == 2
        if not is_batched:
            input = input.unsqueeze(0)
            hidden = tuple(h.unsqueeze(0) if h is not None else None for h in hidden)
        if input.shape[1] != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {input.shape[1]} expected {self.input_size}")
        hidden = tuple(h if h is not None else zeros(input.shape[0], self.hidden_size, dtype=input.dtype)
                       for h in hidden)
        return input, hidden, is_batched

    def _weights(self):
        return self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh


class RNNCell(RNNCellBase):
    """One Elman step: h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh) (or relu)."""

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity='tanh', device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=1, device=device, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        input, (hx,), is_batched = self._batched(input, hx, 'RNNCell')
        if self.nonlinearity == 'tanh':
            h = rnn_ops.rnn_tanh_cell(input, hx, *self._weights())
        elif self.nonlinearity == 'relu':
            h = rnn_ops.rnn_relu_cell(input, hx, *self._weights())
        else:
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        return h if is_batched else h.squeeze(0)


class LSTMCell(RNNCellBase):
    """One LSTM step: `forward(input, (h, c))` returns `(h', c')`."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=4, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        input, hidden, is_batched = self._batched(input, hx if hx is not None else (None, None), 'LSTMCell')
        h, c = rnn_ops.lstm_cell(input, hidden, *self._weights())
        return (h, c) if is_batched else (h.squeeze(0), c.squeeze(0))


class GRUCell(RNNCellBase):
    """One GRU step: h' = (1 - z) n + z h."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=3, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        input, (hx,), is_batched = self._batched(input, hx, 'GRUCell')
        h = rnn_ops.gru_cell(input, hx, *self._weights())
        return h if is_batched else h.squeeze(0)
