"""Weight normalization: `w = g * v / ||v||`, the norm taken over every dim of `v` but `dim`
(`torch._weight_norm`), and that norm itself (`torch.norm_except_dim`).

As in ATen, dim 0 and the last dim — where the slices are rows or columns of a 2-D view of `v` — go
through one kernel with its own backward (`WeightNormInterfaceBackward0`); any other dim is a
composite of ember ops. `dim=-1` does not mean the last dim here: PyTorch uses it for "no dim", the
norm of the whole tensor (what `weight_norm(dim=None)` asks for).
"""
import numpy as np

from ..autograd.graph import Node
from ..autograd.grad_mode import GradMode
from ._util import quietly, record, result, wrap

__all__ = ['_weight_norm', 'norm_except_dim']
TENSOR_METHODS = ()
INPLACE_METHODS = ()


def norm_except_dim(v, pow=2, dim=0):
    """The `pow`-norm of each slice of `v` along `dim`, shaped to broadcast against `v` (size 1 on
    every other dim); `dim=-1` gives the norm of all of `v` (a 0-d tensor)."""
    if dim == -1:
        return v.norm(pow)
    if dim == 0:
        output_size = (v.shape[0],) + (1,) * (v.dim() - 1)
        return v.reshape(v.shape[0], -1).norm(pow, 1).reshape(output_size)
    if dim == v.dim() - 1:
        output_size = (1,) * (v.dim() - 1) + (v.shape[-1],)
        return v.reshape(-1, v.shape[-1]).norm(pow, 0).reshape(output_size)
    return norm_except_dim(v.transpose(0, dim), pow, 0).transpose(0, dim)


class WeightNormInterfaceBackward0(Node):
    """Backward of `w = g * v / norm` per slice. With `s = sum(grad * v)` over each slice:

        grad_g = s / norm,     grad_v = g / norm * (grad - v * s / norm^2)

    (the part of `grad` along `v` is removed: scaling `v` does not change `w`)."""
    __slots__ = ('dim', 'norms')

    def backward(self, grad):
        v, g = self.saved_tensors
        if GradMode.enabled:
            # create_graph: the norms are a function of v, so recompute them in the graph
            norms = norm_except_dim(v, 2, self.dim)
        else:
            norms = wrap(self.norms)
        other_dims = tuple(d for d in range(v.dim()) if d != self.dim)
        per_slice_sums = (grad * v).sum(other_dims, keepdim=True) if other_dims else grad * v
        grad_v = grad_g = None
        if self.needs_input_grad(0):
            grad_v = g.reshape(norms.shape) / norms * (grad - v * (per_slice_sums / (norms * norms)))
        if self.needs_input_grad(1):
            grad_g = (per_slice_sums / norms).reshape(g.shape)
        return grad_v, grad_g


def _weight_norm(v, g, dim=0):
    """`v * (g / norm_except_dim(v, 2, dim))`: the direction of `v` with the magnitude `g`."""
    if dim != 0 and dim != v.dim() - 1:
        return v * (g / norm_except_dim(v, 2, dim))
    if g.numel() != v.shape[dim]:
        raise RuntimeError(f"_weight_norm: g has {g.numel()} elements but v has size {v.shape[dim]} at dim {dim}; "
                           f"expected g of shape {list(norm_except_dim(v.detach(), 2, dim).shape)}")
    v_data = v._data
    other_dims = tuple(d for d in range(v_data.ndim) if d != dim)
    norms = np.sqrt(np.sum(v_data * v_data, axis=other_dims, keepdims=True))
    weight = quietly(lambda: v_data * (g._data.reshape(norms.shape) / norms))
    node = record(WeightNormInterfaceBackward0, v, g)
    if node is not None:
        node.save_for_backward(v, g)
        node.dim, node.norms = dim, norms
    return result(weight, node)
