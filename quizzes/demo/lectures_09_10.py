"""Demo content, lectures 9–10: NLP, Graph Neural Networks (format: see ``quizzes.demo``).

Every numeric answer was computed in Python (float64; attention with
``torch.nn.functional.scaled_dot_product_attention``) and is the exact value.
"""

L09 = {
    "number": 9,
    "title": "Natural Language Processing",
    "slug": "natural-language-processing",
    "description": """
        From n-gram language models and perplexity to word embeddings (word2vec), subword
        tokenization, attention and the Transformer.
    """,
    "questions": [
        {
            "kind": "numeric",
            "title": "Bigram probability",
            "prompt": r"""
                A bigram model is estimated by counting (maximum likelihood, no smoothing) on this
                corpus of four sentences:

                ```
                <s> the cat sat </s>
                <s> the dog sat </s>
                <s> a cat ran </s>
                <s> the cat sat </s>
                ```

                Compute $P(\text{sat} \mid \text{cat}) = \frac{c(\text{cat sat})}{c(\text{cat})}$.
            """,
            "numeric_answer": 0.6666666666666666,
            "hint": "Count how often *cat* occurs, and how often it is followed by *sat*.",
            "explanation": r"""
                *cat* occurs 3 times; it is followed by *sat* twice and by *ran* once, so
                $P(\text{sat} \mid \text{cat}) = \frac{2}{3} \approx 0.667$. A bigram never seen in
                training gets probability 0 without smoothing (e.g. add-one/Laplace smoothing).
            """,
        },
        {
            "kind": "numeric",
            "title": "Perplexity",
            "prompt": r"""
                A language model assigns the probabilities $0.5$, $0.25$, $0.125$ and $0.25$ to the
                four tokens of a test sequence (each given the tokens before it). Compute the
                perplexity

                $$\mathrm{PP} = \left(\prod_{t=1}^{T} p_t\right)^{-1/T}
                = \exp\left(-\frac{1}{T}\sum_{t=1}^{T} \ln p_t\right).$$
            """,
            "numeric_answer": 4.0,
            "hint": r"All four probabilities are powers of $\frac{1}{2}$.",
            "explanation": r"""
                $\prod_t p_t = 2^{-1} \cdot 2^{-2} \cdot 2^{-3} \cdot 2^{-2} = 2^{-8}$, so
                $\mathrm{PP} = (2^{-8})^{-1/4} = 2^2 = 4$.

                The model is on average as uncertain as a uniform choice among 4 tokens; its mean
                cross-entropy is $\ln 4 \approx 1.386$ nats per token.
            """,
        },
        {
            "kind": "numeric",
            "title": "Scaled dot-product attention",
            "prompt": r"""
                One query attends to two keys with scalar values, $d_k = 4$:

                $$q = (1, 1, 1, 1), \quad k_1 = (1, 1, 0, 0), \quad k_2 = (1, -1, 1, -1), \quad
                v_1 = 2, \quad v_2 = -1.$$

                Compute the output $\sum_j \alpha_j v_j$ with
                $\alpha = \mathrm{softmax}_j\left(\frac{q \cdot k_j}{\sqrt{d_k}}\right)$ (three decimals).
            """,
            "numeric_answer": 1.1931757358900148,
            "hint": r"The scores are $q \cdot k_1 = 2$ and $q \cdot k_2 = 0$; divide by $\sqrt{4} = 2$.",
            "explanation": r"""
                Scaled scores: $(2/2,\; 0/2) = (1, 0)$. Softmax:
                $\alpha_1 = \frac{e}{e + 1} \approx 0.731$, $\alpha_2 = \frac{1}{e + 1} \approx 0.269$.

                $$\alpha_1 v_1 + \alpha_2 v_2 \approx 0.731 \cdot 2 - 0.269 \approx 1.193$$
            """,
        },
        {
            "kind": "single",
            "title": "Skip-gram",
            "prompt": "What does the skip-gram model of word2vec learn to predict?",
            "choices": [
                (
                    "The words in a window around a given centre word",
                    True,
                    "Right; the learned input vectors are the word embeddings.",
                ),
                (
                    "The centre word from the words around it",
                    False,
                    "That is CBOW (continuous bag of words).",
                ),
                ("Whether one sentence follows another", False, "That is BERT's next-sentence prediction."),
                (
                    "The part-of-speech tag of each word",
                    False,
                    "Tagging needs labelled data; word2vec learns from raw text alone.",
                ),
            ],
            "hint": "Skip-gram and CBOW are mirror images of each other.",
            "explanation": r"""
                Skip-gram maximizes $\sum_t \sum_{-m \le j \le m,\, j \ne 0} \ln p(w_{t+j} \mid w_t)$:
                from each centre word predict its context words (in practice with negative sampling).
                Words used in similar contexts end up with similar vectors.
            """,
        },
        {
            "kind": "true_false",
            "title": "Self-attention and word order",
            "prompt": """
                Self-attention without positional encodings is permutation-equivariant: permuting the
                input tokens permutes the output vectors in the same way, so the layer by itself cannot
                use word order.
            """,
            "true_false_answer": True,
            "hint": r"Does any part of $\mathrm{softmax}(QK^\top / \sqrt{d_k})\,V$ depend on positions?",
            "explanation": r"""
                **True.** Each output is a weighted sum over all tokens, with weights that depend only
                on the token vectors. Permuting the rows of $X$ (and so of $Q$, $K$, $V$) permutes the
                rows of the output. Positional encodings (sinusoidal, learned, rotary) add the order
                information.
            """,
        },
        {
            "kind": "multiple",
            "title": "The Transformer",
            "multiple_mode": "net_correct",
            "prompt": "Which statements about the Transformer are true?",
            "choices": [
                (
                    "Multi-head attention runs several attention functions in parallel on different learned "
                    "projections of queries, keys and values, and concatenates their outputs.",
                    True,
                    "Yes.",
                ),
                (
                    "The decoder's causal mask keeps each position from attending to later positions.",
                    True,
                    "Yes: so training with all positions at once matches generation token by token.",
                ),
                (
                    r"Dividing the scores by $\sqrt{d_k}$ keeps their variance from growing with $d_k$, "
                    r"which would saturate the softmax.",
                    True,
                    "Yes.",
                ),
                (
                    "During training the tokens of a sequence must be processed one after another, as in an "
                    "RNN.",
                    False,
                    "Training processes all positions in parallel; only generation is sequential.",
                ),
                (
                    "The cost of self-attention grows linearly with the sequence length.",
                    False,
                    r"All $n^2$ pairs of positions get a score: the cost grows quadratically.",
                ),
            ],
            "hint": r"Think about the $n \times n$ matrix of attention scores.",
            "explanation": r"""
                $\mathrm{Attention}(Q, K, V) = \mathrm{softmax}\left(\frac{QK^\top}{\sqrt{d_k}}\right) V$.
                For independent entries with variance 1, $q \cdot k$ has variance $d_k$; dividing by
                $\sqrt{d_k}$ restores variance 1. The $n \times n$ score matrix makes the cost
                quadratic in the sequence length $n$.
            """,
        },
        {
            "kind": "text",
            "title": "Subword tokenization",
            "prompt": """
                Which subword tokenization algorithm starts from single characters (or bytes) and
                repeatedly merges the most frequent pair of adjacent symbols into a new symbol? (Name
                or acronym.)
            """,
            "text_answers": [r"(?i)\s*(bpe|byte[\s-]?pair([\s-]?encoding)?)\s*"],
            "text_mode": "regex",
            "hint": "Its name says what is merged: a *pair* of ...",
            "explanation": """
                **Byte-pair encoding (BPE)**, originally a compression algorithm; GPT models use a
                byte-level version. The merges learned on the training corpus are applied in the same
                order to new text, so rare words are split into known subwords.
            """,
        },
    ],
}

