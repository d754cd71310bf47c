"""Grid sampling, the two halves of a spatial transformer network: `affine_grid_generator` turns a
batch of affine matrices into a sampling grid, and `grid_sampler` reads the input at the grid's points.

A grid holds, for every output position, the point to read in normalised coordinates (x, y[, z]):
-1 and +1 are the input's outer edges, or its corner pixels' centres with align_corners. Reading a
point is a weighted sum of the input pixels around it, its *taps*, chosen along each spatial axis on
its own: 1 tap for 'nearest', 2 for 'bilinear' (trilinear in 3-D), 4 for 'bicubic'. A tap is an
integer index, gathered from the flattened input, and a weight that depends on where the point lies
between pixels. The backward sends the output gradient back through the same taps into the input (a
bincount), and differentiates the weights for the grid; the double backward differentiates those
formulas once more. The coordinate formulas (unnormalise, clip, reflect) follow ATen's
GridSampler.h and its vectorised 2-D CPU kernel (GridSamplerKernel.cpp).
"""
import itertools
import math

import numpy as np

from .._dtype import from_numpy_dtype
from .._tensor import _scalar_type_name
from ..autograd.graph import Node
from ._util import quietly, record, result, results, wrap
from .resample import _CUBIC_A, _cubic_weights

__all__ = ['affine_grid_generator', 'grid_sampler']
TENSOR_METHODS = ()
INPLACE_METHODS = ()


# ---- affine_grid: the sampling grid of an affine map ---------------------------------------------
class AffineGridGeneratorBackward0(Node):
    __slots__ = ('base_grid',)

    def backward(self, grad):
        # grid[n] = base_grid @ theta[n].T, so grad_theta[n] = grad[n].T @ base_grid (ember ops, so
        # that a double backward through the grid is recorded too)
        flat_grad = grad.reshape(grad.shape[0], -1, grad.shape[-1])
        return (flat_grad.transpose(1, 2).matmul(wrap(self.base_grid)),)


def _pixel_centres(steps, align_corners, dtype):
    """The normalised coordinates of the pixel centres along one axis of `steps` pixels."""
    if steps <= 1:
        return np.zeros(1, dtype)  # a single pixel sits in the middle, whatever align_corners says
    from .._creation import linspace
    centres = linspace(-1, 1, steps, dtype=from_numpy_dtype(dtype))._data
    if not align_corners:  # -1 and +1 are the outer edges: the centres lie half a pixel inside
        centres = centres * dtype.type(steps - 1) / dtype.type(steps)
    return centres


def _base_grid(spatial_size, align_corners, dtype):
    """(points, nd + 1): every output pixel's (x, y[, z], 1), x running along the last axis."""
    nd = len(spatial_size)
    base = np.ones((*spatial_size, nd + 1), dtype)
    for axis, steps in enumerate(spatial_size):
        shape = [1] * nd
        shape[axis] = -1
        base[..., nd - 1 - axis] = _pixel_centres(steps, align_corners, dtype).reshape(shape)
    return base.reshape(-1, nd + 1)


def affine_grid_generator(theta, size, align_corners):
    """The (N, *size[2:], nd) grid of the points that the affine maps `theta` (N, nd, nd + 1) send
    each output pixel's centre to."""
    data = theta._data
    size = [int(s) for s in size]
    nd = len(size) - 2
    if nd not in (2, 3):
        raise RuntimeError("AffineGridGenerator needs 4d (spatial) or 5d (volumetric) inputs.")
    if data.shape[0] != size[0]:  # PyTorch's message is bmm's, which does the work
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{size[0]}, {nd + 1}] "
                           f"but got: [{data.shape[0]}, {nd + 1}].")
    base_grid = _base_grid(size[2:], align_corners, data.dtype)
    grid = np.matmul(base_grid, data.transpose(0, 2, 1)).reshape(size[0], *size[2:], nd)
    node = record(AffineGridGeneratorBackward0, theta)
    if node is not None:
        node.base_grid = base_grid
    return result(grid, node)


# ---- grid_sample: where each grid point reads ----------------------------------------------------
def _unnormalize(coordinate, size, align_corners, nd):
    """The pixel position of a normalised coordinate, and d position / d coordinate. ATen's 2-D CPU
    kernel (vectorised) and 3-D kernel (scalar) round this formula differently; each is matched, so
    that 'nearest' breaks ties as PyTorch does."""
    dtype = coordinate.dtype.type
    scale = dtype(size - 1 if align_corners else size) / dtype(2)
    if nd == 2:
        position = (coordinate + 1) * scale
        return (position if align_corners else position - dtype(0.5)), scale
    if align_corners:
        return (coordinate + 1) / 2 * dtype(size - 1), scale
    return ((coordinate + 1) * dtype(size) - 1) / 2, scale


