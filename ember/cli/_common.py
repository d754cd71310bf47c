"""What the `ember` subcommands share: building a model by name, measuring it on a dataset, and
reading a training checkpoint."""
import importlib
import os
from dataclasses import dataclass

import numpy as np

from .. import load, no_grad
from ..vision import models

__all__ = ['UsageError', 'require', 'MODEL_NAMES', 'model_input_channels', 'build_model', 'Evaluation',
           'evaluate', 'confusion_matrix', 'load_checkpoint']


class UsageError(Exception):
    """A mistake in the command line (a missing path, a bad combination of flags): `ember` prints the
    message after `ember <command>: error:` and exits with status 2, as argparse does."""


def require(module_name, extra, what):
    """Import an optional dependency, or say which `ember[...]` extra installs it."""
    try:
        return importlib.import_module(module_name)
    except ImportError as error:
        raise UsageError(f"{what} needs {module_name}: pip install 'ember[{extra}]'") from error


# the lower-case constructors of ember.vision.models (lenet, alexnet, vgg11, resnet18, ...)
MODEL_NAMES = sorted(name for name in models.__all__ if name[0].islower())


def model_input_channels(model_name, image_channels):
    """LeNet is built for the images' own channel count (1 for grey digits); torchvision's
    architectures have a fixed 3-channel stem, so grey images are repeated into 3 channels for them."""
    return image_channels if model_name == 'lenet' else 3


def build_model(model_name, num_classes, in_channels):
    """`ember.vision.models.<model_name>` for `num_classes` classes (and `in_channels` for LeNet),
    with the course's initialisation where the model defines one (LeNet's `initialize_weights`)."""
    if model_name not in MODEL_NAMES:
        raise UsageError(f"unknown model {model_name!r}; choose one of {', '.join(MODEL_NAMES)}")
    if model_name == 'lenet':
        model = models.lenet(num_classes=num_classes, in_channels=in_channels)
    else:
        model = getattr(models, model_name)(num_classes=num_classes)
    if hasattr(model, 'initialize_weights'):
        model.initialize_weights()
    return model


@dataclass
class Evaluation:
    """A model's results on a dataset: mean loss, accuracy, every target and prediction (NumPy
    arrays, in dataset order), and up to `keep_misclassified` wrongly classified input images."""
    loss: float
    accuracy: float
    targets: np.ndarray
    predictions: np.ndarray
    misclassified: list

    @property
    def correct(self):
        return int((self.targets == self.predictions).sum())


def evaluate(model, loader, loss_fn, keep_misclassified=0):
    """Run `model` in eval mode over `loader` without recording gradients."""
    model.train(False)
    loss_sum, targets, predictions, misclassified = 0.0, [], [], []
    with no_grad():
        for inputs, labels in loader:
            outputs = model(inputs)
            loss_sum += loss_fn(outputs, labels).item() * len(labels)
            predicted = outputs.argmax(1)
            targets.append(labels.numpy())
            predictions.append(predicted.numpy())
            if len(misclassified) < keep_misclassified:
                wrong = np.flatnonzero(predicted.numpy() != labels.numpy())
                misclassified.extend(inputs[int(i)] for i in wrong[:keep_misclassified - len(misclassified)])
    targets, predictions = np.concatenate(targets), np.concatenate(predictions)
    return Evaluation(loss_sum / len(targets), float((targets == predictions).mean()), targets, predictions,
                      misclassified)


def confusion_matrix(targets, predictions, num_classes):
    """`matrix[true, predicted]` = how many images of class `true` were classified as `predicted`."""
    matrix = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(matrix, (targets, predictions), 1)
    return matrix


def load_checkpoint(path):
    """A checkpoint written by `ember train` (a plain dict: it loads with `weights_only=True`)."""
    if not os.path.isfile(path):
        raise UsageError(f"no checkpoint at {path}")
    checkpoint = load(path)
    if not isinstance(checkpoint, dict) or 'model' not in checkpoint or 'data' not in checkpoint:
        raise UsageError(f"{path} is not a checkpoint written by `ember train`")
    return checkpoint

