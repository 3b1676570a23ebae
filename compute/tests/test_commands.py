"""The command-line interface: list_generators and compute_variant."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from compute.generators import REGISTRY

KEYS = {"generator", "seed", "config", "params", "answer", "tolerance", "steps", "mistakes", "device", "compute_ms"}


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_list_generators_json_describes_every_generator():
    listed = json.loads(run("list_generators", "--json"))
    assert {g["slug"] for g in listed} == set(REGISTRY)
    assert all(g["config"] and g["lectures"] and g["title"] for g in listed)


def test_list_generators_json_lists_the_steps_of_generators_with_steps():
    listed = {g["slug"]: g for g in json.loads(run("list_generators", "--json"))}
    steps = {step["name"]: step for step in listed["mlp_backward"]["steps"]}
    assert steps["dL_dz1"] == {"name": "dL_dz1", "symbol": "\\partial L/\\partial z_1", "shape": "vector",
                               "title": "gradient at the hidden pre-activation", "depends": ["dL_da1", "a1"]}
    assert listed["formula"]["steps"] == []


def test_compute_variant_json_has_the_documented_keys_and_matches_generate():
    data = json.loads(run("compute_variant", "mlp_backward", "--seed", "42", "--json", "--device", "cpu"))
    assert set(data) == KEYS | {"step_values"} and data["device"] == "cpu" and data["compute_ms"] > 0
    assert len(data["step_values"]["z1"]) == 4 and len(data["step_values"]) == 12
    assert data["step_values"]["L"] == pytest.approx(REGISTRY["mlp_backward"].generate(42, {}).values["loss"])
    expected = REGISTRY["mlp_backward"].generate(42, {})
    assert data["answer"] == expected.answer and data["params"] == expected.params


def test_compute_variant_takes_a_config():
    data = json.loads(run("compute_variant", "mlp_backward", "--seed", "1", "--json", "--config", '{"wrt": "b1"}'))
    assert data["config"]["wrt"] == "b1"


@pytest.mark.parametrize(
    "args, message",
    [
        (("nope", "--seed", "1"), "Known generators"),
        (("mlp_backward", "--seed", "1", "--config", "{bad"), "not valid JSON"),
        (("mlp_backward", "--seed", "1", "--config", '{"colour": 1}'), "known settings"),
        (("mlp_backward", "--seed", "-5"), "--seed"),
    ],
)
def test_bad_input_exits_with_a_message_listing_what_is_allowed(args, message):
    with pytest.raises(CommandError, match=message):
        run("compute_variant", *args)
