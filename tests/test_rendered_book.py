"""What a reader sees: a built page opened in headless Chromium has typeset math and no raw `#|` or `$$` text, no code
block scrolls sideways, every list and formula of the Markdown renders as written, and no output shows a warning or a
folder of the machine that built it."""
import html
import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / '_build' / 'html'
REQUIRED = os.environ.get('EVODIFF_REQUIRE_BOOK') == '1'   # set by `make test`, which builds the book first


def _chromium():
    return shutil.which('chromium') or shutil.which('chromium-browser')


def _rendered_dom(page: Path, query: str = '', window: str = '1280,900', budget_ms: int = 15000) -> str:
    "The page's DOM after its scripts (MathJax) ran, from headless Chromium in a `window`-sized window."
    with tempfile.TemporaryDirectory() as profile:
        res = subprocess.run([_chromium(), '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
                              '--no-first-run', '--disable-background-networking', '--disable-component-update',
                              '--disable-sync', f'--user-data-dir={profile}', f'--virtual-time-budget={budget_ms}',
                              f'--window-size={window}', '--dump-dom', page.as_uri() + query],
                             capture_output=True, text=True, timeout=180)
    assert res.returncode == 0, res.stderr[-2000:]
    return res.stdout


def _visible_text(dom: str) -> str:
    dom = re.sub(r'<(script|style|mjx-assistive-mml)\b.*?</\1>', ' ', dom, flags=re.S | re.I)
    return re.sub(r'<[^>]+>', ' ', dom)


def _pages_with_math():
    return [p for p in sorted(HTML.glob('nbs/*.html')) if 'class="math' in p.read_text(errors='ignore')]


def _skip_or_fail(reason):
    if REQUIRED: pytest.fail(reason)
    pytest.skip(reason)


def test_math_is_typeset_and_no_raw_directives():
    if not (HTML / 'index.html').exists(): _skip_or_fail('the book is not built: run `make book` first')
    if _chromium() is None: _skip_or_fail('chromium is not installed (make browser)')
    pages = _pages_with_math()
    assert pages, 'no built page contains math'
    for page in [HTML / 'nbs' / 'index.html'] + pages[:2]:
        dom = _rendered_dom(page)
        text = _visible_text(dom)
        if page in pages: assert '<mjx-container' in dom, f'{page.name}: math was not typeset by MathJax'
        assert '#|' not in text, f'{page.name}: raw nbdev directive shown'
        assert '$$' not in text, f'{page.name}: raw $$ shown'


def test_no_code_block_scrolls_sideways():
    "At a laptop's 1280 px, no code cell of any chapter is wider than its box (_static/overflow_check.js measures)."
    if not (HTML / 'index.html').exists(): _skip_or_fail('the book is not built: run `make book` first')
    if _chromium() is None: _skip_or_fail('chromium is not installed (make browser)')
    wide = {}
    for page in sorted(HTML.glob('nbs/*.html')):
        dom = _rendered_dom(page, query='?check-overflow', budget_ms=3000)
        found = re.search(r'data-overflow="([^"]*)"', dom)
        assert found, f'{page.name}: the overflow probe did not run (is _static/overflow_check.js in the build?)'
        blocks = json.loads(html.unescape(found.group(1)))
        if blocks: wide[page.name] = blocks
    assert not wide, f'code blocks that scroll sideways: {wide}'


def _markdown_parser():
    markdown_it = pytest.importorskip('markdown_it')
    dollarmath = pytest.importorskip('mdit_py_plugins.dollarmath')
    return markdown_it.MarkdownIt('commonmark').enable('table').use(
        dollarmath.dollarmath_plugin, allow_labels=True, allow_space=True, allow_digits=True, double_inline=True)


def _prose_problems(source: str, md) -> list:
    "Lines a list was meant to start but a paragraph swallowed, and TeX outside math, in one Markdown cell."
    found, tokens = [], md.parse(source)
    for before, token in zip(tokens, tokens[1:]):
        if token.type != 'inline' or before.type != 'paragraph_open': continue
        text = ''.join(child.content if child.type == 'text' else '\n' for child in token.children or []
                       if child.type in ('text', 'softbreak'))
        display = [c.content[:40] for c in token.children or [] if c.type == 'math_inline_double']
        found += [f'display math inside a paragraph (blank lines around $$): {display[0]!r}'] if display else []
        glued = re.search(r'(?m)^\s*([-*+]|[1-9]\.)\s+\S.{0,40}', text)
        tex = re.search(r'\\[A-Za-z]+.{0,30}', text)
        found += [f'list item glued into a paragraph: {glued.group(0)!r}'] if glued else []
        found += [f'TeX outside math: {tex.group(0)!r}'] if tex else []
    return found


def test_lists_and_math_render_as_written():
    "Every Markdown cell parses as the book renders it: no list swallowed by a paragraph, no TeX outside $...$."
    md, problems = _markdown_parser(), []
    for nb in sorted((ROOT / 'nbs').glob('*.ipynb')):
        for cell in json.loads(nb.read_text())['cells']:
            if cell['cell_type'] == 'markdown':
                problems += [f'{nb.stem} {cell.get("id")}: {p}' for p in _prose_problems(''.join(cell['source']), md)]
    assert not problems, '\n'.join(problems)


