"""DistributedDataParallel: data-parallel training over ember.distributed (MPI).

Each rank holds a full replica of the model and runs it on its own share of the batch. The replicas
start equal (rank 0's parameters and buffers are broadcast at construction) and stay equal because
every rank steps with the same gradient: the average of all ranks' gradients.

The averaging overlaps backward, as in PyTorch's Reducer: parameters are grouped in buckets (in
reverse order of `module.parameters()`, roughly the order backward produces their gradients, up to
`bucket_cap_mb` each); a hook on each parameter's AccumulateGrad node notes when its gradient is
final, and a full bucket is copied into one flat buffer and sent with a non-blocking MPI
`Iallreduce` while backward goes on. The hook that completes the last bucket waits for all of them
and writes the averages back into `.grad`, so `loss.backward()` returns with synchronised gradients.
"""
import functools
from contextlib import contextmanager

import numpy as np

from ... import distributed as dist
from ...distributed import distributed_c10d as c10d
from ..._tensor import Tensor
from ...autograd.grad_mode import GradMode
from ...autograd.graph import AccumulateGrad
from ..modules.module import Module

__all__ = ['DistributedDataParallel']

# PyTorch keeps the first bucket small so the first Iallreduce starts early in backward
_FIRST_BUCKET_BYTES = 1024 * 1024
_DEFAULT_BUCKET_CAP_MB = 25

_UNFINISHED_REDUCTION = (
    "Expected to have finished reduction in the prior iteration before starting a new one. This error "
    "indicates that your module has parameters that were not used in producing loss. You can enable unused "
    "parameter detection by passing the keyword argument `find_unused_parameters=True` to "
    "`torch.nn.parallel.DistributedDataParallel`, and by making sure all `forward` function outputs "
    "participate in calculating loss. Parameters that did not receive a gradient on this rank: {names}")


class _Bucket:
    """Parameters whose gradients travel together in one flat buffer."""
    __slots__ = ('indices', 'offsets', 'buffer', 'pending', 'request')

    def __init__(self, indices, params):
        self.indices = indices
        sizes = [params[i]._data.size for i in indices]
        self.offsets = np.concatenate([[0], np.cumsum(sizes)]).tolist()
        self.buffer = np.empty(self.offsets[-1], params[indices[0]]._data.dtype)
        self.pending = 0
        self.request = None


