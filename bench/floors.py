"""Two lower bounds for a workload's step, to read ember's and torch's times against.

- The FLOP floor: the step's GEMM/convolution arithmetic divided by this machine's measured sgemm
  rate. Forward: 2 FLOPs per multiply-add of each convolution and linear layer. A training step
  adds the same again twice in backward (weight gradient and input gradient), except the input
  gradient of the first layer, which nobody needs (neither library computes it). Element-wise
  work (ReLU, pooling, the loss, the optimizer) is not counted: the floor is the GEMMs alone.
- The NumPy floor: the same network written by hand in NumPy, no framework: explicit im2col +
  GEMM + col2im for the convolutions, the backward formulas written out, in-place SGD. It does
  the arithmetic a framework must do with no graph, no bookkeeping and no argument checks.

The NumPy networks are built from the torch workload's own model and data, and `numpy_floor_step`
asserts that their first loss equals torch's before anything is timed.
"""
import time

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from . import workloads


# ---- the machine: sgemm rate ---------------------------------------------------------------------
def sgemm_flops_per_second(size=2048, repeats=5):
    """FLOP/s of a float32 size x size matmul (NumPy's BLAS with its current thread count), best of
    `repeats`: the peak the FLOP floor divides by."""
    a = np.random.default_rng(0).standard_normal((size, size), dtype=np.float32)
    a @ a  # warm up (threads started, pages touched)
    best = min(_seconds(lambda: a @ a) for _ in range(repeats))
    return 2 * size ** 3 / best


def _seconds(function):
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


# ---- the layers, forward and backward written out ------------------------------------------------
class Conv2d:
    """Cross-correlation as one GEMM: the (C*kh*kw, N*L) matrix of the input's windows (the batch
    inside the columns), times the (O, C*kh*kw) weight matrix."""
    __slots__ = ('weight', 'bias', 'padding', 'columns', 'input_shape', 'grads', 'multiply_adds')

    def __init__(self, weight, bias, padding):
        self.weight, self.bias, self.padding = weight, bias, padding

    def forward(self, x):
        n, c, h, w = self.input_shape = x.shape
        out_channels, _, kh, kw = self.weight.shape
        p = self.padding
        padded = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p))) if p else x
        windows = sliding_window_view(padded, (kh, kw), axis=(2, 3))  # (N, C, oh, ow, kh, kw), a view
        oh, ow = windows.shape[2:4]
        self.columns = windows.transpose(1, 4, 5, 0, 2, 3).reshape(c * kh * kw, n * oh * ow)  # the one copy
        self.multiply_adds = out_channels * self.columns.shape[0] * self.columns.shape[1]
        out = self.weight.reshape(out_channels, -1) @ self.columns + self.bias[:, None]
        return np.ascontiguousarray(out.reshape(out_channels, n, oh, ow).transpose(1, 0, 2, 3))

    def backward(self, grad, need_input_grad=True):
        out_channels, c, kh, kw = self.weight.shape
        n, _, h, w = self.input_shape
        oh, ow = grad.shape[2:]
        grad_matrix = grad.transpose(1, 0, 2, 3).reshape(out_channels, -1)  # (O, N*L)
        self.grads = [(grad_matrix @ self.columns.T).reshape(self.weight.shape), grad_matrix.sum(1)]
        if not need_input_grad:
            return None
        # col2im: each column's gradient added back into the window it was copied from; with the
        # batch innermost ((C, H, W, N) layout) each of the kh*kw adds runs over rows of ow*N
        grad_batch_last = grad.transpose(1, 2, 3, 0).reshape(out_channels, -1)
        blocks = (self.weight.reshape(out_channels, -1).T @ grad_batch_last).reshape(c, kh, kw, oh, ow, n)
        p = self.padding
        grad_padded = np.zeros((c, h + 2 * p, w + 2 * p, n), dtype=grad.dtype)
        for i in range(kh):
            for j in range(kw):
                grad_padded[:, i:i + oh, j:j + ow] += blocks[:, i, j]
        return np.ascontiguousarray(grad_padded[:, p:p + h, p:p + w].transpose(3, 0, 1, 2))

    def parameters(self):
        return [self.weight, self.bias]


