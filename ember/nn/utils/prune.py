"""Pruning: zero out parts of a parameter through a mask, the way `torch.nn.utils.prune` does.

Pruning `module.weight` reparameterizes it: the trained values move to the parameter `weight_orig`,
the mask (1 keeps, 0 prunes) becomes the buffer `weight_mask`, and `weight` turns into a plain
attribute holding `weight_mask * weight_orig`. The pruning method itself is registered as a forward
pre-hook that recomputes `weight` before every forward, so gradients reach `weight_orig` only through
the kept entries. Pruning the same parameter again combines the methods in a `PruningContainer`,
which applies each new method only to the entries (or channels) still unpruned. `remove` makes the
pruning permanent: `weight` becomes a parameter again, holding the pruned values.

The methods that choose at random draw the same numbers as PyTorch's (`rand_like`, `rand`), and the
norm-based ones pick with `topk`, so a seeded run prunes the same entries as in PyTorch.
"""
import numbers
from abc import ABC, abstractmethod
from collections.abc import Iterable

from ..._creation import ones_like, zeros_like, rand, rand_like
from ..._ops import kthvalue, norm, topk
from .convert_parameters import parameters_to_vector

__all__ = ['BasePruningMethod', 'PruningContainer', 'Identity', 'RandomUnstructured', 'L1Unstructured',
           'RandomStructured', 'LnStructured', 'CustomFromMask', 'identity', 'random_unstructured',
           'l1_unstructured', 'random_structured', 'ln_structured', 'global_unstructured', 'custom_from_mask',
           'remove', 'is_pruned']


class BasePruningMethod(ABC):
    """The base of every pruning method: subclasses say how to compute a mask (`compute_mask`) and
    set `PRUNING_TYPE` ('unstructured', 'structured' or 'global'); this class does the
    reparameterization. An instance is the forward pre-hook of the module it prunes."""

    _tensor_name: str  # the name of the pruned parameter, set by `apply`

    def __call__(self, module, inputs):
        """The forward pre-hook: recompute `module.<name>` from the current original and mask."""
        setattr(module, self._tensor_name, self.apply_mask(module))

    @abstractmethod
    def compute_mask(self, t, default_mask):
        """The mask for the importance scores `t`, on top of `default_mask` (the mask of earlier
        pruning, ones at first): entries pruned before stay pruned."""

    def apply_mask(self, module):
        """The pruned tensor: `module.<name>_mask * module.<name>_orig`."""
        if self._tensor_name is None:
            raise AssertionError(f"Module {module} has to be pruned")
        mask = getattr(module, self._tensor_name + '_mask')
        orig = getattr(module, self._tensor_name + '_orig')
        return mask.to(dtype=orig.dtype) * orig

    @classmethod
    def apply(cls, module, name, *args, importance_scores=None, **kwargs):
        """Prune `module.<name>` with a new `cls(*args, **kwargs)`, on top of any earlier pruning of
        it, choosing the entries by `importance_scores` (default: the parameter's own values)."""
        earlier_method = _pop_pruning_hook(module, name)
        # PyTorch builds the method only after unregistering the earlier hook: a failure from here
        # on leaves the parameter reparameterized but without its hook, as there
        method = cls(*args, **kwargs)
        method._tensor_name = name
        if earlier_method is not None:
            container = earlier_method if isinstance(earlier_method, PruningContainer) \
                else PruningContainer(earlier_method)
            container.add_pruning_method(method)
            method = container
        orig = getattr(module, name)
        if importance_scores is not None:
            if importance_scores.shape != orig.shape:
                raise AssertionError(f"importance_scores should have the same shape as parameter {name} of "
                                     f"{module}, got {importance_scores.shape} vs {orig.shape}")
        else:
            importance_scores = orig

        if not isinstance(method, PruningContainer):  # the first pruning of `name`
            module.register_parameter(name + '_orig', orig)
            del module._parameters[name]
            default_mask = ones_like(orig)
        else:
            default_mask = getattr(module, name + '_mask').detach().clone()

        try:
            mask = method.compute_mask(importance_scores, default_mask=default_mask)
            module.register_buffer(name + '_mask', mask)
            setattr(module, name, method.apply_mask(module))
            module.register_forward_pre_hook(method)
        except Exception:
            # leave the module as it was: a first pruning that failed must not keep `<name>_orig`
            if not isinstance(method, PruningContainer):
                module.register_parameter(name, getattr(module, name + '_orig'))
                del module._parameters[name + '_orig']
            raise
        return method

    def prune(self, t, default_mask=None, importance_scores=None):
        """`t` times the mask this method computes for it (no module involved)."""
        if importance_scores is not None:
            if importance_scores.shape != t.shape:
                raise AssertionError(f"importance_scores should have the same shape as tensor t, got "
                                     f"{importance_scores.shape} vs {t.shape}")
        else:
            importance_scores = t
        default_mask = default_mask if default_mask is not None else ones_like(t)
        return t * self.compute_mask(importance_scores, default_mask=default_mask)

    def remove(self, module):
        """Make the pruning permanent: `module.<name>` becomes a parameter again, holding the pruned
        values; `<name>_orig` and `<name>_mask` are deleted. (The pruned entries stay zero.)"""
        if self._tensor_name is None:
            raise AssertionError(f"Module {module} has to be pruned before pruning can be removed")
        weight = self.apply_mask(module)
        if hasattr(module, self._tensor_name):
            delattr(module, self._tensor_name)
        # the parameter object stays the same (an optimizer holding it keeps working); only its data
        # becomes the pruned values
        orig = module._parameters[self._tensor_name + '_orig']
        orig.data = weight.data
        del module._parameters[self._tensor_name + '_orig']
        del module._buffers[self._tensor_name + '_mask']
        setattr(module, self._tensor_name, orig)


