"""Complex tensors and the unsigned dtypes, against PyTorch: the parts as views that share memory,
conjugation flags, printing, seeded complex draws, gradients through real -> complex -> real paths,
and uint16/32/64. (The complex ops' values and gradients are rows of tests/op_db/spectral.py.)"""
import warnings

import numpy as np
import pytest
import torch

import ember

inf, nan = float('inf'), float('nan')


def _both(build):
    return build(ember), build(torch)


def _assert_same(ours, theirs):
    assert str(ours.dtype).split('.')[-1] == str(theirs.dtype).split('.')[-1]
    assert tuple(ours.shape) == tuple(theirs.shape)
    np.testing.assert_array_equal(ours.detach().numpy(), theirs.detach().resolve_conj().resolve_neg().numpy())


# ---- the parts are views -------------------------------------------------------------------------------
def test_writing_through_real_imag_and_view_as_real_changes_the_tensor():
    for m in (ember, torch):
        z = m.tensor([1 + 2j, 3 - 4j, -5 + 6j])
        z.real.zero_()
        z.imag[1] = 7.0
        m.view_as_real(z)[2, 0] = 9.0
        z.imag = m.tensor([1.0, 2.0, 3.0])
        if m is ember:
            ours = z
        else:
            theirs = z
    _assert_same(ours, theirs)


def test_view_as_complex_shares_memory_and_round_trips():
    for m in (ember, torch):
        pairs = m.arange(12.0).reshape(3, 2, 2)
        z = m.view_as_complex(pairs[:, 1])
        z.mul_(1j)
        result = (z, pairs, m.view_as_real(z), m.view_as_complex(m.view_as_real(z)))
        if m is ember:
            ours = result
        else:
            theirs = result
    for o, t in zip(ours, theirs):
        _assert_same(o, t)


def test_parts_of_a_real_tensor():
    x = ember.tensor([1.0, -2.0])
    assert x.real is x and ember.real(x) is x
    with pytest.raises(RuntimeError, match="imag is not implemented for tensors with non-complex dtypes"):
        x.imag
    assert x.conj() is x and x.conj_physical() is x and x.resolve_conj() is x and x.resolve_neg() is x


def test_part_dtypes_and_grad_fns():
    z = ember.tensor([1 + 2j], dtype=ember.cdouble, requires_grad=True)
    assert z.real.dtype == ember.float64 and z.imag.dtype == ember.float64
    assert type(z.real.grad_fn).__name__ == 'SelectBackward0'  # as PyTorch: a select from view_as_real
    assert type(ember.view_as_real(z).grad_fn).__name__ == 'ViewAsRealBackward0'
    assert type(z.conj().grad_fn).__name__ == 'ConjBackward0'
    assert type(z.angle().grad_fn).__name__ == 'AngleBackward0'


def test_conjugate_flags():
    for m in (ember, torch):
        z = m.tensor([1 + 2j, -3j])
        w = z.conj()
        flags = (m.is_complex(z), z.is_complex(), m.is_complex(z.real), w.is_conj(), m.is_conj(w), z.is_conj(),
                 w.resolve_conj().is_conj(), (w * 2).is_conj(), w.is_neg(), m.is_neg(z.resolve_neg()))
        values = (w.resolve_conj(), m.conj_physical(z), z.clone().conj_physical_(), w.imag)
        if m is ember:
            ours = flags, values
        else:
            theirs = flags, values
    assert ours[0] == theirs[0]
    for o, t in zip(ours[1], theirs[1]):
        _assert_same(o, t)


def test_conjugate_transposes():
    data = np.array([[1 + 2j, 3 - 1j], [0.5j, -2 + 0j]], dtype=np.complex64)
    for name in ('H', 'mH', 'T', 'mT'):
        _assert_same(*_both(lambda m: getattr(m.tensor(data), name)))


def test_complex_methods_and_casts():
    ints = np.array([1, -2, 3])
    _assert_same(*_both(lambda m: m.tensor(ints).cfloat()))
    _assert_same(*_both(lambda m: m.tensor(ints, dtype=m.float64).cdouble()))
    _assert_same(*_both(lambda m: m.tensor([1.0, 2.0]) + 1j))
    with pytest.warns(UserWarning, match="Casting complex values to real discards the imaginary part"):
        real = ember.tensor([1 + 2j]).to(ember.float32)
    _assert_same(real, torch.tensor([1.0]))


# ---- printing ------------------------------------------------------------------------------------------
PRINT_CASES = [
    [1 + 2j, -3.5 - 0.25j],
    [1e-5 + 2j, 1e5 - 0j, complex(1, -0.0)],
    [1 + 0j, 2 + 0j],
    [complex(nan, 1), complex(inf, -inf)],
    [1e-10 + 1e10j, 3 + 4j],
    [0.001 + 123456j],
    [complex(-0.0, -0.0), 1j],
    [123456789 + 1j, 1j],
    [[1.5 + 2j, 3.25 - 1e-3j], [100 + 0.5j, -7j]],
]


