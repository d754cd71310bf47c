"""`python -m ember.compat script.py` and `ember.compat.install()`: PyTorch scripts run on ember."""
import os
import subprocess
import sys
import textwrap

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_compat(tmp_path, source, *args, extra_files=None):
    script = tmp_path / 'script.py'
    script.write_text(textwrap.dedent(source))
    for name, text in (extra_files or {}).items():
        (tmp_path / name).write_text(textwrap.dedent(text))
    env = dict(os.environ, PYTHONPATH=ROOT)
    return subprocess.run([sys.executable, '-m', 'ember.compat', str(script), *args], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)


def test_script_runs_with_torch_mapped_to_ember(tmp_path):
    result = run_compat(tmp_path, """
        import sys
        import torch
        import torch.nn as nn
        import torch.nn.functional as F
        from torch import nn as nn2
        from torch.nn import init
        from torch.autograd import Function
        import torch.optim, torch.utils.data
        import helper
        print(torch.__name__, nn.__name__, F.__name__, init.__name__, nn2 is nn, torch.optim.__name__,
              torch.utils.data.__name__, Function.__module__)
        print(__name__, sys.argv[1:], helper.VALUE)
        print(sys.modules['torch'] is sys.modules['ember'], sys.modules['torch.nn'] is nn)
        print(nn.Linear(2, 3))
    """, 'a', '--b', extra_files={'helper.py': 'VALUE = 42\n'})
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == ('ember ember.nn ember.nn.functional ember.nn.init True ember.optim ember.utils.data '
                        'ember.autograd.function')
    assert lines[1] == "__main__ ['a', '--b'] 42"
    assert lines[2] == 'True True'
    assert lines[3] == 'Linear(in_features=2, out_features=3, bias=True)'


def test_missing_submodule_names_the_ember_module(tmp_path):
    result = run_compat(tmp_path, "import torch.no_such_thing\n")
    assert result.returncode != 0
    assert "No module named 'torch.no_such_thing'" in result.stderr
    assert "ember.no_such_thing" in result.stderr
    result = run_compat(tmp_path, """
        try:
            from torch.onnx import export
        except ImportError as error:
            print(type(error).__name__, 'ember.onnx' in str(error))
    """)
    assert result.stdout.split() == ['ModuleNotFoundError', 'True'], result.stderr


def test_script_exit_code_and_exceptions_propagate(tmp_path):
    assert run_compat(tmp_path, "import sys\nsys.exit(3)\n").returncode == 3
    result = run_compat(tmp_path, "raise ValueError('from the script')\n")
    assert result.returncode == 1 and 'ValueError: from the script' in result.stderr


def test_usage_without_arguments():
    result = subprocess.run([sys.executable, '-m', 'ember.compat'], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 2 and 'usage' in result.stderr


def test_install_in_process():
    # a subprocess, so this interpreter keeps the real torch
    code = """
import ember.compat, sys
ember.compat.install()
import torch
import torch.nn.functional as F
assert torch is sys.modules['ember'] and F is sys.modules['ember.nn.functional']
assert ember.compat.ember_name('torchvision.transforms') == 'ember.vision.transforms'
assert ember.compat.ember_name('torchaudio') is None
ember.compat.uninstall()
assert 'torch' not in sys.modules
print('ok')
"""
    result = subprocess.run([sys.executable, '-c', code], cwd=ROOT, capture_output=True, text=True)
    assert result.stdout.strip() == 'ok', result.stderr


@pytest.mark.parametrize('case', ['017'])
def test_conformance_case(case):
    runner = os.path.join(os.path.dirname(ROOT), 'shared', 'conformance', 'run.sh')
    if not os.path.exists(runner):
        pytest.skip('conformance runner not found')
    result = subprocess.run(['bash', runner, sys.executable, 'ember', case], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_torchsummary_maps_to_ember_summary(tmp_path):
    result = run_compat(tmp_path, """
        import torch.nn as nn
        from torchsummary import summary
        print(summary.__module__)
        print(summary(nn.Sequential(nn.Conv2d(3, 6, 5), nn.ReLU()), (3, 32, 32)))
    """)
    lines = result.stdout.splitlines()
    assert lines[0] == 'ember.utils.summary' and 'Total params: 456' in lines and lines[-1] == 'None', result.stderr


@pytest.mark.parametrize('start_method', ['spawn', 'forkserver'])
def test_fresh_worker_processes_see_torch_as_ember(tmp_path, start_method):
    # spawn and forkserver workers re-import the script in a new interpreter: without the stand-in
    # modules on its path, its `import torch` finds the real torch (or none at all)
    result = run_compat(tmp_path, f"""
        import torchvision
        import torch
        from torch.utils.data import DataLoader, Dataset

        class Numbers(Dataset):
            def __len__(self):
                return 4

            def __getitem__(self, index):
                return torch.tensor([index]), type(torch.zeros(1)).__module__, torchvision.__name__

        if __name__ == '__main__':
            loader = DataLoader(Numbers(), batch_size=2, num_workers=2, multiprocessing_context='{start_method}')
            for numbers, modules, vision_names in loader:
                print(numbers.tolist(), modules, vision_names)
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["[[0], [1]] ('ember', 'ember') ('ember.vision', 'ember.vision')",
                                          "[[2], [3]] ('ember', 'ember') ('ember.vision', 'ember.vision')"]


def test_set_start_method_spawn_with_module_runner(tmp_path):
    (tmp_path / 'trainer.py').write_text(textwrap.dedent("""
        import multiprocessing
        import torch
        from torch.utils.data import DataLoader, Dataset

        class Squares(Dataset):
            def __len__(self):
                return 4

            def __getitem__(self, index):
                return torch.tensor(float(index)) ** 2

        if __name__ == '__main__':
            multiprocessing.set_start_method('spawn')
            print([batch.tolist() for batch in DataLoader(Squares(), batch_size=2, num_workers=2)])
    """))
    result = subprocess.run([sys.executable, '-m', 'ember.compat', '-m', 'trainer'], cwd=tmp_path,
                            env=dict(os.environ, PYTHONPATH=ROOT), capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == '[[0.0, 1.0], [4.0, 9.0]]', result.stderr


def test_script_file_is_absolute(tmp_path):
    # python3 script.py gives `__main__.__file__` as an absolute path
    (tmp_path / 'script.py').write_text('print(__file__)\n')
    result = subprocess.run([sys.executable, '-m', 'ember.compat', 'script.py'], cwd=tmp_path,
                            env=dict(os.environ, PYTHONPATH=ROOT), capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == str(tmp_path / 'script.py'), result.stderr
