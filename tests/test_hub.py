"""ember.hub against torch.hub, offline: local hubconf.py repositories, a GitHub repository already in
the cache, checkpoints already in <hub_dir>/checkpoints, and downloads from file:// URLs."""
import hashlib
import os

import pytest
import torch
import torch.hub

import ember
import ember.hub
import ember.utils.model_zoo

HUBCONF = '''
"""A test hub repository."""
dependencies = ['numpy']
from helper import double  # (hubconf imports its own repository's modules)


def tiny(width=2, *, scale=1.0):
    """A tiny model."""
    return {'width': double(width), 'scale': scale}


def _private():
    return None


not_callable = 3
'''


@pytest.fixture
def repo(tmp_path):
    directory = tmp_path / 'repo'
    directory.mkdir()
    (directory / 'hubconf.py').write_text(HUBCONF)
    (directory / 'helper.py').write_text('def double(x):\n    return 2 * x\n')
    return str(directory)


@pytest.fixture
def hub_dirs(tmp_path):
    """A fresh hub directory for each library, restored afterwards."""
    before = ember.hub._hub_dir, torch.hub._hub_dir
    ember.hub.set_dir(str(tmp_path / 'ember_hub'))
    torch.hub.set_dir(str(tmp_path / 'torch_hub'))
    yield
    ember.hub._hub_dir, torch.hub._hub_dir = before


def _outcome(call):
    try:
        return 'ok', call()
    except Exception as error:  # noqa: BLE001
        return type(error).__name__, str(error)


@pytest.mark.parametrize('model, args, kwargs', [
    ('tiny', (), {}), ('tiny', (5,), dict(scale=0.5)), ('missing', (), {}), ('not_callable', (), {}), (3, (), {}),
])
def test_load_local(repo, model, args, kwargs):
    ours = _outcome(lambda: ember.hub.load(repo, model, *args, source='local', **kwargs))
    theirs = _outcome(lambda: torch.hub.load(repo, model, *args, source='local', **kwargs))
    assert ours == theirs


def test_load_errors(repo, tmp_path):
    for source in ('LOCAL', 'pypi'):
        assert _outcome(lambda: ember.hub.load(repo, 'tiny', source=source)) == \
            _outcome(lambda: torch.hub.load(repo, 'tiny', source=source))
    (tmp_path / 'repo' / 'hubconf.py').write_text(HUBCONF.replace("['numpy']", "['numpy', 'no_such_package_x']"))
    assert _outcome(lambda: ember.hub.load(repo, 'tiny', source='local')) == \
        _outcome(lambda: torch.hub.load(repo, 'tiny', source='local')) == \
        ('RuntimeError', 'Missing dependencies: no_such_package_x')


def test_github_repository_from_the_cache(repo, hub_dirs, capsys):
    for module in (ember, torch):
        cached = os.path.join(module.hub.get_dir(), 'someone_models_main')
        os.makedirs(module.hub.get_dir())
        os.symlink(repo, cached)
    for module in (ember, torch):  # (with a ref: PyTorch would ask GitHub for the default branch)
        assert module.hub.list('someone/models:main', trust_repo=True) == ['double', 'tiny']
        assert module.hub.help('someone/models:main', 'tiny', trust_repo=True) == 'A tiny model.'
        assert module.hub.load('someone/models:main', 'tiny', 3, trust_repo=True) == {'width': 6, 'scale': 1.0}
    # without a ref, ember takes the cached main (or master) branch
    assert ember.hub.load('someone/models', 'tiny', trust_repo=True) == {'width': 4, 'scale': 1.0}
    assert 'Using cache found in' in capsys.readouterr().err


def test_get_dir_follows_torch_home(monkeypatch, tmp_path):
    monkeypatch.setattr(ember.hub, '_hub_dir', None)
    monkeypatch.setattr(torch.hub, '_hub_dir', None)
    monkeypatch.setenv('TORCH_HOME', str(tmp_path / 'home'))
    assert ember.hub.get_dir() == torch.hub.get_dir() == str(tmp_path / 'home' / 'hub')
    monkeypatch.delenv('TORCH_HOME')
    monkeypatch.setenv('XDG_CACHE_HOME', str(tmp_path / 'cache'))
    assert ember.hub.get_dir() == torch.hub.get_dir()


def test_load_state_dict_from_the_checkpoint_cache(hub_dirs):
    state = {'weight': ember.arange(6.).reshape(2, 3), 'bias': ember.zeros(2)}
    checkpoints = os.path.join(ember.hub.get_dir(), 'checkpoints')
    os.makedirs(checkpoints)
    ember.save(state, os.path.join(checkpoints, 'tiny-0123abcd.pth'))
    # never downloaded (the host doesn't exist), even with check_hash: a cached file is trusted
    url = 'https://example.invalid/models/tiny-0123abcd.pth'
    for load in (ember.hub.load_state_dict_from_url, ember.utils.model_zoo.load_url):
        loaded = load(url, check_hash=True, weights_only=True)
        assert loaded.keys() == state.keys() and ember.equal(loaded['weight'], state['weight'])
    assert ember.hub.load_state_dict_from_url('https://example.invalid/x.pth', file_name='tiny-0123abcd.pth')['bias'] \
        .shape == (2,)


def test_download_from_a_file_url(hub_dirs, tmp_path):
    source = tmp_path / 'weights-src.pth'
    ember.save({'w': ember.ones(3)}, str(source))
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    named = tmp_path / f'weights-{digest[:8]}.pth'
    named.write_bytes(source.read_bytes())
    loaded = ember.hub.load_state_dict_from_url(named.as_uri(), check_hash=True, progress=False)
    assert ember.equal(loaded['w'], ember.ones(3))
    assert os.path.exists(os.path.join(ember.hub.get_dir(), 'checkpoints', named.name))
    # a wrong hash prefix: PyTorch's error, and nothing left behind
    for module in (ember, torch):
        destination = tmp_path / f'{module.__name__}-copy.pth'
        with pytest.raises(RuntimeError, match=f'invalid hash value \\(expected "ffff", got "{digest}"\\)'):
            module.hub.download_url_to_file(source.as_uri(), str(destination), hash_prefix='ffff', progress=False)
        assert not destination.exists() and not list(tmp_path.glob('*.partial'))
    ember.hub.download_url_to_file(source.as_uri(), str(tmp_path / 'copy.pth'), hash_prefix=digest[:6],
                                   progress=False)
    assert (tmp_path / 'copy.pth').read_bytes() == source.read_bytes()


def test_missing_file_says_where_to_put_it(hub_dirs, tmp_path):
    missing = (tmp_path / 'nowhere.pth').as_uri()
    with pytest.raises(RuntimeError, match='put the file at .*checkpoints.*nowhere.pth'):
        ember.hub.load_state_dict_from_url(missing, progress=False)
