"""Op table rows: reductions."""
from ._spec import OpCase, ErrorCase, Float, Int, Bool, Arr, Py, positive, unit  # noqa: F401
import numpy as np  # noqa: F401

OP_CASES = [
    OpCase('sum', lambda m, a: a.sum(), [(2, 3)]),
    OpCase('sum_dim', lambda m, a: a.sum(1), [(2, 3, 4)]),
    OpCase('sum_dims_keepdim', lambda m, a: m.sum(a, (0, -1), keepdim=True), [(2, 3, 4)]),
    OpCase('sum_int', lambda m, a: a.sum(0), [Int((3, 2))], grad=False),
    OpCase('mean', lambda m, a: a.mean(), [(2, 3)]),
    OpCase('mean_dim', lambda m, a: a.mean(-1, keepdim=True), [(2, 3)]),
    OpCase('sum_to_size', lambda m, a: a.sum_to_size(3, 1), [(2, 3, 4)]),
]

ERROR_CASES = []
