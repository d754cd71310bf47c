"""Op table rows: the activation functions of nn.functional and torch.* (their kernels have their
own graph nodes), and dropout with a fixed seed (masks must match PyTorch's bit for bit)."""
import numpy as np

from ._spec import OpCase, ErrorCase, Float, Int, Arr, Py  # noqa: F401

F = lambda m: m.nn.functional  # noqa: E731

# values on the kinks (0, +-1, +-3, +-0.5, 6) where the piecewise derivatives are easy to get wrong
KINKS = Arr(np.array([-6.0, -3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 3.0, 6.0, 7.0]))
# large magnitudes: overflow-prone branches (exp, softplus threshold)
LARGE = Arr(np.array([-90.0, -30.0, -15.0, 15.0, 30.0, 90.0]))


def _seeded(fn):
    """Run `fn(m, *inputs)` right after seeding the library's generator, so masks match."""
    def run(m, *inputs):
        m.manual_seed(7)
        return fn(m, *inputs)
    return run


def _inplace(fn):
    """Apply an in-place form to a non-leaf copy (`x * 1`), which autograd allows."""
    return lambda m, a: fn(m, a * 1)


OP_CASES = [
    # ---- relu family
    OpCase('relu6', lambda m, a: F(m).relu6(a * 4), [(3, 4)], gradgrad=True),
    OpCase('relu6_kinks', lambda m, a: F(m).relu6(a), [KINKS], gradcheck=False),
    OpCase('relu6_int', lambda m, a: F(m).relu6(a), [Int((8,), -3, 9)], grad=False),
    OpCase('relu6_inplace', _inplace(lambda m, a: F(m).relu6(a * 4, inplace=True)), [(3, 4)]),
    OpCase('leaky_relu', lambda m, a: F(m).leaky_relu(a), [(3, 4)], gradgrad=True),
    OpCase('leaky_relu_slope', lambda m, a: F(m).leaky_relu(a, 0.2), [(2, 3, 2)]),
    OpCase('leaky_relu_negative_slope', lambda m, a: F(m).leaky_relu(a, -0.5), [(5,)]),
    OpCase('leaky_relu_kinks', lambda m, a: F(m).leaky_relu(a, 0.1), [KINKS], gradcheck=False),
    OpCase('leaky_relu_inplace', _inplace(lambda m, a: F(m).leaky_relu(a, 0.3, inplace=True)), [(3, 4)]),
    OpCase('leaky_relu_', _inplace(lambda m, a: F(m).leaky_relu_(a)), [(6,)], gradgrad=True),
    OpCase('hardtanh', lambda m, a: F(m).hardtanh(a), [(3, 4)]),
    OpCase('hardtanh_range', lambda m, a: F(m).hardtanh(a, -0.5, 1.5), [(3, 4)], gradgrad=True),
    OpCase('hardtanh_kinks', lambda m, a: F(m).hardtanh(a), [KINKS], gradcheck=False),
    OpCase('hardtanh_', _inplace(lambda m, a: F(m).hardtanh_(a, -0.2, 0.4)), [(3, 4)]),
    OpCase('threshold', lambda m, a: F(m).threshold(a, 0.1, 20.0), [(3, 4)], gradgrad=True),
    OpCase('threshold_torch', lambda m, a: m.threshold(a, -0.5, -1.0), [(3, 4)]),
    OpCase('threshold_inplace', _inplace(lambda m, a: F(m).threshold(a, 0.1, 2.0, inplace=True)), [(3, 4)]),
    OpCase('threshold_', _inplace(lambda m, a: m.threshold_(a, 0.0, 0.5)), [(5,)], gradgrad=True),
    OpCase('threshold_int', lambda m, a: F(m).threshold(a, 1, 7), [Int((8,), -3, 4)], grad=False),
    OpCase('prelu_shared', lambda m, a, w: F(m).prelu(a, w), [(2, 3, 4), Float((1,), 0.1, 0.4)]),
    OpCase('prelu_channels', lambda m, a, w: F(m).prelu(a, w), [(2, 3, 4), Float((3,), 0.1, 0.4)]),
    OpCase('prelu_channels_4d', lambda m, a, w: m.prelu(a, w), [(2, 3, 2, 2), Float((3,), -0.5, 0.5)]),
    OpCase('prelu_1d', lambda m, a, w: a.prelu(w), [(5,), Float((1,), 0.1, 0.4)]),
    OpCase('prelu_2d', lambda m, a, w: F(m).prelu(a, w), [(4, 3), Float((3,), 0.1, 0.4)]),
    OpCase('rrelu_eval', lambda m, a: F(m).rrelu(a), [(3, 4)], gradgrad=True),
    OpCase('rrelu_eval_bounds', lambda m, a: m.rrelu(a, 0.2, 0.5), [(3, 4)]),
    OpCase('rrelu_train', _seeded(lambda m, a: F(m).rrelu(a, training=True)), [(4, 5)], gradgrad=True),
    OpCase('rrelu_train_bounds', _seeded(lambda m, a: F(m).rrelu(a, 0.05, 0.9, training=True)), [(3, 7)]),
    OpCase('rrelu_train_inplace', _inplace(_seeded(lambda m, a: F(m).rrelu(a, training=True, inplace=True))),
           [(4, 5)]),
    OpCase('rrelu_', _inplace(_seeded(lambda m, a: m.rrelu_(a, 0.1, 0.3, True))), [(10,)]),
    # ---- exponential units
    OpCase('elu', lambda m, a: F(m).elu(a), [(3, 4)], gradgrad=True),
    OpCase('elu_alpha', lambda m, a: F(m).elu(a, 0.5), [(3, 4)]),
    OpCase('elu_large', lambda m, a: F(m).elu(a), [LARGE], gradcheck=False),
    OpCase('elu_inplace', _inplace(lambda m, a: F(m).elu(a, 2.0, inplace=True)), [(3, 4)]),
    OpCase('elu_', _inplace(lambda m, a: F(m).elu_(a)), [(6,)], gradgrad=True),
    OpCase('selu', lambda m, a: F(m).selu(a), [(3, 4)], gradgrad=True),
    OpCase('selu_torch', lambda m, a: m.selu(a), [(3, 4)]),
    OpCase('selu_inplace', _inplace(lambda m, a: F(m).selu(a, inplace=True)), [(3, 4)]),
    OpCase('selu_', _inplace(lambda m, a: m.selu_(a)), [(6,)]),
    OpCase('celu', lambda m, a: F(m).celu(a), [(3, 4)]),
    OpCase('celu_alpha', lambda m, a: m.celu(a, 2.5), [(3, 4)], gradgrad=True),
    OpCase('celu_inplace', _inplace(lambda m, a: F(m).celu(a, 0.5, inplace=True)), [(3, 4)]),
    OpCase('celu_', _inplace(lambda m, a: m.celu_(a, 1.5)), [(6,)]),
    # ---- smooth gates
    OpCase('gelu', lambda m, a: F(m).gelu(a), [Float((3, 4), -4, 4)]),
    OpCase('gelu_tanh', lambda m, a: F(m).gelu(a, approximate='tanh'), [Float((3, 4), -4, 4)]),
    OpCase('gelu_large', lambda m, a: F(m).gelu(a), [LARGE], gradcheck=False),
    OpCase('silu', lambda m, a: F(m).silu(a), [(3, 4)]),
    OpCase('silu_large', lambda m, a: F(m).silu(a), [LARGE], gradcheck=False),
    OpCase('silu_inplace', _inplace(lambda m, a: F(m).silu(a, inplace=True)), [(3, 4)]),
    OpCase('mish', lambda m, a: F(m).mish(a), [Float((3, 4), -4, 4)]),
    OpCase('mish_large', lambda m, a: F(m).mish(a), [LARGE], gradcheck=False),
    OpCase('mish_inplace', _inplace(lambda m, a: F(m).mish(a, inplace=True)), [(3, 4)]),
    OpCase('softplus', lambda m, a: F(m).softplus(a), [(3, 4)]),
    OpCase('softplus_beta_threshold', lambda m, a: F(m).softplus(a, beta=2.0, threshold=1.5), [(3, 4)]),
    OpCase('softplus_large', lambda m, a: F(m).softplus(a), [LARGE], gradcheck=False),
    OpCase('softsign', lambda m, a: F(m).softsign(a), [(3, 4)]),
    OpCase('logsigmoid', lambda m, a: F(m).logsigmoid(a), [(3, 4)]),
    OpCase('logsigmoid_large', lambda m, a: F(m).logsigmoid(a), [LARGE], gradcheck=False),
    OpCase('tanhshrink', lambda m, a: F(m).tanhshrink(a), [(3, 4)]),
    OpCase('glu', lambda m, a: F(m).glu(a), [(3, 4)]),
    OpCase('glu_dim0', lambda m, a: F(m).glu(a, 0), [(4, 3)]),
    OpCase('glu_dim1_3d', lambda m, a: F(m).glu(a, 1), [(2, 6, 2)]),
    OpCase('softmin', lambda m, a: F(m).softmin(a, 1), [(3, 4)]),
    OpCase('softmin_dtype', lambda m, a: F(m).softmin(a, -1, dtype=m.float64), [(2, 3)]),
    # ---- hard approximations and shrinkage
    OpCase('hardsigmoid', lambda m, a: F(m).hardsigmoid(a * 3), [(3, 4)], gradgrad=True),
    OpCase('hardsigmoid_kinks', lambda m, a: F(m).hardsigmoid(a), [KINKS], gradcheck=False),
    OpCase('hardsigmoid_inplace', _inplace(lambda m, a: F(m).hardsigmoid(a * 3, inplace=True)), [(3, 4)]),
    OpCase('hardswish', lambda m, a: F(m).hardswish(a * 3), [(3, 4)]),
    OpCase('hardswish_kinks', lambda m, a: F(m).hardswish(a), [KINKS], gradcheck=False),
    OpCase('hardswish_inplace', _inplace(lambda m, a: F(m).hardswish(a * 3, inplace=True)), [(3, 4)]),
    OpCase('softshrink', lambda m, a: F(m).softshrink(a), [(3, 4)], gradgrad=True),
    OpCase('softshrink_lambd', lambda m, a: F(m).softshrink(a, 1.2), [(3, 4)]),
    OpCase('softshrink_kinks', lambda m, a: F(m).softshrink(a, 1.0), [KINKS], gradcheck=False),
    OpCase('hardshrink', lambda m, a: F(m).hardshrink(a), [(3, 4)], gradgrad=True),
    OpCase('hardshrink_method', lambda m, a: a.hardshrink(1.0), [(3, 4)]),
    OpCase('hardshrink_kinks', lambda m, a: m.hardshrink(a, 0.5), [KINKS], gradcheck=False),
    # ---- dropout: same seed, same mask
    OpCase('dropout', _seeded(lambda m, a: F(m).dropout(a, 0.3)), [(4, 5)]),
    OpCase('dropout_default', _seeded(lambda m, a: F(m).dropout(a)), [(2, 3, 4)]),
    OpCase('dropout_eval', lambda m, a: F(m).dropout(a, 0.3, training=False), [(4, 5)]),
    OpCase('dropout_p0', _seeded(lambda m, a: F(m).dropout(a, 0.0)), [(4, 5)]),
    OpCase('dropout_p1', _seeded(lambda m, a: F(m).dropout(a, 1.0)), [(4, 5)]),
    OpCase('dropout_inplace', _inplace(_seeded(lambda m, a: F(m).dropout(a, 0.4, inplace=True))), [(4, 5)]),
    OpCase('dropout_torch', _seeded(lambda m, a: m.dropout(a, 0.25, True)), [(3, 5)]),
    OpCase('dropout_large', _seeded(lambda m, a: F(m).dropout(a, 0.5)), [(64, 130)], gradcheck=False),
    OpCase('dropout1d', _seeded(lambda m, a: F(m).dropout1d(a, 0.5)), [(3, 4, 5)]),
    OpCase('dropout1d_unbatched', _seeded(lambda m, a: F(m).dropout1d(a, 0.5)), [(6, 5)]),
    OpCase('dropout2d', _seeded(lambda m, a: F(m).dropout2d(a, 0.4)), [(2, 6, 3, 3)]),
    OpCase('dropout2d_inplace', _inplace(_seeded(lambda m, a: F(m).dropout2d(a, 0.4, inplace=True))),
           [(2, 6, 3, 3)]),
    OpCase('dropout3d', _seeded(lambda m, a: F(m).dropout3d(a, 0.5)), [(2, 4, 2, 2, 2)]),
    OpCase('dropout3d_unbatched', _seeded(lambda m, a: F(m).dropout3d(a, 0.5)), [(4, 2, 2, 2)]),
    OpCase('feature_dropout_torch', _seeded(lambda m, a: m.feature_dropout(a, 0.5, True)), [(3, 4, 2)]),
    OpCase('alpha_dropout', _seeded(lambda m, a: F(m).alpha_dropout(a, 0.3, training=True)), [(4, 5)]),
    OpCase('alpha_dropout_eval', _seeded(lambda m, a: F(m).alpha_dropout(a, 0.3)), [(4, 5)]),
    OpCase('alpha_dropout_inplace', _inplace(_seeded(lambda m, a: F(m).alpha_dropout(a, 0.2, True, True))),
           [(4, 5)]),
    OpCase('feature_alpha_dropout', _seeded(lambda m, a: F(m).feature_alpha_dropout(a, 0.5, training=True)),
           [(3, 4, 2, 2)]),
]

