"""Recurrent layers and sequence packing: behaviour the module table can't express (reprs, packed
round trips, PackedSequence outputs, double backward, errors), each compared with torch."""
import numpy as np
import pytest
import torch

import ember


def _np(t):
    return t.detach().numpy() if isinstance(t, torch.Tensor) else t.detach().numpy()


def _both(make):
    """The same layer in both libraries (torch's init, copied into ember)."""
    theirs = make(torch.nn)
    ours = make(ember.nn)
    ours.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()})
    return ours, theirs


@pytest.mark.parametrize('make', [
    lambda nn: nn.LSTM(10, 20, num_layers=2, batch_first=True),
    lambda nn: nn.LSTM(10, 20, proj_size=5, bias=False, dropout=0.5, num_layers=2, bidirectional=True),
    lambda nn: nn.GRU(3, 4),
    lambda nn: nn.RNN(3, 4, nonlinearity='relu'),
    lambda nn: nn.RNNCell(3, 4, bias=False, nonlinearity='relu'),
    lambda nn: nn.LSTMCell(3, 4),
    lambda nn: nn.GRUCell(3, 4, bias=False),
])
def test_repr_and_parameters_match_torch(make):
    torch.manual_seed(7)
    theirs = make(torch.nn)
    ember.manual_seed(7)
    ours = make(ember.nn)
    assert repr(ours) == repr(theirs)
    theirs_params = dict(theirs.named_parameters())
    ours_params = dict(ours.named_parameters())
    assert list(ours_params) == list(theirs_params)
    for name, p in theirs_params.items():  # seeded default init is bit-exact
        np.testing.assert_array_equal(_np(ours_params[name]), _np(p))


@pytest.mark.parametrize('batch_first', [False, True])
@pytest.mark.parametrize('padding_side', ['right', 'left'])
def test_pad_sequence(batch_first, padding_side):
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal((n, 2)).astype(np.float32) for n in (3, 5, 1)]
    ours_in = [ember.tensor(a, requires_grad=True) for a in arrays]
    theirs_in = [torch.tensor(a, requires_grad=True) for a in arrays]
    ours = ember.nn.utils.rnn.pad_sequence(ours_in, batch_first, -1.5, padding_side)
    theirs = torch.nn.utils.rnn.pad_sequence(theirs_in, batch_first, -1.5, padding_side)
    np.testing.assert_array_equal(_np(ours), _np(theirs))
    weight = rng.standard_normal(tuple(theirs.shape)).astype(np.float32)
    (ours * ember.tensor(weight)).sum().backward()
    (theirs * torch.tensor(weight)).sum().backward()
    for o, t in zip(ours_in, theirs_in):
        np.testing.assert_allclose(_np(o.grad), _np(t.grad))


@pytest.mark.parametrize('enforce_sorted,lengths', [(True, [5, 3, 3, 1]), (False, [2, 5, 2, 4]), (False, [1, 1, 1, 1])])
@pytest.mark.parametrize('batch_first', [False, True])
def test_pack_pad_round_trip(enforce_sorted, lengths, batch_first):
    rng = np.random.default_rng(1)
    shape = (4, 5, 3) if batch_first else (5, 4, 3)
    x = rng.standard_normal(shape).astype(np.float32)
    results = []
    for lib in (ember, torch):
        rnn = lib.nn.utils.rnn
        input = lib.tensor(x, requires_grad=True)
        packed = rnn.pack_padded_sequence(input, lib.tensor(lengths), batch_first, enforce_sorted)
        assert isinstance(packed, rnn.PackedSequence)
        padded, out_lengths = rnn.pad_packed_sequence(packed, batch_first, padding_value=9.0, total_length=6)
        (packed.data.sum() * 2 + (padded * padded).sum()).backward()
        results.append((packed, padded, out_lengths, input.grad))
    (p_ours, pad_ours, len_ours, g_ours), (p_theirs, pad_theirs, len_theirs, g_theirs) = results
    np.testing.assert_array_equal(_np(p_ours.data), _np(p_theirs.data))
    np.testing.assert_array_equal(_np(p_ours.batch_sizes), _np(p_theirs.batch_sizes))
    for a, b in [(p_ours.sorted_indices, p_theirs.sorted_indices), (p_ours.unsorted_indices, p_theirs.unsorted_indices)]:
        assert (a is None) == (b is None)
        if a is not None:
            np.testing.assert_array_equal(_np(a), _np(b))
    np.testing.assert_array_equal(_np(pad_ours), _np(pad_theirs))
    np.testing.assert_array_equal(_np(len_ours), _np(len_theirs))
    assert len_ours.dtype == ember.int64
    np.testing.assert_allclose(_np(g_ours), _np(g_theirs), rtol=1e-6)


def test_pack_sequence_and_unpack():
    rng = np.random.default_rng(2)
    arrays = [rng.standard_normal((n, 3)).astype(np.float32) for n in (2, 4, 3)]
    ours = ember.nn.utils.rnn.pack_sequence([ember.tensor(a) for a in arrays], enforce_sorted=False)
    theirs = torch.nn.utils.rnn.pack_sequence([torch.tensor(a) for a in arrays], enforce_sorted=False)
    np.testing.assert_array_equal(_np(ours.data), _np(theirs.data))
    np.testing.assert_array_equal(_np(ours.batch_sizes), _np(theirs.batch_sizes))
    for o, a in zip(ember.nn.utils.rnn.unpack_sequence(ours), arrays):
        np.testing.assert_array_equal(_np(o), a)


