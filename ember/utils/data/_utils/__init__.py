"""`torch.utils.data._utils`: the private path under which PyTorch keeps the loader's helpers. Programs
import `default_collate` and friends from `torch.utils.data._utils.collate`, so it exists here too and
hands back ember's own (which live in `ember.utils.data._collate`)."""
from . import collate
