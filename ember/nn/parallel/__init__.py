"""ember.nn.parallel: data-parallel training (DistributedDataParallel over ember.distributed; DataParallel,
which has no GPUs to spread over and runs the module as is)."""
from .data_parallel import DataParallel, data_parallel
from .distributed import DistributedDataParallel

__all__ = ['DataParallel', 'DistributedDataParallel', 'data_parallel']
