"""Error rows that concern the core (autograd, shapes) rather than one op family."""
from ._spec import OpCase, ErrorCase, Float, Int, Bool, Arr, Py, positive, unit  # noqa: F401
import numpy as np  # noqa: F401

OP_CASES = []

ERROR_CASES = [
    ErrorCase('add_shape_mismatch', lambda m: m.ones(2, 3) + m.ones(4)),
    ErrorCase('heaviside_mixed_dtypes', lambda m: m.heaviside(m.ones(2), m.ones(1, dtype=m.float64))),
    ErrorCase('heaviside_number', lambda m: m.heaviside(m.ones(2), 0.5)),
    ErrorCase('cartesian_prod_2d', lambda m: m.cartesian_prod(m.ones(2, 2), m.ones(2))),
    ErrorCase('view_bad_shape', lambda m: m.ones(6).view(4, -1)),
    ErrorCase('view_noncontiguous', lambda m: m.ones(3, 4).t().view(12)),
    ErrorCase('mm_shapes', lambda m: m.ones(2, 3).mm(m.ones(2, 3))),
    ErrorCase('index_out_of_range', lambda m: m.ones(3)[5]),
    ErrorCase('dim_out_of_range', lambda m: m.ones(3).sum(2)),
    ErrorCase('cat_mismatch', lambda m: m.cat([m.ones(2, 3), m.ones(3, 2)], 0)),
    ErrorCase('inplace_leaf', lambda m: m.ones(2, requires_grad=True).add_(1)),
    ErrorCase('int_requires_grad', lambda m: m.tensor([1, 2]).requires_grad_()),
    ErrorCase('backward_nonscalar', lambda m: (m.ones(2, requires_grad=True) * 2).backward()),
    ErrorCase('inplace_cast_float_to_long', lambda m: m.ones(2, dtype=m.long).add_(1.5)),
]
