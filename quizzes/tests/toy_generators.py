"""Two small generators for tests of computed questions (registered only while a test runs).

The real generators are exercised by compute/tests; these make the flow of a computed question
easy to follow: ``Product`` (a times b, one known mistake, a ``scale`` setting) for a number,
``Doubled`` (2x) for a vector. The ``toy_generators`` fixture (quizzes/tests/conftest.py)
registers both under their slugs, ``toy_product`` and ``toy_doubled``.
"""

import numpy as np

from compute.config import Field, Schema
from compute.contract import Generator
from compute.variant import Solved, Step


class Product(Generator):
    slug, title, description, lectures = "toy_product", "Product", "a times b", (2,)
    schema = Schema((Field("scale", "int", 1, "multiply the answer", min=1, max=10),))
    mistakes = {"added": "You added a and b instead of multiplying them."}

    def sample_batch(self, sampler, config):
        return {"a": sampler.integers(2, 9).astype(float), "b": sampler.integers(11, 19).astype(float)}

    def solve(self, params, config, device="cpu"):
        a, b = params["a"], params["b"]
        return Solved(answer=a * b * config["scale"], values={"ab": a * b}, mistakes={"added": a + b})

    def explain(self, params, values, config):
        return [Step("Multiply", f"$a \\cdot b = {values['ab']:g}$")]

    def prompt(self, config):
        return "Compute $a \\cdot b$ for $a = {{ a }}$ and $b = {{ b }}$."


class Doubled(Generator):
    slug, title, description, lectures = "toy_doubled", "Doubled", "2x", (3,)
    answer_kind = "vector"
    mistakes = {"same": "You did not double the vector."}

    def sample_batch(self, sampler, config):
        return {"x": sampler.integers(1, 5, shape=(3,)).astype(float)}

    def solve(self, params, config, device="cpu"):
        x = np.array(params["x"])
        return Solved(answer=(2 * x).tolist(), values={}, mistakes={"same": x.tolist()})

    def explain(self, params, values, config):
        return [Step("Double", "Multiply each entry by 2.")]

    def prompt(self, config):
        return "Double $x = {{ x }}$."


TOY_GENERATORS = (Product, Doubled)
