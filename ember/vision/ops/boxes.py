"""Box geometry on `(..., 4)` tensors, as torchvision's `ops.boxes`.

The IoU family is written with ember tensor ops, so gradients flow through it (the IoU losses need
that). `nms` is NumPy: it returns indices, and its greedy pass over the boxes is sequential by nature.
"""
import math

import numpy as np

from ... import float32, float64, int32, int64, no_grad
from ... import atan, stack, where, zeros
from ..._creation import from_numpy

__all__ = ['nms', 'batched_nms', 'remove_small_boxes', 'clip_boxes_to_image', 'box_convert', 'box_area',
           'box_iou', 'generalized_box_iou', 'complete_box_iou', 'distance_box_iou', 'masks_to_boxes']

_AXIS_ALIGNED_FORMATS = ('xyxy', 'xywh', 'cxcywh')


def _upcast(t):
    """float16/bfloat16 -> float32 and small integers -> int32, so products of coordinates do not overflow."""
    if t.is_floating_point():
        return t if t.dtype in (float32, float64) else t.float()
    return t if t.dtype in (int32, int64) else t.int()


def nms(boxes, scores, iou_threshold):
    """Non-maximum suppression: going from the highest score down, keep a box and drop every later box whose
    IoU with it is above `iou_threshold`. Returns the kept indices (int64), highest score first."""
    corners = boxes.detach().numpy()
    if corners.shape[0] == 0:
        return from_numpy(np.zeros(0, dtype=np.int64))
    # torchvision's kernel: a stable descending sort, IoU from the corner overlap in the boxes' dtype
    order = np.argsort(-scores.detach().numpy(), kind='stable')
    x1, y1, x2, y2 = corners[order].T
    areas = (x2 - x1) * (y2 - y1)
    width = np.clip(np.minimum(x2[:, None], x2) - np.maximum(x1[:, None], x1), 0, None)
    height = np.clip(np.minimum(y2[:, None], y2) - np.maximum(y1[:, None], y1), 0, None)
    intersection = width * height
    overlaps = intersection / (areas[:, None] + areas - intersection) > iou_threshold
    suppressed = np.zeros(len(order), dtype=bool)
    keep = []
    for i in range(len(order)):  # each kept box suppresses its later overlaps, which then cannot suppress
        if not suppressed[i]:
            keep.append(i)
            suppressed[i + 1:] |= overlaps[i, i + 1:]
    return from_numpy(order[keep].astype(np.int64))


def batched_nms(boxes, scores, idxs, iou_threshold):
    """`nms` within each category of `idxs`: boxes of different categories never suppress each other.
    Returns the kept indices, highest score first."""
    if boxes.numel() == 0:
        return from_numpy(np.zeros(0, dtype=np.int64))
    # torchvision's coordinate trick: shift each category by more than the largest coordinate, so boxes of
    # different categories cannot overlap, then run one nms
    max_coordinate = boxes.max()
    offsets = idxs.to(boxes.dtype) * (max_coordinate + 1)
    return nms(boxes + offsets[:, None], scores, iou_threshold)


def remove_small_boxes(boxes, min_size):
    """Indices of the boxes whose width and height are both at least `min_size`."""
    widths, heights = boxes[..., 2] - boxes[..., 0], boxes[..., 3] - boxes[..., 1]
    return where((widths >= min_size) & (heights >= min_size))[0]


def clip_boxes_to_image(boxes, size):
    """Clamp `xyxy` boxes into an image of `size = (height, width)`."""
    height, width = size
    boxes_x = boxes[..., 0::2].clamp(min=0, max=width)
    boxes_y = boxes[..., 1::2].clamp(min=0, max=height)
    return stack((boxes_x, boxes_y), dim=boxes.dim()).reshape(boxes.shape)


def _to_xyxy(boxes, in_fmt):
    if in_fmt == 'xywh':
        x, y, w, h = boxes.unbind(-1)
        return stack([x, y, x + w, y + h], dim=-1)
    cx, cy, w, h = boxes.unbind(-1)
    return stack([cx - 0.5 * w, cy - 0.5 * h, cx + 0.5 * w, cy + 0.5 * h], dim=-1)


