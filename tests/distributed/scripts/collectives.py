"""Run under `mpirun -np 2`: every collective of ember.distributed checked against NumPy.

Each rank's input is drawn from a generator seeded by the rank, so every rank can rebuild all the
ranks' inputs and compute the expected result with NumPy. Prints `OK <rank>` when all checks pass.
"""
import numpy as np

import ember
import ember.distributed as dist
from ember.utils.data import DistributedSampler

SHAPE = (3, 4)


def rank_input(rank, dtype='float64', shape=SHAPE):
    values = np.random.default_rng(rank).uniform(0.5, 2.0, shape)
    return values.astype(dtype) if dtype != 'int64' else (values * 10).astype(dtype)


def check(condition, what):
    if not condition:
        raise AssertionError(f"rank {dist.get_rank()}: {what}")


def check_close(actual, expected, what):
    actual = actual.numpy() if isinstance(actual, ember.Tensor) else np.asarray(actual)
    check(actual.shape == np.shape(expected) and np.allclose(actual, expected, rtol=1e-6, atol=0),
          f"{what}: got {actual}, expected {expected}")


dist.init_process_group('mpi')
rank, world = dist.get_rank(), dist.get_world_size()
check(world == 2 and dist.is_initialized() and dist.get_backend() == 'mpi', "init")
everyone = [rank_input(r) for r in range(world)]

# all_reduce: every op, several dtypes, sync and async; the version counter moves
expected_by_op = {dist.ReduceOp.SUM: np.sum, dist.ReduceOp.AVG: np.mean, dist.ReduceOp.PRODUCT: np.prod,
                  dist.ReduceOp.MIN: np.min, dist.ReduceOp.MAX: np.max}
for dtype in ['float64', 'float32', 'int64']:
    for op, numpy_reduction in expected_by_op.items():
        if dtype == 'int64' and op == dist.ReduceOp.AVG:
            continue
        tensor = ember.tensor(rank_input(rank, dtype))
        version = tensor._version
        dist.all_reduce(tensor, op=op)
        expected = numpy_reduction(np.stack([rank_input(r, dtype) for r in range(world)]), axis=0)
        check_close(tensor, expected.astype(dtype), f"all_reduce {op!r} {dtype}")
        check(tensor._version > version, "all_reduce bumps the version")
flags = ember.tensor([rank == 0, False, True])
dist.all_reduce(flags)
check(flags.tolist() == [True, False, True], f"all_reduce on bool is `or`: {flags}")
tensor = ember.tensor(rank_input(rank))
work = dist.all_reduce(tensor, async_op=True)
check(isinstance(work, dist.Work), "async_op returns a Work")
work.wait()
check(work.is_completed(), "Work completed after wait")
check_close(tensor, sum(everyone), "async all_reduce")
check(dist.all_reduce(tensor) is None, "sync collectives return None")

# broadcast / reduce, with a non-zero root
tensor = ember.tensor(rank_input(rank))
dist.broadcast(tensor, src=1)
check_close(tensor, everyone[1], "broadcast from 1")
tensor = ember.tensor(rank_input(rank))
dist.reduce(tensor, dst=1, op=dist.ReduceOp.MAX)
check_close(tensor, np.max(everyone, axis=0) if rank == 1 else everyone[rank], "reduce MAX to 1")
tensor = ember.tensor(rank_input(rank))
dist.broadcast(tensor, src=0, async_op=True).wait()
check_close(tensor, everyone[0], "async broadcast")

# gathering
outputs = [ember.zeros(SHAPE, dtype=ember.float64) for _ in range(world)]
dist.all_gather(outputs, ember.tensor(rank_input(rank)))
for r in range(world):
    check_close(outputs[r], everyone[r], f"all_gather [{r}]")
work = dist.all_gather(outputs, ember.tensor(rank_input(rank) * 2), async_op=True)
work.wait()
check_close(outputs[1], everyone[1] * 2, "async all_gather")
output = ember.zeros((world * SHAPE[0], SHAPE[1]), dtype=ember.float64)
dist.all_gather_into_tensor(output, ember.tensor(rank_input(rank)))
check_close(output, np.concatenate(everyone), "all_gather_into_tensor (concatenated)")
output = ember.zeros((world,) + SHAPE, dtype=ember.float64)
dist.all_gather_into_tensor(output, ember.tensor(rank_input(rank)))
check_close(output, np.stack(everyone), "all_gather_into_tensor (stacked)")
objects = [None] * world
dist.all_gather_object(objects, {'rank': rank, 'name': f"r{rank}"})
check(objects == [{'rank': r, 'name': f"r{r}"} for r in range(world)], f"all_gather_object {objects}")
objects = [rank, 'x', None] if rank == 1 else [None, None, None]
dist.broadcast_object_list(objects, src=1)
check(objects == [1, 'x', None], f"broadcast_object_list {objects}")
gathered = [ember.zeros(SHAPE, dtype=ember.float64) for _ in range(world)] if rank == 0 else None
dist.gather(ember.tensor(rank_input(rank)), gathered, dst=0)
if rank == 0:
    for r in range(world):
        check_close(gathered[r], everyone[r], f"gather [{r}]")

