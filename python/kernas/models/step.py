"""One training, test or predict step of a layer stack: forward, loss, backward, update.

The stack's layers run through their ``forward`` / ``backward`` pair (see
``kernas.layers.Layer``). Everything that can be decided once per compile is
decided in ``StepRunner.__init__``: which layers need an input gradient,
which variables are trained and regularised, and whether the last layer's
softmax can be fused with a crossentropy loss.
"""

from kernas.layers.layer import missing_backward
from kernas.ops import activations as activation_ops
from kernas.ops import losses as loss_ops

_FUSABLE_REDUCTIONS = ("sum_over_batch_size", "sum")


class StepRunner:
    """The compiled step functions of a layer stack.

    Args:
        layers: the stack (no InputLayer), built.
        loss: a ``kernas.losses.Loss`` or None (predict only).
        optimizer: a ``kernas.optimizers.Optimizer`` or None.
    """

    def __init__(self, layers, loss=None, optimizer=None):
        self.layers = list(layers)
        self.loss = loss
        self.optimizer = optimizer
        trained = [layer.trainable and bool(layer.trainable_variables_of_layer()) for layer in self.layers]
        # A layer needs the gradient at its input only if some earlier layer has weights to train.
        self.need_input_grad = [any(trained[:index]) for index in range(len(self.layers))]
        self.first_backward = next((index for index, flag in enumerate(trained) if flag), len(self.layers))
        if optimizer is not None:
            for layer in self.layers[self.first_backward:]:
                if not layer.has_backward():
                    raise missing_backward(layer)
        self.trained = trained
        self.variables = [v for layer, flag in zip(self.layers, trained) if flag for v in layer.trainable_variables_of_layer()]
        self.regularized = [(index, v.regularizer) for index, v in enumerate(self.variables) if v.regularizer is not None]
        self.activity = [layer.activity_regularizer for layer in self.layers]
        self.fused_kind = self._fused_kind()

    def _fused_kind(self):
        """Whether the last layer's softmax and the loss can run as one kernel on the logits."""
        if self.loss is None or not self.layers:
            return None
        last = self.layers[-1]
        if getattr(last, "activation_name", None) != "softmax" or self.activity[-1] is not None:
            return None  # an activity regularizer must see the probabilities, which the fused path skips
        if self.loss.reduction not in _FUSABLE_REDUCTIONS:
            return None
        return self.loss.fused_softmax_kind()

    # ----- forward -----------------------------------------------------------

    def predict(self, x):
        out = x
        for layer in self.layers:
            out = layer.forward(out, False)[0]
        return out

    def _penalties(self):
        total = 0.0
        for index, regularizer in self.regularized:
            total += regularizer(self.variables[index].value)
        return total

    def _activity_penalty(self, outputs):
        total = 0.0
        for regularizer, out in zip(self.activity, outputs):
            if regularizer is not None:
                total += regularizer(out) / out.shape[0]
        return total

    def _loss_and_gradient(self, y, out, sample_weight):
        """Returns ``(loss, d loss / d out, predictions)``; ``out`` are logits when fused."""
        if self.fused_kind is None:
            value, grad = self.loss.value_and_gradient(y, out, sample_weight)
            return value, grad, out
        result = loss_ops.softmax_crossentropy(
            y,
            out,
            sample_weight,
            sparse=self.fused_kind == "sparse",
            label_smoothing=self.loss.label_smoothing,
            reduction=self.loss.reduction,
            with_probabilities=True,
        )
        probabilities = result.probabilities
        if not result.clipped_rows:
            return result.loss, result.gradient, probabilities
        # Keras clips probabilities to [1e-7, 1 - 1e-7]; reproduce its loss and gradient on those rows.
        value, grad = self.loss.value_and_gradient(y, probabilities, sample_weight)
        return value, activation_ops.activation_backward("softmax", grad, y=probabilities), probabilities

    # ----- steps -------------------------------------------------------------

    def train(self, x, y, sample_weight):
        """One optimizer step; returns ``(total loss, predictions)``."""
        layers = self.layers
        last = len(layers) - 1
        saved = [None] * len(layers)
        outputs = [None] * len(layers) if any(r is not None for r in self.activity) else None
        out = x
        for index, layer in enumerate(layers):
            if index == last and self.fused_kind is not None:
                out, saved[index] = layer.forward(out, True, logits=True)
            else:
                out, saved[index] = layer.forward(out, True)
            if outputs is not None:
                outputs[index] = out
        value, grad, predictions = self._loss_and_gradient(y, out, sample_weight)
        if outputs is not None:
            value += self._activity_penalty(outputs)
        if self.regularized:
            value += self._penalties()
        gradients = []
        for index in range(last, self.first_backward - 1, -1):
            layer = layers[index]
            if outputs is not None and self.activity[index] is not None:
                grad = grad + self.activity[index].gradient(outputs[index]) / outputs[index].shape[0]
            grad_in, layer_grads = layer.backward(saved[index], grad, self.need_input_grad[index])
            if self.trained[index]:
                gradients[:0] = layer_grads
            grad = grad_in
        for index, regularizer in self.regularized:
            gradients[index] = gradients[index] + regularizer.gradient(self.variables[index].value)
        if self.variables:
            self.optimizer.apply(gradients, self.variables)
        return value, predictions

    def test(self, x, y, sample_weight):
        """Returns ``(total loss, predictions)`` in inference mode."""
        if any(regularizer is not None for regularizer in self.activity):
            outputs = []
            out = x
            for layer in self.layers:
                out = layer.forward(out, False)[0]
                outputs.append(out)
            penalty = self._activity_penalty(outputs)
        else:
            out, penalty = self.predict(x), 0.0
        value = self.loss(y, out, sample_weight) + penalty
        if self.regularized:
            value += self._penalties()
        return value, out
