"""ember.utils.health: a gradient-health report for a network (beyond PyTorch).

`inspect(model, inputs, loss_fn, targets)` runs one forward pass (and one backward pass when a loss is
given) with hooks on every layer and answers the question the course asks about initialisation: does
the scale of the signal survive the depth of the network, and if not, where does it go wrong and which
`nn.init` call would fix it?

    report = ember.utils.health.inspect(net, inputs, nn.MSELoss(), targets)
    print(report)                 # a per-layer table and a diagnosis paragraph
    report.verdict                # 'healthy' | 'exploding' | 'vanishing'
    report.first_bad_layer        # FirstBadLayer(name='linears.31', index=31), or None
    report.recommendations        # one sentence per group of layers: which init, and why
    report.plot('health.png')     # activation std (and gradient norm) against depth, log scale

What is measured, per layer (a "layer" is a leaf module, in the order forward executed it; a module
called twice gives two rows):
- activation mean / std: of the layer's output, in float64 so that the statistic itself cannot overflow
  before the values do.
- grad norm / grad std: of dL/d(output), the gradient of the loss with respect to the layer's OUTPUT,
  taken by a hook on that output tensor (what a full backward hook sees as `grad_output[0]`, but a
  tensor hook still allows an in-place ReLU after the layer). `weight_grad_norm` is the norm of dL/dW
  over the layer's own parameters. Both are None without a loss.
- dead %: only where a ReLU follows (or the layer is one): the fraction of units that are <= 0 for every
  sample of the batch, i.e. whose ReLU output is 0 for the whole batch, so no gradient reaches their
  weights. A unit is one entry of one sample's output (a feature of a Linear, a (channel, y, x) position
  of a Conv). For a Linear/Conv row it is measured on its output through the ReLU that follows.
- saturated %: where tanh / sigmoid follows (or the layer is one): the fraction of activations with
  |tanh| > 0.99, or sigmoid < 0.01 or > 0.99, where the derivative is almost 0.
- nan / inf: counts of non-finite output values.

Which activation follows a layer: the next layer in execution order when it is an activation module
(nn.ReLU, nn.Tanh, ...), looking through pass-through layers (normalisation, dropout, pooling, flatten).
Activations applied functionally inside forward (`x = torch.tanh(self.linears[i](x))`, as the course's
MLP does) are invisible to module hooks, so they are recognised from the values: the input the next
layer received is compared with this layer's output, x_next == f(y) for f in identity, relu, leaky relu
(slope estimated from the negative side), tanh, sigmoid (a view in between changes no value). When the
sizes differ (a functional max_pool in between) only the range of x_next is left: all >= 0 -> relu, inside (0, 1) -> sigmoid, inside
[-1, 1] with negatives -> tanh, anything else -> no activation. `inspect(..., activation='tanh')`
overrides the detection for every layer.

How the verdict is reached (the signal is the output std of the weight layers - Linear, Conv, ... -
relative to the std of the network's input; `gain` = last layer std / input std):
- exploding: some output is NaN or Inf (or so large that its std overflows its float32 dtype, where the
  course's `x.std()` prints nan), or a std exceeds `explode_threshold` (1e4), or gain > 10. The first bad
  layer is the first with non-finite values or an overflowing std, else the first above the threshold,
  else the first whose std exceeds 10x the input std.
- vanishing: a std falls below `vanish_threshold` (1e-3), or gain < 0.1, or the gradient norm at the
  first layer is below 1e-3 of that at the last (gradients vanish on the way back). The first bad layer
  is the first whose std is below the threshold or below 0.1x the input std.
- healthy otherwise. The per-layer factor gain ** (1 / depth) is printed: a factor of 16 (normal_ with
  std 1 on 256 inputs: sqrt(256 * 1)) overflows float32 in ~30 layers; 0.98 loses 90% in 100 layers.
  Gradients that grow towards the input are reported (first / last gradient norm) but do not make the
  verdict: Xavier with calculate_gain('tanh') itself grows them ~1.1x per layer on the way back.
"""
import collections
import math

import numpy as np