def _from_xyxy(boxes, out_fmt):
    x1, y1, x2, y2 = boxes.unbind(-1)
    if out_fmt == 'xywh':
        return stack([x1, y1, x2 - x1, y2 - y1], dim=-1)
    return stack([(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1], dim=-1)


def box_convert(boxes, in_fmt, out_fmt):
    """Boxes from `in_fmt` to `out_fmt`, among 'xyxy' (corners), 'xywh' (top-left corner and size) and
    'cxcywh' (centre and size)."""
    if in_fmt not in _AXIS_ALIGNED_FORMATS or out_fmt not in _AXIS_ALIGNED_FORMATS:
        raise ValueError(f'Unsupported Bounding Box Conversions for given in_fmt {in_fmt} and out_fmt {out_fmt}')
    if in_fmt == out_fmt:
        return boxes.clone()
    if in_fmt != 'xyxy':
        boxes = _to_xyxy(boxes, in_fmt)
    return boxes if out_fmt == 'xyxy' else _from_xyxy(boxes, out_fmt)


def box_area(boxes, fmt='xyxy'):
    """The area of each box in `fmt` ('xyxy', 'xywh' or 'cxcywh')."""
    if fmt not in _AXIS_ALIGNED_FORMATS:
        raise ValueError(f'Unsupported Bounding Box area for given format {fmt}')
    boxes = _upcast(boxes)
    if fmt == 'xyxy':
        return (boxes[..., 2] - boxes[..., 0]) * (boxes[..., 3] - boxes[..., 1])
    return boxes[..., 2] * boxes[..., 3]


def _box_inter_union(boxes1, boxes2, fmt='xyxy'):
    """Pairwise intersection and union areas, `[..., N, M]`."""
    if fmt not in _AXIS_ALIGNED_FORMATS:
        raise ValueError(f'Unsupported Box IoU Calculation for given fmt {fmt}.')
    area1, area2 = box_area(boxes1, fmt=fmt), box_area(boxes2, fmt=fmt)
    first, second = boxes1[..., None, :], boxes2[..., None, :, :]
    if fmt == 'xyxy':
        lt, rb = first[..., :2].maximum(second[..., :2]), first[..., 2:].minimum(second[..., 2:])
    elif fmt == 'xywh':
        lt = first[..., :2].maximum(second[..., :2])
        rb = (first[..., :2] + first[..., 2:]).minimum(second[..., :2] + second[..., 2:])
    else:
        lt = (first[..., :2] - first[..., 2:] / 2).maximum(second[..., :2] - second[..., 2:] / 2)
        rb = (first[..., :2] + first[..., 2:] / 2).minimum(second[..., :2] + second[..., 2:] / 2)
    wh = _upcast(rb - lt).clamp(min=0)
    inter = wh[..., 0] * wh[..., 1]
    return inter, area1[..., None] + area2[..., None, :] - inter


def box_iou(boxes1, boxes2, fmt='xyxy'):
    """Pairwise intersection over union of `[..., N, 4]` and `[..., M, 4]` boxes: `[..., N, M]`."""
    if fmt not in _AXIS_ALIGNED_FORMATS:
        # torchvision also takes the rotated formats here, which ember does not implement
        raise ValueError(f"Unsupported format '{fmt}'. Supported axis-aligned formats: {_AXIS_ALIGNED_FORMATS}. "
                         "Supported rotated formats: ('cxcywhr', 'xywhr', 'xyxyxyxy').")
    inter, union = _box_inter_union(boxes1, boxes2, fmt=fmt)
    return inter / union


def _enclosing_wh(boxes1, boxes2):
    """Width and height of the smallest box holding both boxes of each pair."""
    lti = boxes1[..., None, :2].minimum(boxes2[..., None, :, :2])
    rbi = boxes1[..., None, 2:].maximum(boxes2[..., None, :, 2:])
    return _upcast(rbi - lti).clamp(min=0)


def generalized_box_iou(boxes1, boxes2):
    """GIoU: IoU minus the fraction of the enclosing box that neither box covers, for `xyxy` boxes."""
    inter, union = _box_inter_union(boxes1, boxes2)
    whi = _enclosing_wh(boxes1, boxes2)
    enclosing_area = whi[..., 0] * whi[..., 1]
    return inter / union - (enclosing_area - union) / enclosing_area


def _box_diou_iou(boxes1, boxes2, eps):
    """(DIoU, IoU): DIoU is IoU minus the squared centre distance over the enclosing box's squared diagonal."""
    iou = box_iou(boxes1, boxes2)
    whi = _enclosing_wh(boxes1, boxes2)
    diagonal_distance_squared = whi[..., 0] ** 2 + whi[..., 1] ** 2 + eps
    x_p, y_p = (boxes1[..., 0] + boxes1[..., 2]) / 2, (boxes1[..., 1] + boxes1[..., 3]) / 2
    x_g, y_g = (boxes2[..., 0] + boxes2[..., 2]) / 2, (boxes2[..., 1] + boxes2[..., 3]) / 2
    centers_distance_squared = (_upcast(x_p[..., None] - x_g[..., None, :]) ** 2
                                + _upcast(y_p[..., None] - y_g[..., None, :]) ** 2)
    return iou - centers_distance_squared / diagonal_distance_squared, iou


def distance_box_iou(boxes1, boxes2, eps=1e-7):
    """DIoU ("Distance-IoU Loss") of every pair of `xyxy` boxes."""
    return _box_diou_iou(_upcast(boxes1), _upcast(boxes2), eps)[0]


def complete_box_iou(boxes1, boxes2, eps=1e-7):
    """CIoU ("Distance-IoU Loss"): DIoU minus a penalty on the difference of the boxes' aspect ratios."""
    boxes1, boxes2 = _upcast(boxes1), _upcast(boxes2)
    diou, iou = _box_diou_iou(boxes1, boxes2, eps)
    w_pred, h_pred = boxes1[..., None, 2] - boxes1[..., None, 0], boxes1[..., None, 3] - boxes1[..., None, 1]
    w_gt, h_gt = boxes2[..., None, :, 2] - boxes2[..., None, :, 0], boxes2[..., None, :, 3] - boxes2[..., None, :, 1]
    v = (4 / (math.pi ** 2)) * (atan(w_pred / h_pred) - atan(w_gt / h_gt)) ** 2
    with no_grad():  # the paper treats the trade-off weight as a constant
        alpha = v / (1 - iou + v + eps)
    return diou - alpha * v


def masks_to_boxes(masks):
    """The `xyxy` box around the nonzero pixels of each `[N, H, W]` mask (float32; `[0, 0, 0, 0]` when empty)."""
    if masks.numel() == 0:
        return zeros((0, 4), dtype=float32)
    present = masks.detach().numpy().astype(bool)
    rows, cols = present.any(axis=2), present.any(axis=1)
    height, width = present.shape[1:]
    boxes = np.stack([cols.argmax(axis=1), rows.argmax(axis=1), width - 1 - cols[:, ::-1].argmax(axis=1),
                      height - 1 - rows[:, ::-1].argmax(axis=1)], axis=1).astype(np.float32)
    boxes[~rows.any(axis=1)] = 0
    return from_numpy(boxes)
