"""`ember train`: the course's training recipe as one command.

    ember train                               LeNet on the built-in 8x8 digits, 10 epochs
    ember train --data PATH --model resnet18  an ImageFolder tree
    ember train --out runs/a --epochs 20 --resume
    ember train --nproc 2                     data-parallel over 2 processes (MPI)

`train` follows the course's five steps: 1. data (datasets, transforms, DataLoader), 2. model,
3. loss (CrossEntropyLoss), 4. optimizer (SGD with momentum 0.9 by default) and a StepLR schedule
(the rate is multiplied by 0.1 after 70% of the epochs, or every `--lr-step-size` epochs), 5. the
iteration: every epoch trains on the training split, measures the validation split, logs, and saves.
Images are resized to 32x32 (64x64 for AlexNet, its minimum). Grey images (the digits, MNIST) keep
their one channel for LeNet, which is built with `in_channels=1`; the torchvision architectures have
a 3-channel stem and get the grey channel repeated three times. The defaults (batch 16, SGD lr 0.01
and momentum 0.9, StepLR at epoch 7 of 10, RandomCrop(32, padding=4)) reach 97-98% test accuracy
on the digits in 10 epochs (measured over seeds and BLAS thread counts).

Written to `--out` (default `runs/<date-time>`): TensorBoard events (train/valid loss and accuracy,
the learning rate, a histogram of every parameter, a grid of misclassified validation images),
`loss.png` (the curves, drawn when the run ends or is interrupted: TensorBoard has them live),
`last.ckpt` (after every epoch) and `best.ckpt` (the best validation accuracy so far), and
`metrics.json` (the history, the final test accuracy and the wall time).

Exact resumption. A checkpoint holds the model, optimizer and scheduler states, the global random
generator's state and the history. Nothing else random carries over between epochs: epoch `e`
shuffles with a generator seeded by `seed + e` (DistributedSampler's scheme) and crops each image
with a generator seeded by `(seed, e, index)` (see `TransformedDataset`). So `--resume` continues
exactly where the checkpoint left off: 1 epoch, then `--resume --epochs 2`, ends with the same
weights as a 2-epoch run. On `--resume` the run's recorded settings are used; only `--epochs`,
`--workers` and `--nproc` are taken from the new command line (the StepLR step size stays the one
the run started with: it is part of the scheduler's state).

Ctrl-C saves `last.ckpt` as it was after the last completed epoch (the partial epoch is discarded,
so resuming stays exact) and exits with status 130. (Under `--nproc`, mpirun stops the ranks itself
on Ctrl-C; the `last.ckpt` written at the end of the last completed epoch is the one to resume from.)

Distributed (`--nproc N`): the command starts itself again under `mpirun -np N`. Each rank trains a
`DistributedDataParallel` replica on its share of every batch (`--batch-size` is the global batch;
each rank takes `batch_size / N` of it); only rank 0 measures, prints and writes files. Every run,
also a single-process one, takes its batches from a `DistributedSampler` (with one replica when
alone) and drops the last incomplete batch, so global batch k holds the same images for every N and
N processes compute what one process computes, up to float rounding.
"""
import copy
import importlib.util
import json
import os
import subprocess
import sys
import time

from .. import distributed as dist
from ..distributed._mpirun import mpirun_command
from .. import float64, get_rng_state, manual_seed, nn, optim, save, set_rng_state, stack, tensor
from ..utils.data import DataLoader, DistributedSampler
from ._common import MODEL_NAMES, UsageError, build_model, evaluate, load_checkpoint, model_input_channels, require
from ._data import TransformedDataset, data_source, image_spec, image_transform, limit, load_splits

__all__ = ['add_arguments', 'run']

