"""Our Heun, DPM-Solver++(2M) and DDIM against k-diffusion's sample_heun, sample_dpmpp_2m and sample_euler.

k-diffusion is a test-only dependency, installed without its dependencies (`pip install --no-deps k-diffusion`): its
package __init__ imports torchvision, kornia, wandb and more, none of which the samplers need. So the test loads
`k_diffusion/sampling.py` alone, with stand-ins for the three imports it does not use here (k_diffusion.utils is
needed only for append_dims; torchdiffeq and torchsde only by the adaptive and SDE samplers, replaced by stubs when
they are not installed). Both libraries take the same steps in float64 on the same grid, so they agree to rounding.
"""
import importlib
import importlib.util
import sys
import types

import pytest
import torch

from evodiff_book.solvers.dpmsolver import sample_dpmpp_2m
from evodiff_book.solvers.heun import sample_heun
from evodiff_book.solvers.sampling import sample_ddim


def load_kdiffusion_sampling():
    "Import k_diffusion/sampling.py without the package's heavy __init__; skip if k-diffusion is not installed."
    spec = importlib.util.find_spec('k_diffusion')
    if spec is None or not spec.submodule_search_locations:
        pytest.skip('k-diffusion is a test-only dependency (pip install --no-deps k-diffusion)', allow_module_level=True)
    pkg_dir = spec.submodule_search_locations[0]
    pkg = types.ModuleType('k_diffusion'); pkg.__path__ = [pkg_dir]
    utils = types.ModuleType('k_diffusion.utils')
    utils.append_dims = lambda x, n: x[(...,) + (None,) * (n - x.ndim)]
    pkg.utils = utils
    stand_ins = {'k_diffusion': pkg, 'k_diffusion.utils': utils}
    for name, attrs in (('torchdiffeq', ('odeint',)), ('torchsde', ('BrownianTree',))):
        if importlib.util.find_spec(name) is None:
            stand_ins[name] = types.SimpleNamespace(**{a: None for a in attrs})
    saved = {name: sys.modules.get(name) for name in stand_ins}
    sys.modules.update(stand_ins)
    try:
        file_spec = importlib.util.spec_from_file_location('k_diffusion.sampling', f'{pkg_dir}/sampling.py')
        module = importlib.util.module_from_spec(file_spec)
        file_spec.loader.exec_module(module)
    finally:
        for name, old in saved.items():
            if old is None: sys.modules.pop(name, None)
            else: sys.modules[name] = old
    return module


K = load_kdiffusion_sampling()
VAR = torch.logspace(-3, 0, 16, dtype=torch.float64)
MU = torch.linspace(-0.5, 0.5, 16, dtype=torch.float64)
NOISE = torch.randn(8, 16, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
RTOL = 1e-12


def denoiser(x, sigma):
    "Exact denoiser of N(MU, diag(VAR)); `sigma` holds one noise level per sample."
    return MU + VAR / (VAR + sigma.reshape(-1, 1) ** 2) * (x - MU)


def grid(n, append_zero):
    "k-diffusion's own Karras grid (n values, then 0), or the same n values without the 0, as float64."
    sigmas = K.get_sigmas_karras(n, 0.002, 80.).double()
    return sigmas if append_zero else sigmas[:-1]


def rel_diff(ours, theirs):
    return ((ours - theirs).abs().max() / theirs.abs().max()).item()


@pytest.mark.parametrize('n', [2, 5, 18, 40])
@pytest.mark.parametrize('append_zero', [True, False])
def test_heun(n, append_zero):
    sigmas = grid(n, append_zero)
    theirs = K.sample_heun(denoiser, NOISE * sigmas[0], sigmas, disable=True)
    assert rel_diff(sample_heun(denoiser, NOISE * sigmas[0], sigmas, disable=True), theirs) < RTOL


@pytest.mark.parametrize('n', [3, 5, 10, 30])
@pytest.mark.parametrize('append_zero', [True, False])
def test_dpmpp_2m(n, append_zero):
    "k-diffusion never lowers the order except into sigma = 0; without a final 0 we switch lower_order_final off."
    sigmas = grid(n, append_zero)
    theirs = K.sample_dpmpp_2m(denoiser, NOISE * sigmas[0], sigmas, disable=True)
    ours = sample_dpmpp_2m(denoiser, NOISE * sigmas[0], sigmas, lower_order_final=append_zero, disable=True)
    assert rel_diff(ours, theirs) < RTOL


@pytest.mark.parametrize('n', [3, 10])
def test_euler_is_ddim(n):
    sigmas = grid(n, True)
    theirs = K.sample_euler(denoiser, NOISE * sigmas[0], sigmas, disable=True)
    assert rel_diff(sample_ddim(denoiser, NOISE * sigmas[0], sigmas, disable=True), theirs) < RTOL