# scattering
received = ember.zeros(SHAPE, dtype=ember.float64)
pieces = [ember.tensor(rank_input(10 + r)) for r in range(world)] if rank == 1 else None
dist.scatter(received, pieces, src=1)
check_close(received, rank_input(10 + rank), "scatter from 1")
received = ember.zeros(SHAPE, dtype=ember.float64)
dist.reduce_scatter(received, [ember.tensor(rank_input(rank) * (r + 1)) for r in range(world)])
check_close(received, sum(everyone) * (rank + 1), "reduce_scatter")
received = ember.zeros(SHAPE, dtype=ember.float64)
stacked = np.concatenate([rank_input(rank) * (r + 1) for r in range(world)])
dist.reduce_scatter_tensor(received, ember.tensor(stacked), op=dist.ReduceOp.AVG)
check_close(received, np.mean(everyone, axis=0) * (rank + 1), "reduce_scatter_tensor AVG")

# point to point
if rank == 0:
    dist.send(ember.tensor(rank_input(7)), dst=1, tag=3)
    work = dist.irecv(received, src=1)
    work.wait()
    check_close(received, rank_input(8), "irecv")
else:
    sender = dist.recv(received, src=0, tag=3)
    check(sender == 0, "recv returns the sender")
    check_close(received, rank_input(7), "recv")
    dist.isend(ember.tensor(rank_input(8)), dst=0).wait()
received = ember.zeros(SHAPE, dtype=ember.float64)
if rank == 0:
    dist.send(ember.tensor(rank_input(9)), dst=1)
else:
    check(dist.recv(received) == 0, "recv from any source")
    check_close(received, rank_input(9), "recv from any source")

# sub-groups
solo = dist.new_group([1])
check(dist.get_rank(solo) == (0 if rank == 1 else -1), "rank in a sub-group")
check(dist.get_world_size(solo) == (1 if rank == 1 else -1), "size of a sub-group")
tensor = ember.tensor(rank_input(rank))
dist.all_reduce(tensor, group=solo)  # a no-op on rank 0, a group of one on rank 1
check_close(tensor, everyone[rank], "all_reduce in a group of one")
both = dist.new_group([0, 1])
tensor = ember.tensor(rank_input(rank))
dist.broadcast(tensor, src=1, group=both)
check_close(tensor, everyone[1], "broadcast in a sub-group")
check(dist.get_process_group_ranks(both) == [0, 1], "get_process_group_ranks")
dist.barrier()
dist.barrier(async_op=True).wait()

# errors that every rank detects together (no hang)
for what, call in [
        ('all_gather', lambda: dist.all_gather([ember.zeros(rank + 1) for _ in range(world)], ember.ones(rank + 1))),
        ('all_reduce', lambda: dist.all_reduce(ember.ones(rank + 1))),
        ('broadcast', lambda: dist.broadcast(ember.ones(2, dtype=ember.float64 if rank else ember.float32), 0))]:
    try:
        call()
    except RuntimeError as error:
        check('rank 0' in str(error) and 'rank 1' in str(error), f"{what} mismatch message: {error}")
    else:
        raise AssertionError(f"{what} with different shapes on the ranks did not raise")
try:
    dist.all_reduce(ember.ones(4, 4).t())
except ValueError as error:
    check('contiguous' in str(error), str(error))
else:
    raise AssertionError("a non-contiguous tensor was accepted")
try:
    dist.init_process_group('mpi')
except ValueError:
    pass
else:
    raise AssertionError("init_process_group twice did not raise")

# DistributedSampler takes num_replicas and rank from the default group
sampler = DistributedSampler(range(11), seed=3)
shares = [None] * world
dist.all_gather_object(shares, list(sampler))
check(shares[rank] == list(DistributedSampler(range(11), world, rank, seed=3)), "sampler defaults")
check(set(shares[0] + shares[1]) == set(range(11)), "the shares cover the dataset")

dist.destroy_process_group()
check(not dist.is_initialized(), "destroy_process_group")
print(f"OK {rank}", flush=True)
