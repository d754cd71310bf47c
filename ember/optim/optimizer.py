"""The Optimizer base class: the anatomy every optimizer shares.

- `defaults`: the hyper-parameters given to the constructor;
- `param_groups`: a list of dicts, each with its `params` and its own copy of every hyper-parameter
  (so `optimizer.param_groups[0]['lr'] = 0.01` changes the learning rate);
- `state`: per-parameter state (momentum buffers, running averages), keyed by the parameter.

A subclass implements `step()`, reading each group's options and updating `p` in place under
`no_grad` from `p.grad`.

Loading a state dict saved by an older PyTorch goes through `__setstate__`, as in PyTorch: a group
gets the options it lacks from the subclass's `_option_fallbacks`, and state that was saved as a
Python number (`'step'`) becomes a 0-d tensor again.
"""
import functools
import warnings
from collections import OrderedDict, defaultdict
from copy import deepcopy
from itertools import chain

from .._tensor import Tensor
from ..autograd.grad_mode import no_grad
from ..autograd.graph import RemovableHandle
from ._functional import hyperparameter, real_views, scalar_state

__all__ = ['Optimizer', 'required']


class _RequiredParameter:
    """Marks a hyper-parameter that has no default (SGD's `lr` in old PyTorch)."""

    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()

_global_step_pre_hooks = OrderedDict()
_global_step_post_hooks = OrderedDict()


def _use_grad_for_differentiable(step):
    """Run `step` without recording a graph (PyTorch's optimizers do the same unless
    `differentiable=True`)."""
    @functools.wraps(step)
    def wrapper(self, *args, **kwargs):
        if self.defaults.get('differentiable', False):
            return step(self, *args, **kwargs)
        with no_grad():
            return step(self, *args, **kwargs)
    return wrapper


