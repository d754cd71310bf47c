"""SparseAdam against torch on models with `Embedding(sparse=True)` (20 steps, same start), its
state and errors; the sparse-gradient paths of SGD and Adagrad; the errors of optimizers that refuse
sparse gradients."""
import numpy as np
import pytest
import torch

import ember

pytestmark = pytest.mark.filterwarnings('ignore:Sparse invariant checks')  # (torch's Adagrad builds sparse tensors)


class _Bag:
    """An embedding lookup followed by a linear layer, built in either library from the same weights."""

    def __init__(self, m, weights, padding_idx=None):
        self.m = m
        self.embedding = m.nn.Embedding(12, 4, sparse=True, padding_idx=padding_idx)
        self.linear = m.nn.Linear(4, 1)
        with m.no_grad():
            for p, value in zip([self.embedding.weight, self.linear.weight, self.linear.bias], weights):
                p.copy_(m.tensor(value))

    def loss(self, indices, target):
        out = self.linear(self.embedding(self.m.tensor(indices))).sum(1).squeeze(-1)
        return ((out - self.m.tensor(target)) ** 2).mean()


def _weights():
    rng = np.random.default_rng(0)
    return [rng.standard_normal((12, 4)).astype(np.float32), rng.standard_normal((1, 4)).astype(np.float32),
            rng.standard_normal(1).astype(np.float32)]


def _train(models, optimizers, batches, check=None):
    """One step of each library's optimizer per batch, then `check()`."""
    for indices, target in batches:
        for m, model in models.items():
            optimizers[m].zero_grad()
            model.loss(indices, target).backward()
            optimizers[m].step()
        if check is not None:
            check()


def _batches(steps=20):
    rng = np.random.default_rng(1)
    # indices 10 and 11 never occur: their rows (and moments) must stay untouched
    return [(rng.integers(0, 10, size=(5, 3)).tolist(), rng.standard_normal(5).astype(np.float32).tolist())
            for _ in range(steps)]


@pytest.mark.parametrize('options, padding_idx', [
    (dict(lr=0.05), None),
    (dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6), 3),
    (dict(lr=0.05, maximize=True), 11),
])
def test_sparse_adam_matches_torch_for_20_steps(options, padding_idx):
    weights = _weights()
    models = {m: _Bag(m, weights, padding_idx) for m in (ember, torch)}
    # the linear layer trains with SGD beside SparseAdam only in the first case (torch's first dense
    # optimizer step costs seconds of imports)
    optimizers = {m: (m.optim.SparseAdam(list(model.embedding.parameters()), **options),)
                  + ((m.optim.SGD(model.linear.parameters(), lr=0.01),) if padding_idx is None else ())
                  for m, model in models.items()}
    for indices, target in _batches():
        for m, model in models.items():
            for opt in optimizers[m]:
                opt.zero_grad()
            model.loss(indices, target).backward()
            for opt in optimizers[m]:
                opt.step()
        for ember_p, torch_p in zip(models[ember].embedding.parameters(), models[torch].embedding.parameters()):
            np.testing.assert_allclose(ember_p.detach().numpy(), torch_p.detach().numpy(), atol=1e-6, rtol=1e-6)
    ember_state = optimizers[ember][0].state[models[ember].embedding.weight]
    torch_state = optimizers[torch][0].state[models[torch].embedding.weight]
    assert sorted(ember_state) == sorted(torch_state) and ember_state['step'] == torch_state['step'] == 20
    for key in ('exp_avg', 'exp_avg_sq'):
        np.testing.assert_allclose(ember_state[key].numpy(), torch_state[key].numpy(), atol=1e-6, rtol=1e-5)
    np.testing.assert_array_equal(models[ember].embedding.weight.detach().numpy()[10:], weights[0][10:])
    assert not ember_state['exp_avg'].numpy()[10:].any()


def test_sparse_adam_state_dict_round_trip_continues_like_torch():
    weights = _weights()
    batches = _batches(6)
    results = {}
    for m in (ember, torch):
        model = _Bag(m, weights)
        opt = m.optim.SparseAdam(list(model.embedding.parameters()), lr=0.05)
        for i, (indices, target) in enumerate(batches):
            if i == 3:  # a fresh optimizer resumed from the saved state
                saved = opt.state_dict()
                opt = m.optim.SparseAdam(list(model.embedding.parameters()), lr=0.05)
                opt.load_state_dict(saved)
            opt.zero_grad()
            model.loss(indices, target).backward()
            opt.step()
        results[m] = model.embedding.weight.detach().numpy()
    np.testing.assert_allclose(results[ember], results[torch], atol=1e-6, rtol=1e-6)


