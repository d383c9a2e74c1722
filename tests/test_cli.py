"""The command line as a user meets it, in a real process: --help at every level, and one line (no traceback, exit
status 2) for bad input. The chapter on the command line checks every case in-process; these check the process."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = ('sample', 'fid', 'bench', 'train', 'sweep', 'network', 'guidance')


def run(*args):
    env = {**os.environ, 'PYTHONPATH': str(ROOT)}
    env.pop('EVODIFF_TRACEBACK', None)
    return subprocess.run([sys.executable, '-m', *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize('argv', [[], *[[c] for c in COMMANDS], ['fid', 'score'], ['fid', 'stats']])
def test_every_level_answers_help(argv):
    res = run('evodiff_book', *argv, '--help')
    assert res.returncode == 0 and res.stdout.startswith('usage: python -m evodiff_book'), res.stderr


def test_the_module_forms_still_work():
    res = run('evodiff_book.cifar10.train', '--help')
    assert res.returncode == 0 and res.stdout.startswith('usage: python -m evodiff_book.cifar10.train')


def damaged_copy(tmp_path: Path, damage) -> Path:
    folder = tmp_path / 'ckpt'
    shutil.copytree(ROOT / 'checkpoints' / 'cifar10', folder, ignore=shutil.ignore_patterns('train_state.pt'))
    damage(folder)
    return folder


def truncate_weights(folder):
    path = next(folder.glob('weights-*.pt')); path.write_bytes(path.read_bytes()[:4096])


@pytest.mark.parametrize('damage, words', [
    (lambda f: (f / 'model_card.json').write_text('{"format"'), 'model_card.json is damaged'),
    (truncate_weights, 'truncated'),
    (lambda f: next(f.glob('weights-*.pt')).unlink(), 'is missing'),
])
def test_a_damaged_checkpoint_is_one_line(tmp_path, damage, words):
    folder = damaged_copy(tmp_path, damage)
    for argv in (['sample', '--model', 'unet', '--checkpoint', str(folder), '--out', str(tmp_path / 'g.png')],
                 ['network', 'grids', '--checkpoint', str(folder), '--results-dir', str(tmp_path)]):
        res = run('evodiff_book', *argv)
        assert res.returncode == 2 and words in res.stderr and 'Traceback' not in res.stderr, res.stderr
        assert len(res.stderr.strip().splitlines()) == 1, res.stderr
    assert not (tmp_path / 'g.png').exists()


def test_bad_files_and_options_are_one_line(tmp_path):
    (tmp_path / 'file').write_text('x')
    cases = {('fid', str(tmp_path / 'none.npz')): 'does not exist',
             ('fid', 'score', str(tmp_path / 'file')): 'is not an .npz file',
             ('sample', '--model', 'cifar10-gaussian', '--out', str(tmp_path / 'file' / 'g.png')): 'not a folder',
             ('train', '--out', str(tmp_path / 'file' / 'run')): 'run folder',
             ('fid', 'stats', '--chunk', '300'): 'not a multiple of --batch-size 200',
             ('sample', '--no-such-option'): 'unrecognized arguments'}
    for argv, words in cases.items():
        res = run('evodiff_book', *argv)
        assert res.returncode == 2 and words in res.stderr and 'Traceback' not in res.stderr, (argv, res.stderr)


def test_chapter_modules_with_a_command_line_run_as_scripts():
    "`python -m evodiff_book.<module>` reaches the module's own main (its `if __name__` block is exported)."
    for module, words in (('evodiff_book.experiments.guidance', '--kind'), ('evodiff_book.experiments.fid_sweep', '--checkpoint')):
        args = (module, 'train', '--help') if module.endswith('guidance') else (module, '--help')
        res = run(*args)
        assert res.returncode == 0 and words in res.stdout, (module, res.stdout[-500:], res.stderr[-500:])
