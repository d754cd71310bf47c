"""ember.utils.tensorboard against torch.utils.tensorboard.

Every file ember writes is read back with tensorboard's own readers (EventAccumulator, the event file
loader). Where PyTorch writes the same data, both runs are written from the same inputs and the
summaries compared field for field (wall times aside).
"""
import glob
import io
import os
import re
import socket
import subprocess
import sys
from datetime import datetime

import numpy as np
import pytest

pytest.importorskip('tensorboard')
import torch  # noqa: E402
import torch.utils.tensorboard as torch_tb  # noqa: E402
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator  # noqa: E402
from tensorboard.backend.event_processing.event_file_loader import EventFileLoader  # noqa: E402

import ember  # noqa: E402
import ember.nn as nn  # noqa: E402
from ember.utils.tensorboard import SummaryWriter  # noqa: E402


def accumulate(log_dir):
    """Everything in `log_dir`'s event files, as TensorBoard loads it (nothing sampled away)."""
    acc = EventAccumulator(str(log_dir), size_guidance={kind: 0 for kind in
                                                         ('scalars', 'images', 'audio', 'histograms',
                                                          'tensors', 'distributions')})
    return acc.Reload()


def raw_events(log_dir):
    """The events of `log_dir` (not its sub-runs), in order, wall times zeroed."""
    events = []
    for path in sorted(glob.glob(os.path.join(str(log_dir), 'events.out.tfevents.*'))):
        for event in EventFileLoader(path).Load():
            event.wall_time = 0
            events.append(event)
    return events


def summaries(log_dir):
    return [event.summary for event in raw_events(log_dir) if event.HasField('summary')]


def write_both(tmp_path, log):
    """Run `log(writer, lib)` with ember's and torch's SummaryWriter; return both runs' summaries."""
    runs = []
    for lib, writer_class in (('ember', SummaryWriter), ('torch', torch_tb.SummaryWriter)):
        log_dir = tmp_path / lib
        with writer_class(str(log_dir)) as writer:
            log(writer, lib)
        runs.append(summaries(log_dir))
    return runs


rng = np.random.default_rng(0)
GAUSSIAN = rng.normal(size=1000)
IMAGE_CHW = rng.random((3, 6, 5)).astype(np.float32)
BATCH_NCHW = rng.random((5, 3, 4, 6)).astype(np.float32)
LABELS = rng.integers(0, 2, size=50)
PREDICTIONS = rng.random(50)
CURVE = [rng.random(10) for _ in range(6)]
RGBA_OUT_OF_RANGE = rng.normal(size=(4, 3, 3))
GRAY_BATCH = rng.random((11, 1, 2, 3))
MESH_VERTICES = np.array([[[1, 1, 1], [-1, -1, 1], [1, -1, -1], [-1, 1, -1]]], dtype=np.float32)
MESH_COLORS = np.array([[[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 0, 255]]], dtype=np.int32)
MESH_FACES = np.array([[[0, 2, 3], [0, 3, 1], [0, 1, 2], [1, 3, 2]]], dtype=np.int32)
VIDEO = rng.random((3, 4, 3, 5, 6)).astype(np.float32)
LIBS = {'ember': ember, 'torch': torch}

