"""The demo's computed questions: at least two per lecture, each student gets their own numbers.

Keyed by lecture number; each entry is a question dict as in the lecture modules (kind
"computed" for one number, "computed_array" for a vector or matrix). An empty prompt uses the
generator's own, which states the conventions its answer follows. They follow the lecture's
written questions in its quiz.
"""


def _q(
    title: str, generator: str, config: dict | None = None, *, array: bool = False, hint: str = ""
) -> dict:
    return {
        "kind": "computed_array" if array else "computed",
        "title": title,
        "prompt": "",
        "generator": generator,
        "generator_config": config or {},
        "hint": hint,
    }


COMPUTED = {
    1: [
        _q("Your own regression line: gradient of the MSE", "linear_regression_mse", {"ask": "grad_w"}),
        _q("Your own logistic regression: the loss", "logistic_regression", {"ask": "loss"}),
    ],
    2: [
        _q(
            "Your own computation graph",
            "computation_graph",
            {"graph": "square", "wrt": "x"},
            hint="Go backwards from the output: multiply the local derivatives along the path.",
        ),
        _q(
            "Backward through a sigmoid node",
            "computation_graph",
            {"graph": "sigmoid", "wrt": "y"},
            hint="The sigmoid's local derivative is $\\sigma(z)(1-\\sigma(z))$.",
        ),
    ],
    3: [
        _q(
            "Backpropagation through your own MLP",
            "mlp_backward",
            {"wrt": "W1"},
            hint="Chain rule: $\\frac{\\partial L}{\\partial \\hat y}$, then through $W_2$, then through "
            "$\\sigma'(z)$, then the input.",
        ),
        _q("Your own tiny network", "network"),
        _q("A derivative of an activation", "activation_derivative", {"activation": "tanh"}),
    ],
    4: [
        _q("Gradient of softmax + cross-entropy", "softmax_gradient", array=True),
        _q("Initialization variance", "init_variance"),
    ],
    5: [
        _q("One SGD step with weight decay", "weight_decay_step", array=True),
        _q("Inverted dropout", "dropout_scaling", array=True),
    ],
    6: [
        _q("Two steps of SGD with momentum", "optimizer_step", {"optimizer": "momentum"}),
        _q("Adam's first steps", "optimizer_step", {"optimizer": "adam"}),
    ],
    7: [
        _q("A convolution by hand", "conv2d_output_value"),
        _q("Receptive field of a conv stack", "receptive_field"),
        _q("Max pooling", "pooling_output", array=True),
    ],
    8: [
        _q("One step of a vanilla RNN", "rnn_step", array=True),
        _q("One LSTM step", "lstm_step"),
    ],
    9: [
        _q("Scaled dot-product attention", "attention", array=True),
        _q("Perplexity", "perplexity"),
    ],
    10: [
        _q("One GCN layer", "gcn_layer", array=True),
        _q("Normalized adjacency", "normalized_adjacency"),
    ],
    11: [
        _q("The KL term of your VAE", "vae_kl"),
        _q("Reparameterization", "reparameterization", array=True),
    ],
    12: [
        _q("The discriminator's loss", "gan_discriminator_loss"),
        _q("The optimal discriminator", "optimal_discriminator"),
    ],
}
