"""Models (``kernas.models``): ``Sequential``."""

from kernas.models.sequential import Sequential

__all__ = ["Sequential"]
