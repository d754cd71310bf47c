"""Grad mode: whether ops record the graph. `no_grad`, `enable_grad`, `set_grad_enabled` and
`inference_mode` work as context managers and as function decorators."""
import copy
import functools
import inspect

__all__ = ['no_grad', 'enable_grad', 'set_grad_enabled', 'is_grad_enabled', 'inference_mode',
           'is_inference_mode_enabled']


class GradMode:
    """The switch every op reads. One process-wide flag (PyTorch keeps one per thread)."""
    enabled = True
    inference = False
    # set when inference mode is first entered: until then no tensor is an inference tensor, and
    # autograd need not look for them
    inference_tensors_exist = False


class InferenceVersionCounter(list):
    """The version counter of a tensor made in inference mode, the mark of an inference tensor (one
    that autograd may never save, and that only inference mode may change in place). Views and
    `detach()` share their tensor's counter, so they are inference tensors too, as in PyTorch."""
    __slots__ = ()


def is_grad_enabled():
    return GradMode.enabled


def is_inference_mode_enabled():
    return GradMode.inference


class _GradModeContext:
    """Sets `GradMode.enabled` to `self.mode` inside a `with` block or a decorated function."""
    mode = True
    inference = False

    def __enter__(self):
        self._prev = (GradMode.enabled, GradMode.inference)
        GradMode.enabled, GradMode.inference = self.mode, self.inference or GradMode.inference

    def __exit__(self, *exc):
        GradMode.enabled, GradMode.inference = self._prev
        return False

    def __call__(self, func):
        if inspect.isgeneratorfunction(func):
            return self._wrap_generator(func)

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with copy.copy(self):  # a fresh context per call, so recursion and threads nest correctly
                return func(*args, **kwargs)
        return wrapper

    def _wrap_generator(self, func):
        """As PyTorch does: the mode holds while the generator runs, each time it is resumed, and
        the caller's mode is back whenever it yields."""
        @functools.wraps(func)
        def generator_wrapper(*args, **kwargs):
            generator = func(*args, **kwargs)  # (runs none of its code yet)
            resume, argument = generator.send, None
            while True:
                try:
                    with copy.copy(self):
                        value = resume(argument)
                except StopIteration as stop:
                    return stop.value
                try:
                    resume, argument = generator.send, (yield value)
                except GeneratorExit:
                    with copy.copy(self):
                        generator.close()
                    raise
                except BaseException as error:  # thrown into the wrapper: the generator handles it
                    resume, argument = generator.throw, error
        return generator_wrapper


class no_grad(_GradModeContext):
    """Ops inside do not record the graph: their results have `requires_grad=False`."""
    mode = False

    def __new__(cls, func=None):
        # `@no_grad` without parentheses decorates directly
        self = super().__new__(cls)
        return self(func) if callable(func) else self

    def __init__(self, func=None):
        pass


class enable_grad(_GradModeContext):
    """Turn graph recording back on inside a `no_grad` block."""
    mode = True

    def __new__(cls, func=None):
        self = super().__new__(cls)
        return self(func) if callable(func) else self

    def __init__(self, func=None):
        pass


class set_grad_enabled(_GradModeContext):
    """Set grad mode to `mode`. Like PyTorch, it takes effect at once when called as a function,
    and is restored at the end of a `with` block."""

    def __init__(self, mode):
        self.mode = bool(mode)
        self._prev = (GradMode.enabled, GradMode.inference)
        GradMode.enabled = self.mode

    def __enter__(self):
        # the state to restore was taken in __init__, before the switch was flipped
        GradMode.enabled = self.mode

    def __call__(self, func):
        GradMode.enabled = self._prev[0]  # used as a decorator: don't leave the switch flipped
        return super().__call__(func)

    def __copy__(self):
        # the decorator's per-call context: remember the state at call time, as PyTorch's clone()
        return type(self)(self.mode)


class inference_mode(_GradModeContext):
    """Like `no_grad`, and the tensors made inside are inference tensors: autograd refuses to save
    them for backward, and they cannot be changed in place outside inference mode (they keep no
    history, so nothing could check such a change). `inference_mode(False)` inside turns it off."""

    def __new__(cls, mode=True):
        self = super().__new__(cls)
        if callable(mode):
            self.mode, self.inference = False, True
            return self(mode)
        return self

    def __init__(self, mode=True):
        if not callable(mode):
            self.mode, self.inference = not mode, bool(mode)

    def __enter__(self):
        # (unlike no_grad, which keeps the inference mode it finds, this sets it, on or off)
        self._prev = (GradMode.enabled, GradMode.inference)
        GradMode.enabled, GradMode.inference = self.mode, self.inference
        if self.inference:
            GradMode.inference_tensors_exist = True
