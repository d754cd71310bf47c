"""Weight normalization (https://arxiv.org/abs/1602.07868), the hook-based form PyTorch has
deprecated in favour of `nn.utils.parametrizations.weight_norm`: the parameter `weight` is replaced
by `weight_g` (magnitude) and `weight_v` (direction), and a forward pre-hook recomputes the plain
attribute `weight = weight_g * weight_v / ||weight_v||` before every call."""
import warnings

from ... import _ops
from ..parameter import Parameter

__all__ = ['WeightNorm', 'weight_norm', 'remove_weight_norm']


class WeightNorm:
    """The forward pre-hook that recomputes `module.<name>` from `<name>_g` and `<name>_v`."""

    def __init__(self, name, dim):
        # PyTorch spells "norm over the whole tensor" as dim=-1 in its kernels
        self.name = name
        self.dim = -1 if dim is None else dim

    def compute_weight(self, module):
        g = getattr(module, self.name + '_g')
        v = getattr(module, self.name + '_v')
        return _ops._weight_norm(v, g, self.dim)

    @staticmethod
    def apply(module, name, dim):
        warnings.warn("`torch.nn.utils.weight_norm` is deprecated in favor of "
                      "`torch.nn.utils.parametrizations.weight_norm`.", FutureWarning, stacklevel=3)
        for hook in module._forward_pre_hooks.values():
            if isinstance(hook, WeightNorm) and hook.name == name:
                raise RuntimeError(f"Cannot register two weight_norm hooks on the same parameter {name}")
        fn = WeightNorm(name, dim)
        weight = getattr(module, name)
        del module._parameters[name]
        module.register_parameter(name + '_g', Parameter(_ops.norm_except_dim(weight, 2, fn.dim).data))
        module.register_parameter(name + '_v', Parameter(weight.data))
        # a plain attribute (not a Parameter): code that reads module.weight before the first
        # forward still finds it
        setattr(module, name, fn.compute_weight(module))
        module.register_forward_pre_hook(fn)
        return fn

    def remove(self, module):
        weight = self.compute_weight(module)
        delattr(module, self.name)
        del module._parameters[self.name + '_g']
        del module._parameters[self.name + '_v']
        setattr(module, self.name, Parameter(weight.data))

    def __call__(self, module, inputs):
        setattr(module, self.name, self.compute_weight(module))


def weight_norm(module, name='weight', dim=0):
    """Deprecated (use `nn.utils.parametrizations.weight_norm`): replace the parameter `name` by
    `<name>_g`, its norm over every dim but `dim` (over everything for `dim=None`), and `<name>_v`,
    and recompute `name = g * v / ||v||` before every forward."""
    WeightNorm.apply(module, name, dim)
    return module


def remove_weight_norm(module, name='weight'):
    """Undo `weight_norm`: `name` becomes a Parameter again, with its current value."""
    for key, hook in module._forward_pre_hooks.items():
        if isinstance(hook, WeightNorm) and hook.name == name:
            hook.remove(module)
            del module._forward_pre_hooks[key]
            return module
    raise ValueError(f"weight_norm of '{name}' not found in {module}")
