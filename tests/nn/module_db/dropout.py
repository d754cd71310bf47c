"""Module table rows: dropout layers. Both libraries are seeded right before the forward, so the
masks must be PyTorch's own, bit for bit; in eval they are the identity."""
from ._spec import ModuleCase

MODULE_CASES = [
    ModuleCase('Dropout', lambda nn: nn.Dropout(), [(4, 5)]),
    ModuleCase('Dropout_p', lambda nn: nn.Dropout(0.2), [(3, 4, 5)], seed=1),
    ModuleCase('Dropout_eval', lambda nn: nn.Dropout(0.2), [(3, 4)], train=False),
    ModuleCase('Dropout_inplace', lambda nn: nn.Dropout(0.3, inplace=True), [(4, 5)], forward=lambda m, x: m(x * 1)),
    ModuleCase('Dropout1d', lambda nn: nn.Dropout1d(0.5), [(2, 4, 3)]),
    ModuleCase('Dropout1d_unbatched', lambda nn: nn.Dropout1d(0.5), [(4, 3)], seed=2),
    ModuleCase('Dropout2d', lambda nn: nn.Dropout2d(0.4), [(2, 5, 3, 3)]),
    ModuleCase('Dropout2d_eval', lambda nn: nn.Dropout2d(0.4), [(2, 5, 3, 3)], train=False),
    ModuleCase('Dropout3d', lambda nn: nn.Dropout3d(), [(2, 3, 2, 2, 2)]),
    ModuleCase('Dropout3d_unbatched', lambda nn: nn.Dropout3d(), [(3, 2, 2, 2)], seed=3),
    ModuleCase('AlphaDropout', lambda nn: nn.AlphaDropout(0.2), [(4, 5)]),
    ModuleCase('AlphaDropout_eval', lambda nn: nn.AlphaDropout(0.2), [(4, 5)], train=False),
    ModuleCase('FeatureAlphaDropout', lambda nn: nn.FeatureAlphaDropout(0.3), [(2, 4, 3, 3)]),
]
