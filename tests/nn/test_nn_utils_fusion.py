"""nn.utils.fusion, memory_format, skip_init and stateless against torch."""
import numpy as np
import pytest
import torch

import ember


def _fill(m, module, seed):
    """Deterministic parameters and batch-norm statistics, the same in both libraries."""
    rng = np.random.default_rng(seed)
    with m.no_grad():
        for name, t in list(module.named_parameters()) + list(module.named_buffers()):
            if t.is_floating_point():
                values = rng.uniform(0.5, 1.5, tuple(t.shape)) if 'var' in name else rng.standard_normal(tuple(t.shape))
                t.copy_(m.tensor(values.astype('float32')))
    return module.eval()


CONV_CASES = {
    'conv2d': (lambda m: m.nn.Conv2d(3, 4, 3, bias=True), lambda m: m.nn.BatchNorm2d(4), (2, 3, 6, 6), False),
    'conv2d-no-bias': (lambda m: m.nn.Conv2d(3, 4, 3, bias=False), lambda m: m.nn.BatchNorm2d(4), (2, 3, 6, 6), False),
    'conv1d-no-affine': (lambda m: m.nn.Conv1d(2, 3, 3), lambda m: m.nn.BatchNorm1d(3, affine=False), (2, 2, 7), False),
    'conv3d': (lambda m: m.nn.Conv3d(2, 3, 2), lambda m: m.nn.BatchNorm3d(3), (1, 2, 4, 4, 4), False),
    'conv-transpose2d': (lambda m: m.nn.ConvTranspose2d(3, 4, 3), lambda m: m.nn.BatchNorm2d(4), (2, 3, 5, 5), True),
}


@pytest.mark.parametrize('case', CONV_CASES)
def test_fuse_conv_bn_eval_matches_torch(case):
    make_conv, make_bn, shape, transpose = CONV_CASES[case]
    x = np.random.default_rng(7).standard_normal(shape).astype('float32')
    results = []
    for m in (ember, torch):
        conv, bn = _fill(m, make_conv(m), 1), _fill(m, make_bn(m), 2)
        fused = m.nn.utils.fuse_conv_bn_eval(conv, bn, transpose=transpose)
        assert isinstance(fused.weight, m.nn.Parameter) and fused is not conv
        results.append((fused(m.tensor(x)).detach().numpy(), bn(conv(m.tensor(x))).detach().numpy(),
                        fused.weight.detach().numpy(), fused.bias.detach().numpy()))
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, atol=1e-5, rtol=1e-5)
    # the fused layer does what conv then bn did
    np.testing.assert_allclose(results[0][0], results[0][1], atol=1e-4, rtol=1e-4)


@pytest.mark.parametrize('bias,features', [(True, 4), (False, 4), (True, 1)])
def test_fuse_linear_bn_eval_matches_torch(bias, features):
    x = np.random.default_rng(8).standard_normal((5, 3)).astype('float32')
    results = []
    for m in (ember, torch):
        linear, bn = _fill(m, m.nn.Linear(3, 4, bias=bias), 3), _fill(m, m.nn.BatchNorm1d(features), 4)
        fused = m.nn.utils.fuse_linear_bn_eval(linear, bn)
        results.append((fused(m.tensor(x)).detach().numpy(), fused.weight.detach().numpy(),
                        fused.bias.detach().numpy(), fused.weight.requires_grad, fused.bias.requires_grad))
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, atol=1e-5, rtol=1e-5)


def test_fuse_weights_functions_match_torch():
    rng = np.random.default_rng(9)
    arrays = [rng.standard_normal(s).astype('float32') for s in [(4, 3, 2, 2), (4,), (4,), (4,), (4,), (4,)]]
    arrays[3] = np.abs(arrays[3])
    results = []
    for m in (ember, torch):
        w, b, rm, rv, gamma, beta = [m.tensor(a) for a in arrays]
        conv = m.nn.utils.fuse_conv_bn_weights(w, None, rm, rv, 1e-3, None, beta)
        linear = m.nn.utils.fuse_linear_bn_weights(w[:, :, 0, 0], b, rm, rv, 1e-5, gamma, beta)
        results.append([t.detach().numpy() for t in conv + linear] + [conv[0].requires_grad, conv[1].requires_grad])
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, atol=1e-5, rtol=1e-5)


def test_fusion_errors_match_torch():
    for m in (ember, torch):
        with pytest.raises(AssertionError):  # still in training mode
            m.nn.utils.fuse_conv_bn_eval(m.nn.Conv2d(1, 2, 1), m.nn.BatchNorm2d(2))
        with pytest.raises(AssertionError):
            m.nn.utils.fuse_linear_bn_eval(m.nn.Linear(2, 3).eval(), m.nn.BatchNorm1d(2).eval())
        with pytest.raises(AssertionError):
            m.nn.utils.fusion.fuse_conv_bn_eval(m.nn.Conv2d(1, 2, 1).eval(),
                                                m.nn.BatchNorm2d(2, track_running_stats=False).eval())


def test_convert_weight_memory_format_matches_torch():
    for m in (ember, torch):
        model = m.nn.Sequential(m.nn.Conv2d(2, 3, 3), m.nn.Sequential(m.nn.ConvTranspose2d(3, 2, 2)),
                                m.nn.Conv3d(2, 2, 1), m.nn.Linear(2, 2))
        weight = model[0].weight
        assert m.nn.utils.convert_conv2d_weight_memory_format(model, m.channels_last) is model
        assert model[0].weight is weight  # the same Parameter, new layout
        assert model[0].weight.is_contiguous(memory_format=m.channels_last)
        assert model[1][0].weight.is_contiguous(memory_format=m.channels_last)
        assert model[0].weight.stride() == (18, 1, 6, 2)
        m.nn.utils.memory_format.convert_conv3d_weight_memory_format(model, m.channels_last_3d)
        assert model[2].weight.is_contiguous(memory_format=m.channels_last_3d)


def test_skip_init_matches_torch():
    for m in (ember, torch):
        m.manual_seed(0)
        expected = m.rand(3)
        m.manual_seed(0)
        layer = m.nn.utils.skip_init(m.nn.Linear, 3, 4, bias=False, dtype=m.float64)
        assert type(layer) is m.nn.Linear and layer.weight.shape == (4, 3) and layer.weight.dtype == m.float64
        assert layer.bias is None and layer.weight.requires_grad
        # the skipped initialization drew no random numbers
        assert m.equal(m.rand(3), expected)

        class NoDevice(m.nn.Module):
            def __init__(self, size):
                super().__init__()
        with pytest.raises(RuntimeError, match="Module must support a 'device' arg to skip initialization"):
            m.nn.utils.skip_init(NoDevice, 3)
        with pytest.raises(RuntimeError, match="Expected a Module"):
            m.nn.utils.skip_init(int)
