"""ember.save / ember.load against torch.save / torch.load: each reads the other's files."""
import collections
import io
import os
import pickle
import struct
import sys
import types
import zipfile

import numpy as np
import pytest
import torch

import ember
import ember.serialization

DTYPES = ['float32', 'float64', 'float16', 'int64', 'int32', 'int16', 'int8', 'uint8', 'bool',
          'complex64', 'complex128']


def sample(shape, dtype, seed=0):
    """A NumPy array of `dtype` with varied values (both libraries get the same numbers)."""
    rng = np.random.default_rng(seed)
    values = rng.normal(size=shape) * 50
    if dtype == 'bool':
        return values > 0
    if dtype.startswith('complex'):
        return (values + 1j * rng.normal(size=shape)).astype(dtype)
    return np.asarray(values).astype(dtype)


def both(array, requires_grad=False):
    return (ember.tensor(array, requires_grad=requires_grad), torch.tensor(array, requires_grad=requires_grad))


def assert_same(ember_value, torch_value):
    """Same structure, and tensors with the same values, dtype, shape, requires_grad and class."""
    if isinstance(torch_value, torch.Tensor):
        assert isinstance(ember_value, ember.Tensor)
        assert type(ember_value).__name__ == type(torch_value).__name__
        assert str(ember_value.dtype).split('.')[1] == str(torch_value.dtype).split('.')[1]
        assert tuple(ember_value.shape) == tuple(torch_value.shape)
        assert ember_value.requires_grad == torch_value.requires_grad
        np.testing.assert_array_equal(ember_value.detach().numpy(), torch_value.detach().numpy())
    elif isinstance(torch_value, torch.dtype):
        assert isinstance(ember_value, ember.dtype) and repr(ember_value)[6:] == repr(torch_value)[6:]
    elif isinstance(torch_value, torch.Size):
        assert isinstance(ember_value, ember.Size) and tuple(ember_value) == tuple(torch_value)
    elif isinstance(torch_value, dict):
        assert type(ember_value) is type(torch_value)
        assert list(ember_value) == list(torch_value)
        for key in torch_value:
            assert_same(ember_value[key], torch_value[key])
    elif isinstance(torch_value, (list, tuple)):
        assert type(ember_value) is type(torch_value) and len(ember_value) == len(torch_value)
        for e, t in zip(ember_value, torch_value):
            assert_same(e, t)
    else:
        assert type(ember_value) is type(torch_value) and ember_value == torch_value


def make_state(lib, arrays):
    """A state_dict-like nesting built the same way in ember and torch."""
    tensors = {name: lib.tensor(array) for name, array in arrays.items()}
    weight = lib.tensor(sample((4, 3), 'float32', 1))
    return collections.OrderedDict([
        ('tensors', collections.OrderedDict(tensors)),
        ('layer', {'weight': lib.nn.Parameter(weight), 'frozen': lib.nn.Parameter(weight * 2, requires_grad=False),
                   'bias': lib.zeros(3, requires_grad=True)}),
        ('views', [weight, weight.t(), weight[1:, 1:], weight[:, 1], weight.unsqueeze(0).expand(2, 4, 3)]),
        ('scalars', (1, 2.5, 'text', None, True, 3 + 4j, b'bytes')),
        ('shape', lib.Size([2, 3])),
        ('dtype', lib.float64),
        ('optimizer', {'state': {0: {'step': lib.tensor(3.0), 'exp_avg': lib.ones(3)}},
                       'param_groups': [{'lr': 0.1, 'betas': (0.9, 0.999), 'params': [0]}]}),
    ])


ALL_DTYPE_ARRAYS = {f'{dtype}_{i}': sample(shape, dtype, i)
                    for dtype in DTYPES for i, shape in enumerate([(), (0,), (0, 3), (2, 3, 4), (7,)])}


def target(kind, tmp_path):
    """Where to save: a path (str or PathLike) or a BytesIO."""
    if kind == 'bytesio':
        return io.BytesIO()
    path = tmp_path / 'checkpoint.pt'
    return str(path) if kind == 'str' else path


def rewind(f):
    if isinstance(f, io.BytesIO):
        f.seek(0)
    return f


@pytest.mark.parametrize('kind', ['str', 'pathlike', 'bytesio'])
def test_ember_save_torch_load(kind, tmp_path):
    f = target(kind, tmp_path)
    ember.save(make_state(ember, ALL_DTYPE_ARRAYS), f)
    assert_same(make_state(ember, ALL_DTYPE_ARRAYS), torch.load(rewind(f), weights_only=True))


