"""Tensor and torch.* API corners, each compared with PyTorch: NumPy's keyword spellings, the
top-level in-place functions, storages, legacy constructors and resizing, global settings,
torch.compile, and the checks made when creating tensors from Python numbers and NumPy arrays."""
import warnings

import numpy as np
import pytest
import torch

import ember


def both(fn):
    """`fn(lib)` with ember and with torch."""
    return fn(ember), fn(torch)


def same(a, b):
    """Equal values, dtype name and shape (tensors, or nested tuples/lists of them), or equal plain values."""
    if isinstance(b, torch.Tensor):
        assert isinstance(a, ember.Tensor), type(a)
        assert str(a.dtype).split('.')[-1] == str(b.dtype).split('.')[-1]
        assert tuple(a.shape) == tuple(b.shape)
        np.testing.assert_allclose(a.numpy(), b.detach().numpy(), rtol=1e-6)
    elif isinstance(b, (tuple, list)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            same(x, y)
    else:
        assert a == b


def same_error(fn, match_message=True):
    """Both libraries raise the same exception type (and message, by default)."""
    with pytest.raises(Exception) as theirs:
        fn(torch)
    with pytest.raises(type(theirs.value)) as ours:
        fn(ember)
    if match_message:
        assert str(ours.value) == str(theirs.value).split(' (Triggered internally')[0]


X = np.arange(12.0, dtype=np.float32).reshape(3, 4) % 5


def x_of(lib):
    return lib.tensor(X)


# ---- 1. axis= / keepdims= ----------------------------------------------------------------------
NUMPY_KEYWORD_CALLS = {
    'sum': lambda m, x: x.sum(axis=0, keepdims=True),
    'torch.sum': lambda m, x: m.sum(x, axis=1),
    'mean': lambda m, x: m.mean(x, axis=1, keepdims=True),
    'max': lambda m, x: tuple(x.max(axis=0)),
    'amax': lambda m, x: x.amax(axis=(0, 1)),
    'cat': lambda m, x: m.cat([x, x], axis=0),
    'stack': lambda m, x: m.stack([x, x], axis=1),
    'argmax': lambda m, x: x.argmax(axis=1),
    'std': lambda m, x: x.std(axis=0, keepdims=True),
    'var_mean': lambda m, x: m.var_mean(x, axis=0),
    'squeeze': lambda m, x: x[None].squeeze(axis=0),
    'unsqueeze': lambda m, x: x.unsqueeze(axis=0),
    'squeeze_': lambda m, x: x[None].clone().squeeze_(axis=0),
    'cumsum_': lambda m, x: x.clone().cumsum_(axis=1),
    'softmax': lambda m, x: x.softmax(axis=0),
    'log_softmax': lambda m, x: m.log_softmax(x, axis=1),
    'sort': lambda m, x: tuple(x.sort(axis=0)),
    'gather': lambda m, x: x.gather(axis=1, index=m.zeros(3, 1, dtype=m.long)),
    'index_select': lambda m, x: x.index_select(axis=0, index=m.tensor([2, 0])),
    'all': lambda m, x: x.all(axis=0),
    'chunk': lambda m, x: x.chunk(2, axis=1),
    'unbind': lambda m, x: x.unbind(axis=1),
    'prod': lambda m, x: x.prod(axis=0, keepdims=True),
    'size': lambda m, x: x.size(axis=1),
    'stride': lambda m, x: x.stride(axis=0),
}


@pytest.mark.parametrize('name', NUMPY_KEYWORD_CALLS)
def test_numpy_keywords(name):
    call = NUMPY_KEYWORD_CALLS[name]
    same(call(ember, x_of(ember)), call(torch, x_of(torch)))


@pytest.mark.parametrize('call', [
    lambda m, x: x.sum(0, axis=0),                 # the same argument twice
    lambda m, x: x.sum(dim=0, axis=0),
    lambda m, x: x.split(1, axis=0),               # PyTorch's Python functions take no aliases
    lambda m, x: m.norm(x, axis=0),
    lambda m, x: x.unflatten(axis=1, sizes=(2, 2)),
    lambda m, x: x.abs(axis=0),                    # an op without `dim`
    lambda m, x: x.roll(1, axis=0),                # `dims`, not `dim`
])
def test_numpy_keywords_refused_like_torch(call):
    same_error(lambda m: call(m, x_of(m)), match_message=False)


def test_numpy_keywords_bind_one_function():
    assert ember.sum is ember.Tensor.sum  # one wrapper per op
    assert ember.abs is ember._ops.elementwise.abs  # ops without `dim` are left alone


# ---- 2. top-level in-place functions and small Tensor methods -----------------------------------
@pytest.mark.parametrize('call', [
    lambda m, x: m.abs_(x - 2), lambda m, x: m.exp_(x / 4), lambda m, x: m.sqrt_(x), lambda m, x: m.round_(x / 3),
    lambda m, x: m.sigmoid_(x), lambda m, x: m.relu_(x - 2), lambda m, x: m.clamp_(x, 1, 3),
    lambda m, x: m.clamp_min_(x, 2), lambda m, x: m.clamp_max_(x, 2), lambda m, x: m.clip_(x, 1, 2),
    lambda m, x: m.zero_(x), lambda m, x: m.fill_(x, 7), lambda m, x: m.log_(x + 1), lambda m, x: m.tanh_(x),
    lambda m, x: m.detach(x), lambda m, x: m.detach_(x),
])
def test_top_level_inplace(call):
    same(call(ember, x_of(ember)), call(torch, x_of(torch)))


def test_top_level_inplace_returns_input():
    x = ember.ones(2)
    assert ember.zero_(x) is x and ember.abs_(x) is x and ember.clamp_(x, 0, 1) is x and ember.detach_(x) is x


@pytest.mark.parametrize('call', [
    lambda m: m.is_same_size(m.ones(2, 3), m.ones(2, 3)), lambda m: m.ones(2).is_same_size(m.ones(3)),
    lambda m: [m.is_signed(m.tensor([1], dtype=d)) for d in (m.uint8, m.bool, m.int8, m.float32)],
    lambda m: m.tensor([1.]).is_signed(), lambda m: m.is_inference(m.ones(1)), lambda m: m.ones(1).is_inference(),
    lambda m: m.tensor(0.).is_nonzero(), lambda m: m.is_nonzero(m.tensor([2])),
    lambda m: m.ones(2).get_device(), lambda m: m.get_device(m.ones(2)), lambda m: m.is_complex(m.ones(1)),
    lambda m: m.ones(2).bfloat16().float(), lambda m: m.ones(2).is_pinned(),
])
def test_small_methods(call):
    same(*both(call))


@pytest.mark.parametrize('call', [
    lambda m: m.tensor([]).is_nonzero(), lambda m: m.tensor([1, 2]).is_nonzero(), lambda m: bool(m.tensor([])),
    lambda m: m.ones(2).pin_memory(), lambda m: m.tensor([1.], pin_memory=True),
    lambda m: m.empty(2, pin_memory=True),
])
def test_small_method_errors(call):
    same_error(call)


def test_split_with_sizes_and_unsafe_splits():
    same(*both(lambda m: m.split_with_sizes(x_of(m), [1, 2], dim=0)))
    same(*both(lambda m: x_of(m).unsafe_chunk(2, 1)))
    same(*both(lambda m: m.unsafe_split_with_sizes(x_of(m), [3, 1], 1)))
    same_error(lambda m: x_of(m).split_with_sizes([1, 1]))
    same_error(lambda m: x_of(m).split_with_sizes(2))
    # unsafe pieces share memory but are not views, so in-place changes are allowed under autograd
    for m in (ember, torch):
        x = m.arange(4.0).requires_grad_()
        y = x * 1
        pieces = y.unsafe_split(2)
        assert pieces[0].data_ptr() == y.data_ptr() and pieces[0]._base is None
        pieces[0].mul_(2)
        assert type(pieces[1].grad_fn).__name__ == 'UnsafeSplitBackward0'
        with pytest.raises(RuntimeError):
            y.split(2)[0].mul_(2)


def test_new_empty_strided():
    same(*both(lambda m: x_of(m).new_empty_strided((2, 3), (1, 2)).stride()))
    same(*both(lambda m: x_of(m).new_empty_strided((2,), (1,), dtype=m.int32).dtype.itemsize))
    same(*both(lambda m: m.empty_strided((2, 3), (1, 2)).stride()))


# ---- legacy constructor, resize, set_ ------------------------------------------------------------
@pytest.mark.parametrize('call', [
    lambda m: x_of(m).new(), lambda m: x_of(m).new(2, 3).shape, lambda m: x_of(m).new([1, 2]),
    lambda m: x_of(m).new((1, 2)), lambda m: x_of(m).new(m.Size([2])).shape, lambda m: x_of(m).new(m.ones(2)),
    lambda m: m.tensor([1]).new([1.7, 2]), lambda m: x_of(m).new(np.array([1, 2])), lambda m: x_of(m).new(0),
    lambda m: m.ones(2, requires_grad=True).new([1.]).requires_grad, lambda m: m.Tensor(m.tensor([1, 2])),
    lambda m: m.Tensor(m.FloatStorage([1, 2])), lambda m: x_of(m).new(m.tensor([1., 2]).untyped_storage()),
])
def test_new(call):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        same(*both(call))


@pytest.mark.parametrize('call', [
    lambda m: x_of(m).new(m.tensor([1, 2])), lambda m: m.LongTensor(m.tensor([1., 2])),
    lambda m: x_of(m).new(1.5), lambda m: x_of(m).new(True), lambda m: x_of(m).new(-1),
    lambda m: x_of(m).new(2, [3]), lambda m: x_of(m).new(2, 3.0), lambda m: m.ByteTensor([300]),
    lambda m: m.Tensor(m.DoubleStorage([1, 2])), lambda m: x_of(m).new(np.arange(3.)[::-1]),
])
def test_new_errors(call):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        same_error(call, match_message=False)


def test_new_shares_storage():
    storage = ember.tensor([1., 2.]).untyped_storage()
    t = ember.ones(1).new(storage)
    assert t.data_ptr() == storage.data_ptr()


def test_resize_():
    for m in (ember, torch):
        x = m.arange(6.0)
        assert x.resize_(2, 3) is x
    results = []
    for m in (ember, torch):
        x = m.arange(6.0).reshape(2, 3)
        shrunk = x.resize_(2, 2).clone()
        kept = x.resize_([5])[:5].clone()  # still the first elements of the same memory
        grown = x.resize_(2, 4)
        results.append((shrunk, kept, grown.shape, grown[0]))
    same(results[0][:3], results[1][:3])
    same(results[0][3], results[1][3])
    same(*both(lambda m: m.arange(6.0).reshape(2, 3).t().resize_(6)))  # storage order, not logical order
    same(*both(lambda m: m.arange(6.0).resize_as_(m.ones(3, 2))))
    same(*both(lambda m: m.resize_as_(m.arange(6.0), m.ones(3)).shape))
    same_error(lambda m: m.zeros(2, requires_grad=True).resize_(3))
    same_error(lambda m: m.zeros(2).resize_(-1), match_message=False)


def test_resize_and_resize_as():
    for call in (lambda m: x_of(m).resize(4, 3), lambda m: x_of(m).t().resize(12),
                 lambda m: x_of(m).resize_as(m.ones(2, 6))):
        with pytest.warns(UserWarning, match='non-inplace resize'):
            ours = call(ember)
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            same(ours, call(torch))
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        same_error(lambda m: x_of(m).resize(5))
        x = ember.ones(2, 3, requires_grad=True)
        x.resize(3, 2).sum().backward()
        same(x.grad, torch.ones(2, 3))


def test_set_():
    for m in (ember, torch):
        source = m.arange(6.0)
        x = m.zeros(1)
        assert x.set_(source) is x and x.data_ptr() == source.data_ptr()
        x[0] = 9
        assert source[0] == 9
    same(*both(lambda m: m.zeros(1).set_()))
    same(*both(lambda m: m.zeros(1).set_(m.arange(6.0).untyped_storage(), 1, (2,), (2,))))
    same(*both(lambda m: m.zeros(1).set_(m.arange(6.0).untyped_storage())))
    same_error(lambda m: m.zeros(1, dtype=m.long).set_(m.ones(2)))
    same_error(lambda m: m.zeros(1, requires_grad=True).set_(m.ones(1)))


# ---- apply_ / map_ / map2_, share_memory_ ------------------------------------------------------------
@pytest.mark.parametrize('call', [
    lambda m: m.arange(4.0).apply_(lambda v: v * 2), lambda m: m.arange(3).apply_(lambda v: v + 0.7),
    lambda m: m.arange(6.0).reshape(2, 3).t().apply_(lambda v: v + 1),
    lambda m: m.arange(3.0).map_(m.ones(3), lambda a, b: a + b),
    lambda m: m.arange(6.0).reshape(2, 3).map_(m.ones(3), lambda a, b: a * 10 + b),
    lambda m: m.arange(3.0).map2_(m.ones(3), m.ones(3) * 2, lambda a, b, c: a + b * c),
    lambda m: m.arange(3).map_(m.ones(3, dtype=m.long), lambda a, b: type(a).__name__ == 'int'),
])
def test_apply_map(call):
    same(*both(call))


@pytest.mark.parametrize('call', [
    lambda m: m.ones(2, requires_grad=True).apply_(lambda v: v),
    lambda m: m.arange(3.0).map_(m.ones(3, dtype=m.long), lambda a, b: a),
    lambda m: m.ones(2).map2_(m.ones(2), m.ones(2, dtype=m.long), lambda a, b, c: a),
])
def test_apply_map_errors(call):
    with pytest.raises(Exception) as theirs:
        call(torch)
    with pytest.raises(type(theirs.value)) as ours:
        call(ember)
    assert str(ours.value).replace('ember.', 'torch.') == str(theirs.value)


def test_apply_returns_self():
    x = ember.ones(2)
    assert x.apply_(abs) is x and x.map_(x, max) is x


def test_share_memory():
    for m in (ember, torch):
        x = m.arange(6.0).reshape(2, 3)
        assert not x.is_shared()
        assert x.share_memory_() is x
        assert x.is_shared() and x.view(6).is_shared() and x.storage().is_shared()
        assert not x.clone().is_shared()


# ---- register_post_accumulate_grad_hook --------------------------------------------------------------
def test_post_accumulate_grad_hook():
    logs = []
    for m in (ember, torch):
        w = m.ones(2, requires_grad=True)
        log = []
        handle = w.register_post_accumulate_grad_hook(lambda p: log.append(('post', p is w, p.grad.tolist())))
        w.register_hook(lambda g: log.append(('pre', g.tolist())))
        (w * 3).sum().backward()
        (w * 3).sum().backward()
        handle.remove()
        (w * 3).sum().backward()
        m.autograd.grad((w * 2).sum(), w)  # no .grad is accumulated: no post-accumulate hook
        logs.append(log)
    assert logs[0] == logs[1]
    same_error(lambda m: (m.ones(2, requires_grad=True) * 2).register_post_accumulate_grad_hook(print))
    same_error(lambda m: m.ones(2).register_post_accumulate_grad_hook(print))


def test_post_accumulate_grad_hook_steps_optimizer():
    """PyTorch's documented use: an optimizer step per parameter as soon as its gradient is ready."""
    results = []
    for m in (ember, torch):
        w = m.tensor([1.0, 2.0], requires_grad=True)

        def step(p):
            with m.no_grad():
                p -= 0.1 * p.grad
            p.grad = None
        w.register_post_accumulate_grad_hook(step)
        (w ** 2).sum().backward()
        results.append(w.detach().clone())
    same(*results)


# ---- storages ------------------------------------------------------------------------------------------
def _quiet(fn):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        return fn()


@pytest.mark.parametrize('call', [
    lambda m: str(x_of(m).storage()), lambda m: str(x_of(m).untyped_storage()),
    lambda m: str(m.tensor([True, False]).storage()), lambda m: str(m.tensor([]).storage()),
    lambda m: str(m.tensor([1, 2]).storage()), lambda m: str(m.tensor([1 + 2j]).storage()),
    lambda m: str(m.FloatStorage([1, 2, 3])), lambda m: str(m.UntypedStorage([1, 2, 300])),
    lambda m: str(m.TypedStorage([1, 2], dtype=m.float64)), lambda m: str(m.TypedStorage()),
    lambda m: str(m.LongStorage([1, 2]).float()),
])
def test_storage_repr(call):
    ours, theirs = _quiet(lambda: call(ember)), _quiet(lambda: call(torch))
    assert ours == theirs.replace('torch.', 'ember.')


@pytest.mark.parametrize('call', [
    lambda m: (lambda s: (s.size(), len(s), s.nbytes(), s.element_size(), s.is_shared(), s.is_pinned()))(
        x_of(m).storage()),
    lambda m: x_of(m).storage().tolist(), lambda m: (x_of(m).storage()[0], x_of(m).storage()[-1]),
    lambda m: x_of(m).untyped_storage().tolist(), lambda m: x_of(m).untyped_storage()[5],
    lambda m: x_of(m).untyped_storage()[4:8].tolist(), lambda m: x_of(m)[1:].untyped_storage().nbytes(),
    lambda m: list(iter(m.FloatStorage([1, 2]))), lambda m: m.FloatStorage(3).size(),
    lambda m: m.UntypedStorage(3).size(), lambda m: m.FloatStorage(12).copy_(x_of(m).storage()).tolist(),
    lambda m: [isinstance(m.ones(1).storage(), t) for t in (m.FloatStorage, m.DoubleStorage, m.TypedStorage)],
    lambda m: x_of(m).storage_type().__name__, lambda m: m.ones(1, dtype=m.long).storage_type().__name__,
    lambda m: [m.is_storage(s) for s in (x_of(m).storage(), x_of(m).untyped_storage(), x_of(m))],
    lambda m: (x_of(m).storage().dtype.itemsize, x_of(m).untyped_storage().element_size()),
    lambda m: x_of(m).storage().type(),
])
def test_storage_basics(call):
    ours, theirs = _quiet(lambda: call(ember)), _quiet(lambda: call(torch))
    assert ours == (theirs.replace('torch.', 'ember.') if isinstance(theirs, str) else theirs)


@pytest.mark.parametrize('call', [
    lambda m: m.ones(2).storage()[0:1], lambda m: m.Tensor(m.DoubleStorage([1.])),
])
def test_storage_errors(call):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        same_error(call)


def test_storage_is_shared_by_views():
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        x = ember.arange(6.0).reshape(2, 3)
        s = x.storage()
        assert x.view(6).storage().data_ptr() == s.data_ptr() == x[1].storage().data_ptr()
        assert x.t().untyped_storage() == x.untyped_storage()
        assert x.clone().storage().data_ptr() != s.data_ptr()
        assert s.untyped() is s._untyped_storage
        s[0] = 10.0  # writes go to the tensor's memory
        assert x[0, 0].item() == 10.0
        assert s.fill_(1.0) is s and x.tolist() == [[1.0] * 3] * 2
        assert ember.from_numpy(x.numpy()).untyped_storage() == x.untyped_storage()


def test_typed_storage_warns_once():
    from ember import _warnings  # forget an earlier test's warning: this one starts the process's "once"
    _warnings._given_once = {m for m in _warnings._given_once if not m.startswith('TypedStorage is deprecated')}
    with pytest.warns(UserWarning, match='TypedStorage is deprecated'):
        ember.ones(1).storage()
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        ember.ones(1).storage()  # once per process ...
        ember.set_warn_always(True)
        try:
            with pytest.raises(UserWarning):
                ember.ones(1).storage()  # ... unless warnings are always on
        finally:
            ember.set_warn_always(False)


# ---- 3. global settings ----------------------------------------------------------------------------------
def test_default_device():
    try:
        same(*both(lambda m: str(m.get_default_device())))
        for m in (ember, torch):
            m.set_default_device('cpu')
        same(*both(lambda m: (str(m.get_default_device()), m.zeros(1).device.type)))
        for m in (ember, torch):
            m.set_default_device('cuda')  # accepted, as by a CPU build; refused when used
        same_error(lambda m: m.get_default_device())
        same_error(lambda m: m.zeros(1))
        same_error(lambda m: m.tensor([1.0]))
        same(*both(lambda m: m.tensor([1.0], device='cpu')))
    finally:
        for m in (ember, torch):
            m.set_default_device(None)
    same(*both(lambda m: str(m.get_default_device())))
    same_error(lambda m: m.set_default_device('blah'), match_message=False)


def test_settings():
    try:
        same(*both(lambda m: m.get_float32_matmul_precision()))
        same(*both(lambda m: (m.set_float32_matmul_precision('high'), m.get_float32_matmul_precision())))
        for m in (ember, torch):
            with pytest.warns(UserWarning):
                m.set_float32_matmul_precision('ultra')
        same(*both(lambda m: m.get_float32_matmul_precision()))
    finally:
        for m in (ember, torch):
            m.set_float32_matmul_precision('highest')
    assert isinstance(ember.set_flush_denormal(True), bool)
    assert isinstance(ember.get_num_interop_threads(), int) and ember.get_num_interop_threads() > 0
    ember.set_num_interop_threads(ember.get_num_interop_threads())
    same_error(lambda m: m.set_num_interop_threads(0))
    same(*both(lambda m: (m.is_warn_always_enabled(), m.set_warn_always(True), m.is_warn_always_enabled(),
                          m.set_warn_always(False), m.is_warn_always_enabled())))


@pytest.mark.parametrize('mode', ['default', 'warn', 'error', 0, 1, 2])
def test_deterministic_debug_mode(mode):
    try:
        same(*both(lambda m: (m.set_deterministic_debug_mode(mode), m.get_deterministic_debug_mode(),
                              m.are_deterministic_algorithms_enabled(),
                              m.is_deterministic_algorithms_warn_only_enabled())))
    finally:
        for m in (ember, torch):
            m.set_deterministic_debug_mode(0)


@pytest.mark.parametrize('mode', ['x', 3, 1.0])
def test_deterministic_debug_mode_errors(mode):
    same_error(lambda m: m.set_deterministic_debug_mode(mode))


def test_set_default_tensor_type():
    try:
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            same(*both(lambda m: (m.set_default_tensor_type(m.DoubleTensor), m.tensor([1.0]).dtype.itemsize,
                                  m.get_default_dtype().itemsize)))
            same(*both(lambda m: (m.set_default_tensor_type('torch.FloatTensor'), m.get_default_dtype().itemsize)))
            for t in (lambda m: m.LongTensor, lambda m: m.float64, lambda m: 'torch.cuda.FloatTensor'):
                same_error(lambda m: m.set_default_tensor_type(t(m)))
        with pytest.warns(UserWarning, match='deprecated'):
            ember.set_default_tensor_type(ember.FloatTensor)
    finally:
        for m in (ember, torch):
            m.set_default_dtype(m.float32)


# ---- torch.compile ---------------------------------------------------------------------------------------
def test_compile_module():
    model = ember.nn.Linear(2, 3)
    compiled = ember.compile(model)
    assert type(compiled).__name__ == 'OptimizedModule' and compiled._orig_mod is model
    assert list(compiled.state_dict()) == list(torch.compile(torch.nn.Linear(2, 3)).state_dict())
    assert compiled.weight is model.weight and compiled.in_features == 2
    x = ember.ones(4, 2)
    np.testing.assert_array_equal(compiled(x).detach().numpy(), model(x).detach().numpy())
    compiled.eval()
    assert not model.training


def test_compile_function_and_decorator():
    def double(x):
        return x * 2
    compiled = ember.compile(double)
    assert compiled.__name__ == 'double' and compiled(ember.ones(1)).item() == 2

    @ember.compile
    def plain(x):
        return x + 1

    @ember.compile(mode='reduce-overhead', fullgraph=True)
    def configured(x):
        return x + 2
    assert plain(1) == 2 and configured(1) == 3 and configured.__name__ == 'configured'
    same_error(lambda m: m.compile(lambda x: x, mode='x'))
    same_error(lambda m: m.compile(lambda x: x, mode='default', options={'a': 1}))
    same_error(lambda m: m.compile(3))
    assert ember.compiler.is_compiling() is False and ember.compiler.reset() is None


# ---- 4. creating tensors: overflow and negative strides ----------------------------------------------------
@pytest.mark.parametrize('value, dtype', [
    (300, 'uint8'), (-1, 'uint8'), (-255, 'uint8'), (-256, 'uint8'), (255.5, 'uint8'), (-0.5, 'uint8'),
    (float('nan'), 'uint8'), (float('inf'), 'int8'), (128, 'int8'), (-128, 'int8'), (127.9, 'int8'),
    (2 ** 31, 'int32'), (-2 ** 31, 'int32'), (40000, 'int16'), (2 ** 63, 'int64'), (2 ** 64, 'int64'),
    (2 ** 70, 'float32'), (2, 'bool'), (1e300, 'float32'), (True, 'uint8'),
])
def test_python_number_overflow(value, dtype):
    for make in (lambda m: m.tensor([value], dtype=getattr(m, dtype)),
                 lambda m: m.tensor([[1], [value]], dtype=getattr(m, dtype)),
                 lambda m: m.as_tensor([value], dtype=getattr(m, dtype))):
        try:
            expected = make(torch)
        except Exception as error:
            with pytest.raises(type(error), match=str(error)[:30].replace('(', r'\(')):
                make(ember)
        else:
            same(make(ember), expected)


@pytest.mark.parametrize('make', [
    lambda m: m.tensor([2 ** 63]), lambda m: m.tensor(np.int64(300), dtype=m.uint8),
    lambda m: m.tensor([np.uint8(200)], dtype=m.int8), lambda m: m.tensor([np.float64(300.0)], dtype=m.uint8),
    lambda m: m.ByteTensor([300]), lambda m: m.zeros(1, dtype=m.uint8).new_tensor([300]),
])
def test_python_number_overflow_other_paths(make):
    same_error(make)


def test_numpy_arrays_wrap_like_torch():
    same(*both(lambda m: m.tensor(np.array([300]), dtype=m.uint8)))
    same(*both(lambda m: m.tensor(np.array(300), dtype=m.uint8)))


@pytest.mark.parametrize('make', [
    lambda m, a: m.from_numpy(a), lambda m, a: m.as_tensor(a), lambda m, a: m.tensor(a), lambda m, a: m.asarray(a),
    lambda m, a: m.as_tensor(a, dtype=m.float32), lambda m, a: m.Tensor(a),
])
@pytest.mark.parametrize('array', [np.arange(6.0)[::-1], np.ones((2, 3))[:, ::-1], np.ones(1)[::-1]])
def test_negative_strides(make, array):
    same_error(lambda m: make(m, array))


def test_zero_and_positive_strides_are_fine():
    same(*both(lambda m: m.from_numpy(np.ones(0)[::-1])))
    same(*both(lambda m: m.from_numpy(np.ones((4, 3))[::2, 1:]).stride()))


def test_vision_flips_pass_no_negative_strides():
    from ember.vision import transforms
    image = ember.rand(3, 4, 5)
    flipped = transforms.functional.hflip(image)
    assert flipped.tolist() == image.flip(-1).tolist()
    assert transforms.functional.to_tensor(np.ascontiguousarray(np.ones((4, 5, 3), np.uint8)[:, ::-1])).shape == \
        (3, 4, 5)


# ---- frombuffer ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize('call', [
    lambda m, b: m.frombuffer(b, dtype=m.float32), lambda m, b: m.frombuffer(b, dtype=m.float32, count=2, offset=4),
    lambda m, b: m.frombuffer(b, dtype=m.int16, count=-1, offset=2), lambda m, b: m.frombuffer(b, dtype=m.uint8),
    lambda m, b: m.frombuffer(b, dtype=m.float32, requires_grad=True).requires_grad,
])
def test_frombuffer(call):
    data = np.arange(4, dtype=np.float32).tobytes()
    same(call(ember, bytearray(data)), call(torch, bytearray(data)))


@pytest.mark.parametrize('call', [
    lambda m, b: m.frombuffer(b, dtype=m.float32, offset=1), lambda m, b: m.frombuffer(b, dtype=m.float32, count=5),
    lambda m, b: m.frombuffer(bytearray(), dtype=m.int32), lambda m, b: m.frombuffer(b, dtype=m.float32, offset=16),
    lambda m, b: m.frombuffer(b, dtype=m.float32, count=0), lambda m, b: m.frombuffer(b, dtype=m.float32, offset=-1),
    lambda m, b: m.frombuffer([1, 2], dtype=m.int32),
])
def test_frombuffer_errors(call):
    same_error(lambda m: call(m, bytearray(16)))


def test_frombuffer_shares_memory():
    buffer = bytearray(np.arange(4, dtype=np.float32).tobytes())
    t = ember.frombuffer(buffer, dtype=ember.float32)
    buffer[0:4] = np.float32(9).tobytes()
    assert t[0].item() == 9.0
