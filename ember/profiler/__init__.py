"""ember.profiler: PyTorch's profiler API over ember's op recorder (`ember.autograd.profiler`).

    with ember.profiler.profile(activities=[ProfilerActivity.CPU], record_shapes=True) as prof:
        with ember.profiler.record_function("model_inference"):
            model(inputs)
    print(prof.key_averages().table(sort_by="cpu_time_total", row_limit=10))
"""
from ..autograd.profiler import record_function
from .profiler import (profile, ProfilerActivity, ProfilerAction, schedule, tensorboard_trace_handler,
                       supported_activities)

__all__ = ['profile', 'record_function', 'ProfilerActivity', 'ProfilerAction', 'schedule',
           'tensorboard_trace_handler', 'supported_activities']