@pytest.mark.parametrize('kind', ['str', 'pathlike', 'bytesio'])
def test_torch_save_ember_load(kind, tmp_path):
    f = target(kind, tmp_path)
    torch.save(make_state(torch, ALL_DTYPE_ARRAYS), f)
    assert_same(ember.load(rewind(f)), make_state(torch, ALL_DTYPE_ARRAYS))


@pytest.mark.parametrize('kind', ['str', 'bytesio'])
def test_ember_round_trip(kind, tmp_path):
    f = target(kind, tmp_path)
    ember.save(make_state(ember, ALL_DTYPE_ARRAYS), f)
    # the reference is torch's reading of the same structure
    assert_same(ember.load(rewind(f)), make_state(torch, ALL_DTYPE_ARRAYS))


class WriteOnlyStream:
    """A file-like object with only write and flush (a pipe, a socket)."""

    def __init__(self):
        self.chunks = []

    def write(self, data):
        self.chunks.append(bytes(data))
        return len(self.chunks[-1])

    def flush(self):
        pass


class ReadOnlyStream:
    """A file-like object with only read: no seek, no tell."""

    def __init__(self, data):
        self._buffer = io.BytesIO(data)

    def read(self, size=-1):
        return self._buffer.read(size)


def test_streams_without_seek():
    stream = WriteOnlyStream()
    ember.save(make_state(ember, ALL_DTYPE_ARRAYS), stream)
    written = b''.join(stream.chunks)
    assert_same(make_state(ember, ALL_DTYPE_ARRAYS), torch.load(io.BytesIO(written), weights_only=True))
    torch_file = io.BytesIO()
    torch.save(make_state(torch, ALL_DTYPE_ARRAYS), torch_file)
    for data in (written, torch_file.getvalue()):
        assert_same(ember.load(ReadOnlyStream(data)), make_state(torch, ALL_DTYPE_ARRAYS))


def test_views_share_one_storage_in_torch():
    base = ember.tensor(sample((3, 4), 'float32'))
    views = [base, base.t(), base[1:, 1:], base[:, 2], base.view(12)[5:]]
    f = io.BytesIO()
    ember.save(views, f)
    loaded = torch.load(rewind(f), weights_only=True)
    torch_base = torch.tensor(sample((3, 4), 'float32'))
    expected = [torch_base, torch_base.t(), torch_base[1:, 1:], torch_base[:, 2], torch_base.view(12)[5:]]
    storage = loaded[0].untyped_storage().data_ptr()
    for got, want in zip(loaded, expected):
        assert got.untyped_storage().data_ptr() == storage
        assert (got.storage_offset(), got.stride()) == (want.storage_offset(), want.stride())
        assert torch.equal(got, want)
    # one storage record, holding the base
    assert len([name for name in zipfile.ZipFile(rewind(f)).namelist() if '/data/' in name]) == 1


def test_torch_views_share_memory_in_ember():
    base = torch.arange(12.).reshape(3, 4)
    f = io.BytesIO()
    torch.save({'base': base, 'view': base[1:, ::2], 'other': torch.ones(2)}, f)
    loaded = ember.load(rewind(f))
    loaded['base'].mul_(10)
    np.testing.assert_array_equal(loaded['view'].numpy(), (base * 10)[1:, ::2].numpy())
    np.testing.assert_array_equal(loaded['other'].numpy(), [1, 1])


def test_same_tensor_twice_loads_as_one_object():
    weight = ember.nn.Parameter(ember.ones(2, 2))
    f = io.BytesIO()
    ember.save({'encoder': weight, 'decoder': weight}, f)
    for loaded in (ember.load(rewind(f)), torch.load(rewind(f), weights_only=True)):
        assert loaded['encoder'] is loaded['decoder']


def test_non_contiguous_and_reversed_views(tmp_path):
    array = sample((5, 6), 'float64')
    tensor = ember.tensor(array)
    values = [tensor.t(), tensor[::2, 1::3], tensor.permute(1, 0)[2:], tensor.flip(0)]
    ember.save(values, tmp_path / 'views.pt')
    for got, want in zip(torch.load(tmp_path / 'views.pt', weights_only=True),
                         [array.T, array[::2, 1::3], array.T[2:], array[::-1]]):
        np.testing.assert_array_equal(got.numpy(), want)


def test_requires_grad_of_a_non_leaf_is_kept_as_torch_does():
    x_ember, x_torch = both(sample((3,), 'float32'), requires_grad=True)
    ember_file, torch_file = io.BytesIO(), io.BytesIO()
    ember.save(x_ember * 2, ember_file)
    torch.save(x_torch * 2, torch_file)
    ember_loaded, torch_loaded = ember.load(rewind(ember_file)), torch.load(rewind(torch_file))
    assert_same(ember_loaded, torch_loaded)
    assert ember_loaded.is_leaf and torch_loaded.is_leaf


