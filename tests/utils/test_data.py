"""ember.utils.data against torch.utils.data: datasets, samplers, collation, DataLoader (also with workers).

Most tests run the same function with `m = ember` and `m = torch` and compare what comes out, made
library-independent by `plain`. Worker tests use tiny datasets; the classes they use live at module
level so that workers could also be started with 'spawn'.
"""
import collections
import math
import os
import random
import subprocess
import sys
import time
import warnings

import numpy as np
import pytest
import torch

import ember

LIBRARIES = [ember, torch]
Point = collections.namedtuple('Point', ['x', 'y'])


def plain(value):
    """A comparable, library-independent form: tensors -> ('tensor', dtype, shape, values), containers by type."""
    if isinstance(value, (ember.Tensor, torch.Tensor)):
        return ('tensor', str(value.dtype).split('.')[-1], tuple(value.shape), value.tolist())
    if isinstance(value, np.ndarray):
        return ('ndarray', str(value.dtype), value.tolist())
    if isinstance(value, dict):
        return (type(value).__name__, {key: plain(item) for key, item in value.items()})
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [plain(item) for item in value])
    return value


def both(function):
    """`function(m)` for ember and for torch, in plain form; asserts they agree and returns ember's."""
    ember_result, torch_result = (plain(function(m)) for m in LIBRARIES)
    assert ember_result == torch_result
    return ember_result


def same_error(function):
    """`function(m)` raises the same exception type (and message) under ember and torch."""
    errors = []
    for m in LIBRARIES:
        with pytest.raises(Exception) as info:
            function(m)
        errors.append(info.value)
    assert type(errors[0]) is type(errors[1]), errors
    assert str(errors[0]) == str(errors[1]).replace('torch.', 'ember.')
    return errors[0]


# ---------------------------------------------------------------------------------------------- datasets
class Squares:
    """A map-style dataset without the Dataset base class (DataLoader accepts any __getitem__/__len__)."""

    def __init__(self, n):
        self.n = n

    def __getitem__(self, index):
        if index >= self.n:
            raise IndexError(index)
        return index * index

    def __len__(self):
        return self.n


def make_range_iterable(m, start, end):
    class RangeIterable(m.utils.data.IterableDataset):
        def __iter__(self):
            return iter(range(start, end))

        def __len__(self):
            return end - start
    return RangeIterable()


def test_tensor_dataset():
    def run(m):
        x, y = m.arange(10.).reshape(5, 2), m.arange(5)
        ds = m.utils.data.TensorDataset(x, y)
        return len(ds), ds[2], ds[1:3], len(ds.tensors)
    both(run)
    same_error(lambda m: m.utils.data.TensorDataset(m.zeros(3), m.zeros(4)))


def test_concat_dataset():
    def run(m):
        data = m.utils.data
        ds = data.TensorDataset(m.arange(3)) + data.TensorDataset(m.arange(10, 14))
        return (type(ds).__name__, len(ds), ds.cumulative_sizes, [ds[i] for i in range(7)], ds[-1], ds[-7],
                data.ConcatDataset([Squares(2), Squares(3), Squares(1)])[4])
    both(run)
    same_error(lambda m: m.utils.data.ConcatDataset([]))
    same_error(lambda m: m.utils.data.ConcatDataset([Squares(2)])[-3])
    same_error(lambda m: m.utils.data.ConcatDataset([Squares(2), make_range_iterable(m, 0, 2)]))


def test_subset_stack_chain_datasets():
    def run(m):
        data = m.utils.data
        subset = data.Subset(Squares(10), [7, 2, 5])
        stacked = data.StackDataset(Squares(4), data.TensorDataset(m.arange(4.)))
        named = data.StackDataset(a=Squares(3), b=Squares(3))
        chain = make_range_iterable(m, 0, 3) + make_range_iterable(m, 10, 12)
        return (len(subset), [subset[i] for i in range(3)], subset.__getitems__([0, 2]), len(stacked), stacked[1],
                named[2], named.__getitems__([0, 1]), type(chain).__name__, list(chain), len(chain),
                [batch for batch in data.DataLoader(named, batch_size=2)])
    both(run)
    same_error(lambda m: m.utils.data.StackDataset(Squares(2), Squares(3)))
    same_error(lambda m: m.utils.data.StackDataset())
    same_error(lambda m: m.utils.data.StackDataset(Squares(2), b=Squares(2)))
    same_error(lambda m: list(m.utils.data.ChainDataset([Squares(2)])))


