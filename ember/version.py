"""`torch.version`: the PyTorch release whose API ember follows, and the accelerator builds (none)."""

__all__ = ['__version__', 'debug', 'cuda', 'git_version', 'hip', 'rocm', 'xpu']

__version__ = '2.13.0'
debug = False
cuda = None  # the CUDA version a GPU build was compiled against; ember runs on the CPU only
hip = None
git_version = 'Unknown'  # what PyTorch records when it is built outside a git checkout
rocm = None
xpu = None