from .. import nn
from .._tensor import Tensor
from .._dtype import float64
from .._ops.elementwise import isfinite
from ..autograd.grad_mode import no_grad

__all__ = ['inspect', 'HealthReport', 'LayerHealth', 'FirstBadLayer', 'Activation', 'Recommendation',
           'HealthMonitor']

FirstBadLayer = collections.namedtuple('FirstBadLayer', ['name', 'index'])
FirstBadLayer.__doc__ = "The first layer where the signal went wrong: its name in named_modules() and its row index."

Activation = collections.namedtuple('Activation', ['name', 'negative_slope', 'source'])
Activation.__doc__ = """The nonlinearity applied to a layer's output: `name` is calculate_gain's name ('relu',
'leaky_relu', 'tanh', 'sigmoid', 'selu', 'linear' for none), `negative_slope` for leaky relu, `source` how it
was found ('module', 'functional' (values matched f(output)), 'range' (range heuristic), 'override')."""

Recommendation = collections.namedtuple('Recommendation', ['call', 'std', 'why'])
Recommendation.__doc__ = "The nn.init call that suits a weight layer, the std of W it gives, and why."

# Layers whose weights an init call sets, so a recommendation is made for each of them.
_WEIGHT_LAYERS = (nn.Linear, nn.Bilinear, nn.modules.conv._ConvNd)
# Layers that leave "which activation comes next" undecided: look past them to the following one.
_PASS_THROUGH = (nn.modules.batchnorm._NormBase, nn.LayerNorm, nn.GroupNorm, nn.modules.dropout._DropoutNd,
                 nn.modules.pooling._MaxPoolNd, nn.modules.pooling._AvgPoolNd,
                 nn.modules.pooling._AdaptivePoolNd, nn.Flatten, nn.Identity)
# Activation modules, by the calculate_gain name of the init that suits them. ELU/GELU/SiLU/... are
# treated as ReLU: they are ~0 on the negative side and ~x on the positive side, so He init fits.
_ACTIVATION_MODULES = [
    ((nn.ReLU, nn.ReLU6, nn.ELU, nn.CELU, nn.GELU, nn.SiLU, nn.Mish, nn.Hardswish, nn.Softplus), 'relu'),
    ((nn.Tanh, nn.Hardtanh, nn.Softsign), 'tanh'),
    ((nn.Sigmoid, nn.Hardsigmoid), 'sigmoid'),
    ((nn.SELU,), 'selu'),
]
_NO_ACTIVATION = Activation('linear', None, 'module')

EXPLODE_THRESHOLD = 1e4
VANISH_THRESHOLD = 1e-3
GAIN_LIMIT = 10.0               # |log10(gain)| above 1: the signal changed scale by 10x across the network
GRADIENT_VANISH_RATIO = 1e-3


class LayerHealth:
    """One row of the report: the statistics of one call of one leaf module."""
    __slots__ = ('index', 'name', 'module', 'type', 'activation', 'act_mean', 'act_std', 'grad_norm',
                 'grad_std', 'weight_grad_norm', 'dead_fraction', 'saturated_fraction', 'nan_count',
                 'inf_count', 'std_overflows', 'flag', 'input_std', 'weight_std', 'activation_for_init',
                 'recommendation')

    def __init__(self, index, name, module):
        self.index, self.name, self.module, self.type = index, name, module, type(module).__name__
        self.activation = None
        self.act_mean = self.act_std = self.input_std = None
        self.grad_norm = self.grad_std = self.weight_grad_norm = None
        self.dead_fraction = self.saturated_fraction = None
        self.nan_count = self.inf_count = 0
        self.std_overflows = False
        self.flag = ''
        self.weight_std = self.activation_for_init = self.recommendation = None

    @property
    def is_weight_layer(self):
        """True for Linear/Conv-like layers, whose initialisation the report is about."""
        return isinstance(self.module, _WEIGHT_LAYERS)

    @property
    def finite(self):
        """False when the layer's output holds NaN or Inf."""
        return self.nan_count == 0 and self.inf_count == 0

    def __repr__(self):
        return (f"LayerHealth({self.index}, {self.name!r}, {self.type}, act_std={self.act_std}, "
                f"grad_norm={self.grad_norm}, flag={self.flag!r})")


