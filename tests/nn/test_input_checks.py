"""Layers given tensors of another dtype than their parameters, or no tensor at all: the same
exception type and message as torch (PyTorch names dtypes by their C++ types in these messages)."""
import numpy as np
import pytest
import torch

import ember


def _x(lib, *shape, dtype='float32'):
    return lib.ones(*shape, dtype=getattr(lib, dtype))


def _array(*shape):
    return np.ones(shape, dtype=np.float32)


# fn(lib) must raise; the message must be torch's too
SAME_MESSAGE = {
    # matrix products name the dtypes as PyTorch's mm (C++ types) or bmm (scalar types) does
    'mm_mixed_dtypes': lambda m: m.mm(_x(m, 2, 2), _x(m, 2, 2, dtype='float64')),
    'matmul_folded_batch_mixed_dtypes': lambda m: m.matmul(_x(m, 2, 2, 2), _x(m, 2, 2, dtype='float64')),
    'matmul_half': lambda m: _x(m, 2, 2) @ _x(m, 2, 2, dtype='float16'),
    'matmul_long': lambda m: _x(m, 2, 2) @ _x(m, 2, 2, dtype='int64'),
    'matmul_batches_mixed_dtypes': lambda m: _x(m, 3, 2, 2) @ _x(m, 3, 2, 2, dtype='float64'),
    # convolutions: with a bias conv1d/2d/3d compare its dtype with the input's first ...
    'conv2d_double_input': lambda m: m.nn.Conv2d(1, 1, 1)(_x(m, 1, 1, 2, 2, dtype='float64')),
    'conv2d_uint8_input': lambda m: m.nn.Conv2d(1, 1, 1)(_x(m, 1, 1, 2, 2, dtype='uint8')),
    'conv2d_long_input': lambda m: m.nn.Conv2d(1, 1, 1)(_x(m, 1, 1, 2, 2, dtype='int64')),
    'conv2d_half_input': lambda m: m.nn.Conv2d(1, 1, 1)(_x(m, 1, 1, 2, 2, dtype='float16')),
    'conv2d_unbatched_double_input': lambda m: m.nn.Conv2d(1, 1, 1)(_x(m, 1, 2, 2, dtype='float64')),
    'conv1d_double_input': lambda m: m.nn.Conv1d(1, 1, 1)(_x(m, 1, 1, 3, dtype='float64')),
    'conv3d_double_input': lambda m: m.nn.Conv3d(1, 1, 1)(_x(m, 1, 1, 2, 2, 2, dtype='float64')),
    'conv2d_double_model_float_input': lambda m: m.nn.Conv2d(1, 1, 1).double()(_x(m, 1, 1, 2, 2)),
    'conv2d_bias_before_rank': lambda m: m.nn.functional.conv2d(_x(m, 3, dtype='float64'), _x(m, 1, 1, 1, 1),
                                                                _x(m, 1)),
    # ... then (and everywhere else) the weight's, after the shapes
    'conv2d_no_bias_double_input': lambda m: m.nn.Conv2d(1, 1, 1, bias=False)(_x(m, 1, 1, 2, 2, dtype='float64')),
    'conv2d_no_bias_long_input': lambda m: m.nn.Conv2d(1, 1, 1, bias=False)(_x(m, 1, 1, 2, 2, dtype='int64')),
    'conv2d_double_weight': lambda m: m.nn.functional.conv2d(_x(m, 1, 1, 2, 2), _x(m, 1, 1, 1, 1, dtype='float64'),
                                                             _x(m, 1)),
    'conv2d_same_padding': lambda m: m.nn.functional.conv2d(_x(m, 1, 1, 4, 4, dtype='float64'), _x(m, 1, 1, 3, 3),
                                                            _x(m, 1), padding='same'),
    'conv2d_channels_before_dtype': lambda m: m.nn.functional.conv2d(_x(m, 1, 2, 4, 4, dtype='float64'),
                                                                     _x(m, 1, 1, 1, 1)),
    'conv_transpose2d_double_input': lambda m: m.nn.ConvTranspose2d(1, 1, 1)(_x(m, 1, 1, 2, 2, dtype='float64')),
    'conv_transpose1d_double_weight': lambda m: m.nn.functional.conv_transpose1d(
        _x(m, 1, 1, 3), _x(m, 1, 1, 1, dtype='float64')),
    'convolution_double_input': lambda m: m.convolution(_x(m, 1, 1, 2, 2, dtype='float64'), _x(m, 1, 1, 1, 1),
                                                        _x(m, 1), [1, 1], [0, 0], [1, 1], False, [0, 0], 1),
    # linear: addmm's messages with a bias (bias against weight first), mm's without
    'linear_double_input': lambda m: m.nn.Linear(3, 2)(_x(m, 4, 3, dtype='float64')),
    'linear_vector_double_input': lambda m: m.nn.Linear(3, 2)(_x(m, 3, dtype='float64')),
    'linear_batched_half_input': lambda m: m.nn.Linear(3, 2)(_x(m, 5, 4, 3, dtype='float16')),
    'linear_double_model_float_input': lambda m: m.nn.Linear(3, 2).double()(_x(m, 4, 3)),
    'linear_no_bias_double_input': lambda m: m.nn.Linear(3, 2, bias=False)(_x(m, 4, 3, dtype='float64')),
    'linear_double_bias': lambda m: m.nn.functional.linear(_x(m, 4, 3), _x(m, 2, 3), _x(m, 2, dtype='float64')),
    'linear_double_bias_wrong_shape': lambda m: m.nn.functional.linear(_x(m, 4, 5), _x(m, 2, 3),
                                                                       _x(m, 2, dtype='float64')),
    'linear_scalar_input': lambda m: m.nn.functional.linear(m.tensor(1.0), _x(m, 2, 3)),
    'multihead_attention_double_input': lambda m: m.nn.MultiheadAttention(4, 2)(
        _x(m, 3, 1, 4, dtype='float64'), _x(m, 3, 1, 4, dtype='float64'), _x(m, 3, 1, 4, dtype='float64')),
    'multihead_attention_no_bias_double_input': lambda m: m.nn.MultiheadAttention(4, 2, bias=False)(
        _x(m, 3, 1, 4, dtype='float64'), _x(m, 3, 1, 4, dtype='float64'), _x(m, 3, 1, 4, dtype='float64')),
    'bilinear_double_input1': lambda m: m.nn.Bilinear(3, 4, 2)(_x(m, 5, 3, dtype='float64'), _x(m, 5, 4)),
    'bilinear_double_input2': lambda m: m.nn.Bilinear(3, 4, 2)(_x(m, 5, 3), _x(m, 5, 4, dtype='float64')),
    'bilinear_no_bias_double_inputs': lambda m: m.nn.Bilinear(3, 4, 2, bias=False)(
        _x(m, 5, 3, dtype='float64'), _x(m, 5, 4, dtype='float64')),
    'bilinear_double_bias': lambda m: m.nn.functional.bilinear(_x(m, 5, 3), _x(m, 5, 4), _x(m, 2, 3, 4),
                                                               _x(m, 2, dtype='float64')),
    'bilinear_input_dims': lambda m: m.nn.functional.bilinear(_x(m, 5, 3), _x(m, 4), _x(m, 2, 3, 4)),
    'prelu_double_input': lambda m: m.nn.PReLU()(_x(m, 2, 3, dtype='float64')),
    'prelu_long_input': lambda m: m.nn.PReLU()(_x(m, 2, 3, dtype='int64')),
    'prelu_double_weight': lambda m: m.nn.functional.prelu(_x(m, 2, 3), _x(m, 1, dtype='float64')),
    'embedding_bag_double_per_sample_weights': lambda m: m.nn.EmbeddingBag(10, 3, mode='sum')(
        m.tensor([[1, 2]]), per_sample_weights=_x(m, 1, 2, dtype='float64')),
    'embedding_bag_half_per_sample_weights_1d': lambda m: m.nn.EmbeddingBag(10, 3, mode='sum')(
        m.tensor([1, 2, 3]), m.tensor([0, 2]), per_sample_weights=_x(m, 3, dtype='float16')),
    # not a tensor: the argument parser's TypeError
    'linear_numpy_input': lambda m: m.nn.Linear(3, 2)(_array(4, 3)),
    'linear_list_input': lambda m: m.nn.functional.linear([1.0, 2.0, 3.0], _x(m, 2, 3)),
    'linear_numpy_weight': lambda m: m.nn.functional.linear(_x(m, 4, 3), _array(2, 3)),
    'linear_float_bias': lambda m: m.nn.functional.linear(_x(m, 4, 3), _x(m, 2, 3), 1.0),
    'bilinear_numpy_input': lambda m: m.nn.Bilinear(3, 4, 2)(_array(5, 3), _x(m, 5, 4)),
    'prelu_numpy_input': lambda m: m.nn.PReLU()(_array(2, 3)),
    'conv_transpose2d_numpy_input': lambda m: m.nn.ConvTranspose2d(1, 1, 1)(_array(1, 1, 2, 2)),
}

