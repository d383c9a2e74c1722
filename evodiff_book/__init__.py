"""evodiff-book: fast diffusion ODE solvers, centred on EVODiff.

The package mirrors the book's parts: the foundations at the top (`core`, `testing`,
`schedules`, `models`, `data`, `oracles`), then `solvers/`, `theory/`, `cifar10/` and
`experiments/`, and the bridge to other libraries (`diffusers`). This file is written by
hand (nbdev does not export it): it holds the version and the old flat module names.
"""
import importlib
import importlib.abc
import importlib.util
import sys

__version__ = "0.1.0"

# Modules that lived side by side in this folder before the package mirrored the book's
# parts. `import evodiff_book.heun` (and pickles naming those modules) still work: the old
# name is the new module itself, not a copy.
MOVED = {
    'sampling': 'solvers.sampling', 'heun': 'solvers.heun',
    'dpmsolver': 'solvers.dpmsolver', 'unipc': 'solvers.unipc',
    'ipndm': 'solvers.ipndm', 'dpmsolver_v3': 'solvers.dpmsolver_v3',
    'evodiff': 'solvers.evodiff',
    'infotheory': 'theory.information_theory', 'gddim': 'theory.gddim',
    'unet': 'cifar10.unet', 'train': 'cifar10.train', 'fid': 'cifar10.fid',
    'bench': 'cifar10.bench',
    'fid_sweep': 'experiments.fid_sweep', 'network': 'experiments.network',
    'trained': 'experiments.trained_network', 'guidance': 'experiments.guidance',
}


class _MovedModule(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    "Finds `evodiff_book.<old name>` and answers with the module at its new place."

    def find_spec(self, fullname, path=None, target=None):
        package, _, name = fullname.rpartition('.')
        if package != __name__ or name not in MOVED:
            return None
        return importlib.util.spec_from_loader(fullname, self)

    def create_module(self, spec):
        return importlib.import_module(f'{__name__}.{MOVED[spec.name.rpartition(".")[2]]}')

    def exec_module(self, module):
        "The new module is already executed; `import` only binds the old name to it."

    def get_code(self, fullname):
        "`python -m evodiff_book.<old name>`: say where the module went."
        new = f'{__name__}.{MOVED[fullname.rpartition(".")[2]]}'
        raise ImportError(f'{fullname} moved to {new}: run python -m {new}')


if not any(isinstance(f, _MovedModule) for f in sys.meta_path):
    sys.meta_path.append(_MovedModule())
