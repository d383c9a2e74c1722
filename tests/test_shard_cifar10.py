"Round trip of tools/shard_cifar10.py on a small synthetic CIFAR-10-shaped file."
import importlib.util
from pathlib import Path

import numpy as np
import pytest

spec = importlib.util.spec_from_file_location('shard_cifar10', Path(__file__).resolve().parents[1] / 'tools' / 'shard_cifar10.py')
shard = importlib.util.module_from_spec(spec); spec.loader.exec_module(shard)


def fake_cifar(path: Path, n_train=300, n_test=50) -> dict:
    rng = np.random.default_rng(0)
    arrays = dict(x_train=rng.integers(0, 256, (n_train, 32, 32, 3), dtype=np.uint8), y_train=rng.integers(0, 10, n_train).astype(np.uint8),
                  x_test=rng.integers(0, 256, (n_test, 32, 32, 3), dtype=np.uint8), y_test=rng.integers(0, 10, n_test).astype(np.uint8))
    np.savez_compressed(path, **arrays)
    return arrays


def test_encoding_is_lossless():
    x = np.random.default_rng(1).integers(0, 256, (5, 32, 32, 3), dtype=np.uint8)
    assert np.array_equal(shard.decode_images(shard.encode_images(x)), x)


def test_split_join_round_trip(tmp_path):
    arrays = fake_cifar(tmp_path / 'c.npz')
    parts = shard.split(tmp_path / 'c.npz', tmp_path / 'carry', max_mb=0.4, preset=1)
    assert len(parts) >= 3 and all(p.stat().st_size < 0.4e6 for p in parts)
    shard.main(['stash', '--src', str(tmp_path / 'carry'), '--to', str(tmp_path / 'stash')])
    shard.main(['join', '--parts', str(tmp_path / 'stash'), '--out', str(tmp_path / 'data')])
    with np.load(tmp_path / 'data' / 'cifar10.npz') as d:
        assert set(d.files) == set(arrays) and all(np.array_equal(d[k], v) and d[k].dtype == v.dtype for k, v in arrays.items())


def test_join_names_missing_and_damaged_parts(tmp_path):
    fake_cifar(tmp_path / 'c.npz')
    parts = shard.split(tmp_path / 'c.npz', tmp_path / 'carry', max_mb=0.4, preset=1)
    parts[1].unlink()
    with pytest.raises(FileNotFoundError, match=r'parts \[2\]'): shard.join(tmp_path / 'carry', tmp_path / 'out.npz')
    fake_cifar(tmp_path / 'c.npz')
    parts = shard.split(tmp_path / 'c.npz', tmp_path / 'carry', max_mb=0.4, preset=1)
    with np.load(parts[0]) as d: piece, manifest = d['piece'].copy(), d['manifest']
    piece[10] ^= 1
    np.savez(parts[0], piece=piece, manifest=manifest)
    with pytest.raises(ValueError, match='damaged'): shard.join(tmp_path / 'carry', tmp_path / 'out.npz')


def test_train_only_and_file_round_trip(tmp_path):
    fake_cifar(tmp_path / 'c.npz')
    shard.split(tmp_path / 'c.npz', tmp_path / 'carry', max_mb=1, train_only=True, preset=1)
    assert set(shard.join(tmp_path / 'carry', tmp_path / 'out.npz')) == {'x_train', 'y_train'}
    blob = np.random.default_rng(2).bytes(250_000)
    (tmp_path / 'net.pt').write_bytes(blob)
    paths = shard.split_file(tmp_path / 'net.pt', tmp_path / 'carry', 'inception', max_mb=0.1)
    assert len(paths) == 3
    shard.join_file(tmp_path / 'carry', 'inception', tmp_path / 'back.pt')
    assert (tmp_path / 'back.pt').read_bytes() == blob
