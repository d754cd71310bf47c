"""Batches from worker processes through shared memory instead of through the result pipe.

A batch sent through a `multiprocessing.Queue` is pickled, written into a pipe 64 KiB at a time and read
back and unpickled by the main process: for a batch of 16 small images (200 KB) that costs the main
process ~0.6 ms of CPU in a dozen system calls, and about as much again in the worker, time taken
from the workers that share the machine's cores. PyTorch moves tensor storage through shared memory
for the same reason.

Here the main process maps one block of shared memory before it forks the workers, cut into slots,
one per batch that can be outstanding. With each batch of indices it names a free slot; the worker
copies the batch's arrays (those of its tensors, and plain NumPy arrays) into that slot and pickles
only the rest, with a note where each array lies; the main process copies the arrays out into fresh
arrays as soon as the message arrives and frees the slot. So batches arrive exactly as pickling
would deliver them (new, private arrays), and the pages of the slots, touched once, are reused from
then on. An array that does not fit in what is left of its slot travels in the pickle as before.
"""
import io
import math
import mmap
import pickle
from multiprocessing.reduction import ForkingPickler

import numpy

SLOT_BYTES = 32 << 20  # per outstanding batch; only the pages a batch touches take memory
_SMALLEST_SHARED = 4096  # smaller arrays (labels, say) are cheaper inside the pickle
_ALIGNMENT = 64


class SharedBatchSlots:
    """`count` slots of `slot_bytes` bytes in memory shared with processes forked after creation."""

    def __init__(self, count, slot_bytes=None):
        self.count = count
        self.slot_bytes = slot_bytes or SLOT_BYTES
        self._memory = mmap.mmap(-1, count * self.slot_bytes)  # anonymous and MAP_SHARED: fork shares it

    def _array_at(self, offset, dtype, shape, order):
        """A NumPy view of the shared block at byte `offset`."""
        flat = numpy.frombuffer(self._memory, dtype=dtype, count=math.prod(shape), offset=offset)
        return flat.reshape(shape, order=order)

    def pack(self, data, slot):
        """(In a worker.) Write the arrays of `data` into `slot`; return the pickle of the rest."""
        buffer = io.BytesIO()
        _SlotPickler(buffer, self, slot).dump(data)
        return _PackedBatch(slot, buffer.getvalue())

    def unpack(self, packed):
        """(In the main process.) The batch of a `_PackedBatch`, its arrays copied out of the slot."""
        return _SlotUnpickler(io.BytesIO(packed.payload), self).load()

    def close(self):
        self._memory.close()


class _PackedBatch:
    """What a worker sends instead of a batch: the slot its arrays are in and the pickle of the rest."""
    __slots__ = ('slot', 'payload')

    def __init__(self, slot, payload):
        self.slot = slot
        self.payload = payload

    def __reduce__(self):
        return _PackedBatch, (self.slot, self.payload)


class _SlotPickler(ForkingPickler):
    """Pickles like multiprocessing does, except that arrays go into the slot while there is room."""

    def __init__(self, file, slots, slot):
        super().__init__(file, pickle.HIGHEST_PROTOCOL)
        self._slots = slots
        self._offset = slot * slots.slot_bytes
        self._end = self._offset + slots.slot_bytes

    def persistent_id(self, obj):
        if type(obj) is not numpy.ndarray or obj.nbytes < _SMALLEST_SHARED or obj.dtype.hasobject:
            return None
        start = -(-self._offset // _ALIGNMENT) * _ALIGNMENT
        if start + obj.nbytes > self._end:
            return None
        # the layout pickling would give: Fortran order kept, anything else C order
        order = 'F' if obj.flags.f_contiguous and not obj.flags.c_contiguous else 'C'
        numpy.copyto(self._slots._array_at(start, obj.dtype, obj.shape, order), obj)
        self._offset = start + obj.nbytes
        return start, obj.dtype, obj.shape, order


class _SlotUnpickler(pickle.Unpickler):
    def __init__(self, file, slots):
        super().__init__(file)
        self._slots = slots

    def persistent_load(self, pid):
        offset, dtype, shape, order = pid
        return self._slots._array_at(offset, dtype, shape, order).copy(order='K')
