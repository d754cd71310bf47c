"""Recurrent kernels: one layer of an RNN/LSTM/GRU, in one direction, over a whole sequence.

The layer is one graph node (as PyTorch's oneDNN LSTM records one `MkldnnRnnLayerBackward0` per
layer) so that a step costs one GEMM and a handful of NumPy calls, forward and backward:
- the input projections of all time steps are ONE GEMM before the loop (`x @ W_ih.T`);
- each step is ONE GEMM for all gates (`h @ W_hh.T`), then the gate nonlinearities;
- backward walks the steps in reverse (one GEMM per step for the gradient of h), and the weight
  gradients are one GEMM each over all steps after the loop.

Sequences are stored packed: `data` is (N, input_size) with the rows of time step t at
`offsets[t]:offsets[t] + batch_sizes[t]`, batch sizes non-increasing (a padded (T, B, I) input is
the packed layout with every batch size B). A step updates the first `batch_sizes[t]` rows of the
hidden state only: going forward, the other rows are sequences that already ended and keep their
final state; going in reverse, they are sequences that have not started yet and still hold h0.

Gate layouts are PyTorch's: LSTM (i, f, g, o), GRU (r, z, n) with
`n = tanh(W_in x + b_in + r * (W_hn h + b_hn))`. LSTM with `proj_size` projects
`h = (o * tanh(c)) @ W_hr.T`.

A backward that must itself be differentiable (`create_graph=True`) replays the layer with the
composite cell functions below, which are written with ember ops, and differentiates that.
"""
import numpy as np

from ..autograd.graph import Node
from ..autograd.grad_mode import GradMode
from ._util import record, results, wrap
from .linalg import matmul
from .shape import cat

__all__ = []


def _sigmoid(x):
    return 0.5 * np.tanh(0.5 * x) + 0.5  # one ufunc pass fewer than 1 / (1 + exp(-x)), and no overflow


def _steps(batch_sizes, reverse):
    """(start, batch_size) of each time step, in the order the layer visits them."""
    offsets = np.concatenate(([0], np.cumsum(batch_sizes)[:-1]))
    pairs = list(zip(offsets.tolist(), batch_sizes.tolist()))
    return pairs[::-1] if reverse else pairs


# ---- composite cells (RNNCell, LSTMCell, GRUCell and the double-backward replay) -----------------
def _gates(input, hidden, w_ih, w_hh, b_ih, b_hh):
    gates = matmul(input, w_ih.t()) + matmul(hidden, w_hh.t())
    if b_ih is not None:
        gates = gates + b_ih + b_hh
    return gates


def rnn_tanh_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)."""
    return _gates(input, hx, w_ih, w_hh, b_ih, b_hh).tanh()


def rnn_relu_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """h' = relu(x W_ih^T + b_ih + h W_hh^T + b_hh)."""
    return _gates(input, hx, w_ih, w_hh, b_ih, b_hh).relu()


def lstm_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None, w_hr=None):
    """(h', c') of one LSTM step; gates (i, f, g, o); `w_hr` projects h' when given."""
    h, c = hx
    i, f, g, o = _gates(input, h, w_ih, w_hh, b_ih, b_hh).chunk(4, 1)
    c = f.sigmoid() * c + i.sigmoid() * g.tanh()
    h = o.sigmoid() * c.tanh()
    if w_hr is not None:
        h = matmul(h, w_hr.t())
    return h, c


def gru_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """h' = n + z * (h - n) with r, z = sigmoid(.), n = tanh(W_in x + b_in + r * (W_hn h + b_hn))."""
    gx = matmul(input, w_ih.t())
    gh = matmul(hx, w_hh.t())
    if b_ih is not None:
        gx = gx + b_ih
        gh = gh + b_hh
    x_r, x_z, x_n = gx.chunk(3, 1)
    h_r, h_z, h_n = gh.chunk(3, 1)
    r = (x_r + h_r).sigmoid()
    z = (x_z + h_z).sigmoid()
    n = (x_n + r * h_n).tanh()
    return n + z * (hx - n)


