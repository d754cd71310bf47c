"""How a generator's raw stream becomes samples, exactly as PyTorch's CPU kernels do it.

Every sampler takes a `Generator`, an output shape and a NumPy dtype, and returns a new array holding
the bits PyTorch 2.13 (CPU, AVX2 kernels) produces for the same generator state. The raw stream is
mt19937: `generator._uint32(n)` is PyTorch's `random()` (one word), `generator._uint64(n)` its
`random64()` (two words, the first one high). The per-element C++ loops of ATen become whole-array
NumPy expressions over those words.

PyTorch's AVX2 kernels are compiled with FMA contraction, so `a * b + c` in its source is one fused
multiply-add; `_fma32` / `_fma64` reproduce that rounding.
"""
import math

import numpy as np

_F32 = np.float32
_MASK24 = np.uint32((1 << 24) - 1)
_MASK53 = np.uint64((1 << 53) - 1)
_TWO_PI = 2.0 * math.pi
_FILL_SLICE = 1 << 15  # elements per Box-Muller slice (a multiple of 16)


# ---- exact arithmetic helpers -------------------------------------------------------------------------------
def _fma32(a, b, c):
    """float32 fused multiply-add: the float32 product is exact in float64, so one rounding remains."""
    product = np.multiply(a, b, dtype=np.float64)
    return np.add(product, c, out=np.empty(product.shape, dtype=_F32), casting='same_kind')


_SPLITTER = 134217729.0  # 2**27 + 1, Veltkamp's constant for splitting a double into two halves


def _fma64(a, b, c):
    """float64 fused multiply-add via error-free transformations (Dekker's product, Knuth's sum)."""
    product = a * b
    scaled = _SPLITTER * a
    a_high = scaled - (scaled - a)
    a_low = a - a_high
    scaled = _SPLITTER * b
    b_high = scaled - (scaled - b)
    b_low = b - b_high
    product_error = ((a_high * b_high - product) + a_high * b_low + a_low * b_high) + a_low * b_low
    total = product + c
    virtual = total - product
    sum_error = (product - (total - virtual)) + (c - virtual)
    return total + (sum_error + product_error)


def _fma(a, b, c, dtype):
    return _fma64(a, b, c) if dtype == np.float64 else _fma32(a, b, c)


# ---- uniform ------------------------------------------------------------------------------------------------
def _unit_uniform(generator, count, dtype):
    """`count` values of `at::uniform_real_distribution<T>(0, 1)`: 53 bits of random64() for double,
    24 bits of random() for float (11 for half)."""
    if dtype == np.float64:
        return (generator._uint64(count) & _MASK53).astype(np.float64) * 2.0 ** -53
    digits = 11 if dtype == np.float16 else 24
    return (generator._uint32(count) & np.uint32((1 << digits) - 1)).astype(_F32) * _F32(2.0 ** -digits)


def uniform(generator, shape, dtype, low=0.0, high=1.0):
    """Uniform samples in [low, high): `x * (to - from) + from`, fused, in the sample's precision."""
    count = math.prod(shape)
    unit = _unit_uniform(generator, count, dtype)
    if low == 0 and high == 1:
        return unit.astype(dtype, copy=False).reshape(shape)
    compute = np.float64 if dtype == np.float64 else _F32
    low, high = compute(low), compute(high)  # PyTorch casts the bounds to the tensor's type first
    return _fma(unit, high - low, low, compute).astype(dtype, copy=False).reshape(shape)


# ---- normal -------------------------------------------------------------------------------------------------
def normal(generator, shape, dtype, mean=0.0, std=1.0, contiguous=True):
    """Normal samples. Like PyTorch: a contiguous tensor of >= 16 elements is filled 16 at a time by
    Box-Muller over a block of uniforms; anything smaller draws pairs through the scalar sampler,
    which caches the unused second value in the generator."""
    count = math.prod(shape)
    if count >= 16 and contiguous:
        if dtype == np.float64:
            values = _normal_fill(generator, count, np.float64, _box_muller_double)
            return _fma64(values, float(std), float(mean)).reshape(shape)
        values = _normal_fill(generator, count, _F32 if dtype == np.float32 else dtype, _box_muller_avx2)
        # the AVX2 kernel ends with _mm256_fmadd_ps(n, std, mean)
        return _fma32(values, _F32(std), _F32(mean)).astype(dtype, copy=False).reshape(shape)
    return _fma64(_standard_normal_scalar(generator, count), float(std), float(mean)).astype(
        dtype, copy=False).reshape(shape)


