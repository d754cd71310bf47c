"""state_dict round trips through checkpoint files: ember -> ember, ember -> torch, torch -> ember,
for a model with parameters and buffers (batch-norm running statistics)."""
import numpy as np
import torch

import ember


def _net(nn):
    return nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 4 * 4, 5))


def _train_a_little(model, lib):
    x = lib.tensor(np.random.default_rng(0).standard_normal((8, 3, 6, 6)).astype('float32'))
    opt = lib.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(2):
        opt.zero_grad()
        model(x).sum().backward()
        opt.step()
    return x


def test_ember_checkpoint_round_trip_restores_parameters_and_buffers(tmp_path):
    ember.manual_seed(0)
    model = _net(ember.nn)
    x = _train_a_little(model, ember)
    ember.save(model.state_dict(), tmp_path / 'model.pt')
    restored = _net(ember.nn)
    restored.load_state_dict(ember.load(tmp_path / 'model.pt'))
    model.eval(), restored.eval()
    np.testing.assert_array_equal(model(x).detach().numpy(), restored(x).detach().numpy())
    assert int(restored[1].num_batches_tracked) == 2


def test_checkpoints_cross_between_ember_and_torch(tmp_path):
    ember.manual_seed(0)
    ours = _net(ember.nn)
    x = _train_a_little(ours, ember)
    ember.save(ours.state_dict(), tmp_path / 'from_ember.pt')
    theirs = _net(torch.nn)
    theirs.load_state_dict(torch.load(tmp_path / 'from_ember.pt', weights_only=True))
    ours.eval(), theirs.eval()
    expected = ours(x).detach().numpy()
    np.testing.assert_allclose(theirs(torch.tensor(x.numpy())).detach().numpy(), expected, rtol=1e-5, atol=1e-6)
    torch.save(theirs.state_dict(), tmp_path / 'from_torch.pt')
    back = _net(ember.nn)
    back.load_state_dict(ember.load(tmp_path / 'from_torch.pt'))
    back.eval()
    np.testing.assert_allclose(back(x).detach().numpy(), expected, rtol=1e-5, atol=1e-6)
