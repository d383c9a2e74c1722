"""Code fits the page: every line of a code cell the book shows is at most 88 characters (`ruff format nbs` and the
house style keep it so; the browser test checks the rendered pages themselves)."""
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WIDTH = 88


def shown_code_cells(collapsed: bool = False):
    "(notebook, cell id, code) of every code cell the book shows and every code block in its prose."
    for nb in sorted((ROOT / 'nbs').glob('*.ipynb')):
        for cell in json.loads(nb.read_text())['cells']:
            source = ''.join(cell['source'])
            if collapsed and 'hide-input' not in cell['metadata'].get('tags', []): continue
            if cell['cell_type'] == 'code' and not source.startswith('#| hide'):
                yield nb.name, cell['id'], re.sub(r'^#\|[^\n]*\n', '', source, flags=re.M)  # directives: not shown
            if cell['cell_type'] == 'markdown':
                for block in re.findall(r'```[a-z]*\n(.*?)```', source, flags=re.S):
                    yield nb.name, cell['id'], block


def test_shown_code_fits_88_columns():
    cells = list(shown_code_cells())
    assert len(cells) > 200, 'the notebooks were not found'
    long = [f'{name} cell {cid}: {len(line)} chars: {line.strip()[:60]}'
            for name, cid, source in cells for line in source.split('\n') if len(line) > WIDTH]
    assert not long, f'{len(long)} lines wider than {WIDTH} columns:\n' + '\n'.join(long[:20])


def test_collapsed_solutions_fit_84_columns():
    "A collapsed cell (an exercise's solution) is drawn in a narrower box: 86 columns fit at 1280 px."
    long = [f'{name} cell {cid}: {line.strip()[:60]}' for name, cid, source in shown_code_cells(True)
            for line in source.split('\n') if len(line) > 84]
    assert not long, long


def test_no_hidden_cell_defines_a_name_a_shown_cell_uses():
    "Readers copy code: what a shown cell uses is imported or defined where they can see it."
    import ast

    def tree(source):
        lines = [l for l in source.split('\n') if not l.lstrip().startswith(('%', '!'))]
        try: return ast.parse('\n'.join(lines))
        except SyntaxError: return None

    def defined(t):
        out = set()
        for node in ast.walk(t):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                out |= {(a.asname or a.name).split('.')[0] for a in node.names}
            elif isinstance(node, (ast.FunctionDef, ast.ClassDef)): out.add(node.name)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store): out.add(node.id)
        return out

    problems = []
    for nb in sorted((ROOT / 'nbs').glob('*.ipynb')):
        cells = [''.join(c['source']) for c in json.loads(nb.read_text())['cells'] if c['cell_type'] == 'code']
        used = {n.id for s in cells if not s.startswith('#| hide') and (t := tree(s))
                for n in ast.walk(t) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
        hidden = set().union(*[defined(t) for s in cells if s.startswith('#| hide') and (t := tree(s))])
        problems += [f'{nb.name}: {name}' for name in sorted((hidden & used) - {'sys', 'nbdev'})]
    assert not problems, problems
