"""The `ember` command line: train / evaluate / predict, resumption, Ctrl-C, and `--nproc`.

Runs are tiny (a few dozen digits, one or two epochs) and mostly in this process through
`ember.cli.main`; Ctrl-C and `--nproc` need their own processes. The 10-epoch accuracy of the default
run is checked by hand (it takes about a minute), not here.
"""
import importlib.util
import json
import os
import re
import signal
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

import ember
from ember.cli import main
from ember.distributed._mpirun import mpirun_path
from ember.vision.datasets import Digits

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TIMEOUT = 120
TINY = ['--limit-train', '32', '--limit-valid', '32', '--batch-size', '16']


def _environment():
    env = dict(os.environ, OMP_NUM_THREADS='1', OPENBLAS_NUM_THREADS='1')
    env['PYTHONPATH'] = os.pathsep.join([REPO] + ([env['PYTHONPATH']] if env.get('PYTHONPATH') else []))
    return env


def _ember(capsys, *argv):
    """`ember ARGV` in this process: (exit status, stdout, stderr)."""
    status = main([str(arg) for arg in argv])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def _weights(path):
    return {name: value.numpy() for name, value in ember.load(path)['model'].items()}


def _numbers(history):
    """The history without the timings, which differ from run to run."""
    return [{key: value for key, value in record.items() if key != 'seconds'} for record in history]


@pytest.fixture(scope='module')
def two_epoch_run(tmp_path_factory):
    out = tmp_path_factory.mktemp('run') / 'two_epochs'
    status = main(['train', '--epochs', '2', '--out', str(out), *TINY])
    assert status == 0
    return out


def test_train_writes_events_plot_checkpoints_and_metrics(two_epoch_run):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    events = EventAccumulator(str(two_epoch_run), size_guidance={'histograms': 0, 'images': 0, 'scalars': 0})
    events.Reload()
    tags = events.Tags()
    for tag in ['train/loss', 'train/acc', 'valid/loss', 'valid/acc', 'lr', 'test/acc']:
        assert tag in tags['scalars'], tags
    assert [event.step for event in events.Scalars('valid/acc')] == [1, 2]
    assert 'weights/conv1.weight' in tags['histograms'] and 'weights/fc3.bias' in tags['histograms']
    assert 'valid/misclassified' in tags['images']

    with open(two_epoch_run / 'loss.png', 'rb') as file:
        assert file.read(8) == b'\x89PNG\r\n\x1a\n'
    assert not list(two_epoch_run.glob('*.tmp'))  # written to a temporary name, then renamed

    metrics = json.loads((two_epoch_run / 'metrics.json').read_text())
    assert {'history', 'test_acc', 'test_loss', 'wall_time', 'best_valid_acc', 'best_epoch', 'args'} <= set(metrics)
    assert [record['epoch'] for record in metrics['history']] == [1, 2]
    assert {'train_loss', 'train_acc', 'valid_loss', 'valid_acc', 'lr'} <= set(metrics['history'][0])
    assert metrics['history'][0]['lr'] == 0.01 and metrics['history'][1]['lr'] == pytest.approx(0.001)
    assert 0 <= metrics['test_acc'] <= 1 and metrics['wall_time'] > 0

    last = ember.load(two_epoch_run / 'last.ckpt')  # plain values only: loads with weights_only=True
    assert last['epoch'] == 2 and last['classes'] == Digits.classes
    assert {'model', 'optimizer', 'scheduler', 'rng_state', 'history', 'best', 'args', 'data'} <= set(last)
    assert last['data']['source'] == {'name': 'digits'} and last['args']['model'] == 'lenet'
    assert last['model']['conv1.weight'].shape == (6, 1, 5, 5)  # LeNet built for the grey images
    best = ember.load(two_epoch_run / 'best.ckpt')
    assert best['best']['epoch'] == best['epoch'] == metrics['best_epoch']


