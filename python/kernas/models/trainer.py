"""Keras's training API: compile, fit, evaluate, predict and the ``*_on_batch`` variants.

``Trainer`` is the part of ``Sequential`` that runs data through the model; the
model itself supplies ``_runner(loss, optimizer)`` (a ``StepRunner`` over its
built layers) and ``_prepare_input(x)`` (builds the model on first use and
checks the input shape).
"""

import numbers

import numpy as np

from kernas.models.compiled import CompiledState
from kernas.models.data import (
    ArrayData,
    EpochIterator,
    check_batch_size,
    unpack_validation_data,
)
from kernas.models.inputs import as_float32_input
from kernas.models.model_use import ModelUse
from kernas.models.step_interrupts import StepInterrupts


def _verbosity(verbose):
    if verbose == "auto":
        return 1
    if verbose not in (0, 1, 2) or isinstance(verbose, bool):
        raise ValueError(f"Expected `verbose` to be 0, 1, 2 or 'auto'. Received: verbose={verbose!r}.")
    return int(verbose)


def _positive_int(value, name, allow_none=True):
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"Expected `{name}` to be a positive integer. Received: {name}={value!r}.")
    return int(value)


def _callback_list(callbacks, model, verbose, epochs, steps, add_history=False):
    from kernas.callbacks import CallbackList

    if callbacks is not None and not isinstance(callbacks, CallbackList):
        callbacks = list(callbacks) if isinstance(callbacks, (list, tuple)) else [callbacks]
    if isinstance(callbacks, CallbackList):
        return callbacks
    return CallbackList(
        callbacks, add_history=add_history, add_progbar=verbose != 0, model=model, verbose=verbose, epochs=epochs,
        steps=steps,
    )


_COMPILE_CONFIG_KEYS = {"optimizer", "loss", "loss_weights", "metrics", "weighted_metrics", "run_eagerly",
                        "steps_per_execution", "jit_compile", "auto_scale_loss"}


