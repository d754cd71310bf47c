"""Module table rows: the padding layers."""
from ._spec import ModuleCase  # noqa: F401

MODULE_CASES = [
    ModuleCase('ZeroPad1d', lambda nn: nn.ZeroPad1d((1, 2)), [(2, 3, 4)]),
    ModuleCase('ZeroPad2d', lambda nn: nn.ZeroPad2d(1), [(1, 2, 3, 3)]),
    ModuleCase('ZeroPad2d_crop', lambda nn: nn.ZeroPad2d((-1, 2, 0, -1)), [(1, 2, 3, 4)]),
    ModuleCase('ZeroPad3d', lambda nn: nn.ZeroPad3d((1, 0, 0, 1, 1, 1)), [(1, 1, 2, 2, 3)]),
    ModuleCase('ConstantPad1d', lambda nn: nn.ConstantPad1d(2, 3.5), [(2, 4)]),
    ModuleCase('ConstantPad2d', lambda nn: nn.ConstantPad2d((1, 0, 2, 1), -1.0), [(2, 3, 3)]),
    ModuleCase('ConstantPad3d', lambda nn: nn.ConstantPad3d(1, 0.5), [(1, 2, 2, 2)]),
    ModuleCase('ReflectionPad1d', lambda nn: nn.ReflectionPad1d((3, 1)), [(2, 3, 4)]),
    ModuleCase('ReflectionPad1d_unbatched', lambda nn: nn.ReflectionPad1d(2), [(2, 5)]),
    ModuleCase('ReflectionPad2d', lambda nn: nn.ReflectionPad2d((1, 2, 2, 0)), [(1, 2, 3, 4)]),
    ModuleCase('ReflectionPad2d_unbatched', lambda nn: nn.ReflectionPad2d(1), [(2, 3, 3)]),
    ModuleCase('ReflectionPad3d', lambda nn: nn.ReflectionPad3d(1), [(1, 1, 2, 3, 2)]),
    ModuleCase('ReplicationPad1d', lambda nn: nn.ReplicationPad1d((3, 1)), [(2, 3, 2)]),
    ModuleCase('ReplicationPad2d', lambda nn: nn.ReplicationPad2d((2, 0, 1, 3)), [(1, 2, 3, 3)]),
    ModuleCase('ReplicationPad3d', lambda nn: nn.ReplicationPad3d((1, 2, 0, 1, 2, 0)), [(1, 2, 2, 2, 2)]),
    ModuleCase('CircularPad1d', lambda nn: nn.CircularPad1d((2, 1)), [(2, 3, 4)]),
    ModuleCase('CircularPad2d', lambda nn: nn.CircularPad2d((1, 2, 3, 0)), [(1, 2, 3, 3)]),
    ModuleCase('CircularPad2d_crop', lambda nn: nn.CircularPad2d((-1, 2, 1, -1)), [(1, 1, 3, 4)]),
    ModuleCase('CircularPad3d', lambda nn: nn.CircularPad3d(1), [(1, 1, 2, 2, 3)]),
]
