"""Keras's ``keras.utils`` helpers that kernas provides."""

from kernas.utils.numerical_utils import to_categorical

__all__ = ["to_categorical"]
