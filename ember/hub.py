"""ember.hub: load models published as a `hubconf.py` (a directory, or a GitHub repository kept in the
hub cache) and pretrained weights from a URL, cached under `get_dir()`.

A hub repository is a directory whose `hubconf.py` defines one function per model (its "entrypoints";
names starting with `_` are helpers) and may list the packages it needs in `dependencies`.
Downloads use `urllib` as PyTorch does; a file already in the cache is never downloaded again, so
weights placed in `<hub_dir>/checkpoints/` by hand (or by PyTorch, which shares the directory) load
offline.
"""
import contextlib
import hashlib
import importlib.util
import os
import re
import shutil
import sys
import uuid
import warnings
import zipfile
from pathlib import Path
from urllib.parse import urlparse

from . import serialization

__all__ = ['download_url_to_file', 'get_dir', 'help', 'list', 'load', 'load_state_dict_from_url', 'set_dir']

# the hash prefix in a checkpoint's file name: bfd8deac in resnet18-bfd8deac.pth
HASH_REGEX = re.compile(r"-([a-f0-9]*)\.")
_TRUSTED_REPO_OWNERS = ("facebookresearch", "facebookincubator", "pytorch", "fairinternal")
MODULE_HUBCONF = "hubconf.py"
VAR_DEPENDENCY = "dependencies"
READ_DATA_CHUNK = 128 * 1024

_hub_dir = None


def get_dir():
    """The hub cache directory: the one `set_dir` chose, else $TORCH_HOME/hub, with TORCH_HOME
    defaulting to $XDG_CACHE_HOME/torch (~/.cache/torch): the same directory PyTorch uses."""
    if os.getenv("TORCH_HUB"):
        warnings.warn("TORCH_HUB is deprecated, please use env TORCH_HOME instead", stacklevel=2)
    if _hub_dir is not None:
        return _hub_dir
    torch_home = os.path.expanduser(os.getenv("TORCH_HOME", os.path.join(os.getenv("XDG_CACHE_HOME", "~/.cache"),
                                                                         "torch")))
    return os.path.join(torch_home, "hub")


def set_dir(d):
    """Make `d` the hub cache directory (for repositories and `checkpoints/`)."""
    global _hub_dir
    _hub_dir = os.path.expanduser(d)


# ---- hubconf.py -----------------------------------------------------------------------------------

@contextlib.contextmanager
def _added_to_sys_path(path):
    """hubconf.py imports its repository's own modules: put the repository first on sys.path meanwhile."""
    sys.path.insert(0, path)
    try:
        yield
    finally:
        sys.path.remove(path)


def _import_hubconf(repo_dir):
    with _added_to_sys_path(repo_dir):
        spec = importlib.util.spec_from_file_location(MODULE_HUBCONF, os.path.join(repo_dir, MODULE_HUBCONF))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return module


def _load_entry_from_hubconf(hub_module, model):
    if not isinstance(model, str):
        raise ValueError("Invalid input: model should be a string of function name")
    missing = [package for package in getattr(hub_module, VAR_DEPENDENCY, None) or ()
               if importlib.util.find_spec(package) is None]
    if missing:
        raise RuntimeError(f"Missing dependencies: {', '.join(missing)}")
    entry = getattr(hub_module, model, None)
    if entry is None or not callable(entry):
        raise RuntimeError(f"Cannot find callable {model} in hubconf")
    return entry


# ---- GitHub repositories in the cache -----------------------------------------------------------

def _parse_repo_info(github):
    """'owner/name[:ref]' -> (owner, name, ref); without a ref, the cached 'main' or 'master'."""
    repo_info, ref = github.split(":") if ":" in github else (github, None)
    repo_owner, repo_name = repo_info.split("/")
    if ref is None:
        for possible_ref in ("main", "master"):
            if os.path.exists(os.path.join(get_dir(), f"{repo_owner}_{repo_name}_{possible_ref}")):
                return repo_owner, repo_name, possible_ref
        ref = "main"
    return repo_owner, repo_name, ref


