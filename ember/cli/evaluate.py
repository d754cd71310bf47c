"""`ember evaluate CKPT`: a trained model's accuracy and confusion matrix on the test split.

    ember evaluate runs/x/best.ckpt
    ember evaluate runs/x/best.ckpt --data other/images

The checkpoint records the dataset it was trained on, so by default the test split of that dataset
is used (for the built-in digits, `Digits(train=False)`); `--data`, `--mnist` or `--cifar10` name
another one with the same classes. The confusion matrix has one row per true class and one column per
predicted class.
"""
import numpy as np

from .. import nn
from ..utils.data import DataLoader
from ._common import UsageError, build_model, confusion_matrix, evaluate, load_checkpoint
from ._data import TransformedDataset, data_source, image_transform, load_splits

__all__ = ['add_arguments', 'run']


def add_arguments(parser):
    """The flags of `ember evaluate`."""
    parser.add_argument('checkpoint', metavar='CKPT', help='a checkpoint written by ember train')
    parser.add_argument('--data', metavar='PATH', help='an ImageFolder tree (its test split is used)')
    parser.add_argument('--mnist', metavar='DIR', help='MNIST files under DIR')
    parser.add_argument('--cifar10', metavar='DIR', help='CIFAR-10 batches under DIR')
    parser.add_argument('--batch-size', type=int, default=64, help='images per batch (default 64)')
    parser.add_argument('--workers', type=int, default=0, metavar='N', help='DataLoader worker processes')


def load_model(checkpoint):
    """The checkpoint's network, with its weights, in eval mode."""
    settings, image = checkpoint['args'], checkpoint['data']['image']
    model = build_model(settings['model'], len(checkpoint['classes']), image['model_channels'])
    model.load_state_dict(checkpoint['model'])
    return model.eval()


def format_confusion_matrix(matrix, classes):
    """The matrix as text: a header of predicted classes, then one row per true class."""
    names = [str(name) for name in classes]
    width = max(max(map(len, names)), len(str(matrix.max())))
    header = ' ' * width + ' | ' + ' '.join(name.rjust(width) for name in names)
    rows = [name.ljust(width) + ' | ' + ' '.join(str(count).rjust(width) for count in row)
            for name, row in zip(names, matrix)]
    return '\n'.join([header] + rows)


def run(args):
    """Print the accuracy and confusion matrix; returns the exit status."""
    checkpoint = load_checkpoint(args.checkpoint)
    classes = checkpoint['classes']
    source = checkpoint['data']['source']
    if args.data or args.mnist or args.cifar10:
        args.seed = source.get('seed', checkpoint['args']['seed'])
        source = data_source(args)
    _, _, test_split, test_classes, _ = load_splits(source)
    if list(test_classes) != list(classes):
        raise UsageError(f"the dataset's classes {list(test_classes)} differ from the checkpoint's {classes}")
    test_set = TransformedDataset(test_split, image_transform(checkpoint['data']['image']))
    loader = DataLoader(test_set, batch_size=args.batch_size, num_workers=args.workers)
    result = evaluate(load_model(checkpoint), loader, nn.CrossEntropyLoss())
    matrix = confusion_matrix(result.targets, result.predictions, len(classes))
    print(f"{checkpoint['args']['model']} after epoch {checkpoint['epoch']}, test split of "
          f"{source['name']} ({len(test_set)} images)")
    print(f"accuracy: {result.accuracy:.2%} ({result.correct}/{len(result.targets)})  loss: {result.loss:.4f}")
    print("confusion matrix (rows: true class, columns: predicted class):")
    print(format_confusion_matrix(matrix, classes))
    per_class = np.diag(matrix) / np.maximum(matrix.sum(axis=1), 1)
    print('per-class accuracy: ' + '  '.join(f'{name}: {value:.1%}' for name, value in zip(classes, per_class)))
    return 0