def test_subset_override_getitem_needs_getitems():
    def run(m):
        class Doubled(m.utils.data.Subset):
            def __getitem__(self, index):
                return 2 * super().__getitem__(index)
        Doubled(Squares(3), [0, 1])
    same_error(run)


def test_base_dataset_errors():
    same_error(lambda m: m.utils.data.Dataset()[0])
    same_error(lambda m: len(m.utils.data.Dataset()))
    same_error(lambda m: len(m.utils.data.Sampler()))
    same_error(lambda m: iter(m.utils.data.Sampler()))


FRACTIONS = [[0.3, 0.7], [0.33, 0.33, 0.34], [0.5, 0.25, 0.25], [1 / 3] * 3, [0.1, 0.9]]


@pytest.mark.parametrize('size, lengths', [(10, [3, 7]), (11, [0, 5, 6])] + [
    (size, fractions) for size in (10, 11, 31) for fractions in FRACTIONS])
def test_random_split_matches_torch(size, lengths):
    def run(m):
        splits = m.utils.data.random_split(range(size), lengths, generator=m.Generator().manual_seed(42))
        m.manual_seed(1)
        default_splits = m.utils.data.random_split(range(size), lengths)
        return [list(split) for split in splits], [split.indices for split in default_splits]
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')  # zero-length splits warn; checked below
        splits, _ = both(run)[1]
    flat = sorted(index for split in splits[1] for index in split[1])
    assert flat == list(range(size))


def test_random_split_errors_and_warning():
    same_error(lambda m: m.utils.data.random_split(range(10), [3, 8]))
    same_error(lambda m: m.utils.data.random_split(range(10), [1.5, -0.5]))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        ember.utils.data.random_split(range(3), [0.9, 0.05, 0.05])
    assert [str(warning.message) for warning in caught] == [
        f'Length of split at index {i} is 0. This might result in an empty dataset.' for i in (1, 2)]


# ---------------------------------------------------------------------------------------------- samplers
SAMPLER_CASES = {
    'sequential': lambda m, g: m.utils.data.SequentialSampler(range(7)),
    'random': lambda m, g: m.utils.data.RandomSampler(range(10), generator=g),
    'random_global': lambda m, g: m.utils.data.RandomSampler(range(10)),
    'random_more_samples': lambda m, g: m.utils.data.RandomSampler(range(5), num_samples=13, generator=g),
    'random_fewer_samples': lambda m, g: m.utils.data.RandomSampler(range(9), num_samples=4, generator=g),
    'random_replacement': lambda m, g: m.utils.data.RandomSampler(range(6), replacement=True, generator=g),
    'random_replacement_chunks': lambda m, g: m.utils.data.RandomSampler(range(100), replacement=True,
                                                                         num_samples=70, generator=g),
    'subset_random': lambda m, g: m.utils.data.SubsetRandomSampler([5, 8, 13, 21, 34], generator=g),
    'subset_random_global': lambda m, g: m.utils.data.SubsetRandomSampler(range(10, 20)),
    'weighted': lambda m, g: m.utils.data.WeightedRandomSampler([0.1, 0.9, 0.4, 0.7, 3.0, 0.6], 20, generator=g),
    'weighted_no_replacement': lambda m, g: m.utils.data.WeightedRandomSampler([0.9, 0.4, 0.05, 0.2, 0.3, 0.1], 5,
                                                                               replacement=False, generator=g),
    'batch': lambda m, g: m.utils.data.BatchSampler(m.utils.data.RandomSampler(range(10), generator=g), 3, False),
    'batch_drop_last': lambda m, g: m.utils.data.BatchSampler(range(10), 3, True),
    'batch_exact': lambda m, g: m.utils.data.BatchSampler(range(9), 3, True),
}