OPTIMIZERS = {  # name -> (class, default learning rate, other arguments)
    'sgd': (optim.SGD, 0.01, {'momentum': 0.9}),
    'adam': (optim.Adam, 0.001, {}),
    'adamw': (optim.AdamW, 0.001, {}),
    'rmsprop': (optim.RMSprop, 0.001, {}),
    'adagrad': (optim.Adagrad, 0.01, {}),
}
# the settings a resumed run may change; everything else comes from its checkpoint
_CHANGEABLE_ON_RESUME = ('epochs', 'workers', 'nproc', 'resume', 'out')
# set by the `--nproc` launcher in the environment of the processes it starts
_RANK_MARKER = 'EMBER_TRAIN_UNDER_MPIRUN'
_MISCLASSIFIED_SHOWN = 64


def add_arguments(parser):
    """The flags of `ember train`."""
    data = parser.add_argument_group('data (default: the built-in 8x8 digits)')
    data.add_argument('--data', metavar='PATH', help='an ImageFolder tree: PATH/train with PATH/valid and/or '
                      'PATH/test, or class folders directly under PATH (split 80/20)')
    data.add_argument('--mnist', metavar='DIR', help='MNIST files under DIR (root of ember.vision.datasets.MNIST)')
    data.add_argument('--cifar10', metavar='DIR', help='CIFAR-10 batches under DIR (root of CIFAR10)')
    data.add_argument('--limit-train', type=_positive, metavar='N', help='train on the first N training images')
    data.add_argument('--limit-valid', type=_positive, metavar='N',
                      help='validate and test on the first N images of those splits')
    data.add_argument('--image-size', type=_positive, metavar='PIXELS',
                      help='resize images to PIXELS x PIXELS (default 32; 64 for alexnet, its minimum)')
    data.add_argument('--no-augment', action='store_true', help='no RandomCrop(size, padding=4) on training images')
    data.add_argument('--workers', type=int, default=0, metavar='N', help='DataLoader worker processes (default 0)')
    parser.add_argument('--model', default='lenet', choices=MODEL_NAMES, help='an ember.vision.models constructor')
    parser.add_argument('--epochs', type=_positive, default=10, help='epochs to train (default 10)')
    parser.add_argument('--batch-size', type=_positive, default=16, help='global batch size (default 16)')
    parser.add_argument('--optimizer', default='sgd', choices=sorted(OPTIMIZERS),
                        help='sgd has momentum 0.9 (default sgd)')
    parser.add_argument('--lr', type=float, help='learning rate (default 0.01 for sgd and adagrad, else 0.001)')
    parser.add_argument('--weight-decay', type=float, default=0.0, help='L2 penalty (default 0)')
    parser.add_argument('--lr-step-size', type=_positive, metavar='EPOCHS',
                        help='multiply the rate by 0.1 every EPOCHS epochs (default: 70%% of --epochs)')
    parser.add_argument('--seed', type=_non_negative, default=1, help='seed of every random choice (default 1)')
    parser.add_argument('--out', metavar='DIR', help='where to write the run (default runs/<date-time>)')
    parser.add_argument('--resume', action='store_true', help='continue the run in --out from its last.ckpt')
    parser.add_argument('--nproc', type=_positive, default=1, metavar='N',
                        help='train data-parallel in N processes under mpirun (needs ember[distributed])')


def _positive(text):
    value = int(text)
    if value < 1:
        raise ValueError(text)
    return value


def _non_negative(text):
    value = int(text)
    if value < 0:
        raise ValueError(text)
    return value


def run(args):
    """Train as `args` say; returns the exit status."""
    if args.resume and args.out is None:
        raise UsageError("--resume needs --out DIR, the run to continue")
    if args.out is None:
        args.out = os.path.join('runs', time.strftime('%Y%m%d-%H%M%S'))
    if args.nproc > 1 and os.environ.get(_RANK_MARKER) != '1':
        if not args.resume and args.batch_size % args.nproc:
            raise UsageError(f"--batch-size {args.batch_size} must divide evenly over --nproc {args.nproc}")
        return _launch_ranks(args)
    if args.nproc > 1:
        dist.init_process_group('mpi')
        return _train(args, rank=dist.get_rank(), world_size=dist.get_world_size())
    return _train(args, rank=0, world_size=1)


