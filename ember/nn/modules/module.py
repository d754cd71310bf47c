"""`Module`: the base class of every layer and model.

A module keeps its state in three ordered dicts that `__setattr__` fills as attributes are assigned:
`_parameters` (Parameters), `_buffers` (tensors that are state but not learned, e.g. running
means) and `_modules` (child modules). Everything else — `parameters()`, `state_dict()`, `to()`,
`train()`, the printed tree — is a walk over those dicts. Hooks live in their own ordered dicts,
keyed by the id of the `RemovableHandle` that removes them.
"""
import functools
import itertools
import warnings
from collections import OrderedDict, namedtuple

from ... import _warnings
from ..._creation import empty_like
from ..._tensor import Tensor
from ...autograd.function import Function
from ...autograd.grad_mode import GradMode, no_grad
from ...autograd.graph import RemovableHandle
from ..parameter import Parameter, Buffer

__all__ = ['Module']


class _IncompatibleKeys(namedtuple('IncompatibleKeys', ['missing_keys', 'unexpected_keys'])):
    """What `load_state_dict` returns: the keys it did not find and those it did not expect."""
    __slots__ = ()

    def __repr__(self):
        if not self.missing_keys and not self.unexpected_keys:
            return '<All keys matched successfully>'
        return super().__repr__()

    __str__ = __repr__


def _addindent(text, num_spaces):
    """Indent every line but the first (the nested-module lines of a repr); blank lines stay empty."""
    lines = text.split('\n')
    if len(lines) == 1:
        return text
    first = lines.pop(0)
    return first + '\n' + '\n'.join((num_spaces * ' ') + line if line.strip() else '' for line in lines)


def _typename(obj):
    from ..._legacy import typename
    return typename(obj)


def _forward_unimplemented(self, *input):
    """Subclasses define `forward`; calling a module without one is an error."""
    raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required "forward" function')