# (name, log): the same calls on both writers must give identical summaries
SAME_AS_TORCH = [
    ('scalar', lambda w, lib: w.add_scalar('loss', 0.25, 3)),
    ('scalar_numpy', lambda w, lib: w.add_scalar('loss', np.float32(0.1), 3)),
    ('scalar_new_style', lambda w, lib: w.add_scalar('loss', 1 / 3, 1, new_style=True)),
    ('scalar_double', lambda w, lib: w.add_scalar('loss', 1 / 3, 1, new_style=True, double_precision=True)),
    ('histogram_tensorflow', lambda w, lib: w.add_histogram('h', GAUSSIAN, 0)),
    ('histogram_auto', lambda w, lib: w.add_histogram('h', GAUSSIAN, 0, bins='auto')),
    ('histogram_fd', lambda w, lib: w.add_histogram('h', GAUSSIAN, 0, bins='fd')),
    ('histogram_sturges', lambda w, lib: w.add_histogram('h', GAUSSIAN * 5 + 3, 0, bins='sturges')),
    ('histogram_int', lambda w, lib: w.add_histogram('h', GAUSSIAN, 0, bins=7)),
    ('histogram_edges', lambda w, lib: w.add_histogram('h', GAUSSIAN, 0, bins=[-1.0, 0.0, 0.5, 1.0])),
    ('histogram_max_bins', lambda w, lib: w.add_histogram('h', GAUSSIAN, 0, bins=100, max_bins=30)),
    ('histogram_ints', lambda w, lib: w.add_histogram('h', np.arange(20), 0, bins='auto')),
    ('histogram_raw', lambda w, lib: w.add_histogram_raw('h', 0.0, 3.0, 6, 9.0, 17.0, [1.0, 2.0, 3.0],
                                                         [1, 2, 3], 0)),
    ('image_chw', lambda w, lib: w.add_image('img', IMAGE_CHW, 0)),
    ('image_hwc', lambda w, lib: w.add_image('img', IMAGE_CHW.transpose(1, 2, 0), 0, dataformats='HWC')),
    ('image_hw', lambda w, lib: w.add_image('img', IMAGE_CHW[0], 0, dataformats='HW')),
    ('image_gray_chw', lambda w, lib: w.add_image('img', IMAGE_CHW[:1], 0)),
    ('image_uint8', lambda w, lib: w.add_image('img', (IMAGE_CHW * 255).astype(np.uint8), 0)),
    ('image_rgba_out_of_range', lambda w, lib: w.add_image('img', RGBA_OUT_OF_RANGE, 0)),
    ('images_nchw', lambda w, lib: w.add_images('imgs', BATCH_NCHW, 0)),
    ('images_nhwc', lambda w, lib: w.add_images('imgs', BATCH_NCHW.transpose(0, 2, 3, 1), 0, dataformats='NHWC')),
    ('images_many', lambda w, lib: w.add_images('imgs', GRAY_BATCH, 0)),
    ('text', lambda w, lib: w.add_text('note', 'some **markdown**', 2)),
    ('pr_curve', lambda w, lib: w.add_pr_curve('pr', LABELS, PREDICTIONS, 0)),
    ('pr_curve_thresholds', lambda w, lib: w.add_pr_curve('pr', LABELS, PREDICTIONS, 0, num_thresholds=200)),
    ('pr_curve_weights', lambda w, lib: w.add_pr_curve('pr', LABELS, PREDICTIONS, 0, num_thresholds=11,
                                                       weights=0.5)),
    ('pr_curve_raw', lambda w, lib: w.add_pr_curve_raw('pr', *CURVE, global_step=0, num_thresholds=10)),
    ('custom_scalars', lambda w, lib: w.add_custom_scalars(
        {'Training': {'loss': ['Multiline', ['loss/train', 'loss/test']],
                      'band': ['Margin', ['acc', 'acc_low', 'acc_high']]}})),
    ('multilinechart', lambda w, lib: w.add_custom_scalars_multilinechart(['a', 'b'], title='ab')),
    ('marginchart', lambda w, lib: w.add_custom_scalars_marginchart(['a', 'b', 'c'])),
    ('audio', lambda w, lib: w.add_audio('sound', np.sin(np.linspace(0, 20, 800)), 0, sample_rate=8000)),
    ('mesh', lambda w, lib: w.add_mesh('shape', MESH_VERTICES, colors=MESH_COLORS, faces=MESH_FACES, global_step=2)),
    ('mesh_point_cloud', lambda w, lib: w.add_mesh('cloud', MESH_VERTICES * 2.5, config_dict={
        'camera': {'cls': 'PerspectiveCamera', 'fov': 75}, 'material': {'cls': 'PointsMaterial', 'size': 0.1}})),
    ('mesh_tensors', lambda w, lib: w.add_mesh('shape', LIBS[lib].tensor(MESH_VERTICES),
                                               faces=LIBS[lib].tensor(MESH_FACES))),
    # without moviepy (as here) both print a note and log the tag with no image
    ('video', lambda w, lib: w.add_video('clip', VIDEO, 1, fps=2)),
    ('video_uint8', lambda w, lib: w.add_video('clip', (VIDEO * 255).astype(np.uint8), 1)),
]


