"""Run under `mpirun -np 2`: rank 1 raises while rank 0 waits in a collective for it.

Without ember's excepthook rank 0 would wait forever; with it, the job must end at once with a
non-zero exit code and rank 1's traceback.
"""
import ember
import ember.distributed as dist

dist.init_process_group('mpi')
if dist.get_rank() == 1:
    raise ValueError("deliberate failure on rank 1")
dist.all_reduce(ember.ones(3))
print("rank 0 got past the collective", flush=True)
