"""Custom autograd.Function corners, saved tensors hooks and grad-mode decorators on generators,
each run with ember and with torch and compared."""
import numpy as np
import pytest

from _compare import same, raises_same, data, leaf


def _function(m, forward, backward, name='X'):
    """A Function subclass of library `m` named `name` from two plain functions."""
    return type(name, (m.autograd.Function,), {'forward': staticmethod(forward), 'backward': staticmethod(backward)})


# ---- what apply passes to backward and checks in what backward returns ----------------------------------
def test_set_materialize_grads_false_gives_none_for_unused_outputs():
    def run(m):
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            return x * 2, x * 3

        def backward(ctx, grad_a, grad_b):
            ctx.seen = (grad_a is None, grad_b is None)
            return grad_b * 3
        x = leaf(m, data(3))
        a, b = _function(m, forward, backward).apply(x)
        b.sum().backward()
        return b.grad_fn.seen, x.grad
    same(run)


def test_needs_input_grad_counts_keyword_and_non_tensor_arguments():
    def run(m):
        def forward(ctx, x, k=1, y=None):
            ctx.k = k
            return x * k + y

        def backward(ctx, grad):
            ctx.needs = ctx.needs_input_grad
            return grad * ctx.k, None, grad
        x, y = leaf(m, data(3)), leaf(m, data(3, seed=1))
        out = _function(m, forward, backward).apply(x, 3, y=y)
        out.sum().backward()
        return out.grad_fn.needs, x.grad, y.grad, len(out.grad_fn.next_functions)
    same(run)


def test_setup_context_style_binds_defaults():
    def run(m):
        class Scale(m.autograd.Function):
            @staticmethod
            def forward(x, k=2.0, y=None):
                return x * k

            @staticmethod
            def setup_context(ctx, inputs, output):
                x, k, _ = inputs
                ctx.k = k
                ctx.save_for_backward(x)
                ctx.seen = (len(inputs), tuple(output.shape), ctx.needs_input_grad)

            @staticmethod
            def backward(ctx, grad):
                x, = ctx.saved_tensors
                return grad * ctx.k, None, None
        x = leaf(m, data(2, 3))
        out = Scale.apply(x)
        out.sum().backward()
        return out, x.grad, out.grad_fn.seen, type(out.grad_fn).__name__
    same(run)


@pytest.mark.parametrize('returned', [1, 3])
def test_wrong_number_of_gradients(returned):
    def run(m):
        X = _function(m, lambda ctx, x, y: x * y, lambda ctx, grad: (grad,) * returned)
        X.apply(leaf(m, data(2)), leaf(m, data(2))).sum().backward()
    raises_same(run, match=f"function XBackward returned an incorrect number of gradients (expected 2, got {returned})")


def test_extra_gradients_may_be_none():
    def run(m):
        x = leaf(m, data(2))
        _function(m, lambda ctx, x: x * 2, lambda ctx, grad: (grad * 2, None, None)).apply(x).sum().backward()
        return x.grad
    same(run)


@pytest.mark.parametrize('grad_shape', [(3,), (1, 3)])
def test_gradient_of_wrong_shape(grad_shape):
    def run(m):
        X = _function(m, lambda ctx, k, x: x * 2, lambda ctx, grad: (None, grad[:1].sum(0).expand(grad_shape)))
        X.apply(3, leaf(m, data(2, 3))).sum().backward()
    raises_same(run, match=f"Function XBackward returned an invalid gradient at index 0 - got {list(grad_shape)} but "
                           "expected shape compatible with [2, 3]")


def test_gradient_that_broadcasts_from_the_input_is_summed():
    def run(m):
        x = leaf(m, data(2, 3))
        _function(m, lambda ctx, x: x.sum(), lambda ctx, grad: grad.expand(4, 2, 3)).apply(x).backward()
        return x.grad
    same(run)


def test_gradient_for_a_non_tensor_input_or_not_a_tensor():
    def for_number(m):
        _function(m, lambda ctx, k, x: x * k, lambda ctx, grad: (grad, grad)).apply(3, leaf(m, data(2))).sum().backward()
    raises_same(for_number, match="returned a gradient different than None at position 1, but the corresponding "
                                  "forward input was not a Variable")

    def a_float(m):
        _function(m, lambda ctx, x: x * 2, lambda ctx, grad: 2.0).apply(leaf(m, data(2))).sum().backward()
    raises_same(a_float, match="expected Variable or None (got float)")


