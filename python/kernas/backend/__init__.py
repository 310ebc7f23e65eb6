"""Framework state shared by layers, models and optimizers."""

from kernas.backend.naming import unique_name
from kernas.backend.variable import Variable

__all__ = ["Variable", "unique_name"]
