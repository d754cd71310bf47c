"""The op table: every op case, gathered from one module per op family (see _spec.py for the
row format). tests/test_ops.py runs each row against PyTorch."""
from . import elementwise, reduction, view, indexing, shape, conversion, linalg, decomposition, contraction, errors

FAMILIES = (elementwise, reduction, view, indexing, shape, conversion, linalg, decomposition, contraction, errors)
OP_CASES = [case for family in FAMILIES for case in family.OP_CASES]
ERROR_CASES = [case for family in FAMILIES for case in family.ERROR_CASES]
