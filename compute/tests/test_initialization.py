"""Xavier and He initialization: variances, bounds and standard deviations by hand and against
torch.nn.init; config errors; every config."""

import math

import pytest
import torch

from compute.config import ConfigError
from compute.generators import get_generator
from compute.tests.generator_checks import answer, assert_keeps_the_contract, config_combinations

FANS = {"fan_in": 100, "fan_out": 200}


@pytest.mark.parametrize(("config", "expected"), [
    ({"scheme": "xavier_uniform"}, 2 / 300),
    ({"scheme": "xavier_uniform", "ask": "bound"}, math.sqrt(6 / 300)),
    ({"scheme": "xavier_normal", "ask": "std"}, math.sqrt(2 / 300)),
    ({"scheme": "kaiming_normal"}, 2 / 100),
    ({"scheme": "kaiming_uniform", "ask": "bound", "mode": "fan_out"}, math.sqrt(6 / 200)),
])
def test_init_by_hand(config, expected):
    assert answer("init_variance", config, FANS).answer == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("scheme", ["xavier_uniform", "kaiming_uniform"])
def test_uniform_bound_matches_what_torch_init_draws(scheme):
    variant = answer("init_variance", {"scheme": scheme, "ask": "bound"}, FANS)
    weight = torch.empty(200, 100, dtype=torch.float64)  # (out_features, in_features)
    torch.manual_seed(0)
    if scheme == "xavier_uniform":
        torch.nn.init.xavier_uniform_(weight)
    else:
        torch.nn.init.kaiming_uniform_(weight, mode="fan_in", nonlinearity="relu")
    assert 0.99 * variant.answer < weight.abs().max().item() <= variant.answer


def test_init_config_errors_say_what_is_allowed():
    generator = get_generator("init_variance")
    with pytest.raises(ConfigError, match="needs a uniform scheme"):
        generator.clean_config({"scheme": "kaiming_normal", "ask": "bound"})
    with pytest.raises(ConfigError, match="needs a normal scheme"):
        generator.clean_config({"ask": "std"})
    with pytest.raises(ConfigError, match="Kaiming schemes only"):
        generator.clean_config({"mode": "fan_out"})
    with pytest.raises(ConfigError, match="“fan_in” must be a whole number of at least 1"):
        generator.clean_config({"fixed": {"fan_in": 0}})


# --- every config, not only the defaults the contract test covers -------------------------------

def test_every_config_keeps_the_contract():
    for config in config_combinations("init_variance", skip_refused=True):
        assert_keeps_the_contract(get_generator("init_variance"), config)
