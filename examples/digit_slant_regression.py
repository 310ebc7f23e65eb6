"""Regression: a small MLP learns how far each handwritten digit leans.

The target is a real property of each image, measured from its pixels: the
slant of the strokes, from the image's second moments (the shear that
classic MNIST "deskewing" undoes), as an angle in degrees, positive when the
top leans right. It is a nonlinear function of the pixels (a ratio of
moments, then an arctangent), so the network has something to learn; the
run also prints the error of always guessing the mean training slant, the
baseline any useful model must beat.

    python examples/digit_slant_regression.py
    python examples/digit_slant_regression.py --dataset mnist --epochs 10
"""

import numpy as np

import kernas
from kernas import layers

import _common


def slant_degrees(images):
    """(N, 28, 28) images -> (N,) float32 stroke slant in degrees, from ink-weighted second moments."""
    ink = images.astype("float64")
    rows = np.arange(images.shape[1], dtype="float64")
    cols = np.arange(images.shape[2], dtype="float64")
    total = ink.sum(axis=(1, 2))
    row_mean = np.einsum("nrc,r->n", ink, rows) / total
    col_mean = np.einsum("nrc,c->n", ink, cols) / total
    dr = rows[None, :] - row_mean[:, None]
    dc = cols[None, :] - col_mean[:, None]
    mu11 = np.einsum("nrc,nr,nc->n", ink, dr, dc)
    mu02 = np.einsum("nrc,nr->n", ink, dr * dr)
    # Rows grow downwards, so a stroke leaning right has columns falling as rows rise: negate.
    return np.degrees(np.arctan(-mu11 / mu02)).astype("float32")


args = _common.setup(__doc__, epochs=10)
(x_train, _), (x_test, _) = _common.load_data(args)
y_train, y_test = slant_degrees(x_train), slant_degrees(x_test)
x_train = x_train.astype("float32") / 255
x_test = x_test.astype("float32") / 255
print(f"Training slant: mean {y_train.mean():.1f} degrees, standard deviation {y_train.std():.1f}")

model = kernas.Sequential(
    [
        kernas.Input(shape=(28, 28)),
        layers.Flatten(),
        layers.Dense(128, activation="relu"),
        layers.Dense(64, activation="relu"),
        layers.Dense(1),
    ]
)
model.compile(optimizer="adam", loss="mean_squared_error", metrics=["mae"])
timer = _common.EpochTimer()
model.fit(x_train, y_train, batch_size=32, epochs=args.epochs, validation_split=0.1, callbacks=[timer])

mse, mae = model.evaluate(x_test, y_test, verbose=0)
baseline_mae = np.abs(y_test - y_train.mean()).mean()
print(f"Baseline MAE (always guessing the mean training slant): {baseline_mae:.4f} degrees")
_common.report(args, timer, MSE=mse, MAE=mae)
