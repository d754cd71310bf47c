"""Keep freed array memory in the process instead of handing it back to the OS after every step.

A training step allocates and frees the same large arrays (im2col columns, activations, gradients)
every iteration. glibc's malloc serves blocks above its mmap threshold (dynamic, at most 32 MiB)
with a fresh `mmap` and unmaps them on `free`, and trims the heap top above its trim threshold; so
each step touches its arrays' pages anew and pays one page fault per 4 KiB (several µs each in a
virtual machine: 7 ms of a LeNet step's 9 ms convolution forward here). PyTorch's tensors go through
its own allocator; ember's are NumPy arrays, so ember raises both thresholds once, at import: large
blocks come from the heap and freed ones are reused by the next step, like a caching allocator.
Peak memory is unchanged; the difference is that it stays mapped after a step. Only glibc has
`mallopt`; elsewhere this does nothing.
"""
import ctypes
import ctypes.util

_M_TRIM_THRESHOLD = -1  # glibc's <malloc.h> parameter numbers
_M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 1 << 30  # blocks up to 1 GiB come from the heap
TRIM_THRESHOLD = 1 << 31  # up to 2 GiB of free heap top is kept for reuse


def keep_freed_memory():
    """Set glibc's malloc thresholds (see the module docstring); False where there is no mallopt."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library('c') or 'libc.so.6')
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD) and mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))


keep_freed_memory()