def test_resume_gives_the_uninterrupted_result(two_epoch_run, tmp_path, capsys):
    out = tmp_path / 'resumed'
    assert _ember(capsys, 'train', '--epochs', '1', '--out', out, *TINY)[0] == 0
    assert ember.load(out / 'last.ckpt')['epoch'] == 1
    status, stdout, _ = _ember(capsys, 'train', '--epochs', '2', '--out', out, '--resume')
    assert status == 0 and 'resuming' in stdout and 'epoch 2/2' in stdout
    uninterrupted, resumed = _weights(two_epoch_run / 'last.ckpt'), _weights(out / 'last.ckpt')
    for name in uninterrupted:
        np.testing.assert_array_equal(resumed[name], uninterrupted[name], err_msg=name)
    expected = json.loads((two_epoch_run / 'metrics.json').read_text())
    got = json.loads((out / 'metrics.json').read_text())
    assert _numbers(got['history']) == _numbers(expected['history'])
    assert got['test_acc'] == expected['test_acc']


def test_evaluate_prints_accuracy_and_confusion_matrix(two_epoch_run, capsys):
    status, stdout, _ = _ember(capsys, 'evaluate', two_epoch_run / 'last.ckpt')
    assert status == 0
    correct, total = map(int, re.search(r'accuracy: [\d.]+% \((\d+)/(\d+)\)', stdout).groups())
    assert total == len(Digits(train=False))
    rows = [line for line in stdout.splitlines() if re.match(r'^\d +\| ', line)]
    matrix = np.array([[int(count) for count in row.split('|')[1].split()] for row in rows])
    assert matrix.shape == (10, 10)
    assert matrix.sum() == total and np.trace(matrix) == correct
    # rows are the true classes: each row holds all test images of its class
    np.testing.assert_array_equal(matrix.sum(axis=1), np.bincount(Digits(train=False).targets.numpy(), minlength=10))


def test_predict_prints_class_and_probability(two_epoch_run, tmp_path, capsys):
    test_set = Digits(train=False)
    paths = []
    for index, (image, _) in enumerate([test_set[0], test_set[5]]):
        path = tmp_path / f'digit{index}.png'
        image.resize((24, 24)).convert('RGB').save(path)  # any size and mode: predict converts
        paths.append(path)
    status, stdout, _ = _ember(capsys, 'predict', two_epoch_run / 'last.ckpt', *paths, '--top', '3')
    assert status == 0
    lines = stdout.splitlines()
    assert len(lines) == 2
    for path, line in zip(paths, lines):
        assert line.startswith(f'{path}: ')
        guesses = re.findall(r'(\d) \(([\d.]+)\)', line)
        assert len(guesses) == 3
        probabilities = [float(p) for _, p in guesses]
        assert probabilities == sorted(probabilities, reverse=True) and 0 < sum(probabilities) <= 1.0001

    assert _ember(capsys, 'predict', two_epoch_run / 'last.ckpt', tmp_path / 'missing.png')[0] == 2


def test_missing_data_path_is_a_clear_error(tmp_path, capsys):
    status, _, stderr = _ember(capsys, 'train', '--data', tmp_path / 'nowhere', '--out', tmp_path / 'out')
    assert status == 2
    assert 'ember train: error: --data' in stderr and 'no such directory' in stderr
    (tmp_path / 'empty').mkdir()
    status, _, stderr = _ember(capsys, 'train', '--data', tmp_path / 'empty', '--out', tmp_path / 'out')
    assert status == 2 and 'class folder' in stderr
    status, _, stderr = _ember(capsys, 'evaluate', tmp_path / 'none.ckpt')
    assert status == 2 and 'no checkpoint' in stderr
    status, _, stderr = _ember(capsys, 'train', '--resume')
    assert status == 2 and '--resume needs --out' in stderr


def _write_image_tree(root, images_per_class):
    """Two classes of 12x12 RGB images told apart by colour."""
    rng = np.random.default_rng(0)
    for name, channel in (('blue', 2), ('red', 0)):
        os.makedirs(root / name)
        for i in range(images_per_class):
            pixels = rng.integers(0, 60, size=(12, 12, 3), dtype=np.uint8)
            pixels[..., channel] += 150
            Image.fromarray(pixels).save(root / name / f'{i}.png')


