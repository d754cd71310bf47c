"""Corners of the tensor API that course programs touch, against torch: the names classes print with,
the `new_*` constructors and other small Tensor methods, `size=` keywords, the backend switches that
seeding code sets, a Python complex operand, sigmoid's extreme values, and tril/triu_indices."""
import io
import pickle

import numpy as np
import pytest
import torch

import ember


def same_tensor(ours, theirs):
    assert isinstance(ours, ember.Tensor)
    assert str(ours.dtype).split('.')[-1] == str(theirs.dtype).split('.')[-1]
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert ours.requires_grad == theirs.requires_grad
    np.testing.assert_array_equal(ours.detach().numpy(), theirs.detach().numpy())


# ---- class names ----------------------------------------------------------------------------------
def _printed_types(m):
    x = m.zeros(2)
    return [str(type(obj)) for obj in (x, x.shape, x.dtype, x.device, m.nn.Parameter(m.zeros(1)))]


def test_types_print_with_public_names():
    # the course reads `ember.` as `torch.`
    assert _printed_types(ember) == [t.replace('torch.', 'ember.') for t in _printed_types(torch)]


def test_renamed_classes_still_pickle_and_save():
    x = ember.arange(6.).reshape(2, 3)
    things = [x, x.shape, x.dtype, x.device, ember.Tensor, ember.Size, ember.dtype, ember.device]
    restored = pickle.loads(pickle.dumps(things))
    assert restored[1:] == things[1:]
    same_tensor(restored[0], torch.arange(6.).reshape(2, 3))
    buffer = io.BytesIO()
    ember.save({'x': x, 'shape': x.shape, 'dtype': x.dtype, 'device': x.device}, buffer)
    buffer.seek(0)
    loaded = torch.load(buffer)
    assert loaded['shape'] == torch.Size([2, 3]) and loaded['dtype'] is torch.float32
    assert loaded['device'] == torch.device('cpu')


# ---- new_* and other small methods ----------------------------------------------------------------
NEW_CALLS = [
    lambda m, x: x.new_zeros(2, 3),
    lambda m, x: x.new_zeros((2, 3)),
    lambda m, x: x.new_zeros([2]),
    lambda m, x: x.new_zeros(size=(2,)),
    lambda m, x: x.new_ones(2, dtype=m.int32),
    lambda m, x: x.new_ones(3, requires_grad=True),
    lambda m, x: x.new_full((2,), 3),
    lambda m, x: x.new_full((2,), True),
    lambda m, x: x.new_full(size=(2, 2), fill_value=1.5),
    lambda m, x: (x.new_empty((2, 3), requires_grad=True).requires_grad, x.new_empty(2).dtype.is_floating_point),
    lambda m, x: x.new_empty(4).shape,
    lambda m, x: x.new_tensor([1, 2]),
    lambda m, x: x.new_tensor([1.5, 2.5], dtype=m.int64),
    lambda m, x: x.new_tensor(3),
    lambda m, x: x.new_tensor([True, False]),
    lambda m, x: x.new_tensor([1, 2], requires_grad=True),
    lambda m, x: x.ravel(),
    lambda m, x: x.t().ravel(),
    lambda m, x: m.ravel(m.tensor(3.)),
    lambda m, x: m.zeros(3).index_put_((m.tensor([0, 2]),), m.tensor(5.)),
    lambda m, x: m.zeros(3).index_put_([m.tensor([0, 0])], m.tensor([1., 2.]), accumulate=True),
    lambda m, x: m.zeros(2, 3).index_put_((m.tensor([0, 1]), m.tensor([2, 0])), m.tensor(7.)),
]


@pytest.mark.parametrize('call', NEW_CALLS)
def test_new_constructors_and_methods(call):
    ours = call(ember, ember.ones(2, 3, dtype=ember.float64))
    theirs = call(torch, torch.ones(2, 3, dtype=torch.float64))
    if isinstance(theirs, torch.Tensor):
        same_tensor(ours, theirs)
    else:
        assert ours == theirs


def test_new_tensor_from_a_tensor_warns_and_copies():
    source = ember.tensor([1, 2])
    with pytest.warns(UserWarning, match="To copy construct from a tensor"):
        copy = ember.ones(1).new_tensor(source)
    copy[0] = 5
    assert source.tolist() == [1, 2] and copy.dtype == ember.float32