class _Reducer:
    """Averages the parameters' gradients over the ranks of `process_group`, bucket by bucket."""

    def __init__(self, params, names, process_group, bucket_cap_bytes, find_unused_parameters):
        self.params = params
        self.names = names
        self.process_group = process_group
        self.find_unused_parameters = find_unused_parameters
        self.buckets = _make_buckets(params, bucket_cap_bytes)
        self.bucket_of = {}
        for bucket_index, bucket in enumerate(self.buckets):
            for position, index in enumerate(bucket.indices):
                self.bucket_of[index] = (bucket_index, position)
        self.expect_hooks = False   # a synchronised backward is expected (prepare_for_backward ran)
        self.ready = [False] * len(params)
        self.hooks_fired = 0
        self.next_bucket = 0
        self.locally_used = None    # per-parameter 0/1: reached by this rank's graph (find_unused_parameters)
        self.globally_used = None   # the same, summed over ranks
        self.used_request = None
        # The hooks live on the AccumulateGrad nodes, which a leaf refers to only weakly: keep them alive.
        self.accumulators = []
        for index, param in enumerate(params):
            accumulator = param._grad_accumulator()
            accumulator.register_hook(functools.partial(self._on_gradient_ready, index))
            self.accumulators.append(accumulator)

    def prepare_for_backward(self, outputs):
        """Called at the end of a forward whose backward must synchronise the gradients."""
        if self.hooks_fired:
            unready = [self.names[i] for i, r in enumerate(self.ready) if not r]
            raise RuntimeError(_UNFINISHED_REDUCTION.format(names=', '.join(unready)))
        self.expect_hooks = True
        self.ready = [False] * len(self.params)
        self.next_bucket = 0
        for bucket in self.buckets:
            bucket.pending = len(bucket.indices)
        if self.find_unused_parameters:
            used = _reachable_leaves(outputs)
            self.locally_used = np.array([id(p) in used for p in self.params], np.int32)
            # a parameter unused here may be used on another rank: it still joins the average (as zero);
            # one unused on every rank keeps its gradient untouched
            self.globally_used = self.locally_used.copy()
            self.used_request = self.process_group.comm.Iallreduce(c10d.MPI.IN_PLACE, self.globally_used)
            for index in np.flatnonzero(self.locally_used == 0).tolist():
                self._mark_ready(index)

    def _on_gradient_ready(self, index, grad_inputs, grad_outputs):
        if self.expect_hooks and not self.ready[index]:
            self.hooks_fired += 1
            self._mark_ready(index)

    def _mark_ready(self, index):
        self.ready[index] = True
        bucket_index, _ = self.bucket_of[index]
        self.buckets[bucket_index].pending -= 1
        # Buckets are sent strictly in order: MPI needs every rank to issue its collectives in the
        # same order, and the order in which gradients become ready may differ between ranks.
        while self.next_bucket < len(self.buckets) and self.buckets[self.next_bucket].pending == 0:
            self._launch(self.buckets[self.next_bucket])
            self.next_bucket += 1
        if self.next_bucket == len(self.buckets):
            self._finalize()

    def _launch(self, bucket):
        buffer = bucket.buffer
        offsets = bucket.offsets
        for position, index in enumerate(bucket.indices):
            grad = self.params[index].grad
            piece = buffer[offsets[position]:offsets[position + 1]]
            if grad is None or (self.locally_used is not None and not self.locally_used[index]):
                piece.fill(0)
            else:
                piece[...] = grad._data.reshape(-1)
        # divide before summing, as PyTorch's default communication hook does
        np.divide(buffer, self.process_group.size(), out=buffer, casting='unsafe')
        bucket.request = self.process_group.comm.Iallreduce(c10d.MPI.IN_PLACE, buffer)

    def _finalize(self):
        c10d.MPI.Request.Waitall([bucket.request for bucket in self.buckets])
        if self.used_request is not None:
            self.used_request.Wait()
            self.used_request = None
        for bucket in self.buckets:
            bucket.request = None
            offsets = bucket.offsets
            for position, index in enumerate(bucket.indices):
                if self.globally_used is not None and not self.globally_used[index]:
                    continue
                param = self.params[index]
                average = bucket.buffer[offsets[position]:offsets[position + 1]].reshape(param._data.shape)
                grad = param.grad
                if grad is None:
                    param.grad = Tensor._wrap(average.copy())
                elif grad._data.flags.writeable and grad._data.shape == average.shape:
                    grad._data[...] = average
                    grad._version_counter[0] += 1
                else:
                    param.grad = Tensor._wrap(average.copy())
        self.expect_hooks = False
        self.hooks_fired = 0
        self.locally_used = self.globally_used = None


def _make_buckets(params, bucket_cap_bytes):
    """Group parameter indices into buckets: reverse order, one dtype per bucket, at most
    `bucket_cap_bytes` each (the first one at most 1 MB)."""
    buckets = []
    current, current_bytes, cap = [], 0, min(_FIRST_BUCKET_BYTES, bucket_cap_bytes)
    for index in reversed(range(len(params))):
        data = params[index]._data
        if current and (current_bytes + data.nbytes > cap or data.dtype != params[current[0]]._data.dtype):
            buckets.append(_Bucket(current, params))
            current, current_bytes, cap = [], 0, bucket_cap_bytes
        current.append(index)
        current_bytes += data.nbytes
    if current:
        buckets.append(_Bucket(current, params))
    return buckets


def _tensors_in(value):
    """The tensors in a forward's output: a tensor, or nested tuples/lists/dicts of them."""
    if isinstance(value, Tensor):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (list, tuple)):
        return [t for item in value for t in _tensors_in(item)]
    return []


def _reachable_leaves(outputs):
    """ids of the leaf tensors whose AccumulateGrad the backward of `outputs` will reach."""
    stack = [t.grad_fn for t in _tensors_in(outputs) if t.grad_fn is not None]
    leaves = {id(t) for t in _tensors_in(outputs) if t.grad_fn is None and t.requires_grad}
    seen = set()
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        if node.__class__ is AccumulateGrad:
            leaves.add(id(node.variable))
        stack.extend(child for child, _ in node.next_functions if child is not None)
    return leaves


