"""Optimizer updates with Keras 3's maths: one call updates many variables in place.

Each function applies one optimizer step to lists of float32 arrays (weights,
gradients and the optimizer's slot variables, which the caller allocates and
keeps between steps), in Keras's order: gradient clipping (``clipnorm``,
``clipvalue`` or ``global_clipnorm``), weight decay ``w -= w * weight_decay *
learning_rate``, then the update rule. The arithmetic is Keras's float32
arithmetic operation by operation (the backend-independent ``update_step`` of
``keras/src/optimizers``), so results match Keras to the bit, apart from the
sums of squares behind ``clipnorm`` and ``global_clipnorm``, which kernas
accumulates in double. That is the arithmetic Keras runs on the JAX and
TensorFlow backends; on the torch backend Keras substitutes torch._foreach
updates that round differently (and torch's float32 sqrt is not correctly
rounded), so there the results agree to float32 rounding only. All variables
are updated in one pass shared by the threads; results do not depend on the
thread count.

Arrays updated in place (weights and slots) must be float32, C-contiguous and
writeable, each with its own memory; gradients may be any real array of the
right shape. The native module checks every array (with a message naming it,
e.g. ``velocities[2]``), so these wrappers only check the hyperparameters:
the per-call cost stays small for models with many small tensors.
"""

import operator

import numpy as np

from kernas import _core

_FLOATS = (int, np.floating, np.integer)


def _float(value, name):
    if type(value) is float:
        return value
    if isinstance(value, _FLOATS) and not isinstance(value, (bool, np.bool_)):
        return float(value)
    raise TypeError(f"Expected `{name}` to be a float. Received: {name}={value!r} of type {type(value).__name__}.")


def _variables(weights, grads):
    for name, value in (("weights", weights), ("grads", grads)):
        if type(value) is not list and type(value) is not tuple:
            raise TypeError(
                f"Expected `{name}` to be a list of arrays, one per variable. Received: {name} of type "
                f"{type(value).__name__}. Wrap a single array in a list: [{name}]."
            )


def _slots(value, name):
    if value is not None and type(value) is not list and type(value) is not tuple:
        raise TypeError(
            f"Expected `{name}` to be a list of float32 arrays, one per weight. Received: {name} of type "
            f"{type(value).__name__}."
        )
    return value


def _weight_decay(weight_decay, use_weight_decay):
    if weight_decay is not None:
        weight_decay = _float(weight_decay, "weight_decay")
    if use_weight_decay is not None:
        if type(use_weight_decay) is not list and type(use_weight_decay) is not tuple:
            raise TypeError(
                "Expected `use_weight_decay` to be a list of booleans, one per weight. Received: "
                f"use_weight_decay of type {type(use_weight_decay).__name__}."
            )
        use_weight_decay = [bool(flag) for flag in use_weight_decay]
    return weight_decay, use_weight_decay


def _clipping(clipnorm, clipvalue, global_clipnorm):
    """Returns ``(kind, threshold)`` as Keras's ``_clip_gradients`` picks them."""
    if clipnorm is None and clipvalue is None and global_clipnorm is None:
        return "none", 0.0
    if (clipnorm is not None) + (clipvalue is not None) + (global_clipnorm is not None) > 1:
        raise ValueError(
            "Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. Received: "
            f"clipnorm={clipnorm}, clipvalue={clipvalue}, global_clipnorm={global_clipnorm}"
        )
    for kind, name, value in (("norm", "clipnorm", clipnorm), ("value", "clipvalue", clipvalue),
                              ("global_norm", "global_clipnorm", global_clipnorm)):
        if value is not None:
            threshold = _float(value, name)
            # Keras clips only when the threshold is positive.
            return (kind, threshold) if threshold > 0 else ("none", 0.0)


