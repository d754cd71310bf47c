"""`python -m ember ...` runs the `ember` command (see `ember.cli`)."""
import sys

from .cli import main

if __name__ == '__main__':
    sys.exit(main())
