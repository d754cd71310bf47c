"""Op table rows: indexing."""
from ._spec import OpCase, ErrorCase, Float, Int, Bool, Arr, Py, positive, unit  # noqa: F401
import numpy as np  # noqa: F401

OP_CASES = [
    OpCase('getitem_int', lambda m, a: a[1], [(3, 2)]),
    OpCase('getitem_slice', lambda m, a: a[:, 1:3], [(2, 4)]),
    OpCase('getitem_step', lambda m, a: a[::2, None, ..., 1], [(5, 2, 3)]),
    OpCase('getitem_index_tensor', lambda m, a, i: a[i], [(4, 2), Int((5,), 0, 4)]),
    OpCase('getitem_mask', lambda m, a, k: a[k], [(3, 4), Bool((3, 4))]),
    OpCase('getitem_mixed', lambda m, a, i: a[i, 1:], [(4, 3), Int((2, 2), 0, 4)]),
]

ERROR_CASES = []
