"""Op table rows: the losses of nn.functional (every reduction and argument), run against torch."""
from ._spec import OpCase, ErrorCase, Float, Int, Arr, Py, positive  # noqa: F401
import numpy as np

SIGNS = Arr(np.array([1., -1., -1., 1.]), grad=False)
SIGNS_2D = Arr(np.array([[1., -1., 1.], [-1., -1., 1.]]), grad=False)
PROBS = Float((2, 3), 0.05, 0.95)
LABELS_PREFIX = Arr(np.array([[2, 0, -1, 1], [3, -1, 0, 0], [1, 2, 3, 0]]))
# class targets equal to an ignore_index outside the classes: the default -100, or 255 (segmentation masks)
IGNORED = Arr(np.array([0, -100, 2, 1, -100]))
IGNORED_3D = Arr(np.array([[0, -100, 2, 1], [-100, -100, 1, 0]]))
IGNORED_255_4D = Arr(np.array([[[0, 255], [2, 1]], [[255, 255], [1, 0]]]))
# CTC: log_probs (T=6, N=3, C=5), padded targets (N, S=3) without the blank
CTC_TARGETS = Arr(np.array([[1, 2, 2], [3, 1, 4], [4, 4, 0]]))
CTC_FLAT = Arr(np.array([1, 2, 2, 3, 1, 4, 4]))


def f(m):
    return m.nn.functional


