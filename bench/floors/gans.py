"""Plain-torch floors for compute/generators/gans.py (default configs): the same computation only."""

import math

import torch
import torch.nn.functional as F

F64 = torch.float64
LOG_SQRT_2PI = 0.5 * math.log(2 * math.pi)


def _d_loss_inputs(params):
    real, fake = torch.tensor(params["d_real"], dtype=F64), torch.tensor(params["d_fake"], dtype=F64)
    return real, fake, torch.ones_like(real), torch.zeros_like(fake)


def _d_loss(real, fake, ones, zeros):
    return (F.binary_cross_entropy(real, ones) + F.binary_cross_entropy(fake, zeros)).item()


def _optimal_inputs(params):
    names = ("mu_data", "mu_g", "sigma_data", "sigma_g")
    mu, sigma = torch.tensor([params[n] for n in names], dtype=F64).view(2, 2)
    return mu, sigma, params["x"]


def _optimal(mu, sigma, x):
    z = (x - mu) / sigma
    log_p = -0.5 * z * z - sigma.log() - LOG_SQRT_2PI
    return torch.sigmoid(log_p[0] - log_p[1]).item()


FLOORS = {
    "gan_discriminator_loss": (_d_loss_inputs, _d_loss),
    "gan_generator_loss": (lambda params: (torch.tensor(params["d_fake"], dtype=F64),),
                           lambda d: -d.log().mean().item()),
    "optimal_discriminator": (_optimal_inputs, _optimal),
}
