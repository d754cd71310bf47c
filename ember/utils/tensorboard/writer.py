"""`SummaryWriter`: log scalars, histograms, images, text, graphs, ... as TensorBoard event files.

An event file is a sequence of `Event` protocol buffers in TFRecord framing. `FileWriter` appends
events to one file in one directory through tensorboard's own `EventFileWriter` (which queues them and
flushes from a background thread). `SummaryWriter` is the user-facing API of PyTorch's
`torch.utils.tensorboard.SummaryWriter`: each `add_*` builds a `Summary` (see `_summary.py`) and
writes it, stamped with a step and a wall time, to the run's main file; `add_scalars` and
`add_hparams` write to sub-runs in sub-directories, as PyTorch lays them out.
"""
import os
import time

from tensorboard.compat import tf
from tensorboard.compat.proto.event_pb2 import Event, SessionLog, TaggedRunMetadata
from tensorboard.plugins.projector.projector_config_pb2 import ProjectorConfig
from tensorboard.summary.writer.event_file_writer import EventFileWriter

from . import _summary
from ._embedding import get_embedding_info, make_mat, make_sprite, make_tsv, write_pbtxt
from ._graph import graph
from ._summary import make_np

__all__ = ['FileWriter', 'SummaryWriter']


class FileWriter:
    """Writes `Event`s to one event file in `log_dir`; the file is created immediately. Events are
    queued (at most `max_queue`) and written at least every `flush_secs` seconds."""

    def __init__(self, log_dir, max_queue=10, flush_secs=120, filename_suffix=''):
        self.event_writer = EventFileWriter(str(log_dir), max_queue, flush_secs, filename_suffix)

    def get_logdir(self):
        """The directory the event file is in."""
        return self.event_writer.get_logdir()

    def add_event(self, event, step=None, walltime=None):
        """Stamp `event` with `walltime` (default now) and `step`, and queue it."""
        event.wall_time = time.time() if walltime is None else walltime
        if step is not None:
            event.step = int(step)  # a NumPy or tensor step would not fit the proto's int64 field
        self.event_writer.add_event(event)

    def add_summary(self, summary, global_step=None, walltime=None):
        """Queue a `Summary` as one event."""
        self.add_event(Event(summary=summary), global_step, walltime)

    def add_graph(self, graph_profile, walltime=None):
        """Queue a (GraphDef, RunMetadata) pair: the graph, then its run metadata tagged 'step1'."""
        graph_def, run_metadata = graph_profile
        self.add_event(Event(graph_def=graph_def.SerializeToString()), None, walltime)
        tagged = TaggedRunMetadata(tag='step1', run_metadata=run_metadata.SerializeToString())
        self.add_event(Event(tagged_run_metadata=tagged), None, walltime)

    def flush(self):
        """Write all queued events to disk."""
        self.event_writer.flush()

    def close(self):
        """Flush and close the file; further events are dropped until `reopen`."""
        self.event_writer.close()

    def reopen(self):
        """Open a new event file in the same directory after `close`."""
        self.event_writer.reopen()