def test_save_for_backward_refuses_non_tensors_and_keeps_none():
    def a_number(m):
        def forward(ctx, x):
            ctx.save_for_backward(3, x)
            return x * 2
        _function(m, forward, lambda ctx, grad: grad).apply(leaf(m, data(2)))
    raises_same(a_number, match="save_for_backward can only save variables, but argument 0 is of type int")

    def none(m):
        def forward(ctx, x):
            ctx.save_for_backward(None, x)
            return x * 2

        def backward(ctx, grad):
            nothing, x = ctx.saved_tensors
            return grad * x if nothing is None else None
        x = leaf(m, data(3))
        _function(m, forward, backward).apply(x).sum().backward()
        return x.grad
    same(none)


def test_function_ctx_notes_what_it_is_told():
    def run(m):
        ctx = m.autograd.function.FunctionCtx()
        x = m.ones(2)
        ctx.save_for_backward(x)
        ctx.mark_dirty(x)
        ctx.mark_non_differentiable(x)
        return ctx.to_save, ctx.dirty_tensors, ctx.non_differentiable
    same(run)


def _doubler_in_place(m):
    def forward(ctx, x):
        x.mul_(2)
        ctx.mark_dirty(x)
        return x
    return _function(m, forward, lambda ctx, grad: grad * 2)


def test_mark_dirty():
    def run(m):
        x = leaf(m, data(3))
        y = x * 1
        out = _doubler_in_place(m).apply(y)
        info = (out is y, y._version, type(y.grad_fn).__name__)
        out.sum().backward()
        with m.no_grad():
            z = m.ones(2)
            _doubler_in_place(m).apply(z)
        return info, x.grad, z._version
    same(run)

    def on_leaf(m):
        _doubler_in_place(m).apply(leaf(m, data(3)))
    raises_same(on_leaf, match="a leaf Variable that requires grad has been used in an in-place operation.")

    def not_returned(m):
        def forward(ctx, x):
            ctx.mark_dirty(x)
            return x * 1
        _function(m, forward, lambda ctx, grad: grad).apply(leaf(m, data(3)) * 1)
    raises_same(not_returned, match="Some elements marked as dirty during the forward method were not returned")

    def saved_then_dirtied(m):
        y = leaf(m, data(3)) * 1
        z = y * y  # saves y
        _doubler_in_place(m).apply(y)
        z.sum().backward()
    raises_same(saved_then_dirtied, match="which is output 0 of X, is at version 2; expected version 0 instead")


def test_saved_tensors_after_backward_freed_them():
    def run(m):
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * 2
        out = _function(m, forward, lambda ctx, grad: grad * 2).apply(leaf(m, data(2)))
        out.sum().backward()
        out.grad_fn.saved_tensors
    raises_same(run, match="Trying to backward through the graph a second time")


def test_grad_fn_name_repr_and_next_functions():
    def run(m):
        MyOp = _function(m, lambda ctx, x, y: x * y, lambda ctx, grad: (grad, grad), name='MyOp')
        x = leaf(m, data(2))
        out = MyOp.apply(x * 2, x)
        return (type(out.grad_fn).__name__, out.grad_fn.name(), repr(out).split('grad_fn=')[1],
                [(type(fn).__name__, nr) for fn, nr in out.grad_fn.next_functions],
                repr(out.grad_fn).split(' object')[0].split('.')[-1])
    same(run)