OP_CASES = [
    # l1 / mse / smooth l1 / huber
    *[OpCase(f'l1_loss_{r}', lambda m, a, b, r=r: f(m).l1_loss(a, b, reduction=r), [(3, 4), (3, 4)])
      for r in ('mean', 'sum', 'none')],
    OpCase('l1_loss_weight', lambda m, a, b, w: f(m).l1_loss(a, b, weight=w), [(3, 4), (3, 4), positive((3, 4))]),
    *[OpCase(f'mse_loss_{r}', lambda m, a, b, r=r: f(m).mse_loss(a, b, reduction=r), [(3, 4), (3, 4)])
      for r in ('mean', 'sum', 'none')],
    OpCase('mse_loss_weight', lambda m, a, b, w: f(m).mse_loss(a, b, weight=w), [(3, 4), (3, 4), positive((3, 4))]),
    OpCase('mse_loss_legacy_reduce', lambda m, a, b: f(m).mse_loss(a, b, size_average=False), [(3, 4), (3, 4)]),
    *[OpCase(f'smooth_l1_{r}_beta{beta}', lambda m, a, b, r=r, beta=beta: f(m).smooth_l1_loss(a, b, reduction=r,
                                                                                               beta=beta),
             [(3, 4), (3, 4)]) for r in ('mean', 'none') for beta in (1.0, 0.5, 0.0)],
    *[OpCase(f'huber_{r}_delta{d}', lambda m, a, b, r=r, d=d: f(m).huber_loss(a, b, reduction=r, delta=d),
             [(3, 4), (3, 4)]) for r in ('mean', 'sum', 'none') for d in (1.0, 0.7)],
    OpCase('huber_weight', lambda m, a, b, w: f(m).huber_loss(a, b, weight=w), [(3, 4), (3, 4), positive((3, 4))]),
    # nll / cross entropy
    *[OpCase(f'nll_loss_{r}', lambda m, a, t, r=r: f(m).nll_loss(a, t, reduction=r), [(4, 3), Int((4,))])
      for r in ('mean', 'sum', 'none')],
    OpCase('nll_loss_weight_ignore', lambda m, a, t, w: f(m).nll_loss(a, t, weight=w, ignore_index=1),
           [(5, 3), Int((5,)), positive((3,), grad=False)]),
    OpCase('nll_loss_1d', lambda m, a: f(m).nll_loss(a, m.tensor(2)), [(4,)]),
    OpCase('nll_loss_3d', lambda m, a, t: f(m).nll_loss(a, t), [(2, 3, 4), Int((2, 4))]),
    OpCase('nll_loss_3d_none', lambda m, a, t: f(m).nll_loss(a, t, reduction='none'), [(2, 3, 4), Int((2, 4))]),
    OpCase('nll_loss_4d_weight', lambda m, a, t, w: f(m).nll_loss(a, t, weight=w),
           [(2, 3, 2, 2), Int((2, 2, 2)), positive((3,), grad=False)]),
    OpCase('nll_loss_5d_none', lambda m, a, t: f(m).nll_loss(a, t, reduction='none'),
           [(2, 3, 2, 1, 2), Int((2, 2, 1, 2))]),
    *[OpCase(f'cross_entropy_{r}', lambda m, a, t, r=r: f(m).cross_entropy(a, t, reduction=r), [(4, 3), Int((4,))])
      for r in ('mean', 'sum', 'none')],
    OpCase('cross_entropy_weight_ignore', lambda m, a, t, w: f(m).cross_entropy(a, t, weight=w, ignore_index=0),
           [(6, 3), Int((6,)), positive((3,), grad=False)]),
    OpCase('cross_entropy_1d', lambda m, a: f(m).cross_entropy(a, m.tensor(1)), [(4,)]),
    OpCase('cross_entropy_3d', lambda m, a, t: f(m).cross_entropy(a, t, reduction='none'), [(2, 3, 4), Int((2, 4))]),
    OpCase('cross_entropy_4d_weight', lambda m, a, t, w: f(m).cross_entropy(a, t, weight=w),
           [(2, 3, 2, 2), Int((2, 2, 2)), positive((3,), grad=False)]),
    *[OpCase(f'cross_entropy_smoothing_{r}', lambda m, a, t, r=r: f(m).cross_entropy(a, t, reduction=r,
                                                                                    label_smoothing=0.2),
             [(5, 3), Int((5,))]) for r in ('mean', 'sum', 'none')],
    *[OpCase(f'cross_entropy_smoothing_weight_ignore_{r}',
             lambda m, a, t, w, r=r: f(m).cross_entropy(a, t, weight=w, ignore_index=2, reduction=r,
                                                       label_smoothing=0.3),
             [(6, 3), Int((6,)), positive((3,), grad=False)]) for r in ('mean', 'sum', 'none')],
    OpCase('cross_entropy_smoothing_3d', lambda m, a, t: f(m).cross_entropy(a, t, label_smoothing=0.1),
           [(2, 3, 4), Int((2, 4))]),
    *[OpCase(f'cross_entropy_probs_{r}', lambda m, a, t, r=r: f(m).cross_entropy(a, t, reduction=r),
             [(4, 3), Float((4, 3), 0, 1)]) for r in ('mean', 'sum', 'none')],
    OpCase('cross_entropy_probs_weight_smoothing', lambda m, a, t, w: f(m).cross_entropy(a, t, weight=w,
                                                                                         label_smoothing=0.2),
           [(2, 3, 2), Float((2, 3, 2), 0, 1), positive((3,), grad=False)]),
    OpCase('cross_entropy_probs_1d', lambda m, a, t: f(m).cross_entropy(a, t), [(4,), Float((4,), 0, 1)]),
    *[OpCase(f'cross_entropy_ignored_{r}', lambda m, a, t, r=r: f(m).cross_entropy(a, t, reduction=r),
             [(5, 3), IGNORED]) for r in ('mean', 'sum', 'none')],
    OpCase('cross_entropy_ignored_weight_smoothing',
           lambda m, a, t, w: f(m).cross_entropy(a, t, weight=w, label_smoothing=0.2),
           [(5, 3), IGNORED, positive((3,), grad=False)]),
    OpCase('cross_entropy_3d_ignored', lambda m, a, t: f(m).cross_entropy(a, t), [(2, 3, 4), IGNORED_3D]),
    *[OpCase(f'nll_loss_4d_ignored_255_{r}', lambda m, a, t, w, r=r: f(m).nll_loss(a, t, weight=w, ignore_index=255,
                                                                                 reduction=r),
             [(2, 3, 2, 2), IGNORED_255_4D, positive((3,), grad=False)]) for r in ('mean', 'sum', 'none')],
    OpCase('nll_loss_1d_ignored', lambda m, a: f(m).nll_loss(a, m.tensor(-100), reduction='sum'), [(4,)]),
    # binary cross entropy
    *[OpCase(f'bce_{r}', lambda m, a, t, r=r: f(m).binary_cross_entropy(a, t, reduction=r), [PROBS, PROBS])
      for r in ('mean', 'sum', 'none')],
    OpCase('bce_weight_broadcast', lambda m, a, t, w: f(m).binary_cross_entropy(a, t, weight=w),
           [PROBS, PROBS, positive((3,), grad=False)]),
    *[OpCase(f'bce_logits_{r}', lambda m, a, t, r=r: f(m).binary_cross_entropy_with_logits(a, t, reduction=r),
             [(2, 3), PROBS]) for r in ('mean', 'sum', 'none')],
    OpCase('bce_logits_weights', lambda m, a, t, w, p: f(m).binary_cross_entropy_with_logits(a, t, weight=w,
                                                                                             pos_weight=p),
           [(2, 3), PROBS, positive((3,), grad=False), positive((3,), grad=False)]),
    OpCase('bce_logits_large', lambda m, a, t: f(m).binary_cross_entropy_with_logits(a, t, reduction='none'),
           [Arr(np.array([-200., -30., 0., 30., 200.])), Arr(np.array([0., 1., 0.5, 0., 1.]))], gradcheck=False),
    # poisson / gaussian nll, kl divergence
    *[OpCase(f'poisson_nll_{r}', lambda m, a, t, r=r: f(m).poisson_nll_loss(a, t, reduction=r),
             [(3, 4), Float((3, 4), 0, 3)]) for r in ('mean', 'sum', 'none')],
    OpCase('poisson_nll_prob_input_full', lambda m, a, t: f(m).poisson_nll_loss(a, t, log_input=False, full=True,
                                                                                eps=1e-4),
           [positive((3, 4)), Float((3, 4), 0.2, 4, grad=False)]),
    *[OpCase(f'gaussian_nll_{r}', lambda m, a, t, v, r=r: f(m).gaussian_nll_loss(a, t, v, reduction=r),
             [(3, 4), (3, 4), positive((3, 4))]) for r in ('mean', 'sum', 'none')],
    OpCase('gaussian_nll_var_short', lambda m, a, t, v: f(m).gaussian_nll_loss(a, t, v, full=True),
           [(3, 4), (3, 4), positive((3,))]),
    OpCase('gaussian_nll_var_one_column', lambda m, a, t, v: f(m).gaussian_nll_loss(a, t, v, eps=0.6),
           [(3, 4), (3, 4), positive((3, 1))]),
    OpCase('gaussian_nll_var_float', lambda m, a, t: f(m).gaussian_nll_loss(a, t, 0.5), [(3, 4), (3, 4)]),
    *[OpCase(f'kl_div_{r}', lambda m, a, t, r=r: f(m).kl_div(a, t, reduction=r),
             [(3, 4), Float((3, 4), 0, 1)]) for r in ('batchmean', 'sum', 'none')],
    OpCase('kl_div_log_target', lambda m, a, t: f(m).kl_div(a, t, reduction='batchmean', log_target=True),
           [(3, 4), (3, 4)]),
    OpCase('kl_div_zero_target', lambda m, a, t: f(m).kl_div(a, t, reduction='sum'),
           [(2, 2), Arr(np.array([[0., 0.5], [1., 0.]]))]),
    # margin losses
    *[OpCase(f'margin_ranking_{r}', lambda m, a, b, y, r=r: f(m).margin_ranking_loss(a, b, y, margin=0.3,
                                                                                   reduction=r),
             [(4,), (4,), SIGNS]) for r in ('mean', 'sum', 'none')],
    *[OpCase(f'hinge_embedding_{r}', lambda m, a, y, r=r: f(m).hinge_embedding_loss(a, y, margin=1.5, reduction=r),
             [(2, 3), SIGNS_2D]) for r in ('mean', 'sum', 'none')],
    *[OpCase(f'soft_margin_{r}', lambda m, a, y, r=r: f(m).soft_margin_loss(a, y, reduction=r), [(2, 3), SIGNS_2D])
      for r in ('mean', 'sum', 'none')],
    *[OpCase(f'multilabel_soft_margin_{r}', lambda m, a, t, r=r: f(m).multilabel_soft_margin_loss(a, t, reduction=r),
             [(2, 3), PROBS]) for r in ('mean', 'sum', 'none')],
    OpCase('multilabel_soft_margin_weight', lambda m, a, t, w: f(m).multilabel_soft_margin_loss(a, t, weight=w),
           [(2, 3), PROBS, positive((3,), grad=False)]),
    *[OpCase(f'multilabel_margin_{r}', lambda m, a, t, r=r: f(m).multilabel_margin_loss(a, t, reduction=r),
             [(3, 4), LABELS_PREFIX]) for r in ('mean', 'sum', 'none')],
    OpCase('multilabel_margin_1d', lambda m, a: f(m).multilabel_margin_loss(a, m.tensor([3, 0, -1, 1])), [(4,)]),
    *[OpCase(f'multi_margin_{r}_p{p}', lambda m, a, t, r=r, p=p: f(m).multi_margin_loss(a, t, p=p, reduction=r),
             [(4, 5), Int((4,), 0, 5)]) for r in ('mean', 'sum', 'none') for p in (1, 2)],
    OpCase('multi_margin_weight_margin', lambda m, a, t, w: f(m).multi_margin_loss(a, t, p=2, margin=0.5, weight=w),
           [(4, 5), Int((4,), 0, 5), positive((5,), grad=False)]),
    OpCase('multi_margin_1d', lambda m, a: f(m).multi_margin_loss(a, m.tensor(2), reduction='none'), [(5,)]),
    *[OpCase(f'cosine_embedding_{r}', lambda m, a, b, y, r=r: f(m).cosine_embedding_loss(a, b, y, margin=0.2,
                                                                                       reduction=r),
             [(4, 3), (4, 3), SIGNS]) for r in ('mean', 'sum', 'none')],
    OpCase('cosine_embedding_1d', lambda m, a, b: f(m).cosine_embedding_loss(a, b, m.tensor(-1.)), [(3,), (3,)]),
    *[OpCase(f'triplet_margin_{r}', lambda m, a, p, n, r=r: f(m).triplet_margin_loss(a, p, n, reduction=r),
             [(4, 3), (4, 3), (4, 3)]) for r in ('mean', 'sum', 'none')],
    OpCase('triplet_margin_p1_swap', lambda m, a, p, n: f(m).triplet_margin_loss(a, p, n, margin=2.0, p=1, swap=True),
           [(4, 3), (4, 3), (4, 3)]),
    OpCase('triplet_distance_default', lambda m, a, p, n: f(m).triplet_margin_with_distance_loss(a, p, n),
           [(4, 3), (4, 3), (4, 3)]),
    OpCase('triplet_distance_custom_swap',
           lambda m, a, p, n: f(m).triplet_margin_with_distance_loss(
               a, p, n, distance_function=lambda x, y: (x - y).abs().sum(-1), swap=True, reduction='none'),
           [(4, 3), (4, 3), (4, 3)]),
    # CTC: through log_softmax, so the gradient of the logits is the true gradient (PyTorch's CTC
    # gradient for log_probs assumes that normalisation)
    *[OpCase(f'ctc_{r}', lambda m, x, t, r=r: f(m).ctc_loss(x.log_softmax(2), t, (6, 5, 4), (3, 2, 2), reduction=r),
             [(6, 3, 5), CTC_TARGETS]) for r in ('mean', 'sum', 'none')],
    OpCase('ctc_flat_targets_tensors',
           lambda m, x, t: f(m).ctc_loss(x.log_softmax(2), t, m.tensor([6, 6, 5]), m.tensor([3, 2, 2]),
                                         reduction='sum'),
           [(6, 3, 5), CTC_FLAT]),
    OpCase('ctc_blank_last', lambda m, x, t: f(m).ctc_loss(x.log_softmax(2), t - 1, (6, 6, 6), (3, 3, 1), blank=4),
           [(6, 3, 5), CTC_TARGETS]),
    OpCase('ctc_zero_length_target', lambda m, x, t: f(m).ctc_loss(x.log_softmax(2), t, (6, 4, 5), (3, 0, 1),
                                                                   reduction='none'),
           [(6, 3, 5), CTC_TARGETS]),
    OpCase('ctc_impossible_zero_infinity',
           lambda m, x, t: f(m).ctc_loss(x.log_softmax(2), t, (6, 2, 5), (3, 3, 2), reduction='none',
                                         zero_infinity=True),
           [(6, 3, 5), CTC_TARGETS]),
    OpCase('ctc_unbatched', lambda m, x: f(m).ctc_loss(x.log_softmax(1), m.tensor([1, 3, 3]), (6,), (3,)),
           [(6, 5)]),
    OpCase('ctc_log_probs_direct', lambda m, x, t: f(m).ctc_loss(x, t, (6, 5, 4), (3, 2, 2), reduction='none'),
           [Float((6, 3, 5), -3, -0.1), CTC_TARGETS], gradcheck=False),  # PyTorch's gradient assumes log_softmax
]

