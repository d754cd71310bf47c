"""ember.func: function transforms, as torch.func (functorch).

`grad`, `vjp`, `jvp`, `jacrev`, `jacfwd`, `hessian` and `linearize` take a function of tensors and
return its derivative as a function; `vmap` maps a function over a batch dimension;
`functional_call` runs a module as a function of its parameters, so the transforms apply to models.
They are built on ember's autograd (see _eager_transforms.py) and on a per-element loop (_vmap.py):
PyTorch's semantics, in a form one can read.
"""
from ._eager_transforms import grad, grad_and_value, vjp, jvp, jacrev, jacfwd, hessian, linearize
from ._vmap import vmap
from ._functional_call import functional_call, stack_module_state

__all__ = ['grad', 'grad_and_value', 'vmap', 'hessian', 'jacfwd', 'jacrev', 'jvp', 'linearize', 'vjp',
           'functional_call', 'stack_module_state']
