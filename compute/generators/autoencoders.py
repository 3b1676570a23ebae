"""Lecture 11 (autoencoders, VAEs, PCA): the VAE KL term, the reparameterization trick, PCA."""

import math

import numpy as np

from compute import latex
from compute.config import Field, Schema
from compute.contract import HAND_TOLERANCE, MIN_ANSWER, Generator
from compute.generators.vae_steps import VaeKlSteps
from compute.latex import operand, rounded, shown
from compute.sampling import pick_valid
from compute.tolerance import told_apart
from compute.variant import Solved, Step

ROUND = "Give the answer to at least 3 significant figures."


class VaeKl(VaeKlSteps, Generator):
    slug = "vae_kl"
    title = "VAE: KL divergence to the standard normal prior"
    description = (
        "The KL term KL(N(μ, diag σ²) ‖ N(0, I)) of a VAE loss for one input, summed over 1-3 latent "
        "dimensions; the encoder's second output is the log-variance or σ (configurable)."
    )
    lectures = (11,)
    schema = Schema((
        Field("latent_dim", "int", 2, "Number of latent dimensions.", min=1, max=3),
        Field("parametrization", "choice", "logvar",
              "The encoder's second output: the log-variance ln σ² (as in most VAE code) or σ itself.",
              choices=("logvar", "sigma")),
    ))
    mistakes = {
        "forgot_half": "It looks like you forgot the factor $\\tfrac12$ in front of the sum.",
        "used_sigma_for_variance": "It looks like you used $\\sigma$ where the formula has the variance "
                                   "$\\sigma^2$ (and $\\ln \\sigma$ instead of $\\ln \\sigma^2$).",
        "averaged_dimensions": "The KL term is summed over the latent dimensions; it looks like you "
                               "averaged.",
        "log_sign": "Check the sign of the log term: the formula has $-\\ln \\sigma^2$.",
    }
    rules = {"variance_shows": "some σ differs from 1 and the log-variances do not sum to 0, so using σ for σ² "
                               "and flipping the log's sign give other answers"}

    def validity(self, params, config):
        mu = params["mu"]
        logvar = params["logvar"] if "logvar" in params else np.log(params["sigma"] ** 2)
        var = np.exp(logvar)
        kl = 0.5 * (mu * mu + var - logvar - 1).sum(-1)
        with_sigma = 0.5 * (mu * mu + np.sqrt(var) - 0.5 * logvar - 1).sum(-1)
        tol = self.tolerance(config)
        return {"variance_shows": told_apart(with_sigma, kl, tol) & told_apart(kl + logvar.sum(-1), kl, tol)}

    def tolerance(self, config):
        return HAND_TOLERANCE

    def hand_answer(self, params, values, config):
        # the worked solution shows σ² (and ln σ²) to 4 figures, then each dimension's term
        logvar = params["logvar"] if "logvar" in params else [shown(v) for v in values["logvar"]]
        var = [shown(v) for v in values["var"]] if "logvar" in params else [s * s for s in params["sigma"]]
        terms = [shown(0.5 * (m * m + v - lv - 1)) for m, v, lv in zip(params["mu"], var, logvar, strict=True)]
        return shown(sum(terms))

    def sample_batch(self, sampler, config):
        d = config["latent_dim"]
        mu = sampler.nice(-1.5, 1.5, 0.5, shape=(d,), nonzero=True)  # μ ≠ 0 keeps the KL above 0
        if config["parametrization"] == "logvar":
            return {"mu": mu, "logvar": sampler.nice(-1, 1, 0.5, shape=(d,))}
        return {"mu": mu, "sigma": sampler.nice(0.5, 2, 0.5, shape=(d,))}

    def solve(self, params, config, device="cpu"):
        import torch

        mu = torch.tensor(params["mu"], dtype=torch.float64, device=device)
        if "logvar" in params:
            logvar = torch.tensor(params["logvar"], dtype=torch.float64, device=device)
            var = logvar.exp()
        else:
            sigma = torch.tensor(params["sigma"], dtype=torch.float64, device=device)
            var = sigma * sigma
            logvar = var.log()
        terms = 0.5 * (mu * mu + var - logvar - 1)
        kl = terms.sum().item()
        var_l, logvar_l, terms_l = var.tolist(), logvar.tolist(), terms.tolist()
        d = len(terms_l)
        with_sigma = 0.5 * sum(m * m + math.sqrt(v) - 0.5 * lv - 1 for m, v, lv in
                               zip(params["mu"], var_l, logvar_l, strict=True))
        mistakes = {"forgot_half": 2 * kl, "used_sigma_for_variance": with_sigma,
                    "log_sign": kl + sum(logvar_l)}
        if d > 1:
            mistakes["averaged_dimensions"] = kl / d
        return Solved(kl, {"var": var_l, "logvar": logvar_l, "terms": terms_l, "kl": kl}, mistakes)

    def explain(self, params, values, config):
        mu = params["mu"]
        steps = [Step("The formula", (
            "For a diagonal Gaussian against the standard normal prior, with the natural logarithm and "
            "summed over the latent dimensions:\n\n"
            "$$D_{\\mathrm{KL}}\\big(\\mathcal N(\\mu, \\sigma^2)\\,\\|\\,\\mathcal N(0, 1)\\big) = "
            "\\tfrac12 \\sum_i \\left(\\mu_i^2 + \\sigma_i^2 - \\ln \\sigma_i^2 - 1\\right)$$"))]
        if "logvar" in params:
            rows = ", ".join(f"$\\sigma_{i}^2 = e^{{{latex.num(lv)}}} = {latex.num(v, 4)}$"
                             for i, (lv, v) in enumerate(zip(params["logvar"], values["var"], strict=True)))
            steps.append(Step("Variances from the log-variances",
                              f"$\\sigma^2 = e^{{\\ln \\sigma^2}}$: {rows}."))
        else:
            rows = ", ".join(f"$\\sigma_{i}^2 = {latex.num(s)}^2 = {latex.num(v, 4)}$, "
                             f"$\\ln \\sigma_{i}^2 = {latex.num(lv, 4)}$"
                             for i, (s, v, lv) in enumerate(
                                 zip(params["sigma"], values["var"], values["logvar"], strict=True)))
            steps.append(Step("Variances", f"{rows}."))
        lines = "\n\n".join(
            f"$$\\text{{dim }} {i}: \\tfrac12\\left({operand(m)}^2 + {latex.num(v, 4)} - "
            f"({latex.num(lv, 4)}) - 1\\right) = {latex.num(t, 4)}$$"
            for i, (m, v, lv, t) in enumerate(
                zip(mu, values["var"], values["logvar"], values["terms"], strict=True)))
        steps.append(Step("Each latent dimension", lines))
        steps.append(Step("Sum over the dimensions",
                          f"$$D_{{\\mathrm{{KL}}}} = {latex.num(values['kl'], 4)}$$"))
        return steps

    def prompt(self, config):
        second = ("the log-variance $\\ln \\sigma^2 = {{ logvar }}$" if config["parametrization"] == "logvar"
                  else "the standard deviation $\\sigma = {{ sigma }}$")
        return (
            "A VAE encoder outputs, for one input, the mean $\\mu = {{ mu }}$ and " + second
            + " of a diagonal Gaussian "
            "$q(z \\mid x) = \\mathcal N(\\mu, \\operatorname{diag}(\\sigma^2))$.\n\n"
            "Compute the KL term $D_{\\mathrm{KL}}\\big(q(z \\mid x)\\,\\|\\,\\mathcal N(0, I)\\big)$ "
            "of the VAE loss, **summed** over the latent dimensions, with the natural logarithm. " + ROUND
        )


