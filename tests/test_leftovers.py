"""Behaviour left over from earlier passes, each compared with torch: the in-place-modification message for
views, torch.tensor's errors for bad data, requires_grad messages, a few op messages, 0-d random samples,
complex gradients of einsum and det/inv/solve/slogdet."""
import numpy as np
import pytest
import torch

import ember


def _message(fn, lib):
    with pytest.raises(Exception) as caught:
        fn(lib)
    return caught.type, str(caught.value)


def _raises_same(fn, whole_message=True):
    """The same exception type, and (by default) the same message, from ember and from torch."""
    theirs, ours = _message(fn, torch), _message(fn, ember)
    assert ours[0] is theirs[0], (ours, theirs)
    if whole_message:
        assert ours[1] == theirs[1]


# ---- 1. "which is output 0 of AsStrided": the message for a saved view changed in place ---------------------
def _gan(lib):
    lib.manual_seed(0)
    generator, discriminator = lib.nn.Linear(2, 2), lib.nn.Linear(2, 1)
    optimizer = lib.optim.SGD(discriminator.parameters(), lr=.1)
    fake = generator(lib.randn(3, 2))
    generator_loss = -discriminator(fake).mean()
    discriminator(fake).mean().backward(retain_graph=True)
    optimizer.step()  # changes the weight whose transpose generator_loss saved
    generator_loss.backward()


def _mm_transposed(lib):
    x, w = lib.randn(3, 2, requires_grad=True), lib.randn(4, 2, requires_grad=True)
    y = x.mm(w.T)
    with lib.no_grad():
        w.add_(1)
    y.sum().backward()


def _select_base_changed(lib):
    x = lib.randn(3, 2, requires_grad=True) * 1
    row = x[0]
    y = row * row
    x.add_(1)
    y.sum().backward()


def _view_changed(lib):
    x = lib.randn(2, 3, requires_grad=True) * 1
    v = x.view(6)
    y = v * v
    v.add_(1)
    y.sum().backward()


def _base_saved_view_changed(lib):  # the saved tensor is the base: its grad_fn is now CopySlices
    x = lib.randn(2, 3, requires_grad=True) * 1
    v = x.view(6)
    y = x * x
    v.add_(1)
    y.sum().backward()


def _view_of_view_changed_twice(lib):
    x = lib.randn(2, 3, requires_grad=True) * 1
    v = x.view(6)[1:]
    v.add_(1)
    y = v * v
    x.add_(1)
    y.sum().backward()


def _select_then_view_as_real(lib):  # a last view step that changes the dtype is replayed, not as_strided
    x = lib.randn(4, 3, dtype=lib.complex64, requires_grad=True) * 1
    v = lib.view_as_real(x[0])
    y = v * v
    x.add_(1)
    y.sum().backward()


def _view_as_real_then_select(lib):
    x = lib.randn(4, 3, dtype=lib.complex64, requires_grad=True) * 1
    v = lib.view_as_real(x)[0]
    y = v * v
    x.add_(1)
    y.sum().backward()


def _plain(lib):
    x = lib.randn(2, 3, requires_grad=True) * 1
    y = x * x
    x.add_(1)
    y.sum().backward()


def _leaf_changed_through_view(lib):
    x = lib.randn(2, 3, requires_grad=True)
    y = x * x
    with lib.no_grad():
        x[0].add_(1)
    y.sum().backward()


def _complex_changed(lib):  # a complex tensor is printed by its backend type, CPUComplexFloatType
    x = lib.randn(3, dtype=lib.complex64, requires_grad=True) * 1
    y = x * x
    x.add_(1)
    y.sum().abs().backward()


@pytest.mark.parametrize('case', [_complex_changed, _gan, _mm_transposed, _select_base_changed, _view_changed,
                                  _base_saved_view_changed, _view_of_view_changed_twice,
                                  _select_then_view_as_real, _view_as_real_then_select, _plain,
                                  _leaf_changed_through_view])
def test_modified_saved_tensor_message(case):
    _raises_same(case)


# ---- 2. torch.tensor's errors for data that is not an array of numbers; size arguments ----------------------
def _generator():
    yield 1


