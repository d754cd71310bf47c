"""`ember.backends.mps`: Apple's Metal GPU backend, which ember (NumPy on the CPU) never has."""


def is_built():
    """Whether this build includes MPS support."""
    return False


def is_available():
    """Whether an MPS device can be used now."""
    return False
