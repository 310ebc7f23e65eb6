"""Array data for ``fit`` / ``evaluate`` / ``predict``: checks, splits, batches and class weights."""

import math
import numbers
import warnings

import numpy as np

from kernas.models.inputs import as_float32_input, as_numeric
from kernas.random import global_generator

_FLOAT32_MAX = float(np.finfo(np.float32).max)


def unpack_validation_data(validation_data):
    """``(x, y)`` or ``(x, y, sample_weight)`` as Keras accepts it."""
    if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
        raise ValueError(
            "Expected `validation_data` to be a tuple (x_val, y_val) or (x_val, y_val, val_sample_weight). "
            f"Received: validation_data of type {type(validation_data).__name__}"
            + (f" with {len(validation_data)} entries." if isinstance(validation_data, (tuple, list)) else ".")
        )
    x, y = validation_data[0], validation_data[1]
    sample_weight = validation_data[2] if len(validation_data) == 3 else None
    return x, y, sample_weight


def check_batch_size(batch_size, name="batch_size"):
    if batch_size is None:
        return 32
    if isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral) or batch_size < 1:
        raise ValueError(f"Expected `{name}` to be a positive integer. Received: {name}={batch_size!r}.")
    return int(batch_size)


def _check_class_weight(class_weight):
    """``class_weight`` as ``{int class: float weight}``; a fractional key would silently weigh another class."""
    if not isinstance(class_weight, dict):
        raise TypeError(f"Expected `class_weight` to be a dict {{class index: weight}}. Received: {class_weight!r}.")
    checked = {}
    for cls, weight in class_weight.items():
        integral = (isinstance(cls, numbers.Real) and not isinstance(cls, (bool, np.bool_)) and math.isfinite(cls)
                    and cls == int(cls))
        if not integral:
            raise ValueError(f"Expected `class_weight` keys to be integer class indices. Received: key {cls!r} in "
                             f"class_weight={class_weight!r}.")
        if (isinstance(weight, (bool, np.bool_)) or not isinstance(weight, numbers.Real) or not math.isfinite(weight)
                or abs(weight) > _FLOAT32_MAX):
            raise ValueError(f"Expected `class_weight` values to be numbers finite in float32. Received: "
                             f"{weight!r} for class {cls!r}.")
        checked[int(cls)] = float(weight)
    return checked


def class_weight_to_sample_weight(y, class_weight):
    """Keras's rule: a sample's weight is the weight of its class (argmax of one-hot rows)."""
    class_weight = _check_class_weight(class_weight)
    labels = np.asarray(y)
    if labels.ndim > 1:
        labels = np.argmax(labels, axis=-1) if labels.shape[-1] != 1 else labels.reshape(labels.shape[0])
    labels = np.round(labels).astype(np.int64)
    weights = np.ones(labels.shape[0], dtype=np.float32)
    for cls, weight in class_weight.items():
        weights[labels == int(cls)] = float(weight)
    return weights


