"""`torch.__version__` is a TorchVersion: a str that compares as a version, as PyTorch's does."""
import operator

import pytest
import torch
import torch.torch_version

import ember
import ember.torch_version
import ember.vision

VERSIONS = ['2.13.0', '2.13.0+cpu', '1.9', '1.10.2', '2.0', '2.1.0rc1', '2.1.0a0', '2.1.0.dev20230101',
            '2.1.0.post1', '2.1.0+cu118', '2.1.0+cu118.1', 'v2.1', 'parrot']
OTHERS = VERSIONS + ['1.8', '2.2', '2.10', '2.13', '2.14', '2.13.1a0', '3', (2, 0), (2, 13), (2, 13, 1), [1, 10],
                     ('2', '13')]
COMPARISONS = [operator.lt, operator.le, operator.gt, operator.ge, operator.eq, operator.ne]


def outcome(compare, version, other):
    try:
        return compare(version, other)
    except TypeError as error:  # 'parrot' < (2, 0): a str and a tuple do not compare
        return str(error).replace('ember', 'torch')


@pytest.mark.parametrize('version', VERSIONS)
def test_comparisons_match_pytorch(version):
    for other in OTHERS:
        for compare in COMPARISONS:
            expected = outcome(compare, torch.torch_version.TorchVersion(version), other)
            actual = outcome(compare, ember.torch_version.TorchVersion(version), other)
            assert actual == expected, (version, compare, other)


def test_version_is_a_str_that_compares_as_a_version():
    version = ember.__version__
    assert type(version).__name__ == type(torch.__version__).__name__ == 'TorchVersion'
    assert isinstance(version, str) and str(version) == '2.13.0' and version.split('.') == ['2', '13', '0']
    assert str(torch.__version__).startswith(version)  # the release ember follows ('2.13.0+cpu' there)
    assert {version: 1}['2.13.0'] == 1  # hashes as its str
    for other in ['1.8', '2.2', '2.10', (2, 0), (2, 13, 1), 'parrot']:
        for compare in COMPARISONS[:4]:
            assert compare(version, other) == compare(torch.__version__, other), (compare, other)
    with pytest.raises(TypeError):
        version > 2
    assert ember.version.cuda is torch.version.cuda is None and ember.version.__version__ == '2.13.0'


def test_torchvision_version():
    # torchvision's own __version__ is a plain str; 0.28 is the release built against PyTorch 2.13
    assert type(ember.vision.__version__) is str and ember.vision.__version__ == '0.28.0'