# ---- the fused layer: NumPy forward and backward of each mode, side by side ----------------------
def _rnn_forward(relu, gx, h, steps, w_hh):
    """Elman RNN: h_t = act(gx_t + h_{t-1} W_hh^T). Saves the outputs (the activation's derivative
    is a function of them)."""
    out = np.empty((gx.shape[0], h.shape[1]), gx.dtype)
    h_prev = np.empty_like(out)
    w_hh_t = w_hh.T
    for start, bs in steps:
        rows = slice(start, start + bs)
        h_prev[rows] = h[:bs]
        pre = gx[rows] + h[:bs] @ w_hh_t
        h[:bs] = np.maximum(pre, 0) if relu else np.tanh(pre)
        out[rows] = h[:bs]
    return out, h, {'h_prev': h_prev, 'out': out}


def _rnn_backward(relu, saved, grad_out, dh, steps, w_hh):
    out = saved['out']
    dpre = np.empty_like(out)
    for start, bs in reversed(steps):
        rows = slice(start, start + bs)
        dh_t = dh[:bs] + grad_out[rows]
        y = out[rows]
        dpre[rows] = dh_t * (y > 0) if relu else dh_t * (1 - y * y)
        dh[:bs] = dpre[rows] @ w_hh
    return dpre, dpre, dh, None


def _lstm_forward(gx, h, c, steps, w_hh, w_hr):
    """LSTM: gates = gx_t + h W_hh^T; c = f c + i g; m = o tanh(c); h = m (or m W_hr^T)."""
    hidden = c.shape[1]
    n = gx.shape[0]
    acts = np.empty((n, 4 * hidden), gx.dtype)        # i, f, g, o after their nonlinearities
    c_prev = np.empty((n, hidden), gx.dtype)
    tanh_c = np.empty((n, hidden), gx.dtype)
    h_prev = np.empty((n, h.shape[1]), gx.dtype)
    out = np.empty((n, h.shape[1]), gx.dtype)
    m_all = np.empty((n, hidden), gx.dtype) if w_hr is not None else None
    w_hh_t = w_hh.T
    for start, bs in steps:
        rows = slice(start, start + bs)
        h_prev[rows] = h[:bs]
        c_prev[rows] = c[:bs]
        a = gx[rows] + h[:bs] @ w_hh_t
        a[:, :2 * hidden] = _sigmoid(a[:, :2 * hidden])
        a[:, 2 * hidden:3 * hidden] = np.tanh(a[:, 2 * hidden:3 * hidden])
        a[:, 3 * hidden:] = _sigmoid(a[:, 3 * hidden:])
        acts[rows] = a
        c_new = a[:, hidden:2 * hidden] * c[:bs] + a[:, :hidden] * a[:, 2 * hidden:3 * hidden]
        c[:bs] = c_new
        tc = tanh_c[rows] = np.tanh(c_new)
        m = a[:, 3 * hidden:] * tc
        if w_hr is not None:
            m_all[rows] = m
            m = m @ w_hr.T
        h[:bs] = m
        out[rows] = m
    return out, h, c, {'acts': acts, 'c_prev': c_prev, 'tanh_c': tanh_c, 'h_prev': h_prev, 'm': m_all}


def _lstm_backward(saved, grad_out, dh, dc, steps, w_hh, w_hr):
    acts, c_prev, tanh_c = saved['acts'], saved['c_prev'], saved['tanh_c']
    hidden = dc.shape[1]
    dpre = np.empty_like(acts)
    dh_all = np.empty_like(grad_out) if w_hr is not None else None
    for start, bs in reversed(steps):
        rows = slice(start, start + bs)
        dh_t = dh[:bs] + grad_out[rows]
        if w_hr is not None:
            dh_all[rows] = dh_t
            dh_t = dh_t @ w_hr
        a = acts[rows]
        i, f, g, o = a[:, :hidden], a[:, hidden:2 * hidden], a[:, 2 * hidden:3 * hidden], a[:, 3 * hidden:]
        tc = tanh_c[rows]
        dc_t = dc[:bs] + dh_t * o * (1 - tc * tc)
        d = dpre[rows]
        d[:, :hidden] = dc_t * g * i * (1 - i)                       # through sigmoid(i)
        d[:, hidden:2 * hidden] = dc_t * c_prev[rows] * f * (1 - f)  # through sigmoid(f)
        d[:, 2 * hidden:3 * hidden] = dc_t * i * (1 - g * g)         # through tanh(g)
        d[:, 3 * hidden:] = dh_t * tc * o * (1 - o)                  # through sigmoid(o)
        dc[:bs] = dc_t * f
        dh[:bs] = d @ w_hh
    grad_w_hr = dh_all.T @ saved['m'] if w_hr is not None else None
    return dpre, dpre, dh, dc, grad_w_hr


