"The committed FID reference statistics and the test-vs-train FID: intact, complete and self-consistent."
import hashlib
import json
from pathlib import Path

import numpy as np

from evodiff_book.cifar10.fid import default_reference, frechet_distance, load_stats

RESULTS = Path(__file__).resolve().parents[1] / 'results'


def test_reference_statistics_match_their_record():
    path = default_reference()
    info = json.loads(path.with_suffix('.json').read_text())
    assert hashlib.sha256(path.read_bytes()).hexdigest() == info['sha256'], f'{path} changed since it was recorded'
    assert info['n'] == 50_000 and info['data'] == 'CIFAR-10 train, 50000 images'
    assert info['commit'] and info['machine'] and info['seconds'] > 0
    mu, sigma = load_stats(path)
    assert mu.shape == (2048,) and sigma.shape == (2048, 2048) and np.array_equal(sigma, sigma.T)
    assert (mu >= 0).all()                                    # pool features come after a ReLU
    w = np.linalg.eigvalsh(sigma)
    assert w.min() > -1e-6 * w.max()                          # a covariance: positive semi-definite up to float32 rounding
    assert frechet_distance(mu, sigma, mu, sigma) < 1e-6      # FID of the statistics against themselves


def test_test_vs_train_fid_is_recorded_and_reproducible_from_its_inputs():
    record = json.loads((RESULTS / 'fid_cifar10_test_vs_train.json').read_text())
    test_info = json.loads((RESULTS / record['test_stats']).with_suffix('.json').read_text())
    assert record['n_test'] == test_info['n'] == 10_000 and record['reference'] == default_reference().name
    assert 0 < record['fid'] < 10, 'the FID of real test images against the training set should be a few units'
    test_npz = RESULTS / record['test_stats']
    if test_npz.exists():                                     # only where it was computed (not committed: 8.4 MB)
        assert hashlib.sha256(test_npz.read_bytes()).hexdigest() == test_info['sha256']
        value = frechet_distance(*load_stats(test_npz), *load_stats(default_reference()))
        assert abs(value - record['fid']) < 1e-9
