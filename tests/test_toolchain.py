"""The literate toolchain: notebooks <-> library sync, clean notebooks, the nbdev-directive extension and a strict book
build that fails on a failing cell."""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import check_sync
import nbdev_directives as nd

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _code(src, tags=()):
    return {'cell_type': 'code', 'execution_count': None, 'id': 'x', 'metadata': {'tags': list(tags)} if tags else {},
            'outputs': [], 'source': src}


def _notebook(*cells):
    return {'cells': list(cells), 'metadata': {'kernelspec': {'display_name': 'python3', 'language': 'python',
                                                              'name': 'python3'}}, 'nbformat': 4, 'nbformat_minor': 5}


# --- the nbdev directive extension -------------------------------------------------------------------------------

def test_directives_become_tags_and_are_stripped():
    nb = _notebook(_code('#| default_exp core'), _code('#| hide\nx = 1'), _code('#|eval: false\nrun()'),
                   _code('#| gpu\nbig()'), _code('#| slow\nslow()'), _code('#| export\ndef f(): pass'),
                   _code('import nbdev; nbdev.nbdev_export()'), _code('y = 2'))
    out = json.loads(nd.rewrite_notebook(json.dumps(nb)))['cells']
    tags = [c['metadata'].get('tags', []) for c in out]
    assert tags[0] == ['remove-cell'] and tags[1] == ['remove-cell']
    assert tags[2] == ['skip-execution'] and tags[3] == ['skip-execution'] and tags[4] == ['skip-execution']
    assert tags[5] == [] and 'remove-cell' in tags[6] and 'skip-execution' in tags[6] and tags[7] == []
    assert not any('#|' in c['source'] for c in out)
    assert out[5]['source'] == 'def f(): pass' and out[7]['source'] == 'y = 2'


def test_a_caption_makes_a_figure():
    "Quarto's `#| fig-cap:` becomes myst-nb's figure caption, case and quotes as written; other cells stay plain."
    nb = _notebook(_code('#| fig-cap: "The Exact paths, $x^2$."\nplot()'), _code('#| echo: FALSE\nplot()'))
    out = json.loads(nd.rewrite_notebook(json.dumps(nb)))['cells']
    assert out[0]['metadata']['mystnb'] == {'figure': {'caption': 'The Exact paths, $x^2$.'}}
    assert out[0]['source'] == 'plot()' and 'mystnb' not in out[1]['metadata']
    assert out[1]['metadata']['tags'] == ['remove-input']


def test_flags_can_be_switched_on():
    nb = _notebook(_code('#| slow\nslow()'), _code('#| gpu\nbig()'))
    out = json.loads(nd.rewrite_notebook(json.dumps(nb), flags_on=('slow',)))['cells']
    assert out[0]['metadata'].get('tags', []) == [] and out[1]['metadata']['tags'] == ['skip-execution']


# --- notebook <-> library sync and clean notebooks ----------------------------------------------------------------

def _copy_repo(tmp_path):
    dest = tmp_path / 'repo'
    dest.mkdir()
    check_sync._copy_project(ROOT, dest)
    return dest


def test_repository_is_in_sync_and_clean():
    assert check_sync.export_drift(ROOT) == []
    assert check_sync.unclean_notebooks(ROOT) == []


def test_drift_is_detected(tmp_path):
    repo = _copy_repo(tmp_path)
    nb_path = repo / 'nbs' / '00_core.ipynb'
    nb = json.loads(nb_path.read_text())
    cell = next(c for c in nb['cells'] if 'def append_dims' in ''.join(c['source']))
    cell['source'] = ''.join(cell['source']).replace('Append trailing singleton', 'Append trailing unit')
    nb_path.write_text(json.dumps(nb, indent=1))
    assert check_sync.export_drift(repo) == ['evodiff_book/core.py']


def test_outputs_make_a_notebook_unclean(tmp_path):
    repo = _copy_repo(tmp_path)
    nb_path = repo / 'nbs' / '00_core.ipynb'
    nb = json.loads(nb_path.read_text())
    code = next(c for c in nb['cells'] if c['cell_type'] == 'code')
    code['outputs'] = [{'output_type': 'stream', 'name': 'stdout', 'text': ['hi\n']}]
    nb_path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + '\n')
    assert check_sync.unclean_notebooks(repo) == ['nbs/00_core.ipynb']


# --- a strict book build fails on a failing cell ------------------------------------------------------------------

def _mini_book(tmp_path, *cells):
    "A one-chapter book in `tmp_path` that uses the project's real _config.yml and extension."
    book = tmp_path / 'book'
    (book / 'nbs').mkdir(parents=True)
    for name in ('_config.yml', 'references.bib'): shutil.copy2(ROOT / name, book / name)
    shutil.copytree(ROOT / '_ext', book / '_ext')
    shutil.copytree(ROOT / '_static', book / '_static')
    (book / '_mathjax').mkdir()
    (book / '_toc.yml').write_text('format: jb-book\nroot: nbs/index\n')
    md = {'cell_type': 'markdown', 'id': 'm', 'metadata': {}, 'source': '# A chapter\n\nSome math: $a^2$.'}
    (book / 'nbs' / 'index.ipynb').write_text(json.dumps(_notebook(md, *cells)))
    return book


def _make_book(book):
    env = {**os.environ, 'PATH': f'{BIN}:{os.environ["PATH"]}'}
    return subprocess.run(['make', '-C', str(ROOT), 'book', f'BOOK_ROOT={book}', f'VENV={BIN.parent}'],
                          capture_output=True, text=True, env=env, timeout=600)


@pytest.mark.skipif(shutil.which('make') is None, reason='needs make')
def test_failing_cell_fails_the_book_command(tmp_path):
    book = _mini_book(tmp_path, _code('x = 1'), _code('raise RuntimeError("deliberate failure")'))
    res = _make_book(book)
    assert res.returncode != 0
    assert 'deliberate failure' in res.stdout + res.stderr


@pytest.mark.skipif(shutil.which('make') is None, reason='needs make')
def test_gpu_and_eval_false_cells_are_not_executed(tmp_path):
    book = _mini_book(tmp_path, _code('#| gpu\nraise RuntimeError("a gpu cell ran")'),
                      _code('#| eval: false\nraise RuntimeError("an eval: false cell ran")'),
                      _code('#| hide\nhidden_marker = "HIDDEN-CELL-SOURCE"'), _code('print("visible output")'))
    res = _make_book(book)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    html = (book / '_build' / 'html' / 'nbs' / 'index.html').read_text()
    assert 'visible output' in html and 'HIDDEN-CELL-SOURCE' not in html and '#|' not in html
