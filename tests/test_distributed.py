"""The command line under torchrun on the CPU (gloo, 2 processes): the same images, bit for bit, as one process."""
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]


def run(*args, cwd, extra=None):
    env = {**os.environ, 'PYTHONPATH': str(ROOT), 'OMP_NUM_THREADS': '1',   # torchrun's default, for both
           **(extra or {})}
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
    from evodiff_book.cifar10.fid import default_reference
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


SWEEP = '''
import os, sys
import numpy as np, torch
from evodiff_book.core import command
from evodiff_book.solvers import SolverSpec
from evodiff_book.cifar10.fid import FeatureStats
from evodiff_book.experiments.fid_sweep import fid_sweep
from evodiff_book.cifar10.unet import UNet

calls = 0


def features(images):
    "A stand-in for Inception; dies (as a killed process would) at $CRASH_AT on $CRASH_RANK."
    global calls
    calls += 1
    if os.environ.get('CRASH_RANK') == os.environ.get('RANK', '0') and calls == int(
            os.environ.get('CRASH_AT', 0)):
        os._exit(1)
    x = images.astype(np.float64) / 255
    return np.concatenate([x.mean(axis=(1, 2)), x[:, 0, 0], x[:, 5, 7], x[:, 31, 2]], 1)


@command('sweep-test')
def main(argv, prog):
    torch.manual_seed(0)
    net = UNet(model_channels=8, channel_mult=(1, 2), num_blocks=1, attn_resolutions=(),
               dropout=0.0, num_classes=0).eval()
    data = np.random.default_rng(0).integers(0, 256, (64, 32, 32, 3), dtype=np.uint8)
    specs = [SolverSpec('dpmpp_2m', label='2M'), SolverSpec('evodiff', label='EVODiff')]
    fid_sweep(net, specs, [4, 5], 10, ref_stats=FeatureStats().update(features(data)),
              batch=3, device='cpu', name='s', results_dir=sys.argv[1], cache_dir=sys.argv[1],
              n_recon=5, reference_nfe=20, fid_inf_sizes=(5, 10), keep_features=True,
              features=features)


main()
'''
TIMING = {'sample_seconds', 'feature_seconds', 'images_per_s', 'processes'}


def sweep(tmp_path, out, processes, **env):
    script = tmp_path / 'sweep.py'
    script.write_text(SWEEP)
    (tmp_path / out).mkdir(exist_ok=True)
    head = (['-m', 'torch.distributed.run', '--standalone', '--nproc_per_node', str(processes)]
            if processes > 1 else [])
    return run(*head, str(script), out, cwd=tmp_path, extra=env)


def records(tmp_path, out):
    import json
    return json.loads((tmp_path / out / 's.json').read_text())['records']


def same_cells(a, b):
    "The same cells: every field but the timing equal, FIDs to 1e-12 (Chan's merge rounds)."
    assert [r['key'] for r in a] == [r['key'] for r in b]
    for x, y in zip(a, b):
        for k in set(x) - TIMING - {'fid', 'fid_inf', 'fid_by_size'}: assert x[k] == y[k], k
        assert abs(x['fid'] - y['fid']) <= 1e-12 * abs(y['fid'])
        assert x['fid_by_size'] == y['fid_by_size'] and x['fid_inf'] == y['fid_inf']


def test_sweep_under_torchrun_gives_the_records_of_one_process(tmp_path):
    one, two = sweep(tmp_path, 'one', 1), sweep(tmp_path, 'two', 2)
    assert one.returncode == 0 and two.returncode == 0, one.stderr + two.stderr[-3000:]
    assert two.stdout.count('EVODiff @ 5') == 1                       # only rank 0 reports
    a, b = records(tmp_path, 'one'), records(tmp_path, 'two')
    assert len(a) == 4 and [r['processes'] for r in b] == [2] * 4
    same_cells(b, a)
    for f in sorted((tmp_path / 'one' / 's_features').iterdir()):    # features bit for bit
        assert np.array_equal(np.load(f), np.load(tmp_path / 'two' / 's_features' / f.name))


def test_a_lost_process_ends_the_sweep_with_one_line_and_it_resumes(tmp_path):
    "Rank 1 dies in the second cell: rank 0 says so in one line; the rerun keeps cell 1."
    import socket
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        port = str(s.getsockname()[1])
    env = dict(MASTER_ADDR='127.0.0.1', MASTER_PORT=port, WORLD_SIZE='2', CRASH_RANK='1',
               CRASH_AT='4', EVODIFF_DIST_TIMEOUT_MIN='1')   # call 1: the data, 2-3: cell 1
    script = tmp_path / 'sweep.py'
    script.write_text(SWEEP)
    (tmp_path / 'cut').mkdir()
    procs = [subprocess.Popen([sys.executable, str(script), 'cut'], cwd=tmp_path, text=True,
                              env={**os.environ, 'PYTHONPATH': str(ROOT), 'OMP_NUM_THREADS': '1',
                                   **env, 'RANK': str(r), 'LOCAL_RANK': str(r)},
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for r in (0, 1)]
    (out, err), _ = procs[0].communicate(timeout=600), procs[1].communicate(timeout=600)
    assert procs[0].returncode == 2 and procs[1].returncode == 1, err
    [line] = err.strip().splitlines()
    assert line.startswith('sweep-test: error: rank 0:') and 'run the same command' in line
    first = records(tmp_path, 'cut')
    assert [r['key'] for r in first] == ['2M @ 4']
    again = sweep(tmp_path, 'cut', 2)
    assert again.returncode == 0, again.stderr[-3000:]
    resumed = records(tmp_path, 'cut')
    assert resumed[0] == first[0]                                      # not measured again
    assert sweep(tmp_path, 'one', 1).returncode == 0
    same_cells(resumed, records(tmp_path, 'one'))


def test_two_processes_give_the_same_reference_statistics(tmp_path):
    "`fid stats` with the real Inception network on 8 test images in chunks of 4: rank 0 merges two blocks."
    from evodiff_book.data import cifar10_locations
    from evodiff_book.cifar10.fid import load_stats
    if not any(p.exists() for _, p in cifar10_locations()): pytest.skip('CIFAR-10 is not on this machine')
    common = ['fid', 'stats', '--split', 'test', '--limit', '8', '--chunk', '4', '--batch-size', '2',
              '--device', 'cpu']
    one = run('-m', 'evodiff_book', *common, '--out', 'one.npz', cwd=tmp_path)
    two = run('-m', 'torch.distributed.run', '--standalone', '--nproc_per_node', '2', '-m', 'evodiff_book',
              *common, '--out', 'two.npz', cwd=tmp_path)
    assert one.returncode == 0 and two.returncode == 0, one.stderr + two.stderr[-3000:]
    assert two.stdout.count('"processes": 2') == 1 and not list(tmp_path.glob('*.state*'))
    (mu1, s1), (mu2, s2) = load_stats(tmp_path / 'one.npz'), load_stats(tmp_path / 'two.npz')
    np.testing.assert_allclose(mu2, mu1, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(s2, s1, rtol=1e-6, atol=1e-9)          # sigma is stored in float32
