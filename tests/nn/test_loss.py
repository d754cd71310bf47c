"""Loss behaviour the tables can't express: reprs, graph node names, warnings, buffers, module errors,
double backward. Every expectation is taken from torch at run time."""
import warnings

import numpy as np
import pytest
import torch

import ember

CLASSES = ['L1Loss', 'MSELoss', 'CrossEntropyLoss', 'NLLLoss', 'BCELoss', 'BCEWithLogitsLoss', 'SmoothL1Loss',
           'HuberLoss', 'PoissonNLLLoss', 'GaussianNLLLoss', 'KLDivLoss', 'MarginRankingLoss', 'MultiLabelMarginLoss',
           'SoftMarginLoss', 'MultiLabelSoftMarginLoss', 'MultiMarginLoss', 'TripletMarginLoss',
           'TripletMarginWithDistanceLoss', 'HingeEmbeddingLoss', 'CosineEmbeddingLoss', 'CTCLoss']


@pytest.mark.parametrize('name', CLASSES)
def test_repr_matches_torch(name):
    assert repr(getattr(ember.nn, name)()) == repr(getattr(torch.nn, name)())


def test_repr_with_arguments_matches_torch():
    for make in (lambda nn: nn.CTCLoss(blank=3, zero_infinity=True), lambda nn: nn.KLDivLoss(reduction='batchmean'),
                 lambda nn: nn.CrossEntropyLoss(label_smoothing=0.1, ignore_index=2)):
        assert repr(make(ember.nn)) == repr(make(torch.nn))


def _both(fn, *arrays, grad=()):
    """fn(lib, *tensors) for ember and torch; arrays listed in `grad` require grad."""
    out = []
    for lib in (ember, torch):
        tensors = [lib.tensor(a, requires_grad=i in grad) for i, a in enumerate(arrays)]
        out.append(fn(lib, *tensors))
    return out


