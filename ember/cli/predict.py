"""`ember predict CKPT IMAGE...`: classify image files with a trained model.

    ember predict runs/x/best.ckpt cat.jpg dog.png

Each image is opened with PIL, converted to the mode the training images had (grey 'L' or 'RGB'),
and given the evaluation transforms recorded in the checkpoint (resize, channels, normalization).
Prints one line per image: the file, the predicted class and its softmax probability (`--top K`
lists the K most likely classes).
"""
import os

from .. import no_grad, stack
from ._common import UsageError, load_checkpoint
from ._data import image_mode, image_transform
from .evaluate import load_model

__all__ = ['add_arguments', 'run']


def add_arguments(parser):
    """The flags of `ember predict`."""
    parser.add_argument('checkpoint', metavar='CKPT', help='a checkpoint written by ember train')
    parser.add_argument('images', metavar='IMAGE', nargs='+', help='image files (any format PIL reads)')
    parser.add_argument('--top', type=int, default=1, metavar='K', help='show the K most likely classes (default 1)')


def run(args):
    """Print each image's predicted class and probability; returns the exit status."""
    from PIL import Image, UnidentifiedImageError
    checkpoint = load_checkpoint(args.checkpoint)
    classes, spec = checkpoint['classes'], checkpoint['data']['image']
    transform = image_transform(spec)
    inputs = []
    for path in args.images:
        if not os.path.isfile(path):
            raise UsageError(f"no image at {path}")
        try:
            with Image.open(path) as image:
                inputs.append(transform(image.convert(image_mode(spec))))
        except UnidentifiedImageError as error:
            raise UsageError(f"{path} is not an image PIL can read") from error
    with no_grad():
        probabilities = load_model(checkpoint)(stack(inputs)).softmax(dim=1)
    top = min(args.top, len(classes))
    values, indices = probabilities.topk(top, dim=1)
    for path, row_values, row_indices in zip(args.images, values.tolist(), indices.tolist()):
        guesses = ', '.join(f'{classes[index]} ({value:.4f})' for value, index in zip(row_values, row_indices))
        print(f'{path}: {guesses}')
    return 0
