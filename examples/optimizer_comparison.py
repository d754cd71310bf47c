"""The course's optimizer comparison: the same small network, from the same initial weights, fitted
to y = x^2 + noise by SGD, Momentum, RMSprop, Adam and Adagrad, one mini-batch at a time.

It teaches that the optimizer is a separate, swappable part (`torch.optim.X(net.parameters(), ...)`)
and how differently the update rules progress on one problem. Every network is a `copy.deepcopy` of
one initial `Net`, and all see the same batches in the same order with the same learning rate, so
only the update rule differs (Adagrad's step shrinks as squared gradients accumulate: it lags).

Prints the mean loss of the last epoch per optimizer and writes `<out>/optimizer_losses.png`
(loss per step, one curve per optimizer).

    python examples/optimizer_comparison.py                       # 1000 points, 12 epochs
    python examples/optimizer_comparison.py --samples 128 --epochs 1   # smoke run
    python examples/optimizer_comparison.py --torch                # the same script on PyTorch
"""
import argparse
import copy
import os
import sys

if '--torch' in sys.argv:   # run unchanged on PyTorch, to compare the numbers
    import torch
else:
    import ember as torch
nn = torch.nn
F = torch.nn.functional
DataLoader, TensorDataset = torch.utils.data.DataLoader, torch.utils.data.TensorDataset


class Net(nn.Module):
    """1 -> 20 -> 1 with a ReLU: enough to bend a line into a parabola."""

    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(1, 20)
        self.predict = nn.Linear(20, 1)

    def forward(self, x):
        return self.predict(F.relu(self.hidden(x)))


def make_optimizers(nets, lr):
    """One optimizer per network, with the course's hyper-parameters."""
    return {
        'SGD': torch.optim.SGD(nets['SGD'].parameters(), lr=lr),
        'Momentum': torch.optim.SGD(nets['Momentum'].parameters(), lr=lr, momentum=0.8),
        'RMSprop': torch.optim.RMSprop(nets['RMSprop'].parameters(), lr=lr, alpha=0.9),
        'Adam': torch.optim.Adam(nets['Adam'].parameters(), lr=lr, betas=(0.9, 0.99)),
        'Adagrad': torch.optim.Adagrad(nets['Adagrad'].parameters(), lr=lr),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--out', default=os.path.join('runs', 'optimizer_comparison'))
    parser.add_argument('--samples', type=int, default=1000)
    parser.add_argument('--epochs', type=int, default=12)
    parser.add_argument('--batch-size', type=int, default=32)
    parser.add_argument('--lr', type=float, default=0.01)
    parser.add_argument('--torch', action='store_true', help='run on PyTorch instead of ember')
    args = parser.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)

    torch.manual_seed(1)
    x = torch.unsqueeze(torch.linspace(-1, 1, args.samples), dim=1)
    y = x.pow(2) + 0.1 * torch.normal(torch.zeros(*x.size()))
    loader = DataLoader(TensorDataset(x, y), batch_size=args.batch_size, shuffle=True)

    initial = Net()
    names = ['SGD', 'Momentum', 'RMSprop', 'Adam', 'Adagrad']
    nets = {name: copy.deepcopy(initial) for name in names}   # same starting weights for all
    optimizers = make_optimizers(nets, args.lr)
    loss_func = nn.MSELoss()
    losses_his = {name: [] for name in names}

    for epoch in range(args.epochs):
        for step, (b_x, b_y) in enumerate(loader):
            for name in names:
                output = nets[name](b_x)
                loss = loss_func(output, b_y)
                optimizers[name].zero_grad()
                loss.backward()
                optimizers[name].step()
                losses_his[name].append(loss.item())
        print('Epoch:', epoch, '  '.join('{} {:.4f}'.format(name, losses_his[name][-1]) for name in names))

    print('final loss (mean over the last epoch):')
    for name in names:
        last_epoch = losses_his[name][-len(loader):]
        print('  {:<9} {:.5f}'.format(name, sum(last_epoch) / len(last_epoch)))

    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    plt.figure(figsize=(8, 5))
    for name in names:
        plt.plot(losses_his[name], label=name)
    plt.legend(loc='best')
    plt.xlabel('Steps')
    plt.ylabel('Loss')
    plt.ylim((0, 0.2))
    path = os.path.join(args.out, 'optimizer_losses.png')
    plt.savefig(path)
    plt.close()
    print('Saved', path)


if __name__ == "__main__":
    main()
