"""The argument checks and result dtypes of the losses with kernels of their own: the exception type
and message PyTorch gives for a target of the wrong shape or dtype, and the dtype of a loss whose
input and target dtypes differ. Every expectation is taken from torch at run time."""
import warnings

import numpy as np
import pytest
import torch

import ember


def _outcome(fn, lib):
    """The dtype, value and input gradient of fn(lib), or the exception type and message it raises."""
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')  # the target-size warning of the regression losses
        try:
            loss = fn(lib, lib.nn.functional)
        except Exception as error:  # noqa: BLE001  (the exception is what is compared)
            return type(error).__name__, str(error).replace('torch.', '').replace('ember.', '')
    return str(loss.dtype).split('.')[-1], loss.detach().numpy().astype(np.float64).round(5).tolist()


def _tensor(lib, values, dtype):
    return lib.tensor(values).to(getattr(lib, dtype))


# targets of the wrong shape or dtype for the class-index form of nll_loss / cross_entropy
CLASS_TARGET_CASES = {
    'cross_entropy_target_n1': lambda m, F: F.cross_entropy(m.zeros(3, 4), m.tensor([[0], [1], [2]])),
    'cross_entropy_target_n2': lambda m, F: F.cross_entropy(m.zeros(3, 4), m.tensor([[0, 1], [1, 2], [2, 3]])),
    'cross_entropy_smoothing_target_n1': lambda m, F: F.cross_entropy(m.zeros(3, 4), m.tensor([[0], [1], [2]]),
                                                                       label_smoothing=0.1),
    'nll_loss_target_n1_int32': lambda m, F: F.nll_loss(m.zeros(3, 4), m.zeros(3, 1, dtype=m.int32)),
    'nll_loss_1d_input_2d_target': lambda m, F: F.nll_loss(m.zeros(4), m.zeros(1, 1, dtype=m.int64)),
    'nll_loss_1d_input_target_size_2': lambda m, F: F.nll_loss(m.zeros(4), m.tensor([1, 2])),
    'nll_loss_4d_target_2d': lambda m, F: F.nll_loss(m.zeros(2, 3, 4, 5), m.zeros(2, 20, dtype=m.int64)),
    'nll_loss_4d_target_4d': lambda m, F: F.nll_loss(m.zeros(2, 3, 4, 5), m.zeros(2, 1, 4, 5, dtype=m.int64)),
    'nll_loss_4d_target_size': lambda m, F: F.nll_loss(m.zeros(2, 3, 4, 5), m.zeros(2, 4, 4, dtype=m.int64)),
    'nll_loss_4d_weight_size': lambda m, F: F.nll_loss(m.zeros(2, 3, 4, 5), m.zeros(2, 4, 5, dtype=m.int64),
                                                       weight=m.ones(2)),
    'cross_entropy_int32_target': lambda m, F: F.cross_entropy(m.zeros(3, 4), m.tensor([0, 1, 2], dtype=m.int32)),
    'cross_entropy_float_target': lambda m, F: F.cross_entropy(m.zeros(3, 4), m.tensor([0., 1., 2.])),
    'cross_entropy_smoothing_int32_target': lambda m, F: F.cross_entropy(m.zeros(3, 4), m.zeros(3, dtype=m.int32),
                                                                          label_smoothing=0.1),
    'nll_loss_int16_target': lambda m, F: F.nll_loss(m.zeros(3, 4), m.zeros(3, dtype=m.int16)),
    'nll_loss_bool_target': lambda m, F: F.nll_loss(m.zeros(3, 4), m.zeros(3, dtype=m.bool)),
    'nll_loss_uint8_target': lambda m, F: F.nll_loss(m.zeros(3, 4), m.tensor([0, 1, 3], dtype=m.uint8)),
    'nll_loss_int32_target_weight_size': lambda m, F: F.nll_loss(m.zeros(3, 4), m.zeros(3, dtype=m.int32),
                                                                 weight=m.ones(3)),
    'nll_loss_3d_int32_target': lambda m, F: F.nll_loss(m.zeros(2, 3, 4), m.zeros(2, 4, dtype=m.int32)),
    'nll_loss_4d_int32_target': lambda m, F: F.nll_loss(m.zeros(2, 3, 4, 5), m.zeros(2, 4, 5, dtype=m.int32)),
    'nll_loss_4d_uint8_target': lambda m, F: F.nll_loss(m.zeros(1, 3, 2, 2), m.zeros(1, 2, 2, dtype=m.uint8)),
    'nll_loss_long_input': lambda m, F: F.nll_loss(m.zeros(3, 4, dtype=m.int64), m.tensor([0, 1, 2])),
    'nll_loss_4d_long_input': lambda m, F: F.nll_loss(m.zeros(1, 3, 2, 2, dtype=m.int64),
                                                      m.zeros(1, 2, 2, dtype=m.int64)),
    'cross_entropy_weight_other_dtype': lambda m, F: F.cross_entropy(m.zeros(3, 4, dtype=m.float64),
                                                                     m.tensor([0, 1, 2]), weight=m.ones(4)),
    'nll_loss_4d_weight_other_dtype': lambda m, F: F.nll_loss(m.zeros(1, 3, 2, 2), m.zeros(1, 2, 2, dtype=m.int64),
                                                              weight=m.ones(3, dtype=m.float64)),
}