def _clip(position, size):
    """Border padding: clamp into [0, size - 1]. The gradient is 0 outside *and on* the borders, as
    in ATen; NaN becomes 0."""
    inside = (position > 0) & (position < size - 1)
    return np.fmin(np.fmax(position, 0), size - 1), inside


def _reflect(position, size, align_corners):
    """Reflection padding: mirror the position back into the span between the reflecting edges
    (the corner pixels' centres with align_corners, else their outer edges), however far outside it
    lies; and the sign of d reflected / d position."""
    if align_corners and size <= 1:
        return np.zeros_like(position), 0
    low = 0 if align_corners else -0.5
    twice_span = 2 * (size - 1) if align_corners else 2 * size
    shifted = position - low
    distance = np.abs(shifted)
    extra = distance - np.trunc(distance / twice_span) * twice_span  # the distance modulo a round trip
    mirrored = twice_span - extra
    flip = extra > mirrored  # in the second half of the round trip: coming back
    return np.where(flip, mirrored, extra) + low, np.where(flip ^ (shifted < 0), -1, 1).astype(position.dtype)


def _pad(position, size, padding_mode, align_corners):
    """ATen's compute_coordinates: the position a point outside the input reads instead, and
    d padded / d position."""
    if padding_mode == 'zeros':  # read as it is; taps outside the input read 0
        return position, 1
    sign = 1
    if padding_mode == 'reflection':
        position, sign = _reflect(position, size, align_corners)
    position, inside = _clip(position, size)
    return position, sign * inside


def _index(whole_positions, size):
    """Integer indices of whole-number positions. Any position outside the input (inf and NaN
    included) becomes one a few pixels outside, which stays outside after the taps' offsets."""
    return np.clip(np.nan_to_num(whole_positions, nan=-8.0), -8, size + 8).astype(np.int64)


def _cubic_weight_derivatives(t):
    """d/dt of `_cubic_weights(t)`: the four taps at offsets -1, 0, 1, 2 are at distances t + 1, t,
    1 - t and 2 - t."""
    a = _CUBIC_A

    def near(x):  # d/dx of the |x| <= 1 piece
        return (3 * (a + 2) * x - 2 * (a + 3)) * x

    def far(x):  # d/dx of the 1 < |x| < 2 piece
        return (3 * a * x - 10 * a) * x + 8 * a
    return far(t + 1), near(t), -near(1 - t), -far(2 - t)


def _cubic_weight_second_derivatives(t):
    """d2/dt2 of `_cubic_weights(t)`, for the double backward."""
    a = _CUBIC_A

    def near(x):
        return 6 * (a + 2) * x - 2 * (a + 3)

    def far(x):
        return 6 * a * x - 10 * a
    return far(t + 1), near(t), near(1 - t), far(2 - t)


def _axis_taps(coordinate, size, mode, padding_mode, align_corners, nd):
    """The taps of every point along one axis, as (index, weight, d weight, d2 weight) tuples (the
    derivatives with respect to the position), and d position / d coordinate."""
    position, scale = _unnormalize(coordinate, size, align_corners, nd)
    if mode == 'bicubic':
        # ATen pads each tap's index, not the position: the weights stay those of the point itself
        floor = np.floor(position)
        t = position - floor
        indices = [_index(_pad(floor + offset, size, padding_mode, align_corners)[0], size)
                   for offset in (-1, 0, 1, 2)]
        return list(zip(indices, _cubic_weights(t), _cubic_weight_derivatives(t),
                        _cubic_weight_second_derivatives(t))), scale
    position, padding_grad = _pad(position, size, padding_mode, align_corners)
    if mode == 'nearest':  # rounds half to even, as ATen's nearbyint
        return [(_index(np.rint(position), size), np.ones_like(position), 0, 0)], scale * padding_grad
    floor = np.floor(position)
    t = position - floor
    index = _index(floor, size)
    return [(index, 1 - t, -1, 0), (index + 1, t, 1, 0)], scale * padding_grad


