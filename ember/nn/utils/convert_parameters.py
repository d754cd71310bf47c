"""Flatten parameters into one vector and back (for optimisers that treat the model as a vector)."""
from ..._tensor import Tensor
from ..._ops import cat

__all__ = ['parameters_to_vector', 'vector_to_parameters']


def parameters_to_vector(parameters):
    """All `parameters` flattened and concatenated into one 1-D tensor (differentiable)."""
    return cat([p.reshape(-1) for p in parameters])


def vector_to_parameters(vec, parameters):
    """Copy consecutive slices of the 1-D `vec` into `parameters` (replacing each `.data`)."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {type(vec).__name__}")
    offset = 0
    for param in parameters:
        numel = param.numel()
        param.data = vec[offset:offset + numel].view_as(param).data
        offset += numel
