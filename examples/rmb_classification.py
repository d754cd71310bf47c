"""The course's RMB pipeline: tell a 1-yuan banknote from a 100-yuan one with LeNet.

It teaches the five parts of a training script — data, model, loss, optimizer, iteration — on an
image folder read by a hand-written `Dataset`:

1. generate the image folder: the real banknote photos can't ship with ember, so the script draws
   synthetic "banknotes" (a 1-yuan note is greenish with vertical stripes, a 100-yuan note reddish
   with a round watermark; colour, brightness, stripes, watermark place and noise vary) as JPGs into
   `<out>/rmb_data/{1,100}/`;
2. split it 80/10/10 into `<out>/rmb_split/{train,valid,test}/` with a seeded shuffle (the course's
   `split_dataset.py`);
3. `RMBDataset(Dataset)` lists `(path, label)` pairs and opens each image with PIL in `__getitem__`;
4. LeNet(classes=2) + `initialize_weights`, CrossEntropyLoss, SGD(momentum=0.9), StepLR;
5. the train/valid loop printing "Training:Epoch[...] Iteration[...] Loss: ... Acc:...", then the
   test-set accuracy.

Writes `<out>/rmb_data/`, `<out>/rmb_split/`, `<out>/loss_curve.png` (train and valid loss per
iteration) and `<out>/lenet_rmb.pth` (the trained state_dict).

    python examples/rmb_classification.py                          # ~100 notes per class, 10 epochs
    python examples/rmb_classification.py --images-per-class 20 --epochs 1   # smoke run
"""
import argparse
import os
import random
import shutil

import numpy as np
from PIL import Image

import ember as torch
import ember.nn as nn
import ember.optim as optim
import ember.vision.transforms as transforms
from ember.utils.data import DataLoader, Dataset
from ember.vision.models import LeNet

rmb_label = {"1": 0, "100": 1}
NOTE_HEIGHT, NOTE_WIDTH = 48, 96
# ImageNet statistics, as the course normalises with them
norm_mean = [0.485, 0.456, 0.406]
norm_std = [0.229, 0.224, 0.225]


