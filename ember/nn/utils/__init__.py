"""ember.nn.utils: helpers around modules and parameters (clip_grad_norm_, ... come later)."""
