"""Smoke tests of the course examples in examples/: each runs as a script, with flags that make it
tiny, and must exit 0 and write what its docstring promises. Where an example can also run on
PyTorch (`--torch`), the numbers it prints are compared with PyTorch's."""
import os
import re
import subprocess
import sys

import numpy as np
import pytest

import ember

EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), 'examples')


def run_example(name, *args, cwd):
    """Run examples/<name> with `args`; return its stdout, failing with its output if it fails."""
    env = dict(os.environ)
    # many BLAS threads fighting over a shared 2-core machine make small matmuls ~30x slower
    env.setdefault('OPENBLAS_NUM_THREADS', '1')
    env.setdefault('OMP_NUM_THREADS', '1')
    env['MPLBACKEND'] = 'Agg'
    result = subprocess.run([sys.executable, os.path.join(EXAMPLES, name), *map(str, args)], cwd=cwd, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"{name} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result.stdout


def assert_png(path):
    from PIL import Image
    with Image.open(path) as image:
        assert image.format == 'PNG' and image.size[0] > 0 and image.size[1] > 0


def test_rmb_classification(tmp_path):
    out = tmp_path / 'rmb'
    stdout = run_example('rmb_classification.py', '--images-per-class', 20, '--epochs', 1, '--out', out, cwd=tmp_path)
    # the course's 80/10/10 split of 20 images per class; 32 training images are 2 batches of 16
    for split, count in [('train', 16), ('valid', 2), ('test', 2)]:
        for denomination in ('1', '100'):
            assert len(os.listdir(out / 'rmb_split' / split / denomination)) == count
    assert re.search(r'Training:Epoch\[000/001\] Iteration\[002/002\] Loss: \d+\.\d{4} Acc:\d+\.\d{2}%', stdout)
    assert 'Valid:\t Epoch[000/001]' in stdout and 'Test: Acc:' in stdout
    assert_png(out / 'loss_curve.png')
    state_dict = ember.load(out / 'lenet_rmb.pth')
    assert tuple(state_dict['fc3.weight'].shape) == (2, 84)


def final_losses(stdout):
    return dict(re.findall(r'^  (\w+) +(\d+\.\d+)$', stdout, flags=re.M))


def test_optimizer_comparison_matches_torch(tmp_path):
    args = ('--samples', 96, '--epochs', 1)
    ours = run_example('optimizer_comparison.py', *args, '--out', tmp_path / 'ember', cwd=tmp_path)
    theirs = run_example('optimizer_comparison.py', *args, '--out', tmp_path / 'torch', '--torch', cwd=tmp_path)
    assert list(final_losses(ours)) == ['SGD', 'Momentum', 'RMSprop', 'Adam', 'Adagrad']
    # same seed, same initial weights, same batches: the printed losses are PyTorch's to 5 decimals
    assert final_losses(ours) == final_losses(theirs)
    assert_png(tmp_path / 'ember' / 'optimizer_losses.png')


def layer_stds(stdout):
    """{mode: [std of layer 0, 1, ...]} from the 'layer:i, std:s' lines under each '==== mode:' header."""
    stds = {}
    for block in stdout.split('==== mode: ')[1:]:
        mode = block.split(' ', 1)[0]
        stds[mode] = [float(value) for value in re.findall(r'^layer:\d+, std:(\S+)$', block, flags=re.M)]
    return stds


def test_weight_init(tmp_path):
    # (PyTorch's numbers for these six MLPs are checked by the conformance cases 053-059)
    stdout = run_example('weight_init.py', '--mode', 'all', '--layers', 40, '--width', 256, '--out', tmp_path,
                         cwd=tmp_path)
    stds = layer_stds(stdout)
    assert list(stds) == ['normal', 'tanh_scaled', 'xavier_manual', 'xavier', 'kaiming_manual', 'kaiming']
    # N(0, 1) weights: each layer multiplies the std by ~sqrt(256) = 16 until float32 gives nan
    explode = np.array(stds['normal'])
    assert 'output is nan in' in stdout.split('==== mode: tanh_scaled')[0] and np.isnan(explode[-1])
    np.testing.assert_allclose(explode[1:20] / explode[:19], 16, rtol=0.2)
    # N(0, 1/n) with tanh shrinks layer after layer; Xavier and Kaiming keep the scale
    assert stds['tanh_scaled'][-1] < 0.5 * stds['tanh_scaled'][0]
    assert all(0.5 < std < 0.8 for std in stds['xavier'])
    assert all(0.3 < std < 3 for std in stds['kaiming'])
    # the hand-written formulas draw the same numbers as nn.init's functions
    assert stds['xavier_manual'] == pytest.approx(stds['xavier'], rel=1e-5)
    assert stds['kaiming_manual'] == pytest.approx(stds['kaiming'], rel=1e-5)
    assert_png(tmp_path / 'layer_std.png')


def test_weight_init_health_flag(tmp_path):
    stdout = run_example('weight_init.py', '--mode', 'kaiming', '--layers', 3, '--width', 16, '--health',
                         '--out', tmp_path, cwd=tmp_path)
    assert len(re.findall(r'^layer:\d+, std:', stdout, flags=re.M)) == 3
    after_layers = stdout.split('of 3 layers ran')[1]
    assert after_layers.strip().splitlines()[0]   # the report, or the note that it is unavailable


def test_tensorboard_demo(tmp_path):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    out = tmp_path / 'tb'
    stdout = run_example('tensorboard_demo.py', '--epochs', 1, '--limit', 64, '--out', out, cwd=tmp_path)
    assert f'tensorboard --logdir {out}' in stdout
    events = EventAccumulator(str(out), size_guidance={'scalars': 0, 'histograms': 0, 'images': 0})
    events.Reload()
    tags = events.Tags()
    assert {'y=2x', 'y=pow(2, x)'} <= set(tags['scalars'])
    assert {'conv1.weight_grad', 'conv1.weight_data', 'fc3.bias_grad', 'distribution normal'} <= set(tags['histograms'])
    assert {'input batch', 'feature map in conv1'} <= set(tags['images'])
    assert tags['graph']
    # add_scalars writes each curve into its own sub-run
    train_loss = EventAccumulator(str(out / 'Loss_Train'))
    train_loss.Reload()
    assert len(train_loss.Scalars('Loss')) == 2     # 64 images in batches of 32
    assert os.path.isdir(out / 'data_scalar_group_xsinx')


def test_grad_cam(tmp_path):
    stdout = run_example('grad_cam.py', '--steps', 5, '--num-images', 2, '--out', tmp_path, cwd=tmp_path)
    lines = re.findall(r"^image \d: label (\w+) +predicted (\w+) +CAM mass inside the shape's box: (\d+)%$",
                       stdout, flags=re.M)
    assert [label for label, _, _ in lines] == ['square', 'plus']
    assert all(0 <= int(share) <= 100 for _, _, share in lines)
    for name in ('cam_0_square.png', 'cam_1_plus.png', 'grad_cam_grid.png'):
        assert_png(tmp_path / name)
    if 'ember.vision.cam.GradCAM' in stdout:
        # the hand-written hooks and the library compute the same maps
        difference = float(re.search(r'largest difference from the hooks above (\S+)', stdout).group(1))
        assert difference < 1e-5


def test_char_lm_trains_samples_and_resumes(tmp_path):
    small = ('--hidden-size', 32, '--embedding-dim', 16, '--seq-len', 16, '--batch-size', 8,
             '--sample-length', 40, '--print-every', 2, '--out', tmp_path)
    stdout = run_example('char_lm.py', '--steps', 4, *small, cwd=tmp_path)
    assert re.search(r'^step     2 \| loss \d\.\d{4}$', stdout, flags=re.M)
    assert re.search(r'^step     4 \| loss \d\.\d{4}$', stdout, flags=re.M)
    assert re.search(r'^validation loss \d+\.\d{4}', stdout, flags=re.M)
    sample = stdout.split('---- sample (temperature 0.8) ----\n', 1)[1]
    assert sample.startswith('ROMEO:\n') and len(sample.rstrip('\n')) == len('ROMEO:\n') + 40

    with open(os.path.join(EXAMPLES, 'data', 'tinyshakespeare.txt'), encoding='utf-8') as f:
        text = f.read()
    checkpoint = ember.load(tmp_path / 'char_lm.pth')
    assert checkpoint['vocab'] == ''.join(sorted(set(text))) and checkpoint['step'] == 4
    assert tuple(checkpoint['model_state_dict']['fc.weight'].shape) == (len(checkpoint['vocab']), 32)

    stdout = run_example('char_lm.py', '--steps', 2, '--resume', tmp_path / 'char_lm.pth', *small, cwd=tmp_path)
    assert 'at step 4' in stdout and re.search(r'^step     6 \| loss', stdout, flags=re.M)
    assert ember.load(tmp_path / 'char_lm.pth')['step'] == 6


def test_shipped_text_is_small_and_documented():
    path = os.path.join(EXAMPLES, 'data', 'tinyshakespeare.txt')
    assert os.path.getsize(path) <= 100_000
    with open(os.path.join(EXAMPLES, 'data', 'README.md'), encoding='utf-8') as f:
        readme = f.read()
    assert 'tinyshakespeare.txt' in readme and 'public domain' in readme
