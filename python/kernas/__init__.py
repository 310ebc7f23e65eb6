"""kernas: the Keras API on native C++ CPU kernels.

Example:
    >>> import kernas
    >>> model = kernas.Sequential([kernas.Input(shape=(100,)), kernas.layers.Dense(1, activation="sigmoid")])
    >>> model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
"""

__version__ = "0.1.0"

from kernas import _openmp_defaults  # noqa: E402,F401  (before anything loads _core and with it libgomp)
from kernas import (  # noqa: E402
    activations,
    callbacks,
    config,
    datasets,
    initializers,
    layers,
    losses,
    metrics,
    models,
    ops,
    optimizers,
    regularizers,
    saving,
    utils,
)
from kernas.backend import Variable  # noqa: E402
from kernas.layers import Input  # noqa: E402
from kernas.models import Sequential  # noqa: E402

__all__ = [
    "Input",
    "Sequential",
    "Variable",
    "__version__",
    "activations",
    "callbacks",
    "config",
    "datasets",
    "initializers",
    "layers",
    "losses",
    "metrics",
    "models",
    "ops",
    "optimizers",
    "regularizers",
    "saving",
    "utils",
]
