"""ember.utils.tensorboard: PyTorch's `torch.utils.tensorboard`, writing TensorBoard event files.

Needs the optional `tensorboard` package (its protobuf messages and event-file writer are used as is):
`pip install 'ember[tensorboard]'`.
"""
try:
    import tensorboard  # noqa: F401
except ImportError as error:
    raise ModuleNotFoundError("ember.utils.tensorboard needs the 'tensorboard' package: "
                              "pip install 'ember[tensorboard]'", name='tensorboard') from error

from tensorboard.summary.writer.record_writer import RecordWriter

from .writer import FileWriter, SummaryWriter

__all__ = ['FileWriter', 'RecordWriter', 'SummaryWriter']
