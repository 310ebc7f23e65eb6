"""The base of BinaryCrossentropy and CategoricalCrossentropy: a crossentropy kernel with label smoothing."""

from kernas.losses import options
from kernas.losses.kernel_loss import KernelLoss


class SmoothedCrossentropy(KernelLoss):
    """A crossentropy loss with ``from_logits``, ``label_smoothing`` and ``axis`` (Keras's config keys).

    Args:
        kernel: the ``kernas.ops.losses`` crossentropy function.
        from_logits: whether ``y_pred`` holds logits rather than probabilities.
        label_smoothing: in ``[0, 1]``.
        axis: ``-1`` only.
        reduction: Keras's reduction.
        name: the loss's name.
        dtype: ``None`` or ``"float32"``.
    """

    def __init__(self, kernel, from_logits, label_smoothing, axis, reduction, name, dtype):
        super().__init__(
            kernel,
            name=name,
            reduction=reduction,
            dtype=dtype,
            from_logits=options.check_from_logits(from_logits),
            label_smoothing=float(options.check_label_smoothing(label_smoothing)),
        )
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = options.check_axis(axis)

    def get_config(self):
        return {
            **super().get_config(),
            "from_logits": self.from_logits,
            "label_smoothing": self.label_smoothing,
            "axis": self.axis,
        }
