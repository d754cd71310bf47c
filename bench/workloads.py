"""The benchmark workloads, one function each, registered under their name (W1, W2, ...).

A workload is `setup(m)`: given the library `m` (ember or torch) it builds its inputs and returns
`step`, a function of no arguments that does one iteration. The runner times `step` for both
libraries; everything outside `step` (data, parameter initialisation) is not timed. Both libraries
get the same NumPy-generated data, so their steps do the same arithmetic.

Adding a workload is one decorated function here.
"""
import os

import numpy as np

WORKLOADS = {}


class Workload:
    """A registered workload: `setup(m) -> step`, what it measures, and how to report its time."""

    def __init__(self, name, description, setup, unit='ms'):
        self.name, self.description, self.setup = name, description, setup
        self.unit = unit  # time per step reported in 'ms', or 'us' for very short steps


def workload(name, description, unit='ms'):
    """Register `setup` under `name` (the runner times the steps in batches, so short steps are fine)."""
    def register(setup):
        WORKLOADS[name] = Workload(name, description, setup, unit)
        return setup
    return register


def _log_softmax(m, logits):
    # the op if the library has it, else the logsumexp form: both compute x - log(sum(exp(x)))
    if hasattr(m, 'log_softmax'):
        return m.log_softmax(logits, 1)
    return logits - logits.logsumexp(1, keepdim=True)


@workload('W5', 'per-op overhead: y = (x + w) * (w + 1); y.backward() on 1-element tensors',
          unit='us')
def per_op_overhead(m):
    x = m.tensor([0.5])
    w = m.tensor([1.5], requires_grad=True)

    def step():
        y = (x + w) * (w + 1)
        y.backward()
        w.grad = None
    return step


def mnist_mlp_data(m, batch=200, sizes=(784, 200, 200, 10)):
    """W2's batch, labels and parameters [w1, b1, w2, b2, w3, b3] (w as (in, out), used as x @ w)."""
    rng = np.random.default_rng(0)
    x = m.tensor(rng.random((batch, sizes[0]), dtype=np.float32))
    y = m.tensor(rng.integers(0, 10, batch))
    params = []
    for fan_in, fan_out in zip(sizes, sizes[1:]):
        bound = 1 / np.sqrt(fan_in)  # nn.Linear's default init range
        params.append(m.tensor(rng.uniform(-bound, bound, (fan_in, fan_out)).astype(np.float32), requires_grad=True))
        params.append(m.tensor(rng.uniform(-bound, bound, fan_out).astype(np.float32), requires_grad=True))
    return x, y, params


W2_LR = 0.1


@workload('W2', 'MNIST MLP training step: 784-200-200-10, batch 200, core ops, manual SGD')
def mnist_mlp_step(m):
    x, y, params = mnist_mlp_data(m)
    w1, b1, w2, b2, w3, b3 = params
    lr = W2_LR

    def step():
        h = (x @ w1 + b1).relu()
        h = (h @ w2 + b2).relu()
        logp = _log_softmax(m, h @ w3 + b3)
        loss = -logp.gather(1, y[:, None]).mean()
        loss.backward()
        with m.no_grad():
            for p in params:
                p -= lr * p.grad
                p.grad = None
        return loss
    return step


def _optimizer_step_workload(m, optimizer_name, sizes, **options):
    """One `optimizer.step()` over the parameters of an MLP of the given layer sizes, with fixed
    gradients: the optimizer's own cost, nothing else."""
    rng = np.random.default_rng(1)
    params = []
    for fan_in, fan_out in zip(sizes, sizes[1:]):
        for shape in ((fan_out, fan_in), (fan_out,)):
            p = m.tensor(rng.standard_normal(shape).astype(np.float32) * 0.01, requires_grad=True)
            p.grad = m.tensor(rng.standard_normal(shape).astype(np.float32))
            params.append(p)
    optimizer = getattr(m.optim, optimizer_name)(params, **options)
    return optimizer.step


_MNIST_SIZES = (784, 200, 200, 10)
_DEEP_SIZES = (256,) * 101  # the course's 100-layer, 256-wide MLP


@workload('O1', 'SGD(momentum=0.9) step over the MNIST MLP parameters (784-200-200-10)')
def sgd_step_mnist(m):
    return _optimizer_step_workload(m, 'SGD', _MNIST_SIZES, lr=0.01, momentum=0.9)


