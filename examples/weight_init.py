"""The course's weight-initialisation lesson: push a batch through a 100-layer, 256-wide, bias-free
MLP and print the standard deviation of every layer's output.

Modes (`--mode`, or `all`):
  normal          N(0, 1) weights, no activation: the std grows ~16x per layer (sqrt(256)) until
                  float32 overflows and the std is nan — exploding activations;
  tanh_scaled     N(0, 1/n) weights with tanh: the variance is kept for a linear layer but tanh
                  squeezes it, layer after layer — vanishing activations;
  xavier_manual   Xavier uniform by hand, U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out)) and
                  the tanh gain: the std settles around 0.65;
  xavier          the same through `nn.init.xavier_uniform_(w, gain=nn.init.calculate_gain('tanh'))`;
  kaiming_manual  Kaiming by hand for ReLU: N(0, 2 / fan_in);
  kaiming         `nn.init.kaiming_normal_(w)` with ReLU: the std stays of order 1.

Each mode starts from seed 1 (`set_seed(1)` in the course), so its numbers are PyTorch's
(`--torch` runs the same script on PyTorch). Prints "layer:i, std:s" lines as the course does,
writes `<out>/layer_std.png` (std per layer, log scale, one curve per mode run). `--health` also
prints `ember.utils.health.inspect(model, inputs)` when that module is available.

    python examples/weight_init.py --mode all
    python examples/weight_init.py --mode kaiming --layers 10 --width 64     # smoke run
"""
import argparse
import contextlib
import io
import os
import random
import sys

import numpy as np

if '--torch' in sys.argv:   # run unchanged on PyTorch, to compare the numbers
    import torch
else:
    import ember as torch
nn = torch.nn

MODES = ['normal', 'tanh_scaled', 'xavier_manual', 'xavier', 'kaiming_manual', 'kaiming']


def set_seed(seed=1):
    """Seed Python's, NumPy's and the framework's generators, as the course's `set_seed` does."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


class MLP(nn.Module):
    """`layers` bias-free Linear(width, width) layers, each followed by `activation` (or nothing).
    `forward` records the std of every layer's output in `self.stds` and stops at the first nan."""

    def __init__(self, neural_num, layers, activation=None):
        super().__init__()
        self.linears = nn.ModuleList([nn.Linear(neural_num, neural_num, bias=False) for _ in range(layers)])
        self.neural_num = neural_num
        self.activation = activation
        self.stds = []

    def forward(self, x):
        self.stds = []
        for i, linear in enumerate(self.linears):
            x = linear(x)
            if self.activation is not None:
                x = self.activation(x)
            std = x.std()
            self.stds.append(std.item())
            print("layer:{}, std:{}".format(i, std))
            if torch.isnan(std):
                print("output is nan in {} layers".format(i))
                break
        return x

    def initialize(self, mode):
        """Initialise every Linear weight the way `mode` says (see the module docstring)."""
        for m in self.modules():
            if isinstance(m, nn.Linear):
                if mode == 'normal':
                    nn.init.normal_(m.weight.data)                               # mean=0, std=1
                elif mode == 'tanh_scaled':
                    nn.init.normal_(m.weight.data, std=np.sqrt(1 / self.neural_num))
                elif mode == 'xavier_manual':
                    a = np.sqrt(6 / (self.neural_num + self.neural_num))     # fan_in + fan_out
                    a *= nn.init.calculate_gain('tanh')
                    nn.init.uniform_(m.weight.data, -a, a)
                elif mode == 'xavier':
                    nn.init.xavier_uniform_(m.weight.data, gain=nn.init.calculate_gain('tanh'))
                elif mode == 'kaiming_manual':
                    nn.init.normal_(m.weight.data, std=np.sqrt(2 / self.neural_num))
                elif mode == 'kaiming':
                    nn.init.kaiming_normal_(m.weight.data)
                else:
                    raise ValueError(f"unknown mode {mode!r}; choose from {MODES}")


ACTIVATIONS = {'normal': None, 'tanh_scaled': torch.tanh, 'xavier_manual': torch.tanh, 'xavier': torch.tanh,
               'kaiming_manual': torch.relu, 'kaiming': torch.relu}


def print_health_report(net, inputs):
    """ember's activation/gradient health report for this model, if this ember has it."""
    try:
        from ember.utils import health
    except ImportError:
        print("--health: ember.utils.health is not available in this version")
        return
    # inspect runs the model again; the MLP prints in forward, so hide that second copy of the stds
    with contextlib.redirect_stdout(io.StringIO()):
        report = health.inspect(net, inputs)
    print(report)


def plot_stds(stds_per_mode, path):
    """Save the std of every layer's output, one curve per mode, on a log scale."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    plt.figure(figsize=(8, 5))
    for mode, stds in stds_per_mode.items():
        plt.plot(stds, label=mode)
    plt.yscale('log')
    plt.xlabel('layer')
    plt.ylabel('std of the layer output')
    plt.legend(loc='best')
    plt.savefig(path)
    plt.close()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--mode', default='all', choices=MODES + ['all'])
    parser.add_argument('--out', default=os.path.join('runs', 'weight_init'))
    parser.add_argument('--layers', type=int, default=100)
    parser.add_argument('--width', type=int, default=256)
    parser.add_argument('--batch-size', type=int, default=16)
    parser.add_argument('--health', action='store_true', help='print ember.utils.health.inspect(model, inputs)')
    parser.add_argument('--torch', action='store_true', help='run on PyTorch instead of ember')
    args = parser.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)

    stds_per_mode = {}
    for mode in (MODES if args.mode == 'all' else [args.mode]):
        print("==== mode: {} ====".format(mode))
        set_seed(1)
        net = MLP(args.width, args.layers, ACTIVATIONS[mode])
        net.initialize(mode)
        inputs = torch.randn((args.batch_size, args.width))
        output = net(inputs)
        stds_per_mode[mode] = net.stds
        print("output std {:.4g}, {} of {} layers ran".format(output.std().item(), len(net.stds), args.layers))
        if args.health and not args.torch:
            print_health_report(net, inputs)

    path = os.path.join(args.out, 'layer_std.png')
    plot_stds(stds_per_mode, path)
    print('Saved', path)


if __name__ == "__main__":
    main()
