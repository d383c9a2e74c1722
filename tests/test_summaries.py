"""Chapter summaries state what to remember; the functions are looked up in the library reference.

Every chapter that has a `## Summary` gives 3 to 5 takeaways as a bullet list, and no table of functions. The
appendix `nbs/98_library_reference.ipynb` is in the table of contents, and its code, when it runs, lists every public
name (`__all__`) of every module of the package under that module's name.
"""
import ast
import importlib
import itertools
import json
import re
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

ROOT = Path(__file__).resolve().parents[1]
NBS = ROOT / 'nbs'
APPENDIX = NBS / '98_library_reference.ipynb'


def summary_section(notebook: dict) -> str | None:
    "The Markdown after a notebook's `## Summary` heading, up to the next heading of level 1 or 2; None if none."
    for cell in notebook['cells']:
        source = ''.join(cell['source'])
        if cell['cell_type'] == 'markdown' and (m := re.search(r'^## Summary\s*$', source, flags=re.MULTILINE)):
            rest = source[m.end():]
            end = re.search(r'^#{1,2} ', rest, flags=re.MULTILINE)
            return rest[:end.start()] if end else rest
    return None


def takeaways(markdown: str) -> int:
    "The number of top-level bullet items in `markdown`."
    tokens = MarkdownIt('commonmark').enable('table').parse(markdown)
    return sum(t.type == 'list_item_open' and t.level == 1 and t.markup in ('-', '*', '+') for t in tokens)


def function_tables(markdown: str) -> list[str]:
    "The header rows of the tables in `markdown` that have a column named `function` or `functions`."
    lines = markdown.split('\n')
    return [head for head, rule in itertools.pairwise(lines)
            if head.lstrip().startswith('|') and re.match(r'\s*\|?\s*:?-{3,}', rule)
            and {c.strip(' `*').lower() for c in head.strip().strip('|').split('|')} & {'function', 'functions'}]


def summaries() -> dict[str, str]:
    found = {p.stem: summary_section(json.loads(p.read_text())) for p in sorted(NBS.glob('*.ipynb'))}
    return {stem: text for stem, text in found.items() if text is not None}


def test_every_summary_is_three_to_five_takeaways():
    found = summaries()
    assert len(found) >= 20, f'only {len(found)} chapters with a summary were found'
    wrong = [f'{stem}: {takeaways(text)} takeaways' for stem, text in found.items() if not 3 <= takeaways(text) <= 5]
    wrong += [f'{stem}: a table of functions: {head}'
              for stem, text in found.items() for head in function_tables(text)]
    assert not wrong, '\n'.join(wrong)


def test_the_checks_see_a_table_of_functions_and_a_paragraph():
    api = '\n\n| piece | function | note |\n|---|---|---|\n| loss | `edm_loss` | EDM |\n\nSome prose.\n'
    assert takeaways(api) == 0 and function_tables(api) == ['| piece | function | note |']
    good = '\n\n- one\n- two\n  still two\n- three\n\n  - not top-level\n\n| result | check |\n|---|---|\n| a | b |\n'
    assert takeaways(good) == 3 and function_tables(good) == []
    summary = ['## Summary\n', '\n', '- a\n', '- b\n', '\n', '## Exercises\n', '- c\n']
    nb = {'cells': [{'cell_type': 'markdown', 'source': summary}]}
    assert takeaways(summary_section(nb)) == 2


def test_the_appendix_is_in_the_back_matter_and_exports_nothing():
    toc = (ROOT / '_toc.yml').read_text()
    back = toc[toc.index('caption: Back matter'):]
    assert APPENDIX.exists() and 'file: nbs/98_library_reference' in back
    assert back.index('nbs/98_library_reference') < back.index('nbs/99_references')
    code = [''.join(c['source']) for c in json.loads(APPENDIX.read_text())['cells'] if c['cell_type'] == 'code']
    assert code and not any(re.search(r'^#\|\s*default_exp', s, flags=re.MULTILINE) for s in code)


def package_modules() -> set[str]:
    "The modules of `_modidx.py` and those the chapters export (the package modules have no entry there)."
    from evodiff_book._modidx import d
    exported = {'evodiff_book.' + m.group(1).removesuffix('.__init__')
                for p in NBS.glob('*.ipynb') for c in json.loads(p.read_text())['cells']
                if c['cell_type'] == 'code'
                and (m := re.search(r'^#\|\s*default_exp\s+(\S+)', ''.join(c['source']), flags=re.MULTILINE))}
    return set(d['syms']) | exported


def appendix_output() -> str:
    "The Markdown the appendix's code cells display, as the book shows it: each cell's last expression."
    from IPython.display import Markdown
    namespace, shown = {}, []
    for cell in json.loads(APPENDIX.read_text())['cells']:
        if cell['cell_type'] != 'code': continue
        tree = ast.parse(''.join(cell['source']))
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        exec(compile(tree, str(APPENDIX), 'exec'), namespace)  # noqa: S102 (the book's own code)
        if last is not None:
            value = eval(compile(ast.Expression(last.value), str(APPENDIX), 'eval'), namespace)
            if isinstance(value, Markdown): shown.append(value.data)
    return '\n\n'.join(shown)


@pytest.mark.filterwarnings('ignore')
def test_the_appendix_lists_every_public_name_of_every_module():
    modules = package_modules()
    assert {'evodiff_book.core', 'evodiff_book.solvers.evodiff', 'evodiff_book.diffusers'} <= modules
    blocks = dict(re.findall(r'^\*\*`(evodiff_book[\w.]*)`\*\*(.*?)(?=^\*\*`evodiff_book|\Z)', appendix_output(),
                             flags=re.MULTILINE | re.DOTALL))
    missing = sorted(modules - set(blocks))
    for name in sorted(modules & set(blocks)):
        missing += [f'{name}.{n}' for n in importlib.import_module(name).__all__ if f'| `{n}` |' not in blocks[name]]
    assert not missing, 'not in the library reference: ' + ', '.join(missing)