class ArrayData:
    """x, optional y and optional sample weights, checked once and cut into batches.

    Args:
        x: the inputs; converted to float32 once.
        y: targets (dtype kept: integer class labels stay integers) or None.
        sample_weight: per-sample weights or None.
        batch_size: samples per batch (the last batch may be smaller); None
            makes all samples one batch.
    """

    def __init__(self, x, y=None, sample_weight=None, batch_size=None):
        if x is None:
            raise ValueError("Expected input data `x`. Received: x=None.")
        self.x = as_float32_input(x, "x")
        if self.x.ndim == 0:
            raise ValueError(f"Expected `x` to have a batch dimension. Received: x with shape {self.x.shape}.")
        self.y = None if y is None else as_numeric(y, "y")
        self.sample_weight = None
        if sample_weight is not None:
            weights = as_float32_input(sample_weight, "sample_weight")
            if weights.ndim == 0:
                raise ValueError(f"Expected `sample_weight` to hold one weight per sample, shape ({len(self.x)},). "
                                 f"Received: the scalar sample_weight={sample_weight!r}. Multiply the loss instead, "
                                 "or pass np.full(len(x), weight).")
            if weights.ndim != 1:
                weights = weights.reshape(weights.shape[0], -1)
                if weights.shape[1] != 1:
                    raise ValueError(
                        f"Expected `sample_weight` to hold one weight per sample, shape ({len(self.x)},). "
                        f"Received: sample_weight.shape={np.shape(sample_weight)}."
                    )
                weights = weights.reshape(-1)
            self.sample_weight = weights
        sizes = {"x": len(self.x)}
        if self.y is not None:
            if self.y.ndim == 0:
                raise ValueError(f"Expected `y` to have a batch dimension. Received: y with shape {self.y.shape}.")
            sizes["y"] = len(self.y)
        if self.sample_weight is not None:
            sizes["sample_weight"] = len(self.sample_weight)
        if len(set(sizes.values())) > 1:
            detail = ", ".join(f"'{name}' sizes: {size}" for name, size in sizes.items())
            raise ValueError(
                "Data cardinality is ambiguous. Make sure all arrays contain the same number of samples. "
                f"Received: {detail}."
            )
        self.size = len(self.x)
        self.batch_size = batch_size or max(self.size, 1)
        self.num_batches = math.ceil(self.size / self.batch_size)

    def apply_class_weight(self, class_weight):
        """Folds Keras's ``class_weight`` into the sample weights (multiplying any given ones)."""
        weights = class_weight_to_sample_weight(self.y, class_weight)
        self.sample_weight = weights if self.sample_weight is None else self.sample_weight * weights

    def split_validation(self, validation_split, validation_batch_size=None):
        """Keras's ``validation_split``: the last fraction, cut before any shuffling.

        The validation part is batched by ``validation_batch_size``, else like the training part.
        """
        split_at = int(math.floor(self.size * (1.0 - validation_split)))
        if split_at == 0 or split_at == self.size:
            raise ValueError(
                f"Training data contains {self.size} samples, which is not sufficient to split it into a "
                f"validation and training set as specified by `validation_split={validation_split}`. Either "
                "provide more data, or a different value for the `validation_split` argument."
            )

        def part(array, rows):
            return None if array is None else array[rows]

        head, tail = slice(0, split_at), slice(split_at, None)
        train = ArrayData(self.x[head], part(self.y, head), part(self.sample_weight, head), self.batch_size)
        validation = ArrayData(self.x[tail], part(self.y, tail), part(self.sample_weight, tail),
                               validation_batch_size or self.batch_size)
        return train, validation

    def batch(self, rows):
        """``(x, y, sample_weight)`` for ``rows`` (a slice or an index array)."""
        y = None if self.y is None else self.y[rows]
        weights = None if self.sample_weight is None else self.sample_weight[rows]
        return self.x[rows], y, weights

    def ordered_batches(self):
        """Row slices in order: views, no copies (evaluate and predict)."""
        for start in range(0, self.size, self.batch_size):
            yield slice(start, min(start + self.batch_size, self.size))


class EpochIterator:
    """Batches for ``fit``, epoch after epoch, with Keras 3's shuffling and ``steps_per_epoch`` rules.

    With ``steps_per_epoch`` the pass over the data continues across epochs and
    restarts (reshuffled) once every batch has been seen; an epoch that would
    run past the end of the data stops early with Keras's warning.
    """

    def __init__(self, data, shuffle=True, steps_per_epoch=None):
        if shuffle not in (True, False, "batch"):
            raise ValueError(f"Expected `shuffle` to be True, False or 'batch'. Received: shuffle={shuffle!r}.")
        if steps_per_epoch is not None and (
            isinstance(steps_per_epoch, bool) or not isinstance(steps_per_epoch, numbers.Integral) or steps_per_epoch < 1
        ):
            raise ValueError(f"Expected `steps_per_epoch` to be a positive integer. Received: {steps_per_epoch!r}.")
        self.data = data
        self.shuffle = shuffle
        self.steps_per_epoch = steps_per_epoch
        self._order = None
        self._seen = 0
        self._pass_started = False

    @property
    def steps(self):
        return self.steps_per_epoch or self.data.num_batches

    def _new_pass(self):
        size, batch = self.data.size, self.data.batch_size
        if self.shuffle is True:
            self._order = global_generator().permutation(size)
        elif self.shuffle == "batch":
            order = np.arange(size)
            full = (size // batch) * batch
            blocks = order[:full].reshape(-1, batch)
            global_generator().shuffle(blocks)
            self._order = np.concatenate([blocks.reshape(-1), order[full:]])
        else:
            self._order = None
        self._seen = 0

    def _rows(self, index):
        start = index * self.data.batch_size
        stop = min(start + self.data.batch_size, self.data.size)
        return slice(start, stop) if self._order is None else self._order[start:stop]

    def epoch(self):
        """Yields ``(step, (x, y, sample_weight))`` for one epoch."""
        if not self._pass_started or self.steps_per_epoch is None:
            self._new_pass()
            self._pass_started = True
        for step in range(self.steps):
            if self._seen >= self.data.num_batches:
                if self.steps_per_epoch:
                    warnings.warn(
                        "Your input ran out of data; interrupting training. Make sure that your dataset can "
                        "generate at least `steps_per_epoch * epochs` batches.",
                        stacklevel=4,
                    )
                break
            rows = self._rows(self._seen)
            self._seen += 1
            yield step, self.data.batch(rows)
        if self._seen >= self.data.num_batches:
            self._pass_started = False
