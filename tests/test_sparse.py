"""Sparse COO tensors against torch: the gradient of `Embedding(sparse=True)` (after one and two
backwards, with padding, mixed with dense gradients), coalesce / to_dense / printing, the
constructors, and the errors PyTorch gives for what its sparse backend does not do."""
import numpy as np
import pytest
import torch

import ember

pytestmark = pytest.mark.filterwarnings('ignore:Sparse invariant checks')


def _same(ember_tensor, torch_tensor, rtol=1e-6):
    """Same sparse structure (indices, values, size, nnz, coalesced flag) or same dense values."""
    assert ember_tensor.is_sparse == torch_tensor.is_sparse
    assert tuple(ember_tensor.shape) == tuple(torch_tensor.shape)
    assert str(ember_tensor.dtype).replace('ember.', '') == str(torch_tensor.dtype).replace('torch.', '')
    if torch_tensor.is_sparse:
        assert ember_tensor._nnz() == torch_tensor._nnz()
        assert ember_tensor.is_coalesced() == torch_tensor.is_coalesced()
        np.testing.assert_array_equal(ember_tensor._indices().numpy(), torch_tensor._indices().numpy())
        np.testing.assert_allclose(ember_tensor._values().numpy(), torch_tensor._values().numpy(), rtol=rtol)
    else:
        np.testing.assert_allclose(ember_tensor.detach().numpy(), torch_tensor.detach().numpy(), rtol=rtol)


def _embeddings(num, dim, **kwargs):
    """The same sparse Embedding in both libraries (weights copied from torch)."""
    torch.manual_seed(0)
    torch_emb = torch.nn.Embedding(num, dim, sparse=True, **kwargs)
    ember_emb = ember.nn.Embedding(num, dim, sparse=True, **kwargs)
    with ember.no_grad():
        ember_emb.weight.copy_(ember.tensor(torch_emb.weight.detach().numpy()))
    return ember_emb, torch_emb


LOOKUPS = [  # (num_embeddings, embedding_dim, indices, Embedding kwargs)
    (6, 3, [[0, 2], [2, 5]], {}),
    (6, 3, [[0, 2], [2, 5], [4, 1]], dict(padding_idx=4)),
    (10, 2, [3, 3, 3, 9], {}),
    (5, 4, [[[0, 1, 0]]], dict(padding_idx=0)),
    (7, 2, [6, 0, 6], dict(max_norm=1.0)),
]


@pytest.mark.parametrize('num, dim, indices, kwargs', LOOKUPS)
def test_embedding_sparse_grad_matches_torch(num, dim, indices, kwargs):
    ember_emb, torch_emb = _embeddings(num, dim, **kwargs)
    ember_idx, torch_idx = ember.tensor(indices), torch.tensor(indices)
    weights = np.linspace(-1, 1, np.size(indices) * dim, dtype=np.float32).reshape(np.shape(indices) + (dim,))
    (ember_emb(ember_idx) * ember.tensor(weights)).sum().backward()
    (torch_emb(torch_idx) * torch.tensor(weights)).sum().backward()
    ember_grad, torch_grad = ember_emb.weight.grad, torch_emb.weight.grad
    assert ember_grad.is_sparse and str(ember_grad.layout) == 'ember.sparse_coo'
    assert (ember_grad.sparse_dim(), ember_grad.dense_dim()) == (torch_grad.sparse_dim(), torch_grad.dense_dim())
    _same(ember_grad, torch_grad)
    _same(ember_grad.to_dense(), torch_grad.to_dense())
    _same(ember_grad.coalesce(), torch_grad.coalesce())
    _same(ember_grad.coalesce().indices(), torch_grad.coalesce().indices())
    _same(ember_grad.coalesce().values(), torch_grad.coalesce().values())
    # a second backward through the same index tensor: torch adds the values in place (same nnz)
    (ember_emb(ember_idx) * 2).sum().backward()
    (torch_emb(torch_idx) * 2).sum().backward()
    _same(ember_emb.weight.grad, torch_emb.weight.grad)
    assert ember_emb.weight.grad is ember_grad  # accumulated in place, as in PyTorch


