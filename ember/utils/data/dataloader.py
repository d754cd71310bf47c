"""DataLoader: iterate over a dataset in batches, in the main process or in worker processes.

The pieces, as in PyTorch: a sampler yields indices, a `BatchSampler` groups them into batches
(automatic batching), a fetcher reads the samples of a batch from the dataset and `collate_fn`
merges them. `iter(loader)` returns an iterator object that does this work either in the main
process (`_SingleProcessDataLoaderIter`) or by handing batches of indices to worker processes and
putting their results back into sampler order (`_MultiProcessingDataLoaderIter`).
"""
import atexit
import itertools
import math
import multiprocessing
import os
import queue
import warnings
from typing import Generic, TypeVar

from ... import empty, int64
from . import _worker
from ._collate import default_collate, default_convert
from ._shared_slots import SharedBatchSlots, _PackedBatch
from ._worker import ExceptionWrapper, get_worker_info
from .dataset import IterableDataset
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler

__all__ = ['DataLoader', 'get_worker_info', 'default_collate', 'default_convert']

_T_co = TypeVar('_T_co', covariant=True)

# Set when the interpreter is exiting: the multiprocessing machinery may already be torn down,
# so iterators must not try to talk to their workers any more.
_python_exiting = False


def _set_python_exiting():
    global _python_exiting
    _python_exiting = True


atexit.register(_set_python_exiting)


class _InfiniteConstantSampler(Sampler):
    """The sampler of an IterableDataset: `None` forever (the dataset itself decides when to stop)."""

    def __iter__(self):
        while True:
            yield None


