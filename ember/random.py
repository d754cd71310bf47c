"""Random number generation: `Generator`, `manual_seed`, and the global default generator.

The generator is a Mersenne Twister (mt19937) seeded like PyTorch's CPU generator; NumPy's
`RandomState` implements the same engine and seeding and supplies its raw 32-bit words vectorised.
"""
import contextlib
import time

import numpy as np

__all__ = ['Generator', 'manual_seed', 'seed', 'initial_seed', 'get_rng_state', 'set_rng_state',
           'default_generator', 'fork_rng']


# PyTorch's CPUGeneratorImplState, the bytes of `get_rng_state()`: the legacy TH generator state (the
# seed, the mt19937 engine with its 624 words stored as 64-bit numbers, and the cache of the double
# normal sampler: `normal_y` when `normal_is_valid`), then the cache of the float normal sampler, which
# no ember sampler uses (it is written as empty). The C struct's layout on a 64-bit machine, padding
# included.
_STATE_LAYOUT = np.dtype({
    'names': ['the_initial_seed', 'left', 'seeded', 'next', 'state', 'normal_x', 'normal_y', 'normal_rho',
              'normal_is_valid', 'next_float_normal_sample', 'is_next_float_normal_sample_valid'],
    'formats': ['<u8', '<i4', '<i4', '<u8', ('<u8', 624), '<f8', '<f8', '<f8', '<i4', '<f4', 'u1'],
    'offsets': [0, 8, 12, 16, 24, 5016, 5024, 5032, 5040, 5048, 5052],
    'itemsize': 5056})


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
        """The full generator state as a uint8 tensor of 5056 bytes, in PyTorch's layout (`_STATE_LAYOUT`):
        a state saved by torch restores in ember and the other way round."""
        from ._tensor import Tensor
        _, words, pos, _, _ = self._state.get_state()
        state = np.zeros(1, _STATE_LAYOUT)  # zeros: the padding and the fields nobody uses any more
        state['the_initial_seed'] = self._initial_seed
        state['seeded'] = 1
        # NumPy counts the words read since the last regeneration (`pos`; 624: regenerate before the next
        # draw); PyTorch counts `left` down to the regeneration and reads the word at `next`, which is
        # 0 after seeding and 624 after 624 draws. Seeding's words follow the seeding recurrence.
        state['left'] = 625 - pos
        freshly_seeded = int(words[1]) == (1812433253 * (int(words[0]) ^ (int(words[0]) >> 30)) + 1) & 0xFFFFFFFF
        state['next'] = 0 if pos == 624 and freshly_seeded else pos
        state['state'] = words
        if self._next_normal is not None:
            state['normal_is_valid'] = 1
            state['normal_y'] = self._next_normal
        return Tensor._wrap(state.view(np.uint8))

    def set_state(self, new_state):
        """Restore a state returned by `get_state` (ember's or torch's), including the cached normal sample."""
        from ._tensor import Tensor
        if not isinstance(new_state, Tensor):
            raise TypeError(f"expected a torch.ByteTensor, but got {type(new_state).__name__}")
        if new_state._data.dtype != np.uint8:
            raise TypeError("RNG state must be a torch.ByteTensor")
        if new_state._data.size != _STATE_LAYOUT.itemsize:
            raise RuntimeError(f"Expected a CPUGeneratorImplState of size {_STATE_LAYOUT.itemsize} but found "
                               f"the input RNG state size to be {new_state._data.size}")
        state = np.ascontiguousarray(new_state._data).reshape(-1).view(_STATE_LAYOUT)[0]
        left, next_word = int(state['left']), int(state['next'])
        if not (state['seeded'] and 0 < left <= 624 and next_word <= 624):
            raise RuntimeError("Invalid mt19937 state")
        self._state.set_state(('MT19937', state['state'].astype(np.uint32), 625 - left, 0, 0.0))
        self._initial_seed = int(state['the_initial_seed'])
        self._next_normal = float(state['normal_y']) if state['normal_is_valid'] else None
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
