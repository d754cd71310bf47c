"""DistributedSampler: each rank of a distributed job loads its own share of the dataset."""
import math

from ... import Generator, randperm
from ... import distributed as dist
from .sampler import Sampler

__all__ = ['DistributedSampler']


class DistributedSampler(Sampler):
    """Indices of the part of `dataset` that rank `rank` of `num_replicas` loads.

    All ranks shuffle with the same seed (`seed + epoch`: call `set_epoch` at the start of every
    epoch), pad the list by repeating its start so it divides evenly (or cut the tail with
    `drop_last=True`), and rank r takes every `num_replicas`-th index from position r. The indices
    are exactly PyTorch's for the same arguments.
    """

    def __init__(self, dataset, num_replicas=None, rank=None, shuffle=True, seed=0, drop_last=False):
        if num_replicas is None:
            num_replicas = dist.get_world_size()
        if rank is None:
            rank = dist.get_rank()
        if rank >= num_replicas or rank < 0:
            raise ValueError(f"Invalid rank {rank}, rank should be in the interval [0, {num_replicas - 1}]")
        self.dataset = dataset
        self.num_replicas = num_replicas
        self.rank = rank
        self.epoch = 0
        self.drop_last = drop_last
        if drop_last and len(dataset) % num_replicas != 0:
            # the largest multiple of num_replicas that fits, so no index is repeated
            self.num_samples = math.ceil((len(dataset) - num_replicas) / num_replicas)
        else:
            self.num_samples = math.ceil(len(dataset) / num_replicas)
        self.total_size = self.num_samples * num_replicas
        self.shuffle = shuffle
        self.seed = seed

    def __iter__(self):
        if self.shuffle:
            generator = Generator()
            generator.manual_seed(self.seed + self.epoch)
            indices = randperm(len(self.dataset), generator=generator).tolist()
        else:
            indices = list(range(len(self.dataset)))
        if self.drop_last:
            indices = indices[:self.total_size]
        else:
            padding_size = self.total_size - len(indices)
            # repeat the list as often as needed (a tiny dataset may need several copies)
            indices += (indices * math.ceil(padding_size / len(indices)))[:padding_size] if indices else []
        return iter(indices[self.rank:self.total_size:self.num_replicas])

    def __len__(self):
        return self.num_samples

    def set_epoch(self, epoch):
        """Use the shuffle of this epoch (the same on every rank)."""
        self.epoch = epoch