class SummaryWriter:
    """Writes TensorBoard data for one run into `log_dir`.

    Args:
        log_dir: the run's directory; default `runs/<Mon><DD>_<HH>-<MM>-<SS>_<hostname><comment>`.
        comment: appended to the default `log_dir` (ignored when `log_dir` is given).
        purge_step: when resuming a crashed run, TensorBoard hides the events of older files whose step
            is >= `purge_step`.
        max_queue: events kept in memory before they are written.
        flush_secs: how often queued events are written, in seconds.
        filename_suffix: appended to the event file's name.
    """

    def __init__(self, log_dir=None, comment='', purge_step=None, max_queue=10, flush_secs=120,
                 filename_suffix=''):
        if not log_dir:
            import socket
            from datetime import datetime
            current_time = datetime.now().strftime('%b%d_%H-%M-%S')
            log_dir = os.path.join('runs', current_time + '_' + socket.gethostname() + comment)
        self.log_dir = log_dir
        self.purge_step = purge_step
        self.max_queue = max_queue
        self.flush_secs = flush_secs
        self.filename_suffix = filename_suffix
        # the writers are dropped on close and made again by the next add_*, like PyTorch's
        self.file_writer = self.all_writers = None
        self._get_file_writer()
        self.default_bins = _summary.TENSORFLOW_BINS  # bins='tensorflow' of add_histogram

    def _get_file_writer(self):
        """The main run's `FileWriter`, (re)created on first use after `close`."""
        if self.all_writers is None or self.file_writer is None:
            self.file_writer = FileWriter(self.log_dir, self.max_queue, self.flush_secs, self.filename_suffix)
            self.all_writers = {self.file_writer.get_logdir(): self.file_writer}
            if self.purge_step is not None:
                # a file_version event with a step, then a SessionLog START, tell TensorBoard to
                # discard what older files logged from that step on
                self.file_writer.add_event(Event(step=self.purge_step, file_version='brain.Event:2'))
                self.file_writer.add_event(Event(step=self.purge_step,
                                                 session_log=SessionLog(status=SessionLog.START)))
                self.purge_step = None
        return self.file_writer

    def get_logdir(self):
        """The directory the run is written to."""
        return self.log_dir

    def _add(self, summary, global_step=None, walltime=None):
        self._get_file_writer().add_summary(summary, global_step, walltime)

    # ---- scalars ------------------------------------------------------------------------------------
    def add_scalar(self, tag, scalar_value, global_step=None, walltime=None, new_style=False,
                   double_precision=False):
        """Log one number (a Python number, a one-element tensor or array) under `tag` at `global_step`.
        `new_style` stores it as a tensor (float64 with `double_precision`) instead of a simple value."""
        self._add(_summary.scalar(tag, scalar_value, new_style, double_precision), global_step, walltime)

    def add_scalars(self, main_tag, tag_scalar_dict, global_step=None, walltime=None):
        """Log several numbers on one chart: each `tag` of `tag_scalar_dict` goes to its own sub-run
        `<log_dir>/<main_tag>_<tag>`, all under the tag `main_tag`."""
        walltime = time.time() if walltime is None else walltime
        run_dir = self._get_file_writer().get_logdir()
        for tag, scalar_value in tag_scalar_dict.items():
            sub_run_dir = run_dir + '/' + main_tag.replace('/', '_') + '_' + tag
            writer = self.all_writers.get(sub_run_dir)
            if writer is None:
                writer = self.all_writers[sub_run_dir] = FileWriter(sub_run_dir, self.max_queue, self.flush_secs,
                                                                    self.filename_suffix)
            writer.add_summary(_summary.scalar(main_tag, scalar_value), global_step, walltime)

    # ---- distributions ------------------------------------------------------------------------------
    def add_histogram(self, tag, values, global_step=None, bins='tensorflow', walltime=None, max_bins=None):
        """Log a histogram of `values`. `bins` is 'tensorflow' (TensorFlow's exponential buckets), a
        NumPy rule ('auto', 'fd', 'sturges', ...), a number of bins or the bin edges."""
        if isinstance(bins, str) and bins == 'tensorflow':
            bins = self.default_bins
        self._add(_summary.histogram(tag, values, bins, max_bins), global_step, walltime)

    def add_histogram_raw(self, tag, min, max, num, sum, sum_squares, bucket_limits, bucket_counts,
                          global_step=None, walltime=None):
        """Log a histogram computed elsewhere: its statistics, right bucket edges and bucket counts."""
        if len(bucket_limits) != len(bucket_counts):
            raise ValueError("len(bucket_limits) != len(bucket_counts), see the document.")
        self._add(_summary.histogram_raw(tag, min, max, num, sum, sum_squares, bucket_limits, bucket_counts),
                  global_step, walltime)

    # ---- images, figures, audio ---------------------------------------------------------------------
    def add_image(self, tag, img_tensor, global_step=None, walltime=None, dataformats='CHW'):
        """Log an image: float values in [0, 1] or uint8 in [0, 255], laid out as `dataformats`
        (CHW, HWC, HW, ...) with 1, 3 or 4 channels."""
        self._add(_summary.image(tag, img_tensor, dataformats), global_step, walltime)

    def add_images(self, tag, img_tensor, global_step=None, walltime=None, dataformats='NCHW'):
        """Log a batch of images as one grid image (8 per row)."""
        self._add(_summary.image(tag, img_tensor, dataformats), global_step, walltime)

    def add_figure(self, tag, figure, global_step=None, close=True, walltime=None):
        """Log a matplotlib figure (or a list of them, as a grid), rendered to an image; `close` closes it."""
        dataformats = 'NCHW' if isinstance(figure, list) else 'CHW'
        self.add_image(tag, _summary.figure_to_image(figure, close), global_step, walltime, dataformats=dataformats)

    def add_audio(self, tag, snd_tensor, global_step=None, sample_rate=44100, walltime=None):
        """Log a mono sound clip, samples in [-1, 1]."""
        self._add(_summary.audio(tag, snd_tensor, sample_rate), global_step, walltime)

    def add_video(self, tag, vid_tensor, global_step=None, fps=4, walltime=None):
        """Log a batch of clips (N, T, C, H, W), values in [0, 1] (float) or [0, 255] (uint8), as one
        animated GIF (the clips tiled in a grid). Encoding needs the `moviepy` package."""
        self._add(_summary.video(tag, vid_tensor, fps), global_step, walltime)

    # ---- meshes -------------------------------------------------------------------------------------
    def add_mesh(self, tag, vertices, colors=None, faces=None, config_dict=None, global_step=None, walltime=None):
        """Log a 3-D mesh or point cloud for TensorBoard's mesh plugin: `vertices` (B, N, 3)
        coordinates, `colors` (B, N, 3) per vertex, `faces` (B, F, 3) vertex indices of triangles,
        `config_dict` three.js settings (camera, lights, material)."""
        self._add(_summary.mesh(tag, vertices, colors, faces, config_dict), global_step, walltime)

    # ---- text ---------------------------------------------------------------------------------------
    def add_text(self, tag, text_string, global_step=None, walltime=None):
        """Log a (markdown) string."""
        self._add(_summary.text(tag, text_string), global_step, walltime)

    # ---- model graph --------------------------------------------------------------------------------
    def add_graph(self, model, input_to_model=None, verbose=False, use_strict_trace=True):
        """Log the graph of one forward of `model` on `input_to_model` (a tensor or a tuple of them),
        nodes named by module scope. `use_strict_trace` is accepted for PyTorch compatibility (ember
        does not trace with a JIT)."""
        graph_profile = graph(model, input_to_model)
        if verbose:
            print(graph_profile[0])
        self._get_file_writer().add_graph(graph_profile)

    # ---- hyperparameters ----------------------------------------------------------------------------
    def add_hparams(self, hparam_dict, metric_dict, hparam_domain_discrete=None, run_name=None, global_step=None):
        """Log one trial's hyperparameters and its final metrics for the HParams tab, in the sub-run
        `<log_dir>/<run_name>` (default: the current time). Metrics are also logged as scalars there."""
        if type(hparam_dict) is not dict or type(metric_dict) is not dict:
            raise TypeError("hparam_dict and metric_dict should be dictionary.")
        summaries = _summary.hparams(hparam_dict, metric_dict, hparam_domain_discrete)
        run_dir = os.path.join(self._get_file_writer().get_logdir(), run_name or str(time.time()))
        with SummaryWriter(log_dir=run_dir) as run_writer:
            for summary in summaries:
                run_writer.file_writer.add_summary(summary, global_step)
            for tag, value in metric_dict.items():
                run_writer.add_scalar(tag, value, global_step)

    # ---- embeddings ---------------------------------------------------------------------------------
    @staticmethod
    def _encode(tag):
        # percent-encode what would make the tag a path (PyTorch's scheme)
        return tag.replace('%', '%25').replace('/', '%2f').replace('\\', '%5c')

    def add_embedding(self, mat, metadata=None, label_img=None, global_step=None, tag='default',
                      metadata_header=None):
        """Log an N x D matrix for the projector, with optional per-point `metadata` (labels, or rows
        of columns named by `metadata_header`) and `label_img` (N x C x H x W thumbnails)."""
        mat = make_np(mat)
        if global_step is None:
            global_step = 0
        subdir = f"{str(global_step).zfill(5)}/{self._encode(tag)}"
        save_path = os.path.join(self._get_file_writer().get_logdir(), subdir)
        if tf.io.gfile.exists(save_path):
            if not tf.io.gfile.isdir(save_path):
                raise NotADirectoryError(f"Path: `{save_path}` exists, but is a file. Cannot proceed.")
            print("warning: Embedding dir exists, did you set global_step for add_embedding()?")
        else:
            tf.io.gfile.makedirs(save_path)
        if metadata is not None:
            if mat.shape[0] != len(metadata):
                raise AssertionError("#labels should equal with #data points")
            make_tsv(metadata, save_path, metadata_header=metadata_header)
        if label_img is not None:
            label_img = make_np(label_img)
            if mat.shape[0] != label_img.shape[0]:
                raise AssertionError("#images should equal with #data points")
            make_sprite(label_img, save_path)
        if mat.ndim != 2:
            raise AssertionError("mat should be 2D, where mat.size(0) is the number of data points")
        make_mat(mat, save_path)
        if not hasattr(self, '_projector_config'):
            self._projector_config = ProjectorConfig()
        self._projector_config.embeddings.extend([get_embedding_info(metadata, label_img, subdir, global_step, tag)])
        from google.protobuf import text_format
        write_pbtxt(self._get_file_writer().get_logdir(), text_format.MessageToString(self._projector_config))

    # ---- precision-recall curves --------------------------------------------------------------------
    def add_pr_curve(self, tag, labels, predictions, global_step=None, num_thresholds=127, weights=None,
                     walltime=None):
        """Log a precision-recall curve of `predictions` (probabilities) against 0/1 `labels`."""
        self._add(_summary.pr_curve(tag, make_np(labels), make_np(predictions), num_thresholds, weights),
                  global_step, walltime)

    def add_pr_curve_raw(self, tag, true_positive_counts, false_positive_counts, true_negative_counts,
                         false_negative_counts, precision, recall, global_step=None, num_thresholds=127,
                         weights=None, walltime=None):
        """Log a precision-recall curve from counts computed elsewhere, one entry per threshold."""
        self._add(_summary.pr_curve_raw(tag, true_positive_counts, false_positive_counts, true_negative_counts,
                                        false_negative_counts, precision, recall, num_thresholds),
                  global_step, walltime)

    # ---- custom scalar layouts ----------------------------------------------------------------------
    def add_custom_scalars(self, layout):
        """Lay out the Custom Scalars tab: `{category: {title: ['Multiline', tags] or ['Margin',
        [value, lower, upper]]}}`. Tags may be regular expressions."""
        self._add(_summary.custom_scalars(layout))

    def add_custom_scalars_multilinechart(self, tags, category='default', title='untitled'):
        """One custom chart with a line per tag."""
        self.add_custom_scalars({category: {title: ['Multiline', tags]}})

    def add_custom_scalars_marginchart(self, tags, category='default', title='untitled'):
        """One custom chart of a value with its lower and upper margins (three tags)."""
        if len(tags) != 3:
            raise AssertionError(f"Expected 3 tags, got {len(tags)}.")
        self.add_custom_scalars({category: {title: ['Margin', tags]}})

    # ---- lifetime -----------------------------------------------------------------------------------
    def flush(self):
        """Write every pending event of the run and its sub-runs to disk."""
        if self.all_writers is None:
            return
        for writer in self.all_writers.values():
            writer.flush()

    def close(self):
        """Flush and close all event files; a later `add_*` starts a new event file."""
        if self.all_writers is None:
            return  # closing twice is fine
        for writer in self.all_writers.values():
            writer.flush()
            writer.close()
        self.file_writer = self.all_writers = None

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        self.close()
