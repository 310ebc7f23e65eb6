"""The second script of the Keras API issue: a small convnet classifying 28x28 images.

The model, compile, fit and evaluate lines are a Keras user's, with only the
imports changed from keras to kernas (and the epoch count taken from the
command line, 10 by default). The images are scaled to [0, 1] and given a
channel axis, and the labels one-hot encoded, as categorical_crossentropy
expects.

    python examples/conv_classifier.py
    python examples/conv_classifier.py --dataset fashion_mnist --epochs 3
"""

import numpy as np

from kernas.models import Sequential
from kernas.layers import Conv2D, MaxPooling2D, Flatten, Dense
from kernas.utils import to_categorical

import _common

args = _common.setup(__doc__, epochs=10)
(x_train, y_train), (x_test, y_test) = _common.load_data(args)
x_train = np.expand_dims(x_train.astype("float32") / 255, -1)
x_test = np.expand_dims(x_test.astype("float32") / 255, -1)
y_train, y_test = to_categorical(y_train, 10), to_categorical(y_test, 10)
timer = _common.EpochTimer()

model = Sequential()
model.add(Conv2D(filters=32, kernel_size=(3, 3), activation='relu', input_shape=(28, 28, 1)))
model.add(MaxPooling2D(pool_size=(2, 2)))
model.add(Flatten())
model.add(Dense(units=128, activation='relu'))
model.add(Dense(units=10, activation='softmax'))
model.compile(optimizer='adam', loss='categorical_crossentropy', metrics=['accuracy'])
model.fit(x_train, y_train, epochs=args.epochs, batch_size=32, callbacks=[timer])
loss, accuracy = model.evaluate(x_test, y_test)
_common.report(args, timer, loss=loss, accuracy=accuracy)
