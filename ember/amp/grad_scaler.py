"""`torch.amp.GradScaler`: loss scaling for mixed-precision training.

Multiply the loss by a large factor before backward so small float16 gradients do not flush to zero,
divide the gradients by it again before the optimizer step, skip steps whose gradients overflowed and
adapt the factor: halve it after an overflow, double it after `growth_interval` clean steps.
As in PyTorch, a CUDA scaler on a CPU-only build warns and disables itself (scale() then returns the
loss, step() just calls optimizer.step()); a 'cpu' scaler really scales.
"""
import warnings
from collections import abc, defaultdict
from enum import Enum

from .._creation import full
from .._dtype import float16, float32, int32
from .._tensor import Tensor
from ..autograd.grad_mode import no_grad

__all__ = ['OptState', 'GradScaler']


class OptState(Enum):
    READY = 0
    UNSCALED = 1
    STEPPED = 2


def _refresh_per_optimizer_state():
    # a top-level function (not a lambda) so a scaler's defaultdict pickles
    return {'stage': OptState.READY, 'found_inf_per_device': {}}


class GradScaler:
    """`scaler.scale(loss).backward(); scaler.step(optimizer); scaler.update()`."""

    def __init__(self, device='cuda', init_scale=2.0 ** 16, growth_factor=2.0, backoff_factor=0.5,
                 growth_interval=2000, enabled=True):
        self._device = device
        self._enabled = enabled
        if device == 'cuda' and enabled:
            warnings.warn("torch.cuda.amp.GradScaler is enabled, but CUDA is not available.  Disabling.",
                          stacklevel=2)
            self._enabled = False
        if self._enabled:
            if growth_factor <= 1.0:
                raise AssertionError("The growth factor must be > 1.0.")
            if backoff_factor >= 1.0:
                raise AssertionError("The backoff factor must be < 1.0.")
            self._init_scale = init_scale
            self._scale = None  # made by the first scale(), on the loss's device
            self._growth_factor = growth_factor
            self._backoff_factor = backoff_factor
            self._growth_interval = growth_interval
            self._init_growth_tracker = 0
            self._growth_tracker = None
            self._per_optimizer_states = defaultdict(_refresh_per_optimizer_state)

    def _check_scale_growth_tracker(self, funcname):
        fix = "This may indicate your script did not use scaler.scale(loss or outputs) earlier in the iteration."
        if self._scale is None:
            raise AssertionError(f"Attempted {funcname} but _scale is None.  " + fix)
        return self._scale, self._growth_tracker

    def scale(self, outputs):
        """Multiply a tensor (or an iterable of tensors) by the current scale factor."""
        if not self._enabled:
            return outputs
        if self._scale is None:
            self._scale = full((), self._init_scale, dtype=float32)
            self._growth_tracker = full((), self._init_growth_tracker, dtype=int32)

        def apply_scale(value):
            if isinstance(value, Tensor):
                return value * self._scale
            if isinstance(value, abc.Iterable):
                scaled = map(apply_scale, value)
                return type(value)(scaled) if isinstance(value, (list, tuple)) else scaled
            raise ValueError("outputs must be a Tensor or an iterable of Tensors")
        return apply_scale(outputs)

    def _unscale_grads_(self, optimizer, inv_scale, found_inf, allow_fp16):
        """Multiply every gradient by `inv_scale`; set `found_inf` to 1 if any holds an inf or a NaN."""
        with no_grad():
            for group in optimizer.param_groups:
                for param in group['params']:
                    if param.grad is None:
                        continue
                    if not allow_fp16 and param.grad.dtype == float16:
                        raise ValueError("Attempting to unscale FP16 gradients.")
                    if not bool(param.grad.isfinite().all()):
                        found_inf.fill_(1.0)
                    param.grad.mul_(inv_scale)
        return {'cpu': found_inf}

    def unscale_(self, optimizer):
        """Divide the optimizer's gradients by the scale (e.g. before clipping them); once per step."""
        if not self._enabled:
            return
        self._check_scale_growth_tracker("unscale_")
        optimizer_state = self._per_optimizer_states[id(optimizer)]
        if optimizer_state['stage'] is OptState.UNSCALED:
            raise RuntimeError("unscale_() has already been called on this optimizer since the last update().")
        if optimizer_state['stage'] is OptState.STEPPED:
            raise RuntimeError("unscale_() is being called after step().")
        # PyTorch takes the reciprocal in float64: float32 division can be imprecise
        inv_scale = self._scale.double().reciprocal().float()
        found_inf = full((), 0.0, dtype=float32)
        optimizer_state['found_inf_per_device'] = self._unscale_grads_(optimizer, inv_scale, found_inf, False)
        optimizer_state['stage'] = OptState.UNSCALED

    def step(self, optimizer, *args, **kwargs):
        """Unscale the gradients (unless unscale_() did), then call optimizer.step() unless they overflowed."""
        if not self._enabled:
            return optimizer.step(*args, **kwargs)
        if 'closure' in kwargs:
            raise RuntimeError("Closure use is not currently supported if GradScaler is enabled.")
        self._check_scale_growth_tracker("step")
        optimizer_state = self._per_optimizer_states[id(optimizer)]
        if optimizer_state['stage'] is OptState.STEPPED:
            raise RuntimeError("step() has already been called since the last update().")
        if optimizer_state['stage'] is OptState.READY:
            self.unscale_(optimizer)
        retval = None
        if not sum(found_inf.item() for found_inf in optimizer_state['found_inf_per_device'].values()):
            retval = optimizer.step(*args, **kwargs)
        optimizer_state['stage'] = OptState.STEPPED
        return retval

    def update(self, new_scale=None):
        """Back the scale off after an overflow, grow it after `growth_interval` clean steps, or set it."""
        if not self._enabled:
            return
        scale, growth_tracker = self._check_scale_growth_tracker("update")
        if new_scale is not None:
            if isinstance(new_scale, float):
                scale.fill_(new_scale)
            else:
                reason = ("new_scale should be a float or a 1-element torch.cuda.FloatTensor or "
                          "torch.FloatTensor with requires_grad=False.")
                if new_scale.device.type != self._device or new_scale.numel() != 1 or new_scale.requires_grad:
                    raise AssertionError(reason)
                scale.copy_(new_scale)
        else:
            found_infs = [found_inf for state in self._per_optimizer_states.values()
                          for found_inf in state['found_inf_per_device'].values()]
            if len(found_infs) == 0:
                raise AssertionError("No inf checks were recorded prior to update.")
            if sum(found_inf.item() for found_inf in found_infs):
                scale.mul_(self._backoff_factor)
                growth_tracker.fill_(0)
            elif growth_tracker.item() + 1 == self._growth_interval:
                grown = scale * self._growth_factor
                if bool(grown.isfinite()):  # PyTorch keeps the old scale if growing would overflow float32
                    scale.copy_(grown)
                growth_tracker.fill_(0)
            else:
                growth_tracker.add_(1)
        self._per_optimizer_states = defaultdict(_refresh_per_optimizer_state)

    def get_scale(self):
        """The current scale as a Python float; 1.0 when scaling is disabled."""
        if self._enabled:
            return self._init_scale if self._scale is None else self._scale.item()
        return 1.0

    def get_growth_factor(self):
        return self._growth_factor

    def set_growth_factor(self, new_factor):
        self._growth_factor = new_factor

    def get_backoff_factor(self):
        return self._backoff_factor

    def set_backoff_factor(self, new_factor):
        self._backoff_factor = new_factor

    def get_growth_interval(self):
        return self._growth_interval

    def set_growth_interval(self, new_interval):
        self._growth_interval = new_interval

    def _get_growth_tracker(self):
        if self._enabled:
            return self._init_growth_tracker if self._growth_tracker is None else self._growth_tracker.item()
        return 0

    def is_enabled(self):
        return self._enabled

    def state_dict(self):
        """scale, growth_factor, backoff_factor, growth_interval, _growth_tracker; {} when disabled."""
        if self._enabled:
            return {'scale': self.get_scale(), 'growth_factor': self._growth_factor,
                    'backoff_factor': self._backoff_factor, 'growth_interval': self._growth_interval,
                    '_growth_tracker': self._get_growth_tracker()}
        return {}

    def load_state_dict(self, state_dict):
        if not self._enabled:
            return
        if len(state_dict) == 0:
            raise RuntimeError("The source state dict is empty, possibly because it was saved "
                               "from a disabled instance of GradScaler.")
        self._init_scale = state_dict['scale']
        if self._scale is not None:
            self._scale.fill_(state_dict['scale'])
        self._growth_factor = state_dict['growth_factor']
        self._backoff_factor = state_dict['backoff_factor']
        self._growth_interval = state_dict['growth_interval']
        self._init_growth_tracker = state_dict['_growth_tracker']
        if self._growth_tracker is not None:
            self._growth_tracker.fill_(state_dict['_growth_tracker'])

    def __getstate__(self):
        state = self.__dict__.copy()
        if self._enabled:
            if len(self._per_optimizer_states) != 0:
                raise AssertionError("A GradScaler instance may only be pickled at the beginning "
                                     "of an iteration, or at the end after scaler.update().")
            # the unpickled scaler remakes its tensors lazily from the numbers
            state['_init_scale'] = self.get_scale()
            state['_init_growth_tracker'] = self._get_growth_tracker()
            state['_scale'] = None
            state['_growth_tracker'] = None
        return state


class _DeviceGradScaler(GradScaler):
    """Base of the deprecated `torch.cuda.amp.GradScaler` and `torch.cpu.amp.GradScaler`."""
    device_type = None

    def __init__(self, init_scale=2.0 ** 16, growth_factor=2.0, backoff_factor=0.5, growth_interval=2000,
                 enabled=True):
        warnings.warn(f"`torch.{self.device_type}.amp.GradScaler(args...)` is deprecated. "
                      f"Please use `torch.amp.GradScaler('{self.device_type}', args...)` instead.", FutureWarning,
                      stacklevel=2)
        super().__init__(self.device_type, init_scale=init_scale, growth_factor=growth_factor,
                         backoff_factor=backoff_factor, growth_interval=growth_interval, enabled=enabled)
