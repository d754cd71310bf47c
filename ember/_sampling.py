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
_FILL_SLICE = 1 << 15  # radii (and angles) per Box-Muller slice: a multiple of 8, so slices hold whole half blocks


# ---- exact arithmetic helpers -------------------------------------------------------------------------------
def _fma32_into(a, b, c, out, product):
    """`out = a * b + c` rounded once to float32, as a fused multiply-add does: the product of two float32
    values is exact in float64, so only the final rounding to float32 is left. `b` must be float64 (an
    array or np.float64) so that NumPy multiplies in float64; `product` is float64 scratch space."""
    np.multiply(a, b, out=product)
    return np.add(product, c, out=out, casting='same_kind')


def _fma32(a, b, c):
    """float32 fused multiply-add into a new array (see `_fma32_into`)."""
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


def _scale_shift(values, std, mean, dtype):
    """`values * std + mean` fused in `dtype` (the last step of PyTorch's normal kernels). With std 1 the
    product is exact, so the fused result is a plain sum, which saves the float64 emulation."""
    if std == 1:
        return np.add(values, dtype(mean), out=values)
    return _fma(values, dtype(std), dtype(mean), dtype)


# ---- uniform ------------------------------------------------------------------------------------------------
def _unit_uniform(generator, count, dtype):
    """`count` values of `at::uniform_real_distribution<T>(0, 1)`: 53 bits of random64() for double,
    24 bits of random() for float (11 for half)."""
    if dtype == np.float64:
        values = (generator._uint64(count) & _MASK53).astype(np.float64)
        return np.multiply(values, 2.0 ** -53, out=values)
    digits = 11 if dtype == np.float16 else 24
    values = (generator._uint32(count) & np.uint32((1 << digits) - 1)).astype(_F32)
    return np.multiply(values, _F32(2.0 ** -digits), out=values)


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
            return _scale_shift(values, std, mean, np.float64).reshape(shape)
        values = _normal_fill(generator, count, _F32 if dtype == np.float32 else dtype, _box_muller_avx2)
        # the AVX2 kernel ends with _mm256_fmadd_ps(n, std, mean)
        return _scale_shift(values, std, mean, _F32).astype(dtype, copy=False).reshape(shape)
    return _fma64(_standard_normal_scalar(generator, count), float(std), float(mean)).astype(
        dtype, copy=False).reshape(shape)


def _normal_fill(generator, count, dtype, box_muller):
    """PyTorch's `normal_fill`: uniforms for the whole tensor, then each block of 16 becomes 16 normals
    (8 radii from the first half, 8 angles from the second, giving r*cos in the first half, r*sin in
    the second). A ragged tail is redone by drawing 16 fresh uniforms for the last 16 elements."""
    uniforms = _unit_uniform(generator, count, dtype)
    values = np.empty(count, dtype=uniforms.dtype)
    whole = count // 16 * 16
    _box_muller_blocks(box_muller, uniforms[:whole], values[:whole])
    if whole != count:
        _box_muller_blocks(box_muller, _unit_uniform(generator, 16, dtype), values[count - 16:])
    return values


