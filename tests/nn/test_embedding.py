"""Hand-written tests for embeddings, padding, resampling and distances: what the module and op
tables can't express (initialisation streams, in-place max_norm, from_pretrained, frozen weights,
error messages, reprs, double backward)."""
import numpy as np
import pytest
import torch

import ember


def _same(ours, theirs, atol=1e-6):
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), atol=atol, rtol=1e-5)


@pytest.mark.parametrize('make', [
    lambda nn: nn.Embedding(7, 4),
    lambda nn: nn.Embedding(7, 4, padding_idx=3),
    lambda nn: nn.EmbeddingBag(6, 3, padding_idx=-1),
])
def test_default_init_draws_torch_stream(make):
    torch.manual_seed(3)
    theirs = make(torch.nn)
    ember.manual_seed(3)
    ours = make(ember.nn)
    np.testing.assert_array_equal(ours.weight.detach().numpy(), theirs.weight.detach().numpy())
    if ours.padding_idx is not None:
        assert not ours.weight.detach().numpy()[ours.padding_idx].any()


def test_padding_idx_row_gets_no_gradient():
    emb = ember.nn.Embedding(5, 2, padding_idx=0)
    emb(ember.tensor([[0, 1, 0], [2, 0, 4]])).sum().backward()
    grad = emb.weight.grad.numpy()
    assert not grad[0].any()
    np.testing.assert_array_equal(grad[[1, 2, 4]], np.ones((3, 2)))
    np.testing.assert_array_equal(grad[3], np.zeros(2))


@pytest.mark.parametrize('norm_type', [2.0, 1.0, 3.0])
def test_max_norm_renormalises_looked_up_rows_in_place(norm_type):
    weight = np.random.default_rng(0).normal(size=(6, 4)).astype(np.float32) * 2
    theirs = torch.nn.Embedding.from_pretrained(torch.tensor(weight), freeze=False, max_norm=1.5, norm_type=norm_type)
    ours = ember.nn.Embedding.from_pretrained(ember.tensor(weight), freeze=False, max_norm=1.5, norm_type=norm_type)
    indices = [[0, 2, 2], [5, 0, 1]]
    version = ours.weight._version_counter
    out_t, out_e = theirs(torch.tensor(indices)), ours(ember.tensor(indices))
    _same(out_e, out_t)
    _same(ours.weight, theirs.weight)  # rows 0, 1, 2, 5 shrunk, rows 3, 4 untouched
    np.testing.assert_array_equal(ours.weight.detach().numpy()[[3, 4]], weight[[3, 4]])
    assert ours.weight._version_counter is version
    out_t.sum().backward()
    out_e.sum().backward()
    _same(ours.weight.grad, theirs.weight.grad)


def test_from_pretrained_freezes_by_default():
    weight = ember.arange(6.0).reshape(3, 2)
    frozen = ember.nn.Embedding.from_pretrained(weight)
    assert not frozen.weight.requires_grad
    assert frozen(ember.tensor([2])).tolist() == [[4.0, 5.0]]
    trainable = ember.nn.Embedding.from_pretrained(weight, freeze=False, padding_idx=1)
    assert trainable.weight.requires_grad and trainable.padding_idx == 1
    # from_pretrained keeps the given values, even at padding_idx (as PyTorch)
    assert trainable.weight[1].tolist() == [2.0, 3.0]
    bag = ember.nn.EmbeddingBag.from_pretrained(weight, mode='sum')
    assert not bag.weight.requires_grad
    assert bag(ember.tensor([[0, 2]])).tolist() == [[4.0, 6.0]]
    with pytest.raises(AssertionError):
        ember.nn.Embedding.from_pretrained(ember.zeros(3))


@pytest.mark.parametrize('indices', [[0, 5], [-1, 2], [[1, 9]]])
def test_out_of_range_index_is_index_error(indices):
    emb = ember.nn.Embedding(5, 2)
    with pytest.raises(IndexError, match="index out of range in self"):
        emb(ember.tensor(indices))
    with pytest.raises(IndexError, match="index out of range in self"):
        ember.nn.EmbeddingBag(5, 2)(ember.tensor(indices).reshape(1, -1))


def test_padding_idx_out_of_range_asserts():
    with pytest.raises(AssertionError, match="Padding_idx must be within num_embeddings"):
        ember.nn.Embedding(4, 2, padding_idx=4)
    with pytest.raises(AssertionError, match="Padding_idx must be within num_embeddings"):
        ember.nn.Embedding(4, 2, padding_idx=-5)
    assert ember.nn.Embedding(4, 2, padding_idx=-1).padding_idx == 3


def test_sparse_flag_gives_sparse_gradient():
    # the sparse gradient itself is compared with torch's in tests/test_sparse.py
    emb = ember.nn.Embedding(6, 3, sparse=True)
    assert repr(emb) == repr(torch.nn.Embedding(6, 3, sparse=True))
    emb(ember.tensor([[0, 2], [2, 5]])).sum().backward()
    assert emb.weight.grad.is_sparse and emb.weight.grad.shape == (6, 3)
    assert emb.weight.grad.to_dense().numpy()[2].tolist() == [2.0, 2.0, 2.0]


