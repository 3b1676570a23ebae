"""Lecture 12 (GANs): the discriminator's loss, the generator's loss and its gradient, the optimal D."""

import math

import numpy as np

from compute import latex
from compute.config import Field, Schema
from compute.contract import COUNTING, HAND_TOLERANCE, Generator
from compute.latex import rounded, shown
from compute.sampling import pick_valid
from compute.tolerance import told_apart
from compute.variant import Solved, Step

ROUND = "Give the answer to at least 3 significant figures."
LN10 = math.log(10.0)


class GanDiscriminatorLoss(Generator):
    slug = "gan_discriminator_loss"
    title = "GAN: the discriminator's binary cross-entropy loss"
    description = (
        "The discriminator loss −mean log D(x) − mean log(1 − D(G(z))) from the discriminator's outputs on "
        "a few real and fake samples; the reduction (sum of the two means, or BCE averaged over the "
        "concatenated batch) is configurable."
    )
    lectures = (12,)
    schema = Schema((
        Field("samples", "int", 2, "Number of real samples and of fake samples.", min=1, max=3),
        Field("reduction", "choice", "sum_of_means",
              "sum_of_means: −(1/m)Σ log D(x) − (1/m)Σ log(1 − D(G(z))) (Goodfellow et al.); "
              "bce_mean: nn.BCELoss() on the 2m outputs with labels 1 (real) and 0 (fake), i.e. half of "
              "that.",
              choices=("sum_of_means", "bce_mean")),
    ))
    mistakes = {
        "other_reduction": "Check the reduction: the question asks for the other one (the BCE mean over all "
                           "$2m$ outputs is half the sum of the two means).",
        "swapped_labels": "It looks like you swapped the labels: real samples have label 1 (term "
                          "$-\\ln D(x)$), fake samples label 0 (term $-\\ln(1 - D(G(z)))$).",
        "used_log10": "Use the natural logarithm, not log base 10.",
    }
    rules = {"labels_show": "swapping the labels gives another loss"}

    def validity(self, params, config):
        real, fake = params["d_real"], params["d_fake"]
        loss = -np.log(real).mean(-1) - np.log1p(-fake).mean(-1)
        swapped = -np.log1p(-real).mean(-1) - np.log(fake).mean(-1)
        return {"labels_show": told_apart(swapped, loss, self.tolerance(config))}

    def sample_batch(self, sampler, config):
        outputs = sampler.nice(0.1, 0.9, 0.1, shape=(2, config["samples"]))
        return {"d_real": outputs[:, 0], "d_fake": outputs[:, 1]}

    def tolerance(self, config):
        return HAND_TOLERANCE

    def hand_answer(self, params, values, config):
        total = shown(values["mean_real"]) + shown(values["mean_fake"])
        return shown(total if config["reduction"] == "sum_of_means" else total / 2)

    def solve(self, params, config, device="cpu"):
        import torch
        import torch.nn.functional as F

        d = torch.tensor([params["d_real"], params["d_fake"]], dtype=torch.float64, device=device)
        labels = torch.tensor([[1.0], [0.0]], dtype=torch.float64, device=device).expand_as(d)
        terms = F.binary_cross_entropy(d, labels, reduction="none")
        means = terms.mean(1)
        real, fake = means.tolist()
        total = real + fake
        answer = total if config["reduction"] == "sum_of_means" else total / 2
        other = total / 2 if config["reduction"] == "sum_of_means" else total
        swapped = -sum(math.log(1 - p) for p in params["d_real"]) / len(params["d_real"]) - sum(
            math.log(p) for p in params["d_fake"]) / len(params["d_fake"])
        scale = 1 if config["reduction"] == "sum_of_means" else 0.5
        values = {"terms_real": terms[0].tolist(), "terms_fake": terms[1].tolist(), "mean_real": real,
                  "mean_fake": fake, "loss": answer}
        return Solved(answer, values, {"other_reduction": other, "swapped_labels": swapped * scale,
                                       "used_log10": answer / LN10})

    def explain(self, params, values, config):
        m = len(params["d_real"])
        real = " + ".join(f"(-\\ln {latex.num(p)})" for p in params["d_real"])
        fake = " + ".join(f"(-\\ln (1 - {latex.num(p)}))" for p in params["d_fake"])
        steps = [
            Step("Binary cross-entropy with labels", (
                "Real samples have label 1, fake samples label 0, and $\\mathrm{BCE}(p, y) = -[y \\ln p + "
                "(1 - y) \\ln(1 - p)]$ with the natural logarithm. So a real sample costs $-\\ln D(x)$ and a "
                "fake one $-\\ln(1 - D(G(z)))$.")),
            Step("Mean over the real samples", (
                f"$$\\frac{{1}}{{{m}}}\\left[{real}\\right] = {rounded(values['mean_real'])}$$")),
            Step("Mean over the fake samples", (
                f"$$\\frac{{1}}{{{m}}}\\left[{fake}\\right] = {rounded(values['mean_fake'])}$$")),
        ]
        total = values["mean_real"] + values["mean_fake"]
        if config["reduction"] == "sum_of_means":
            body = (f"$$L_D = {rounded(values['mean_real'])} + {rounded(values['mean_fake'])} = {rounded(total)}$$")
        else:
            body = ("`nn.BCELoss()` averages over all $2m$ outputs, which is half the sum of the two "
                    "means:\n\n"
                    f"$$L_D = \\tfrac12({rounded(values['mean_real'])} + {rounded(values['mean_fake'])}) = "
                    f"{rounded(values['loss'])}$$")
        steps.append(Step("The discriminator loss", body))
        return steps

    def prompt(self, config):
        if config["reduction"] == "sum_of_means":
            rule = ("$L_D = -\\frac1m \\sum_i \\ln D(x_i) - \\frac1m \\sum_j \\ln(1 - D(G(z_j)))$ "
                    "(the sum of the mean over the real and the mean over the fake samples)")
        else:
            rule = ("`nn.BCELoss()` (mean reduction) over all $2m$ outputs together, with label 1 for the "
                    "real and label 0 for the fake samples")
        return (
            "A GAN discriminator outputs probabilities $D(x) = {{ d_real }}$ on $m$ real samples and "
            "$D(G(z)) = {{ d_fake }}$ on $m$ generated samples. Compute the discriminator loss " + rule +
            ", with the natural logarithm. " + ROUND
        )


