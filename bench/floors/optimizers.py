"""Plain-torch floors for compute/generators/optimizers.py (default configs).

Each entry is (make_inputs, run): ``make_inputs(params)`` makes the tensors the generator's solve
makes, and ``run`` does the same torch.optim / lr_scheduler computation, nothing else.
"""

import torch

F64 = torch.float64


def optimizer_inputs(params):
    p = torch.tensor([params["w0"]], dtype=F64, requires_grad=True)
    return p, torch.tensor(params["g"], dtype=F64), params["lr"], params["mu"]


def optimizer_run(p, grads, lr, mu):
    opt = torch.optim.SGD([p], lr=lr, momentum=mu)  # default: momentum, 2 steps
    for t in range(len(grads)):
        p.grad = grads[t:t + 1]
        opt.step()
    return p


def schedule_inputs(params):
    dummy = torch.zeros(1, dtype=F64, requires_grad=True)
    return dummy, params["lr0"], int(params["step_size"]), params["gamma"], int(params["epoch"])


def schedule_run(dummy, lr0, size, gamma, epoch):
    opt = torch.optim.SGD([dummy], lr=lr0)
    scheduler = torch.optim.lr_scheduler.StepLR(opt, step_size=size, gamma=gamma)  # default: step
    opt.step()
    for _ in range(epoch):
        scheduler.step()
    return opt.param_groups[0]["lr"]


FLOORS = {
    "optimizer_step": (optimizer_inputs, optimizer_run),
    "lr_schedule": (schedule_inputs, schedule_run),
}