# ---- recognising activations ---------------------------------------------------------------------------
def _module_activation(module):
    """The Activation a module applies, or None when it is not an activation module."""
    if isinstance(module, nn.LeakyReLU):
        return Activation('leaky_relu', module.negative_slope, 'module')
    if isinstance(module, nn.PReLU):
        return Activation('leaky_relu', float(module.weight.detach().numpy().mean()), 'module')
    if isinstance(module, nn.RReLU):   # its eval-mode slope
        return Activation('leaky_relu', (module.lower + module.upper) / 2, 'module')
    for classes, name in _ACTIVATION_MODULES:
        if isinstance(module, classes):
            return Activation(name, None, 'module')
    return None


def _apply(activation, values):
    """The activation's values on `values` (relu, leaky relu, tanh, sigmoid; others unchanged)."""
    name = activation.name
    if name == 'relu':
        return np.maximum(values, 0)
    if name == 'leaky_relu':
        return np.where(values > 0, values, activation.negative_slope * values)
    if name == 'tanh':
        return np.tanh(values)
    if name == 'sigmoid':
        return 0.5 * (1 + np.tanh(values / 2))   # = 1 / (1 + exp(-x)) without overflow warnings
    return values


def _functional_activation(output, next_input):
    """Which function maps this layer's `output` to the `next_input` the following layer received.

    Exact (elementwise) when the sizes agree; otherwise the range heuristic on `next_input`."""
    if output.size == next_input.size:
        next_input = next_input.reshape(output.shape)   # a view/flatten between the two changes no value
        with np.errstate(all='ignore'):
            slopes = next_input[output < 0] / output[output < 0]
        candidates = [Activation('linear', None, 'functional'), Activation('relu', None, 'functional'),
                      Activation('tanh', None, 'functional'), Activation('sigmoid', None, 'functional')]
        if slopes.size and np.isfinite(slopes).all() and 0 < np.median(slopes) < 1:
            candidates.append(Activation('leaky_relu', round(float(np.median(slopes)), 6), 'functional'))
        for candidate in candidates:
            if np.allclose(next_input, _apply(candidate, output), rtol=1e-4, atol=1e-6, equal_nan=True):
                return candidate
    values = next_input[np.isfinite(next_input)]
    if values.size == 0:
        return Activation('linear', None, 'range')
    if values.min() > 0 and values.max() < 1:
        return Activation('sigmoid', None, 'range')
    if values.min() >= 0:
        return Activation('relu', None, 'range')
    if values.min() >= -1 and values.max() <= 1:
        return Activation('tanh', None, 'range')
    return Activation('linear', None, 'range')


def _direct_activation(calls, index, model_output):
    """The activation applied to the output of call `index`: the next call if it is an activation module,
    else the function recognised from the values the next call (or the caller) received."""
    following = calls[index + 1] if index + 1 < len(calls) else None
    if following is not None and _module_activation(following['module']) is not None:
        # checked first: an in-place activation (nn.ReLU(inplace=True)) has already changed the input
        # its hook sees, which would otherwise look like a functional relu
        return _module_activation(following['module'])
    output = calls[index]['output']
    next_input = following['input'] if following is not None else model_output
    if output is None or next_input is None:
        return _NO_ACTIVATION
    return _functional_activation(output, next_input)


def _activation_for_init(rows, index):
    """The activation that decides the init of row `index`: the first one after it, looking through
    normalisation, dropout and pooling layers (Conv -> BatchNorm -> ReLU is a ReLU layer)."""
    for row in rows[index:]:
        if row.index > index:
            if _module_activation(row.module) is not None:
                return _module_activation(row.module)
            if not isinstance(row.module, _PASS_THROUGH):
                break
        if row.activation.name != 'linear':
            return row.activation
    return _NO_ACTIVATION


