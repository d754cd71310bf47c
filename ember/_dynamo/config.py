"""`torch._dynamo.config`: the settings programs commonly change, with PyTorch's defaults. ember compiles
nothing, so they are kept and read back but change no behaviour."""

suppress_errors = False  # PyTorch: fall back to eager when compiling fails (ember is always eager)
verbose = False
cache_size_limit = 8  # recompilations of one function before falling back to eager
recompile_limit = 8
accumulated_cache_size_limit = 256
capture_scalar_outputs = False
capture_dynamic_output_shape_ops = False
automatic_dynamic_shapes = True
assume_static_by_default = True
optimize_ddp = True


def __getattr__(name):
    raise AttributeError(f"torch._dynamo.config.{name} does not exist")