_BAD_DATA = [[1, [2]], [[1], 2], ['a'], [1, 'a'], None, [1, None], {1: 2}, {1, 2}, object(), [[1], 'ab'],
             ['ab', 'cd'], [1., [2]], [[1.], [[2.]]], [1, (2,)], [[None]], [1j, 'a'], [True, 'a'],
             [[1, 2], [3]], [[1], [2, 3]], [[1, 2 ** 70], [1]], [None, 'a'], [1, {1}], 'a']


@pytest.mark.parametrize('dtype', [None, 'float32', 'int64', 'bool', 'complex64', 'uint8'])
# (ids without memory addresses: the two xdist workers must collect the same names)
@pytest.mark.parametrize('data', _BAD_DATA, ids=lambda data: 'object()' if type(data) is object else repr(data))
def test_tensor_refuses_bad_data(data, dtype):
    _raises_same(lambda lib: lib.tensor(data, dtype=dtype and getattr(lib, dtype)))


def test_tensor_refuses_a_generator_and_bytes():
    _raises_same(lambda lib: lib.tensor(_generator()))
    _raises_same(lambda lib: lib.tensor([b'a']))


def test_tensor_reads_ints_beyond_int64_as_floats_among_floats():
    ours, theirs = ember.tensor([1.5, 2 ** 70]), torch.tensor([1.5, 2 ** 70])
    assert ours.dtype == ember.float32
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


@pytest.mark.parametrize('call', [
    lambda lib: lib.zeros(2.5), lambda lib: lib.zeros(2, 2.5), lambda lib: lib.zeros((2, 2.5)),
    lambda lib: lib.zeros([2.5]), lambda lib: lib.zeros('a'), lambda lib: lib.zeros(None),
    lambda lib: lib.zeros(2.5, 2), lambda lib: lib.zeros(True), lambda lib: lib.zeros([True, 2]),
    lambda lib: lib.zeros(lib.tensor(2.)), lambda lib: lib.zeros([2, np.float64(2)]),
    lambda lib: lib.ones(2.5), lambda lib: lib.empty(2, 2.5), lambda lib: lib.randn([2.5]),
    lambda lib: lib.rand(2, None), lambda lib: lib.full(2.5, 1.), lambda lib: lib.full((2, 2.5), 1.),
    lambda lib: lib.randint(3, (2, 2.5)), lambda lib: lib.ones(2).resize_(2.5),
    lambda lib: lib.full((2,), None), lambda lib: lib.full((2,), 'a')])
def test_size_argument_errors(call):
    _raises_same(call)


@pytest.mark.parametrize('size', [(2, True), ([2, True],), (np.int64(2),), ((),)])
def test_size_arguments_pytorch_accepts(size):
    assert tuple(ember.zeros(*size).shape) == tuple(torch.zeros(*size).shape)


# ---- 3. the wording of "cannot require gradients" depends on how it was asked ---------------------------------
@pytest.mark.parametrize('call', [
    lambda lib: lib.tensor([1], requires_grad=True), lambda lib: lib.zeros(2, dtype=lib.int64, requires_grad=True),
    lambda lib: lib.arange(3, requires_grad=True), lambda lib: lib.asarray([1], requires_grad=True),
    lambda lib: lib.randint_like(lib.ones(2), 3, dtype=lib.int64, requires_grad=True),
    lambda lib: lib.tril_indices(3, 3, requires_grad=True),
    lambda lib: lib.ones(2, dtype=lib.int64).requires_grad_(),
    lambda lib: setattr(lib.ones(2, dtype=lib.int64), 'requires_grad', True),
    lambda lib: lib.nn.Parameter(lib.ones(2, dtype=lib.int64)),
    lambda lib: lib.rand(2, dtype=lib.int64), lambda lib: lib.randn(2, dtype=lib.int64),
    lambda lib: lib.ones(2, dtype=lib.int64).uniform_()])
def test_integer_tensors_cannot_require_grad(call):
    _raises_same(call)


# ---- 4. op messages: repeated dims, index dtypes, out= into an inference tensor -----------------------------
@pytest.mark.parametrize('call', [
    lambda lib, x: lib.flip(x, (0, 0)), lambda lib, x: x.flip((1, 0, -1)), lambda lib, x: x.sum((1, 0, 1)),
    lambda lib, x: x.amax((0, -2))])
def test_repeated_dim_message(call):
    _raises_same(lambda lib: call(lib, lib.ones(3, 4)))


