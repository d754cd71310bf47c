"""A leaf's first `.grad` may take the memory of the gradient the engine computed (no copy), as
PyTorch's AccumulateGrad does, but only when nothing else can see that memory. Each case runs in
both libraries, then changes every leaf's `.grad` in place: whatever else the code kept (other
leaves' grads, tensors a hook saw, a retained grad, the gradient given to backward) must still hold
the values torch shows.
"""
import numpy as np
import pytest

from _compare import same, data, leaf


def _shared_by_add(m):
    # AddBackward0 sends the same gradient tensor to both inputs
    a, b = leaf(m, data(3)), leaf(m, data(3, seed=1))
    ((a + b) * 2).sum().backward()
    return [a, b], []


def _expanded(m):
    # the gradient of a sum is an expanded (read-only, shared) view of one number
    a = leaf(m, data(3))
    a.sum().backward()
    return [a], []


def _kept_by_leaf_hook(m):
    a = leaf(m, data(3))
    kept = []
    a.register_hook(lambda g: kept.append(g))
    (a * 3).sum().backward()
    return [a], kept


def _kept_by_tensor_hook(m):
    a = leaf(m, data(3))
    kept = []
    h = a * 1
    h.register_hook(lambda g: kept.append(g))
    (h * h).sum().backward()
    return [a], kept


def _retained(m):
    a = leaf(m, data(3))
    h = a + 1
    h.retain_grad()
    (h * h).sum().backward()
    return [a], [h.grad]


def _given_gradient(m):
    a = leaf(m, data(3))
    seed = m.tensor(data(3, seed=2))
    (a + 0).backward(seed)
    return [a], [seed]


def _leaf_root(m):
    a = leaf(m, data(3))
    seed = m.tensor(data(3, seed=3))
    a.backward(seed)
    return [a], [seed]


def _two_backwards(m):
    # the second gradient is added in place into the first (which may be stolen memory)
    a = leaf(m, data(3))
    (a * a).sum().backward()
    first = a.grad
    (a * 2).sum().backward()
    return [a], [first]


def _custom_function_passes_gradient_through(m):
    class Identity(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x.clone()

        @staticmethod
        def backward(ctx, grad):
            kept.append(grad)
            return grad
    kept = []
    a = leaf(m, data(3))
    (Identity.apply(a) * 2).sum().backward()
    return [a], kept


CASES = [_shared_by_add, _expanded, _kept_by_leaf_hook, _kept_by_tensor_hook, _retained, _given_gradient,
         _leaf_root, _two_backwards, _custom_function_passes_gradient_through]


@pytest.mark.parametrize('case', CASES, ids=[c.__name__.strip('_') for c in CASES])
def test_changing_grad_in_place_changes_nothing_else(case):
    def run(m):
        leaves, kept = case(m)
        before = [t.detach().numpy().tolist() for t in kept]
        with m.no_grad():
            for t in leaves:
                t.grad.add_(100)
        return [t.grad for t in leaves], kept, before
    same(run)


def test_stolen_gradient_is_writable_and_accumulates():
    def run(m):
        w = leaf(m, data(4, 3))
        x = m.tensor(data(2, 4, seed=1))
        for _ in range(2):
            (x @ w).relu().sum().backward()
        w.grad.mul_(2)
        return w.grad
    same(run)
