"""Op table rows: shape."""
from ._spec import OpCase, ErrorCase, Float, Int, Bool, Arr, Py, positive, unit  # noqa: F401
import numpy as np  # noqa: F401

OP_CASES = [
    OpCase('cat', lambda m, a, b: m.cat([a, b], 1), [(2, 3), (2, 1)]),
    OpCase('stack', lambda m, a, b: m.stack([a, b], -1), [(2, 3), (2, 3)]),
]

ERROR_CASES = []