def _pop_pruning_hook(module, name):
    """Unregister and return the pruning method hooked for `module.<name>` (None if not pruned)."""
    hook_ids = [hook_id for hook_id, hook in module._forward_pre_hooks.items()
                if isinstance(hook, BasePruningMethod) and hook._tensor_name == name]
    if len(hook_ids) > 1:
        raise AssertionError(f"Avoid adding multiple pruning hooks to the same tensor {name} of module {module}. "
                             "Use a PruningContainer.")
    return module._forward_pre_hooks.pop(hook_ids[0]) if hook_ids else None


class PruningContainer(BasePruningMethod):
    """The pruning methods applied one after the other to one parameter (iterative pruning). Its
    mask is the latest method's, computed on the entries (or channels) the earlier ones kept."""

    def __init__(self, *args):
        self._pruning_methods = ()
        if len(args) == 1:
            self._tensor_name = args[0]._tensor_name
        for method in args:
            self.add_pruning_method(method)

    def add_pruning_method(self, method):
        """Append `method`, which must prune the same parameter as the container."""
        if not isinstance(method, BasePruningMethod) and method is not None:
            raise TypeError(f"{type(method)} is not a BasePruningMethod subclass")
        elif method is not None and self._tensor_name != method._tensor_name:
            raise ValueError(f"Can only add pruning methods acting on the parameter named '{self._tensor_name}' "
                             f"to PruningContainer {self}. Found '{method._tensor_name}'")
        self._pruning_methods += (method,)

    def __len__(self):
        return len(self._pruning_methods)

    def __iter__(self):
        return iter(self._pruning_methods)

    def __getitem__(self, idx):
        return self._pruning_methods[idx]

    def compute_mask(self, t, default_mask):
        """`default_mask` with the latest method's mask applied to what is still unpruned: the
        kept entries ('unstructured'), the channels not yet all zero ('structured'), or everything
        ('global')."""
        method = self._pruning_methods[-1]
        # `to` returns `default_mask` itself when the dtype already matches: it is updated in place
        # (apply passes a copy of the mask buffer), as in PyTorch
        new_mask = default_mask.to(dtype=t.dtype)
        if method.PRUNING_TYPE == 'unstructured':
            unpruned = default_mask == 1
        elif method.PRUNING_TYPE == 'structured':
            if not hasattr(method, 'dim'):
                raise AttributeError('Pruning methods of PRUNING_TYPE "structured" need to have the attribute '
                                     '`dim` defined.')
            n_dims = t.dim()
            dim = method.dim + n_dims if method.dim < 0 else method.dim
            if dim < 0:
                raise IndexError(f"Index is out of bounds for tensor with dimensions {n_dims}")
            keep_channel = default_mask.sum(dim=[d for d in range(n_dims) if d != dim]) != 0
            unpruned = tuple(keep_channel if d == dim else slice(None) for d in range(n_dims))
        elif method.PRUNING_TYPE == 'global':
            unpruned = (slice(None),) * len(t.shape)
        else:
            raise ValueError(f"Unrecognized PRUNING_TYPE {method.PRUNING_TYPE}")
        partial_mask = method.compute_mask(t[unpruned], default_mask=default_mask[unpruned])
        new_mask[unpruned] = partial_mask.to(dtype=new_mask.dtype)
        return new_mask