class _Corner:
    """One tap per axis: where it reads in the flattened input, whether that is inside, and its weight."""
    __slots__ = ('taps', 'flat_index', 'inside', 'weight')

    def __init__(self, taps, spatial_size):
        flat_index, inside, weight = 0, True, 1
        for (index, tap_weight, _, _), size in zip(taps, spatial_size):
            flat_index = flat_index * size + index
            inside = inside & (index >= 0) & (index < size)
            weight = weight * tap_weight
        self.taps = taps
        self.flat_index = np.where(inside, flat_index, 0)
        self.inside = inside
        self.weight = weight

    def gather(self, planes):
        """The tap's value in every (N, C) plane of `planes` (N, C, pixels): 0 outside the input."""
        values = np.take_along_axis(planes, self.flat_index[:, None, :], axis=2)
        return np.where(self.inside[:, None, :], values, 0)

    def scatter(self, contributions, planes_shape):
        """The adjoint of `gather`: each point's contribution added into the pixel it read."""
        batch, channels, pixels = planes_shape
        plane_starts = (np.arange(batch * channels) * pixels).reshape(batch, channels, 1)
        totals = np.bincount((plane_starts + self.flat_index[:, None, :]).ravel(),
                             np.where(self.inside[:, None, :], contributions, 0).ravel(), batch * channels * pixels)
        return totals.reshape(planes_shape)

    def weight_derivative(self, axis, second_axis=None):
        """d weight / d position[axis], or d2 weight / d position[axis] d position[second_axis]."""
        derivative = 1
        for i, (_, weight, first, second) in enumerate(self.taps):
            if i == axis and i == second_axis:
                derivative = derivative * second
            elif i == axis or i == second_axis:
                derivative = derivative * first
            else:
                derivative = derivative * weight
        return derivative


class _SamplingPlan:
    """Every corner of every grid point of one grid_sampler call, and d position / d coordinate per
    axis. Built from the grid alone, so the backward rebuilds it rather than keeping it alive."""

    def __init__(self, input_shape, grid, mode, padding_mode, align_corners):
        spatial_size = input_shape[2:]
        self.nd = nd = len(spatial_size)
        self.planes_shape = (input_shape[0], input_shape[1], math.prod(spatial_size))
        self.points_shape = (grid.shape[0], math.prod(grid.shape[1:-1]))
        points = grid.reshape(*self.points_shape, nd)  # coordinate k is x, y, z: axis nd - 1 - k
        per_axis, self.multipliers = [], []
        for axis, size in enumerate(spatial_size):
            taps, multiplier = _axis_taps(points[..., nd - 1 - axis], size, mode, padding_mode, align_corners, nd)
            per_axis.append(taps)
            self.multipliers.append(multiplier)
        self.corners = [_Corner(taps, spatial_size) for taps in itertools.product(*per_axis)]
        self.differentiable = mode != 'nearest'  # nearest is piecewise constant in the grid

    def sample(self, planes):
        """(N, C, points): the weighted sum of the corners' values."""
        out = None
        for corner in self.corners:
            term = corner.gather(planes) * corner.weight[:, None, :]
            out = term if out is None else out + term
        return out

    def grid_gradient(self, position_grads, grid_shape):
        """Per-axis gradients for the positions (N, points) as the grid's: times d position /
        d coordinate, laid out with (x, y[, z]) last."""
        coordinate_grads = [grad * multiplier for grad, multiplier in zip(position_grads, self.multipliers)]
        return np.stack(coordinate_grads[::-1], axis=-1).reshape(grid_shape)


def _grid_sampler_forward(input, grid, options):
    plan = _SamplingPlan(input.shape, grid, *options)
    return plan.sample(input.reshape(plan.planes_shape)).reshape(input.shape[:2] + grid.shape[1:-1])


def _grid_sampler_backward(grad_output, input, grid, options, needs_input_grad, needs_grid_grad):
    """The gradients of grid_sampler for the input and for the grid (None where not needed)."""
    plan = _SamplingPlan(input.shape, grid, *options)
    planes = input.reshape(plan.planes_shape)
    grad_planes = grad_output.reshape(plan.planes_shape[:2] + plan.points_shape[1:])
    grad_input = np.zeros(plan.planes_shape) if needs_input_grad else None
    position_grads = [np.zeros(plan.points_shape, grid.dtype) for _ in range(plan.nd)]
    for corner in plan.corners:
        if needs_input_grad:
            grad_input += corner.scatter(grad_planes * corner.weight[:, None, :], plan.planes_shape)
        if needs_grid_grad and plan.differentiable:
            along_values = np.einsum('ncp,ncp->np', grad_planes, corner.gather(planes))
            for axis in range(plan.nd):
                position_grads[axis] += along_values * corner.weight_derivative(axis)
    if needs_input_grad:
        grad_input = grad_input.astype(input.dtype, copy=False).reshape(input.shape)
    grad_grid = None
    if needs_grid_grad:
        grad_grid = plan.grid_gradient(position_grads, grid.shape)
    return grad_input, grad_grid


