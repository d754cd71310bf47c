"""Building `Summary` protocol buffers from ember tensors, NumPy arrays and Python numbers.

Each function here turns one kind of data (a scalar, a histogram, an image, ...) into the
`tensorboard.compat.proto.summary_pb2.Summary` message that TensorBoard's plugin for that kind reads.
The messages are tensorboard's own; ember only fills them in, the way
`torch.utils.tensorboard.summary` does, so the numbers TensorBoard shows are PyTorch's.
"""
import io

import numpy as np
from google.protobuf import struct_pb2
from tensorboard.compat.proto.summary_pb2 import HistogramProto, Summary, SummaryMetadata
from tensorboard.compat.proto.tensor_pb2 import TensorProto
from tensorboard.compat.proto.tensor_shape_pb2 import TensorShapeProto
from tensorboard.plugins.custom_scalar import layout_pb2
from tensorboard.plugins.pr_curve.plugin_data_pb2 import PrCurvePluginData
from tensorboard.plugins.text.plugin_data_pb2 import TextPluginData

from ..._size import Size
from ..._tensor import Tensor

# TensorFlow's default histogram buckets (tensorboard's generate_testdata.py): edges at +-1e-12 * 1.1**k
# up to 1e20, and 0. The edges are a running product, exactly as PyTorch's SummaryWriter computes them,
# so every rounding step agrees with it.
_POSITIVE_EDGES = np.cumprod(np.r_[1e-12, np.full(1000, 1.1)])
_POSITIVE_EDGES = _POSITIVE_EDGES[_POSITIVE_EDGES < 1e20]
TENSORFLOW_BINS = np.concatenate([-_POSITIVE_EDGES[::-1], [0.0], _POSITIVE_EDGES])


def make_np(x):
    """The NumPy array behind `x`: an ember Tensor (detached), an ndarray, or a Python/NumPy number
    (which becomes a 1-element array, as in PyTorch)."""
    if isinstance(x, np.ndarray):
        return x
    if isinstance(x, Tensor):
        return x.detach().numpy()
    if np.isscalar(x):
        return np.array([x])
    raise NotImplementedError(f"Got {type(x)}, but numpy array or ember tensor are expected.")


def _plugin_metadata(plugin_name, content=b''):
    return SummaryMetadata(plugin_data=SummaryMetadata.PluginData(plugin_name=plugin_name, content=content))


def _shape_proto(shape):
    return TensorShapeProto(dim=[TensorShapeProto.Dim(size=size) for size in shape])


# ---- scalars ----------------------------------------------------------------------------------------
def scalar(tag, value, new_style=False, double_precision=False):
    """A one-number summary: the old `simple_value` field, or (`new_style`) a scalar TensorProto read by
    the scalars plugin, in float32 or (`double_precision`) float64."""
    value = make_np(value).squeeze()
    if value.ndim != 0:
        raise AssertionError(f"Tensor should contain one element (0 dimensions). Was given size: {value.size} "
                             f"and {value.ndim} dimensions.")
    value = float(value)
    if not new_style:
        return Summary(value=[Summary.Value(tag=tag, simple_value=value)])
    tensor = (TensorProto(double_val=[value], dtype='DT_DOUBLE') if double_precision
              else TensorProto(float_val=[value], dtype='DT_FLOAT'))
    return Summary(value=[Summary.Value(tag=tag, tensor=tensor, metadata=_plugin_metadata('scalars'))])


# ---- histograms -------------------------------------------------------------------------------------
def histogram_raw(tag, min, max, num, sum, sum_squares, bucket_limits, bucket_counts):
    """A histogram whose statistics and buckets the caller computed; `bucket_limits` are right edges."""
    histo = HistogramProto(min=min, max=max, num=num, sum=sum, sum_squares=sum_squares,
                           bucket_limit=bucket_limits, bucket=bucket_counts)
    return Summary(value=[Summary.Value(tag=tag, histo=histo)])


def histogram(tag, values, bins, max_bins=None):
    """A histogram of all elements of `values`; `bins` is anything `np.histogram` takes."""
    return Summary(value=[Summary.Value(tag=tag, histo=make_histogram(make_np(values).astype(float), bins,
                                                                          max_bins))])


