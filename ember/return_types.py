"""The named tuples that ops with several results return, as `torch.return_types` has them:
`values, indices = t.max(1)` unpacks like a tuple, and `t.max(1).values` reads a field.

PyTorch's are C "structseq" types; these are tuple subclasses with the same fields and the same
repr (`ember.return_types.max(\\nvalues=tensor(...),\\nindices=tensor(...))`).
"""
import collections

__all__ = ['max', 'min', 'sort', 'topk', 'kthvalue', 'median', 'nanmedian', 'mode', 'cummax', 'cummin',
           'aminmax']


def _structseq_repr(self):
    fields = ',\n'.join(f'{name}={value!r}' for name, value in zip(self._fields, self))
    return f'{type(self).__module__}.{type(self).__name__}(\n{fields})'


def _structseq(name, fields):
    """A tuple type `name` with named `fields`, printed like PyTorch's structseq types."""
    base = collections.namedtuple(name, fields)
    return type(name, (base,), {'__slots__': (), '__module__': __name__, '__repr__': _structseq_repr,
                                '__str__': _structseq_repr, 'n_fields': len(fields),
                                'n_sequence_fields': len(fields), 'n_unnamed_fields': 0})


max = _structseq('max', ('values', 'indices'))
min = _structseq('min', ('values', 'indices'))
sort = _structseq('sort', ('values', 'indices'))
topk = _structseq('topk', ('values', 'indices'))
kthvalue = _structseq('kthvalue', ('values', 'indices'))
median = _structseq('median', ('values', 'indices'))
nanmedian = _structseq('nanmedian', ('values', 'indices'))
mode = _structseq('mode', ('values', 'indices'))
cummax = _structseq('cummax', ('values', 'indices'))
cummin = _structseq('cummin', ('values', 'indices'))
aminmax = _structseq('aminmax', ('min', 'max'))
histogram = _structseq('histogram', ('hist', 'bin_edges'))
__all__ += ['histogram']

# the decompositions of ember.linalg (and the old top-level torch.svd / torch.qr)
svd = _structseq('svd', ('U', 'S', 'V'))
qr = _structseq('qr', ('Q', 'R'))
slogdet = _structseq('slogdet', ('sign', 'logabsdet'))
linalg_svd = _structseq('linalg_svd', ('U', 'S', 'Vh'))
linalg_eigh = _structseq('linalg_eigh', ('eigenvalues', 'eigenvectors'))
linalg_qr = _structseq('linalg_qr', ('Q', 'R'))
linalg_slogdet = _structseq('linalg_slogdet', ('sign', 'logabsdet'))
linalg_inv_ex = _structseq('linalg_inv_ex', ('inverse', 'info'))
linalg_solve_ex = _structseq('linalg_solve_ex', ('result', 'info'))
linalg_cholesky_ex = _structseq('linalg_cholesky_ex', ('L', 'info'))
linalg_lstsq = _structseq('linalg_lstsq', ('solution', 'residuals', 'rank', 'singular_values'))
__all__ += ['svd', 'qr', 'slogdet', 'linalg_svd', 'linalg_eigh', 'linalg_qr', 'linalg_slogdet', 'linalg_inv_ex',
            'linalg_solve_ex', 'linalg_cholesky_ex', 'linalg_lstsq']

# LU, eig, LDL and the other factorizations (ember.linalg and the top-level torch.lu & co)
linalg_eig = _structseq('linalg_eig', ('eigenvalues', 'eigenvectors'))
linalg_lu_factor = _structseq('linalg_lu_factor', ('LU', 'pivots'))
linalg_lu_factor_ex = _structseq('linalg_lu_factor_ex', ('LU', 'pivots', 'info'))
linalg_lu = _structseq('linalg_lu', ('P', 'L', 'U'))
lu_unpack = _structseq('lu_unpack', ('P', 'L', 'U'))
_lu_with_info = _structseq('_lu_with_info', ('LU', 'pivots', 'info'))
linalg_ldl_factor = _structseq('linalg_ldl_factor', ('LD', 'pivots'))
linalg_ldl_factor_ex = _structseq('linalg_ldl_factor_ex', ('LD', 'pivots', 'info'))
triangular_solve = _structseq('triangular_solve', ('solution', 'cloned_coefficient'))
geqrf = _structseq('geqrf', ('a', 'tau'))
histogramdd = _structseq('histogramdd', ('hist', 'bin_edges'))
__all__ += ['linalg_eig', 'linalg_lu_factor', 'linalg_lu_factor_ex', 'linalg_lu', 'lu_unpack', 'linalg_ldl_factor',
            'linalg_ldl_factor_ex', 'triangular_solve', 'geqrf', 'histogramdd']

# frexp's (mantissa, exponent)
frexp = _structseq('frexp', ('mantissa', 'exponent'))
__all__ += ['frexp']