# ---- recommendations ------------------------------------------------------------------------------------
def _recommended_init(activation, fan_in, fan_out):
    """The Recommendation for a weight layer followed by `activation` (gains from nn.init.calculate_gain)."""
    name, slope = activation.name, activation.negative_slope
    if name in ('relu', 'leaky_relu'):
        gain = nn.init.calculate_gain(name, slope)
        call = ("nn.init.kaiming_normal_(m.weight, mode='fan_in', nonlinearity='relu')" if name == 'relu' else
                f"nn.init.kaiming_normal_(m.weight, a={slope:g}, nonlinearity='leaky_relu')")
        why = ("ReLU zeroes the negative half of its input and so halves the second moment; Var(W) = 2/fan_in "
               "restores it" if name == 'relu' else
               f"the negative side keeps only a fraction a^2 = {slope ** 2:g} of the second moment; "
               "Var(W) = 2/((1+a^2) fan_in) restores it")
        return Recommendation(call + " (or kaiming_uniform_)", gain / math.sqrt(fan_in),
                              why + ", keeping the activation variance constant from layer to layer (He et al.).")
    if name in ('tanh', 'sigmoid'):
        gain = nn.init.calculate_gain(name)
        role = ("makes up for tanh squashing its input" if name == 'tanh' else
                "(sigmoid is not zero-centred: keep its inputs small so it does not saturate)")
        return Recommendation(
            f"nn.init.xavier_uniform_(m.weight, gain=nn.init.calculate_gain('{name}')) (or xavier_normal_)",
            gain * math.sqrt(2 / (fan_in + fan_out)),
            "Xavier sets Var(W) = gain^2 * 2/(fan_in+fan_out), balancing the variance of the activations "
            f"(forward) and of the gradients (backward); calculate_gain('{name}') = {gain:.4g} {role}.")
    if name == 'selu':
        return Recommendation("nn.init.kaiming_normal_(m.weight, nonlinearity='linear')", 1 / math.sqrt(fan_in),
                              "SELU self-normalises when Var(W) = 1/fan_in (LeCun normal); PyTorch advises "
                              "nonlinearity='linear' here rather than calculate_gain('selu').")
    return Recommendation("nn.init.xavier_uniform_(m.weight) (gain = calculate_gain('linear') = 1)",
                          math.sqrt(2 / (fan_in + fan_out)),
                          "without a nonlinearity each layer multiplies the activation std by "
                          "sqrt(fan_in * Var(W)), so Var(W) = 2/(fan_in+fan_out) (1/n for a square layer) "
                          "keeps it at 1.")


def _describe_activation(activation):
    """'tanh (functional, matched values)' - the activation and how it was found, for people."""
    label = activation.name if activation.negative_slope is None else \
        f"{activation.name}({activation.negative_slope:g})"
    how = {'module': 'module', 'functional': 'functional, matched values', 'range': 'guessed from value range',
           'override': 'given'}[activation.source]
    return f"{label} ({how})" if activation.name != 'linear' else 'no activation'


def _name_range(rows):
    """'linears.0 ... linears.99 (100 layers)' or a short list of names."""
    if len(rows) <= 3:
        return ', '.join(row.name for row in rows)
    return f"{rows[0].name} ... {rows[-1].name} ({len(rows)} layers)"


def _span(values):
    """'0.0621-0.063', or '0.104' when the values agree to 1%."""
    low, high = min(values), max(values)
    return f"{low:.3g}-{high:.3g}" if high > low * 1.01 else f"{low:.3g}"


def _recommendations(weight_rows):
    """One sentence per group of weight layers that share the recommended init (and the activation)."""
    groups = collections.OrderedDict()
    for row in weight_rows:
        groups.setdefault((row.recommendation.call, _describe_activation(row.activation_for_init)), []).append(row)
    return [f"{_name_range(rows)}, followed by {activation}: use {call}. Why: {rows[0].recommendation.why} "
            f"(std(W) is now {_span([row.weight_std for row in rows])}, recommended "
            f"{_span([row.recommendation.std for row in rows])}.)"
            for (call, activation), rows in groups.items()]


# ---- the report --------------------------------------------------------------------------------------
def _format(value, width, spec):
    """`value` formatted right-aligned in `width` characters; '-' when it does not apply."""
    return f"{'-' if value is None else format(value, spec):>{width}}"


