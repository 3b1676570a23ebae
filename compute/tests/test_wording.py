"""Wording: one counting convention (PyTorch's, from 0) stated the same way everywhere, mistake
messages written as Markdown with $...$ math like prompts, values below the shown precision printed
as 0, and the prompts and messages issue 10 named."""

import re

import numpy as np
import pytest

from compute.contract import COUNTING
from compute.generators import REGISTRY, get_generator
from compute.tests.generator_checks import ROOT, assert_math_is_well_formed, documented_configs

# Math written as plain text: subscripts, superscripts, LaTeX commands and the Unicode symbols prose
# used for them. Outside $...$ none of them may appear in a message (or a prompt).
PLAIN_MATH = re.compile(r"[_^\\]|[σ∂′√ŷᵀ⊙Σ∑λημεαβγπφΦ≤≥−⁻¹²₀₁₂ᵢⱼ∈‖]")


def outside_math(text: str) -> str:
    """The text with every $...$ and $$...$$ span and every `code` span removed."""
    text = re.sub(r"\$\$.*?\$\$", " ", text, flags=re.S)
    text = re.sub(r"\$.*?\$", " ", text, flags=re.S)
    return re.sub(r"`[^`]*`", " ", text)


@pytest.mark.parametrize("slug", sorted(REGISTRY))
def test_mistake_messages_are_markdown_with_math_in_dollars(slug):
    for name, message in REGISTRY[slug].mistakes.items():
        assert_math_is_well_formed(message)
        plain = PLAIN_MATH.findall(outside_math(message))
        assert not plain, f"{slug}.{name}: {plain} outside $...$ in {message!r}"


def test_the_math_check_finds_plain_text_math():
    assert PLAIN_MATH.findall(outside_math("It looks like you ignored W_hh h_{t−1}.")) == ["_", "_", "−"]
    assert not PLAIN_MATH.findall(outside_math("It looks like you ignored $W_{hh} h_{t-1}$ (`nn.RNNCell`)."))


CONFIGS = documented_configs()


@pytest.mark.parametrize("case", CONFIGS, ids=[f"{s}:{i}" for i, (s, _) in enumerate(CONFIGS)])
def test_one_counting_convention_stated_the_same_way(case):
    """No text counts from 1; a prompt that names an entry, a class, a row or a node by its index says
    how indices count, in the same sentence everywhere."""
    slug, settings = case
    generator = get_generator(slug)
    for seed in range(3):
        variant = generator.generate(seed, settings)
        texts = [variant.prompt, *(s.body for s in variant.steps), *(m.message for m in variant.mistakes)]
        for text in texts:
            assert not re.search(r"(?i)count(ing|ed|s)? from 1|1-based|one-based", text), (slug, text)
        indexes = re.search(r"`\w+\[\d|\b(entry|row|column|node|class|key) \$?\d|_\{?\d+,\d|_\{ \{\{", variant.prompt)
        if indexes:
            assert COUNTING in variant.prompt, (slug, indexes.group(0), variant.prompt)


@pytest.mark.parametrize(("slug", "settings"), [
    ("softmax_cross_entropy", {}), ("softmax_gradient", {}), ("mlp_backward", {"wrt": "W1"}),
    ("logistic_regression", {}), ("attention_weight", {}), ("conv2d_output_value", {}),
    ("normalized_adjacency", {}), ("gcn_layer", {}), ("message_passing", {}), ("ngram_probability", {}),
    ("lstm_step", {"hidden_size": 2}), ("gru_step", {"hidden_size": 2}), ("norm_penalty", {}),
    ("gan_generator_loss", {"asked": "grad_output"}),
])
def test_prompts_that_index_state_the_convention(slug, settings):
    assert COUNTING in get_generator(slug).generate(1, settings).prompt


def test_demo_questions_that_index_entries_state_the_convention():
    """A demo question naming an entry by an index subscript (x_0, W_{10}, \\hat A_{01}, k_1, h_1, …) says
    how indices count; optimizer steps (w_1, g_2, b_1, m_t) and epochs are steps, not indices."""
    entry = re.compile(r"(?<![A-Za-z\\])(x|W|k|v|\\alpha|h|p|z|\\hat A|A|y)_\{?\d")
    checked = 0
    for path in sorted((ROOT / "content").glob("*/*/*.md")):
        text = path.read_text(encoding="utf-8")
        prompt = text.split("+++\n", 2)[2]
        if entry.search(prompt):
            checked += 1
            assert COUNTING in prompt, path.name
        assert not re.search(r"(?i)counting from 1|1-based", text), path.name
    assert checked >= 5


