"""ember.special: PyTorch's torch.special, the special functions under SciPy's names.

The functions are ops of `ember._ops.special` (the gamma and Bessel families, the polynomials, ...) and
of the other op families (erf, expm1, sigmoid, softmax, ...); this module only names them as
torch.special does (`gammaln` is `lgamma`, `expit` is `sigmoid`, `psi` is `digamma`, ...).
"""
from ._ops.elementwise import (erf, erfc, erfinv, exp2, expm1, log1p, logit, round, sigmoid as expit,  # noqa: F401
                               xlogy)
from ._ops.reduction import logsumexp, softmax, log_softmax  # noqa: F401
from ._ops.special import (  # noqa: F401
    lgamma as gammaln, digamma, digamma as psi, polygamma, mvlgamma as multigammaln, igamma as gammainc,
    igammac as gammaincc, i0, sinc,
    special_erfcx as erfcx, special_ndtr as ndtr, special_ndtri as ndtri, special_log_ndtr as log_ndtr,
    special_i0e as i0e, special_i1 as i1, special_i1e as i1e, special_entr as entr, special_xlog1py as xlog1py,
    special_zeta as zeta, special_airy_ai as airy_ai, special_bessel_j0 as bessel_j0,
    special_bessel_j1 as bessel_j1, special_bessel_y0 as bessel_y0, special_bessel_y1 as bessel_y1,
    special_modified_bessel_i0 as modified_bessel_i0, special_modified_bessel_i1 as modified_bessel_i1,
    special_modified_bessel_k0 as modified_bessel_k0, special_modified_bessel_k1 as modified_bessel_k1,
    special_scaled_modified_bessel_k0 as scaled_modified_bessel_k0,
    special_scaled_modified_bessel_k1 as scaled_modified_bessel_k1,
    special_spherical_bessel_j0 as spherical_bessel_j0,
    special_chebyshev_polynomial_t as chebyshev_polynomial_t, special_chebyshev_polynomial_u as chebyshev_polynomial_u,
    special_chebyshev_polynomial_v as chebyshev_polynomial_v, special_chebyshev_polynomial_w as chebyshev_polynomial_w,
    special_shifted_chebyshev_polynomial_t as shifted_chebyshev_polynomial_t,
    special_shifted_chebyshev_polynomial_u as shifted_chebyshev_polynomial_u,
    special_shifted_chebyshev_polynomial_v as shifted_chebyshev_polynomial_v,
    special_shifted_chebyshev_polynomial_w as shifted_chebyshev_polynomial_w,
    special_hermite_polynomial_h as hermite_polynomial_h, special_hermite_polynomial_he as hermite_polynomial_he,
    special_laguerre_polynomial_l as laguerre_polynomial_l, special_legendre_polynomial_p as legendre_polynomial_p)

__all__ = ['airy_ai', 'bessel_j0', 'bessel_j1', 'bessel_y0', 'bessel_y1', 'chebyshev_polynomial_t',
           'chebyshev_polynomial_u', 'chebyshev_polynomial_v', 'chebyshev_polynomial_w', 'digamma', 'entr', 'erf',
           'erfc', 'erfcx', 'erfinv', 'exp2', 'expit', 'expm1', 'gammainc', 'gammaincc', 'gammaln',
           'hermite_polynomial_h', 'hermite_polynomial_he', 'i0', 'i0e', 'i1', 'i1e', 'laguerre_polynomial_l',
           'legendre_polynomial_p', 'log1p', 'log_ndtr', 'log_softmax', 'logit', 'logsumexp', 'modified_bessel_i0',
           'modified_bessel_i1', 'modified_bessel_k0', 'modified_bessel_k1', 'multigammaln', 'ndtr', 'ndtri',
           'polygamma', 'psi', 'round', 'shifted_chebyshev_polynomial_t', 'shifted_chebyshev_polynomial_u',
           'shifted_chebyshev_polynomial_v', 'shifted_chebyshev_polynomial_w', 'scaled_modified_bessel_k0',
           'scaled_modified_bessel_k1', 'sinc', 'softmax', 'spherical_bessel_j0', 'xlog1py', 'xlogy', 'zeta']