@pytest.mark.parametrize('log', [case[1] for case in SAME_AS_TORCH], ids=[case[0] for case in SAME_AS_TORCH])
def test_summaries_match_torch(tmp_path, log):
    ember_summaries, torch_summaries = write_both(tmp_path, log)
    assert len(ember_summaries) == 1
    assert ember_summaries == torch_summaries


def test_add_mesh_reads_back_as_mesh_tensors(tmp_path):
    with SummaryWriter(str(tmp_path)) as writer:
        writer.add_mesh('shape', MESH_VERTICES, colors=MESH_COLORS, faces=MESH_FACES, global_step=2)
    tensors = accumulate(tmp_path).Tensors
    assert sorted(accumulate(tmp_path).Tags()['tensors']) == ['shape_COLOR', 'shape_FACE', 'shape_VERTEX']
    vertex_events = tensors('shape_VERTEX')
    assert vertex_events[0].step == 2
    from tensorboard.util.tensor_util import make_ndarray
    np.testing.assert_array_equal(make_ndarray(vertex_events[0].tensor_proto), MESH_VERTICES)
    np.testing.assert_array_equal(make_ndarray(tensors('shape_FACE')[0].tensor_proto), MESH_FACES)


def test_mesh_shape_error_matches_torch(tmp_path):
    errors = []
    for lib, writer_class in (('ember', SummaryWriter), ('torch', torch_tb.SummaryWriter)):
        with writer_class(str(tmp_path / lib)) as writer, pytest.raises(ValueError) as info:
            writer.add_mesh('flat', LIBS[lib].tensor(MESH_VERTICES[0]))
        errors.append(str(info.value).replace('torch.', 'ember.'))
    assert errors[0] == errors[1]


@pytest.mark.parametrize('batch', [1, 2, 3, 5, 8, 16])
@pytest.mark.parametrize('dtype', [np.float32, np.uint8])
def test_video_frames_tile_as_torch_tiles_them(batch, dtype):
    # (moviepy, which would encode the frames, is not installed here: compare the frames themselves)
    from torch.utils.tensorboard._utils import _prepare_video
    from ember.utils.tensorboard._summary import prepare_video
    scale = 255 if dtype == np.uint8 else 1
    clips = (np.random.default_rng(batch).random((batch, 2, 3, 4, 5)) * scale).astype(dtype)
    ours, theirs = prepare_video(clips), _prepare_video(clips)
    assert ours.dtype == theirs.dtype
    np.testing.assert_array_equal(ours, theirs)


def test_add_video_without_moviepy_prints_what_torch_prints(tmp_path, capsys):
    printed = []
    for lib, writer_class in (('ember', SummaryWriter), ('torch', torch_tb.SummaryWriter)):
        with writer_class(str(tmp_path / lib)) as writer:
            writer.add_video('clip', VIDEO, 0)
        printed.append(capsys.readouterr().out)
    assert printed[0] == printed[1]


def test_inputs_may_be_tensors_arrays_or_numbers(tmp_path):
    values = ember.randn(4, 5, requires_grad=True) * 2  # a non-leaf: must be detached
    with SummaryWriter(str(tmp_path / 'a')) as writer:
        writer.add_scalar('s', ember.tensor(1.5), 0)
        writer.add_scalar('s', ember.tensor([2.5]), 1)
        writer.add_scalar('s', 3, 2)
        writer.add_histogram('h', values, 0)
        writer.add_image('i', ember.tensor(IMAGE_CHW), 0)
    with SummaryWriter(str(tmp_path / 'b')) as writer:
        writer.add_scalar('s', 1.5, 0)
        writer.add_scalar('s', np.array([2.5]), 1)
        writer.add_scalar('s', 3.0, 2)
        writer.add_histogram('h', values.detach().numpy(), 0)
        writer.add_image('i', IMAGE_CHW, 0)
    assert summaries(tmp_path / 'a') == summaries(tmp_path / 'b')