class HealthReport:
    """The result of `inspect`: `rows` (LayerHealth, in execution order), `verdict` ('healthy' |
    'exploding' | 'vanishing'), `first_bad_layer` (FirstBadLayer or None), `reason`, `recommendations`
    (list of str), `gain` (last weight-layer std / input std) and `per_layer_factor`."""

    def __init__(self, rows, input_std, has_gradients):
        self.rows = rows
        self.input_std = input_std
        self.has_gradients = has_gradients
        self.verdict, self.first_bad_layer, self.reason = 'healthy', None, ''
        self.gain = self.per_layer_factor = self.gradient_ratio = None
        self.recommendations = []

    # The diagnosis rules are described in the module docstring; this applies them.
    def _diagnose(self, explode_threshold, vanish_threshold):
        measured = [row for row in self.rows if row.act_std is not None]
        signal = [row for row in measured if row.is_weight_layer] or measured
        if not signal:
            return
        reference = self.input_std if self.input_std else signal[0].act_std
        finite = [row for row in signal if row.finite]
        last = finite[-1] if finite else None
        if last is not None and reference:
            self.gain = last.act_std / reference
            depth = signal.index(last) + 1
            self.per_layer_factor = self.gain ** (1 / depth) if self.gain > 0 else 0.0
        gradient_rows = [row for row in signal if row.grad_norm is not None]
        if len(gradient_rows) >= 2 and gradient_rows[-1].grad_norm > 0:
            self.gradient_ratio = gradient_rows[0].grad_norm / gradient_rows[-1].grad_norm

        def first(rows, test):
            return next((row for row in rows if test(row)), None)

        nonfinite = first(self.rows, lambda row: not row.finite or row.std_overflows)
        too_large = first(signal, lambda row: row.act_std > explode_threshold)
        grown = first(signal, lambda row: reference and row.act_std > GAIN_LIMIT * reference)
        too_small = first(signal, lambda row: row.act_std < vanish_threshold)
        shrunk = first(signal, lambda row: reference and row.act_std < reference / GAIN_LIMIT)
        if nonfinite is not None:
            bad, self.verdict = nonfinite, 'exploding'
            self.reason = (f"its output has {bad.nan_count} NaN and {bad.inf_count} Inf values" if not bad.finite
                           else "its values are so large that their std overflows float32 (x.std() is nan)")
        elif too_large is not None:
            bad, self.verdict = too_large, 'exploding'
            self.reason = f"its activation std {bad.act_std:.3g} exceeds {explode_threshold:g}"
        elif grown is not None and self.gain is not None and self.gain > GAIN_LIMIT:
            bad, self.verdict = grown, 'exploding'
            self.reason = f"its activation std is over {GAIN_LIMIT:g}x the input's"
        elif too_small is not None or (shrunk is not None and self.gain is not None and self.gain < 1 / GAIN_LIMIT):
            bad, self.verdict = min(filter(None, (too_small, shrunk)), key=lambda row: row.index), 'vanishing'
            self.reason = (f"its activation std {bad.act_std:.3g} is below {vanish_threshold:g}" if bad is too_small
                           else f"its activation std is under 1/{GAIN_LIMIT:g} of the input's")
        elif self.gradient_ratio is not None and self.gradient_ratio < GRADIENT_VANISH_RATIO:
            bad, self.verdict = gradient_rows[0], 'vanishing'
            self.reason = (f"the gradient reaching it is {self.gradient_ratio:.3g} of the gradient at the last layer "
                           "(gradients vanish on the way back)")
        else:
            bad = None
        if bad is not None:
            self.first_bad_layer = FirstBadLayer(bad.name, bad.index)
            bad.flag = (bad.flag + ' FIRST BAD').strip()

    def __str__(self):
        header = (f"{'#':>3}  {'layer':<18} {'type':<12} {'act mean':>10} {'act std':>10} {'grad norm':>10} "
                  f"{'dead %':>7} {'sat %':>6} {'nan/inf':>8}  flag")
        lines = [header, '-' * len(header)]
        for row in self.rows:
            dead = None if row.dead_fraction is None else 100 * row.dead_fraction
            saturated = None if row.saturated_fraction is None else 100 * row.saturated_fraction
            lines.append(f"{row.index:>3}  {row.name[:18]:<18} {row.type[:12]:<12} {_format(row.act_mean, 10, '.3g')} "
                         f"{_format(row.act_std, 10, '.3g')} {_format(row.grad_norm, 10, '.3g')} "
                         f"{_format(dead, 7, '.1f')} {_format(saturated, 6, '.1f')} "
                         f"{row.nan_count + row.inf_count:>8}  {row.flag}")
        return '\n'.join(lines) + '\n\n' + self.diagnosis()

    __repr__ = __str__

    def diagnosis(self):
        """The verdict, where it goes wrong and why, and the recommended initialisation, as a paragraph."""
        if self.verdict == 'healthy':
            text = "Verdict: healthy - the activation scale survives the depth of the network"
        else:
            text = (f"Verdict: {self.verdict} at layer {self.first_bad_layer.index} ({self.first_bad_layer.name}): "
                    f"{self.reason}")
        if self.gain is not None:
            text += (f". Last weight layer std / input std = {self.gain:.3g}, a per-layer factor of "
                     f"{self.per_layer_factor:.4g}")
        if self.gradient_ratio is not None:
            text += f"; gradient norm at the first layer / at the last = {self.gradient_ratio:.3g}"
        text += '.'
        if self.recommendations:
            text += '\nRecommended initialisation:\n' + '\n'.join('- ' + line for line in self.recommendations)
        return text

    def plot(self, path=None, ax=None):
        """Activation std per layer (and gradient norm, when there was a backward pass) on a log y-axis.

        Draws on `ax` if given; with `path` the figure is saved there (drawn by the Agg backend, without
        touching pyplot's state). Returns the axes."""
        if ax is None:
            if path is not None:
                from matplotlib.backends.backend_agg import FigureCanvasAgg
                from matplotlib.figure import Figure
                figure = Figure(figsize=(8, 4.5))
                FigureCanvasAgg(figure)
                ax = figure.add_subplot()
            else:
                import matplotlib.pyplot as plt
                ax = plt.subplots(figsize=(8, 4.5))[1]
        index = [row.index for row in self.rows]

        def series(values):   # log axes cannot show 0, NaN or Inf: leave gaps there
            return [value if value is not None and np.isfinite(value) and value > 0 else np.nan for value in values]
        ax.plot(index, series([row.act_std for row in self.rows]), marker='.', label='activation std')
        if self.has_gradients:
            ax.plot(index, series([row.grad_norm for row in self.rows]), marker='.', label='grad norm (dL/d output)')
        if self.first_bad_layer is not None:
            ax.axvline(self.first_bad_layer.index, color='red', linestyle='--',
                       label=f"first bad: {self.first_bad_layer.name}")
        ax.set_yscale('log')
        ax.set_xlabel('layer (execution order)')
        ax.set_title(f"network health: {self.verdict}")
        ax.legend()
        if path is not None:
            ax.figure.savefig(path)
        return ax


