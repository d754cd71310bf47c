"""Op table rows: linear algebra."""
from ._spec import OpCase, ErrorCase, Float, Int, Bool, Arr, Py, positive, unit  # noqa: F401
import numpy as np  # noqa: F401

OP_CASES = [
    OpCase('mm', lambda m, a, b: a.mm(b), [(2, 3), (3, 4)]),
    OpCase('matmul_batched', lambda m, a, b: a @ b, [(2, 2, 3), (3, 4)]),
    OpCase('matmul_vec', lambda m, a, b: m.matmul(a, b), [(2, 3), (3,)]),
    OpCase('matmul_vec_mat', lambda m, a, b: m.matmul(a, b), [(3,), (2, 3, 4)]),
]

ERROR_CASES = []