def test_memory_flags():
    x = ember.zeros(2)
    assert (x.is_cpu, x.is_pinned()) == (torch.zeros(2).is_cpu, torch.zeros(2).is_pinned()) == (True, False)


@pytest.mark.parametrize('shape,kwargs', [((3, 3), {}), ((7, 3), {'wrap': True}), ((7, 3), {}), ((3, 7), {'wrap': True}),
                                          ((4, 3), {'wrap': True}), ((10, 3), {'wrap': True}), ((2, 2, 2), {})])
def test_fill_diagonal(shape, kwargs):
    same_tensor(ember.zeros(shape).fill_diagonal_(5, **kwargs), torch.zeros(shape).fill_diagonal_(5, **kwargs))
    same_tensor(ember.zeros(shape, dtype=ember.int64).fill_diagonal_(2.7, **kwargs),
                torch.zeros(shape, dtype=torch.int64).fill_diagonal_(2.7, **kwargs))


def test_fill_diagonal_gradient_and_errors():
    grads = []
    for m in (ember, torch):
        x = m.ones(3, 3, requires_grad=True)
        (x * 2).fill_diagonal_(0).sum().backward()
        grads.append(x.grad)
    same_tensor(*grads)
    for shape, message in (((3,), "dimensions must larger than 1"),
                           ((2, 3, 2), "all dimensions of input must be of equal length")):
        with pytest.raises(RuntimeError, match=message):
            torch.zeros(shape).fill_diagonal_(1)
        with pytest.raises(RuntimeError, match=message):
            ember.zeros(shape).fill_diagonal_(1)


# ---- size= keywords -------------------------------------------------------------------------------
@pytest.mark.parametrize('name', ['zeros', 'ones', 'empty', 'rand', 'randn'])
def test_size_keyword(name):
    assert tuple(getattr(ember, name)(size=(2, 3)).shape) == tuple(getattr(torch, name)(size=(2, 3)).shape)
    assert tuple(getattr(ember, name)(size=[4]).shape) == (4,)
    with pytest.raises(TypeError):
        getattr(torch, name)(2, size=(2,))
    with pytest.raises(TypeError):
        getattr(ember, name)(2, size=(2,))


def test_size_keyword_values():
    same_tensor(ember.zeros(size=(2, 3)), torch.zeros(size=(2, 3)))
    same_tensor(ember.ones(size=(2,), dtype=ember.int32), torch.ones(size=(2,), dtype=torch.int32))
    same_tensor(ember.full(size=(2, 3), fill_value=1.5), torch.full(size=(2, 3), fill_value=1.5))
    for m in (ember, torch):
        m.manual_seed(3)
    same_tensor(ember.rand(size=(5,)), torch.rand(size=(5,)))


# the keywords PyTorch's signatures of the view and shape ops accept (x is arange(24.) shaped 2, 3, 4)
SHAPE_KEYWORD_CALLS = [
    lambda m, x: x.view(size=(6, 4)),
    lambda m, x: x.view(size=[4, -1]),
    lambda m, x: x.view(dtype=m.int32),
    lambda m, x: x.reshape(shape=(6, 4)),
    lambda m, x: m.reshape(x, shape=(4, 6)),
    lambda m, x: m.reshape(input=x, shape=(-1,)),
    lambda m, x: x[:, :1].expand(size=(2, 5, 4)),
    lambda m, x: x[:, :1].expand(size=(-1, 3, -1), implicit=True),
    lambda m, x: x.repeat(repeats=(1, 2, 1, 1)),
    lambda m, x: x.permute(dims=(2, 0, 1)),
    lambda m, x: m.permute(x, dims=[1, 2, 0]),
    lambda m, x: x.flatten(start_dim=1, end_dim=2),
    lambda m, x: m.flatten(input=x, start_dim=0, end_dim=1),
    lambda m, x: x.transpose(dim0=0, dim1=2),
    lambda m, x: m.transpose(input=x, dim0=1, dim1=-1),
    lambda m, x: x.swapaxes(axis0=0, axis1=1),
    lambda m, x: m.swapaxes(input=x, axis0=0, axis1=2),
    lambda m, x: x.swapdims(dim0=0, dim1=1),
    lambda m, x: x[:1].squeeze(dim=0),
    lambda m, x: m.squeeze(input=x[:, :1], dim=1),
    lambda m, x: x.unsqueeze(dim=1),
    lambda m, x: m.unsqueeze(input=x, dim=-1),
    lambda m, x: x[:1].clone().squeeze_(dim=0),
    lambda m, x: x.clone().unsqueeze_(dim=0),
    lambda m, x: x.clone().transpose_(dim0=0, dim1=1),
    lambda m, x: x.flip(dims=(0, 2)),
    lambda m, x: x.tile(dims=(2,)),
    lambda m, x: m.tile(input=x, dims=(1, 2, 1, 1)),
]


