"""What a reader sees: a built page opened in headless Chromium has typeset math and no raw `#|` or `$$` text."""
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
