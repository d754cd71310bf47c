"""`TorchVersion`, the type of `torch.__version__`: a str that compares as a version number, so
`torch.__version__ >= '1.10'` and `torch.__version__ >= (2, 0)` mean what they say (as a plain str,
'1.9' > '1.10')."""
import re
from collections.abc import Iterable

from .version import __version__ as internal_version

__all__ = ['TorchVersion']

# PEP 440's public form: release numbers, then an optional pre-release, post-release, dev-release and
# `+local` label ('2.13.0', '2.1.0rc1', '1.12.0.dev20220501', '2.1.0+cu118')
_VERSION_PATTERN = re.compile(r'v?(?P<release>\d+(?:\.\d+)*)'
                              r'(?:[-_.]?(?P<pre>a|b|rc)(?P<pre_number>\d*))?'
                              r'(?:[-_.]?post(?P<post_number>\d*))?'
                              r'(?:[-_.]?dev(?P<dev_number>\d*))?'
                              r'(?:\+(?P<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?', re.IGNORECASE)
_PRE_RELEASE_ORDER = {'a': 0, 'b': 1, 'rc': 2}


def version_key(text):
    """A tuple that sorts as PEP 440 orders versions: '2.0' == '2.0.0', '2.1.0.dev1' < '2.1.0a1' <
    '2.1.0rc1' < '2.1.0' < '2.1.0.post1' < '2.1.0+cpu'. Raises ValueError if `text` is not a version."""
    match = _VERSION_PATTERN.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"Invalid version: '{text}'")
    release = [int(number) for number in match['release'].split('.')]
    while len(release) > 1 and release[-1] == 0:
        release.pop()  # 2.0.0 is 2.0 is 2
    if match['pre']:
        pre = (_PRE_RELEASE_ORDER[match['pre'].lower()], int(match['pre_number'] or 0))
    elif match['dev_number'] is not None and match['post_number'] is None:
        pre = (-1, 0)  # 2.1.0.dev1 comes before 2.1.0a0
    else:
        pre = (3, 0)  # a final release comes after its release candidates
    post = -1 if match['post_number'] is None else int(match['post_number'] or 0)
    dev = float('inf') if match['dev_number'] is None else int(match['dev_number'] or 0)
    # local labels sort after the plain version; numeric parts above textual ones
    local = tuple((1, int(part), '') if part.isdigit() else (0, 0, part.lower())
                  for part in re.split(r'[-_.]', match['local'])) if match['local'] else ()
    return tuple(release), pre, post, dev, local


class TorchVersion(str):
    """A version string that compares with version strings and tuples as a version:
    `TorchVersion('2.13.0') > '2.2'` and `TorchVersion('2.13.0') >= (2, 0)` are True. Compared with
    something that is not a version ('parrot'), it compares as the str it is."""

    __slots__ = ()

    def _compare(self, other, method):
        try:
            if isinstance(other, str):
                other_key = version_key(other)
            elif isinstance(other, Iterable):
                other_key = version_key('.'.join(str(item) for item in other))  # (2, 0) is '2.0'
            else:
                raise ValueError(f'{other!r} is not a version')
            return getattr(version_key(self), method)(other_key)
        except ValueError:
            return getattr(str, method)(self, other)

    def __gt__(self, other):
        return self._compare(other, '__gt__')

    def __lt__(self, other):
        return self._compare(other, '__lt__')

    def __ge__(self, other):
        return self._compare(other, '__ge__')

    def __le__(self, other):
        return self._compare(other, '__le__')

    def __eq__(self, other):
        return self._compare(other, '__eq__')

    __hash__ = str.__hash__  # defining __eq__ would otherwise make it unhashable


__version__ = TorchVersion(internal_version)
