"""`torch._dynamo`, the graph capture behind `torch.compile`. ember runs every op eagerly, so there is
nothing to capture: this is the part of its API that programs call (`reset()`, `config`, `exc`,
`list_backends`, the marks for dynamic shapes), each doing what it does once nothing is compiled."""
from . import config, exc
from ..compiler import (OptimizedModule, allow_in_graph, assume_constant_result, disable, is_compiling,
                        list_backends, reset)

__all__ = ['config', 'exc', 'OptimizedModule', 'allow_in_graph', 'assume_constant_result', 'disable',
           'is_compiling', 'list_backends', 'reset', 'mark_dynamic', 'maybe_mark_dynamic', 'mark_static',
           'is_dynamo_supported']


def mark_dynamic(t, index, *, min=None, max=None):
    """Tell the compiler a dimension of `t` varies; with no compiler, there is nothing to tell."""


maybe_mark_dynamic = mark_dynamic


def mark_static(t, index=None):
    """Tell the compiler a dimension of `t` is fixed; with no compiler, there is nothing to tell."""


def is_dynamo_supported():
    return True