class Optimizer:
    """Base class of all optimizers. `params` is an iterable of tensors, of (name, tensor) pairs
    (`model.named_parameters()`) or of dicts (param groups)."""
    _sparse_grads = False  # whether `step` handles sparse gradients (`_updates` refuses them otherwise)
    # The options that state dicts of older PyTorch versions lack, with the value PyTorch's
    # `__setstate__` gives them (fixed values, not this optimizer's `defaults`)
    _option_fallbacks = {}
    # Per-parameter state that older PyTorch versions saved as Python numbers
    _scalar_state_keys = ()

    def __init__(self, params, defaults):
        self.defaults = defaults
        self._optimizer_step_pre_hooks = OrderedDict()
        self._optimizer_step_post_hooks = OrderedDict()
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of Tensors or dicts, "
                            f"but got {params.type()}")
        self.state = defaultdict(dict)
        self.param_groups = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{'params': param_groups}]
        for group in param_groups:
            self.add_param_group(group)
        self._patch_step()

    def _patch_step(self):
        """Wrap the subclass's `step` so that step hooks run around it."""
        step = type(self).step

        # the hooks see the step's own arguments, the optimizer first (`args == (optimizer,)` for
        # `optimizer.step()`), as in PyTorch
        @functools.wraps(step)
        def step_with_hooks(*args, **kwargs):
            for hook in chain(_global_step_pre_hooks.values(), self._optimizer_step_pre_hooks.values()):
                result = hook(self, args, kwargs)
                if result is not None:
                    if not (isinstance(result, tuple) and len(result) == 2):
                        raise RuntimeError(f"{step} must return None or a tuple of (new_args, new_kwargs), "
                                           f"but got {result}.")
                    args, kwargs = result
            out = step(*args, **kwargs)
            for hook in chain(self._optimizer_step_post_hooks.values(), _global_step_post_hooks.values()):
                hook(self, args, kwargs)
            return out

        self.step = functools.partial(step_with_hooks, self)
        self.step.__doc__ = step.__doc__

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop('step', None)
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._patch_step()
        for group in self.param_groups:
            for name, value in self._option_fallbacks.items():
                group.setdefault(name, value)
            for p in group['params']:
                param_state = self.state.get(p, {})
                for key in self._scalar_state_keys:
                    if key in param_state and not isinstance(param_state[key], Tensor):
                        param_state[key] = scalar_state(param_state[key])

    def __repr__(self):
        lines = [self.__class__.__name__ + ' (']
        for i, group in enumerate(self.param_groups):
            if i > 0:
                lines.append('')  # PyTorch separates the groups by a blank line
            lines.append(f"Parameter Group {i}")
            for key in sorted(group.keys()):
                if key != 'params':
                    lines.append(f"    {key}: {group[key]}")
        lines.append(')')
        return '\n'.join(lines)

    # ---- parameter groups ---------------------------------------------------------------------
    def add_param_group(self, param_group):
        """Add a group of parameters with its own options (missing ones come from `defaults`)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        params = param_group['params']
        if isinstance(params, Tensor):
            param_group['params'] = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, but the ordering "
                            "of tensors in sets will change between runs. Please use a list instead.")
        else:
            param_group['params'] = list(params)
        # (name, tensor) pairs from `named_parameters()`: the names are kept in 'param_names'
        names = [param[0] for param in param_group['params'] if isinstance(param, tuple)]
        if names:
            if len(names) != len(param_group['params']):
                raise ValueError("all optimizer params should be with/without names. Some param names are missing")
            param_group['params'] = [param for _, param in param_group['params']]
            param_group['param_names'] = names
        for param in param_group['params']:
            if not isinstance(param, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is "
                                + type(param).__name__)
            if not self.defaults.get('differentiable', None) and not (param.is_leaf or param.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(f"parameter group didn't specify a value of required optimization parameter {name}")
            param_group.setdefault(name, default)
        params = param_group['params']
        if len(params) != len({id(p) for p in params}):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; in future, this will "
                          "cause an error; see github.com/pytorch/pytorch/issues/40967 for more information",
                          stacklevel=3)
        for group in self.param_groups:
            if ('param_names' in param_group) != ('param_names' in group):
                which = 'with names' if 'param_names' in param_group else 'without names'
                raise ValueError(f"all optimizer param groups should be with/without names. cannot add param group "
                                 f"{which} to the optimizer")
        existing = {id(p) for group in self.param_groups for p in group['params']}
        if existing & {id(p) for p in params}:
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    def zero_grad(self, set_to_none=True):
        """Reset the gradients of all optimized parameters (to None by default, as PyTorch does)."""
        for group in self.param_groups:
            for p in group['params']:
                if p.grad is not None:
                    if set_to_none:
                        p.grad = None
                    else:
                        if p.grad.grad_fn is not None:
                            p.grad.detach_()
                        else:
                            p.grad.requires_grad_(False)
                        p.grad.zero_()

    def step(self, closure=None):
        raise NotImplementedError

    def _updates(self, group):
        """(parameter, gradient, state) for each parameter of `group` that has a gradient: the
        loop every `step` runs. The gradient is negated when the group maximizes; a parameter
        seen for the first time gets its state from the subclass's `_init_state(p, state, group)`;
        the state's 'step' counter is advanced. A complex parameter comes as real views (see
        `real_views`), so a `step` updates its state in place rather than assigning new entries."""
        maximize = group.get('maximize', False)
        for p in group['params']:
            if p.grad is None:
                continue
            if p.grad.is_sparse and not self._sparse_grads:
                name = type(self).__name__
                if name in ('Adam', 'AdamW'):  # (AdamW runs Adam's kernel, which points to SparseAdam)
                    raise RuntimeError("Adam does not support sparse gradients, please consider SparseAdam instead")
                raise RuntimeError(f"{name} does not support sparse gradients")
            state = self.state[p]
            if not state:
                self._init_state(p, state, group)
            if 'step' in state:
                state['step'] += 1
            grad = -p.grad if maximize else p.grad
            if p.is_complex() and not grad.is_sparse:
                p, grad, state = real_views(p, grad, state)
            yield p, grad, state

    def _init_state(self, p, state, group):
        pass

    @staticmethod
    def _apply_weight_decay(p, grad, group):
        """L2 penalty (`grad + weight_decay * p`), or with `decoupled_weight_decay` (AdamW) the
        parameter itself shrinks by `lr * weight_decay` and the gradient is left alone."""
        weight_decay = group['weight_decay']
        if weight_decay == 0:
            return grad
        if group.get('decoupled_weight_decay', False):
            p.mul_(1 - hyperparameter(group['lr']) * weight_decay)
            return grad
        return grad.add(p, alpha=weight_decay)

    @staticmethod
    def _evaluate(closure):
        """Call the closure (which re-computes the loss) with grad enabled, as every `step` does."""
        if closure is None:
            return None
        from ..autograd.grad_mode import enable_grad
        with enable_grad():
            return closure()

    # ---- hooks --------------------------------------------------------------------------------------
    def register_step_pre_hook(self, hook):
        """`hook(optimizer, args, kwargs)` runs before each step; it may return new (args, kwargs)."""
        handle = RemovableHandle(self._optimizer_step_pre_hooks)
        self._optimizer_step_pre_hooks[handle.id] = hook
        return handle

    def register_step_post_hook(self, hook):
        """`hook(optimizer, args, kwargs)` runs after each step."""
        handle = RemovableHandle(self._optimizer_step_post_hooks)
        self._optimizer_step_post_hooks[handle.id] = hook
        return handle

    # ---- saving and restoring ---------------------------------------------------------------------------
    def state_dict(self):
        """`{'state': {index: {...}}, 'param_groups': [{..., 'params': [indices]}]}`: parameters are
        referred to by their position across all groups, as in PyTorch, so the dict can be loaded
        into an optimizer built over a fresh copy of the model."""
        index_of = {}
        next_index = 0
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != 'params'}
            for p in group['params']:
                if id(p) not in index_of:
                    index_of[id(p)] = next_index
                    next_index += 1
            packed['params'] = [index_of[id(p)] for p in group['params']]
            groups.append(packed)
        state = {index_of[id(p)]: s for p, s in self.state.items() if id(p) in index_of}
        return {'state': state, 'param_groups': groups}

    def load_state_dict(self, state_dict):
        """Restore options and per-parameter state saved by `state_dict()`."""
        state_dict = deepcopy(state_dict)
        groups = self.param_groups
        saved_groups = state_dict['param_groups']
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        for group, saved in zip(groups, saved_groups):
            if len(group['params']) != len(saved['params']):
                raise ValueError("loaded state dict contains a parameter group that doesn't match the size of "
                                 "optimizer's group")
        param_of = {old: p for group, saved in zip(groups, saved_groups)
                    for old, p in zip(saved['params'], group['params'])}
        state = defaultdict(dict)
        for key, value in state_dict['state'].items():
            if key in param_of:
                param = param_of[key]
                state[param] = {k: self._cast_state(param, k, v) for k, v in value.items()}
            else:
                state[key] = value
        new_groups = []
        for group, saved in zip(groups, saved_groups):
            saved['params'] = group['params']
            if 'param_names' in group and 'param_names' not in saved:
                saved['param_names'] = group['param_names']
            new_groups.append(saved)
        # as in PyTorch, through __setstate__: it completes what older versions didn't save
        self.__setstate__({'state': state, 'param_groups': new_groups})

    @staticmethod
    def _cast_state(param, key, value):
        # state tensors follow a floating-point parameter's dtype, except the step counter; a complex
        # parameter's state is left as saved (PyTorch's `_process_value_according_to_param_policy`)
        if isinstance(value, Tensor) and key != 'step' and param.is_floating_point():
            return value.to(param.dtype)
        return value


_use_grad = _use_grad_for_differentiable