class GanGeneratorLoss(Generator):
    slug = "gan_generator_loss"
    title = "GAN: the generator's loss (minimax or non-saturating) and its gradient"
    description = (
        "From the discriminator's outputs on generated samples: the generator loss in the minimax form "
        "mean log(1 − D(G(z))) or the non-saturating form −mean log D(G(z)), or its derivative with respect "
        "to the first sample's discriminator output or logit."
    )
    lectures = (12,)
    schema = Schema((
        Field("samples", "int", 2, "Number of generated samples m.", min=1, max=3),
        Field("form", "choice", "non_saturating",
              "non_saturating: L_G = −(1/m)Σ log D(G(z)); minimax: L_G = (1/m)Σ log(1 − D(G(z))).",
              choices=("non_saturating", "minimax")),
        Field("asked", "choice", "loss",
              "loss; grad_output: ∂L_G/∂D(G(z₀)); grad_logit: ∂L_G/∂a₀ where D(G(z₀)) = σ(a₀).",
              choices=("loss", "grad_output", "grad_logit")),
    ))
    mistakes = {
        "other_form": "That is the value for the other generator loss (minimax $\\ln(1 - D)$ versus "
                      "non-saturating $-\\ln D$); check which form the question asks for.",
        "forgot_mean": "The loss is a mean over the $m$ samples: it looks like you summed (forgot the $1/m$).",
        "forgot_sigmoid_derivative": "That is the derivative with respect to $D$'s output; for the logit, "
                                     "multiply by $\\sigma'(a) = D(1 - D)$.",
    }
    rules = {"form_shows": "the other form of the generator loss gives another answer (for a derivative: "
                           "D(G(z₀)) ≠ 0.5)"}

    def validity(self, params, config):
        d = params["d_fake"]
        m, d1, asked = d.shape[-1], d[..., 0], config["asked"]
        forms = {"minimax": {"loss": np.log1p(-d).mean(-1), "grad_output": -1 / (m * (1 - d1)),
                             "grad_logit": -d1 / m},
                 "non_saturating": {"loss": -np.log(d).mean(-1), "grad_output": -1 / (m * d1),
                                    "grad_logit": -(1 - d1) / m}}
        other = "minimax" if config["form"] == "non_saturating" else "non_saturating"
        return {"form_shows": told_apart(forms[other][asked], forms[config["form"]][asked],
                                         self.tolerance(config))}

    def sample_batch(self, sampler, config):
        return {"d_fake": sampler.nice(0.1, 0.9, 0.1, shape=(config["samples"],))}

    def tolerance(self, config):
        return HAND_TOLERANCE

    def hand_answer(self, params, values, config):
        # the loss is one printed sum of logs; the derivatives are printed closed forms of D₀
        return shown(values["loss"] if config["asked"] == "loss" else values["grad"])

    @staticmethod
    def _closed_forms(d: list[float], form: str) -> dict:
        """Loss, ∂L/∂D₀ and ∂L/∂a₀ of one form in plain Python (for the other-form mistake)."""
        m, d1 = len(d), d[0]
        if form == "minimax":
            return {"loss": sum(math.log(1 - p) for p in d) / m, "grad_output": -1 / (m * (1 - d1)),
                    "grad_logit": -d1 / m}
        return {"loss": -sum(math.log(p) for p in d) / m, "grad_output": -1 / (m * d1),
                "grad_logit": -(1 - d1) / m}

    def solve(self, params, config, device="cpu"):
        import torch

        asked, form = config["asked"], config["form"]
        d = torch.tensor(params["d_fake"], dtype=torch.float64, device=device,
                         requires_grad=asked == "grad_output")
        leaf = d
        if asked == "grad_logit":
            leaf = torch.logit(d).requires_grad_()
            d = torch.sigmoid(leaf)
        loss = torch.log1p(-d).mean() if form == "minimax" else -torch.log(d).mean()
        values = {"loss": loss.item()}
        if asked == "loss":
            answer = values["loss"]
        else:
            (grad,) = torch.autograd.grad(loss, leaf)
            answer = values["grad"] = grad[0].item()
        m = len(params["d_fake"])
        other_form = "minimax" if form == "non_saturating" else "non_saturating"
        other = self._closed_forms(params["d_fake"], other_form)
        mistakes = {"other_form": other[asked]}
        if m > 1:
            mistakes["forgot_mean"] = answer * m
        if asked == "grad_logit":
            mistakes["forgot_sigmoid_derivative"] = self._closed_forms(params["d_fake"], form)["grad_output"]
        return Solved(answer, values, mistakes)

    def explain(self, params, values, config):
        d, m, form = params["d_fake"], len(params["d_fake"]), config["form"]
        if form == "minimax":
            terms = " + ".join(f"\\ln(1 - {latex.num(p)})" for p in d)
            steps = [Step("The minimax generator loss", (
                "In the minimax game the generator minimizes $L_G = \\frac1m \\sum_j \\ln(1 - D(G(z_j)))$ "
                "(natural logarithm); it saturates when $D$ confidently rejects the fakes.\n\n"
                f"$$L_G = \\frac{{1}}{{{m}}}\\left[{terms}\\right] = {rounded(values['loss'])}$$"))]
        else:
            terms = " + ".join(f"\\ln {latex.num(p)}" for p in d)
            steps = [Step("The non-saturating generator loss", (
                "The non-saturating generator minimizes $L_G = -\\frac1m \\sum_j \\ln D(G(z_j))$ "
                "(natural logarithm), which has strong gradients exactly when $D$ rejects the fakes.\n\n"
                f"$$L_G = -\\frac{{1}}{{{m}}}\\left[{terms}\\right] = {rounded(values['loss'])}$$"))]
        if config["asked"] == "loss":
            return steps
        d1 = latex.num(d[0])
        if form == "minimax":
            out = (f"\\frac{{\\partial L_G}}{{\\partial D_0}} = -\\frac{{1}}{{m(1 - D_0)}} = "
                   f"-\\frac{{1}}{{{m}(1 - {d1})}}")
        else:
            out = (f"\\frac{{\\partial L_G}}{{\\partial D_0}} = -\\frac{{1}}{{m D_0}} = "
                   f"-\\frac{{1}}{{{m} \\cdot {d1}}}")
        if config["asked"] == "grad_output":
            steps.append(Step("Derivative with respect to $D_0 = D(G(z_0))$",
                              f"Only the first term depends on $D_0$:\n\n$${out} = {rounded(values['grad'])}$$"))
        else:
            steps.append(Step("Derivative with respect to the logit $a_0$", (
                f"With $D_0 = \\sigma(a_0)$ and $\\sigma'(a_0) = D_0(1 - D_0)$: $${out}$$\n\n"
                f"$$\\frac{{\\partial L_G}}{{\\partial a_0}} = \\frac{{\\partial L_G}}{{\\partial D_0}} "
                f"\\cdot {d1}(1 - {d1}) = {rounded(values['grad'])}$$")))
        return steps

    def prompt(self, config):
        form = ("the **minimax** generator loss $L_G = \\frac1m \\sum_j \\ln(1 - D(G(z_j)))$ (which $G$ "
                "minimizes)"
                if config["form"] == "minimax" else
                "the **non-saturating** generator loss $L_G = -\\frac1m \\sum_j \\ln D(G(z_j))$")
        asked = {
            "loss": "Compute $L_G$.",
            "grad_output": "Compute $\\partial L_G / \\partial D(G(z_0))$, the derivative with respect to "
                           "the discriminator's output on the **first** sample ($j = 0$). " + COUNTING,
            "grad_logit": "The discriminator ends in a sigmoid, $D(G(z_j)) = \\sigma(a_j)$. Compute "
                          "$\\partial L_G / \\partial a_0$, the derivative with respect to the **first** "
                          "sample's logit ($j = 0$). " + COUNTING,
        }[config["asked"]]
        return (
            "A GAN discriminator outputs $D(G(z)) = {{ d_fake }}$ on $m$ generated samples. Consider "
            + form + ", with the natural logarithm and the mean over the samples. " + asked + " " + ROUND
        )