@pytest.mark.parametrize('call', SHAPE_KEYWORD_CALLS)
def test_shape_keywords(call):
    ours, theirs = call(ember, ember.arange(24.).reshape(2, 3, 4)), call(torch, torch.arange(24.).reshape(2, 3, 4))
    same_tensor(ours, theirs)
    assert ours.stride() == theirs.stride()


@pytest.mark.parametrize('call', [
    lambda m, x: x.view(2, 12, size=(2, 12)),   # the shape twice
    lambda m, x: x.reshape(6, 4, shape=(6, 4)),
    lambda m, x: x.reshape(shape=24),           # an int where a tuple is expected
    lambda m, x: x.view(size=24),
    lambda m, x: x.permute(0, 1, 2, dims=(0, 1, 2)),
])
def test_shape_keyword_errors(call):
    with pytest.raises(TypeError):
        call(torch, torch.arange(24.).reshape(2, 3, 4))
    with pytest.raises(TypeError):
        call(ember, ember.arange(24.).reshape(2, 3, 4))


# ---- backend switches -----------------------------------------------------------------------------
def test_backend_switches_match_a_cpu_build():
    for name in ('enabled', 'benchmark', 'deterministic', 'allow_tf32'):
        assert getattr(ember.backends.cudnn, name) == getattr(torch.backends.cudnn, name), name
    assert ember.backends.cudnn.is_available() is torch.backends.cudnn.is_available() is False
    assert ember.backends.cudnn.version() is torch.backends.cudnn.version()
    assert ember.backends.mps.is_available() is torch.backends.mps.is_available() is False
    assert ember.backends.mps.is_built() is torch.backends.mps.is_built()


def test_seeding_code_runs(monkeypatch):
    monkeypatch.setattr(ember.backends.cudnn, 'deterministic', ember.backends.cudnn.deterministic)
    monkeypatch.setattr(ember.backends.cudnn, 'benchmark', ember.backends.cudnn.benchmark)
    ember.backends.cudnn.deterministic = True
    ember.backends.cudnn.benchmark = False
    assert ember.backends.cudnn.deterministic is True
    try:
        for m in (ember, torch):
            assert m.are_deterministic_algorithms_enabled() is False
            m.use_deterministic_algorithms(True, warn_only=True)
            assert m.are_deterministic_algorithms_enabled() is True
            assert m.is_deterministic_algorithms_warn_only_enabled() is True
            m.use_deterministic_algorithms(False)
            assert (m.are_deterministic_algorithms_enabled(), m.is_deterministic_algorithms_warn_only_enabled()) == (False, False)
            with pytest.raises(TypeError):
                m.use_deterministic_algorithms(1)
    finally:
        ember.use_deterministic_algorithms(False)
        torch.use_deterministic_algorithms(False)


# ---- a Python complex operand ----------------------------------------------------------------------
@pytest.mark.parametrize('expression', [
    lambda m: m.tensor([1., 2.]) + 1j,
    lambda m: 1j * m.tensor([1., 2.]),
    lambda m: m.tensor([1., 2.], dtype=m.float64) - (1 + 2j),
    lambda m: 2j - m.tensor([1, 2]),
    lambda m: m.tensor([True, False]) * 1j,
    lambda m: m.tensor(3.) / 1j,
    lambda m: m.tensor([1 + 1j]) + 1j,
])
def test_python_complex_scalar(expression):
    same_tensor(expression(ember), expression(torch))


# ---- sigmoid at the extremes -------------------------------------------------------------------------
EXTREMES = [-1000., -746., -745., -710., -709.8, -709., -708., -200., -104., -103.9, -100., -88.8, -88.72, -88.7,
            -87.4, -80., -17., -10., 0., 10., 16.7, 17., 37., 40., 88.7, 100., 710., float('inf'), -float('inf')]


