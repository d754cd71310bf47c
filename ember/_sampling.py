"""How a generator's raw stream becomes samples, exactly as PyTorch's CPU kernels do it.

Every sampler takes a `Generator`, an output shape and a NumPy dtype, and returns a new array holding
the bits PyTorch 2.13 (CPU, AVX2 kernels) produces for the same generator state. The raw stream is
mt19937: `generator._uint32(n)` is PyTorch's `random()` (one word), `generator._uint64(n)` its
`random64()` (two words, the first one high). The per-element C++ loops of ATen become whole-array
NumPy expressions over those words.

PyTorch's AVX2 kernels are compiled with FMA contraction, so `a * b + c` in its source is one fused
multiply-add; `_fma32` / `_fma64` reproduce that rounding.
"""
import functools
import math

import numpy as np

_F32 = np.float32
_MASK53 = np.uint64((1 << 53) - 1)
_TWO_PI = 2.0 * math.pi
_FILL_SLICE = 1 << 16  # radii (and angles) per Box-Muller slice: a multiple of 8, so slices hold whole half blocks


# ---- exact arithmetic helpers -------------------------------------------------------------------------------
def _fma32(a, b, c):
    """float32 fused multiply-add into a new array: the product of two float32 values is exact in float64,
    so only the final rounding to float32 is left."""
    product = np.multiply(a, b, dtype=np.float64)
    return np.add(product, c, out=np.empty(product.shape, dtype=_F32), casting='same_kind')


_SPLITTER = 134217729.0  # 2**27 + 1, Veltkamp's constant for splitting a double into two halves
_SPLITTABLE = 2.0 ** 996  # the largest number the splitting's `_SPLITTER * b` does not overflow for


def _fma64(a, b, c):
    """float64 fused multiply-add via error-free transformations (Dekker's product, Knuth's sum). Where `b`
    is huge (a range or std near the double maximum), it is scaled down with `c` by a power of two, which
    is exact, and the result scaled back up."""
    huge = np.abs(b) > _SPLITTABLE
    if huge.any():
        scale = np.where(huge, 2.0 ** -64, 1.0)
        return _fma64(a, b * scale, c * scale) / scale
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


def _from_double(values, dtype):
    """`static_cast<scalar_t>` of double samples: for half, C++ goes through float (c10::Half converts
    from float only), and those two roundings differ from one in about one value in 4000."""
    with np.errstate(over='ignore'):  # beyond the dtype's range is inf, as in C++, without NumPy's warning
        if dtype == np.float16:
            values = values.astype(_F32)
        return values.astype(dtype, copy=False)


def _scale_shift(values, std, mean, dtype):
    """`values * std + mean` fused in `dtype` (the last step of PyTorch's normal kernels). With std 1 the
    product is exact, so the fused result is a plain sum, which saves the float64 emulation."""
    if std == 1:
        return np.add(values, dtype(mean), out=values)
    return _fma(values, dtype(std), dtype(mean), dtype)


# ---- uniform ------------------------------------------------------------------------------------------------
def _unit_uniform(generator, count, dtype):
    """`count` values of `at::uniform_real_distribution<T>(0, 1)`: 53 bits of random64() for double,
    24 bits of random() for float and half (half computes in float and rounds the result)."""
    if dtype == np.float64:
        values = (generator._uint64(count) & _MASK53).astype(np.float64)
        return np.multiply(values, 2.0 ** -53, out=values)
    values = generator._low_bits(count, 24).astype(_F32)
    return np.multiply(values, _F32(2.0 ** -24), out=values)


def uniform(generator, shape, dtype, low=0.0, high=1.0):
    """Uniform samples in [low, high): `x * (to - from) + from`, fused, in the sample's precision. A
    sample that rounds to `high` becomes `low`, as in PyTorch 2.13 (measured), so `high` never occurs."""
    count = math.prod(shape)
    unit = _unit_uniform(generator, count, dtype)
    if low == 0 and high == 1:
        values = unit.astype(dtype, copy=False)
        if dtype != np.float16:  # 24 or 53 random bits below 1 never round up to it
            return values.reshape(shape)
    else:
        compute = np.float64 if dtype == np.float64 else _F32
        bounds = compute(low), compute(high)  # in the computing precision (float for half too)
        values = _fma(unit, bounds[1] - bounds[0], bounds[0], compute).astype(dtype, copy=False)
    top = np.dtype(dtype).type(high)
    np.copyto(values, np.dtype(dtype).type(low), where=values == top)
    return values.reshape(shape)


