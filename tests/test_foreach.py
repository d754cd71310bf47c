"""torch._foreach_*: every function, with each kind of second argument (number, list of numbers, list
of tensors, 0-d tensor, packed 1-d tensor), against torch: values, dtypes, what is returned (a tuple
of new tensors, or the list itself for the in-place forms), gradients and errors."""
import math

import numpy as np
import pytest
import torch

import ember

SHAPES = [(3, 4), (5,), ()]
rng = np.random.default_rng(0)
# in (0.1, 0.9) so that every unary op (log, acos, rsqrt ...) is in its domain
X, Y, Z = ([rng.uniform(0.1, 0.9, shape).astype(np.float32) for shape in SHAPES] for _ in range(3))


def _build(lib, token):
    """The argument a token stands for, made with `lib` (ember or torch)."""
    return {
        'X': lambda: [lib.tensor(a) for a in X],
        'Y': lambda: [lib.tensor(a) for a in Y],
        'Z': lambda: [lib.tensor(a) for a in Z],
        'number': lambda: 1.5,
        'numbers': lambda: [0.5, 2.0, -1.25],
        'tensor0d': lambda: lib.tensor(2.0),
        'packed': lambda: lib.tensor([0.5, 2.0, -1.25]),
        'weights': lambda: [lib.tensor(0.25), lib.tensor(0.5), lib.tensor(0.75)],
        'float64': lambda: lib.float64,
    }[token]() if isinstance(token, str) else token


UNARY = ['abs', 'acos', 'asin', 'atan', 'ceil', 'cos', 'cosh', 'erf', 'erfc', 'exp', 'expm1', 'floor', 'frac',
         'lgamma', 'log', 'log10', 'log1p', 'log2', 'neg', 'reciprocal', 'round', 'rsqrt', 'sigmoid', 'sign', 'sin',
         'sinh', 'sqrt', 'tan', 'tanh', 'trunc']
# (name, positional argument tokens, keyword argument tokens, whether an in-place form exists)
CASES = [(name, (), {}, True) for name in UNARY] + [
    (name, (kind,), {}, True)
    for name in ('add', 'sub', 'mul', 'div', 'clamp_min', 'clamp_max', 'maximum', 'minimum', 'pow')
    for kind in ('number', 'numbers', 'Y')
] + [
    ('add', ('tensor0d',), {}, True), ('mul', ('tensor0d',), {}, True), ('div', ('tensor0d',), {}, True),
    ('add', ('Y',), {'alpha': -0.5}, True), ('sub', ('Y',), {'alpha': 2}, True),
    ('add', ('tensor0d',), {'alpha': 3}, True), ('add', (), {'scalar': 2}, True),
    ('mul', (), {'scalars': 'numbers'}, True), ('pow', (), {'exponent': 'numbers'}, True),
    ('addcmul', ('Y', 'Z'), {}, True), ('addcmul', ('Y', 'Z', 'number'), {}, True),
    ('addcmul', ('Y', 'Z', 'numbers'), {}, True), ('addcmul', ('Y', 'Z', 'packed'), {}, True),
    ('addcmul', ('Y', 'Z'), {'value': -2}, True), ('addcdiv', ('Y', 'Z'), {}, True),
    ('addcdiv', ('Y', 'Z', 'numbers'), {}, True), ('addcdiv', ('Y', 'Z', 'packed'), {}, True),
    ('addcdiv', ('Y', 'Z'), {'value': 0.5}, True),
    ('lerp', ('Y', 'number'), {}, True), ('lerp', ('Y', 'numbers'), {}, True), ('lerp', ('Y', 'weights'), {}, True),
    ('norm', (), {}, False), ('norm', (1,), {}, False), ('norm', (math.inf,), {}, False),
    ('norm', (0,), {}, False), ('norm', (3,), {'dtype': 'float64'}, False),
    ('powsum', (), {}, False), ('powsum', (1,), {}, False), ('powsum', (0,), {}, False), ('powsum', (3,), {}, False),
    ('max', (), {}, False), ('clone', (), {}, False),
]


def _call(lib, name, args, kwargs, inplace):
    self = _build(lib, 'X')
    function = getattr(lib, f"_foreach_{name}{'_' if inplace else ''}")
    returned = function(self, *[_build(lib, a) for a in args], **{k: _build(lib, v) for k, v in kwargs.items()})
    return self, returned


def _assert_same(ours, theirs, rtol=1e-5, atol=1e-6):
    assert len(ours) == len(theirs)
    for o, t in zip(ours, theirs):
        assert str(o.dtype).split('.')[1] == str(t.dtype).split('.')[1]
        assert tuple(o.shape) == tuple(t.shape)
        np.testing.assert_allclose(o.detach().numpy(), t.detach().numpy(), rtol=rtol, atol=atol)