def test_second_backward_with_other_indices_concatenates():
    ember_emb, torch_emb = _embeddings(6, 3)
    for lookup in ([[0, 2], [2, 5]], [3, 2], [[0, 2], [2, 5]]):
        ember_emb(ember.tensor(lookup)).sum().backward()
        torch_emb(torch.tensor(lookup)).sum().backward()
        _same(ember_emb.weight.grad, torch_emb.weight.grad)
    assert ember_emb.weight.grad._nnz() == 10
    _same(ember_emb.weight.grad.coalesce(), torch_emb.weight.grad.coalesce())


def test_two_lookups_in_one_graph():
    ember_emb, torch_emb = _embeddings(6, 3)
    (ember_emb(ember.tensor([[0, 2], [2, 5]])).sum() + 3 * ember_emb(ember.tensor([1, 2])).sum()).backward()
    (torch_emb(torch.tensor([[0, 2], [2, 5]])).sum() + 3 * torch_emb(torch.tensor([1, 2])).sum()).backward()
    assert ember_emb.weight.grad.is_sparse and ember_emb.weight.grad._nnz() == torch_emb.weight.grad._nnz()
    _same(ember_emb.weight.grad.coalesce(), torch_emb.weight.grad.coalesce())


@pytest.mark.parametrize('order', ['sparse_first', 'dense_first'])
def test_dense_and_sparse_gradients_in_one_graph(order):
    ember_emb, torch_emb = _embeddings(6, 3)

    def loss(m, emb):
        lookup = emb(m.tensor([0, 2, 2])).sum()
        dense = (emb.weight ** 2).sum()
        return lookup + dense if order == 'sparse_first' else dense + lookup

    loss(ember, ember_emb).backward()
    loss(torch, torch_emb).backward()
    _same(ember_emb.weight.grad, torch_emb.weight.grad)


@pytest.mark.parametrize('first', ['sparse', 'dense'])
def test_dense_and_sparse_gradients_accumulate_across_backwards(first):
    ember_emb, torch_emb = _embeddings(6, 3)
    grads = {}
    for m, emb in ((ember, ember_emb), (torch, torch_emb)):
        steps = [lambda: emb(m.tensor([0, 3, 3])).sum().backward(), lambda: (emb.weight ** 2).sum().backward()]
        if first == 'dense':
            steps.reverse()
        steps[0]()
        before = emb.weight.grad
        steps[1]()
        grads[m] = (emb.weight.grad, emb.weight.grad is before)
    _same(grads[ember][0], grads[torch][0])
    assert grads[ember][1] == grads[torch][1]  # a dense .grad takes the sparse one in place


def test_sparse_arithmetic_matches_torch():
    indices, values = [[1, 0, 1]], [[1., 2], [3, 4], [5, 6]]
    e = ember.sparse_coo_tensor(ember.tensor(indices), ember.tensor(values), (3, 2))
    t = torch.sparse_coo_tensor(torch.tensor(indices), torch.tensor(values), (3, 2))
    other_e = ember.sparse_coo_tensor(ember.tensor([[2, 0]]), ember.tensor([[1., 1], [2, 2]]), (3, 2))
    other_t = torch.sparse_coo_tensor(torch.tensor([[2, 0]]), torch.tensor([[1., 1], [2, 2]]), (3, 2))
    dense = np.arange(6, dtype=np.float32).reshape(3, 2)
    for op in (lambda a, b, d: a * 2, lambda a, b, d: 0.5 * a, lambda a, b, d: -a, lambda a, b, d: a / 4,
               lambda a, b, d: a + a, lambda a, b, d: a + b, lambda a, b, d: a - b,
               lambda a, b, d: a.coalesce() + b.coalesce(), lambda a, b, d: d + a, lambda a, b, d: d - a,
               lambda a, b, d: a.sum(), lambda a, b, d: a.clone(), lambda a, b, d: a.detach()):
        _same(op(e, other_e, ember.tensor(dense)), op(t, other_t, torch.tensor(dense)))
    ember_dense, torch_dense = ember.tensor(dense), torch.tensor(dense)
    ember_dense.add_(e, alpha=-0.5)
    torch_dense.add_(t, alpha=-0.5)
    _same(ember_dense, torch_dense)
    e.mul_(3)
    t.mul_(3)
    _same(e, t)
    e.add_(other_e)
    t.add_(other_t)
    _same(e, t)
    e.zero_()
    t.zero_()
    _same(e, t)