def set_seed(seed=1):
    """Seed Python's, NumPy's and ember's generators, as the course's `set_seed` does."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def draw_banknote(denomination, rng):
    """One synthetic note as an (H, W, 3) uint8 array, drawn with whole-array NumPy operations."""
    rows, cols = np.mgrid[0:NOTE_HEIGHT, 0:NOTE_WIDTH].astype(np.float32)
    if denomination == "1":
        base = np.array([110, 140, 70], np.float32)       # olive green
        phase = rng.uniform(0, 2 * np.pi)
        pattern = np.sin(cols * rng.uniform(0.3, 0.45) + phase)[..., None] * 30  # vertical stripes (period ~15-20 px, still visible at 32x32)
    else:
        base = np.array([200, 60, 60], np.float32)        # red
        centre_row, centre_col = rng.uniform(15, 33), rng.uniform(55, 80)
        radius = rng.uniform(9, 14)
        inside = (rows - centre_row) ** 2 + (cols - centre_col) ** 2 < radius ** 2
        pattern = inside[..., None] * np.float32(40)       # bright round watermark
    colour = base + rng.normal(0, 30, size=3)              # colour jitter per note: wide enough to overlap
    image = colour * rng.uniform(0.8, 1.2) + pattern + rng.normal(0, 30, size=(NOTE_HEIGHT, NOTE_WIDTH, 3))
    return np.clip(image, 0, 255).astype(np.uint8)


def generate_dataset(dataset_dir, images_per_class, seed=1):
    """Fill `dataset_dir/{1,100}/` with `images_per_class` JPG notes each, the same ones for a given seed."""
    rng = np.random.default_rng(seed)
    for denomination in rmb_label:
        class_dir = os.path.join(dataset_dir, denomination)
        os.makedirs(class_dir, exist_ok=True)
        for i in range(images_per_class):
            path = os.path.join(class_dir, f"{denomination}_{i:04d}.jpg")
            Image.fromarray(draw_banknote(denomination, rng)).save(path, quality=90)
    print("Generated {} images per class in {}".format(images_per_class, dataset_dir))


def split_dataset(dataset_dir, split_dir, train_pct=0.8, valid_pct=0.1):
    """The course's split_dataset.py: shuffle each class with random.seed(1), copy the first 80% to
    train/, the next 10% to valid/ and the rest to test/."""
    random.seed(1)
    for sub_dir in sorted(os.listdir(dataset_dir)):
        imgs = sorted(name for name in os.listdir(os.path.join(dataset_dir, sub_dir)) if name.endswith('.jpg'))
        random.shuffle(imgs)
        img_count = len(imgs)
        train_point = int(img_count * train_pct)
        valid_point = int(img_count * (train_pct + valid_pct))
        for i, img_name in enumerate(imgs):
            split = 'train' if i < train_point else 'valid' if i < valid_point else 'test'
            out_dir = os.path.join(split_dir, split, sub_dir)
            os.makedirs(out_dir, exist_ok=True)
            shutil.copy(os.path.join(dataset_dir, sub_dir, img_name), os.path.join(out_dir, img_name))
        print('Class:{}, train:{}, valid:{}, test:{}'.format(
            sub_dir, train_point, valid_point - train_point, img_count - valid_point))


class RMBDataset(Dataset):
    """The course's dataset: `data_dir/<label name>/*.jpg`, items are (transformed RGB image, label)."""

    def __init__(self, data_dir, transform=None):
        self.label_name = rmb_label
        self.data_info = self.get_img_info(data_dir)
        self.transform = transform

    def __getitem__(self, index):
        path_img, label = self.data_info[index]
        img = Image.open(path_img).convert('RGB')
        if self.transform is not None:
            img = self.transform(img)
        return img, label

    def __len__(self):
        return len(self.data_info)

    @staticmethod
    def get_img_info(data_dir):
        """`(path, label)` for every JPG in the class folders of `data_dir`."""
        data_info = []
        for sub_dir in sorted(os.listdir(data_dir)):
            img_names = sorted(name for name in os.listdir(os.path.join(data_dir, sub_dir)) if name.endswith('.jpg'))
            data_info += [(os.path.join(data_dir, sub_dir, name), rmb_label[sub_dir]) for name in img_names]
        return data_info


def evaluate(net, loader, criterion):
    """(mean loss per batch, accuracy) of `net` over `loader`, without building a graph."""
    loss_sum, correct, total = 0., 0, 0
    net.eval()
    with torch.no_grad():
        for inputs, labels in loader:
            outputs = net(inputs)
            loss_sum += criterion(outputs, labels).item()
            _, predicted = torch.max(outputs.data, 1)
            total += labels.size(0)
            correct += (predicted == labels).sum().item()
    return loss_sum / len(loader), correct / total


