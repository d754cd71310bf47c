"""Parametrizations: make `module.weight` a function of other tensors, recomputed on every access.

`register_parametrization(module, 'weight', P)` moves the parameter into
`module.parametrizations.weight.original` (or `original0, original1, ...` when `P.right_inverse`
splits it into several tensors) and swaps the module's class for a generated subclass,
`Parametrized<Class>`, that has a property `weight` returning `P(original)`. The optimizer trains
the originals; the module's code keeps reading `self.weight`. Assigning `module.weight = X` stores
`P.right_inverse(X)` in the originals.
"""
import collections.abc
import copyreg
from contextlib import contextmanager
from copy import deepcopy

from ..._tensor import Tensor
from ...autograd.grad_mode import no_grad
from ..modules.container import ModuleDict, ModuleList
from ..parameter import Parameter

__all__ = ['cached', 'ParametrizationList', 'register_parametrization', 'is_parametrized', 'remove_parametrizations',
           'type_before_parametrizations', 'transfer_parametrizations_and_params']

# (id(module), tensor name) -> the parametrized tensor, while at least one `cached()` block is open
_cache_enabled = 0
_cache = {}


@contextmanager
def cached():
    """Inside this block each parametrized tensor is computed once, on first access, and reused
    (e.g. a recurrent weight read at every time step); the values are dropped on leaving it."""
    global _cache, _cache_enabled
    _cache_enabled += 1
    try:
        yield
    finally:
        _cache_enabled -= 1
        if not _cache_enabled:
            _cache = {}


def _register_parameter_or_buffer(module, name, tensor):
    if isinstance(tensor, Parameter):
        module.register_parameter(name, tensor)
    else:
        module.register_buffer(name, tensor)


def _set_in_place(destination, source):
    """Give `destination` the value of `source` while keeping the tensor object, so an optimizer
    that holds it keeps training it (PyTorch's `destination.set_(source)`)."""
    destination.data = source


