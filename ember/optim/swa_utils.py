"""Stochastic Weight Averaging and exponential moving averages of a model's weights.

`AveragedModel` keeps a copy of a model whose parameters are a running average of the model's
parameters over training (`update_parameters(model)` after each step or epoch); `SWALR` anneals each
group's learning rate to a constant `swa_lr` for the averaging phase; `update_bn` recomputes the
batch-norm statistics of the averaged model, which no training step has seen.
"""
import itertools
import math
from copy import deepcopy

from .. import _dtype as dtypes
from .._creation import tensor
from ..autograd.grad_mode import no_grad
from ..nn.modules.module import Module
from .lr_scheduler import LRScheduler, _per_group, _warn_get_lr_called_within_step

__all__ = ['AveragedModel', 'update_bn', 'SWALR', 'get_ema_multi_avg_fn', 'get_swa_multi_avg_fn', 'get_ema_avg_fn',
           'get_swa_avg_fn']


def _check_decay(decay):
    if decay < 0.0 or decay > 1.0:
        raise ValueError(f"Invalid decay value {decay} provided. Please provide a value in [0,1] range.")


def _is_float(t):
    return t.is_floating_point() or t.is_complex()


def get_ema_multi_avg_fn(decay=0.999):
    """An in-place update of a list of averaged tensors: the exponential moving average
    ema = decay * ema + (1 - decay) * current."""
    _check_decay(decay)

    @no_grad()
    def ema_update(ema_param_list, current_param_list, _):
        for p_ema, p_model in zip(ema_param_list, current_param_list):
            if _is_float(p_ema):
                p_ema.lerp_(p_model, 1 - decay)
            else:  # (lerp is for floating point; integer buffers take the rounded formula)
                p_ema.copy_(p_ema * decay + p_model * (1 - decay))
    return ema_update


def get_swa_multi_avg_fn():
    """An in-place update of a list of averaged tensors: the running mean over the
    `num_averaged + 1` models seen, avg = avg + (current - avg) / (num_averaged + 1)."""
    @no_grad()
    def swa_update(averaged_param_list, current_param_list, num_averaged):
        for p_avg, p_model in zip(averaged_param_list, current_param_list):
            if _is_float(p_avg):
                p_avg.lerp_(p_model, 1 / (num_averaged + 1))
            elif hasattr(num_averaged, 'dim'):
                p_avg.addcdiv_(p_model - p_avg, num_averaged + 1)
            else:
                p_avg.add_(p_model - p_avg, alpha=1.0 / (num_averaged + 1))
    return swa_update


def get_ema_avg_fn(decay=0.999):
    """ema_update(ema_param, current_param, num_averaged) -> the new exponential moving average."""
    _check_decay(decay)

    @no_grad()
    def ema_update(ema_param, current_param, num_averaged):
        return decay * ema_param + (1 - decay) * current_param
    return ema_update


def get_swa_avg_fn():
    """swa_update(averaged_param, current_param, num_averaged) -> the new running mean."""
    @no_grad()
    def swa_update(averaged_param, current_param, num_averaged):
        return averaged_param + (current_param - averaged_param) / (num_averaged + 1)
    return swa_update


class AveragedModel(Module):
    """A copy of `model` (as `self.module`) whose weights average the model's over the calls to
    `update_parameters`, counted in the buffer `n_averaged`.

    The average is the running mean (SWA) unless `avg_fn(averaged, current, n_averaged) -> new` or
    `multi_avg_fn(averaged_list, current_list, n_averaged)` (in place, per dtype group) says otherwise,
    e.g. `get_ema_multi_avg_fn(0.999)`. With `use_buffers` the buffers are averaged too; otherwise
    they are copied from the model at each update.
    """

    def __init__(self, model, device=None, avg_fn=None, multi_avg_fn=None, use_buffers=False):
        super().__init__()
        if avg_fn is not None and multi_avg_fn is not None:
            raise AssertionError("Only one of avg_fn and multi_avg_fn should be provided")
        self.module = deepcopy(model)
        if device is not None:
            self.module = self.module.to(device)
        self.register_buffer('n_averaged', tensor(0, dtype=dtypes.long))
        self.avg_fn = avg_fn
        self.multi_avg_fn = multi_avg_fn
        self.use_buffers = use_buffers

    def forward(self, *args, **kwargs):
        return self.module(*args, **kwargs)

    def update_parameters(self, model):
        """Fold `model`'s current weights into the average (the first call copies them)."""
        if self.use_buffers:
            averaged = itertools.chain(self.module.parameters(), self.module.buffers())
            current = itertools.chain(model.parameters(), model.buffers())
        else:
            averaged, current = self.parameters(), model.parameters()
        averaged = [p.detach() for p in averaged]
        current = [p.detach() for p in current]
        if self.n_averaged == 0:
            for p_averaged, p_model in zip(averaged, current):
                p_averaged.copy_(p_model)
        else:
            if self.avg_fn is None:
                # PyTorch groups the tensors by dtype for its multi-tensor kernels, in order of first appearance
                groups = {}
                for p_averaged, p_model in zip(averaged, current):
                    group = groups.setdefault(p_averaged.dtype, ([], []))
                    group[0].append(p_averaged)
                    group[1].append(p_model)
                for averaged_group, current_group in groups.values():
                    if self.multi_avg_fn is not None:
                        self.multi_avg_fn(averaged_group, current_group, self.n_averaged)
                    else:
                        # (PyTorch's CPU path: the per-tensor formula, not the multi-tensor lerp)
                        swa = get_swa_avg_fn()
                        for p_averaged, p_model in zip(averaged_group, current_group):
                            p_averaged.copy_(swa(p_averaged, p_model, self.n_averaged))
            else:
                for p_averaged, p_model in zip(averaged, current):
                    p_averaged.copy_(self.avg_fn(p_averaged, p_model, self.n_averaged))
        if not self.use_buffers:
            # buffers are not averaged: keep them in sync with the source model
            for b_swa, b_model in zip(self.module.buffers(), model.buffers()):
                b_swa.detach().copy_(b_model.detach())
        self.n_averaged += 1