def _launch_ranks(args):
    """Run this same command in `args.nproc` processes under mpirun; return mpirun's exit status."""
    command = mpirun_command(args.nproc)
    if importlib.util.find_spec('mpi4py') is None or command is None:
        raise UsageError("--nproc needs mpi4py and mpirun: pip install 'ember[distributed]'")
    # the ranks must agree on the output folder, so a default one is chosen here, once
    command += [sys.executable, '-m', 'ember', 'train', *args.argv, '--out', args.out]
    environment = dict(os.environ, **{_RANK_MARKER: '1'})
    for variable in ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS'):
        # as torchrun does: N processes on one machine each use one BLAS thread
        environment.setdefault(variable, '1')
    process = subprocess.Popen(command, env=environment)
    try:
        return process.wait()
    except KeyboardInterrupt:
        # the terminal's Ctrl-C reached mpirun too, which stops the ranks; let it finish doing so
        process.wait()
        return 130


def _adopt_recorded_settings(args, checkpoint):
    recorded = checkpoint['args']
    for name, value in recorded.items():
        if name not in _CHANGEABLE_ON_RESUME:
            setattr(args, name, value)


def _settings(args):
    """The command line as plain values (it goes into checkpoints and metrics.json)."""
    return {name: value for name, value in vars(args).items() if name not in ('handler', 'argv')}


