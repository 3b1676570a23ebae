"""Demo content, lectures 1–2: Introduction, Computation Graphs (format: see ``quizzes.demo``).

Every numeric answer was computed in Python (float64) and is the exact value.

The L02 quiz's first two questions are relied on by the browser test: question 1 is single choice
(the correct choice is "The chain rule"), question 2 is numeric with the non-integer answer 1.5, so a
wrong answer typed with a decimal comma (e.g. "2,5") is natural. Keep that order and those kinds.
"""

L01 = {
    "number": 1,
    "title": "Introduction",
    "slug": "introduction",
    "description": """
        What machine learning is and where deep learning fits in: supervised and unsupervised
        learning, training, validation and test sets, linear regression with the mean squared error,
        gradient descent, and overfitting versus underfitting.
    """,
    "questions": [
        {
            "kind": "single",
            "title": "Supervised or unsupervised?",
            "prompt": "Which of these tasks is **unsupervised** learning?",
            "choices": [
                (
                    "Grouping customers into segments from their purchase histories, with no labels given",
                    True,
                    "Right: there are no targets; the model has to find structure (clusters) in the "
                    "inputs alone.",
                ),
                (
                    "Predicting a house's sale price from its size and location, trained on past sales",
                    False,
                    "Past sales come with their prices, i.e. labels: this is supervised learning "
                    "(regression).",
                ),
                (
                    "Deciding whether an e-mail is spam, trained on e-mails marked *spam* / *not spam*",
                    False,
                    "The e-mails are labelled: this is supervised learning (binary classification).",
                ),
                (
                    "Recognising handwritten digits, trained on images together with their digit",
                    False,
                    "Each image comes with its digit as the label: supervised classification.",
                ),
            ],
            "hint": "For each task ask: does the training data contain the answer the model should output?",
            "explanation": r"""
                In **supervised** learning every training input $x$ comes with a target $y$, and the
                model learns $f(x) \approx y$ (regression for real-valued $y$, classification for
                classes). In **unsupervised** learning there are only inputs $x$: the model finds
                structure such as clusters, a low-dimensional representation or the data density.
                Segmenting customers without labels is clustering, hence unsupervised.
            """,
        },
        {
            "kind": "numeric",
            "title": "Mean squared error of a line",
            "prompt": r"""
                A linear model $\hat y = 2x + 1$ is evaluated on three data points $(x, y)$:
                $(0, 1)$, $(1, 2)$ and $(2, 6)$. Compute the mean squared error

                $$\mathrm{MSE} = \frac{1}{N}\sum_{n=1}^{N} \left(\hat y_n - y_n\right)^2$$

                (the **mean** over the $N = 3$ points, not the sum).
            """,
            "numeric_answer": 0.6666666666666666,
            "hint": r"""
                First compute the predictions $\hat y_n$ for $x = 0, 1, 2$, then the errors
                $\hat y_n - y_n$.
            """,
            "explanation": r"""
                Predictions: $\hat y = (1, 3, 5)$. Errors: $\hat y - y = (0, 1, -1)$.
                Squared errors: $(0, 1, 1)$.

                $$\mathrm{MSE} = \frac{0 + 1 + 1}{3} = \frac{2}{3} \approx 0.667$$

                The sum of squared errors would be $2$; PyTorch's `nn.MSELoss()` takes the mean.
            """,
        },
        {
            "kind": "numeric",
            "title": "One gradient-descent step",
            "prompt": r"""
                A model $\hat y = w x + b$ with $w = 0.5$ and $b = 1$ is trained on the single example
                $x = 2$, $y = 3$ with the squared error

                $$L = (\hat y - y)^2 .$$

                Do one gradient-descent step with learning rate $\eta = 0.1$:
                $w \leftarrow w - \eta \frac{\partial L}{\partial w}$. What is the new $w$?
            """,
            "numeric_answer": 0.9,
            "hint": r"$\frac{\partial L}{\partial w} = 2(\hat y - y)\,x$.",
            "explanation": r"""
                Forward: $\hat y = 0.5 \cdot 2 + 1 = 2$, so $\hat y - y = -1$.

                Gradient: $\frac{\partial L}{\partial w} = 2 \cdot (-1) \cdot 2 = -4$.

                Step: $w = 0.5 - 0.1 \cdot (-4) = 0.9$. The gradient is negative (a larger $w$ lowers
                the loss), so the step increases $w$.
            """,
        },
        {
            "kind": "multiple",
            "title": "Signs of overfitting",
            "multiple_mode": "net_correct",
            "prompt": "Which observations indicate that a model **overfits**? Select all that apply.",
            "choices": [
                (
                    "The training loss keeps decreasing while the validation loss has started to increase.",
                    True,
                    "Yes: the model keeps fitting the training set better but generalises worse.",
                ),
                (
                    "Training accuracy 99 %, validation accuracy 71 %.",
                    True,
                    "Yes: a large gap between training and validation performance is the typical sign.",
                ),
                (
                    "Training and validation loss are both high and close to each other.",
                    False,
                    "That is underfitting: the model does not even fit the training data.",
                ),
                (
                    "Early in training the validation loss is slightly *lower* than the training loss.",
                    False,
                    "Not a sign of overfitting; it happens e.g. when dropout is active only during "
                    "training, or when the training loss is averaged over an epoch of a still-improving "
                    "model.",
                ),
            ],
            "hint": "Overfitting: good on the data the model was trained on, clearly worse on new data.",
            "explanation": """
                An overfitting model fits details and noise of the training set that do not
                generalise: training error low, validation error much higher, and the gap grows with
                further training. Both errors high and close together is **underfitting** (too little
                capacity or training). Remedies for overfitting: more data, data augmentation,
                regularization, early stopping, a smaller model.
            """,
        },
        {
            "kind": "true_false",
            "title": "Tuning on the test set",
            "prompt": """
                It is fine to choose the learning rate and the number of layers by comparing scores on
                the **test set**, as long as each setting is evaluated only once.
            """,
            "true_false_answer": False,
            "hint": "Which data may influence decisions about the model, and which must stay untouched?",
            "explanation": """
                **False.** Every choice made by looking at the test set (hyperparameters, architecture,
                when to stop) leaks information about it into the model, and the test score becomes an
                optimistic estimate. Split the data into a **training** set (fit the weights), a
                **validation** set (choose hyperparameters, early stopping) and a **test** set
                (evaluate once, at the very end).
            """,
        },
        {
            "kind": "text",
            "title": "The set for tuning",
            "prompt": """
                The data are split three ways: the weights are fitted on the training set and the
                final performance is reported on the test set. What is the third set, used to choose
                hyperparameters and when to stop training, called? (One or two words.)
            """,
            "text_answers": [
                "validation set",
                "validation",
                "validation data",
                "validation split",
                "dev set",
                "development set",
                "held-out set",
                "hold-out set",
                "held-out validation set",
            ],
            "text_mode": "case_insensitive",
            "hint": "It is used to *validate* the choices you make.",
            "explanation": """
                The **validation set** (also called development or dev set). With little data, k-fold
                cross-validation rotates the role of the validation set over the training data.
            """,
        },
    ],
}