class DataLoader(Generic[_T_co]):
    """Iterates over `dataset` in batches: a sampler picks the indices, `collate_fn` builds each batch.

    `batch_size` samples per batch (`None` turns batching off), `shuffle=True` for a new random
    order every epoch (or pass a `sampler`, or a `batch_sampler` yielding whole batches of indices),
    `drop_last` to skip a final incomplete batch. `num_workers > 0` loads batches in that many
    worker processes, `prefetch_factor` batches ahead per worker, returned in sampler order;
    `worker_init_fn(worker_id)` runs in each worker after seeding; `timeout` bounds the wait for a
    batch; `persistent_workers` keeps the workers alive between epochs. `generator` drives the
    shuffling and the workers' seeds. `pin_memory` is accepted and has no effect (CPU only).
    """

    __initialized = False

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None, num_workers=0,
                 collate_fn=None, pin_memory=False, drop_last=False, timeout=0, worker_init_fn=None,
                 multiprocessing_context=None, generator=None, *, prefetch_factor=None, persistent_workers=False,
                 pin_memory_device='', in_order=True):
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 to disable multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("prefetch_factor option could only be specified in multiprocessing."
                             "let num_workers > 0 to enable multiprocessing, otherwise set prefetch_factor to None.")
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        elif prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError("prefetch_factor option should be non-negative")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")

        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.in_order = in_order

        self._is_iterable = isinstance(dataset, IterableDataset)
        if self._is_iterable:
            # a stream has no indices to shuffle or sample: the dataset decides the order
            if shuffle not in {False, None}:
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified shuffle option, "
                                 f"but got shuffle={shuffle}")
            if sampler is not None:
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified sampler option, "
                                 f"but got sampler={sampler}")
            if batch_sampler is not None:
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified batch_sampler option, "
                                 f"but got batch_sampler={batch_sampler}")
        else:
            shuffle = bool(shuffle)
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, "
                                 "and drop_last")
            batch_size = None
            drop_last = False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually exclusive with drop_last")

        if sampler is None:
            if self._is_iterable:
                sampler = _InfiniteConstantSampler()
            elif shuffle:
                sampler = RandomSampler(dataset, generator=generator)
            else:
                sampler = SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn
        self.persistent_workers = persistent_workers
        self.__initialized = True
        # len(dataset) reported for an IterableDataset, to warn when iteration yields more (see __len__)
        self._IterableDataset_len_called = None
        self._iterator = None
        self.check_worker_number_rationality()

    @property
    def multiprocessing_context(self):
        """The multiprocessing context that starts the workers (`None`: fork where available)."""
        return self.__multiprocessing_context

    @multiprocessing_context.setter
    def multiprocessing_context(self, context):
        if context is not None:
            if self.num_workers == 0:
                raise ValueError("multiprocessing_context can only be used with multi-process loading "
                                 f"(num_workers > 0), but got num_workers={self.num_workers}")
            if isinstance(context, str):
                valid_start_methods = multiprocessing.get_all_start_methods()
                if context not in valid_start_methods:
                    raise ValueError(f"multiprocessing_context option should specify a valid start method in "
                                     f"{valid_start_methods!r}, but got multiprocessing_context={context!r}")
                context = multiprocessing.get_context(context)
            if not isinstance(context, multiprocessing.context.BaseContext):
                raise TypeError("multiprocessing_context option should be a valid context object or a string "
                                f"specifying the start method, but got multiprocessing_context={context}")
        self.__multiprocessing_context = context

    def __setattr__(self, name, value):
        if self.__initialized and name in ('batch_size', 'batch_sampler', 'sampler', 'drop_last', 'dataset',
                                           'persistent_workers'):
            raise ValueError(f"{name} attribute should not be set after {type(self).__name__} is initialized")
        super().__setattr__(name, value)

    @property
    def _auto_collation(self):
        return self.batch_sampler is not None

    @property
    def _index_sampler(self):
        """What the iterator draws from: batches of indices, or single indices without auto-batching."""
        return self.batch_sampler if self._auto_collation else self.sampler

    def _get_iterator(self):
        if self.num_workers == 0:
            return _SingleProcessDataLoaderIter(self)
        self.check_worker_number_rationality()
        return _MultiProcessingDataLoaderIter(self)

    def __iter__(self):
        if self.persistent_workers and self.num_workers > 0:
            if self._iterator is None:
                self._iterator = self._get_iterator()
            else:
                self._iterator._reset(self)
            return self._iterator
        return self._get_iterator()

    def __len__(self):
        """The number of batches: the batch sampler's length, or for an IterableDataset
        `len(dataset) / batch_size` rounded as `drop_last` says (a guess: its workers may yield more)."""
        if not self._is_iterable:
            return len(self._index_sampler)
        length = self._IterableDataset_len_called = len(self.dataset)
        if self.batch_size is not None:
            length = length // self.batch_size if self.drop_last else math.ceil(length / self.batch_size)
        return length

    def check_worker_number_rationality(self):
        """Warn when `num_workers` exceeds the CPUs this process may run on."""
        if not self.num_workers:
            return
        cpuset_checked = hasattr(os, 'sched_getaffinity')
        max_num_worker_suggest = len(os.sched_getaffinity(0)) if cpuset_checked else os.cpu_count()
        if max_num_worker_suggest is not None and self.num_workers <= max_num_worker_suggest:
            return
        if max_num_worker_suggest is None:
            suggestion = "DataLoader is not able to compute a suggested max number of worker in current system."
        else:
            suggestion = (f"Our suggested max number of worker in current system is {max_num_worker_suggest}"
                          f"{'' if cpuset_checked else ' (`cpuset` is not taken into account)'}, which is smaller "
                          "than what this DataLoader is going to create.")
        warnings.warn(f"This DataLoader will create {self.num_workers} worker processes in total. {suggestion} "
                      "Please be aware that excessive worker creation might get DataLoader running slow or even "
                      "freeze, lower the worker number to avoid potential slowness/freeze if necessary.",
                      stacklevel=2)


