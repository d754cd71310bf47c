"""nn.Module, Parameter, containers and the first layers, compared with PyTorch.

Each test builds the same thing in ember and torch (a builder taking the library `m`), copies the
weights across, and compares what a user sees: outputs, gradients, reprs, names, state_dict keys,
error types and messages, hook calls and their arguments.
"""
import copy
import pickle
from collections import OrderedDict

import numpy as np
import pytest
import torch

import ember


def _text(s):
    """Reprs name the library ('ember.float32', 'ember.Size'); compare them as torch's."""
    return str(s).replace('ember.', 'torch.')


def _np(t):
    return t.detach().numpy() if hasattr(t, 'detach') else np.asarray(t)


def copy_weights(src_torch, dst_ember):
    """Give the ember module the torch module's parameters and buffers (same names required)."""
    src = src_torch.state_dict()
    dst = dst_ember.state_dict()
    assert list(src) == list(dst)
    dst_ember.load_state_dict({k: ember.tensor(v.numpy()) for k, v in src.items()})


def assert_close(e, t, **kw):
    np.testing.assert_allclose(_np(e), _np(t), rtol=kw.get('rtol', 1e-5), atol=kw.get('atol', 1e-6))


def _raises_same(fn):
    """Run fn(torch) and fn(ember); both must raise the same exception type and message."""
    with pytest.raises(Exception) as expected:
        fn(torch)
    with pytest.raises(type(expected.value)) as got:
        fn(ember)
    assert _text(got.value) == _text(expected.value)


# ---- a model that uses every container ------------------------------------------------------------
def build_net(m):
    nn = m.nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.features = nn.Sequential(nn.Linear(4, 6), nn.ReLU(), nn.Linear(6, 6), nn.Tanh())
            self.heads = nn.ModuleList([nn.Linear(6, 2), nn.Linear(6, 2), nn.Linear(6, 3)])
            self.named = nn.ModuleDict(OrderedDict([('act', nn.Sigmoid()), ('soft', nn.Softmax(dim=1))]))
            self.scale = nn.Parameter(m.ones(3))
            self.plist = nn.ParameterList([nn.Parameter(m.zeros(2, 3)), nn.Parameter(m.ones(1))])
            self.pdict = nn.ParameterDict({'b': nn.Parameter(m.zeros(2)), 'a': nn.Parameter(m.ones(4, 1))})
            self.register_buffer('running', m.zeros(3))
            self.register_buffer('scratch', m.zeros(2), persistent=False)
            self.flat = nn.Flatten()
            self.unflat = nn.Unflatten(1, (2, 3))
            self.bil = nn.Bilinear(3, 2, 4)
            self.logsm = nn.LogSoftmax(dim=-1)
            self.ident = nn.Identity(54, unused='x')
            self.nobias = nn.Linear(3, 2, bias=False)

        def forward(self, x):
            h = self.features(x)
            out = self.heads[2](h) * self.scale
            out = self.named['act'](out) + self.named['soft'](out)
            return self.logsm(self.bil(self.ident(out), self.heads[0](h)))

    return Net()


def test_repr_matches_torch():
    assert _text(repr(build_net(ember))) == repr(build_net(torch))


def test_repr_of_repeated_modules_in_module_list():
    def build(m):
        return m.nn.ModuleList([m.nn.Linear(2, 2), m.nn.Linear(2, 2), m.nn.ReLU(), m.nn.Linear(2, 2)])
    assert repr(build(ember)) == repr(build(torch))
    assert repr(ember.nn.ModuleList()) == repr(torch.nn.ModuleList())
    assert repr(ember.nn.Sequential()) == repr(torch.nn.Sequential())
    assert repr(ember.nn.ReLU(inplace=True)) == repr(torch.nn.ReLU(inplace=True))
    assert repr(ember.nn.Softmax()) == repr(torch.nn.Softmax())