def test_scalar_must_have_one_element(tmp_path):
    with SummaryWriter(str(tmp_path)) as writer, pytest.raises(AssertionError):
        writer.add_scalar('s', ember.ones(2), 0)
    with torch_tb.SummaryWriter(str(tmp_path / 't')) as writer, pytest.raises(AssertionError):
        writer.add_scalar('s', torch.ones(2), 0)


def test_scalars_read_back(tmp_path):
    with SummaryWriter(str(tmp_path)) as writer:
        for step in range(5):
            writer.add_scalar('loss', 1.0 / (step + 1), step, walltime=100.0 + step)
        writer.add_scalar('acc', 0.5)
    acc = accumulate(tmp_path)
    loss = acc.Scalars('loss')
    assert [e.step for e in loss] == list(range(5))
    assert [e.wall_time for e in loss] == [100.0 + step for step in range(5)]
    np.testing.assert_allclose([e.value for e in loss], [1.0 / (step + 1) for step in range(5)], rtol=1e-7)
    assert acc.Scalars('acc')[0].step == 0


def test_add_scalars_sub_runs(tmp_path):
    def log(writer, lib):
        for step in range(3):
            writer.add_scalars('run/loss', {'train': step * 1.0, 'test': step * 2.0}, step)
    write_both(tmp_path, log)
    def sub_runs(log_dir):
        return sorted(name for name in os.listdir(log_dir) if not name.startswith('events'))
    assert sub_runs(tmp_path / 'ember') == sub_runs(tmp_path / 'torch') == ['run_loss_test', 'run_loss_train']
    for tag, scale in (('train', 1.0), ('test', 2.0)):
        sub_run = tmp_path / 'ember' / f'run_loss_{tag}'
        scalars = accumulate(sub_run).Scalars('run/loss')
        assert [(e.step, e.value) for e in scalars] == [(step, step * scale) for step in range(3)]
        assert summaries(sub_run) == summaries(tmp_path / 'torch' / f'run_loss_{tag}')


def test_histogram_read_back(tmp_path):
    values = ember.tensor(GAUSSIAN)
    with SummaryWriter(str(tmp_path)) as writer:
        writer.add_histogram('weights', values, 7, bins='auto')
    histogram = accumulate(tmp_path).Histograms('weights')[0]
    assert histogram.step == 7
    counts, edges = np.histogram(GAUSSIAN, bins='auto')
    value = histogram.histogram_value
    assert value.num == 1000 and value.min == GAUSSIAN.min() and value.max == GAUSSIAN.max()
    assert list(value.bucket) == [0] + counts.tolist()
    np.testing.assert_array_equal(value.bucket_limit, edges)
    assert value.sum_squares == pytest.approx((GAUSSIAN ** 2).sum())


def test_histogram_errors(tmp_path):
    with SummaryWriter(str(tmp_path)) as writer:
        with pytest.raises(ValueError, match='no element'):
            writer.add_histogram('h', np.array([]), 0)
        with pytest.raises(ValueError):
            writer.add_histogram_raw('h', 0, 1, 1, 1, 1, [1.0, 2.0], [1], 0)


def _decode(image_event):
    from PIL import Image
    return np.asarray(Image.open(io.BytesIO(image_event.encoded_image_string)))


