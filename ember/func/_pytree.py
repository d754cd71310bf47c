"""Nested containers of tensors ("pytrees"), as torch.utils._pytree sees them.

The function transforms accept and return any nesting of tuples, lists and dicts with tensors (or
other values) at the leaves. `tree_flatten` lists the leaves and records the nesting in a
`TreeSpec`; `tree_unflatten` rebuilds the same nesting around new leaves. Comparing two specs tells
whether two trees have the same structure, which is how PyTorch checks that in_dims match the
inputs or cotangents match the outputs.
"""
__all__ = ['TreeSpec', 'tree_flatten', 'tree_unflatten', 'broadcast_prefix']


class TreeSpec:
    """The shape of a tree: a container type, its context (a dict's keys), and one spec per child;
    a leaf is a TreeSpec with `type` None."""
    __slots__ = ('type', 'context', 'children')

    def __init__(self, type=None, context=None, children=()):
        self.type = type
        self.context = context
        self.children = list(children)

    def is_leaf(self):
        return self.type is None

    @property
    def num_leaves(self):
        return 1 if self.is_leaf() else sum(child.num_leaves for child in self.children)

    def __eq__(self, other):
        return (isinstance(other, TreeSpec) and self.type is other.type and self.context == other.context
                and self.children == other.children)

    def __repr__(self, indent=0):
        # PyTorch's layout, which its error messages show: TreeSpec(tuple, None, [*,\n  *])
        if self.is_leaf():
            return '*'
        indent += 2
        children = [child.__repr__(indent) for child in self.children]
        joined = (',\n' + ' ' * indent).join(children)
        return f"TreeSpec({self.type.__name__}, {self.context}, [{joined}])"

    def __str__(self):
        # the short form of torch.utils._pytree.treespec_pprint: (*, *), [*], {'a': *}
        if self.is_leaf():
            return '*'
        children = [str(child) for child in self.children]
        if self.type is dict:
            return '{' + ', '.join(f"{key!r}: {child}" for key, child in zip(self.context, children)) + '}'
        if self.type is list:
            return '[' + ', '.join(children) + ']'
        return '(' + ', '.join(children) + (',)' if len(children) == 1 else ')')


def _children(tree):
    """(type, context, children) for a container the pytree looks into, None for a leaf."""
    if isinstance(tree, dict):
        return dict, list(tree.keys()), list(tree.values())
    if isinstance(tree, (tuple, list)):
        return type(tree), None, list(tree)
    return None


def tree_flatten(tree):
    """(the leaves in order, the TreeSpec that `tree_unflatten` needs to rebuild `tree`)."""
    node = _children(tree)
    if node is None:
        return [tree], TreeSpec()
    node_type, context, children = node
    leaves, specs = [], []
    for child in children:
        child_leaves, child_spec = tree_flatten(child)
        leaves.extend(child_leaves)
        specs.append(child_spec)
    return leaves, TreeSpec(node_type, context, specs)


def tree_unflatten(leaves, spec):
    """The tree of shape `spec` with `leaves` in the place of its leaves."""
    leaves = iter(leaves)

    def build(spec):
        if spec.is_leaf():
            return next(leaves)
        children = [build(child) for child in spec.children]
        if spec.type is dict:
            return dict(zip(spec.context, children))
        if spec.type is tuple or spec.type is list:
            return spec.type(children)
        return spec.type(*children)  # a namedtuple
    return build(spec)


def broadcast_prefix(prefix, spec):
    """The flat list of `prefix`'s values, one per leaf of `spec`, or None when `prefix` is not a
    prefix of `spec` (a leaf of `prefix` stands for the whole subtree below it: `in_dims=0`
    maps every tensor of a dict argument)."""
    node = _children(prefix)
    if node is None:
        return [prefix] * spec.num_leaves
    node_type, context, children = node
    if spec.is_leaf() or node_type is not spec.type or context != spec.context \
            or len(children) != len(spec.children):
        return None
    flat = []
    for child, child_spec in zip(children, spec.children):
        values = broadcast_prefix(child, child_spec)
        if values is None:
            return None
        flat.extend(values)
    return flat
