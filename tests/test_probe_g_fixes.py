"""Behaviour a probe of course programs found different from torch 2.13: weights_only allowlists and
messages, grad_fn names of the losses, broadcast_tensors identity, the RNG state's byte layout,
warnings, custom-Function views modified in place, error messages, and `numpy()` objects."""
import collections
import io
import math
import os
import pickle
import subprocess
import sys
import warnings

import numpy as np
import pytest
import torch

import ember


def outcome(call):
    """('ok', value) or (exception type name, message)."""
    try:
        return 'ok', call()
    except Exception as error:  # noqa: BLE001 (the exception is the behaviour compared)
        return type(error).__name__, str(error)


def same_error(call):
    """Run `call(torch)` and `call(ember)`; both must raise the same type with the same message."""
    expected, got = outcome(lambda: call(torch)), outcome(lambda: call(ember))
    assert expected[0] != 'ok'
    assert got == expected


def recorded_warnings(call):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        call()
    # torch's warnings from C++ end with where they were raised in its sources
    return [(w.category, str(w.message).split(' (Triggered internally at')[0]) for w in caught]


@pytest.fixture
def warn_always():
    """TORCH_WARN_ONCE warnings every time, in both libraries, whatever ran earlier in the process."""
    torch.set_warn_always(True)
    ember.set_warn_always(True)
    yield
    torch.set_warn_always(False)
    ember.set_warn_always(False)


# ---- 1. weights_only: allowlisted globals and PyTorch's message ------------------------------------------------
class Config:
    def __init__(self):
        self.lr = 0.1


def saved(lib, obj):
    buffer = io.BytesIO()
    lib.save(obj, buffer)
    buffer.seek(0)
    return buffer


@pytest.fixture
def clean_allowlists():
    torch.serialization.clear_safe_globals()
    ember.serialization.clear_safe_globals()
    yield
    torch.serialization.clear_safe_globals()
    ember.serialization.clear_safe_globals()


def test_refused_global_message_is_torchs(clean_allowlists):
    same_error(lambda m: m.load(saved(m, {'cfg': Config()})))
    same_error(lambda m: m.load(saved(m, {'counts': collections.defaultdict(list)})))
    same_error(lambda m: m.load(saved(m, {'args': np.float64(1.5)})))


def test_blocked_module_message_is_torchs(clean_allowlists):
    class Payload:
        def __reduce__(self):
            return os.system, ('true',)
    pickled = saved(torch, {'payload': Payload()}).getvalue()
    # torch.serialization.add_safe_globals can't unblock os (posix) globals
    torch.serialization.add_safe_globals([os.system])
    ember.serialization.add_safe_globals([os.system])
    same_error(lambda m: m.load(io.BytesIO(pickled)))


def test_add_safe_globals_and_context_manager(clean_allowlists):
    for lib in (torch, ember):
        serialization = lib.serialization
        with pytest.raises(pickle.UnpicklingError, match=r'add_safe_globals\(\[test_probe_g_fixes.Config\]\)'):
            lib.load(saved(lib, {'cfg': Config()}))
        serialization.add_safe_globals([Config])
        assert serialization.get_safe_globals() == [Config]
        assert lib.load(saved(lib, {'cfg': Config()}))['cfg'].lr == 0.1
        serialization.clear_safe_globals()
        assert serialization.get_safe_globals() == []
        with serialization.safe_globals([Config]):
            assert type(lib.load(saved(lib, Config()))) is Config
        assert serialization.get_safe_globals() == []
        with pytest.raises(pickle.UnpicklingError):
            lib.load(saved(lib, Config()))
        # a (global, name) pair allowlists a global under the name the checkpoint uses
        serialization.add_safe_globals([(Config, 'test_probe_g_fixes.Config')])
        assert type(lib.load(saved(lib, [Config()]))[0]) is Config
        assert lib.load(saved(lib, [Config()]), weights_only=False)[0].lr == 0.1


def test_bad_allowlist_entries_raise_as_torch(clean_allowlists):
    for entry in [(Config,), (Config, 3)]:
        torch.serialization.add_safe_globals([entry])
        ember.serialization.add_safe_globals([entry])
        same_error(lambda m: m.load(saved(m, {'cfg': Config()})))
        torch.serialization.clear_safe_globals()
        ember.serialization.clear_safe_globals()


