"""The command line under torchrun on the CPU (gloo, 2 processes): the same images, bit for bit, as one process."""
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]


def run(*args, cwd):
    env = {**os.environ, 'PYTHONPATH': str(ROOT), 'OMP_NUM_THREADS': '1'}   # torchrun's default, for both
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=600)


def test_two_processes_sample_the_same_images(tmp_path):
    from evodiff_book.data import cifar10_locations
    if not any(p.exists() for _, p in cifar10_locations()): pytest.skip('CIFAR-10 is not on this machine')
    common = ['sample', '--model', 'cifar10-gaussian', '--solver', 'evodiff', '--nfe', '6', '--images', '7',
              '--batch', '3', '--device', 'cpu']
    one = run('-m', 'evodiff_book', *common, '--out', 'one.npz', cwd=tmp_path)
    assert one.returncode == 0, one.stderr
    two = run('-m', 'torch.distributed.run', '--standalone', '--nproc_per_node', '2', '-m', 'evodiff_book',
              *common, '--out', 'two.npz', cwd=tmp_path)
    assert two.returncode == 0, two.stderr[-3000:]
    assert two.stdout.count('-> two.npz') == 1                      # only rank 0 writes
    a, b = (np.load(tmp_path / f)['images'] for f in ('one.npz', 'two.npz'))
    assert a.shape == (7, 32, 32, 3) and np.array_equal(a, b)


def test_two_processes_give_the_same_fid(tmp_path):
    "Inception statistics per rank, merged on rank 0: the FID of one process to 1e-9 (7 images, batches of 2)."
    from evodiff_book.fid import default_reference
    if not default_reference().exists(): pytest.skip('no reference statistics')
    images = np.random.default_rng(0).integers(0, 256, (7, 32, 32, 3), dtype=np.uint8)
    np.savez(tmp_path / 'x.npz', images=images)
    common = ['fid', 'score', 'x.npz', '--batch-size', '2', '--device', 'cpu']
    one = run('-m', 'evodiff_book', *common, cwd=tmp_path)
    two = run('-m', 'torch.distributed.run', '--standalone', '--nproc_per_node', '2', '-m', 'evodiff_book',
              *common, cwd=tmp_path)
    assert one.returncode == 0 and two.returncode == 0, one.stderr + two.stderr[-3000:]
    values = [float(res.stdout.split('FID ')[1].split()[0]) for res in (one, two)]
    assert two.stdout.count('FID ') == 1 and abs(values[0] - values[1]) <= 1e-9 * values[0]