def test_image_folder_tree_trains_and_evaluates(tmp_path, capsys):
    _write_image_tree(tmp_path / 'flat', 10)  # no train/test subfolders: split 80/20 with the seed
    out = tmp_path / 'out'
    status, stdout, _ = _ember(capsys, 'train', '--data', tmp_path / 'flat', '--epochs', '1', '--batch-size', '4',
                               '--out', out)
    assert status == 0 and '16 training / 4 validation images, 2 classes' in stdout
    checkpoint = ember.load(out / 'last.ckpt')
    assert checkpoint['classes'] == ['blue', 'red'] and checkpoint['model']['conv1.weight'].shape[1] == 3
    status, stdout, _ = _ember(capsys, 'evaluate', out / 'last.ckpt')
    assert status == 0 and re.search(r'accuracy: [\d.]+% \(\d+/4\)', stdout)  # the same 20% split again
    assert len([line for line in stdout.splitlines() if re.match(r'^(blue|red) +\| ', line)]) == 2


def _popen(*argv):
    return subprocess.Popen([sys.executable, '-m', 'ember', *map(str, argv)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=_environment(), cwd=REPO)


def test_ctrl_c_saves_last_checkpoint_and_exits_130(tmp_path):
    out = tmp_path / 'interrupted'
    process = _popen('train', '--epochs', '5', '--limit-train', '1024', '--out', out)
    try:
        first_line = process.stdout.readline()  # printed just before the first epoch starts
        assert first_line.startswith('training lenet'), first_line + process.stderr.read()
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=TIMEOUT)
    finally:
        process.kill()
    assert process.returncode == 130, stdout + stderr
    assert 'interrupted' in stderr and '--resume' in stderr
    checkpoint = ember.load(out / 'last.ckpt')
    assert checkpoint['epoch'] == 0  # the state before the interrupted first epoch, so resuming is exact


@pytest.mark.skipif(importlib.util.find_spec('mpi4py') is None or mpirun_path() is None,
                    reason="needs mpi4py and mpirun: pip install 'ember[distributed]'")
def test_two_processes_compute_what_one_computes(tmp_path, capsys):
    flags = ['--epochs', '1', '--limit-train', '128', '--limit-valid', '32', '--batch-size', '32']
    process = _popen('train', '--nproc', '2', '--out', tmp_path / 'two', *flags)
    stdout, stderr = process.communicate(timeout=TIMEOUT)
    assert process.returncode == 0, stdout + stderr
    assert 'in 2 processes' in stdout and stdout.count('epoch 1/1') == 1  # only rank 0 reports
    assert _ember(capsys, 'train', '--out', tmp_path / 'one', *flags)[0] == 0
    one, two = _weights(tmp_path / 'one' / 'last.ckpt'), _weights(tmp_path / 'two' / 'last.ckpt')
    for name in one:
        np.testing.assert_allclose(two[name], one[name], atol=1e-5, rtol=0, err_msg=name)
    one_metrics = json.loads((tmp_path / 'one' / 'metrics.json').read_text())['history'][0]
    two_metrics = json.loads((tmp_path / 'two' / 'metrics.json').read_text())['history'][0]
    assert two_metrics['train_loss'] == pytest.approx(one_metrics['train_loss'], abs=1e-5)
    assert two_metrics['train_acc'] == one_metrics['train_acc']


def test_nproc_needs_a_divisible_batch_and_names_the_extra_without_mpi(tmp_path, capsys, monkeypatch):
    status, _, stderr = _ember(capsys, 'train', '--nproc', '3', '--batch-size', '16', '--out', tmp_path)
    assert status == 2 and 'must divide evenly over --nproc 3' in stderr
    monkeypatch.setattr(importlib.util, 'find_spec', lambda name, *rest: None)
    status, _, stderr = _ember(capsys, 'train', '--nproc', '2', '--out', tmp_path)
    assert status == 2 and "pip install 'ember[distributed]'" in stderr
