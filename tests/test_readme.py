"The README's library example runs as shown and its printed claims hold."
import re
import subprocess
import sys
from pathlib import Path

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
