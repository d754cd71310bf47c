"""Class activation maps: where in the image a CNN looked to decide on a class.

`CAM` (Zhou et al., 2016) works for networks that end in global average pooling and one Linear
layer; `GradCAM` (Selvaraju et al., 2017) works for any network, using gradients. Both return heat
maps at the input's resolution, scaled to [0, 1] per image, and `overlay` paints one over its image::

    model.eval()
    with GradCAM(model, target_layer='features.3') as cam:
        heatmaps = cam(images)                     # (N, H, W), argmax class of each image
    overlay(images[0], heatmaps[0]).save('cam.png')   # a PIL RGB image
"""
import numpy as np
from PIL import Image

from .. import nn
from .._creation import full, tensor as as_tensor
from .._legacy import is_tensor
from ..autograd import grad
from ..autograd.grad_mode import enable_grad, no_grad
from ..nn import functional as F
from ..utils.hooks import _HookOwner, _find_modules

__all__ = ['CAM', 'GradCAM', 'overlay']

# matplotlib's 'jet' as (position, value) breakpoints of a piecewise linear ramp per RGB channel, used
# when matplotlib is not installed
_JET_BREAKPOINTS = (
    ((0., 0.35, 0.66, 0.89, 1.), (0., 0., 1., 1., 0.5)),
    ((0., 0.125, 0.375, 0.64, 0.91, 1.), (0., 0., 1., 1., 0., 0.)),
    ((0., 0.11, 0.34, 0.65, 1.), (0.5, 1., 1., 0., 0.)),
)


def _colormap(values, colormap):
    """RGB colours in [0, 1] (shape `values.shape + (3,)`) of `values` in [0, 1]."""
    try:
        import matplotlib
    except ImportError:
        if colormap != 'jet':
            raise ValueError(f"colormap '{colormap}' needs matplotlib; without it only 'jet' is available")
        return np.stack([np.interp(values, positions, levels) for positions, levels in _JET_BREAKPOINTS], axis=-1)
    return matplotlib.colormaps[colormap](values)[..., :3]


def _to_rgb_array(image):
    """An (H, W, 3) float array in [0, 1] from a PIL image, a (C, H, W) tensor in [0, 1], or an
    (H, W[, C]) array (uint8 in 0..255 or float in [0, 1])."""
    if isinstance(image, Image.Image):
        return np.asarray(image.convert('RGB'), dtype=np.float32) / 255.
    if is_tensor(image):
        image = image.detach().numpy()
        image = image.transpose(1, 2, 0) if image.ndim == 3 else image
    image = np.asarray(image)
    image = image / 255. if image.dtype == np.uint8 else image.astype(np.float32)
    if image.ndim == 2:
        image = image[..., None]
    return np.broadcast_to(image, image.shape[:2] + (3,)) if image.shape[2] == 1 else image[..., :3]


def overlay(image, heatmap, alpha=0.5, colormap='jet'):
    """Blend a colour-mapped heat map over an image: `(1 - alpha) * image + alpha * colormap(heatmap)`.
    `image` is a PIL image, a (C, H, W) tensor in [0, 1] or an (H, W[, C]) array; `heatmap` an (H, W)
    tensor or array in [0, 1], resized bilinearly if its size differs. Returns a PIL RGB image."""
    rgb = _to_rgb_array(image)
    heat = heatmap.detach().numpy() if is_tensor(heatmap) else np.asarray(heatmap)
    heat = np.asarray(heat, dtype=np.float32).reshape(heat.shape[-2:])
    if heat.shape != rgb.shape[:2]:
        heat = np.asarray(Image.fromarray(heat, mode='F').resize((rgb.shape[1], rgb.shape[0]), Image.BILINEAR))
    blended = (1. - alpha) * rgb + alpha * _colormap(np.clip(heat, 0., 1.), colormap)
    return Image.fromarray(np.round(np.clip(blended, 0., 1.) * 255.).astype(np.uint8), mode='RGB')


def _find_one_module(model, layer):
    """(name, module) of the one submodule `layer` (a name, a module, or a class with one instance) picks."""
    matches = _find_modules(model, layer)
    if len(matches) != 1:
        raise ValueError(f'{layer!r} matches {len(matches)} modules ({[name for name, _ in matches]}); '
                         'pick one by its name in named_modules()')
    return matches[0]


