"""ember.distributed: torch.distributed's API over MPI.

Start the processes with MPI (`mpirun -np 2 python train.py`), call `init_process_group()`, then use
the collectives (`all_reduce`, `broadcast`, ...) on ember tensors, or wrap a model in
`ember.nn.parallel.DistributedDataParallel`. Needs the `distributed` extra
(`pip install 'ember[distributed]'`: mpi4py and Open MPI); without it, `is_available()` is False.
"""
from .distributed_c10d import *  # noqa: F401,F403
from .distributed_c10d import __all__  # noqa: F401