# ---- normal -------------------------------------------------------------------------------------------------
def normal(generator, shape, dtype, mean=0.0, std=1.0, contiguous=True):
    """Normal samples. Like PyTorch: a contiguous tensor of >= 16 elements is filled 16 at a time by
    Box-Muller over a block of uniforms; anything smaller draws pairs through the scalar sampler,
    which caches the unused second value in the generator."""
    count = math.prod(shape)
    if count >= 16 and contiguous:
        return _normal_fill(generator, count, dtype, mean, std).astype(dtype, copy=False).reshape(shape)
    return _from_double(_fma64(_standard_normal_scalar(generator, count), float(std), float(mean)),
                        dtype).reshape(shape)


def _normal_fill(generator, count, dtype, mean, std):
    """PyTorch's `normal_fill`: uniforms for the whole tensor, then each block of 16 becomes 16 normals
    (8 radii from the first half, 8 angles from the second, giving r*cos in the first half, r*sin in
    the second), each then scaled and shifted (`n * std + mean`, fused, in the kernel's precision). A
    ragged tail is redone by drawing 16 fresh uniforms for the last 16 elements.

    The blocks go a slice at a time, so that the many elementwise passes stay in cache. The float kernel
    takes the uniforms' random bits rather than the uniforms (u = bits / 2**digits exactly), which lets
    it start from integers."""
    if dtype == np.float64:
        precision, box_muller = np.float64, _box_muller_double

        def draw(n):
            return _unit_uniform(generator, n, np.float64)
    else:
        precision, box_muller = _F32, functools.partial(_box_muller_avx2, digits=24)

        def draw(n):
            return generator._low_bits(n, 24)
    values = np.empty(count, dtype=precision)
    whole = count // 16 * 16
    # Each slice draws its own uniforms, in stream order: drawing them all first would add a second
    # array as large as the output, and glibc returns the pages of two such arrays to the system on
    # every call, so that faulting them back in cost more (~3 us a page here) than the draws themselves.
    for start in range(0, whole, 2 * _FILL_SLICE):
        stop = min(start + 2 * _FILL_SLICE, whole)
        _box_muller_blocks(box_muller, draw(stop - start), values[start:stop], mean, std)
    if whole != count:
        # PyTorch draws a uniform for every element before it redoes the ragged tail with 16 fresh
        # ones; float16 (PyTorch 2.13, measured) draws only the whole blocks' uniforms first
        if dtype != np.float16:
            draw(count - whole)
        _box_muller_blocks(box_muller, draw(16), values[count - 16:], mean, std)
    return values


# a half block (8 elements of 4 or 8 bytes) seen as one opaque record, by element size: made once, not per slice
_HALF_BLOCK = {size: np.dtype((np.void, 8 * size)) for size in (4, 8)}


def _box_muller_blocks(box_muller, draws, values, mean, std):
    """Box-Muller over blocks of 16 into `values` (a view). The first and second halves of the blocks are
    gathered into the two rows of one array, so that NumPy runs each operation over long rows instead of
    rows of 8 (seeing a half block as one 8-element record makes that gather a single strided copy); the
    results, the rows r*cos and r*sin of one array, go back the same way."""
    draw_record, value_record = _HALF_BLOCK[draws.itemsize], _HALF_BLOCK[values.itemsize]
    first, second = np.ascontiguousarray(draws.view(draw_record).reshape(-1, 2).T).view(draws.dtype)
    normals = _scale_shift(box_muller(first, second), std, mean, values.dtype.type)
    halves = values.view(value_record).reshape(-1, 2)
    halves[:, 0] = normals[0].view(value_record)  # row by row: faster than through the transpose
    halves[:, 1] = normals[1].view(value_record)