def _check_repo_is_trusted(repo_owner, repo_name, owner_name_branch, trust_repo):
    """PyTorch's trust check: a repository of a known owner, listed in <hub_dir>/trusted_list, or
    already in the cache is trusted; another one is asked about (trust_repo='check' or False)."""
    hub_dir = get_dir()
    trusted_list = os.path.join(hub_dir, "trusted_list")
    Path(trusted_list).touch()
    with open(trusted_list) as file:
        trusted_repos = tuple(line.strip() for line in file)
    owner_name = f"{repo_owner}_{repo_name}"
    is_trusted = (owner_name in trusted_repos or owner_name_branch in next(os.walk(hub_dir))[1]
                  or repo_owner in _TRUSTED_REPO_OWNERS)
    if trust_repo is False or (trust_repo == "check" and not is_trusted):
        response = input(f"The repository {owner_name} does not belong to the list of trusted repositories and as "
                         "such cannot be downloaded. Do you trust this repository and wish to add it to the trusted "
                         "list of repositories (y/N)?")
        if response.lower() in ("y", "yes"):
            if is_trusted:
                print("The repository is already trusted.")
        elif response.lower() in ("n", "no", ""):
            raise Exception("Untrusted repository.")
        else:
            raise ValueError(f"Unrecognized response {response}.")
    if not is_trusted:
        with open(trusted_list, "a") as file:
            file.write(owner_name + "\n")


def _get_cache_or_reload(github, force_reload, trust_repo, verbose=True, skip_validation=False):
    """The directory of GitHub repository 'owner/name[:ref]' in the hub cache, downloaded (as the
    zip archive GitHub serves) if it is not there yet. (ember does not ask GitHub's API whether the
    ref belongs to a fork: `skip_validation` is accepted for compatibility.)"""
    hub_dir = get_dir()
    os.makedirs(hub_dir, exist_ok=True)
    repo_owner, repo_name, ref = _parse_repo_info(github)
    normalized_ref = ref.replace("/", "_")  # (a branch name may contain '/')
    owner_name_branch = "_".join([repo_owner, repo_name, normalized_ref])
    repo_dir = os.path.join(hub_dir, owner_name_branch)
    _check_repo_is_trusted(repo_owner, repo_name, owner_name_branch, trust_repo)
    if not force_reload and os.path.exists(repo_dir):
        if verbose:
            sys.stderr.write(f"Using cache found in {repo_dir}\n")
        return repo_dir
    cached_file = os.path.join(hub_dir, normalized_ref + ".zip")
    url = f"https://github.com/{repo_owner}/{repo_name}/zipball/{ref}"
    sys.stdout.write(f'Downloading: "{url}" to {cached_file}\n')
    download_url_to_file(url, cached_file, progress=False)
    with zipfile.ZipFile(cached_file) as archive:
        extracted_repo = os.path.join(hub_dir, archive.infolist()[0].filename)
        _remove_if_exists(extracted_repo)
        _safe_extract_zip(archive, hub_dir)
    _remove_if_exists(cached_file)
    _remove_if_exists(repo_dir)
    shutil.move(extracted_repo, repo_dir)
    return repo_dir


def _remove_if_exists(path):
    if os.path.isfile(path):
        os.remove(path)
    elif os.path.exists(path):
        shutil.rmtree(path)


def _safe_extract_zip(archive, extract_to):
    """Extract `archive`, refusing entries that would land outside `extract_to` (absolute paths, '..')."""
    extract_to = Path(extract_to).resolve(strict=False)
    for member in archive.infolist():
        filename = os.path.normpath(member.filename)
        if filename.startswith(("/", "\\")) or (len(filename) >= 2 and filename[1] == ":"):
            raise ValueError(f"Archive entry has absolute path: {member.filename}")
        if ".." in re.split(r"[/\\]", filename):
            raise ValueError(f"Archive entry contains directory traversal: {member.filename}")
        if not (extract_to / filename).resolve(strict=False).is_relative_to(extract_to):
            raise ValueError(f"Archive entry escapes target directory: {member.filename}")
        archive.extract(member, extract_to)


def _repo_dir(repo_or_dir, source, force_reload, trust_repo, verbose, skip_validation):
    source = source.lower()
    if source not in ("github", "local"):
        raise ValueError(f'Unknown source: "{source}". Allowed values: "github" | "local".')
    if source == "github":
        return _get_cache_or_reload(repo_or_dir, force_reload, trust_repo, verbose, skip_validation)
    return repo_or_dir


# ---- the public entry points ------------------------------------------------------------------------

def list(github, force_reload=False, skip_validation=False, trust_repo="check", verbose=True):
    """The entrypoints (public callables) the repository's hubconf.py defines."""
    hub_module = _import_hubconf(_get_cache_or_reload(github, force_reload, trust_repo, verbose, skip_validation))
    return [name for name in dir(hub_module) if callable(getattr(hub_module, name)) and not name.startswith("_")]