def sgd_update(weights, grads, momentums=None, *, learning_rate=0.01, momentum=0.0, nesterov=False,
               weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None, use_weight_decay=None):
    """One step of Keras's ``SGD``, in place.

    ``velocity = momentum * velocity - learning_rate * g``, then
    ``w = w + velocity`` (Nesterov: ``w = w + momentum * velocity -
    learning_rate * g``); without momentum ``w = w - learning_rate * g``.

    Args:
        weights: list of float32 arrays, updated in place.
        grads: list of gradients, one per weight, of the same shapes.
        momentums: list of float32 arrays shaped like the weights, zeros at
            the start, updated in place. Needed when ``momentum`` is not 0.
        learning_rate: a float.
        momentum: a float in [0, 1].
        nesterov: whether to use Nesterov momentum.
        weight_decay: ``None`` or a float: ``w -= w * weight_decay *
            learning_rate`` before the update.
        clipnorm: clip each gradient to this L2 norm.
        clipvalue: clip each gradient element to ``[-clipvalue, clipvalue]``.
        global_clipnorm: clip all gradients together to this global L2 norm.
            At most one of the three clipping arguments may be set.
        use_weight_decay: ``None`` (all) or one boolean per weight: which
            weights decay (Keras's ``exclude_from_weight_decay``).

    Example:
        >>> w = [np.ones(3, np.float32)]
        >>> m = [np.zeros(3, np.float32)]
        >>> sgd_update(w, [np.ones(3, np.float32)], m, learning_rate=0.1, momentum=0.9)
    """
    _variables(weights, grads)
    learning_rate = _float(learning_rate, "learning_rate")
    momentum = _float(momentum, "momentum")
    if not 0.0 <= momentum <= 1.0:
        raise ValueError(f"`momentum` must be a float between [0, 1]. Received: momentum={momentum}.")
    weight_decay, use_weight_decay = _weight_decay(weight_decay, use_weight_decay)
    kind, threshold = _clipping(clipnorm, clipvalue, global_clipnorm)
    _core.sgd_update(weights, grads, _slots(momentums, "momentums"), learning_rate, momentum, bool(nesterov),
                     weight_decay, use_weight_decay, kind, threshold)


def adam_update(weights, grads, momentums, velocities, velocity_hats=None, *, step, learning_rate=0.001,
                beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False, weight_decay=None, clipnorm=None,
                clipvalue=None, global_clipnorm=None, use_weight_decay=None):
    """One step of Keras's ``Adam``, in place.

    ``alpha = learning_rate * sqrt(1 - beta_2**step) / (1 - beta_1**step)``,
    ``m += (g - m) * (1 - beta_1)``, ``v += (g**2 - v) * (1 - beta_2)``,
    ``w -= alpha * m / (sqrt(v) + epsilon)``; AMSGrad uses ``v_hat =
    maximum(v_hat, v)`` in place of ``v``.

    Args:
        weights: list of float32 arrays, updated in place.
        grads: list of gradients, one per weight, of the same shapes.
        momentums: list of float32 arrays (first moments), zeros at the start.
        velocities: list of float32 arrays (second moments), zeros at the start.
        velocity_hats: list of float32 arrays, zeros at the start; needed
            with ``amsgrad``.
        step: the number of this update, 1 for the first (Keras's
            ``iterations + 1``).
        learning_rate, beta_1, beta_2, epsilon: floats, Keras's defaults.
        amsgrad: whether to apply AMSGrad.
        weight_decay: ``None`` or a float: ``w -= w * weight_decay *
            learning_rate`` before the update.
        clipnorm, clipvalue, global_clipnorm: gradient clipping, at most one
            (see ``sgd_update``).
        use_weight_decay: ``None`` (all) or one boolean per weight.

    Example:
        >>> w, g = [np.ones(4, np.float32)], [np.full(4, 0.5, np.float32)]
        >>> m, v = [np.zeros(4, np.float32)], [np.zeros(4, np.float32)]
        >>> adam_update(w, g, m, v, step=1)
    """
    _variables(weights, grads)
    if type(step) is not int:
        if isinstance(step, (bool, np.bool_)) or not hasattr(step, "__index__"):
            raise TypeError(f"Expected `step` to be an integer (1 for the first update). Received: step={step!r}.")
        step = operator.index(step)
    if step < 1:
        raise ValueError(
            f"Expected `step` >= 1: the number of this update, Keras's iterations + 1. Received: step={step}."
        )
    learning_rate = _float(learning_rate, "learning_rate")
    beta_1 = _float(beta_1, "beta_1")
    beta_2 = _float(beta_2, "beta_2")
    epsilon = _float(epsilon, "epsilon")
    weight_decay, use_weight_decay = _weight_decay(weight_decay, use_weight_decay)
    kind, threshold = _clipping(clipnorm, clipvalue, global_clipnorm)
    _core.adam_update(weights, grads, _slots(momentums, "momentums"), _slots(velocities, "velocities"),
                      _slots(velocity_hats, "velocity_hats"), step, learning_rate, beta_1, beta_2, epsilon,
                      bool(amsgrad), weight_decay, use_weight_decay, kind, threshold)