@pytest.mark.parametrize('source', [
    'Embedding(10, 3)', 'Embedding(10, 3, padding_idx=-2, max_norm=1.0, norm_type=1.0, scale_grad_by_freq=True)',
    'EmbeddingBag(5, 2)', "EmbeddingBag(5, 2, max_norm=2.0, mode='max', padding_idx=1)",
    'ZeroPad1d(2)', 'ZeroPad2d((1, 0, 2, 3))', 'ZeroPad3d(1)', 'ConstantPad1d((1, 2), 3.5)', 'ConstantPad2d(1, -1)',
    'ConstantPad3d(2, 0.5)', 'ReflectionPad1d(1)', 'ReflectionPad2d((1, 2, 3, 4))', 'ReflectionPad3d(1)',
    'ReplicationPad1d(3)', 'ReplicationPad2d(1)', 'ReplicationPad3d((1, 1, 0, 0, 2, 2))', 'CircularPad1d(1)',
    'CircularPad2d((1, 0, 2, 1))', 'CircularPad3d(2)', 'Upsample(scale_factor=2)',
    "Upsample(size=(3, 4), mode='bilinear', align_corners=True)", "Upsample(scale_factor=(2, 1.5), mode='bicubic')",
    'UpsamplingNearest2d(size=5)', 'UpsamplingBilinear2d(scale_factor=2)', 'PixelShuffle(3)', 'PixelUnshuffle(2)',
    'CosineSimilarity(dim=0)', 'PairwiseDistance(p=1.0)',
])
def test_repr_matches_torch(source):
    assert repr(eval('ember.nn.' + source)) == repr(eval('torch.nn.' + source))


def test_circular_pad_layer_checks_rank():
    for lib in (torch, ember):
        with pytest.raises(ValueError, match="expected 3D or 4D input"):
            lib.nn.CircularPad2d(1)(lib.zeros(2, 3))


@pytest.mark.parametrize('fn', [
    lambda m, x: m.nn.functional.interpolate(x, scale_factor=1.5, mode='bilinear'),
    lambda m, x: m.nn.functional.interpolate(x, size=(3, 5), mode='bicubic', align_corners=True),
    lambda m, x: m.nn.functional.interpolate(x, scale_factor=2),
    lambda m, x: m.nn.functional.pad(x, (1, 2, 2, 1), mode='reflect'),
    lambda m, x: m.nn.functional.pad(x, (1, 2, -1, 1), value=2.0),
    lambda m, x: m.nn.functional.pixel_shuffle(x, 2),
])
def test_double_backward_matches_torch(fn):
    data = np.random.default_rng(1).normal(size=(1, 4, 3, 4))
    outputs = []
    for lib in (torch, ember):
        x = lib.tensor(data, requires_grad=True)
        y = fn(lib, x)
        weights = lib.tensor(np.linspace(-1, 1, y.numel()).reshape(tuple(y.shape)), requires_grad=True)
        grad_x, = lib.autograd.grad((y * y * weights).sum(), x, create_graph=True)
        grad_grad_x, = lib.autograd.grad((grad_x * grad_x).sum(), x)
        outputs.append((grad_x, grad_grad_x))
    (grad_t, grad_grad_t), (grad_e, grad_grad_e) = outputs
    _same(grad_e, grad_t, atol=1e-10)
    _same(grad_grad_e, grad_grad_t, atol=1e-10)


def test_embedding_bag_max_gradient_goes_to_argmax_rows():
    weight = np.array([[1.0, 5.0], [3.0, 2.0], [2.0, 4.0], [0.0, 0.0]])
    grads = []
    for lib in (torch, ember):
        w = lib.tensor(weight, requires_grad=True)
        bags = lib.nn.functional.embedding_bag(lib.tensor([0, 1, 2, 3, 1]), w, lib.tensor([0, 3, 3]), mode='max')
        bags.sum().backward()
        grads.append(w.grad.numpy())
    np.testing.assert_array_equal(grads[1], grads[0])


def test_interpolate_float32_indices_like_torch():
    # ATen computes nearest indices in float32: sizes whose ratio is inexact in float must agree
    for size, out in [(7, 20), (13, 29), (100, 33), (3, 100)]:
        theirs = torch.nn.functional.interpolate(torch.arange(float(size)).reshape(1, 1, -1), size=out)
        ours = ember.nn.functional.interpolate(ember.arange(float(size)).reshape(1, 1, -1), size=out)
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
        theirs = torch.nn.functional.interpolate(torch.arange(float(size)).reshape(1, 1, -1), scale_factor=out / size,
                                                 mode='nearest-exact')
        ours = ember.nn.functional.interpolate(ember.arange(float(size)).reshape(1, 1, -1), scale_factor=out / size,
                                               mode='nearest-exact')
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
