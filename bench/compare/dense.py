"""Dense layers, forward + backward: kernas's fused kernels beside PyTorch.

Forward is y = relu(x W + b) (softmax for the 10-unit output layer, as in
an MNIST classifier); backward gives dx, dW, db from a fixed upstream gradient.
"""

import numpy as np
import torch

from compare import Case
from kernas.ops import activations, dense


def dense_case(batch, inputs, units, activation):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, inputs), dtype=np.float32)
    kernel = rng.standard_normal((inputs, units), dtype=np.float32) * np.float32(1 / np.sqrt(inputs))
    bias = rng.standard_normal(units, dtype=np.float32)
    upstream = rng.standard_normal((batch, units), dtype=np.float32)

    def run_kernas():
        y = dense.dense_forward(x, kernel, bias, activation)
        dz = activations.activation_backward(activation, upstream, y=y)
        return dense.dense_backward(x, kernel, dz)

    tx = torch.from_numpy(x).requires_grad_()
    tw = torch.from_numpy(kernel.T.copy()).requires_grad_()  # torch's Linear keeps (out, in)
    tb = torch.from_numpy(bias).requires_grad_()
    tg = torch.from_numpy(upstream)
    torch_activation = torch.relu if activation == "relu" else (lambda z: torch.softmax(z, dim=1))

    def run_torch():
        for tensor in (tx, tw, tb):
            tensor.grad = None
        torch_activation(torch.nn.functional.linear(tx, tw, tb)).backward(tg)

    return Case(f"dense {inputs}->{units} {activation} fwd+bwd, batch {batch}", run_kernas, {"torch": run_torch})


def cases():
    return [dense_case(128, 1600, 10, "softmax"), dense_case(32, 784, 128, "relu")]
