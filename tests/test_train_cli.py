"""The training module as a program: its command line, and exact resume (200 steps straight against 100 + resume + 100;
EVODIFF_RESUME_STEPS=2000 runs the long check, a few minutes on a 2-core CPU)."""
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from evodiff_book.cifar10.train import TrainConfig, train
from evodiff_book.cifar10.unet import UNetConfig, load_pretrained

ROOT = Path(__file__).resolve().parents[1]


def run_cli(*args, cwd=ROOT):
    env = {**os.environ, 'PYTHONPATH': str(ROOT)}
    return subprocess.run([sys.executable, '-m', 'evodiff_book.cifar10.train', *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)


def test_help_lists_the_options():
    res = run_cli('--help')
    assert res.returncode == 0, res.stderr
    for option in ('--out', '--minutes', '--steps', '--smoke', '--compile', '--batch-size', '--model-channels',
                   '--ema-halflife-images', '--subset', '--data-root'):
        assert option in res.stdout


def test_smoke_run_writes_a_loadable_model(tmp_path):
    pytest.importorskip('evodiff_book.data')
    from evodiff_book.data import cifar10_locations
    if not any(p.exists() for _, p in cifar10_locations()): pytest.skip('CIFAR-10 is not on this machine')
    out = tmp_path / 'run'
    res = run_cli('--smoke', '--steps', '4', '--out', str(out), '--no-progress', '--threads', '1')
    assert res.returncode == 0, res.stderr
    card = json.loads((out / 'ema' / 'model_card.json').read_text())
    assert card['steps'] == 4 and card['images_seen'] == 32 and 'stratified subset of 64' in card['data']
    net = load_pretrained(out / 'ema')
    with torch.no_grad(): assert net(torch.zeros(2, 3, 32, 32), torch.ones(2), [0, 1]).shape == (2, 3, 32, 32)
    res = run_cli('--smoke', '--steps', '6', '--out', str(out), '--no-progress', '--threads', '1')   # resumes from step 4
    assert res.returncode == 0, res.stderr
    assert json.loads((out / 'ema' / 'model_card.json').read_text())['steps'] == 6
    res = run_cli('--smoke', '--steps', '7', '--lr', '0.1', '--out', str(out), '--no-progress', '--threads', '1')
    assert res.returncode != 0 and 'different train_config' in res.stderr


def test_exact_resume(tmp_path):
    "N steps straight and N/2 + resume + N/2 give the same loss at every step and the same EMA (micro net, 8x8 images)."
    threads = torch.get_num_threads(); torch.set_num_threads(1)   # tiny ops: one thread is much faster
    try: _check_resume(tmp_path)
    finally: torch.set_num_threads(threads)


def _check_resume(tmp_path):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(64, 8, 8, 3), dtype=np.uint8)
    labels = rng.integers(0, 10, size=64)
    cfg = TrainConfig(batch_size=4, lr=1e-3, lr_warmup_images=400, ema_halflife_images=100, checkpoint_every=75,
                      log_every=100)
    unet = UNetConfig(img_resolution=8, model_channels=8, channel_mult=(1,), num_blocks=1, attn_resolutions=(),
                      dropout=0.1)
    steps = int(os.environ.get('EVODIFF_RESUME_STEPS', 200))
    one = train(tmp_path / 'straight', images, labels, cfg, unet, max_steps=steps, device='cpu', progress=False)
    train(tmp_path / 'halves', images, labels, cfg, unet, max_steps=steps // 2, device='cpu', progress=False)
    two = train(tmp_path / 'halves', images, labels, cfg, unet, max_steps=steps, device='cpu', progress=False)
    assert len(one.losses) == steps and one.losses == two.losses
    for a, b in zip(one.ema.state_dict().values(), two.ema.state_dict().values()): assert torch.equal(a, b)


def test_publish_and_continue_on_another_machine(tmp_path):
    "A run published with --publish continues in a new run folder with --init-from: counters, records, an Adam restart."
    from evodiff_book.data import cifar10_locations
    if not any(p.exists() for _, p in cifar10_locations()): pytest.skip('CIFAR-10 is not on this machine')
    shelf = tmp_path / 'shelf'
    common = ('--smoke', '--no-progress', '--threads', '1', '--eval-every-images', '16', '--channels-last')
    res = run_cli(*common, '--steps', '4', '--out', str(tmp_path / 'a'), '--publish', str(shelf))
    assert res.returncode == 0, res.stderr
    assert (shelf / 'train_state.pt').exists() and not (shelf / 'checkpoint.pt').exists()
    res = run_cli(*common, '--steps', '6', '--out', str(tmp_path / 'b'), '--init-from', str(shelf), '--publish', str(shelf))
    assert res.returncode == 0, res.stderr
    card = json.loads((shelf / 'model_card.json').read_text())
    assert card['steps'] == 6 and card['adam_restarts'] == [32] and len(card['runs']) == 2
    assert [e['images_seen'] for e in card['held_out_loss']] == [0, 16, 32, 48]
    assert all(r['channels_last'] and r['precision'] == 'fp32' for r in card['runs'])
    load_pretrained(shelf)                                    # the published EMA loads (every SHA-256 checked)
    res = run_cli(*common, '--steps', '7', '--lr', '0.1', '--out', str(tmp_path / 'c'), '--init-from', str(shelf))
    assert res.returncode != 0 and 'different train_config' in res.stderr


def test_bench_writes_every_precision(tmp_path):
    "--bench times every precision and layout (here on the smoke network) and writes one JSON file named by the processor."
    from evodiff_book.data import cifar10_locations
    if not any(p.exists() for _, p in cifar10_locations()): pytest.skip('CIFAR-10 is not on this machine')
    res = run_cli('--smoke', '--bench', '--threads', '1', '--results-dir', str(tmp_path))
    assert res.returncode == 0, res.stderr
    [path] = tmp_path.glob('train_throughput_*.json')
    result = json.loads(path.read_text())
    assert set(result['images_per_second']) == {'fp32', 'fp32, channels-last', 'bf16 autocast', 'bf16 autocast, channels-last'}
    assert result['fastest'] in result['images_per_second'] and all(v > 0 for v in result['images_per_second'].values())
    assert run_cli('--smoke').returncode != 0                        # neither --out nor --bench: refused