class Identity(BasePruningMethod):
    """Prunes nothing: sets up the reparameterization with a mask of ones."""

    PRUNING_TYPE = 'unstructured'

    def compute_mask(self, t, default_mask):
        return default_mask

    @classmethod
    def apply(cls, module, name):
        return super().apply(module, name)


class RandomUnstructured(BasePruningMethod):
    """Prunes `amount` of the (unpruned) entries chosen at random: an int counts entries, a float
    in [0, 1] is a fraction of them."""

    PRUNING_TYPE = 'unstructured'

    def __init__(self, amount):
        _validate_pruning_amount_init(amount)
        self.amount = amount

    def compute_mask(self, t, default_mask):
        nparams_toprune = _nparams_toprune(self.amount, t.nelement())
        mask = default_mask.clone()
        if nparams_toprune != 0:
            # PyTorch draws one uniform number per entry and prunes the k largest
            prob = rand_like(t)
            mask.view(-1)[topk(prob.view(-1), k=nparams_toprune).indices] = 0
        return mask

    @classmethod
    def apply(cls, module, name, amount):
        return super().apply(module, name, amount=amount)


class L1Unstructured(BasePruningMethod):
    """Prunes the `amount` (unpruned) entries of smallest absolute value: an int counts entries, a
    float in [0, 1] is a fraction of them."""

    PRUNING_TYPE = 'unstructured'

    def __init__(self, amount):
        _validate_pruning_amount_init(amount)
        self.amount = amount

    def compute_mask(self, t, default_mask):
        nparams_toprune = _nparams_toprune(self.amount, t.nelement())
        mask = default_mask.clone()
        if nparams_toprune != 0:
            smallest = topk(t.abs().view(-1), k=nparams_toprune, largest=False)
            mask.view(-1)[smallest.indices] = 0
        return mask

    @classmethod
    def apply(cls, module, name, amount, importance_scores=None):
        return super().apply(module, name, amount=amount, importance_scores=importance_scores)


class RandomStructured(BasePruningMethod):
    """Prunes `amount` whole (unpruned) channels along `dim`, chosen at random: an int counts
    channels, a float in [0, 1] is a fraction of them."""

    PRUNING_TYPE = 'structured'

    def __init__(self, amount, dim=-1):
        _validate_pruning_amount_init(amount)
        self.amount = amount
        self.dim = dim

    def compute_mask(self, t, default_mask):
        nchannels = _nchannels(t, self.dim)
        nchannels_toprune = _nparams_toprune(self.amount, nchannels)
        if nchannels_toprune == 0:
            return default_mask
        # one uniform number per channel; the k smallest are pruned. PyTorch keeps the channels
        # above the k-th smallest value, so a tie with it prunes one channel more.
        prob = rand(nchannels)
        threshold = kthvalue(prob, k=nchannels_toprune).values
        mask = zeros_like(t)
        mask[_along(self.dim, prob > threshold, t.dim())] = 1
        mask *= default_mask.to(dtype=mask.dtype)
        return mask

    @classmethod
    def apply(cls, module, name, amount, dim=-1):
        return super().apply(module, name, amount=amount, dim=dim)