@pytest.mark.parametrize('name', sorted(SAMPLER_CASES))
def test_sampler_orders_match_torch(name):
    def run(m):
        m.manual_seed(7)
        sampler = SAMPLER_CASES[name](m, m.Generator().manual_seed(123))
        return len(sampler), list(sampler), list(sampler)  # two epochs: the second order differs for random ones
    length, first_epoch, second_epoch = both(run)[1]
    assert length == len(first_epoch[1]) == len(second_epoch[1])


def test_sampler_repeatable_with_same_seed():
    orders = [list(ember.utils.data.RandomSampler(range(50), generator=ember.Generator().manual_seed(5)))
              for _ in range(2)]
    assert orders[0] == orders[1] and sorted(orders[0]) == list(range(50))
    ember.manual_seed(5)
    first = list(ember.utils.data.RandomSampler(range(50)))
    ember.manual_seed(5)
    assert list(ember.utils.data.RandomSampler(range(50))) == first


@pytest.mark.parametrize('make', [
    lambda m: m.utils.data.RandomSampler(range(3), replacement=1),
    lambda m: m.utils.data.RandomSampler(range(3), num_samples=0),
    lambda m: m.utils.data.RandomSampler([]),
    lambda m: m.utils.data.WeightedRandomSampler([1., 2.], 0),
    lambda m: m.utils.data.WeightedRandomSampler([1., 2.], True),
    lambda m: m.utils.data.WeightedRandomSampler([1., 2.], 2, replacement=None),
    lambda m: m.utils.data.WeightedRandomSampler([[1., 2.]], 2),
    lambda m: m.utils.data.BatchSampler(range(3), 0, False),
    lambda m: m.utils.data.BatchSampler(range(3), 2.0, False),
    lambda m: m.utils.data.BatchSampler(range(3), 2, None),
])
def test_sampler_argument_errors(make):
    same_error(make)


# ---------------------------------------------------------------------------------------------- collation
COLLATE_CASES = {
    'ints': lambda m: [0, 1, 2],
    'floats': lambda m: [0.5, 1.5],
    'bools': lambda m: [True, False],
    'strings': lambda m: ['a', 'b'],
    'bytes': lambda m: [b'a', b'b'],
    'tensors': lambda m: [m.tensor([1., 2.]), m.tensor([3., 4.])],
    'int_tensors': lambda m: [m.tensor(3), m.tensor(4)],
    'numpy_arrays': lambda m: [np.array([1, 2], dtype=np.int32), np.array([3, 4], dtype=np.int32)],
    'numpy_float_arrays': lambda m: [np.ones((2, 2)), np.zeros((2, 2))],
    'numpy_int32_scalars': lambda m: [np.int32(1), np.int32(2)],
    'numpy_float32_scalars': lambda m: [np.float32(1), np.float32(2.5)],
    'numpy_float64_scalars': lambda m: [np.float64(1), np.float64(2.5)],
    'numpy_bool_scalars': lambda m: [np.bool_(True), np.bool_(False)],
    'tuples': lambda m: [(m.tensor([1.]), 0), (m.tensor([2.]), 1)],
    'lists': lambda m: [[0, 1.5], [2, 3.5]],
    'dicts': lambda m: [{'x': np.array([1., 2.]), 'y': 1.0, 'name': 'a'}, {'x': np.array([3., 4.]), 'y': 2.0,
                                                                              'name': 'b'}],
    'ordered_dicts': lambda m: [collections.OrderedDict(b=1, a=2), collections.OrderedDict(b=3, a=4)],
    'namedtuples': lambda m: [Point(1, 2.0), Point(3, 4.0)],
    'nested': lambda m: [{'pair': (m.tensor([1, 2]), [0.5, 'x']), 'p': Point(np.float32(1), 2)},
                         {'pair': (m.tensor([3, 4]), [1.5, 'y']), 'p': Point(np.float32(3), 4)}],
}


@pytest.mark.parametrize('name', sorted(COLLATE_CASES))
def test_default_collate_matches_torch(name):
    both(lambda m: m.utils.data.default_collate(COLLATE_CASES[name](m)))


@pytest.mark.parametrize('name', sorted(COLLATE_CASES))
def test_default_convert_matches_torch(name):
    both(lambda m: m.utils.data.default_convert(COLLATE_CASES[name](m)))