def _box_muller_double(first, second):
    """`normal_fill_16` in double: u1 = 1 - first half, u2 = second half."""
    radius = np.log(1.0 - first)
    radius *= -2.0
    np.sqrt(radius, out=radius)
    theta = np.multiply(second, _TWO_PI)
    normals = np.empty((2, first.size))
    np.cos(theta, out=normals[0])
    np.sin(theta, out=normals[1])
    normals *= radius
    return normals


def _box_muller_avx2(first, second, digits):
    """`normal_fill_16_AVX2` for float: radius sqrt(-2 * log256_ps(1 - u1)) from the first half, angle
    2*pi*u2 from the second, through avx_mathfun's log256_ps and sincos256_ps (Cephes polynomials), with
    the same float32 roundings and fused multiply-adds. `first` and `second` are the uniforms' bits:
    u = bits / 2**digits."""
    normals = _sincos256(second, digits)  # rows: cos, sin
    normals *= _radius256(first, digits)
    return normals


# Every float32 step of the two kernels is reproduced exactly: a plain float32 operation where the kernel's
# operation is one, and float64 arithmetic rounded once to float32 where the kernel fuses a multiply and an
# add (the product of two float32 values is exact in float64). Where a rewrite below is exact only over the
# inputs the kernels can get (2**digits uniforms each), tests/test_random.py checks it on all 2**24 of them.
# The conversions between integers, float32 and float64 are written out (`astype`, `wide[...] = narrow`,
# `narrow[...] = wide`) rather than left to a ufunc given operands of mixed types: NumPy runs such a call
# through small casting buffers, which costs more than a separate conversion pass plus a same-type pass.
def _rounder(sign, binade):
    """M such that (v + M) - M is v rounded to float32, for v of the given sign with |v| in
    [2**(binade - 1), 2**(binade + 1)): |v + M| = |v| + 2**(binade + 29) - 2**binade crosses 2**(binade + 29)
    exactly where |v| crosses 2**binade, and float64's spacing below and above that is float32's spacing
    below and above 2**binade; M is an even multiple of both, so ties go to even alike. A value known to
    stay in such a range is rounded by an add and a subtract instead of two conversions, and for
    v = a * b + c with float32 a, b, c on v's float32 grid, adding c + M (exact) to the exact product
    a * b rounds once, as a fused multiply-add does."""
    return sign * (2.0 ** (binade + 29) - 2.0 ** binade)


_LOG_POLY = [np.float64(_F32(c)) for c in (
    7.0376836292E-2, -1.1514610310E-1, 1.1676998740E-1, -1.2420140846E-1, 1.4249322787E-1, -1.6668057665E-1,
    2.0000714765E-1, -2.4999993993E-1, 3.3333331174E-1)]
# the sign and the binade boundary of the polynomial after each fused step (over x in [sqrt(1/2) - 1,
# sqrt(2) - 1]): the steps alternate in sign and stay within two binades, and each coefficient lies on
# its step's float32 grid
_LOG_ROUND = [_rounder(sign, binade) for sign, binade in
              ((-1, -3), (1, -3), (-1, -3), (1, -3), (-1, -3), (1, -2), (-1, -2), (1, -1))]
_LOG_Q1, _LOG_Q2 = _F32(-2.12194440e-4), _F32(0.693359375)
# musl's logf reduction: adding this to a float's bits carries into the exponent exactly when the
# mantissa is >= sqrt(2) (0x3fb504f3), which leaves the mantissa 1.f / 2 in [sqrt(1/2), 1)
_SQRT_HALF_BITS = 0x3f3504f3
_LOG_SPLIT = 0x3f800000 - _SQRT_HALF_BITS