class LnStructured(BasePruningMethod):
    """Prunes the `amount` whole (unpruned) channels along `dim` of smallest L`n`-norm (`n` as
    `p` of `torch.norm`: a number, inf, -inf or 'fro'): an int counts channels, a float in [0, 1]
    is a fraction of them."""

    PRUNING_TYPE = 'structured'

    def __init__(self, amount, n, dim=-1):
        _validate_pruning_amount_init(amount)
        self.amount = amount
        self.n = n
        self.dim = dim

    def compute_mask(self, t, default_mask):
        nchannels = _nchannels(t, self.dim)
        nchannels_toprune = _nparams_toprune(self.amount, nchannels)
        # PyTorch computes the norms (so a bad `n` raises) even when there is nothing to prune
        kept = topk(_compute_norm(t, self.n, self.dim), k=nchannels - nchannels_toprune, largest=True)
        if nchannels_toprune == 0:
            return default_mask
        mask = zeros_like(t)
        mask[_along(self.dim, kept.indices, t.dim())] = 1
        mask *= default_mask.to(dtype=mask.dtype)
        return mask

    @classmethod
    def apply(cls, module, name, amount, n, dim, importance_scores=None):
        return super().apply(module, name, amount=amount, n=n, dim=dim, importance_scores=importance_scores)


class CustomFromMask(BasePruningMethod):
    """Prunes with a given `mask` (of the parameter's shape)."""

    PRUNING_TYPE = 'global'

    def __init__(self, mask):
        self.mask = mask

    def compute_mask(self, t, default_mask):
        if default_mask.shape != self.mask.shape:
            raise AssertionError(f"default_mask shape {default_mask.shape} must match self.mask shape "
                                 f"{self.mask.shape}")
        return default_mask * self.mask.to(dtype=default_mask.dtype)

    @classmethod
    def apply(cls, module, name, mask):
        return super().apply(module, name, mask=mask)


# ---- the functional forms: prune `module.<name>` in place and return `module` ----------------------
def identity(module, name):
    """Reparameterize `module.<name>` with a mask of ones (prunes nothing)."""
    Identity.apply(module, name)
    return module


def random_unstructured(module, name, amount):
    """Prune `amount` random entries of `module.<name>` (int: how many; float: which fraction)."""
    RandomUnstructured.apply(module, name, amount)
    return module


def l1_unstructured(module, name, amount, importance_scores=None):
    """Prune the `amount` entries of `module.<name>` (or of `importance_scores`) of smallest
    absolute value (int: how many; float: which fraction)."""
    L1Unstructured.apply(module, name, amount=amount, importance_scores=importance_scores)
    return module


def random_structured(module, name, amount, dim):
    """Prune `amount` random channels of `module.<name>` along `dim`."""
    RandomStructured.apply(module, name, amount, dim)
    return module


def ln_structured(module, name, amount, n, dim, importance_scores=None):
    """Prune the `amount` channels of `module.<name>` along `dim` with the smallest L`n`-norm."""
    LnStructured.apply(module, name, amount, n, dim, importance_scores=importance_scores)
    return module


