"""The input check shared by the layers of channels-last images (Conv2D and the 2D pooling layers)."""

from kernas.layers.layer import Layer


class ImageLayer(Layer):
    """A layer taking ``(batch, height, width, channels)`` inputs: the rank checks with Keras's message."""

    def _check_rank(self, shape):
        if len(shape) != 4:
            raise ValueError(
                f"Input 0 of layer \"{self.name}\" is incompatible with the layer: expected ndim=4, found "
                f"ndim={len(shape)}. Full shape received: {tuple(shape)}. {type(self).__name__} takes "
                "(batch, height, width, channels) images; add a channels axis with x[..., None] for "
                "single-channel images."
            )

    def _check_image_shape(self, shape):
        """The rank check, and images of at least one row and column (where the sizes are known)."""
        self._check_rank(shape)
        if any(size is not None and size < 1 for size in shape[1:3]):
            raise ValueError(
                f"Input 0 of layer \"{self.name}\" is incompatible with the layer: expected images of at least "
                f"1 row and 1 column, but received input with shape {tuple(shape)}. Give {type(self).__name__} "
                "non-empty images."
            )

    def _check_input(self, inputs):
        if inputs.ndim != 4:
            self._check_rank(inputs.shape)