class _BaseDataLoaderIter:
    """One pass over the loader's index sampler; subclasses say where the batches are fetched."""

    def __init__(self, loader):
        self._dataset = loader.dataset
        self._is_iterable = loader._is_iterable
        self._IterableDataset_len_called = loader._IterableDataset_len_called
        self._auto_collation = loader._auto_collation
        self._drop_last = loader.drop_last
        self._index_sampler = loader._index_sampler
        self._num_workers = loader.num_workers
        if loader.pin_memory:
            warnings.warn("'pin_memory' argument is set as true but no accelerator is found, "
                          "then device pinned memory won't be used.", stacklevel=2)
        self._timeout = loader.timeout
        self._collate_fn = loader.collate_fn
        self._sampler_iter = iter(self._index_sampler)
        # Drawn even without workers, before the sampler's own draw: the global generator then
        # advances exactly as PyTorch's does, so later random numbers match too.
        self._base_seed = empty((), dtype=int64).random_(generator=loader.generator).item()
        self._persistent_workers = loader.persistent_workers
        self._num_yielded = 0

    def __iter__(self):
        return self

    def _reset(self, loader, first_iter=False):
        self._sampler_iter = iter(self._index_sampler)
        self._num_yielded = 0
        self._IterableDataset_len_called = loader._IterableDataset_len_called

    def _next_data(self):
        raise NotImplementedError

    def __next__(self):
        data = self._next_data()
        self._num_yielded += 1
        if (self._is_iterable and self._IterableDataset_len_called is not None
                and self._num_yielded > self._IterableDataset_len_called):
            message = (f"Length of IterableDataset {self._dataset} was reported to be "
                       f"{self._IterableDataset_len_called}(when accessing len(dataloader)), but "
                       f"{self._num_yielded} samples have been fetched. ")
            if self._num_workers > 0:
                message += ("For multiprocessing data-loading, this could be caused by not properly configuring "
                            "the IterableDataset replica at each worker. Please see "
                            "https://pytorch.org/docs/stable/data.html#torch.utils.data.IterableDataset for examples.")
            warnings.warn(message, stacklevel=2)
        return data

    def __len__(self):
        return len(self._index_sampler)

    def __getstate__(self):
        raise NotImplementedError(f"{type(self).__name__} cannot be pickled")


class _SingleProcessDataLoaderIter(_BaseDataLoaderIter):
    """Fetches and collates each batch in the main process, when it is asked for."""

    def __init__(self, loader):
        super().__init__(loader)
        self._dataset_fetcher = _worker.create_fetcher(self._is_iterable, self._dataset, self._auto_collation,
                                                       self._collate_fn, self._drop_last)

    def _next_data(self):
        return self._dataset_fetcher.fetch(next(self._sampler_iter))  # both may raise StopIteration