# ---- running the model under hooks ---------------------------------------------------------------------
def _first_tensor(value):
    """The first Tensor in a module's output or input (which may be a tuple or a dict)."""
    if isinstance(value, Tensor):
        return value
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (tuple, list)):
        return next((found for found in map(_first_tensor, value) if found is not None), None)
    return None


def _as_array(tensor):
    return None if tensor is None else tensor.detach().numpy().astype(np.float64)


def _std_overflows(output):
    """True when the output's values are finite but its std in its own dtype is not: in float32, values
    near 1e37 sum past float32's range, and `x.std()` prints nan, as in the course's exploding-init demo."""
    if output is None or not output.is_floating_point() or output.dtype == float64:
        return False
    values = output.detach()
    return bool(isfinite(values).all()) and not math.isfinite(float(values.std()))


def _fill_statistics(row, output):
    """Mean, std and non-finite counts of the output; in float64 so a float32 overflow shows as Inf values,
    not as an overflowing std."""
    with np.errstate(all='ignore'):
        row.nan_count, row.inf_count = int(np.isnan(output).sum()), int(np.isinf(output).sum())
        row.act_mean, row.act_std = float(output.mean()), float(output.std())
        activated = output if _module_activation(row.module) is not None else _apply(row.activation, output)
        units = activated.reshape(len(activated), -1) if activated.ndim > 1 else activated.reshape(1, -1)
        if row.activation.name == 'relu':
            row.dead_fraction = float((units <= 0).all(axis=0).mean())
        elif row.activation.name == 'tanh':
            row.saturated_fraction = float((np.abs(activated) > 0.99).mean())
        elif row.activation.name == 'sigmoid':
            row.saturated_fraction = float(((activated < 0.01) | (activated > 0.99)).mean())
    if not row.finite:
        row.flag = 'NaN/Inf'
    elif row.dead_fraction is not None and row.dead_fraction > 0.5:
        row.flag = 'dead'
    elif row.saturated_fraction is not None and row.saturated_fraction > 0.5:
        row.flag = 'saturated'


