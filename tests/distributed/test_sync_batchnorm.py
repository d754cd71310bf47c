"""SyncBatchNorm across two MPI ranks (scripts/sync_batchnorm.py) equals BatchNorm on the whole batch."""
from test_distributed import _run_ranks, needs_mpi


@needs_mpi
def test_sync_batchnorm_on_two_ranks_is_batchnorm_on_the_whole_batch():
    returncode, stdout, stderr = _run_ranks('sync_batchnorm.py')
    assert returncode == 0, stdout + stderr
    assert sorted(line for line in stdout.splitlines() if line.startswith('OK')) == ['OK 0', 'OK 1'], stdout + stderr
