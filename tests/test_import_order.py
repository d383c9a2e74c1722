"""The chapters are numbered in the order they build on each other: a chapter imports only modules that chapters
with lower numbers export (issue 13, item 5), so a reader can take them in order."""
import json
import re
from pathlib import Path

NBS = Path(__file__).resolve().parents[1] / 'nbs'
IMPORT = re.compile(r'from evodiff_book\.([\w.]+) import|import evodiff_book\.([\w.]+)')


def chapters() -> dict[str, list[str]]:
    "Each notebook's name and the sources of its code cells."
    return {p.stem: [''.join(c['source']) for c in json.loads(p.read_text())['cells']
                     if c['cell_type'] == 'code']
            for p in sorted(NBS.glob('*.ipynb'))}


def exporters(books: dict) -> dict[str, str]:
    "The chapter that exports each module (its `default_exp`)."
    found = {}
    for name, cells in books.items():
        for source in cells:
            if m := re.search(r'#\|\s*default_exp\s+(\S+)', source):
                found[m.group(1).removesuffix('.__init__')] = name  # a package's own chapter
    return found


def test_chapters_import_only_earlier_chapters():
    books = chapters()
    owner = exporters(books)
    assert {'core', 'solvers', 'solvers.heun', 'experiments', 'experiments.network'} <= set(owner)
    late = sorted(
        f'{name} imports {mod} of {owner[mod]}'
        for name, cells in books.items() for source in cells
        for m in IMPORT.finditer(source)
        if (mod := m.group(1) or m.group(2)) in owner and owner[mod] > name)
    assert not late, 'chapters that import a later chapter:\n' + '\n'.join(late)


def test_the_check_sees_a_late_import():
    books = {'10_a': ['#| default_exp a\nfrom evodiff_book.b import f'],
             '20_b': ['#| default_exp b\nimport evodiff_book.a']}
    owner = exporters(books)
    assert owner == {'a': '10_a', 'b': '20_b'}
    late = [m.group(1) for m in IMPORT.finditer(books['10_a'][0])]
    assert late == ['b'] and owner['b'] > '10_a'