class Linear:
    """x @ weight.T + bias (bias optional)."""
    __slots__ = ('weight', 'bias', 'input', 'grads', 'multiply_adds')

    def __init__(self, weight, bias):
        self.weight, self.bias = weight, bias

    def forward(self, x):
        self.input = x
        self.multiply_adds = x.shape[0] * self.weight.size
        out = x @ self.weight.T
        return out if self.bias is None else out + self.bias

    def backward(self, grad, need_input_grad=True):
        self.grads = [grad.T @ self.input] + ([] if self.bias is None else [grad.sum(0)])
        return grad @ self.weight if need_input_grad else None

    def parameters(self):
        return [self.weight] + ([] if self.bias is None else [self.bias])


class ReLU:
    __slots__ = ('positive',)

    def forward(self, x):
        self.positive = x > 0
        return np.maximum(x, 0)

    def backward(self, grad, need_input_grad=True):
        return grad * self.positive


class Tanh:
    __slots__ = ('output',)

    def forward(self, x):
        self.output = np.tanh(x)
        return self.output

    def backward(self, grad, need_input_grad=True):
        return grad * (1 - self.output * self.output)


class TilePool:
    """Max or mean over non-overlapping `size` x `size` tiles (MaxPool2d(2); AdaptiveAvgPool2d
    when the input is a multiple of the output). Max: an elementwise maximum of the size^2 strided
    views of the input (one per position in the tile); mean: a reshape and one reduction."""
    __slots__ = ('size', 'mean', 'views', 'output')

    def __init__(self, size, mean):
        self.size, self.mean = size, mean

    def forward(self, x):
        n, c, h, w = x.shape
        s = self.size
        if self.mean:
            return x.reshape(n, c, h // s, s, w // s, s).mean((3, 5))
        self.views = [x[:, :, i::s, j::s] for i in range(s) for j in range(s)]
        self.output = self.views[0].copy()
        for view in self.views[1:]:
            np.maximum(self.output, view, out=self.output)
        return self.output

    def backward(self, grad, need_input_grad=True):
        n, c, oh, ow = grad.shape
        s = self.size
        if self.mean:
            tiles = np.broadcast_to(grad[:, :, :, None, :, None] / (s * s), (n, c, oh, s, ow, s))
            return np.ascontiguousarray(tiles).reshape(n, c, oh * s, ow * s)
        # the gradient goes to the maximum; a tie sends it to every tied element, which after a
        # ReLU only happens between zeros, whose gradient the ReLU then drops
        grad_input = np.empty((n, c, oh * s, ow * s), dtype=grad.dtype)
        for position, view in enumerate(self.views):
            i, j = divmod(position, s)
            np.multiply(grad, view == self.output, out=grad_input[:, :, i::s, j::s])
        return grad_input


class Flatten:
    __slots__ = ('shape',)

    def forward(self, x):
        self.shape = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, grad, need_input_grad=True):
        return grad.reshape(self.shape)


def cross_entropy(logits, target):
    """Mean negative log-likelihood of softmax(logits) and its gradient, softmax - one_hot."""
    shifted = logits - logits.max(1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(1, keepdims=True))
    rows = np.arange(len(target))
    loss = -log_probs[rows, target].mean()
    grad = np.exp(log_probs)
    grad[rows, target] -= 1
    return loss, grad / len(target)


class Network:
    """A sequence of the layers above, with the training step written out."""

    def __init__(self, layers):
        self.layers = layers
        self.gemm_layers = [layer for layer in layers if isinstance(layer, (Conv2d, Linear))]
        self.momentum_buffers = None

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def train_step(self, x, target, lr, momentum=0.0):
        """Forward, cross-entropy, backward, SGD (with momentum, as torch.optim.SGD) in place."""
        loss, grad = cross_entropy(self.forward(x), target)
        first = self.layers.index(self.gemm_layers[0])
        for i in range(len(self.layers) - 1, first - 1, -1):
            grad = self.layers[i].backward(grad, need_input_grad=i > first)
        params = [p for layer in self.gemm_layers for p in layer.parameters()]
        grads = [g for layer in self.gemm_layers for g in layer.grads]
        if momentum and self.momentum_buffers is None:  # torch's first step: the buffer is the gradient
            self.momentum_buffers = [g.copy() for g in grads]
        elif momentum:
            for buffer, g in zip(self.momentum_buffers, grads):
                buffer *= momentum
                buffer += g
        for p, update in zip(params, self.momentum_buffers if momentum else grads):
            p -= lr * update
        return loss

    def flops(self, training):
        """GEMM FLOPs of a step (after one forward has recorded the layer sizes)."""
        forward = sum(2 * layer.multiply_adds for layer in self.gemm_layers)
        if not training:
            return forward
        first_input_grad = 2 * self.gemm_layers[0].multiply_adds  # not computed by anyone
        return 3 * forward - first_input_grad