# other losses' targets of the wrong dtype or shape
TARGET_CASES = {
    **{f'bce_{dtype}_target': (lambda m, F, dtype=dtype: F.binary_cross_entropy(m.full((3,), 0.5),
                                                                                 _tensor(m, [0, 1, 1], dtype)))
       for dtype in ('int64', 'int32', 'float64', 'bool', 'float16')},
    'bce_float64_input': lambda m, F: F.binary_cross_entropy(m.full((3,), 0.5, dtype=m.float64),
                                                             m.tensor([0., 1., 1.])),
    'bce_long_input_and_target': lambda m, F: F.binary_cross_entropy(m.zeros(3, dtype=m.int64),
                                                                     m.zeros(3, dtype=m.int64)),
    'bce_long_target_input_out_of_range': lambda m, F: F.binary_cross_entropy(m.full((3,), 2.), m.tensor([0, 1, 1])),
    **{f'bce_logits_{dtype}_target': (lambda m, F, dtype=dtype: F.binary_cross_entropy_with_logits(
        m.zeros(3), _tensor(m, [0, 1, 1], dtype))) for dtype in ('int64', 'int32', 'bool')},
    'bce_logits_long_target_pos_weight': lambda m, F: F.binary_cross_entropy_with_logits(
        m.zeros(3), m.tensor([0, 1, 1]), pos_weight=m.ones(3)),
    'bce_logits_long_input': lambda m, F: F.binary_cross_entropy_with_logits(m.zeros(3, dtype=m.int64), m.zeros(3)),
    'soft_margin_long_input': lambda m, F: F.soft_margin_loss(m.zeros(3, dtype=m.int64), m.ones(3)),
    'soft_margin_long_input_and_target': lambda m, F: F.soft_margin_loss(m.zeros(3, dtype=m.int64),
                                                                         m.ones(3, dtype=m.int64)),
    'soft_margin_bool_input': lambda m, F: F.soft_margin_loss(m.zeros(3, dtype=m.bool), m.ones(3)),
    **{f'multi_margin_{dtype}_target': (lambda m, F, dtype=dtype: F.multi_margin_loss(
        m.zeros(3, 4), _tensor(m, [0, 1, 2], dtype))) for dtype in ('int32', 'uint8', 'float32')},
    'multi_margin_int32_target_out_of_range': lambda m, F: F.multi_margin_loss(m.zeros(3, 4),
                                                                               m.tensor([0, 1, 9], dtype=m.int32)),
    'multi_margin_long_input': lambda m, F: F.multi_margin_loss(m.zeros(3, 4, dtype=m.int64), m.tensor([0, 1, 2])),
    'multi_margin_weight_other_dtype': lambda m, F: F.multi_margin_loss(m.zeros(3, 4), m.tensor([0, 1, 2]),
                                                                        weight=m.ones(4, dtype=m.float64)),
    'multi_margin_weight_size': lambda m, F: F.multi_margin_loss(m.zeros(3, 4), m.tensor([0, 1, 2]), weight=m.ones(3)),
    'multi_margin_target_n1': lambda m, F: F.multi_margin_loss(m.zeros(3, 4), m.zeros(3, 1, dtype=m.int64)),
    'multi_margin_target_size': lambda m, F: F.multi_margin_loss(m.zeros(4), m.tensor([1, 2])),
    'multi_margin_3d_input': lambda m, F: F.multi_margin_loss(m.zeros(1, 4, 2), m.tensor([1])),
    'multi_margin_empty_classes': lambda m, F: F.multi_margin_loss(m.zeros(3, 0), m.tensor([0, 1, 2])),
    **{f'multilabel_margin_{dtype}_target': (lambda m, F, dtype=dtype: F.multilabel_margin_loss(
        m.zeros(3, 4), m.zeros(3, 4).to(getattr(m, dtype)))) for dtype in ('int32', 'uint8', 'float32')},
    'multilabel_margin_target_below_minus_1': lambda m, F: F.multilabel_margin_loss(m.zeros(3, 4),
                                                                                    m.full((3, 4), -2)),
    'multilabel_margin_target_out_of_range_after_end': lambda m, F: F.multilabel_margin_loss(
        m.zeros(1, 4), m.tensor([[0, -1, 5, 1]])),
    'multilabel_margin_long_input': lambda m, F: F.multilabel_margin_loss(m.zeros(3, 4, dtype=m.int64),
                                                                          m.zeros(3, 4, dtype=m.int32)),
    'multilabel_margin_3d_input': lambda m, F: F.multilabel_margin_loss(m.zeros(1, 2, 4), m.zeros(1, 2, 4).long()),
    'multilabel_margin_0d': lambda m, F: F.multilabel_margin_loss(m.tensor(0.5), m.tensor(0), reduction='none'),
    'multi_margin_0d': lambda m, F: F.multi_margin_loss(m.tensor(0.5), m.tensor(0), reduction='none'),
}