class _MultiProcessingDataLoaderIter(_BaseDataLoaderIter):
    """Hands batches of indices to worker processes and returns their batches in sampler order.

    Task `k` (the k-th batch of indices) goes to worker `k % num_workers` — skipping workers whose
    iterable dataset is exhausted — through that worker's index queue; results come back on one
    shared queue in whatever order the workers finish. Results that arrive early wait in
    `_task_info` until all earlier ones have been returned. At most `prefetch_factor * num_workers`
    tasks are outstanding: a new one is sent each time a batch is returned.
    """

    _shutdown = True  # until there are workers to shut down

    def __init__(self, loader):
        super().__init__(loader)
        self._prefetch_factor = loader.prefetch_factor
        self._in_order = loader.in_order
        context = loader.multiprocessing_context
        if context is None and multiprocessing.get_start_method(allow_none=True) is not None:
            context = multiprocessing.get_context()  # the program chose one: `set_start_method('spawn')`
        elif context is None:
            # fork: workers start fast and inherit the dataset, collate_fn and worker_init_fn as they
            # are, lambdas included (the other start methods must pickle them)
            fork_available = 'fork' in multiprocessing.get_all_start_methods()
            context = multiprocessing.get_context('fork' if fork_available else None)
        self._worker_result_queue = context.Queue()
        # batches come back through shared memory when the workers are forked (which shares it with them)
        slot_count = self._prefetch_factor * self._num_workers
        self._shared_slots = None
        if slot_count and context.get_start_method() == 'fork':
            try:
                self._shared_slots = SharedBatchSlots(slot_count)
            except (OSError, ValueError, OverflowError):  # no room to map it (a strict overcommit policy, say)
                pass  # then batches travel through the result queue, pickled
        self._data_queue = self._worker_result_queue
        self._workers_done_event = context.Event()
        self._index_queues = []
        self._workers = []
        self._workers_status = []
        self._shutdown = False
        try:
            for worker_id in range(self._num_workers):
                index_queue = context.Queue()
                # a worker that has died must not block the main process's exit on unread indices
                index_queue.cancel_join_thread()
                worker = context.Process(
                    target=_worker._worker_loop,
                    args=(self._is_iterable, self._dataset, index_queue, self._worker_result_queue,
                          self._workers_done_event, self._auto_collation, self._collate_fn, self._drop_last,
                          self._base_seed, loader.worker_init_fn, worker_id, self._num_workers,
                          self._shared_slots),
                    daemon=True)
                worker.start()
                self._index_queues.append(index_queue)
                self._workers.append(worker)
                self._workers_status.append(True)
        except BaseException:
            self._shutdown_workers()
            raise
        self._reset(loader, first_iter=True)

    def _reset(self, loader, first_iter=False):
        super()._reset(loader, first_iter)
        self._send_idx = 0  # index of the next task to send to a worker
        self._rcvd_idx = 0  # index of the next task to return from __next__
        # task index -> (worker_id,) while outstanding, (worker_id, data) once arrived out of order
        self._task_info = {}
        self._tasks_outstanding = 0
        self._workers_status = [True] * self._num_workers  # False once a worker is known to have no more data
        self._workers_num_tasks = [0] * self._num_workers
        self._worker_queue_idx_cycle = itertools.cycle(range(self._num_workers))
        if not first_iter:
            # persistent workers: start a new epoch in each, and wait until all have acknowledged
            # (results of the previous epoch still in the queue are dropped on the way)
            for index_queue in self._index_queues:
                index_queue.put(_worker._ResumeIteration())
            resume_iteration_count = self._num_workers
            while resume_iteration_count > 0:
                task_index, _ = self._get_data()
                if isinstance(task_index, _worker._ResumeIteration):
                    resume_iteration_count -= 1
        # every slot is free: a new iterator has sent nothing yet, and persistent workers have answered
        # every task of the previous epoch before acknowledging the new one
        self._free_slots = list(range(self._shared_slots.count)) if self._shared_slots else []
        self._task_slots = {}  # task index -> its slot, while outstanding
        for _ in range(self._prefetch_factor * self._num_workers):
            self._try_put_index()

    def _try_get_data(self, timeout=_worker.MP_STATUS_CHECK_INTERVAL):
        """`(True, (task_index, data))` from the result queue, or `(False, None)` after `timeout` seconds.

        Waiting is where a dead worker would turn into a hang, so each timeout checks that the
        workers still alive are all the workers expected to be.
        """
        try:
            return True, self._data_queue.get(timeout=timeout)
        except Exception as error:
            failed_workers = []
            for worker_id, worker in enumerate(self._workers):
                if self._workers_status[worker_id] and not worker.is_alive():
                    failed_workers.append(worker)
                    self._mark_worker_as_unavailable(worker_id)
            if failed_workers:
                pids = ', '.join(str(worker.pid) for worker in failed_workers)
                raise RuntimeError(f"DataLoader worker (pid(s) {pids}) exited unexpectedly") from error
            if isinstance(error, queue.Empty):
                return False, None
            raise

    def _get_data(self):
        if self._timeout > 0:
            success, data = self._try_get_data(self._timeout)
            if not success:
                raise RuntimeError(f"DataLoader timed out after {self._timeout} seconds")
            return data
        while True:
            success, data = self._try_get_data()
            if success:
                return data

    def _next_data(self):
        while True:
            # Skip past tasks that will never produce data: those whose worker ran out of data.
            while self._rcvd_idx < self._send_idx:
                info = self._task_info.get(self._rcvd_idx)
                if info:
                    worker_id = info[0]
                    if len(info) == 2 or self._workers_status[worker_id]:  # has data, or may still get it
                        break
                    del self._task_info[self._rcvd_idx]
                self._rcvd_idx += 1
            else:
                # nothing outstanding: the epoch is over
                if not self._persistent_workers:
                    self._shutdown_workers()
                raise StopIteration

            if len(self._task_info[self._rcvd_idx]) == 2:  # arrived earlier, out of order
                worker_id, data = self._task_info.pop(self._rcvd_idx)
                self._rcvd_idx += 1
                return self._process_data(data, worker_id)

            task_index, data = self._get_data()
            data = self._take_from_slot(task_index, data)
            self._tasks_outstanding -= 1
            if isinstance(data, _worker._IterableDatasetStopIteration):
                # this worker's copy of the dataset is exhausted: no more tasks for it
                if self._persistent_workers:
                    self._workers_status[data.worker_id] = False
                else:
                    self._mark_worker_as_unavailable(data.worker_id)
                self._try_put_index()
                continue
            if task_index == self._rcvd_idx:
                worker_id = self._task_info.pop(task_index)[0]
                self._rcvd_idx += 1
                return self._process_data(data, worker_id)
            if not self._in_order:
                return self._process_data(data, self._task_info.pop(task_index)[0])
            self._task_info[task_index] += (data,)

    def _try_put_index(self):
        """Send the next batch of indices to the next worker that still has data, if any."""
        try:
            index = next(self._sampler_iter)
        except StopIteration:
            return
        max_tasks = self._prefetch_factor * self._num_workers
        for _ in range(self._num_workers):
            worker_queue_idx = next(self._worker_queue_idx_cycle)
            if self._workers_status[worker_queue_idx] and (
                    self._in_order or self._workers_num_tasks[worker_queue_idx] < max_tasks // sum(
                        self._workers_status)):
                break
        else:
            return  # no worker can take it
        slot = self._free_slots.pop() if self._free_slots else None
        self._task_slots[self._send_idx] = slot
        self._index_queues[worker_queue_idx].put((self._send_idx, index, slot))
        self._task_info[self._send_idx] = (worker_queue_idx,)
        self._workers_num_tasks[worker_queue_idx] += 1
        self._tasks_outstanding += 1
        self._send_idx += 1

    def _take_from_slot(self, task_index, data):
        """A task's result with its arrays copied out of its shared-memory slot, and the slot freed."""
        slot = self._task_slots.pop(task_index, None)
        if slot is None:
            return data
        try:
            return self._shared_slots.unpack(data) if isinstance(data, _PackedBatch) else data
        finally:
            self._free_slots.append(slot)

    def _process_data(self, data, worker_id):
        self._workers_num_tasks[worker_id] -= 1
        self._try_put_index()
        if isinstance(data, ExceptionWrapper):
            data.reraise()
        return data

    def _mark_worker_as_unavailable(self, worker_id):
        """Tell worker `worker_id` to exit (it may be dead already) and stop sending it work."""
        self._index_queues[worker_id].put(None)
        self._workers_status[worker_id] = False

    def _shutdown_workers(self):
        """Stop the workers: signal them, give them a moment to exit, then terminate what is left."""
        if _python_exiting or self._shutdown:
            return
        self._shutdown = True
        try:
            # the event makes workers skip pending tasks; None on each index queue makes them exit
            self._workers_done_event.set()
            for worker_id in range(len(self._workers)):
                if self._persistent_workers or self._workers_status[worker_id]:
                    self._mark_worker_as_unavailable(worker_id)
            for worker in self._workers:
                worker.join(timeout=_worker.MP_STATUS_CHECK_INTERVAL)
            for index_queue in self._index_queues:
                index_queue.cancel_join_thread()
                index_queue.close()
        finally:
            for worker in self._workers:
                if worker.is_alive():
                    worker.terminate()
                    worker.join(timeout=_worker.MP_STATUS_CHECK_INTERVAL)

    def __del__(self):
        self._shutdown_workers()
