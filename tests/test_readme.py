"The README's library example runs as shown and its printed claims hold."
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_readme_example_runs():
    blocks = re.findall(r'```python\n(.*?)```', (ROOT / 'README.md').read_text(), flags=re.S)
    assert blocks, 'README has no python example'
    assert len(blocks[0].strip().splitlines()) <= 16
    res = subprocess.run([sys.executable, '-c', blocks[0]], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    errors = {line.split(':')[0].strip(): float(line.rsplit(' ', 1)[1]) for line in res.stdout.strip().splitlines()}
    assert set(errors) == {'ddim', 'dpmpp_2m', 'evodiff'}
    assert errors['ddim'] > errors['evodiff'] > errors['dpmpp_2m'] > 0   # the order the README's text states


def test_readme_shell_example_runs(tmp_path):
    "The first command of 'From a shell' (the exact-oracle sample) runs as printed and writes its grid."
    shell = re.search(r'## From a shell.*?```bash\n(.*?)```', (ROOT / 'README.md').read_text(), flags=re.S).group(1)
    line = shell.strip().splitlines()[0].split('#')[0].split()
    assert line[:3] == ['python', '-m', 'evodiff_book'] and '--out' in line
    from evodiff_book.data import cifar10_locations
    if not any(p.exists() for _, p in cifar10_locations()): pytest.skip('CIFAR-10 is not on this machine')
    res = subprocess.run([sys.executable, *line[1:]], cwd=tmp_path, capture_output=True, text=True, timeout=300,
                         env={**os.environ, 'PYTHONPATH': str(ROOT)})
    assert res.returncode == 0, res.stderr
    assert (tmp_path / line[line.index('--out') + 1]).stat().st_size > 1000
