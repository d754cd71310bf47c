"""Op table rows: views."""
from ._spec import OpCase, ErrorCase, Float, Int, Bool, Arr, Py, positive, unit  # noqa: F401
import numpy as np  # noqa: F401

OP_CASES = [
    OpCase('view', lambda m, a: a.view(3, -1), [(2, 3, 2)]),
    OpCase('reshape_noncontig', lambda m, a: a.t().reshape(-1), [(2, 3)]),
    OpCase('transpose', lambda m, a: a.transpose(0, 2), [(2, 3, 4)]),
    OpCase('t', lambda m, a: a.t(), [(2, 3)]),
    OpCase('T', lambda m, a: a.T, [(2, 3)]),
    OpCase('permute', lambda m, a: a.permute(2, 0, 1), [(2, 3, 4)]),
    OpCase('squeeze', lambda m, a: a.squeeze(), [(1, 3, 1)]),
    OpCase('squeeze_dim', lambda m, a: a.squeeze(-1), [(1, 3, 1)]),
    OpCase('unsqueeze', lambda m, a: a.unsqueeze(1), [(2, 3)]),
    OpCase('expand', lambda m, a: a.expand(4, 2, 3), [(2, 1)]),
    OpCase('narrow', lambda m, a: a.narrow(1, 1, 2), [(2, 4)]),
    OpCase('select', lambda m, a: a.select(1, -1), [(2, 4)]),
    OpCase('flatten', lambda m, a: a.flatten(1), [(2, 3, 2)]),
    OpCase('unflatten', lambda m, a: a.unflatten(1, (2, 3)), [(2, 6)]),
    OpCase('unbind', lambda m, a: a.unbind(1), [(2, 3)]),
    OpCase('chunk', lambda m, a: a.chunk(3, 1), [(2, 5)]),
    OpCase('split_size', lambda m, a: a.split(2), [(5, 2)]),
    OpCase('split_sections', lambda m, a: m.split(a, [1, 3], 1), [(2, 4)]),
    OpCase('movedim', lambda m, a: m.movedim(a, 0, -1), [(2, 3, 4)]),
    OpCase('diagonal', lambda m, a: m.diagonal(a, 1), [(3, 4)]),
    OpCase('unfold', lambda m, a: a.unfold(1, 2, 1), [(2, 5)]),
]

ERROR_CASES = []