def test_images_decode_to_the_same_pixels(tmp_path):
    with SummaryWriter(str(tmp_path)) as writer:
        writer.add_image('chw', ember.tensor(IMAGE_CHW), 0)
        writer.add_image('hw', IMAGE_CHW[0], 0, dataformats='HW')
        writer.add_images('grid', BATCH_NCHW, 0)
    acc = accumulate(tmp_path)
    expected = (IMAGE_CHW.transpose(1, 2, 0) * 255).clip(0, 255).astype(np.uint8)
    image = acc.Images('chw')[0]
    assert (image.height, image.width) == (6, 5)
    np.testing.assert_array_equal(_decode(image), expected)
    np.testing.assert_array_equal(_decode(acc.Images('hw')[0]), np.repeat(expected[:, :, :1], 3, axis=2))
    grid = _decode(acc.Images('grid')[0])
    assert grid.shape == (4, 5 * 6, 3)  # 5 images side by side (8 per row)
    np.testing.assert_array_equal(grid[:, 6:12], (BATCH_NCHW[1].transpose(1, 2, 0) * 255).astype(np.uint8))


def test_image_format_errors(tmp_path):
    with SummaryWriter(str(tmp_path)) as writer:
        with pytest.raises(AssertionError):
            writer.add_image('i', IMAGE_CHW, 0, dataformats='HW')
        with pytest.raises(AssertionError):
            writer.add_image('i', IMAGE_CHW, 0, dataformats='CCW')


def test_add_figure(tmp_path):
    matplotlib = pytest.importorskip('matplotlib')
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    plt.close('all')
    figure = plt.figure(figsize=(2, 1), dpi=50)
    plt.plot([0, 1], [1, 0])
    with SummaryWriter(str(tmp_path)) as writer:
        writer.add_figure('fig', figure, 0)
        assert plt.get_fignums() == []
        kept = plt.figure(figsize=(1, 1), dpi=40)
        writer.add_figure('figs', [kept, kept], 1, close=False)
    assert plt.fignum_exists(kept.number)
    plt.close(kept)
    acc = accumulate(tmp_path)
    assert _decode(acc.Images('fig')[0]).shape == (50, 100, 3)
    assert _decode(acc.Images('figs')[0]).shape == (40, 80, 3)


def test_text_read_back(tmp_path):
    with SummaryWriter(str(tmp_path)) as writer:
        writer.add_text('notes', 'épreuve *1*', 4)
    event = accumulate(tmp_path).Tensors('notes/text_summary')[0]
    assert event.step == 4
    assert event.tensor_proto.string_val == ['épreuve *1*'.encode()]


def test_pr_curve_read_back(tmp_path):
    with SummaryWriter(str(tmp_path)) as writer:
        writer.add_pr_curve('pr', ember.tensor(LABELS), ember.tensor(PREDICTIONS), 0, num_thresholds=5)
    proto = accumulate(tmp_path).Tensors('pr')[0].tensor_proto
    data = np.array(proto.float_val).reshape(6, 5)
    positives = LABELS.sum()
    assert data[0, 0] == positives and data[1, 0] == len(LABELS) - positives  # threshold 0: all positive
    assert data[0, -1] == LABELS[PREDICTIONS >= 1].sum()


def test_hparams(tmp_path):
    hparams = {'lr': 0.1, 'batch': 32, 'optim': 'sgd', 'nesterov': True, 'unused': None}
    metrics = {'hparam/accuracy': 0.75, 'hparam/loss': 0.5}

    def log(writer, lib):
        writer.add_hparams(hparams, metrics, hparam_domain_discrete={'optim': ['sgd', 'adam']}, run_name='trial')
    write_both(tmp_path, log)
    assert os.listdir(tmp_path / 'ember' / 'trial')
    assert summaries(tmp_path / 'ember' / 'trial') == summaries(tmp_path / 'torch' / 'trial')
    acc = accumulate(tmp_path / 'ember' / 'trial')
    assert acc.Scalars('hparam/accuracy')[0].value == 0.75
    assert acc.SummaryMetadata('_hparams_/session_start_info').plugin_data.plugin_name == 'hparams'
    with SummaryWriter(str(tmp_path / 'bad')) as writer, pytest.raises(TypeError):
        writer.add_hparams([('lr', 0.1)], metrics)


