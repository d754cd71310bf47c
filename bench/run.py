"""The benchmark runner: each workload in ember and in torch, in the same process, alternating.

For every workload: build both steps, warm them up, pick for each library a number of steps per
timed batch so one batch lasts at least `batch_seconds`, then time `repeats` batches, alternating
ember and torch (so drifts in machine load hit both), and report the median time per step.

Thread counts: torch is given as many threads as NumPy's BLAS uses (read with threadpoolctl when
it is installed); otherwise both keep their defaults and the report says so.
"""
import argparse
import datetime
import gc
import json
import os
import platform
import statistics
import subprocess
import time

import numpy as np

from .workloads import WORKLOADS

RESULTS = os.path.join(os.path.dirname(__file__), 'results', 'latest.json')


def _match_threads(torch, threads=None):
    """Give torch NumPy's BLAS thread count; return a sentence describing the setting."""
    if threads is not None:  # __main__ already gave OpenBLAS the same number
        torch.set_num_threads(threads)
        return f"--threads {threads}: torch.set_num_threads({threads}), OPENBLAS_NUM_THREADS={threads}"
    try:
        import threadpoolctl
    except ImportError:
        return (f"threadpoolctl not installed: defaults kept (torch {torch.get_num_threads()} threads, "
                f"NumPy's OpenBLAS its default, normally one per core = {os.cpu_count()})")
    blas = [p['num_threads'] for p in threadpoolctl.threadpool_info() if p.get('user_api') == 'blas']
    if not blas:
        return f"NumPy's BLAS not found by threadpoolctl: torch keeps {torch.get_num_threads()} threads"
    torch.set_num_threads(blas[0])
    return f"torch.set_num_threads({blas[0]}) = NumPy's BLAS threads"


def machine():
    model = platform.processor() or platform.machine()
    try:
        out = subprocess.run(['lscpu'], capture_output=True, text=True, check=False).stdout
        for line in out.splitlines():
            if line.startswith('Model name:'):
                model = line.split(':', 1)[1].strip()
    except OSError:
        pass
    return {'cpu': model, 'cores': os.cpu_count(), 'python': platform.python_version(),
            'numpy': np.__version__}


def _time_batch(step, n):
    gc.collect()
    start = time.perf_counter()
    for _ in range(n):
        step()
    return (time.perf_counter() - start) / n


def _steps_per_batch(step, batch_seconds):
    """Enough steps that one timed batch lasts `batch_seconds` (the step is warm by now)."""
    n = 1
    while True:
        elapsed = _time_batch(step, n) * n
        if elapsed >= batch_seconds or n >= 1 << 20:
            return n
        n = max(n * 2, int(n * batch_seconds / max(elapsed, 1e-9) * 1.2))


def measure(workload, ember, torch, repeats, batch_seconds, warmup_seconds):
    steps = {'ember': workload.setup(ember), 'torch': workload.setup(torch)}
    counts = {}
    for name, step in steps.items():
        deadline = time.perf_counter() + warmup_seconds
        while time.perf_counter() < deadline:
            step()
        counts[name] = _steps_per_batch(step, batch_seconds)
    times = {name: [] for name in steps}
    for _ in range(repeats):
        for name, step in steps.items():
            times[name].append(_time_batch(step, counts[name]))
    scale = 1e6 if workload.unit == 'us' else 1e3
    medians = {name: statistics.median(t) * scale for name, t in times.items()}
    return {'workload': workload.name, 'description': workload.description, 'unit': workload.unit,
            'ember': medians['ember'], 'torch': medians['torch'], 'ratio': medians['ember'] / medians['torch'],
            'repeats': repeats, 'steps_per_batch': counts}


def _median_step_time(step, repeats, batch_seconds, warmup_seconds):
    deadline = time.perf_counter() + warmup_seconds
    while time.perf_counter() < deadline:
        step()
    count = _steps_per_batch(step, batch_seconds)
    return statistics.median(_time_batch(step, count) for _ in range(repeats))


def measure_floors(name, torch, sgemm_rate, repeats, batch_seconds, warmup_seconds):
    """The two floors of workload `name` in ms (see floors.py): its GEMM FLOPs at the measured
    sgemm rate, and the median time of the hand-written NumPy step."""
    from .floors import numpy_floor_step
    step, flops = numpy_floor_step(name, torch)
    return {'flops': flops, 'flop_floor': flops / sgemm_rate * 1e3,
            'numpy_floor': _median_step_time(step, repeats, batch_seconds, warmup_seconds) * 1e3}


def profile(workload, ember, seconds=2.0, top=25):
    """cProfile of ember's step: where its time goes."""
    import cProfile
    import pstats
    step = workload.setup(ember)
    for _ in range(20):
        step()
    profiler = cProfile.Profile()
    deadline = time.perf_counter() + seconds
    profiler.enable()
    n = 0
    while time.perf_counter() < deadline:
        step()
        n += 1
    profiler.disable()
    print(f"cProfile of ember {workload.name}, {n} steps")
    pstats.Stats(profiler).sort_stats('tottime').print_stats(top)


