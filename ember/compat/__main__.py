"""`python -m ember.compat script.py [args...]`: run a PyTorch script on ember."""
import sys

from . import main

sys.exit(main())
