"""skip_init: build a module without running its parameter initialization."""
import inspect

from ..modules.module import Module

__all__ = ['skip_init']


def skip_init(module_cls, *args, **kwargs):
    """`module_cls(*args, **kwargs)` with uninitialized parameters and buffers, for when they are
    about to be overwritten (by load_state_dict, say). The class must take a `device` argument.

    PyTorch builds the module on the 'meta' device (no storage) and then allocates empty storage.
    ember has no meta device: it builds the module normally with the random generator's state saved
    and restored (so, as in PyTorch, the skipped initialization draws no random numbers), then gives
    every parameter and buffer empty storage of the same shape and dtype.
    """
    from ..._creation import empty_like
    from ...random import fork_rng
    if not (isinstance(module_cls, type) and issubclass(module_cls, Module)):
        raise RuntimeError(f"Expected a Module; got {module_cls}")
    if 'device' not in inspect.signature(module_cls).parameters:
        raise RuntimeError("Module must support a 'device' arg to skip initialization")
    with fork_rng():
        module = module_cls(*args, **kwargs)
    return module._apply(empty_like)
