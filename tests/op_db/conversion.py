"""Op table rows: conversion."""
from ._spec import OpCase, ErrorCase, Float, Int, Bool, Arr, Py, positive, unit  # noqa: F401
import numpy as np  # noqa: F401

OP_CASES = [
    OpCase('clone', lambda m, a: a.clone(), [(2, 3)]),
    OpCase('contiguous', lambda m, a: a.t().contiguous(), [(2, 3)]),
    OpCase('to_double', lambda m, a: a.to(m.float64) * 2, [(3,)]),
    OpCase('long', lambda m, a: a.long(), [(3,)], grad=False),
]

ERROR_CASES = []
