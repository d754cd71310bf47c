"""`python -m bench [--quick] [--only W5,W2] [--threads N] [--profile] [--floors]`."""
import os
import sys

# --threads must reach OpenBLAS before NumPy is imported (it reads the variable once, at load)
for i, arg in enumerate(sys.argv):
    value = arg.split('=', 1)[1] if arg.startswith('--threads=') else (
        sys.argv[i + 1] if arg == '--threads' and i + 1 < len(sys.argv) else None)
    if value is not None:
        os.environ['OPENBLAS_NUM_THREADS'] = os.environ['OMP_NUM_THREADS'] = value

from .run import main  # noqa: E402

main()