@pytest.mark.parametrize('inplace', [False, True], ids=['out_of_place', 'in_place'])
@pytest.mark.parametrize('name,args,kwargs,has_inplace', CASES,
                         ids=[f"{c[0]}-{'-'.join(map(str, c[1]))}-{'-'.join(c[2])}" for c in CASES])
def test_foreach_matches_torch(name, args, kwargs, has_inplace, inplace):
    if inplace and not has_inplace:
        pytest.skip("no in-place form")
    ours_self, ours = _call(ember, name, args, kwargs, inplace)
    theirs_self, theirs = _call(torch, name, args, kwargs, inplace)
    if inplace:
        # PyTorch 2.13's in-place forms return the list they were given
        assert ours is ours_self and theirs is theirs_self
    else:
        assert type(ours) is type(theirs) is tuple
    _assert_same(ours, theirs)
    _assert_same(ours_self, theirs_self)  # (the out-of-place forms leave it alone)


def test_pow_with_a_number_first():
    _assert_same(ember._foreach_pow(2.0, _build(ember, 'X')), torch._foreach_pow(2.0, _build(torch, 'X')))


@pytest.mark.parametrize('name', ['zero_', 'copy_'])
def test_zero_and_copy(name):
    args = (lambda lib: ()) if name == 'zero_' else (lambda lib: ([lib.tensor(a) for a in Y],))
    results = []
    for lib in (ember, torch):
        self = _build(lib, 'X')
        assert getattr(lib, f'_foreach_{name}')(self, *args(lib)) is self
        results.append(self)
    _assert_same(*results)


def test_mm():
    a = [rng.standard_normal((2, 3)).astype(np.float32), rng.standard_normal((4, 1)).astype(np.float32)]
    b = [rng.standard_normal((3, 5)).astype(np.float32), rng.standard_normal((1, 2)).astype(np.float32)]
    _assert_same(ember._foreach_mm([ember.tensor(m) for m in a], [ember.tensor(m) for m in b]),
                 torch._foreach_mm([torch.tensor(m) for m in a], [torch.tensor(m) for m in b]))


@pytest.mark.parametrize('name,other', [('add', 1.5), ('mul', [2, 0.5]), ('div', 2), ('maximum', 1.5),
                                        ('add', 'int_tensors'), ('sub', [1, 2]), ('mul', 'float64_tensors')])
def test_type_promotion_per_tensor(name, other):
    def run(lib):
        self = [lib.tensor([1, 2, 3]), lib.tensor([4.0, 5.0], dtype=lib.float32)]
        if other == 'int_tensors':
            other_argument = [lib.tensor([1, 1, 1]), lib.tensor([2, 2])]
        elif other == 'float64_tensors':
            other_argument = [lib.tensor([1.5, 1, 1], dtype=lib.float64), lib.tensor([2, 2], dtype=lib.float64)]
        else:
            other_argument = other
        return getattr(lib, f'_foreach_{name}')(self, other_argument)
    _assert_same(run(ember), run(torch))


# (name, argument tokens, keyword arguments, a loop of torch's per-tensor ops where torch's own foreach
# form has no derivative (addcmul, addcdiv, powsum) or its backward fails on 0-d tensors)
GRAD_CASES = [
    ('add', ('Y',), {'alpha': 2}, None), ('sub', ('Y',), {}, None), ('mul', ('Y',), {}, None),
    ('div', ('Y',), {}, None), ('mul', ('tensor0d',), {}, None), ('pow', ('numbers',), {}, None),
    ('pow', ('Y',), {}, None), ('maximum', ('Y',), {}, None), ('lerp', ('Y', 'number'), {}, None),
    ('lerp', ('Y', 'weights'), {}, None), ('exp', (), {}, None), ('sqrt', (), {}, None),
    ('sigmoid', (), {}, None), ('norm', (), {}, None), ('norm', (3,), {}, None), ('max', (), {}, None),
    ('clone', (), {}, None),
    ('addcmul', ('Y', 'Z', 'packed'), {},
     lambda x, y, z, built: [a.addcmul(b, c, value=v) for a, b, c, v in zip(x, y, z, built['packed'].tolist())]),
    ('addcdiv', ('Y', 'Z', 'numbers'), {},
     lambda x, y, z, built: [a.addcdiv(b, c, value=v) for a, b, c, v in zip(x, y, z, built['numbers'])]),
    ('powsum', (3,), {}, lambda x, y, z, built: [a.abs().pow(3).sum() for a in x]),
]


