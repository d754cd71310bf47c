"""ember's random streams against PyTorch's, bit for bit: each row is a call sequence run after the same
seed in both libraries (`m` is ember or torch, `g` an explicit generator or None)."""
import numpy as np
import pytest
import torch

import ember
from ember import _sampling

# torch's size thresholds +- 1, and ember's own: below 4096 words a draw reads the engine's raw words
SIZES = [0, 1, 2, 15, 16, 17, 31, 33, 1000, 2047, 2048, 4095, 4096, 100_000, 100_003]


def _seq_normal_forms(m, g, n):
    mean = m.arange(1, n + 1, dtype=m.float32)
    std = m.arange(n, 0, -1, dtype=m.float32) / n
    return [m.normal(mean, std, generator=g), m.normal(0.5, 2.0, size=(n,), generator=g),
            m.normal(mean, 1.5, generator=g), m.normal(-1.0, std, generator=g)]


def _seq_inplace(m, g, n, dtype):
    def empty():
        return m.empty(n, dtype=dtype)
    return [empty().uniform_(-2, 3, generator=g), empty().normal_(0.5, 2.5, generator=g),
            empty().exponential_(1.5, generator=g), empty().geometric_(0.3, generator=g),
            empty().log_normal_(0.2, 0.5, generator=g), empty().cauchy_(0.5, 2.0, generator=g),
            empty().bernoulli_(0.3, generator=g), empty().bernoulli_(m.rand(n, dtype=dtype, generator=g), generator=g),
            empty().random_(generator=g), empty().random_(10, generator=g), empty().random_(-5, 20, generator=g)]


CASES = {
    'rand': lambda m, g, n, dt: [m.rand(n, dtype=dt, generator=g), m.rand(n, 2, dtype=dt, generator=g)],
    'randn': lambda m, g, n, dt: [m.randn(n, dtype=dt, generator=g), m.randn(3, n, dtype=dt, generator=g)],
    'randn_odd_cache': lambda m, g, n, dt: [m.randn(3, dtype=dt, generator=g), m.randn(n, dtype=dt, generator=g),
                                            m.randn(5, dtype=dt, generator=g), m.rand(1, generator=g),
                                            m.randn(2, dtype=m.float64, generator=g)],
    'randint': lambda m, g, n, dt: [m.randint(0, 10, (n,), generator=g), m.randint(-3, 2**32 + 7, (n,), generator=g),
                                    m.randint(-2**62, 2**62, (n,), generator=g), m.randint(5, (n,), generator=g,
                                                                                          dtype=m.int32)],
    'randint_offsets': lambda m, g, n, dt: [m.randint(-2**40, -2**40 + 1000, (n,), generator=g),
                                            m.randint(2**62, 2**62 + 2**31, (n,), generator=g),
                                            m.randint(-7, 2**32 - 8, (n,), generator=g),
                                            m.randint(250, 256, (n,), generator=g, dtype=m.uint8)],
    'normal_std_one': lambda m, g, n, dt: [m.empty(n, dtype=dt).normal_(-1.5, 1.0, generator=g),
                                           m.normal(0.0, 1.0, size=(2, n), generator=g, dtype=dt)],
    'randperm': lambda m, g, n, dt: [m.randperm(n, generator=g), m.randperm(n + 3, generator=g)],
    'like': lambda m, g, n, dt: [m.rand_like(m.zeros(n, dtype=dt), generator=g) if g is None else m.rand(n, dtype=dt),
                                 m.randn_like(m.zeros(n, dtype=dt)), m.randint_like(m.zeros(n, dtype=dt), 3, 9)],
    'normal_forms': lambda m, g, n, dt: _seq_normal_forms(m, g, n),
    'inplace': lambda m, g, n, dt: _seq_inplace(m, g, n, dt),
    'bernoulli': lambda m, g, n, dt: [m.bernoulli(m.rand(n, dtype=dt, generator=g), generator=g),
                                      m.bernoulli(m.zeros(n, dtype=dt), 0.4, generator=g)],
    'random_ints': lambda m, g, n, dt: [m.empty(n, dtype=t).random_(generator=g)
                                        for t in (m.int64, m.int32, m.uint8, m.bool, m.int16)],
    'multinomial': lambda m, g, n, dt: [m.multinomial(m.rand(4, n + 5, dtype=dt, generator=g) + 0.01, k, r, generator=g)
                                        for k, r in ((1, True), (1, False), (3, True), (3, False))],
    'non_contiguous': lambda m, g, n, dt: [m.zeros(n, 3, dtype=dt).t().normal_(generator=g),
                                           m.zeros(n, 3, dtype=dt).t().uniform_(generator=g)],
}


