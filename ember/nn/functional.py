"""`nn.functional`: the stateless forms of the layers. Modules hold the parameters and call these;
these call ember ops, which carry the autograd."""
import warnings

from .. import _ops

# Each family of layers has its section below and extends __all__ there.
__all__ = ['linear', 'bilinear', 'relu', 'relu_', 'sigmoid', 'tanh', 'softmax', 'log_softmax']


# ==== linear ======================================================================================
def linear(input, weight, bias=None):
    """`input @ weight.T + bias`. For a batch of vectors this is one `addmm` (AddmmBackward0), as
    in PyTorch."""
    if bias is not None and input.dim() == 2:
        return _ops.addmm(bias, input, weight.t())
    output = _ops.matmul(input, weight.t())
    return output if bias is None else output + bias


def bilinear(input1, input2, weight, bias=None):
    """`y[..., o] = sum_ij input1[..., i] * weight[o, i, j] * input2[..., j] + bias[o]`."""
    out_features, in1_features, in2_features = weight.shape
    if input1.shape[-1] != in1_features:
        raise RuntimeError(f"bilinear(): input1 size does not match weight size: got {input1.shape[-1]} but "
                           f"expected {in1_features}")
    if input2.shape[-1] != in2_features:
        raise RuntimeError(f"bilinear(): input2 size does not match weight size: got {input2.shape[-1]} but "
                           f"expected {in2_features}")
    # contract input1 with weight in one matmul: (..., in1) @ (in1, out * in2) -> (..., out, in2)
    weight_by_in1 = weight.permute(1, 0, 2).reshape(in1_features, out_features * in2_features)
    partial = _ops.matmul(input1, weight_by_in1).reshape(*input1.shape[:-1], out_features, in2_features)
    output = (partial * input2.unsqueeze(-2)).sum(-1)
    return output if bias is None else output + bias


def relu(input, inplace=False):
    """max(input, 0)."""
    return input.relu_() if inplace else input.relu()


def relu_(input):
    """In-place relu."""
    return input.relu_()


def sigmoid(input):
    """1 / (1 + exp(-input))."""
    return input.sigmoid()


def tanh(input):
    """Hyperbolic tangent."""
    return input.tanh()


def _get_softmax_dim(name, ndim, stacklevel):
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to include dim=X "
                  "as an argument.", stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """exp(input) / sum(exp(input)) along `dim`."""
    if dim is None:
        dim = _get_softmax_dim('softmax', input.dim(), _stacklevel)
    return _ops.softmax(input, dim, dtype=dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """log(softmax(input)) along `dim`, computed stably."""
    if dim is None:
        dim = _get_softmax_dim('log_softmax', input.dim(), _stacklevel)
    return _ops.log_softmax(input, dim, dtype=dtype)


# ==== convolution and pooling =====================================================================


# ==== activations =================================================================================


# ==== normalization and dropout ===================================================================


# ==== losses ======================================================================================


# ==== embeddings, padding, resampling and distances ===============================================


# ==== attention ===================================================================================
