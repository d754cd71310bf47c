"""save / load (being written)."""


def save(obj, f, **kwargs):
    raise NotImplementedError("ember.save is not written yet")


def load(f, **kwargs):
    raise NotImplementedError("ember.load is not written yet")