def _run(library, name, seed, n, dtype_name, explicit):
    gen = library.Generator().manual_seed(seed) if explicit else None
    library.manual_seed(seed)  # also with a generator: some cases draw from the global one too ('like')
    return CASES[name](library, gen, n, getattr(library, dtype_name))


def _assert_same(expected, actual):
    assert len(expected) == len(actual)
    for want, got in zip(expected, actual):
        want, got = want.numpy(), got.numpy()
        assert want.dtype == got.dtype and want.shape == got.shape
        assert np.array_equal(want, got, equal_nan=True), f"{(want != got).sum()} of {want.size} differ"


@pytest.mark.parametrize('explicit', [False, True], ids=['default', 'generator'])
@pytest.mark.parametrize('dtype_name', ['float32', 'float64'])
@pytest.mark.parametrize('n', SIZES)
@pytest.mark.parametrize('name', sorted(CASES))
def test_stream_matches_torch(name, n, dtype_name, explicit):
    seed = 1000 + n
    _assert_same(_run(torch, name, seed, n, dtype_name, explicit), _run(ember, name, seed, n, dtype_name, explicit))


@pytest.mark.parametrize('dtype_name', ['float32', 'float64'])
def test_million(dtype_name):
    for name in ('randn', 'randperm'):
        _assert_same(_run(torch, name, 3, 10**6, dtype_name, False), _run(ember, name, 3, 10**6, dtype_name, False))


@pytest.mark.parametrize('dtype_name', ['float32', 'float64'])
def test_normal_across_slices(dtype_name):
    """The Box-Muller fill goes a slice of blocks at a time, each drawing its own uniforms: sizes around a
    slice, over several slices with a ragged tail, and scaled and shifted (std != 1 takes the fused
    path); the stream ends in the same place."""
    values_per_slice = 2 * _sampling._FILL_SLICE
    for n in (values_per_slice - 3, values_per_slice + 16, 2 * values_per_slice + 5):
        for library in (torch, ember):
            library.manual_seed(n)
        dtype = getattr(torch, dtype_name), getattr(ember, dtype_name)
        _assert_same([torch.randn(n, dtype=dtype[0]), torch.empty(n, dtype=dtype[0]).normal_(0.5, 2.0), torch.rand(5)],
                     [ember.randn(n, dtype=dtype[1]), ember.empty(n, dtype=dtype[1]).normal_(0.5, 2.0), ember.rand(5)])


# A plain transcription of avx_mathfun's log256_ps and sincos256_ps as PyTorch's AVX2 build runs them
# (FMA contraction: each a * b + c is one rounding, here a float64 product and sum rounded to float32),
# to check ember's rewritten kernels on every input they can get.
_F32, _F64 = np.float32, np.float64


def _fused(a, b, c):
    return (np.asarray(a, _F64) * np.asarray(b, _F64) + np.asarray(c, _F64)).astype(_F32)


def _reference_log256(x):
    bits = x.view(np.int32)
    exponent = ((bits >> 23) - 0x7e).astype(_F32)
    mantissa = ((bits & ~0x7f800000) | 0x3f000000).view(_F32)
    below = mantissa < _F32(0.707106781186547524)
    exponent -= below
    x = np.where(below, mantissa + mantissa - _F32(1.0), mantissa - _F32(1.0))
    y = _fused(_F32(7.0376836292E-2), x, _F32(-1.1514610310E-1))
    for c in (1.1676998740E-1, -1.2420140846E-1, 1.4249322787E-1, -1.6668057665E-1, 2.0000714765E-1,
              -2.4999993993E-1, 3.3333331174E-1):
        y = _fused(y, x, _F32(c))
    z = x * x
    y = _fused(y * x, z, exponent * _F32(-2.12194440e-4))
    y = y - z * _F32(0.5)
    return (x + y) + exponent * _F32(0.693359375)