class DistributedDataParallel(Module):
    """Wrap `module` for data-parallel training: call it like `module`, and after `backward()` every
    rank holds the gradients averaged over all ranks.

    `no_sync()` skips the averaging (to accumulate gradients over several batches locally);
    `find_unused_parameters=True` lets forward leave some parameters out of the loss;
    `broadcast_buffers=True` copies rank 0's buffers (BatchNorm's running statistics) to every rank
    before each forward. The wrapped model is `.module`, so `state_dict()` keys start with 'module.'.
    The other arguments of PyTorch's signature are accepted and have no effect (ember runs on the CPU,
    with one communication scheme).
    """

    def __init__(self, module, device_ids=None, output_device=None, dim=0, broadcast_buffers=True,
                 init_sync=True, process_group=None, bucket_cap_mb=None, find_unused_parameters=False,
                 check_reduction=False, gradient_as_bucket_view=False, static_graph=False,
                 delay_all_reduce_named_params=None, param_to_hook_all_reduce=None, mixed_precision=None,
                 device_mesh=None, skip_all_reduce_unused_params=False, bucket_cap_mb_list=None,
                 batched_grad_copy=False, forward_sync_buffers=None):
        super().__init__()
        if not any(p.requires_grad for p in module.parameters()):
            raise RuntimeError("DistributedDataParallel is not needed when a module doesn't have any parameter "
                               "that requires a gradient.")
        self.module = module
        self.process_group = process_group if process_group is not None else dist.group.WORLD
        if self.process_group is None:
            raise ValueError("Default process group has not been initialized, please make sure to call "
                             "init_process_group.")
        self.broadcast_buffers = broadcast_buffers if broadcast_buffers is not None else True
        self.find_unused_parameters = find_unused_parameters
        self.require_backward_grad_sync = True
        self.dim = dim
        self.device_ids = device_ids
        named = [(name, p) for name, p in module.named_parameters() if p.requires_grad]
        params = [p for _, p in named]
        self._verify_param_shapes(named)
        if init_sync:
            _broadcast_coalesced(self.process_group, params + [b for b in module.buffers()])
        cap_mb = _DEFAULT_BUCKET_CAP_MB if bucket_cap_mb is None else bucket_cap_mb
        self.reducer = _Reducer(params, [name for name, _ in named], self.process_group, int(cap_mb * 1024 * 1024),
                                find_unused_parameters)

    def _verify_param_shapes(self, named):
        """Every rank must hold the same model; compare the parameter shapes once, up front."""
        shapes = [(name, tuple(p.shape), p._data.dtype.name) for name, p in named]
        for rank, other in enumerate(self.process_group.comm.allgather(shapes)):
            if other != shapes:
                raise RuntimeError(f"DistributedDataParallel: the model's parameters differ between ranks: this rank "
                                   f"has {shapes}, rank {rank} has {other}")

    def forward(self, *inputs, **kwargs):
        if self.broadcast_buffers:
            buffers = list(self.module.buffers())
            if buffers:
                _broadcast_coalesced(self.process_group, buffers)
        output = self.module(*inputs, **kwargs)
        if GradMode.enabled and self.require_backward_grad_sync:
            self.reducer.prepare_for_backward(output)
        return output

    @contextmanager
    def no_sync(self):
        """Inside this context backward only accumulates gradients locally; the first backward after
        it averages the accumulated gradients."""
        previous = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = previous


def _broadcast_coalesced(process_group, tensors, src=0):
    """Copy rank `src`'s values of `tensors` to all ranks: one broadcast per dtype, through a flat buffer."""
    by_dtype = {}
    for t in tensors:
        by_dtype.setdefault(t._data.dtype, []).append(t)
    for dtype, group in by_dtype.items():
        flat = np.concatenate([t._data.reshape(-1) for t in group])
        process_group.comm.Bcast(flat, root=src)
        offset = 0
        for t in group:
            size = t._data.size
            t._data[...] = flat[offset:offset + size].reshape(t._data.shape)
            t._version_counter[0] += 1
            offset += size
