"""Printing tensors exactly the way PyTorch prints them.

`repr(t)` is `tensor(<nested lists>, <suffixes>)`:

- every element of a tensor shares one number format, chosen by `_Formatter` from the values
  that are shown, and is right-aligned to the widest of them;
- a tensor with more than `threshold` elements is summarised: each dimension longer than
  `2 * edgeitems` shows its first and last `edgeitems` entries around a `...`;
- a row longer than `linewidth` wraps, continuation lines aligned under the first element;
  blocks of a 3-d+ tensor are separated by `dim - 1` line breaks;
- suffixes follow in PyTorch's order: `size=` (empty tensors, `edgeitems=0`), `dtype=` (when the
  dtype cannot be read from the values), then `grad_fn=<...>` or `requires_grad=True`.

Options are set with `ember.set_printoptions` (PyTorch's `torch.set_printoptions`).
"""
import contextlib
import math

import numpy as np

from . import _dtype as dtypes
from ._tensor import Tensor

__all__ = ['set_printoptions', 'get_printoptions', 'printoptions', 'tensor_repr']


class _PrintOptions:
    """The current print options (PyTorch's `PRINT_OPTS`)."""
    __slots__ = ('precision', 'threshold', 'edgeitems', 'linewidth', 'sci_mode')

    def __init__(self):
        self.precision, self.threshold, self.edgeitems, self.linewidth = _PROFILES['default']
        self.sci_mode = None


# precision, threshold, edgeitems, linewidth
_PROFILES = {
    'default': (4, 1000, 3, 80),
    'short': (2, 1000, 2, 80),
    'full': (4, math.inf, 3, 80),
}

PRINT_OPTS = _PrintOptions()


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None,
                     sci_mode=None):
    """Set how tensors print (PyTorch's `set_printoptions`).

    precision: digits after the point (4); threshold: element count above which a tensor is
    summarised (1000); edgeitems: entries kept at each end of a summarised dimension (3);
    linewidth: characters per line before wrapping (80); profile: 'default', 'short' or 'full'
    presets, overridden by the other arguments; sci_mode: force (True) or forbid (False)
    scientific notation, None to let the values decide.
    """
    if profile in _PROFILES:
        # PyTorch ignores an unknown profile name silently
        (PRINT_OPTS.precision, PRINT_OPTS.threshold, PRINT_OPTS.edgeitems,
         PRINT_OPTS.linewidth) = _PROFILES[profile]
    if precision is not None:
        PRINT_OPTS.precision = precision
    if threshold is not None:
        PRINT_OPTS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTS.edgeitems = edgeitems
    if linewidth is not None:
        PRINT_OPTS.linewidth = linewidth
    # as in PyTorch, every call sets sci_mode: leaving it out goes back to automatic
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions():
    """The current print options as keyword arguments for `set_printoptions`."""
    return {name: getattr(PRINT_OPTS, name) for name in _PrintOptions.__slots__}


@contextlib.contextmanager
def printoptions(**kwargs):
    """Change the print options inside a `with` block only."""
    saved = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**saved)


class _Formatter:
    """One number format for all the shown elements of a real tensor, chosen as PyTorch chooses it.

    Integers and bools print as Python prints them. Floats look only at their nonzero finite
    values: if all are whole numbers they print as `3.` (int mode); scientific notation is used
    when the magnitudes span more than a factor 1000, exceed 1e8 or fall below 1e-4 (or as
    `sci_mode` forces); otherwise fixed point with `precision` digits. `width` is the longest
    of those values so printed; every element is right-aligned to it.
    """
    __slots__ = ('floating', 'int_mode', 'sci_mode', 'width')

    def __init__(self, shown):
        self.floating = shown.dtype.kind == 'f'
        self.int_mode = True
        self.sci_mode = False
        self.width = 1
        if not self.floating:
            self.width = max([len(str(value)) for value in shown.ravel().tolist()], default=1)
            return
        nonzero_finite = shown[np.isfinite(shown) & (shown != 0)]
        if nonzero_finite.size == 0:
            return
        # magnitudes in float64: float16 would overflow the ratio
        magnitude = np.abs(nonzero_finite).astype(np.float64)
        smallest, largest = magnitude.min(), magnitude.max()
        self.int_mode = bool((nonzero_finite == np.ceil(nonzero_finite)).all())
        if PRINT_OPTS.sci_mode is None:
            self.sci_mode = bool(largest / smallest > 1000.0 or largest > 1.0e8 or smallest < 1.0e-4)
        else:
            self.sci_mode = PRINT_OPTS.sci_mode
        spec = self._spec()
        # the '.' int mode appends to each number counts too
        extra = 1 if self.int_mode and not self.sci_mode else 0
        self.width = max(len(format(value, spec)) for value in nonzero_finite.tolist()) + extra

    def _spec(self):
        if self.sci_mode:
            return f'.{PRINT_OPTS.precision}e'
        return '.0f' if self.int_mode else f'.{PRINT_OPTS.precision}f'

    def format(self, value):
        """`value` (a Python number) as printed, padded on the left to `width`."""
        if not self.floating:
            text = str(value)
        else:
            text = format(value, self._spec())
            if self.int_mode and not self.sci_mode and math.isfinite(value):
                text += '.'
        return text.rjust(self.width)