@pytest.mark.parametrize('name', sorted(CLASS_TARGET_CASES) + sorted(TARGET_CASES))
def test_target_checks_match_torch(name):
    fn = CLASS_TARGET_CASES.get(name) or TARGET_CASES[name]
    assert _outcome(fn, ember) == _outcome(fn, torch)


# a loss of an input and a target of different dtypes: the regression losses take the promoted
# dtype (huber_loss and soft_margin_loss the input's); binary_cross_entropy_with_logits the target's
PROMOTION_CASES = {
    **{f'{name}_{dtype}_target_{reduction}': (
        lambda m, F, name=name, dtype=dtype, reduction=reduction: getattr(F, name)(
            m.tensor([0.3, -1.2, 2.0]), _tensor(m, [1, 0, 2], dtype), reduction=reduction))
       for name in ('mse_loss', 'l1_loss', 'smooth_l1_loss', 'huber_loss')
       for dtype in ('int64', 'int32', 'uint8', 'bool', 'float64', 'float16')
       for reduction in ('mean', 'none')
       if not (name == 'l1_loss' and dtype == 'bool')},  # (l1_loss is input - target: ember's subtraction)
    **{f'{name}_{dtype}_input': (lambda m, F, name=name, dtype=dtype: getattr(F, name)(
        _tensor(m, [0, 1, 3], dtype), m.tensor([1.5, 0., 2.])))
       for name in ('mse_loss', 'smooth_l1_loss', 'huber_loss') for dtype in ('int64', 'float64', 'float16')},
    **{f'{name}_long_input_and_target': (lambda m, F, name=name: getattr(F, name)(m.tensor([0, 1, 3]),
                                                                                  m.tensor([1, 0, 2])))
       for name in ('mse_loss', 'smooth_l1_loss', 'huber_loss')},
    **{f'{name}_bool_input_and_target': (lambda m, F, name=name: getattr(F, name)(
        m.tensor([True, False]), m.tensor([False, False]))) for name in ('mse_loss', 'huber_loss')},
    **{f'bce_logits_{dtype}_target': (lambda m, F, dtype=dtype: F.binary_cross_entropy_with_logits(
        m.tensor([0.3, -1.2, 2.0]), _tensor(m, [1., 0., 0.5], dtype), weight=m.tensor([2., 1., 3.])))
       for dtype in ('float64', 'float16')},
    'bce_logits_float64_target_pos_weight': lambda m, F: F.binary_cross_entropy_with_logits(
        m.tensor([0.3, -1.2, 2.0]), m.tensor([1., 0., 0.5], dtype=m.float64), pos_weight=m.tensor([2., 1., 3.]),
        reduction='none'),
    'bce_logits_float64_input': lambda m, F: F.binary_cross_entropy_with_logits(
        m.tensor([0.3, -1.2, 2.0], dtype=m.float64), m.tensor([1., 0., 0.5])),
    **{f'soft_margin_{dtype}_target': (lambda m, F, dtype=dtype: F.soft_margin_loss(
        m.tensor([0.3, -1.2, 2.0]), _tensor(m, [1, -1, 1], dtype), reduction='none'))
       for dtype in ('int64', 'float64')},
    'soft_margin_float64_input': lambda m, F: F.soft_margin_loss(m.tensor([0.3, -1.2, 2.0], dtype=m.float64),
                                                                 m.tensor([1., -1., 1.])),
}


