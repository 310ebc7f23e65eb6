"""Dropout(0.5) forward: kernas's counter-based mask beside torch's F.dropout.

The MNIST convnet's Dropout after Flatten (128 x 1600) and a large activation.
"""

import numpy as np
import torch
import torch.nn.functional as F

from compare import Case
from kernas.ops import dropout


def dropout_case(shape):
    x = np.random.default_rng(0).standard_normal(shape, dtype=np.float32)
    out = np.empty_like(x)
    tx = torch.from_numpy(x)
    steps = iter(range(10**9))
    return Case(
        f"dropout 0.5 fwd {shape[0]}x{shape[1]}",
        lambda: dropout.dropout_forward(x, 0.5, 1234, next(steps), out=out),
        {"torch": lambda: F.dropout(tx, 0.5, training=True)},
    )


def cases():
    return [dropout_case((128, 1600)), dropout_case((1024, 4096))]