@pytest.mark.parametrize('index_dtype', ['float32', 'int32', 'bool'])
@pytest.mark.parametrize('call', [
    lambda lib, x, i, j: x.index_select(0, i), lambda lib, x, i, j: x.index_add(0, i, lib.ones(1, 4)),
    lambda lib, x, i, j: x.index_copy(0, i, lib.ones(1, 4)), lambda lib, x, i, j: x.index_fill(0, i, 1.),
    lambda lib, x, i, j: x.gather(0, j), lambda lib, x, i, j: x.scatter_add(0, j, lib.ones(1, 4)),
    lambda lib, x, i, j: x.scatter_reduce(0, j, lib.ones(1, 4), 'sum'),
    lambda lib, x, i, j: lib.take_along_dim(x, j, 0)])
def test_index_dtype_messages(call, index_dtype):
    def run(lib):
        dtype = getattr(lib, index_dtype)
        return call(lib, lib.ones(3, 4), lib.zeros(1, dtype=dtype), lib.zeros(1, 4, dtype=dtype))
    if index_dtype == 'int32':
        try:
            run(torch)
        except (RuntimeError, IndexError):  # ops that take int64 only
            _raises_same(run)
            return
        run(ember)  # allowed in both
    else:
        _raises_same(run)


@pytest.mark.parametrize('call', [lambda lib, out: lib.add(lib.ones(2), 1, out=out),
                                  lambda lib, out: lib.exp(lib.ones(2), out=out),
                                  lambda lib, out: lib.zeros(2, out=out)])
def test_out_into_inference_tensor_is_an_inplace_update(call):
    def run(lib, inside_no_grad=False):
        with lib.inference_mode():
            out = lib.zeros(2)
        if inside_no_grad:
            with lib.no_grad():
                return call(lib, out)
        return call(lib, out)
    _raises_same(run)
    _raises_same(lambda lib: run(lib, inside_no_grad=True))
    with ember.inference_mode():  # inside inference mode it is allowed
        out = ember.zeros(2)
        call(ember, out)


# ---- 5. samplers keep 0-d shapes and draw what torch draws; a huge uniform range stays finite ---------------
def _scalar(lib, value, dtype='float32'):
    return lib.tensor(value, dtype=getattr(lib, dtype))


_ZERO_D_SAMPLERS = {
    'bernoulli': lambda lib, dtype: lib.bernoulli(_scalar(lib, 0.5, dtype)),
    'bernoulli_p': lambda lib, dtype: lib.bernoulli(_scalar(lib, 0.5, dtype), 0.3),
    'bernoulli_tensor_p': lambda lib, dtype: _scalar(lib, 0., dtype).bernoulli_(_scalar(lib, 0.7, dtype)),
    'poisson': lambda lib, dtype: lib.poisson(_scalar(lib, 2., dtype)),
    'poisson_large_rate': lambda lib, dtype: lib.poisson(_scalar(lib, 20., dtype)),
    'normal_tensor_tensor': lambda lib, dtype: lib.normal(_scalar(lib, 0., dtype), _scalar(lib, 1., dtype)),
    'normal_tensor_number': lambda lib, dtype: lib.normal(_scalar(lib, 1., dtype), 2.),
    'normal_number_tensor': lambda lib, dtype: lib.normal(1., _scalar(lib, 2., dtype)),
    'binomial': lambda lib, dtype: lib.binomial(_scalar(lib, 10., dtype), _scalar(lib, .3, dtype)),
    'binomial_btrs': lambda lib, dtype: lib.binomial(_scalar(lib, 100., dtype), _scalar(lib, .3, dtype)),
    'standard_gamma': lambda lib, dtype: lib._standard_gamma(_scalar(lib, 2., dtype)),
    'standard_gamma_small': lambda lib, dtype: lib._standard_gamma(_scalar(lib, .3, dtype)),
    'uniform_': lambda lib, dtype: _scalar(lib, 0., dtype).uniform_(-2, 3),
    'normal_': lambda lib, dtype: _scalar(lib, 0., dtype).normal_(1, 2),
    'exponential_': lambda lib, dtype: _scalar(lib, 0., dtype).exponential_(),
    'geometric_': lambda lib, dtype: _scalar(lib, 0., dtype).geometric_(.3),
    'log_normal_': lambda lib, dtype: _scalar(lib, 0., dtype).log_normal_(),
    'cauchy_': lambda lib, dtype: _scalar(lib, 0., dtype).cauchy_(),
    'random_': lambda lib, dtype: _scalar(lib, 0., dtype).random_(5),
}


