"""The third script of the Keras API issue: Flatten -> Dense 128 -> Dense 10, trained with SGD.

The model, compile, fit and evaluate lines are a Keras user's, with only the
imports changed from keras to kernas (and the epoch count taken from the
command line, 10 by default). As written, that script passes integer labels
to categorical_crossentropy, which Keras and kernas both refuse; here the
labels go through to_categorical, one of the two fixes the error names (the
other is loss='sparse_categorical_crossentropy'). The pixels are scaled to
[0, 1] first: on the raw 0-255 values, SGD at its default learning rate
saturates the softmax and stays at chance (0.08 test accuracy after 3 epochs
on the digits).

    python examples/mlp_sgd.py
    python examples/mlp_sgd.py --dataset fashion_mnist --epochs 5
"""

import kernas
from kernas.models import Sequential
from kernas.layers import Dense, Flatten
from kernas.optimizers import SGD

import _common

args = _common.setup(__doc__, epochs=10)
(trainX, trainy), (testX, testy) = _common.load_data(args)  # the script's mnist.load_data(), for any --dataset
trainX, testX = trainX.astype("float32") / 255, testX.astype("float32") / 255
trainy, testy = kernas.utils.to_categorical(trainy, 10), kernas.utils.to_categorical(testy, 10)
timer = _common.EpochTimer()

model = Sequential()
model.add(Flatten(input_shape=(28, 28)))
model.add(Dense(128, activation='relu'))
model.add(Dense(10, activation='softmax'))
model.compile(optimizer=SGD(), loss='categorical_crossentropy', metrics=['accuracy'])
model.fit(trainX, trainy, epochs=args.epochs, batch_size=32, verbose=1, callbacks=[timer])
test_loss, test_acc = model.evaluate(testX, testy, verbose=0)
_common.report(args, timer, loss=test_loss, accuracy=test_acc)
