"""Op table rows: the normalization functions (batch, instance, layer, group, RMS and local response
norm) and their torch.* kernels."""
from ._spec import OpCase, ErrorCase, Float, Int, Bool, Arr, Py, positive, unit  # noqa: F401
import numpy as np  # noqa: F401

# running statistics: plain inputs (no gradient), the variance positive
MEAN3, VAR3 = Float((3,), -1, 1, grad=False), Float((3,), 0.5, 2, grad=False)
MEAN2, VAR2 = Float((2,), -1, 1, grad=False), Float((2,), 0.5, 2, grad=False)


def _F(m):
    return m.nn.functional


OP_CASES = [
    # batch_norm: batch statistics, with and without affine parameters, 2d/3d/4d/5d inputs
    OpCase('batch_norm_train', lambda m, x, w, b: _F(m).batch_norm(x, None, None, w, b, training=True),
           [(4, 3, 5), (3,), (3,)]),
    OpCase('batch_norm_train_2d', lambda m, x: _F(m).batch_norm(x, None, None, training=True), [(5, 3)]),
    OpCase('batch_norm_train_4d', lambda m, x, w, b: _F(m).batch_norm(x, None, None, w, b, True, 0.1, 1e-3),
           [(3, 2, 3, 3), (2,), (2,)]),
    OpCase('batch_norm_train_5d_weight_only', lambda m, x, w: _F(m).batch_norm(x, None, None, w, training=True),
           [(2, 2, 2, 3, 2), (2,)]),
    OpCase('batch_norm_train_bias_only', lambda m, x, b: _F(m).batch_norm(x, None, None, None, b, training=True),
           [(4, 3), (3,)]),
    # the running statistics move towards the batch's (unbiased variance), in place
    OpCase('batch_norm_train_running',
           lambda m, x, w, b, rm, rv: (_F(m).batch_norm(x, rm, rv, w, b, True, 0.3), rm, rv),
           [(4, 3, 5), (3,), (3,), MEAN3, VAR3]),
    OpCase('batch_norm_train_running_4d',
           lambda m, x, rm, rv: (_F(m).batch_norm(x, rm, rv, training=True), rm, rv), [(2, 2, 3, 3), MEAN2, VAR2]),
    # eval: the running statistics normalise; they are constants for autograd
    OpCase('batch_norm_eval', lambda m, x, w, b, rm, rv: _F(m).batch_norm(x, rm, rv, w, b),
           [(4, 3, 5), (3,), (3,), MEAN3, VAR3]),
    OpCase('batch_norm_eval_no_affine', lambda m, x, rm, rv: _F(m).batch_norm(x, rm, rv, training=False, eps=0.1),
           [(3, 2, 2, 2), MEAN2, VAR2]),
    OpCase('torch_batch_norm', lambda m, x, w, b: m.batch_norm(x, w, b, None, None, True, 0.1, 1e-5, False),
           [(4, 3), (3,), (3,)]),
    OpCase('native_batch_norm', lambda m, x, w, b: m.native_batch_norm(x, w, b, None, None, True, 0.1, 1e-5),
           [(4, 3, 2), (3,), (3,)]),
    # instance_norm: batch norm of (1, N * C, *)
    OpCase('instance_norm', lambda m, x: _F(m).instance_norm(x), [(2, 3, 5)]),
    OpCase('instance_norm_affine', lambda m, x, w, b: _F(m).instance_norm(x, weight=w, bias=b),
           [(2, 3, 2, 3), (3,), (3,)]),
    OpCase('instance_norm_running',
           lambda m, x, rm, rv: (_F(m).instance_norm(x, rm, rv, momentum=0.2), rm, rv), [(2, 3, 4), MEAN3, VAR3]),
    OpCase('instance_norm_eval_running',
           lambda m, x, rm, rv: _F(m).instance_norm(x, rm, rv, use_input_stats=False), [(2, 3, 4), MEAN3, VAR3]),
    # layer_norm over the last dims
    OpCase('layer_norm', lambda m, x: _F(m).layer_norm(x, (5,)), [(4, 3, 5)]),
    OpCase('layer_norm_affine', lambda m, x, w, b: _F(m).layer_norm(x, [3, 4], w, b, 1e-3),
           [(2, 3, 4), (3, 4), (3, 4)]),
    OpCase('layer_norm_weight_only', lambda m, x, w: _F(m).layer_norm(x, (4,), w), [(3, 4), (4,)]),
    OpCase('layer_norm_all_dims', lambda m, x, w, b: _F(m).layer_norm(x, (2, 3), w, b), [(2, 3), (2, 3), (2, 3)]),
    OpCase('torch_layer_norm', lambda m, x, w, b: m.layer_norm(x, (4,), w, b), [(3, 4), (4,), (4,)]),
    OpCase('native_layer_norm', lambda m, x, w, b: m.native_layer_norm(x, (4,), w, b, 1e-5),
           [(2, 3, 4), (4,), (4,)]),
    # group_norm: statistics per (sample, group of channels)
    OpCase('group_norm', lambda m, x: _F(m).group_norm(x, 2), [(3, 4, 5)]),
    OpCase('group_norm_affine_4d', lambda m, x, w, b: _F(m).group_norm(x, 3, w, b, 1e-3),
           [(2, 6, 2, 3), (6,), (6,)]),
    OpCase('group_norm_one_group', lambda m, x, w, b: _F(m).group_norm(x, 1, w, b), [(2, 3, 4), (3,), (3,)]),
    OpCase('group_norm_2d_input', lambda m, x, w, b: _F(m).group_norm(x, 2, w, b), [(3, 8), (8,), (8,)]),
    # (ember's mean and rstd outputs carry no graph, PyTorch's group-norm ones do)
    OpCase('native_group_norm', lambda m, x, w, b: [o if i == 0 else o.detach() for i, o in
                                                    enumerate(m.native_group_norm(x, w, b, 2, 4, 3, 2, 1e-5))],
           [(2, 4, 3), (4,), (4,)]),
    # rms_norm: a composite
    OpCase('rms_norm', lambda m, x: _F(m).rms_norm(x, (5,)), [(3, 5)]),
    OpCase('rms_norm_weight', lambda m, x, w: _F(m).rms_norm(x, (3, 4), w, 1e-3), [(2, 3, 4), (3, 4)]),
    OpCase('torch_rms_norm', lambda m, x, w: m.rms_norm(x, [4], w), [(2, 3, 4), (4,)]),
    # local_response_norm: a composite across channels, 3d / 4d / 5d inputs, odd and even windows
    OpCase('local_response_norm', lambda m, x: _F(m).local_response_norm(x, 3), [(2, 5, 4)]),
    OpCase('local_response_norm_4d', lambda m, x: _F(m).local_response_norm(x, 2, alpha=0.5, beta=0.6, k=2.),
           [(2, 4, 3, 3)]),
    OpCase('local_response_norm_5d', lambda m, x: _F(m).local_response_norm(x, 5, 1e-2), [(1, 3, 2, 2, 2)]),
]