class Module:
    """Base class for all neural network modules: subclass it, assign layers and Parameters in
    `__init__`, and compute the output in `forward`."""

    dump_patches = False
    _version = 1
    training: bool
    call_super_init = False

    def __init__(self, *args, **kwargs):
        if kwargs:
            raise TypeError(f"{type(self).__name__}.__init__() got an unexpected keyword argument "
                            f"'{next(iter(kwargs))}'")
        if args:
            raise TypeError(f"{type(self).__name__}.__init__() takes 1 positional argument but "
                            f"{len(args) + 1} were given")
        # object.__setattr__ skips Module.__setattr__'s registration logic for these
        set_ = super().__setattr__
        set_('training', True)
        set_('_parameters', {})
        set_('_buffers', {})
        set_('_non_persistent_buffers_set', set())
        set_('_backward_pre_hooks', OrderedDict())
        set_('_backward_hooks', OrderedDict())
        set_('_is_full_backward_hook', None)
        set_('_forward_hooks', OrderedDict())
        set_('_forward_hooks_with_kwargs', OrderedDict())
        set_('_forward_hooks_always_called', OrderedDict())
        set_('_forward_pre_hooks', OrderedDict())
        set_('_forward_pre_hooks_with_kwargs', OrderedDict())
        set_('_state_dict_hooks', OrderedDict())
        set_('_state_dict_pre_hooks', OrderedDict())
        set_('_load_state_dict_pre_hooks', OrderedDict())
        set_('_load_state_dict_post_hooks', OrderedDict())
        set_('_modules', {})

    forward = _forward_unimplemented

    # ---- registration ------------------------------------------------------------------------------
    def register_buffer(self, name, tensor, persistent=True):
        """Add a buffer: state saved in `state_dict` (unless `persistent=False`) but not trained."""
        if '_buffers' not in self.__dict__:
            raise AttributeError("cannot assign buffer before Module.__init__() call")
        _check_member_name(self, name, 'buffer', self._buffers)
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"cannot assign '{_typename(tensor)}' object to buffer '{name}' "
                            "(torch Tensor or None required)")
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)

    def register_parameter(self, name, param):
        """Add a parameter (a `Parameter`, or None for an absent one such as `bias=False`)."""
        if '_parameters' not in self.__dict__:
            raise AttributeError("cannot assign parameter before Module.__init__() call")
        _check_member_name(self, name, 'parameter', self._parameters)
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"cannot assign '{_typename(param)}' object to parameter '{name}' "
                            "(torch.nn.Parameter or None required)")
        if param is not None and param.grad_fn:
            raise ValueError(f"Cannot assign non-leaf Tensor to parameter '{name}'. Model parameters must be "
                             f"created explicitly. To express '{name}' as a function of another Tensor, "
                             "compute the value in the forward() method.")
        self._parameters[name] = param

    def add_module(self, name, module):
        """Add a child module, reachable as the attribute `name`."""
        if not isinstance(module, Module) and module is not None:
            raise TypeError(f"{_typename(module)} is not a Module subclass")
        if not isinstance(name, str):
            raise TypeError(f"module name should be a string. Got {_typename(name)}")
        if hasattr(self, name) and name not in self._modules:
            raise KeyError(f"attribute '{name}' already exists")
        if '.' in name:
            raise KeyError(f"module name can't contain \".\", got: {name}")
        if name == '':
            raise KeyError("module name can't be empty string \"\"")
        self._modules[name] = module

    register_module = add_module

    def get_submodule(self, target):
        """The module at dotted path `target` ('' is self), e.g. `net.get_submodule('features.0')`."""
        module = self
        if target == '':
            return module
        for item in target.split('.'):
            if not hasattr(module, item):
                raise AttributeError(module._get_name() + " has no attribute `" + item + "`")
            module = getattr(module, item)
            if not isinstance(module, Module):
                raise AttributeError("`" + item + "` is not an nn.Module")
        return module

    def set_submodule(self, target, module, strict=False):
        """Replace (or add) the module at dotted path `target`."""
        if target == '':
            raise ValueError("Cannot set the submodule without a target name!")
        parent_path, _, name = target.rpartition('.')
        if not isinstance(module, Module):
            raise ValueError(f"`module` is not an nn.Module, found {type(module)}")
        parent = self.get_submodule(parent_path)
        if strict and not hasattr(parent, name):
            raise AttributeError(parent._get_name() + " has no attribute `" + name + "`")
        if hasattr(parent, name) and not isinstance(getattr(parent, name), Module):
            raise AttributeError("`" + name + "` is not an nn.Module")
        setattr(parent, name, module)

    def get_parameter(self, target):
        """The Parameter at dotted path `target`, e.g. `'features.0.weight'`."""
        module_path, _, name = target.rpartition('.')
        module = self.get_submodule(module_path)
        if not hasattr(module, name):
            raise AttributeError(module._get_name() + " has no attribute `" + name + "`")
        param = getattr(module, name)
        if not isinstance(param, Parameter):
            raise AttributeError("`" + name + "` is not an nn.Parameter")
        return param

    def get_buffer(self, target):
        """The buffer at dotted path `target`."""
        module_path, _, name = target.rpartition('.')
        module = self.get_submodule(module_path)
        if not hasattr(module, name):
            raise AttributeError(module._get_name() + " has no attribute `" + name + "`")
        if name not in module._buffers:
            raise AttributeError("`" + name + "` is not a buffer")
        return getattr(module, name)

    # ---- attribute protocol: where assignment registers ---------------------------------------------
    def __getattr__(self, name):
        # only reached when normal lookup fails, i.e. for parameters, buffers and submodules
        state = self.__dict__
        for dict_name in ('_parameters', '_buffers', '_modules'):
            members = state.get(dict_name)
            if members is not None and name in members:
                return members[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __setattr__(self, name, value):
        state = self.__dict__
        params = state.get('_parameters')
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            _remove_from(name, state, self._buffers, self._modules, self._non_persistent_buffers_set)
            self.register_parameter(name, value)
            return
        if params is not None and name in params:
            if value is not None:
                raise TypeError(f"cannot assign '{_typename(value)}' as parameter '{name}' "
                                "(torch.nn.Parameter or None expected)")
            self.register_parameter(name, value)
            return
        modules = state.get('_modules')
        if isinstance(value, Module):
            if modules is None:
                raise AttributeError("cannot assign module before Module.__init__() call")
            _remove_from(name, state, self._parameters, self._buffers, self._non_persistent_buffers_set)
            modules[name] = value
            return
        if modules is not None and name in modules:
            if value is not None:
                raise TypeError(f"cannot assign '{_typename(value)}' as child module '{name}' "
                                "(torch.nn.Module or None expected)")
            modules[name] = value
            return
        buffers = state.get('_buffers')
        if isinstance(value, Buffer) or (buffers is not None and name in buffers):
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign '{_typename(value)}' as buffer '{name}' "
                                "(torch.nn.Buffer, torch.Tensor or None expected)")
            persistent = value.persistent if isinstance(value, Buffer) else \
                name not in self._non_persistent_buffers_set
            self.register_buffer(name, value, persistent)
            return
        object.__setattr__(self, name, value)

    def __delattr__(self, name):
        if name in self._parameters:
            del self._parameters[name]
        elif name in self._buffers:
            del self._buffers[name]
            self._non_persistent_buffers_set.discard(name)
        elif name in self._modules:
            del self._modules[name]
        else:
            object.__delattr__(self, name)

    def __dir__(self):
        keys = dir(self.__class__) + list(self.__dict__) + list(self._parameters) + list(self._modules) \
            + list(self._buffers)
        return sorted(key for key in keys if not key[0].isdigit())

    def __setstate__(self, state):
        self.__dict__.update(state)

    # ---- calling: forward with hooks around it -------------------------------------------------------
    def _call_impl(self, *args, **kwargs):
        if not (self._forward_pre_hooks or self._forward_hooks or self._backward_hooks
                or self._backward_pre_hooks):
            return self.forward(*args, **kwargs)
        result = None
        called_always = set()
        try:
            for hook_id, hook in tuple(self._forward_pre_hooks.items()):
                if hook_id in self._forward_pre_hooks_with_kwargs:
                    hook_result = hook(self, args, kwargs)
                    if hook_result is not None:
                        if not (isinstance(hook_result, tuple) and len(hook_result) == 2):
                            raise RuntimeError("forward pre-hook must return None or a tuple of (new_args, "
                                               f"new_kwargs), but got {hook_result}.")
                        args, kwargs = hook_result
                else:
                    hook_result = hook(self, args)
                    if hook_result is not None:
                        args = hook_result if isinstance(hook_result, tuple) else (hook_result,)

            full_hooks, old_hooks = self._get_backward_hooks()
            backward_hook = None
            if full_hooks or self._backward_pre_hooks:
                backward_hook = BackwardHook(self, full_hooks, list(self._backward_pre_hooks.values()))
                args = backward_hook.setup_input_hook(args)

            result = self.forward(*args, **kwargs)
            for hook_id, hook in tuple(self._forward_hooks.items()):
                if hook_id in self._forward_hooks_always_called:
                    called_always.add(hook_id)
                if hook_id in self._forward_hooks_with_kwargs:
                    hook_result = hook(self, args, kwargs, result)
                else:
                    hook_result = hook(self, args, result)
                if hook_result is not None:
                    result = hook_result

            if backward_hook is not None:
                result = backward_hook.setup_output_hook(result)
            if old_hooks:
                # the legacy hook sees the grad_input/grad_output of the last node of forward
                tensor = result
                while not isinstance(tensor, Tensor):
                    tensor = next(v for v in tensor.values() if isinstance(v, Tensor)) \
                        if isinstance(tensor, dict) else tensor[0]
                if tensor.grad_fn is not None:
                    for hook in old_hooks:
                        tensor.grad_fn.register_hook(functools.partial(_call_module_backward_hook, hook, self))
            return result
        except Exception:
            for hook_id, hook in tuple(self._forward_hooks.items()):
                if hook_id in self._forward_hooks_always_called and hook_id not in called_always:
                    try:
                        if hook_id in self._forward_hooks_with_kwargs:
                            hook_result = hook(self, args, kwargs, result)
                        else:
                            hook_result = hook(self, args, result)
                        if hook_result is not None:
                            result = hook_result
                    except Exception as error:
                        warnings.warn("module forward hook with ``always_call=True`` raised an exception that "
                                      f"was silenced as another error was raised in forward: {error}",
                                      stacklevel=2)
            raise

    __call__ = _call_impl

    # ---- hooks -----------------------------------------------------------------------------------
    def register_forward_pre_hook(self, hook, *, prepend=False, with_kwargs=False):
        """`hook(module, args)` runs before `forward`; it may return new args (a tuple or one value).
        With `with_kwargs=True`: `hook(module, args, kwargs)` returning `(args, kwargs)` or None."""
        handle = RemovableHandle(self._forward_pre_hooks, self._forward_pre_hooks_with_kwargs)
        self._forward_pre_hooks[handle.id] = hook
        if with_kwargs:
            self._forward_pre_hooks_with_kwargs[handle.id] = True
        if prepend:
            self._forward_pre_hooks.move_to_end(handle.id, last=False)
        return handle

    def register_forward_hook(self, hook, *, prepend=False, with_kwargs=False, always_call=False):
        """`hook(module, args, output)` runs after `forward`; it may return a new output.
        `always_call=True` runs it even when forward raises."""
        handle = RemovableHandle(self._forward_hooks, self._forward_hooks_with_kwargs,
                                 self._forward_hooks_always_called)
        self._forward_hooks[handle.id] = hook
        if with_kwargs:
            self._forward_hooks_with_kwargs[handle.id] = True
        if always_call:
            self._forward_hooks_always_called[handle.id] = True
        if prepend:
            self._forward_hooks.move_to_end(handle.id, last=False)
        return handle

    def register_full_backward_pre_hook(self, hook, prepend=False):
        """`hook(module, grad_output)` runs when the gradients w.r.t. the module's outputs are known;
        it may return new grad_output."""
        handle = RemovableHandle(self._backward_pre_hooks)
        self._backward_pre_hooks[handle.id] = hook
        if prepend:
            self._backward_pre_hooks.move_to_end(handle.id, last=False)
        return handle

    def register_full_backward_hook(self, hook, prepend=False):
        """`hook(module, grad_input, grad_output)` runs when the gradients w.r.t. the module's inputs
        are known; it may return new grad_input."""
        if self._is_full_backward_hook is False:
            raise RuntimeError("Cannot use both regular backward hooks and full backward hooks on a single "
                               "Module. Please use only one of them.")
        self._is_full_backward_hook = True
        handle = RemovableHandle(self._backward_hooks)
        self._backward_hooks[handle.id] = hook
        if prepend:
            self._backward_hooks.move_to_end(handle.id, last=False)
        return handle

    def register_backward_hook(self, hook):
        """Deprecated form: `hook(module, grad_input, grad_output)` on the last autograd node of
        forward, so grad_input are that node's input gradients. Prefer the full backward hook."""
        if self._is_full_backward_hook is True:
            raise RuntimeError("Cannot use both regular backward hooks and full backward hooks on a single "
                               "Module. Please use only one of them.")
        self._is_full_backward_hook = False
        handle = RemovableHandle(self._backward_hooks)
        self._backward_hooks[handle.id] = hook
        return handle

    def _get_backward_hooks(self):
        """(full hooks, legacy hooks): the backward hooks split by the kind that registered them."""
        hooks = list(self._backward_hooks.values())
        return (hooks, []) if self._is_full_backward_hook else ([], hooks)

    def register_state_dict_pre_hook(self, hook):
        """`hook(module, prefix, keep_vars)` runs before `state_dict` collects this module."""
        handle = RemovableHandle(self._state_dict_pre_hooks)
        self._state_dict_pre_hooks[handle.id] = hook
        return handle

    def register_state_dict_post_hook(self, hook):
        """`hook(module, state_dict, prefix, local_metadata)` runs after; it must modify in place."""
        hook._from_public_api = True
        return self._register_state_dict_hook(hook)

    def _register_state_dict_hook(self, hook):
        handle = RemovableHandle(self._state_dict_hooks)
        self._state_dict_hooks[handle.id] = hook
        return handle

    def register_load_state_dict_pre_hook(self, hook):
        """`hook(module, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
        error_msgs)` runs before this module loads its entries."""
        return self._register_load_state_dict_pre_hook(hook, with_module=True)

    def _register_load_state_dict_pre_hook(self, hook, with_module=False):
        handle = RemovableHandle(self._load_state_dict_pre_hooks)
        self._load_state_dict_pre_hooks[handle.id] = functools.partial(hook, self) if with_module else hook
        return handle

    def register_load_state_dict_post_hook(self, hook):
        """`hook(module, incompatible_keys)` runs after `load_state_dict`; may edit the key lists."""
        handle = RemovableHandle(self._load_state_dict_post_hooks)
        self._load_state_dict_post_hooks[handle.id] = hook
        return handle

    # ---- walking the tree --------------------------------------------------------------------------
    def _named_members(self, get_members, prefix='', recurse=True, remove_duplicate=True):
        """(dotted name, member) for the members `get_members(module)` gives in every module, each
        shared member once (unless remove_duplicate=False)."""
        seen = set()
        modules = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) if recurse \
            else [(prefix, self)]
        for module_prefix, module in modules:
            for name, member in get_members(module):
                if member is None or member in seen:
                    continue
                if remove_duplicate:
                    seen.add(member)
                yield module_prefix + ('.' if module_prefix else '') + name, member

    def parameters(self, recurse=True):
        """The parameters of this module and (with recurse) its descendants, each once."""
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def named_parameters(self, prefix='', recurse=True, remove_duplicate=True):
        """(name, Parameter) pairs with dotted names such as `'features.0.weight'`."""
        yield from self._named_members(lambda module: module._parameters.items(), prefix, recurse,
                                       remove_duplicate)

    def buffers(self, recurse=True):
        """The buffers of this module and (with recurse) its descendants."""
        for _, buffer in self.named_buffers(recurse=recurse):
            yield buffer

    def named_buffers(self, prefix='', recurse=True, remove_duplicate=True):
        """(name, buffer) pairs with dotted names."""
        yield from self._named_members(lambda module: module._buffers.items(), prefix, recurse,
                                       remove_duplicate)

    def children(self):
        """The direct submodules."""
        for _, module in self.named_children():
            yield module

    def named_children(self):
        """(name, module) for the direct submodules, each module once."""
        seen = set()
        for name, module in self._modules.items():
            if module is not None and module not in seen:
                seen.add(module)
                yield name, module

    def modules(self, remove_duplicate=True):
        """This module and all its descendants, depth first."""
        for _, module in self.named_modules(remove_duplicate=remove_duplicate):
            yield module

    def named_modules(self, memo=None, prefix='', remove_duplicate=True):
        """(dotted name, module) for this module ('' or `prefix`) and all descendants, depth first."""
        if memo is None:
            memo = set()
        if self in memo:
            return
        if remove_duplicate:
            memo.add(self)
        yield prefix, self
        for name, module in self._modules.items():
            if module is not None:
                yield from module.named_modules(memo, prefix + ('.' if prefix else '') + name, remove_duplicate)

    def apply(self, fn):
        """Call `fn(module)` on every submodule (children first) and then on self."""
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    # ---- modes and gradients -------------------------------------------------------------------------
    def train(self, mode=True):
        """Set training mode (Dropout, BatchNorm... behave differently) here and below."""
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        self.training = mode
        for module in self.children():
            module.train(mode)
        return self

    def eval(self):
        """`train(False)`."""
        return self.train(False)

    def requires_grad_(self, requires_grad=True):
        """Set `requires_grad` of every parameter (freeze with False)."""
        for param in self.parameters():
            param.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none=True):
        """Reset the parameters' gradients: to None (default), or to zeros in place."""
        for param in self.parameters():
            if param.grad is None:
                continue
            if set_to_none:
                param.grad = None
            else:
                if param.grad.grad_fn is not None:
                    param.grad.detach_()
                else:
                    param.grad.requires_grad_(False)
                param.grad.zero_()

    def share_memory(self):
        """A no-op: ember's tensors already live in ordinary process memory."""
        return self

    # ---- conversions -----------------------------------------------------------------------------
    def _apply(self, fn, recurse=True):
        """Replace every parameter's and buffer's value by `fn(value)`, keeping the Parameter objects
        (PyTorch assigns `param.data`, so optimizers built earlier still hold the same parameters)."""
        if recurse:
            for module in self.children():
                module._apply(fn)
        for param in self._parameters.values():
            if param is None:
                continue
            with no_grad():
                param.data = fn(param)
            if param.grad is not None:
                with no_grad():
                    param.grad.data = fn(param.grad)
        for key, buffer in self._buffers.items():
            if buffer is not None:
                self._buffers[key] = fn(buffer)
        return self

    def to(self, *args, **kwargs):
        """Convert floating-point parameters and buffers to a dtype (`to(float64)`, `to(tensor)`), and
        4-d and 5-d ones to a memory format (`to(memory_format=ember.channels_last)`); `to('meta')` keeps
        only their shapes and dtypes. Devices other than the CPU and meta fail as on a CPU-only PyTorch."""
        from ...cuda import _device_type
        from ... import _dtype as dtypes
        dtype = kwargs.get('dtype')
        device = kwargs.get('device')
        memory_format = kwargs.get('memory_format')
        for arg in args:
            if isinstance(arg, dtypes.dtype):
                dtype = arg
            elif isinstance(arg, Tensor):
                dtype = arg.dtype
            elif arg is not None:
                device = arg
        to_meta = device is not None and _device_type(device) == 'meta'
        if device is not None and not to_meta and any(t.is_meta for t in self._tensors()):
            raise NotImplementedError("Cannot copy out of meta tensor; no data! Please use torch.nn.Module.to_empty() "
                                      "instead of torch.nn.Module.to() when moving module from meta to a different "
                                      "device.")
        if dtype is None and memory_format is None and not to_meta:
            return self
        if dtype is not None and not (dtype.is_floating_point or dtype.is_complex):
            raise TypeError("nn.Module.to only accepts floating point or complex dtypes, but got desired "
                            f"dtype={dtype}")

        def convert(t):
            target = dtype if t.is_floating_point() or t.is_complex() else None
            if to_meta:
                return empty_like(t, dtype=target, device='meta')
            # as PyTorch: the memory format applies to the 4-d and 5-d tensors (conv weights) only
            return t.to(target, memory_format=memory_format if t.dim() in (4, 5) else None)
        return self._apply(convert)

    def _tensors(self):
        """Every parameter and buffer of this module and its descendants."""
        return itertools.chain(self.parameters(), self.buffers())

    def to_empty(self, *, device, recurse=True):
        """Give the parameters and buffers new, uninitialised memory on `device`, keeping shapes and dtypes:
        how a model built on the meta device gets real tensors (to be initialised or loaded next)."""
        return self._apply(lambda t: empty_like(t, device=device), recurse=recurse)

    def compile(self, *args, **kwargs):
        """Compile this module's calls with `ember.compile(*args, **kwargs)`, in place. ember's compile runs
        the module as before, so calls go on through `__call__`; the compiled call is kept as PyTorch keeps it."""
        from ...compiler import compile
        self._compiled_call_impl = compile(self._call_impl, *args, **kwargs)

    def _convert_floating(self, dtype):
        return self._apply(lambda t: t.to(dtype) if t.is_floating_point() else t)

    def float(self):
        """Floating-point parameters and buffers to float32."""
        from ... import _dtype as dtypes
        return self._convert_floating(dtypes.float32)

    def double(self):
        """Floating-point parameters and buffers to float64."""
        from ... import _dtype as dtypes
        return self._convert_floating(dtypes.float64)

    def half(self):
        """Floating-point parameters and buffers to float16."""
        from ... import _dtype as dtypes
        return self._convert_floating(dtypes.float16)

    def bfloat16(self):
        from ... import _dtype as dtypes
        return self._convert_floating(dtypes.bfloat16)

    def type(self, dst_type):
        """All parameters and buffers to `dst_type` (a dtype or a legacy type name)."""
        return self._apply(lambda t: t.type(dst_type))

    def cpu(self):
        """ember only has the CPU: the module is already there."""
        return self

    def cuda(self, device=None):
        """Fails as on a CPU-only PyTorch build."""
        from ...cuda import _cuda_unavailable
        raise _cuda_unavailable()

    # ---- state_dict ------------------------------------------------------------------------------
    def _save_to_state_dict(self, destination, prefix, keep_vars):
        """Store this module's own parameters and persistent buffers (not its children's)."""
        for name, param in self._parameters.items():
            if param is not None:
                destination[prefix + name] = param if keep_vars else param.detach()
        for name, buffer in self._buffers.items():
            if buffer is not None and name not in self._non_persistent_buffers_set:
                destination[prefix + name] = buffer if keep_vars else buffer.detach()

    def state_dict(self, *args, destination=None, prefix='', keep_vars=False):
        """An OrderedDict from dotted names (`'features.0.weight'`) to the parameters and persistent
        buffers, detached unless keep_vars; it shares memory with the module."""
        if args:
            destination = args[0] if destination is None else destination
            prefix = args[1] if len(args) > 1 and prefix == '' else prefix
            keep_vars = args[2] if len(args) > 2 and keep_vars is False else keep_vars
        if destination is None:
            destination = OrderedDict()
            destination._metadata = OrderedDict()
        local_metadata = dict(version=self._version)
        if hasattr(destination, '_metadata'):
            destination._metadata[prefix[:-1]] = local_metadata
        for hook in self._state_dict_pre_hooks.values():
            hook(self, prefix, keep_vars)
        self._save_to_state_dict(destination, prefix, keep_vars)
        for name, module in self._modules.items():
            if module is not None:
                module.state_dict(destination=destination, prefix=prefix + name + '.', keep_vars=keep_vars)
        for hook in self._state_dict_hooks.values():
            hook_result = hook(self, destination, prefix, local_metadata)
            if getattr(hook, '_from_public_api', False):
                if hook_result is not None:
                    raise RuntimeError("state_dict post-hook must return None")
            elif hook_result is not None:
                destination = hook_result
        return destination

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                              error_msgs):
        """Copy this module's own entries from `state_dict`, collecting problems instead of raising."""
        for hook in self._load_state_dict_pre_hooks.values():
            hook(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, error_msgs)
        local_state = {name: value for name, value in self._parameters.items() if value is not None}
        local_state.update((name, value) for name, value in self._buffers.items()
                           if value is not None and name not in self._non_persistent_buffers_set)
        assign = local_metadata.get('assign_to_params_buffers', False)
        for name, param in local_state.items():
            key = prefix + name
            if key not in state_dict:
                if strict:
                    missing_keys.append(key)
                continue
            input_param = state_dict[key]
            if not isinstance(input_param, Tensor):
                error_msgs.append(f'While copying the parameter named "{key}", expected torch.Tensor or '
                                  f'Tensor-like object from checkpoint but received {type(input_param)}')
                continue
            if param.dim() == 0 and input_param.dim() == 1 and input_param.shape[0] == 1:
                input_param = input_param[0]  # old checkpoints stored scalars as 1-element vectors
            if input_param.shape != param.shape:
                error_msgs.append(f"size mismatch for {key}: copying a param with shape {input_param.shape} from "
                                  f"checkpoint, the shape in current model is {param.shape}.")
                continue
            try:
                with no_grad():
                    if assign:
                        if isinstance(param, Parameter) and not isinstance(input_param, Parameter):
                            input_param = Parameter(input_param, requires_grad=param.requires_grad)
                        setattr(self, name, input_param)
                    else:
                        param.copy_(input_param)
            except Exception as error:
                error_msgs.append(f'While copying the parameter named "{key}", whose dimensions in the model are '
                                  f'{param.size()} and whose dimensions in the checkpoint are {input_param.size()}, '
                                  f'an exception occurred : {error.args}.')
        if strict:
            for key in state_dict:
                if key.startswith(prefix):
                    input_name = key[len(prefix):].split('.', 1)
                    if len(input_name) > 1:
                        if input_name[0] not in self._modules:
                            unexpected_keys.append(key)
                    elif input_name[0] not in local_state:
                        unexpected_keys.append(key)

    def load_state_dict(self, state_dict, strict=True, assign=False):
        """Copy parameters and buffers from `state_dict` into this module (same keys as
        `state_dict()`). With strict, missing or unexpected keys raise; returns the key lists."""
        from collections.abc import Mapping
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
        missing_keys, unexpected_keys, error_msgs = [], [], []
        metadata = getattr(state_dict, '_metadata', None)
        state_dict = OrderedDict(state_dict)

        def load(module, local_state_dict, prefix=''):
            local_metadata = {} if metadata is None else dict(metadata.get(prefix[:-1], {}))
            if assign:
                local_metadata['assign_to_params_buffers'] = assign
            module._load_from_state_dict(local_state_dict, prefix, local_metadata, True, missing_keys,
                                         unexpected_keys, error_msgs)
            for name, child in module._modules.items():
                if child is not None:
                    child_prefix = prefix + name + '.'
                    load(child, {k: v for k, v in local_state_dict.items() if k.startswith(child_prefix)},
                         child_prefix)
            incompatible_keys = _IncompatibleKeys(missing_keys, unexpected_keys)
            for hook in module._load_state_dict_post_hooks.values():
                if hook(module, incompatible_keys) is not None:
                    raise AssertionError("Hooks registered with ``register_load_state_dict_post_hook`` are not "
                                         "expected to return new values, if incompatible_keys need to be "
                                         "modified, it should be done inplace.")

        load(self, state_dict)
        if strict:
            if unexpected_keys:
                error_msgs.insert(0, "Unexpected key(s) in state_dict: {}. ".format(
                    ", ".join(f'"{k}"' for k in unexpected_keys)))
            if missing_keys:
                error_msgs.insert(0, "Missing key(s) in state_dict: {}. ".format(
                    ", ".join(f'"{k}"' for k in missing_keys)))
        if error_msgs:
            raise RuntimeError("Error(s) in loading state_dict for {}:\n\t{}".format(
                self.__class__.__name__, "\n\t".join(error_msgs)))
        return _IncompatibleKeys(missing_keys, unexpected_keys)

    # ---- printing --------------------------------------------------------------------------------
    def _get_name(self):
        return self.__class__.__name__

    def extra_repr(self):
        """The text inside the parentheses of this module's repr line (`in_features=2, ...`)."""
        return ''

    def __repr__(self):
        extra_repr = self.extra_repr()
        extra_lines = extra_repr.split('\n') if extra_repr else []
        child_lines = ['(' + key + '): ' + _addindent(repr(module), 2) for key, module in self._modules.items()]
        lines = extra_lines + child_lines
        main_str = self._get_name() + '('
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                main_str += extra_lines[0]
            else:
                main_str += '\n  ' + '\n  '.join(lines) + '\n'
        return main_str + ')'