def _reference_sincos256(x):
    octant = ((x * _F32(1.27323954473516)).astype(np.int32) + 1) & ~1
    y = octant.astype(_F32)
    x = (x - y * _F32(0.78515625)) - y * _F32(2.4187564849853515625e-4)
    x = _fused(y, _F32(-3.77489497744594108e-8), x)
    z = x * x
    cos = _fused(_fused(z, _F32(2.443315711809948E-005), _F32(-1.388731625493765E-003)), z,
                 _F32(4.166664568298827E-002))
    cos = _fused(cos * z, z, -(z * _F32(0.5))) + _F32(1.0)
    sin = _fused(_fused(z, _F32(-1.9515295891E-4), _F32(8.3321608736E-3)), z, _F32(-1.6666654611E-1))
    sin = _fused(sin * z, x, x)
    swap = (octant & 2) != 0
    sin, cos = np.where(swap, cos, sin), np.where(swap, sin, cos)
    sin = np.where((octant & 4) != 0, -sin, sin)
    cos = np.where(((octant - 2) & 4) != 0, cos, -cos)
    return sin, cos


@pytest.mark.parametrize('digits', [24, 11])
def test_float_kernels_on_every_input(digits):
    """ember's float32 Box-Muller kernels against the transcription above on all 2**digits uniforms: some
    of their rewrites (roundings by constants, merged steps) are exact only over these inputs."""
    chunk = min(1 << 20, 1 << digits)
    for start in range(0, 1 << digits, chunk):
        bits = np.arange(start, start + chunk, dtype=np.uint32)
        uniform = bits.astype(_F32) * _F32(2.0 ** -digits)
        radius = np.sqrt(_reference_log256(_F32(1.0) - uniform) * _F32(-2.0))
        sin, cos = _reference_sincos256(uniform * _F32(2 * np.pi))
        for want, got in ((radius, _sampling._radius256(bits, digits)), (cos, _sampling._sincos256(bits, digits)[0]),
                          (sin, _sampling._sincos256(bits, digits)[1])):
            assert np.array_equal(want.view(np.int32), got.view(np.int32)), f"{(want != got).sum()} differ"


@pytest.mark.parametrize('count', [1, 1000, 4095, 4096, 5000])  # both sides of the few-words path
def test_low_bits_are_the_masked_words(count):
    """`Generator._low_bits` gives the same words as masking the raw ones, and `_uint64` pairs them
    first word high; the stream ends in the same place."""
    for bits in (11, 24, 32):
        drawn, raw = ember.Generator().manual_seed(9), ember.Generator().manual_seed(9)
        words = raw._state.randint(0, 2**32, size=count, dtype=np.uint32)
        assert np.array_equal(drawn._low_bits(count, bits), words & np.uint32((1 << bits) - 1) if bits < 32 else words)
        assert np.array_equal(drawn._uint32(count), raw._state.randint(0, 2**32, size=count, dtype=np.uint32))
        pairs = raw._state.randint(0, 2**32, size=2 * count, dtype=np.uint32).astype(np.uint64)
        assert np.array_equal(drawn._uint64(count), (pairs[0::2] << np.uint64(32)) | pairs[1::2])
        assert np.array_equal(drawn._uint32(5), raw._uint32(5))


def test_state_round_trip_restores_stream_and_cached_normal():
    ember.manual_seed(11)
    ember.randn(3)  # leaves a cached normal
    state = ember.get_rng_state()
    first = [ember.randn(5).numpy(), ember.rand(20).numpy(), ember.randperm(9).numpy()]
    ember.set_rng_state(state)
    again = [ember.randn(5).numpy(), ember.rand(20).numpy(), ember.randperm(9).numpy()]
    for a, b in zip(first, again):
        assert np.array_equal(a, b)
    torch.manual_seed(11)
    torch.randn(3)
    assert np.array_equal(torch.randn(5).numpy(), first[0])


