"""`ember.backends.cudnn`: cuDNN's switches, as plain module attributes. cuDNN is never available to
ember (nor to a CPU-only PyTorch build), so setting them changes nothing; their values are PyTorch's
defaults."""

enabled = True        # use cuDNN when it is available
benchmark = False     # let cuDNN time several algorithms and keep the fastest
benchmark_limit = None
deterministic = False  # restrict cuDNN to deterministic algorithms
allow_tf32 = True     # let convolutions use TensorFloat-32 on Ampere GPUs


def is_available():
    """Whether cuDNN can be used: never, on the CPU."""
    return False


def version():
    """cuDNN's version number, or None when PyTorch (here: ember) is built without it."""
    return None
