"""What runs inside a DataLoader worker process, and the messages it exchanges with the main process.

The protocol (PyTorch's): the main process puts `(task_index, indices, slot)` on the worker's own
index queue; the worker fetches and collates those samples and puts `(task_index, batch)` on the
result queue shared by all workers. With a slot (not None), the batch travels as a `_PackedBatch`
whose arrays are in that slot of the shared memory (`_shared_slots`). An exception travels as an
`ExceptionWrapper` holding the formatted traceback; the end of an iterable dataset as
`_IterableDatasetStopIteration`; `None` on the index queue tells the worker to exit,
`_ResumeIteration` (persistent workers) to start a new epoch.
"""
import os
import queue
import random
import sys
import traceback
from dataclasses import dataclass

import numpy

from ... import manual_seed, set_num_threads

# How long a blocked `get` waits before looking whether the other side is still alive, in seconds.
MP_STATUS_CHECK_INTERVAL = 1.0


@dataclass(frozen=True)
class WorkerInfo:
    """What `get_worker_info()` returns inside a worker: its `id`, the `num_workers`, the `seed` it
    was given and its own copy of the `dataset`."""
    id: int
    num_workers: int
    seed: int
    dataset: object


_worker_info = None


def get_worker_info():
    """The `WorkerInfo` of the current DataLoader worker process, or None in the main process.

    An IterableDataset uses it to iterate only its share of the data in each worker.
    """
    return _worker_info


class ExceptionWrapper:
    """An exception caught in a worker, carried to the main process as its type and formatted traceback
    (traceback objects cannot be pickled)."""

    def __init__(self, exc_info=None, where="in background"):
        exc_type, exc_value, exc_traceback = exc_info or sys.exc_info()
        self.exc_type = exc_type
        self.exc_msg = ''.join(traceback.format_exception(exc_type, exc_value, exc_traceback))
        self.where = where

    def reraise(self):
        """Raise the same exception type here, its message naming the worker and quoting its traceback."""
        msg = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is KeyError:
            msg = KeyErrorMessage(msg)  # KeyError shows repr() of its argument; keep the newlines readable
        elif getattr(self.exc_type, 'message', None):
            raise self.exc_type(message=msg)
        try:
            exception = self.exc_type(msg)
        except Exception:
            raise RuntimeError(msg) from None  # constructors that need other arguments
        raise exception


class KeyErrorMessage(str):
    """A str whose repr is itself, so a KeyError carrying a traceback prints it line by line."""

    __slots__ = ()

    def __repr__(self):
        return self


@dataclass(frozen=True)
class _IterableDatasetStopIteration:
    """Sent by a worker whose copy of an IterableDataset is exhausted."""
    worker_id: int


@dataclass(frozen=True)
class _ResumeIteration:
    """Sent to persistent workers at the start of each new epoch (and echoed back as an acknowledgement)."""
    seed: int = None


class _MapDatasetFetcher:
    """Fetches `dataset[i]` for the indices of one batch (or one index) and collates them."""

    def __init__(self, dataset, auto_collation, collate_fn, drop_last):
        self.dataset = dataset
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn

    def fetch(self, possibly_batched_index):
        if not self.auto_collation:
            return self.collate_fn(self.dataset[possibly_batched_index])
        getitems = getattr(self.dataset, '__getitems__', None)
        if getitems:
            return self.collate_fn(getitems(possibly_batched_index))
        return self.collate_fn([self.dataset[index] for index in possibly_batched_index])


class _IterableDatasetFetcher:
    """Takes the next samples of an iterable dataset, as many as the batch has indices."""

    def __init__(self, dataset, auto_collation, collate_fn, drop_last):
        self.dataset_iter = iter(dataset)
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.drop_last = drop_last
        self.ended = False

    def fetch(self, possibly_batched_index):
        if self.ended:
            raise StopIteration
        if not self.auto_collation:
            return self.collate_fn(next(self.dataset_iter))
        data = []
        for _ in possibly_batched_index:
            try:
                data.append(next(self.dataset_iter))
            except StopIteration:
                self.ended = True
                break
        if len(data) == 0 or (self.drop_last and len(data) < len(possibly_batched_index)):
            raise StopIteration
        return self.collate_fn(data)