class ParametrizationList(ModuleList):
    """The parametrizations of one tensor, in registration order, together with the tensor(s) they
    start from: `original`, or `original0, original1, ...` when the first parametrization's
    `right_inverse` returns a sequence. It is `module.parametrizations[tensor_name]`; calling it
    gives the parametrized tensor. Created by `register_parametrization`, not by users."""

    def __init__(self, modules, original, unsafe=False):
        if len(modules) == 0:
            raise ValueError("ParametrizationList requires one or more modules.")
        super().__init__(modules)
        self.unsafe = unsafe

        # The invariants checked below: with X = module.weight and Y = right_inverse(X), Y is a tensor
        # or a sequence of tensors, and (unless unsafe) forward(Y) has X's dtype and shape. A single
        # Y must also keep X's dtype, so that X can take Y's value in place.
        original_shape, original_dtype = original.shape, original.dtype
        with no_grad():
            new = original
            for module in reversed(self):
                if hasattr(module, 'right_inverse'):
                    try:
                        new = module.right_inverse(new)
                    except NotImplementedError:
                        pass
                # without a right_inverse (or when it raises NotImplementedError) it is the identity

        if not isinstance(new, Tensor) and not isinstance(new, collections.abc.Sequence):
            raise ValueError("'right_inverse' must return a Tensor or a Sequence of tensors (list, tuple...). "
                             f"Got {type(new).__name__}")

        self.is_tensor = isinstance(new, Tensor)
        self.ntensors = 1 if self.is_tensor else len(new)

        if self.is_tensor:
            if original.dtype != new.dtype:
                raise ValueError("When `right_inverse` outputs one tensor, it may not change the dtype.\n"
                                 f"original.dtype: {original.dtype}\n"
                                 f"right_inverse(original).dtype: {new.dtype}")
            # the original Parameter object stays the one the user (and their optimizer) holds
            with no_grad():
                _set_in_place(original, new)
            _register_parameter_or_buffer(self, 'original', original)
        else:
            for i, original_i in enumerate(new):
                if not isinstance(original_i, Tensor):
                    raise ValueError("'right_inverse' must return a Tensor or a Sequence of tensors (list, tuple...). "
                                     f"Got element {i} of the sequence with type {type(original_i).__name__}.")
                # new Parameters: the user adds them to the optimizer after registering (as documented)
                if isinstance(original, Parameter):
                    original_i = Parameter(original_i, original.requires_grad)
                original_i.requires_grad_(original.requires_grad)
                _register_parameter_or_buffer(self, f'original{i}', original_i)

        if not self.unsafe:
            Z = self()
            if not isinstance(Z, Tensor):
                raise ValueError(f"A parametrization must return a tensor. Got {type(Z).__name__}.")
            if Z.dtype != original_dtype:
                raise ValueError("Registering a parametrization may not change the dtype of the tensor, unless "
                                 "`unsafe` flag is enabled.\n"
                                 f"unparametrized dtype: {original_dtype}\n"
                                 f"parametrized dtype: {Z.dtype}")
            if Z.shape != original_shape:
                raise ValueError("Registering a parametrization may not change the shape of the tensor, unless "
                                 "`unsafe` flag is enabled.\n"
                                 f"unparametrized shape: {original_shape}\n"
                                 f"parametrized shape: {Z.shape}")

    def right_inverse(self, value):
        """Store `value` in the originals: apply the parametrizations' `right_inverse`s, last
        registered first, and copy the result into `original` (or `original0, original1, ...`)."""
        with no_grad():
            for module in reversed(self):
                if hasattr(module, 'right_inverse'):
                    value = module.right_inverse(value)
                else:
                    raise RuntimeError(f"parametrization {type(module).__name__} does not implement right_inverse.")
            if self.is_tensor:
                if not isinstance(value, Tensor):
                    raise ValueError(f"`right_inverse` should return a tensor. Got {type(value).__name__}")
                if value.dtype != self.original.dtype:
                    raise ValueError(f"The tensor returned by `right_inverse` has dtype {value.dtype} "
                                     f"while `original` has dtype {self.original.dtype}")
                _set_in_place(self.original, value)
            else:
                if not isinstance(value, collections.abc.Sequence):
                    raise ValueError(f"'right_inverse' must return a sequence of tensors. Got {type(value).__name__}.")
                if len(value) != self.ntensors:
                    raise ValueError("'right_inverse' must return a sequence of tensors of length "
                                     f"{self.ntensors}. Got a sequence of length {len(value)}.")
                for i, tensor in enumerate(value):
                    original_i = getattr(self, f'original{i}')
                    if not isinstance(tensor, Tensor):
                        raise ValueError("'right_inverse' must return a sequence of tensors or reference-type "
                                         f"opaques. Got element {i} of type {type(tensor).__name__}.")
                    if original_i.dtype != tensor.dtype:
                        raise ValueError(f"Tensor {i} returned by `right_inverse` has dtype {tensor.dtype} "
                                         f"while `original{i}` has dtype {original_i.dtype}")
                    _set_in_place(original_i, tensor)

    def forward(self):
        # the first parametrization takes the original(s); each next one takes the previous result
        if self.is_tensor:
            x = self[0](self.original)
        else:
            x = self[0](*(getattr(self, f'original{i}') for i in range(self.ntensors)))
        for parametrization in list(self)[1:]:
            x = parametrization(x)
        return x


