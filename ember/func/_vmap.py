"""vmap: map a function over a dimension of its inputs.

This is the reference semantics of `torch.vmap`, not a batching compiler: ember calls `func` once per
batch element (each mapped input with that dimension selected away) and stacks the results along
`out_dims`. The numbers, shapes and errors are PyTorch's; the speed is that of a Python loop. What
PyTorch can refuse only because it traces batched tensors (`.item()` inside `func`, data-dependent
control flow) simply works here.

One thing the loop cannot do: change in place an input that is not mapped (in_dims=None). PyTorch
refuses that when the change uses a mapped input; the loop would apply any such change once per
element instead of once, so ember refuses it always (checked after each element).
"""
import contextlib
import functools

from .. import random as _random
from .._tensor import Tensor
from ._pytree import tree_flatten, tree_unflatten, broadcast_prefix

__all__ = ['vmap']

_RANDOMNESS = ('error', 'different', 'same')


def _name(func):
    return getattr(func, '__name__', repr(func))


class _NoRandomness(_random.Generator):
    """Stands in for the default generator while a `randomness='error'` vmap runs `func`: any draw
    fails, as PyTorch refuses random operations on batched tensors unless told how to batch them."""

    def __init__(self):  # (no state: nothing may be drawn)
        self.device = 'cpu'
        self._next_normal = None

    def _refuse(self, *args):
        raise RuntimeError("vmap: called random operation while in randomness error mode. Please either use the "
                           "'same' or 'different' randomness flags on vmap or perform the randomness operation out "
                           "of vmap")
    _uint32 = _low_bits = _uint64 = _refuse


@contextlib.contextmanager
def _no_randomness():
    saved = _random.default_generator
    _random.default_generator = _NoRandomness()  # the random ops read this name at each call
    try:
        yield
    finally:
        _random.default_generator = saved


def _element_calls(batch_size, randomness):
    """One context per batch element for calling `func`: 'different' lets each element draw its own
    numbers (the loop does that by itself), 'same' replays the generator so that every element draws
    the same ones, 'error' forbids drawing."""
    if randomness == 'error':
        return [_no_randomness for _ in range(batch_size)]
    if randomness == 'different':
        return [contextlib.nullcontext for _ in range(batch_size)]
    state = _random.get_rng_state()

    @contextlib.contextmanager
    def replay():
        _random.set_rng_state(state)
        yield
    return [replay for _ in range(batch_size)]


def _flat_in_dims(func, in_dims, args):
    flat_args, args_spec = tree_flatten(args)
    if not isinstance(in_dims, (int, tuple)):
        raise ValueError(f"vmap({_name(func)}, in_dims={in_dims}, ...)(<inputs>): expected `in_dims` to be int or a "
                         f"(potentially nested) tuple matching the structure of inputs, got: {type(in_dims)}.")
    if not args:
        raise ValueError(f"vmap({_name(func)})(<inputs>): got no inputs. Maybe you forgot to add inputs, or you are "
                         "trying to vmap over a function with no inputs. The latter is unsupported.")
    flat_dims = broadcast_prefix(in_dims, args_spec)
    if flat_dims is None:
        raise ValueError(f"vmap({_name(func)}, in_dims={in_dims}, ...)(<inputs>): in_dims is not compatible with the "
                         f"structure of `inputs`. in_dims has structure {tree_flatten(in_dims)[1]!r} but inputs has "
                         f"structure {args_spec!r}.")
    for arg, dim in zip(flat_args, flat_dims):
        if dim is None:
            continue
        if not isinstance(dim, int):
            raise ValueError(f"vmap({_name(func)}, in_dims={in_dims}, ...)(<inputs>): Got in_dim={dim} for an input "
                             "but in_dim must be either an integer dimension or None.")
        if not isinstance(arg, Tensor):
            raise ValueError(f"vmap({_name(func)}, in_dims={in_dims}, ...)(<inputs>): Got in_dim={dim} for an input "
                             f"but the input is of type {type(arg)}. We cannot vmap over non-Tensor arguments, please "
                             "use None as the respective in_dim")
        if not -arg.dim() <= dim < arg.dim():
            raise ValueError(f"vmap({_name(func)}, in_dims={in_dims}, ...)(<inputs>): Got in_dim={dim} for some input, "
                             f"but that input is a Tensor of dimensionality {arg.dim()} so expected in_dim to satisfy "
                             f"-{arg.dim()} <= in_dim < {arg.dim()}.")
    return flat_args, flat_dims, args_spec


def _batch_size(flat_args, flat_dims):
    sizes = [arg.shape[dim] for arg, dim in zip(flat_args, flat_dims) if dim is not None]
    if not sizes:
        raise ValueError("vmap: Expected at least one Tensor to vmap over")
    if any(size != sizes[0] for size in sizes):
        raise ValueError("vmap: Expected all tensors to have the same size in the mapped dimension, got sizes "
                         f"{sizes} for the mapped dimension")
    return sizes[0]