@pytest.mark.parametrize('dtype', ['float32', 'float64'])
@pytest.mark.parametrize('name', sorted(_ZERO_D_SAMPLERS))
def test_samplers_keep_0d_shape_and_values(name, dtype):
    results = []
    for lib in (torch, ember):
        lib.manual_seed(3)
        results.append(_ZERO_D_SAMPLERS[name](lib, dtype))
    theirs, ours = results
    assert tuple(ours.shape) == tuple(theirs.shape) == ()
    array = ours.numpy()
    assert isinstance(array, np.ndarray) and array.shape == ()
    assert array.dtype == theirs.numpy().dtype
    np.testing.assert_array_equal(array, theirs.numpy())


def test_bernoulli_out_keeps_0d_shape():
    out = ember.empty(())
    ember.bernoulli(ember.tensor(0.5), out=out)
    assert tuple(out.shape) == ()


@pytest.mark.parametrize('fill', [lambda t: t.uniform_(-5e307, 5e307), lambda t: t.normal_(1e300, 1e307),
                                  lambda t: t.cauchy_(1e300, 1e300)])
def test_huge_ranges_stay_finite_and_exact(fill):
    results = []
    for lib in (torch, ember):
        lib.manual_seed(0)
        results.append(fill(lib.empty(20, dtype=lib.float64)).numpy())
    assert np.isfinite(results[1]).all()
    np.testing.assert_array_equal(results[1], results[0])


# ---- 6. complex gradients of einsum, cross, det, inv, solve, slogdet, logdet -----------------------------
def _complex(rng, *shape):
    return rng.standard_normal(shape) + 1j * rng.standard_normal(shape)


_COMPLEX_CASES = {
    'einsum_matmul': (lambda lib, a, b: lib.einsum('ij,jk->ik', a, b), ((3, 3), (3, 2))),
    'einsum_three': (lambda lib, a, b, c: lib.einsum('ij,jk,k->i', a, b, c), ((3, 3), (3, 2), (2,))),
    'einsum_dot': (lambda lib, a, b: lib.einsum('i,i->', a, b), ((3,), (3,))),
    'cross': (lambda lib, a, b: lib.linalg.cross(a, b), ((2, 3), (2, 3))),
    'det': (lambda lib, a: lib.linalg.det(a), ((2, 3, 3),)),
    'inv': (lambda lib, a: lib.linalg.inv(a), ((3, 3),)),
    'solve': (lambda lib, a, b: lib.linalg.solve(a, b), ((2, 3, 3), (2, 3, 2))),
    'solve_vector': (lambda lib, a, b: lib.linalg.solve(a, b), ((3, 3), (3,))),
    'solve_right': (lambda lib, a, b: lib.linalg.solve(a, b, left=False), ((3, 3), (2, 3))),
    'slogdet_sign': (lambda lib, a: lib.linalg.slogdet(a)[0], ((3, 3),)),
    'slogdet_logabsdet': (lambda lib, a: lib.linalg.slogdet(a)[1], ((3, 3),)),
    'slogdet_both': (lambda lib, a: (lambda r: r[0] * r[1])(lib.linalg.slogdet(a)), ((3, 3),)),
    'logdet': (lambda lib, a: lib.logdet(a), ((3, 3),)),
}


@pytest.mark.parametrize('name', sorted(_COMPLEX_CASES))
def test_complex_gradients(name):
    fn, shapes = _COMPLEX_CASES[name]
    rng = np.random.default_rng(0)
    arrays = [_complex(rng, *shape) + (3 * np.eye(3) if shape[-2:] == (3, 3) else 0) for shape in shapes]
    weight = 0.3 + 0.7j  # the real part of a weighted sum, and the modulus: losses that read the phase
    results = []
    for lib in (torch, ember):
        inputs = [lib.tensor(a, requires_grad=True) for a in arrays]
        output = fn(lib, *inputs)
        loss = (output * weight).real.sum() + output.abs().sum() if output.is_complex() else (output * 1.7).sum()
        loss.backward()
        results.append((output.detach().resolve_conj(), [t.grad.resolve_conj().numpy() for t in inputs]))
    (theirs, their_grads), (ours, our_grads) = results
    assert str(ours.dtype).split('.')[-1] == str(theirs.dtype).split('.')[-1]
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-10, atol=1e-12)
    for o, t in zip(our_grads, their_grads):
        np.testing.assert_allclose(o, t, rtol=1e-9, atol=1e-12)