def _normal_fill(generator, count, dtype, box_muller):
    """PyTorch's `normal_fill`: uniforms for the whole tensor, then each block of 16 becomes 16 normals
    (8 radii from the first half, 8 angles from the second). A ragged tail is redone by drawing 16 fresh
    uniforms for the last 16 elements."""
    uniforms = _unit_uniform(generator, count, dtype)
    whole = count // 16 * 16
    values = np.empty(count, dtype=uniforms.dtype)
    # cache-sized slices: the many elementwise passes of Box-Muller then stay in L2
    for start in range(0, whole, _FILL_SLICE):
        stop = min(start + _FILL_SLICE, whole)
        values[start:stop] = box_muller(uniforms[start:stop].reshape(-1, 2, 8)).reshape(-1)
    if whole != count:
        values[count - 16:] = box_muller(_unit_uniform(generator, 16, dtype).reshape(1, 2, 8)).reshape(-1)
    return values


def _box_muller_double(blocks):
    """`normal_fill_16` in double: u1 = 1 - first half, u2 = second half."""
    radius = np.sqrt(-2.0 * np.log(1.0 - blocks[:, 0]))
    theta = _TWO_PI * blocks[:, 1]
    return np.stack([radius * np.cos(theta), radius * np.sin(theta)], axis=1)


def _box_muller_avx2(blocks):
    """`normal_fill_16_AVX2` for float: avx_mathfun's log256_ps and sincos256_ps (Cephes polynomials),
    evaluated with the same float32 operations and fused multiply-adds."""
    radius = np.sqrt(_F32(-2.0) * _log256(_F32(1.0) - blocks[:, 0]))
    sine, cosine = _sincos256(_F32(_TWO_PI) * blocks[:, 1])
    return np.stack([radius * cosine, radius * sine], axis=1)


_LOG_POLY = [_F32(c) for c in (7.0376836292E-2, -1.1514610310E-1, 1.1676998740E-1, -1.2420140846E-1,
                               1.4249322787E-1, -1.6668057665E-1, 2.0000714765E-1, -2.4999993993E-1,
                               3.3333331174E-1)]


def _log256(x):
    """avx_mathfun's log256_ps for x in (0, 1]: exponent/mantissa split, then a degree-9 polynomial."""
    bits = x.view(np.int32)
    exponent = ((bits >> 23) - 0x7f).astype(_F32) + _F32(1.0)
    mantissa = ((bits & ~0x7f800000) | 0x3f000000).view(_F32)  # in [0.5, 1)
    below = mantissa < _F32(0.707106781186547524)
    exponent -= below.astype(_F32)
    x = (mantissa - _F32(1.0)) + np.where(below, mantissa, _F32(0.0))
    z = x * x
    y = np.full_like(x, _LOG_POLY[0])
    for coefficient in _LOG_POLY[1:]:
        y = _fma32(y, x, coefficient)
    y = _fma32(y * x, z, exponent * _F32(-2.12194440e-4))
    y = _fma32(-z, _F32(0.5), y)
    return _fma32(exponent, _F32(0.693359375), x + y)


def _sincos256(x):
    """avx_mathfun's sincos256_ps for x >= 0: reduce by pi/4 in three parts, then the two Cephes
    polynomials, swapped and signed by octant."""
    octant = (x * _F32(1.27323954473516)).astype(np.int32)
    octant = (octant + 1) & ~1
    octant_float = octant.astype(_F32)
    x = _fma32(octant_float, _F32(-0.78515625), x)
    x = _fma32(octant_float, _F32(-2.4187564849853515625e-4), x)
    x = _fma32(octant_float, _F32(-3.77489497744594108e-8), x)
    z = x * x
    cos_poly = _fma32(np.full_like(z, _F32(2.443315711809948E-005)), z, _F32(-1.388731625493765E-003))
    cos_poly = _fma32(cos_poly, z, _F32(4.166664568298827E-002)) * z
    cos_poly = _fma32(cos_poly, z, -(z * _F32(0.5))) + _F32(1.0)
    sin_poly = _fma32(np.full_like(z, _F32(-1.9515295891E-4)), z, _F32(8.3321608736E-3))
    sin_poly = _fma32(sin_poly, z, _F32(-1.6666654611E-1)) * z
    sin_poly = _fma32(sin_poly, x, x)
    use_sin_poly = (octant & 2) == 0
    sine = np.where(use_sin_poly, sin_poly, cos_poly)
    cosine = np.where(use_sin_poly, cos_poly, sin_poly)
    sine = np.where((octant & 4) != 0, -sine, sine)
    cosine = np.where(((octant - 2) & 4) == 0, -cosine, cosine)
    return sine, cosine