def _grid_sampler_double_backward(grad_grad_input, grad_grad_grid, grad_output, input, grid, options, needs):
    """The gradients of (grad_input, grad_grid) = grid_sampler's backward, given the gradients of
    those two, for grad_output, the input and the grid. With g = grad_output, v = the corners'
    values, w = their weights and m = d position / d coordinate:
        grad_input = sum over corners of scatter(g w)
        grad_grid[k] = m[k] sum over corners of (sum over channels of g v) dw/dposition[k]
    and each is differentiated for g, v (the input) and the position (the grid)."""
    plan = _SamplingPlan(input.shape, grid, *options)
    planes = input.reshape(plan.planes_shape)
    grad_planes = grad_output.reshape(plan.planes_shape[:2] + plan.points_shape[1:])
    nd = plan.nd
    use_grid_seed = grad_grad_grid is not None and plan.differentiable
    if use_grid_seed:  # the incoming grid gradient per axis, as one for the positions
        seed_points = grad_grad_grid.reshape(*plan.points_shape, nd)
        grid_seed = [seed_points[..., nd - 1 - axis] * plan.multipliers[axis] for axis in range(nd)]
    seed_planes = None if grad_grad_input is None else grad_grad_input.reshape(plan.planes_shape)
    needs_output, needs_input, needs_grid = needs
    needs_input = needs_input and use_grid_seed  # else grad_input does not depend on the input: None, as in PyTorch
    grad_grad_output = np.zeros(grad_planes.shape, grad_planes.dtype) if needs_output else None
    grad_input = np.zeros(plan.planes_shape) if needs_input else None
    position_grads = [np.zeros(plan.points_shape, grid.dtype) for _ in range(nd)]
    for corner in plan.corners:
        # d weight / d position along each axis, weighted by the incoming grid gradient
        seeded_slope = sum(grid_seed[k] * corner.weight_derivative(k) for k in range(nd)) if use_grid_seed else None
        values = corner.gather(planes) if use_grid_seed and (needs_output or needs_grid) else None
        seed_values = corner.gather(seed_planes) if seed_planes is not None else None
        if needs_output:
            if seed_values is not None:
                grad_grad_output += seed_values * corner.weight[:, None, :]
            if use_grid_seed:
                grad_grad_output += values * seeded_slope[:, None, :]
        if needs_input:
            grad_input += corner.scatter(grad_planes * seeded_slope[:, None, :], plan.planes_shape)
        if needs_grid and plan.differentiable:
            along_seed = None if seed_values is None else np.einsum('ncp,ncp->np', grad_planes, seed_values)
            along_values = np.einsum('ncp,ncp->np', grad_planes, values) if use_grid_seed else None
            for axis in range(nd):
                if along_seed is not None:
                    position_grads[axis] += along_seed * corner.weight_derivative(axis)
                if use_grid_seed:
                    curvature = sum(grid_seed[k] * corner.weight_derivative(k, axis) for k in range(nd))
                    position_grads[axis] += along_values * curvature
    if needs_output:
        grad_grad_output = grad_grad_output.reshape(grad_output.shape)
    if needs_input:
        grad_input = grad_input.astype(input.dtype, copy=False).reshape(input.shape)
    grad_grid = None
    if needs_grid:
        grad_grid = plan.grid_gradient(position_grads, grid.shape)
    return grad_grad_output, grad_input, grad_grid


class _GridSamplerBackward(Node):
    __slots__ = ('options',)  # mode, padding_mode, align_corners

    def backward(self, grad):
        input, grid = self.saved_tensors
        grad_input, grad_grid = quietly(_grid_sampler_backward, grad._data, input._data, grid._data, self.options,
                                        self.needs_input_grad(0), self.needs_input_grad(1))
        node = record(_DOUBLE_BACKWARD_NODES[type(self)], grad, input, grid)
        if node is None:
            return (None if grad_input is None else wrap(grad_input)), (None if grad_grid is None else wrap(grad_grid))
        # create_graph: both gradients are outputs of one node, as in PyTorch
        node.save_for_backward(grad, input, grid)
        node.options = self.options
        outputs = results([np.zeros(0) if grad_input is None else grad_input,
                           np.zeros(0) if grad_grid is None else grad_grid], node)
        return (None if grad_input is None else outputs[0]), (None if grad_grid is None else outputs[1])


