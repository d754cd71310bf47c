"""Run under `mpirun -np 2`: SyncBatchNorm on two ranks, each holding half of the batch, gives what
one BatchNorm gives on the whole batch: the outputs of each half, the input gradients, the running
statistics, and (after DistributedDataParallel averages them) the parameter gradients. Also: eval
mode does not communicate, and convert_sync_batchnorm keeps the parameters. Prints `OK <rank>`."""
import numpy as np

import ember
import ember.distributed as dist
import ember.nn as nn
from ember.nn.parallel import DistributedDataParallel


def check(condition, what):
    if not condition:
        raise AssertionError(f"rank {dist.get_rank()}: {what}")


def difference(a, b):
    return float((a - b).abs().max())


dist.init_process_group('mpi')
rank, world = dist.get_rank(), dist.get_world_size()
ember.set_default_dtype(ember.float64)
rng = np.random.default_rng(0)

for shape, momentum in [((8, 3, 5, 4), 0.1), ((6, 4), None), ((4, 2, 7), 0.3)]:
    batch = shape[0] // world
    mine = slice(rank * batch, (rank + 1) * batch)
    whole = ember.tensor(rng.normal(2.0, 3.0, size=shape), requires_grad=True)
    weights = ember.tensor(rng.uniform(0.5, 1.5, size=shape))
    ember.manual_seed(0)
    reference = nn.BatchNorm1d(shape[1], momentum=momentum) if len(shape) < 4 else nn.BatchNorm2d(shape[1])
    with ember.no_grad():
        reference.weight.uniform_(0.5, 1.5)
        reference.bias.uniform_(-1, 1)
    synced = nn.SyncBatchNorm.convert_sync_batchnorm(nn.Sequential(reference)).to(ember.float64)
    check(type(synced[0]) is nn.SyncBatchNorm and synced[0].weight is reference.weight, "convert_sync_batchnorm")
    local = nn.Sequential(nn.SyncBatchNorm(shape[1], momentum=momentum))
    local.load_state_dict(synced.state_dict())
    model = DistributedDataParallel(local)
    part = whole.detach()[mine].clone().requires_grad_(True)
    for step in range(2):  # twice: the running statistics of the second step build on the first
        output = model(part)
        expected = reference(whole)
        check(difference(output, expected[mine]) < 1e-12, f"{shape} step {step}: output")
    (output * weights[mine]).sum().backward()
    (expected * weights).sum().backward()
    check(difference(part.grad, whole.grad[mine]) < 1e-12, f"{shape}: input gradient")
    sync_layer = model.module[0]
    for name in ('running_mean', 'running_var', 'num_batches_tracked'):
        check(difference(getattr(sync_layer, name), getattr(reference, name)) < 1e-12, f"{shape}: {name}")
    # DDP averages the parameter gradients; the reference's are the sums over the whole batch
    for name in ('weight', 'bias'):
        check(difference(getattr(sync_layer, name).grad * world, getattr(reference, name).grad) < 1e-12,
              f"{shape}: grad of {name}")
    # eval: each rank uses the running statistics, no collective (a rank-dependent input must not hang)
    model.eval()
    reference.eval()
    check(difference(model(part[:1]), reference(part[:1])) < 1e-12, f"{shape}: eval")

print(f"OK {rank}")
