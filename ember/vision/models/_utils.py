"""What the model constructors share."""


def check_no_weights(weights, progress=True, **kwargs):
    """ember can't download pretrained weights: say how to load them instead."""
    if weights is not None or kwargs.get('pretrained'):
        raise RuntimeError("ember cannot download pretrained weights. Build the model with weights=None and load a "
                           "state_dict saved by torch: model.load_state_dict(ember.load('weights.pth')).")
