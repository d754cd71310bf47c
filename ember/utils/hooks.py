"""Hook utilities, as `torch.utils.hooks`: `RemovableHandle` (what every `register_*hook` returns),
plus helpers that use forward hooks to look inside a network: `FeatureMapRecorder` keeps what chosen
layers output, `feature_map_grid` tiles one sample's channels into a grey image, and
`save_feature_maps` writes those images as PNG files or TensorBoard images. Example::

    model = LeNet()
    with FeatureMapRecorder(model, ['conv1', 'conv2']) as recorder:
        model(images)
    grid = feature_map_grid(recorder.maps['conv1'])          # (3, H', W'), one tile per channel
    save_feature_maps(recorder, SummaryWriter('runs/maps'))  # or a directory for PNG files
"""
import math
import os

from .._legacy import is_tensor
from ..autograd.graph import RemovableHandle

__all__ = ['RemovableHandle', 'FeatureMapRecorder', 'feature_map_grid', 'save_feature_maps']


def _find_modules(model, layers):
    """`[(name, module)]` of the submodules of `model` chosen by `layers`: one name (as in
    `named_modules()`), module object or module class (every instance of it), or a list of them."""
    if not isinstance(layers, (list, tuple)):
        layers = [layers]
    named_modules = list(model.named_modules())
    found = {}
    for layer in layers:
        if isinstance(layer, str):
            matches = [(name, module) for name, module in named_modules if name == layer]
        elif isinstance(layer, type):
            matches = [(name, module) for name, module in named_modules if isinstance(module, layer)]
        else:
            matches = [(name, module) for name, module in named_modules if module is layer]
        if not matches:
            raise ValueError(f'{type(model).__name__} has no submodule matching {layer!r}; its submodules are '
                             f'{[name for name, _ in named_modules if name]}')
        found.update(matches)
    return list(found.items())


def _detach(output):
    """The output with its tensors (also inside tuples and lists) detached from the graph."""
    if isinstance(output, (list, tuple)):
        return tuple(_detach(o) for o in output)
    return output.detach() if is_tensor(output) else output


class _HookOwner:
    """Base of the objects that put hooks on modules (their handles in `self.handles`): `remove()`, or
    leaving a `with` block, takes all of them out."""

    def remove(self):
        """Unregister the hooks."""
        for handle in self.handles:
            handle.remove()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


class FeatureMapRecorder(_HookOwner):
    """Forward hooks on the chosen `layers` of `model` (names as in `named_modules()`, module
    objects, or classes such as `nn.Conv2d` for every instance) that keep each layer's latest output,
    detached, in `maps[name]`. `remove()` (or leaving the `with` block) takes the hooks out; the
    recorded maps stay."""

    def __init__(self, model, layers):
        self.maps = {}
        self.handles = [module.register_forward_hook(self._hook_for(name))
                        for name, module in _find_modules(model, layers)]

    def _hook_for(self, name):
        def record(module, args, output):
            self.maps[name] = _detach(output)
        return record


def feature_map_grid(tensor, nrow=None, normalize=True, scale_each=True, padding=1, pad_value=0.0):
    """One image of the feature maps of one sample: a `(C, H, W)` tensor, or the first sample of an
    `(N, C, H, W)` batch, becomes `make_grid` of its C channels as grey tiles (`nrow` per row,
    default about sqrt(C) so the grid is square). With `normalize` and `scale_each` every channel
    is stretched to [0, 1] on its own, so weak channels stay visible. Returns a `(3, H', W')` tensor."""
    from ..vision.utils import make_grid  # ember.vision is imported on demand, not with ember.utils
    if tensor.dim() == 4:
        tensor = tensor[0]
    if tensor.dim() != 3:
        raise ValueError(f'feature_map_grid expects a (C, H, W) or (N, C, H, W) tensor, got shape {list(tensor.shape)}')
    channels = tensor.shape[0]
    if nrow is None:
        nrow = math.ceil(math.sqrt(channels))
    return make_grid(tensor.detach().unsqueeze(1), nrow=nrow, padding=padding, normalize=normalize,
                     scale_each=scale_each, pad_value=pad_value)


def save_feature_maps(maps, destination, global_step=None, prefix='feature_maps', **grid_kwargs):
    """Write `feature_map_grid` of every map in `maps` (a `FeatureMapRecorder` or a dict name ->
    tensor). `destination` is a directory (one PNG per layer, `<name>.png`) or a `SummaryWriter`
    (one image per layer, tagged `<prefix>/<name>`, at `global_step`). Returns the paths or tags."""
    from ..vision.utils import save_image
    if not isinstance(maps, dict):
        maps = maps.maps
    written = []
    for name, feature_map in maps.items():
        if not is_tensor(feature_map):
            raise TypeError(f"feature map '{name}' is a {type(feature_map).__name__}, not a tensor; record a "
                            "layer that returns one tensor")
        grid = feature_map_grid(feature_map, **grid_kwargs)
        if hasattr(destination, 'add_image'):
            tag = f'{prefix}/{name}'
            destination.add_image(tag, grid, global_step)
            written.append(tag)
        else:
            os.makedirs(destination, exist_ok=True)
            path = os.path.join(destination, f'{name or "model"}.png')
            save_image(grid, path)
            written.append(path)
    return written