def format_table(rows):
    lines = [f"{'workload':<10}{'ember':>14}{'torch':>14}{'ember/torch':>14}"]
    for r in rows:
        u = 'us' if r['unit'] == 'us' else 'ms'
        lines.append(f"{r['workload']:<10}{r['ember']:>11.2f} {u}{r['torch']:>11.2f} {u}{r['ratio']:>14.2f}")
    return '\n'.join(lines)


def format_floors(rows, sgemm_rate):
    lines = [f"floors (sgemm {sgemm_rate / 1e9:.1f} GFLOP/s measured on a 2048x2048 matmul)",
             f"{'workload':<10}{'GFLOP':>8}{'FLOP floor':>13}{'NumPy floor':>14}{'ember':>12}{'torch':>12}"
             f"{'ember/NumPy':>13}{'torch/NumPy':>13}"]
    for r in rows:
        if 'numpy_floor' in r:
            lines.append(f"{r['workload']:<10}{r['flops'] / 1e9:>8.3f}{r['flop_floor']:>10.2f} ms{r['numpy_floor']:>11.2f} ms"
                         f"{r['ember']:>9.2f} ms{r['torch']:>9.2f} ms{r['ember'] / r['numpy_floor']:>13.2f}"
                         f"{r['torch'] / r['numpy_floor']:>13.2f}")
    return '\n'.join(lines)


def loader_speedup(library, repeats):
    """W6's question, paired: epochs with 0 and with 2 workers alternate (so drifts in machine load hit
    both), and the ratio of the median epoch times is the throughput gain from 2 worker processes."""
    from .workloads import _loader_epoch
    steps = {workers: _loader_epoch(library, workers) for workers in (0, 2)}
    times = {workers: [] for workers in steps}
    for step in steps.values():
        step()  # warm-up: starts the persistent workers
    for _ in range(repeats):
        for workers, step in steps.items():
            started = time.perf_counter()
            step()
            times[workers].append(time.perf_counter() - started)
    return statistics.median(times[0]) / statistics.median(times[2])


def main(argv=None):
    parser = argparse.ArgumentParser(prog='python -m bench', description=__doc__.split('\n')[0])
    parser.add_argument('--quick', action='store_true', help='fewer and shorter repeats')
    parser.add_argument('--only', default=None, help='comma-separated workload names, e.g. W5,W2')
    parser.add_argument('--profile', action='store_true', help="print a cProfile of ember's steps instead")
    parser.add_argument('--threads', type=int, default=None,
                        help='threads for both (OpenBLAS and torch); steadier on a loaded machine')
    parser.add_argument('--floors', action='store_true',
                        help='also time the FLOP floor and the hand-written NumPy floor (W1-W4)')
    parser.add_argument('--no-save', action='store_true', help=f'do not write {RESULTS}')
    args = parser.parse_args(argv)

    import torch
    import ember

    names = args.only.split(',') if args.only else list(WORKLOADS)
    unknown = [n for n in names if n not in WORKLOADS]
    if unknown:
        parser.error(f"unknown workload(s) {unknown}; known: {list(WORKLOADS)}")
    threads = _match_threads(torch, args.threads)
    if args.profile:
        for name in names:
            profile(WORKLOADS[name], ember)
        return
    repeats, batch_seconds, warmup = (5, 0.05, 0.2) if args.quick else (21, 0.2, 1.0)
    rows = []
    sgemm_rate = None
    if args.floors:
        from .floors import FLOORS, sgemm_flops_per_second
        sgemm_rate = sgemm_flops_per_second()
    for name in names:
        rows.append(measure(WORKLOADS[name], ember, torch, repeats, batch_seconds, warmup))
        if args.floors and name in FLOORS:
            rows[-1].update(measure_floors(name, torch, sgemm_rate, repeats, batch_seconds, warmup))
        print(f"{name}: ember {rows[-1]['ember']:.2f} {rows[-1]['unit']}, torch {rows[-1]['torch']:.2f} "
              f"{rows[-1]['unit']}", flush=True)
    print()
    print(format_table(rows))
    if sgemm_rate is not None:
        print()
        print(format_floors(rows, sgemm_rate))
    speedups = None
    if 'W6' in names:
        speedups = {'ember': loader_speedup(ember, repeats), 'torch': loader_speedup(torch, repeats)}
        print(f"\nW6 speed-up from 2 DataLoader workers (0 and 2 workers alternating, {repeats} epochs each): "
              f"ember {speedups['ember']:.2f}x, torch {speedups['torch']:.2f}x")
    print(f"\n{threads}; median of {repeats} batches")
    if not args.no_save:
        report = {'date': datetime.datetime.now().isoformat(timespec='seconds'), 'machine': machine(),
                  'torch': torch.__version__, 'threads': threads, 'quick': args.quick, 'results': rows}
        if sgemm_rate is not None:
            report['sgemm_flops_per_second'] = sgemm_rate
        if speedups is not None:
            report['W6_speedup_from_2_workers'] = speedups
        os.makedirs(os.path.dirname(RESULTS), exist_ok=True)
        with open(RESULTS, 'w') as f:
            json.dump(report, f, indent=2)
        print(f"written to {os.path.relpath(RESULTS)}")