def _standard_normal_scalar(generator, count):
    """`count` draws of `at::normal_distribution<double>`: each pair of uniforms gives r*cos (returned)
    and r*sin (cached in the generator for the next draw, across calls)."""
    values = np.empty(count, dtype=np.float64)
    start = 0
    if count and generator._next_normal is not None:
        values[0] = generator._next_normal
        generator._next_normal = None
        start = 1
    pairs = (count - start + 1) // 2
    if pairs:
        uniforms = _unit_uniform(generator, 2 * pairs, np.float64).reshape(pairs, 2)
        radius = np.sqrt(-2.0 * np.log1p(-uniforms[:, 1]))
        theta = _TWO_PI * uniforms[:, 0]
        drawn = np.stack([radius * np.cos(theta), radius * np.sin(theta)], axis=1).reshape(-1)
        values[start:] = drawn[:count - start]
        if (count - start) % 2:
            generator._next_normal = float(drawn[-1])
    return values


def log_normal(generator, shape, dtype, mean, std):
    """exp of scalar normal draws (PyTorch's log_normal_ always takes the scalar, caching path)."""
    draws = _fma64(_standard_normal_scalar(generator, math.prod(shape)), float(std), float(mean))
    return np.exp(draws).astype(dtype).reshape(shape)


# ---- other continuous distributions -------------------------------------------------------------------------
def exponential(generator, shape, dtype, rate):
    """-1/lambda * log(1 - u) in double (as log1p(-u))."""
    unit = _unit_uniform(generator, math.prod(shape), np.float64)
    return ((-1.0 / rate) * np.log1p(-unit)).astype(dtype).reshape(shape)


def geometric(generator, shape, dtype, p):
    """ceil(log(u) / log(1 - p)) in double."""
    unit = _unit_uniform(generator, math.prod(shape), np.float64)
    return np.ceil(np.log(unit) / np.log(1.0 - p)).astype(dtype).reshape(shape)


def cauchy(generator, shape, dtype, median, sigma):
    """median + sigma * tan(pi * (u - 0.5)) in double, fused."""
    unit = _unit_uniform(generator, math.prod(shape), np.float64)
    return _fma64(np.tan(math.pi * (unit - 0.5)), float(sigma), float(median)).astype(dtype).reshape(shape)


# ---- discrete -----------------------------------------------------------------------------------------------
def bernoulli(generator, probabilities, dtype):
    """0/1 samples, one per element of `probabilities`: float32 probabilities compare a float uniform
    (24 bits), float64 ones a double uniform (53 bits)."""
    unit_dtype = np.float64 if probabilities.dtype == np.float64 else _F32
    unit = _unit_uniform(generator, probabilities.size, unit_dtype).reshape(probabilities.shape)
    return (unit < probabilities).astype(dtype)


def bernoulli_scalar(generator, shape, dtype, p):
    """0/1 samples with one probability: a double uniform per element (PyTorch's default kernel;
    on Intel CPUs PyTorch would use MKL's stream instead)."""
    return (_unit_uniform(generator, math.prod(shape), np.float64) < p).astype(dtype).reshape(shape)


def random_range(generator, shape, dtype, low, high):
    """Integers uniformly from [low, high) as PyTorch draws them: `word % range + low`, with one 32-bit
    word per value, or a 64-bit value when the range needs >= 32 bits (for 64-bit and float dtypes)."""
    count = math.prod(shape)
    span = high - low
    if span >= 1 << 32 and dtype in (np.int64, np.float64, np.float32):
        draws = generator._uint64(count) % np.uint64(span)
    else:
        draws = generator._uint32(count).astype(np.uint64) % np.uint64(span)
    # PyTorch adds the base in 64-bit unsigned arithmetic (wrapping), reads it as int64, then casts
    values = (draws + np.uint64(low & 0xFFFF_FFFF_FFFF_FFFF)).view(np.int64)
    return values.astype(dtype).reshape(shape)


def random_full_range(generator, shape, dtype):
    """Integers over all of int64 (`random_(from=int64 min)`): a random64() reinterpreted."""
    return generator._uint64(math.prod(shape)).view(np.int64).astype(dtype).reshape(shape)


