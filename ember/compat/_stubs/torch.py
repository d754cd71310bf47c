"""`import torch` in a process started by a script that `python -m ember.compat` runs: map it to ember."""
from ember.compat import replace_stub

replace_stub(__name__)
