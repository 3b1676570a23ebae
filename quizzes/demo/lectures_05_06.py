"""Demo content, lectures 5–6: Regularization, Optimization (format: see ``quizzes.demo``).

Every numeric answer was computed in Python (float64; optimizer steps with ``torch.optim``) and is
the exact value.
"""

L05 = {
    "number": 5,
    "title": "Regularization",
    "slug": "regularization",
    "description": """
        Fighting overfitting: L2 and L1 penalties (weight decay), dropout, early stopping and data
        augmentation.
    """,
    "questions": [
        {
            "kind": "numeric",
            "title": "Weight decay in one SGD step",
            "prompt": r"""
                The training objective is $J(w) = L(w) + \frac{\lambda}{2} w^2$ with $\lambda = 0.1$.
                At $w = 3$ the gradient of the data loss is $\frac{\partial L}{\partial w} = 0.5$.
                What is $w$ after one gradient-descent step on $J$ with learning rate $\eta = 0.5$?
            """,
            "numeric_answer": 2.6,
            "hint": r"$\frac{\partial J}{\partial w} = \frac{\partial L}{\partial w} + \lambda w$.",
            "explanation": r"""
                $\frac{\partial J}{\partial w} = 0.5 + 0.1 \cdot 3 = 0.8$, so
                $w = 3 - 0.5 \cdot 0.8 = 2.6$.

                Equivalently $w \leftarrow (1 - \eta\lambda)\, w - \eta \frac{\partial L}{\partial w}
                = 0.95 \cdot 3 - 0.25 = 2.6$: the weight is first shrunk ("decayed"), then moved along
                the data gradient. This is what `torch.optim.SGD(..., weight_decay=0.1)` does.
            """,
        },
        {
            "kind": "numeric",
            "title": "Inverted dropout",
            "prompt": r"""
                `nn.Dropout(p=0.2)` is in training mode; in PyTorch $p$ is the probability of
                **dropping** a unit. A unit's activation is $2.0$ and it is kept. What value does the
                dropout layer output for this unit?
            """,
            "numeric_answer": 2.5,
            "hint": r"Kept units are scaled by $\frac{1}{1 - p}$ during training.",
            "explanation": r"""
                PyTorch uses *inverted* dropout: kept units are multiplied by
                $\frac{1}{1 - p} = \frac{1}{0.8} = 1.25$, so the output is $2.0 \cdot 1.25 = 2.5$.
                The expected output equals the input ($0.8 \cdot 2.5 + 0.2 \cdot 0 = 2$), and in
                evaluation mode dropout does nothing.
            """,
        },
        {
            "kind": "single",
            "title": "Early stopping",
            "prompt": "What does early stopping do?",
            "choices": [
                (
                    "It monitors the validation loss and stops training, keeping the best checkpoint, once "
                    "that loss has not improved for a number of epochs.",
                    True,
                    "Right.",
                ),
                (
                    "It stops training as soon as the training loss stops decreasing.",
                    False,
                    "Early stopping watches the **validation** loss: the training loss usually keeps falling "
                    "while the model starts to overfit.",
                ),
                (
                    "It ends every epoch early, after a fixed fraction of the mini-batches.",
                    False,
                    "That just shortens epochs; it does not choose when to stop based on generalisation.",
                ),
                (
                    "It stops the gradient at the first layers to avoid vanishing gradients.",
                    False,
                    "That would be freezing layers, which is unrelated.",
                ),
            ],
            "hint": "Which curve goes up again when a model starts to overfit?",
            "explanation": """
                Early stopping treats the number of training steps as a hyperparameter chosen on the
                validation set: keep the weights with the lowest validation loss and stop after
                *patience* epochs without improvement. It regularizes by limiting how far the weights
                move from their initialization; for a quadratic loss it behaves much like an L2 penalty.
            """,
        },
        {
            "kind": "multiple",
            "title": "Augmentations for handwritten digits",
            "multiple_mode": "net_correct",
            "prompt": """
                You train a classifier for handwritten digits 0–9 (like MNIST). Which data
                augmentations are **label-preserving**, i.e. sensible here?
            """,
            "choices": [
                ("Small random rotations, about ±10°", True, "Yes: people write slightly slanted."),
                ("Random shifts by one or two pixels", True, "Yes: the digit's position does not matter."),
                (
                    "Small elastic distortions of the strokes",
                    True,
                    "Yes: they imitate the variation of handwriting.",
                ),
                ("Horizontal flips", False, "A mirrored 2, 3, 4, 7 or 9 is not a digit of the same class."),
                ("Rotations by 180°", False, "A 6 becomes a 9 and vice versa."),
            ],
            "hint": "Would a person still give the transformed image the same label?",
            "explanation": """
                Data augmentation adds transformed copies of the training examples whose label is
                known not to change, teaching the model invariances it should have. Which
                transformations are label-preserving depends on the task: horizontal flips are
                standard for natural photos but change the meaning of digits and letters.
            """,
        },
        {
            "kind": "true_false",
            "title": "Dropout at test time",
            "prompt": """
                In evaluation mode (`model.eval()`), PyTorch's `nn.Dropout(p)` multiplies every
                activation by the keep probability $1 - p$.
            """,
            "true_false_answer": False,
            "hint": "When does inverted dropout do its scaling?",
            "explanation": r"""
                **False.** PyTorch's dropout is *inverted*: the scaling by $\frac{1}{1 - p}$ happens
                during training, so in evaluation mode the layer is the identity. (The original
                dropout paper instead scaled by $1 - p$ at test time; both give the same expected
                activations.)
            """,
        },
        {
            "kind": "text",
            "title": "A penalty that makes weights sparse",
            "prompt": r"""
                Which penalty, $\lambda \sum_i |w_i|$, tends to drive many weights to exactly zero?
                (Its usual short name.)
            """,
            "text_answers": [
                r"(?i)\s*(l1|ℓ1|ℓ_1|l_1|lasso)([\s-]+(regulari[sz]ation|regulari[sz]er|penalty|norm))?\s*"
            ],
            "text_mode": "regex",
            "hint": r"Its name is the name of the norm $\sum_i |w_i|$.",
            "explanation": r"""
                The **L1** penalty (lasso). Its (sub)gradient $\lambda\,\mathrm{sign}(w_i)$ has the
                same size however small $w_i$ is, so it pushes small weights all the way to zero. The
                L2 penalty's gradient $\lambda w_i$ shrinks with the weight, so weights become small
                but rarely exactly zero.
            """,
        },
    ],
}