def test_hparams_default_run_name_is_time(tmp_path):
    with SummaryWriter(str(tmp_path)) as writer:
        writer.add_hparams({'lr': ember.tensor(0.5)}, {'m': 1.0})
    (run_name,) = [d for d in os.listdir(tmp_path) if not d.startswith('events')]
    float(run_name)


def test_add_embedding_files_match_torch(tmp_path):
    mat = rng.random((6, 3)).astype(np.float32)
    label_img = rng.random((6, 1, 4, 4)).astype(np.float32)
    metadata = [[i, f"c{i % 2}"] for i in range(6)]
    for lib, writer_class, to_tensor in (('ember', SummaryWriter, ember.tensor),
                                         ('torch', torch_tb.SummaryWriter, torch.tensor)):
        with writer_class(str(tmp_path / lib)) as writer:
            writer.add_embedding(to_tensor(mat), metadata=metadata, label_img=to_tensor(label_img),
                                 metadata_header=['index', 'class'], tag='feat/a')
            writer.add_embedding(to_tensor(mat), metadata=list('abcdef'), global_step=3)
    expected_files = {'projector_config.pbtxt', '00000/feat%2fa/tensors.tsv', '00000/feat%2fa/metadata.tsv',
                      '00000/feat%2fa/sprite.png', '00003/default/tensors.tsv', '00003/default/metadata.tsv'}
    for name in expected_files:
        assert (tmp_path / 'ember' / name).read_bytes() == (tmp_path / 'torch' / name).read_bytes(), name
    rows = (tmp_path / 'ember' / '00003/default/tensors.tsv').read_text().splitlines()
    np.testing.assert_array_equal(np.array([row.split('\t') for row in rows], dtype=np.float32), mat)
    with SummaryWriter(str(tmp_path / 'bad')) as writer, pytest.raises(AssertionError):
        writer.add_embedding(mat, metadata=['only one'])