ERROR_CASES = [
    ErrorCase('loss_bad_reduction', lambda m: m.nn.functional.mse_loss(m.ones(2), m.ones(2), reduction='avg')),
    ErrorCase('nll_loss_batch_mismatch', lambda m: m.nn.functional.nll_loss(m.zeros(3, 2), m.tensor([0, 1]))),
    ErrorCase('nll_loss_target_out_of_range', lambda m: m.nn.functional.nll_loss(m.zeros(2, 2), m.tensor([0, 2]))),
    ErrorCase('nll_loss_0d', lambda m: m.nn.functional.nll_loss(m.tensor(1.), m.tensor(0))),
    ErrorCase('nll_loss_0d_target', lambda m: m.nn.functional.nll_loss(m.zeros(3, 4), m.tensor(1))),  # ValueError
    ErrorCase('nll_loss_3d_0d_target', lambda m: m.nn.functional.nll_loss(m.zeros(2, 3, 4), m.tensor(1))),
    ErrorCase('cross_entropy_0d_target', lambda m: m.nn.functional.cross_entropy(m.zeros(3, 4), m.tensor(1),
                                                                                 reduction='none')),
    ErrorCase('kl_div_integer_input', lambda m: m.nn.functional.kl_div(m.tensor([[1, 2]]), m.rand(1, 2),
                                                                       reduction='sum')),
    ErrorCase('kl_div_integer_target', lambda m: m.nn.functional.kl_div(m.rand(1, 2), m.tensor([[1, 2]]),
                                                                        reduction='batchmean', log_target=True)),
    ErrorCase('kl_div_bool', lambda m: m.nn.functional.kl_div(m.ones(2) > 0, m.ones(2) > 0, reduction='none')),
    ErrorCase('nll_loss_3d_target_shape', lambda m: m.nn.functional.nll_loss(m.zeros(2, 3, 4), m.zeros(2, 3).long())),
    ErrorCase('cross_entropy_probs_int_target', lambda m: m.nn.functional.cross_entropy(m.zeros(2, 3),
                                                                                        m.zeros(2, 3).long())),
    ErrorCase('cross_entropy_probs_ignore_index', lambda m: m.nn.functional.cross_entropy(m.zeros(2, 3), m.zeros(2, 3),
                                                                                          ignore_index=1)),
    ErrorCase('cross_entropy_smoothing_above_1', lambda m: m.nn.functional.cross_entropy(
        m.zeros(2, 3), m.tensor([0, 1]), label_smoothing=1.5)),
    ErrorCase('cross_entropy_weight_size', lambda m: m.nn.functional.cross_entropy(m.zeros(2, 3), m.tensor([0, 1]),
                                                                                   weight=m.ones(2))),
    ErrorCase('bce_size_mismatch', lambda m: m.nn.functional.binary_cross_entropy(m.full((2,), 0.5), m.ones(2, 1))),
    ErrorCase('bce_out_of_range', lambda m: m.nn.functional.binary_cross_entropy(m.full((2,), 1.5), m.ones(2))),
    ErrorCase('bce_logits_size_mismatch', lambda m: m.nn.functional.binary_cross_entropy_with_logits(
        m.zeros(2), m.ones(3))),
    ErrorCase('smooth_l1_negative_beta', lambda m: m.nn.functional.smooth_l1_loss(m.ones(2), m.ones(2), beta=-1.)),
    ErrorCase('huber_zero_delta', lambda m: m.nn.functional.huber_loss(m.ones(2), m.ones(2), delta=0.)),
    ErrorCase('gaussian_nll_negative_var', lambda m: m.nn.functional.gaussian_nll_loss(m.ones(2), m.ones(2),
                                                                                        -m.ones(2))),
    ErrorCase('gaussian_nll_var_size', lambda m: m.nn.functional.gaussian_nll_loss(m.ones(2, 3), m.ones(2, 3),
                                                                                    m.ones(3, 3))),
    ErrorCase('margin_ranking_dims', lambda m: m.nn.functional.margin_ranking_loss(m.ones(2), m.ones(2),
                                                                                   m.ones(1, 2))),
    ErrorCase('multi_margin_p3', lambda m: m.nn.functional.multi_margin_loss(m.ones(2, 3), m.tensor([0, 1]), p=3)),
    ErrorCase('multi_margin_target_range', lambda m: m.nn.functional.multi_margin_loss(m.ones(2, 3),
                                                                                       m.tensor([0, 3]))),
    ErrorCase('multilabel_margin_target_range', lambda m: m.nn.functional.multilabel_margin_loss(
        m.ones(2, 3), m.tensor([[1, 2, 3], [0, -1, 0]]))),
    ErrorCase('cosine_embedding_2d_target', lambda m: m.nn.functional.cosine_embedding_loss(
        m.ones(2, 3), m.ones(2, 3), m.ones(1, 2))),
    ErrorCase('cosine_embedding_input_dims', lambda m: m.nn.functional.cosine_embedding_loss(
        m.ones(3), m.ones(3), m.ones(2))),
    ErrorCase('triplet_margin_nonpositive', lambda m: m.nn.functional.triplet_margin_loss(
        m.ones(2, 3), m.ones(2, 3), m.ones(2, 3), margin=0.)),
    ErrorCase('triplet_dims', lambda m: m.nn.functional.triplet_margin_loss(m.ones(2, 3), m.ones(2, 3), m.ones(3))),
    ErrorCase('ctc_input_length_too_long', lambda m: m.nn.functional.ctc_loss(
        m.zeros(4, 1, 3), m.tensor([[1, 2]]), (5,), (2,))),
    ErrorCase('ctc_targets_too_short', lambda m: m.nn.functional.ctc_loss(
        m.zeros(4, 1, 3), m.tensor([[1, 2]]), (4,), (3,))),
]
