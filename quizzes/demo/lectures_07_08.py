"""Demo content, lectures 7–8: CNNs, Sequence Models (format: see ``quizzes.demo``).

Every numeric answer was computed in Python (float64; layer sizes and parameter counts with
``torch.nn``) and is the exact value.
"""

L07 = {
    "number": 7,
    "title": "Convolutional Neural Networks",
    "slug": "convolutional-neural-networks",
    "description": r"""
        Convolutional layers: kernels, stride and padding, output sizes and parameter counts,
        receptive fields, pooling, $1 \times 1$ convolutions, and why weight sharing gives
        translation equivariance.
    """,
    "questions": [
        {
            "kind": "numeric",
            "title": "Output size of a convolution",
            "prompt": r"""
                A 2-D convolution with kernel size $K = 3$, stride $S = 2$ and padding $P = 1$ is
                applied to a $28 \times 28$ input. The output width is

                $$W_\text{out} = \left\lfloor \frac{W - K + 2P}{S} \right\rfloor + 1$$

                (PyTorch rounds down). What is $W_\text{out}$?
            """,
            "numeric_answer": 14.0,
            "rtol": 0.0,
            "atol": 0.01,
            "hint": r"$\frac{28 - 3 + 2}{2} = 13.5$.",
            "explanation": r"""
                $\left\lfloor \frac{28 - 3 + 2 \cdot 1}{2} \right\rfloor + 1 = \lfloor 13.5 \rfloor + 1 = 14$,
                so the output is $14 \times 14$: stride 2 roughly halves the resolution.
            """,
        },
        {
            "kind": "numeric",
            "title": "Parameters of a convolutional layer",
            "prompt": r"""
                How many trainable parameters has `nn.Conv2d(in_channels=3, out_channels=16,
                kernel_size=5)` (with bias, the default)?
            """,
            "numeric_answer": 1216.0,
            "rtol": 0.0,
            "atol": 0.01,
            "hint": r"Each output channel has one $3 \times 5 \times 5$ kernel and one bias.",
            "explanation": r"""
                One filter: $3 \cdot 5 \cdot 5 = 75$ weights plus $1$ bias $= 76$. Sixteen filters:
                $16 \cdot 76 = 1216$. The count does not depend on the image size: the same kernels
                are shared over all positions.
            """,
        },
        {
            "kind": "numeric",
            "title": "One output of a 2-D convolution",
            "prompt": r"""
                PyTorch's `conv2d` computes a cross-correlation (the kernel is **not** flipped), with
                indices from 0:

                $$y_{ij} = \sum_{m=0}^{1} \sum_{n=0}^{1} x_{i+m,\, j+n}\, k_{mn}$$

                for the input and kernel

                $$x = \begin{pmatrix} 1 & 2 & 0 \\ 0 & 1 & 3 \\ 2 & 1 & 0 \end{pmatrix}, \qquad
                k = \begin{pmatrix} 1 & 0 \\ -1 & 2 \end{pmatrix}.$$

                With stride 1 and no padding the output is $2 \times 2$. What is its top-left entry
                $y_{00}$?
            """,
            "numeric_answer": 3.0,
            "hint": r"Lay $k$ over the top-left $2 \times 2$ block of $x$ and sum the products.",
            "explanation": r"""
                The top-left window of $x$ is $\begin{pmatrix} 1 & 2 \\ 0 & 1 \end{pmatrix}$:

                $$y_{00} = 1 \cdot 1 + 2 \cdot 0 + 0 \cdot (-1) + 1 \cdot 2 = 3$$

                The whole output is $\begin{pmatrix} 3 & 7 \\ 0 & 0 \end{pmatrix}$. A convolution in
                the mathematical sense flips the kernel first and would give $1$ here.
            """,
        },
        {
            "kind": "numeric",
            "title": "Receptive field of stacked convolutions",
            "prompt": r"""
                Three $3 \times 3$ convolutions with stride 1 are stacked. How many input pixels wide
                is the receptive field of one unit of the third layer's output?
            """,
            "numeric_answer": 7.0,
            "rtol": 0.0,
            "atol": 0.01,
            "hint": r"Each $3 \times 3$ layer with stride 1 widens the receptive field by $3 - 1 = 2$.",
            "explanation": r"""
                $1 + 3 \cdot (3 - 1) = 7$. Three stacked $3 \times 3$ layers see a $7 \times 7$
                patch, like one $7 \times 7$ layer, but with $3 \cdot 9 C^2 = 27 C^2$ instead of
                $49 C^2$ weights (for $C$ channels) and three nonlinearities instead of one: the
                argument behind VGG.
            """,
        },
        {
            "kind": "single",
            "title": "What convolution guarantees",
            "prompt": """
                The input image of a convolutional layer (stride 1) is shifted by a few pixels.
                Ignoring the borders, what happens to the layer's output?
            """,
            "choices": [
                (
                    "It is shifted by the same amount (translation equivariance).",
                    True,
                    "Right: the same kernel is applied at every position.",
                ),
                (
                    "It does not change at all (translation invariance).",
                    False,
                    "Invariance is what you get, approximately, after pooling or global pooling; the "
                    "convolution's output itself moves with the input.",
                ),
                (
                    "It changes completely, because every position has its own weights.",
                    False,
                    "That would be a fully connected or locally connected layer; a convolution shares one "
                    "kernel across all positions.",
                ),
                ("It is rotated.", False, "A shift of the input never rotates the feature map."),
            ],
            "hint": "The same kernel slides over every position.",
            "explanation": r"""
                With $T$ a shift, convolution satisfies $\mathrm{conv}(T x) = T\, \mathrm{conv}(x)$
                (**equivariance**), because the weights are shared across positions. Pooling and,
                finally, global pooling turn this into (approximate) **invariance** of the class
                prediction.
            """,
        },
        {
            "kind": "multiple",
            "title": "Max pooling",
            "multiple_mode": "net_correct",
            "prompt": r"Which statements about $2 \times 2$ max pooling with stride 2 are true?",
            "choices": [
                ("It halves the height and the width of each feature map.", True, "Yes."),
                ("It has no trainable parameters.", True, "Yes."),
                (
                    "In the backward pass each output's whole gradient goes to the input that was the "
                    "maximum of its window.",
                    True,
                    "Yes: like a max gate; the other three inputs get 0.",
                ),
                ("It mixes information across channels.", False, "Pooling acts on each channel separately."),
                (
                    "It makes the network exactly invariant to any translation of the input.",
                    False,
                    "It absorbs only small shifts within a window, and only partly.",
                ),
            ],
            "hint": "Pooling is applied to each channel on its own, window by window.",
            "explanation": """
                Max pooling reduces the resolution, adds robustness to small shifts, and has no
                parameters. Backward, it routes the gradient to the argmax of each window (in PyTorch,
                to the first maximum when there are ties).
            """,
        },
        {
            "kind": "true_false",
            "title": "1×1 convolutions",
            "prompt": r"""
                A $1 \times 1$ convolution with 64 input and 32 output channels has
                $64 \cdot 32 + 32 = 2080$ parameters and can be used to reduce the number of channels.
            """,
            "true_false_answer": True,
            "hint": r"A $1 \times 1$ convolution is a linear layer applied at every pixel.",
            "explanation": r"""
                **True.** At each pixel it maps the 64 channel values linearly to 32 (32 kernels of
                $64 \cdot 1 \cdot 1$ weights plus 32 biases $= 2080$). Inception and ResNet
                bottleneck blocks use it to cut the channels before an expensive $3 \times 3$
                convolution.
            """,
        },
    ],
}

