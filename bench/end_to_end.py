"""W7, the main job end to end: `python -m bench.end_to_end [--epochs 10] [--repeats 1] [--threads N]`.

Three runs of the same training (LeNet on the built-in digits, the course's recipe), each a fresh
process timed from start to exit, alternating when repeated:
- `ember train` with its defaults (10 epochs; writes TensorBoard events, plots, checkpoints),
- `bench/train_digits.py`, the same recipe as a plain PyTorch script, on torch,
- that same script on ember, through `python -m ember.compat`.
Reported: wall seconds (median), the ratios to torch, and each run's test accuracy. The results go
to `bench/results/end_to_end.json`.
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
RESULTS = os.path.join(HERE, 'results', 'end_to_end.json')


def timed(command, env):
    """(wall seconds, stdout) of one run of `command`."""
    started = time.perf_counter()
    finished = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT)
    seconds = time.perf_counter() - started
    if finished.returncode:
        raise SystemExit(f"{' '.join(command)} failed ({finished.returncode}):\n{finished.stderr[-2000:]}")
    return seconds, finished.stdout


def main(argv=None):
    parser = argparse.ArgumentParser(prog='python -m bench.end_to_end', description=__doc__.split('\n')[0])
    parser.add_argument('--epochs', type=int, default=10)
    parser.add_argument('--repeats', type=int, default=1)
    parser.add_argument('--threads', type=int, default=None, help='BLAS / torch threads in every run')
    parser.add_argument('--no-save', action='store_true')
    args = parser.parse_args(argv)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [ROOT, os.environ.get('PYTHONPATH')])))
    thread_flags = []
    if args.threads:
        env.update(OPENBLAS_NUM_THREADS=str(args.threads), OMP_NUM_THREADS=str(args.threads))
        thread_flags = ['--threads', str(args.threads)]
    script = os.path.join(HERE, 'train_digits.py')
    epochs = ['--epochs', str(args.epochs)]
    times = {'ember train': [], 'torch script': [], 'ember script': []}
    accuracy = {}
    with tempfile.TemporaryDirectory() as out:
        for repeat in range(args.repeats):
            runs = {
                'ember train': [sys.executable, '-m', 'ember', 'train', '--out', os.path.join(out, str(repeat))] + epochs,
                'torch script': [sys.executable, script] + epochs + thread_flags,
                'ember script': [sys.executable, '-m', 'ember.compat', script] + epochs + thread_flags,
            }
            for name, command in runs.items():
                seconds, stdout = timed(command, env)
                times[name].append(seconds)
                found = re.search(r'test accuracy (\d+\.?\d*)(%?)', stdout)
                if found:
                    accuracy[name] = float(found.group(1)) / (100 if found.group(2) else 1)
    median = {name: statistics.median(values) for name, values in times.items()}
    torch_seconds = median['torch script']
    print(f"W7 LeNet on the digits, {args.epochs} epochs, end to end (process start to exit), "
          f"{args.repeats} run(s) each, threads: {args.threads or 'default'}")
    print('| run | wall (s) | / torch | test accuracy |')
    print('|---|---|---|---|')
    for name, seconds in median.items():
        print(f"| {name} | {seconds:.1f} | {seconds / torch_seconds:.2f} | {accuracy.get(name, float('nan')):.2%} |")
    if not args.no_save:
        os.makedirs(os.path.dirname(RESULTS), exist_ok=True)
        with open(RESULTS, 'w') as f:
            json.dump({'date': time.strftime('%Y-%m-%d %H:%M'), 'epochs': args.epochs, 'threads': args.threads,
                       'seconds': times, 'accuracy': accuracy}, f, indent=1)


if __name__ == '__main__':
    main()
