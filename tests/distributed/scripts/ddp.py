"""Run under `mpirun -np 2`: DistributedDataParallel trains exactly like one process on the whole batch.

Two ranks with 16 samples each, after several SGD steps, must hold the parameters that a single model
reaches on the 32 samples (every rank also trains that reference model itself). Also checked: the
broadcast at construction, buffer broadcasting, many small buckets, no_sync, find_unused_parameters,
the error for an unused parameter without it, and the `module.` state_dict prefix. Prints `OK <rank>`.
"""
import copy

import numpy as np

import ember
import ember.distributed as dist
import ember.nn as nn
from ember.nn.parallel import DistributedDataParallel

STEPS = 5
BATCH = 16


def check(condition, what):
    if not condition:
        raise AssertionError(f"rank {dist.get_rank()}: {what}")


def mse(output, target):
    return ((output - target) ** 2).mean()


def max_difference(a, b):
    return max(float((p - q).abs().max()) for p, q in zip(a.parameters(), b.parameters()))


class WithBuffer(nn.Module):
    """An MLP with a buffer that scales its output (to see rank 0's buffer reach every rank)."""

    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(5, 8), nn.Tanh(), nn.Linear(8, 8), nn.Tanh(), nn.Linear(8, 3))
        self.register_buffer('scale', ember.ones(3, dtype=ember.float64))

    def forward(self, x):
        return self.body(x) * self.scale


class TwoBranches(nn.Module):
    """Rank 0 uses `left`, rank 1 uses `right`; `never` is used by no one."""

    def __init__(self):
        super().__init__()
        self.left = nn.Linear(4, 2)
        self.right = nn.Linear(4, 2)
        self.never = nn.Linear(4, 2)

    def forward(self, x, use_left):
        return (self.left if use_left else self.right)(x)


dist.init_process_group('mpi')
rank, world = dist.get_rank(), dist.get_world_size()
ember.set_default_dtype(ember.float64)
rng = np.random.default_rng(0)
inputs = ember.tensor(rng.normal(size=(STEPS, world * BATCH, 5)))
targets = ember.tensor(rng.normal(size=(STEPS, world * BATCH, 3)))
mine = slice(rank * BATCH, (rank + 1) * BATCH)

for bucket_cap_mb in [25, 0.0005, 1e-9]:  # one bucket; 3 buckets; one per parameter
    ember.manual_seed(0)
    reference = WithBuffer()
    local = copy.deepcopy(reference)
    with ember.no_grad():
        for p in local.parameters():
            p.add_(rank)                 # DDP must replace these by rank 0's values
        local.scale.fill_(1.0 + rank)    # and this buffer too, before every forward
    model = DistributedDataParallel(local, bucket_cap_mb=bucket_cap_mb)
    check(max_difference(model.module, reference) == 0, "parameters broadcast from rank 0 at construction")
    check(len(model.reducer.buckets) == {25: 1, 0.0005: 3, 1e-9: 6}[bucket_cap_mb], f"{len(model.reducer.buckets)} buckets")
    optimizer = ember.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    reference_optimizer = ember.optim.SGD(reference.parameters(), lr=0.1, momentum=0.9)
    for step in range(STEPS):
        optimizer.zero_grad()
        mse(model(inputs[step, mine]), targets[step, mine]).backward()
        optimizer.step()
        reference_optimizer.zero_grad()
        mse(reference(inputs[step]), targets[step]).backward()
        reference_optimizer.step()
    check(max_difference(model.module, reference) < 1e-10,
          f"DDP (bucket_cap_mb={bucket_cap_mb}) differs from one process: {max_difference(model.module, reference)}")
    check(float(model.module.scale.sum()) == 3.0, "buffers broadcast before forward")
    check(list(model.state_dict()) == ['module.' + key for key in reference.state_dict()],
          f"state_dict keys {list(model.state_dict())}")

# no_sync: accumulate two half-batches locally, average once
ember.manual_seed(1)
reference = WithBuffer()
model = DistributedDataParallel(copy.deepcopy(reference))
halves = [slice(rank * BATCH, rank * BATCH + BATCH // 2), slice(rank * BATCH + BATCH // 2, (rank + 1) * BATCH)]
with model.no_sync():
    (mse(model(inputs[0, halves[0]]), targets[0, halves[0]]) / 2).backward()
grads_before_sync = [p.grad.clone() for p in model.parameters()]
everyone_before = [None] * world
dist.all_gather_object(everyone_before, [g.numpy() for g in grads_before_sync])
check(not np.allclose(everyone_before[0][0], everyone_before[1][0]), "no_sync leaves the gradients local")
(mse(model(inputs[0, halves[1]]), targets[0, halves[1]]) / 2).backward()
mse(reference(inputs[0]), targets[0]).backward()
for p, q in zip(model.parameters(), reference.parameters()):
    check(float((p.grad - q.grad).abs().max()) < 1e-12, "no_sync then a synchronised backward")

# find_unused_parameters: a parameter unused on one rank gets half the other rank's gradient;
# one unused everywhere keeps grad None
ember.manual_seed(2)
branches = TwoBranches()
reference = copy.deepcopy(branches)
model = DistributedDataParallel(branches, find_unused_parameters=True)
x = ember.tensor(rng.normal(size=(world, 6, 4)))
for _ in range(2):  # twice: the second iteration must not see the first one as unfinished
    model.zero_grad()
    model(x[rank], use_left=rank == 0).sum().backward()
reference(x[0], True).sum().backward()
reference(x[1], False).sum().backward()
for name in ['left', 'right']:
    for p, q in zip(getattr(model.module, name).parameters(), getattr(reference, name).parameters()):
        check(float((p.grad - q.grad / world).abs().max()) < 1e-12, f"find_unused_parameters grad of {name}")
check(all(p.grad is None for p in model.module.never.parameters()), "a parameter unused everywhere keeps grad None")

# without find_unused_parameters the unused parameter leaves the reduction unfinished: the next forward says so
model = DistributedDataParallel(TwoBranches())
model(x[rank], use_left=True).sum().backward()
try:
    model(x[rank], use_left=True)
except RuntimeError as error:
    check('find_unused_parameters=True' in str(error) and 'never.weight' in str(error), str(error))
else:
    raise AssertionError("an unfinished reduction was not reported")

dist.destroy_process_group()
print(f"OK {rank}", flush=True)