def _inject_new_class(module):
    """Swap the module's class for `Parametrized<Class>`, a subclass to hang the properties on (a
    property belongs to a class, and other instances of the original class must not see it)."""
    cls = module.__class__

    def default_deepcopy(self, memo):
        # copy.deepcopy would call the __getstate__ below; copying the instance dict is what it
        # does for a class without one
        obj = memo.get(id(self), None)
        if obj is not None:
            return obj
        replica = self.__new__(self.__class__)
        memo[id(self)] = replica
        replica.__dict__ = deepcopy(self.__dict__, memo)
        for slot in copyreg._slotnames(self.__class__):
            if hasattr(self, slot):
                setattr(replica, slot, deepcopy(getattr(self, slot), memo))
        return replica

    def getstate(self):
        # the generated class cannot be found again by name when unpickling
        raise RuntimeError("Serialization of parametrized modules is only supported through state_dict(). See:\n"
                           "https://pytorch.org/tutorials/beginner/saving_loading_models.html"
                           "#saving-loading-a-general-checkpoint-for-inference-and-or-resuming-training")

    namespace = {'__getstate__': getstate}
    if not hasattr(cls, '__deepcopy__'):
        namespace['__deepcopy__'] = default_deepcopy
    module.__class__ = type(f'Parametrized{cls.__name__}', (cls,), namespace)


def _inject_property(module, tensor_name):
    """Add to the module's (generated) class the property `tensor_name`: reading it evaluates the
    parametrizations (once per `cached()` block), assigning to it calls their `right_inverse`."""
    if hasattr(module, tensor_name):
        raise AssertionError(f"Module already has an attribute named '{tensor_name}'")

    def get_cached_parametrization(parametrization):
        key = (id(module), tensor_name)
        tensor = _cache.get(key)
        if tensor is None:
            tensor = parametrization()
            _cache[key] = tensor
        return tensor

    def get_parametrized(self):
        parametrization = self.parametrizations[tensor_name]
        if _cache_enabled:
            return get_cached_parametrization(parametrization)
        return parametrization()

    def set_original(self, value):
        self.parametrizations[tensor_name].right_inverse(value)

    setattr(module.__class__, tensor_name, property(get_parametrized, set_original))


def register_parametrization(module, tensor_name, parametrization, *, unsafe=False):
    """Make `module.<tensor_name>` return `parametrization(original)`, where `original` (in
    `module.parametrizations[tensor_name]`) is the parameter or buffer as it was, after
    `parametrization.right_inverse` if it has one. Registering again on the same name chains the
    parametrizations. `unsafe=True` allows a parametrization that changes the shape or dtype."""
    parametrization.train(module.training)
    if is_parametrized(module, tensor_name):
        # chaining: the new parametrization must map the current tensor's space (its shape and
        # dtype) to itself, and so must its right_inverse
        if not unsafe:
            Y = getattr(module, tensor_name)
            X = parametrization(Y)
            if not isinstance(X, Tensor):
                raise ValueError(f"A parametrization must return a tensor. Got {type(X).__name__}.")
            if X.dtype != Y.dtype:
                raise ValueError("Registering a parametrization may not change the dtype of the tensor, unless the "
                                 "`unsafe` flag is enabled.\n"
                                 f"module.{tensor_name}.dtype: {Y.dtype}\n"
                                 f"parametrization(module.{tensor_name}).dtype: {X.dtype}")
            if X.shape != Y.shape:
                raise ValueError("Registering a parametrization may not change the shape of the tensor, unless the "
                                 "`unsafe` flag is enabled.\n"
                                 f"module.{tensor_name}.shape: {Y.shape}\n"
                                 f"parametrization(module.{tensor_name}).shape: {X.shape}")
            if hasattr(parametrization, 'right_inverse'):
                try:
                    Z = parametrization.right_inverse(X)
                except NotImplementedError:
                    pass
                else:
                    if not isinstance(Z, Tensor):
                        raise ValueError(f"parametrization.right_inverse must return a tensor. Got: {type(Z).__name__}")
                    if Z.dtype != Y.dtype:
                        raise ValueError("The tensor returned by parametrization.right_inverse must have the same "
                                         f"dtype as module.{tensor_name}, unless the `unsafe` flag is enabled.\n"
                                         f"module.{tensor_name}.dtype: {Y.dtype}\n"
                                         f"returned dtype: {Z.dtype}")
                    if Z.shape != Y.shape:
                        raise ValueError("The tensor returned by parametrization.right_inverse must have the same "
                                         f"shape as module.{tensor_name}, unless the `unsafe` flag is enabled.\n"
                                         f"module.{tensor_name}.shape: {Y.shape}\n"
                                         f"returned shape: {Z.shape}")
        parametrizations = module.parametrizations[tensor_name]
        parametrizations.append(parametrization)
        # once unsafe, always unsafe
        parametrizations.unsafe |= unsafe
    elif tensor_name in module._buffers or tensor_name in module._parameters:
        original = getattr(module, tensor_name)
        # built before touching the module, so that a failing check leaves it as it was
        parametrizations = ParametrizationList([parametrization], original, unsafe=unsafe)
        delattr(module, tensor_name)
        if not is_parametrized(module):
            _inject_new_class(module)
            module.parametrizations = ModuleDict()
        _inject_property(module, tensor_name)
        module.parametrizations[tensor_name] = parametrizations
    else:
        raise ValueError(f"Module '{module}' does not have a parameter, a buffer, or a "
                         f"parametrized element with name '{tensor_name}'")
    return module