def create_fetcher(is_iterable, dataset, auto_collation, collate_fn, drop_last):
    """The fetcher for a map-style or an iterable-style dataset."""
    fetcher_class = _IterableDatasetFetcher if is_iterable else _MapDatasetFetcher
    return fetcher_class(dataset, auto_collation, collate_fn, drop_last)


def _generate_state(base_seed, worker_id):
    """The 4-word NumPy seed PyTorch gives worker `worker_id` (NumPy's SeedSequence hashing of
    `[worker_id, base_seed low 32 bits, base_seed high 32 bits, 0]`), so NumPy draws in workers match."""
    INIT_A, MULT_A = 0x43B0D7E5, 0x931E8875
    INIT_B, MULT_B = 0x8B51F9DD, 0x58F38DED
    MIX_MULT_L, MIX_MULT_R = 0xCA01F9DD, 0x4973F715
    XSHIFT, MASK32 = 16, 0xFFFFFFFF
    entropy = [worker_id, base_seed & MASK32, base_seed >> 32, 0]
    hash_const_A = INIT_A

    def hash(value):
        nonlocal hash_const_A
        value = (value ^ hash_const_A) & MASK32
        hash_const_A = (hash_const_A * MULT_A) & MASK32
        value = (value * hash_const_A) & MASK32
        return (value ^ (value >> XSHIFT)) & MASK32

    def mix(x, y):
        result = ((MIX_MULT_L * x) - (MIX_MULT_R * y)) & MASK32
        return (result ^ (result >> XSHIFT)) & MASK32

    pool = [hash(value) for value in entropy]
    for i_src in range(4):
        for i_dst in range(4):
            if i_src != i_dst:
                pool[i_dst] = mix(pool[i_dst], hash(pool[i_src]))
    hash_const_B = INIT_B
    state = []
    for value in pool:
        value = (value ^ hash_const_B) & MASK32
        hash_const_B = (hash_const_B * MULT_B) & MASK32
        value = (value * hash_const_B) & MASK32
        state.append((value ^ (value >> XSHIFT)) & MASK32)
    return state


def _worker_loop(is_iterable, dataset, index_queue, data_queue, done_event, auto_collation, collate_fn, drop_last,
                 base_seed, init_fn, worker_id, num_workers, shared_slots=None):
    """The body of worker process `worker_id`: seed, run `init_fn`, then serve index queue requests
    until told to stop (or until the main process disappears)."""
    global _worker_info
    try:
        set_num_threads(1)
        seed = base_seed + worker_id
        random.seed(seed)
        manual_seed(seed)
        numpy.random.seed(_generate_state(base_seed, worker_id))
        _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed, dataset=dataset)

        # An error in init_fn is reported with the first batch this worker is asked for.
        init_exception = None
        try:
            if init_fn is not None:
                init_fn(worker_id)
            fetcher = create_fetcher(is_iterable, dataset, auto_collation, collate_fn, drop_last)
        except Exception:
            init_exception = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")

        iteration_end = False
        parent_pid = os.getppid()
        while os.getppid() == parent_pid:  # a re-parented worker has lost its main process
            try:
                request = index_queue.get(timeout=MP_STATUS_CHECK_INTERVAL)
            except queue.Empty:
                continue
            if isinstance(request, _ResumeIteration):
                data_queue.put((request, None))
                iteration_end = False
                fetcher = create_fetcher(is_iterable, dataset, auto_collation, collate_fn, drop_last)
                continue
            if request is None:
                break
            if done_event.is_set() or iteration_end:
                continue  # drain what is left without doing the work
            task_index, index, slot = request
            if init_exception is not None:
                data, init_exception = init_exception, None
            else:
                try:
                    data = fetcher.fetch(index)
                except Exception as error:
                    if isinstance(error, StopIteration) and is_iterable:
                        data = _IterableDatasetStopIteration(worker_id)
                        iteration_end = True
                    else:
                        data = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")
            if slot is not None:
                try:
                    data = shared_slots.pack(data, slot)
                except Exception:  # e.g. something in the batch that cannot be pickled
                    data = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")
            data_queue.put((task_index, data))
            del data, task_index, index, request  # do not keep a batch alive while waiting for the next request
    except KeyboardInterrupt:
        pass  # the main process handles Ctrl-C; the worker just ends
    if done_event.is_set():
        # nobody will read what is still buffered: exit without waiting for the queue's feeder thread
        data_queue.cancel_join_thread()
        data_queue.close()