def help(github, model, force_reload=False, skip_validation=False, trust_repo="check"):
    """The docstring of entrypoint `model`."""
    hub_module = _import_hubconf(_get_cache_or_reload(github, force_reload, trust_repo, True, skip_validation))
    return _load_entry_from_hubconf(hub_module, model).__doc__


def load(repo_or_dir, model, *args, source="github", trust_repo="check", force_reload=False, verbose=True,
         skip_validation=False, **kwargs):
    """Call entrypoint `model` of a hubconf.py with `*args, **kwargs` and return what it builds.

    `source='local'`: `repo_or_dir` is a directory holding hubconf.py. `source='github'` (the default):
    'owner/name[:ref]', taken from the hub cache (downloaded into it the first time)."""
    repo_dir = _repo_dir(repo_or_dir, source, force_reload, trust_repo, verbose, skip_validation)
    return _load_local(repo_dir, model, *args, **kwargs)


def _load_local(hubconf_dir, model, *args, **kwargs):
    """Call entrypoint `model` of `hubconf_dir`/hubconf.py with `*args, **kwargs`."""
    with _added_to_sys_path(hubconf_dir):  # (the entrypoint may import the repository's modules lazily)
        entry = _load_entry_from_hubconf(_import_hubconf(hubconf_dir), model)
        return entry(*args, **kwargs)


def download_url_to_file(url, dst, hash_prefix=None, progress=True):
    """Download `url` to the path `dst`, checking that the SHA-256 of the content starts with
    `hash_prefix` if one is given. The download goes to a temporary file first, so that a failed
    one never replaces a good file."""
    from urllib.error import URLError  # (urllib.request takes tens of ms to import: only when downloading)
    from urllib.request import Request, urlopen
    dst = os.path.expanduser(dst)
    partial = f"{dst}.{uuid.uuid4().hex}.partial"
    sha256 = hashlib.sha256() if hash_prefix is not None else None
    try:
        try:
            response = urlopen(Request(url, headers={"User-Agent": "torch.hub"}))
        except (URLError, OSError) as error:
            raise RuntimeError(f'Could not download "{url}" ({getattr(error, "reason", error)}). Without network '
                               f'access, put the file at {dst} yourself.') from error
        size = response.headers.get("Content-Length")
        done = 0
        with response, open(partial, "wb") as file:
            while buffer := response.read(READ_DATA_CHUNK):
                file.write(buffer)
                if sha256 is not None:
                    sha256.update(buffer)
                done += len(buffer)
                if progress:
                    sys.stderr.write(f"\r{100 * done / int(size):.1f}%" if size else f"\r{done:.1f} bytes")
        if progress:
            sys.stderr.write("\n")
        if sha256 is not None:
            digest = sha256.hexdigest()
            if digest[:len(hash_prefix)] != hash_prefix:
                raise RuntimeError(f'invalid hash value (expected "{hash_prefix}", got "{digest}")')
        shutil.move(partial, dst)
    finally:
        if os.path.exists(partial):
            os.remove(partial)


def load_state_dict_from_url(url, model_dir=None, map_location=None, progress=True, check_hash=False, file_name=None,
                             weights_only=False):
    """Load the object saved at `url` (a state_dict, usually) with `ember.load`.

    The file is kept in `model_dir` (default <hub_dir>/checkpoints) under `file_name` (default: the
    URL's file name) and downloaded only if it is not there. With `check_hash`, a download must have
    the SHA-256 prefix the file name carries (resnet18-5c106cde.pth); a cached file is trusted."""
    if os.getenv("TORCH_MODEL_ZOO"):
        warnings.warn("TORCH_MODEL_ZOO is deprecated, please use env TORCH_HOME instead", stacklevel=2)
    model_dir = os.path.join(get_dir(), "checkpoints") if model_dir is None else model_dir
    os.makedirs(model_dir, exist_ok=True)
    filename = file_name if file_name is not None else os.path.basename(urlparse(url).path)
    cached_file = os.path.join(model_dir, filename)
    if not os.path.exists(cached_file):
        sys.stdout.write(f'Downloading: "{url}" to {cached_file}\n')
        match = HASH_REGEX.search(filename) if check_hash else None
        download_url_to_file(url, cached_file, match.group(1) if match else None, progress=progress)
    return serialization.load(cached_file, map_location=map_location, weights_only=weights_only)
