"""Activations beside np.add moving the same bytes, and beside PyTorch.

All cases run on the issue's conv-sized tensor, 128 x 26 x 26 x 32 float32
(2.77 M elements, 11 MB per array), softmax kinds over the 32 channels.

* Bandwidth (target 0.70): an activation streams its arrays once, so its
  speed is judged against np.add, the plainest streaming kernel. A kernel's
  bytes are the arrays it reads plus the arrays it writes, each counted once:
  forward reads x and writes y (8 bytes per element); backward reads dy and
  the saved x or y and writes dx (12 bytes; linear's reads only dy, 8).
  compare.bandwidth_case gives np.add the same bytes; the ratio is the
  fraction of np.add's bandwidth kernas reaches. kernas writes into
  preallocated outputs, as a layer reusing its buffers does.
* PyTorch (informative, target 1.0): torch's own CPU kernels on the same
  tensor (channels last, so softmax runs over contiguous channels), writing
  into preallocated outputs too: forward and backward aten ops, no autograd.
"""

import numpy as np
import torch

import kernas
from compare import Case, bandwidth_case
from kernas.ops import activations

SHAPE = (128, 26, 26, 32)
KINDS = [
    "linear", "relu", "leaky_relu", "elu", "selu", "sigmoid", "tanh", "softmax", "log_softmax",
    "softplus", "softsign", "silu", "gelu", "gelu_tanh", "hard_sigmoid", "exponential",
]


def _bandwidth_cases(x, dy):
    cases = []
    out = np.empty_like(x)
    for name in KINDS:
        spec = kernas.ops.activation_spec(name)
        y = activations.activation_forward(x, spec)
        saved = {"x": x if spec.backward_needs_input else None, "y": y if spec.backward_needs_output else None}
        arrays = 2 + spec.backward_needs_input + spec.backward_needs_output  # dy, dx and what is saved
        forward_bytes, backward_bytes = 2 * x.nbytes, arrays * x.nbytes
        forward = lambda spec=spec: activations.activation_forward(x, spec, out=out)  # noqa: E731
        backward = lambda spec=spec, saved=saved: activations.activation_backward(spec, dy, out=out, **saved)  # noqa: E731
        cases.append(bandwidth_case(f"{name} fwd", forward, forward_bytes))
        cases.append(bandwidth_case(f"{name} bwd", backward, backward_bytes))
    return cases


def _torch_cases(x, dy):
    """kernas forward + backward beside torch's aten kernels for the same step."""
    xt = torch.from_numpy(x)  # NHWC memory: the last axis is the channels, as in kernas
    dyt = torch.from_numpy(dy)
    yt, dxt = torch.empty_like(xt), torch.empty_like(xt)
    aten = torch.ops.aten
    torch_steps = {
        "relu": lambda: (torch.clamp_min(xt, 0.0, out=yt), aten.threshold_backward.grad_input(dyt, xt, 0.0, grad_input=dxt)),
        "sigmoid": lambda: (torch.sigmoid(xt, out=yt), aten.sigmoid_backward.grad_input(dyt, yt, grad_input=dxt)),
        "tanh": lambda: (torch.tanh(xt, out=yt), aten.tanh_backward.grad_input(dyt, yt, grad_input=dxt)),
        "softmax": lambda: (aten._softmax.out(xt, -1, False, out=yt),
                            aten._softmax_backward_data.out(dyt, yt, -1, torch.float32, grad_input=dxt)),
        "gelu": lambda: (aten.gelu.out(xt, out=yt), aten.gelu_backward.grad_input(dyt, xt, grad_input=dxt)),
        "silu": lambda: (aten.silu.out(xt, out=yt), aten.silu_backward.grad_input(dyt, xt, grad_input=dxt)),
    }
    y, dx = np.empty_like(x), np.empty_like(x)
    cases = []
    for name, torch_step in torch_steps.items():
        spec = kernas.ops.activation_spec(name)
        saved = {"x": x if spec.backward_needs_input else None, "y": y if spec.backward_needs_output else None}

        def kernas_step(spec=spec, saved=saved):
            activations.activation_forward(x, spec, out=y)
            activations.activation_backward(spec, dy, out=dx, **saved)

        cases.append(Case(f"{name} fwd+bwd vs torch", kernas=kernas_step, competitors={"torch": torch_step}))
    return cases


def cases():
    rng = np.random.default_rng(0)
    x = 3.0 * rng.standard_normal(SHAPE, dtype=np.float32)
    dy = rng.standard_normal(SHAPE, dtype=np.float32)
    return _bandwidth_cases(x, dy) + _torch_cases(x, dy)
