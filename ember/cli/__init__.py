"""The `ember` command: train, evaluate and use image classifiers from the shell.

    ember train [--model lenet] [--data PATH | --mnist DIR | --cifar10 DIR] [--epochs 10] [--nproc N] ...
    ember evaluate CKPT [--data PATH | --mnist DIR | --cifar10 DIR]
    ember predict CKPT IMAGE [IMAGE ...]

`python -m ember ...` is the same command. Each subcommand lives in its own module (`train.py`,
`evaluate.py`, `predict.py`) with an `add_arguments(parser)` and a `run(args)`; `train.py` is the
course's full training loop and is meant to be read.
"""
import argparse
import sys

from . import evaluate, predict, train
from ._common import UsageError

__all__ = ['main']

_COMMANDS = {
    'train': (train, 'train an ember.vision.models network on an image dataset'),
    'evaluate': (evaluate, "a checkpoint's accuracy and confusion matrix on its dataset's test split"),
    'predict': (predict, 'the class of each image, with its probability'),
}


def _parser():
    parser = argparse.ArgumentParser(prog='ember', description='Train, evaluate and use image classifiers.')
    commands = parser.add_subparsers(dest='command', metavar='COMMAND', required=True)
    for name, (module, summary) in _COMMANDS.items():
        command = commands.add_parser(name, help=summary, description=module.__doc__.split('\n\n')[0])
        module.add_arguments(command)
        command.set_defaults(handler=module.run)
    return parser


def main(argv=None):
    """Run `ember` with `argv` (default: the process's arguments); returns the exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    args = _parser().parse_args(argv)
    # the subcommand's own arguments, which `train --nproc` passes on to each rank
    args.argv = argv[argv.index(args.command) + 1:]
    try:
        return args.handler(args)
    except UsageError as error:
        print(f"ember {args.command}: error: {error}", file=sys.stderr)
        return 2