def test_packed_input_gives_packed_output():
    ours_lstm, theirs_lstm = _both(lambda nn: nn.LSTM(3, 4, bidirectional=True))
    x = np.random.default_rng(3).standard_normal((4, 3, 3)).astype(np.float32)
    ours_out, (ours_h, ours_c) = ours_lstm(ember.nn.utils.rnn.pack_padded_sequence(ember.tensor(x), [2, 4, 3],
                                                                                   enforce_sorted=False))
    theirs_out, (theirs_h, theirs_c) = theirs_lstm(torch.nn.utils.rnn.pack_padded_sequence(
        torch.tensor(x), [2, 4, 3], enforce_sorted=False))
    assert isinstance(ours_out, ember.nn.utils.rnn.PackedSequence)
    np.testing.assert_allclose(_np(ours_out.data), _np(theirs_out.data), atol=1e-6)
    np.testing.assert_array_equal(_np(ours_out.unsorted_indices), _np(theirs_out.unsorted_indices))
    np.testing.assert_allclose(_np(ours_h), _np(theirs_h), atol=1e-6)
    np.testing.assert_allclose(_np(ours_c), _np(theirs_c), atol=1e-6)


@pytest.mark.parametrize('make', [lambda nn: nn.GRU(2, 3, num_layers=2, bidirectional=True),
                                  lambda nn: nn.RNN(2, 3), lambda nn: nn.LSTM(2, 3, proj_size=2)])
def test_double_backward_matches_torch(make):
    """create_graph=True through the fused layer: the gradient of a gradient norm, as torch."""
    ours_layer, theirs_layer = _both(lambda nn: make(nn).double())
    x = np.random.default_rng(4).standard_normal((3, 2, 2))
    grads = []
    for lib, layer in ((ember, ours_layer), (torch, theirs_layer)):
        input = lib.tensor(x, requires_grad=True)
        output, _ = layer(input)
        (grad_input,) = lib.autograd.grad((output * output).sum(), input, create_graph=True)
        (grad_input * grad_input).sum().backward()
        grads.append([input.grad] + [p.grad for p in layer.parameters()])
    for o, t in zip(*grads):
        np.testing.assert_allclose(_np(o), _np(t), rtol=1e-7, atol=1e-10)


def test_train_eval_dropout():
    """Dropout between layers only in training mode."""
    lstm = ember.nn.LSTM(3, 4, num_layers=2, dropout=0.9)
    x = ember.randn(5, 2, 3)
    lstm.eval()
    out1, _ = lstm(x)
    out2, _ = lstm(x)
    np.testing.assert_array_equal(_np(out1), _np(out2))
    lstm.train()
    out3, _ = lstm(x)
    assert not np.allclose(_np(out1), _np(out3))


ERRORS = [
    lambda lib: lib.nn.LSTM(3, 4)(lib.randn(5, 2, 4)),                                      # input_size
    lambda lib: lib.nn.LSTM(3, 4)(lib.randn(5, 2, 3), (lib.randn(1, 2, 4), lib.randn(2, 2, 4))),
    lambda lib: lib.nn.GRU(3, 4)(lib.randn(5, 2, 3), lib.randn(1, 3, 4)),
    lambda lib: lib.nn.GRU(3, 4)(lib.randn(5, 2, 3, 1)),
    lambda lib: lib.nn.RNN(3, 4)(lib.randn(5, 3), lib.randn(1, 1, 4)),
    lambda lib: lib.nn.LSTM(3, 4)(lib.randn(5, 3), (lib.randn(1, 1, 4), lib.randn(1, 4))),
    lambda lib: lib.nn.GRU(3, 4)(lib.randn(5, 2, 3), lib.randn(2, 4)),
    lambda lib: lib.nn.LSTM(3, 4)(lib.randn(5, 2, 3), (lib.randn(1, 2, 4), lib.randn(1, 2, 4, 1))),
    lambda lib: lib.nn.RNN(3, 4)(lib.randn(5, 2, 3, dtype=lib.float64)),
    lambda lib: lib.nn.RNN(3, 4, nonlinearity='gelu'),
    lambda lib: lib.nn.GRU(3, 4, proj_size=2),
    lambda lib: lib.nn.LSTM(3, 4, proj_size=4),
    lambda lib: lib.nn.LSTM(3, 4, dropout=1.5),
    lambda lib: lib.nn.LSTMCell(3, 4)(lib.randn(2, 3, 1)),
    lambda lib: lib.nn.utils.rnn.pack_padded_sequence(lib.randn(4, 2, 3), [2, 3]),
    lambda lib: lib.nn.utils.rnn.pack_padded_sequence(lib.randn(4, 2, 3), [3, 0]),
    lambda lib: lib.nn.utils.rnn.pad_packed_sequence(
        lib.nn.utils.rnn.pack_padded_sequence(lib.randn(4, 2, 3), [4, 3]), total_length=2),
]


@pytest.mark.parametrize('case', range(len(ERRORS)))
def test_errors_match_torch(case):
    with pytest.raises(Exception) as theirs:
        ERRORS[case](torch)
    with pytest.raises(type(theirs.value)) as ours:
        ERRORS[case](ember)
    assert str(ours.value) == str(theirs.value).replace('torch.', 'ember.')  # dtypes print as ember.float32