rng = np.random.default_rng(0)
X = rng.standard_normal((4, 3))
Y = rng.standard_normal((4, 3))
P = rng.uniform(0.1, 0.9, (4, 3))
LABELS = np.array([0, 2, 1, 2])
SIGNS = np.array([1., -1., -1., 1.])
GRAD_FN_CASES = {
    'l1_mean': (lambda m, x, y: m.nn.functional.l1_loss(x, y), (X, Y)),
    'l1_none': (lambda m, x, y: m.nn.functional.l1_loss(x, y, reduction='none'), (X, Y)),
    'mse': (lambda m, x, y: m.nn.functional.mse_loss(x, y), (X, Y)),
    'smooth_l1': (lambda m, x, y: m.nn.functional.smooth_l1_loss(x, y), (X, Y)),
    'smooth_l1_beta0': (lambda m, x, y: m.nn.functional.smooth_l1_loss(x, y, beta=0.), (X, Y)),
    'huber': (lambda m, x, y: m.nn.functional.huber_loss(x, y), (X, Y)),
    'cross_entropy': (lambda m, x, t: m.nn.functional.cross_entropy(x, t), (X, LABELS)),
    'cross_entropy_smoothing': (lambda m, x, t: m.nn.functional.cross_entropy(x, t, label_smoothing=0.1), (X, LABELS)),
    'cross_entropy_probs': (lambda m, x, p: m.nn.functional.cross_entropy(x, p), (X, P)),
    'cross_entropy_3d_none': (lambda m, x, t: m.nn.functional.cross_entropy(x.reshape(2, 3, 2), t.reshape(2, 2),
                                                                            reduction='none'), (X, LABELS)),
    'nll_4d': (lambda m, x, t: m.nn.functional.nll_loss(x.reshape(1, 3, 2, 2), t.reshape(1, 2, 2) % 3), (X, LABELS)),
    'bce': (lambda m, p, q: m.nn.functional.binary_cross_entropy(p, q), (P, P)),
    'bce_logits': (lambda m, x, p: m.nn.functional.binary_cross_entropy_with_logits(x, p), (X, P)),
    'poisson': (lambda m, x, y: m.nn.functional.poisson_nll_loss(x, y.abs()), (X, Y)),
    'gaussian': (lambda m, x, y, p: m.nn.functional.gaussian_nll_loss(x, y, p), (X, Y, P)),
    'kl_batchmean': (lambda m, x, p: m.nn.functional.kl_div(x, p, reduction='batchmean'), (X, P)),
    'kl_none': (lambda m, x, p: m.nn.functional.kl_div(x, p, reduction='none'), (X, P)),
    'kl_log_target_none': (lambda m, x, y: m.nn.functional.kl_div(x, y, reduction='none', log_target=True), (X, Y)),
    'margin_ranking_none': (lambda m, x, y, s: m.nn.functional.margin_ranking_loss(x[:, 0], y[:, 0], s,
                                                                                   reduction='none'), (X, Y, SIGNS)),
    'hinge_none': (lambda m, x, s: m.nn.functional.hinge_embedding_loss(x[:, 0], s, reduction='none'), (X, SIGNS)),
    'soft_margin': (lambda m, x, s: m.nn.functional.soft_margin_loss(x[:, 0], s), (X, SIGNS)),
    'multilabel_soft_margin_none': (lambda m, x, p: m.nn.functional.multilabel_soft_margin_loss(x, p, reduction='none'),
                                    (X, P)),
    'multilabel_margin': (lambda m, x, t: m.nn.functional.multilabel_margin_loss(x, t.reshape(4, 1).expand(4, 3)),
                          (X, LABELS)),
    'multi_margin': (lambda m, x, t: m.nn.functional.multi_margin_loss(x, t), (X, LABELS)),
    'cosine_embedding_none': (lambda m, x, y, s: m.nn.functional.cosine_embedding_loss(x, y, s, reduction='none'),
                              (X, Y, SIGNS)),
    'triplet': (lambda m, x, y, p: m.nn.functional.triplet_margin_loss(x, y, p), (X, Y, P)),
    'triplet_none': (lambda m, x, y, p: m.nn.functional.triplet_margin_loss(x, y, p, reduction='none'), (X, Y, P)),
    'ctc_none': (lambda m, x, t: m.nn.functional.ctc_loss(x.reshape(4, 1, 3).log_softmax(2),
                                                          t[:2].reshape(1, 2) % 2 + 1, (4,), (2,), reduction='none'),
                 (X, LABELS)),
    'ctc_zero_infinity': (lambda m, x, t: m.nn.functional.ctc_loss(x.reshape(4, 1, 3).log_softmax(2),
                                                                   t[:2].reshape(1, 2) % 2 + 1, (4,), (2,),
                                                                   reduction='none', zero_infinity=True), (X, LABELS)),
}


@pytest.mark.parametrize('name', sorted(GRAD_FN_CASES))
def test_grad_fn_name_matches_torch(name):
    fn, arrays = GRAD_FN_CASES[name]
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        ours, theirs = _both(fn, *arrays, grad=(0,))
    assert type(ours.grad_fn).__name__ == type(theirs.grad_fn).__name__