def test_collate_module_at_pytorchs_private_path():
    # programs extend collation through torch.utils.data._utils.collate (a custom collate_fn_map)
    import torch.utils.data._utils.collate
    import ember.utils.data._utils.collate
    names = ['collate', 'default_collate', 'default_convert', 'default_collate_fn_map', 'collate_tensor_fn',
             'collate_numpy_array_fn', 'collate_str_fn', 'default_collate_err_msg_format']
    for name in names:
        assert hasattr(ember.utils.data._utils.collate, name), name
    assert ember.utils.data._utils.collate.default_collate is ember.utils.data.default_collate

    def run(m):
        module = m.utils.data._utils.collate
        collate_fn_map = {**module.default_collate_fn_map, str: lambda batch, *, collate_fn_map: '+'.join(batch)}
        return module.collate([('a', m.tensor(1)), ('b', m.tensor(2))], collate_fn_map=collate_fn_map)
    assert both(run) == ('list', ['a+b', ('tensor', 'int64', (2,), [1, 2])])


@pytest.mark.parametrize('batch', [
    lambda m: [m.zeros(2), m.zeros(3)],
    lambda m: [[1, 2], [3]],
    lambda m: [object(), object()],
    lambda m: [np.array(['a']), np.array(['b'])],
    lambda m: [None, None],
])
def test_default_collate_errors(batch):
    same_error(lambda m: m.utils.data.default_collate(batch(m)))


# ---------------------------------------------------------------------------------------------- DataLoader
def test_loader_batches_match_torch():
    def run(m):
        data = m.utils.data
        ds = data.TensorDataset(m.arange(20.).reshape(10, 2), m.arange(10))
        loaders = [
            data.DataLoader(ds, batch_size=3),
            data.DataLoader(ds, batch_size=3, drop_last=True),
            data.DataLoader(ds, batch_size=4, shuffle=True, generator=m.Generator().manual_seed(0)),
            data.DataLoader(ds, batch_size=None),
            data.DataLoader(ds, batch_size=None, sampler=[3, 1]),
            data.DataLoader(ds, sampler=data.SubsetRandomSampler([1, 5, 7], generator=m.Generator().manual_seed(3)),
                            batch_size=2),
            data.DataLoader(ds, batch_sampler=[[0, 9], [4, 5, 6]]),
            data.DataLoader(Squares(7), batch_size=2, collate_fn=lambda batch: sum(batch)),
            data.DataLoader(make_range_iterable(m, 0, 7), batch_size=3),
            data.DataLoader(make_range_iterable(m, 0, 7), batch_size=3, drop_last=True),
            data.DataLoader(make_range_iterable(m, 0, 3), batch_size=None),
        ]
        return [(len(loader), list(loader)) for loader in loaders]
    both(run)


def test_loader_shuffle_epochs_follow_global_seed():
    def run(m):
        m.manual_seed(3)
        loader = m.utils.data.DataLoader(m.arange(10), batch_size=4, shuffle=True)
        return list(loader), list(loader), m.rand(2)  # the generator advanced exactly as in torch
    both(run)


def test_loader_shuffle_repeatable_with_seeded_generator():
    def epoch(seed):
        loader = ember.utils.data.DataLoader(ember.arange(30), batch_size=7, shuffle=True,
                                             generator=ember.Generator().manual_seed(seed))
        return [batch.tolist() for batch in loader]
    first = epoch(11)
    assert first == epoch(11) != epoch(12)
    assert sorted(sum(first, [])) == list(range(30))


def test_len_of_iterable_dataset_loader_and_warning():
    def run(m):
        loader = m.utils.data.DataLoader(make_range_iterable(m, 0, 10), batch_size=4)
        return len(loader), len(m.utils.data.DataLoader(make_range_iterable(m, 0, 10), batch_size=4,
                                                        drop_last=True))
    assert both(run) == ('tuple', [3, 2])

    class Liar(ember.utils.data.IterableDataset):
        def __iter__(self):
            return iter(range(5))

        def __len__(self):
            return 2
    loader = ember.utils.data.DataLoader(Liar(), batch_size=None)
    assert len(loader) == 2
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        assert list(loader) == [0, 1, 2, 3, 4]
    assert [str(warning.message) for warning in caught] == [
        f'Length of IterableDataset {loader.dataset} was reported to be 2(when accessing len(dataloader)), but '
        f'{count} samples have been fetched. ' for count in (3, 4, 5)]

    class Endless(ember.utils.data.IterableDataset):
        def __iter__(self):
            return iter(range(5))
    same_error(lambda m: len(m.utils.data.DataLoader(Endless())))


