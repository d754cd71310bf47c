"""ember.vision.ops against torchvision 0.28's Python operators (through `_oracle`); nms, whose
compiled kernel cannot load here, against a brute-force greedy reference."""
import numpy as np
import pytest
import torch

import ember
import ember.vision.ops as ops

from ._oracle import import_torchvision


@pytest.fixture(scope='module')
def tv():
    return import_torchvision()


def random_boxes(count, seed, dtype=np.float32, size=20.0):
    """`count` valid xyxy boxes: corners in [0, size), positive width and height."""
    rng = np.random.default_rng(seed)
    corner = rng.uniform(0, size, (count, 2))
    extent = rng.uniform(0.5, size / 2, (count, 2))
    return np.concatenate([corner, corner + extent], axis=1).astype(dtype)


def both(array, requires_grad=False):
    return (torch.tensor(array, requires_grad=requires_grad), ember.tensor(array, requires_grad=requires_grad))


def assert_close(expected, actual, atol=1e-6):
    assert str(expected.dtype).split('.')[-1] == str(actual.dtype).split('.')[-1]
    assert tuple(expected.shape) == tuple(actual.shape)
    np.testing.assert_allclose(actual.detach().numpy(), expected.detach().numpy(), rtol=1e-5, atol=atol)


PAIRWISE = ['box_iou', 'generalized_box_iou', 'distance_box_iou', 'complete_box_iou']


@pytest.mark.parametrize('name', PAIRWISE)
@pytest.mark.parametrize('dtype', [np.float32, np.float64])
def test_pairwise_ious_and_gradients(tv, name, dtype):
    (t1, e1), (t2, e2) = both(random_boxes(5, 0, dtype), True), both(random_boxes(4, 1, dtype), True)
    expected, actual = getattr(tv.ops, name)(t1, t2), getattr(ops, name)(e1, e2)
    assert_close(expected, actual)
    weights = np.random.default_rng(2).standard_normal(tuple(expected.shape)).astype(dtype)
    (expected * torch.tensor(weights)).sum().backward()
    (actual * ember.tensor(weights)).sum().backward()
    assert_close(t1.grad, e1.grad, atol=1e-5)
    assert_close(t2.grad, e2.grad, atol=1e-5)


@pytest.mark.parametrize('fmt', ['xyxy', 'xywh', 'cxcywh'])
def test_box_iou_and_area_formats_and_batches(tv, fmt):
    (t1, e1), (t2, e2) = both(random_boxes(6, 3).reshape(2, 3, 4)), both(random_boxes(8, 4).reshape(2, 4, 4))
    assert_close(tv.ops.box_iou(t1, t2, fmt=fmt), ops.box_iou(e1, e2, fmt=fmt))
    assert_close(tv.ops.box_area(t1, fmt=fmt), ops.box_area(e1, fmt=fmt))
    integer_boxes = random_boxes(3, 5).astype(np.int16)
    assert_close(tv.ops.box_area(torch.tensor(integer_boxes)), ops.box_area(ember.tensor(integer_boxes)))


@pytest.mark.parametrize('in_fmt', ['xyxy', 'xywh', 'cxcywh'])
@pytest.mark.parametrize('out_fmt', ['xyxy', 'xywh', 'cxcywh'])
def test_box_convert(tv, in_fmt, out_fmt):
    t, e = both(random_boxes(5, 6))
    assert_close(tv.ops.box_convert(t, in_fmt, out_fmt), ops.box_convert(e, in_fmt, out_fmt))


def test_box_errors(tv):
    t, e = both(random_boxes(2, 0))
    for call in ('box_convert({}, "xyxy", "xyz")', 'box_area({}, fmt="xyz")', 'box_iou({0}, {0}, fmt="abc")'):
        with pytest.raises(ValueError) as expected:
            eval('tv.ops.' + call.format('t'))
        with pytest.raises(ValueError) as actual:
            eval('ops.' + call.format('e'))
        assert str(actual.value) == str(expected.value)


def test_clip_remove_small_and_masks_to_boxes(tv):
    t, e = both(random_boxes(7, 7, size=30.0) - 5)
    assert_close(tv.ops.clip_boxes_to_image(t, (12, 17)), ops.clip_boxes_to_image(e, (12, 17)))
    assert tv.ops.remove_small_boxes(t, 6.0).tolist() == ops.remove_small_boxes(e, 6.0).tolist()
    masks = np.random.default_rng(8).random((4, 9, 11)) > 0.93
    masks[2] = False
    assert_close(tv.ops.masks_to_boxes(torch.tensor(masks)), ops.masks_to_boxes(ember.tensor(masks)))


def greedy_nms(boxes, scores, threshold):
    """The textbook algorithm, one box at a time, with IoU from torchvision's box_iou."""
    order = sorted(range(len(scores)), key=lambda i: -scores[i])
    keep = []
    for i in order:
        if all(box_iou_value(boxes[i], boxes[k]) <= threshold for k in keep):
            keep.append(i)
    return keep


def box_iou_value(a, b):
    inter = max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