def _radius256(bits, digits):
    """sqrt(-2 * log256_ps(1 - u)) for u = bits / 2**digits.

    log256_ps writes its argument as 2**e * (1 + x), 1 + x in [sqrt(1/2), sqrt(2)), and evaluates a
    polynomial in x. Here the argument 1 - u is the integer 2**digits - bits scaled by 2**-digits, which
    float32 holds exactly, and x and e are read off that integer's bits (musl's logf reduction, which
    yields avx_mathfun's x and e exactly)."""
    scaled = bits.view(np.int32).astype(_F32)  # exact: below 2**24 (and int32 converts faster than uint32)
    np.subtract(_F32(1 << digits), scaled, out=scaled)  # exact: an integer up to 2**digits
    word = scaled.view(np.int32)
    # the carry of the split, and the biased exponent turned into e = exponent - 127 - digits in the
    # exponent field (it stays >= -digits, so the top bits are its sign and the shift below reads it)
    word += _LOG_SPLIT - ((127 + digits) << 23)
    exponent = (word >> 23).astype(_F32)
    word &= 0x7fffff
    word += _SQRT_HALF_BITS
    x = scaled  # 1 + x, now x
    x -= _F32(1.0)
    # the polynomial: y = p0 * x + p1, then y = y * x + p_i, each step fused (rounded once to float32)
    wide_x = x.astype(np.float64)
    wide_y = np.multiply(wide_x, _LOG_POLY[0])
    for step, (coefficient, rounder) in enumerate(zip(_LOG_POLY[1:], _LOG_ROUND)):
        if step:
            wide_y *= wide_x
        wide_y += coefficient + rounder
        wide_y -= rounder
    y = wide_y.astype(_F32)  # exact: the last step rounded it
    y *= x
    z = x * x
    # fma(y, z, e * q1): y, z and the float32 product e * q1 widened into the two float64 rows (whose x and
    # polynomial are no longer needed), multiplied and added exactly there, and rounded once on the way back
    wide_y[...] = y
    wide_x[...] = z
    wide_y *= wide_x
    np.multiply(exponent, _LOG_Q1, out=y)  # y is widened already: its array holds e * q1 for a moment
    wide_x[...] = y
    wide_y += wide_x
    y[...] = wide_y
    z *= _F32(0.5)
    y -= z  # fma(-z, 0.5, y): z / 2 is exact
    y += x
    exponent *= _LOG_Q2  # exact: a small integer times a 9-bit constant
    y += exponent
    y *= _F32(-2.0)  # not folded into the steps above: at u = 0 the kernel's radius is -0.0
    return np.sqrt(y, out=y)


# -pi/2 as twice the three parts of pi/4 (Cody-Waite) that sincos256_ps subtracts octant times (exact sum)
_MINUS_HALF_PI = -2.0 * (float(_F32(0.78515625)) + float(_F32(2.4187564849853515625e-4))
                         + float(_F32(3.77489497744594108e-8)))
# The cos and sin polynomials run side by side, as the rows of one array; each coefficient is a column.
_COS_SIN_POLY = np.array([[_F32(c), _F32(s)] for c, s in (
    (2.443315711809948E-005, -1.9515295891E-4), (-1.388731625493765E-003, 8.3321608736E-3),
    (4.166664568298827E-002, -1.6666654611E-1))], dtype=np.float64)[:, :, None]


# the first fused step of each polynomial never leaves one binade (which its coefficient shares): cos
# [2**-10, 2**-9), sin [2**-7, 2**-6). The second step's sum is left to the conversion to float32 that
# follows it: rounded in float64 first, it still gives the same float32 for every reachable angle.
_COS_SIN_ROUND = np.array([[_rounder(-1, -9)], [_rounder(1, -6)]])
# the last fused step of each, cos: c * z - z / 2 as z * (c - 1/2), sin: s * x + x as x * (s + 1), one
# product for both rows; rounded in float64 on the way, it still gives the same float32 for every
# reachable angle
_COS_SIN_LAST = np.array([[-0.5], [1.0]])
_SIGN_BIT = np.int32(-0x8000_0000)