def test_complex_det_gradient_of_singular_matrix():
    rng = np.random.default_rng(1)
    a = _complex(rng, 3, 3)
    a[2] = a[0] * (1 + 1j)
    grads = []
    for lib in (torch, ember):
        t = lib.tensor(a, requires_grad=True)
        lib.linalg.det(t).imag.backward()
        grads.append(t.grad.numpy())
    np.testing.assert_allclose(grads[1], grads[0], atol=1e-9)


# ---- 7. Wishart -----------------------------------------------------------------------------------------------
_COVARIANCE = [[2., .5, .1], [.5, 1., .2], [.1, .2, 1.5]]


def _wisharts(lib, form):
    covariance = lib.tensor(_COVARIANCE)
    distributions = lib.distributions
    if form == 'covariance':
        return distributions.Wishart(lib.tensor(5.), covariance_matrix=covariance)
    if form == 'batched_scale_tril':
        return distributions.Wishart(lib.tensor([4., 6.]), scale_tril=lib.linalg.cholesky(covariance))
    if form == 'precision':
        return distributions.Wishart(7., precision_matrix=covariance)
    return distributions.Wishart(lib.tensor(5.), covariance_matrix=covariance).expand((2,))


def _close(ours, theirs, rtol=1e-5):
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert str(ours.dtype).split('.')[-1] == str(theirs.dtype).split('.')[-1]
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=rtol, atol=1e-5)


@pytest.mark.parametrize('form', ['covariance', 'batched_scale_tril', 'precision', 'expanded'])
def test_wishart_against_torch(form):
    ours, theirs = _wisharts(ember, form), _wisharts(torch, form)
    samples = []
    for lib, distribution in ((torch, theirs), (ember, ours)):
        lib.manual_seed(0)
        with pytest.warns(UserWarning, match='Singular sample detected'):  # (PyTorch 2.13 warns every time)
            samples.append(distribution.sample((3,)))
    _close(samples[1], samples[0])
    value = samples[0].unsqueeze(1) if form in ('batched_scale_tril', 'expanded') else samples[0]
    _close(ours.log_prob(ember.tensor(value.numpy())), theirs.log_prob(value))
    _close(ours.entropy(), theirs.entropy())
    for name in ('mean', 'mode', 'variance', 'covariance_matrix', 'precision_matrix', 'scale_tril'):
        _close(getattr(ours, name), getattr(theirs, name))
    assert ours.batch_shape == theirs.batch_shape and ours.event_shape == theirs.event_shape


def test_wishart_gradients_and_errors():
    grads = []
    for lib in (torch, ember):
        covariance = lib.tensor(_COVARIANCE, requires_grad=True)
        df = lib.tensor(5., requires_grad=True)
        distribution = lib.distributions.Wishart(df, covariance_matrix=covariance)
        value = lib.tensor(np.array(_COVARIANCE) * 4, dtype=lib.float32)
        (distribution.log_prob(value) + distribution.entropy()).backward()
        grads.append((covariance.grad, df.grad))
    for ours, theirs in zip(grads[1], grads[0]):
        _close(ours, theirs)
    _raises_same(lambda lib: lib.distributions.Wishart(lib.tensor(1.5), covariance_matrix=lib.eye(3)))
    _raises_same(lambda lib: lib.distributions.Wishart(lib.tensor(4.)))
    _raises_same(lambda lib: lib.distributions.Wishart(lib.tensor(4.), covariance_matrix=lib.ones(3)))
    _raises_same(lambda lib: lib.distributions.Wishart(lib.tensor(4.), covariance_matrix=-lib.eye(3),
                                                       validate_args=True), whole_message=False)
    with pytest.warns(UserWarning, match='Low df values'):
        ember.distributions.Wishart(ember.tensor(2.5), covariance_matrix=ember.eye(3))


@pytest.mark.parametrize('shape', [(-2,), (2, -3), (3, -2)])
def test_negative_view_size_message_names_index_and_shape(shape):
    messages = []
    for lib in (ember, torch):
        with pytest.raises(RuntimeError) as caught:
            lib.ones(6).view(*shape)
        messages.append(str(caught.value))
    assert messages[0] == messages[1]