def test_sparse_adam_refuses_dense_gradients_and_bad_arguments():
    for m in (ember, torch):
        w = m.zeros(3, requires_grad=True)
        opt = m.optim.SparseAdam([w], lr=0.1)
        (w * m.tensor([1., 2., 3.])).sum().backward()
        with pytest.raises(RuntimeError, match='SparseAdam does not support dense gradients, please consider Adam'):
            opt.step()
        with pytest.raises(ValueError, match='Invalid learning rate'):
            m.optim.SparseAdam([w], lr=0.0)
        with pytest.raises(ValueError, match='Invalid epsilon value'):
            m.optim.SparseAdam([w], eps=0.0)
        with pytest.raises(ValueError, match='Invalid beta parameter at index 1'):
            m.optim.SparseAdam([w], betas=(0.9, 1.0))


@pytest.mark.parametrize('options', [dict(lr=0.1), dict(lr=0.1, momentum=0.9), dict(lr=0.1, momentum=0.9,
                                                                                   dampening=0.5, maximize=True)])
def test_sgd_on_sparse_gradients_matches_torch(options):
    weights = _weights()
    models = {m: _Bag(m, weights) for m in (ember, torch)}
    optimizers = {m: m.optim.SGD(model.embedding.parameters(), **options) for m, model in models.items()}
    _train(models, optimizers, _batches(8))
    np.testing.assert_allclose(models[ember].embedding.weight.detach().numpy(),
                               models[torch].embedding.weight.detach().numpy(), atol=1e-6, rtol=1e-6)


@pytest.mark.parametrize('name, options', [('Adam', {}), ('AdamW', {}), ('RMSprop', {}), ('Adadelta', {}),
                                           ('Adamax', {}), ('NAdam', {}), ('RAdam', {}), ('ASGD', {}),
                                           ('Rprop', {}), ('SGD', dict(weight_decay=0.1))])
def test_optimizers_without_sparse_support_raise_like_torch(name, options):
    messages = []
    for m in (ember, torch):
        emb = m.nn.Embedding(6, 3, sparse=True)
        emb(m.tensor([0, 2, 2])).sum().backward()
        opt = getattr(m.optim, name)(emb.parameters(), lr=0.1, **options)
        with pytest.raises(RuntimeError) as error:
            opt.step()
        messages.append(str(error.value))
    assert messages[0] == messages[1]


@pytest.mark.parametrize('options', [
    dict(lr=0.1),
    dict(lr=0.5, lr_decay=0.1, initial_accumulator_value=0.3, eps=1e-6),
    dict(lr=0.1, maximize=True),
])
def test_adagrad_on_sparse_gradients_matches_torch_for_20_steps(options):
    weights = _weights()
    models = {m: _Bag(m, weights, padding_idx=11) for m in (ember, torch)}
    optimizers = {m: m.optim.Adagrad(model.embedding.parameters(), **options) for m, model in models.items()}
    _train(models, optimizers, _batches(), check=lambda: np.testing.assert_allclose(
        models[ember].embedding.weight.detach().numpy(), models[torch].embedding.weight.detach().numpy(),
        atol=1e-6, rtol=1e-6))
    ember_state = optimizers[ember].state[models[ember].embedding.weight]
    torch_state = optimizers[torch].state[models[torch].embedding.weight]
    assert ember_state['step'].item() == torch_state['step'].item() == 20
    np.testing.assert_allclose(ember_state['sum'].numpy(), torch_state['sum'].numpy(), atol=1e-6, rtol=1e-6)
    # rows never looked up keep their weights and their initial accumulator
    np.testing.assert_array_equal(models[ember].embedding.weight.detach().numpy()[10:], weights[0][10:])
    assert (ember_state['sum'].numpy()[10:] == options.get('initial_accumulator_value', 0)).all()


def test_adagrad_with_sparse_and_dense_parameters_matches_torch():
    weights = _weights()
    models = {m: _Bag(m, weights) for m in (ember, torch)}
    # the embedding's gradient is sparse, the linear layer's dense: one optimizer takes both
    optimizers = {m: m.optim.Adagrad(list(model.embedding.parameters()) + list(model.linear.parameters()), lr=0.05)
                  for m, model in models.items()}
    _train(models, optimizers, _batches(8))
    for ember_p, torch_p in zip(models[ember].embedding.parameters(), models[torch].embedding.parameters()):
        np.testing.assert_allclose(ember_p.detach().numpy(), torch_p.detach().numpy(), atol=1e-6, rtol=1e-6)
    for ember_p, torch_p in zip(models[ember].linear.parameters(), models[torch].linear.parameters()):
        np.testing.assert_allclose(ember_p.detach().numpy(), torch_p.detach().numpy(), atol=1e-6, rtol=1e-6)


def test_adagrad_refuses_weight_decay_with_sparse_gradients_like_torch():
    errors = []
    for m in (ember, torch):
        emb = m.nn.Embedding(6, 3, sparse=True)
        emb(m.tensor([0, 2, 2])).sum().backward()
        opt = m.optim.Adagrad(emb.parameters(), lr=0.1, weight_decay=0.1)
        with pytest.raises(RuntimeError) as error:
            opt.step()
        errors.append(str(error.value))
    assert errors[0] == errors[1] == "weight_decay option is not compatible with sparse gradients"