def _sincos256(bits, digits):
    """sincos256_ps(2 * pi * u) for u = bits / 2**digits, as the rows (cos, sin) of one float32 array.

    It reduces the angle by a multiple of pi/4 in three parts (Cody-Waite) to x in [-pi/4, pi/4],
    evaluates the Cephes polynomials for cos and sin of x, and swaps and signs them by octant."""
    # float32(2 pi) * u, rounded once: the bits are exact in float32 and scaling by 2**-digits is exact
    angle = bits.view(np.int32).astype(_F32)  # exact: below 2**24
    angle *= _F32(_TWO_PI) * _F32(2.0 ** -digits)
    # the octant (int(angle * 4/pi) + 1) & ~1, as half of it (the quadrant of the nearest multiple of pi/2):
    # it steps up exactly at bits = (2j + 1) * 2**(digits - 3) (checked over all reachable angles)
    quadrant = np.add(bits.view(np.int32), 1 << (digits - 3))
    quadrant >>= digits - 2
    # x = angle - octant * pi/4, pi/4 in three parts: the kernel subtracts the first exactly, then rounds
    # after the second and after the (fused) third. The whole sum is exact in float64 (the octant is at
    # most 8 and the parts are short), and rounding it once gives the same float32 for every reachable angle.
    wide = np.empty((2, angle.size))  # rows: z, x in float64 (on the way, the angle and the reduced angle)
    wide_z, wide_x = wide
    wide_x[...] = quadrant
    wide_x *= _MINUS_HALF_PI
    wide_z[...] = angle
    wide_x += wide_z
    x = angle
    x[...] = wide_x  # the one rounding
    wide_x[...] = x
    z = x * x
    wide_z[...] = z
    poly = np.multiply(wide_z, _COS_SIN_POLY[0])
    poly += _COS_SIN_POLY[1] + _COS_SIN_ROUND
    poly -= _COS_SIN_ROUND
    poly *= wide_z
    poly += _COS_SIN_POLY[2]
    both = poly.astype(_F32)  # the second step's one rounding
    both *= z  # a plain multiply in the kernel
    poly[...] = both
    poly += _COS_SIN_LAST
    poly *= wide
    both[...] = poly  # the one rounding
    both[0] += _F32(1.0)
    # quadrants 1 and 3 (octants 2, 6) swap the polynomials, quadrants 2, 3 flip the sine's sign and
    # quadrants 1, 2 the cosine's: done on the bits, the sine's flip on both, the rest on the cosine
    bits = both.view(np.int32)
    odd = np.left_shift(quadrant, 31)  # the sign bit where the quadrant is odd
    flip = quadrant
    flip <<= 30
    flip &= _SIGN_BIT
    change = bits[0] ^ bits[1]
    swaps = np.right_shift(odd, 31, out=z.view(np.int32))  # all ones where the quadrant is odd (z is spent)
    change &= swaps  # the bits that differ between the polynomials where they swap, else 0
    change ^= flip
    bits ^= change
    bits[0] ^= odd
    return both


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
    return _from_double(np.exp(draws), dtype).reshape(shape)


# ---- other continuous distributions -------------------------------------------------------------------------
def exponential(generator, shape, dtype, rate):
    """-1/lambda * log(1 - u) in double (as log1p(-u))."""
    unit = _unit_uniform(generator, math.prod(shape), np.float64)
    return _from_double((-1.0 / rate) * np.log1p(-unit), dtype).reshape(shape)


def geometric(generator, shape, dtype, p):
    """ceil(log(u) / log(1 - p)) in double."""
    unit = _unit_uniform(generator, math.prod(shape), np.float64)
    return _from_double(np.ceil(np.log(unit) / np.log(1.0 - p)), dtype).reshape(shape)


def cauchy(generator, shape, dtype, median, sigma):
    """median + sigma * tan(pi * (u - 0.5)) in double, fused."""
    unit = _unit_uniform(generator, math.prod(shape), np.float64)
    return _from_double(_fma64(np.tan(math.pi * (unit - 0.5)), float(sigma), float(median)), dtype).reshape(shape)


# ---- discrete -----------------------------------------------------------------------------------------------
def bernoulli(generator, probabilities, dtype):
    """0/1 samples, one per element of `probabilities`: float32 probabilities compare a float uniform
    (24 bits), float64 ones a double uniform (53 bits)."""
    unit_dtype = np.float64 if probabilities.dtype == np.float64 else _F32
    unit = _unit_uniform(generator, probabilities.size, unit_dtype)
    return (unit < probabilities.reshape(-1)).astype(dtype).reshape(probabilities.shape)


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