@pytest.mark.parametrize('indices, values, size, kwargs', [
    ([[1, 0, 1]], [[1., 2], [3, 4], [5, 6]], (3, 2), {}),
    ([[1, 0, 1], [0, 1, 0]], [1., 2, 3], (3, 2), {}),
    ([[1, 0, 1]], [[1., 2], [3, 4], [5, 6]], None, {}),
    ([[1, 0, 1]], [1, 2, 3], None, {}),
    ([[1, 0, 1]], [1., 2, 3], None, dict(requires_grad=True)),
    ([[1, 0, 1]], [1., 2, 3], None, dict(dtype='float64')),
    ([[0, 2]], [[1., 2], [3, 4]], (4, 2), dict(is_coalesced=True)),
])
def test_sparse_coo_tensor_and_printing(indices, values, size, kwargs):
    made = {}
    for m in (ember, torch):
        options = {k: (getattr(m, v) if k == 'dtype' else v) for k, v in kwargs.items()}
        args = (m.tensor(indices), m.tensor(values)) + ((size,) if size is not None else ())
        made[m] = m.sparse_coo_tensor(*args, **options)
    _same(made[ember], made[torch])
    assert made[ember].requires_grad == made[torch].requires_grad
    assert repr(made[ember]).replace('ember.', 'torch.') == repr(made[torch])
    for view in (lambda s: s.coalesce(), lambda s: s.to_dense()):
        if made[torch].requires_grad:
            break  # (ember records no autograd history through sparse tensors)
        assert repr(view(made[ember])).replace('ember.', 'torch.') == repr(view(made[torch]))


def test_printing_of_gradients_and_empty_tensors():
    ember_emb, torch_emb = _embeddings(6, 3, padding_idx=4)
    ember_emb(ember.tensor([[0, 2], [2, 5], [4, 1]])).sum().backward()
    torch_emb(torch.tensor([[0, 2], [2, 5], [4, 1]])).sum().backward()
    assert str(ember_emb.weight.grad).replace('ember.', 'torch.') == str(torch_emb.weight.grad)
    ember_emb.weight.grad.zero_()
    torch_emb.weight.grad.zero_()
    assert str(ember_emb.weight.grad).replace('ember.', 'torch.') == str(torch_emb.weight.grad)
    assert str(ember.sparse_coo) == 'ember.sparse_coo' and str(ember.strided) == 'ember.strided'


@pytest.mark.parametrize('sparse_dim', [None, 1])
def test_to_sparse_matches_torch(sparse_dim):
    data = np.array([[0., 1, 0], [0, 0, 0], [2, 0, 3]], dtype=np.float32)
    args = () if sparse_dim is None else (sparse_dim,)
    _same(ember.tensor(data).to_sparse(*args), torch.tensor(data).to_sparse(*args))
    _same(ember.tensor(data).to_sparse(*args).to_dense(), torch.tensor(data).to_sparse(*args).to_dense())
    dense = ember.tensor(data)
    assert dense.to_dense() is dense and (dense.sparse_dim(), dense.dense_dim()) == (0, 2)