def _leaf_modules(model):
    """(name, module) of every module without children: the layers that get a row."""
    return [(name, module) for name, module in model.named_modules() if not next(module.children(), None)]


def inspect(model, inputs, loss_fn=None, targets=None, *, activation=None, training=None,
            explode_threshold=EXPLODE_THRESHOLD, vanish_threshold=VANISH_THRESHOLD):
    """Run `model(inputs)` once with hooks on every leaf module and return a HealthReport.

    With `loss_fn`, also `loss_fn(output, targets)` (or `loss_fn(output)` without targets) and its
    backward, to record the gradient at each layer's output. `inputs` may be a tuple of positional
    arguments. `activation` ('relu', 'tanh', 'sigmoid', 'selu', 'linear', or ('leaky_relu', slope))
    overrides the detected activation after every weight layer. `training` sets the mode for this pass
    (None: keep the model's). Afterwards the hooks are removed, the mode, the parameters' `.grad` and the
    buffers (BatchNorm running statistics) are as before - also when forward or backward raises.
    """
    arguments = inputs if isinstance(inputs, (tuple, list)) else (inputs,)
    calls, handles = [], []
    model_output = []
    gradients, weight_grads = {}, {}

    def forward_hook(module, args, output, name):
        count = sum(1 for call in calls if call['module'] is module)
        first_output = _first_tensor(output)
        calls.append({'name': name if not count else f"{name} (call {count + 1})", 'module': module,
                      'input': _as_array(_first_tensor(args)), 'output': _as_array(first_output),
                      'std_overflows': _std_overflows(first_output)})
        if loss_fn is not None and first_output is not None and first_output.requires_grad:
            # a tensor hook registered before an in-place op (ReLU(inplace=True)) gets the gradient with
            # respect to the value before it, the layer's output
            row = len(calls) - 1
            first_output.register_hook(lambda grad: gradients.__setitem__(row, _as_array(grad)))

    saved_grads = {parameter: parameter.grad for parameter in model.parameters()}
    saved_buffers = [(buffer, buffer.detach().clone()) for buffer in model.buffers()]
    saved_modes = [(module, module.training) for module in model.modules()]
    try:
        for parameter in saved_grads:
            parameter.grad = None
        if training is not None:
            model.train(training)
        for name, module in _leaf_modules(model):
            handles.append(module.register_forward_hook(
                lambda module, args, output, name=name: forward_hook(module, args, output, name)))
        handles.append(model.register_forward_hook(lambda module, args, output: model_output.append(output)))
        if loss_fn is None:
            with no_grad():
                model(*arguments)
        else:
            output = model(*arguments)
            loss = loss_fn(output) if targets is None else loss_fn(output, targets)
            loss.backward()
            for call in calls:
                grads = [parameter.grad.detach().numpy().astype(np.float64).ravel()
                         for parameter in call['module'].parameters(recurse=False) if parameter.grad is not None]
                weight_grads[id(call['module'])] = float(np.linalg.norm(np.concatenate(grads))) if grads else None
    finally:
        for handle in handles:
            handle.remove()
        for module, mode in saved_modes:
            module.training = mode
        for parameter, grad in saved_grads.items():
            parameter.grad = grad
        with no_grad():
            for buffer, value in saved_buffers:
                buffer.copy_(value)

    final_output = _as_array(_first_tensor(model_output[-1])) if model_output else None
    rows = []
    for index, call in enumerate(calls):
        row = LayerHealth(index, call['name'], call['module'])
        row.activation = _module_activation(call['module']) or _direct_activation(calls, index, final_output)
        if activation is not None and row.is_weight_layer:
            name, slope = (activation, None) if isinstance(activation, str) else activation
            row.activation = Activation(name, slope, 'override')
        if call['output'] is not None:
            _fill_statistics(row, call['output'])
            row.std_overflows = call['std_overflows']
        if call['input'] is not None:
            row.input_std = float(np.std(call['input']))
        if gradients.get(index) is not None:
            row.grad_norm, row.grad_std = float(np.linalg.norm(gradients[index])), float(gradients[index].std())
        row.weight_grad_norm = weight_grads.get(id(call['module']))
        rows.append(row)

    weight_rows = [row for row in rows if row.is_weight_layer]
    for row in weight_rows:
        row.activation_for_init = _activation_for_init(rows, row.index)
        fan_in, fan_out = nn.init._calculate_fan_in_and_fan_out(row.module.weight)
        row.weight_std = float(row.module.weight.detach().numpy().astype(np.float64).std())
        row.recommendation = _recommended_init(row.activation_for_init, fan_in, fan_out)

    report = HealthReport(rows, rows[0].input_std if rows else None, loss_fn is not None)
    report._diagnose(explode_threshold, vanish_threshold)
    report.recommendations = _recommendations(weight_rows)
    return report


