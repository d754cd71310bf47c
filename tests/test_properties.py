"""Property tests (hypothesis): broadcasting and views, over random shapes and random view chains.

- Broadcasting: `a + b` for random broadcast-compatible shapes equals NumPy's result, and the
  gradients of `a` and `b` are the output gradient summed over the broadcast dims (checked against
  NumPy's arithmetic and against torch).
- Views: a random chain of view ops applied to the same data in ember, torch and NumPy gives the
  same values, shapes, contiguity, strides and offsets; writing through the result changes the
  base exactly where NumPy (and torch) say.
"""
import numpy as np
import torch
from hypothesis import given, settings, strategies as st
from hypothesis.extra.numpy import mutually_broadcastable_shapes, array_shapes

import ember

SETTINGS = settings(max_examples=50, deadline=None)


def _unbroadcast(grad, shape):
    """NumPy's answer for a broadcast input's gradient: sum over the dims the input was broadcast in."""
    lead = grad.ndim - len(shape)
    grad = grad.sum(axis=tuple(range(lead)))
    dims = tuple(i for i, s in enumerate(shape) if s == 1 and grad.shape[i] != 1)
    return grad.sum(axis=dims, keepdims=True).reshape(shape)


@SETTINGS
@given(shapes=mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, min_side=1, max_side=4),
       dtype=st.sampled_from([np.float32, np.float64]), seed=st.integers(0, 2 ** 16))
def test_broadcast_add_values_and_gradients(shapes, dtype, seed):
    (shape_a, shape_b), out_shape = shapes.input_shapes, shapes.result_shape
    rng = np.random.default_rng(seed)
    a, b = rng.standard_normal(shape_a).astype(dtype), rng.standard_normal(shape_b).astype(dtype)
    grad_out = rng.standard_normal(out_shape).astype(dtype)

    results = {}
    for m in (ember, torch):
        ta, tb = m.tensor(a, requires_grad=True), m.tensor(b, requires_grad=True)
        out = ta + tb
        out.backward(m.tensor(grad_out))
        results[m.__name__] = (out.detach().numpy().copy(), ta.grad.numpy().copy(), tb.grad.numpy().copy(),
                               str(ta.grad.dtype).split('.')[-1])
    out, grad_a, grad_b, grad_dtype = results['ember']
    assert out.shape == tuple(out_shape)
    np.testing.assert_array_equal(out, a + b)
    assert grad_a.shape == tuple(shape_a) and grad_b.shape == tuple(shape_b)
    tol = dict(rtol=1e-5, atol=1e-5) if dtype == np.float32 else dict(rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(grad_a, _unbroadcast(grad_out, shape_a), **tol)
    np.testing.assert_allclose(grad_b, _unbroadcast(grad_out, shape_b), **tol)
    _, torch_grad_a, torch_grad_b, torch_dtype = results['torch']
    assert grad_dtype == torch_dtype
    np.testing.assert_allclose(grad_a, torch_grad_a, **tol)
    np.testing.assert_allclose(grad_b, torch_grad_b, **tol)


@SETTINGS
@given(shapes=mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, min_side=1, max_side=3),
       seed=st.integers(0, 2 ** 16))
def test_broadcast_mul_mixed_dtypes_matches_torch(shapes, seed):
    """float32 * float64 with broadcasting: result dtype, values and the grads' dtypes and shapes."""
    shape_a, shape_b = shapes.input_shapes
    rng = np.random.default_rng(seed)
    a, b = rng.standard_normal(shape_a).astype(np.float32), rng.standard_normal(shape_b)
    got = []
    for m in (ember, torch):
        ta, tb = m.tensor(a, requires_grad=True), m.tensor(b, requires_grad=True)
        out = ta * tb
        out.sum().backward()
        got.append([(str(t.dtype).split('.')[-1], tuple(t.shape), t.detach().numpy().astype(np.float64))
                    for t in (out, ta.grad, tb.grad)])
    for (d1, s1, v1), (d2, s2, v2) in zip(*got):
        assert (d1, s1) == (d2, s2)
        np.testing.assert_allclose(v1, v2, rtol=1e-5, atol=1e-6)


