"""The module table: one row per layer configuration, run against PyTorch by tests/nn/test_modules.py.
Rows live in one module per layer family (see _spec.py for the row format)."""
import importlib
import pkgutil

FAMILIES = [importlib.import_module(f"{__name__}.{info.name}")
            for info in pkgutil.iter_modules(__path__) if not info.name.startswith('_')]
MODULE_CASES = [case for family in FAMILIES for case in family.MODULE_CASES]