def make_net(lib):
    """The same small model in ember or torch: nested modules and an op outside any submodule."""
    class Net(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = lib.nn.Linear(4, 3)
            self.act = lib.nn.ReLU()
            self.seq = lib.nn.Sequential(lib.nn.Linear(3, 2), lib.nn.Tanh())

        def forward(self, x):
            return self.seq(self.act(self.fc1(x))) * 2
    return Net()


def _graph_nodes(log_dir):
    acc = accumulate(log_dir)
    assert acc.Tags()['run_metadata'] == ['step1']
    return {node.name: node for node in acc.Graph().node}


def test_add_graph(tmp_path):
    model = make_net(ember)
    with SummaryWriter(str(tmp_path / 'ember')) as writer:
        writer.add_graph(model, ember.randn(5, 4))
    assert model.training  # restored after the eval-mode trace
    nodes = _graph_nodes(tmp_path / 'ember')
    for name in ('input/x', 'output/output.1', 'Net/Linear[fc1]/weight', 'Net/Linear[fc1]/bias',
                 'Net/Sequential[seq]/Linear[0]/weight', 'Net/Sequential[seq]/Tanh[1]/tanh',
                 'Net/ReLU[act]/relu', 'Net/mul'):
        assert name in nodes, name
    for node in nodes.values():  # every edge ends at a node of the graph
        for source in node.input:
            assert source.split(':')[0] in nodes
    assert nodes['Net/ReLU[act]/relu'].input[0].startswith('Net/Linear[fc1]/')
    assert nodes['output/output.1'].input == ['Net/mul']
    assert [d.size for d in nodes['output/output.1'].attr['_output_shapes'].list.shape[0].dim] == [5, 2]
    assert [d.size for d in nodes['Net/Linear[fc1]/weight'].attr['_output_shapes'].list.shape[0].dim] == [3, 4]

    # the ops sit in the same module scopes as in PyTorch's traced graph
    with torch_tb.SummaryWriter(str(tmp_path / 'torch')) as writer:
        writer.add_graph(make_net(torch), torch.randn(5, 4))
    torch_nodes = _graph_nodes(tmp_path / 'torch')

    def op_scopes(graph_nodes):
        return {name.rpartition('/')[0] for name, node in graph_nodes.items()
                if node.op not in ('IO Node', 'Parameter', 'prim::GetAttr', 'prim::Constant')}
    assert op_scopes(nodes) == op_scopes(torch_nodes)


def test_add_graph_multiple_inputs_and_outputs(tmp_path):
    class TwoWay(nn.Module):
        def __init__(self):
            super().__init__()
            self.linear = nn.Linear(3, 3)

        def forward(self, a, b):
            shared = self.linear(a)
            return shared + b, self.linear(b)  # the module is called twice

    with SummaryWriter(str(tmp_path)) as writer:
        writer.add_graph(TwoWay(), (ember.randn(2, 3), ember.randn(2, 3)))
    nodes = _graph_nodes(tmp_path)
    assert {'input/a', 'input/b', 'output/output.1', 'output/output.2', 'TwoWay/add'} <= set(nodes)
    assert sum(name.startswith('TwoWay/Linear[linear]/addmm') for name in nodes) == 2


def test_default_log_dir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    writer = SummaryWriter(comment='_lr0.1')
    writer.close()
    log_dir = writer.get_logdir()
    match = re.fullmatch(r'runs/(\w{3}\d{2}_\d{2}-\d{2}-\d{2})_(.*)', log_dir)
    assert match and match.group(2) == socket.gethostname() + '_lr0.1'
    assert abs((datetime.now() - datetime.strptime(match.group(1), '%b%d_%H-%M-%S')
                .replace(year=datetime.now().year)).total_seconds()) < 60
    assert glob.glob(os.path.join(log_dir, 'events.out.tfevents.*'))
    torch_writer = torch_tb.SummaryWriter(comment='_lr0.1')
    torch_writer.close()
    assert re.sub(r'\d', '0', torch_writer.get_logdir()) == re.sub(r'\d', '0', log_dir)


def test_filename_suffix_and_purge_step(tmp_path):
    with SummaryWriter(str(tmp_path), purge_step=5, filename_suffix='.mine') as writer:
        writer.add_scalar('s', 1.0, 6)
    (path,) = glob.glob(str(tmp_path / 'events.out.tfevents.*'))
    assert path.endswith('.mine')
    events = raw_events(tmp_path)
    assert events[1].step == 5 and events[1].file_version == 'brain.Event:2'
    assert events[2].step == 5 and events[2].session_log.status == events[2].session_log.START
    assert events[3].step == 6


def test_flush_and_close(tmp_path):
    writer = SummaryWriter(str(tmp_path), flush_secs=10_000)
    assert writer.get_logdir() == str(tmp_path)
    writer.add_scalar('s', 1.0, 0)
    writer.flush()
    assert [e.value for e in accumulate(tmp_path).Scalars('s')] == [1.0]
    writer.close()
    writer.close()  # closing twice is fine
    writer.add_scalar('s', 2.0, 1)  # a new event file after close
    writer.close()
    assert len(glob.glob(str(tmp_path / 'events.out.tfevents.*'))) == 2
    with SummaryWriter(str(tmp_path / 'ctx')) as ctx_writer:
        ctx_writer.add_scalar('s', 3.0, 0)
    assert ctx_writer.all_writers is None
    assert [e.value for e in accumulate(tmp_path / 'ctx').Scalars('s')] == [3.0]


def test_missing_tensorboard_package():
    code = ("import sys; sys.modules['tensorboard'] = None\n"
            "try:\n"
            "    import ember.utils.tensorboard\n"
            "except ModuleNotFoundError as error:\n"
            "    print(error)\n")
    result = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True,
                            cwd=os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    assert result.stdout.strip() == ("ember.utils.tensorboard needs the 'tensorboard' package: "
                                     "pip install 'ember[tensorboard]'")