def _train(args, rank, world_size):
    is_main = rank == 0
    last_path, best_path = os.path.join(args.out, 'last.ckpt'), os.path.join(args.out, 'best.ckpt')
    resumed = None
    if args.resume:
        resumed = load_checkpoint(last_path)
        _adopt_recorded_settings(args, resumed)
    if args.batch_size % world_size:
        raise UsageError(f"--batch-size {args.batch_size} must divide evenly over --nproc {world_size}")
    # checked on every rank, so that a missing package stops all of them rather than leaving some waiting
    tqdm = require('tqdm', 'train', 'ember train').tqdm
    require('tensorboard', 'train', 'ember train')
    require('matplotlib', 'train', 'ember train')
    started = time.perf_counter()

    # 1. data: the splits, their transforms, and loaders (see TransformedDataset for the augmentation's seed)
    source = resumed['data']['source'] if resumed else data_source(args)
    train_split, valid_split, test_split, classes, channels = load_splits(source)
    image_size = args.image_size or (64 if args.model == 'alexnet' else 32)
    spec = image_spec(image_size, channels, model_input_channels(args.model, channels))
    train_transform = image_transform(spec, augment=not args.no_augment)
    train_set = TransformedDataset(limit(train_split, args.limit_train), train_transform, seed=args.seed)
    valid_set = TransformedDataset(limit(valid_split, args.limit_valid), image_transform(spec))
    test_set = TransformedDataset(limit(test_split, args.limit_valid), image_transform(spec))
    if len(train_set) < args.batch_size:
        raise UsageError(f"the training split has {len(train_set)} images, fewer than --batch-size "
                         f"{args.batch_size}")
    sampler = DistributedSampler(train_set, num_replicas=world_size, rank=rank, shuffle=True, seed=args.seed,
                                 drop_last=True)
    train_loader = DataLoader(train_set, batch_size=args.batch_size // world_size, sampler=sampler, drop_last=True,
                              num_workers=args.workers)
    valid_loader = DataLoader(valid_set, batch_size=args.batch_size, num_workers=args.workers)
    test_loader = DataLoader(test_set, batch_size=args.batch_size, num_workers=args.workers)

    # 2. model
    manual_seed(args.seed)
    net = build_model(args.model, len(classes), spec['model_channels'])
    model = nn.parallel.DistributedDataParallel(net) if world_size > 1 else net

    # 3. loss
    loss_fn = nn.CrossEntropyLoss()

    # 4. optimizer and learning-rate schedule
    optimizer_class, default_lr, options = OPTIMIZERS[args.optimizer]
    optimizer = optimizer_class(model.parameters(), lr=args.lr or default_lr, weight_decay=args.weight_decay,
                                **options)
    step_size = args.lr_step_size or max(1, 7 * args.epochs // 10)
    scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=step_size, gamma=0.1)

    history, best = [], {'accuracy': -1.0, 'epoch': 0}
    if resumed:
        net.load_state_dict(resumed['model'])
        optimizer.load_state_dict(resumed['optimizer'])
        scheduler.load_state_dict(resumed['scheduler'])
        set_rng_state(resumed['rng_state'])
        history, best = resumed['history'], resumed['best']
    start_epoch = len(history)
    if is_main:
        os.makedirs(args.out, exist_ok=True)
        log = _RunLog(args.out, purge_step=start_epoch + 1 if resumed else None)

    def checkpoint():
        """Everything needed to continue exactly from here, copied (training goes on changing the originals)."""
        return copy.deepcopy({
            'model': net.state_dict(), 'optimizer': optimizer.state_dict(), 'scheduler': scheduler.state_dict(),
            'epoch': len(history), 'history': history, 'best': best, 'rng_state': get_rng_state(),
            'args': _settings(args), 'classes': classes, 'data': {'source': source, 'image': spec},
        })

    # 5. iterate
    completed = checkpoint()
    try:
        if is_main:
            processes = f'in {world_size} processes ' if world_size > 1 else ''
            print(f"{'resuming' if resumed else 'training'} {args.model} on {_describe(source)} "
                  f"({len(train_set)} training / {len(valid_set)} validation images, {len(classes)} classes) "
                  f"{processes}from epoch {start_epoch + 1} to {args.epochs}; writing to {args.out}", flush=True)
        for epoch in range(start_epoch + 1, args.epochs + 1):
            epoch_started = time.perf_counter()
            sampler.set_epoch(epoch)
            train_set.set_epoch(epoch)
            lr = optimizer.param_groups[0]['lr']
            progress = tqdm(train_loader, desc=f'epoch {epoch}/{args.epochs}', file=sys.stderr, leave=False,
                            disable=None if is_main else True)
            train_loss, train_accuracy = _train_one_epoch(model, progress, loss_fn, optimizer, world_size)
            scheduler.step()
            if is_main:
                valid = evaluate(net, valid_loader, loss_fn, keep_misclassified=_MISCLASSIFIED_SHOWN)
                history.append({'epoch': epoch, 'train_loss': train_loss, 'train_acc': train_accuracy,
                                'valid_loss': valid.loss, 'valid_acc': valid.accuracy, 'lr': lr,
                                'seconds': time.perf_counter() - epoch_started})
                is_best = valid.accuracy > best['accuracy']
                if is_best:
                    best = {'accuracy': valid.accuracy, 'epoch': epoch}
            else:
                history.append({'epoch': epoch})  # only rank 0 keeps the numbers
            completed = checkpoint()
            if is_main:
                save(completed, last_path)
                if is_best:
                    save(completed, best_path)
                log.epoch(history, net, valid.misclassified)
                print(_epoch_line(history[-1], args.epochs), flush=True)
    except KeyboardInterrupt:
        if is_main:
            save(completed, last_path)
            log.interrupted(history[:completed['epoch']])
            print(f"\ninterrupted: {last_path} holds the state after epoch {completed['epoch']}; "
                  f"continue with: ember train --out {args.out} --resume", file=sys.stderr, flush=True)
        return 130

    if is_main:
        test = evaluate(net, test_loader, loss_fn)
        print(f"test accuracy {test.accuracy:.2%} ({test.correct}/{len(test.targets)}), loss {test.loss:.4f}; "
              f"best validation accuracy {best['accuracy']:.2%} at epoch {best['epoch']}", flush=True)
        log.finish(history, best, test, _settings(args), time.perf_counter() - started)
    return 0


