"""Demo content, lectures 3–4: Deep Neural Networks I and II (format: see ``quizzes.demo``).

Every numeric answer was computed in Python (float64) and is the exact value.
"""

L03 = {
    "number": 3,
    "title": "Deep Neural Networks",
    "slug": "deep-neural-networks",
    "description": """
        Multilayer perceptrons: fully connected layers, activation functions (sigmoid, tanh, ReLU),
        counting parameters, the forward and backward pass through an MLP, and what the universal
        approximation theorem does and does not say.
    """,
    "questions": [
        {
            "kind": "numeric",
            "title": "Parameters of an MLP",
            "prompt": r"""
                An MLP for MNIST has layer sizes $784 \to 128 \to 10$: two fully connected layers,
                `nn.Linear(784, 128)` and `nn.Linear(128, 10)`, each with a bias, and a ReLU between
                them. How many trainable parameters does it have in total?
            """,
            "numeric_answer": 101770.0,
            "rtol": 0.0,
            "atol": 0.01,
            "hint": r"A fully connected layer from $n$ to $m$ units has $n \cdot m$ weights and $m$ biases.",
            "explanation": r"""
                - first layer: $784 \cdot 128 + 128 = 100\,480$;
                - second layer: $128 \cdot 10 + 10 = 1\,290$;
                - ReLU has no parameters.

                Total: $100\,480 + 1\,290 = 101\,770$.
            """,
        },
        {
            "kind": "single",
            "title": "Why nonlinear activations?",
            "prompt": "Why does an MLP need nonlinear activation functions between its layers?",
            "choices": [
                (
                    r"Without them a stack of linear layers is a single affine map $Wx + b$, so depth adds "
                    r"no expressive power.",
                    True,
                    "Right: a composition of affine maps is affine.",
                ),
                (
                    "Linear layers have no derivative, so backpropagation needs the activations.",
                    False,
                    "Linear layers are differentiable everywhere: their Jacobian is the weight matrix.",
                ),
                (
                    "To keep every layer's output between 0 and 1.",
                    False,
                    "Only some activations are bounded (sigmoid); ReLU is unbounded and works very well.",
                ),
                (
                    "To reduce the number of parameters.",
                    False,
                    "Activations such as ReLU or tanh have no parameters and do not change the count.",
                ),
            ],
            "hint": "Write out two linear layers without an activation in between.",
            "explanation": r"""
                Two linear layers without activation collapse into one:

                $$W_2 (W_1 x + b_1) + b_2 = (W_2 W_1)\, x + (W_2 b_1 + b_2)$$

                so any depth of purely linear layers can only represent affine functions. A
                nonlinearity between the layers lets the network represent far richer functions.
            """,
        },
        {
            "kind": "numeric",
            "title": "Forward pass through a small ReLU network",
            "prompt": r"""
                A network computes $h = \mathrm{ReLU}(W x + b)$ and $y = v^\top h$ with

                $$W = \begin{pmatrix} 1 & -1 \\ 2 & 1 \end{pmatrix}, \quad
                b = \begin{pmatrix} 0.5 \\ -1 \end{pmatrix}, \quad
                v = \begin{pmatrix} 2 \\ 0.5 \end{pmatrix}, \quad
                x = \begin{pmatrix} 1 \\ 2 \end{pmatrix}.$$

                Compute the output $y$.
            """,
            "numeric_answer": 1.5,
            "hint": r"Compute $Wx + b$ first, then apply $\mathrm{ReLU}(z) = \max(0, z)$ to each entry.",
            "explanation": r"""
                $Wx = (1 - 2,\; 2 + 2) = (-1, 4)$, so $Wx + b = (-0.5, 3)$ and
                $h = \mathrm{ReLU}(Wx + b) = (0, 3)$.

                $$y = v^\top h = 2 \cdot 0 + 0.5 \cdot 3 = 1.5$$
            """,
        },
        {
            "kind": "numeric",
            "title": "Backward pass through the ReLU network",
            "prompt": r"""
                For the same network and input as in the previous question, compute
                $\frac{\partial y}{\partial x_1}$.
            """,
            "numeric_answer": 1.0,
            "hint": r"""
                $\frac{\partial y}{\partial x_1} = \sum_j v_j \,\mathrm{ReLU}'(z_j)\, W_{j1}$ with
                $z = Wx + b$. Which units are active?
            """,
            "explanation": r"""
                $z = Wx + b = (-0.5, 3)$: unit 1 is inactive ($\mathrm{ReLU}'(-0.5) = 0$), unit 2 is
                active ($\mathrm{ReLU}'(3) = 1$). So

                $$\frac{\partial y}{\partial x_1} = v_1 \cdot 0 \cdot W_{11} + v_2 \cdot 1 \cdot W_{21}
                = 0.5 \cdot 2 = 1$$

                Forgetting the ReLU mask gives $2 \cdot 1 + 0.5 \cdot 2 = 3$, the gradient of the
                network without activation.
            """,
        },
        {
            "kind": "multiple",
            "title": "Properties of ReLU",
            "multiple_mode": "net_correct",
            "prompt": r"Which statements about $\mathrm{ReLU}(z) = \max(0, z)$ are true?",
            "choices": [
                ("Its derivative is 1 for $z > 0$ and 0 for $z < 0$.", True, "Yes."),
                (
                    "It does not saturate for positive inputs, which helps gradients flow through deep "
                    "networks.",
                    True,
                    "Yes: unlike sigmoid and tanh, its slope stays 1 for large $z$.",
                ),
                (
                    "A unit whose pre-activation is negative for every input gets zero gradient and can "
                    "stop learning.",
                    True,
                    "Yes: a *dead* ReLU; e.g. after a too large update of its bias.",
                ),
                (
                    "Its outputs are zero-centred.",
                    False,
                    "ReLU outputs are never negative, so their mean is positive; tanh is zero-centred.",
                ),
                ("Its output lies in $(0, 1)$.", False, "That is the sigmoid; ReLU is unbounded above."),
            ],
            "hint": r"Sketch $\max(0, z)$ and its slope.",
            "explanation": r"""
                $\mathrm{ReLU}'(z) = 1$ for $z > 0$ and $0$ for $z < 0$ (PyTorch uses $0$ at
                $z = 0$). It is cheap, does not saturate for $z > 0$ and gives sparse activations;
                its drawbacks are non-zero-centred outputs and dead units. Variants such as leaky ReLU
                keep a small slope for $z < 0$.
            """,
        },
        {
            "kind": "true_false",
            "title": "What universal approximation promises",
            "prompt": """
                The universal approximation theorem guarantees that gradient descent on a
                one-hidden-layer network with enough hidden units finds weights that approximate any
                given continuous function.
            """,
            "true_false_answer": False,
            "hint": "Does the theorem talk about training at all?",
            "explanation": r"""
                **False.** The theorem is about **existence**: for every continuous function on a
                compact set and every $\varepsilon > 0$ there *are* weights of a one-hidden-layer
                network (with a non-polynomial activation) that approximate it within
                $\varepsilon$. It says nothing about how many units are needed (possibly very many),
                whether gradient descent finds those weights, or how well they generalise from
                finite data.
            """,
        },
        {
            "kind": "text",
            "title": "A zero-centred squashing function",
            "prompt": r"""
                Which activation function maps $\mathbb{R}$ to $(-1, 1)$, is zero-centred and
                satisfies $f(z) = 2\sigma(2z) - 1$?
            """,
            "text_answers": ["tanh", "tanh(z)", "tanh(x)", "hyperbolic tangent", "tangens hyperbolicus"],
            "text_mode": "case_insensitive",
            "hint": "It is a hyperbolic function.",
            "explanation": r"""
                $\tanh(z) = \frac{e^z - e^{-z}}{e^z + e^{-z}} = 2\sigma(2z) - 1$, a rescaled sigmoid
                with $\tanh'(0) = 1$ and outputs in $(-1, 1)$.
            """,
        },
    ],
}

