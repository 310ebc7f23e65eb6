"""A float64 NumPy reference of a Sequential model's training, built from the kernel references.

The model is a list of layer specs — ("dense", activation), ("conv2d",
activation), ("maxpool", pool), ("flatten",) — with Keras-layout weights.
``train_epoch`` runs the same batches, in order, through forward, Keras's
categorical crossentropy on probabilities, backward and an SGD or Adam step,
all from tests/reference, never from kernas.
"""

import numpy as np

from reference import activations, conv, linalg, losses, optimizers, pooling


def _forward(spec, params, x):
    """Returns (outputs, caches) of every layer."""
    caches = []
    out = x
    index = 0
    for layer in spec:
        kind = layer[0]
        if kind in ("dense", "conv2d"):
            kernel, bias = params[index], params[index + 1]
            index += 2
            z = linalg.dense_linear(out, kernel, bias) if kind == "dense" else conv.conv2d(out, kernel, bias)
            y = _activate(layer[1], z)
            caches.append((out, z, y))
            out = y
        elif kind == "maxpool":
            y, indices = pooling.max_pool2d(out, (layer[1], layer[1]), (layer[1], layer[1]), "valid")
            caches.append((out.shape, indices))
            out = y
        elif kind == "flatten":
            caches.append(out.shape)
            out = out.reshape(out.shape[0], -1)
    return out, caches


def _activate(name, z):
    if name == "softmax":
        return losses.softmax(z)
    return activations.forward(name, z)


def _activation_backward(name, dy, z, y):
    if name == "softmax":
        return y * (dy - np.sum(dy * y, axis=-1, keepdims=True))
    return dy * activations.derivative(name, z)


def gradients(spec, params, x, y_true):
    """Returns (loss, gradients aligned with params) for categorical crossentropy on probabilities."""
    probabilities, caches = _forward(spec, params, np.asarray(x, np.float64))
    per_sample, dprob = losses.categorical_crossentropy(y_true, probabilities)
    loss, dprob = losses.reduce(per_sample, dprob)
    grads = [None] * len(params)
    index = len(params)
    grad = dprob
    for layer, cache in zip(reversed(spec), reversed(caches)):
        kind = layer[0]
        if kind in ("dense", "conv2d"):
            index -= 2
            inputs, z, y = cache
            dz = _activation_backward(layer[1], grad, z, y)
            if kind == "dense":
                grad, grads[index], grads[index + 1] = linalg.dense_backward(inputs, params[index], dz)
            else:
                grad, grads[index], grads[index + 1] = conv.conv2d_backward(inputs, params[index], dz)
        elif kind == "maxpool":
            shape, indices = cache
            grad = pooling.max_pool2d_backward(grad, indices, shape)
        elif kind == "flatten":
            grad = grad.reshape(cache)
    return loss, grads


def train_epoch(spec, params, x, y, batch_size, optimizer, **hyperparameters):
    """One epoch without shuffling; returns (params, per-batch losses). optimizer: "sgd" or "adam"."""
    params = [np.asarray(p, np.float32) for p in params]
    slots = [[np.zeros_like(p) for p in params] for _ in range(2)]
    batch_losses = []
    for step, start in enumerate(range(0, len(x), batch_size), start=1):
        loss, grads = gradients(spec, params, x[start:start + batch_size], y[start:start + batch_size])
        batch_losses.append(loss)
        grads = [np.asarray(g, np.float32) for g in grads]
        if optimizer == "sgd":
            params, slots[0] = optimizers.sgd(params, grads, slots[0], **hyperparameters)
        else:
            params, slots[0], slots[1], _ = optimizers.adam(params, grads, slots[0], slots[1], step=step,
                                                            **hyperparameters)
    return params, batch_losses
