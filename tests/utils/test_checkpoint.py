"""torch.utils.checkpoint against torch: outputs, gradients and the random stream equal a run without
checkpointing (dropout inside the block draws the same mask in the recomputation), plus torch's
warnings and argument errors."""
import warnings

import numpy as np
import pytest
import torch

import ember
import ember.utils.checkpoint  # noqa: F401  (as `import torch.utils.checkpoint`)


def block(lib, seed=0):
    """Linear -> tanh -> Dropout -> Linear, with the same weights in both libraries."""
    rng = np.random.default_rng(seed)
    nn = lib.nn
    model = nn.Sequential(nn.Linear(5, 6), nn.Tanh(), nn.Dropout(0.5), nn.Linear(6, 4), nn.ReLU())
    with lib.no_grad():
        for p in model.parameters():
            p.copy_(lib.tensor(rng.normal(size=tuple(p.shape)).astype(np.float32)))
    return model


def run(lib, how, use_reentrant, input_requires_grad=True):
    model = block(lib)
    x = lib.tensor(np.random.default_rng(1).normal(size=(8, 5)).astype(np.float32),
                   requires_grad=input_requires_grad)
    lib.manual_seed(7)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        if how == 'plain':
            out = model(x)
        elif how == 'checkpoint':
            out = lib.utils.checkpoint.checkpoint(model, x, use_reentrant=use_reentrant)
        else:
            out = lib.utils.checkpoint.checkpoint_sequential(model, 2, x, use_reentrant=use_reentrant)
        (out * out).sum().backward()
    after = lib.rand(3)   # the stream continues as if the block had run once
    grads = [x.grad] + [p.grad for p in model.parameters()] if input_requires_grad else \
        [p.grad for p in model.parameters()]
    return [None if t is None else t.detach().numpy() for t in [out, *grads, after]], type(out.grad_fn).__name__


@pytest.mark.parametrize('how', ['checkpoint', 'sequential'])
@pytest.mark.parametrize('use_reentrant', [True, False])
@pytest.mark.parametrize('input_requires_grad', [True, False])
def test_values_gradients_and_rng_match_torch(how, use_reentrant, input_requires_grad):
    if use_reentrant and not input_requires_grad and how == 'checkpoint':
        pytest.skip('nothing to differentiate: the reentrant output does not require grad (tested below)')
    ours, ours_node = run(ember, how, use_reentrant, input_requires_grad)
    theirs, theirs_node = run(torch, how, use_reentrant, input_requires_grad)
    # a reentrant segment whose inputs need no grad leaves its weights without gradients, as in torch
    assert [a is None for a in ours] == [b is None for b in theirs]
    for a, b in zip(ours, theirs):
        if a is not None:
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    if not (use_reentrant and not input_requires_grad):
        plain, _ = run(ember, 'plain', use_reentrant, input_requires_grad)
        for a, b in zip(ours, plain):
            np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    if how == 'checkpoint':
        assert ours_node == theirs_node   # CheckpointFunctionBackward, or the block's last op


def test_dropout_mask_is_the_same_in_the_recomputation():
    # without restoring the generator the recomputed mask would differ from the one used forward
    x = ember.ones(1000, requires_grad=True)
    drop = ember.nn.Dropout(0.5)
    ember.manual_seed(3)
    out = ember.utils.checkpoint.checkpoint(drop, x, use_reentrant=True)
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), (out.detach() != 0).numpy() * 2.0)


def _caught(lib, call):
    """What `call(lib)` returns (for each output: requires_grad, or the value) or raises, and its warnings."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        try:
            outputs = call(lib)
            outputs = outputs if isinstance(outputs, tuple) else (outputs,)
            result = [o.requires_grad if isinstance(o, lib.Tensor) else o for o in outputs]
        except Exception as error:  # noqa: BLE001  (compared with torch's)
            result = (type(error).__name__, str(error))
    return result, [(w.category.__name__, str(w.message)) for w in caught]


CALLS = {
    'no_use_reentrant': lambda lib: lib.utils.checkpoint.checkpoint(lib.sin, lib.ones(2, requires_grad=True)),
    'sequential_no_use_reentrant': lambda lib: lib.utils.checkpoint.checkpoint_sequential(
        lib.nn.Sequential(lib.nn.ReLU(), lib.nn.Tanh()), 1, lib.ones(2, requires_grad=True)),
    'reentrant_inputs_without_grad': lambda lib: lib.utils.checkpoint.checkpoint(
        lib.sin, lib.ones(2), use_reentrant=True),
    'non_reentrant_inputs_without_grad': lambda lib: lib.utils.checkpoint.checkpoint(
        lib.sin, lib.ones(2), use_reentrant=False),
    'reentrant_keyword': lambda lib: lib.utils.checkpoint.checkpoint(
        lambda a, b=1.0: a * b, lib.ones(2, requires_grad=True), b=2.0, use_reentrant=True),
    'non_reentrant_keyword': lambda lib: lib.utils.checkpoint.checkpoint(
        lambda a, b=1.0: a * b, lib.ones(2, requires_grad=True), b=2.0, use_reentrant=False),
    'tuple_with_non_tensor': lambda lib: lib.utils.checkpoint.checkpoint(
        lambda a: (a * 2, 5), lib.ones(2, requires_grad=True), use_reentrant=True),
    'sequential_keyword': lambda lib: lib.utils.checkpoint.checkpoint_sequential(
        [lib.nn.ReLU()], 1, lib.ones(2), use_reentrant=True, bogus=1),
}


@pytest.mark.parametrize('name', list(CALLS))
def test_warnings_and_errors_match_torch(name):
    assert _caught(ember, CALLS[name]) == _caught(torch, CALLS[name])
