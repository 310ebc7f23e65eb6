"""Losses, forward + gradient: kernas's fused kernels beside PyTorch's autograd.

The MNIST classifier's output (batch 128, 10 classes) through the fused
softmax + crossentropy and through Keras's probability path, a wide softmax
(256 x 1000), and single-output regression / binary losses.
"""

import numpy as np
import torch
import torch.nn.functional as F

from compare import Case
from kernas.ops import losses

EPS = 1e-7


def torch_step(loss_fn, prediction, *rest):
    def run():
        prediction.grad = None
        loss_fn(prediction, *rest).backward()

    return run


def clipped_log(p):
    return torch.log(torch.clamp(p / p.sum(-1, keepdim=True), EPS, 1 - EPS))


def classifier_cases(rows, classes):
    rng = np.random.default_rng(0)
    logits = rng.standard_normal((rows, classes), dtype=np.float32)
    labels = rng.integers(0, classes, rows)
    probabilities = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    one_hot = np.eye(classes, dtype=np.float32)[labels]
    t_logits = torch.from_numpy(logits).requires_grad_()
    t_probabilities = torch.from_numpy(probabilities).requires_grad_()
    t_labels, t_one_hot = torch.from_numpy(labels), torch.from_numpy(one_hot)
    shape = f"{rows}x{classes}"
    return [
        Case(
            f"softmax+sparse CE fused fwd+bwd {shape}",
            lambda: losses.softmax_crossentropy(labels, logits, sparse=True),
            {"torch": torch_step(F.cross_entropy, t_logits, t_labels)},
        ),
        Case(
            f"sparse CE from probabilities fwd+bwd {shape}",
            lambda: losses.sparse_categorical_crossentropy(labels, probabilities, gradient=True),
            {"torch": torch_step(lambda p, t: F.nll_loss(clipped_log(p), t), t_probabilities, t_labels)},
        ),
        Case(
            f"categorical CE from probabilities fwd+bwd {shape}",
            lambda: losses.categorical_crossentropy(one_hot, probabilities, gradient=True),
            {"torch": torch_step(lambda p, t: -(t * clipped_log(p)).sum(-1).mean(), t_probabilities, t_one_hot)},
        ),
    ]


def single_output_cases(rows):
    rng = np.random.default_rng(1)
    y_true = rng.standard_normal((rows, 1), dtype=np.float32)
    y_pred = rng.standard_normal((rows, 1), dtype=np.float32)
    binary = (rng.random((rows, 1)) > 0.5).astype(np.float32)
    t_pred = torch.from_numpy(y_pred).requires_grad_()
    return [
        Case(
            f"mse fwd+bwd {rows}x1",
            lambda: losses.mean_squared_error(y_true, y_pred, gradient=True),
            {"torch": torch_step(F.mse_loss, t_pred, torch.from_numpy(y_true))},
        ),
        Case(
            f"binary CE from logits fwd+bwd {rows}x1",
            lambda: losses.binary_crossentropy(binary, y_pred, from_logits=True, gradient=True),
            {"torch": torch_step(F.binary_cross_entropy_with_logits, t_pred, torch.from_numpy(binary))},
        ),
    ]


def cases():
    return classifier_cases(128, 10) + classifier_cases(256, 1000) + single_output_cases(128)
