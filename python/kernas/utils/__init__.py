"""Keras's ``keras.utils`` helpers that kernas provides."""

from kernas.utils.numerical_utils import to_categorical
from kernas.utils.progbar import Progbar
from kernas.utils.random_seed import set_random_seed

__all__ = ["Progbar", "set_random_seed", "to_categorical"]
