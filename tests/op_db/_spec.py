"""The op table's building blocks; the rows live in the sibling modules, one per op family.

One row per op case, run against PyTorch by tests/test_ops.py (PyTorch's OpInfo idea).

A row is `OpCase(name, fn, args, ...)`:
- `fn(lib, *tensors)` is called once with `lib=ember` and once with `lib=torch`, so one lambda
  covers both: `lambda m, a, b: m.add(a, b, alpha=2)` or `lambda m, a: a.exp()`.
- `args` lists the inputs. A tuple is a shape: a random float tensor of that shape (gradients are
  checked for it). `Int(shape, low, high)`, `Bool(shape)`, `Float(shape, low, high, grad=False)` and
  `Arr(numpy_array)` give other inputs; anything else (`Py(value)`) is passed through unchanged.
- `dtypes`: the float dtypes the row runs in; `grad=False` for ops without gradients;
  `gradcheck=False` to skip the float64 finite-difference check (e.g. for large inputs);
  `gradgrad=True` to also check second derivatives (gradgradcheck, float64) through the op's
  create_graph backward.

Adding an op is adding rows here. Error behaviour goes in ERROR_CASES: same exception type as torch.
"""
import numpy as np


class Float:
    """A float input; values uniform in [low, high). grad=True makes it require grad."""

    def __init__(self, shape, low=-2.0, high=2.0, grad=True):
        self.shape, self.low, self.high, self.grad = tuple(shape), low, high, grad

    def make(self, rng, dtype):
        return rng.uniform(self.low, self.high, self.shape).astype(dtype)


class Int:
    """An int64 input (indices, targets): uniform integers in [low, high)."""
    grad = False

    def __init__(self, shape, low=0, high=3, dtype=np.int64):
        self.shape, self.low, self.high, self.dtype = tuple(shape), low, high, dtype

    def make(self, rng, dtype):
        return rng.integers(self.low, self.high, self.shape).astype(self.dtype)


class Bool:
    """A bool input (masks)."""
    grad = False

    def __init__(self, shape, p=0.5):
        self.shape, self.p = tuple(shape), p

    def make(self, rng, dtype):
        return rng.random(self.shape) < self.p


class Arr:
    """A fixed NumPy array (cast to the row's float dtype when it is a float array)."""

    def __init__(self, array, grad=None):
        self.array = np.asarray(array)
        self.grad = self.array.dtype.kind == 'f' if grad is None else grad

    def make(self, rng, dtype):
        return self.array.astype(dtype) if self.array.dtype.kind == 'f' else self.array.copy()


class Py:
    """A Python value passed to both libraries as is (a number, a tuple of dims, ...)."""
    grad = False

    def __init__(self, value):
        self.value = value


def as_spec(arg):
    if isinstance(arg, tuple) and all(isinstance(s, int) for s in arg):
        return Float(arg)
    return arg


class OpCase:
    def __init__(self, name, fn, args, dtypes=('float32', 'float64'), grad=True, gradcheck=True,
                 atol=None, rtol=None, compare_dtype=True, seed=0, gradgrad=False):
        self.name, self.fn = name, fn
        self.args = [as_spec(a) for a in args]
        self.dtypes, self.grad, self.gradcheck, self.gradgrad = dtypes, grad, gradcheck, gradgrad
        self.atol, self.rtol, self.compare_dtype, self.seed = atol, rtol, compare_dtype, seed

    def __repr__(self):
        return self.name


class ErrorCase:
    """`fn(lib)` must raise the same exception type in ember as in torch."""

    def __init__(self, name, fn):
        self.name, self.fn = name, fn

    def __repr__(self):
        return self.name


def positive(shape, grad=True):
    return Float(shape, 0.5, 2.0, grad)


def unit(shape, grad=True):
    return Float(shape, -0.9, 0.9, grad)
