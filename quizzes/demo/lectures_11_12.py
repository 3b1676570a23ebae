"""Demo content, lectures 11–12: Autoencoders, GANs (format: see ``quizzes.demo``).

Every numeric answer was computed in Python (float64; the KL term also with
``torch.distributions.kl_divergence``, the GAN gradient with autograd) and is the exact value.
"""

L11 = {
    "number": 11,
    "title": "Autoencoders",
    "slug": "autoencoders",
    "description": """
        Autoencoders: bottlenecks, the relation of linear autoencoders to PCA, denoising
        autoencoders; variational autoencoders with the ELBO, the KL term and the reparameterization
        trick.
    """,
    "questions": [
        {
            "kind": "numeric",
            "title": "The KL term of a VAE",
            "prompt": r"""
                For a one-dimensional latent with encoder distribution
                $q(z \mid x) = \mathcal N(\mu, \sigma^2)$ and prior $\mathcal N(0, 1)$:

                $$\mathrm{KL}\left(\mathcal N(\mu, \sigma^2) \,\|\, \mathcal N(0, 1)\right)
                = \frac{1}{2}\left(\mu^2 + \sigma^2 - \ln \sigma^2 - 1\right)$$

                Compute it for $\mu = 1$ and $\sigma = 0.5$ (natural log, three decimals).
            """,
            "numeric_answer": 0.8181471805599454,
            "hint": r"$\sigma^2 = 0.25$ and $\ln 0.25 \approx -1.386$.",
            "explanation": r"""
                $$\frac{1}{2}\left(1 + 0.25 - \ln 0.25 - 1\right)
                = \frac{1}{2}\,(0.25 + 1.386) \approx 0.818$$

                The term is $0$ only for $\mu = 0$, $\sigma = 1$: it pulls every encoding towards
                the prior.
            """,
        },
        {
            "kind": "numeric",
            "title": "Reparameterization",
            "prompt": r"""
                The encoder outputs the mean $\mu = 1.5$ and the **variance** $\sigma^2 = 0.25$. With
                the reparameterization $z = \mu + \sigma\,\varepsilon$ and the sample
                $\varepsilon = -1.2$ drawn from $\mathcal N(0, 1)$, what is $z$?
            """,
            "numeric_answer": 0.9,
            "hint": r"$\sigma = \sqrt{0.25}$.",
            "explanation": r"""
                $\sigma = \sqrt{0.25} = 0.5$, so $z = 1.5 + 0.5 \cdot (-1.2) = 0.9$. (Using the
                variance instead of the standard deviation would give $1.2$.) Encoders usually output
                $\ln \sigma^2$, and $\sigma = \exp(\frac{1}{2} \ln \sigma^2)$.
            """,
        },
        {
            "kind": "numeric",
            "title": "Parameters of a small autoencoder",
            "prompt": r"""
                A fully connected autoencoder $784 \to 32 \to 784$ has the encoder
                `nn.Linear(784, 32)` and the decoder `nn.Linear(32, 784)`, both with bias. How many
                trainable parameters does it have in total?
            """,
            "numeric_answer": 50992.0,
            "rtol": 0.0,
            "atol": 0.01,
            "hint": "The two layers have the same number of weights but different numbers of biases.",
            "explanation": r"""
                Encoder: $784 \cdot 32 + 32 = 25\,120$. Decoder: $32 \cdot 784 + 784 = 25\,872$.
                Total: $50\,992$. The code has 32 numbers for 784 pixels: a compression by a factor
                of 24.5.
            """,
        },
        {
            "kind": "single",
            "title": "Linear autoencoders and PCA",
            "prompt": r"""
                An autoencoder with a linear encoder $z = W_e x$ ($k$ units, $k$ smaller than the
                input dimension), a linear decoder $\hat x = W_d z$, centred data and the squared
                reconstruction error is trained to its optimum. What does it learn?
            """,
            "choices": [
                (
                    r"A decoder whose $k$ columns span the same subspace as the top-$k$ principal components",
                    True,
                    "Right: the reconstructions are the projections onto the principal subspace.",
                ),
                (
                    r"Exactly the top-$k$ principal directions as orthonormal columns, ordered by variance",
                    False,
                    r"The loss depends only on the subspace: $W_d M$, $M^{-1} W_e$ with any invertible "
                    r"$M$ reconstructs equally well, so the columns need be neither orthonormal nor ordered.",
                ),
                (
                    "The identity map",
                    False,
                    r"Impossible through a $k$-dimensional bottleneck: the map has rank at most $k$.",
                ),
                (
                    "A curved (nonlinear) manifold through the data",
                    False,
                    "All maps are linear, so the reconstructions lie in a linear subspace.",
                ),
            ],
            "hint": "The reconstruction $W_d W_e x$ is a linear map of rank at most $k$.",
            "explanation": r"""
                The best rank-$k$ linear reconstruction in squared error is the orthogonal projection
                onto the span of the top-$k$ principal components (Eckart–Young). A linear autoencoder
                reaches that subspace, but any invertible mixing of its code gives the same loss.
                Nonlinear encoders and decoders can go beyond PCA.
            """,
        },
        {
            "kind": "true_false",
            "title": "The reparameterization trick",
            "prompt": r"""
                Writing $z = \mu + \sigma \odot \varepsilon$ with $\varepsilon \sim \mathcal N(0, I)$
                drawn independently of the network lets gradients of the reconstruction loss flow to
                $\mu$ and $\sigma$, and hence into the encoder.
            """,
            "true_false_answer": True,
            "hint": "Where does the randomness sit after the rewrite?",
            "explanation": r"""
                **True.** Sampling $z \sim \mathcal N(\mu, \sigma^2)$ directly is not differentiable
                in $\mu$ and $\sigma$. After the rewrite the randomness is an input $\varepsilon$, and
                $z$ is a differentiable function of $\mu$ and $\sigma$:
                $\frac{\partial z}{\partial \mu} = 1$, $\frac{\partial z}{\partial \sigma} = \varepsilon$.
            """,
        },
        {
            "kind": "multiple",
            "title": "Kinds of autoencoders",
            "multiple_mode": "each_answer",
            "prompt": "Which statements are true? (Each choice, picked or not, counts on its own.)",
            "choices": [
                (
                    r"A denoising autoencoder is trained to reconstruct the clean $x$ from a corrupted input "
                    r"$\tilde x$.",
                    True,
                    "Yes.",
                ),
                (
                    "An overcomplete autoencoder (code larger than the input) without any regularization can "
                    "learn to just copy its input.",
                    True,
                    "Yes: nothing forces it to learn useful features.",
                ),
                (
                    r"In a VAE the KL term pulls the encoder's distributions towards the prior, so decoding "
                    r"$z \sim \mathcal N(0, I)$ gives plausible samples.",
                    True,
                    "Yes.",
                ),
                (
                    "Feeding random codes into the decoder of a plain (non-variational) autoencoder reliably "
                    "produces realistic samples.",
                    False,
                    "Its code space has no prescribed distribution; random codes can fall where the decoder "
                    "never was trained.",
                ),
                (
                    "Increasing the weight of the KL term always sharpens a VAE's reconstructions.",
                    False,
                    r"A larger KL weight ($\beta$-VAE, $\beta > 1$) trades reconstruction quality for a more "
                    "regular latent space: reconstructions usually get blurrier.",
                ),
            ],
            "hint": "Which autoencoders come with a distribution over codes to sample from?",
            "explanation": r"""
                Plain autoencoders learn codes for reconstruction only; denoising and bottlenecks force
                them to learn structure. A VAE adds a prior $p(z) = \mathcal N(0, I)$ and the KL term,
                which makes sampling $z \sim p(z)$ and decoding meaningful, at some cost in
                reconstruction sharpness.
            """,
        },
        {
            "kind": "text",
            "title": "The VAE objective",
            "prompt": r"""
                A VAE maximizes
                $\mathbb E_{q(z \mid x)}\left[\ln p(x \mid z)\right]
                - \mathrm{KL}\left(q(z \mid x) \,\|\, p(z)\right)$,
                a lower bound on $\ln p(x)$. What is this bound called? (Name or acronym.)
            """,
            "text_answers": [
                r"(?i)\s*(elbo|evidence[\s-]+lower[\s-]+bound|variational[\s-]+lower[\s-]+bound)(\s*\(elbo\))?\s*"
            ],
            "text_mode": "regex",
            "hint": r"$p(x)$ is also called the *evidence*.",
            "explanation": r"""
                The **evidence lower bound (ELBO)**:
                $\ln p(x) = \mathrm{ELBO} + \mathrm{KL}\left(q(z \mid x) \,\|\, p(z \mid x)\right)
                \ge \mathrm{ELBO}$,
                since a KL divergence is never negative.
            """,
        },
    ],
}