def test_the_prose_check_sees_the_two_faults():
    md = _markdown_parser()
    glued = 'Two things:\n\n1. first\n\n$$x$$\n\n2. second\n3. third\n\nText and\n5. not a list'
    assert any('glued' in p for p in _prose_problems(glued, md))
    assert any('TeX' in p for p in _prose_problems('A ratio \\frac{a}{b} outside math.', md))
    assert any('display' in p for p in _prose_problems('so\n$$\nx = 1\n$$ (eq-x)\nand', md))
    assert not _prose_problems('Fine: $\\frac{a}{b}$ and\n\n- a list\n- of two', md)


def test_outputs_show_no_warnings_or_machine_paths():
    "What the executed chapters print names no folder of the build machine and carries no warning."
    executed = Path(os.environ.get('EVODIFF_EXECUTED', ROOT / '_build' / 'jupyter_execute' / 'nbs'))
    if not executed.exists(): _skip_or_fail('the book is not built: run `make book` first')
    machine = re.compile(r'Warning\b|site-packages|/tmp/|/root/|/home/|' + re.escape(str(ROOT)))
    found = []
    for nb in sorted(executed.glob('*.ipynb')):
        for cell in json.loads(nb.read_text())['cells']:
            for out in cell.get('outputs', []):
                text = ''.join(out.get('text', '')) + ''.join(out.get('data', {}).get('text/plain', ''))
                hit = machine.search(text)
                if hit or out.get('name') == 'stderr':
                    found.append(f'{nb.stem} {cell.get("id")}: {text[max(0, (hit.start() if hit else 0) - 40):][:120]!r}')
    assert not found, '\n'.join(found)


def _names(source: str) -> tuple[set, set]:
    "(names a code cell defines, names it reads); shell and magic lines are skipped."
    import ast
    code = '\n'.join(re.sub(r'^(\s*)[%!].*', r'\1pass', line) for line in source.split('\n'))
    tree, defined = ast.parse(code), set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)): defined.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store): defined.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            defined |= {(a.asname or a.name).split('.')[0] for a in node.names}
    read = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    return defined, read


def test_no_hidden_cell_defines_a_name_the_reader_needs():
    "A reader who copies the visible cells gets every name they use: hidden (`#| hide`) cells define none of them."
    found = []
    for nb in sorted((ROOT / 'nbs').glob('*.ipynb')):
        hidden, visible = {}, set()
        for cell in json.loads(nb.read_text())['cells']:
            if cell['cell_type'] != 'code': continue
            source = ''.join(cell['source'])
            defined, read = _names(source)
            if source.lstrip().startswith('#| hide') and '#| export' not in source:
                hidden.update({name: cell.get('id') for name in defined - visible})
                continue
            found += [f'{nb.stem} {cell.get("id")} uses {name!r} from hidden cell {hidden[name]}'
                      for name in sorted((read & hidden.keys()) - visible - defined)]
            visible |= defined
    assert not found, '\n'.join(found)


def test_equations_are_numbered_per_chapter():
    "Every numbered equation of chapter NN shows (NN.k), k = 1, 2, ... in order, and every reference shows its number."
    if not (HTML / 'index.html').exists(): _skip_or_fail('the book is not built: run `make book` first')
    checked = 0
    for page in sorted(HTML.glob('nbs/[0-9]*.html')):
        text = page.read_text(errors='ignore')
        chapter = re.match(r'0*(\d+[a-z]?)_', page.name).group(1)
        numbers = re.findall(r'class="eqno">\(([^)<]*)', text)
        assert numbers == [f'{chapter}.{k}' for k in range(1, len(numbers) + 1)], (page.name, numbers[:5])
        shown = dict(re.findall(r'id="equation-([\w-]+)"[^>]*>.*?class="eqno">\(([^)<]*)', text, flags=re.S))
        for label, ref in re.findall(r'href="#equation-([\w-]+)">\(([^)<]*)\)<', text):
            assert ref == shown.get(label, ref), (page.name, label, ref, shown.get(label))
        checked += len(numbers)
    assert checked > 50, f'only {checked} numbered equations found'


def test_figures_are_numbered_per_chapter():
    "Every captioned figure of chapter NN is Fig. NN.k, k = 1, 2, ... in page order."
    if not (HTML / 'index.html').exists(): _skip_or_fail('the book is not built: run `make book` first')
    checked = 0
    for page in sorted(HTML.glob('nbs/[0-9]*.html')):
        chapter = re.match(r'0*(\d+[a-z]?)_', page.name).group(1)
        numbers = re.findall(r'class="caption-number">Fig\. ([^ <]+)', page.read_text(errors='ignore'))
        assert numbers == [f'{chapter}.{k}' for k in range(1, len(numbers) + 1)], (page.name, numbers[:5])
        checked += len(numbers)
    assert checked > 20, f'only {checked} numbered figures found'