L06 = {
    "number": 6,
    "title": "Optimization",
    "slug": "optimization",
    "description": """
        Gradient descent and its stochastic mini-batch version, momentum, adaptive methods
        (AdaGrad, RMSprop, Adam), learning-rate schedules and what to do when training diverges.
    """,
    "questions": [
        {
            "kind": "numeric",
            "title": "SGD with momentum, two steps",
            "prompt": r"""
                PyTorch's SGD with momentum $\mu$ keeps a buffer $b$:

                $$b_t = \mu\, b_{t-1} + g_t, \qquad w_t = w_{t-1} - \eta\, b_t,$$

                where the first step sets $b_1 = g_1$. Start at $w_0 = 1$ with $\eta = 0.1$ and
                $\mu = 0.9$; the gradients of the first two steps are $g_1 = 0.5$ and $g_2 = 0.3$.
                What is $w_2$?
            """,
            "numeric_answer": 0.875,
            "hint": r"First $b_1$ and $w_1$, then $b_2 = 0.9\, b_1 + g_2$.",
            "explanation": r"""
                Step 1: $b_1 = 0.5$, $w_1 = 1 - 0.1 \cdot 0.5 = 0.95$.

                Step 2: $b_2 = 0.9 \cdot 0.5 + 0.3 = 0.75$, $w_2 = 0.95 - 0.1 \cdot 0.75 = 0.875$.

                Plain SGD would give $w_2 = 1 - 0.05 - 0.03 = 0.92$: momentum keeps part of the
                previous step and so moves further in a consistent direction.
            """,
        },
        {
            "kind": "numeric",
            "title": "Adam's first step",
            "prompt": r"""
                Adam with PyTorch's defaults $\beta_1 = 0.9$, $\beta_2 = 0.999$, $\epsilon = 10^{-8}$
                and the update

                $$w \leftarrow w - \eta\, \frac{\hat m}{\sqrt{\hat v} + \epsilon}$$

                with bias-corrected moments $\hat m$, $\hat v$ starts at $w_0 = 0.5$ with learning
                rate $\eta = 0.01$. The first gradient is $g_1 = -2$. What is $w_1$? (Four decimals
                suffice.)
            """,
            "numeric_answer": 0.50999999995,
            "rtol": 0.0,
            "atol": 1e-4,
            "hint": r"After bias correction, $\hat m_1 = g_1$ and $\hat v_1 = g_1^2$.",
            "explanation": r"""
                $m_1 = (1 - 0.9) \cdot (-2) = -0.2$ and $\hat m_1 = \frac{-0.2}{1 - 0.9} = -2$;
                $v_1 = (1 - 0.999) \cdot 4 = 0.004$ and $\hat v_1 = \frac{0.004}{1 - 0.999} = 4$.

                $$w_1 = 0.5 - 0.01 \cdot \frac{-2}{\sqrt{4} + 10^{-8}} \approx 0.5 + 0.01 = 0.51$$

                Adam's first step is about $\eta \cdot \mathrm{sign}(g)$ per coordinate, whatever the
                size of the gradient.
            """,
        },
        {
            "kind": "numeric",
            "title": "Step decay schedule",
            "prompt": r"""
                A step-decay schedule halves the learning rate every 10 epochs,
                $\eta_t = \eta_0 \cdot 0.5^{\lfloor t / 10 \rfloor}$, with $\eta_0 = 0.1$ and epochs
                counted from $t = 0$. What is the learning rate in epoch $t = 25$?
            """,
            "numeric_answer": 0.025,
            "atol": 1e-6,
            "hint": r"$\lfloor 25 / 10 \rfloor = 2$.",
            "explanation": r"""
                $\eta_{25} = 0.1 \cdot 0.5^2 = 0.025$. In PyTorch:
                `torch.optim.lr_scheduler.StepLR(optimizer, step_size=10, gamma=0.5)`, with
                `scheduler.step()` once per epoch.
            """,
        },
        {
            "kind": "single",
            "title": "Training diverges",
            "prompt": """
                From the first iterations on, the training loss jumps up and down wildly, and after a
                few hundred steps it becomes `nan`. Data and code are correct. What is the most likely
                cause?
            """,
            "choices": [
                ("The learning rate is too large.", True, "Right: lower it, e.g. by a factor of 10."),
                (
                    "The learning rate is too small.",
                    False,
                    "A too small learning rate makes progress slow but smooth, not divergent.",
                ),
                (
                    "The model overfits.",
                    False,
                    "Overfitting shows as a gap between training and validation loss while the training "
                    "loss goes down.",
                ),
                (
                    "The mini-batches are too large.",
                    False,
                    "Larger batches give less noisy gradients; they do not make training diverge.",
                ),
            ],
            "hint": "What happens to gradient descent on a parabola when the steps are too long?",
            "explanation": r"""
                On a quadratic with curvature $\lambda$, gradient descent diverges when
                $\eta > 2 / \lambda$: every step overshoots the minimum by more than it started from.
                Remedies: a smaller learning rate, a warm-up phase, gradient clipping.
            """,
        },
        {
            "kind": "true_false",
            "title": "Mini-batch gradients",
            "prompt": """
                If the examples of a mini-batch are drawn uniformly at random from the training set,
                the mini-batch gradient (the mean over the batch) is an unbiased estimate of the
                full-batch gradient (the mean over the training set).
            """,
            "true_false_answer": True,
            "hint": "What is the expected value of one randomly drawn example's gradient?",
            "explanation": r"""
                **True.** Each sampled example's gradient has the full-batch gradient as its expected
                value, and so has their mean. The estimate is noisy: its variance falls like $1/B$
                with the batch size $B$.
            """,
        },
        {
            "kind": "multiple",
            "title": "Adam in PyTorch",
            "multiple_mode": "net_correct",
            "prompt": "Which statements about `torch.optim.Adam` are true?",
            "choices": [
                (
                    "It keeps an exponential moving average of the gradients (first moment) for every "
                    "parameter.",
                    True,
                    "Yes.",
                ),
                (
                    "It keeps an exponential moving average of the squared gradients (second moment) for "
                    "every parameter.",
                    True,
                    "Yes.",
                ),
                (
                    r"Its `weight_decay` adds $\lambda w$ to the gradient (an L2 penalty), unlike AdamW, "
                    r"which shrinks the weights directly.",
                    True,
                    "Yes: the difference is why AdamW exists.",
                ),
                (
                    "It computes the Hessian to scale each step.",
                    False,
                    "No second derivatives: the second moment is a running average of squared gradients.",
                ),
                ("Its default learning rate is 0.1.", False, "The default is $10^{-3}$."),
            ],
            "hint": "Adam = momentum (first moment) + RMSprop-style scaling (second moment).",
            "explanation": r"""
                $m_t = \beta_1 m_{t-1} + (1 - \beta_1) g_t$, $v_t = \beta_2 v_{t-1} + (1 - \beta_2) g_t^2$,
                bias correction $\hat m_t = m_t / (1 - \beta_1^t)$, $\hat v_t = v_t / (1 - \beta_2^t)$,
                update $w \leftarrow w - \eta\, \hat m_t / (\sqrt{\hat v_t} + \epsilon)$, default
                $\eta = 10^{-3}$. With Adam's L2 penalty the decay term is also divided by
                $\sqrt{\hat v}$; AdamW decays the weights separately: $w \leftarrow (1 - \eta\lambda)\,w$.
            """,
        },
        {
            "kind": "text",
            "title": "Scaling by recent gradient size",
            "prompt": """
                Which optimizer, proposed by Hinton in a lecture, divides each gradient coordinate by
                the square root of an exponential moving average of the squared gradients, without
                bias correction?
            """,
            "text_answers": [r"(?i)\s*(torch\.optim\.)?rms[\s-]?prop\s*"],
            "text_mode": "regex",
            "hint": "Root Mean Square ...",
            "explanation": r"""
                **RMSprop**: $v_t = \alpha v_{t-1} + (1 - \alpha) g_t^2$ and
                $w \leftarrow w - \eta\, g_t / (\sqrt{v_t} + \epsilon)$. Without bias correction its
                first steps are large: with $\alpha = 0.99$ the first step is about $10\,\eta$ per
                coordinate.
            """,
        },
    ],
}

LECTURES = [L05, L06]