def test_once_differentiable_result_refuses_double_backward():
    def run(m):
        class Cube(m.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x ** 3

            @staticmethod
            @m.autograd.function.once_differentiable
            def backward(ctx, grad):
                x, = ctx.saved_tensors
                return grad * 3 * x * x
        x = leaf(m, data(3, dtype=np.float64))
        v = leaf(m, np.ones(3))
        g, = m.autograd.grad(Cube.apply(x), x, v, create_graph=True)
        return g, g.requires_grad, type(g.grad_fn).__name__, [type(fn).__name__ for fn, _ in g.grad_fn.next_functions]
    same(run)

    def twice(m):
        g, = run(m)[:1]
        g.sum().backward()
    raises_same(twice, match="trying to differentiate twice a function that was marked with @once_differentiable")


@pytest.mark.filterwarnings("ignore:.*should not be instantiated")
def test_legacy_function_classes():
    def run(m):
        Double = type('Double', (m.autograd.function.InplaceFunction,),
                      {'forward': staticmethod(lambda ctx, x: x * 2), 'backward': staticmethod(lambda ctx, g: g * 2)})
        x = leaf(m, data(2))
        Double.apply(x).sum().backward()
        nested = m.autograd.function.NestedIOFunction
        return (Double(inplace=True).inplace, Double().inplace, x.grad, issubclass(nested, m.autograd.Function),
                [hasattr(nested, name) for name in ('forward_extended', 'backward_extended', 'save_for_backward',
                                                    'saved_tensors', 'mark_dirty', 'mark_non_differentiable')])
    same(run)


# ---- saved tensors hooks ------------------------------------------------------------------------------
def test_saved_tensors_hooks_pack_and_unpack_each_saved_tensor():
    def run(m):
        log = []

        def pack(t):
            log.append(('pack', tuple(t.shape)))
            return t.detach().clone()

        def unpack(packed):
            log.append(('unpack', tuple(packed.shape)))
            return packed
        x = leaf(m, data(3))
        with m.autograd.graph.saved_tensors_hooks(pack, unpack):
            y = x.exp()            # saves its result
            z = (y * x).sum()      # saves y and x
        log.append('backward')
        z.backward()
        return log, x.grad
    same(run)


def test_saved_tensors_hooks_keep_double_backward_and_skip_version_checks():
    def run(m):
        x = leaf(m, data(3, dtype=np.float64))
        with m.autograd.graph.saved_tensors_hooks(lambda t: t * 1, lambda packed: packed):
            y = (x.pow(3) * x).sum()
        g, = m.autograd.grad(y, x, create_graph=True)
        g.sum().backward()
        return g, x.grad
    same(run, atol=1e-9)

    def modified(m):
        x = leaf(m, data(3))
        with m.autograd.graph.saved_tensors_hooks(lambda t: t.detach().clone(), lambda packed: packed):
            y = x * x
        with m.no_grad():
            x.add_(1)  # the packed copies are what backward reads
        y.sum().backward()
        return x.grad
    same(modified)


def test_saved_tensors_hooks_errors():
    def in_place_pack(m):
        x = leaf(m, data(3))
        with m.autograd.graph.saved_tensors_hooks(lambda t: t.mul_(1), lambda packed: packed):
            (x * 1) * x
    raises_same(in_place_pack, match="A saved tensor pack hook is modifying its input in place.")

    def unpack_number(m):
        x = leaf(m, data(3))
        with m.autograd.graph.saved_tensors_hooks(lambda t: 3, lambda packed: packed):
            y = (x * x).sum()
        y.backward()
    raises_same(unpack_number, match="Output of saved tensor unpack_hook expected to be a Tensor but got result of "
                                     "type int")

    def disabled(m):
        with m.autograd.graph.disable_saved_tensors_hooks("no hooks here"):
            with m.autograd.graph.saved_tensors_hooks(lambda t: t, lambda packed: packed):
                pass
    raises_same(disabled, match="no hooks here")


def test_save_on_cpu_and_custom_function_saves():
    def run(m):
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * 2

        def backward(ctx, grad):
            x, = ctx.saved_tensors
            return grad * x
        packed = []
        x = leaf(m, data(3))
        with m.autograd.graph.saved_tensors_hooks(lambda t: packed.append(1) or t, lambda p: p):
            out = _function(m, forward, backward).apply(x).sum()
        out.backward()
        first = (len(packed), x.grad.clone())
        x.grad = None
        with m.autograd.graph.save_on_cpu():
            (x.sin() * x).sum().backward()
        return first, x.grad
    same(run)


def test_increment_version():
    def run(m):
        x = m.ones(2)
        m.autograd.graph.increment_version(x)
        m.autograd.graph.increment_version([x, x])
        return x._version
    same(run)


# ---- grad-mode decorators on generators -------------------------------------------------------------
def test_grad_mode_decorators_on_generators_apply_per_resumption():
    def run(m):
        seen = []

        @m.no_grad()
        def counting():
            received = yield m.is_grad_enabled()
            seen.append(('inside', received, m.is_grad_enabled()))
            yield 2
            return 'done'
        steps = counting()
        seen.append(next(steps))
        seen.append(('outside', m.is_grad_enabled()))
        seen.append(steps.send('hi'))
        try:
            next(steps)
        except StopIteration as stop:
            seen.append(stop.value)

        @m.enable_grad()
        def enabled():
            yield m.is_grad_enabled()
        with m.no_grad():
            seen.append((list(enabled()), m.is_grad_enabled()))

        @m.inference_mode()
        def inference():
            yield m.is_inference_mode_enabled(), m.is_grad_enabled()
        seen.append((list(inference()), m.is_inference_mode_enabled()))

        @m.set_grad_enabled(False)
        def disabled():
            yield m.is_grad_enabled()
        seen.append((list(disabled()), m.is_grad_enabled()))

        def catching():
            try:
                yield 1
            except ValueError:
                yield m.is_grad_enabled()
        thrown = m.no_grad()(catching)()
        next(thrown)
        seen.append(thrown.throw(ValueError()))
        return seen
    same(run)