@pytest.mark.parametrize('kwargs', [
    dict(num_workers=-1), dict(timeout=-1), dict(prefetch_factor=2), dict(num_workers=1, prefetch_factor=-1),
    dict(persistent_workers=True), dict(sampler=[0, 1], shuffle=True), dict(batch_sampler=[[0]], batch_size=2),
    dict(batch_sampler=[[0]], shuffle=True), dict(batch_sampler=[[0]], sampler=[0]),
    dict(batch_sampler=[[0]], drop_last=True), dict(batch_size=None, drop_last=True),
    dict(multiprocessing_context='fork'), dict(num_workers=1, multiprocessing_context='nonsense'),
    dict(num_workers=1, multiprocessing_context=3), dict(batch_size=0),
])
def test_loader_argument_errors(kwargs):
    same_error(lambda m: m.utils.data.DataLoader(m.arange(4), **kwargs))


@pytest.mark.parametrize('kwargs', [dict(shuffle=True), dict(sampler=[0]), dict(batch_sampler=[[0]])])
def test_loader_iterable_dataset_argument_errors(kwargs):
    same_error(lambda m: m.utils.data.DataLoader(make_range_iterable(m, 0, 3), **kwargs))


def test_loader_attributes_frozen_after_init():
    same_error(lambda m: setattr(m.utils.data.DataLoader(m.arange(4)), 'batch_size', 3))
    loader = ember.utils.data.DataLoader(ember.arange(4), batch_size=2)
    assert (loader.batch_size, loader.drop_last, type(loader.sampler).__name__, loader.prefetch_factor) == (
        2, False, 'SequentialSampler', None)


# ---------------------------------------------------------------------------------------------- workers
class SlowEvens(ember.utils.data.Dataset):
    """Even indices cost a CPU-bound NumPy loop, so workers finish out of order; returns (index, pid)."""

    def __init__(self, n, rounds=30):
        self.n, self.rounds = n, rounds

    def __len__(self):
        return self.n

    def __getitem__(self, index):
        work = np.arange(20000, dtype=np.float64)
        for _ in range(self.rounds if index % 2 == 0 else 0):
            work = np.sqrt(work * work + 1.0)
        return ember.tensor([index, os.getpid()]), float(work[1] > 0)


class Faulty(ember.utils.data.Dataset):
    def __init__(self, error, bad_index=2):
        self.error, self.bad_index = error, bad_index

    def __len__(self):
        return 6

    def __getitem__(self, index):
        if index == self.bad_index:
            if self.error == 'exit':
                os._exit(3)
            if self.error == 'sleep':
                time.sleep(3)
            raise self.error(f'bad sample {index}')
        return index


class ShardedRange(ember.utils.data.IterableDataset):
    """range(start, end), split into contiguous shards across workers with get_worker_info()."""

    def __init__(self, start, end):
        self.start, self.end = start, end

    def __iter__(self):
        info = ember.utils.data.get_worker_info()
        if info is None:
            return iter(range(self.start, self.end))
        per_worker = math.ceil((self.end - self.start) / info.num_workers)
        start = self.start + info.id * per_worker
        return iter(range(start, min(start + per_worker, self.end)))


def test_workers_return_batches_in_sampler_order():
    loader = ember.utils.data.DataLoader(SlowEvens(12), batch_size=2, num_workers=2, prefetch_factor=3)
    batches = list(loader)
    assert [batch[0][:, 0].tolist() for batch in batches] == [[i, i + 1] for i in range(0, 12, 2)]
    pids = {pid for batch in batches for pid in batch[0][:, 1].tolist()}
    assert len(pids) == 2 and os.getpid() not in pids
    assert all(batch[1].dtype == ember.float64 for batch in batches)


def test_two_workers_run_cpu_bound_items_concurrently():
    # Every item is CPU-heavy; both workers must take part (no timing assertion: just that it works).
    loader = ember.utils.data.DataLoader(SlowEvens(8, rounds=60), batch_size=None, num_workers=2)
    results = [sample[0].tolist() for sample in loader]
    assert [index for index, _ in results] == list(range(8))
    assert len({pid for _, pid in results}) == 2