@pytest.mark.parametrize('values', PRINT_CASES, ids=range(len(PRINT_CASES)))
@pytest.mark.parametrize('dtype', ['complex64', 'complex128'])
def test_complex_prints_as_torch(values, dtype):
    ours, theirs = _both(lambda m: m.tensor(values, dtype=getattr(m, dtype)))
    assert repr(ours) == repr(theirs).replace('torch.', 'ember.')


def test_complex_prints_as_torch_scalar_empty_grad_and_summarised():
    for build in (lambda m: m.tensor(1 + 2j), lambda m: m.zeros(0, dtype=m.cfloat),
                  lambda m: m.tensor([1 + 2j], requires_grad=True), lambda m: m.zeros(2, 3, dtype=m.cfloat),
                  lambda m: m.arange(2000).to(m.cfloat) * (1 + 1j)):
        ours, theirs = _both(build)
        assert repr(ours) == repr(theirs).replace('torch.', 'ember.')


# ---- seeded draws --------------------------------------------------------------------------------------
DRAWS = {
    'randn': lambda m: m.randn(5, 3, dtype=m.cfloat),
    'randn_double': lambda m: m.randn(7, dtype=m.cdouble),
    'rand': lambda m: m.rand(2, 3, dtype=m.cfloat),
    'normal': lambda m: m.normal(1.0, 2.0, (4,), dtype=m.cdouble),
    'normal_': lambda m: m.empty(3, 2, dtype=m.cfloat).normal_(),
    'randn_like': lambda m: m.randn_like(m.zeros(4, 3, dtype=m.cfloat).t()),
    'uniform_': lambda m: m.empty(5, dtype=m.cdouble).uniform_(-1, 2),
}


@pytest.mark.parametrize('name', DRAWS)
def test_complex_draws_match_torch_bit_for_bit(name):
    ember.manual_seed(3)
    torch.manual_seed(3)
    _assert_same(*_both(DRAWS[name]))


# ---- gradients through complex intermediates -------------------------------------------------------------
def _c(m):
    return m.tensor([0.5 - 1j, 2 + 0.25j, -1 + 1j])


GRADIENT_PATHS = {
    'to_mul_abs': lambda m, x, y: (x.to(m.cfloat) * _c(m)).abs().sum(),
    'complex_abs': lambda m, x, y: m.complex(x, y).abs().sum(),
    'real_and_imag': lambda m, x, y: (m.complex(x, y) * _c(m)).real.sum() + 2 * (m.complex(x, y) * _c(m)).imag.sum(),
    'view_as_real': lambda m, x, y: (m.view_as_real(m.complex(x, y) * _c(m)) ** 2).sum(),
    'mul_add_scalar': lambda m, x, y: ((x * 1j + y) * (x + 2j) + y).abs().sum(),
    'sub_div': lambda m, x, y: ((x - m.complex(y, x)) / (_c(m) + x)).abs().sum(),
    'rdiv': lambda m, x, y: ((1 + 2j) / m.complex(x, y)).abs().sum(),
    'angle': lambda m, x, y: m.angle(m.complex(x, y) * _c(m)).sum(),
    'angle_real': lambda m, x, y: m.angle(x).sum() + y.sum(),
    'polar': lambda m, x, y: (m.polar(x.abs(), y) * _c(m)).real.sum(),
    'conj': lambda m, x, y: (m.complex(x, y).conj() * _c(m)).imag.sum(),
    'exp_pow_square': lambda m, x, y: (m.complex(x, y).exp() + m.complex(x, y) ** 3
                                       + m.complex(y, x).square()).real.sum(),
    'sum_mean': lambda m, x, y: (m.complex(x, y) * _c(m)).sum().abs() + (m.complex(x, y) * _c(m)).mean().abs(),
    'cfloat_imag': lambda m, x, y: (x.cfloat() * _c(m)).imag.sum(),
    'fft': lambda m, x, y: m.fft.fft(m.complex(x, y) * _c(m)).abs().sum() + m.fft.rfft(x).abs().sum(),
}