def adamw_update(weights, grads, momentums, velocities, velocity_hats=None, *, step, learning_rate=0.001,
                 weight_decay=0.004, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False, clipnorm=None,
                 clipvalue=None, global_clipnorm=None, use_weight_decay=None):
    """One step of Keras's ``AdamW``: Adam with decoupled weight decay, in place.

    ``w -= w * weight_decay * learning_rate``, then the Adam step of
    ``adam_update``.

    Args:
        weights, grads, momentums, velocities, velocity_hats, step: as in
            ``adam_update``.
        learning_rate, beta_1, beta_2, epsilon, amsgrad: as in ``adam_update``.
        weight_decay: a float, 0.004 by default (``None`` is not allowed).
        clipnorm, clipvalue, global_clipnorm, use_weight_decay: as in
            ``adam_update``.

    Example:
        >>> w, g = [np.ones(4, np.float32)], [np.full(4, 0.5, np.float32)]
        >>> m, v = [np.zeros(4, np.float32)], [np.zeros(4, np.float32)]
        >>> adamw_update(w, g, m, v, step=1, weight_decay=0.01)
    """
    if weight_decay is None:
        raise ValueError("Argument `weight_decay` must be a float. Received: weight_decay=None")
    adam_update(weights, grads, momentums, velocities, velocity_hats, step=step, learning_rate=learning_rate,
                beta_1=beta_1, beta_2=beta_2, epsilon=epsilon, amsgrad=amsgrad, weight_decay=weight_decay,
                clipnorm=clipnorm, clipvalue=clipvalue, global_clipnorm=global_clipnorm,
                use_weight_decay=use_weight_decay)


def rmsprop_update(weights, grads, velocities, momentums=None, average_gradients=None, *, learning_rate=0.001,
                   rho=0.9, momentum=0.0, epsilon=1e-7, centered=False, weight_decay=None, clipnorm=None,
                   clipvalue=None, global_clipnorm=None, use_weight_decay=None):
    """One step of Keras's ``RMSprop``, in place.

    ``v = rho * v + (1 - rho) * g**2``; centered: ``a = rho * a + (1 - rho) *
    g`` and ``d = v - a**2 + epsilon``, else ``d = v + epsilon``;
    ``increment = learning_rate * g / sqrt(d)``; with momentum ``m = momentum
    * m + increment`` and ``w -= m``, else ``w -= increment``.

    Args:
        weights: list of float32 arrays, updated in place.
        grads: list of gradients, one per weight, of the same shapes.
        velocities: list of float32 arrays, zeros at the start.
        momentums: list of float32 arrays, zeros at the start; needed when
            ``momentum > 0``.
        average_gradients: list of float32 arrays, zeros at the start; needed
            when ``centered``.
        learning_rate, rho, momentum, epsilon: floats, Keras's defaults.
        centered: whether to normalise by the estimated variance.
        weight_decay, clipnorm, clipvalue, global_clipnorm, use_weight_decay:
            as in ``sgd_update``.

    Example:
        >>> w, g, v = [np.ones(2, np.float32)], [np.ones(2, np.float32)], [np.zeros(2, np.float32)]
        >>> rmsprop_update(w, g, v, learning_rate=0.01)
    """
    _variables(weights, grads)
    learning_rate = _float(learning_rate, "learning_rate")
    rho = _float(rho, "rho")
    momentum = _float(momentum, "momentum")
    epsilon = _float(epsilon, "epsilon")
    weight_decay, use_weight_decay = _weight_decay(weight_decay, use_weight_decay)
    kind, threshold = _clipping(clipnorm, clipvalue, global_clipnorm)
    _core.rmsprop_update(weights, grads, _slots(velocities, "velocities"), _slots(momentums, "momentums"),
                         _slots(average_gradients, "average_gradients"), learning_rate, rho, momentum, epsilon,
                         bool(centered), weight_decay, use_weight_decay, kind, threshold)


def adagrad_update(weights, grads, accumulators, *, learning_rate=0.001, epsilon=1e-7, weight_decay=None,
                   clipnorm=None, clipvalue=None, global_clipnorm=None, use_weight_decay=None):
    """One step of Keras's ``Adagrad``, in place.

    ``acc += g**2``, ``w -= learning_rate * g / sqrt(acc + epsilon)``.

    Args:
        weights: list of float32 arrays, updated in place.
        grads: list of gradients, one per weight, of the same shapes.
        accumulators: list of float32 arrays, filled with Keras's
            ``initial_accumulator_value`` (0.1) at the start.
        learning_rate, epsilon: floats, Keras's defaults.
        weight_decay, clipnorm, clipvalue, global_clipnorm, use_weight_decay:
            as in ``sgd_update``.

    Example:
        >>> w, g = [np.ones(2, np.float32)], [np.ones(2, np.float32)]
        >>> acc = [np.full(2, 0.1, np.float32)]
        >>> adagrad_update(w, g, acc, learning_rate=0.01)
    """
    _variables(weights, grads)
    learning_rate = _float(learning_rate, "learning_rate")
    epsilon = _float(epsilon, "epsilon")
    weight_decay, use_weight_decay = _weight_decay(weight_decay, use_weight_decay)
    kind, threshold = _clipping(clipnorm, clipvalue, global_clipnorm)
    _core.adagrad_update(weights, grads, _slots(accumulators, "accumulators"), learning_rate, epsilon, weight_decay,
                         use_weight_decay, kind, threshold)