@pytest.mark.parametrize('dtype', ['float32', 'float64', 'float16'])
def test_sigmoid_extremes_match_torch(dtype):
    values = [v for v in EXTREMES if dtype != 'float16' or abs(v) < 6e4]
    one_by_one = [ember.sigmoid(ember.tensor([v], dtype=getattr(ember, dtype))).item() for v in values]
    theirs = [torch.sigmoid(torch.tensor([v], dtype=getattr(torch, dtype))).item() for v in values]
    assert one_by_one == theirs
    assert str(ember.sigmoid(ember.tensor([-100.]))) == str(torch.sigmoid(torch.tensor([-100.])))  # 0., not 3.78e-44


# ---- tril_indices / triu_indices ---------------------------------------------------------------------
@pytest.mark.parametrize('name', ['tril_indices', 'triu_indices'])
@pytest.mark.parametrize('args', [(3, 3), (3, 3, 1), (3, 3, -1), (4, 2), (2, 5, 2), (0, 3), (3, 0), (3, 3, 10), (3, 3, -10)])
def test_triangle_indices(name, args):
    same_tensor(getattr(ember, name)(*args), getattr(torch, name)(*args))
    same_tensor(getattr(ember, name)(*args, dtype=ember.int32), getattr(torch, name)(*args, dtype=torch.int32))


@pytest.mark.parametrize('call,error', [
    (lambda m: m.tril_indices(3, 3, dtype=m.float32), NotImplementedError),
    (lambda m: m.triu_indices(-1, 3), RuntimeError),
    (lambda m: m.tril_indices(3, -1), RuntimeError),
])
def test_triangle_indices_errors(call, error):
    with pytest.raises(error) as theirs:
        call(torch)
    with pytest.raises(error) as ours:
        call(ember)
    assert str(ours.value) == str(theirs.value)


# ---- memory formats ---------------------------------------------------------------------------------
FORMATS = ['contiguous_format', 'preserve_format', 'channels_last', 'channels_last_3d']


def test_memory_formats_are_named_as_in_pytorch():
    for name in FORMATS:
        ours, theirs = getattr(ember, name), getattr(torch, name)
        assert repr(ours) == repr(theirs).replace('torch.', 'ember.') == str(ours)
        assert isinstance(ours, ember.memory_format) and pickle.loads(pickle.dumps(ours)) is ours
    assert str(type(ember.channels_last)) == str(type(torch.channels_last)).replace('torch.', 'ember.')


def _nchw(m):
    return m.arange(120.).reshape(2, 3, 4, 5)


# each call gives a tensor (compared by value, dtype and strides) or a bool
LAYOUT_CALLS = [
    lambda m: _nchw(m).contiguous(memory_format=m.channels_last),
    lambda m: _nchw(m).contiguous(memory_format=m.contiguous_format),
    lambda m: _nchw(m).contiguous(memory_format=m.preserve_format),
    lambda m: _nchw(m).contiguous(memory_format=m.channels_last).contiguous(),
    lambda m: m.arange(240.).reshape(2, 3, 4, 5, 2).contiguous(memory_format=m.channels_last_3d),
    lambda m: m.ones(3, 2, 1, 1).contiguous(memory_format=m.channels_last),  # already channels-last too
    lambda m: _nchw(m).is_contiguous(memory_format=m.channels_last),
    lambda m: _nchw(m).contiguous(memory_format=m.channels_last).is_contiguous(memory_format=m.channels_last),
    lambda m: _nchw(m).contiguous(memory_format=m.channels_last).is_contiguous(),
    lambda m: _nchw(m).is_contiguous(memory_format=m.preserve_format),
    lambda m: _nchw(m).is_contiguous(memory_format=m.channels_last_3d),
    lambda m: m.ones(2, 3).is_contiguous(memory_format=m.channels_last),
    lambda m: m.ones(1, 1, 3, 1).is_contiguous(memory_format=m.channels_last),
    lambda m: _nchw(m).to(memory_format=m.channels_last),
    lambda m: _nchw(m).to(m.float64, memory_format=m.channels_last),
    lambda m: _nchw(m).contiguous(memory_format=m.channels_last).to(m.float64),  # preserves
    lambda m: _nchw(m).contiguous(memory_format=m.channels_last).to(memory_format=m.contiguous_format),
    lambda m: m.ones(3, 2, 1, 1).to(memory_format=m.channels_last),  # restrided: strides suggest contiguous
    lambda m: _nchw(m).float(memory_format=m.channels_last),
    lambda m: _nchw(m).double(memory_format=m.channels_last),
    lambda m: _nchw(m).clone(memory_format=m.channels_last),
    lambda m: _nchw(m).contiguous(memory_format=m.channels_last).clone(),
    lambda m: _nchw(m).contiguous(memory_format=m.channels_last).clone(memory_format=m.contiguous_format),
    lambda m: m.arange(6.).reshape(2, 3).t().clone(),  # preserve_format keeps the transposed layout
    lambda m: m.empty_like(_nchw(m), memory_format=m.channels_last).stride(),
    lambda m: m.empty_like(_nchw(m).contiguous(memory_format=m.channels_last)).stride(),
    lambda m: m.zeros_like(_nchw(m), memory_format=m.channels_last),
    lambda m: m.ones_like(_nchw(m).contiguous(memory_format=m.channels_last), memory_format=m.contiguous_format),
    lambda m: m.full_like(_nchw(m), 2.5, memory_format=m.channels_last),
    lambda m: m.empty(2, 3, 4, 5, memory_format=m.channels_last).stride(),
    lambda m: m.empty(1, 1, 3, 1, memory_format=m.channels_last).stride(),
    lambda m: m.empty((2, 3, 4, 5, 6), memory_format=m.channels_last_3d).stride(),
    lambda m: m.empty(2, 3, memory_format=m.contiguous_format).stride(),
]