_GAUSS = ("mu_data", "sigma_data", "mu_g", "sigma_g", "x")
_LOG_SQRT_2PI = 0.5 * math.log(2 * math.pi)


def _gauss_logpdf(x, mu, sigma):
    return -0.5 * ((x - mu) / sigma) ** 2 - np.log(sigma) - _LOG_SQRT_2PI


class OptimalDiscriminator(Generator):
    slug = "optimal_discriminator"
    title = "GAN: the optimal discriminator D*(x)"
    description = (
        "The optimal discriminator D*(x) = p_data(x) / (p_data(x) + p_g(x)) at a point, from the two "
        "densities given directly or as 1-D Gaussians."
    )
    lectures = (12,)
    schema = Schema((
        Field("densities", "choice", "gaussian",
              "gaussian: p_data and p_g are 1-D normal distributions evaluated at x; given: the two density "
              "values at x are given.", choices=("gaussian", "given")),
    ))
    mistakes = {
        "inverted": "That is $p_g/(p_{data} + p_g)$: $D^*(x)$ is the probability that $x$ is real, "
                    "$p_{data}/(p_{data} + p_g)$.",
        "density_ratio": "That is the density ratio $p_{data}/p_g$; $D^* = p_{data}/(p_{data} + p_g)$.",
        "forgot_normalization": "The two normal densities have different $\\sigma$: keep the factor "
                                "$1/(\\sigma\\sqrt{2\\pi})$ of each.",
    }
    rules = {
        "distributions_differ": "the data and the generator's distributions differ (else D* = ½ everywhere)",
        "d_star_clear": "D* is between 0.05 and 0.95 and told apart from ½ (neither side certain, and the "
                        "inverted 1 − D* differs from D*)",
        "densities_readable": "both densities at x are at least 0.01 (x is not far out in both tails)",
    }

    def validity(self, params, config):
        tol = self.tolerance(config)
        if config["densities"] == "given":
            pd, pg = params["p_data"], params["p_g"]
            differ = np.ones(pd.shape, dtype=bool)
        else:
            pd, pg = (np.exp(_gauss_logpdf(params["x"], params[mu], params[sigma]))
                      for mu, sigma in (("mu_data", "sigma_data"), ("mu_g", "sigma_g")))
            differ = (params["mu_data"] != params["mu_g"]) | (params["sigma_data"] != params["sigma_g"])
        d_star = pd / (pd + pg)
        clear = (d_star >= 0.05) & (d_star <= 0.95) & told_apart(1 - d_star, d_star, tol)
        return {"distributions_differ": differ, "d_star_clear": clear,
                "densities_readable": (pd >= 0.01) & (pg >= 0.01)}

    def sample_batch(self, sampler, config):
        if config["densities"] == "given":
            dens = sampler.nice(0.1, 1.0, 0.1, shape=(4, 2))
            cands = {"p_data": dens[..., 0], "p_g": dens[..., 1]}
        else:
            means = sampler.nice(-2, 2, 0.5, shape=(8, 3))  # μ_data, μ_g, x for 8 candidates
            sigmas = sampler.choice([0.5, 1.0, 2.0], shape=(8, 2)).astype(np.float64)
            cands = {"mu_data": means[..., 0], "sigma_data": sigmas[..., 0], "mu_g": means[..., 1],
                     "sigma_g": sigmas[..., 1], "x": means[..., 2]}
        return pick_valid(cands, self.validity(cands, config))

    def tolerance(self, config):
        return HAND_TOLERANCE

    def hand_answer(self, params, values, config):
        if config["densities"] == "given":
            return shown(params["p_data"] / (params["p_data"] + params["p_g"]))
        pd, pg = shown(values["p_data"]), shown(values["p_g"])
        return shown(pd / (pd + pg))

    def solve(self, params, config, device="cpu"):
        import torch

        if config["densities"] == "given":
            dens = torch.tensor([params["p_data"], params["p_g"]], dtype=torch.float64, device=device)
            d_star = (dens[0] / dens.sum()).item()
            pd, pg = params["p_data"], params["p_g"]
            return Solved(d_star, {"d_star": d_star},
                          {"inverted": 1 - d_star, "density_ratio": pd / pg})
        g = torch.tensor([params[k] for k in _GAUSS], dtype=torch.float64, device=device)
        mu, sigma = g[[0, 2]], g[[1, 3]]
        z = (g[4] - mu) / sigma
        log_p = -0.5 * z * z - sigma.log() - _LOG_SQRT_2PI
        d_star_t = torch.sigmoid(log_p[0] - log_p[1])
        pd, pg = log_p.exp().tolist()
        d_star = d_star_t.item()
        za, zb = z.tolist()
        unnormalized = 1 / (1 + math.exp(0.5 * (za * za - zb * zb)))  # e^{-za²/2} / (e^{-za²/2} + e^{-zb²/2})
        mistakes = {"inverted": 1 - d_star, "density_ratio": pd / pg, "forgot_normalization": unnormalized}
        return Solved(d_star, {"p_data": pd, "p_g": pg, "z_data": za, "z_g": zb, "d_star": d_star}, mistakes)

    def explain(self, params, values, config):
        rule = Step("The optimal discriminator", (
            "For a fixed generator, maximizing $\\mathbb E_{p_{data}} \\ln D + \\mathbb E_{p_g} \\ln(1 - D)$ "
            "pointwise gives $$D^*(x) = \\frac{p_{data}(x)}{p_{data}(x) + p_g(x)}.$$"))
        if config["densities"] == "given":
            pd, pg = latex.num(params["p_data"]), latex.num(params["p_g"])
            return [rule, Step("Plug in", f"$$D^*(x) = \\frac{{{pd}}}{{{pd} + {pg}}} = "
                                          f"{rounded(values['d_star'])}$$")]
        x = latex.num(params["x"])
        dens = []
        for name, mu, sigma, p in (("data", params["mu_data"], params["sigma_data"], values["p_data"]),
                                   ("g", params["mu_g"], params["sigma_g"], values["p_g"])):
            dens.append(
                f"$$p_{{{name}}}({x}) = \\frac{{1}}{{{latex.num(sigma)}\\sqrt{{2\\pi}}}}"
                f"\\exp\\left(-\\frac{{({x} - ({latex.num(mu)}))^2}}{{2 \\cdot "
                f"{latex.num(sigma)}^2}}\\right) = {rounded(p)}$$")
        return [rule, Step("The two densities at $x$", "\n\n".join(dens)), Step("Plug in", (
            f"$$D^*({x}) = \\frac{{{rounded(values['p_data'])}}}{{{rounded(values['p_data'])} + "
            f"{rounded(values['p_g'])}}} = {rounded(values['d_star'])}$$"))]

    def prompt(self, config):
        if config["densities"] == "given":
            setting = ("At a point $x$ the data density is $p_{data}(x) = {{ p_data }}$ and the generator's "
                       "density is $p_g(x) = {{ p_g }}$.")
        else:
            setting = ("The data distribution is $p_{data} = \\mathcal N(\\mu = {{ mu_data }}, "
                       "\\sigma = {{ sigma_data }})$ and the generator's distribution is $p_g = \\mathcal "
                       "N(\\mu = {{ mu_g }}, \\sigma = {{ sigma_g }})$ (σ is the standard deviation). "
                       "Consider the point $x = {{ x }}$.")
        return (setting + " For this fixed generator, what is the output $D^*(x)$ of the optimal "
                          "discriminator "
                "(the probability it assigns to $x$ being real)? " + ROUND)


GENERATORS = [GanDiscriminatorLoss(), GanGeneratorLoss(), OptimalDiscriminator()]