def _gru_forward(gx, h, steps, w_hh, b_hh):
    """GRU: r, z = sigmoid(gx + gh), n = tanh(gx_n + r gh_n), h = n + z (h - n); gh = h W_hh^T + b_hh
    (b_hh stays inside r * (...), so it is not folded into gx)."""
    hidden = h.shape[1]
    n_rows = gx.shape[0]
    acts = np.empty((n_rows, 3 * hidden), gx.dtype)       # r, z, n
    gh_n = np.empty((n_rows, hidden), gx.dtype)
    h_prev = np.empty((n_rows, hidden), gx.dtype)
    out = np.empty((n_rows, hidden), gx.dtype)
    w_hh_t = w_hh.T
    for start, bs in steps:
        rows = slice(start, start + bs)
        hp = h_prev[rows] = h[:bs]
        gh = hp @ w_hh_t
        if b_hh is not None:
            gh += b_hh
        x = gx[rows]
        a = acts[rows]
        a[:, :2 * hidden] = _sigmoid(x[:, :2 * hidden] + gh[:, :2 * hidden])
        gh_n[rows] = gh[:, 2 * hidden:]
        a[:, 2 * hidden:] = np.tanh(x[:, 2 * hidden:] + a[:, :hidden] * gh[:, 2 * hidden:])
        n = a[:, 2 * hidden:]
        h[:bs] = out[rows] = n + a[:, hidden:2 * hidden] * (hp - n)
    return out, h, {'acts': acts, 'gh_n': gh_n, 'h_prev': h_prev}


def _gru_backward(saved, grad_out, dh, steps, w_hh):
    acts, gh_n, h_prev = saved['acts'], saved['gh_n'], saved['h_prev']
    hidden = dh.shape[1]
    dgx = np.empty_like(acts)
    dgh = np.empty_like(acts)
    for start, bs in reversed(steps):
        rows = slice(start, start + bs)
        dh_t = dh[:bs] + grad_out[rows]
        a = acts[rows]
        r, z, n = a[:, :hidden], a[:, hidden:2 * hidden], a[:, 2 * hidden:]
        dn = dh_t * (1 - z) * (1 - n * n)
        dx, dhh = dgx[rows], dgh[rows]
        dx[:, :hidden] = dhh[:, :hidden] = dn * gh_n[rows] * r * (1 - r)
        dx[:, hidden:2 * hidden] = dhh[:, hidden:2 * hidden] = dh_t * (h_prev[rows] - n) * z * (1 - z)
        dx[:, 2 * hidden:] = dn
        dhh[:, 2 * hidden:] = dn * r
        dh[:bs] = dh_t * z + dhh @ w_hh
    return dgx, dgh, dh, None


class MkldnnRnnLayerBackward0(Node):
    """Backward of one recurrent layer over a whole sequence (inputs: data, h0, c0, w_ih, w_hh,
    b_ih, b_hh, w_hr; outputs: output, h_n, c_n)."""
    __slots__ = ('mode', 'batch_sizes', 'reverse', 'arrays')

    def _release_saved(self):
        super()._release_saved()
        self.arrays = None  # the per-step activations are saved tensors too

    def backward(self, grad_output, grad_hn=None, grad_cn=None):
        data, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr = self.saved_tensors
        if GradMode.enabled:  # create_graph: differentiate the composite replay instead
            return _replay_backward(self, (grad_output, grad_hn, grad_cn))
        arrays, steps = self.arrays, _steps(self.batch_sizes, self.reverse)
        x = data._data
        n, dtype = x.shape[0], x.dtype
        g_out = grad_output._data if grad_output is not None else np.zeros((n, h0._data.shape[1]), dtype)
        dh = grad_hn._data.copy() if grad_hn is not None else np.zeros(h0._data.shape, dtype)
        grad_w_hr = None
        if self.mode == 'LSTM':
            dc = grad_cn._data.copy() if grad_cn is not None else np.zeros(c0._data.shape, dtype)
            dgx, dgh, dh, dc, grad_w_hr = _lstm_backward(arrays, g_out, dh, dc, steps, w_hh._data,
                                                         None if w_hr is None else w_hr._data)
        elif self.mode == 'GRU':
            dgx, dgh, dh, dc = _gru_backward(arrays, g_out, dh, steps, w_hh._data)
        else:
            dgx, dgh, dh, dc = _rnn_backward(self.mode == 'RNN_RELU', arrays, g_out, dh, steps, w_hh._data)
        need = self.needs_input_grad
        return (wrap(dgx @ w_ih._data) if need(0) else None,
                wrap(dh) if need(1) else None,
                wrap(dc) if dc is not None and need(2) else None,
                wrap(dgx.T @ x) if need(3) else None,
                wrap(dgh.T @ arrays['h_prev']) if need(4) else None,
                wrap(dgx.sum(0)) if b_ih is not None and need(5) else None,
                wrap(dgh.sum(0)) if b_hh is not None and need(6) else None,
                wrap(grad_w_hr) if grad_w_hr is not None and need(7) else None)