def _box_muller_blocks(box_muller, uniforms, values):
    """Box-Muller over blocks of 16 (`values` may be a view). The halves of all blocks are first gathered
    into two contiguous arrays, so that NumPy runs each operation over long rows instead of rows of 8
    (seeing a half block as one 8-element record makes that gather a single strided copy)."""
    half_record = np.dtype((np.void, 8 * uniforms.itemsize))
    first, second = uniforms.view(half_record).reshape(-1, 2).T.copy().view(uniforms.dtype)
    cosines, sines = values.view(half_record).reshape(-1, 2).T
    # cache-sized slices: the many elementwise passes then stay in L2
    for start in range(0, first.size, _FILL_SLICE):
        stop = start + _FILL_SLICE
        radius_cos, radius_sin = box_muller(first[start:stop], second[start:stop])
        cosines[start // 8:stop // 8] = radius_cos.view(half_record)
        sines[start // 8:stop // 8] = radius_sin.view(half_record)


def _box_muller_double(first, second):
    """`normal_fill_16` in double: u1 = 1 - first half, u2 = second half."""
    radius = np.log(1.0 - first)
    radius *= -2.0
    np.sqrt(radius, out=radius)
    theta = np.multiply(second, _TWO_PI)
    return radius * np.cos(theta), np.multiply(radius, np.sin(theta), out=radius)


def _box_muller_avx2(first, second):
    """`normal_fill_16_AVX2` for float: avx_mathfun's log256_ps and sincos256_ps (Cephes polynomials),
    evaluated with the same float32 operations and fused multiply-adds."""
    radius = _log256(_F32(1.0) - first)
    radius *= _F32(-2.0)
    np.sqrt(radius, out=radius)
    sine, cosine = _sincos256(np.multiply(second, _F32(_TWO_PI)))
    return np.multiply(radius, cosine, out=cosine), np.multiply(radius, sine, out=sine)


_LOG_POLY = [np.float64(_F32(c)) for c in (
    7.0376836292E-2, -1.1514610310E-1, 1.1676998740E-1, -1.2420140846E-1, 1.4249322787E-1, -1.6668057665E-1,
    2.0000714765E-1, -2.4999993993E-1, 3.3333331174E-1)]


def _log256(x):
    """avx_mathfun's log256_ps for x in (0, 1]: exponent/mantissa split, then a degree-9 polynomial.
    (Steps whose product is exact in float32 need no fused multiply-add.)"""
    bits = x.view(np.int32)
    exponent = ((bits >> 23) - 0x7e).astype(_F32)
    mantissa = ((bits & ~0x7f800000) | 0x3f000000).view(_F32)  # in [0.5, 1)
    below = mantissa < _F32(0.707106781186547524)
    exponent -= below
    # x = (mantissa - 1) + (mantissa if below else 0), computed as (mantissa * below + mantissa) - 1:
    # every step is exact, so the order does not change the result
    x = mantissa * below
    x += mantissa
    x -= _F32(1.0)
    wide_x = x.astype(np.float64)
    product = np.empty_like(wide_x)
    y = _fma32_into(wide_x, _LOG_POLY[0], _LOG_POLY[1], np.empty_like(x), product)
    for coefficient in _LOG_POLY[2:]:
        _fma32_into(y, wide_x, coefficient, y, product)
    z = x * x
    y *= x
    _fma32_into(y, z.astype(np.float64), exponent * _F32(-2.12194440e-4), y, product)
    z *= _F32(0.5)
    y -= z  # fma(-z, 0.5, y): z / 2 is exact
    y += x
    exponent *= _F32(0.693359375)  # exact: a small integer times a 9-bit constant
    y += exponent
    return y


_SIN_POLY = [np.float64(_F32(c)) for c in (-1.9515295891E-4, 8.3321608736E-3, -1.6666654611E-1)]
_COS_POLY = [np.float64(_F32(c)) for c in (2.443315711809948E-005, -1.388731625493765E-003, 4.166664568298827E-002)]
_SIGN_BIT = np.int32(-0x8000_0000)


def _sincos256(x):
    """avx_mathfun's sincos256_ps for x >= 0: reduce by pi/4 in three parts (Cody-Waite), then the two
    Cephes polynomials, swapped and signed by octant."""
    octant = (x * _F32(1.27323954473516)).astype(np.int32)
    octant += 1
    octant &= ~1
    octant_float = octant.astype(_F32)
    # the octant is at most 8, so its products with the two short constants are exact in float32
    x = x - octant_float * _F32(0.78515625)
    x -= octant_float * _F32(2.4187564849853515625e-4)
    product = np.empty(x.shape, dtype=np.float64)
    _fma32_into(octant_float, np.float64(_F32(-3.77489497744594108e-8)), x, x, product)
    z = x * x
    wide_z = z.astype(np.float64)
    cos_poly = _fma32_into(wide_z, _COS_POLY[0], _COS_POLY[1], np.empty_like(z), product)
    _fma32_into(cos_poly, wide_z, _COS_POLY[2], cos_poly, product)
    cos_poly *= z
    half_z = z * _F32(0.5)
    np.negative(half_z, out=half_z)
    _fma32_into(cos_poly, wide_z, half_z, cos_poly, product)
    cos_poly += _F32(1.0)
    sin_poly = _fma32_into(wide_z, _SIN_POLY[0], _SIN_POLY[1], np.empty_like(z), product)
    _fma32_into(sin_poly, wide_z, _SIN_POLY[2], sin_poly, product)
    sin_poly *= z
    _fma32_into(sin_poly, x.astype(np.float64), x, sin_poly, product)
    # octants 2, 3, 6, 7 swap the polynomials, and octant bits flip the signs: both done on the bits,
    # `difference` being the bits that differ between the polynomials where they swap, else 0
    sine_bits, cosine_bits = sin_poly.view(np.int32), cos_poly.view(np.int32)
    difference = sine_bits ^ cosine_bits
    difference &= -((octant >> 1) & 1)
    sine_bits ^= difference
    cosine_bits ^= difference
    sine_bits ^= (octant & 4) << 29
    octant -= 2
    octant &= 4
    octant <<= 29
    cosine_bits ^= octant ^ _SIGN_BIT
    return sin_poly, cos_poly


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
    """Integers uniformly from [low, high) as PyTorch draws them: `draw % range + low`, the draw being one
    32-bit word per value, or a 64-bit value when the range is 2**28 or more (which keeps the modulo
    bias small)."""
    count = math.prod(shape)
    span = high - low
    if span >= 1 << 28:
        draws = generator._uint64(count) % np.uint64(span)
        # PyTorch adds the base in 64-bit unsigned arithmetic (wrapping), reads it as int64, then casts
        values = (draws + np.uint64(low & 0xFFFF_FFFF_FFFF_FFFF)).view(np.int64)
    else:
        # the same sum, without wrapping: low + draw < high fits in int64
        values = (generator._uint32(count) % np.uint32(span)).astype(np.int64)
        values += low
    return values.astype(dtype, copy=False).reshape(shape)


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
    offsets[:-1] = generator._uint32(n - 1) % np.arange(n, 1, -1, dtype=np.uint32)  # 32-bit division is faster
    targets = steps + offsets  # the last step is a no-op swap of n-1 with itself
    # swaps grouped by target, in execution order: one sort of (target, step) packed into an integer,
    # much faster than a stable argsort
    step_bits = (n - 1).bit_length()
    keys = np.sort((targets << step_bits) | steps)
    order, sorted_targets = keys & ((1 << step_bits) - 1), keys >> step_bits
    same = sorted_targets[1:] == sorted_targets[:-1]
    previous = np.full(n, -1, dtype=np.int64)  # previous swap with the same target
    previous[order[1:][same]] = order[:-1][same]
    last_into = np.full(n, -1, dtype=np.int64)  # last swap aimed at k (among all swaps)
    group_end = np.append(~same, True)
    last_into[sorted_targets[group_end]] = order[group_end]
    # swap k itself aims at k only when z_k = 0; then the last earlier one is its predecessor
    last_into = np.where(offsets == 0, previous, last_into)
    link = np.where(last_into >= 0, last_into, steps)
    # pointer jumping, only over the links that do not yet reach the end of their chain
    pending = np.flatnonzero(link[link] != link)
    while pending.size:
        link[pending] = link[link[pending]]
        pending = pending[link[link[pending]] != link[pending]]
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
