"""`ember train`'s default recipe as a plain PyTorch script (W7's reference).

    python bench/train_digits.py                         # on PyTorch
    python -m ember.compat bench/train_digits.py         # the same file on ember

LeNet (one input channel, the course's initialize_weights) on the built-in 8x8 digits resized to 32x32, RandomCrop(32, padding=4),
normalised; batch 16, SGD(lr 0.01, momentum 0.9), StepLR(7, 0.1), CrossEntropyLoss, 10 epochs, one
validation pass per epoch, the test accuracy at the end. The images come from ember's data file and
are prepared with NumPy and Pillow, which both libraries share, so the difference between the two
runs is the framework. Prints the test accuracy and the wall time in seconds.
"""
import argparse
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image
from torch.utils.data import DataLoader, Dataset

from ember.vision.datasets.digits import _load_digits, _train_mask

MEAN, STD = 0.5, 0.5


def digit_images(train, size=32):
    """The split's images as float32 (N, 1, size, size) in [0, 1], resized bilinearly like Resize()."""
    pixels, labels = _load_digits()
    rows = _train_mask(labels) == train
    small = np.round(pixels[rows] * (255 / 16)).astype(np.uint8)
    big = np.stack([np.asarray(Image.fromarray(p, mode='L').resize((size, size), Image.BILINEAR)) for p in small])
    return big[:, None].astype(np.float32) / 255, labels[rows]


class Digits(Dataset):
    def __init__(self, train, augment, seed=1):
        self.images, self.labels = digit_images(train)
        self.augment = augment
        self.rng = np.random.default_rng(seed)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, index):
        image = self.images[index]
        if self.augment:  # RandomCrop(32, padding=4)
            padded = np.pad(image, ((0, 0), (4, 4), (4, 4)))
            top, left = self.rng.integers(0, 9, 2)
            image = padded[:, top:top + 32, left:left + 32]
        return torch.from_numpy((image - MEAN) / STD), int(self.labels[index])


class LeNet(nn.Module):
    # written out (as ember.vision.models.LeNet is) because torch has no LeNet and torchvision is not here
    def __init__(self, classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, classes)

    def forward(self, x):
        out = F.max_pool2d(F.relu(self.conv1(x)), 2)
        out = F.max_pool2d(F.relu(self.conv2(out)), 2)
        out = out.view(out.size(0), -1)
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(out)))))

    def initialize_weights(self):
        """The course's: Xavier-normal convolutions, N(0, 0.1) linear weights, zero biases."""
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.xavier_normal_(m.weight.data)
                m.bias.data.zero_()
            elif isinstance(m, nn.Linear):
                nn.init.normal_(m.weight.data, 0, 0.1)
                m.bias.data.zero_()


def accuracy(model, loader):
    model.eval()
    correct = 0
    with torch.no_grad():
        for inputs, labels in loader:
            correct += int((model(inputs).argmax(1) == labels).sum())
    return correct / len(loader.dataset)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--epochs', type=int, default=10)
    parser.add_argument('--threads', type=int, default=None)
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    started = time.perf_counter()
    torch.manual_seed(1)
    train_loader = DataLoader(Digits(True, augment=True), batch_size=16, shuffle=True, drop_last=True)
    test_loader = DataLoader(Digits(False, augment=False), batch_size=16)
    model = LeNet()
    model.initialize_weights()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=max(1, 7 * args.epochs // 10), gamma=0.1)
    loss_fn = nn.CrossEntropyLoss()
    for epoch in range(args.epochs):
        model.train()
        for inputs, labels in train_loader:
            loss = loss_fn(model(inputs), labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        scheduler.step()
        valid_accuracy = accuracy(model, test_loader)
    print(f"test accuracy {valid_accuracy:.4f} seconds {time.perf_counter() - started:.2f}")


if __name__ == '__main__':
    main()