def test_names_keys_and_members_match_torch():
    e, t = build_net(ember), build_net(torch)
    for method in ('named_parameters', 'named_buffers', 'named_children', 'named_modules'):
        assert [n for n, _ in getattr(e, method)()] == [n for n, _ in getattr(t, method)()], method
    assert [n for n, _ in e.named_parameters(prefix='net', recurse=False)] == \
        [n for n, _ in t.named_parameters(prefix='net', recurse=False)]
    assert list(e.state_dict()) == list(t.state_dict())
    assert [tuple(p.shape) for p in e.parameters()] == [tuple(p.shape) for p in t.parameters()]
    assert len(list(e.modules())) == len(list(t.modules()))
    assert [type(c).__name__ for c in e.children()] == [type(c).__name__ for c in t.children()]
    assert 'features' in dir(e) and 'scale' in dir(e) and 'running' in dir(e)


def test_forward_and_gradients_match_torch():
    e, t = build_net(ember), build_net(torch)
    copy_weights(t, e)
    x = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)
    ye, yt = e(ember.tensor(x)), t(torch.tensor(x))
    assert_close(ye, yt)
    ye.sum().backward()
    yt.sum().backward()
    for (name, pe), (_, pt) in zip(e.named_parameters(), t.named_parameters()):
        if pt.grad is None:
            assert pe.grad is None, name
        else:
            assert_close(pe.grad, pt.grad, atol=1e-5)


@pytest.mark.parametrize('shape', [(4,), (3, 4), (2, 3, 4), (0, 4)])
@pytest.mark.parametrize('bias', [True, False])
def test_linear_matches_torch(shape, bias):
    t = torch.nn.Linear(4, 3, bias=bias)
    e = ember.nn.Linear(4, 3, bias=bias)
    copy_weights(t, e)
    x = np.random.default_rng(1).standard_normal(shape).astype(np.float32)
    xt = torch.tensor(x, requires_grad=True)
    xe = ember.tensor(x, requires_grad=True)
    ye, yt = e(xe), t(xt)
    assert ye.shape == yt.shape and ye.dtype == ember.float32
    assert_close(ye, yt)
    (yt * yt).sum().backward()
    (ye * ye).sum().backward()
    assert_close(xe.grad, xt.grad)
    assert_close(e.weight.grad, t.weight.grad, atol=1e-5)


def test_linear_grad_fn_is_addmm_for_matrices():
    y = ember.nn.Linear(2, 3)(ember.ones(4, 2))
    assert type(y.grad_fn).__name__ == type(torch.nn.Linear(2, 3)(torch.ones(4, 2)).grad_fn).__name__


def test_bilinear_flatten_unflatten_match_torch():
    t, e = torch.nn.Bilinear(3, 2, 4), ember.nn.Bilinear(3, 2, 4)
    copy_weights(t, e)
    rng = np.random.default_rng(2)
    a, b = rng.standard_normal((2, 5, 3)).astype(np.float32), rng.standard_normal((2, 5, 2)).astype(np.float32)
    assert_close(e(ember.tensor(a), ember.tensor(b)), t(torch.tensor(a), torch.tensor(b)))
    x = rng.standard_normal((2, 3, 4, 5)).astype(np.float32)
    for args in [(), (0, 2), (2,), (1, -2)]:
        assert_close(ember.nn.Flatten(*args)(ember.tensor(x)), torch.nn.Flatten(*args)(torch.tensor(x)))
    ye = ember.nn.Unflatten(1, (1, 3))(ember.tensor(x))
    assert ye.shape == torch.nn.Unflatten(1, (1, 3))(torch.tensor(x)).shape
    _raises_same(lambda m: m.nn.Bilinear(3, 2, 4)(m.ones(5, 2), m.ones(5, 2)))


@pytest.mark.parametrize('name, kwargs', [('ReLU', {}), ('Sigmoid', {}), ('Tanh', {}), ('Softmax', {'dim': 1}),
                                          ('LogSoftmax', {'dim': 0}), ('Softmax', {'dim': -1})])
def test_activations_match_torch(name, kwargs):
    x = np.random.default_rng(3).standard_normal((3, 4)).astype(np.float32) * 3
    xe, xt = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ye, yt = getattr(ember.nn, name)(**kwargs)(xe), getattr(torch.nn, name)(**kwargs)(xt)
    assert_close(ye, yt)
    w = np.arange(12, dtype=np.float32).reshape(3, 4)
    (ye * ember.tensor(w)).sum().backward()
    (yt * torch.tensor(w)).sum().backward()
    assert_close(xe.grad, xt.grad, atol=1e-5)


