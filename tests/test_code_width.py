"""Code fits the page: every line of a code cell the book shows is at most 88 characters (`ruff format nbs` and the
house style keep it so; the browser test checks the rendered pages themselves)."""
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WIDTH = 88


def shown_code_cells():
    "(notebook, cell id, code) of every code cell the book shows and every code block in its prose."
    for nb in sorted((ROOT / 'nbs').glob('*.ipynb')):
        for cell in json.loads(nb.read_text())['cells']:
            source = ''.join(cell['source'])
            if cell['cell_type'] == 'code' and not source.startswith('#| hide'):
                yield nb.name, cell['id'], source
            if cell['cell_type'] == 'markdown':
                for block in re.findall(r'```[a-z]*\n(.*?)```', source, flags=re.S):
                    yield nb.name, cell['id'], block


def test_shown_code_fits_88_columns():
    cells = list(shown_code_cells())
    assert len(cells) > 200, 'the notebooks were not found'
    long = [f'{name} cell {cid}: {len(line)} chars: {line.strip()[:60]}'
            for name, cid, source in cells for line in source.split('\n') if len(line) > WIDTH]
    assert not long, f'{len(long)} lines wider than {WIDTH} columns:\n' + '\n'.join(long[:20])