def test_big_tensor_records_are_64_byte_aligned(tmp_path):
    array = sample((1000, 1000), 'float32')  # 4 MB
    ember.save({'big': ember.tensor(array), 'small': ember.tensor([1, 2, 3])}, tmp_path / 'big.pt')
    np.testing.assert_array_equal(torch.load(tmp_path / 'big.pt', weights_only=True)['big'].numpy(), array)
    np.testing.assert_array_equal(ember.load(tmp_path / 'big.pt')['big'].numpy(), array)
    raw = (tmp_path / 'big.pt').read_bytes()
    for info in zipfile.ZipFile(tmp_path / 'big.pt').infolist():
        name_length, extra_length = struct.unpack('<HH', raw[info.header_offset + 26:info.header_offset + 30])
        assert (info.header_offset + 30 + name_length + extra_length) % 64 == 0, info.filename
        assert info.compress_type == zipfile.ZIP_STORED


def test_archive_layout_matches_torch(tmp_path):
    state = {'a': ember.ones(2, 3), 'b': ember.tensor([1, 2]), 'c': ember.ones(2, 3).t()}
    ember.save(state, tmp_path / 'ember_dir_model.pt')
    torch.save({'a': torch.ones(2, 3), 'b': torch.tensor([1, 2]), 'c': torch.ones(2, 3).t()},
               tmp_path / 'torch_dir_model.pt')
    ours, theirs = zipfile.ZipFile(tmp_path / 'ember_dir_model.pt'), zipfile.ZipFile(tmp_path / 'torch_dir_model.pt')
    assert [name.replace('ember_', '') for name in ours.namelist()] == \
        [name.replace('torch_', '') for name in theirs.namelist()]
    for record in ('.format_version', '.storage_alignment', 'byteorder', 'version', 'data/0', 'data/1', 'data/2'):
        assert ours.read('ember_dir_model/' + record) == theirs.read('torch_dir_model/' + record), record
    serialization_id = ours.read('ember_dir_model/.data/serialization_id')
    assert len(serialization_id) == 40 and serialization_id.isdigit()
    f = io.BytesIO()
    ember.save(state, f)
    assert zipfile.ZipFile(rewind(f)).namelist()[0] == 'archive/data.pkl'


def test_pickle_protocol_4():
    f = io.BytesIO()
    ember.save({'x': ember.ones(3), 'dtype': ember.int8}, f, pickle_protocol=4)
    # torch's weights_only unpickler doesn't read protocol 4's FRAME opcode, even in files torch wrote
    loaded = torch.load(rewind(f), weights_only=False)
    assert torch.equal(loaded['x'], torch.ones(3)) and loaded['dtype'] is torch.int8
    assert_same(ember.load(rewind(f)), loaded)


def test_bfloat16_and_lazy_conjugate_from_torch():
    complex_values = torch.tensor(sample((3,), 'complex64'))
    saved = {'bf16': torch.tensor(sample((4,), 'float32')).bfloat16(), 'conj': complex_values.conj(),
             'neg': torch.ones(3)._neg_view()}
    f = io.BytesIO()
    torch.save(saved, f)
    loaded = ember.load(rewind(f))
    # NumPy has no bfloat16: the values arrive exactly, widened to float32
    np.testing.assert_array_equal(loaded['bf16'].numpy(), saved['bf16'].float().numpy())
    np.testing.assert_array_equal(loaded['conj'].numpy(), saved['conj'].resolve_conj().numpy())
    np.testing.assert_array_equal(loaded['neg'].numpy(), -np.ones(3, np.float32))


@pytest.mark.parametrize('map_location', [None, 'cpu', 'cpu_device', {'cpu': 'cpu'}, 'function'])
def test_map_location_cpu(map_location):
    f = io.BytesIO()
    torch.save({'x': torch.arange(3)}, f)
    if map_location == 'cpu_device':
        ember_location, torch_location = ember.device('cpu'), torch.device('cpu')
    elif map_location == 'function':
        ember_location = torch_location = (lambda storage, location: storage)
    else:
        ember_location = torch_location = map_location
    assert_same(ember.load(rewind(f), map_location=ember_location),
                torch.load(rewind(f), map_location=torch_location))


