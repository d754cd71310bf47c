"""ember.vision.datasets on small files written in each format in a temporary directory."""
import gzip
import os
import pickle

import numpy as np
import pytest
from PIL import Image

import ember
from ember.vision import datasets, transforms


def write_idx(path, array, compress=False):
    """An IDX file: magic 0 0 <type 0x08 = uint8> <ndim>, big-endian int32 sizes, the bytes."""
    header = bytes([0, 0, 0x08, array.ndim]) + np.asarray(array.shape, dtype='>i4').tobytes()
    with (gzip.open if compress else open)(path, 'wb') as f:
        f.write(header + array.astype(np.uint8).tobytes())


@pytest.fixture
def image_root(tmp_path):
    rng = np.random.default_rng(0)
    for name, ext in [('cat', '.png'), ('cat', '.jpg'), ('dog', '.PNG'), ('dog', '.txt'), ('ant', '.jpeg')]:
        folder = tmp_path / name
        folder.mkdir(exist_ok=True)
        path = folder / f'{name}{len(os.listdir(folder))}{ext}'
        if ext == '.txt':
            path.write_text('not an image')
        else:
            Image.fromarray(rng.integers(0, 256, (5, 7, 3), dtype=np.uint8)).save(
                path, format='JPEG' if 'jp' in ext else 'PNG')
    return tmp_path


def test_image_folder(image_root):
    dataset = datasets.ImageFolder(str(image_root), transform=transforms.ToTensor(), target_transform=lambda t: t * 10)
    assert dataset.classes == ['ant', 'cat', 'dog']
    assert dataset.class_to_idx == {'ant': 0, 'cat': 1, 'dog': 2}
    assert [os.path.basename(p) for p, _ in dataset.samples] == ['ant0.jpeg', 'cat0.png', 'cat1.jpg', 'dog0.PNG']
    assert dataset.targets == [0, 1, 1, 2] and dataset.imgs == dataset.samples and len(dataset) == 4
    image, target = dataset[1]
    assert tuple(image.shape) == (3, 5, 7) and target == 10
    raw, _ = datasets.ImageFolder(str(image_root))[0]
    assert isinstance(raw, Image.Image) and raw.mode == 'RGB'


def test_dataset_folder_options_and_errors(image_root, tmp_path_factory):
    only_png = datasets.DatasetFolder(str(image_root), loader=lambda p: p, is_valid_file=lambda p: p.endswith('.png'),
                                      allow_empty=True)
    assert [t for _, t in only_png.samples] == [1]
    texts = datasets.DatasetFolder(str(image_root), loader=lambda p: open(p).read(), extensions=('.txt',),
                                   allow_empty=True)
    assert texts[0] == ('not an image', 2)
    with pytest.raises(FileNotFoundError, match='Found no valid file for the classes'):
        datasets.DatasetFolder(str(image_root), loader=lambda p: p, extensions=('.txt',))
    with pytest.raises(ValueError):
        datasets.DatasetFolder(str(image_root), loader=lambda p: p)
    empty = tmp_path_factory.mktemp('empty')
    with pytest.raises(FileNotFoundError, match="Couldn't find any class folder"):
        datasets.ImageFolder(str(empty))


@pytest.mark.parametrize('cls', [datasets.MNIST, datasets.FashionMNIST])
@pytest.mark.parametrize('compress', [False, True])
def test_mnist_idx_files(tmp_path, cls, compress):
    raw = tmp_path / cls.__name__ / 'raw'
    raw.mkdir(parents=True)
    rng = np.random.default_rng(1)
    images = {split: rng.integers(0, 256, (n, 28, 28), dtype=np.uint8) for split, n in [('train', 6), ('t10k', 3)]}
    labels = {split: rng.integers(0, 10, n, dtype=np.uint8) for split, n in [('train', 6), ('t10k', 3)]}
    suffix = '.gz' if compress else ''
    for split in images:
        write_idx(str(raw / f'{split}-images-idx3-ubyte{suffix}'), images[split], compress)
        write_idx(str(raw / f'{split}-labels-idx1-ubyte{suffix}'), labels[split], compress)
    train = cls(str(tmp_path), train=True)
    test = cls(str(tmp_path), train=False, transform=transforms.ToTensor())
    assert len(train) == 6 and len(test) == 3 and len(train.classes) == 10
    assert train.data.dtype == ember.uint8 and tuple(train.data.shape) == (6, 28, 28)
    assert train.targets.dtype == ember.int64
    np.testing.assert_array_equal(train.data.numpy(), images['train'])
    image, label = train[2]
    assert image.mode == 'L' and np.array_equal(np.asarray(image), images['train'][2])
    assert isinstance(label, int) and label == labels['train'][2]
    tensor_image, _ = test[0]
    assert tuple(tensor_image.shape) == (1, 28, 28)