def rnn_layer(mode, data, batch_sizes, h0, c0, w_ih, w_hh, b_ih=None, b_hh=None, w_hr=None, reverse=False):
    """One layer, one direction, over a packed sequence `data` (N, input_size) with `batch_sizes`
    (a NumPy int array). `mode` is 'RNN_TANH', 'RNN_RELU', 'LSTM' or 'GRU'; `c0` is None except
    for LSTM. Returns (output (N, hidden or proj), h_n, c_n or None)."""
    steps = _steps(batch_sizes, reverse)
    x = data._data
    gx = x @ w_ih._data.T
    if b_ih is not None:
        # LSTM and Elman RNN add both biases before the nonlinearity: fold them into the projection
        gx += b_ih._data if mode == 'GRU' else b_ih._data + b_hh._data
    h = h0._data.copy()
    c_n = None
    if mode == 'LSTM':
        out, h_n, c_n, arrays = _lstm_forward(gx, h, c0._data.copy(), steps, w_hh._data,
                                              None if w_hr is None else w_hr._data)
    elif mode == 'GRU':
        out, h_n, arrays = _gru_forward(gx, h, steps, w_hh._data, None if b_hh is None else b_hh._data)
    else:
        out, h_n, arrays = _rnn_forward(mode == 'RNN_RELU', gx, h, steps, w_hh._data)
    node = record(MkldnnRnnLayerBackward0, data, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr)
    if node is not None:
        node.mode, node.batch_sizes, node.reverse, node.arrays = mode, batch_sizes, reverse, arrays
        node.save_for_backward(data, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr)
    outputs = results([out, h_n] + ([c_n] if c_n is not None else []), node)
    return outputs[0], outputs[1], (outputs[2] if c_n is not None else None)


def _replay_layer(mode, data, batch_sizes, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, reverse):
    """The layer written with the composite cells (differentiable, slow): for double backward."""
    h, c = h0, c0
    outputs = [None] * len(batch_sizes)
    for t, (start, bs) in enumerate(_steps(batch_sizes, reverse)):
        x = data[start:start + bs]
        if mode == 'LSTM':
            h_new, c_new = lstm_cell(x, (h[:bs], c[:bs]), w_ih, w_hh, b_ih, b_hh, w_hr)
            c = c_new if bs == c.shape[0] else cat([c_new, c[bs:]])
        elif mode == 'GRU':
            h_new = gru_cell(x, h[:bs], w_ih, w_hh, b_ih, b_hh)
        else:
            cell = rnn_relu_cell if mode == 'RNN_RELU' else rnn_tanh_cell
            h_new = cell(x, h[:bs], w_ih, w_hh, b_ih, b_hh)
        h = h_new if bs == h.shape[0] else cat([h_new, h[bs:]])
        outputs[t] = h_new
    if reverse:
        outputs.reverse()
    return cat(outputs), h, c


def _replay_backward(node, grads):
    from ..autograd import grad as autograd_grad
    inputs = node.saved_tensors
    out = _replay_layer(node.mode, inputs[0], node.batch_sizes, *inputs[1:], node.reverse)
    pairs = [(o, g) for o, g in zip(out, grads) if o is not None and g is not None]
    wanted = [i for i, x in enumerate(inputs) if x is not None and node.needs_input_grad(i)]
    found = autograd_grad([o for o, _ in pairs], [inputs[i] for i in wanted], [g for _, g in pairs],
                          create_graph=True, allow_unused=True)
    grads_in = [None] * len(inputs)
    for i, g in zip(wanted, found):
        grads_in[i] = g
    return tuple(grads_in)