def global_unstructured(parameters, pruning_method, importance_scores=None, **kwargs):
    """Prune the `(module, name)` pairs in `parameters` together: `pruning_method(**kwargs)` (an
    'unstructured' one) chooses among all their entries at once, then each parameter gets its
    slice of the mask through `custom_from_mask`. `importance_scores` maps pairs to scores."""
    if not isinstance(parameters, Iterable):
        raise TypeError("global_unstructured(): parameters is not an Iterable")
    importance_scores = importance_scores if importance_scores is not None else {}
    if not isinstance(importance_scores, dict):
        raise TypeError("global_unstructured(): importance_scores must be of type dict")

    # one long vector of scores and one of masks (ones where a parameter is not pruned yet)
    relevant_importance_scores = parameters_to_vector(
        [importance_scores.get((module, name), getattr(module, name)) for module, name in parameters])
    default_mask = parameters_to_vector(
        [getattr(module, name + '_mask', ones_like(getattr(module, name))) for module, name in parameters])

    # a container, so the new method acts only on the entries still unpruned
    container = PruningContainer()
    container._tensor_name = 'temp'
    method = pruning_method(**kwargs)
    method._tensor_name = 'temp'
    if method.PRUNING_TYPE != 'unstructured':
        raise TypeError('Only "unstructured" PRUNING_TYPE supported for the `pruning_method`. Found method '
                        f'{pruning_method} of type {method.PRUNING_TYPE}')
    container.add_pruning_method(method)
    final_mask = container.compute_mask(relevant_importance_scores, default_mask)

    pointer = 0
    for module, name in parameters:
        param = getattr(module, name)
        num_param = param.numel()
        custom_from_mask(module, name, mask=final_mask[pointer:pointer + num_param].view_as(param))
        pointer += num_param


def custom_from_mask(module, name, mask):
    """Prune `module.<name>` with the given `mask`."""
    CustomFromMask.apply(module, name, mask)
    return module


def remove(module, name):
    """Make the pruning of `module.<name>` permanent and unregister its hook (see
    `BasePruningMethod.remove`)."""
    for hook_id, hook in module._forward_pre_hooks.items():
        if isinstance(hook, BasePruningMethod) and hook._tensor_name == name:
            hook.remove(module)
            del module._forward_pre_hooks[hook_id]
            return module
    raise ValueError(f"Parameter '{name}' of module {module} has to be pruned before pruning can be removed")


def is_pruned(module):
    """Whether `module` or one of its submodules has a pruning hook."""
    return any(isinstance(hook, BasePruningMethod)
               for _, submodule in module.named_modules() for hook in submodule._forward_pre_hooks.values())


# ---- checks and helpers ------------------------------------------------------------------------------
def _validate_pruning_amount_init(amount):
    """`amount` must be a non-negative int or a float in [0, 1] (the size of the tensor is not
    known yet)."""
    if not isinstance(amount, numbers.Real):
        raise TypeError(f"Invalid type for amount: {amount}. Must be int or float.")
    if (isinstance(amount, numbers.Integral) and amount < 0) or (
            not isinstance(amount, numbers.Integral) and (float(amount) > 1.0 or float(amount) < 0.0)):
        raise ValueError(f"amount={amount} should either be a float in the range [0, 1] or a non-negative integer")


def _nparams_toprune(amount, tensor_size):
    """How many of `tensor_size` units `amount` means: itself if an int (at most `tensor_size`),
    else the rounded fraction (Python's `round`: halves go to even)."""
    if not isinstance(amount, numbers.Integral):
        return round(amount * tensor_size)
    if amount > tensor_size:
        raise ValueError(f"amount={amount} should be smaller than the number of parameters to prune={tensor_size}")
    return amount


def _nchannels(t, dim):
    """How many channels `t` has along `dim`; channels need at least two dims."""
    if t.dim() <= 1:
        raise ValueError("Structured pruning can only be applied to multidimensional tensors. Found tensor of "
                         f"shape {t.shape} with {t.dim()} dims")
    if dim >= t.dim():
        raise IndexError(f"Invalid index {dim} for tensor of size {t.shape}")
    return t.shape[dim]


def _compute_norm(t, n, dim):
    """The L`n`-norm of each channel of `t` along `dim` (over all the other dims)."""
    dims = list(range(t.dim()))
    dims.remove(dims[dim])  # dims[dim] also turns a negative dim into its index
    return norm(t, p=n, dim=dims)


def _along(dim, index, ndim):
    """The index that selects `index` along `dim` and everything along the other dims."""
    return tuple(index if d == dim or d == dim + ndim else slice(None) for d in range(ndim))