def test_softmax_without_dim_warns_and_picks_torch_dim():
    x = np.random.default_rng(4).standard_normal((2, 3, 4)).astype(np.float32)
    with pytest.warns(UserWarning, match='Implicit dimension choice for softmax'):
        ye = ember.nn.functional.softmax(ember.tensor(x))
    with pytest.warns(UserWarning):
        yt = torch.nn.functional.softmax(torch.tensor(x))
    assert_close(ye, yt)


# ---- state_dict ----------------------------------------------------------------------------------------
def test_state_dict_round_trip_and_sharing():
    e = build_net(ember)
    sd = e.state_dict()
    assert 'scratch' not in sd and 'running' in sd
    assert not sd['features.0.weight'].requires_grad
    assert sd['features.0.weight'].data_ptr() == e.features[0].weight.data_ptr()
    assert e.state_dict(keep_vars=True)['scale'] is e.scale
    assert hasattr(sd, '_metadata') and sd._metadata['features.0'] == {'version': 1}
    other = build_net(ember)
    result = other.load_state_dict(sd)
    assert repr(result) == repr(torch.nn.Linear(1, 1).load_state_dict(torch.nn.Linear(1, 1).state_dict()))
    assert result.missing_keys == [] and result.unexpected_keys == []
    for (n, a), (_, b) in zip(e.state_dict().items(), other.state_dict().items()):
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=n)
    sd = OrderedDict(e.state_dict(prefix='model.'))
    assert next(iter(sd)) == 'model.scale'


def _load_errors(m, change):
    net = build_net(m)
    sd = net.state_dict()
    change(m, sd)
    net.load_state_dict(sd)


@pytest.mark.parametrize('change', [
    lambda m, sd: sd.pop('features.0.weight'),
    lambda m, sd: sd.update({'extra': m.zeros(1), 'features.9.weight': m.zeros(1)}),
    lambda m, sd: (sd.pop('running'), sd.update({'nope': m.zeros(1)})),
    lambda m, sd: sd.update({'features.0.bias': m.zeros(7), 'heads.1.weight': m.zeros(2, 5)}),
    lambda m, sd: sd.update({'scale': 3}),
], ids=['missing', 'unexpected', 'both', 'size_mismatch', 'not_tensor'])
def test_load_state_dict_errors_match_torch(change):
    _raises_same(lambda m: _load_errors(m, change))


def test_load_state_dict_not_strict_reports_keys():
    def load(m):
        net = m.nn.Sequential(m.nn.Linear(2, 2))
        return net.load_state_dict({'0.weight': m.zeros(2, 2), 'x.y': m.zeros(1)}, strict=False)
    e, t = load(ember), load(torch)
    assert (e.missing_keys, e.unexpected_keys) == (t.missing_keys, t.unexpected_keys)
    assert repr(e) == repr(t)


# ---- attribute registration and errors -----------------------------------------------------------------
@pytest.mark.parametrize('fn', [
    lambda m: setattr(m.nn.Linear(2, 2), 'weight', m.ones(2, 2)),
    lambda m: setattr(m.nn.Sequential(m.nn.ReLU()), '0', m.ones(1)),
    lambda m: m.nn.Linear(2, 2).register_parameter('w', m.ones(2)),
    lambda m: m.nn.Linear(2, 2).register_parameter('a.b', None),
    lambda m: m.nn.Linear(2, 2).register_parameter('', None),
    lambda m: m.nn.Linear(2, 2).register_buffer('weight', m.ones(2)),
    lambda m: m.nn.Linear(2, 2).register_buffer('b', 3),
    lambda m: m.nn.Linear(2, 2).add_module('x', 3),
    lambda m: m.nn.Linear(2, 2).add_module('a.b', m.nn.ReLU()),
    lambda m: m.nn.Linear(2, 2).register_parameter('p', m.nn.Parameter(m.ones(2)) * 2),
    lambda m: m.nn.Linear(2, 2).nothing,
    lambda m: m.nn.Sequential(m.nn.Linear(2, 2)).get_submodule('0.weight'),
    lambda m: m.nn.Sequential(m.nn.Linear(2, 2)).get_submodule('1'),
    lambda m: m.nn.Sequential(m.nn.Linear(2, 2)).get_parameter('0.nothing'),
    lambda m: m.nn.Sequential(m.nn.Linear(2, 2)).get_buffer('0.weight'),
    lambda m: m.nn.Module()(1),
    lambda m: m.nn.Module(3),
    lambda m: m.nn.Linear(2, 2).to(m.int64),
    lambda m: m.nn.Linear(2, 2).to('cuda'),
    lambda m: m.nn.Linear(2, 2).cuda(),
    lambda m: m.nn.Linear(2, 2).train('yes'),
    lambda m: m.nn.Sequential(m.nn.ReLU())[1],
    lambda m: m.nn.Sequential(m.nn.ReLU()) + 1,
    lambda m: m.nn.ModuleList([m.nn.ReLU()])[-2],
    lambda m: m.nn.ModuleList(3),
    lambda m: m.nn.ModuleDict([('a', m.nn.ReLU(), 1)]),
    lambda m: m.nn.ParameterList([m.ones(1)])(1),
    lambda m: m.nn.ParameterDict({'a': m.ones(1)})[1],
    lambda m: m.nn.Parameter(m.ones(2, dtype=m.int64)),
    lambda m: m.nn.init.calculate_gain('foo'),
])
def test_errors_match_torch(fn):
    _raises_same(fn)