def make_histogram(values, bins, max_bins=None):
    """`HistogramProto` of `values` (float64), trimmed to the buckets that hold values, as
    TensorFlow's histogram.cc lays it out."""
    if values.size == 0:
        raise ValueError("The input has no element.")
    values = values.reshape(-1)
    counts, limits = np.histogram(values, bins=bins)
    num_bins = len(counts)
    if max_bins is not None and num_bins > max_bins:
        # merge each `subsampling` neighbouring buckets into one. PyTorch pads the counts to a multiple
        # of `num_bins % subsampling` (not of `max_bins`); kept so the buckets are PyTorch's.
        subsampling = num_bins // max_bins
        remainder = num_bins % subsampling
        if remainder != 0:
            counts = np.pad(counts, (0, subsampling - remainder))
        counts = counts.reshape(-1, subsampling).sum(axis=-1)
        limits = np.append(limits[:-1:subsampling], limits[-1])

    occupied = np.flatnonzero(counts)
    if occupied.size == 0:
        raise ValueError("The histogram is empty, please file a bug report.")
    start, end = occupied[0], occupied[-1] + 1
    # TensorBoard stores only right edges; an empty bucket in front carries the leftmost edge
    counts = counts[start - 1:end] if start > 0 else np.concatenate([[0], counts[:end]])
    limits = limits[start:end + 1]
    return HistogramProto(min=values.min(), max=values.max(), num=len(values), sum=values.sum(),
                          sum_squares=values.dot(values), bucket_limit=limits.tolist(), bucket=counts.tolist())