def test_workers_out_of_order_mode_yields_everything():
    loader = ember.utils.data.DataLoader(SlowEvens(8), batch_size=None, num_workers=2, in_order=False)
    assert sorted(int(sample[0][0]) for sample in loader) == list(range(8))


def test_worker_seeds_and_random_state_match_torch():
    def run(m):
        class Seeds(m.utils.data.Dataset):
            def __len__(self):
                return 4

            def __getitem__(self, index):
                info = m.utils.data.get_worker_info()
                return (index, info.id, info.num_workers, info.seed, m.initial_seed(), int(np.random.randint(1 << 30)),
                        random.random(), m.rand(2))
        m.manual_seed(5)
        return list(m.utils.data.DataLoader(Seeds(), batch_size=2, shuffle=True, num_workers=2))
    both(run)
    assert ember.utils.data.get_worker_info() is None


def test_worker_exception_reraised_with_traceback():
    loader = ember.utils.data.DataLoader(Faulty(ValueError), batch_size=2, num_workers=2)
    with pytest.raises(ValueError) as info:
        list(loader)
    message = str(info.value)
    assert message.startswith('Caught ValueError in DataLoader worker process 1.\nOriginal Traceback (most recent '
                              'call last):\n')
    assert "raise self.error(f'bad sample {index}')" in message and message.endswith('ValueError: bad sample 2\n')


def test_worker_key_error_and_init_fn_error():
    with pytest.raises(KeyError, match='Caught KeyError in DataLoader worker process 0'):
        list(ember.utils.data.DataLoader(Faulty(KeyError, bad_index=0), num_workers=1))

    def broken_init(worker_id):
        raise RuntimeError(f'init of {worker_id} failed')
    with pytest.raises(RuntimeError, match='init of 0 failed'):
        list(ember.utils.data.DataLoader(Squares(4), num_workers=1, worker_init_fn=broken_init))


def test_worker_death_is_reported_not_hung():
    loader = ember.utils.data.DataLoader(Faulty('exit'), batch_size=2, num_workers=2)
    with pytest.raises(RuntimeError, match=r'DataLoader worker \(pid\(s\) \d+\) exited unexpectedly'):
        list(loader)


def test_timeout():
    loader = ember.utils.data.DataLoader(Faulty('sleep', bad_index=0), num_workers=1, timeout=0.5)
    iterator = iter(loader)
    with pytest.raises(RuntimeError, match='DataLoader timed out after 0.5 seconds'):
        next(iterator)
    workers = iterator._workers
    del iterator
    assert not any(worker.is_alive() for worker in workers)


def test_iterable_dataset_sharding_and_duplication():
    def run(m, dataset, **kwargs):
        return sorted(int(x) for batch in m.utils.data.DataLoader(dataset, num_workers=2, **kwargs) for x in batch)
    assert run(ember, ShardedRange(3, 10)) == list(range(3, 10))
    assert run(ember, ShardedRange(3, 10), batch_size=2) == list(range(3, 10))
    # without sharding each worker yields the whole stream
    assert run(ember, make_range_iterable(ember, 0, 3)) == [0, 0, 1, 1, 2, 2]
    batches = [batch.tolist() for batch in ember.utils.data.DataLoader(ShardedRange(0, 10), batch_size=3,
                                                                       num_workers=2)]
    assert batches == [[0, 1, 2], [5, 6, 7], [3, 4], [8, 9]]  # round-robin over workers; short last batches
    persistent = ember.utils.data.DataLoader(ShardedRange(0, 10), batch_size=3, num_workers=2,
                                             persistent_workers=True)
    assert [[batch.tolist() for batch in persistent] for _ in range(2)] == [batches, batches]


class RangeToShard(ember.utils.data.IterableDataset):
    def __init__(self, start, end):
        self.start, self.end = start, end

    def __iter__(self):
        return iter(range(self.start, self.end))


