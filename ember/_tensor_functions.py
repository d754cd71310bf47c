"""The Tensor methods PyTorch also offers as `torch.*` functions that take the tensor first:
the in-place forms (`torch.abs_(x)`, `torch.zero_(x)`, `torch.clamp_(x, 0, 1)`, ...) and a few
others (`torch.detach(x)`, `torch.is_same_size(x, y)`). Each is the method itself, so it has one
definition; a name is exported only when `Tensor` has the method."""
from ._tensor import Tensor

_NAMES = (
    # every name ending in `_` in dir(torch) that is also a Tensor method
    'abs_', 'acos_', 'acosh_', 'addmv_', 'arccos_', 'arccosh_', 'arcsin_', 'arcsinh_', 'arctan_', 'arctanh_',
    'as_strided_', 'asin_', 'asinh_', 'atan_', 'atanh_', 'ceil_', 'clamp_', 'clamp_max_', 'clamp_min_', 'clip_',
    'conj_physical_', 'cos_', 'cosh_', 'deg2rad_', 'detach_', 'erf_', 'erfc_', 'exp2_', 'exp_', 'expm1_', 'fill_',
    'fix_', 'floor_', 'frac_', 'gcd_', 'i0_', 'lcm_', 'ldexp_', 'log10_', 'log1p_', 'log2_', 'log_', 'logit_',
    'nan_to_num_', 'neg_', 'negative_', 'rad2deg_', 'reciprocal_', 'resize_as_', 'round_', 'rsqrt_', 'sigmoid_',
    'sin_', 'sinc_', 'sinh_', 'sqrt_', 'square_', 'tan_', 'tanh_', 'trunc_', 'xlogy_', 'zero_',
    # and the others
    'detach', 'is_same_size', 'is_signed', 'is_complex', 'is_inference', 'is_nonzero', 'get_device',
)

__all__ = [name for name in _NAMES if hasattr(Tensor, name)]
globals().update({name: getattr(Tensor, name) for name in __all__})
