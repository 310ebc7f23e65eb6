"""One Adam step over a model's parameters: kernas's multi-tensor update beside torch.optim.Adam.

Three parameter lists: the MNIST MLP 784-128-10 (101,770 parameters in 4
tensors), a small convnet (1,201,818 in 10 tensors) and a 25,076,640-parameter
model of a few large tensors. torch gets its gradients once (``.grad``) and
only ``optimizer.step()`` is timed, fused (``fused=True``) and default (the
foreach implementation); kernas times ``adam_update`` on lists of float32
arrays, Python wrapper included. Both use Keras's/torch's default
hyperparameters apart from epsilon's placement, which costs the same.
"""

import itertools

import numpy as np
import torch

from compare import Case
from kernas.ops import optimizers

MODELS = {
    "MLP 784-128-10 (101,770 params)": [(784, 128), (128,), (128, 10), (10,)],
    "convnet (1,201,818 params)": [(3, 3, 3, 32), (32,), (3, 3, 32, 64), (64,), (3, 3, 64, 128), (128,),
                                   (4608, 240), (240,), (240, 10), (10,)],
    "25M params, 6 tensors": [(4096, 4096), (4096,), (4096, 1024), (1024,), (1024, 4000), (4000,)],
}


def adam_case(name, shapes):
    rng = np.random.default_rng(0)
    weights = [rng.standard_normal(s, dtype=np.float32) for s in shapes]
    grads = [rng.standard_normal(s, dtype=np.float32) for s in shapes]
    momentums = [np.zeros(s, np.float32) for s in shapes]
    velocities = [np.zeros(s, np.float32) for s in shapes]
    steps = itertools.count(1)

    def run_kernas():
        optimizers.adam_update(weights, grads, momentums, velocities, step=next(steps))

    def torch_runner(fused):
        params = [torch.nn.Parameter(torch.from_numpy(w.copy())) for w in weights]
        for p, g in zip(params, grads):
            p.grad = torch.from_numpy(g.copy())
        optimizer = torch.optim.Adam(params, lr=1e-3, fused=fused)
        return optimizer.step

    return Case(f"adam step, {name}", run_kernas,
                {"torch fused": torch_runner(True), "torch default": torch_runner(None)})


def cases():
    return [adam_case(name, shapes) for name, shapes in MODELS.items()]