def test_generator_state_and_seeds():
    g = ember.Generator().manual_seed(5)
    assert g.initial_seed() == 5
    state = g.get_state()
    a = ember.randn(7, generator=g).numpy()
    g.set_state(state)
    assert np.array_equal(a, ember.randn(7, generator=g).numpy())
    ember.manual_seed(42)
    assert ember.initial_seed() == 42
    s = ember.seed()
    assert ember.initial_seed() == s
    ember.manual_seed(2**64 - 1)
    torch.manual_seed(2**64 - 1)
    assert np.array_equal(ember.rand(4).numpy(), torch.rand(4).numpy())


@pytest.mark.parametrize('call', [
    lambda m: m.randint(5, 5, (3,)),
    lambda m: m.empty(3).uniform_(2, 1),
    lambda m: m.normal(0.0, -1.0, size=(3,)),
    lambda m: m.empty(3).bernoulli_(1.5),
    lambda m: m.bernoulli(m.full((3,), 2.0)),
    lambda m: m.multinomial(m.ones(3), 4),
    lambda m: m.empty(3).random_(5, 2),
])
def test_errors_match_torch(call):
    with pytest.raises(Exception) as expected:
        call(torch)
    with pytest.raises(type(expected.value)):
        call(ember)


INF, NAN = float('inf'), float('nan')


@pytest.mark.parametrize('probabilities', [
    [-1., 2.], [NAN, 1.], [INF, 1.], [-INF, 1.], [0., 0.], [-0., 0.], [[0., 0.], [-1., 1.]], [[-1., 1.], [0., 0.]],
    [[1., INF], [-1., 1.]], [[-1., INF]], [[INF, -1.]], [[NAN, INF]], [[INF, NAN]], [[0., 0.], [INF, 1.]],
])
@pytest.mark.parametrize('num_samples, replacement', [(2, True), (2, False), (1, True)])
def test_multinomial_invalid_distribution_messages_match_torch(probabilities, num_samples, replacement):
    # with replacement (and more than one sample) PyTorch names the first bad entry, row by row;
    # the other paths check the whole tensor at once
    messages = []
    for m in (torch, ember):
        with pytest.raises(RuntimeError) as info:
            m.multinomial(m.tensor(probabilities), num_samples, replacement=replacement)
        messages.append(str(info.value))
    assert messages[1] == messages[0]


def test_reseeded_block_is_fork_rng_plus_manual_seed():
    """`ember.random._reseeded` (used per image by `ember train`) behaves as `with fork_rng(): manual_seed(s)`."""
    from ember.random import _reseeded
    ember.manual_seed(3)
    ember.rand(5)
    with ember.random.fork_rng():
        ember.manual_seed(11)
        expected_inside = ember.randn(20), ember.initial_seed()
        with ember.random.fork_rng():
            ember.manual_seed(12)
            expected_nested = ember.randint(0, 9, (7,))
    expected_after = ember.rand(30), ember.initial_seed()
    ember.manual_seed(3)
    ember.rand(5)
    with _reseeded(11):
        inside = ember.randn(20), ember.initial_seed()
        with _reseeded(12):
            nested = ember.randint(0, 9, (7,))
    after = ember.rand(30), ember.initial_seed()
    assert np.array_equal(inside[0].numpy(), expected_inside[0].numpy()) and inside[1] == expected_inside[1] == 11
    assert np.array_equal(nested.numpy(), expected_nested.numpy())
    assert np.array_equal(after[0].numpy(), expected_after[0].numpy()) and after[1] == expected_after[1] == 3


def test_manual_seed_in_place_restarts_the_stream():
    g = ember.Generator()
    first = ember.rand(10, generator=g.manual_seed(5))
    ember.randn(3, generator=g)
    again = ember.rand(10, generator=g.manual_seed(5))
    assert np.array_equal(first.numpy(), again.numpy())
    assert np.array_equal(first.numpy(), torch.rand(10, generator=torch.Generator().manual_seed(5)).numpy())