def _check_member_name(module, name, kind, members):
    if not isinstance(name, str):
        raise TypeError(f"{kind} name should be a string. Got {_typename(name)}")
    if '.' in name:
        raise KeyError(f"{kind} name can't contain \".\"")
    if name == '':
        raise KeyError(f"{kind} name can't be empty string \"\"")
    if hasattr(module, name) and name not in members:
        raise KeyError(f"attribute '{name}' already exists")


def _remove_from(name, *dicts_or_sets):
    for members in dicts_or_sets:
        if name in members:
            if isinstance(members, dict):
                del members[name]
            else:
                members.discard(name)


def _call_module_backward_hook(hook, module, grad_input, grad_output):
    return hook(module, tuple(grad_input), tuple(grad_output))


# ---- full backward hooks ---------------------------------------------------------------------------
class BackwardHookFunction(Function):
    """Identity on the module's input (and output) tensors: its backward node is where the module
    backward hooks see the gradients w.r.t. the inputs (and outputs)."""

    @staticmethod
    def forward(ctx, *args):
        ctx.mark_non_differentiable(*[arg for arg in args if not arg.requires_grad])
        return args

    @staticmethod
    def backward(ctx, *grads):
        return grads


class BackwardHook:
    """Connects a module's full backward (pre-)hooks to the graph, as PyTorch's
    `torch.utils.hooks.BackwardHook` does: the inputs and outputs are passed through
    `BackwardHookFunction`; the output node's hook records grad_output (after running the
    pre-hooks), the input node's hook calls the user hooks with (grad_input, grad_output)."""

    def __init__(self, module, user_hooks, user_pre_hooks):
        self.module = module
        self.user_hooks = user_hooks
        self.user_pre_hooks = user_pre_hooks
        self.grad_outputs = None
        self.n_outputs = -1
        self.output_tensors_index = None
        self.n_inputs = -1
        self.input_tensors_index = None

    @staticmethod
    def _pack_with_none(indices, values, size):
        packed = [None] * size
        for index, value in zip(indices, values):
            packed[index] = value
        return tuple(packed)

    def _input_node_hook(self, grad_inputs, _):
        if self.grad_outputs is None:
            return None  # the module's outputs did not take part in this backward
        result = self._pack_with_none(self.input_tensors_index, grad_inputs, self.n_inputs)
        for hook in self.user_hooks:
            out = hook(self.module, result, self.grad_outputs)
            if out is None:
                continue
            if len(out) != len(result):
                raise RuntimeError("Backward hook returned an invalid number of grad_input, "
                                   f"got {len(out)}, but expected {len(result)}")
            result = out
        self.grad_outputs = None
        return tuple(result[i] for i in self.input_tensors_index)

    def _output_node_hook(self, _, grad_outputs):
        self.grad_outputs = self._pack_with_none(self.output_tensors_index, grad_outputs, self.n_outputs)
        for hook in self.user_pre_hooks:
            new_grad_outputs = hook(self.module, self.grad_outputs)
            if new_grad_outputs is None:
                continue
            if len(new_grad_outputs) != len(self.grad_outputs):
                raise RuntimeError("Backward pre hook returned an invalid number of grad_output, "
                                   f"got {len(new_grad_outputs)}, but expected {len(self.grad_outputs)}")
            self.grad_outputs = new_grad_outputs
        local_grad_outputs = self.grad_outputs
        if self.input_tensors_index is None:
            # no input requires grad: the full hooks fire here, with grad_input all None
            _warnings.warn("Full backward hook is firing when gradients are computed with respect to module outputs "
                           "since no inputs require gradients. See https://docs.pytorch.org/docs/main/generated/"
                           "torch.nn.Module.html#torch.nn.Module.register_full_backward_hook for more details.")
            grad_inputs = (None,) * self.n_inputs
            for hook in self.user_hooks:
                result = hook(self.module, grad_inputs, self.grad_outputs)
                if result is not None and not (isinstance(result, tuple) and all(r is None for r in result)):
                    raise RuntimeError("Backward hook for Modules where no input requires gradient should "
                                       "always return None or None for all gradients.")
            self.grad_outputs = None
        return tuple(local_grad_outputs[i] for i in self.output_tensors_index)

    def _apply_on_tensors(self, node_hook, args):
        indices = [i for i, arg in enumerate(args) if isinstance(arg, Tensor)]
        tensors = [args[i] for i in indices]
        if not (GradMode.enabled and any(t._requires_grad for t in tensors)):
            return args, None
        new_tensors = BackwardHookFunction.apply(*tensors)
        node = next(t.grad_fn for t in new_tensors if t.grad_fn is not None)
        node.register_hook(node_hook)
        new_args = list(args)
        for i, tensor in zip(indices, new_tensors):
            new_args[i] = tensor
        return tuple(new_args), indices

    def setup_input_hook(self, args):
        result, self.input_tensors_index = self._apply_on_tensors(self._input_node_hook, args)
        self.n_inputs = len(args)
        return result

    def setup_output_hook(self, result):
        single = not isinstance(result, tuple)
        outputs = (result,) if single else result
        new_outputs, self.output_tensors_index = self._apply_on_tensors(self._output_node_hook, outputs)
        self.n_outputs = len(outputs)
        return new_outputs[0] if single else new_outputs