# ---- images -----------------------------------------------------------------------------------------
def make_grid(images, ncols=8):
    """Tile N images (N1HW or N3HW) into one 3HW canvas, `ncols` per row, row-major, black padding."""
    if not isinstance(images, np.ndarray):
        raise AssertionError("plugin error, should pass numpy array here")
    if images.shape[1] == 1:
        images = np.concatenate([images, images, images], 1)
    if images.ndim != 4 or images.shape[1] != 3:
        raise AssertionError("Input should be a 4D numpy array with 3 channels")
    num_images, _, height, width = images.shape
    ncols = min(num_images, ncols)
    nrows = -(-num_images // ncols)
    padded = np.zeros((nrows * ncols, 3, height, width), dtype=images.dtype)
    padded[:num_images] = images
    # (row, col, C, H, W) -> (C, row, H, col, W): rows of images stacked, images side by side
    return padded.reshape(nrows, ncols, 3, height, width).transpose(2, 0, 3, 1, 4).reshape(
        3, nrows * height, ncols * width)


def convert_to_HWC(array, dataformats):
    """Reorder an image (or a batch, tiled with `make_grid`) given in `dataformats` (a permutation of
    NCHW, CHW, HWC or HW) to height x width x 3 (or 4) channels."""
    if len(set(dataformats)) != len(dataformats):
        raise AssertionError(f"You can not use the same dimension shorthand twice. input_format: {dataformats}")
    if array.ndim != len(dataformats):
        raise AssertionError(f"size of input tensor and input format are different. tensor shape: "
                             f"{array.shape}, input_format: {dataformats}")
    dataformats = dataformats.upper()
    if len(dataformats) == 4:
        return make_grid(array.transpose([dataformats.find(c) for c in 'NCHW'])).transpose(1, 2, 0)
    if len(dataformats) == 3:
        array = array.transpose([dataformats.find(c) for c in 'HWC'])
        return np.concatenate([array, array, array], 2) if array.shape[2] == 1 else array
    array = array.transpose([dataformats.find(c) for c in 'HW'])
    return np.stack([array, array, array], 2)


def to_uint8(array):
    """Pixels as uint8: uint8 input is taken as 0..255, anything else as 0..1 (then clipped)."""
    scale = 1 if array.dtype == np.uint8 else 255
    return (array.astype(np.float32) * scale).clip(0, 255).astype(np.uint8)


def encode_png(hwc_uint8):
    """PNG bytes of an H x W x C uint8 array (Pillow is needed only for images)."""
    from PIL import Image
    with io.BytesIO() as buffer:
        Image.fromarray(hwc_uint8).save(buffer, format='PNG')
        return buffer.getvalue()


def image(tag, img_tensor, dataformats='NCHW'):
    """A PNG image summary; a batch (N in `dataformats`) is tiled into one grid image."""
    pixels = to_uint8(convert_to_HWC(make_np(img_tensor), dataformats))
    height, width, channels = pixels.shape
    image_proto = Summary.Image(height=height, width=width, colorspace=channels,
                                encoded_image_string=encode_png(pixels))
    return Summary(value=[Summary.Value(tag=tag, image=image_proto)])


def figure_to_image(figures, close=True):
    """Render a matplotlib figure (CHW uint8) or a list of them (NCHW) with the Agg backend."""
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    def render(figure):
        canvas = FigureCanvasAgg(figure)
        canvas.draw()
        rgba = np.asarray(canvas.buffer_rgba())
        if close:
            plt.close(figure)
        return np.moveaxis(rgba[:, :, :3], 2, 0)

    if isinstance(figures, list):
        return np.stack([render(figure) for figure in figures])
    return render(figures)


# ---- text -------------------------------------------------------------------------------------------
def text(tag, text_string):
    """A markdown text summary, under the tag `<tag>/text_summary` like PyTorch."""
    tensor = TensorProto(dtype='DT_STRING', string_val=[text_string.encode('utf_8')], tensor_shape=_shape_proto([1]))
    metadata = _plugin_metadata('text', TextPluginData(version=0).SerializeToString())
    return Summary(value=[Summary.Value(tag=tag + '/text_summary', metadata=metadata, tensor=tensor)])


# ---- precision-recall curves -------------------------------------------------------------------------
def _pr_curve_summary(tag, data, num_thresholds):
    # rows: true positives, false positives, true negatives, false negatives, precision, recall
    data = np.asarray(data)
    tensor = TensorProto(dtype='DT_FLOAT', float_val=data.reshape(-1).tolist(), tensor_shape=_shape_proto(data.shape))
    content = PrCurvePluginData(version=0, num_thresholds=num_thresholds).SerializeToString()
    return Summary(value=[Summary.Value(tag=tag, metadata=_plugin_metadata('pr_curves', content), tensor=tensor)])


def pr_curve_raw(tag, tp, fp, tn, fn, precision, recall, num_thresholds=127):
    """A PR curve from counts the caller computed, one entry per threshold."""
    return _pr_curve_summary(tag, np.stack((tp, fp, tn, fn, precision, recall)), min(num_thresholds, 127))


def pr_curve(tag, labels, predictions, num_thresholds=127, weights=None):
    """A PR curve of `predictions` (in [0, 1]) against 0/1 `labels`."""
    # PyTorch caps the thresholds at 127
    num_thresholds = min(num_thresholds, 127)
    return _pr_curve_summary(tag, compute_curve(labels, predictions, num_thresholds, weights), num_thresholds)


def compute_curve(labels, predictions, num_thresholds, weights=None):
    """TP/FP/TN/FN/precision/recall at `num_thresholds` evenly spaced thresholds (tensorboard's pr_curve
    summary): predictions are bucketed, and each threshold counts everything at or above it."""
    minimum_count = 1e-7  # keeps precision and recall finite when nothing is predicted positive
    if weights is None:
        weights = 1.0
    bucket_indices = np.int32(np.floor(predictions * (num_thresholds - 1)))
    float_labels = labels.astype(np.float64)
    bucket_range = (0, num_thresholds - 1)
    tp_buckets, _ = np.histogram(bucket_indices, bins=num_thresholds, range=bucket_range,
                                 weights=float_labels * weights)
    fp_buckets, _ = np.histogram(bucket_indices, bins=num_thresholds, range=bucket_range,
                                 weights=(1.0 - float_labels) * weights)
    tp = np.cumsum(tp_buckets[::-1])[::-1]
    fp = np.cumsum(fp_buckets[::-1])[::-1]
    tn = fp[0] - fp
    fn = tp[0] - tp
    precision = tp / np.maximum(minimum_count, tp + fp)
    recall = tp / np.maximum(minimum_count, tp + fn)
    return np.stack((tp, fp, tn, fn, precision, recall))


# ---- custom scalars layout ---------------------------------------------------------------------------
def custom_scalars(layout):
    """The custom-scalars plugin's layout: `{category: {chart title: ['Multiline' | 'Margin', tags]}}`;
    a margin chart's tags are [value, lower, upper]."""
    categories = []
    for category, charts in layout.items():
        chart_protos = []
        for title, (kind, tags) in charts.items():
            if kind == 'Margin':
                if len(tags) != 3:
                    raise AssertionError("len(tags) != 3")
                series = layout_pb2.MarginChartContent.Series(value=tags[0], lower=tags[1], upper=tags[2])
                chart_protos.append(layout_pb2.Chart(title=title, margin=layout_pb2.MarginChartContent(series=[series])))
            else:
                chart_protos.append(layout_pb2.Chart(title=title, multiline=layout_pb2.MultilineChartContent(tag=tags)))
        categories.append(layout_pb2.Category(title=category, chart=chart_protos))
    tensor = TensorProto(dtype='DT_STRING', string_val=[layout_pb2.Layout(category=categories).SerializeToString()],
                         tensor_shape=TensorShapeProto())
    return Summary(value=[Summary.Value(tag='custom_scalars__config__', tensor=tensor,
                                        metadata=_plugin_metadata('custom_scalars'))])


# ---- hyperparameters ---------------------------------------------------------------------------------
def hparams(hparam_dict, metric_dict, hparam_domain_discrete=None):
    """The hparams plugin's three summaries: the experiment (which hparams and metrics exist), the
    session start (this run's hparam values) and the session end (status: success)."""
    from tensorboard.plugins.hparams.api_pb2 import DataType, Experiment, HParamInfo, MetricInfo, MetricName, Status
    from tensorboard.plugins.hparams.metadata import (EXPERIMENT_TAG, PLUGIN_DATA_VERSION, PLUGIN_NAME,
                                                      SESSION_END_INFO_TAG, SESSION_START_INFO_TAG)
    from tensorboard.plugins.hparams.plugin_data_pb2 import HParamsPluginData, SessionEndInfo, SessionStartInfo

    if not isinstance(hparam_dict, dict):
        raise TypeError("parameter: hparam_dict should be a dictionary, nothing logged.")
    if not isinstance(metric_dict, dict):
        raise TypeError("parameter: metric_dict should be a dictionary, nothing logged.")
    hparam_domain_discrete = hparam_domain_discrete or {}
    if not isinstance(hparam_domain_discrete, dict):
        raise TypeError("parameter: hparam_domain_discrete should be a dictionary, nothing logged.")
    for name, domain in hparam_domain_discrete.items():
        if (name not in hparam_dict or not isinstance(domain, list)
                or not all(isinstance(d, type(hparam_dict[name])) for d in domain)):
            raise TypeError(f"parameter: hparam_domain_discrete[{name}] should be a list of same type as "
                            f"hparam_dict[{name}].")

    session_start = SessionStartInfo()
    hparam_infos = []
    for name, value in hparam_dict.items():
        if value is None:
            continue
        if isinstance(value, Tensor):
            value = make_np(value).reshape(-1)[0].item()
        # bool is an int, so (as in PyTorch) a bool hparam is logged as the number 0 or 1
        if isinstance(value, (int, float)):
            field, data_type = 'number_value', 'DATA_TYPE_FLOAT64'
        elif isinstance(value, str):
            field, data_type = 'string_value', 'DATA_TYPE_STRING'
        else:
            raise ValueError("value should be one of int, float, str, bool, or ember.Tensor")
        setattr(session_start.hparams[name], field, value)
        domain = None
        if name in hparam_domain_discrete:
            domain = struct_pb2.ListValue(values=[struct_pb2.Value(**{field: d})
                                                  for d in hparam_domain_discrete[name]])
        hparam_infos.append(HParamInfo(name=name, type=DataType.Value(data_type), domain_discrete=domain))

    experiment = Experiment(hparam_infos=hparam_infos,
                            metric_infos=[MetricInfo(name=MetricName(tag=tag)) for tag in metric_dict])
    session_end = SessionEndInfo(status=Status.Value('STATUS_SUCCESS'))

    def summary(tag, **plugin_data):
        content = HParamsPluginData(version=PLUGIN_DATA_VERSION, **plugin_data).SerializeToString()
        return Summary(value=[Summary.Value(tag=tag, metadata=_plugin_metadata(PLUGIN_NAME, content))])

    return (summary(EXPERIMENT_TAG, experiment=experiment),
            summary(SESSION_START_INFO_TAG, session_start_info=session_start),
            summary(SESSION_END_INFO_TAG, session_end_info=session_end))


# ---- audio -------------------------------------------------------------------------------------------
def audio(tag, snd_tensor, sample_rate=44100):
    """A mono 16-bit WAV clip of samples in [-1, 1] (louder samples are clipped)."""
    import wave
    samples = make_np(snd_tensor).squeeze()
    if np.abs(samples).max() > 1:
        print("warning: audio amplitude out of range, auto clipped.")
        samples = samples.clip(-1, 1)
    if samples.ndim != 1:
        raise AssertionError("input tensor should be 1 dimensional.")
    samples = (samples * np.iinfo(np.int16).max).astype('<i2')
    with io.BytesIO() as buffer:
        with wave.open(buffer, 'wb') as wav:
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(sample_rate)
            wav.writeframes(samples.data)
        encoded = buffer.getvalue()
    audio_proto = Summary.Audio(sample_rate=sample_rate, num_channels=1, length_frames=samples.shape[-1],
                                encoded_audio_string=encoded, content_type='audio/wav')
    return Summary(value=[Summary.Value(tag=tag, audio=audio_proto)])


# ---- video -------------------------------------------------------------------------------------------
def prepare_video(video):
    """A batch of clips (N, T, C, H, W) as T frames (T, H', W', C), the clips of each frame tiled in a
    grid; the batch is padded with black clips to a power of two, half as many rows as columns (or as
    many). uint8 values become floats in [0, 1]."""
    batch, frames, channels, height, width = video.shape
    if video.dtype == np.uint8:
        video = np.float32(video) / 255.0
    if batch & (batch - 1):  # not a power of two
        padding = 2 ** batch.bit_length() - batch
        video = np.concatenate((video, np.zeros((padding, frames, channels, height, width))), axis=0)
    nrows = 2 ** ((batch.bit_length() - 1) // 2)
    ncols = video.shape[0] // nrows
    # (row, col, T, C, H, W) -> (T, row, H, col, W, C)
    video = video.reshape(nrows, ncols, frames, channels, height, width).transpose(2, 0, 4, 1, 5, 3)
    return video.reshape(frames, nrows * height, ncols * width, channels)


def video(tag, vid_tensor, fps=4):
    """An animated GIF image summary of a batch of clips (N, T, C, H, W), encoded by moviepy. Without
    moviepy PyTorch prints a note and logs the tag with no image; so does ember."""
    frames = to_uint8(prepare_video(make_np(vid_tensor)))  # prepare_video made them floats in [0, 1]
    return Summary(value=[Summary.Value(tag=tag, image=make_video(frames, fps))])


def make_video(frames, fps):
    """The GIF of `frames` (T, H, W, C) as a `Summary.Image`, or None without a usable moviepy."""
    try:
        import moviepy  # noqa: F401
    except ImportError:
        print("add_video needs package moviepy")
        return None
    try:
        from moviepy import editor
    except ImportError:  # moviepy 2 has no `editor` module; PyTorch 2.13 does not support it
        print("moviepy is installed, but can't import moviepy.editor.",
              "Some packages could be missing [imageio, requests]")
        return None
    import tempfile
    _, height, width, channels = frames.shape
    clip = editor.ImageSequenceClip(list(frames), fps=fps)
    with tempfile.NamedTemporaryFile(suffix='.gif') as file:
        try:  # newer moviepy takes a logger, older ones a progress_bar flag
            clip.write_gif(file.name, verbose=False, logger=None)
        except TypeError:
            try:
                clip.write_gif(file.name, verbose=False, progress_bar=False)
            except TypeError:
                clip.write_gif(file.name, verbose=False)
        file.seek(0)
        encoded = file.read()
    return Summary.Image(height=height, width=width, colorspace=channels, encoded_image_string=encoded)


# ---- meshes ------------------------------------------------------------------------------------------
def mesh(tag, vertices, colors, faces, config_dict, display_name=None, description=None):
    """A mesh or point cloud for TensorBoard's mesh plugin: one float tensor summary per part given,
    tagged `<tag>_VERTEX`, `<tag>_FACE`, `<tag>_COLOR`, each (B, N, 3), each naming all the parts
    present (a bitmask) and the three.js `config_dict` (as sorted JSON)."""
    import json
    from tensorboard.plugins.mesh import metadata
    from tensorboard.plugins.mesh.plugin_data_pb2 import MeshPluginData
    json_config = '{}' if config_dict is None else json.dumps(config_dict, sort_keys=True)
    parts = [(part, content_type) for part, content_type in
             [(vertices, MeshPluginData.VERTEX), (faces, MeshPluginData.FACE), (colors, MeshPluginData.COLOR)]
             if part is not None]
    components = metadata.get_components_bitmask([content_type for _, content_type in parts])
    values = []
    for part, content_type in parts:
        array = make_np(part)
        part_metadata = metadata.create_summary_metadata(tag, display_name, content_type, components,
                                                         Size(array.shape), description, json_config=json_config)
        tensor = TensorProto(dtype='DT_FLOAT', float_val=array.reshape(-1).tolist(),
                             tensor_shape=_shape_proto(array.shape))
        values.append(Summary.Value(tag=metadata.get_instance_name(tag, content_type), tensor=tensor,
                                    metadata=part_metadata))
    return Summary(value=values)