@pytest.mark.parametrize('size', [1, 15, 16, 17, 1000])
def test_half_uniforms_match_torch(size):
    """Half uniforms are float uniforms (24 random bits) rounded to half, as in PyTorch 2.13."""
    torch.manual_seed(7)
    ember.manual_seed(7)
    expected = [torch.rand(size, dtype=torch.float16), torch.empty(size, dtype=torch.float16).uniform_(-2.3, 3.1)]
    ours = [ember.rand(size, dtype=ember.float16), ember.empty(size, dtype=ember.float16).uniform_(-2.3, 3.1)]
    for theirs, mine in zip(expected, ours):
        assert mine.dtype == ember.float16
        np.testing.assert_array_equal(mine.numpy(), theirs.numpy())


@pytest.mark.parametrize('size', [1, 15, 16, 17, 31, 33, 1000, 4097, 100_003, 262_149])
def test_half_normals_match_torch(size):
    """Half normals are the float kernel's, rounded; a ragged tail's 16 uniforms follow the whole
    blocks' (not all `size` of them, as in float), as in PyTorch 2.13. The stream ends in the same place."""
    def draws(m):
        m.manual_seed(11)
        return [m.randn(size, dtype=m.float16), m.empty(size, dtype=m.float16).normal_(0.5, 2.0),
                m.zeros(size, 3, dtype=m.float16).t().normal_(-1.0, 0.25), m.rand(5)]
    for theirs, mine in zip(draws(torch), draws(ember)):
        assert mine.dtype == getattr(ember, str(theirs.dtype).split('.')[1])
        theirs, mine = np.ascontiguousarray(theirs.numpy()), np.ascontiguousarray(mine.numpy())
        assert np.array_equal(mine.view(np.uint8), theirs.view(np.uint8)), f"{(mine != theirs).sum()} differ"


@pytest.mark.parametrize('dtype_name', ['float16', 'float32', 'float64'])
@pytest.mark.parametrize('low, high', [(0, 1), (1000, 1001), (-2, 3), (-2.3, 3.1), (5, 5.001)])
def test_uniform_samples_that_round_to_high_become_low(dtype_name, low, high):
    """x * (high - low) + low can round to `high` (often in half, sometimes in float: 1000 + x for x
    just below 1); PyTorch 2.13 returns `low` for those, so `high` never occurs."""
    def draws(m):
        m.manual_seed(5)
        return [m.empty(200_000, dtype=getattr(m, dtype_name)).uniform_(low, high),
                m.rand(200_000, dtype=getattr(m, dtype_name)), m.rand(3)]
    for theirs, mine in zip(draws(torch), draws(ember)):
        theirs, mine = theirs.numpy(), mine.numpy()
        assert np.array_equal(mine.view(np.uint8), theirs.view(np.uint8)), f"{(mine != theirs).sum()} differ"


@pytest.mark.parametrize('dtype_name', ['complex64', 'complex128'])
@pytest.mark.parametrize('make', [lambda m, dt: m.zeros(17, dtype=dt), lambda m, dt: m.zeros(40, 3, dtype=dt).t(),
                                  lambda m, dt: m.zeros(4, 5, 6, dtype=dt).permute(2, 0, 1)],
                         ids=['contiguous', 'transposed', 'permuted'])
def test_complex_fills_match_torch(dtype_name, make):
    """Complex uniform_/normal_ fill the (real, imaginary) pairs as floats (normal_ with std / sqrt(2))."""
    def draws(m):
        m.manual_seed(4)
        dtype = getattr(m, dtype_name)
        return [make(m, dtype).uniform_(), make(m, dtype).uniform_(-2, 3), make(m, dtype).normal_(),
                make(m, dtype).normal_(0.5, 2.0), m.rand(3)]
    for theirs, mine in zip(draws(torch), draws(ember)):
        assert mine.dtype == getattr(ember, str(theirs.dtype).split('.')[1])
        np.testing.assert_array_equal(mine.numpy(), theirs.numpy())


