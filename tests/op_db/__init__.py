"""The op table: every op case, gathered from the modules of this package, one per op family (see
_spec.py for the row format; a new family is a new file here). tests/test_ops.py runs each row
against PyTorch."""
import importlib
import pkgutil

FAMILIES = [importlib.import_module(f"{__name__}.{info.name}")
            for info in pkgutil.iter_modules(__path__) if not info.name.startswith('_')]
OP_CASES = [case for family in FAMILIES for case in family.OP_CASES]
ERROR_CASES = [case for family in FAMILIES for case in family.ERROR_CASES]
