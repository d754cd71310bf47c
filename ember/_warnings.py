"""How ember gives PyTorch's warnings: at the user's line that called into ember (where PyTorch's
warnings from C++ point too), and, for those PyTorch gives with TORCH_WARN_ONCE, only the first time
in a process unless `ember.set_warn_always(True)`."""
import warnings

from .autograd.anomaly_mode import _stacklevel_outside_ember

warn_always = False  # ember.set_warn_always sets it
_given_once = set()  # the messages of the once-per-process warnings already given


def warn(message, category=UserWarning):
    """`warnings.warn`, attributed to the first line outside ember on the call stack."""
    warnings.warn(message, category, stacklevel=_stacklevel_outside_ember())


def warn_once(message, category=UserWarning):
    """PyTorch's TORCH_WARN_ONCE: `warn` the first time this message comes up in the process."""
    if message in _given_once and not warn_always:
        return
    _given_once.add(message)
    warn(message, category)
