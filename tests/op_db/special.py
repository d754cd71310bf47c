"""Op table rows: special functions (ember._ops.special and the torch.special namespace).

Inputs reach every range of the Cephes-style approximations: both sides of their break points (8 for
I0/I1, 2 for K, 5 for J/Y, +-2.09 for Ai, ...), the poles and the edges of the domains, and the
asymptotic tails. Rows of functions PyTorch defines no derivative for have grad=False.
"""
from ._spec import OpCase, ErrorCase, Float, Int, Arr
import numpy as np

INF, NAN = np.inf, np.nan


def fixed(*values, grad=True):
    return Arr(np.array(values, dtype=np.float64), grad=grad)


def sp(m):
    return m.special


# the polynomials at the ends of their intervals, inside them and outside, for degrees that take the recurrence,
# the trigonometric form (beyond 6 or 8) and overflow
POLY_X = Arr(np.array([-1.5, -1.0, -0.7, -0.2, 0.0, 1e-9, 0.3, 0.5, 0.95, 1.0, 1.25, 3.0])[:, None], grad=False)
POLY_N = Arr(np.array([-2, 0, 1, 2, 3, 5, 7, 9, 12, 40, 200])[None, :])
POLYNOMIALS = ['chebyshev_polynomial_t', 'chebyshev_polynomial_u', 'chebyshev_polynomial_v', 'chebyshev_polynomial_w',
               'shifted_chebyshev_polynomial_t', 'shifted_chebyshev_polynomial_u', 'shifted_chebyshev_polynomial_v',
               'shifted_chebyshev_polynomial_w', 'hermite_polynomial_h', 'hermite_polynomial_he',
               'laguerre_polynomial_l', 'legendre_polynomial_p']
NO_GRAD_UNARY = {
    'bessel_j0': fixed(-30.0, -5.0001, -5.0, -1e-6, 0.0, 1e-6, 2.4048, 4.9, 5.1, 12.0, 80.0, NAN, grad=False),
    'bessel_j1': fixed(-30.0, -5.1, -4.9, -1.0, 0.0, 1e-6, 3.8317, 5.0, 5.1, 12.0, 80.0, grad=False),
    'bessel_y0': fixed(-1.0, 0.0, 1e-6, 0.3, 0.8936, 4.9, 5.0, 5.1, 12.0, 80.0, grad=False),
    'bessel_y1': fixed(-1.0, 0.0, 1e-6, 0.3, 2.1971, 4.9, 5.0, 5.1, 12.0, 80.0, grad=False),
    'modified_bessel_i0': fixed(-20.0, -8.0, -7.9, -0.5, 0.0, 0.5, 7.9, 8.0, 8.1, 20.0, 90.0, grad=False),
    'modified_bessel_i1': fixed(-20.0, -8.1, -8.0, -0.5, 0.0, 0.5, 7.9, 8.0, 8.1, 20.0, 90.0, grad=False),
    'modified_bessel_k0': fixed(-1.0, 0.0, 1e-8, 0.3, 1.99, 2.0, 2.01, 7.0, 30.0, 700.0, grad=False),
    'modified_bessel_k1': fixed(-1.0, 0.0, 1e-8, 0.3, 1.99, 2.0, 2.01, 7.0, 30.0, 700.0, grad=False),
    'scaled_modified_bessel_k0': fixed(-1.0, 0.0, 1e-8, 0.3, 1.99, 2.0, 2.01, 7.0, 30.0, 800.0, 1e6, grad=False),
    'scaled_modified_bessel_k1': fixed(-1.0, 0.0, 1e-8, 0.3, 1.99, 2.0, 2.01, 7.0, 30.0, 800.0, 1e6, grad=False),
    'spherical_bessel_j0': fixed(-INF, -10.0, -0.51, -0.49, 0.0, 1e-4, 0.3, 0.5, 3.1416, 40.0, INF, grad=False),
    'airy_ai': fixed(-INF, -60.0, -5.0, -2.1, -2.09, -2.08, -0.5, 0.0, 1.0, 2.08, 2.09, 5.0, 8.3, 8.33, 20.0,
                     104.0, INF, NAN, grad=False),
}