ERROR_CASES = [
    ErrorCase('dropout_p_range', lambda m: F(m).dropout(m.ones(3), 1.5)),
    ErrorCase('dropout_torch_p_range', lambda m: m.dropout(m.ones(3), -0.1, True)),
    ErrorCase('dropout1d_4d', lambda m: F(m).dropout1d(m.ones(2, 3, 4, 5))),
    ErrorCase('feature_dropout_1d', lambda m: m.feature_dropout(m.ones(3), 0.5, True)),
    ErrorCase('hardtanh_min_above_max', lambda m: F(m).hardtanh(m.ones(3), 2.0, 1.0)),
    ErrorCase('glu_odd', lambda m: F(m).glu(m.ones(3, 3))),
    ErrorCase('glu_scalar', lambda m: F(m).glu(m.tensor(1.0))),
    ErrorCase('gelu_approximate', lambda m: F(m).gelu(m.ones(3), approximate='fast')),
    ErrorCase('prelu_channels', lambda m: F(m).prelu(m.ones(2, 3, 4), m.ones(4))),
    ErrorCase('prelu_1d_channels', lambda m: F(m).prelu(m.ones(3), m.ones(3))),
    ErrorCase('softshrink_negative', lambda m: F(m).softshrink(m.ones(3), -1.0)),
    ErrorCase('leaky_relu_int', lambda m: F(m).leaky_relu(m.arange(3))),
    ErrorCase('elu_int', lambda m: F(m).elu(m.arange(3))),
    ErrorCase('leaky_relu_inplace_negative_slope_backward',
              lambda m: F(m).leaky_relu_(m.ones(3, requires_grad=True) * 1, -0.5).sum().backward()),
]
