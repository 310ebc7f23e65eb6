"""NumPy reference of Keras 3's optimizer steps, operation by operation in float32.

Each function follows keras/src/optimizers/<name>.py ``update_step`` (the
backend-independent code) and base_optimizer's ``_clip_gradients`` and
``_apply_weight_decay``: the same float32 operations in the same order, with
Python-float hyperparameters cast to float32 where Keras's ops cast them. So
kernas must match these bit for bit, except where a sum of squares decides a
clipping factor: Keras sums in float32 in its backend's order; here (as in
kernas) the sum is exact enough in float64 and rounded once to float32.

Every function takes lists of arrays and returns new lists (inputs untouched).
"""

import numpy as np

F = np.float32


def _sum_squares(g):
    return np.sum(np.square(g.astype(np.float64)))


def clip_by_norm(g, clipnorm):
    """base_optimizer._clip_by_norm."""
    l2sum = F(_sum_squares(g))
    l2norm = np.sqrt(l2sum) if l2sum > 0 else l2sum
    return (g * F(clipnorm)) / np.maximum(l2norm, F(clipnorm))


def clip_by_global_norm(grads, clip_norm):
    """base_optimizer.clip_by_global_norm."""
    use_norm = np.sqrt(F(sum(_sum_squares(g) for g in grads)))
    with np.errstate(divide="ignore", invalid="ignore"):
        scale_for_finite = F(clip_norm) * np.minimum(F(1.0) / use_norm, F(1.0 / clip_norm))
        scale = scale_for_finite + (use_norm - use_norm)
    return [g * scale for g in grads]


def clip_gradients(grads, clipnorm=None, clipvalue=None, global_clipnorm=None):
    """base_optimizer._clip_gradients."""
    if clipnorm and clipnorm > 0:
        return [clip_by_norm(g, clipnorm) for g in grads]
    if global_clipnorm and global_clipnorm > 0:
        return clip_by_global_norm(grads, global_clipnorm)
    if clipvalue and clipvalue > 0:
        return [np.clip(g, F(-clipvalue), F(clipvalue)) for g in grads]
    return list(grads)


def apply_weight_decay(weights, learning_rate, weight_decay, use_weight_decay=None):
    """base_optimizer._apply_weight_decay: variable - variable * wd * lr."""
    if weight_decay is None:
        return list(weights)
    flags = use_weight_decay or [True] * len(weights)
    lr, wd = F(learning_rate), F(weight_decay)
    return [w - w * wd * lr if flag else w for w, flag in zip(weights, flags)]


def _prepare(weights, grads, learning_rate, weight_decay, use_weight_decay, clipping):
    grads = clip_gradients([np.asarray(g, F) for g in grads], **clipping)
    weights = apply_weight_decay([np.array(w, F) for w in weights], learning_rate, weight_decay, use_weight_decay)
    return weights, grads


def sgd(weights, grads, momentums, *, learning_rate=0.01, momentum=0.0, nesterov=False, weight_decay=None,
        use_weight_decay=None, **clipping):
    """Returns (weights, momentums) after one keras.optimizers.SGD step."""
    weights, grads = _prepare(weights, grads, learning_rate, weight_decay, use_weight_decay, clipping)
    lr = F(learning_rate)
    new_weights, new_momentums = [], []
    for i, (w, g) in enumerate(zip(weights, grads)):
        if momentum != 0:
            mu = F(momentum)
            m = momentums[i] * mu - g * lr
            w = w + (m * mu - g * lr) if nesterov else w + m
            new_momentums.append(m)
        else:
            w = w - g * lr
        new_weights.append(w)
    return new_weights, new_momentums


def adam(weights, grads, momentums, velocities, velocity_hats=None, *, step, learning_rate=0.001, beta_1=0.9,
         beta_2=0.999, epsilon=1e-7, amsgrad=False, weight_decay=None, use_weight_decay=None, **clipping):
    """Returns (weights, momentums, velocities, velocity_hats) after one keras.optimizers.Adam step."""
    weights, grads = _prepare(weights, grads, learning_rate, weight_decay, use_weight_decay, clipping)
    lr = F(learning_rate)
    local_step = F(step)
    beta_1_power = np.power(F(beta_1), local_step)
    beta_2_power = np.power(F(beta_2), local_step)
    alpha = lr * np.sqrt(F(1) - beta_2_power) / (F(1) - beta_1_power)
    out = ([], [], [], [])
    for i, (w, g) in enumerate(zip(weights, grads)):
        m = momentums[i] + (g - momentums[i]) * F(1 - beta_1)
        v = velocities[i] + (np.square(g) - velocities[i]) * F(1 - beta_2)
        out[1].append(m)
        out[2].append(v)
        if amsgrad:
            v = np.maximum(velocity_hats[i], v)
            out[3].append(v)
        out[0].append(w - (m * alpha) / (np.sqrt(v) + F(epsilon)))
    return out


def rmsprop(weights, grads, velocities, momentums=None, average_gradients=None, *, learning_rate=0.001, rho=0.9,
            momentum=0.0, epsilon=1e-7, centered=False, weight_decay=None, use_weight_decay=None, **clipping):
    """Returns (weights, velocities, momentums, average_gradients) after one keras.optimizers.RMSprop step."""
    weights, grads = _prepare(weights, grads, learning_rate, weight_decay, use_weight_decay, clipping)
    lr = F(learning_rate)
    out = ([], [], [], [])
    for i, (w, g) in enumerate(zip(weights, grads)):
        v = F(rho) * velocities[i] + F(1 - rho) * np.square(g)
        out[1].append(v)
        if centered:
            a = F(rho) * average_gradients[i] + F(1 - rho) * g
            out[3].append(a)
            denominator = v - np.square(a) + F(epsilon)
        else:
            denominator = v + F(epsilon)
        increment = (lr * g) / np.sqrt(denominator)
        if momentum > 0:
            m = F(momentum) * momentums[i] + increment
            out[2].append(m)
            w = w - m
        else:
            w = w - increment
        out[0].append(w)
    return out


def adagrad(weights, grads, accumulators, *, learning_rate=0.001, epsilon=1e-7, weight_decay=None,
            use_weight_decay=None, **clipping):
    """Returns (weights, accumulators) after one keras.optimizers.Adagrad step."""
    weights, grads = _prepare(weights, grads, learning_rate, weight_decay, use_weight_decay, clipping)
    lr = F(learning_rate)
    out = ([], [])
    for i, (w, g) in enumerate(zip(weights, grads)):
        acc = accumulators[i] + np.square(g)
        out[1].append(acc)
        out[0].append(w - (lr * g) / np.sqrt(acc + F(epsilon)))
    return out