def test_l03_q8_and_q9_count_the_same_way():
    """The demo's L03 Q8 (mlp_backward) counted matrix entries from 1 and Q9 (network) from 0."""
    mlp = get_generator("mlp_backward").generate(1, {"wrt": "W1", "index": [0, 1]})
    network = get_generator("network").generate(1, {})
    assert "(W_1)_{0,1}" in mlp.prompt and "`W1[0, 1]`" in mlp.prompt
    assert "(W_{1})_{0,1}" in network.prompt and "row 0, column 1" in network.prompt
    assert re.findall(r">(x\d)<", mlp.diagram) == ["x0", "x1"]


# --- values below the shown precision are 0 ---------------------------------------------------------

TINY = re.compile(r"10\^\{-(1\d|[2-9]\d)\}")  # 10^{-10} and below: rounding noise


@pytest.mark.parametrize("slug", ["weight_decay_step", "optimizer_step", "linear_regression_mse", "attention",
                                  "gcn_layer", "pca_first_component", "network"])
def test_worked_solutions_print_no_rounding_noise(slug):
    generator = get_generator(slug)
    for seed in range(60):
        for step in generator.generate(seed).steps:
            assert not TINY.search(step.body), (slug, seed, step.body)


def test_a_weight_that_decays_to_zero_shows_zero():
    # w − η(g + λw) = −0.5 − 0.2·(−2 − 0.5) = 0, which float arithmetic makes 2.776×10⁻¹⁷
    variant = get_generator("weight_decay_step").generate(
        1, {"size": 2, "fixed": {"w": [-0.5, 1.0], "g": [-2.0, 0.5], "lr": 0.2, "wd": 1.0}})
    assert abs(variant.answer[0]) < 1e-15 and variant.answer[0] != 0
    body = variant.steps[-1].body
    assert not TINY.search(body) and "\\begin{pmatrix} 0 \\\\" in body.rsplit("=", 1)[1]


# --- the prompts and messages issue 10 listed -----------------------------------------------------------


def test_transposed_convolution_padding_crops_the_output():
    prompt = get_generator("transposed_conv_shape").generate(1).prompt
    assert "zero padding" not in prompt and "crops" in prompt and "removes $p$ rows and columns" in prompt
    assert "zero padding $p = {{ padding }}$ on every side of the input" in get_generator(
        "conv_output_shape").generate(1).prompt


def test_dropout_in_eval_mode_explains_eval_mode():
    generator = get_generator("dropout_scaling")
    variant = generator.generate(4, {"mode": "eval"})
    masked = [m for m in variant.mistakes if m.name == "masked_at_test"]
    assert masked and "evaluation mode" in masked[0].message and "training" not in masked[0].message
    a, mask = np.array(variant.params["a"]), np.array(variant.params["mask"])
    assert masked[0].value == pytest.approx((a * mask).tolist())
    assert "forgot_scaling" not in {m.name for m in variant.mistakes}


def test_xor_network_description_matches_its_outputs():
    generator = get_generator("xor_network")
    assert "exactly 0 or 1" in generator.description
    assert {generator.generate(seed).answer for seed in range(30)} == {0.0, 1.0}


def test_cell_worked_solutions_show_every_gate():
    generator = get_generator("network")
    lstm = {"layers": [{"type": "lstm_cell", "hidden_size": 2}, {"type": "linear", "out": 1}], "input": [2, 1],
            "values": "tenths", "ask": {"quantity": "grad", "wrt": "Wih1"}}
    text = "\n".join(s.body for s in generator.generate(2, lstm).steps)
    for gate in ("a_i", "a_f", "a_g", "a_o", "c^{(2)}", "c^{(1)}"):
        assert f"\\frac{{\\partial L}}{{\\partial {gate}}}" in text, gate
    gru = {**lstm, "layers": [{"type": "gru_cell", "hidden_size": 2}, {"type": "linear", "out": 1}]}
    text = "\n".join(s.body for s in generator.generate(2, gru).steps)
    assert all(f"\\frac{{\\partial L}}{{\\partial {g}}}" in text for g in ("a_r", "a_z", "a_n"))
    assert "W_{hn} h^{(1)} + b_{hn} = " in text