@pytest.mark.parametrize('name', sorted(PROMOTION_CASES))
def test_result_dtype_matches_torch(name):
    fn = PROMOTION_CASES[name]
    ours, theirs = _outcome(fn, ember), _outcome(fn, torch)
    assert ours[0] == theirs[0]
    if isinstance(theirs[1], str):  # an error: its message
        assert ours[1] == theirs[1]
    else:
        np.testing.assert_allclose(ours[1], theirs[1], rtol=2e-3, atol=1e-4)


@pytest.mark.parametrize('name', ['mse_loss', 'smooth_l1_loss', 'bce_logits', 'soft_margin'])
def test_input_gradient_keeps_the_input_dtype(name):
    # (PyTorch's huber_loss backward refuses a target of another dtype, so it is left out)
    losses = {'mse_loss': lambda F, x, t: F.mse_loss(x, t.round()),
              'smooth_l1_loss': lambda F, x, t: F.smooth_l1_loss(x, t.round().long(), beta=0.5),
              'bce_logits': lambda F, x, t: F.binary_cross_entropy_with_logits(x, t.double()),
              'soft_margin': lambda F, x, t: F.soft_margin_loss(x, t.sign().long())}
    grads = []
    for lib in (ember, torch):
        x = lib.tensor([0.3, -1.2, 2.0, 0.7], requires_grad=True)
        losses[name](lib.nn.functional, x, lib.tensor([0.2, 1.0, -0.4, 0.9])).backward()
        grads.append(x.grad)
    assert str(grads[0].dtype).split('.')[-1] == str(grads[1].dtype).split('.')[-1]
    np.testing.assert_allclose(grads[0].numpy(), grads[1].numpy(), rtol=1e-6, atol=1e-7)


def test_ignored_targets_get_a_positive_zero_gradient():
    # PyTorch never writes the gradient of an ignored target's row, so it stays +0 (not -grad * 0)
    grads = []
    for lib in (ember, torch):
        x = lib.tensor([[1., 2., 3.], [1., 0., 0.]], requires_grad=True)
        lib.nn.functional.cross_entropy(x, lib.tensor([0, -100])).backward()
        grads.append(x.grad.numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-6)
    assert not np.signbit(grads[0][1]).any()