@pytest.mark.parametrize('name,args,kwargs,torch_loop', GRAD_CASES,
                         ids=[f"{c[0]}-{'-'.join(map(str, c[1]))}" for c in GRAD_CASES])
def test_gradients_match_torch(name, args, kwargs, torch_loop):
    """The out-of-place forms record the graph as a loop of the per-tensor ops would."""
    def run(lib, rng_for_grads):
        built = {token: _build(lib, token) for token in ('X', 'Y', 'Z', 'tensor0d', 'packed', 'weights', 'number', 'numbers')}
        leaves = [t for token in ('X', 'Y', 'Z', 'weights') for t in built[token]]
        for leaf in leaves:
            leaf.requires_grad_(True)
        if lib is torch and torch_loop is not None:
            outputs = torch_loop(built['X'], built['Y'], built['Z'], built)
        else:
            outputs = getattr(lib, f'_foreach_{name}')(built['X'], *[built.get(a, a) for a in args], **kwargs)
        weights = [lib.tensor(rng_for_grads.standard_normal(tuple(o.shape)).astype(np.float32)) for o in outputs]
        sum((o * w).sum() for o, w in zip(outputs, weights)).backward()
        return [leaf.grad if leaf.grad is not None else lib.zeros_like(leaf) for leaf in leaves]
    _assert_same(run(ember, np.random.default_rng(1)), run(torch, np.random.default_rng(1)), rtol=1e-4, atol=1e-5)


def _error_calls(lib):
    x = [lib.tensor([1.0, 2.0]), lib.tensor([3.0])]
    ints = [lib.tensor([1, 2])]
    leaf = [lib.tensor([1.0], requires_grad=True)]
    return [
        ('self is a tensor', lambda: lib._foreach_abs(x[0])),
        ('empty list', lambda: lib._foreach_add([], 1)),
        ('lists of different lengths', lambda: lib._foreach_add(x, x[:1])),
        ('scalar list of another length', lambda: lib._foreach_mul(x, [1.0])),
        ('1-d tensor for add', lambda: lib._foreach_add(x, lib.tensor([1.0, 2.0]))),
        ('1-d tensor for sub', lambda: lib._foreach_sub(x, lib.tensor([1.0, 2.0]))),
        ('alpha with a number', lambda: lib._foreach_add(x, 2, alpha=2)),
        ('numbers and tensors mixed', lambda: lib._foreach_add(x, [x[0], 2])),
        ('packed scalars of dimension 0', lambda: lib._foreach_addcmul(x, x, x, lib.tensor(2.0))),
        ('packed scalars of another length', lambda: lib._foreach_addcmul(x, x, x, lib.tensor([1.0, 2.0, 3.0]))),
        ('lerp weights of another length', lambda: lib._foreach_lerp(x, x, [0.5])),
        ('copy_ from a shorter list', lambda: lib._foreach_copy_(x, x[:1])),
        ('in place on a leaf that requires grad', lambda: lib._foreach_mul_(leaf, 2)),
        ('float result into an int tensor', lambda: lib._foreach_add_(ints, 1.5)),
        ('exp_ of an int tensor', lambda: lib._foreach_exp_(ints)),
        ('max of an empty tensor', lambda: lib._foreach_max([lib.tensor([])])),
        ('powsum of an int tensor', lambda: lib._foreach_powsum(ints)),
        ('norm of an int tensor', lambda: lib._foreach_norm(ints)),
    ]


# errors whose message is PyTorch's own wording, which ember repeats
SAME_MESSAGE = {'empty list', 'lists of different lengths', 'scalar list of another length', '1-d tensor for add',
                'numbers and tensors mixed', 'packed scalars of dimension 0', 'packed scalars of another length',
                'lerp weights of another length', 'copy_ from a shorter list', 'max of an empty tensor',
                'powsum of an int tensor'}


@pytest.mark.parametrize('index', range(len(_error_calls(ember))),
                         ids=[description for description, _ in _error_calls(ember)])
def test_errors_match_torch(index):
    description, ours = _error_calls(ember)[index]
    _, theirs = _error_calls(torch)[index]
    with pytest.raises(Exception) as expected:
        theirs()
    with pytest.raises(type(expected.value)) as raised:
        ours()
    if description in SAME_MESSAGE:
        assert str(raised.value) == str(expected.value)


def test_every_torch_foreach_function_exists():
    names = [name for name in dir(torch) if name.startswith('_foreach_')]
    assert names and [name for name in names if not callable(getattr(ember, name, None))] == []