@pytest.mark.parametrize('map_location', ['cuda', 'cuda:0', {'cpu': 'cuda:0'}])
def test_map_location_cuda_fails_as_in_cpu_torch(map_location):
    f = io.BytesIO()
    torch.save(torch.ones(2), f)
    with pytest.raises(RuntimeError) as torch_error:
        torch.load(rewind(f), map_location=map_location)
    with pytest.raises(RuntimeError) as ember_error:
        ember.load(rewind(f), map_location=map_location)
    assert str(ember_error.value) == str(torch_error.value)


# ---- safety --------------------------------------------------------------------------------------
def checkpoint_with_pickle(data_pkl):
    """A zip checkpoint (torch's layout) whose data.pkl is the given bytes."""
    f = io.BytesIO()
    with zipfile.ZipFile(f, 'w') as archive:
        archive.writestr('archive/data.pkl', data_pkl)
        archive.writestr('archive/byteorder', 'little')
        archive.writestr('archive/version', '3\n')
    return rewind(f)


def os_system_pickle(command):
    """Hand-written protocol-2 pickle of `os.system(command)`: GLOBAL, argument tuple, REDUCE."""
    argument = command.encode()
    return (pickle.PROTO + b'\x02' + pickle.GLOBAL + b'os\nsystem\n' + pickle.BINUNICODE
            + struct.pack('<I', len(argument)) + argument + pickle.TUPLE1 + pickle.REDUCE + pickle.STOP)


def test_malicious_pickle_is_rejected(tmp_path):
    marker = tmp_path / 'pwned_xyz'
    f = checkpoint_with_pickle(os_system_pickle(f'touch {marker}'))
    with pytest.raises(pickle.UnpicklingError, match=r'os\.system'):
        ember.load(f)
    assert not marker.exists()
    # torch's weights_only loader refuses it the same way
    with pytest.raises(pickle.UnpicklingError, match=r'os\.system'):
        torch.load(rewind(f), weights_only=True)
    assert not marker.exists()


def test_malicious_pickle_inside_a_real_checkpoint_is_rejected(tmp_path):
    marker = tmp_path / 'pwned_xyz'

    class Payload:
        def __reduce__(self):
            return (eval, (f"open({str(marker)!r}, 'w')",))

    f = io.BytesIO()
    torch.save({'weight': torch.ones(2), 'payload': Payload()}, f)
    # PyTorch names a builtin without its module
    with pytest.raises(pickle.UnpicklingError, match=r'GLOBAL eval was not an allowed global'):
        ember.load(rewind(f))
    with pytest.raises(pickle.UnpicklingError, match=r'GLOBAL eval was not an allowed global'):
        ember.load(rewind(f), weights_only=None)  # None means the default, as in torch
    assert not marker.exists()


def test_weights_only_false_trusts_the_file():
    f = io.BytesIO()
    ember.save({'counts': collections.defaultdict(int, a=1), 'x': ember.ones(2)}, f)
    with pytest.raises(pickle.UnpicklingError, match='collections.defaultdict'):
        ember.load(rewind(f))
    loaded = ember.load(rewind(f), weights_only=False)
    assert loaded['counts'] == {'a': 1} and type(loaded['counts']) is collections.defaultdict


def test_out_of_bounds_view_is_rejected():
    f = io.BytesIO()
    torch.save(torch.ones(4), f)
    pickled = zipfile.ZipFile(rewind(f)).read('archive/data.pkl')
    # the size (4,) becomes (9,): the view would read past the 4-element storage
    corrupt = pickled.replace(b'K\x04\x85', b'K\x09\x85', 1)
    assert corrupt != pickled
    with zipfile.ZipFile(rewind(f)) as original:
        records = {name: original.read(name) for name in original.namelist()}
    records['archive/data.pkl'] = corrupt
    f = io.BytesIO()
    with zipfile.ZipFile(f, 'w') as archive:
        for name, data in records.items():
            archive.writestr(name, data)
    with pytest.raises(RuntimeError, match='corrupt'):
        ember.load(rewind(f))


# ---- writing is atomic -----------------------------------------------------------------------------
def test_failed_pickling_leaves_the_old_file(tmp_path):
    path = tmp_path / 'model.pt'
    ember.save({'x': ember.ones(2)}, path)
    old = path.read_bytes()
    with pytest.raises((pickle.PicklingError, AttributeError, TypeError)):
        ember.save({'x': ember.zeros(2), 'bad': lambda: None}, path)
    assert path.read_bytes() == old
    assert os.listdir(tmp_path) == ['model.pt']