def is_parametrized(module, tensor_name=None):
    """Whether `module.<tensor_name>` is parametrized (any tensor of the module, for None)."""
    parametrizations = getattr(module, 'parametrizations', None)
    if parametrizations is None or not isinstance(parametrizations, ModuleDict):
        return False
    if tensor_name is None:
        return len(parametrizations) > 0
    return tensor_name in parametrizations


def remove_parametrizations(module, tensor_name, leave_parametrized=True):
    """Undo `register_parametrization` on `tensor_name`. With `leave_parametrized`, the tensor keeps
    its current parametrized value; otherwise it goes back to `original` (possible only when there
    is a single original). When no parametrization is left the module gets its class back."""
    if not is_parametrized(module, tensor_name):
        raise ValueError(f"Module {module} does not have a parametrization on {tensor_name}")
    parametrizations = module.parametrizations[tensor_name]
    if parametrizations.is_tensor:
        original = parametrizations.original
        if leave_parametrized:
            with no_grad():
                t = getattr(module, tensor_name)
                # same dtype (checked at registration), so the original object can take the value
                # and optimizers holding it need no update
                _set_in_place(original, t)
    else:
        if not leave_parametrized:
            raise ValueError("Cannot leave unparametrized (`leave_parametrized=False`) a tensor "
                             "that is parametrized in terms of a sequence of tensors.")
        # not under no_grad: whether the originals require grad decides Parameter or buffer
        t = getattr(module, tensor_name)
        original = Parameter(t) if t.requires_grad else t

    delattr(module.__class__, tensor_name)
    del module.parametrizations[tensor_name]
    _register_parameter_or_buffer(module, tensor_name, original)

    if not is_parametrized(module):
        delattr(module, 'parametrizations')
        module.__class__ = module.__class__.__bases__[0]
    return module


def type_before_parametrizations(module):
    """The module's class as it was before any parametrization was registered."""
    if is_parametrized(module):
        return module.__class__.__bases__[0]
    return type(module)


def transfer_parametrizations_and_params(from_module, to_module, tensor_name=None):
    """Register on `to_module` the parametrizations of `from_module` (all of them, or those of
    `tensor_name`), with the same original tensors; missing parameters are created first."""
    if is_parametrized(from_module):
        names = from_module.parametrizations if tensor_name is None else [tensor_name]
        for name in names:
            if not hasattr(to_module, name):
                setattr(to_module, name, Parameter(getattr(from_module, name)))
            for parametrization in from_module.parametrizations[name]:
                register_parametrization(to_module, name, parametrization)
            source = from_module.parametrizations[name]
            if hasattr(source, 'original'):
                to_module.parametrizations[name].original = source.original
            else:
                i = 0
                while hasattr(source, f'original{i}'):
                    setattr(to_module.parametrizations[name], f'original{i}', getattr(source, f'original{i}'))
                    i += 1
    return to_module