def _error(fn, m, *args):
    try:
        fn(m, *args)
    except Exception as error:  # noqa: BLE001 (the type is what is compared)
        return type(error), str(error).split('.')[0]
    return None


@pytest.mark.parametrize('name, fn', [
    ('indices of uncoalesced', lambda m, s, d: s.indices()),
    ('values of uncoalesced', lambda m, s, d: s.values()),
    ('sparse + dense', lambda m, s, d: s + d),
    ('exp', lambda m, s, d: s.exp()),
    ('view', lambda m, s, d: s.view(-1)),
    ('dense _nnz', lambda m, s, d: d._nnz()),
    ('dense is_coalesced', lambda m, s, d: d.is_coalesced()),
    ('dense coalesce', lambda m, s, d: d.coalesce()),
    ('dense indices', lambda m, s, d: d.indices()),
    ('dense _values', lambda m, s, d: d._values()),
])
def test_errors_match_torch(name, fn):
    results = []
    for m in (ember, torch):
        sparse = m.sparse_coo_tensor(m.tensor([[1, 0, 1]]), m.tensor([1., 2, 3]), (3,))
        results.append(_error(fn, m, sparse, m.zeros(3)))
    assert results[0] is not None and results[0][0] is results[1][0], (name, results)
    if 'SparseCPU' not in results[1][1] and "'CPU' backend" not in results[1][1]:
        assert results[0][1] == results[1][1]


def test_scale_grad_by_freq_with_sparse_is_refused():
    emb = ember.nn.Embedding(5, 2, sparse=True, scale_grad_by_freq=True)
    with pytest.raises(RuntimeError, match='scale_grad_by_freq not supported with sparse gradients'):
        emb(ember.tensor([0, 3, 3])).sum().backward()


# ---- dense + sparse ------------------------------------------------------------------------------------
def _dense_and_sparse(m, dense_dtype='float32', sparse_values=((1., 2), (3, 4), (5, 6)), requires_grad=(False, False)):
    """The same (dense, sparse) pair in either library; the sparse one has a repeated row."""
    dense = m.arange(6).reshape(3, 2).to(getattr(m, dense_dtype))
    sparse = m.sparse_coo_tensor(m.tensor([[1, 0, 1]]), m.tensor(sparse_values), (3, 2))
    if requires_grad[0]:
        dense.requires_grad_()
    if requires_grad[1]:
        sparse.requires_grad_()
    return dense, sparse


DENSE_SPARSE_SUMS = [  # (name, fn(m, dense, sparse), pair options)
    ('torch.add', lambda m, d, s: m.add(d, s), {}),
    ('torch.add alpha', lambda m, d, s: m.add(d, s, alpha=2), {}),
    ('Tensor.add alpha', lambda m, d, s: d.add(s, alpha=-0.5), {}),
    ('operator +', lambda m, d, s: d + s, {}),
    ('operator -', lambda m, d, s: d - s, {}),
    ('torch.sub alpha', lambda m, d, s: m.sub(d, s, alpha=3), {}),
    ('Tensor.sub', lambda m, d, s: d.sub(s), {}),
    ('int dense', lambda m, d, s: d + s, dict(dense_dtype='int64')),
    ('int dense, int sparse, int alpha', lambda m, d, s: m.add(d, s, alpha=3),
     dict(dense_dtype='int64', sparse_values=((1, 2), (3, 4), (5, 6)))),
    ('float64 dense', lambda m, d, s: d - s, dict(dense_dtype='float64')),
    ('int sparse', lambda m, d, s: d + s, dict(sparse_values=((1, 2), (3, 4), (5, 6)))),
    ('out=', lambda m, d, s: m.add(d, s, alpha=2, out=m.empty(3, 2)), {}),
    ('add_ on a graph', lambda m, d, s: (d * 1).add_(s, alpha=2), dict(requires_grad=(True, False))),
]


