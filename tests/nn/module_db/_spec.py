"""Building blocks of the module table.

A row is `ModuleCase(name, make, inputs, ...)`:
- `make(nn)` builds the layer with the library's `nn` (`lambda nn: nn.Conv2d(3, 4, 3, padding=1)`);
  the torch layer is built first (torch's default init), its state_dict is copied into the ember
  layer, and both get the same inputs.
- `inputs` lists the forward arguments: a tuple is a shape (random float input that gets a gradient);
  `Int(...)`, `Bool(...)`, `Float(...)`, `Arr(...)`, `Py(...)` as in the op table.
- `train=False` calls `.eval()` on both first. `seed`: both libraries are re-seeded with it right
  before the forward, so layers that draw random numbers (Dropout, RReLU) must match exactly.
- `forward(module, *inputs)` overrides how the module is called (e.g. to pick one of several outputs).
- `gradcheck=False` skips the float64 finite-difference check of ember's backward.
"""
from op_db._spec import Float, Int, Bool, Arr, Py, as_spec, positive, unit  # noqa: F401


class ModuleCase:
    def __init__(self, name, make, inputs, dtypes=('float32', 'float64'), train=True, seed=0, forward=None,
                 gradcheck=True, atol=None, rtol=None, grad=True):
        self.name, self.make = name, make
        self.inputs = [as_spec(a) for a in inputs]
        self.dtypes, self.train, self.seed, self.forward = dtypes, train, seed, forward
        self.gradcheck, self.atol, self.rtol, self.grad = gradcheck, atol, rtol, grad

    def __repr__(self):
        return self.name