def split_by_worker(worker_id):
    """The worker_init_fn of PyTorch's IterableDataset documentation."""
    info = ember.utils.data.get_worker_info()
    dataset = info.dataset
    per_worker = int(math.ceil((dataset.end - dataset.start) / float(info.num_workers)))
    dataset.start = dataset.start + worker_id * per_worker
    dataset.end = min(dataset.start + per_worker, dataset.end)


def test_worker_init_fn():
    loader = ember.utils.data.DataLoader(RangeToShard(3, 7), num_workers=2, worker_init_fn=split_by_worker)
    assert [int(x) for x in loader] == [3, 5, 4, 6]


def test_persistent_workers_survive_epochs():
    loader = ember.utils.data.DataLoader(SlowEvens(6, rounds=1), batch_size=2, num_workers=2,
                                         persistent_workers=True, shuffle=True,
                                         generator=ember.Generator().manual_seed(0))
    epochs = [[batch[0] for batch in loader] for _ in range(3)]
    orders = [ember.cat(epoch)[:, 0].tolist() for epoch in epochs]
    assert all(sorted(order) == list(range(6)) for order in orders) and orders[0] != orders[1]
    pids = [{pid for batch in epoch for pid in batch[:, 1].tolist()} for epoch in epochs]
    assert pids[0] == pids[1] == pids[2] and len(pids[0]) == 2
    # an epoch abandoned halfway, then a full one
    iterator = iter(loader)
    next(iterator)
    assert sorted(ember.cat([batch[0] for batch in loader])[:, 0].tolist()) == list(range(6))
    workers = loader._iterator._workers
    del loader, iterator
    for worker in workers:
        worker.join(timeout=5)
    assert not any(worker.is_alive() for worker in workers)


def test_early_break_shuts_workers_down():
    loader = ember.utils.data.DataLoader(SlowEvens(40), batch_size=2, num_workers=2)
    iterator = iter(loader)
    next(iterator)
    workers = iterator._workers
    del iterator
    for worker in workers:
        worker.join(timeout=5)
    assert not any(worker.is_alive() for worker in workers)
    # a finished epoch shuts down on its own
    iterator = iter(ember.utils.data.DataLoader(Squares(3), num_workers=2))
    assert [int(x) for x in iterator] == [0, 1, 4]
    assert not any(worker.is_alive() for worker in iterator._workers)


def test_tensors_survive_the_queues():
    x = ember.randn(8, 3)
    loader = ember.utils.data.DataLoader(ember.utils.data.TensorDataset(x, ember.arange(8)), batch_size=3,
                                         num_workers=2)
    features = ember.cat([batch[0] for batch in loader])
    assert features.dtype == ember.float32 and ember.equal(features, x)


# ------------------------------------------------------------------------- batches through shared memory
class MixedArrays(ember.utils.data.Dataset):
    """Items holding arrays of several dtypes, layouts and sizes, big and small, in tensors and not."""

    def __len__(self):
        return 7

    def __getitem__(self, index):
        rng = np.random.default_rng(index)
        return {'image': ember.tensor(rng.standard_normal((3, 24, 24), dtype=np.float32)),
                'mask': rng.random((40, 40)) > 0.5,
                'fortran': np.asfortranarray(rng.integers(-9, 9, (30, 50)).astype(np.int16)),
                'wide': rng.standard_normal(700),
                'label': index}


def assert_same_batches(got, expected):
    assert len(got) == len(expected)
    for batch, reference in zip(got, expected):
        assert batch.keys() == reference.keys()
        for key in batch:
            a, b = batch[key], reference[key]
            if isinstance(b, ember.Tensor):
                assert isinstance(a, ember.Tensor) and a.dtype == b.dtype and a.shape == b.shape
                assert ember.equal(a, b)
            else:
                assert np.array_equal(a, b)


@pytest.mark.parametrize('slot_bytes', [None, 100_000])  # the default, and slots too small for some arrays
def test_batches_through_shared_memory_equal_those_of_the_main_process(monkeypatch, slot_bytes):
    from ember.utils.data import _shared_slots
    if slot_bytes:
        monkeypatch.setattr(_shared_slots, 'SLOT_BYTES', slot_bytes)
    expected = list(ember.utils.data.DataLoader(MixedArrays(), batch_size=3))
    loader = ember.utils.data.DataLoader(MixedArrays(), batch_size=3, num_workers=2, persistent_workers=True)
    for _ in range(2):  # the second epoch reuses the slots
        assert_same_batches(list(loader), expected)
    assert loader._iterator._shared_slots.slot_bytes == (slot_bytes or _shared_slots.SLOT_BYTES)
    # no batch keeps a view of the shared memory: each owns fresh memory
    batch = next(iter(loader))
    assert batch['image'].numpy().base is None or batch['image'].numpy().base.base is None