@pytest.mark.parametrize('name, fn, options', DENSE_SPARSE_SUMS, ids=[case[0] for case in DENSE_SPARSE_SUMS])
def test_dense_plus_sparse_matches_torch(name, fn, options):
    results = {m: fn(m, *_dense_and_sparse(m, **options)) for m in (ember, torch)}
    _same(results[ember], results[torch])
    assert (results[ember].grad_fn is None) == (results[torch].grad_fn is None)


@pytest.mark.parametrize('op', ['add', 'sub'])
def test_dense_plus_sparse_gradients_match_torch(op):
    grads = {}
    for m in (ember, torch):
        dense, sparse = _dense_and_sparse(m, requires_grad=(True, True))
        out = getattr(m, op)(dense, sparse, alpha=2)
        assert type(out.grad_fn).__name__ == f'{op.capitalize()}Backward0'
        (out * m.arange(6.).reshape(3, 2)).sum().backward()
        grads[m] = dense.grad, sparse.grad
    for ember_grad, torch_grad in zip(grads[ember], grads[torch]):
        _same(ember_grad, torch_grad)


@pytest.mark.parametrize('name, fn', [
    ('sparse + dense', lambda m, d, s: m.add(s, d)),
    ('sparse - dense', lambda m, d, s: m.sub(s, d)),
    ('Tensor.add of sparse', lambda m, d, s: s.add(d, alpha=2)),
    ('number + sparse', lambda m, d, s: 1 + s),
    ('sparse + number', lambda m, d, s: s + 1),
    ('broadcast dense', lambda m, d, s: m.zeros(4, 3, 2) + s),
    ('broadcast sparse', lambda m, d, s: m.zeros(2) + s),
    ('0-dim dense', lambda m, d, s: m.tensor(1.) + s),
    ('float alpha, int result', lambda m, d, s: m.add(d.long(), s, alpha=0.5)),
    ('bool alpha', lambda m, d, s: m.add(d, s, alpha=True)),
])
def test_dense_plus_sparse_errors_match_torch(name, fn):
    errors = []
    for m in (ember, torch):
        dense, sparse = _dense_and_sparse(m, sparse_values=((1, 2), (3, 4), (5, 6)) if 'int' in name else
                                          ((1., 2), (3, 4), (5, 6)))
        with pytest.raises(Exception) as error:
            fn(m, dense, sparse)
        errors.append((error.type, str(error.value)))
    assert errors[0] == errors[1]


def test_sparse_plus_sparse_through_torch_add():
    results = {}
    for m in (ember, torch):
        _, sparse = _dense_and_sparse(m)
        other = m.sparse_coo_tensor(m.tensor([[2, 0]]), m.tensor([[1., 1], [2, 2]]), (3, 2))
        results[m] = m.add(sparse.coalesce(), other.coalesce(), alpha=2), m.sub(sparse, sparse)
    for ember_result, torch_result in zip(results[ember], results[torch]):
        _same(ember_result, torch_result)


def test_sparse_mask_matches_torch():
    data = np.arange(6, dtype=np.float32).reshape(3, 2)
    for indices in ([[2, 0, 2]], [[0, 2]]):
        masks = {m: m.sparse_coo_tensor(m.tensor(indices), m.ones(len(indices[0]), 2), (3, 2)) for m in (ember, torch)}
        for coalesce in (False, True):
            picked = {m: m.tensor(data).sparse_mask(mask.coalesce() if coalesce else mask) for m, mask in masks.items()}
            _same(picked[ember], picked[torch])
    for fn in (lambda m: m.zeros(3, 2).sparse_mask(m.zeros(3, 2)),
               lambda m: m.zeros(3, 2).sparse_mask(m.zeros(3, 3).to_sparse())):
        assert _error(fn, ember)[0] is _error(fn, torch)[0]


