"""Stochastic depth ("Deep Networks with Stochastic Depth"), as torchvision's `ops.stochastic_depth`."""
from ... import empty
from ...nn.modules.module import Module

__all__ = ['stochastic_depth', 'StochasticDepth']


def stochastic_depth(input, p, mode, training=True):
    """Zero the whole batch (`mode='batch'`) or each sample (`mode='row'`) with probability `p`, scaling
    the survivors by `1 / (1 - p)`, as a residual branch dropped at random during training."""
    if p < 0.0 or p > 1.0:
        raise ValueError(f'drop probability has to be between 0 and 1, but got {p}')
    if mode not in ['batch', 'row']:
        raise ValueError(f"mode has to be either 'batch' or 'row', but got {mode}")
    if not training or p == 0.0:
        return input
    survival_rate = 1.0 - p
    size = [input.shape[0]] + [1] * (input.ndim - 1) if mode == 'row' else [1] * input.ndim
    # one Bernoulli draw per row (or one in all), from `empty(size).bernoulli_` as torchvision draws it
    noise = empty(size, dtype=input.dtype).bernoulli_(survival_rate)
    if survival_rate > 0.0:
        noise.div_(survival_rate)
    return input * noise


class StochasticDepth(Module):
    """See `stochastic_depth`; applies only in training mode."""

    def __init__(self, p, mode):
        super().__init__()
        self.p = p
        self.mode = mode

    def forward(self, input):
        return stochastic_depth(input, self.p, self.mode, self.training)

    def __repr__(self):
        return f'{self.__class__.__name__}(p={self.p}, mode={self.mode})'