def _element(arg, dim, index):
    if dim is None:
        return arg
    if index is None:  # an empty batch: a zero-filled element stands in, to learn the output's shape
        shape = list(arg.shape)
        del shape[dim]
        return arg.new_zeros(shape)
    return arg.select(dim, index)


def _stack_outputs(func, out_dims, results, empty_batch):
    """Stack the per-element outputs leaf by leaf along their out_dim."""
    from .._ops.shape import stack
    flat_first, out_spec = tree_flatten(results[0])
    flat_dims = broadcast_prefix(out_dims, out_spec)
    if flat_dims is None:
        raise ValueError(f"vmap({_name(func)}, ..., out_dims={out_dims})(<inputs>): out_dims is not compatible with "
                         f"the structure of `outputs`. out_dims has structure {tree_flatten(out_dims)[1]!r} but "
                         f"outputs has structure {out_spec!r}.")
    flat_results = [tree_flatten(result)[0] for result in results]
    stacked = []
    for j, (leaf, dim) in enumerate(zip(flat_first, flat_dims)):
        if dim is None:
            # an unmapped output must be the same for every element (PyTorch: not a BatchedTensor)
            if isinstance(leaf, Tensor) and any(not leaf.equal(flat[j]) for flat in flat_results[1:]):
                raise ValueError(f"vmap({_name(func)}, ...): `{_name(func)}` can not return a BatchedTensor when "
                                 "out_dim is None")
            stacked.append(leaf)
            continue
        if not isinstance(leaf, Tensor):
            raise ValueError(f"vmap({_name(func)}, ...): `{_name(func)}` must only return Tensors, got type "
                             f"{type(leaf)}. Did you mean to set out_dims= to None for output?")
        if empty_batch:
            stacked.append(leaf.unsqueeze(dim).narrow(dim, 0, 0))
        else:
            stacked.append(stack([flat[j] for flat in flat_results], dim))
    return tree_unflatten(stacked, out_spec)


def _unmapped_versions(flat_args, flat_dims):
    return [(a, a._version) for a, d in zip(flat_args, flat_dims) if d is None and isinstance(a, Tensor)]


def _check_unmapped_unchanged(func, versions):
    # PyTorch refuses an in-place op on an unmapped input when another operand is mapped (its batch
    # does not fit); ember, running func once per element, would silently apply even a legal one
    # once per element instead of once, so it refuses every in-place change of an unmapped input
    if any(t._version != version for t, version in versions):
        raise RuntimeError("vmap: inplace arithmetic(self, *extra_args) is not possible because there exists a Tensor "
                           "`other` in extra_args that has more elements than `self`. This happened due to `other` "
                           "being vmapped over but `self` not being vmapped over in a vmap. Please try to use "
                           f"out-of-place operators instead of inplace. (ember: {_name(func)} changed an input with "
                           "in_dims=None in place; as ember calls it once per element, any such change is refused.)")


def vmap(func, in_dims=0, out_dims=0, randomness='error', *, chunk_size=None):
    """`func` mapped over dimension `in_dims` of its inputs, results stacked along `out_dims`.

    `in_dims` is an int (every tensor argument), None (not mapped), or a tuple with one entry per
    positional argument, nested like the argument (`({'w': 0, 'b': None}, 0)`); keyword arguments
    are not mapped. `randomness` says what random operations inside `func` do: 'error' (refuse),
    'different' (each element draws its own numbers) or 'same' (all elements draw the same ones).
    ember runs `func` once per element (see the module docstring), so `chunk_size` changes nothing.
    """
    if randomness not in _RANDOMNESS:
        raise RuntimeError(f"Only allowed values for randomness are 'error', 'different', or 'same'. Got {randomness}")
    if chunk_size is not None and (not isinstance(chunk_size, int) or chunk_size <= 0):
        raise ValueError(f"vmap: chunk_size should be None or greater than 0. (got {chunk_size})")

    @functools.wraps(func)
    def wrapped(*args, **kwargs):
        flat_args, flat_dims, args_spec = _flat_in_dims(func, in_dims, args)
        batch_size = _batch_size(flat_args, flat_dims)
        indices = list(range(batch_size)) if batch_size else [None]
        unmapped_versions = _unmapped_versions(flat_args, flat_dims)
        results = []
        for index, context in zip(indices, _element_calls(len(indices), randomness)):
            element_args = tree_unflatten([_element(a, d, index) for a, d in zip(flat_args, flat_dims)], args_spec)
            with context():
                results.append(func(*element_args, **kwargs))
            _check_unmapped_unchanged(func, unmapped_versions)
        return _stack_outputs(func, out_dims, results, empty_batch=batch_size == 0)
    return wrapped