# ---- EmbeddingBag(sparse=True) ---------------------------------------------------------------------------
BAGS = [  # (name, input, offsets, embedding_bag kwargs)
    ('sum', [1, 2, 4, 5, 4, 3, 2, 7], [0, 4], dict(mode='sum')),
    ('mean', [1, 2, 4, 5, 4, 3, 2, 7], [0, 4], dict(mode='mean')),
    ('mean with an empty bag', [1, 2, 4, 5, 4, 3, 2, 7], [0, 3, 3], dict(mode='mean')),
    ('include_last_offset', [1, 2, 4, 5, 4, 3, 2, 7], [0, 3, 3, 8], dict(mode='mean', include_last_offset=True)),
    ('per_sample_weights', [1, 2, 4, 5, 4, 3, 2, 7], [0, 4], dict(mode='sum', per_sample_weights=True)),
    ('padding_idx sum', [1, 2, 4, 5, 4, 3, 2, 7], [0, 4], dict(mode='sum', padding_idx=4)),
    ('padding_idx mean', [1, 2, 4, 5, 4, 3, 2, 7], [0, 4], dict(mode='mean', padding_idx=2)),
    ('negative padding_idx', [1, 2, 4, 5, 4, 3, 2, 7], [0, 4], dict(mode='sum', padding_idx=-1)),
    ('padding_idx with weights', [1, 2, 4, 5, 4, 3, 2, 7], [0, 4], dict(mode='sum', padding_idx=4,
                                                                       per_sample_weights=True)),
    ('2-D input', [[1, 2], [4, 1], [0, 0]], None, dict(mode='mean')),
    ('unsorted repeats', [5, 1, 5, 0, 2], [0, 2], dict(mode='sum')),
    ('empty input', [], [0, 0], dict(mode='sum')),
]


@pytest.mark.parametrize('name, indices, offsets, kwargs', BAGS, ids=[case[0] for case in BAGS])
def test_embedding_bag_sparse_grad_matches_torch(name, indices, offsets, kwargs):
    weight = np.random.default_rng(0).standard_normal((8, 3)).astype(np.float32)
    grads = {}
    for m in (ember, torch):
        w = m.tensor(weight, requires_grad=True)
        options = dict(kwargs)
        weights = None
        if options.pop('per_sample_weights', False):
            weights = m.linspace(0.1, 0.8, len(indices), requires_grad=True)
        out = m.nn.functional.embedding_bag(m.tensor(indices, dtype=m.int64), w,
                                            None if offsets is None else m.tensor(offsets), sparse=True,
                                            per_sample_weights=weights, **options)
        (out * m.arange(1., out.numel() + 1).reshape(out.shape)).sum().backward()
        grads[m] = w.grad, None if weights is None else weights.grad
    _same(grads[ember][0], grads[torch][0])
    _same(grads[ember][0].coalesce(), grads[torch][0].coalesce())
    if grads[torch][1] is not None:
        _same(grads[ember][1], grads[torch][1])


def test_embedding_bag_module_sparse_grads_accumulate_like_torch():
    grads = {}
    for m in (ember, torch):
        m.manual_seed(0)
        bag = m.nn.EmbeddingBag(10, 3, mode='sum', sparse=True)
        with m.no_grad():
            bag.weight.copy_(m.arange(30.).reshape(10, 3) / 10)
        bag(m.tensor([1, 2, 4, 5, 4]), m.tensor([0, 2])).sum().backward()
        bag(m.tensor([[9, 1], [1, 0]])).pow(2).sum().backward()
        grads[m] = bag.weight.grad
    assert grads[ember]._nnz() == 9
    _same(grads[ember], grads[torch])


@pytest.mark.parametrize('kwargs', [dict(mode='max'), dict(mode='sum', scale_grad_by_freq=True)])
def test_embedding_bag_sparse_refusals_match_torch(kwargs):
    errors = []
    for m in (ember, torch):
        w = m.zeros(5, 2, requires_grad=True)
        with pytest.raises(Exception) as error:
            m.nn.functional.embedding_bag(m.tensor([0, 1, 1]), w, m.tensor([0, 1]), sparse=True, **kwargs).sum().backward()
        errors.append((error.type, str(error.value)))
    assert errors[0] == errors[1]