@pytest.mark.parametrize('call', LAYOUT_CALLS)
def test_memory_format_layouts(call):
    ours, theirs = call(ember), call(torch)
    if isinstance(theirs, torch.Tensor):
        same_tensor(ours, theirs)
        assert ours.stride() == theirs.stride()
    else:
        assert ours == theirs


def test_random_like_samples_in_the_requested_layout():
    for sampler in ('rand_like', 'randn_like'):
        ember.manual_seed(0)
        torch.manual_seed(0)
        ours = getattr(ember, sampler)(_nchw(ember), memory_format=ember.channels_last)
        theirs = getattr(torch, sampler)(_nchw(torch), memory_format=torch.channels_last)
        assert ours.stride() == theirs.stride()
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)


@pytest.mark.parametrize('call', [
    lambda m: m.ones(2, 3).contiguous(memory_format=m.channels_last),
    lambda m: _nchw(m).contiguous(memory_format=m.channels_last_3d),
    lambda m: _nchw(m).transpose(0, 1).contiguous(memory_format=m.preserve_format),
    lambda m: m.ones(2, 3).to(memory_format=m.channels_last),
    lambda m: m.empty(2, 3, memory_format=m.channels_last),
    lambda m: m.empty(2, 3, memory_format=m.preserve_format),
    lambda m: m.empty_like(m.ones(2, 3), memory_format=m.channels_last),
    lambda m: _nchw(m).clone(memory_format=m.channels_last_3d),
    lambda m: _nchw(m).contiguous(memory_format=3),
    lambda m: _nchw(m).is_contiguous(memory_format='channels_last'),
    lambda m: m.empty_like(_nchw(m), memory_format=3),
])
def test_memory_format_errors(call):
    same_error(call)


def same_error(call):
    """call(ember) raises what call(torch) raises: the same exception type and message."""
    with pytest.raises(Exception) as theirs:
        call(torch)
    with pytest.raises(Exception) as ours:
        call(ember)
    assert ours.type is theirs.type
    assert str(ours.value) == str(theirs.value)


def test_module_to_channels_last():
    def converted(m):
        m.manual_seed(0)
        model = m.nn.Sequential(m.nn.Conv2d(2, 3, 3), m.nn.BatchNorm2d(3), m.nn.Linear(4, 2))
        model.to(memory_format=m.channels_last)
        return [(name, p.stride()) for name, p in model.named_parameters()], model[0].weight
    (ours, ours_weight), (theirs, theirs_weight) = converted(ember), converted(torch)
    assert ours == theirs
    np.testing.assert_array_equal(ours_weight.detach().numpy(), theirs_weight.detach().numpy())
    with pytest.raises(RuntimeError, match="required rank 4 tensor to use channels_last format"):
        ember.nn.Conv3d(1, 1, 1).to(memory_format=ember.channels_last)  # PyTorch refuses 5-d weights too
    with pytest.raises(RuntimeError, match="required rank 4 tensor to use channels_last format"):
        torch.nn.Conv3d(1, 1, 1).to(memory_format=torch.channels_last)


