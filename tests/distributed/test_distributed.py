"""ember.distributed, DistributedSampler and DistributedDataParallel.

The multi-process checks run the scripts in `scripts/` under `mpirun -np 2` (each script batches
many checks, as starting MPI costs seconds); they are skipped, with the reason shown, when mpi4py or
mpirun is missing. DistributedSampler is compared with PyTorch's in this process.
"""
import importlib.util
import os
import signal
import subprocess
import sys
import time

import pytest
import torch
from torch.utils.data.distributed import DistributedSampler as TorchDistributedSampler

import ember.distributed as dist
from ember.distributed._mpirun import mpirun_command, mpirun_path
from ember.utils.data import DistributedSampler

SCRIPTS = os.path.join(os.path.dirname(__file__), 'scripts')
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TIMEOUT = 120


needs_mpi = pytest.mark.skipif(
    importlib.util.find_spec('mpi4py') is None or mpirun_path() is None,
    reason="needs mpi4py and mpirun: pip install 'ember[distributed]'")


def _environment(**extra):
    env = dict(os.environ, **extra)
    env['PYTHONPATH'] = os.pathsep.join([REPO] + ([env['PYTHONPATH']] if env.get('PYTHONPATH') else []))
    return env


def _run(command, env=None):
    """Run `command` in its own process group; on timeout kill the whole group and fail."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=env or _environment(), start_new_session=True)
    try:
        stdout, stderr = process.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        pytest.fail(f"{' '.join(command)} did not finish within {TIMEOUT} s (a hang)")
    return process.returncode, stdout, stderr


def _run_ranks(script, ranks=2):
    return _run(mpirun_command(ranks) + [sys.executable, os.path.join(SCRIPTS, script)])


@needs_mpi
@pytest.mark.parametrize('script', ['collectives.py', 'ddp.py'])
def test_two_ranks(script):
    returncode, stdout, stderr = _run_ranks(script)
    assert returncode == 0, stdout + stderr
    assert sorted(line for line in stdout.splitlines() if line.startswith('OK')) == ['OK 0', 'OK 1'], stdout + stderr


@needs_mpi
def test_a_failing_rank_ends_the_job_with_its_traceback():
    start = time.monotonic()
    returncode, stdout, stderr = _run_ranks('failing_rank.py')
    assert returncode != 0
    assert 'Traceback' in stderr and 'ValueError: deliberate failure on rank 1' in stderr, stderr
    assert 'rank 0 got past the collective' not in stdout
    assert time.monotonic() - start < 60


@needs_mpi
def test_launch_variables_must_agree_with_mpi():
    # a plain `python` start is an MPI job of one process; RANK/WORLD_SIZE of a torchrun-style launch disagree
    code = ("import ember.distributed as dist\n"
            "try:\n    dist.init_process_group('mpi')\n"
            "except RuntimeError as error:\n    print(error)\n")
    returncode, stdout, stderr = _run([sys.executable, '-c', code], _environment(RANK='1', WORLD_SIZE='2'))
    assert returncode == 0, stderr
    assert 'RANK=1' in stdout and 'mpirun' in stdout, stdout


def test_without_mpi4py_import_works_and_init_names_the_extra():
    code = ("import sys\n"
            "class Block:\n"
            "    def find_spec(self, name, path=None, target=None):\n"
            "        if name.split('.')[0] == 'mpi4py':\n            raise ImportError('no mpi4py')\n"
            "sys.meta_path.insert(0, Block())\n"
            "import ember.distributed as dist\n"
            "assert not dist.is_available()\n"
            "try:\n    dist.init_process_group('mpi')\n"
            "except RuntimeError as error:\n    print(error)\n")
    returncode, stdout, stderr = _run([sys.executable, '-c', code])
    assert returncode == 0, stderr
    assert "pip install 'ember[distributed]'" in stdout, stdout


@pytest.mark.parametrize('call', [dist.get_rank, dist.get_world_size, dist.get_backend, dist.barrier,
                                  lambda: dist.all_reduce(None), lambda: dist.new_group([0])])
def test_uninitialized_default_group_raises_like_torch(call):
    assert not dist.is_initialized()
    with pytest.raises(ValueError, match='Default process group has not been initialized'):
        call()


def test_destroy_without_init_raises_like_torch():
    with pytest.raises(AssertionError):
        dist.destroy_process_group()
    with pytest.raises(AssertionError):
        torch.distributed.destroy_process_group()


@pytest.mark.parametrize('size', [0, 1, 5, 10, 17])
@pytest.mark.parametrize('num_replicas', [1, 2, 3, 4, 7])
@pytest.mark.parametrize('shuffle', [True, False])
@pytest.mark.parametrize('drop_last', [True, False])
def test_distributed_sampler_matches_torch(size, num_replicas, shuffle, drop_last):
    dataset = list(range(size))
    for rank in range(num_replicas):
        for seed, epoch in [(0, 0), (7, 3)]:
            ours = DistributedSampler(dataset, num_replicas, rank, shuffle=shuffle, seed=seed, drop_last=drop_last)
            theirs = TorchDistributedSampler(dataset, num_replicas, rank, shuffle=shuffle, seed=seed,
                                             drop_last=drop_last)
            ours.set_epoch(epoch)
            theirs.set_epoch(epoch)
            assert list(ours) == list(theirs)
            assert len(ours) == len(theirs)


def test_distributed_sampler_rejects_a_rank_outside_the_replicas():
    with pytest.raises(ValueError, match='Invalid rank 2'):
        DistributedSampler(range(4), num_replicas=2, rank=2)
    with pytest.raises(ValueError, match='Invalid rank 2'):
        TorchDistributedSampler(range(4), num_replicas=2, rank=2)
