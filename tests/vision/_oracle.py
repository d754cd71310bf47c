"""torchvision 0.28.0 as the test oracle for ember.vision.

The torchvision wheel on these machines is built against the CUDA flavour of torch 2.13; with the CPU
build its compiled operators (nms, roi_align, ...) cannot load. Its Python side -- transforms, models,
datasets, utils -- needs only torch. torchvision registers fake (meta) kernels for two of its operators
at import, which fails when the operators were never defined; defining their schemas first lets the
import go through. Tests that call the compiled operators themselves cannot use this oracle.
"""
import importlib
import sys

import pytest

_OPERATOR_SCHEMAS = ("nms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor",
                     "qnms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
_library = None  # kept alive: the definitions last as long as the Library object


def import_torchvision():
    """torchvision, imported whether or not its compiled operators load; the test is skipped without it."""
    global _library
    torch = pytest.importorskip("torch")
    try:
        return importlib.import_module("torchvision")
    except ImportError:
        pytest.skip("torchvision is not installed")
    except RuntimeError:  # "operator torchvision::nms does not exist": the compiled part did not load
        pass
    if _library is None:
        _library = torch.library.Library("torchvision", "DEF")
        for schema in _OPERATOR_SCHEMAS:
            _library.define(schema)
    for name in [name for name in sys.modules if name == "torchvision" or name.startswith("torchvision.")]:
        del sys.modules[name]  # the failed import left half-initialised modules behind
    try:
        return importlib.import_module("torchvision")
    except Exception as error:  # noqa: BLE001  (any failure means: no oracle here)
        pytest.skip(f"torchvision cannot be imported: {error!r}")
