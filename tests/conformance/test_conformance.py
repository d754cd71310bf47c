"""The course conformance cases, run inside the test suite.

`cases/` is a copy of the course scripts with the output PyTorch 2.13 printed for them
(`NNN_name.py` + `NNN_name.expected`). Each script runs unmodified through
`python -m ember.compat` in a fresh working directory, with single-threaded BLAS as the
reference output was made; its stdout must equal the expected text, numbers within
|actual - expected| <= 1e-4 + 1e-5 * |expected| (ember's `ember.` prefix reads as `torch.`).
"""
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

CASES = Path(__file__).parent / 'cases'
ROOT = Path(__file__).resolve().parents[2]
ATOL, RTOL = 1e-4, 1e-5

# Cases that do not pass yet, with the reason; strict, so a fix shows up as a failure to update here.
KNOWN_FAILURES = {}

# A number token: not glued to a letter, digit, '_' or '.' before, nor to a letter, digit or '_' after,
# so identifiers such as Conv2d, fc3 or float32 stay text.
NUMBER = re.compile(r"(?<![A-Za-z0-9_.])([-+]?(?:(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?|inf|nan))(?![A-Za-z0-9_])")


def _tokens(text):
    """Alternating text and number tokens of `text` after trimming line ends and trailing blank lines."""
    text = '\n'.join(line.rstrip() for line in text.replace('\r\n', '\n').split('\n')).rstrip('\n')
    return NUMBER.split(text)  # even positions: text, odd positions: numbers


def _numbers_match(actual, expected):
    a, b = float(actual), float(expected)
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= ATOL + RTOL * abs(b) + 1e-12


def first_difference(actual, expected):
    """None when the outputs agree, else a description of the first differing token."""
    got, want = _tokens(re.sub(r'\bember\.', 'torch.', actual)), _tokens(expected)
    for position, (a, b) in enumerate(zip(got, want)):
        same = _numbers_match(a, b) if position % 2 else a == b
        if not same:
            line = ''.join(want[:position]).count('\n') + 1
            return f"expected line {line}: expected {b!r}, got {a!r}"
    if len(got) != len(want):
        return f"output has {'more' if len(got) > len(want) else 'less'} text than expected"
    return None


def _case_params():
    for script in sorted(CASES.glob('[0-9]*.py')):
        marks = ()
        if script.stem in KNOWN_FAILURES:
            marks = pytest.mark.xfail(reason=KNOWN_FAILURES[script.stem], strict=True)
        yield pytest.param(script, id=script.stem, marks=marks)


@pytest.mark.parametrize('script', _case_params())
def test_course_script(script, tmp_path):
    env = dict(os.environ, OMP_NUM_THREADS='1', MKL_NUM_THREADS='1', OPENBLAS_NUM_THREADS='1',
               PYTHONHASHSEED='0', PYTHONIOENCODING='utf-8', PYTHONDONTWRITEBYTECODE='1',
               PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get('PYTHONPATH', ''))
    run = subprocess.run([sys.executable, '-m', 'ember.compat', str(script)], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, f"{script.name} exited {run.returncode}:\n{run.stderr[-3000:]}"
    difference = first_difference(run.stdout, script.with_suffix('.expected').read_text())
    assert difference is None, f"{script.name}: {difference}"


def test_comparer_tolerates_only_small_number_differences():
    assert first_difference('x 1.00001 ember.float32\n\n', 'x 1.0 torch.float32') is None
    assert first_difference('x 1.001', 'x 1.0') is not None
    assert first_difference('nan inf', 'nan inf') is None
    assert first_difference('Conv2d', 'Conv3d') is not None
    assert first_difference('a 1', 'a 1 2') is not None