OP_CASES = [
    # ---- the gamma function and its derivatives
    OpCase('lgamma', lambda m, a: m.lgamma(a), [Float((4, 5), 0.1, 20)]),
    OpCase('lgamma_ranges', lambda m, a: a.lgamma(),
           [fixed(-3.7, -2.5, -0.5, -1e-3, 1e-8, 0.4, 0.999, 1.001, 1.5, 1.999, 2.5, 3.0, 3.2, 14.9, 15.1, 170.5,
                  1e5)]),
    OpCase('lgamma_poles', lambda m, a: m.lgamma(a), [fixed(0.0, -0.0, -1.0, -2.0, -INF, INF, NAN, grad=False)],
           grad=False),
    OpCase('lgamma_int', lambda m, a: m.lgamma(a), [Int((5,), -2, 5)], grad=False, dtypes=('float32',)),
    OpCase('digamma', lambda m, a: m.digamma(a), [Float((4, 5), 0.1, 30)]),
    OpCase('digamma_ranges', lambda m, a: a.digamma(),
           [fixed(-3.7, -2.5, -0.5, -0.2, 1e-6, 0.3, 1.0, 3.0, 9.5, 10.0, 10.5, 1e3, 1e18)]),
    OpCase('digamma_poles', lambda m, a: m.digamma(a), [fixed(0.0, -0.0, -1.0, -3.0, -INF, INF, NAN, grad=False)],
           grad=False),
    OpCase('polygamma_1', lambda m, a: m.polygamma(1, a), [Float((4, 5), 0.2, 15)]),
    OpCase('polygamma_1_reflected', lambda m, a: m.polygamma(1, a), [fixed(-2.5, -0.3, 0.3, 0.49, 0.51, 7.0, 60.0)]),
    OpCase('polygamma_2', lambda m, a: m.polygamma(2, a), [Float((3, 4), 0.2, 15)]),
    OpCase('polygamma_3_wide', lambda m, a: m.polygamma(3, a), [fixed(-2.5, -0.5, 0.05, 0.7, 3.0, 9.5, 40.0, 1e3)],
           gradcheck=False),
    OpCase('polygamma_0', lambda m, a: m.polygamma(0, a), [Float((5,), 0.5, 5)]),
    OpCase('polygamma_method', lambda m, a: a.polygamma(2), [Float((5,), 0.5, 5)]),
    OpCase('polygamma_int', lambda m, a: m.polygamma(2, a), [Int((5,), 1, 6)], grad=False, dtypes=('float32',)),
    OpCase('mvlgamma', lambda m, a: m.mvlgamma(a, 3), [Float((2, 3), 1.2, 6)]),
    OpCase('mvlgamma_1', lambda m, a: a.mvlgamma(p=1), [Float((4,), 0.5, 6)]),
    OpCase('special_gammaln', lambda m, a: sp(m).gammaln(a), [Float((5,), 0.5, 5)]),
    OpCase('special_psi', lambda m, a: sp(m).psi(a), [Float((5,), 0.5, 5)]),
    OpCase('special_multigammaln', lambda m, a: sp(m).multigammaln(a, 2), [Float((5,), 1, 5)]),
    OpCase('special_polygamma', lambda m, a: sp(m).polygamma(1, a), [Float((5,), 0.5, 5)]),
    # ---- incomplete gamma (gradient in x only)
    OpCase('igamma', lambda m, a, x: m.igamma(a, x), [Float((4, 5), 0.3, 6, grad=False), Float((4, 5), 0.05, 9)]),
    OpCase('igammac', lambda m, a, x: m.igammac(a, x), [Float((4, 5), 0.3, 6, grad=False), Float((4, 5), 0.05, 9)]),
    OpCase('igamma_broadcast', lambda m, a, x: a.igamma(x), [Float((3, 1), 0.5, 4, grad=False), Float((4,), 0.2, 6)]),
    # every method: the power series, Q's series for small x, its continued fraction, and large a near x
    OpCase('igamma_methods', lambda m, a, x: (m.igamma(a, x), m.igammac(a, x)),
           [fixed(0.01, 0.5, 3.0, 0.2, 5.0, 1.0, 2.0, 25.0, 50.0, 150.0, 300.0, 1000.0, 1e-3, grad=False),
            fixed(0.3, 0.2, 0.7, 1.05, 1.1, 4.0, 9.0, 22.0, 55.0, 140.0, 320.0, 990.0, 1e-4)], gradcheck=False),
    OpCase('igamma_edges', lambda m, a, x: (m.igamma(a, x), m.igammac(a, x)),
           [fixed(0.0, 0.0, 1.0, 1.0, INF, INF, -1.0, 2.0, 2.0, NAN, grad=False),
            fixed(1.0, 0.0, 0.0, INF, 1.0, INF, 1.0, -1.0, NAN, 1.0, grad=False)], grad=False),
    OpCase('special_gammainc', lambda m, a, x: (sp(m).gammainc(a, x), sp(m).gammaincc(a, x)),
           [Float((5,), 0.5, 4, grad=False), Float((5,), 0.1, 6)]),
    # ---- error-function relatives and the normal distribution
    OpCase('special_erfcx', lambda m, a: sp(m).erfcx(a), [Float((4, 5), -3, 3)]),
    OpCase('special_erfcx_ranges', lambda m, a: sp(m).erfcx(a),
           [fixed(-26.0, -10.0, -6.2, -6.0, -1.0, 0.0, 0.5, 0.99, 1.01, 2.4, 2.6, 12.0, 60.0, 1e8, INF, -INF, NAN,
                  grad=False)], grad=False),
    OpCase('special_ndtr', lambda m, a: sp(m).ndtr(a), [Float((4, 5), -4, 4)]),
    OpCase('special_ndtr_tails', lambda m, a: sp(m).ndtr(a), [fixed(-40.0, -8.5, -6.0, 0.0, 6.0, 9.0, grad=False)],
           grad=False),
    OpCase('special_ndtri', lambda m, a: sp(m).ndtri(a), [Float((4, 5), 0.01, 0.99)]),
    OpCase('special_ndtri_ranges', lambda m, a: sp(m).ndtri(a),
           [fixed(0.0, 1e-30, 1e-10, 0.1, 0.135, 0.136, 0.5, 0.864, 0.866, 0.9, 1 - 1e-10, 1.0, -0.5, 1.5, grad=False)],
           grad=False),
    OpCase('special_log_ndtr', lambda m, a: sp(m).log_ndtr(a), [Float((4, 5), -5, 5)]),
    OpCase('special_log_ndtr_tails', lambda m, a: sp(m).log_ndtr(a),
           [fixed(-1e4, -40.0, -1.5, -1.0, -0.99, 0.0, 3.0, 10.0, 40.0)], gradcheck=False),
    OpCase('special_erf_names', lambda m, a: (sp(m).erf(a), sp(m).erfc(a), sp(m).erfinv(a / 3)),
           [Float((5,), -2, 2)]),
    # ---- modified Bessel functions of the first kind (their gradients exist)
    OpCase('i0', lambda m, a: m.i0(a), [Float((4, 5), -12, 12)]),
    OpCase('i0_ranges', lambda m, a: a.i0(), [fixed(-20.0, -8.0, -7.9, 0.0, 0.5, 8.0, 8.1, 50.0)]),
    OpCase('i0_overflow', lambda m, a: m.i0(a), [fixed(-800.0, 700.0, 800.0, INF, NAN, grad=False)], grad=False),
    OpCase('special_i0', lambda m, a: sp(m).i0(a), [Float((5,), -10, 10)]),
    OpCase('special_i0e', lambda m, a: sp(m).i0e(a), [Float((4, 5), -12, 12)]),
    OpCase('special_i0e_ranges', lambda m, a: sp(m).i0e(a), [fixed(-1e4, -8.0, -0.1, 0.0, 0.1, 7.9, 8.1, 1e4)]),
    OpCase('special_i1', lambda m, a: sp(m).i1(a), [Float((4, 5), -12, 12)]),
    OpCase('special_i1_ranges', lambda m, a: sp(m).i1(a), [fixed(-20.0, -8.1, -8.0, -1e-3, 0.0, 1e-3, 7.9, 8.0, 60.0)]),
    OpCase('special_i1e', lambda m, a: sp(m).i1e(a), [Float((4, 5), -12, 12)]),
    OpCase('special_i1e_ranges', lambda m, a: sp(m).i1e(a), [fixed(-1e4, -8.1, -8.0, -0.1, 0.0, 0.1, 7.9, 8.1, 1e4)]),
    OpCase('i0_int', lambda m, a: (m.i0(a), sp(m).i1e(a)), [Int((5,), -3, 3)], grad=False, dtypes=('float32',)),
    # ---- functions without a derivative in PyTorch
    *[OpCase(f'special_{name}', lambda m, a, name=name: getattr(sp(m), name)(a), [Float((4, 5), -12, 12, grad=False)],
             grad=False) for name in NO_GRAD_UNARY],
    *[OpCase(f'special_{name}_ranges', lambda m, a, name=name: getattr(sp(m), name)(a), [values], grad=False)
      for name, values in NO_GRAD_UNARY.items()],
    OpCase('special_bessel_int', lambda m, a: (sp(m).bessel_j0(a), sp(m).modified_bessel_k1(a)), [Int((5,), 1, 9)],
           grad=False, dtypes=('float32',)),
    *[OpCase(f'special_{name}', lambda m, x, n, name=name: getattr(sp(m), name)(x, n), [POLY_X, POLY_N], grad=False)
      for name in POLYNOMIALS],
    OpCase('special_polynomial_scalar_n', lambda m, x: (sp(m).chebyshev_polynomial_t(x, 3),
                                                        sp(m).legendre_polynomial_p(x, 4.7),
                                                        sp(m).hermite_polynomial_h(x, 2)),
           [Float((5,), -1, 1, grad=False)], grad=False),
    OpCase('special_polynomial_scalar_x', lambda m, n: (sp(m).chebyshev_polynomial_u(0.3, n),
                                                        sp(m).laguerre_polynomial_l(2, n)),
           [Int((6,), 0, 12)], grad=False, dtypes=('float32',)),
    OpCase('special_polynomial_int_x', lambda m, x: sp(m).hermite_polynomial_he(x, 3), [Int((5,), -3, 3)],
           grad=False, dtypes=('float32',)),
    OpCase('special_hermite_limit', lambda m, x, n: sp(m).hermite_polynomial_h(x, n),
           [fixed(0.3, 0.3, 0.3, 0.3, grad=False), Arr(np.array([127, 129, 500, 513]))], grad=False),
    OpCase('special_polynomial_float_n', lambda m, x, n: sp(m).chebyshev_polynomial_w(x, n),
           [Float((5,), -1, 1, grad=False), fixed(3.7, -0.5, 9.9, NAN, INF, grad=False)], grad=False),
    # ---- sinc, entr, xlog1py, zeta
    OpCase('sinc', lambda m, a: m.sinc(a), [Float((4, 5), -3, 3)]),
    OpCase('sinc_points', lambda m, a: a.sinc(), [fixed(0.0, 1.0, -2.0, 0.5, 1e-5, 10.25)]),
    OpCase('sinc_int', lambda m, a: sp(m).sinc(a), [Int((5,), -2, 3)], grad=False, dtypes=('float32',)),
    OpCase('special_entr', lambda m, a: sp(m).entr(a), [Float((4, 5), 0.05, 3)]),
    OpCase('special_entr_edges', lambda m, a: sp(m).entr(a), [fixed(-1.0, 0.0, 0.5, 1.0, INF, NAN, grad=False)],
           grad=False),
    OpCase('special_xlog1py', lambda m, a, b: sp(m).xlog1py(a, b), [(2, 3), Float((3,), -0.5, 2)]),
    OpCase('special_xlog1py_zero', lambda m, a, b: sp(m).xlog1py(a, b),
           [fixed(0.0, 0.0, 0.0, 1.0, 2.0), fixed(-1.0, -2.0, 0.5, 0.5, NAN)], gradcheck=False),
    OpCase('special_xlog1py_scalars', lambda m, a: (sp(m).xlog1py(a, 2.5), sp(m).xlog1py(1.5, a)),
           [Float((2, 3), 0.1, 2)]),
    OpCase('special_xlog1py_int', lambda m, a, b: sp(m).xlog1py(a, b), [Int((5,), 0, 3), Int((5,), 0, 4)],
           grad=False, dtypes=('float32',)),
    OpCase('special_zeta', lambda m, x, q: sp(m).zeta(x, q),
           [Float((4, 5), 1.5, 6, grad=False), Float((4, 5), 0.2, 6)]),
    OpCase('special_zeta_ranges', lambda m, x, q: sp(m).zeta(x, q),
           [fixed(1.0, 0.5, 2.0, 3.0, 2.5, 4.0, 1.1, 30.0, 2.0, grad=False),
            fixed(1.0, 1.0, -1.0, -2.5, -1.5, 0.01, 50.0, 2.0, 1e4, grad=False)], grad=False),
    OpCase('special_zeta_scalars', lambda m, q: (sp(m).zeta(2.0, q), sp(m).zeta(q.detach() + 1, 3.0)),
           [Float((5,), 0.5, 4)], gradcheck=False),
    OpCase('special_zeta_int', lambda m, x, q: sp(m).zeta(x, q), [Int((5,), 2, 5), Int((5,), 1, 4)],
           grad=False, dtypes=('float32',)),
    # ---- the names torch.special shares with other families
    OpCase('special_reexports', lambda m, a: (sp(m).expit(a), sp(m).exp2(a), sp(m).expm1(a), sp(m).log1p(a + 3),
                                              sp(m).logit(a / 4 + 0.5), sp(m).xlogy(a, a + 3),
                                              sp(m).round(a, decimals=1)), [Float((5,), -1.5, 1.5)],
           gradcheck=False),
    OpCase('special_softmaxes', lambda m, a: (sp(m).softmax(a, 1), sp(m).log_softmax(a, 0, dtype=m.float64),
                                              sp(m).logsumexp(a, 1, keepdim=True)), [(3, 4)]),
    # ---- integers and floating-point representation
    OpCase('gcd', lambda m, a, b: (m.gcd(a, b), a.lcm(b)), [Int((3, 4), -12, 30), Int((4,), -8, 9)],
           dtypes=('float64',), grad=False),
    OpCase('gcd_small_ints', lambda m, a, b: m.gcd(a, b),
           [Int((5,), 0, 40, dtype=np.int32), Int((5,), 0, 40, dtype=np.int32)], dtypes=('float64',), grad=False),
    OpCase('signbit', lambda m, a: (m.signbit(a), a.signbit()), [fixed(-0.0, 0.0, -1.0, 2.0, -INF, grad=False)],
           grad=False),
    OpCase('signbit_int', lambda m, a: m.signbit(a), [Int((5,), -3, 3)], grad=False, dtypes=('float32',)),
    OpCase('ldexp', lambda m, a, b: m.ldexp(a, b), [(2, 3), Int((3,), -3, 4)]),
    OpCase('ldexp_float_exponent', lambda m, a, b: a.ldexp(b), [(3,), Float((3,), -2, 2)]),
    OpCase('ldexp_int', lambda m, a, b: m.ldexp(a, b), [Int((4,), -3, 4), Int((4,), 0, 5)],
           grad=False, dtypes=('float32',)),
    OpCase('frexp', lambda m, a: m.frexp(a), [Float((2, 3), -20, 20)]),
    OpCase('frexp_fields', lambda m, a: (a.frexp().mantissa, a.frexp().exponent),
           [fixed(0.0, -0.0, 1.0, 0.75, 1e-300, -5e30, INF, grad=False)], grad=False),
    OpCase('nextafter', lambda m, a, b: m.nextafter(a, b), [(4,), (4,)]),
    OpCase('nextafter_points', lambda m, a, b: a.nextafter(b),
           [fixed(0.0, 1.0, 1.0, -2.0, INF), fixed(1.0, 0.0, 1.0, -INF, 0.0)], gradcheck=False),
    # ---- in place
    OpCase('inplace_lgamma_digamma', lambda m, a: (a.clone().lgamma_(), a.clone().digamma_(), a.clone().i0_()),
           [Float((5,), 0.5, 5)]),
    OpCase('inplace_polygamma_mvlgamma', lambda m, a: (a.clone().polygamma_(1), a.clone().mvlgamma_(2)),
           [Float((5,), 1.0, 5)]),
    OpCase('inplace_igamma', lambda m, a, x: (a.clone().igamma_(x), a.clone().igammac_(x)),
           [Float((5,), 0.5, 4, grad=False), Float((5,), 0.1, 6)]),
    OpCase('inplace_sinc_ldexp_nextafter', lambda m, a, b: (a.clone().sinc_(), a.clone().ldexp_(b),
                                                            a.clone().nextafter_(b)), [(5,), (5,)], gradcheck=False),
    OpCase('inplace_gcd_lcm', lambda m, a, b: (a.clone().gcd_(b), m.lcm_(a.clone(), b)),
           [Int((5,), 1, 30), Int((5,), 1, 30)], dtypes=('float64',), grad=False),
    OpCase('inplace_functions', lambda m, a, b: (m.i0_(a.clone()), m.sinc_(a.clone()), m.xlogy_(a.clone(), b + 2),
                                                 m.logit_(a.clone() / 4 + 0.5), m.ldexp_(a.clone(), b)),
           [(5,), (5,)]),
    # ---- out=
    OpCase('special_out', lambda m, a: (sp(m).i1e(a, out=m.empty(0)), m.lgamma(a, out=m.empty(0)),
                                        sp(m).bessel_j1(a, out=m.empty(0)), m.polygamma(2, a + 3, out=m.empty(0))),
           [Float((2, 3), -4, 4, grad=False)], grad=False),
]