L10 = {
    "number": 10,
    "title": "Graph Neural Networks",
    "slug": "graph-neural-networks",
    "description": """
        Learning on graphs: adjacency and degree, message passing, the graph convolutional network
        (GCN) with its normalized adjacency, permutation invariance and equivariance, readout for
        whole graphs, and over-smoothing.
    """,
    "questions": [
        {
            "kind": "numeric",
            "title": "Normalized adjacency of a path graph",
            "prompt": r"""
                A GCN uses the normalized adjacency $\hat A = \tilde D^{-1/2} (A + I)\, \tilde D^{-1/2}$,
                where $\tilde D$ is the diagonal degree matrix of $A + I$ (self-loops counted). For the
                path graph $1 - 2 - 3$,

                $$A = \begin{pmatrix} 0 & 1 & 0 \\ 1 & 0 & 1 \\ 0 & 1 & 0 \end{pmatrix}.$$

                Compute the entry $\hat A_{12}$ (three decimals).
            """,
            "numeric_answer": 0.408248290463863,
            "hint": r"$\hat A_{ij} = \frac{(A + I)_{ij}}{\sqrt{\tilde d_i \tilde d_j}}$.",
            "explanation": r"""
                Degrees with self-loops: $\tilde d = (2, 3, 2)$. So
                $\hat A_{12} = \frac{1}{\sqrt{2 \cdot 3}} = \frac{1}{\sqrt 6} \approx 0.408$, and

                $$\hat A = \begin{pmatrix}
                1/2 & 1/\sqrt6 & 0 \\ 1/\sqrt6 & 1/3 & 1/\sqrt6 \\ 0 & 1/\sqrt6 & 1/2
                \end{pmatrix}.$$
            """,
        },
        {
            "kind": "numeric",
            "title": "One GCN layer",
            "prompt": r"""
                Same graph and $\hat A$ as in the previous question. The nodes carry the scalar
                features $x = (1, 2, 3)^\top$, and the layer computes $h = \hat A\, x\, w$ with weight
                $w = 1$ and no activation. Compute $h_2$, the output of the middle node (three
                decimals).
            """,
            "numeric_answer": 2.2996598285221186,
            "hint": r"$h_2 = \hat A_{21} x_1 + \hat A_{22} x_2 + \hat A_{23} x_3$.",
            "explanation": r"""
                $$h_2 = \frac{1}{\sqrt 6} \cdot 1 + \frac{1}{3} \cdot 2 + \frac{1}{\sqrt 6} \cdot 3
                = \frac{4}{\sqrt 6} + \frac{2}{3} \approx 1.633 + 0.667 = 2.300$$

                The middle node mixes its own feature with its neighbours', weighted by the degrees.
            """,
        },
        {
            "kind": "numeric",
            "title": "Counting edges from degrees",
            "prompt": r"""
                An undirected graph without self-loops has five nodes with degrees $3, 2, 2, 1, 2$.
                How many edges does it have?
            """,
            "numeric_answer": 5.0,
            "rtol": 0.0,
            "atol": 0.01,
            "hint": "Every edge contributes to the degree of two nodes.",
            "explanation": r"""
                Handshake lemma: $\sum_v \deg(v) = 2|E|$, so $|E| = \frac{3 + 2 + 2 + 1 + 2}{2} = 5$.
                The degree of node $v$ is the row sum $\sum_u A_{vu}$ of the adjacency matrix.
            """,
        },
        {
            "kind": "single",
            "title": "A permutation-invariant readout",
            "prompt": r"""
                To classify whole graphs, the node embeddings $h_1, \dots, h_n$ are combined into one
                graph embedding. Which readout gives the same result for every numbering of the nodes?
            """,
            "choices": [
                (r"$\sum_v h_v$, the sum over all nodes", True, "Right: a sum does not depend on the order."),
                (
                    r"Concatenating $h_1, h_2, \dots, h_n$ in node order",
                    False,
                    "Renumbering the nodes reorders the concatenation.",
                ),
                (
                    r"$h_1$, the embedding of the first node",
                    False,
                    "Which node is first depends on the numbering.",
                ),
                (
                    "An MLP applied to the flattened adjacency matrix",
                    False,
                    "Renumbering permutes the rows and columns of $A$, so the MLP sees a different input.",
                ),
            ],
            "hint": "Which of these operations ignores the order of its inputs?",
            "explanation": r"""
                A readout must satisfy $f(h_{\pi(1)}, \dots, h_{\pi(n)}) = f(h_1, \dots, h_n)$ for
                every permutation $\pi$. Sum, mean and max do; so does an MLP applied after one of
                them.
            """,
        },
        {
            "kind": "true_false",
            "title": "The power of message passing",
            "prompt": """
                A message-passing GNN with sum aggregation and enough layers can distinguish any two
                non-isomorphic graphs.
            """,
            "true_false_answer": False,
            "hint": "Try a 6-cycle against two separate triangles, with the same feature at every node.",
            "explanation": """
                **False.** Message passing is at most as powerful as the 1-dimensional
                Weisfeiler–Lehman test. In a 6-cycle and in two disjoint triangles every node has
                degree 2, so with equal initial features all nodes receive the same messages in every
                layer, and a permutation-invariant readout cannot tell the graphs apart. GIN reaches
                the 1-WL bound.
            """,
        },
        {
            "kind": "multiple",
            "title": "Message passing",
            "multiple_mode": "all_or_nothing",
            "prompt": r"""
                A message-passing layer computes
                $h_v' = \phi\left(h_v, \bigoplus_{u \in \mathcal N(v)} \psi(h_u)\right)$, where
                $\bigoplus$ aggregates the messages of the neighbours $\mathcal N(v)$. Which statements
                are true? (All or nothing.)
            """,
            "choices": [
                ("The aggregation must be permutation-invariant, e.g. sum, mean or max.", True, "Yes."),
                (
                    r"The same functions $\phi$ and $\psi$ (the same weights) are used at every node.",
                    True,
                    "Yes: weights are shared, like a convolution's kernel.",
                ),
                (
                    "After $K$ such layers, a node's embedding can depend on nodes up to $K$ hops away.",
                    True,
                    "Yes: each layer widens the receptive field by one hop.",
                ),
                (
                    "The number of parameters grows with the number of nodes of the graph.",
                    False,
                    "Shared weights: one model works for graphs of any size.",
                ),
                (
                    "The layer needs a fixed numbering of the nodes.",
                    False,
                    "Only neighbourhoods matter; renumbering the nodes renumbers the outputs the same way.",
                ),
            ],
            "hint": "Compare with a convolution: local, shared weights.",
            "explanation": r"""
                Each node aggregates messages from its neighbours $\mathcal N(v)$ with an
                order-independent function and updates its state with shared weights. Stacking $K$
                layers propagates information $K$ hops. The GCN layer is the special case
                $H' = \sigma(\hat A H W)$.
            """,
        },
        {
            "kind": "text",
            "title": "Too many layers",
            "prompt": """
                Stacking many GCN layers tends to make the embeddings of all nodes in a connected
                graph nearly identical. What is this problem called?
            """,
            "text_answers": [r"(?i)\s*(the\s+)?over[\s-]?smooth(ing|ening)\s*"],
            "text_mode": "regex",
            "hint": "Each layer averages over neighbours, i.e. *smooths* the features ...",
            "explanation": r"""
                **Over-smoothing.** Repeated multiplication with $\hat A$ acts like repeated local
                averaging; in a connected graph $\hat A^k x$ converges to a multiple of one fixed
                vector (proportional to $\sqrt{\tilde d_v}$), whatever the input features were.
                Remedies: fewer layers, residual connections, normalization.
            """,
        },
    ],
}

LECTURES = [L09, L10]