def test_setattr_moves_between_dicts_and_delattr():
    net = ember.nn.Linear(2, 2)
    net.extra = ember.nn.Parameter(ember.ones(1))
    assert 'extra' in net._parameters
    del net.extra
    net.extra = ember.nn.ReLU()
    assert 'extra' in net._modules and 'extra' not in net._parameters
    net.extra = None
    assert net._modules['extra'] is None
    net.bias = None
    assert net._parameters['bias'] is None and net(ember.ones(1, 2)).shape == (1, 2)
    net.buf = ember.nn.Buffer(ember.zeros(2), persistent=False)
    assert 'buf' in net._buffers and 'buf' in net._non_persistent_buffers_set
    net.register_buffer('running', ember.zeros(1))
    net.running = ember.ones(1)
    assert net._buffers['running'].item() == 1.0
    net.plain = ember.ones(1)
    assert 'plain' in net.__dict__
    for name in ('extra', 'buf', 'plain', 'weight'):
        delattr(net, name)
        assert not hasattr(net, name)


def test_parameter_is_a_tensor_sharing_memory():
    data = ember.ones(2, 3)
    p = ember.nn.Parameter(data)
    assert isinstance(p, ember.Tensor) and isinstance(p, ember.nn.Parameter)
    assert p.requires_grad and p.is_leaf and p.data_ptr() == data.data_ptr()
    assert not ember.nn.Parameter(data, requires_grad=False).requires_grad
    with ember.no_grad():
        assert ember.nn.Parameter(data).requires_grad
    assert type(p * 2) is ember.Tensor
    assert repr(p).startswith('Parameter containing:\n')
    assert repr(torch.nn.Parameter(torch.ones(1))).startswith('Parameter containing:\n')
    assert ember.nn.Parameter().shape == torch.nn.Parameter().shape
    q = copy.deepcopy(p)
    assert type(q) is ember.nn.Parameter and q.requires_grad and q.data_ptr() != p.data_ptr()
    np.testing.assert_array_equal(q.detach().numpy(), p.detach().numpy())
    r = pickle.loads(pickle.dumps(ember.nn.Parameter(ember.ones(2), requires_grad=False)))
    assert type(r) is ember.nn.Parameter and not r.requires_grad and r.tolist() == [1.0, 1.0]


class _PicklableNet(ember.nn.Module):
    def __init__(self):
        super().__init__()
        self.body = build_net(ember).features
        self.register_buffer('running', ember.arange(3.0))

    def forward(self, x):
        return self.body(x) + self.running.sum()


def test_deepcopy_and_pickle_of_a_module():
    e = _PicklableNet()
    for clone in (copy.deepcopy(e), pickle.loads(pickle.dumps(e))):
        assert repr(clone) == repr(e)
        assert clone.body[0].weight is not e.body[0].weight
        assert isinstance(clone.body[0].weight, ember.nn.Parameter)
        x = ember.randn(2, 4)
        assert_close(clone(x), e(x))