# ---- which check comes first: PyTorch's matmul reports a shape mismatch before a dtype mismatch -------
@pytest.mark.parametrize('call', [
    lambda m: m.matmul(m.ones(2, 3), m.ones(4, 5, dtype=m.float64)),
    lambda m: m.ones(2, 3) @ m.ones(4, 5, dtype=m.float64),
    lambda m: m.mm(m.ones(2, 3), m.ones(4, 5, dtype=m.float64)),
    lambda m: m.matmul(m.ones(3), m.ones(4, 5, dtype=m.float64)),
    lambda m: m.matmul(m.ones(5, 2, 2, 3), m.ones(4, 5)),
    lambda m: m.matmul(m.ones(2, 2, 3), m.ones(2, 4, 5, dtype=m.float64)),
    lambda m: m.matmul(m.ones(2, 3), m.ones(5, 2, 4, 5)),
    lambda m: m.matmul(m.ones(3), m.ones(2, 4, 5, dtype=m.float64)),
    lambda m: m.matmul(m.ones(2, 2, 3), m.ones(3, 3, 5, dtype=m.float64)),  # the batch dims first
    lambda m: m.matmul(m.ones(5, 2, 2, 3), m.ones(4)),
    lambda m: m.matmul(m.ones(2, 3), m.ones(4, dtype=m.float64)),
    lambda m: m.bmm(m.ones(2, 2, 3), m.ones(2, 4, 5, dtype=m.float64)),
    lambda m: m.matmul(m.ones(2, 3), m.ones(3, 5, dtype=m.float64)),  # shapes fit: the dtype error
    lambda m: m.dot(m.ones(3), m.ones(4, dtype=m.float64)),  # dot checks the dtypes first
    lambda m: m.matmul(m.ones(3), m.ones(4, dtype=m.float64)),
    lambda m: m.nn.functional.cross_entropy(m.zeros(2, 3), m.zeros(2, 3, dtype=m.int64)),
])
def test_error_messages_and_their_order(call):
    same_error(call)


PYTHON_TYPE_DTYPE_CALLS = [
    lambda lib: lib.zeros(2, dtype=float),
    lambda lib: lib.ones(2, 3, dtype=int),
    lambda lib: lib.full((2,), 1, dtype=bool),
    lambda lib: lib.arange(3, dtype=float),
    lambda lib: lib.tensor([1, 2], dtype=float),
    lambda lib: lib.ones(2).to(float),
    lambda lib: lib.ones(2).to(int),
    lambda lib: lib.ones(2).to(bool),
    lambda lib: lib.ones(2).to('cpu', float),
    lambda lib: lib.ones(2).to(dtype=float),
    lambda lib: lib.zeros(2, dtype=lib.float64).to(lib.ones(1)),
]


@pytest.mark.parametrize('call', PYTHON_TYPE_DTYPE_CALLS)
@pytest.mark.parametrize('default', ['float32', 'float64'])
def test_python_types_as_dtypes(call, default):
    # PyTorch reads Python's float as float64 (not the default dtype), int as int64, bool as bool
    for lib in (torch, ember):
        previous = lib.get_default_dtype()
        lib.set_default_dtype(getattr(lib, default))
        try:
            result = call(lib)
        finally:
            lib.set_default_dtype(previous)
        if lib is torch:
            expected = str(result.dtype)
        else:
            assert str(result.dtype).replace('ember.', 'torch.') == expected


LIST_OF_TENSORS_CALLS = [
    lambda lib: lib.tensor([lib.tensor(1.5, dtype=lib.float64), lib.tensor(2)]),
    lambda lib: lib.tensor([lib.tensor([[1]]), lib.tensor([[2]])]),
    lambda lib: lib.tensor([[lib.tensor(1.5)], [lib.tensor(2.5)]]),
    lambda lib: lib.tensor([lib.tensor(1.5), 2, 3.0]),
    lambda lib: lib.tensor([lib.ones(2), lib.ones(2)]),
    lambda lib: lib.tensor([lib.ones(0)]),
    lambda lib: lib.tensor([[lib.ones(1, 2)]]),
]


@pytest.mark.parametrize('call', LIST_OF_TENSORS_CALLS)
def test_tensor_from_a_list_of_tensors(call):
    # each tensor in the list is read as one number, so a multi-element one is an error (not a stack)
    outcomes = []
    for lib in (torch, ember):
        try:
            result = call(lib)
            outcomes.append((str(result.dtype).split('.')[-1], list(result.shape), result.tolist()))
        except Exception as error:  # noqa: BLE001 -- the type and message are what is compared
            outcomes.append((type(error).__name__, str(error)))
    assert outcomes[0] == outcomes[1]