# ---- random chains of view ops ------------------------------------------------------------------------
# Each step is drawn for the current shape and gives (name, fn for ember and torch, fn for NumPy).
# `view` is only drawn when the tensor is contiguous; everything else is always legal.
def _divisors(n):
    return [d for d in range(1, n + 1) if n % d == 0]


def _draw_step(draw, shape, contiguous):
    ndim = len(shape)
    choices = ['reshape', 'unsqueeze', 'expand']
    if contiguous:
        choices.append('view')
    if ndim:
        choices += ['transpose', 'permute', 'slice', 'select', 'squeeze', 'narrow', 'unbind', 'split']
    kind = draw(st.sampled_from(choices))
    numel = int(np.prod(shape))
    if kind in ('view', 'reshape'):
        first = draw(st.sampled_from(_divisors(numel)))
        new = draw(st.sampled_from([(numel,), (first, -1), (-1, first), (first, 1, -1)]))
        return f"{kind}{new}", lambda t: getattr(t, kind)(*new), lambda a: np.reshape(a, new)
    if kind == 'unsqueeze':
        d = draw(st.integers(-ndim - 1, ndim))
        return f"unsqueeze({d})", lambda t: t.unsqueeze(d), lambda a: np.expand_dims(a, d)
    if kind == 'expand':
        ones = [i for i, s in enumerate(shape) if s == 1]
        if ones and draw(st.booleans()):
            i = draw(st.sampled_from(ones))
            new = tuple(3 if j == i else -1 for j in range(ndim))
            np_new = tuple(3 if j == i else s for j, s in enumerate(shape))
        else:
            new = (2,) + tuple(shape)
            np_new = new
        return f"expand{new}", lambda t: t.expand(*new), lambda a: np.broadcast_to(a, np_new)
    d = draw(st.integers(-ndim, ndim - 1))
    size = shape[d]
    if kind == 'transpose':
        e = draw(st.integers(-ndim, ndim - 1))
        return f"transpose({d},{e})", lambda t: t.transpose(d, e), lambda a: np.swapaxes(a, d, e)
    if kind == 'permute':
        perm = tuple(draw(st.permutations(range(ndim))))
        return f"permute{perm}", lambda t: t.permute(*perm), lambda a: np.transpose(a, perm)
    if kind == 'slice':
        start = draw(st.integers(0, size - 1))
        stop = draw(st.integers(start + 1, size))
        step = draw(st.integers(1, 3))
        key = (slice(None),) * (d % ndim) + (slice(start, stop, step),)
        return f"[{key}]", lambda t: t[key], lambda a: a[key]
    if kind == 'select':
        i = draw(st.integers(-size, size - 1))
        key = (slice(None),) * (d % ndim) + (i, Ellipsis)
        return f"select({d},{i})", lambda t: t.select(d, i), lambda a: a[key]
    if kind == 'squeeze':
        if draw(st.booleans()):
            return "squeeze()", lambda t: t.squeeze(), lambda a: np.reshape(a, tuple(s for s in a.shape if s != 1))
        return f"squeeze({d})", lambda t: t.squeeze(d), \
            lambda a: np.squeeze(a, d) if a.shape[d] == 1 else a
    if kind == 'narrow':
        start = draw(st.integers(0, size - 1))
        length = draw(st.integers(1, size - start))
        key = (slice(None),) * (d % ndim) + (slice(start, start + length),)
        return f"narrow({d},{start},{length})", lambda t: t.narrow(d, start, length), lambda a: a[key]
    if kind == 'unbind':
        i = draw(st.integers(0, size - 1))
        key = (slice(None),) * (d % ndim) + (i, Ellipsis)
        return f"unbind({d})[{i}]", lambda t: t.unbind(d)[i], lambda a: a[key]
    # split
    piece = draw(st.integers(1, size))
    i = draw(st.integers(0, -(-size // piece) - 1))
    key = (slice(None),) * (d % ndim) + (slice(i * piece, (i + 1) * piece),)
    return f"split({piece},{d})[{i}]", lambda t: t.split(piece, d)[i], lambda a: a[key]


def _shares_memory(m, view, base):
    if m is torch:
        return view.untyped_storage().data_ptr() == base.untyped_storage().data_ptr()
    return np.shares_memory(view.numpy(), base.numpy())


@SETTINGS
@given(shape=array_shapes(min_dims=0, max_dims=4, min_side=1, max_side=4), data=st.data())
def test_view_chains_alias_like_numpy_and_torch(shape, data):
    values = np.arange(int(np.prod(shape)), dtype=np.float32).reshape(shape)
    bases = {'ember': ember.tensor(values), 'torch': torch.tensor(values), 'numpy': values.copy()}
    views = dict(bases)
    steps = []
    expanded = False
    for _ in range(data.draw(st.integers(1, 4))):
        shape_now = tuple(views['torch'].shape)
        name, fn, np_fn = _draw_step(data.draw, shape_now, views['torch'].is_contiguous())
        steps.append(name)
        expanded |= name.startswith('expand')
        views = {'ember': fn(views['ember']), 'torch': fn(views['torch']), 'numpy': np_fn(views['numpy'])}
    ours, theirs, expected = views['ember'], views['torch'], views['numpy']
    where = ' -> '.join(steps)

    # reading
    assert tuple(ours.shape) == tuple(theirs.shape) == expected.shape, where
    np.testing.assert_array_equal(ours.numpy(), expected, err_msg=where)
    assert ours.is_contiguous() == theirs.is_contiguous(), where
    sized = [i for i, s in enumerate(theirs.shape) if s > 1]  # strides of size-1 dims are arbitrary
    assert [ours.stride(i) for i in sized] == [theirs.stride(i) for i in sized], where
    shares = _shares_memory(torch, theirs, bases['torch'])
    assert _shares_memory(ember, ours, bases['ember']) == shares == np.shares_memory(expected, bases['numpy']), where
    if shares:  # same first element: the offset of the view into its base
        assert ours.data_ptr() - bases['ember'].data_ptr() == theirs.data_ptr() - bases['torch'].data_ptr(), where

    # writing through the view (an expanded view can't be written: several elements share memory)
    if not expanded:
        marker = -1 - np.arange(expected.size, dtype=np.float32).reshape(expected.shape)
        ours.copy_(ember.tensor(marker))
        theirs.copy_(torch.tensor(marker))
        expected[...] = marker
        np.testing.assert_array_equal(bases['ember'].numpy(), bases['numpy'], err_msg=where)
        np.testing.assert_array_equal(bases['torch'].numpy(), bases['numpy'], err_msg=where)
        np.testing.assert_array_equal(ours.numpy(), marker, err_msg=where)


@SETTINGS
@given(shape=array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4), data=st.data())
def test_view_chain_gradients_match_torch(shape, data):
    """Backward through the same random view chain (grad of sum(view * weights))."""
    values = np.random.default_rng(0).standard_normal(shape)
    xs = {'ember': ember.tensor(values, requires_grad=True), 'torch': torch.tensor(values, requires_grad=True)}
    views = dict(xs)
    where = []
    for _ in range(data.draw(st.integers(1, 3))):
        name, fn, _ = _draw_step(data.draw, tuple(views['torch'].shape), views['torch'].is_contiguous())
        where.append(name)
        views = {k: fn(v) for k, v in views.items()}
    weights = np.arange(1, 1 + views['torch'].numel(), dtype=np.float64).reshape(tuple(views['torch'].shape))
    for m in (ember, torch):
        (views[m.__name__] * m.tensor(weights)).sum().backward()
    np.testing.assert_allclose(xs['ember'].grad.numpy(), xs['torch'].grad.numpy(), err_msg=' -> '.join(where))
