"""The optimizer base class: Keras 3's ``Optimizer`` API over one fused kernas update per step."""

import math
import operator
import re
import warnings

import numpy as np

from kernas.backend.naming import snake_case, unique_name
from kernas.backend.variable import Variable
from kernas.optimizers import schedules

_UNSUPPORTED_FIX = "kernas does not implement it; leave it at its default"
_FLOAT32_MAX = float(np.finfo(np.float32).max)


class _IterationVariable(Variable):
    """Keras's integer ``iteration`` counter: a 0-d int64 array (a float32 one loses counts past 2**24)."""

    def __init__(self, path):
        super().__init__(0, "iteration", trainable=False, path=path)
        self._value = np.zeros((), np.int64)

    @property
    def dtype(self):
        return "int64"


class Optimizer:
    """The base class of kernas optimizers (``keras.optimizers.Optimizer``).

    Subclasses name their slot variables in Keras's creation order
    (``_slot_groups``), the kernel's slot order (``_kernel_slots``), their
    hyperparameters for the kernel (``_kernel_hyperparameters``) and call the
    fused kernel in ``_update``. ``apply`` then costs one kernel call for all
    variables, with the arrays it takes cached by ``build``.

    Args:
        learning_rate: a float, a
            ``kernas.optimizers.schedules.LearningRateSchedule``, or a
            callable taking no arguments and returning the rate.
        weight_decay: ``None`` or a float: ``w -= w * weight_decay *
            learning_rate`` before each update.
        clipnorm: clip each gradient to this L2 norm.
        clipvalue: clip each gradient element to ``[-clipvalue, clipvalue]``.
        global_clipnorm: clip all gradients together to this global L2 norm.
            At most one of the three clipping arguments may be set.
        use_ema: must be ``False`` (kernas has no weight moving average).
        ema_momentum, ema_overwrite_frequency: kept for Keras's config; only
            used with ``use_ema``.
        loss_scale_factor: must be ``None`` (no loss scaling in kernas).
        gradient_accumulation_steps: must be ``None`` (no accumulation).
        name: a string; ``snake_case`` of the class name, made unique, by
            default.
    """

    _slot_groups = ()
    _kernel_slots = ()

    def __init__(self, learning_rate, weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        if kwargs.pop("decay", None) is not None:
            warnings.warn("Argument `decay` is no longer supported and will be ignored.")
        if kwargs:
            raise ValueError(f"Argument(s) not recognized: {kwargs}. Expected the arguments of "
                             f"{type(self).__name__}: see help(kernas.optimizers.{type(self).__name__}).")
        if use_ema:
            raise ValueError(f"Argument `use_ema=True` is not supported: {_UNSUPPORTED_FIX} (False). "
                             f"Received: use_ema={use_ema!r}.")
        if loss_scale_factor is not None:
            raise ValueError(f"Argument `loss_scale_factor` is not supported: {_UNSUPPORTED_FIX} (None). "
                             f"Received: loss_scale_factor={loss_scale_factor!r}.")
        if gradient_accumulation_steps:
            raise ValueError(f"Argument `gradient_accumulation_steps` is not supported: {_UNSUPPORTED_FIX} "
                             f"(None). Received: gradient_accumulation_steps={gradient_accumulation_steps!r}.")
        if sum(a is not None for a in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError(
                "Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. Received: "
                f"clipnorm={clipnorm}, clipvalue={clipvalue}, global_clipnorm={global_clipnorm}"
            )
        if weight_decay is not None:
            check_hyperparameter(weight_decay, "weight_decay", low=0.0)
        # Keras ignores a threshold <= 0 and clipvalue=inf never clips; NaN has no meaning, and a norm
        # threshold of inf gives g * inf / inf = NaN gradients (in Keras too).
        for argument, value in (("clipnorm", clipnorm), ("clipvalue", clipvalue), ("global_clipnorm", global_clipnorm)):
            number = None if value is None else check_float(value, argument)
            # float32 is what the kernels compute in: 3e39 is inf there.
            if number is not None and (math.isnan(number) or (number > _FLOAT32_MAX and argument != "clipvalue")):
                raise ValueError(f"Expected `{argument}` to be a float finite in float32 (a threshold <= 0 "
                                 f"disables clipping, as in Keras). Received: {argument}={value!r}.")
        if name is not None and not isinstance(name, str):
            raise TypeError(f"Expected `name` to be a string. Received: name={name!r} of type {type(name).__name__}.")
        self.name = name if name is not None else unique_name(snake_case(type(self).__name__))
        self.weight_decay = weight_decay
        self.clipnorm = clipnorm
        self.clipvalue = clipvalue
        self.global_clipnorm = global_clipnorm
        self.use_ema = use_ema
        self.ema_momentum = ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        self.loss_scale_factor = loss_scale_factor
        self.gradient_accumulation_steps = gradient_accumulation_steps
        self.built = False
        self._iterations = _IterationVariable(f"{self.name}/iteration")
        self._iteration = self._iterations.value
        self._learning_rate_variable = None
        self._learning_rate_function = None
        if isinstance(learning_rate, schedules.LearningRateSchedule) or callable(learning_rate):
            self._learning_rate_function = learning_rate
        elif isinstance(learning_rate, float):
            check_hyperparameter(learning_rate, "learning_rate", low=0.0)
            self._learning_rate_variable = Variable(learning_rate, "learning_rate", trainable=False,
                                                    path=f"{self.name}/learning_rate")
        else:
            raise ValueError(
                "Argument `learning_rate` should be float, or an instance of LearningRateSchedule, or a callable "
                "(that takes in the current iteration value and returns the corresponding learning rate value). "
                f"Received instead: learning_rate={learning_rate}"
            )
        self._excluded_ids = set()
        self._excluded_pattern = None
        self._trainable_variables = []
        self._slots = {}
        self._slot_variables = []

    # ---- learning rate and iterations ------------------------------------------------

    @property
    def iterations(self):
        """The number of updates applied so far (an int; ``variables[0]`` holds it as an array)."""
        return int(self._iteration)

    @property
    def learning_rate(self):
        """The current learning rate as a float: a schedule's value at ``iterations``, in float32."""
        if self._learning_rate_variable is not None:
            return float(self._learning_rate_variable.value)
        return self._scheduled_learning_rate(int(self._iteration))

    @learning_rate.setter
    def learning_rate(self, learning_rate):
        if isinstance(learning_rate, schedules.LearningRateSchedule) or callable(learning_rate):
            self._learning_rate_function = learning_rate
            self._learning_rate_variable = None
            return
        if self._learning_rate_variable is None:
            kind = ("a `LearningRateSchedule` object" if isinstance(self._learning_rate_function,
                                                                    schedules.LearningRateSchedule) else "a callable")
            raise TypeError(
                f"This optimizer was created with {kind} as its `learning_rate` constructor argument, hence its "
                "learning rate is not settable. If you need the learning rate to be settable, you should "
                "instantiate the optimizer with a float `learning_rate` argument."
            )
        self._learning_rate_variable.value[()] = check_hyperparameter(learning_rate, "learning_rate", low=0.0)

    def _scheduled_learning_rate(self, iterations):
        function = self._learning_rate_function
        value = function(iterations) if isinstance(function, schedules.LearningRateSchedule) else function()
        # Built-in schedules already return float32; anything else is rounded to it, as Keras casts.
        if type(value) is not np.float32:
            try:
                converted = np.float32(value)
            except (TypeError, ValueError):
                converted = None
            if type(converted) is not np.float32:  # np.float32([1, 2]) is an array
                raise TypeError(f"Expected the learning rate {function!r} to return a float. Received: {value!r} "
                                f"at iteration {iterations}.")
            value = converted
        rate = float(value)
        if not math.isfinite(rate):
            # Stepping with it would turn every weight into NaN; stop with the weights as they are.
            raise ValueError(f"Expected a finite learning rate. Received: {rate} from {function!r} at iteration "
                             f"{iterations}. Check the schedule's arguments.")
        return rate

    # ---- variables ---------------------------------------------------------------------

    @property
    def variables_before_build(self):
        """The variables an optimizer has from construction: ``iteration``, ``learning_rate`` (not with a schedule)."""
        head = [self._iterations]
        if self._learning_rate_variable is not None:
            head.append(self._learning_rate_variable)
        return head

    @property
    def variables(self):
        """Keras's order: ``iteration``, ``learning_rate`` (not with a schedule), then the slots."""
        return self.variables_before_build + self._slot_variables

    def build(self, variables):
        """Creates the slot variables (zeros, or Keras's initial value) for ``variables``.

        Args:
            variables: the list of ``kernas.backend.Variable`` to optimize, in the
                order ``apply`` receives their gradients.
        """
        if self.built:
            return
        variables = list(variables)
        for i, variable in enumerate(variables):
            if not isinstance(variable, Variable):
                raise TypeError(f"Expected kernas Variables to optimize. Received: variables[{i}] of type "
                                f"{type(variable).__name__}.")
        self._index = {id(v): i for i, v in enumerate(variables)}
        if len(self._index) != len(variables):
            raise ValueError("Expected each variable once. Received: a list of variables with duplicates "
                             f"({[v.path for v in variables]}).")
        self._trainable_variables = variables
        self._weights = [v.value for v in variables]
        self._slot_variables = []
        for names, initial_value in self._slot_groups:
            for name in names:
                self._slots[name] = []
            # Keras interleaves the names of a group variable by variable (momentum, velocity, momentum, ...).
            for variable in variables:
                for name in names:
                    slot_name = f"{variable.path.replace('/', '_')}_{name}"
                    slot = Variable(np.full(variable.shape, initial_value, np.float32), slot_name, trainable=False,
                                    path=f"{self.name}/{slot_name}")
                    self._slots[name].append(slot)
                    self._slot_variables.append(slot)
        self._slot_arrays = [[s.value for s in self._slots[name]] if name in self._slots else None
                             for name in self._kernel_slots]
        self.built = True
        self._configure_kernel()

    def _configure_kernel(self):
        """Caches the keyword arguments of the fused kernel (weight decay flags included)."""
        flags = None
        if self.weight_decay is not None:
            flags = [self._use_weight_decay(v) for v in self._trainable_variables]
            if all(flags):
                flags = None
        self._kernel_kwargs = dict(self._kernel_hyperparameters(), weight_decay=self.weight_decay,
                                   clipnorm=self.clipnorm, clipvalue=self.clipvalue,
                                   global_clipnorm=self.global_clipnorm, use_weight_decay=flags)

    def exclude_from_weight_decay(self, var_list=None, var_names=None):
        """Excludes variables from weight decay.

        Args:
            var_list: variables to exclude.
            var_names: strings; a variable whose name contains any of them
                (a regular expression search, as Keras) is excluded, e.g.
                ``["bias"]``.
        """
        self._excluded_ids = {id(v) for v in var_list} if var_list else set()
        self._excluded_pattern = re.compile("|".join(set(var_names))) if var_names else None
        if self.built:
            self._configure_kernel()

    def _use_weight_decay(self, variable):
        if id(variable) in self._excluded_ids:
            return False
        return self._excluded_pattern is None or self._excluded_pattern.search(variable.name) is None

    # ---- updates ---------------------------------------------------------------------------

    def apply_gradients(self, grads_and_vars):
        """Applies ``(gradient, variable)`` pairs; returns ``iterations``."""
        pairs = list(grads_and_vars)
        if not pairs or not all(isinstance(pair, (tuple, list)) and len(pair) == 2 for pair in pairs):
            raise ValueError("Expected `grads_and_vars` to be a non-empty list of (gradient, variable) pairs. "
                             f"Received: {pairs!r:.200}.")
        grads, variables = zip(*pairs)
        self.apply(grads, variables)
        return self.iterations

    def apply(self, grads, trainable_variables=None):
        """Updates the variables in place from their gradients, then increments ``iterations``.

        Args:
            grads: gradients (arrays), aligned with ``trainable_variables``;
                ``None`` skips a variable, as in Keras.
            trainable_variables: the variables; builds the optimizer on the
                first call. ``None``: the variables it was built with.
        """
        if type(grads) is not list and type(grads) is not tuple:
            grads = list(grads)  # any iterable, as Keras takes (the per-step caller passes a list)
        if len(grads) == 0:
            return
        if trainable_variables is None:
            if not self.built:
                raise ValueError("When passing `grads` without `variables`, the optimizer must already be built "
                                 "on a list of variables. Call `optimizer.build(trainable_variables)` first.")
            if len(grads) != len(self._trainable_variables):
                raise ValueError(f"Expected one gradient per variable the optimizer was built with "
                                 f"({len(self._trainable_variables)}). Received: {len(grads)} gradients.")
            trainable_variables = self._trainable_variables
        elif not self.built:
            self.build(trainable_variables)
        weights, slots, kwargs = self._weights, self._slot_arrays, self._kernel_kwargs
        if (type(None) in map(type, grads) or len(grads) != len(self._trainable_variables)
                or len(trainable_variables) != len(self._trainable_variables)
                or not all(map(operator.is_, trainable_variables, self._trainable_variables))):
            grads, weights, slots, kwargs = self._select(grads, trainable_variables)
        step = int(self._iteration) + 1
        if self._learning_rate_variable is not None:
            learning_rate = float(self._learning_rate_variable.value)
        else:
            learning_rate = self._scheduled_learning_rate(step - 1)
        self._update(weights, grads, slots, learning_rate, step, kwargs)
        self._iteration[()] = step

    def _select(self, grads, variables):
        """The kernel's arguments for a subset or reordering of the variables, skipping ``None`` gradients."""
        if len(grads) != len(variables):
            raise ValueError(f"Expected one gradient per variable. Received: {len(grads)} gradients for "
                             f"{len(variables)} variables.")
        indices, kept, missing = [], [], []
        for grad, variable in zip(grads, variables):
            index = self._index.get(id(variable))
            if index is None:
                raise ValueError(
                    f"Unknown variable: {variable}. This optimizer can only be called for the variables it was "
                    "originally built with. When working with a new set of variables, you should recreate a new "
                    "optimizer instance."
                )
            if grad is None:
                missing.append(variable.path)
            else:
                indices.append(index)
                kept.append(grad)
        if not kept:
            raise ValueError("No gradients provided for any variable.")
        if missing:
            warnings.warn(f"Gradients do not exist for variables {missing} when minimizing the loss. If using "
                          "`model.compile()`, did you forget to provide a `loss` argument?")
        kwargs = self._kernel_kwargs
        if kwargs["use_weight_decay"] is not None:
            kwargs = dict(kwargs, use_weight_decay=[kwargs["use_weight_decay"][i] for i in indices])
        slots = [[arrays[i] for i in indices] if arrays is not None else None for arrays in self._slot_arrays]
        return kept, [self._weights[i] for i in indices], slots, kwargs

    def _kernel_hyperparameters(self):
        """The subclass's keyword arguments for its ``kernas.ops.optimizers`` kernel."""
        raise NotImplementedError(f"Optimizer '{type(self).__name__}' must override `_kernel_hyperparameters()`.")

    def _update(self, weights, grads, slots, learning_rate, step, kwargs):
        """Calls the subclass's fused kernel once for all ``weights`` (``slots`` in ``_kernel_slots`` order)."""
        raise NotImplementedError(f"Optimizer '{type(self).__name__}' must override `_update()`.")

    def finalize_variable_values(self, var_list):
        """Keras's end-of-training hook; without EMA (kernas has none) the variables stay as they are."""

    # ---- state ---------------------------------------------------------------------------------

    def set_weights(self, weights):
        """Sets every optimizer variable (the order of ``variables``) from a list of arrays."""
        if not self.built:
            raise ValueError("You are calling `set_weights()` on an optimizer that has not yet been built. Please "
                             "call `optimizer.build(trainable_variables)` to create the optimizer weights before "
                             "calling `set_weights()`.")
        variables = self.variables
        if len(weights) != len(variables):
            raise ValueError(f"Expected {len(variables)} arrays, one per optimizer variable. "
                             f"Received: {len(weights)} arrays.")
        for variable, weight in zip(variables, weights):
            variable.assign(weight)

    def save_own_variables(self, store):
        """Writes the variables into ``store`` under ``"0"``, ``"1"``, ... (Keras's saving layout)."""
        for i, variable in enumerate(self.variables):
            store[str(i)] = variable.numpy()

    def load_own_variables(self, store):
        """Reads the variables written by ``save_own_variables``; warns and skips on a count mismatch."""
        variables = self.variables
        if len(store.keys()) != len(variables):
            message = (f"Skipping variable loading for optimizer '{self.name}', because it has {len(variables)} "
                       f"variables whereas the saved optimizer has {len(store.keys())} variables. ")
            if not self.built:
                message += "This is likely because the optimizer has not been called/built yet."
            warnings.warn(message, stacklevel=2)
            return
        for i, variable in enumerate(variables):
            variable.assign(store[str(i)])

    # ---- config --------------------------------------------------------------------------------

    def get_config(self):
        """Keras's config: the constructor arguments (a schedule serialized, a float rounded to float32)."""
        if self._learning_rate_variable is not None:
            learning_rate = float(self._learning_rate_variable.value)
        elif isinstance(self._learning_rate_function, schedules.LearningRateSchedule):
            learning_rate = schedules.serialize(self._learning_rate_function)
        else:
            raise ValueError(
                "Expected a float or a LearningRateSchedule learning rate to serialize the optimizer. Received: "
                f"learning_rate={self._learning_rate_function!r}. Use a LearningRateSchedule subclass with "
                "`get_config()` in place of a plain callable."
            )
        return {
            "name": self.name,
            "learning_rate": learning_rate,
            "weight_decay": self.weight_decay,
            "clipnorm": self.clipnorm,
            "global_clipnorm": self.global_clipnorm,
            "clipvalue": self.clipvalue,
            "use_ema": self.use_ema,
            "ema_momentum": self.ema_momentum,
            "ema_overwrite_frequency": self.ema_overwrite_frequency,
            "loss_scale_factor": self.loss_scale_factor,
            "gradient_accumulation_steps": self.gradient_accumulation_steps,
        }

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """The optimizer ``get_config`` describes (no state); a serialized schedule is rebuilt."""
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = schedules.deserialize(config["learning_rate"], custom_objects=custom_objects)
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


# The base class's arguments, which every Keras optimizer repeats in its own signature.
_BASE_ARGUMENTS = ("learning_rate", "weight_decay", "clipnorm", "clipvalue", "global_clipnorm", "use_ema",
                   "ema_momentum", "ema_overwrite_frequency", "loss_scale_factor", "gradient_accumulation_steps",
                   "name")


def base_arguments(arguments):
    """The ``Optimizer`` arguments (and ``**kwargs``) among a subclass constructor's ``locals()``, to pass on."""
    return {**{key: arguments[key] for key in _BASE_ARGUMENTS}, **arguments["kwargs"]}


def check_float(value, name):
    """``value`` as a float, or TypeError naming the argument (checked once, not per step)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"Expected `{name}` to be a float. Received: {name}={value!r} of type "
                        f"{type(value).__name__}.")
    return float(value)


def check_hyperparameter(value, name, low=None, high=None, include_high=True, include_low=True):
    """``value`` as a float that is finite in float32 and within the bounds, else an error naming it.

    The kernels compute in float32, so 1e39 would be inf there; a NaN, an inf
    or an out-of-range decay would turn every weight into NaN at the first
    step, far from its cause.
    """
    number = check_float(value, name)
    finite = math.isfinite(number) and abs(number) <= _FLOAT32_MAX
    below = low is not None and (number < low or (number == low and not include_low))
    above = high is not None and (number > high or (number == high and not include_high))
    if not finite or below or above:
        if high is None:
            bound = "" if low is None else f" {'>=' if include_low else '>'} {low}"
        else:
            bound = f" in {'[' if include_low else '('}{low}, {high}{']' if include_high else ')'}"
        raise ValueError(f"Expected `{name}` to be a float{bound}, finite in float32. Received: {name}={value!r}.")
    return number


def check_flag(value, name):
    """``value`` if it is a boolean, else TypeError naming the argument."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"Expected `{name}` to be True or False. Received: {name}={value!r}.")
    return value