class Reparameterization(Generator):
    slug = "reparameterization"
    title = "VAE: the reparameterization trick"
    description = (
        "A latent sample z = μ + σ ⊙ ε with σ = exp(½ ln σ²) from given μ, log-variance and noise ε, "
        "or the gradient ∂z/∂(ln σ²) that the trick lets backpropagation compute."
    )
    lectures = (11,)
    answer_kind = "vector"
    schema = Schema((
        Field("latent_dim", "int", 2, "Number of latent dimensions.", min=1, max=3),
        Field("asked", "choice", "z", "The sample z, or the elementwise derivative ∂z_i/∂(ln σ_i²).",
              choices=("z", "dz_dlogvar")),
    ))
    mistakes = {
        "logvar_as_sigma": "It looks like you used the log-variance itself as $\\sigma$; "
                           "$\\sigma = \\exp(\\tfrac12 \\ln \\sigma^2)$.",
        "used_variance": "It looks like you multiplied $\\varepsilon$ by the variance "
                         "$\\sigma^2 = \\exp(\\ln \\sigma^2)$ instead of $\\sigma = \\exp(\\tfrac12 \\ln \\sigma^2)$.",
        "forgot_half_in_derivative": "The derivative of $\\exp(\\tfrac12 \\ln \\sigma^2)$ with respect to "
                                     "$\\ln \\sigma^2$ is $\\tfrac12 \\exp(\\tfrac12 \\ln \\sigma^2)$: it looks "
                                     "like you dropped the $\\tfrac12$.",
        "derivative_wrt_sigma": "That is $\\partial z/\\partial \\sigma = \\varepsilon$; the question asks for "
                                "the derivative with respect to the log-variance, so multiply by "
                                "$\\partial \\sigma/\\partial (\\ln \\sigma^2) = \\sigma/2$.",
    }
    rules = {
        "variance_shows": "some log-variance is not 0 (σ ≠ 1), so using σ² or the log-variance for σ gives "
                          "another answer",
        "answer_clear": f"some entry of the answer is at least {MIN_ANSWER} in size",
    }

    def validity(self, params, config):
        mu, lv, eps = params["mu"], params["logvar"], params["eps"]
        sigma = np.exp(0.5 * lv)
        tol = self.tolerance(config)
        if config["asked"] == "z":
            answer = mu + sigma * eps
            shows = (told_apart(mu + sigma * sigma * eps, answer, tol, axes=(-1,))
                     & told_apart(mu + lv * eps, answer, tol, axes=(-1,)))
        else:
            answer = 0.5 * sigma * eps
            shows = told_apart(sigma * sigma * eps, answer, tol, axes=(-1,))
        return {"variance_shows": shows, "answer_clear": np.abs(answer).max(-1) >= MIN_ANSWER}

    def tolerance(self, config):
        return HAND_TOLERANCE

    def hand_answer(self, params, values, config):
        sigma = [shown(v) for v in values["sigma"]]
        if config["asked"] == "z":
            return [shown(m + s * e) for m, s, e in zip(params["mu"], sigma, params["eps"], strict=True)]
        return [shown(0.5 * s * e) for s, e in zip(sigma, params["eps"], strict=True)]

    def sample_batch(self, sampler, config):
        d = config["latent_dim"]
        return {
            "mu": sampler.nice(-2, 2, 0.5, shape=(d,)),
            "logvar": sampler.nice(-2, 2, 1, shape=(d,)),
            "eps": sampler.nice(-2, 2, 0.5, shape=(d,), nonzero=True),
        }

    def solve(self, params, config, device="cpu"):
        import torch

        mu = torch.tensor(params["mu"], dtype=torch.float64, device=device)
        logvar = torch.tensor(params["logvar"], dtype=torch.float64, device=device,
                              requires_grad=config["asked"] == "dz_dlogvar")
        eps = torch.tensor(params["eps"], dtype=torch.float64, device=device)
        sigma = torch.exp(0.5 * logvar)
        z = mu + sigma * eps
        values = {"sigma": sigma.tolist(), "z": z.tolist()}
        lv, e, s = params["logvar"], params["eps"], values["sigma"]
        if config["asked"] == "z":
            answer = values["z"]
            mistakes = {
                "logvar_as_sigma": [m + a * b for m, a, b in zip(params["mu"], lv, e, strict=True)],
                "used_variance": [m + x * x * b for m, x, b in zip(params["mu"], s, e, strict=True)],
            }
        else:
            # z_i depends only on logvar_i, so the gradient of sum(z) is the elementwise derivative.
            (grad,) = torch.autograd.grad(z.sum(), logvar)
            answer = values["grad"] = grad.tolist()
            mistakes = {
                "forgot_half_in_derivative": [x * b for x, b in zip(s, e, strict=True)],
                "derivative_wrt_sigma": list(e),
                "used_variance": [x * x * b for x, b in zip(s, e, strict=True)],
            }
        return Solved(answer, values, mistakes)

    def explain(self, params, values, config):
        sig = ", ".join(f"$\\sigma_{i} = e^{{{latex.num(lv)}/2}} = {latex.num(s, 4)}$"
                        for i, (lv, s) in enumerate(zip(params["logvar"], values["sigma"], strict=True)))
        steps = [Step("Standard deviations", (
            "The encoder gives the log-variance, so $\\sigma = \\exp(\\tfrac12 \\ln \\sigma^2)$: "
            + sig + "."))]
        zs = "\n\n".join(
            f"$$z_{i} = {latex.num(m)} + {latex.num(s, 4)} \\cdot ({latex.num(e)}) = {latex.num(z, 4)}$$"
            for i, (m, s, e, z) in enumerate(zip(params["mu"], values["sigma"], params["eps"], values["z"],
                                                 strict=True)))
        steps.append(Step("The sample $z = \\mu + \\sigma \\odot \\varepsilon$", (
            "The noise $\\varepsilon \\sim \\mathcal N(0, I)$ is drawn outside the network, so $z$ is a "
            "differentiable function of $\\mu$ and $\\ln \\sigma^2$:\n\n" + zs)))
        if config["asked"] == "dz_dlogvar":
            gs = "\n\n".join(
                f"$$\\frac{{\\partial z_{i}}}{{\\partial \\ln \\sigma_{i}^2}} = \\tfrac12 \\cdot "
                f"{latex.num(s, 4)} \\cdot ({latex.num(e)}) = {latex.num(g, 4)}$$"
                for i, (s, e, g) in enumerate(
                    zip(values["sigma"], params["eps"], values["grad"], strict=True)))
            steps.append(Step("The derivative with respect to the log-variance", (
                "$\\frac{\\partial z_i}{\\partial \\ln \\sigma_i^2} = \\varepsilon_i \\cdot "
                "\\frac{\\partial}{\\partial \\ln \\sigma_i^2} e^{\\frac12 \\ln \\sigma_i^2} = "
                "\\tfrac12 \\sigma_i \\varepsilon_i$:\n\n" + gs)))
        return steps

    def prompt(self, config):
        asked = ("the sample $z$" if config["asked"] == "z" else
                 "the vector of derivatives $\\partial z_i / \\partial (\\ln \\sigma_i^2)$ "
                 "(one per dimension)")
        return (
            "A VAE encoder outputs $\\mu = {{ mu }}$ and the log-variance $\\ln \\sigma^2 = {{ logvar }}$. "
            "With the reparameterization trick $z = \\mu + \\sigma \\odot \\varepsilon$, "
            "$\\sigma = \\exp(\\tfrac12 \\ln \\sigma^2)$, and the noise draw $\\varepsilon = {{ eps }}$, "
            "compute " + asked + ". " + ROUND
        )