@pytest.mark.parametrize('dtype_name', ['float16', 'float32', 'float64', 'int64', 'uint8', 'bool'])
@pytest.mark.parametrize('call', [
    lambda t: t.uniform_(0, 1e6), lambda t: t.uniform_(-1e39, 0), lambda t: t.uniform_(0, float('inf')),
    lambda t: t.uniform_(float('nan'), 1), lambda t: t.uniform_(3, 2), lambda t: t.uniform_(-60000, 60000),
    lambda t: t.uniform_(-3e38, 3e38), lambda t: t.normal_(0, -1.5), lambda t: t.exponential_(),
    lambda t: t.exponential_(-1.0), lambda t: t.cauchy_(), lambda t: t.normal_(), lambda t: t.log_normal_()])
def test_sampler_argument_errors_match_torch(dtype_name, call):
    """Bounds outside the dtype, reversed or too wide ranges, non-float tensors: the same error and message."""
    outcomes = []
    for m in (torch, ember):
        try:
            call(m.empty(3, dtype=getattr(m, dtype_name)))
            outcomes.append('ok')
        except RuntimeError as error:
            outcomes.append(str(error))
    assert outcomes[1] == outcomes[0]


VIEWS = {
    'transposed': ((3, 4), lambda t: t.t()),
    'permuted 4-d': ((2, 3, 4, 5), lambda t: t.permute(0, 2, 3, 1)),
    'size-1 axis': ((5, 1, 4), lambda t: t.permute(2, 1, 0)),
    'sliced': ((6, 4), lambda t: t[:, ::2]),
    'transposed and sliced': ((4, 6), lambda t: t.t()[::2]),
    'expanded': ((3, 1), lambda t: t.expand(3, 4)),
    'permuted and sliced': ((3, 4, 5), lambda t: t.permute(1, 2, 0)[::2, :, 1:]),
}


@pytest.mark.parametrize('view', sorted(VIEWS))
def test_dropout_masks_follow_the_input_memory_order(view):
    """PyTorch draws dropout's mask into `empty_like(input)`, which keeps the input's memory order,
    and fills it in that order: a transposed input gets the transposed mask of the original."""
    shape, make = VIEWS[view]

    def draws(m):
        m.manual_seed(0)
        x = make(m.ones(*shape))
        return [m.nn.functional.dropout(x, 0.5), m.nn.functional.alpha_dropout(x, 0.3, True),
                m.nn.functional.dropout(x * 2, 0.2), m.rand(3)]
    ours, theirs = draws(ember), draws(torch)
    for mine, expected in zip(ours, theirs):
        np.testing.assert_allclose(mine.numpy(), expected.numpy(), rtol=1e-6)


def test_transformer_layer_trains_like_pytorch_with_batch_first():
    """batch_first attention hands dropout transposed tensors: with the same seed, the same masks."""
    def run(m):
        m.manual_seed(3)
        layer = m.nn.TransformerEncoderLayer(d_model=8, nhead=2, dim_feedforward=16, batch_first=True)
        x = m.randn(2, 5, 8)
        return layer(x)
    np.testing.assert_allclose(run(ember).detach().numpy(), run(torch).detach().numpy(), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize('view', sorted(VIEWS))
def test_like_samplers_keep_the_input_memory_order(view):
    """rand_like and friends are `empty_like(input)` (input's memory order, PyTorch's preserve_format)
    filled in place, so a transposed input gets transposed samples; empty_like keeps the strides."""
    shape, make = VIEWS[view]

    def draws(m):
        m.manual_seed(0)
        x = make(m.ones(*shape))
        return ([m.rand_like(x), m.randn_like(x), m.randint_like(x, 10), m.randint_like(x, 3, 7, dtype=m.int64),
                 m.randn_like(x, dtype=m.float64), m.rand(2)],
                # strides of the axes of size > 1 (those of a size-1 axis never matter, and can differ)
                [[stride for stride, size in zip(t.stride(), t.shape) if size > 1]
                 for t in (m.empty_like(x), m.zeros_like(x), m.full_like(x, 2))])
    (ours, our_strides), (theirs, their_strides) = draws(ember), draws(torch)
    for mine, expected in zip(ours, theirs):
        assert mine.dtype == getattr(ember, str(expected.dtype).split('.')[1])
        np.testing.assert_array_equal(mine.numpy(), expected.numpy())
    assert our_strides == their_strides
