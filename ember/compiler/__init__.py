"""`torch.compile` without a compiler: ember runs every op eagerly in NumPy, so compiling returns the
function or module wrapped to run exactly as before. The API is there so that PyTorch 2 programs
(`model = torch.compile(model)`, `@torch.compile`) run unchanged; the results are the eager results."""
import functools

from ..nn.modules.module import Module

__all__ = ['compile', 'reset', 'is_compiling', 'is_dynamo_compiling', 'is_exporting', 'disable', 'allow_in_graph',
           'assume_constant_result', 'list_backends']

_MODES = ('default', 'lite', 'reduce-overhead', 'max-autotune-no-cudagraphs', 'max-autotune')

# the backends PyTorch registers on a CPU machine, with their tags; `list_backends` hides the debug and
# experimental ones by default. In ember each of them runs the program eagerly.
_DEBUG_BACKENDS = ('aot_eager', 'aot_eager_decomp_partition', 'aot_eager_decomp_partition_crossref',
                   'aot_eager_decomp_partition_with_mode', 'aot_eager_default_partitioner', 'aot_ts',
                   'dynamo_accuracy_minifier_backend', 'dynamo_minifier_backend', 'eager', 'eager_debug',
                   'eager_noexcept', 'invoke_subgraph', 'non_leaf_compile_error_TESTING_ONLY', 'pre_dispatch_eager',
                   'relu_accuracy_error_TESTING_ONLY', 'relu_compile_error_TESTING_ONLY',
                   'relu_runtime_error_TESTING_ONLY', 'ts')
_BACKEND_TAGS = {**{name: ('debug',) for name in _DEBUG_BACKENDS}, 'openxla_eval': ('experimental',),
                 'cudagraphs': (), 'inductor': (), 'openxla': (), 'tvm': ()}


class OptimizedModule(Module):
    """What `compile(module)` returns, as PyTorch's: the module is kept as the child `_orig_mod` (so its
    state_dict keys start with `_orig_mod.`), calls run its forward, and other attributes are its."""

    def __init__(self, mod):
        super().__init__()
        self._orig_mod = mod
        self.training = mod.training

    def forward(self, *args, **kwargs):
        return self._orig_mod(*args, **kwargs)

    def __getattr__(self, name):
        try:
            return super().__getattr__(name)
        except AttributeError:
            return getattr(self._modules['_orig_mod'], name)

    def __len__(self):
        return len(self._orig_mod)


def compile(model=None, *, fullgraph=False, dynamic=None, backend='inductor', mode=None, options=None,
            disable=False):
    """`model` (a function or a Module), to run as it is: ember has no compiler. Without `model`, a
    decorator (`@compile(mode=...)`)."""
    if mode is not None and options is not None:
        raise RuntimeError("Either mode or options can be specified, but both can't be specified at the same time.")
    if mode is not None and mode not in _MODES:
        raise RuntimeError(f"Unrecognized mode={mode}, should be one of: {', '.join(_MODES)}")
    if model is None:
        return functools.partial(compile, fullgraph=fullgraph, dynamic=dynamic, backend=backend, mode=mode,
                                 options=options, disable=disable)
    if not callable(model):
        raise AssertionError(f"A callable function is expected, but {type(model)} is provided.")
    if isinstance(backend, str) and backend not in _BACKEND_TAGS:
        from .._dynamo.exc import InvalidBackend  # (ember._dynamo is built on this module)
        raise InvalidBackend(backend)
    if isinstance(model, Module):
        return OptimizedModule(model)

    @functools.wraps(model)
    def compiled(*args, **kwargs):
        return model(*args, **kwargs)
    compiled._torchdynamo_orig_callable = model
    return compiled


def reset():
    """Forget compiled code: there is none."""


def is_compiling():
    return False


is_dynamo_compiling = is_exporting = is_compiling


def disable(fn=None, recursive=True, *, reason=None):
    """Run `fn` without compiling it, which is how ember runs everything."""
    return fn if fn is not None else (lambda f: f)


def allow_in_graph(fn):
    return fn


def assume_constant_result(fn):
    return fn


def list_backends(exclude_tags=('debug', 'experimental')):
    """The names `compile(backend=...)` accepts, without those tagged with one of `exclude_tags`."""
    excluded = set(exclude_tags or ())
    return sorted(name for name, tags in _BACKEND_TAGS.items() if not excluded.intersection(tags))
