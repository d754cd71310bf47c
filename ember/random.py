"""Random number generation: `Generator`, `manual_seed`, and the global default generator.

The generator is a Mersenne Twister (mt19937) seeded like PyTorch's CPU generator; NumPy's
`RandomState` implements the same engine and seeding and supplies its raw 32-bit words vectorised.
"""
import contextlib
import time

import numpy as np

__all__ = ['Generator', 'manual_seed', 'seed', 'initial_seed', 'get_rng_state', 'set_rng_state',
           'default_generator', 'fork_rng']


class Generator:
    """A random number generator; pass it as `generator=` to random functions."""

    def __init__(self, device='cpu'):
        self.device = device
        self._initial_seed = 67280421310721  # PyTorch's default seed
        self._state = np.random.RandomState(self._initial_seed & 0xFFFFFFFF)
        self._next_normal = None  # PyTorch's scalar normal sampler caches the second Box-Muller value

    def manual_seed(self, seed):
        """Re-seed; returns the generator, as PyTorch does."""
        seed = int(seed)
        if not -0x8000_0000_0000_0000 <= seed <= 0xFFFF_FFFF_FFFF_FFFF:
            raise RuntimeError("Overflow when unpacking long long")
        seed &= 0xFFFF_FFFF_FFFF_FFFF
        self._initial_seed = seed
        self._state.seed(seed & 0xFFFFFFFF)  # in place: 2 µs, where a new RandomState costs 200 µs
        self._next_normal = None
        return self

    def seed(self):
        """Seed from a non-deterministic source and return that seed."""
        s = (time.time_ns() ^ id(self)) & 0xFFFF_FFFF_FFFF_FFFF
        self.manual_seed(s)
        return s

    def initial_seed(self):
        """The seed this generator was last seeded with."""
        return self._initial_seed

    def get_state(self):
        """The full generator state as a uint8 tensor (restorable with `set_state`)."""
        from ._tensor import Tensor
        _, key, pos, has_gauss, cached = self._state.get_state()
        words = np.concatenate([key.astype(np.uint32), np.array([pos], dtype=np.uint32)])
        extra = np.array([self._initial_seed], dtype=np.uint64).view(np.uint8)
        normal = np.array([np.nan if self._next_normal is None else self._next_normal], dtype=np.float64)
        raw = np.concatenate([words.view(np.uint8), extra, normal.view(np.uint8)])
        return Tensor._wrap(raw)

    def set_state(self, new_state):
        """Restore a state returned by `get_state`, including the cached normal sample."""
        raw = np.asarray(new_state._data if hasattr(new_state, '_data') else new_state, dtype=np.uint8)
        if raw.size != 624 * 4 + 4 + 8 + 8:
            raise RuntimeError("Expected either a ByteTensor of the size produced by get_state()")
        words = raw[:625 * 4].view(np.uint32)
        self._state.set_state(('MT19937', words[:624].copy(), int(words[624]), 0, 0.0))
        self._initial_seed = int(raw[625 * 4:625 * 4 + 8].view(np.uint64)[0])
        cached = float(raw[625 * 4 + 8:].view(np.float64)[0])
        self._next_normal = None if np.isnan(cached) else cached
        return self

    # RandomState's bounded-integer path costs ~10 us per call before it draws anything; for a few words
    # the engine's own `random_raw` (the same words, one per uint64) is ~1 us. Above a few thousand
    # words the bounded path's tighter loop wins.
    def _uint32(self, n):
        """The next `n` raw 32-bit words of the Mersenne Twister stream (PyTorch's `random()`)."""
        if n < _FEW_WORDS:
            return self._state._bit_generator.random_raw(n).astype(np.uint32)
        return self._state.randint(0, 0x1_0000_0000, size=n, dtype=np.uint32)

    def _low_bits(self, n, bits):
        """The low `bits` bits of the next `n` raw words (`_uint32(n) & (2**bits - 1)`, one pass fewer):
        NumPy's legacy bounded draw masks each word to the bit length of the range and keeps it when it
        is in range, which it always is for a range of 2**bits."""
        if n < _FEW_WORDS:
            words = self._state._bit_generator.random_raw(n)
            words &= (1 << bits) - 1
            return words.astype(np.uint32)
        return self._state.randint(0, 1 << bits, size=n, dtype=np.uint32)

    def _uint64(self, n):
        """The next `n` 64-bit values, each made of two words, the first one high (PyTorch's `random64()`);
        NumPy's mt19937 builds its 64-bit draws the same way."""
        if 2 * n < _FEW_WORDS:
            words = self._state._bit_generator.random_raw(2 * n)
            values = words[0::2] << np.uint64(32)
            values |= words[1::2]
            return values
        return self._state.randint(0, 0x1_0000_0000_0000_0000, size=n, dtype=np.uint64)


_FEW_WORDS = 4096


default_generator = Generator()


def manual_seed(seed):
    """Seed the default generator (what `ember.manual_seed` does)."""
    return default_generator.manual_seed(seed)


def seed():
    """Seed the default generator non-deterministically and return the seed."""
    return default_generator.seed()


def initial_seed():
    """The default generator's seed."""
    return default_generator.initial_seed()


def get_rng_state():
    """The default generator's state as a uint8 tensor."""
    return default_generator.get_state()


def set_rng_state(new_state):
    """Restore the default generator's state from `get_rng_state()`."""
    default_generator.set_state(new_state)


_SPARE_ENGINES = []  # mt19937 engines for `_reseeded`, kept because creating one costs 200 µs


@contextlib.contextmanager
def _reseeded(seed):
    """`with fork_rng(): manual_seed(seed)` for a block that starts by reseeding, without copying
    the 624-word state out and back in (~200 µs, more than a small image's transforms): the default
    generator runs on a spare engine inside the block and gets its own engine back after it."""
    generator = default_generator
    saved = generator._state, generator._initial_seed, generator._next_normal
    generator._state = _SPARE_ENGINES.pop() if _SPARE_ENGINES else np.random.RandomState()
    try:
        generator.manual_seed(seed)
        yield
    finally:
        _SPARE_ENGINES.append(generator._state)
        generator._state, generator._initial_seed, generator._next_normal = saved


class fork_rng:
    """Context manager that restores the default generator's state on exit."""

    def __init__(self, devices=None, enabled=True, **kwargs):
        self.enabled = enabled

    def __enter__(self):
        if self.enabled:
            self.state = get_rng_state()

    def __exit__(self, *exc):
        if self.enabled:
            set_rng_state(self.state)
        return False
