"""ember.Size: the shape of a tensor, a tuple of ints that prints like PyTorch's."""


class Size(tuple):
    """A tuple subclass for shapes: `ember.Size([2, 3])`."""
    __slots__ = ()
    __module__ = 'ember'  # the public name, as PyTorch's <class 'torch.Size'>

    def __new__(cls, sizes=()):
        return tuple.__new__(cls, sizes)

    def __repr__(self):
        return f"ember.Size({list(self)})"

    __str__ = __repr__

    def numel(self):
        """The number of elements a tensor of this shape holds."""
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, index):
        item = tuple.__getitem__(self, index)
        return Size(item) if isinstance(index, slice) else item

    def __add__(self, other):
        return Size(tuple.__add__(self, other))

    def __radd__(self, other):
        return Size(tuple.__add__(tuple(other), self))

    def __reduce__(self):
        return (Size, (tuple(self),))
