"""Conv2D layers, forward + backward: kernas's im2col kernels beside PyTorch.

Forward is y = relu(conv2d(x, W) + b) (3x3, 'valid'); backward gives dx, dW
and db from a fixed upstream gradient. On the kernas side the relu gradient
dz = g * (y > 0) is applied inside conv2d_backward from relu's output y (the
fused forward keeps only y), as the Conv2D layer does. PyTorch runs in its
default NCHW layout and in channels_last (NHWC in memory), and the ratio is
taken against the faster of the two.
"""

import numpy as np
import torch

from compare import Case
from kernas.ops import conv


def conv_case(batch, size, channels, filters):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, size, size, channels), dtype=np.float32)
    kernel = rng.standard_normal((3, 3, channels, filters), dtype=np.float32) * np.float32(1 / np.sqrt(9 * channels))
    bias = rng.standard_normal(filters, dtype=np.float32) * np.float32(0.1)
    out = size - 2
    upstream = rng.standard_normal((batch, out, out, filters), dtype=np.float32)

    def run_kernas():
        y = conv.conv2d_forward(x, kernel, bias, activation="relu")
        return conv.conv2d_backward(x, kernel, upstream, activation="relu", y=y)

    def torch_runner(channels_last):
        layout = torch.channels_last if channels_last else torch.contiguous_format
        tx = torch.from_numpy(x.transpose(0, 3, 1, 2).copy()).to(memory_format=layout).requires_grad_()
        tw = torch.from_numpy(kernel.transpose(3, 2, 0, 1).copy()).to(memory_format=layout).requires_grad_()
        tb = torch.from_numpy(bias.copy()).requires_grad_()
        tg = torch.from_numpy(upstream.transpose(0, 3, 1, 2).copy()).to(memory_format=layout)

        def run():
            for tensor in (tx, tw, tb):
                tensor.grad = None
            torch.relu(torch.nn.functional.conv2d(tx, tw, tb)).backward(tg)

        return run

    return Case(
        f"conv {size}x{size}x{channels}->{filters} 3x3 relu fwd+bwd, batch {batch}",
        run_kernas,
        {"torch NCHW": torch_runner(False), "torch channels_last": torch_runner(True)},
    )


def cases():
    return [conv_case(128, 28, 1, 32), conv_case(128, 13, 32, 64)]
