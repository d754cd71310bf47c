"""Pretrained-weights descriptions and the model registry, as torchvision's `models._api`.

Each builder has an enum of the weights torchvision publishes for it (`ResNet50_Weights.IMAGENET1K_V2`,
with `DEFAULT` naming the best one): its `url`, its `meta` (class names, accuracy, size) and its
evaluation preprocessing `transforms()`. ember cannot download anything, so `get_state_dict` (and a
builder given `weights=`) raises an error that says how to load the file instead.
"""
import sys
from dataclasses import dataclass
from enum import Enum
from functools import partial

from ..transforms._presets import ImageClassification
from ._meta import _IMAGENET_CATEGORIES

__all__ = ['Weights', 'WeightsEnum', 'get_model', 'get_model_builder', 'get_model_weights', 'get_weight',
           'list_models', 'register_model']


@dataclass
class Weights:
    """What a set of pretrained weights is: where it lives, the preprocessing it expects (a
    constructor: call it to get the transform) and its metadata."""
    url: str
    transforms: object
    meta: dict

    def __eq__(self, other):
        # `partial` objects compare by identity; compare what they build instead, so a deep copy of a
        # member is still equal to it (Enum relies on this when it looks members up by value)
        if not isinstance(other, Weights):
            return NotImplemented
        if self.url != other.url or self.meta != other.meta:
            return False
        mine, theirs = self.transforms, other.transforms
        if isinstance(mine, partial) and isinstance(theirs, partial):
            return mine.func == theirs.func and mine.args == theirs.args and mine.keywords == theirs.keywords
        return mine == theirs


class WeightsEnum(Enum):
    """Base of the per-model weight enums; each value is a `Weights`."""

    @classmethod
    def verify(cls, obj):
        """`obj` as a member of this enum: a member, its name ('IMAGENET1K_V1', 'DEFAULT', or with the
        enum's name in front), or None."""
        if obj is not None:
            if type(obj) is str:
                obj = cls[obj.replace(cls.__name__ + '.', '')]
            elif not isinstance(obj, cls):
                raise TypeError(f'Invalid Weight class provided; expected {cls.__name__} but received '
                                f'{obj.__class__.__name__}.')
        return obj

    def get_state_dict(self, *args, **kwargs):
        """torchvision downloads the weights here; ember has no network access and says what to do."""
        raise RuntimeError(
            f'ember cannot download pretrained weights ({self!r} from {self.url}). Download the file with torch '
            'or a browser, then build the model with weights=None and load it: '
            f"model.load_state_dict(ember.load('{self.url.rsplit('/', 1)[-1]}')).")

    def __repr__(self):
        return f'{self.__class__.__name__}.{self._name_}'

    @property
    def url(self):
        return self.value.url

    @property
    def transforms(self):
        return self.value.transforms

    @property
    def meta(self):
        return self.value.meta


def imagenet_weights(url, num_params, acc1, acc5, ops, file_size, recipe, min_size=(1, 1),
                     categories=_IMAGENET_CATEGORIES, **transform_args):
    """A `Weights` for an ImageNet-1K classifier, evaluated at 224x224 crops (`transform_args`:
    `resize_size`, `mean`, `std` of the preprocessing when they differ from the usual). `ops` is
    in GFLOPS, `file_size` in MB."""
    return Weights(url=url, transforms=partial(ImageClassification, crop_size=224, **transform_args),
                   meta={'min_size': min_size, 'categories': categories, 'num_params': num_params,
                         'recipe': recipe, '_metrics': {'ImageNet-1K': {'acc@1': acc1, 'acc@5': acc5}},
                         '_ops': ops, '_file_size': file_size})


# ---------------------------------------------------------------------------------------- registry

BUILTIN_MODELS = {}


def register_model(name=None):
    """Decorator: list a builder function under `name` (default: its own name) for `get_model`."""
    def wrapper(fn):
        key = name if name is not None else fn.__name__
        if key in BUILTIN_MODELS:
            raise ValueError(f"An entry is already registered under the name '{key}'.")
        BUILTIN_MODELS[key] = fn
        return fn
    return wrapper


def list_models(module=None, include=None, exclude=None):
    """The sorted names of the registered builders (of `module` only, if given), filtered by the
    fnmatch patterns `include` / `exclude` (a string or a list of them)."""
    from fnmatch import fnmatch
    names = {name for name, fn in BUILTIN_MODELS.items()
             if module is None or fn.__module__.rsplit('.', 1)[0] == module.__name__}
    if include:
        patterns = [include] if isinstance(include, str) else include
        names = {name for name in names if any(fnmatch(name, pattern) for pattern in patterns)}
    if exclude:
        patterns = [exclude] if isinstance(exclude, str) else exclude
        names = {name for name in names if not any(fnmatch(name, pattern) for pattern in patterns)}
    return sorted(names)


def get_model_builder(name):
    """The builder function registered as `name`."""
    name = name.lower()
    try:
        return BUILTIN_MODELS[name]
    except KeyError:
        raise ValueError(f'Unknown model {name}') from None


def get_model(name, **config):
    """Build the model registered as `name`: `get_model('resnet18', num_classes=10)`."""
    return get_model_builder(name)(**config)


def get_model_weights(name):
    """The weights enum of a builder (given as a function or by its registered name)."""
    fn = get_model_builder(name) if isinstance(name, str) else name
    weights = fn.__annotations__.get('weights')  # builders annotate `weights` with their enum
    if weights is None:
        raise ValueError(f'The model {getattr(fn, "__name__", fn)} has no associated weights enum.')
    return weights


def get_weight(name):
    """The weights named 'EnumName.MEMBER', e.g. get_weight('ResNet50_Weights.IMAGENET1K_V2')."""
    try:
        enum_name, value_name = name.split('.')
    except ValueError:
        raise ValueError(f"Invalid weight name provided: '{name}'.") from None
    models = sys.modules[__name__.rsplit('.', 1)[0]]
    weights_enum = getattr(models, enum_name, None)
    if not (isinstance(weights_enum, type) and issubclass(weights_enum, WeightsEnum)):
        raise ValueError(f"The weight enum '{enum_name}' for the specific method couldn't be retrieved.")
    return weights_enum[value_name]