_RANDOM_MODULUS = {np.dtype(np.float64): (1 << 53) + 1, np.dtype(np.float32): (1 << 24) + 1,
                   np.dtype(np.float16): (1 << 11) + 1, np.dtype(np.int64): 1 << 63, np.dtype(np.int32): 1 << 31,
                   np.dtype(np.int16): 1 << 15, np.dtype(np.int8): 1 << 7, np.dtype(np.uint8): 1 << 8,
                   np.dtype(np.bool_): 2}


def random_default(generator, shape, dtype):
    """`random_()` without bounds: [0, 2**mantissa] for floats, [0, max] for integers; random64() for
    double and int64, random() otherwise."""
    dtype = np.dtype(dtype)
    count = math.prod(shape)
    draws = generator._uint64(count) if dtype in (np.float64, np.int64) else generator._uint32(count).astype(np.uint64)
    return (draws % np.uint64(_RANDOM_MODULUS[dtype])).astype(dtype).reshape(shape)


def permutation(generator, n):
    """PyTorch's randperm for n < 2**32 / 20: starting from 0..n-1, swap position i with i + z_i,
    z_i = random() % (n - i), for i = 0..n-2.

    The swaps run one after another in PyTorch; here they are resolved all at once. Position k holds,
    just before swap k, the value v_k that the last earlier swap aimed at k carried there (or k itself),
    and that swap carried its own v. Following these links to their end (pointer doubling) gives every
    v_k; swap i then fixes r[i] = the value at its target, which is the v of the previous swap with the
    same target (or the target's own index)."""
    if n >= 0xFFFF_FFFF // 20:
        raise NotImplementedError("randperm for n >= 2**32 / 20 (PyTorch's random64 path) is not supported")
    if n <= 1:
        return np.arange(n, dtype=np.int64)
    steps = np.arange(n, dtype=np.int64)
    offsets = np.zeros(n, dtype=np.int64)
    offsets[:-1] = generator._uint32(n - 1) % np.arange(n, 1, -1, dtype=np.int64)
    targets = steps + offsets  # the last step is a no-op swap of n-1 with itself
    order = np.argsort(targets, kind='stable')  # swaps grouped by target, in execution order
    sorted_targets = targets[order]
    same = sorted_targets[1:] == sorted_targets[:-1]
    previous = np.full(n, -1, dtype=np.int64)  # previous swap with the same target
    previous[order[1:][same]] = order[:-1][same]
    last_into = np.full(n, -1, dtype=np.int64)  # last swap aimed at k (among all swaps)
    group_end = np.append(~same, True)
    last_into[sorted_targets[group_end]] = order[group_end]
    # swap k itself aims at k only when z_k = 0; then the last earlier one is its predecessor
    last_into = np.where(offsets == 0, previous, last_into)
    link = np.where(last_into >= 0, last_into, steps)
    while True:
        jumped = link[link]
        if np.array_equal(jumped, link):
            break
        link = jumped
    return np.where(previous >= 0, link[np.maximum(previous, 0)], targets)


def multinomial(generator, probabilities, num_samples, replacement):
    """Category indices drawn from each row of `probabilities` (1-D or 2-D), as PyTorch does:
    without replacement (or for one sample) argmax/top-k of p / Exp(1) noise; with replacement a
    double uniform per sample looked up in the normalised cumulative sum."""
    rows = probabilities.reshape(-1, probabilities.shape[-1])
    if not replacement or num_samples == 1:
        noise = exponential(generator, rows.shape, rows.dtype, 1.0)
        keys = rows / noise
        if num_samples == 1:
            chosen = np.argmax(keys, axis=-1)[:, None]
        else:
            chosen = np.argsort(-keys, axis=-1, kind='stable')[:, :num_samples]
    else:
        cumulative = np.cumsum(rows, axis=-1, dtype=rows.dtype)
        cumulative /= cumulative[:, -1:]
        cumulative[:, -1] = 1
        unit = _unit_uniform(generator, rows.shape[0] * num_samples, np.float64).reshape(rows.shape[0], -1)
        chosen = np.stack([np.searchsorted(row.astype(np.float64), draws, side='left')
                           for row, draws in zip(cumulative, unit)]) if rows.shape[0] else \
            np.empty((0, num_samples), dtype=np.int64)
    return chosen.astype(np.int64).reshape(probabilities.shape[:-1] + (num_samples,))