# ---- modes, conversions, gradients ------------------------------------------------------------------
def test_train_eval_requires_grad_and_apply():
    e = build_net(ember)
    assert e.training and e.eval() is e
    assert not any(m.training for m in e.modules())
    e.train()
    assert all(m.training for m in e.modules())
    e.requires_grad_(False)
    assert not any(p.requires_grad for p in e.parameters())
    order_e, order_t = [], []
    e.apply(lambda m: order_e.append(type(m).__name__))
    build_net(torch).apply(lambda m: order_t.append(type(m).__name__))
    assert order_e == order_t


@pytest.mark.parametrize('set_to_none', [True, False])
def test_zero_grad(set_to_none):
    net = ember.nn.Linear(2, 2)
    net(ember.ones(3, 2)).sum().backward()
    grad = net.weight.grad
    net.zero_grad(set_to_none=set_to_none)
    if set_to_none:
        assert net.weight.grad is None
    else:
        assert net.weight.grad is grad and not grad.numpy().any()


@pytest.mark.parametrize('convert, dtype', [(lambda n: n.double(), ember.float64), (lambda n: n.half(), ember.float16),
                                            (lambda n: n.to(ember.float64), ember.float64),
                                            (lambda n: n.to(ember.zeros(1, dtype=ember.float64)), ember.float64),
                                            (lambda n: n.double().float(), ember.float32),
                                            (lambda n: n.to('cpu').cpu(), ember.float32)])
def test_conversions_keep_parameter_objects(convert, dtype):
    net = ember.nn.Sequential(ember.nn.Linear(2, 2))
    net.register_buffer('steps', ember.zeros(1, dtype=ember.int64))
    net(ember.ones(1, 2)).sum().backward()
    weight = net[0].weight
    assert convert(net) is net
    assert net[0].weight is weight and weight.dtype == dtype and weight.grad.dtype == dtype
    assert net.steps.dtype == ember.int64


def test_type_converts_every_tensor():
    def run(m):
        net = m.nn.Linear(2, 2)
        net.register_buffer('steps', m.zeros(1, dtype=m.int64))
        return [str(t.dtype) for t in (*net.parameters(), net.steps)], [str(t.dtype) for t in (
            *net.type(m.float64).parameters(), net.steps)]
    assert [[_text(d) for d in ds] for ds in run(ember)] == list(run(torch))


# ---- containers --------------------------------------------------------------------------------------
def _sequential_ops(m):
    nn = m.nn
    seq = nn.Sequential(nn.Linear(1, 2), nn.ReLU(), nn.Linear(2, 3))
    log = [type(seq[-1]).__name__, type(seq[1:]).__name__, len(seq[::2]), len(seq)]
    seq.append(nn.Tanh())
    seq.insert(0, nn.Identity())
    seq.insert(-1, nn.Sigmoid())
    seq.extend([nn.ReLU(), nn.Flatten()])
    log.append(type(seq.pop(2)).__name__)
    del seq[0]
    del seq[1:3]
    seq[0] = nn.Linear(1, 5)
    seq2 = seq + nn.Sequential(nn.ReLU())
    log += [repr(seq), repr(seq2), repr(seq * 2), [type(x).__name__ for x in seq], list(seq.state_dict())]
    named = nn.Sequential(OrderedDict([('fc', nn.Linear(2, 2)), ('act', nn.ReLU())]))
    log += [repr(named), repr(named[0:1]), list(named.state_dict())]
    return log


def _module_list_ops(m):
    nn = m.nn
    ml = nn.ModuleList([nn.Linear(1, 1), nn.ReLU()])
    ml.append(nn.Tanh())
    ml.extend([nn.Sigmoid(), nn.Linear(1, 2)])
    ml.insert(1, nn.Identity())
    ml[-1] = nn.Linear(2, 2)
    del ml[0]
    log = [type(ml.pop(1)).__name__, type(ml[1:3]).__name__, len(ml), repr(ml), list(ml.state_dict())]
    ml += [nn.ReLU()]
    log.append(repr(ml + nn.ModuleList([nn.Tanh()])))
    return log


def _module_dict_ops(m):
    nn = m.nn
    md = nn.ModuleDict({'a': nn.ReLU(), 'b': nn.Linear(1, 1)})
    md['c'] = nn.Tanh()
    md.update([('d', nn.Sigmoid())])
    md.update({'a': nn.Identity()})
    log = [list(md.keys()), [type(v).__name__ for v in md.values()], [k for k, _ in md.items()], 'b' in md, len(md)]
    log.append(type(md.pop('b')).__name__)
    log.append(repr(md))
    del md['c']
    log.append(list(md))
    md.clear()
    log.append(len(md))
    return log


