"""Plain-torch floors for compute/generators/autoencoders.py (default configs): the same computation only."""

import torch

F64 = torch.float64


def _vae_kl(mu, logvar):
    return (0.5 * (mu * mu + logvar.exp() - logvar - 1)).sum().item()


def _reparam(mu, logvar, eps):
    return (mu + torch.exp(0.5 * logvar) * eps).tolist()


def _pca(x):
    xc = x - x.mean(0)
    evals = torch.linalg.eigvalsh(xc.T @ xc / (x.shape[0] - 1))
    return (evals[1] / evals.sum()).item()


def _tensors(params, *names):
    return tuple(torch.tensor(params[name], dtype=F64) for name in names)


FLOORS = {
    "vae_kl": (lambda params: _tensors(params, "mu", "logvar"), _vae_kl),
    "reparameterization": (lambda params: _tensors(params, "mu", "logvar", "eps"), _reparam),
    "pca_first_component": (lambda params: (torch.tensor(params["X"], dtype=F64),), _pca),
}