@pytest.mark.parametrize('name', GRADIENT_PATHS)
def test_gradient_through_complex_matches_torch(name):
    grads = []
    for m in (ember, torch):
        x = m.tensor([1.5, -2.0, 0.5], requires_grad=True)
        y = m.tensor([0.3, 1.2, -0.7], requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter('error')  # no complex -> real cast warning on the way back
            out = GRADIENT_PATHS[name](m, x, y)
            out.backward()
        grads.append((out.detach().numpy(), x.grad.numpy(), None if y.grad is None else y.grad.numpy()))
    for ours, theirs in zip(*grads):
        if theirs is None:
            assert ours is None or not ours.any()
        else:
            np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


# ---- unsigned dtypes -----------------------------------------------------------------------------------
@pytest.mark.parametrize('name', ['uint16', 'uint32', 'uint64'])
def test_unsigned_dtypes(name):
    ours_dtype, theirs_dtype = getattr(ember, name), getattr(torch, name)
    assert repr(ours_dtype) == repr(theirs_dtype).replace('torch.', 'ember.')
    assert ours_dtype.is_signed == theirs_dtype.is_signed and ours_dtype.itemsize == theirs_dtype.itemsize
    assert ours_dtype.is_floating_point == theirs_dtype.is_floating_point
    assert repr(ember.iinfo(ours_dtype)) == repr(torch.iinfo(theirs_dtype))
    assert ember.iinfo(ours_dtype).max == torch.iinfo(theirs_dtype).max
    for build in (lambda m: m.tensor([1, 2, 65535], dtype=getattr(m, name)),
                  lambda m: m.zeros(2, 2, dtype=getattr(m, name)),
                  lambda m: m.full((2,), 7, dtype=getattr(m, name)),
                  lambda m: m.tensor([1.7, 3.2]).to(getattr(m, name)),
                  lambda m: m.tensor([[1, 2], [3, 4]], dtype=getattr(m, name)).float(),
                  lambda m: m.tensor([1, 2], dtype=getattr(m, name)) * 2,
                  lambda m: m.tensor([1, 2], dtype=getattr(m, name)) * 1.5,
                  lambda m: m.tensor([4, 5], dtype=getattr(m, name)) == 4,
                  lambda m: m.from_numpy(np.array([3, 9], dtype=name))):
        ours, theirs = _both(build)
        _assert_same(ours, theirs)
        assert repr(ours) == repr(theirs).replace('torch.', 'ember.')


def test_unsigned_promotion():
    for other in ('int64', 'uint8', 'bool', 'int16', 'uint32', 'complex64'):
        with pytest.raises(RuntimeError) as theirs:
            torch.promote_types(torch.uint16, getattr(torch, other))
        with pytest.raises(RuntimeError) as ours:
            ember.promote_types(ember.uint16, getattr(ember, other))
        assert str(ours.value) == str(theirs.value)
    for other in ('float16', 'float32', 'float64', 'uint16'):
        assert repr(ember.promote_types(ember.uint16, getattr(ember, other))) == \
            repr(torch.promote_types(torch.uint16, getattr(torch, other))).replace('torch.', 'ember.')
    with pytest.raises(RuntimeError, match="(?i)only Tensors of floating point"):
        ember.ones(2, dtype=ember.uint16, requires_grad=True)


def test_legacy_type_names():
    for name in ('cfloat', 'cdouble', 'uint16', 'uint32', 'uint64', 'float32', 'uint8'):
        assert ember.ones(1, dtype=getattr(ember, name)).type() == torch.ones(1, dtype=getattr(torch, name)).type()


def test_iinfo_prints_as_torch():
    for name in ('int64', 'int32', 'int16', 'int8', 'uint8'):
        assert repr(ember.iinfo(getattr(ember, name))) == repr(torch.iinfo(getattr(torch, name)))


# ---- fft details a row can't show -------------------------------------------------------------------------
def test_fft_grad_fns_and_dtypes():
    x = ember.ones(4, requires_grad=True)
    assert type(ember.fft.fft(x).grad_fn).__name__ == 'FftR2CBackward0'
    assert type(ember.fft.fft(x.cfloat()).grad_fn).__name__ == 'FftC2CBackward0'
    assert type(ember.fft.irfft(ember.fft.rfft(x)).grad_fn).__name__ == 'FftC2RBackward0'
    for build in (lambda m: m.fft.rfft(m.ones(4)), lambda m: m.fft.fft(m.ones(4, dtype=m.float64)),
                  lambda m: m.fft.fft(m.arange(4)), lambda m: m.fft.irfft(m.ones(3, dtype=m.cfloat))):
        ours, theirs = _both(build)
        assert str(ours.dtype).split('.')[-1] == str(theirs.dtype).split('.')[-1]


def test_stft_warnings():
    with pytest.warns(UserWarning, match="A window was not provided"):
        ember.stft(ember.ones(32), 8, window=None, return_complex=True)
    with pytest.warns(UserWarning, match="return_complex=False is deprecated"):
        ours = ember.stft(ember.ones(32), 8, window=ember.ones(8), return_complex=False)
    with pytest.warns(UserWarning):
        theirs = torch.stft(torch.ones(32), 8, window=torch.ones(8), return_complex=False)
    _assert_same(ours, theirs)
