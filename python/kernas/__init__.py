"""kernas: the Keras API on native C++ CPU kernels."""

__version__ = "0.1.0"

from kernas import config, ops, utils  # noqa: E402

__all__ = ["config", "ops", "utils", "__version__"]