@no_grad()
def update_bn(loader, model, device=None):
    """Recompute the running statistics of every batch norm in `model` with one pass over `loader`
    (batches, or (input, ...) tuples whose first element is the input), as a plain average of the
    batches (momentum None); the model's train/eval mode is restored afterwards."""
    from ..nn.modules.batchnorm import _BatchNorm
    momenta = {}
    for module in model.modules():
        if isinstance(module, _BatchNorm):
            module.reset_running_stats()
            momenta[module] = module.momentum
    if not momenta:
        return
    was_training = model.training
    model.train()
    for module in momenta:
        module.momentum = None
    for input in loader:
        if isinstance(input, (list, tuple)):
            input = input[0]
        if device is not None:
            input = input.to(device)
        model(input)
    for module, momentum in momenta.items():
        module.momentum = momentum
    model.train(was_training)


class SWALR(LRScheduler):
    """Anneal each group's learning rate from its current value to `swa_lr` over `anneal_epochs`
    steps ('cos' or 'linear'), then hold it there.

    Like PyTorch it works from the current rate: each step recovers the rate the schedule started
    from (lr - alpha_prev * swa_lr) / (1 - alpha_prev) and moves it to alpha * swa_lr + (1 - alpha) * start,
    so it also chains with other schedulers.
    """

    def __init__(self, optimizer, swa_lr, anneal_epochs=10, anneal_strategy='cos', last_epoch=-1):
        for swa_lr_of_group, group in zip(_per_group('swa_lr', optimizer, swa_lr), optimizer.param_groups):
            group['swa_lr'] = swa_lr_of_group
        if anneal_strategy not in ('cos', 'linear'):
            raise ValueError(f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy}")
        self._set_anneal_func(anneal_strategy)
        if not isinstance(anneal_epochs, int) or anneal_epochs < 0:
            raise ValueError(f"anneal_epochs must be equal or greater than 0, got {anneal_epochs}")
        self.anneal_epochs = anneal_epochs
        super().__init__(optimizer, last_epoch)

    @staticmethod
    def _linear_anneal(t):
        return t

    @staticmethod
    def _cosine_anneal(t):
        return (1 - math.cos(math.pi * t)) / 2

    @staticmethod
    def _get_initial_lr(lr, swa_lr, alpha):
        if alpha == 1:
            return swa_lr
        return (lr - alpha * swa_lr) / (1 - alpha)

    def get_lr(self):
        _warn_get_lr_called_within_step(self)
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        prev_t = max(0, min(1, (step - 1) / max(1, self.anneal_epochs)))
        prev_alpha = self.anneal_func(prev_t)
        prev_lrs = [self._get_initial_lr(group['lr'], group['swa_lr'], prev_alpha)
                    for group in self.optimizer.param_groups]
        t = max(0, min(1, step / max(1, self.anneal_epochs)))
        alpha = self.anneal_func(t)
        return [group['swa_lr'] * alpha + lr * (1 - alpha) for group, lr in zip(self.optimizer.param_groups, prev_lrs)]

    def _set_anneal_func(self, anneal_strategy):
        self._anneal_strategy = anneal_strategy
        self.anneal_func = self._cosine_anneal if anneal_strategy == 'cos' else self._linear_anneal

    def state_dict(self):
        """Everything but the optimizer and the anneal function (restored from its name)."""
        return {key: value for key, value in self.__dict__.items() if key not in ('optimizer', 'anneal_func')}

    def load_state_dict(self, state_dict):
        self.__dict__.update(state_dict)
        self._set_anneal_func(self._anneal_strategy)
