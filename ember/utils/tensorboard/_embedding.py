"""The files TensorBoard's projector plugin reads for `add_embedding`.

An embedding lives in its own directory `<log_dir>/<global_step:05d>/<tag>/`: `tensors.tsv` (one data
point per line), optionally `metadata.tsv` (labels) and `sprite.png` (all label images tiled in one
square image). `<log_dir>/projector_config.pbtxt` lists every embedding of the run. Files are written
through tensorboard's `gfile`, so any log_dir its event writer accepts (local or remote) works here too.
"""
import math
import os

import numpy as np
from tensorboard.compat import tf
from tensorboard.plugins.projector.projector_config_pb2 import EmbeddingInfo

from ._summary import encode_png, make_grid


def _write(path, text_or_bytes):
    data = text_or_bytes.encode('utf_8') if isinstance(text_or_bytes, str) else text_or_bytes
    with tf.io.gfile.GFile(path, 'wb') as f:
        f.write(data)


def make_tsv(metadata, save_path, metadata_header=None):
    """metadata.tsv: one label per line, or with `metadata_header` a header line and one tab-separated
    row of columns per data point."""
    if not metadata_header:
        lines = [str(label) for label in metadata]
    else:
        if len(metadata_header) != len(metadata[0]):
            raise AssertionError("len of header must be equal to the number of columns in metadata")
        lines = ['\t'.join(str(column) for column in row) for row in [metadata_header] + list(metadata)]
    _write(os.path.join(save_path, 'metadata.tsv'), '\n'.join(lines) + '\n')


def make_sprite(label_img, save_path):
    """sprite.png: the NCHW label images (values in [0, 1]) on a square grid of ceil(sqrt(N)) columns."""
    grid_chw = make_grid(label_img, ncols=math.ceil(label_img.shape[0] ** 0.5))
    # the projector needs a square sprite: pad the grid's bottom to make it as tall as it is wide
    square_hwc = np.zeros((grid_chw.shape[2], grid_chw.shape[2], 3))
    square_hwc[:grid_chw.shape[1]] = grid_chw.transpose(1, 2, 0)
    _write(os.path.join(save_path, 'sprite.png'), encode_png(np.uint8((square_hwc * 255).clip(0, 255))))


def make_mat(mat, save_path):
    """tensors.tsv: one data point per line, its coordinates tab-separated (Python float repr)."""
    _write(os.path.join(save_path, 'tensors.tsv'), ''.join('\t'.join(map(str, row)) + '\n' for row in mat.tolist()))


def get_embedding_info(metadata, label_img, subdir, global_step, tag):
    """The projector config entry that points at the files of one embedding."""
    info = EmbeddingInfo()
    info.tensor_name = f"{tag}:{str(global_step).zfill(5)}"
    info.tensor_path = os.path.join(subdir, 'tensors.tsv')
    if metadata is not None:
        info.metadata_path = os.path.join(subdir, 'metadata.tsv')
    if label_img is not None:
        info.sprite.image_path = os.path.join(subdir, 'sprite.png')
        info.sprite.single_image_dim.extend([label_img.shape[3], label_img.shape[2]])  # width, height
    return info


def write_pbtxt(save_path, contents):
    """projector_config.pbtxt, rewritten whole each time (file systems need not support append)."""
    _write(os.path.join(save_path, 'projector_config.pbtxt'), contents)