class _ComplexFormatter:
    """Complex elements print as `real+imagj`, each part with its own `_Formatter`."""
    __slots__ = ('real', 'imag', 'width')

    def __init__(self, shown):
        self.real, self.imag = _Formatter(shown.real), _Formatter(shown.imag)
        # one more character for the 'j'
        self.width = self.real.width + self.imag.width + 1

    def format(self, value):
        real = self.real.format(value.real)
        imag = (self.imag.format(value.imag) + 'j').lstrip()
        # a signed imaginary part (including -0. and +inf) carries its own sign
        return real + imag if imag[0] in '+-' else real + '+' + imag


def _summarized(data):
    """The elements a summarised print shows: the first and last `edgeitems` of each long dim."""
    edge = PRINT_OPTS.edgeitems
    for dim, size in enumerate(data.shape):
        if size > 2 * edge:
            data = data.take(np.r_[:edge, size - edge:size], axis=dim)
    return data


def _nested_str(values, shape, indent, summarize, formatter):
    """`values` (nested lists of the shown elements) as bracketed rows; `shape` is the full shape."""
    edge = PRINT_OPTS.edgeitems
    elided = summarize and shape[0] > 2 * edge
    if len(shape) == 1:
        items = [formatter.format(value) for value in values]
        if elided:
            # with edgeitems=0 only the ellipsis is left, and it loses its alignment space
            items[edge:edge] = [' ...' if edge else '...']
        per_line = max(1, math.floor((PRINT_OPTS.linewidth - indent) / (formatter.width + 2)))
        lines = [', '.join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
        return '[' + (',\n' + ' ' * (indent + 1)).join(lines) + ']'
    rows = [_nested_str(row, shape[1:], indent + 1, summarize, formatter) for row in values]
    if elided:
        rows[edge:edge] = ['...']
    return '[' + (',' + '\n' * (len(shape) - 1) + ' ' * (indent + 1)).join(rows) + ']'


def _tensor_str(data, indent):
    """The bracketed values of a non-empty array, the first line starting at column `indent`."""
    summarize = data.size > PRINT_OPTS.threshold
    shown = _summarized(data) if summarize else data
    formatter = (_ComplexFormatter if data.dtype.kind == 'c' else _Formatter)(shown)
    if data.ndim == 0:
        return formatter.format(data.item())
    return _nested_str(shown.tolist(), data.shape, indent, summarize, formatter)


def _add_suffixes(text, suffixes, indent):
    """Append `, suffix` items, moving one to a new line (at `indent`) when the line would overflow."""
    # PyTorch's count: the length of the last line plus one
    line_length = len(text) - text.rfind('\n') + 1
    parts = [text]
    for suffix in suffixes:
        if line_length + len(suffix) + 2 > PRINT_OPTS.linewidth:
            parts.append(',\n' + ' ' * indent + suffix)
            line_length = indent + len(suffix)
        else:
            parts.append(', ' + suffix)
            line_length += len(suffix) + 2
    return ''.join(parts) + ')'


def tensor_repr(t):
    """`repr(t)` and `str(t)`: PyTorch's printed form, with `ember.` where PyTorch says `torch.`."""
    data = t._data
    # a Parameter prints as a plain tensor: `Parameter.__repr__` puts its header above it
    kind = type(t).__name__
    prefix = 'tensor(' if type(t) is Tensor or kind == 'Parameter' else kind + '('
    indent = len(prefix)
    dtype = t.dtype
    default_float = dtypes.get_default_dtype()
    suffixes = []
    if data.size == 0:
        # NumPy's rule: a shape other than (0,) is spelt out, and with no values the dtype is
        # shown unless it is the default float
        text = '[]'
        if data.ndim != 1:
            suffixes.append(f'size={tuple(data.shape)}')
        if dtype is not default_float:
            suffixes.append(f'dtype={dtype}')
    else:
        text = _tensor_str(data, indent)
        if not PRINT_OPTS.edgeitems:
            suffixes.append(f'size={tuple(data.shape)}')
        # int64 and bool are told by the values; the default float by their decimal point
        default_complex = dtypes.complex128 if default_float is dtypes.float64 else dtypes.complex64
        if dtype not in (default_float, default_complex, dtypes.int64, dtypes.bool):
            suffixes.append(f'dtype={dtype}')
    if t.grad_fn is not None:
        suffixes.append(f'grad_fn=<{type(t.grad_fn).__name__}>')
    elif t.requires_grad:
        suffixes.append('requires_grad=True')
    return _add_suffixes(prefix + text, suffixes, indent)
