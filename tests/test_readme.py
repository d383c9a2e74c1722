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


def test_readme_findings_match_the_committed_results():
    "The numbers of 'What this book found' are the ones the results give (as the landing page computes them)."
    import json
    from evodiff_book.testing import measured_order
    text = ' '.join((ROOT / 'README.md').read_text().split())
    toy = json.loads((ROOT / 'results' / 'evodiff_toy.json').read_text())
    rows = {int(n): v for n, v in {**toy['rows'], **toy['long']}.items()}
    long = [n for n in sorted(rows) if n >= 40]
    order = [measured_order(long, [rows[n][j][0] for n in long]) for j in (1, 2)]
    assert f'fitted order {order[0]:.2f} against {order[1]:.2f}' in text
    assert f'NFE {long[0]}–{long[-1]}' in text
    assert f'{rows[10][0][1]:.3f}× the exact ones in size, {rows[10][1][1]:.3f}×' in text
    sweep = json.loads((ROOT / 'results' / 'infotheory_sweep.json').read_text())
    entropy = {(e['solver'], e['nfe']): e['measured'] for e in sweep['entropy']}
    var = {(r['solver'], r['nfe']): r['var'] for r in sweep['runs'] if r['group'] == 'solvers' and r['delta'] == 0.1}
    solvers, nfes = sorted({s for s, _ in entropy}), sweep['protocol']['nfes']
    lowest = [n for n in nfes if min(solvers, key=lambda s: entropy[s, n]) == 'EVODiff']
    assert all(max(solvers, key=lambda s: var[s, n]) == 'EVODiff' for n in nfes)
    ratio = [var['EVODiff', n] / var['DDIM', n] for n in nfes]
    assert f'NFE {lowest[0]}–{lowest[-1]} and the largest final variance at every NFE' in text
    assert f"{min(ratio):.1f}–{max(ratio):.1f}× DDIM's" in text


def test_readme_network_finding_matches_the_card_and_the_floor():
    "The network line of 'What this book found' states the card's size and time, and the floor once it is measured."
    import torch
    from evodiff_book.experiments.network import floor_summary
    from evodiff_book.cifar10.unet import load_model_card
    text = ' '.join((ROOT / 'README.md').read_text().split())
    checkpoint = ROOT / 'checkpoints' / 'cifar10'
    card = load_model_card(checkpoint)
    assert (f"{card['parameters'] / 1e6:.2f} M parameters trained on {card['images_seen'] / 1e6:.1f} M images on "
            f"2-core CPUs in {card['wall_time_s'] / 3600:.1f} hours") in text
    floor = floor_summary(checkpoint, dtype=torch.bfloat16)
    if floor.get('final') and floor.get('same_weights'):
        assert f"FID {floor['final']['fid'][50]:.1f}" in text
        if floor.get('relative_change_vs_fp32') is not None:
            assert f"{100 * floor['relative_change_vs_fp32']:.2f} % from float32's FID" in text
    else:
        assert 'FID floor still to be measured' in text
