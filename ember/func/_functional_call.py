"""functional_call and stack_module_state: modules as functions of their parameters."""
from collections.abc import Sequence

from ..nn.utils.stateless import _functional_call

__all__ = ['functional_call', 'stack_module_state']


def functional_call(module, parameter_and_buffer_dicts, args=None, kwargs=None, *, tie_weights=True, strict=False):
    """Call `module(*args, **kwargs)` with the given tensors in the place of its parameters and
    buffers. `parameter_and_buffer_dicts` is a dict name -> tensor or a sequence of such dicts (no name
    in two of them); names not given keep the module's own tensors unless `strict`."""
    if isinstance(parameter_and_buffer_dicts, dict):
        parameters_and_buffers = parameter_and_buffer_dicts
    elif isinstance(parameter_and_buffer_dicts, Sequence):
        if not all(isinstance(d, dict) for d in parameter_and_buffer_dicts):
            raise ValueError("Expected all elements of parameter_and_buffer_dicts to be dictionaries")
        seen, repeated = set(), []
        for d in parameter_and_buffer_dicts:
            for key in d:
                if key in seen and key not in repeated:
                    repeated.append(key)
                seen.add(key)
        if repeated:
            raise ValueError(f"{repeated} appeared in multiple dictionaries; behavior of functional call is ambiguous")
        parameters_and_buffers = {k: v for d in parameter_and_buffer_dicts for k, v in d.items()}
    else:
        raise ValueError("Expected parameter_and_buffer_dicts to be a dict, or a list/tuple of dicts, but got "
                         f"{type(parameter_and_buffer_dicts)}")
    return _functional_call(module, parameters_and_buffers, args, kwargs, tie_weights=tie_weights, strict=strict)


def _stacked_leaf(tensors, name):
    from .._ops.shape import stack
    requires_grad = [t.requires_grad for t in tensors]
    if any(requires_grad) and not all(requires_grad):
        raise RuntimeError(f"Expected {name} from each model to have the same .requires_grad")
    result = stack(tensors)
    # a new leaf, unrelated to the models' own parameters, that an optimizer can update
    return result.detach().requires_grad_() if all(requires_grad) else result


def stack_module_state(models):
    """(params, buffers): for models of one class, each parameter and buffer stacked along a new
    first dimension, keyed by name, ready for `vmap(functional_call...)` over an ensemble."""
    if len(models) == 0:
        raise RuntimeError("stack_module_state: Expected at least one model, got 0.")
    if not (all(m.training for m in models) or all(not m.training for m in models)):
        raise RuntimeError("stack_module_state: Expected all models to have the same training/eval mode.")
    if not all(type(m) is type(models[0]) for m in models):
        raise RuntimeError("stack_module_state: Expected all models to be of the same class.")
    all_params = [dict(model.named_parameters()) for model in models]
    params = {name: _stacked_leaf(tuple(p[name] for p in all_params), name) for name in all_params[0]}
    all_buffers = [dict(model.named_buffers()) for model in models]
    buffers = {name: _stacked_leaf(tuple(b[name] for b in all_buffers), name) for name in all_buffers[0]}
    return params, buffers