ERROR_CASES = [
    ErrorCase('polygamma_negative_n', lambda m: m.polygamma(-1, m.ones(2))),
    ErrorCase('mvlgamma_p_zero', lambda m: m.mvlgamma(m.ones(2) * 3, 0)),
    ErrorCase('igamma_int', lambda m: m.igamma(m.tensor([2, 3]), m.tensor([1, 2]))),
    ErrorCase('igamma_number', lambda m: m.igamma(m.ones(2), 2.0)),
    ErrorCase('igamma_input_grad', lambda m: m.igamma(m.ones(2, requires_grad=True), m.ones(2)).sum().backward()),
    ErrorCase('igammac_input_grad', lambda m: m.special.gammaincc(m.ones(2, requires_grad=True), m.ones(2)).sum()
              .backward()),
    ErrorCase('zeta_input_grad', lambda m: m.special.zeta(m.ones(2, requires_grad=True) * 2, 3.0).sum().backward()),
    ErrorCase('polynomial_two_numbers', lambda m: m.special.chebyshev_polynomial_t(0.5, 3)),
    ErrorCase('gcd_float', lambda m: m.gcd(m.ones(2), m.ones(2))),
    ErrorCase('gcd_number', lambda m: m.gcd(m.tensor([4, 6]), 3)),
    ErrorCase('lcm_bool', lambda m: m.lcm(m.tensor([True]), m.tensor([True]))),
    ErrorCase('ldexp_number', lambda m: m.ldexp(m.ones(2), 2)),
    ErrorCase('frexp_int', lambda m: m.frexp(m.tensor([1, 2]))),
    ErrorCase('nextafter_int', lambda m: m.nextafter(m.tensor([1, 2]), m.tensor([1, 3]))),
    ErrorCase('igamma_shapes', lambda m: m.igamma(m.ones(2, 3), m.ones(4))),
]
