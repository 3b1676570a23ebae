"""Device choice, and CPU/CUDA agreement where a GPU exists."""

import numpy as np
import pytest

from compute.device import DeviceError, device_name
from compute.generators import REGISTRY


def test_cpu_is_honoured_and_bad_values_are_refused(monkeypatch):
    monkeypatch.setenv("QUIZSERVER_COMPUTE_DEVICE", "cpu")
    assert device_name() == "cpu"
    with pytest.raises(DeviceError, match="auto, cpu or cuda"):
        device_name("tpu")


def test_auto_falls_back_to_cpu_and_cuda_without_gpu_is_an_error():
    import torch

    if torch.cuda.is_available():
        assert device_name("auto") == "cuda"
    else:
        assert device_name("auto") == "cpu"
        with pytest.raises(DeviceError, match="no GPU"):
            device_name("cuda")


@pytest.mark.parametrize("slug", sorted(REGISTRY))
def test_cpu_and_cuda_agree_to_1e_9(slug):
    import torch

    if not torch.cuda.is_available():
        pytest.skip("no CUDA device on this machine (bench/gpu_check.sh runs this on a GPU host)")
    generator = REGISTRY[slug]
    for seed in range(10):
        cpu, cuda = generator.generate(seed, {}, "cpu"), generator.generate(seed, {}, "cuda")
        np.testing.assert_allclose(np.asarray(cuda.answer), np.asarray(cpu.answer), rtol=1e-9, atol=1e-9)
