"""Keras 3's ``keras.callbacks``: hooks into fit, evaluate and predict."""

from kernas.callbacks.callback import Callback
from kernas.callbacks.callback_list import CallbackList
from kernas.callbacks.csv_logger import CSVLogger
from kernas.callbacks.early_stopping import EarlyStopping
from kernas.callbacks.history import History
from kernas.callbacks.lambda_callback import LambdaCallback
from kernas.callbacks.learning_rate_scheduler import LearningRateScheduler
from kernas.callbacks.model_checkpoint import ModelCheckpoint
from kernas.callbacks.progbar_logger import ProgbarLogger
from kernas.callbacks.reduce_lr_on_plateau import ReduceLROnPlateau
from kernas.callbacks.terminate_on_nan import TerminateOnNaN

__all__ = [
    "CSVLogger",
    "Callback",
    "CallbackList",
    "EarlyStopping",
    "History",
    "LambdaCallback",
    "LearningRateScheduler",
    "ModelCheckpoint",
    "ProgbarLogger",
    "ReduceLROnPlateau",
    "TerminateOnNaN",
]