# torch's message lists its overloads here; the exception type is what matters
SAME_TYPE = {
    'conv2d_numpy_input': lambda m: m.nn.Conv2d(1, 1, 1)(_array(1, 1, 2, 2)),
    'conv1d_numpy_weight': lambda m: m.nn.functional.conv1d(_x(m, 1, 1, 3), _array(1, 1, 1)),
    'conv2d_numpy_bias': lambda m: m.nn.functional.conv2d(_x(m, 1, 1, 2, 2), _x(m, 1, 1, 1, 1), _array(1)),
}


@pytest.mark.parametrize('fn,same_message', [pytest.param(fn, True, id=name) for name, fn in SAME_MESSAGE.items()]
                         + [pytest.param(fn, False, id=name) for name, fn in SAME_TYPE.items()])
def test_error_matches_torch(fn, same_message):
    with pytest.raises(Exception) as theirs:
        fn(torch)
    with pytest.raises(Exception) as ours:
        fn(ember)
    assert type(ours.value).__name__ == type(theirs.value).__name__, f"ember raised {ours.value!r}"
    if same_message:
        assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize('fn', [
    pytest.param(lambda m: m.nn.functional.conv2d(_x(m, 1, 1, 3, 3, dtype='int64'), _x(m, 1, 1, 2, 2, dtype='int64'),
                                                  _x(m, 1, dtype='int64')), id='conv2d_long'),
    pytest.param(lambda m: m.nn.functional.conv_transpose2d(_x(m, 1, 1, 3, 3), _x(m, 1, 1, 2, 2),
                                                            _x(m, 1, dtype='float64')), id='conv_transpose2d_double_bias'),
    pytest.param(lambda m: m.nn.functional.conv2d(_x(m, 1, 1, 3, 3), _x(m, 1, 1, 2, 2), _x(m, 1, dtype='float64'),
                                                  padding='valid'), id='conv2d_valid_double_bias'),
    pytest.param(lambda m: m.nn.functional.linear(_x(m, 4, 3, dtype='int64'), _x(m, 2, 3, dtype='int64'),
                                                  _x(m, 2, dtype='int64')), id='linear_long'),
])
def test_matching_or_tolerated_dtypes_still_compute(fn):
    """What torch accepts: one dtype throughout, or a bias that only some entry points check."""
    expected, got = fn(torch), fn(ember)
    assert str(got.dtype).split('.')[-1] == str(expected.dtype).split('.')[-1]
    np.testing.assert_allclose(got.numpy(), expected.numpy())
