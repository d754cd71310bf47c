"""Module table rows: linear layers and containers."""
from ._spec import ModuleCase, Int, Py  # noqa: F401

MODULE_CASES = [
    ModuleCase('Linear', lambda nn: nn.Linear(4, 3), [(2, 4)]),
    ModuleCase('Linear_no_bias_3d', lambda nn: nn.Linear(4, 3, bias=False), [(2, 5, 4)]),
    ModuleCase('Bilinear', lambda nn: nn.Bilinear(3, 2, 4), [(5, 3), (5, 2)]),
    ModuleCase('Sequential_mlp', lambda nn: nn.Sequential(nn.Linear(4, 5), nn.Tanh(), nn.Linear(5, 2)), [(3, 4)]),
    ModuleCase('Flatten', lambda nn: nn.Flatten(), [(2, 3, 4)]),
    ModuleCase('Unflatten', lambda nn: nn.Unflatten(1, (2, 3)), [(4, 6)]),
    ModuleCase('Identity', lambda nn: nn.Identity(), [(2, 3)], gradcheck=False),
]
