"""ember.signal.windows: SciPy-style window functions (`sym=True` gives the symmetric window for
filter design, `sym=False` the periodic one for spectral analysis)."""
from .windows import (bartlett, blackman, cosine, exponential, gaussian, general_cosine, general_hamming, hamming,
                      hann, kaiser, nuttall)

__all__ = ['bartlett', 'blackman', 'cosine', 'exponential', 'gaussian', 'general_cosine', 'general_hamming',
           'hamming', 'hann', 'kaiser', 'nuttall']
