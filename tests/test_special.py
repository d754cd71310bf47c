"""ember.special against torch.special: the namespace itself, and the functions PyTorch gives no
derivative (their results must record no graph, as PyTorch's do). Values are in the op table
(tests/op_db/special.py)."""
import pytest
import torch

import ember


def test_every_torch_special_name_exists():
    missing = [name for name in torch.special.__all__ if not hasattr(ember.special, name)]
    assert not missing, f"ember.special lacks {missing}"
    assert sorted(ember.special.__all__) == sorted(torch.special.__all__)


@pytest.mark.parametrize('name', ['airy_ai', 'bessel_j0', 'bessel_j1', 'bessel_y0', 'bessel_y1', 'modified_bessel_i0',
                                  'modified_bessel_i1', 'modified_bessel_k0', 'modified_bessel_k1',
                                  'scaled_modified_bessel_k0', 'scaled_modified_bessel_k1', 'spherical_bessel_j0'])
def test_functions_without_derivative_record_no_graph(name):
    theirs = getattr(torch.special, name)(torch.tensor([0.5, 2.0], requires_grad=True))
    ours = getattr(ember.special, name)(ember.tensor([0.5, 2.0], requires_grad=True))
    assert ours.requires_grad == theirs.requires_grad is False
    assert ours.grad_fn is None


def test_polynomials_record_no_graph():
    x = ember.tensor([0.5, 2.0], requires_grad=True)
    assert not ember.special.legendre_polynomial_p(x, 3).requires_grad
    assert not torch.special.legendre_polynomial_p(torch.tensor([0.5, 2.0], requires_grad=True), 3).requires_grad


def test_grad_fn_names_match_torch():
    for lib in (ember, torch):
        x = lib.tensor([0.5, 2.0], requires_grad=True)
        names = [type(y.grad_fn).__name__ for y in (lib.lgamma(x), lib.digamma(x), lib.polygamma(2, x), lib.i0(x),
                                                   lib.special.i1e(x), lib.special.erfcx(x), lib.sinc(x),
                                                   lib.special.xlog1py(x, 2.0), lib.special.zeta(2.0, x))]
        if lib is ember:
            ours = names
    assert ours == names


def test_frexp_returns_named_tuple():
    result = ember.frexp(ember.tensor([8.0, -0.3]))
    assert type(result).__name__ == 'frexp' and result._fields == ('mantissa', 'exponent')
    assert repr(result).startswith('ember.return_types.frexp(\nmantissa=')