class _GridSamplerBackwardBackward(Node):
    __slots__ = ('options',)

    def backward(self, grad_grad_input=None, grad_grad_grid=None):
        grad_output, input, grid = self.saved_tensors
        needs = tuple(self.needs_input_grad(i) for i in range(3))
        grads = quietly(_grid_sampler_double_backward, None if grad_grad_input is None else grad_grad_input._data,
                        None if grad_grad_grid is None else grad_grad_grid._data, grad_output._data, input._data,
                        grid._data, self.options, needs)
        # a third derivative is not implemented: a node that says so if it is ever asked for
        node = record(_ThirdDerivativeBackward, grad_grad_input, grad_grad_grid, grad_output, input, grid)
        if node is None:
            return tuple(None if g is None else wrap(g) for g in grads)
        outputs = results([np.zeros(0) if g is None else g for g in grads], node)
        return tuple(None if g is None else output for g, output in zip(grads, outputs))


class _ThirdDerivativeBackward(Node):
    def backward(self, *grads):
        raise NotImplementedError("ember does not implement the third derivative of grid_sample")


def _node(name, base):
    return type(name, (base,), {'__slots__': (), '__doc__': f"PyTorch's {name}."})


GridSampler2DBackward0 = _node('GridSampler2DBackward0', _GridSamplerBackward)
GridSampler3DBackward0 = _node('GridSampler3DBackward0', _GridSamplerBackward)
GridSampler2DBackwardBackward0 = _node('GridSampler2DBackwardBackward0', _GridSamplerBackwardBackward)
GridSampler3DBackwardBackward0 = _node('GridSampler3DBackwardBackward0', _GridSamplerBackwardBackward)
_DOUBLE_BACKWARD_NODES = {GridSampler2DBackward0: GridSampler2DBackwardBackward0,
                          GridSampler3DBackward0: GridSampler3DBackwardBackward0}


def _check_grid_sampler(input, grid, mode):
    """ATen's checks, in its order: batch, grid's last dim, non-empty input, ranks, dtypes."""
    input_shape, grid_shape = list(input.shape), list(grid.shape)
    if input.shape[0] != grid.shape[0]:
        raise RuntimeError("grid_sampler(): expected grid and input to have same batch size, but got input with "
                           f"sizes {input_shape} and grid with sizes {grid_shape}")
    if grid.shape[-1] != input.ndim - 2:
        raise RuntimeError(f"grid_sampler(): expected grid to have size {input.ndim - 2} in last dimension, but got "
                           f"grid with sizes {grid_shape}")
    for axis in range(2, input.ndim):
        if input.shape[axis] == 0:
            raise RuntimeError("grid_sampler(): expected input to have non-empty spatial dimensions, but input has "
                               f"sizes {input_shape} with dimension {axis} being empty")
    rank = 4 if input.ndim == 4 else 5
    if input.ndim != rank or grid.ndim != rank:
        raise RuntimeError(f"grid_sampler(): expected {rank}D input and grid with same number of dimensions, but got "
                           f"input with sizes {input_shape} and grid with sizes {grid_shape}")
    if rank == 5 and mode == 'bicubic':
        raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")
    if input.dtype.kind != 'f':
        kernel = 'grid_sampler_2d_cpu_kernel_impl' if rank == 4 else 'grid_sampler3d_cpu'
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_scalar_type_name(input.dtype)}\'')
    if grid.dtype != input.dtype:
        raise RuntimeError(f"expected scalar type {_scalar_type_name(input.dtype)} but found "
                           f"{_scalar_type_name(grid.dtype)}")


def grid_sampler(input, grid, mode, padding_mode, align_corners):
    """Sample `input` (N, C, *spatial) at the points of `grid` (N, *out, nd): (N, C, *out).
    `mode` is 'bilinear' | 'nearest' | 'bicubic', `padding_mode` 'zeros' | 'border' | 'reflection'."""
    data, points = input._data, grid._data
    _check_grid_sampler(data, points, mode)
    options = (mode, padding_mode, bool(align_corners))
    # NaN and infinite grid points compute as in ATen (NaN or padding), without NumPy's warnings
    out = quietly(_grid_sampler_forward, data, points, options)
    node = record(GridSampler2DBackward0 if data.ndim == 4 else GridSampler3DBackward0, input, grid)
    if node is not None:
        node.save_for_backward(input, grid)
        node.options = options
    return result(out, node)