L02 = {
    "number": 2,
    "title": "Computation Graphs",
    "slug": "computation-graphs",
    "description": """
        A network as a computation graph of simple operations; the forward pass computes values,
        the backward pass (backpropagation) applies the chain rule node by node, from the loss back
        to the parameters. Local gradients of add, multiply, max and sigmoid gates; automatic
        differentiation in PyTorch.
    """,
    "questions": [
        # Question 1 must stay single choice and question 2 numeric: see the module docstring.
        {
            "kind": "single",
            "title": "The rule behind backpropagation",
            "prompt": """
                Backpropagation computes the gradient of a loss with respect to every parameter of a
                computation graph. Which rule of calculus does it apply at every node, from the output
                back to the inputs?
            """,
            "choices": [
                (
                    "The chain rule",
                    True,
                    r"Right: each node multiplies the upstream gradient by its local gradient, "
                    r"$\frac{\partial L}{\partial x} = "
                    r"\frac{\partial L}{\partial z}\frac{\partial z}{\partial x}$.",
                ),
                (
                    "The quotient rule",
                    False,
                    "The quotient rule gives the local derivative of one kind of node ($u/v$); it is not "
                    "what combines the nodes of the graph.",
                ),
                (
                    r"Finite differences $\frac{f(x+h) - f(x)}{h}$",
                    False,
                    "That is numerical differentiation: one extra forward pass per parameter, and only "
                    "approximate. It is used to *check* backpropagation (gradient checking).",
                ),
                (
                    "L'Hôpital's rule",
                    False,
                    "L'Hôpital's rule evaluates limits of quotients; it plays no role in backpropagation.",
                ),
            ],
            "hint": r"How do you differentiate a composition $f(g(x))$?",
            "explanation": r"""
                Backpropagation is the **chain rule** applied along the graph. For $z = f(x)$ inside a
                larger graph with loss $L$:

                $$\frac{\partial L}{\partial x}
                = \frac{\partial L}{\partial z} \cdot \frac{\partial z}{\partial x}$$

                (upstream gradient times local gradient). Where a value feeds into several nodes, the
                gradients arriving along the different paths are added.
            """,
        },
        {
            "kind": "numeric",
            "title": "Backward through add and multiply",
            "prompt": r"""
                A computation graph computes

                $$q = x + y, \qquad f = q \cdot z$$

                with $x = 3$, $y = -0.5$ and $z = 1.5$. Run the forward and the backward pass: what is
                $\frac{\partial f}{\partial x}$?
            """,
            "numeric_answer": 1.5,
            "hint": r"""
                The multiply gate sends $\frac{\partial f}{\partial q} = z$ back to $q$; the add gate
                passes the gradient on unchanged.
            """,
            "explanation": r"""
                Forward: $q = 3 + (-0.5) = 2.5$ and $f = 2.5 \cdot 1.5 = 3.75$.

                Backward: start with $\frac{\partial f}{\partial f} = 1$. Multiply gate:
                $\frac{\partial f}{\partial q} = z = 1.5$ and $\frac{\partial f}{\partial z} = q = 2.5$.
                Add gate (local gradients 1):

                $$\frac{\partial f}{\partial x} = \frac{\partial f}{\partial q} \cdot 1 = 1.5$$

                and likewise $\frac{\partial f}{\partial y} = 1.5$.
            """,
        },
        {
            "kind": "numeric",
            "title": "Derivative of the sigmoid at 0",
            "prompt": r"The sigmoid is $\sigma(z) = \frac{1}{1+e^{-z}}$. Compute $\sigma'(0)$.",
            "numeric_answer": 0.25,
            "hint": r"$\sigma'(z) = \sigma(z)\,\bigl(1 - \sigma(z)\bigr)$.",
            "explanation": r"""
                $\sigma(0) = \frac{1}{1 + 1} = 0.5$, so $\sigma'(0) = 0.5 \cdot (1 - 0.5) = 0.25$.

                This is the **largest** value $\sigma'$ takes: a sigmoid gate scales every gradient
                passing through it by at most $0.25$, one reason for vanishing gradients in deep
                sigmoid networks.
            """,
        },
        {
            "kind": "numeric",
            "title": "A variable used twice",
            "prompt": r"""
                In the graph

                $$a = x \cdot y, \qquad b = x + 2, \qquad f = a \cdot b$$

                the input $x$ feeds into two nodes. With $x = 1$ and $y = 2$, compute
                $\frac{\partial f}{\partial x}$.
            """,
            "numeric_answer": 8.0,
            "hint": "Gradients that reach the same variable along different paths are **added**.",
            "explanation": r"""
                Forward: $a = 2$, $b = 3$, $f = 6$.
                Backward: $\frac{\partial f}{\partial a} = b = 3$ and $\frac{\partial f}{\partial b} = a = 2$.

                - Path through $a$:
                  $\frac{\partial f}{\partial a} \cdot \frac{\partial a}{\partial x} = 3 \cdot y = 6$.
                - Path through $b$:
                  $\frac{\partial f}{\partial b} \cdot \frac{\partial b}{\partial x} = 2 \cdot 1 = 2$.

                Sum: $\frac{\partial f}{\partial x} = 6 + 2 = 8$. Check: for $y = 2$,
                $f = 2x(x + 2) = 2x^2 + 4x$ and $f'(1) = 4 \cdot 1 + 4 = 8$.
            """,
        },
        {
            "kind": "multiple",
            "title": "Gates in the backward pass",
            "multiple_mode": "net_correct",
            "prompt": r"""
                Which statements about the backward pass through a single gate are true? $g$ is the
                upstream gradient $\frac{\partial L}{\partial z}$ arriving at the gate's output $z$.
            """,
            "choices": [
                (
                    "Add gate $z = x + y$: both inputs receive $g$ unchanged.",
                    True,
                    "Yes: both local gradients are 1, so the add gate *distributes* the gradient.",
                ),
                (
                    r"Multiply gate $z = x \cdot y$: $x$ receives $g \cdot y$, the value of the *other* "
                    "input.",
                    True,
                    r"Yes: $\partial z / \partial x = y$.",
                ),
                (
                    r"Max gate $z = \max(x, y)$ with $x > y$: $x$ receives $g$ and $y$ receives $0$.",
                    True,
                    "Yes: the max gate *routes* the gradient to the input that won.",
                ),
                (
                    r"Sigmoid gate $z = \sigma(x)$: $x$ receives $g \cdot \sigma(x)$.",
                    False,
                    r"The local gradient is $\sigma(x)\,(1 - \sigma(x))$, not $\sigma(x)$.",
                ),
                (
                    "Add gate: each input receives $g/2$, so the gradient is shared.",
                    False,
                    r"Nothing is halved: $\partial (x + y) / \partial x = 1$, so each input gets all of $g$.",
                ),
            ],
            "hint": r"Each input receives $g$ times the local derivative $\partial z / \partial x$.",
            "explanation": r"""
                - add: local gradients $1, 1$ — the gradient is copied to both inputs;
                - multiply: local gradients $y, x$ — the inputs are "swapped";
                - max: local gradients $1$ for the larger input and $0$ for the other;
                - sigmoid: local gradient $\sigma(x)(1 - \sigma(x)) \le 0.25$.
            """,
        },
        {
            "kind": "true_false",
            "title": "The cost of backpropagation",
            "prompt": """
                For a scalar loss and a network with $n$ parameters, backpropagation costs about $n$
                times as much as one forward pass, because it computes one partial derivative per
                parameter.
            """,
            "true_false_answer": False,
            "hint": "How many backward passes does backpropagation need for all $n$ partial derivatives?",
            "explanation": """
                **False.** Reverse-mode differentiation computes all $n$ partial derivatives of a
                scalar in **one** backward pass, which costs a small constant times the forward pass
                (typically 2–3×), whatever $n$ is. Needing about $n$ extra forward passes is the cost
                of finite differences (or of forward-mode differentiation), which is why networks with
                millions of parameters are trained with backpropagation.
            """,
        },
        {
            "kind": "text",
            "title": "Running the backward pass in PyTorch",
            "prompt": """
                `loss` is a scalar PyTorch tensor computed from parameters with `requires_grad=True`.
                Which method do you call on `loss` to run the backward pass and fill each parameter's
                `.grad`? (The method name, e.g. `foo` or `loss.foo()`.)
            """,
            "text_answers": [r"(?i)\s*(loss\s*\.\s*)?backward(\s*\(\s*\))?\s*"],
            "text_mode": "regex",
            "hint": "It runs the *backward* pass.",
            "explanation": """
                `loss.backward()`. It **adds** the gradients into each parameter's `.grad`, which is
                why a training loop calls `optimizer.zero_grad()` before every backward pass.
            """,
        },
    ],
}

LECTURES = [L01, L02]