def test_crash_mid_write_leaves_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / 'model.pt'
    ember.save({'x': ember.ones(2)}, path)
    old = path.read_bytes()
    real_add = ember.serialization._AlignedZipWriter.add

    def add_then_crash(self, name, data):
        real_add(self, name, data)
        if name.startswith('data/'):  # after the first storage is on disk
            raise KeyboardInterrupt('simulated crash')

    monkeypatch.setattr(ember.serialization._AlignedZipWriter, 'add', add_then_crash)
    with pytest.raises(KeyboardInterrupt):
        ember.save({'x': ember.zeros(1000)}, path)
    assert path.read_bytes() == old
    assert os.listdir(tmp_path) == ['model.pt']
    monkeypatch.undo()
    ember.save({'x': ember.zeros(3)}, path)
    np.testing.assert_array_equal(torch.load(path)['x'].numpy(), np.zeros(3, np.float32))
    assert os.listdir(tmp_path) == ['model.pt']


def test_missing_parent_directory(tmp_path):
    path = tmp_path / 'missing' / 'model.pt'
    with pytest.raises(RuntimeError) as torch_error:
        torch.save(torch.ones(1), path)
    with pytest.raises(RuntimeError) as ember_error:
        ember.save(ember.ones(1), path)
    assert str(ember_error.value) == str(torch_error.value)


# ---- not a checkpoint ------------------------------------------------------------------------------
def zip_without_pickle():
    f = io.BytesIO()
    with zipfile.ZipFile(f, 'w') as archive:
        archive.writestr('notes.txt', 'hello')
    return f.getvalue()


def truncated_checkpoint():
    f = io.BytesIO()
    ember.save({'x': ember.ones(100)}, f)
    return f.getvalue()[:300]


@pytest.mark.parametrize('content', [b'', b'just some text\n', bytes(range(256)) * 4, b'PK\x03\x04garbage',
                                     zip_without_pickle(), truncated_checkpoint()],
                         ids=['empty', 'text', 'random', 'zip_magic', 'zip_without_pickle', 'truncated'])
def test_not_a_checkpoint(content, tmp_path):
    path = tmp_path / 'not_a_checkpoint.pt'
    path.write_bytes(content)
    with pytest.raises(RuntimeError, match='checkpoint'):
        ember.load(path)
    with pytest.raises(RuntimeError, match='checkpoint'):
        ember.load(io.BytesIO(content))


def test_torch_legacy_format_loads():
    f = io.BytesIO()
    torch.save(make_state(torch, ALL_DTYPE_ARRAYS), f, _use_new_zipfile_serialization=False)
    loaded = ember.load(rewind(f))
    assert_same(loaded, make_state(torch, ALL_DTYPE_ARRAYS))
    loaded['views'][0].add_(1)  # views of one storage still share it
    np.testing.assert_array_equal(loaded['views'][1].numpy(), loaded['views'][0].numpy().T)


def test_torch_legacy_format_with_a_malicious_pickle_is_rejected(tmp_path):
    marker = tmp_path / 'pwned_xyz'
    header = b''.join(pickle.dumps(value, protocol=2) for value in (
        0x1950a86a20f9469cfc6c, 1001, {'protocol_version': 1001, 'little_endian': True}))
    f = io.BytesIO(header + os_system_pickle(f'touch {marker}') + pickle.dumps([], protocol=2))
    with pytest.raises(pickle.UnpicklingError, match=r'os\.system'):
        ember.load(f)
    assert not marker.exists()


def test_whole_model_whose_class_is_gone_raises_attribute_error_as_torch(tmp_path):
    # a whole model saved from a script, loaded where its class is not defined: pickle's own
    # AttributeError, as torch lets it through (not a "corrupt checkpoint" RuntimeError)
    errors = []
    for lib in (ember, torch):
        module = types.ModuleType('_vanishing_model')
        sys.modules[module.__name__] = module
        try:
            exec("class FooNet(lib.nn.Module):\n"
                 "    def __init__(self):\n"
                 "        super().__init__()\n"
                 "        self.fc = lib.nn.Linear(2, 2)\n", {'lib': lib, '__name__': module.__name__}, module.__dict__)
            path = tmp_path / f'{lib.__name__}.pth'
            lib.save(module.FooNet(), path)
            del module.FooNet
            with pytest.raises(AttributeError) as error:
                lib.load(path, weights_only=False)
            errors.append(str(error.value))
            with pytest.raises(pickle.UnpicklingError):   # and weights_only=True still refuses the class
                lib.load(path)
        finally:
            del sys.modules[module.__name__]
    assert errors[0] == errors[1] == "Can't get attribute 'FooNet' on <module '_vanishing_model'>"