# ---- ember.sparse (torch.sparse) -----------------------------------------------------------------------
def _random_sparse_matrix(m, rows=6, columns=5, nnz=12, dtype='float32'):
    """A sparse (rows, columns) matrix with repeated coordinates, the same in both libraries."""
    rng = np.random.default_rng(3)
    indices = np.stack([rng.integers(0, rows, nnz), rng.integers(0, columns, nnz)])
    values = rng.standard_normal(nnz).astype(dtype)
    return m.sparse_coo_tensor(m.tensor(indices), m.tensor(values), (rows, columns))


@pytest.mark.parametrize('dtype', ['float32', 'float64'])
def test_sparse_mm_and_its_gradients_match_torch(dtype):
    dense = np.random.default_rng(4).standard_normal((5, 3)).astype(dtype)
    results = {}
    for m in (ember, torch):
        sparse = _random_sparse_matrix(m, dtype=dtype).requires_grad_()
        other = m.tensor(dense, requires_grad=True)
        out = m.sparse.mm(sparse, other)
        assert type(out.grad_fn).__name__ == 'SparseAddmmBackward0'
        (out.sin() * 3).sum().backward()
        results[m] = out, sparse.grad, other.grad
    for ember_result, torch_result in zip(results[ember], results[torch]):
        _same(ember_result, torch_result, rtol=1e-5 if dtype == 'float32' else 1e-12)  # (summation order)


def test_sparse_mm_gradient_of_the_dense_side_only():
    results = {}
    for m in (ember, torch):
        other = m.ones(5, 2, requires_grad=True)
        m.sparse.mm(_random_sparse_matrix(m), other).pow(2).sum().backward()
        results[m] = other.grad
    _same(results[ember], results[torch])


@pytest.mark.parametrize('fn', [
    lambda m, s, h: m.sparse.sum(s),
    lambda m, s, h: m.sparse.sum(s, dim=0),
    lambda m, s, h: m.sparse.sum(s, dim=-1),
    lambda m, s, h: m.sparse.sum(s, dim=(0, 1)),
    lambda m, s, h: m.sparse.sum(s, dtype=m.float64),
    lambda m, s, h: m.sparse.sum(h, dim=0),
    lambda m, s, h: m.sparse.sum(h, dim=1),
    lambda m, s, h: m.sparse.sum(h, dim=(0, 1)),
    lambda m, s, h: s.sum(1),
    lambda m, s, h: h.sum((0, 1)),
])
def test_sparse_sum_matches_torch(fn):
    results = {}
    for m in (ember, torch):
        hybrid = m.sparse_coo_tensor(m.tensor([[0, 2, 0]]), m.arange(6.).reshape(3, 2), (3, 2))
        results[m] = fn(m, _random_sparse_matrix(m), hybrid)
    _same(results[ember], results[torch])


@pytest.mark.parametrize('fn', [
    lambda m, s: m.sparse.mm(s, m.ones(2, 2)),
    lambda m, s: m.sparse.mm(s, m.ones(5, 2, dtype=m.float64)),
    lambda m, s: m.sparse.mm(m.sparse_coo_tensor(m.tensor([[0, 2]]), m.ones(2, 2), (3, 2)), m.ones(2, 2)),
    lambda m, s: m.sparse.sum(m.ones(2)),
    lambda m, s: m.sparse.sum(s, dim=2),
])
def test_sparse_module_errors_match_torch(fn):
    errors = []
    for m in (ember, torch):
        with pytest.raises(Exception) as error:
            fn(m, _random_sparse_matrix(m))
        errors.append((error.type, str(error.value)))
    assert errors[0] == errors[1]
