"""Detection and building-block operators, as `torchvision.ops`: box geometry and IoUs, non-maximum
suppression, the focal loss, stochastic depth and the small layers torchvision's models are built from."""
from .boxes import (batched_nms, box_area, box_convert, box_iou, clip_boxes_to_image, complete_box_iou,
                    distance_box_iou, generalized_box_iou, masks_to_boxes, nms, remove_small_boxes)
from .focal_loss import sigmoid_focal_loss
from .misc import MLP, Conv2dNormActivation, Conv3dNormActivation, FrozenBatchNorm2d, Permute, SqueezeExcitation
from .stochastic_depth import StochasticDepth, stochastic_depth

__all__ = ['batched_nms', 'box_area', 'box_convert', 'box_iou', 'clip_boxes_to_image', 'complete_box_iou',
           'distance_box_iou', 'generalized_box_iou', 'masks_to_boxes', 'nms', 'remove_small_boxes',
           'sigmoid_focal_loss', 'MLP', 'Conv2dNormActivation', 'Conv3dNormActivation', 'FrozenBatchNorm2d',
           'Permute', 'SqueezeExcitation', 'StochasticDepth', 'stochastic_depth']