L08 = {
    "number": 8,
    "title": "Sequence Models",
    "slug": "sequence-models",
    "description": """
        Recurrent neural networks: the recurrence, parameter sharing over time, backpropagation
        through time, exploding and vanishing gradients, LSTM and GRU cells.
    """,
    "questions": [
        {
            "kind": "numeric",
            "title": "One step of a vanilla RNN",
            "prompt": r"""
                A scalar RNN computes $h_t = \tanh(w_x x_t + w_h h_{t-1} + b)$ with $w_x = 0.5$,
                $w_h = -1$ and $b = 0$. Given $x_t = 2$ and $h_{t-1} = 0.5$, compute $h_t$ (three
                decimals).
            """,
            "numeric_answer": 0.46211715726000974,
            "hint": "Compute the pre-activation first.",
            "explanation": r"""
                Pre-activation: $0.5 \cdot 2 + (-1) \cdot 0.5 + 0 = 0.5$, so
                $h_t = \tanh(0.5) \approx 0.462$.
            """,
        },
        {
            "kind": "numeric",
            "title": "Parameters of an LSTM layer",
            "prompt": r"""
                How many trainable parameters has `nn.LSTM(input_size=10, hidden_size=20)` (one
                layer)? For its four gates $i, f, g, o$ PyTorch stores $W_{ih}$ ($4H \times I$),
                $W_{hh}$ ($4H \times H$) and **two** bias vectors $b_{ih}$ and $b_{hh}$ (each of
                length $4H$), with $I = 10$ and $H = 20$.
            """,
            "numeric_answer": 2560.0,
            "rtol": 0.0,
            "atol": 0.01,
            "hint": r"$4H(I + H) + 2 \cdot 4H$.",
            "explanation": r"""
                $W_{ih}$: $80 \cdot 10 = 800$; $W_{hh}$: $80 \cdot 20 = 1600$; biases:
                $2 \cdot 80 = 160$. Total $2560$. With a single bias vector, as in most textbooks,
                it would be $2480$; a vanilla `nn.RNN(10, 20)` has $2560 / 4 = 640$.
            """,
        },
        {
            "kind": "single",
            "title": "The forget gate",
            "prompt": r"""
                An LSTM cell updates its state as

                $$c_t = f_t \odot c_{t-1} + i_t \odot g_t, \qquad h_t = o_t \odot \tanh(c_t).$$

                Which part decides how much of the previous cell state $c_{t-1}$ is kept?
            """,
            "choices": [
                (
                    "$f_t$, the forget gate",
                    True,
                    r"Right: $f_t \approx 1$ keeps the memory, $f_t \approx 0$ erases it.",
                ),
                (
                    "$i_t$, the input gate",
                    False,
                    "It scales the candidate $g_t$: how much new content is written.",
                ),
                (
                    "$o_t$, the output gate",
                    False,
                    r"It decides how much of $\tanh(c_t)$ is exposed as $h_t$.",
                ),
                ("$g_t$, the candidate", False, r"$g_t$ is the new content (a $\tanh$), not a gate."),
            ],
            "hint": "Which factor multiplies $c_{t-1}$?",
            "explanation": r"""
                $c_{t-1}$ enters only through $f_t \odot c_{t-1}$, so the **forget gate** decides what
                is kept. Because this path is additive and only gated, gradients can flow along the
                cell state over many steps when $f_t \approx 1$.
            """,
        },
        {
            "kind": "numeric",
            "title": "Updating the cell state",
            "prompt": r"""
                Use the LSTM cell update $c_t = f_t c_{t-1} + i_t g_t$ with the scalars $f_t = 0.5$,
                $c_{t-1} = 2$, $i_t = 0.8$ and $g_t = -0.5$. Compute $c_t$.
            """,
            "numeric_answer": 0.6,
            "hint": "Two products, then add.",
            "explanation": r"""
                $c_t = 0.5 \cdot 2 + 0.8 \cdot (-0.5) = 1 - 0.4 = 0.6$.
            """,
        },
        {
            "kind": "true_false",
            "title": "Shared weights in backpropagation through time",
            "prompt": r"""
                In backpropagation through time, the gradient of the loss with respect to the
                recurrent weight matrix $W_{hh}$ is the **sum** of the contributions from all time
                steps, because the same $W_{hh}$ is used at every step.
            """,
            "true_false_answer": True,
            "hint": "A variable used in several places of a computation graph ...",
            "explanation": r"""
                **True.** Unrolled over $T$ steps, $W_{hh}$ appears $T$ times in the graph, and the
                gradients of all its uses add up:
                $\frac{\partial L}{\partial W_{hh}}
                = \sum_{t=1}^{T} \frac{\partial L}{\partial W_{hh}^{(t)}}$.
            """,
        },
        {
            "kind": "multiple",
            "title": "Long sequences",
            "multiple_mode": "net_correct",
            "prompt": """
                Which measures help against exploding or vanishing gradients when training recurrent
                networks on long sequences?
            """,
            "choices": [
                (
                    "Clipping the gradient norm, e.g. with `torch.nn.utils.clip_grad_norm_`",
                    True,
                    "Yes, against exploding gradients: a too large gradient is scaled down to a maximum "
                    "norm.",
                ),
                (
                    "Gated cells such as LSTM or GRU",
                    True,
                    "Yes, against vanishing gradients: the gated additive state update gives gradients a "
                    "path through time.",
                ),
                (
                    "Replacing tanh by the sigmoid in a vanilla RNN",
                    False,
                    r"$\sigma' \le 0.25$ (against $\tanh' \le 1$) makes vanishing gradients worse.",
                ),
                (
                    r"Dropping the nonlinearity: $h_t = W_{hh} h_{t-1} + W_{xh} x_t$",
                    False,
                    r"The gradient then contains powers $W_{hh}^k$, which vanish or explode unless all "
                    r"eigenvalues have magnitude 1.",
                ),
            ],
            "hint": "One problem is too large gradients, the other too small ones.",
            "explanation": r"""
                The gradient from step $t$ back to step $t - k$ contains a product of $k$ Jacobians
                $\frac{\partial h_s}{\partial h_{s-1}}$; its size tends to shrink or grow
                exponentially in $k$. Clipping caps exploding gradients; gated cells (LSTM, GRU)
                give an additive path that keeps gradients from vanishing.
            """,
        },
        {
            "kind": "text",
            "title": "Training an unrolled RNN",
            "prompt": """
                What is the algorithm called that trains an RNN by unrolling it over the time steps of
                a sequence and running backpropagation on the unrolled graph? (Full name or acronym.)
            """,
            "text_answers": [
                "backpropagation through time",
                "back-propagation through time",
                "back propagation through time",
                "backprop through time",
                "BPTT",
            ],
            "text_mode": "case_insensitive",
            "hint": "Backpropagation through ...",
            "explanation": """
                **Backpropagation through time (BPTT).** Truncated BPTT backpropagates only through
                the last $k$ steps, to bound memory and compute for long sequences.
            """,
        },
    ],
}

LECTURES = [L07, L08]
