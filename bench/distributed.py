"""Distributed benchmarks: `python -m bench.distributed [--quick] [--ranks 2]`.

Two measurements, each for ember (MPI through mpi4py) and torch (its `gloo` backend) in the same
`mpirun` job, alternating, median of repeated timings:

- D1 all-reduce of one 25 MB float32 bucket (DDP's default `bucket_cap_mb`) between local ranks:
  time, bus bandwidth, and the ring all-reduce model's time for the same bytes at the machine's
  measured memory-copy bandwidth (the link between two local ranks is memory).
- D2 a DistributedDataParallel training step on W2 (MNIST MLP 784-200-200-10, ReLU, cross-entropy,
  SGD) with a global batch of 200 split over the ranks, run with 1 and with N ranks: step time and
  the parallel efficiency.

The launcher (this module without `--worker`) starts `mpirun -np 1` and `mpirun -np N` on itself
in worker mode; rank 0 of each job prints one JSON line; the launcher prints the table and writes
`bench/results/distributed.json`. BLAS is single-threaded in every rank so that N ranks on N cores
compare with 1 rank on one core. bench/README.md explains how the numbers extrapolate to machines.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

from ember.distributed._mpirun import mpirun_command

BUCKET_BYTES = 25 * 2 ** 20  # DDP's default bucket_cap_mb=25
RESULTS = os.path.join(os.path.dirname(__file__), 'results', 'distributed.json')


def ring_allreduce_seconds(nbytes, ranks, bandwidth):
    """The ring algorithm's time: each rank sends and receives 2(n-1)/n of the buffer
    (reduce-scatter then all-gather) over a link of `bandwidth` bytes/s; latency ignored."""
    return 2 * (ranks - 1) / ranks * nbytes / bandwidth if ranks > 1 else 0.0


def copy_bandwidth(nbytes=BUCKET_BYTES, repeats=20):
    """Memory-copy bandwidth (bytes/s) of one core: the link speed between two local ranks."""
    import numpy as np
    source = np.ones(nbytes // 4, dtype=np.float32)
    target = np.empty_like(source)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        np.copyto(target, source)
        times.append(time.perf_counter() - start)
    return nbytes / statistics.median(times)


# ---------------------------------------------------------------------------- worker (inside mpirun)

def _timed(fn, barrier):
    """Seconds of one call of `fn`, all ranks starting it together."""
    barrier()
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _w2_ddp_step(m, ddp_class, global_batch, rank, ranks):
    """One DDP-wrapped W2 step on this rank's share of a global batch (same data on every run)."""
    import numpy as np
    rng = np.random.default_rng(0)
    images = rng.random((global_batch, 784), dtype=np.float32)
    labels = rng.integers(0, 10, global_batch)
    share = slice(rank * global_batch // ranks, (rank + 1) * global_batch // ranks)
    x, y = m.tensor(images[share]), m.tensor(labels[share])
    m.manual_seed(0)
    model = ddp_class(m.nn.Sequential(m.nn.Linear(784, 200), m.nn.ReLU(), m.nn.Linear(200, 200), m.nn.ReLU(),
                                      m.nn.Linear(200, 10)))
    optimizer = m.optim.SGD(model.parameters(), lr=0.1)
    loss_fn = m.nn.CrossEntropyLoss()

    def step():
        optimizer.zero_grad()
        loss_fn(model(x), y).backward()
        optimizer.step()
    return step


def worker(args):
    import torch
    import torch.distributed as torch_dist

    import ember
    import ember.distributed as dist
    from ember.nn.parallel import DistributedDataParallel

    torch.set_num_threads(1)
    dist.init_process_group('mpi')
    rank, ranks = dist.get_rank(), dist.get_world_size()
    # torch's gloo group, rendezvous over TCP on this machine; rank/size from MPI
    torch_dist.init_process_group('gloo', init_method=f"tcp://127.0.0.1:{args.port}", rank=rank, world_size=ranks)

    repeats = 5 if args.quick else 21
    result = {'ranks': ranks}

    # D1: one 25 MB bucket
    bucket_e = ember.ones(BUCKET_BYTES // 4)
    bucket_t = torch.ones(BUCKET_BYTES // 4)
    for _ in range(2):  # warm-up: first collectives set up connections
        dist.all_reduce(bucket_e)
        torch_dist.all_reduce(bucket_t)
    ember_times, torch_times = [], []
    for _ in range(repeats):  # alternate so load changes hit both
        ember_times.append(_timed(lambda: dist.all_reduce(bucket_e), dist.barrier))
        torch_times.append(_timed(lambda: torch_dist.all_reduce(bucket_t), torch_dist.barrier))
    result['allreduce_ember_s'] = statistics.median(ember_times)
    result['allreduce_torch_s'] = statistics.median(torch_times)

    # D2: DDP step on W2 with a global batch of 200
    ember_step = _w2_ddp_step(ember, DistributedDataParallel, 200, rank, ranks)
    torch_step = _w2_ddp_step(torch, torch.nn.parallel.DistributedDataParallel, 200, rank, ranks)
    for _ in range(3):
        ember_step()
        torch_step()
    steps = 5 if args.quick else 20
    ember_times, torch_times = [], []
    for _ in range(repeats):
        ember_times.append(_timed(lambda: [ember_step() for _ in range(steps)], dist.barrier) / steps)
        torch_times.append(_timed(lambda: [torch_step() for _ in range(steps)], torch_dist.barrier) / steps)
    result['ddp_step_ember_s'] = statistics.median(ember_times)
    result['ddp_step_torch_s'] = statistics.median(torch_times)
    if rank == 0:
        result['copy_bandwidth'] = copy_bandwidth()
        print('RESULT ' + json.dumps(result), flush=True)
    torch_dist.destroy_process_group()
    dist.destroy_process_group()


# ---------------------------------------------------------------------------- launcher

def run_job(ranks, quick, port):
    """Run the worker under `mpirun -np ranks`; return rank 0's result dict."""
    command = mpirun_command(ranks)
    if command is None:
        raise SystemExit("mpirun not found: install the extra with pip install 'ember[distributed]'")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ, OPENBLAS_NUM_THREADS='1', OMP_NUM_THREADS='1',
               PYTHONPATH=os.pathsep.join(filter(None, [root, os.environ.get('PYTHONPATH')])))
    command += [sys.executable, '-m', 'bench.distributed', '--worker', '--port', str(port)] + (['--quick'] if quick else [])
    finished = subprocess.run(command, capture_output=True, text=True, env=env, cwd=root, timeout=900)
    for line in finished.stdout.splitlines():
        if line.startswith('RESULT '):
            return json.loads(line[len('RESULT '):])
    raise SystemExit(f"mpirun -np {ranks} failed ({finished.returncode}):\n{finished.stdout}\n{finished.stderr}")


def report(one, many):
    """The table, as text."""
    ranks = many['ranks']
    nbytes = BUCKET_BYTES
    bandwidth = many['copy_bandwidth']
    model = ring_allreduce_seconds(nbytes, ranks, bandwidth)

    def bus(seconds):  # NCCL-style bus bandwidth: bytes each rank moves per second in a ring
        return 2 * (ranks - 1) / ranks * nbytes / seconds / 1e9

    lines = [
        f"D1 all-reduce, one 25 MB float32 bucket, {ranks} local ranks "
        f"(memory-copy bandwidth {bandwidth / 1e9:.1f} GB/s; ring model {model * 1e3:.2f} ms)",
        "| library | time (ms) | bus bandwidth (GB/s) | time / ring model |",
        "|---|---|---|---|",
    ]
    for name in ('ember', 'torch'):
        seconds = many[f'allreduce_{name}_s']
        lines.append(f"| {name} (MPI)" if name == 'ember' else f"| {name} (gloo)")
        lines[-1] += f" | {seconds * 1e3:.2f} | {bus(seconds):.2f} | {seconds / model:.1f} |"
    lines += [
        '',
        "D2 DDP training step on W2 (MNIST MLP 784-200-200-10), global batch 200, 1 BLAS thread per rank",
        f"| library | 1 rank (ms) | {ranks} ranks (ms) | speed-up | efficiency |",
        "|---|---|---|---|---|",
    ]
    for name in ('ember', 'torch'):
        single, multi = one[f'ddp_step_{name}_s'], many[f'ddp_step_{name}_s']
        lines.append(f"| {name} | {single * 1e3:.2f} | {multi * 1e3:.2f} | {single / multi:.2f} | "
                     f"{single / multi / ranks:.0%} |")
    ratio_1 = one['ddp_step_ember_s'] / one['ddp_step_torch_s']
    ratio_n = many['ddp_step_ember_s'] / many['ddp_step_torch_s']
    ratio_ar = many['allreduce_ember_s'] / many['allreduce_torch_s']
    lines += ['', f"ember/torch: all-reduce {ratio_ar:.2f}, DDP step 1 rank {ratio_1:.2f}, {ranks} ranks {ratio_n:.2f}"]
    return '\n'.join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(prog='python -m bench.distributed', description=__doc__.split('\n')[0])
    parser.add_argument('--quick', action='store_true', help='fewer repeats')
    parser.add_argument('--ranks', type=int, default=2, help='ranks of the multi-process run (default 2)')
    parser.add_argument('--worker', action='store_true', help=argparse.SUPPRESS)
    parser.add_argument('--port', type=int, default=29531, help=argparse.SUPPRESS)
    parser.add_argument('--no-save', action='store_true', help=f'do not write {RESULTS}')
    args = parser.parse_args(argv)
    if args.worker:
        return worker(args)
    one = run_job(1, args.quick, args.port)
    many = run_job(args.ranks, args.quick, args.port + 1)
    text = report(one, many)
    print(text)
    if not args.no_save:
        os.makedirs(os.path.dirname(RESULTS), exist_ok=True)
        with open(RESULTS, 'w') as f:
            json.dump({'date': time.strftime('%Y-%m-%d %H:%M'), 'one_rank': one, 'ranks': many, 'table': text},
                      f, indent=1)


if __name__ == '__main__':
    main()
