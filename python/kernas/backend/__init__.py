"""Framework state shared by layers, models and optimizers."""

from kernas.backend.naming import unique_name
from kernas.backend.variable import Variable, assign_weights

__all__ = ["Variable", "assign_weights", "unique_name"]