ERROR_CASES = [
    ErrorCase('batch_norm_one_value_per_channel',
              lambda m: _F(m).batch_norm(m.ones(1, 3), m.zeros(3), m.ones(3), training=True)),
    ErrorCase('batch_norm_running_mean_size', lambda m: _F(m).batch_norm(m.ones(4, 3), m.zeros(4), m.ones(4))),
    ErrorCase('batch_norm_weight_size',
              lambda m: _F(m).batch_norm(m.ones(4, 3), m.zeros(3), m.ones(3), m.ones(4), training=True)),
    ErrorCase('batch_norm_bias_size',
              lambda m: _F(m).batch_norm(m.ones(4, 3), None, None, None, m.ones(2), training=True)),
    ErrorCase('batch_norm_eval_without_running', lambda m: _F(m).batch_norm(m.ones(4, 3), None, None)),
    ErrorCase('batch_norm_zero_eps', lambda m: _F(m).batch_norm(m.ones(4, 3), None, None, training=True, eps=0.)),
    ErrorCase('batch_norm_negative_eps', lambda m: _F(m).batch_norm(m.ones(4, 3), m.zeros(3), m.ones(3), eps=-1.)),
    ErrorCase('batch_norm_int', lambda m: _F(m).batch_norm(m.ones(4, 3, dtype=m.int64), None, None, training=True)),
    ErrorCase('batch_norm_mixed_dtype',
              lambda m: _F(m).batch_norm(m.ones(4, 3, dtype=m.float64), m.zeros(3), m.ones(3))),
    ErrorCase('instance_norm_one_spatial', lambda m: _F(m).instance_norm(m.ones(2, 3, 1))),
    ErrorCase('layer_norm_shape', lambda m: _F(m).layer_norm(m.ones(4, 3, 5), (4,))),
    ErrorCase('layer_norm_int_shape', lambda m: _F(m).layer_norm(m.ones(4, 5), 5)),
    ErrorCase('layer_norm_weight_shape', lambda m: _F(m).layer_norm(m.ones(4, 5), (5,), m.ones(4))),
    ErrorCase('layer_norm_bias_shape', lambda m: _F(m).layer_norm(m.ones(4, 5), (5,), None, m.ones(4))),
    ErrorCase('layer_norm_mixed_dtype', lambda m: _F(m).layer_norm(m.ones(4, 5, dtype=m.float64), (5,), m.ones(5))),
    ErrorCase('group_norm_groups', lambda m: _F(m).group_norm(m.ones(4, 3, 5), 2)),
    ErrorCase('group_norm_weight', lambda m: _F(m).group_norm(m.ones(4, 3, 5), 3, m.ones(4))),
    ErrorCase('group_norm_1d', lambda m: _F(m).group_norm(m.ones(3), 3)),
    ErrorCase('group_norm_one_value', lambda m: _F(m).group_norm(m.ones(1, 3), 3)),
    ErrorCase('rms_norm_shape', lambda m: _F(m).rms_norm(m.ones(4, 3, 5), (4,))),
    ErrorCase('rms_norm_weight_shape', lambda m: _F(m).rms_norm(m.ones(4, 5), (5,), m.ones(4))),
    ErrorCase('local_response_norm_2d', lambda m: _F(m).local_response_norm(m.ones(2, 3), 2)),
]
