"""Which device the compute engine runs on: QUIZSERVER_COMPUTE_DEVICE = auto | cpu | cuda."""

import os


class DeviceError(RuntimeError):
    """The requested device cannot be used here."""


def device_name(requested: str | None = None) -> str:
    """"cuda" or "cpu". ``requested`` (default: the environment variable, else "auto") picks:
    auto uses CUDA when torch sees a GPU; cuda without a GPU raises ``DeviceError``.

    Imports torch (only compute workers call this).
    """
    requested = (requested or os.environ.get("QUIZSERVER_COMPUTE_DEVICE") or "auto").strip().lower()
    if requested not in {"auto", "cpu", "cuda"}:
        raise DeviceError(f"QUIZSERVER_COMPUTE_DEVICE must be auto, cpu or cuda, not {requested!r}.")
    if requested == "cpu":
        return "cpu"
    import torch

    if torch.cuda.is_available():
        return "cuda"
    if requested == "cuda":
        raise DeviceError("CUDA was requested but torch sees no GPU on this machine.")
    return "cpu"
