"""The committed CIFAR-10 network (checkpoints/cifar10): loadable, its records self-consistent, able to continue
training, and usable from the command line of a fresh clone."""
import json
import os
import subprocess
import sys
from pathlib import Path

import torch

from evodiff_book.cifar10.train import TRAIN_STATE
from evodiff_book.cifar10.unet import load_model_card, load_pretrained

ROOT = Path(__file__).resolve().parents[1]
NETWORK = ROOT / 'checkpoints' / 'cifar10'


def test_card_records_every_run_back_to_back():
    card = load_model_card(NETWORK)
    runs = card['runs']
    assert runs[0]['start_images'] == 0 and runs[-1]['end_images'] == card['images_seen']
    for before, after in zip(runs, runs[1:]): assert after['start_images'] == before['end_images']
    assert abs(sum(r['seconds'] for r in runs) - card['wall_time_s']) < 60   # each run's time adds up to the total
    held = card['held_out_loss']
    assert held and all(a['images_seen'] < b['images_seen'] for a, b in zip(held, held[1:]))
    assert card['train_config']['batch_size'] * card['steps'] == card['images_seen']


def test_training_state_matches_the_export():
    "train_state.pt (what the next run continues from) is the same run as the EMA export beside it."
    card, saved = load_model_card(NETWORK), torch.load(NETWORK / TRAIN_STATE, map_location='cpu', weights_only=False)
    assert (saved['nimg'], saved['step']) == (card['images_seen'], card['steps'])
    assert saved['evals'] == card['held_out_loss'] and saved['runs'] == card['runs']
    ema = load_pretrained(NETWORK)
    assert set(saved['net']) == set(ema.state_dict()) and all(v.dtype == torch.float32 for v in saved['net'].values())


def test_sample_command_from_the_committed_network(tmp_path):
    env = {**os.environ, 'PYTHONPATH': str(ROOT), 'OMP_NUM_THREADS': '1'}
    out = tmp_path / 'grid.png'
    res = subprocess.run([sys.executable, '-m', 'evodiff_book', 'sample', '--model', 'unet', '--nfe', '10', '--n', '4',
                          '--out', str(out), '--device', 'cpu'], cwd=tmp_path, env=env, capture_output=True, text=True,
                         timeout=300)
    assert res.returncode == 0, res.stderr
    assert out.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'