# ---- 2. grad_fn names of every loss ----------------------------------------------------------------------------
def loss_calls(m, F):
    x = m.tensor(np.linspace(-1, 1, 12).reshape(4, 3), dtype=m.float32, requires_grad=True)
    y = m.tensor(np.cos(np.arange(12.)).reshape(4, 3), dtype=m.float32)
    p = m.tensor(np.linspace(0.1, 0.9, 12).reshape(4, 3), dtype=m.float32)
    w = m.tensor([1., 2., 3.])
    classes = m.tensor([0, 2, 1, 1])
    signs = m.tensor([1., -1., 1., -1.])
    return {
        'l1_loss': lambda r: F.l1_loss(x, y, reduction=r),
        'mse_loss': lambda r: F.mse_loss(x, y, reduction=r),
        'smooth_l1_loss': lambda r: F.smooth_l1_loss(x, y, reduction=r),
        'huber_loss': lambda r: F.huber_loss(x, y, reduction=r),
        'binary_cross_entropy': lambda r: F.binary_cross_entropy(m.sigmoid(x), p, weight=w, reduction=r),
        'bce_with_logits': lambda r: F.binary_cross_entropy_with_logits(x, p, pos_weight=w, reduction=r),
        'nll_loss': lambda r: F.nll_loss(x, classes, weight=w, reduction=r),
        'cross_entropy': lambda r: F.cross_entropy(x, classes, reduction=r),
        'cross_entropy_smoothing': lambda r: F.cross_entropy(x, classes, label_smoothing=0.1, reduction=r),
        'cross_entropy_probs': lambda r: F.cross_entropy(x, p, reduction=r),
        'cross_entropy_probs_weight': lambda r: F.cross_entropy(x, p, weight=w, reduction=r),
        'cross_entropy_probs_smoothing': lambda r: F.cross_entropy(x, p, label_smoothing=0.1, reduction=r),
        'cross_entropy_probs_both': lambda r: F.cross_entropy(x, p, weight=w, label_smoothing=0.2, reduction=r),
        'kl_div': lambda r: F.kl_div(F.log_softmax(x, 1), p, reduction='batchmean' if r == 'mean' else r),
        'poisson_nll_loss': lambda r: F.poisson_nll_loss(x, p, reduction=r),
        'gaussian_nll_loss': lambda r: F.gaussian_nll_loss(x, y, p, reduction=r),
        'soft_margin_loss': lambda r: F.soft_margin_loss(x, m.sign(y), reduction=r),
        'multilabel_soft_margin_loss': lambda r: F.multilabel_soft_margin_loss(x, (p > 0.5).float(), reduction=r),
        'multi_margin_loss': lambda r: F.multi_margin_loss(x, classes, reduction=r),
        'hinge_embedding_loss': lambda r: F.hinge_embedding_loss(x, m.sign(y), reduction=r),
        'margin_ranking_loss': lambda r: F.margin_ranking_loss(x[:, 0], x[:, 1], signs, reduction=r),
        'cosine_embedding_loss': lambda r: F.cosine_embedding_loss(x, y, signs, reduction=r),
        'triplet_margin_loss': lambda r: F.triplet_margin_loss(x, y, y.flip(0), reduction=r),
    }


@pytest.mark.parametrize('reduction', ['mean', 'sum', 'none'])
def test_loss_grad_fn_names_match_torch(reduction):
    expected = {name: call(reduction).grad_fn.name() for name, call in loss_calls(torch, torch.nn.functional).items()}
    got = {name: call(reduction).grad_fn.name() for name, call in loss_calls(ember, ember.nn.functional).items()}
    assert got == expected


def test_soft_target_cross_entropy_divides_by_a_number():
    logits = ember.randn(5, 3, requires_grad=True)
    targets = ember.softmax(ember.randn(5, 3), 1)
    loss = ember.nn.functional.cross_entropy(logits, targets, weight=ember.tensor([1., 2., 3.]), label_smoothing=0.1)
    assert repr(loss).endswith('grad_fn=<DivBackward1>)')
    empty = [lib.nn.functional.cross_entropy(lib.zeros(0, 3, requires_grad=True), lib.zeros(0, 3))
             for lib in (torch, ember)]
    assert [e.grad_fn.name() for e in empty] == ['NegBackward0'] * 2 and all(math.isnan(e.item()) for e in empty)


# ---- 3. broadcast_tensors hands back tensors that already have the shape ---------------------------------------
def test_broadcast_tensors_returns_the_inputs_it_does_not_expand():
    for lib in (torch, ember):
        a, b = lib.zeros(2, 3, requires_grad=True), lib.ones(3)
        x, y = lib.broadcast_tensors(a, b)
        assert x is a and y is not b and y.shape == (2, 3)
        assert lib.broadcast_to(a, (2, 3)) is not a and a.expand_as(a) is not a
        mu = lib.zeros(3, requires_grad=True)
        assert lib.distributions.Normal(mu, lib.ones(3)).loc is mu


