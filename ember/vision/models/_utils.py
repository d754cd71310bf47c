"""What the model constructors share: torchvision's handling of the `weights` / old `pretrained`
arguments (ember has no weights to download), and its check of fixed constructor arguments."""
import warnings


def check_no_weights(weights_enum, weights, kwargs):
    """Accept `weights=None` and `pretrained=False`; refuse pretrained weights, which ember cannot
    download. `weights` may be a member of `weights_enum` or its name ('DEFAULT'). `pretrained=`
    (torchvision before 0.13) is taken out of `kwargs` with torchvision's two deprecation warnings;
    `pretrained=True` meant `weights_enum.IMAGENET1K_V1`."""
    if 'pretrained' in kwargs:
        pretrained = kwargs.pop('pretrained')
        weights = weights_enum.IMAGENET1K_V1 if pretrained else None
        warnings.warn("The parameter 'pretrained' is deprecated since 0.13 and may be removed in the future, "
                      "please use 'weights' instead.")
        message = ("Arguments other than a weight enum or `None` for 'weights' are deprecated since 0.13 and may be "
                   f"removed in the future. The current behavior is equivalent to passing `weights={weights}`.")
        if pretrained:
            message += f" You can also use `weights={weights_enum.__name__}.DEFAULT` to get the most up-to-date weights."
        warnings.warn(message)
    weights = weights_enum.verify(weights)
    if weights is not None:
        weights.get_state_dict()  # raises: says how to load the file instead


def overwrite_named_param(kwargs, param, new_value):
    """Set `kwargs[param]` for a builder whose architecture fixes it (resnext50_32x4d's groups=32);
    a different value passed by the caller is an error."""
    if param in kwargs and kwargs[param] != new_value:
        raise ValueError(f"The parameter '{param}' expected value {new_value} but got {kwargs[param]} instead.")
    kwargs[param] = new_value
