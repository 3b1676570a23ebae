"""Which device the compute engine runs on: QUIZSERVER_COMPUTE_DEVICE = auto | cpu | cuda."""

import os


class DeviceError(RuntimeError):
    """The requested device cannot be used here."""


def device_name(requested: str | None = None) -> str:
    """ "cuda" or "cpu". ``requested`` (default: the environment variable, else "auto") picks:
    auto uses CUDA when torch sees a GPU; cuda without a GPU raises ``DeviceError``.

    Imports torch (only compute workers call this).
    """
    requested = (requested or os.environ.get("QUIZSERVER_COMPUTE_DEVICE") or "auto").strip().lower()
    if requested not in {"auto", "cpu", "cuda"}:
        raise DeviceError(f"QUIZSERVER_COMPUTE_DEVICE must be auto, cpu or cuda, not {requested!r}.")
    import torch

    _use_few_threads(torch)
    if requested == "cpu":
        return "cpu"
    if torch.cuda.is_available():
        return "cuda"
    if requested == "cuda":
        raise DeviceError("CUDA was requested but torch sees no GPU on this machine.")
    return "cpu"


def _use_few_threads(torch) -> None:
    """One intra-op thread (QUIZSERVER_TORCH_THREADS to change): our tensors are tiny, and on a busy
    machine several threads spin and wait for each other longer than the work takes."""
    threads = int(os.environ.get("QUIZSERVER_TORCH_THREADS", "1"))
    if torch.get_num_threads() != threads:
        torch.set_num_threads(threads)
