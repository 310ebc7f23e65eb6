"""Models built the same way in kernas and in Keras, shared by the saving and loading tests."""

import numpy as np

from kernas import layers as kl
from kernas.models import Sequential


def dense_model(L, S, Input):
    return S([Input((6,)), L.Dense(8, activation="relu"), L.Dropout(0.25), L.Dense(3, activation="softmax")])


def conv_model(L, S, Input):
    return S([
        Input((8, 8, 2)),
        L.Conv2D(4, 3, padding="same", activation="relu"),
        L.BatchNormalization(),
        L.MaxPooling2D(),
        L.Conv2D(3, 3),
        L.Flatten(),
        L.Dense(3, activation="softmax"),
    ])


def every_layer_model(L, S, Input):
    """A model with one of every layer kernas provides (and two of the weighted ones)."""
    return S([
        Input((8, 8, 3)),
        L.Conv2D(4, 3, padding="same", activation="relu"),
        L.BatchNormalization(),
        L.AveragePooling2D(2),
        L.Conv2D(5, 1),
        L.MaxPooling2D(),
        L.Activation("tanh"),
        L.Dropout(0.1),
        L.GlobalAveragePooling2D(),
        L.Reshape((1, 1, 5)),
        L.GlobalMaxPooling2D(),
        L.Reshape((5,)),
        L.Flatten(),
        L.Dense(4),
        L.BatchNormalization(),
        L.Dense(2, activation="softmax"),
    ])


def kernas_model(factory):
    return factory(kl, Sequential, kl.Input)


def keras_model(keras, factory):
    return factory(keras.layers, keras.Sequential, keras.Input)


def data_for(model, n=6, seed=0):
    rng = np.random.default_rng(seed)
    shape = (n,) + tuple(model.input_shape[1:])
    x = rng.standard_normal(shape).astype(np.float32)
    y = np.eye(model.output_shape[-1], dtype=np.float32)[rng.integers(0, model.output_shape[-1], n)]
    return x, y


def trained(model, steps=3):
    """The model compiled with Adam after a few training steps (so the optimizer has its slots)."""
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    x, y = data_for(model)
    for _ in range(steps):
        model.train_on_batch(x, y)
    return model


def randomize(model, seed):
    """Non-trivial values in every variable (moving variances kept positive)."""
    rng = np.random.default_rng(seed)
    model.set_weights([np.abs(rng.standard_normal(w.shape)).astype(np.float32) + 0.5 for w in model.get_weights()])