def test_slot_packing_moves_big_arrays_and_keeps_layouts():
    from ember.utils.data._shared_slots import SharedBatchSlots
    slots = SharedBatchSlots(2, slot_bytes=1 << 16)
    big = np.arange(4000, dtype=np.float64)  # 32000 bytes: into the slot
    fortran = np.asfortranarray(np.arange(6000, dtype=np.int32).reshape(60, 100))  # 24000 bytes: into the slot
    strided = np.arange(20000, dtype=np.float32)[::2]  # 40000 bytes: no room left, pickled inline
    small = np.arange(10)
    data = (ember.tensor(big), fortran, strided, small)
    packed = slots.pack(data, 1)
    assert len(packed.payload) < 40000 + 2000
    out = slots.unpack(packed)
    assert ember.equal(out[0], data[0]) and out[0].dtype == ember.float64
    assert np.array_equal(out[1], fortran) and out[1].flags.f_contiguous and not out[1].flags.c_contiguous
    assert np.array_equal(out[2], strided) and np.array_equal(out[3], small)
    # slot 0 and slot 1 do not overlap: packing into 0 leaves what slot 1 holds intact
    slots.pack((np.full(8000, 7.0),), 0)
    assert np.array_equal(slots.unpack(packed)[1], fortran)


class Unpicklable(ember.utils.data.Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, index):
        import threading
        return threading.Lock()


def test_unpicklable_batch_raises_in_the_main_process():
    # (before shared memory, the queue's feeder thread printed the error and the main process waited forever)
    loader = ember.utils.data.DataLoader(Unpicklable(), batch_size=2, num_workers=1, collate_fn=list, timeout=20)
    with pytest.raises(TypeError, match="pickle"):
        list(loader)


def test_spawned_workers_send_batches_through_the_queue():
    loader = ember.utils.data.DataLoader(ember.utils.data.TensorDataset(ember.arange(6.0)), batch_size=2,
                                         num_workers=1, multiprocessing_context='spawn')
    iterator = iter(loader)
    assert iterator._shared_slots is None
    assert [batch[0].tolist() for batch in iterator] == [[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]]


def test_loader_works_when_shared_memory_cannot_be_mapped(monkeypatch):
    from ember.utils.data import _shared_slots

    def refuse(*args, **kwargs):
        raise OSError(12, 'Cannot allocate memory')
    monkeypatch.setattr(_shared_slots.mmap, 'mmap', refuse)
    loader = ember.utils.data.DataLoader(MixedArrays(), batch_size=3, num_workers=2)
    iterator = iter(loader)
    assert iterator._shared_slots is None
    assert_same_batches(list(iterator), list(ember.utils.data.DataLoader(MixedArrays(), batch_size=3)))


@pytest.mark.parametrize('library', ['ember', 'torch'])
def test_loader_follows_the_start_method_the_program_set(tmp_path, library):
    # without a multiprocessing_context, PyTorch starts workers with the program's start method: a
    # spawned worker re-imports the script as `__mp_main__` (a forked one keeps `__main__`)
    script = tmp_path / 'start_method.py'
    script.write_text(
        f"import multiprocessing, sys\nimport {library} as m\n"
        "class MainName(m.utils.data.Dataset):\n"
        "    def __len__(self):\n        return 2\n"
        "    def __getitem__(self, index):\n        return sys.modules['__main__'].__name__\n"
        "if __name__ == '__main__':\n"
        "    multiprocessing.set_start_method('spawn')\n"
        "    print(list(m.utils.data.DataLoader(MainName(), batch_size=2, num_workers=1)))\n")
    result = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True,
                            timeout=120, env=dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(
                                os.path.dirname(os.path.abspath(__file__))))))
    assert result.stdout.strip() == "[['__mp_main__', '__mp_main__']]", result.stderr