def _parameter_containers(m):
    nn = m.nn
    pl = nn.ParameterList([nn.Parameter(m.ones(2)), m.zeros(3, 1)])
    pl.append(m.ones(1, dtype=m.float64))
    pl.extend([nn.Parameter(m.ones(4))])
    pl[0] = m.zeros(5)
    log = [len(pl), type(pl[1]).__name__, len(pl[1:]), _text(repr(pl)), [tuple(p.shape) for p in pl]]
    pd = nn.ParameterDict({'z': m.ones(1), 'y': nn.Parameter(m.zeros(2))})
    pd['x'] = m.ones(3)
    pd.update(OrderedDict([('w', m.ones(1))]))
    log += [list(pd), list(pd.keys()), _text(repr(pd)), 'x' in pd, type(pd['x']).__name__, len(pd)]
    log.append(tuple(pd.pop('y').shape))
    log.append(list(pd.state_dict()))
    holder = nn.Module()
    holder.pl, holder.pd = pl, pd
    log.append([n for n, _ in holder.named_parameters()])
    return log


@pytest.mark.parametrize('ops', [_sequential_ops, _module_list_ops, _module_dict_ops, _parameter_containers])
def test_containers_match_torch(ops):
    assert [_text(x) if isinstance(x, str) else x for x in ops(ember)] == ops(torch)