# ---- the networks of the workloads, from the torch models ----------------------------------------
def _numpy(tensor):
    return None if tensor is None else tensor.detach().numpy().copy()


def network_from_torch(model):
    """The NumPy layers of a torch nn.Sequential made of the module types the workloads use."""
    layers = []
    for module in model:
        kind = type(module).__name__
        if kind == 'Conv2d':
            layers.append(Conv2d(_numpy(module.weight), _numpy(module.bias), module.padding[0]))
        elif kind == 'Linear':
            layers.append(Linear(_numpy(module.weight), _numpy(module.bias)))
        elif kind in ('ReLU', 'Tanh', 'Flatten'):
            layers.append({'ReLU': ReLU, 'Tanh': Tanh, 'Flatten': Flatten}[kind]())
        elif kind == 'MaxPool2d':
            layers.append(TilePool(module.kernel_size, mean=False))
        elif kind == 'AdaptiveAvgPool2d':
            layers.append(TilePool(None, mean=True))  # the tile size is set from the input below
        else:
            raise ValueError(f"no NumPy floor for {kind}")
    return Network(layers)


def _set_adaptive_tiles(network, x, output_size):
    """AdaptiveAvgPool2d(output_size) on an input that is a multiple of it: tiles of input/output."""
    for layer in network.layers:
        if isinstance(layer, TilePool) and layer.size is None:
            layer.size = x.shape[-1] // output_size
            return layer.forward(x)
        x = layer.forward(x)


def _conv_net_floor(torch, model_builder, batch_shape, adaptive_output=None):
    model = model_builder(torch)
    x, y = workloads.image_batch(torch, batch_shape)
    torch_loss = torch.nn.functional.cross_entropy(model(x), y).item()
    network = network_from_torch(model)
    x, y = x.numpy(), y.numpy()
    if adaptive_output is not None:
        _set_adaptive_tiles(network, x, adaptive_output)
    loss = network.train_step(x, y, lr=0.01, momentum=0.9)
    assert np.isclose(loss, torch_loss, rtol=1e-4), f"NumPy floor loss {loss} != torch's {torch_loss}"
    return network, lambda: network.train_step(x, y, lr=0.01, momentum=0.9), network.flops(training=True)


def _w1(torch):
    return _conv_net_floor(torch, workloads.lenet, workloads.W1_BATCH)


def _w4(torch):
    return _conv_net_floor(torch, workloads.larger_cnn, workloads.W4_BATCH, adaptive_output=4)


def _w3(torch):
    model = workloads.deep_tanh_mlp(torch)
    x = np.random.default_rng(0).standard_normal(workloads.W3_BATCH, dtype=np.float32)
    with torch.no_grad():
        expected = model(torch.tensor(x)).numpy()
    network = network_from_torch(model)
    # the activations shrink to ~1e-24 over the 100 layers: compare relative to their largest
    difference = np.abs(network.forward(x) - expected).max()
    assert difference <= 1e-4 * np.abs(expected).max(), f"NumPy floor output differs from torch's by {difference}"
    return network, lambda: network.forward(x), network.flops(training=False)


def _w2(torch):
    x, y, params = workloads.mnist_mlp_data(torch)
    logp = torch.log_softmax((((x @ params[0] + params[1]).relu() @ params[2] + params[3]).relu()) @ params[4]
                             + params[5], 1)
    torch_loss = -logp.gather(1, y[:, None]).mean().item()
    weights = [_numpy(p) for p in params]
    # W2 multiplies x @ w with w stored (in, out): the Linear's weight is its transposed view
    network = Network([Linear(weights[0].T, weights[1]), ReLU(), Linear(weights[2].T, weights[3]), ReLU(),
                       Linear(weights[4].T, weights[5])])
    x, y = x.numpy(), y.numpy()
    loss = network.train_step(x, y, lr=workloads.W2_LR)
    assert np.isclose(loss, torch_loss, rtol=1e-4), f"NumPy floor loss {loss} != torch's {torch_loss}"
    return network, lambda: network.train_step(x, y, lr=workloads.W2_LR), network.flops(training=True)


FLOORS = {'W1': _w1, 'W2': _w2, 'W3': _w3, 'W4': _w4}


def numpy_floor_step(name, torch):
    """(step, flops) of the NumPy floor of workload `name`; asserts its loss matches torch's first."""
    _, step, flops = FLOORS[name](torch)
    return step, flops
