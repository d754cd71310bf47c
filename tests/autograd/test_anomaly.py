"""Anomaly mode (`autograd.detect_anomaly`, `autograd.set_detect_anomaly`): the switches, the
traceback each node records, and the NaN error and warnings of the backward pass, compared with
torch's text."""
import os
import re
import warnings

import numpy as np
import pytest
import torch

import ember
from _compare import same

_TORCH_DIR = os.path.dirname(torch.__file__)


def _run(fn):
    """fn() -> (its exception or None, the texts of the warnings it emitted)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        try:
            fn()
            error = None
        except Exception as e:  # noqa: BLE001 (the error is compared by the caller)
            error = e
    return error, [str(w.message) for w in caught]


def _run_both(run):
    """`_run` of run(ember) and of run(torch), called from the same line so that the tracebacks
    of the two can be compared frame by frame."""
    return [_run(lambda: run(m)) for m in (ember, torch)]


def _without_torch_internals(text):
    """torch's warning text without what comes from its C++ (the "Triggered internally" note) or
    from its own Python files (ember leaves its own frames out of the traceback)."""
    text = re.sub(r' \(Triggered internally at [^)]*\)', '', text)
    return re.sub(r'  File "' + re.escape(_TORCH_DIR) + r'[^"]*", line \d+, in \w+\n    [^\n]*\n', '', text)


def _sqrt_of_negative(m):
    x = m.tensor([-1.0, 4.0], requires_grad=True)
    y = x.sqrt()
    y.sum().backward()


def _zero_over_zero(m):
    x = m.tensor([0.0, 2.0], requires_grad=True)
    y = x / x
    y.sum().backward()


@pytest.mark.parametrize('forward', [_sqrt_of_negative, _zero_over_zero])
def test_nan_error_and_warning_match_torch(forward):
    def run(m):
        with m.autograd.detect_anomaly():
            forward(m)
    (ours, our_warnings), (theirs, their_warnings) = _run_both(run)
    assert type(ours) is type(theirs) is RuntimeError
    assert str(ours) == str(theirs)  # "Function 'SqrtBackward0' returned nan values in its 0th output."
    # the enabling warning, then the forward traceback of the failing node: the same text, and the
    # same frames (this file's lines and pytest's), as ember leaves its own frames out
    assert our_warnings == [_without_torch_internals(w) for w in their_warnings]
    assert len(our_warnings) == 2 and 'Traceback of forward call that caused the error' in our_warnings[1]


def test_traceback_names_the_forward_line():
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        with ember.autograd.detect_anomaly():
            x = ember.tensor([1.0], requires_grad=True)
            y = x.exp()
    stack = y.grad_fn.metadata['traceback_']
    assert isinstance(stack, list) and all(isinstance(line, str) for line in stack)
    assert 'test_anomaly.py' in stack[-1] and 'y = x.exp()' in stack[-1]
    assert 'in test_traceback_names_the_forward_line' in stack[-1]
    assert not any(os.sep + 'ember' + os.sep in line for line in stack)


def test_nothing_is_recorded_when_anomaly_mode_is_off():
    def run(m):
        x = m.tensor([1.0], requires_grad=True)
        fn = (x * 2).grad_fn
        return dict(fn.metadata), m.is_anomaly_enabled(), m.is_anomaly_check_nan_enabled()
    same(run)
    x = ember.tensor([-1.0], requires_grad=True)
    x.sqrt().sum().backward()  # NaN gradients pass silently
    assert np.isnan(x.grad.numpy()).all()


def test_metadata_is_a_dict_that_keeps_what_is_stored():
    def run(m):
        fn = (m.tensor([1.0], requires_grad=True) * 2).grad_fn
        fn.metadata['note'] = 'mine'
        return fn.metadata
    same(run)


def test_check_nan_false_does_not_raise():
    def run(m):
        with m.autograd.detect_anomaly(check_nan=False):
            flags = (m.is_anomaly_enabled(), m.is_anomaly_check_nan_enabled())
            x = m.tensor([0.0, 2.0], requires_grad=True)
            (x / x).sum().backward()
        return flags, x.grad
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        (ours_flags, ours_grad), _ = same(run)
    assert ours_flags == (True, False) and np.isnan(ours_grad.numpy()[0])


def test_modes_nest_and_restore():
    def run(m):
        states = [(m.is_anomaly_enabled(), m.is_anomaly_check_nan_enabled())]
        with m.autograd.detect_anomaly():
            states.append((m.is_anomaly_enabled(), m.is_anomaly_check_nan_enabled()))
            with m.autograd.set_detect_anomaly(False):
                states.append((m.is_anomaly_enabled(), m.is_anomaly_check_nan_enabled()))
                x = m.tensor([1.0], requires_grad=True)
                states.append(dict((x * 2).grad_fn.metadata))
            states.append((m.is_anomaly_enabled(), m.is_anomaly_check_nan_enabled()))
            with m.autograd.detect_anomaly(check_nan=False):
                states.append((m.is_anomaly_enabled(), m.is_anomaly_check_nan_enabled()))
            states.append((m.is_anomaly_enabled(), m.is_anomaly_check_nan_enabled()))
        states.append((m.is_anomaly_enabled(), m.is_anomaly_check_nan_enabled()))
        m.autograd.set_detect_anomaly(True, check_nan=False)  # as a function: takes effect at once
        states.append((m.is_anomaly_enabled(), m.is_anomaly_check_nan_enabled()))
        m.autograd.set_detect_anomaly(False)
        states.append((m.is_anomaly_enabled(), m.is_anomaly_check_nan_enabled()))
        return states
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        same(run)


def test_a_mode_is_restored_after_an_error():
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        with pytest.raises(RuntimeError, match='returned nan values'):
            with ember.autograd.detect_anomaly():
                _sqrt_of_negative(ember)
    assert not ember.is_anomaly_enabled() and ember.is_anomaly_check_nan_enabled()
    assert ember.autograd.anomaly_mode.AnomalyMode.current_node is None


def test_detect_anomaly_as_a_decorator():
    # ember's extra: PyTorch 2.13's detect_anomaly is a context manager only
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        with pytest.raises(TypeError):
            torch.autograd.detect_anomaly()(lambda: None)
        del caught[:]

        @ember.autograd.detect_anomaly(check_nan=False)
        def check_nan_off():
            return ember.is_anomaly_enabled(), ember.is_anomaly_check_nan_enabled()

        @ember.autograd.detect_anomaly()
        def backward_of_sqrt_of_negative():
            _sqrt_of_negative(ember)
    assert [str(w.message).startswith('Anomaly Detection has been enabled') for w in caught] == [True, True]
    assert not ember.is_anomaly_enabled()  # decorating does not switch the mode on
    assert check_nan_off() == (True, False)
    assert (ember.is_anomaly_enabled(), ember.is_anomaly_check_nan_enabled()) == (False, True)
    error, texts = _run(backward_of_sqrt_of_negative)
    assert str(error) == "Function 'SqrtBackward0' returned nan values in its 0th output."
    assert len(texts) == 1 and texts[0].startswith('Error detected in SqrtBackward0.')
    assert 'in _sqrt_of_negative\n    y = x.sqrt()\n' in texts[0]
    assert not ember.is_anomaly_enabled()


def test_an_error_in_backward_reports_the_forward_traceback():
    def run(m):
        class Fails(m.autograd.Function):
            @staticmethod
            def forward(ctx, a):
                return a.clone()

            @staticmethod
            def backward(ctx, grad):
                raise ValueError('boom')
        with m.autograd.detect_anomaly():
            a = m.ones(2, requires_grad=True)
            Fails.apply(a).sum().backward()
    (ours, our_warnings), (theirs, their_warnings) = _run_both(run)
    assert type(ours) is type(theirs) is ValueError and str(ours) == str(theirs)
    assert our_warnings == [_without_torch_internals(w) for w in their_warnings]
    assert our_warnings[1].startswith('Error detected in FailsBackward.')


def test_double_backward_reports_the_node_that_induced_the_calculation():
    def run(m):
        with m.autograd.detect_anomaly():
            x = m.tensor([0.0, 1.0], requires_grad=True)
            y = x.sqrt()
            g, = m.autograd.grad(y.sum(), x, create_graph=True)
            parent = g.grad_fn.metadata['parent_']
            assert type(parent).__name__ == 'SqrtBackward0' and 'parent_' not in y.grad_fn.metadata
            # g's graph divides by 2 * sqrt(x), which is 0 at x = 0: its backward returns 0 / 0
            m.autograd.grad((g * 0).sum(), x)
    (ours, our_warnings), (theirs, their_warnings) = _run_both(run)
    assert str(ours) == str(theirs) == "Function 'DivBackward0' returned nan values in its 1th output."
    assert our_warnings == [_without_torch_internals(w) for w in their_warnings]
    assert our_warnings[2].startswith('\n\nPrevious calculation was induced by SqrtBackward0.')


def test_enabling_warns_like_torch():
    def run(m):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter('always')
            with m.autograd.detect_anomaly():
                pass
        return [(str(w.message), w.category.__name__, os.path.basename(w.filename)) for w in caught]
    same(run)


def test_gradients_are_unchanged_in_anomaly_mode():
    def run(m):
        with m.autograd.detect_anomaly():
            x = m.tensor(np.linspace(0.5, 2.0, 6).reshape(2, 3), requires_grad=True)
            y = (x.exp() * x.sin()).sum(1).pow(2).sum()
            g, = m.autograd.grad(y, x, create_graph=True)
            g.sum().backward()
        return g, x.grad
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        same(run, atol=1e-10)