# ---- 4. the RNG state is torch's CPUGeneratorImplState ---------------------------------------------------------
@pytest.mark.parametrize('seed, words', [(5, 0), (5, 3), (7, 623), (7, 624), (7, 1250), (2**64 - 1, 10)])
def test_rng_state_bytes_match_torch(seed, words):
    torch.manual_seed(seed)
    ember.manual_seed(seed)
    torch.randint(0, 2**31, (words,))
    ember.randint(0, 2**31, (words,))
    expected, got = torch.get_rng_state(), ember.get_rng_state()
    assert got.dtype == ember.uint8 and got.shape == (5056,)
    np.testing.assert_array_equal(got.numpy(), expected.numpy())


def test_rng_state_round_trips_between_libraries():
    torch.manual_seed(3)
    torch.randn(3, dtype=torch.float64)  # leaves the scalar sampler's second value cached
    ember.set_rng_state(ember.tensor(torch.get_rng_state().numpy()))
    assert ember.initial_seed() == 3
    np.testing.assert_array_equal(ember.randn(5, dtype=ember.float64).numpy(),
                                  torch.randn(5, dtype=torch.float64).numpy())
    generator = ember.Generator().manual_seed(11)
    ember.rand(7, generator=generator)
    ember.randn(1, generator=generator, dtype=ember.float64)
    torch_generator = torch.Generator()
    torch_generator.set_state(torch.from_numpy(generator.get_state().numpy().copy()))
    np.testing.assert_array_equal(torch.randn(9, generator=torch_generator).numpy(),
                                  ember.randn(9, generator=generator).numpy())
    np.testing.assert_array_equal(torch_generator.get_state().numpy(), generator.get_state().numpy())


def test_a_checkpointed_torch_rng_state_restores_in_ember():
    torch.manual_seed(38)
    buffer = saved(torch, {'rng': torch.get_rng_state()})
    expected = torch.rand(4)
    ember.set_rng_state(ember.load(buffer)['rng'])
    np.testing.assert_array_equal(ember.rand(4).numpy(), expected.numpy())


def test_bad_rng_states_raise_as_torch():
    same_error(lambda m: m.set_rng_state(m.zeros(10, dtype=m.uint8)))
    same_error(lambda m: m.set_rng_state(m.zeros(5056)))
    same_error(lambda m: m.set_rng_state(m.zeros(5056, dtype=m.uint8)))
    same_error(lambda m: m.Generator().set_state([1, 2]))


# ---- 5. warnings -----------------------------------------------------------------------------------------------
WARNING_CASES = {
    'float_of_graph': lambda m: float(m.tensor(1.5, requires_grad=True)),
    'complex_of_graph': lambda m: complex(m.tensor(1.5, requires_grad=True)),
    'math_exp_of_graph': lambda m: math.exp(m.tensor(1.5, requires_grad=True)),
    'int_of_graph': lambda m: int(m.tensor(1.5, requires_grad=True)),
    'item_of_graph': lambda m: m.tensor(1.5, requires_grad=True).item(),
    'float_detached': lambda m: float(m.tensor(1.5)),
    'meshgrid': lambda m: m.meshgrid(m.arange(2), m.arange(3)),
    'meshgrid_indexing': lambda m: m.meshgrid(m.arange(2), m.arange(3), indexing='xy'),
    'range': lambda m: m.range(0, 3),
    'T_3d': lambda m: m.ones(2, 3, 4).T,
    'T_1d': lambda m: m.ones(3).T,
    'T_0d': lambda m: m.tensor(1.).T,
    'T_2d': lambda m: m.ones(2, 3).T,
    'out_resized': lambda m: m.add(m.ones(3), 1, out=m.empty(2)),
    'out_empty_resized': lambda m: m.add(m.ones(3), 1, out=m.empty(0)),
    'same_even_kernel': lambda m: m.nn.Conv1d(1, 1, 4, padding='same')(m.ones(1, 1, 8)),
    'same_odd_kernel': lambda m: m.nn.Conv1d(1, 1, 3, padding='same')(m.ones(1, 1, 8)),
    'same_even_dilated': lambda m: m.nn.functional.conv2d(m.ones(1, 1, 6, 6), m.ones(1, 1, 3, 2), padding='same'),
    'std_one_element': lambda m: m.tensor([1.0]).std(),
    'var_dim': lambda m: m.ones(2, 1).var(dim=1),
    'var_empty': lambda m: m.ones(0).var(),
    'var_empty_rows': lambda m: m.ones(0, 2).var(dim=1),
    'var_correction': lambda m: m.ones(3).var(correction=3),
    'var_fine': lambda m: m.ones(3).var(correction=2.5),
    'std_mean': lambda m: m.std_mean(m.ones(1)),
    'var_mean': lambda m: m.var_mean(m.ones(1)),
    'from_numpy_read_only': lambda m: m.from_numpy(np.broadcast_to(np.ones(2), (2, 2))),
    'chain_matmul': lambda m: m.chain_matmul(m.ones(2, 2), m.ones(2, 2)),
    'cholesky': lambda m: m.cholesky(m.eye(2)),
    'full_backward_hook_without_input_grad': lambda m: hooked_linear_backward(m),
}