L04 = {
    "number": 4,
    "title": "Deep Neural Networks II",
    "slug": "deep-neural-networks-ii",
    "description": """
        Training deep networks: softmax and cross-entropy, losses for other tasks, vanishing
        gradients, weight initialization (Xavier/Glorot, He) and batch normalization.
    """,
    "questions": [
        {
            "kind": "numeric",
            "title": "Cross-entropy of a softmax output",
            "prompt": r"""
                A classifier outputs the logits $z = (2, 1, 0)$ for three classes; the true class is
                the first. Compute the cross-entropy loss

                $$L = -\ln \mathrm{softmax}(z)_1 = -\ln \frac{e^{z_1}}{\sum_k e^{z_k}}$$

                with the natural logarithm, as `nn.CrossEntropyLoss` does. Give three decimals.
            """,
            "numeric_answer": 0.4076059644443804,
            "hint": r"$L = -z_1 + \ln \sum_k e^{z_k}$.",
            "explanation": r"""
                $\sum_k e^{z_k} = e^2 + e^1 + e^0 \approx 7.389 + 2.718 + 1 = 11.107$, so
                $p_1 = 7.389 / 11.107 \approx 0.665$ and

                $$L = -\ln 0.665 \approx 0.408$$

                Equivalently $L = \ln\left(1 + e^{-1} + e^{-2}\right) = \ln 1.503 \approx 0.408$.
            """,
        },
        {
            "kind": "true_false",
            "title": "Shifting all logits",
            "prompt": r"""
                Adding the same constant $c$ to every logit does not change the softmax:
                $\mathrm{softmax}(z + c) = \mathrm{softmax}(z)$.
            """,
            "true_false_answer": True,
            "hint": r"Write $e^{z_i + c} = e^c e^{z_i}$.",
            "explanation": r"""
                **True.** $\frac{e^{z_i + c}}{\sum_k e^{z_k + c}} = \frac{e^c e^{z_i}}{e^c \sum_k e^{z_k}}
                = \frac{e^{z_i}}{\sum_k e^{z_k}}$. Implementations use this to subtract $\max_k z_k$
                before exponentiating, so that $e^{z}$ cannot overflow.
            """,
        },
        {
            "kind": "numeric",
            "title": "Xavier initialization",
            "prompt": r"""
                Glorot/Xavier initialization draws the weights of a fully connected layer with variance

                $$\mathrm{Var}(W_{ij}) = \frac{2}{n_\text{in} + n_\text{out}} .$$

                What is this variance for a layer with $n_\text{in} = 300$ inputs and
                $n_\text{out} = 100$ outputs?
            """,
            "numeric_answer": 0.005,
            "atol": 1e-6,
            "hint": r"$n_\text{in} + n_\text{out} = 400$.",
            "explanation": r"""
                $\frac{2}{300 + 100} = 0.005$ (standard deviation $\approx 0.0707$). For a uniform
                distribution $U(-a, a)$ this means $a = \sqrt{6 / 400} \approx 0.122$. He
                initialization, designed for ReLU, would use $\frac{2}{n_\text{in}} \approx 0.00667$.
            """,
        },
        {
            "kind": "numeric",
            "title": "Vanishing gradients with sigmoids",
            "numeric_mode": "sigfigs",
            "digits": 2,
            "prompt": r"""
                In a deep network with sigmoid activations, the gradient reaching the first layer
                contains a product with one factor $\sigma'(z_l)$ per layer. Since
                $\sigma'(z) \le 0.25$, what is the upper bound on this product for 10 layers? Give two
                significant figures (scientific notation such as `1.2e-3` is fine).
            """,
            "numeric_answer": 9.5367431640625e-07,
            "hint": r"$0.25^{10}$.",
            "explanation": r"""
                $0.25^{10} = 2^{-20} = \frac{1}{1\,048\,576} \approx 9.5 \times 10^{-7}$.

                Even before the weights are taken into account, the gradient can shrink by a factor
                of a million over 10 layers. Remedies: ReLU-like activations, careful initialization,
                normalization layers, residual connections.
            """,
        },
        {
            "kind": "multiple",
            "title": "Batch normalization",
            "multiple_mode": "net_correct",
            "prompt": "Which statements about batch normalization (`nn.BatchNorm1d`) are true?",
            "choices": [
                (
                    "In training mode each feature is normalised with the mean and variance over the "
                    "examples of the mini-batch.",
                    True,
                    "Yes.",
                ),
                (
                    r"A learnable scale $\gamma$ and shift $\beta$ are applied after normalising, so the "
                    r"layer can undo the normalisation where that helps.",
                    True,
                    "Yes.",
                ),
                (
                    "In evaluation mode (`model.eval()`) it uses running averages of mean and variance "
                    "collected during training.",
                    True,
                    "Yes: so a single test example does not depend on the others in its batch.",
                ),
                (
                    "Each example is normalised over its own features, independently of the other examples.",
                    False,
                    "That describes layer normalization.",
                ),
                (
                    "With batch normalization the network no longer needs nonlinear activations.",
                    False,
                    "In evaluation mode batch norm is an affine map: with linear layers it stays linear.",
                ),
            ],
            "hint": "*Batch* normalization: the statistics come from the batch.",
            "explanation": r"""
                For each feature, with the mini-batch mean $\mu_B$ and (biased) variance $\sigma_B^2$:

                $$\hat x = \frac{x - \mu_B}{\sqrt{\sigma_B^2 + \epsilon}}, \qquad y = \gamma \hat x + \beta$$

                During training running averages of $\mu_B$ and $\sigma_B^2$ are kept; in evaluation
                mode they replace the batch statistics.
            """,
        },
        {
            "kind": "single",
            "title": "Output layer for multi-label classification",
            "prompt": """
                Each image may show several of 20 object classes at once (multi-label classification).
                Which output layer and loss fit?
            """,
            "choices": [
                (
                    "A sigmoid per class with binary cross-entropy (`nn.BCEWithLogitsLoss`)",
                    True,
                    "Right: each class gets an independent yes/no probability.",
                ),
                (
                    "A softmax over the 20 classes with cross-entropy (`nn.CrossEntropyLoss`)",
                    False,
                    "The softmax probabilities sum to 1: classes compete, which suits exactly one label "
                    "per image.",
                ),
                (
                    "A ReLU per class with mean squared error",
                    False,
                    "Unbounded outputs and MSE do not model probabilities; learning is slow for this task.",
                ),
                (
                    "A softmax over the 20 classes with mean squared error",
                    False,
                    "Still forces the classes to compete, and MSE on a softmax gives weak gradients.",
                ),
            ],
            "hint": "Are the classes mutually exclusive here?",
            "explanation": r"""
                With several labels per example the classes are not mutually exclusive, so each class
                $c$ gets its own probability $\sigma(z_c)$ and its own binary cross-entropy
                $-y_c \ln \sigma(z_c) - (1 - y_c)\ln(1 - \sigma(z_c))$, summed or averaged over the
                classes. `nn.BCEWithLogitsLoss` combines sigmoid and loss in a numerically stable way.
            """,
        },
        {
            "kind": "text",
            "title": "Initialization for ReLU networks",
            "prompt": r"""
                Which initialization, proposed for ReLU networks, draws weights with variance
                $\frac{2}{n_\text{in}}$? Name it after its first author (or by its PyTorch name).
            """,
            "text_answers": [
                r"(?i)\s*(he|kaiming)(\s+et\s+al\.?)?([\s_-]+(initiali[sz]ation|init|normal|uniform)_?)?\s*"
            ],
            "text_mode": "regex",
            "hint": "Its PyTorch functions are `nn.init.kaiming_normal_` and `nn.init.kaiming_uniform_`.",
            "explanation": r"""
                **He** (Kaiming) initialization, He et al. 2015: ReLU zeroes about half of its inputs,
                so doubling the variance, $\mathrm{Var}(W) = 2 / n_\text{in}$, keeps the variance of
                the activations roughly constant from layer to layer.
            """,
        },
    ],
}

LECTURES = [L03, L04]