class Trainer:
    """compile / fit / evaluate / predict for a model (mixed into ``Sequential``)."""

    def _init_trainer(self):
        self.compiled = False
        self._compiled_state = None
        self.optimizer = None
        self.loss = None
        self.stop_training = False
        self.history = None
        self._use = ModelUse(self)

    # ----- compile -----------------------------------------------------------

    def compile(self, optimizer="rmsprop", loss=None, loss_weights=None, metrics=None, weighted_metrics=None,
                run_eagerly=False, steps_per_execution=1, jit_compile="auto", auto_scale_loss=True):
        """Configures the model for training.

        Args:
            optimizer: a name (``"adam"``, ``"sgd"``, ...) or a ``kernas.optimizers`` object.
            loss: a name (``"categorical_crossentropy"``, ``"mse"``, ...) or a ``kernas.losses`` object.
            metrics: a list of metric names or ``kernas.metrics`` objects; ``"accuracy"``
                is resolved from the labels and outputs as Keras resolves it.
            weighted_metrics: metrics that take ``sample_weight`` / ``class_weight`` into account.
            loss_weights: only ``None`` (the model has a single output).
            run_eagerly, jit_compile, auto_scale_loss: accepted for compatibility; kernas
                always runs its native kernels eagerly in float32.
            steps_per_execution: must be 1.

        Example:
            >>> model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
        """
        state = CompiledState(optimizer, loss, loss_weights, metrics, weighted_metrics, steps_per_execution)
        with self._use.changing("compile"):
            self._compiled_state = state
            self.optimizer = state.optimizer
            self.loss = state.loss
            self.compiled = True

    def _require_compiled(self, method):
        if not self.compiled:
            raise RuntimeError(
                f"You must call `compile()` before using the model for `{method}()`. "
                "For example: model.compile(optimizer='adam', loss='mse')."
            )
        return self._compiled_state

    @property
    def metrics_names(self):
        if not self.compiled:
            return []
        state = self._compiled_state
        return ["loss"] + (["compile_metrics"] if state.metric_identifiers or state.weighted_identifiers else [])

    @property
    def metrics(self):
        if not self.compiled:
            return []
        state = self._compiled_state
        return [state.loss_tracker] + (state.metrics or []) + (state.weighted or [])

    def reset_metrics(self):
        if self.compiled:
            self._compiled_state.reset()

    def get_compile_config(self):
        """The compile arguments, serialized as Keras serializes them (``{}`` before ``compile``)."""
        from kernas.saving.model_config import compile_config

        return compile_config(self)

    def compile_from_config(self, config):
        """Compiles the model from ``get_compile_config()``'s output, and builds the optimizer's state.

        Building the optimizer here gives ``load_model`` variables to restore
        the saved state into, so ``fit`` resumes exactly where it stopped.
        """
        if not isinstance(config, dict):
            raise ValueError(f"Expected a compile config dict. Received: {config!r}.")
        unknown = sorted(set(config) - _COMPILE_CONFIG_KEYS)
        if unknown:
            raise ValueError(f"Expected compile config keys among {sorted(_COMPILE_CONFIG_KEYS)}. Received unknown "
                             f"keys: {unknown}. Pass compile=False to load the model uncompiled.")
        if config.get("optimizer") is None:
            raise ValueError("Expected the compile config to name an optimizer. Received: optimizer=None. Pass "
                             "compile=False to load the model uncompiled, then compile it yourself.")
        from kernas import metrics

        # Serialized metrics are resolved here, not at the first batch, so that the classes and functions
        # given as custom_objects (in scope while loading) serve them. Names stay as they are: what
        # "accuracy" means depends on the data.
        arguments = dict(config)
        try:
            for key in ("metrics", "weighted_metrics"):
                if isinstance(config.get(key), list):
                    arguments[key] = [metrics.get(m) if isinstance(m, dict) else m for m in config[key]]
            self.compile(**arguments)
        except (TypeError, ValueError) as error:
            raise ValueError(f"The model's saved compile arguments cannot be used by kernas: {error} "
                             "Pass compile=False to load the model uncompiled, then compile it yourself.") from None
        # Saving the model again writes the compile arguments as they were saved.
        self._compiled_state.config.update({key: config[key] for key in ("metrics", "weighted_metrics")
                                            if key in config})
        if self.built:
            self.optimizer.build(self.trainable_weights)

    def compile_arguments(self):
        """The arguments ``compile`` was called with, as given."""
        return dict(self._compiled_state.config) if self.compiled else {}

    # ----- fit ---------------------------------------------------------------

    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None, validation_split=0.0,
            validation_data=None, shuffle=True, class_weight=None, sample_weight=None, initial_epoch=0,
            steps_per_epoch=None, validation_steps=None, validation_batch_size=None, validation_freq=1):
        """Trains the model on NumPy arrays, with Keras 3's arguments and semantics.

        Returns:
            A ``History`` whose ``history`` dict holds each epoch's logs.
        """
        state = self._require_compiled("fit")
        state.require_optimizer("fit")
        verbose = _verbosity(verbose)
        epochs = _positive_int(epochs, "epochs", allow_none=False) if epochs != 0 else 0
        if isinstance(initial_epoch, bool) or not isinstance(initial_epoch, numbers.Integral) or initial_epoch < 0:
            raise ValueError(f"Expected `initial_epoch` to be a non-negative integer. Received: {initial_epoch!r}.")
        validation_steps = _positive_int(validation_steps, "validation_steps")
        if validation_batch_size is not None:
            validation_batch_size = check_batch_size(validation_batch_size, "validation_batch_size")
        validation_freq = _positive_int(validation_freq, "validation_freq", allow_none=False)
        if y is None:
            raise ValueError(
                "Expected targets `y` for fit(). Received: y=None. kernas trains on NumPy arrays: "
                "call model.fit(x, y, ...)."
            )
        if isinstance(validation_split, bool) or not isinstance(validation_split, numbers.Real) or not (
            0.0 <= validation_split < 1.0
        ):
            raise ValueError(f"Expected `validation_split` in [0, 1). Received: validation_split={validation_split!r}.")
        data = ArrayData(x, y, sample_weight, check_batch_size(batch_size))
        validation = None
        if validation_data is not None:
            vx, vy, vw = unpack_validation_data(validation_data)
            validation = ArrayData(vx, vy, vw, validation_batch_size or data.batch_size)
        elif validation_split:
            data, validation = data.split_validation(validation_split, validation_batch_size)
        if class_weight is not None:
            data.apply_class_weight(class_weight)
        with self._use.changing("fit"), StepInterrupts() as interrupts:
            return self._fit(state, data, validation, shuffle, steps_per_epoch, callbacks, verbose, epochs,
                             initial_epoch, validation_freq, validation_steps, interrupts)

    def _fit(self, state, data, validation, shuffle, steps_per_epoch, callbacks, verbose, epochs, initial_epoch,
             validation_freq, validation_steps, interrupts):
        """fit's loop; an interrupt or a callback's exception leaves the weights of the last completed step."""
        self._prepare_input(data.x)
        if validation is not None:
            self._prepare_input(validation.x)
        runner = self._runner(state.loss, state.optimizer)
        # An inference pass on a few samples surfaces label and shape errors before any output or step.
        runner.test(*data.batch(slice(0, min(data.batch_size, 32))))
        if validation is not None and validation.size:
            runner.test(*validation.batch(slice(0, min(validation.batch_size, 32))))
        iterator = EpochIterator(data, shuffle, steps_per_epoch)
        callbacks = _callback_list(callbacks, self, verbose, epochs, iterator.steps, add_history=True)
        self.stop_training = False
        callbacks.on_train_begin()
        logs = {}
        for epoch in range(initial_epoch, epochs):
            state.reset()
            callbacks.on_epoch_begin(epoch)
            for step, (batch_x, batch_y, batch_weight) in iterator.epoch():
                callbacks.on_train_batch_begin(step)
                interrupts.begin_step()
                try:
                    value, predictions = runner.train(batch_x, batch_y, batch_weight)
                    state.update(value, batch_y, predictions, batch_weight)
                finally:
                    interrupts.end_step()
                callbacks.on_train_batch_end(step, state.logs())
                if self.stop_training:
                    break
            logs = state.logs()
            if validation is not None and (epoch + 1) % validation_freq == 0:
                val_logs = self._evaluate_data(validation, runner, callbacks, validation_steps)
                logs.update({"val_" + name: value for name, value in val_logs.items()})
            callbacks.on_epoch_end(epoch, logs)
            if self.stop_training:
                break
        callbacks.on_train_end(logs)
        return self.history

    # ----- evaluate ----------------------------------------------------------

    def _evaluate_data(self, data, runner, callbacks, steps):
        state = self._compiled_state
        state.reset()
        callbacks.on_test_begin()
        for step, rows in enumerate(data.ordered_batches()):
            if steps is not None and step >= steps:
                break
            callbacks.on_test_batch_begin(step)
            batch_x, batch_y, batch_weight = data.batch(rows)
            value, predictions = runner.test(batch_x, batch_y, batch_weight)
            state.update(value, batch_y, predictions, batch_weight)
            callbacks.on_test_batch_end(step, state.logs())
        logs = state.logs()
        callbacks.on_test_end(logs)
        return logs

    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None, steps=None,
                 callbacks=None, return_dict=False):
        """Returns the loss (and metrics) on the given data, in inference mode.

        Returns:
            The loss as a float when no metrics were compiled, else ``[loss, *metrics]``
            in compile order; with ``return_dict=True`` a dict keyed like the logs.
        """
        state = self._require_compiled("evaluate")
        verbose = _verbosity(verbose)
        steps = _positive_int(steps, "steps")
        if y is None:
            raise ValueError("Expected targets `y` for evaluate(). Received: y=None.")
        data = ArrayData(x, y, sample_weight, check_batch_size(batch_size))
        with self._use.changing("evaluate"):
            self._prepare_input(data.x)
            runner = self._runner(state.loss, None)
            callbacks = _callback_list(callbacks, self, verbose, 1, min(steps or data.num_batches, data.num_batches))
            logs = self._evaluate_data(data, runner, callbacks, steps)
            if return_dict:
                return logs
            results = state.ordered_results()
            return results[0] if len(results) == 1 else results

    # ----- predict -----------------------------------------------------------

    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        """Returns the model's outputs for ``x`` as one float32 array, computed in batches."""
        verbose = _verbosity(verbose)
        steps = _positive_int(steps, "steps")
        data = ArrayData(x, batch_size=check_batch_size(batch_size))
        with self._use.reading("predict"):
            return self._predict(data, steps, callbacks, verbose)

    def _predict(self, data, steps, callbacks, verbose):
        self._prepare_input(data.x)
        runner = self._runner(None, None)
        total = min(steps or data.num_batches, data.num_batches)
        callbacks = _callback_list(callbacks, self, verbose, 1, total)
        callbacks.on_predict_begin()
        outputs = []
        for step, rows in enumerate(data.ordered_batches()):
            if step >= total:
                break
            callbacks.on_predict_batch_begin(step)
            out = runner.predict(data.x[rows])
            outputs.append(out)
            callbacks.on_predict_batch_end(step, {"outputs": out})
        callbacks.on_predict_end()
        if not outputs:
            return np.zeros((0,) + tuple(self.compute_output_shape((None,) + data.x.shape[1:]))[1:], np.float32)
        return np.concatenate(outputs, axis=0)

    # ----- single batches ----------------------------------------------------

    def _batch_results(self, return_dict):
        state = self._compiled_state
        if return_dict:
            return state.logs()
        results = state.ordered_results()
        return results[0] if len(results) == 1 else results

    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, return_dict=False):
        """One optimizer step on one batch; returns the (running) loss and metrics like ``evaluate``."""
        state = self._require_compiled("train_on_batch")
        state.require_optimizer("train_on_batch")
        if y is None:
            raise ValueError("Expected targets `y` for train_on_batch(). Received: y=None.")
        data = ArrayData(x, y, sample_weight)
        if class_weight is not None:
            data.apply_class_weight(class_weight)
        with self._use.changing("train_on_batch"), StepInterrupts() as interrupts:
            self._prepare_input(data.x)
            runner = self._runner(state.loss, state.optimizer)
            interrupts.begin_step()
            try:
                value, predictions = runner.train(data.x, data.y, data.sample_weight)
                state.update(value, data.y, predictions, data.sample_weight)
            finally:
                interrupts.end_step()
            return self._batch_results(return_dict)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        """The loss and metrics on one batch, in inference mode."""
        state = self._require_compiled("test_on_batch")
        if y is None:
            raise ValueError("Expected targets `y` for test_on_batch(). Received: y=None.")
        data = ArrayData(x, y, sample_weight)
        with self._use.changing("test_on_batch"):
            self._prepare_input(data.x)
            state.reset()
            value, predictions = self._runner(state.loss, None).test(data.x, data.y, data.sample_weight)
            state.update(value, data.y, predictions, data.sample_weight)
            return self._batch_results(return_dict)

    def predict_on_batch(self, x):
        """The model's outputs for one batch."""
        x = as_float32_input(x, "x")
        with self._use.reading("predict_on_batch"):
            self._prepare_input(x)
            return self._runner(None, None).predict(x)