def test_shared_parameters_are_listed_once():
    def build(m):
        shared = m.nn.Linear(2, 2)
        net = m.nn.Sequential(shared, m.nn.ReLU(), shared)
        return net
    e, t = build(ember), build(torch)
    assert [n for n, _ in e.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert [n for n, _ in e.named_parameters(remove_duplicate=False)] == \
        [n for n, _ in t.named_parameters(remove_duplicate=False)]
    assert [n for n, _ in e.named_modules(remove_duplicate=False)] == \
        [n for n, _ in t.named_modules(remove_duplicate=False)]
    assert list(e.state_dict()) == list(t.state_dict())


# ---- hooks ----------------------------------------------------------------------------------------------
def _forward_hooks(m):
    net = m.nn.Linear(2, 2)
    net.weight.data = m.ones(2, 2).data
    net.bias.data = m.zeros(2).data
    log = []
    handles = [
        net.register_forward_pre_hook(lambda mod, args: (log.append(('pre', len(args))), (args[0] * 2,))[1]),
        net.register_forward_pre_hook(lambda mod, args: log.append(('pre_first',)), prepend=True),
        net.register_forward_pre_hook(lambda mod, args, kwargs: log.append(('pre_kw', sorted(kwargs))),
                                      with_kwargs=True),
        net.register_forward_hook(lambda mod, args, out: (log.append(('fwd', _np(args[0]).tolist())), out + 1)[1]),
        net.register_forward_hook(lambda mod, args, kwargs, out: log.append(('fwd_kw', _np(out).round(4).tolist())),
                                  with_kwargs=True),
        net.register_forward_hook(lambda mod, args, out: log.append(('fwd_first',)), prepend=True),
    ]
    out = net(m.ones(1, 2))
    log.append(('out', _np(out).round(4).tolist()))
    handles[0].remove()
    handles[3].remove()
    log.append(('after_remove', _np(net(m.ones(1, 2))).round(4).tolist()))
    return log


def test_forward_hooks_match_torch():
    assert _forward_hooks(ember) == _forward_hooks(torch)


def test_forward_hook_always_call():
    def run(m):
        log = []

        class Fails(m.nn.Module):
            def forward(self, x):
                raise ValueError("boom")
        mod = Fails()
        mod.register_forward_hook(lambda mod, args, out: log.append(('always', out)), always_call=True)
        mod.register_forward_hook(lambda mod, args, out: log.append('never'))
        with pytest.raises(ValueError):
            mod(1)
        return log
    assert run(ember) == run(torch)


class _Scale:
    """`y = x * w + z`: a module with two tensor inputs, one non-tensor input and two outputs."""

    @staticmethod
    def build(m):
        class Scale(m.nn.Module):
            def __init__(self):
                super().__init__()
                self.w = m.nn.Parameter(m.tensor([1.0, 2.0, 3.0]))

            def forward(self, x, flag, z):
                return x * self.w + z, (x * 2).sum()
        return Scale()


def _backward_hooks(m, kind):
    mod = _Scale.build(m)
    log = []

    def fmt(grads):
        return [None if g is None else _np(g).round(4).tolist() for g in grads]

    if kind == 'full':
        def hook(module, grad_input, grad_output):
            log.append(('full', fmt(grad_input), fmt(grad_output)))
            return (grad_input[0] * 10, None, grad_input[2])
        mod.register_full_backward_hook(hook)
        mod.register_full_backward_pre_hook(lambda module, grad_output: (
            log.append(('pre', fmt(grad_output))), (grad_output[0] + 1, grad_output[1]))[1])
    else:
        def hook(module, grad_input, grad_output):
            log.append(('legacy', fmt(grad_input), fmt(grad_output)))
        mod.register_backward_hook(hook)
    x = m.tensor([1.0, 1.0, 1.0], requires_grad=True)
    z = m.tensor([0.5, 0.5, 0.5], requires_grad=True)
    y, s = mod(x, 'flag', z)
    ((y * m.tensor([1.0, 2.0, 3.0])).sum() + s).backward()
    log.append(('grads', fmt([x.grad, z.grad, mod.w.grad])))
    return log


@pytest.mark.parametrize('kind', ['full', 'legacy'])
def test_backward_hooks_match_torch(kind):
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        assert _backward_hooks(ember, kind) == _backward_hooks(torch, kind)


def test_full_backward_hook_without_input_grad_and_removal():
    def run(m):
        log = []
        net = m.nn.Linear(2, 1)
        handle = net.register_full_backward_hook(
            lambda mod, gi, go: log.append((gi, tuple(g.shape for g in go))))
        net(m.ones(3, 2)).sum().backward()
        handle.remove()
        net(m.ones(3, 2)).sum().backward()
        return log
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        assert run(ember) == run(torch)


def test_mixing_backward_hook_kinds_raises():
    _raises_same(lambda m: (lambda n: (n.register_backward_hook(lambda *a: None),
                                       n.register_full_backward_hook(lambda *a: None)))(m.nn.Linear(1, 1)))
    _raises_same(lambda m: (lambda n: (n.register_full_backward_hook(lambda *a: None),
                                       n.register_backward_hook(lambda *a: None)))(m.nn.Linear(1, 1)))


def test_state_dict_hooks():
    def run(m):
        log = []
        net = m.nn.Sequential(m.nn.Linear(1, 1))
        net[0].register_state_dict_pre_hook(lambda mod, prefix, keep_vars: log.append(('pre', prefix)))
        net.register_state_dict_post_hook(lambda mod, sd, prefix, meta: log.append(('post', list(sd))))
        net.register_load_state_dict_pre_hook(lambda mod, sd, prefix, *rest: log.append(('load_pre', prefix)))
        net.register_load_state_dict_post_hook(lambda mod, keys: log.append(('load_post', list(keys))))
        net.load_state_dict(net.state_dict())
        return log
    assert run(ember) == run(torch)


# ---- Linear's default initialisation -------------------------------------------------------------------
def test_linear_default_init_bounds():
    ember.manual_seed(0)
    net = ember.nn.Linear(400, 50)
    bound = 1 / np.sqrt(400)
    for p in (net.weight, net.bias):
        values = p.detach().numpy()
        assert np.abs(values).max() <= bound and np.abs(values).max() > 0.9 * bound
        assert values.dtype == np.float32
    assert abs(net.weight.detach().numpy().std() - bound / np.sqrt(3)) < 0.05 * bound
    assert ember.nn.Linear(2, 3, dtype=ember.float64).weight.dtype == ember.float64


def test_linear_default_init_matches_torch_after_seed():
    ember.manual_seed(0)
    torch.manual_seed(0)
    e, t = ember.nn.Linear(5, 3), torch.nn.Linear(5, 3)
    np.testing.assert_array_equal(e.weight.detach().numpy(), t.weight.detach().numpy())
    np.testing.assert_array_equal(e.bias.detach().numpy(), t.bias.detach().numpy())