L12 = {
    "number": 12,
    "title": "Generative Adversarial Networks",
    "slug": "generative-adversarial-networks",
    "description": """
        A generator and a discriminator in a two-player game: the minimax objective, the optimal
        discriminator, the non-saturating generator loss, and what goes wrong in training (mode
        collapse, instability).
    """,
    "questions": [
        {
            "kind": "numeric",
            "title": "The optimal discriminator",
            "prompt": r"""
                For a fixed generator, the discriminator that maximizes the GAN objective is

                $$D^*(x) = \frac{p_\text{data}(x)}{p_\text{data}(x) + p_g(x)}.$$

                At a point $x$ with $p_\text{data}(x) = 0.3$ and $p_g(x) = 0.1$, what is $D^*(x)$?
            """,
            "numeric_answer": 0.75,
            "hint": "Plug in.",
            "explanation": r"""
                $D^*(x) = \frac{0.3}{0.3 + 0.1} = 0.75$: at this $x$ real samples are three times as
                likely as generated ones. When $p_g = p_\text{data}$, $D^* = \frac{1}{2}$ everywhere.
            """,
        },
        {
            "kind": "numeric",
            "title": "The discriminator's loss",
            "prompt": r"""
                The discriminator minimizes the binary cross-entropy

                $$L_D = -\ln D(x) - \ln\left(1 - D(G(z))\right)$$

                for one real example $x$ and one generated example $G(z)$. Compute $L_D$ for
                $D(x) = 0.8$ and $D(G(z)) = 0.2$ (natural log, three decimals).
            """,
            "numeric_answer": 0.4462871026284194,
            "hint": r"Both terms are $-\ln 0.8$.",
            "explanation": r"""
                $L_D = -\ln 0.8 - \ln(1 - 0.2) = -2 \ln 0.8 \approx 2 \cdot 0.223 = 0.446$.
            """,
        },
        {
            "kind": "single",
            "title": "Why the non-saturating generator loss?",
            "prompt": r"""
                Early in training the discriminator easily rejects generated samples:
                $D(G(z)) \approx 0$. Why is the generator trained to minimize $-\ln D(G(z))$ instead of
                the minimax objective's $\ln\left(1 - D(G(z))\right)$?
            """,
            "choices": [
                (
                    r"Near $D(G(z)) \approx 0$, $\ln(1 - D(G(z)))$ is flat, so its gradient vanishes, "
                    r"while $-\ln D(G(z))$ gives large gradients there.",
                    True,
                    "Right.",
                ),
                (
                    r"$-\ln D(G(z))$ has a different fixed point, at which $p_g$ matches $p_\text{data}$ "
                    r"better.",
                    False,
                    r"Both losses push $D(G(z))$ up and share the fixed point $p_g = p_\text{data}$; they "
                    r"differ in how strong the gradients are.",
                ),
                (
                    r"$\ln(1 - D(G(z)))$ is undefined when $D(G(z)) \approx 0$.",
                    False,
                    r"$\ln(1 - 0) = 0$ is fine; the problem is the gradient, not the value.",
                ),
                ("It makes the discriminator learn faster.", False, "It changes only the generator's loss."),
            ],
            "hint": r"Sketch $\ln(1 - p)$ and $-\ln p$ near $p = 0$.",
            "explanation": r"""
                With $D(G(z)) = \sigma(a)$, the derivative with respect to the logit $a$ is
                $-\sigma(a)$ for $\ln(1 - \sigma(a))$, which vanishes as $\sigma(a) \to 0$, but
                $-(1 - \sigma(a))$ for $-\ln \sigma(a)$, close to $-1$ there. The generator thus
                learns fastest exactly when it is worst.
            """,
        },
        {
            "kind": "numeric",
            "title": "Gradient of the generator loss",
            "prompt": r"""
                Let $D(G(z)) = \sigma(a)$, where $a$ is the discriminator's logit for a generated
                sample, and $\sigma(a) = 0.1$. Compute the derivative of the non-saturating generator
                loss $L_G = -\ln \sigma(a)$ with respect to $a$.
            """,
            "numeric_answer": -0.9,
            "hint": r"$\frac{d}{da} \ln \sigma(a) = 1 - \sigma(a)$.",
            "explanation": r"""
                $\frac{\partial L_G}{\partial a} = -(1 - \sigma(a)) = -(1 - 0.1) = -0.9$.

                The saturating loss $\ln(1 - \sigma(a))$ would give $-\sigma(a) = -0.1$, nine times
                smaller, and tending to $0$ as the discriminator gets more confident.
            """,
        },
        {
            "kind": "true_false",
            "title": "The global optimum",
            "prompt": r"""
                At the global optimum of the GAN minimax game, $p_g = p_\text{data}$ and the optimal
                discriminator outputs $D^*(x) = \frac{1}{2}$ everywhere.
            """,
            "true_false_answer": True,
            "hint": r"Put $p_g = p_\text{data}$ into $D^*(x)$.",
            "explanation": r"""
                **True.** With $D^*$ the objective becomes
                $2\,\mathrm{JSD}(p_\text{data} \,\|\, p_g) - \ln 4$, minimal exactly when
                $p_g = p_\text{data}$; then $D^* = \frac{p}{p + p} = \frac{1}{2}$ and the value of the
                game is $-\ln 4 \approx -1.386$.
            """,
        },
        {
            "kind": "multiple",
            "title": "GAN facts",
            "multiple_mode": "net_correct",
            "prompt": "Which statements about GANs (Goodfellow et al., 2014) are true?",
            "choices": [
                (
                    r"With the optimal discriminator, the minimax objective equals "
                    r"$2\,\mathrm{JSD}(p_\text{data} \,\|\, p_g) - \ln 4$.",
                    True,
                    "Yes.",
                ),
                (
                    "The generator never sees real data directly; it learns only from the gradients passed "
                    "back through the discriminator.",
                    True,
                    "Yes.",
                ),
                (
                    r"A GAN gives an explicit likelihood $p_g(x)$ that can be evaluated for any $x$.",
                    False,
                    "GANs are implicit models: sampling is easy, but the density is not available.",
                ),
                (
                    "A falling generator loss reliably shows that the samples are getting better.",
                    False,
                    "The losses of a two-player game need not track sample quality; look at samples or use "
                    "metrics such as FID.",
                ),
            ],
            "hint": "What can you do with a trained generator, and what can you not?",
            "explanation": r"""
                The generator maps noise $z$ to samples $G(z)$ and is trained only through
                $D$'s judgement. At the optimal $D^*$ the objective measures the Jensen–Shannon
                divergence between $p_\text{data}$ and $p_g$. The density $p_g$ is only implicit.
            """,
        },
        {
            "kind": "text",
            "title": "Few distinct samples",
            "prompt": r"""
                A generator learns to produce only a few distinct outputs (e.g. only some of the ten
                digits), whatever $z$ is. What is this failure mode called?
            """,
            "text_answers": [
                r"(?i)\s*(partial\s+)?mode[\s-]+collaps(e|ing)\s*",
                r"(?i)\s*(the\s+)?helvetica\s+scenario\s*",
            ],
            "text_mode": "regex",
            "hint": "The generator covers only some *modes* of the data distribution.",
            "explanation": """
                **Mode collapse** (Goodfellow also called it the "Helvetica scenario"): the generator
                maps many $z$ to the same few outputs that currently fool the discriminator.
                Remedies include minibatch discrimination, unrolled GANs and Wasserstein GANs.
            """,
        },
    ],
}

LECTURES = [L11, L12]
