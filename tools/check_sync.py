"""Check that the library is what the notebooks export and that the notebooks are committed clean.

    python tools/check_sync.py          # report drift and unclean notebooks; exit 1 if any
    python tools/check_sync.py --fix    # export, clean and strip outputs in place (what `make sync` runs)

Both checks work on a temporary copy, so they need no git and leave the working tree untouched.
"""
import argparse
import filecmp
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIB, NBS = 'evodiff_book', 'nbs'


def _copy_project(root: Path, dest: Path) -> None:
    for name in ('settings.ini', 'pyproject.toml', 'setup.py', 'README.md'):
        if (root / name).exists(): shutil.copy2(root / name, dest / name)
    shutil.copytree(root / NBS, dest / NBS, ignore=shutil.ignore_patterns('.ipynb_checkpoints'))
    shutil.copytree(root / LIB, dest / LIB, ignore=shutil.ignore_patterns('__pycache__'))


def _run_nbdev(cmd: str, cwd: Path) -> None:
    exe = Path(sys.executable).with_name(cmd)
    subprocess.run([str(exe) if exe.exists() else cmd], cwd=cwd, check=True, capture_output=True)


def _tree_diff(a: Path, b: Path, pattern: str) -> list[str]:
    names = {p.relative_to(a) for p in a.rglob(pattern)} | {p.relative_to(b) for p in b.rglob(pattern)}
    return sorted(str(n) for n in names
                  if not ((a / n).exists() and (b / n).exists() and filecmp.cmp(a / n, b / n, shallow=False)))


def export_drift(root: Path = ROOT) -> list[str]:
    "Library files that `nbdev_export` would change (added, removed or edited)."
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        _copy_project(root, tmp)
        _run_nbdev('nbdev_export', tmp)
        return [f'{LIB}/{n}' for n in _tree_diff(root / LIB, tmp / LIB, '*.py')]


def has_outputs(nb_path: Path) -> bool:
    "True if any code cell of the notebook at `nb_path` carries outputs."
    nb = json.loads(nb_path.read_text(encoding='utf-8'))
    return any(c.get('outputs') for c in nb['cells'] if c['cell_type'] == 'code')


def unclean_notebooks(root: Path = ROOT) -> list[str]:
    "Notebooks that `nbdev_clean` would change, or that carry outputs."
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        _copy_project(root, tmp)
        _run_nbdev('nbdev_clean', tmp)
        changed = set(_tree_diff(root / NBS, tmp / NBS, '*.ipynb'))
        changed |= {str(p.relative_to(root / NBS)) for p in (root / NBS).rglob('*.ipynb') if has_outputs(p)}
        return [f'{NBS}/{n}' for n in sorted(changed)]


def strip_outputs(root: Path = ROOT) -> None:
    "Remove every code cell's outputs in place (the book executes the notebooks; outputs are never committed)."
    for p in (root / NBS).rglob('*.ipynb'):
        nb = json.loads(p.read_text(encoding='utf-8'))
        if not any(c.get('outputs') for c in nb['cells'] if c['cell_type'] == 'code'): continue
        for c in nb['cells']:
            if c['cell_type'] == 'code': c['outputs'], c['execution_count'] = [], None
        p.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + '\n', encoding='utf-8')


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--fix', action='store_true', help='export, clean and strip outputs in place')
    args = ap.parse_args()
    if args.fix:
        strip_outputs(ROOT)
        _run_nbdev('nbdev_export', ROOT)
        _run_nbdev('nbdev_clean', ROOT)
        return 0
    drift, unclean = export_drift(), unclean_notebooks()
    for f in drift: print(f'out of sync with the notebooks: {f} (edit the notebook, then `make sync`)')
    for f in unclean: print(f'not clean: {f} (run `make sync`)')
    if not drift and not unclean: print('library in sync with the notebooks; notebooks clean')
    return 1 if drift or unclean else 0


if __name__ == '__main__':
    sys.exit(main())