def plot_curves(train_curve, valid_curve, train_iters, path):
    """Save the per-iteration train loss and the per-epoch valid loss in one PNG."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    # a valid loss is recorded once per epoch: place it at the last iteration of that epoch
    valid_x = np.arange(1, len(valid_curve) + 1) * train_iters
    plt.figure()
    plt.plot(range(len(train_curve)), train_curve, label='Train')
    plt.plot(valid_x, valid_curve, label='Valid')
    plt.legend(loc='upper right')
    plt.ylabel('loss value')
    plt.xlabel('Iteration')
    plt.savefig(path)
    plt.close()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--out', default=os.path.join('runs', 'rmb_classification'))
    parser.add_argument('--images-per-class', type=int, default=100)
    parser.add_argument('--epochs', type=int, default=10)
    parser.add_argument('--batch-size', type=int, default=16)
    parser.add_argument('--lr', type=float, default=0.01)
    parser.add_argument('--log-interval', type=int, default=5)
    args = parser.parse_args(argv)

    set_seed(1)
    dataset_dir = os.path.join(args.out, 'rmb_data')
    split_dir = os.path.join(args.out, 'rmb_split')
    shutil.rmtree(split_dir, ignore_errors=True)   # a rerun with other sizes must not mix splits
    shutil.rmtree(dataset_dir, ignore_errors=True)
    generate_dataset(dataset_dir, args.images_per_class)
    split_dataset(dataset_dir, split_dir)

    # ============================ step 1/5 data ============================
    train_transform = transforms.Compose([
        transforms.Resize((32, 32)),
        transforms.RandomCrop(32, padding=4),
        transforms.ToTensor(),
        transforms.Normalize(norm_mean, norm_std),
    ])
    valid_transform = transforms.Compose([
        transforms.Resize((32, 32)),
        transforms.ToTensor(),
        transforms.Normalize(norm_mean, norm_std),
    ])
    train_data = RMBDataset(data_dir=os.path.join(split_dir, 'train'), transform=train_transform)
    valid_data = RMBDataset(data_dir=os.path.join(split_dir, 'valid'), transform=valid_transform)
    test_data = RMBDataset(data_dir=os.path.join(split_dir, 'test'), transform=valid_transform)
    train_loader = DataLoader(dataset=train_data, batch_size=args.batch_size, shuffle=True)
    valid_loader = DataLoader(dataset=valid_data, batch_size=args.batch_size)
    test_loader = DataLoader(dataset=test_data, batch_size=args.batch_size)

    # ============================ step 2/5 model ============================
    net = LeNet(classes=2)
    net.initialize_weights()

    # ============================ step 3/5 loss function ============================
    criterion = nn.CrossEntropyLoss()

    # ============================ step 4/5 optimizer ============================
    optimizer = optim.SGD(net.parameters(), lr=args.lr, momentum=0.9)
    scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=10, gamma=0.1)

    # ============================ step 5/5 training ============================
    train_curve, valid_curve = [], []
    for epoch in range(args.epochs):
        loss_mean, correct, total = 0., 0, 0
        net.train()
        for i, (inputs, labels) in enumerate(train_loader):
            outputs = net(inputs)
            optimizer.zero_grad()
            loss = criterion(outputs, labels)
            loss.backward()
            optimizer.step()

            _, predicted = torch.max(outputs.data, 1)
            total += labels.size(0)
            correct += (predicted == labels).squeeze().sum().item()
            loss_mean += loss.item()
            train_curve.append(loss.item())
            if (i + 1) % args.log_interval == 0 or i + 1 == len(train_loader):
                loss_mean = loss_mean / ((i % args.log_interval) + 1)
                print("Training:Epoch[{:0>3}/{:0>3}] Iteration[{:0>3}/{:0>3}] Loss: {:.4f} Acc:{:.2%}".format(
                    epoch, args.epochs, i + 1, len(train_loader), loss_mean, correct / total))
                loss_mean = 0.
        scheduler.step()

        loss_val, acc_val = evaluate(net, valid_loader, criterion)
        valid_curve.append(loss_val)
        print("Valid:\t Epoch[{:0>3}/{:0>3}] Iteration[{:0>3}/{:0>3}] Loss: {:.4f} Acc:{:.2%}".format(
            epoch, args.epochs, len(valid_loader), len(valid_loader), loss_val, acc_val))

    _, acc_test = evaluate(net, test_loader, criterion)
    print("Test: Acc:{:.2%} on {} images".format(acc_test, len(test_data)))

    plot_curves(train_curve, valid_curve, len(train_loader), os.path.join(args.out, 'loss_curve.png'))
    torch.save(net.state_dict(), os.path.join(args.out, 'lenet_rmb.pth'))
    print("Saved loss_curve.png and lenet_rmb.pth in", args.out)


if __name__ == "__main__":
    main()
