"""Side-by-side timing of the random samplers on 10**6 elements: `python -m bench.rng`.

Prints ember's and torch's median time per call and their ratio. torch runs on one thread, like
ember, so the ratio compares the algorithms, not the core count; times are CPU time of this process,
which other jobs on a shared machine disturb less than wall time. The two libraries' calls take turns,
so that the machine speeding up or slowing down during a case (it does, on a shared host) moves both
medians alike instead of skewing the ratio.
"""
import statistics
import sys
import time

import torch

import ember

N = 10 ** 6

CASES = {
    'randn float32': lambda m: m.randn(N),
    'randn float64': lambda m: m.randn(N, dtype=m.float64),
    'rand float32': lambda m: m.rand(N),
    'rand float64': lambda m: m.rand(N, dtype=m.float64),
    'randint 0..10': lambda m: m.randint(0, 10, (N,)),
    'randperm': lambda m: m.randperm(N),
    'normal_ float32': lambda m: m.empty(N).normal_(0.5, 2.0),
    'uniform_ float32': lambda m: m.empty(N).uniform_(-1.0, 1.0),
}


def median_seconds(calls, repeats):
    """The median CPU time of each of `calls`, run in turns: one call of each per round."""
    for call in calls:
        call()  # warm up (first-call allocation, lazy imports)
    times = [[] for _ in calls]
    for _ in range(repeats):
        for call, spent in zip(calls, times):
            start = time.process_time()
            call()
            spent.append(time.process_time() - start)
    return [statistics.median(spent) for spent in times]


def main(repeats=9):
    torch.set_num_threads(1)
    print(f"{'case':18s} {'ember ms':>9s} {'torch ms':>9s} {'ratio':>6s}")
    for name, make in CASES.items():
        ember_time, torch_time = median_seconds([lambda: make(ember), lambda: make(torch)], repeats)
        print(f"{name:18s} {ember_time * 1e3:9.2f} {torch_time * 1e3:9.2f} {ember_time / torch_time:6.1f}x")


if __name__ == '__main__':
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 9)
