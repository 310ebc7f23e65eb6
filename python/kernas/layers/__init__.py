"""Keras layers on kernas kernels (``kernas.layers``)."""

from kernas.backend import serialization
from kernas.layers.activation import Activation
from kernas.layers.average_pooling2d import AveragePooling2D
from kernas.layers.batch_normalization import BatchNormalization
from kernas.layers.conv2d import Conv2D
from kernas.layers.dense import Dense
from kernas.layers.dropout import Dropout
from kernas.layers.flatten import Flatten
from kernas.layers.global_average_pooling2d import GlobalAveragePooling2D
from kernas.layers.global_max_pooling2d import GlobalMaxPooling2D
from kernas.layers.input_layer import Input, InputLayer, KerasTensor
from kernas.layers.layer import Layer, standardize_shape
from kernas.layers.max_pooling2d import MaxPooling2D
from kernas.layers.reshape import Reshape

# Keras's other names for the same classes.
AvgPool2D = AveragePooling2D
Convolution2D = Conv2D
GlobalAvgPool2D = GlobalAveragePooling2D
GlobalMaxPool2D = GlobalMaxPooling2D
MaxPool2D = MaxPooling2D

_LAYER_CLASSES = [
    InputLayer,
    Activation,
    AveragePooling2D,
    Conv2D,
    Dense,
    Dropout,
    Flatten,
    GlobalAveragePooling2D,
    GlobalMaxPooling2D,
    MaxPooling2D,
    Reshape,
    BatchNormalization,
]


def get_layer_class(class_name):
    """The registered layer class called ``class_name``; anything else is refused."""
    for cls in _LAYER_CLASSES:
        if cls.__name__ == class_name:
            return cls
    known = ", ".join(sorted(cls.__name__ for cls in _LAYER_CLASSES))
    raise ValueError(f"Unknown layer class: '{class_name}'. kernas provides: {known}.")


def serialize(layer):
    """Keras's serialized form of a layer: module, class_name, config, registered_name (and build_config)."""
    config = serialization.serialize_object(layer, "layers")
    build_config = layer.get_build_config()
    if build_config is not None:
        config["build_config"] = build_config
    return config


def deserialize(config):
    """The layer a config dict describes: kernas's own classes, or user classes registered or in scope."""
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"Expected a layer config dict with 'class_name' and 'config'. Received: {config!r}.")
    inner = config.get("config", {})
    if not isinstance(inner, dict):
        raise ValueError(f"Expected the 'config' of a layer config to be a dict. Received: {inner!r}.")
    layer = serialization.config_class(config, Layer, "layer", get_layer_class).from_config(dict(inner))
    build_config = config.get("build_config")
    if isinstance(build_config, dict) and build_config.get("input_shape") is not None:
        layer.build_once(standardize_shape(build_config["input_shape"], "build_config input_shape"))
    return layer


__all__ = [
    "Activation",
    "AveragePooling2D",
    "AvgPool2D",
    "BatchNormalization",
    "Conv2D",
    "Convolution2D",
    "Dense",
    "Dropout",
    "Flatten",
    "GlobalAvgPool2D",
    "GlobalAveragePooling2D",
    "GlobalMaxPool2D",
    "GlobalMaxPooling2D",
    "Input",
    "InputLayer",
    "KerasTensor",
    "Layer",
    "MaxPool2D",
    "MaxPooling2D",
    "Reshape",
    "deserialize",
    "get_layer_class",
    "serialize",
]
