"""Keras's ``Recall`` metric."""

from kernas.metrics.confusion_ratio_metric import ConfusionRatio


class Recall(ConfusionRatio):
    """true positives / (true positives + false negatives): how many of the positives are predicted positive.

    A prediction is positive above a threshold; labels are positive when
    nonzero. With several thresholds, ``result`` is a float32 array, one
    value per threshold (as Keras's tensor).

    Args:
        thresholds: a float or list of floats in [0, 1] (default 0.5, or no
            threshold at all with ``top_k``).
        top_k: count only each sample's ``top_k`` highest predictions as positive.
        class_id: compute the metric for this class (column of ``y_pred``) only.
        name: the metric's name (default ``"recall"``, made unique as Keras does).
        dtype: ``None`` or ``"float32"``.

    Example:
        >>> m = kernas.metrics.Recall()
        >>> m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
        >>> round(m.result(), 4)
        0.6667
    """

    _state_names = ("true_positives", "false_negatives")
    _other_index = 3  # in confusion.counts's (tp, fp, tn, fn)
