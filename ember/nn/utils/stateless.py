"""Calling a module with other parameters and buffers than its own (`torch.nn.utils.stateless`).

`functional_call(module, {'weight': w}, x)` puts `w` in the place of `module.weight` for the duration
of one call and then puts the original back: the module becomes a pure function of its parameters,
which is what `torch.func.grad` and `vmap` need to differentiate or map over them.
"""
import contextlib
import warnings

from ..._tensor import Tensor

__all__ = ['functional_call']

_MISSING = object()


def _untie(module, parameters_and_buffers):
    """With tie_weights, a value given for one name of a shared tensor goes to all its names (a
    decoder weight tied to the embedding follows it); two different values for them are an error."""
    names_of = {}
    for name, tensor in list(module.named_parameters(remove_duplicate=False)) + \
            list(module.named_buffers(remove_duplicate=False)):
        names_of.setdefault(id(tensor), set()).add(name)
    tied = {name: names for names in names_of.values() if len(names) > 1 for name in names}
    given_tied = [name for name in parameters_and_buffers if name in tied]
    untied = dict(parameters_and_buffers)
    for name in given_tied:
        names = tied[name]
        values = {id(parameters_and_buffers[n]) for n in names if n in parameters_and_buffers}
        if len(values) > 1:
            raise ValueError(f"functional_call got multiple values for keys {sorted(names)}, which are tied. Consider "
                             "using tie_weights=False")
        for other in names:
            untied[other] = parameters_and_buffers[name]
    return untied


def _swap_tensor(module, path, value):
    """Put `value` at dotted `path` (in _parameters or _buffers if the name is there, as a plain
    attribute otherwise); return what was there (_MISSING if nothing)."""
    module_path, _, name = path.rpartition('.')
    owner = module.get_submodule(module_path)
    for members in (owner._parameters, owner._buffers):
        if name in members:
            original = members[name]
            if value is _MISSING:
                del members[name]
            else:
                members[name] = value
            return original
    original = getattr(owner, name, _MISSING)
    if value is _MISSING:
        if original is not _MISSING:
            delattr(owner, name)
    else:
        setattr(owner, name, value)
    return original


def _check_keys(module, names):
    valid = {name for name, _ in module.named_parameters(remove_duplicate=False)} | \
            {name for name, _ in module.named_buffers(remove_duplicate=False)}
    missing, unexpected = sorted(valid - set(names)), sorted(set(names) - valid)
    messages = []
    if unexpected:
        messages.append(f"Unexpected key(s): {', '.join(map(repr, unexpected))}.")
    if missing:
        messages.append(f"Missing key(s): {', '.join(map(repr, missing))}.")
    if messages:
        raise RuntimeError(f"Error(s) in reparametrizing for {module._get_name()}:\n\t" + "\n\t".join(messages))


@contextlib.contextmanager
def _reparametrize_module(module, parameters_and_buffers, tie_weights=False, strict=False):
    """Within the block, `module`'s tensors at the given names are the given values."""
    if tie_weights:
        parameters_and_buffers = _untie(module, parameters_and_buffers)
    if strict:
        _check_keys(module, parameters_and_buffers)
    originals = {}
    try:
        for name, value in parameters_and_buffers.items():
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"{value} is not an instance of torch.Tensor")
            originals[name] = _swap_tensor(module, name, value)
        yield
    finally:
        for name, original in reversed(list(originals.items())):
            _swap_tensor(module, name, original)


def _functional_call(module, parameters_and_buffers, args=None, kwargs=None, *, tie_weights=True, strict=False):
    from ..parallel import DataParallel
    if isinstance(module, DataParallel):
        raise RuntimeError("The stateless API can't be used with nn.DataParallel module")
    kwargs = {} if kwargs is None else kwargs
    args = () if args is None else args if isinstance(args, tuple) else (args,)
    with _reparametrize_module(module, parameters_and_buffers, tie_weights=tie_weights, strict=strict):
        return module(*args, **kwargs)


def functional_call(module, parameters_and_buffers, args=None, kwargs=None, *, tie_weights=True, strict=False):
    """Call `module(*args, **kwargs)` with `parameters_and_buffers` (a dict name -> tensor) in the
    place of its own parameters and buffers. Deprecated in PyTorch for `torch.func.functional_call`."""
    warnings.warn("`torch.nn.utils.stateless.functional_call` is deprecated as of PyTorch 2.0 and will be removed in a "
                  "future version of PyTorch. Please use `torch.func.functional_call` instead which is a drop-in "
                  "replacement.", FutureWarning, stacklevel=2)
    return _functional_call(module, parameters_and_buffers, args, kwargs, tie_weights=tie_weights, strict=strict)
