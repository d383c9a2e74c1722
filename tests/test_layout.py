"""The package's folders mirror the book's parts (issue 13, item 5): each chapter exports to the folder of its
part, the module is named after the chapter, no solver imports a sibling solver, and the flat names that users
imported before the folders existed still import the same module."""
import ast
import importlib
import json
import re
from pathlib import Path

import pytest

import evodiff_book

ROOT = Path(__file__).resolve().parents[1]
LIB = ROOT / 'evodiff_book'
# the part captions of _toc.yml and the package folder their chapters export to
PART_FOLDER = {'Foundations': '', 'Solvers': 'solvers', 'Theory': 'theory',
               'The CIFAR-10 pipeline': 'cifar10', 'Experiments': 'experiments',
               'Ecosystem': '', 'Back matter': ''}


def chapters_by_part() -> dict[str, str]:
    "Each chapter's file stem and the caption of its part, read from _toc.yml."
    part, found = None, {}
    for line in (ROOT / '_toc.yml').read_text().splitlines():
        if m := re.match(r'\s*- caption: (.+)', line):
            part = m.group(1).strip()
        elif m := re.match(r'\s*- file: nbs/(\S+)', line):
            found[m.group(1)] = part
    return found


def default_exp(stem: str) -> str | None:
    for cell in json.loads((ROOT / 'nbs' / f'{stem}.ipynb').read_text())['cells']:
        if m := re.search(r'#\|\s*default_exp\s+(\S+)', ''.join(cell['source'])):
            return m.group(1)
    return None


def test_each_chapter_exports_to_its_parts_folder_under_its_own_name():
    parts = chapters_by_part()
    assert set(PART_FOLDER) == set(parts.values()), 'a part of _toc.yml has no folder here'
    wrong = []
    for stem, part in parts.items():
        module = default_exp(stem)
        if module is None or module == '__main__': continue      # prose only; the CLI
        folder, _, name = module.removesuffix('.__init__').rpartition('.')
        if name == PART_FOLDER[part]: folder, name = name, name  # a part's own chapter
        chapter = stem.split('_', 1)[1]
        if folder != PART_FOLDER[part] or name != chapter:
            wrong.append(f'{stem} ({part}) exports {module}')
    assert not wrong, wrong


def relative_imports(path: Path) -> set[str]:
    "The modules `path` imports with relative imports, as dotted names inside the package."
    package = path.relative_to(LIB).parent.parts
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package[:len(package) - node.level + 1]
            found.add('.'.join(base + ((node.module,) if node.module else ())))
    return found


def test_no_solver_imports_a_sibling_solver():
    "The solver layer is flat: a solver imports the sampling contract and the foundations."
    solvers = sorted(p for p in (LIB / 'solvers').glob('*.py') if p.stem not in ('__init__', 'sampling'))
    assert len(solvers) >= 6
    crossing = {p.stem: sorted(m for m in relative_imports(p)
                               if m.startswith('solvers') and m != 'solvers.sampling')
                for p in solvers}
    assert not any(crossing.values()), crossing


def test_the_check_sees_a_sibling_import(tmp_path, monkeypatch):
    lib = tmp_path / 'evodiff_book'
    (lib / 'solvers').mkdir(parents=True)
    (lib / 'solvers' / 'a.py').write_text('from .sampling import f\nfrom .b import g\nfrom ..core import h\n')
    monkeypatch.setattr(__import__(__name__), 'LIB', lib)
    assert relative_imports(lib / 'solvers' / 'a.py') == {'solvers.sampling', 'solvers.b', 'core'}


@pytest.mark.parametrize('old', sorted(evodiff_book.MOVED))
def test_a_flat_name_imports_the_module_at_its_new_place(old):
    moved = importlib.import_module(f'evodiff_book.{old}')
    assert moved is importlib.import_module(f'evodiff_book.{evodiff_book.MOVED[old]}')
    assert not (LIB / f'{old}.py').exists(), f'{old}.py is back beside the folders'


def test_an_unknown_name_still_fails():
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module('evodiff_book.no_such_module')
