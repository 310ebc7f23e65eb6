"""The first script of the Keras API issue: a Dense binary classifier on 100 inputs.

The model, compile, fit and evaluate lines are a Keras user's, with only the
imports changed from keras to kernas (and the epoch count taken from the
command line, 10 by default). The data: each 28x28 image shrunk to 10x10
(padded by one pixel, then 3x3 averages) gives the 100 inputs, and the target
is whether the label is odd: "is this digit odd?" on the bundled digits, on
Fashion-MNIST a split of its ten classes into two balanced groups.

    python examples/dense_binary_classifier.py
    python examples/dense_binary_classifier.py --dataset fashion_mnist --threads 2
"""

import numpy as np

from kernas.models import Sequential
from kernas.layers import Dense

import _common


def hundred_features(images):
    """(N, 28, 28) uint8 images -> (N, 100) float32 features in [0, 1]: 3x3 averages of the padded 30x30 image."""
    padded = np.pad(images.astype("float32") / 255, ((0, 0), (1, 1), (1, 1)))
    return padded.reshape(len(images), 10, 3, 10, 3).mean(axis=(2, 4)).reshape(len(images), 100)


args = _common.setup(__doc__, epochs=10)
(images_train, labels_train), (images_test, labels_test) = _common.load_data(args)
x_train, x_test = hundred_features(images_train), hundred_features(images_test)
y_train, y_test = (labels_train % 2).astype("float32"), (labels_test % 2).astype("float32")
timer = _common.EpochTimer()

model = Sequential()
model.add(Dense(units=64, activation='relu', input_dim=100))
model.add(Dense(units=1, activation='sigmoid'))
model.compile(optimizer='adam', loss='binary_crossentropy', metrics=['accuracy'])
model.fit(x_train, y_train, epochs=args.epochs, batch_size=32, callbacks=[timer])
loss, accuracy = model.evaluate(x_test, y_test)
_common.report(args, timer, loss=loss, accuracy=accuracy)
