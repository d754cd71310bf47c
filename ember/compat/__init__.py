"""`ember.compat`: run code written for PyTorch on ember, unchanged.

`install()` puts an import hook in front of `sys.meta_path` that answers `import torch` with
`ember`, `import torch.X.Y` with `ember.X.Y`, `import torchvision.X` with `ember.vision.X` and
`from torchsummary import summary` with `ember.utils.summary` — the
ember package mirrors PyTorch's module tree name for name, so the mapping is a prefix rewrite.
`python -m ember.compat script.py [args]` installs the hook and runs the script as `__main__`.

A process that multiprocessing starts fresh (the 'spawn' and 'forkserver' start methods, e.g. DataLoader
workers) does not inherit `sys.meta_path`, and re-imports the script before anything else runs. It
does inherit `sys.path` (spawn) and the environment (the forkserver), so the runner puts the folder
`_stubs` on both: it holds stand-in `torch`, `torchvision` and `torchsummary` modules whose import
installs the hook and hands back the ember module, so the child's `import torch` is ember's too (as
it is in any other Python program the script starts, through PYTHONPATH).
"""
import importlib
import importlib.abc
import importlib.util
import os
import runpy
import sys

__all__ = ['install', 'uninstall', 'ember_name', 'replace_stub', 'run_path', 'main']

STUBS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), '_stubs')

# top-level PyTorch packages and the ember packages that stand in for them
PACKAGE_MAP = {'torch': 'ember', 'torchvision': 'ember.vision', 'torchsummary': 'ember.utils.summary'}


def ember_name(fullname):
    """The ember module that stands for the PyTorch module `fullname`, or None if it is not PyTorch's."""
    top, dot, rest = fullname.partition('.')
    target = PACKAGE_MAP.get(top)
    if target is None:
        return None
    return target + dot + rest


class _AliasLoader(importlib.abc.Loader):
    """Hands back the already-imported ember module, so `torch.nn is ember.nn`."""

    def __init__(self, module):
        self.module = module

    def create_module(self, spec):
        return self.module

    def exec_module(self, module):
        pass


class TorchAliasFinder(importlib.abc.MetaPathFinder):
    """Finds `torch...` / `torchvision...` imports and resolves them to ember modules."""

    def find_spec(self, fullname, path=None, target=None):
        name = ember_name(fullname)
        if name is None:
            return None
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name is not None and error.name != name and not name.startswith(error.name + '.'):
                raise  # a module that ember itself imports is missing: report that one
            raise ModuleNotFoundError(
                f"No module named '{fullname}': ember.compat maps it to '{name}', which ember does not "
                "provide", name=fullname) from None
        return importlib.util.spec_from_loader(fullname, _AliasLoader(module))


_finder = TorchAliasFinder()


def install():
    """Make `import torch` (and its submodules, and torchvision) import ember from now on."""
    if _finder not in sys.meta_path:
        sys.meta_path.insert(0, _finder)
    for fullname in list(sys.modules):
        if ember_name(fullname) is not None and not getattr(sys.modules[fullname], '__name__', '').startswith(
                'ember'):
            del sys.modules[fullname]  # a real torch imported earlier must not shadow the aliases


def uninstall():
    """Remove the hook and the `torch` aliases it created."""
    if _finder in sys.meta_path:
        sys.meta_path.remove(_finder)
    for fullname in list(sys.modules):
        if ember_name(fullname) is not None:
            del sys.modules[fullname]


def replace_stub(name):
    """Called by the stand-in module `name` in `_stubs` while it is first imported: install the hook and
    put the ember module in its place, which is what the import statement then returns."""
    install()
    sys.modules[name] = importlib.import_module(ember_name(name))


def _reach_child_processes():
    """Put `_stubs` on `sys.path` just after the script's folder (so it comes before the real torch in
    site-packages), and on PYTHONPATH for the interpreters that do not take `sys.path` from us."""
    if STUBS_DIR not in sys.path:
        sys.path.insert(1, STUBS_DIR)
    python_path = os.environ.get('PYTHONPATH')
    os.environ['PYTHONPATH'] = STUBS_DIR + (os.pathsep + python_path if python_path else '')


def run_path(script, argv=()):
    """Run `script` as `__main__` with `sys.argv = [script, *argv]` and the script's directory first
    on `sys.path`, as `python script.py argv...` would, with torch mapped to ember."""
    install()
    sys.argv = [script, *argv]
    script = os.path.abspath(script)  # `python script.py` gives the script an absolute `__file__` too
    sys.path[0] = os.path.dirname(script)
    _reach_child_processes()
    runpy.run_path(script, run_name='__main__')


def main(argv=None):
    """`python -m ember.compat script.py [args...]` or `python -m ember.compat -m module [args...]`."""
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ('-h', '--help'):
        print("usage: python -m ember.compat script.py [args...]\n"
              "       python -m ember.compat -m module [args...]\n"
              "Runs a PyTorch program with `import torch` mapped to ember.", file=sys.stderr)
        return 2 if not argv else 0
    if argv[0] == '-m':
        if len(argv) < 2:
            print("ember.compat: -m needs a module name", file=sys.stderr)
            return 2
        install()
        sys.argv = [argv[1], *argv[2:]]
        sys.path[0] = os.getcwd()
        _reach_child_processes()
        runpy.run_module(argv[1], run_name='__main__', alter_sys=True)
        return 0
    run_path(argv[0], argv[1:])
    return 0