class HealthMonitor:
    """The report as a training callback: every `every` steps, `inspect` the model on that step's batch
    and log each layer's statistics to TensorBoard (tags `health/<layer>/act_std`, `act_mean`, `grad_norm`,
    `weight_grad_norm`, `dead_fraction`, `saturated_fraction`, `nonfinite`, and `health/gain`). Every report
    is also kept in `reports` as (step, HealthReport). Extra keyword arguments go to `inspect`.

    The inspection is an extra forward and backward pass on the same batch, so it sees the weights the
    step starts from and leaves the training step's gradients, mode and BatchNorm statistics alone::

        writer = SummaryWriter('runs/health')
        monitor = HealthMonitor(net, writer, every=100)
        for inputs, labels in train_loader:
            monitor.step(inputs, labels, criterion)   # every 100th call: inspect and log
            optimizer.zero_grad()
            loss = criterion(net(inputs), labels)
            loss.backward()
            optimizer.step()
    """

    _LOGGED = ('act_mean', 'act_std', 'grad_norm', 'weight_grad_norm', 'dead_fraction', 'saturated_fraction')

    def __init__(self, model, writer=None, every=100, **inspect_kwargs):
        self.model, self.writer, self.every = model, writer, every
        self.inspect_kwargs = inspect_kwargs
        self.steps = 0
        self.reports = []

    def step(self, inputs, targets=None, loss_fn=None):
        """Count one training step; on every `every`-th (the first included) return a fresh HealthReport,
        otherwise None."""
        step, self.steps = self.steps, self.steps + 1
        if step % self.every:
            return None
        report = inspect(self.model, inputs, loss_fn, targets, **self.inspect_kwargs)
        self.reports.append((step, report))
        if self.writer is not None:
            for row in report.rows:
                tag = 'health/' + row.name.replace(' ', '_')
                for statistic in self._LOGGED:
                    if getattr(row, statistic) is not None:
                        self.writer.add_scalar(f"{tag}/{statistic}", getattr(row, statistic), step)
                self.writer.add_scalar(f"{tag}/nonfinite", row.nan_count + row.inf_count, step)
            if report.gain is not None:
                self.writer.add_scalar('health/gain', report.gain, step)
        return report