@pytest.mark.parametrize('seed', range(5))
@pytest.mark.parametrize('threshold', [0.0, 0.3, 0.7])
def test_nms_against_greedy_reference(seed, threshold):
    boxes = random_boxes(40, seed).astype(np.float64)
    scores = np.random.default_rng(seed + 100).random(40)
    kept = ops.nms(ember.tensor(boxes), ember.tensor(scores), threshold)
    assert kept.dtype == ember.int64
    assert kept.tolist() == greedy_nms(boxes.tolist(), scores.tolist(), threshold)


def test_batched_nms_keeps_categories_apart():
    boxes = random_boxes(30, 9).astype(np.float64)
    scores = np.random.default_rng(10).random(30)
    categories = np.random.default_rng(11).integers(0, 3, 30)
    kept = ops.batched_nms(ember.tensor(boxes), ember.tensor(scores), ember.tensor(categories), 0.4).tolist()
    expected = [i for c in range(3) for i in np.flatnonzero(categories == c)[
        greedy_nms(boxes[categories == c].tolist(), scores[categories == c].tolist(), 0.4)]]
    assert kept == sorted(expected, key=lambda i: -scores[i])
    assert ops.nms(ember.zeros((0, 4)), ember.zeros(0), 0.5).tolist() == []


@pytest.mark.parametrize('alpha, gamma, reduction', [(0.25, 2, 'none'), (-1, 1.5, 'mean'), (0.7, 0, 'sum')])
def test_sigmoid_focal_loss(tv, alpha, gamma, reduction):
    rng = np.random.default_rng(12)
    (t_in, e_in), (t_target, e_target) = both(rng.standard_normal((4, 5)), True), both(rng.random((4, 5)) > 0.5)
    expected = tv.ops.sigmoid_focal_loss(t_in, t_target.double(), alpha, gamma, reduction)
    actual = ops.sigmoid_focal_loss(e_in, e_target.double(), alpha, gamma, reduction)
    assert_close(expected, actual)
    expected.sum().backward()
    actual.sum().backward()
    assert_close(t_in.grad, e_in.grad)
    with pytest.raises(ValueError, match='Invalid alpha'):
        ops.sigmoid_focal_loss(e_in, e_target.double(), alpha=2)


@pytest.mark.parametrize('p, mode', [(0.5, 'row'), (0.3, 'batch'), (1.0, 'row'), (0.0, 'batch')])
def test_stochastic_depth_seeded(tv, p, mode):
    t, e = both(np.random.default_rng(13).standard_normal((16, 3, 2)).astype(np.float32))
    for seed in range(3):
        torch.manual_seed(seed)
        expected = tv.ops.stochastic_depth(t, p, mode)
        ember.manual_seed(seed)
        assert_close(expected, ops.stochastic_depth(e, p, mode))
    module = ops.StochasticDepth(p, mode).eval()
    assert module(e) is e
    assert repr(module) == repr(tv.ops.StochasticDepth(p, mode))
    with pytest.raises(ValueError, match='mode has to be'):
        ops.stochastic_depth(e, p, 'column')


def copy_weights(source, target):
    target.load_state_dict({name: ember.tensor(value.numpy()) for name, value in source.state_dict().items()})


LAYERS = [
    ('MLP(6, [8, 4])', (5, 6)),
    ('MLP(6, [8, 7, 3], norm_layer=torch.nn.LayerNorm, activation_layer=torch.nn.GELU, bias=False)', (5, 6)),
    ('Conv2dNormActivation(3, 5)', (2, 3, 7, 8)),
    ('Conv2dNormActivation(3, 6, kernel_size=(3, 5), stride=2, groups=3, dilation=2, norm_layer=None)', (2, 3, 9, 9)),
    ('Conv2dNormActivation(3, 4, activation_layer=torch.nn.Hardswish, inplace=None)', (2, 3, 5, 5)),
    ('SqueezeExcitation(6, 2)', (2, 6, 4, 5)),
    ('FrozenBatchNorm2d(3, eps=1e-3)', (2, 3, 4, 4)),
]


@pytest.mark.parametrize('call, shape', LAYERS)
def test_layers_match_torchvision(tv, call, shape):
    torch.manual_seed(0)
    theirs = eval('tv.ops.' + call)
    ours = eval('ops.' + call.replace('torch.nn.', 'ember.nn.'))
    assert repr(ours) == repr(theirs)
    if call.startswith('FrozenBatchNorm2d'):
        rng = np.random.default_rng(14)
        state = {name: torch.tensor(rng.random(3, dtype=np.float32) + 0.5) for name in theirs.state_dict()}
        theirs.load_state_dict(state)
        ours.load_state_dict({**{k: ember.tensor(v.numpy()) for k, v in state.items()},
                              'num_batches_tracked': ember.tensor(0)})  # a BatchNorm2d state loads too
    else:
        copy_weights(theirs, ours)
    theirs.train(), ours.train()
    x = np.random.default_rng(15).standard_normal(shape).astype(np.float32)
    assert_close(theirs(torch.tensor(x)), ours(ember.tensor(x)), atol=1e-5)
