"""The `reduction` argument of the losses, and the legacy `size_average` / `reduce` flags that
PyTorch still accepts in its place (with a deprecation warning)."""
import warnings

_ENUM = {'none': 0, 'mean': 1, 'sum': 2}


def get_enum(reduction):
    """PyTorch's integer code for a reduction name: none 0, mean 1, sum 2."""
    if reduction == 'elementwise_mean':
        warnings.warn("reduction='elementwise_mean' is deprecated. Please use reduction='mean' instead.",
                      stacklevel=2)
        return 1
    try:
        return _ENUM[reduction]
    except (KeyError, TypeError):
        raise ValueError(f"{reduction} is not a valid value for reduction") from None


def legacy_get_string(size_average, reduce, emit_warning=True):
    """The reduction name the old flags meant: reduce=False -> 'none', else size_average -> 'mean' or 'sum'
    (a flag left as None counts as True)."""
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if size_average and reduce:
        reduction = 'mean'
    elif reduce:
        reduction = 'sum'
    else:
        reduction = 'none'
    if emit_warning:
        warnings.warn(f"size_average and reduce args will be deprecated, please use reduction='{reduction}' "
                      "instead.", stacklevel=2)
    return reduction


def legacy_get_enum(size_average, reduce, emit_warning=True):
    """`legacy_get_string` as PyTorch's integer code."""
    return get_enum(legacy_get_string(size_average, reduce, emit_warning))
