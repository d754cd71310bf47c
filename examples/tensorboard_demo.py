"""The course's TensorBoard lesson: what `SummaryWriter` records and how to look at it.

1. scalars: y = 2x and y = 2^x with `add_scalar`, and x·sin x, x·cos x, arctan x in one chart with
   `add_scalars`; histograms of a uniform and a normal sample;
2. training LeNet(classes=10, in_channels=1) on the embedded Digits (8x8 digits resized to 32x32, no
   download): train/valid loss and accuracy per iteration with `add_scalars`, and per epoch a
   histogram of every parameter and of its gradient (`<name>_data`, `<name>_grad`);
3. images: a batch of inputs tiled with `make_grid` (`add_image`), and the 6 feature maps that
   conv1 makes from one digit;
4. the model graph with `add_graph`.

Everything goes into one run directory, `<out>` (default `runs/tensorboard_demo`); the script prints
it and the command to open it: `tensorboard --logdir <out>`.

    python examples/tensorboard_demo.py
    python examples/tensorboard_demo.py --epochs 1 --limit 64     # smoke run
"""
import argparse
import os

import numpy as np

import ember as torch
import ember.nn as nn
import ember.optim as optim
import ember.vision.transforms as transforms
import ember.vision.utils as vutils
from ember.utils.data import DataLoader, Subset
from ember.utils.tensorboard import SummaryWriter
from ember.vision.datasets import Digits
from ember.vision.models import LeNet


def log_scalar_and_histogram_examples(writer, steps=100):
    """Part 1: curves and distributions that need no model."""
    for x in range(steps):
        writer.add_scalar('y=2x', x * 2, x)
        writer.add_scalar('y=pow(2, x)', 2 ** x, x)
        writer.add_scalars('data/scalar_group', {'xsinx': x * np.sin(x),
                                                 'xcosx': x * np.cos(x),
                                                 'arctanx': np.arctan(x)}, x)
    rng = np.random.default_rng(1)
    for x in range(2):
        writer.add_histogram('distribution union', np.arange(100), x)
        writer.add_histogram('distribution normal', rng.normal(size=1000), x)


def train(writer, net, train_loader, valid_loader, epochs, lr):
    """Part 2: the training loop with loss/accuracy curves and per-epoch parameter histograms."""
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.SGD(net.parameters(), lr=lr, momentum=0.9)
    iter_count = 0
    for epoch in range(epochs):
        loss_mean, correct, total = 0., 0, 0
        net.train()
        for i, (inputs, labels) in enumerate(train_loader):
            iter_count += 1
            outputs = net(inputs)
            optimizer.zero_grad()
            loss = criterion(outputs, labels)
            loss.backward()
            optimizer.step()

            _, predicted = torch.max(outputs.data, 1)
            total += labels.size(0)
            correct += (predicted == labels).sum().item()
            loss_mean += loss.item()
            writer.add_scalars('Loss', {'Train': loss.item()}, iter_count)
            writer.add_scalars('Accuracy', {'Train': correct / total}, iter_count)
        print("Training:Epoch[{:0>3}/{:0>3}] Iteration[{:0>3}/{:0>3}] Loss: {:.4f} Acc:{:.2%}".format(
            epoch, epochs, len(train_loader), len(train_loader), loss_mean / len(train_loader), correct / total))

        # the gradients still hold the last batch's values: a snapshot of both per epoch
        for name, param in net.named_parameters():
            writer.add_histogram(name + '_grad', param.grad, epoch)
            writer.add_histogram(name + '_data', param, epoch)

        loss_val, correct_val, total_val = 0., 0, 0
        net.eval()
        with torch.no_grad():
            for inputs, labels in valid_loader:
                outputs = net(inputs)
                loss_val += criterion(outputs, labels).item()
                _, predicted = torch.max(outputs.data, 1)
                total_val += labels.size(0)
                correct_val += (predicted == labels).sum().item()
        writer.add_scalars('Loss', {'Valid': loss_val / len(valid_loader)}, iter_count)
        writer.add_scalars('Accuracy', {'Valid': correct_val / total_val}, iter_count)
        print("Valid:\t Epoch[{:0>3}/{:0>3}] Loss: {:.4f} Acc:{:.2%}".format(
            epoch, epochs, loss_val / len(valid_loader), correct_val / total_val))


def log_images(writer, net, images):
    """Part 3: a grid of input images, and conv1's feature maps for the first one."""
    # the inputs were normalised to [-1, 1]: normalize=True maps them back to [0, 1] for display
    writer.add_image('input batch', vutils.make_grid(images, nrow=8, normalize=True), 0)
    net.eval()
    with torch.no_grad():
        fmap_1 = net.conv1(images[:1])               # (1, 6, 28, 28)
    fmap_1 = fmap_1.transpose(0, 1)                  # (6, 1, 28, 28): one grey image per channel
    fmap_1_grid = vutils.make_grid(fmap_1, normalize=True, scale_each=True, nrow=8)
    writer.add_image('feature map in conv1', fmap_1_grid, 0)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--out', default=os.path.join('runs', 'tensorboard_demo'))
    parser.add_argument('--epochs', type=int, default=3)
    parser.add_argument('--limit', type=int, default=None, help='use only the first N training images')
    parser.add_argument('--batch-size', type=int, default=32)
    parser.add_argument('--lr', type=float, default=0.01)
    args = parser.parse_args(argv)
    torch.manual_seed(1)

    writer = SummaryWriter(log_dir=args.out)
    log_scalar_and_histogram_examples(writer)

    transform = transforms.Compose([
        transforms.Resize(32),
        transforms.ToTensor(),
        transforms.Normalize((0.5,), (0.5,)),
    ])
    train_data = Digits(train=True, transform=transform)
    valid_data = Digits(train=False, transform=transform)
    if args.limit is not None:
        train_data = Subset(train_data, range(min(args.limit, len(train_data))))
        valid_data = Subset(valid_data, range(min(args.limit, len(valid_data))))
    train_loader = DataLoader(train_data, batch_size=args.batch_size, shuffle=True)
    valid_loader = DataLoader(valid_data, batch_size=args.batch_size)

    net = LeNet(classes=10, in_channels=1)
    net.initialize_weights()
    train(writer, net, train_loader, valid_loader, args.epochs, args.lr)

    images, _ = next(iter(valid_loader))
    log_images(writer, net, images[:32])
    writer.add_graph(net, images[:1])
    writer.close()

    print("TensorBoard logs written to", writer.get_logdir())
    print("View them with: tensorboard --logdir", writer.get_logdir())


if __name__ == "__main__":
    main()
