"""The diffusers adapter of nbs/02_models.ipynb against diffusers' own arithmetic, on small random UNet2DModels.

diffusers is a development dependency only: it is imported inside the tests, never by the library.
"""
import warnings

import pytest
import torch

from evodiff_book.models import CFGDenoiser, CountingDenoiser, from_diffusers_unet, schedule_from_diffusers


def _diffusers():
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        import diffusers
    return diffusers


def _small_unet(**kwargs):
    torch.manual_seed(0)
    return _diffusers().UNet2DModel(
        sample_size=8, block_out_channels=(8, 16), layers_per_block=1, norm_num_groups=4,
        down_block_types=('DownBlock2D', 'AttnDownBlock2D'), up_block_types=('AttnUpBlock2D', 'UpBlock2D'), **kwargs).eval()


@pytest.mark.parametrize('beta_schedule', ['linear', 'scaled_linear', 'squaredcos_cap_v2'])
def test_betas_match_diffusers(beta_schedule):
    scheduler = _diffusers().DDPMScheduler(beta_schedule=beta_schedule)
    ours = schedule_from_diffusers(scheduler.config)
    torch.testing.assert_close(ours.betas, scheduler.betas.double(), rtol=1e-6, atol=1e-9)
    torch.testing.assert_close(ours.alpha(ours.t_of_timestep(torch.arange(1000)))**2,
                               scheduler.alphas_cumprod.double(), rtol=1e-5, atol=1e-12)


@pytest.mark.parametrize('prediction_type', ['epsilon', 'v_prediction', 'sample'])
def test_denoiser_matches_ddpm_step(prediction_type):
    "At every trained step the adapter's x0 equals DDPMScheduler.step's pred_original_sample."
    unet = _small_unet()
    scheduler = _diffusers().DDPMScheduler(prediction_type=prediction_type, clip_sample=False)
    denoiser = from_diffusers_unet(unet, scheduler.config)
    schedule = denoiser.schedule
    gen = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for n in (0, 1, 37, 500, 998, 999):
            t = schedule.t_of_timestep(torch.full((2,), float(n)))
            sigma = schedule.edm_sigma(t)
            x = torch.randn(2, 3, 8, 8, generator=gen) * (1 + sigma.float().view(-1, 1, 1, 1))
            x_t = x * schedule.alpha(t[0]).float()
            reference = scheduler.step(unet(x_t, n).sample, n, x_t).pred_original_sample
            gap = ((denoiser(x, sigma) - reference).abs() / (1 + sigma.view(-1, 1, 1, 1))).max()
            assert gap < 1e-5, (prediction_type, n, float(gap))


def test_guided_class_conditional_unet_is_one_batched_call():
    unet = _small_unet(num_class_embeds=4)   # classes 0-2, class 3 plays the dropped (null) label
    counted = CountingDenoiser(from_diffusers_unet(unet, {'timesteps': 1000}))
    guided = CFGDenoiser(counted, scale=2.5, null_label=3)
    x, sigma, labels = torch.randn(3, 3, 8, 8), torch.tensor([0.05, 1.0, 40.0]), torch.tensor([0, 1, 2])
    with torch.no_grad():
        out = guided(x, sigma, class_labels=labels)
        assert counted.nfe == 1
        cond = counted.denoiser(x, sigma, class_labels=labels)
        null = counted.denoiser(x, sigma, class_labels=torch.full((3,), 3))
    # float32 batched and unbatched convolutions differ by rounding, which eps-prediction scales by sigma
    gap = ((out - (null + 2.5 * (cond - null))).abs() / (1 + sigma.view(-1, 1, 1, 1))).max()
    assert gap < 1e-5, float(gap)
