"""Module table rows: the loss layers (several argument combinations each)."""
import sys

import numpy as np

from ._spec import ModuleCase, Float, Int, Arr, Py, positive  # noqa: F401

SIGNS = Arr(np.array([1., -1., -1., 1.]), grad=False)
PROBS = Float((4, 3), 0.05, 0.95)


def _weights(nn, values):
    """A class-weight tensor of the library `nn` belongs to (torch or ember)."""
    return sys.modules[nn.__name__.rsplit('.', 1)[0]].tensor(values)


MODULE_CASES = [
    ModuleCase('L1Loss', lambda nn: nn.L1Loss(), [(3, 4), (3, 4)]),
    ModuleCase('L1Loss_sum', lambda nn: nn.L1Loss(reduction='sum'), [(3, 4), (3, 4)]),
    ModuleCase('MSELoss', lambda nn: nn.MSELoss(), [(3, 4), (3, 4)]),
    ModuleCase('MSELoss_none', lambda nn: nn.MSELoss(reduction='none'), [(3, 4), (3, 4)]),
    ModuleCase('MSELoss_legacy_reduce_false', lambda nn: nn.MSELoss(reduce=False), [(3, 4), (3, 4)]),
    ModuleCase('CrossEntropyLoss', lambda nn: nn.CrossEntropyLoss(), [(4, 3), Int((4,))]),
    ModuleCase('CrossEntropyLoss_weight_ignore_smoothing',
               lambda nn: nn.CrossEntropyLoss(weight=_weights(nn, [0.2, 1.0, 0.7]), ignore_index=1,
                                              label_smoothing=0.1),
               [(6, 3), Int((6,))]),
    ModuleCase('CrossEntropyLoss_probs_none', lambda nn: nn.CrossEntropyLoss(reduction='none'),
               [(4, 3), Float((4, 3), 0, 1)]),
    ModuleCase('CrossEntropyLoss_4d', lambda nn: nn.CrossEntropyLoss(), [(2, 3, 2, 2), Int((2, 2, 2))]),
    ModuleCase('NLLLoss', lambda nn: nn.NLLLoss(), [(4, 3), Int((4,))]),
    ModuleCase('NLLLoss_weight_sum', lambda nn: nn.NLLLoss(weight=_weights(nn, [0.2, 1.0, 0.7]), reduction='sum'),
               [(4, 3), Int((4,))]),
    ModuleCase('NLLLoss_3d_ignore', lambda nn: nn.NLLLoss(ignore_index=0), [(2, 3, 5), Int((2, 5))]),
    ModuleCase('BCELoss', lambda nn: nn.BCELoss(), [PROBS, PROBS]),
    ModuleCase('BCELoss_weight', lambda nn: nn.BCELoss(weight=_weights(nn, [0.5, 1.0, 2.0])), [PROBS, PROBS]),
    ModuleCase('BCEWithLogitsLoss', lambda nn: nn.BCEWithLogitsLoss(), [(4, 3), PROBS]),
    ModuleCase('BCEWithLogitsLoss_pos_weight_none',
               lambda nn: nn.BCEWithLogitsLoss(weight=_weights(nn, [0.5, 1.0, 2.0]),
                                               pos_weight=_weights(nn, [3.0, 1.0, 0.5]), reduction='none'),
               [(4, 3), PROBS]),
    ModuleCase('SmoothL1Loss', lambda nn: nn.SmoothL1Loss(), [(3, 4), (3, 4)]),
    ModuleCase('SmoothL1Loss_beta', lambda nn: nn.SmoothL1Loss(beta=0.3, reduction='sum'), [(3, 4), (3, 4)]),
    ModuleCase('HuberLoss', lambda nn: nn.HuberLoss(), [(3, 4), (3, 4)]),
    ModuleCase('HuberLoss_delta', lambda nn: nn.HuberLoss(reduction='none', delta=0.4), [(3, 4), (3, 4)]),
    ModuleCase('PoissonNLLLoss', lambda nn: nn.PoissonNLLLoss(), [(3, 4), Float((3, 4), 0, 3)]),
    ModuleCase('PoissonNLLLoss_full', lambda nn: nn.PoissonNLLLoss(log_input=False, full=True, eps=1e-3),
               [positive((3, 4)), Float((3, 4), 0.2, 4, grad=False)]),
    ModuleCase('GaussianNLLLoss', lambda nn: nn.GaussianNLLLoss(), [(3, 4), (3, 4), positive((3, 4))]),
    ModuleCase('GaussianNLLLoss_full_sum', lambda nn: nn.GaussianNLLLoss(full=True, reduction='sum'),
               [(3, 4), (3, 4), positive((3, 1))]),
    ModuleCase('KLDivLoss_batchmean', lambda nn: nn.KLDivLoss(reduction='batchmean'), [(3, 4), Float((3, 4), 0, 1)]),
    ModuleCase('KLDivLoss_log_target_none', lambda nn: nn.KLDivLoss(reduction='none', log_target=True),
               [(3, 4), (3, 4)]),
    ModuleCase('MarginRankingLoss', lambda nn: nn.MarginRankingLoss(margin=0.5), [(4,), (4,), SIGNS]),
    ModuleCase('HingeEmbeddingLoss', lambda nn: nn.HingeEmbeddingLoss(margin=2.0), [(4,), SIGNS]),
    ModuleCase('SoftMarginLoss', lambda nn: nn.SoftMarginLoss(), [(4,), SIGNS]),
    ModuleCase('MultiLabelSoftMarginLoss', lambda nn: nn.MultiLabelSoftMarginLoss(), [(4, 3), PROBS]),
    ModuleCase('MultiLabelSoftMarginLoss_weight',
               lambda nn: nn.MultiLabelSoftMarginLoss(weight=_weights(nn, [0.5, 1.0, 2.0]), reduction='none'),
               [(4, 3), PROBS]),
    ModuleCase('MultiLabelMarginLoss', lambda nn: nn.MultiLabelMarginLoss(),
               [(2, 4), Arr(np.array([[3, 0, -1, 1], [1, 2, 0, 3]]))]),
    ModuleCase('MultiMarginLoss', lambda nn: nn.MultiMarginLoss(), [(4, 5), Int((4,), 0, 5)]),
    ModuleCase('MultiMarginLoss_p2_weight',
               lambda nn: nn.MultiMarginLoss(p=2, margin=0.7, weight=_weights(nn, [0.5, 1.0, 2.0, 1.5, 0.2])),
               [(4, 5), Int((4,), 0, 5)]),
    ModuleCase('CosineEmbeddingLoss', lambda nn: nn.CosineEmbeddingLoss(margin=0.1), [(4, 3), (4, 3), SIGNS]),
    ModuleCase('TripletMarginLoss', lambda nn: nn.TripletMarginLoss(), [(4, 3), (4, 3), (4, 3)]),
    ModuleCase('TripletMarginLoss_p1_swap', lambda nn: nn.TripletMarginLoss(margin=1.5, p=1, swap=True,
                                                                            reduction='none'),
               [(4, 3), (4, 3), (4, 3)]),
    ModuleCase('TripletMarginWithDistanceLoss', lambda nn: nn.TripletMarginWithDistanceLoss(),
               [(4, 3), (4, 3), (4, 3)]),
    ModuleCase('TripletMarginWithDistanceLoss_cosine_swap',
               lambda nn: nn.TripletMarginWithDistanceLoss(
                   distance_function=lambda x, y: 1 - nn.functional.cosine_similarity(x, y), margin=0.5, swap=True),
               [(4, 3), (4, 3), (4, 3)]),
    ModuleCase('CTCLoss', lambda nn: nn.CTCLoss(), [(5, 2, 4), Arr(np.array([[1, 2], [3, 3]])), Py((5, 4)), Py((2, 2))],
               forward=lambda module, x, t, il, tl: module(x.log_softmax(2), t, il, tl)),
    ModuleCase('CTCLoss_blank_zero_infinity_sum', lambda nn: nn.CTCLoss(blank=3, zero_infinity=True, reduction='sum'),
               [(5, 2, 4), Arr(np.array([[1, 2], [0, 0]])), Py((5, 1)), Py((2, 2))],
               forward=lambda module, x, t, il, tl: module(x.log_softmax(2), t, il, tl)),
]