def _train_one_epoch(model, batches, loss_fn, optimizer, world_size):
    """One pass over the training batches; returns the mean loss and the accuracy over all ranks."""
    model.train()
    loss_sum, correct, count = 0.0, 0, 0
    for inputs, labels in batches:
        outputs = model(inputs)
        loss = loss_fn(outputs, labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

        loss_sum += loss.item() * len(labels)
        correct += int((outputs.argmax(1) == labels).sum())
        count += len(labels)
        batches.set_postfix(loss=f'{loss_sum / count:.4f}', acc=f'{correct / count:.2%}')
    if world_size > 1:  # each rank saw its own share of every batch
        totals = tensor([loss_sum, correct, count], dtype=float64)
        dist.all_reduce(totals)
        loss_sum, correct, count = totals.tolist()
    return loss_sum / count, correct / count


def _describe(source):
    return source['name'] if source['name'] == 'digits' else f"{source['name']} {source['root']}"


def _epoch_line(record, epochs):
    width = len(str(epochs))
    return (f"epoch {record['epoch']:>{width}}/{epochs}  train loss {record['train_loss']:.4f} "
            f"acc {record['train_acc']:.2%}  valid loss {record['valid_loss']:.4f} acc {record['valid_acc']:.2%}  "
            f"lr {record['lr']:.3g}  {record['seconds']:.1f}s")


class _RunLog:
    """What rank 0 writes besides checkpoints: TensorBoard events, loss.png and metrics.json."""

    def __init__(self, out, purge_step=None):
        from ..utils.tensorboard import SummaryWriter
        self.out = out
        self.writer = SummaryWriter(out, purge_step=purge_step)

    def epoch(self, history, net, misclassified):
        record = history[-1]
        step = record['epoch']
        for split in ('train', 'valid'):
            self.writer.add_scalar(f'{split}/loss', record[f'{split}_loss'], step)
            self.writer.add_scalar(f'{split}/acc', record[f'{split}_acc'], step)
        self.writer.add_scalar('lr', record['lr'], step)
        for name, parameter in net.named_parameters():
            self.writer.add_histogram(f'weights/{name}', parameter.detach(), step)
        if misclassified:
            from ..vision.utils import make_grid
            grid = make_grid(stack(misclassified), nrow=8, normalize=True, scale_each=True)
            self.writer.add_image('valid/misclassified', grid, step)
        self.writer.flush()
        self._write_metrics({'history': history})

    def interrupted(self, history):
        if history:
            self._plot(history)

    def finish(self, history, best, test, settings, wall_time):
        self.writer.add_scalar('test/acc', test.accuracy, history[-1]['epoch'] if history else 0)
        self.writer.close()
        if history:
            self._plot(history)
        self._write_metrics({'history': history, 'best_valid_acc': best['accuracy'], 'best_epoch': best['epoch'],
                             'test_acc': test.accuracy, 'test_loss': test.loss, 'wall_time': wall_time,
                             'args': settings})

    def _plot(self, history):
        # a Figure without pyplot draws with the Agg canvas and touches no global backend state
        from matplotlib.figure import Figure
        figure = Figure(figsize=(10, 4))
        epochs = [record['epoch'] for record in history]
        for axes, metric, title in zip(figure.subplots(1, 2), ('loss', 'acc'), ('loss', 'accuracy')):
            for split in ('train', 'valid'):
                axes.plot(epochs, [record[f'{split}_{metric}'] for record in history], marker='o', label=split)
            axes.set_xlabel('epoch')
            axes.set_title(title)
            axes.legend()
        path = os.path.join(self.out, 'loss.png')
        figure.savefig(path + '.tmp', format='png')  # then renamed: never a half-written plot
        os.replace(path + '.tmp', path)

    def _write_metrics(self, metrics):
        path = os.path.join(self.out, 'metrics.json')
        with open(path + '.tmp', 'w') as file:
            json.dump(metrics, file, indent=2)
        os.replace(path + '.tmp', path)