def _pca_valid(points: np.ndarray) -> np.ndarray:
    """Datasets (…, n, 2) whose covariance has distinct, nonzero eigenvalues (a unique first component)."""
    centered = points - points.mean(axis=-2, keepdims=True)
    a = (centered[..., 0] ** 2).mean(-1)
    c = (centered[..., 1] ** 2).mean(-1)
    b = (centered[..., 0] * centered[..., 1]).mean(-1)
    half_gap_sq = ((a - c) / 2) ** 2 + b * b
    return (half_gap_sq >= 0.04) & (a * c - b * b > 0.01)


class PcaFirstComponent(Generator):
    slug = "pca_first_component"
    title = "PCA: the first principal component of a 2-D dataset"
    description = (
        "For 3-5 points in 2-D: the fraction of variance explained by the first principal component, or "
        "the variance along it (the largest eigenvalue of the covariance matrix, 1/N or 1/(N−1))."
    )
    lectures = (11,)
    schema = Schema((
        Field("points", "int", 4, "Number of data points.", min=3, max=5),
        Field("asked", "choice", "ratio",
              "The explained-variance ratio λ₁/(λ₁ + λ₂), or the variance λ₁ along the first component.",
              choices=("ratio", "variance")),
        Field("normalization", "choice", "unbiased",
              "Covariance with 1/(N−1) (unbiased, as torch.cov and sklearn's PCA) or 1/N (biased).",
              choices=("unbiased", "biased")),
    ))
    mistakes = {
        "forgot_centering": "It looks like you did not subtract the mean before forming the covariance "
                            "matrix.",
        "other_normalization": "Check the normalization: the question asks for the covariance with the other "
                               "denominator ($N$ versus $N - 1$).",
        "smaller_eigenvalue": "That is the smaller eigenvalue; the first principal component has the "
                              "largest.",
        "used_axis_variance": "That uses the larger of the two coordinate variances; the first principal "
                              "component is the eigenvector of the covariance matrix, not a coordinate axis.",
    }
    rules = {
        "unique_component": "the covariance has distinct, nonzero eigenvalues (a unique first component)",
        "component_not_an_axis": "the covariance's off-diagonal is not 0 and the larger coordinate variance "
                                 "differs from the answer (the component is not a coordinate axis)",
        "centering_shows": "the mean is not 0 enough to matter: the uncentered computation gives another answer",
    }

    def validity(self, params, config):
        x = params["X"]
        n = x.shape[-2]
        denominator = n - 1 if config["normalization"] == "unbiased" else n
        ratio, tol = config["asked"] == "ratio", self.tolerance(config)

        def pca(points):
            a, c = ((points[..., k] ** 2).sum(-1) / denominator for k in (0, 1))
            b = (points[..., 0] * points[..., 1]).sum(-1) / denominator
            root = np.sqrt(((a - c) / 2) ** 2 + b * b)
            large, small = (a + c) / 2 + root, (a + c) / 2 - root
            return (large / (large + small) if ratio else large), a, b, c

        with np.errstate(divide="ignore", invalid="ignore"):  # all points equal: refused by unique_component
            answer, a, b, c = pca(x - x.mean(axis=-2, keepdims=True))
            axis = np.maximum(a, c) / (a + c) if ratio else np.maximum(a, c)
            uncentered = pca(x)[0]
        return {"unique_component": _pca_valid(x),
                "component_not_an_axis": (np.abs(b) > 1e-9) & told_apart(axis, answer, tol),
                "centering_shows": told_apart(uncentered, answer, tol)}

    def sample_batch(self, sampler, config):
        n = config["points"]
        candidates = sampler.nice(-3, 3, 1, shape=(8, n, 2))
        return pick_valid({"X": candidates}, self.validity({"X": candidates}, config))

    def tolerance(self, config):
        return HAND_TOLERANCE

    def hand_answer(self, params, values, config):
        # the covariance to 4 figures, then the eigenvalues by the printed formula, shown, then their ratio
        (a, b), (_, c) = ([shown(v) for v in row] for row in values["cov"])
        root = (((a - c) / 2) ** 2 + b * b) ** 0.5
        large, small = shown((a + c) / 2 + root), shown((a + c) / 2 - root)
        return shown(large / (large + small)) if config["asked"] == "ratio" else large

    def solve(self, params, config, device="cpu"):
        import torch

        x = torch.tensor(params["X"], dtype=torch.float64, device=device)
        n = x.shape[0]
        mean = x.mean(0)
        denominator = n - 1 if config["normalization"] == "unbiased" else n
        # The centered and (for the forgot-centering mistake) uncentered scatter matrices in one batch.
        both = torch.stack((x - mean, x))
        cov = both.mT @ both / denominator
        evals, evecs = torch.linalg.eigh(cov)
        (small, large), (wrong_small, wrong_large) = evals.tolist()
        cov_l = cov[0].tolist()
        total = small + large
        values = {"mean": mean.tolist(), "cov": cov_l, "eigenvalues": [large, small],
                  "direction": evecs[0, :, 1].tolist()}
        axis = max(cov_l[0][0], cov_l[1][1])
        if config["asked"] == "ratio":
            answer = large / total
            mistakes = {"forgot_centering": wrong_large / (wrong_small + wrong_large),
                        "smaller_eigenvalue": small / total, "used_axis_variance": axis / total}
        else:
            answer = large
            other = (n - 1) / n if denominator == n - 1 else n / (n - 1)  # the other denominator
            mistakes = {"forgot_centering": wrong_large, "other_normalization": large * other,
                        "smaller_eigenvalue": small, "used_axis_variance": axis}
        return Solved(answer, values, mistakes)

    def explain(self, params, values, config):
        n = len(params["X"])
        denominator = "N - 1" if config["normalization"] == "unbiased" else "N"
        (a, b), (_, c) = values["cov"]
        large, small = values["eigenvalues"]
        steps = [
            Step("Center the data", f"The mean of the $N = {n}$ points is $\\bar x = {rounded(values['mean'])}$; "
                 "PCA works on the centered points $x_i - \\bar x$."),
            Step("Covariance matrix", (
                f"$$C = \\frac{{1}}{{{denominator}}} \\sum_i (x_i - \\bar x)(x_i - \\bar x)^\\top = "
                f"{rounded(values['cov'])}$$")),
            Step("Eigenvalues", (
                "For a symmetric $2 \\times 2$ matrix $\\begin{pmatrix} a & b \\\\ b & c \\end{pmatrix}$: "
                "$\\lambda = \\frac{a + c}{2} \\pm \\sqrt{\\left(\\frac{a - c}{2}\\right)^2 + b^2}$, so\n\n"
                f"$$\\lambda_{{1,2}} = \\frac{{{latex.num(a, 4)} + {latex.num(c, 4)}}}{{2}} \\pm "
                f"\\sqrt{{\\left(\\frac{{{latex.num(a, 4)} - {latex.num(c, 4)}}}{{2}}\\right)^2 + "
                f"{operand(round(b, 12), 4)}^2}}, \\quad \\lambda_1 = {latex.num(large, 4)},\\ "
                f"\\lambda_2 = {latex.num(small, 4)}$$\n\n"
                f"The first principal component is the unit eigenvector of $\\lambda_1$: "
                f"$\\pm {rounded(values['direction'])}$.")),
        ]
        if config["asked"] == "ratio":
            steps.append(Step("Explained-variance ratio", (
                "The ratio does not depend on the normalization, since it cancels:\n\n"
                f"$$\\frac{{\\lambda_1}}{{\\lambda_1 + \\lambda_2}} = \\frac{{{latex.num(large, 4)}}}"
                f"{{{latex.num(large + small, 4)}}} = {latex.num(large / (large + small), 4)}$$")))
        else:
            steps.append(Step("Variance along the first component", (
                "The variance of the projections onto the first component is "
                f"$\\lambda_1 = {latex.num(large, 4)}$ "
                f"(with the $1/({denominator})$ normalization).")))
        return steps

    def prompt(self, config):
        if config["asked"] == "ratio":
            asked = ("What fraction of the total variance does the **first principal component** explain, "
                     "$\\lambda_1 / (\\lambda_1 + \\lambda_2)$?")
        else:
            norm = "1/(N-1)" if config["normalization"] == "unbiased" else "1/N"
            asked = ("What is the variance of the data along the **first principal component**, i.e. the "
                     f"largest eigenvalue of the covariance matrix computed with ${norm}$ after centering?")
        return "The rows of $$X = {{ X }}$$ are $N$ data points in two dimensions. " + asked + " " + ROUND


GENERATORS = [VaeKl(), Reparameterization(), PcaFirstComponent()]
