"""Models (``kernas.models``): ``Sequential``, and loading and saving whole models."""

from kernas.models.sequential import Sequential
from kernas.saving import load_model, model_from_json, save_model

__all__ = ["Sequential", "load_model", "model_from_json", "save_model"]
