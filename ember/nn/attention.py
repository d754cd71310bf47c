"""`nn.attention`: choosing the kernel behind `F.scaled_dot_product_attention`.

PyTorch has several (FlashAttention, memory-efficient, cuDNN, the plain math one) and
`sdpa_kernel` restricts which it may pick. ember has one, the math one, so the context manager
checks its argument as PyTorch does and changes nothing."""
import contextlib
import enum

__all__ = ['SDPBackend', 'sdpa_kernel', 'WARN_FOR_UNFUSED_KERNELS']

# PyTorch warns, when set, each time a fused kernel cannot be used; ember has none to miss
WARN_FOR_UNFUSED_KERNELS = False


class SDPBackend(enum.IntEnum):
    """The scaled-dot-product-attention kernels, with PyTorch's numbering."""
    ERROR = -1
    MATH = 0
    FLASH_ATTENTION = 1
    EFFICIENT_ATTENTION = 2
    CUDNN_ATTENTION = 3
    OVERRIDEABLE = 4

    __str__ = enum.Enum.__str__  # 'SDPBackend.MATH', as PyTorch prints it


@contextlib.contextmanager
def sdpa_kernel(backends, set_priority=False):
    """Limit scaled_dot_product_attention to `backends` (one SDPBackend or a list) inside the
    block. On ember, which only has the math kernel, it only validates the argument."""
    if not isinstance(backends, (list, SDPBackend)):
        raise AssertionError("Backend must be an instance of SDPBackend or a list of SDPBackend instances, got "
                             f"{type(backends).__name__}")
    yield {}