@workload('O2', 'Adam step over the MNIST MLP parameters (784-200-200-10)')
def adam_step_mnist(m):
    return _optimizer_step_workload(m, 'Adam', _MNIST_SIZES, lr=1e-3)


@workload('O3', 'SGD(momentum=0.9) step over a 100-layer 256-wide MLP (200 parameters)')
def sgd_step_deep(m):
    return _optimizer_step_workload(m, 'SGD', _DEEP_SIZES, lr=0.01, momentum=0.9)


@workload('O4', 'Adam step over a 100-layer 256-wide MLP (200 parameters)')
def adam_step_deep(m):
    return _optimizer_step_workload(m, 'Adam', _DEEP_SIZES, lr=1e-3)


@workload('W8', 'char-level LSTM training step: embedding 64, 2-layer LSTM 256, seq 64, batch 32, vocab 65, SGD')
def char_lstm_step(m):
    rng = np.random.default_rng(0)
    vocab, embedding_dim, hidden, steps, batch, lr = 65, 64, 256, 64, 32, 0.1
    m.manual_seed(0)
    tokens = m.tensor(rng.integers(0, vocab, (batch, steps)))
    targets = m.tensor(rng.integers(0, vocab, batch * steps))
    if hasattr(m.nn, 'Embedding'):
        embedding = m.nn.Embedding(vocab, embedding_dim)
        embed = embedding
    else:  # a one-hot matmul is the same arithmetic as an embedding lookup
        embedding = m.nn.Linear(vocab, embedding_dim, bias=False)
        one_hot = m.tensor(np.eye(vocab, dtype=np.float32)[rng.integers(0, vocab, (batch, steps))])
        embed = lambda _: embedding(one_hot)  # noqa: E731
    lstm = m.nn.LSTM(embedding_dim, hidden, num_layers=2, batch_first=True)
    head = m.nn.Linear(hidden, vocab)
    optimizer = m.optim.SGD(list(embedding.parameters()) + list(lstm.parameters()) + list(head.parameters()), lr=lr)

    def step():
        output, _ = lstm(embed(tokens))
        logits = head(output.reshape(batch * steps, hidden))
        loss = -_log_softmax(m, logits).gather(1, targets[:, None]).mean()
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        return loss
    return step


class _ImageFolderItems:
    """Decode + the course's train transforms (ember.vision on Pillow images) for each item of a
    small generated image folder; items come out as NumPy arrays so that ember's and torch's
    DataLoader do exactly the same per-item work and differ only in the loader itself."""

    def __init__(self, root):
        from ember.vision import datasets, transforms
        self.folder = datasets.ImageFolder(root)
        self.transform = transforms.Compose([
            transforms.Resize((32, 32)), transforms.RandomCrop(32, padding=4), transforms.RandomHorizontalFlip(),
            transforms.ToTensor(), transforms.Normalize((0.5, 0.5, 0.5), (0.25, 0.25, 0.25))])

    def __len__(self):
        return len(self.folder)

    def __getitem__(self, index):
        path, label = self.folder.samples[index]
        image = self.folder.loader(path)
        return self.transform(image).numpy(), label


def _image_folder(count=128, size=96):
    """A temporary two-class folder of random JPEGs (made once per process)."""
    import tempfile
    from PIL import Image
    if not hasattr(_image_folder, 'root'):
        root = tempfile.mkdtemp(prefix='ember_bench_images_')
        rng = np.random.default_rng(0)
        for i in range(count):
            folder = os.path.join(root, f"class{i % 2}")
            os.makedirs(folder, exist_ok=True)
            pixels = rng.integers(0, 256, (size, size, 3), dtype=np.uint8)
            Image.fromarray(pixels).save(os.path.join(folder, f"{i}.jpg"), quality=90)
        _image_folder.root = root
    return _image_folder.root


def _loader_epoch(m, num_workers):
    dataset = _ImageFolderItems(_image_folder())
    loader = m.utils.data.DataLoader(dataset, batch_size=16, shuffle=True, num_workers=num_workers,
                                     persistent_workers=num_workers > 0)

    def step():
        for _ in loader:
            pass
    return step