class _ClassActivationMap(_HookOwner):
    """What CAM and Grad-CAM share: a forward hook keeping the target layer's output, picking the class
    of each sample, and turning low-resolution maps into [0, 1] heat maps at the input's size."""

    def __init__(self, model, target_layer):
        self.model = model
        self.target_name, self.target_layer = _find_one_module(model, target_layer)
        self.activations = self.gradients = None
        self.handles = [self.target_layer.register_forward_hook(self._save_activations)]

    def _save_activations(self, module, args, output):
        # a copy, so that an in-place activation after the layer (ReLU(inplace=True)) cannot change it
        self.activations = output.detach().clone()

    @staticmethod
    def _class_indices(logits, class_idx):
        """One class per sample: the predicted one when `class_idx` is None, else `class_idx` (an int
        for every sample, or one per sample)."""
        if class_idx is None:
            return logits.detach().argmax(dim=1)
        if isinstance(class_idx, int):
            return full((logits.shape[0],), class_idx)
        return (class_idx if is_tensor(class_idx) else as_tensor(class_idx)).long().reshape(-1)

    def _forward(self, input):
        """The model's logits for `input`, with the hooks' records of this call (not of an earlier one)."""
        self.activations = self.gradients = None
        logits = self.model(input)
        if self.activations is None:
            raise RuntimeError(f"the target layer '{self.target_name}' did not run in {type(self.model).__name__}'s "
                               "forward, so there is no activation map to explain")
        return logits

    @staticmethod
    def _to_heatmaps(maps, size):
        """Upsample (N, h, w) maps to `size` (bilinear, align_corners=False) and min-max scale each to [0, 1]."""
        maps = F.interpolate(maps.unsqueeze(1), size=tuple(size), mode='bilinear', align_corners=False).squeeze(1)
        low = maps.amin(dim=(1, 2), keepdim=True)
        spread = maps.amax(dim=(1, 2), keepdim=True) - low
        # a flat map (e.g. all zero after Grad-CAM's ReLU) stays all zero instead of dividing by zero
        return (maps - low) / spread.clamp(min=1e-12)

    overlay = staticmethod(overlay)


class CAM(_ClassActivationMap):
    """Class Activation Mapping for networks that end in global average pooling and a Linear layer.
    The score of class c is sum_k w[c, k] * mean(A_k) over the K channels A_k of the last conv
    features, so the map sum_k w[c, k] * A_k shows how much each location adds to that score.
    `target_layer` (a name or module) produces A; `fc_layer` is the Linear layer holding w (the
    last `nn.Linear` of the model when None)."""

    def __init__(self, model, target_layer, fc_layer=None):
        super().__init__(model, target_layer)
        if fc_layer is None:
            linear_layers = [module for module in model.modules() if isinstance(module, nn.Linear)]
            if not linear_layers:
                raise ValueError(f'CAM needs a final nn.Linear layer, and {type(model).__name__} has none')
            fc_layer = linear_layers[-1]
        _, self.fc_layer = _find_one_module(model, fc_layer)

    def __call__(self, input, class_idx=None):
        """Heat maps (N, H, W) in [0, 1] for the (N, C, H, W) `input`, for `class_idx` (None: each
        sample's predicted class; an int; or one class per sample)."""
        with no_grad():
            logits = self._forward(input)
            activations = self.activations
            if activations.dim() != 4 or activations.shape[1] != self.fc_layer.in_features:
                raise ValueError(f'CAM needs the target layer to output (N, K, h, w) features with K = '
                                 f'{self.fc_layer.in_features} (the in_features of the final Linear), got shape '
                                 f'{list(activations.shape)}; use GradCAM for other architectures')
            class_weights = self.fc_layer.weight[self._class_indices(logits, class_idx)]   # (N, K)
            maps = (class_weights[:, :, None, None] * activations).sum(dim=1)
            return self._to_heatmaps(maps, input.shape[-2:])


class GradCAM(_ClassActivationMap):
    """Gradient-weighted Class Activation Mapping, for any CNN. The gradient of the class score with
    respect to the target layer's output A says how much each channel A_k matters: its spatial mean
    alpha_k weights the channels, and the map is ReLU(sum_k alpha_k * A_k), keeping only the regions
    that raise the score. The gradient is caught by a hook on `target_layer`'s output tensor; the
    model's parameters' `.grad` are left untouched."""

    def _save_activations(self, module, args, output):
        super()._save_activations(module, args, output)
        if output.requires_grad:
            # a tensor hook, not a full backward hook on the layer: it still sees dL/d(output) when an
            # in-place ReLU follows the layer, where a full backward hook raises (as in PyTorch)
            output.register_hook(self._save_gradients)

    def _save_gradients(self, grad):
        self.gradients = grad.detach()

    def __call__(self, input, class_idx=None):
        """Heat maps (N, H, W) in [0, 1] for the (N, C, H, W) `input`, for `class_idx` (None: each
        sample's predicted class; an int; or one class per sample)."""
        with enable_grad():
            # differentiating with respect to a copy of the input (not the parameters) runs the backward
            # pass through the target layer, firing its hook, without accumulating into any `.grad`
            input_copy = input.detach().requires_grad_(True)
            logits = self._forward(input_copy)
            classes = self._class_indices(logits, class_idx)
            # the samples are independent, so the gradient of the sum gives each sample its own class's gradient
            grad(logits.gather(1, classes.reshape(-1, 1)).sum(), input_copy, allow_unused=True)
        with no_grad():
            channel_weights = self.gradients.mean(dim=(2, 3), keepdim=True)           # alpha_k, (N, K, 1, 1)
            maps = F.relu((channel_weights * self.activations).sum(dim=1))
            return self._to_heatmaps(maps, input.shape[-2:])
