"""ember.nn.parallel: data-parallel training (DistributedDataParallel over ember.distributed)."""
from .distributed import DistributedDataParallel

__all__ = ['DistributedDataParallel']