def hooked_linear_backward(m):
    m.manual_seed(0)
    layer = m.nn.Linear(2, 2)
    layer.register_full_backward_hook(lambda module, grad_input, grad_output: None)
    layer(m.ones(1, 2)).sum().backward()


@pytest.mark.parametrize('name', WARNING_CASES)
def test_warnings_match_torch(name, warn_always):
    call = WARNING_CASES[name]
    assert recorded_warnings(lambda: call(ember)) == recorded_warnings(lambda: call(torch))


def test_warn_once_warnings_come_once():
    ember.set_warn_always(False)
    ember.meshgrid(ember.arange(2), ember.arange(3))  # the first one, if no test gave it before
    assert recorded_warnings(lambda: ember.meshgrid(ember.arange(2), ember.arange(3))) == []
    assert len(recorded_warnings(lambda: ember.range(0, 3))) == 1  # (this one comes every time, as in torch)


def test_warning_points_at_the_callers_line(warn_always):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        ember.tensor([1.0]).std()
    assert caught[0].filename == __file__


def test_no_import_warning_from_functional_under_compat(tmp_path):
    script = tmp_path / 'pad.py'
    script.write_text("import torch, torch.nn.functional as F\n"
                      "F.pad(torch.ones(1, 1, 2), (1, 1), mode='reflect')\n"
                      "F.interpolate(torch.ones(1, 1, 2), scale_factor=2)\n"
                      "F.one_hot(torch.tensor([1]))\n"
                      "F.embedding_bag(torch.tensor([[0, 1]]), torch.ones(2, 3))\n")
    run = subprocess.run([sys.executable, '-W', 'error::ImportWarning', '-m', 'ember.compat', str(script)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr


# ---- 6. in place on a view made by a custom Function -----------------------------------------------------------
def hooked_block(m, input_requires_grad):
    block = m.nn.Sequential(m.nn.BatchNorm2d(4), m.nn.ReLU(inplace=True))
    block[0].register_full_backward_hook(lambda module, grad_input, grad_output: None)
    return block(m.randn(2, 4, 3, 3, requires_grad=input_requires_grad))


def test_inplace_on_a_full_backward_hook_output_raises_as_torch():
    same_error(lambda m: hooked_block(m, True))
    same_error(lambda m: hooked_block(m, False))


def test_inplace_on_an_input_returned_by_a_custom_function_raises_as_torch():
    def run(m):
        class Identity(m.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x

            @staticmethod
            def backward(ctx, grad):
                return grad
        return Identity.apply(m.ones(2, requires_grad=True) * 1).add_(1)
    same_error(run)
    # outside autograd nothing is recorded, and the write is allowed, as in torch
    with ember.no_grad():
        assert ember.nn.Sequential(ember.nn.ReLU(inplace=True))(ember.ones(2)).tolist() == [1.0, 1.0]


def test_ember_tools_that_read_layer_gradients_allow_an_inplace_relu_after_the_layer():
    from ember.utils import health
    from ember.vision.cam import GradCAM
    ember.manual_seed(0)
    model = ember.nn.Sequential(ember.nn.Conv2d(3, 4, 3, padding=1), ember.nn.ReLU(inplace=True),
                                ember.nn.AdaptiveAvgPool2d(1), ember.nn.Flatten(), ember.nn.Linear(4, 2))
    assert GradCAM(model, model[0])(ember.randn(2, 3, 8, 8)).shape == (2, 8, 8)
    report = health.inspect(model, ember.randn(2, 3, 8, 8), ember.nn.CrossEntropyLoss(), ember.tensor([0, 1]))
    assert report.has_gradients and all(row.grad_norm is not None for row in report.rows)


# ---- 7. messages -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize('mask_dtype', ['float32', 'int64', 'uint8'])
@pytest.mark.parametrize('op', ['masked_fill_', 'masked_fill', 'masked_select', 'masked_scatter_float'])
def test_mask_dtype_messages(op, mask_dtype):
    if op == 'masked_scatter_float' and mask_dtype == 'uint8':
        pytest.skip("torch takes a uint8 mask in masked_scatter with a deprecation warning; ember refuses it")

    def run(m):
        x, mask = m.zeros(3), m.tensor([1, 0, 1], dtype=getattr(m, mask_dtype))
        if op == 'masked_select':
            return m.masked_select(x, mask)
        if op == 'masked_scatter_float':
            return x.masked_scatter(mask, x)
        return getattr(x, op)(mask, 1.0)
    same_error(run)


@pytest.mark.parametrize('array', [np.array(['a', 'b']), np.array([1, 'x'], dtype=object), np.array([b'a']),
                                   np.array(['2020-01-01'], dtype='datetime64[D]')], ids=str)
def test_from_numpy_names_numpys_scalar_type(array):
    same_error(lambda m: m.from_numpy(array))


@pytest.mark.parametrize('write', [lambda t: t.add_(1), lambda t: t.mul_(2), lambda t: t.copy_(t.clone()),
                                   lambda t: t.relu_()], ids=['add_', 'mul_', 'copy_', 'relu_'])
def test_inplace_on_an_expanded_tensor_message(write):
    same_error(lambda m: write(m.zeros(2, 1).expand(2, 3)))


def test_copy_slices_and_accumulate_grad_names():
    names = []
    for lib in (torch, ember):
        leaf = lib.ones(2, requires_grad=True)
        written = leaf * 1
        written[0] = 5
        names.append((written.grad_fn.name(), written.grad_fn.next_functions[0][0].next_functions[0][0].name(),
                      type(written.grad_fn).__name__))
    assert names[1] == names[0] == ('torch::autograd::CopySlices', 'torch::autograd::AccumulateGrad', 'CopySlices')


@pytest.mark.parametrize('dtype', ['float32', 'float64'])
def test_gradcheck_error_prints_the_jacobians_as_tensors(dtype):
    def run(m):
        class WrongBackward(m.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x ** 2

            @staticmethod
            def backward(ctx, grad):
                x, = ctx.saved_tensors
                return grad * x
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')  # (float32 inputs warn)
            m.autograd.gradcheck(WrongBackward.apply, (m.tensor([[1., 2.], [3., 4.]], dtype=getattr(m, dtype),
                                                                 requires_grad=True),))
    expected, got = outcome(lambda: run(torch)), outcome(lambda: run(ember))
    assert got[0] == expected[0] == 'GradcheckError'
    assert got[1].replace('ember.', 'torch.') == expected[1]


# ---- 8. numpy() makes a new array object each call -------------------------------------------------------------
def test_numpy_returns_a_new_array_sharing_memory():
    t = ember.zeros(3)
    first, second = t.numpy(), t.numpy()
    assert first is not second and np.shares_memory(first, second)
    first[0] = 7
    assert t[0].item() == 7 and second[0] == 7


def _scalar_warnings(lib, grad_mode):
    y = lib.tensor(2.0, requires_grad=True) * 3
    lib.set_warn_always(True)  # (a once-per-process warning: an earlier test may have given it)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter('always')
            with lib.set_grad_enabled(grad_mode):
                float(y)
    finally:
        lib.set_warn_always(False)
    return [str(w.message).split(' (Triggered')[0] for w in caught]


@pytest.mark.parametrize('grad_mode', [True, False])
def test_float_of_a_graph_tensor_warns_only_with_grad_mode_on(grad_mode):
    # LBFGS reads `float(closure())` under no_grad: torch is silent there
    ours, theirs = _scalar_warnings(ember, grad_mode), _scalar_warnings(torch, grad_mode)
    assert ours == theirs and bool(ours) == grad_mode


def test_backward_of_a_complex_scalar_needs_an_explicit_gradient():
    for lib in (ember, torch):
        z = lib.tensor([1 + 1j], requires_grad=True)
        with pytest.raises(RuntimeError, match="only for real scalar outputs but got"):
            (z * 2).sum().backward()
