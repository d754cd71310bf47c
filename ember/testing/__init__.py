"""ember.testing: the helpers PyTorch's own tests are written with. `assert_close` compares tensors,
NumPy arrays, numbers and nested sequences/mappings of them with dtype-aware tolerances;
`make_tensor` draws a random tensor of any dtype for a test."""
from ._comparison import assert_close, assert_allclose
from ._creation import make_tensor

__all__ = ['assert_close', 'assert_allclose', 'make_tensor']
