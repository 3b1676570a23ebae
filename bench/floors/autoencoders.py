"""Plain-torch floors for compute/generators/autoencoders.py: the same computation, nothing else."""

import torch

F64 = torch.float64


def _vae_kl_inputs(params):
    mu = torch.tensor(params["mu"], dtype=F64)
    if "logvar" in params:
        return mu, torch.tensor(params["logvar"], dtype=F64), None
    return mu, None, torch.tensor(params["sigma"], dtype=F64)


def _vae_kl(mu, logvar, sigma):
    if logvar is None:
        var = sigma * sigma
        logvar = var.log()
    else:
        var = logvar.exp()
    return (0.5 * (mu * mu + var - logvar - 1)).sum().item()


def _reparam_inputs(params):
    return (torch.tensor(params["mu"], dtype=F64), torch.tensor(params["logvar"], dtype=F64, requires_grad=True),
            torch.tensor(params["eps"], dtype=F64))


def _reparam(mu, logvar, eps):
    z = mu + torch.exp(0.5 * logvar) * eps
    return torch.autograd.grad(z.sum(), logvar)[0].tolist()


def _reparam_z(mu, logvar, eps):
    return (mu + torch.exp(0.5 * logvar.detach()) * eps).tolist()


def _pca(x):
    xc = x - x.mean(0)
    evals = torch.linalg.eigvalsh(xc.T @ xc / (x.shape[0] - 1))
    return (evals[1] / evals.sum()).item()


FLOORS = {
    "vae_kl": (_vae_kl_inputs, _vae_kl),
    # The default config asks for z (no gradient).
    "reparameterization": (_reparam_inputs, _reparam_z),
    "reparameterization_grad": (_reparam_inputs, _reparam),
    "pca_first_component": (lambda params: (torch.tensor(params["X"], dtype=F64),), _pca),
}