def _warning_messages(fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        fn()
    return [str(w.message) for w in caught]


@pytest.mark.parametrize('call', [
    lambda m: m.nn.functional.kl_div(m.zeros(2, 3), m.ones(2, 3)),
    lambda m: m.nn.functional.mse_loss(m.zeros(2, 3), m.ones(2, 3), size_average=False),
    lambda m: m.nn.functional.l1_loss(m.zeros(2, 3), m.ones(3)),
    lambda m: m.nn.CrossEntropyLoss(reduce=False),
    lambda m: m.nn.NLLLoss2d(),
])
def test_warnings_match_torch(call):
    ours = [m.replace('ember.Size', 'torch.Size') for m in _warning_messages(lambda: call(ember))]
    assert ours == _warning_messages(lambda: call(torch))


def test_legacy_flags_choose_the_reduction():
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        for size_average, reduce in ((None, False), (False, None), (True, True), (False, True)):
            assert ember.nn.MSELoss(size_average, reduce).reduction == \
                torch.nn.MSELoss(size_average, reduce).reduction


def test_weight_is_a_buffer_in_state_dict():
    for name in ('CrossEntropyLoss', 'NLLLoss', 'BCELoss', 'MultiLabelSoftMarginLoss', 'MultiMarginLoss'):
        ours = getattr(ember.nn, name)(weight=ember.ones(3))
        theirs = getattr(torch.nn, name)(weight=torch.ones(3))
        assert list(ours.state_dict()) == list(theirs.state_dict())
        assert list(getattr(ember.nn, name)().state_dict()) == list(getattr(torch.nn, name)().state_dict())
    ours = ember.nn.BCEWithLogitsLoss(pos_weight=ember.ones(3))
    assert list(ours.state_dict()) == list(torch.nn.BCEWithLogitsLoss(pos_weight=torch.ones(3)).state_dict())


@pytest.mark.parametrize('make', [
    lambda nn: nn.MultiMarginLoss(p=3),
    lambda nn: nn.TripletMarginLoss(margin=0.),
    lambda nn: nn.TripletMarginWithDistanceLoss(margin=-1.),
    lambda nn: nn.HuberLoss(delta='1'),
    lambda nn: nn.CrossEntropyLoss(reduction='avg')(nn.Linear(2, 2).weight, nn.Linear(2, 2).weight),
])
def test_module_errors_match_torch(make):
    with pytest.raises(Exception) as theirs:
        make(torch.nn)
    with pytest.raises(type(theirs.value)):
        make(ember.nn)


@pytest.mark.parametrize('fn', [
    lambda m, x, y: m.nn.functional.mse_loss(x, y),
    lambda m, x, y: m.nn.functional.cross_entropy(x, y.argmax(1), label_smoothing=0.2),
    lambda m, x, y: m.nn.functional.binary_cross_entropy_with_logits(x, y.sigmoid()),
    lambda m, x, y: m.nn.functional.kl_div(x.log_softmax(1), y.softmax(1), reduction='batchmean'),
    lambda m, x, y: m.nn.functional.huber_loss(x, y, delta=0.8),
    lambda m, x, y: m.nn.functional.gaussian_nll_loss(x, y, x.exp()),
])
def test_double_backward_matches_torch(fn):
    grads = []
    for lib in (ember, torch):
        x = lib.tensor(X, requires_grad=True)
        y = lib.tensor(Y)
        g, = lib.autograd.grad(fn(lib, x, y), x, create_graph=True)
        gg, = lib.autograd.grad((g * g).sum(), x)
        grads.append(gg.detach().numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-6, atol=1e-9)


def test_bce_with_logits_is_stable_for_large_logits():
    x = ember.tensor([-1000., 1000.], requires_grad=True)
    loss = ember.nn.functional.binary_cross_entropy_with_logits(x, ember.tensor([1., 0.]), reduction='sum')
    loss.backward()
    assert np.isfinite(loss.item()) and loss.item() == pytest.approx(2000.)
    np.testing.assert_allclose(x.grad.numpy(), [-1., 1.])


def test_ctc_gradient_for_log_probs_matches_torch():
    # PyTorch's CTC gradient of log_probs is exp(log_probs) - occupancy (it assumes a log_softmax
    # before it); check it directly, including steps beyond an input length
    lp = rng.standard_normal((7, 3, 5))
    targets = np.array([[1, 2, 2, 4], [3, 3, 1, 0], [4, 1, 0, 0]])
    grads = []
    for lib in (ember, torch):
        log_probs = lib.tensor(lp).log_softmax(2).detach().requires_grad_()
        loss = lib.nn.functional.ctc_loss(log_probs, lib.tensor(targets), lib.tensor([7, 6, 4]), lib.tensor([4, 3, 2]))
        loss.backward()
        grads.append(log_probs.grad.numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-7, atol=1e-10)
