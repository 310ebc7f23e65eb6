"""The base of kernas's built-in losses: one fused native kernel per call."""

from kernas.losses.loss import Loss


class KernelLoss(Loss):
    """A ``Loss`` whose value and gradient come from one ``kernas.ops.losses`` function.

    Subclasses pass the kernel function and its keyword options; ``call`` and
    ``gradient`` are answered by the same kernel (per-sample values, and the
    gradient of their sum), so custom code can mix built-ins with its own.
    """

    def __init__(self, kernel, name, reduction, dtype, **options):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self._kernel = kernel
        self._options = options

    def _evaluate(self, y_true, y_pred, sample_weight, gradient):
        return self._kernel(
            y_true, y_pred, sample_weight, reduction=self.reduction, gradient=gradient, **self._options
        )

    def call(self, y_true, y_pred):
        return self._kernel(y_true, y_pred, reduction=None, **self._options)

    def gradient(self, y_true, y_pred):
        return self._kernel(y_true, y_pred, reduction="sum", gradient=True, **self._options)[1]