@pytest.mark.parametrize('cls', [datasets.MNIST, datasets.FashionMNIST])
def test_mnist_old_attribute_names(tmp_path, cls):
    # torchvision keeps the names of its first versions, each warning with the new name
    raw = tmp_path / cls.__name__ / 'raw'
    raw.mkdir(parents=True)
    for split, n in [('train', 3), ('t10k', 2)]:
        write_idx(str(raw / f'{split}-images-idx3-ubyte'), np.zeros((n, 28, 28), dtype=np.uint8))
        write_idx(str(raw / f'{split}-labels-idx1-ubyte'), np.arange(n, dtype=np.uint8))
    train, test = cls(str(tmp_path)), cls(str(tmp_path), train=False)
    for dataset, old_name, new_name in [(train, 'train_data', 'data'), (train, 'train_labels', 'targets'),
                                        (test, 'test_data', 'data'), (test, 'test_labels', 'targets')]:
        with pytest.warns(UserWarning, match=f'^{old_name} has been renamed {new_name}$'):
            assert getattr(dataset, old_name) is getattr(dataset, new_name)
    assert (train.training_file, train.test_file) == ('training.pt', 'test.pt')
    assert train.raw_folder == os.path.join(str(tmp_path), cls.__name__, 'raw')
    assert train.processed_folder == os.path.join(str(tmp_path), cls.__name__, 'processed')
    assert train.class_to_idx == {name: index for index, name in enumerate(cls.classes)}


def test_mnist_missing_files_say_where(tmp_path):
    with pytest.raises(RuntimeError, match=r'MNIST.*raw.*train-images-idx3-ubyte'):
        datasets.MNIST(str(tmp_path), download=True)


def write_cifar(folder, batches, meta_name, meta_key, label_key):
    folder.mkdir(parents=True)
    rng = np.random.default_rng(2)
    written = {}
    for name in batches:
        data = rng.integers(0, 256, (4, 3072), dtype=np.uint8)
        labels = [int(v) for v in rng.integers(0, 10, 4)]
        written[name] = (data, labels)
        with open(folder / name, 'wb') as f:
            pickle.dump({b'batch_label': b'batch', label_key: labels, b'data': data, b'filenames': [b'a.png'] * 4}, f,
                        protocol=2)
    with open(folder / meta_name, 'wb') as f:
        pickle.dump({meta_key: [f'class{i}' for i in range(10)], 'num_cases_per_batch': 4}, f, protocol=2)
    return written


def test_cifar10_batches(tmp_path):
    batches = [f'data_batch_{i}' for i in range(1, 6)] + ['test_batch']
    written = write_cifar(tmp_path / 'cifar-10-batches-py', batches, 'batches.meta', 'label_names', b'labels')
    train = datasets.CIFAR10(str(tmp_path), train=True)
    test = datasets.CIFAR10(str(tmp_path), train=False)
    assert len(train) == 20 and len(test) == 4 and train.classes[3] == 'class3'
    data, labels = written['data_batch_2']
    image, label = train[5]
    assert image.mode == 'RGB' and image.size == (32, 32)
    np.testing.assert_array_equal(np.asarray(image), data[1].reshape(3, 32, 32).transpose(1, 2, 0))
    assert label == labels[1] and train.targets[4:8] == labels


def test_cifar100_and_safe_unpickling(tmp_path):
    write_cifar(tmp_path / 'cifar-100-python', ['train', 'test'], 'meta', 'fine_label_names', b'fine_labels')
    assert len(datasets.CIFAR100(str(tmp_path))) == 4

    class Exploit:
        def __reduce__(self):
            return (os.system, ('echo pwned',))

    with open(tmp_path / 'cifar-100-python' / 'test', 'wb') as f:
        pickle.dump({'data': Exploit()}, f, protocol=2)
    with pytest.raises(pickle.UnpicklingError, match='not allowed'):
        datasets.CIFAR100(str(tmp_path), train=False)


def test_cifar_missing_files_say_where(tmp_path):
    with pytest.raises(RuntimeError, match=r'cifar-10-batches-py.*data_batch_1'):
        datasets.CIFAR10(str(tmp_path), download=True)


def test_digits_split():
    train, test = datasets.Digits(train=True), datasets.Digits(train=False, transform=transforms.ToTensor())
    assert len(train) + len(test) == 1797 and (len(train), len(test)) == (1433, 364)
    assert train.classes == [str(i) for i in range(10)]
    counts_train = np.bincount(train.targets.numpy(), minlength=10)
    counts_all = counts_train + np.bincount(test.targets.numpy(), minlength=10)
    np.testing.assert_array_equal(counts_train, np.floor(0.8 * counts_all))
    image, label = train[0]
    assert image.mode == 'L' and image.size == (8, 8) and isinstance(label, int)
    assert train.data.dtype == ember.uint8 and int(train.data.max()) == 255
    np.testing.assert_array_equal(datasets.Digits().data.numpy(), train.data.numpy())
    tensor_image, _ = test[0]
    assert tuple(tensor_image.shape) == (1, 8, 8) and float(tensor_image.max()) <= 1.0


def test_fake_data_is_reproducible_and_keeps_global_rng():
    dataset = datasets.FakeData(size=4, image_size=(3, 6, 5), num_classes=3, transform=transforms.ToTensor())
    ember.manual_seed(0)
    expected_next = ember.rand(3)
    ember.manual_seed(0)
    first = dataset[2]
    assert np.array_equal(ember.rand(3).numpy(), expected_next.numpy())
    second = dataset[2]
    assert tuple(first[0].shape) == (3, 6, 5) and 0 <= first[1] < 3
    assert np.array_equal(first[0].numpy(), second[0].numpy()) and first[1] == second[1]
    with pytest.raises(IndexError):
        dataset[4]
    assert 'Number of datapoints: 4' in repr(dataset)
