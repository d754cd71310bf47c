import os
import sys

# One BLAS thread per test process: `pytest -n 2` already runs two processes on the two cores, and
# OpenBLAS's default of one thread per core in each of them makes the threads fight (small GEMMs
# become tens of times slower). Set before NumPy loads OpenBLAS, which reads it once.
if 'numpy' not in sys.modules:
    os.environ.setdefault('OPENBLAS_NUM_THREADS', '1')
    os.environ.setdefault('OMP_NUM_THREADS', '1')

sys.path.insert(0, os.path.dirname(__file__))


def pytest_configure(config):
    import torch
    torch.set_num_threads(1)  # the oracle too: two threads per xdist worker oversubscribe the cores