@workload('W6', 'DataLoader epoch over 128 images (decode + course train transforms), 2 workers')
def loader_two_workers(m):
    return _loader_epoch(m, 2)


@workload('W6-0', 'the same DataLoader epoch with 0 workers (W6-0 / W6 = speed-up from 2 workers)')
def loader_no_workers(m):
    return _loader_epoch(m, 0)


@workload('W9', 'Transformer training step: 2-layer TransformerEncoder (d_model 128, 4 heads, feed-forward 512, '
          'dropout 0.1), sequence 64, batch 32, MSE loss, SGD')
def transformer_encoder_step(m):
    rng = np.random.default_rng(0)
    batch, seq, d_model = 32, 64, 128
    x = m.tensor(rng.standard_normal((batch, seq, d_model), dtype=np.float32))
    target = m.tensor(rng.standard_normal((batch, seq, d_model), dtype=np.float32))
    m.manual_seed(0)  # the same initial weights in both (ember's initialisers reproduce torch's draws)
    layer = m.nn.TransformerEncoderLayer(d_model, 4, dim_feedforward=512, dropout=0.1, batch_first=True)
    model = m.nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
    optimizer = m.optim.SGD(model.parameters(), lr=0.01)

    def step():
        optimizer.zero_grad()
        loss = ((model(x) - target) ** 2).mean()
        loss.backward()
        optimizer.step()
        return loss
    return step


def _sgd_training_step(m, model, x, y, lr=0.01):
    """One course training step: forward, CrossEntropyLoss, backward, SGD(momentum=0.9).step()."""
    criterion = m.nn.CrossEntropyLoss()
    optimizer = m.optim.SGD(model.parameters(), lr=lr, momentum=0.9)

    def step():
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
        return loss
    return step


def lenet(m):
    """The course's LeNet on 3x32x32 images (built with manual_seed(0): the same weights in both)."""
    nn = m.nn
    m.manual_seed(0)
    return nn.Sequential(
        nn.Conv2d(3, 6, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


def larger_cnn(m):
    """W4's network: three convolutions (64, 128, 256 channels) on 3x64x64 images, two linears."""
    nn = m.nn
    m.manual_seed(0)
    return nn.Sequential(
        nn.Conv2d(3, 64, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(64, 128, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(128, 256, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(4),
        nn.Flatten(), nn.Linear(4096, 256), nn.ReLU(), nn.Linear(256, 10))


def deep_tanh_mlp(m, depth=100, width=256):
    """The course's initialisation demonstration: `depth` bias-free `width`-wide linears with tanh."""
    m.manual_seed(0)
    layers = []
    for _ in range(depth):
        layers += [m.nn.Linear(width, width, bias=False), m.nn.Tanh()]
    return m.nn.Sequential(*layers)


def image_batch(m, shape, classes=10, seed=0):
    """A standard-normal image batch and random labels, the same in both libraries."""
    rng = np.random.default_rng(seed)
    return m.tensor(rng.standard_normal(shape, dtype=np.float32)), m.tensor(rng.integers(0, classes, shape[0]))


W1_BATCH = (16, 3, 32, 32)
W3_BATCH = (16, 256)
W4_BATCH = (32, 3, 64, 64)


@workload('W1', 'LeNet training step: batch 16x3x32x32, nn modules, CrossEntropyLoss, backward, SGD momentum 0.9')
def lenet_step(m):
    x, y = image_batch(m, W1_BATCH)
    return _sgd_training_step(m, lenet(m), x, y)


@workload('W3', '100-layer 256-wide bias-free tanh MLP, batch 16, forward only, autograd recording '
          '(parameters require grad, as in the course)')
def deep_mlp_forward(m):
    model = deep_tanh_mlp(m)
    x = m.tensor(np.random.default_rng(0).standard_normal(W3_BATCH, dtype=np.float32))

    def step():
        return model(x)  # the graph is built (parameters require grad) and dropped with the output
    return step


@workload('W4', 'larger CNN training step: batch 32x3x64x64, conv 64-128-256, AdaptiveAvgPool 4, '
          'linear 4096-256-10, CrossEntropyLoss, backward, SGD momentum 0.9')
def larger_cnn_step(m):
    x, y = image_batch(m, W4_BATCH)
    return _sgd_training_step(m, larger_cnn(m), x, y)
