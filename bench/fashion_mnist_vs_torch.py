"""Training and inference on Fashion-MNIST: kernas beside PyTorch eager and Keras 3 (torch backend).

Three measurements from the Keras API issue, all in one run on the same data
(kernas.datasets.fashion_mnist: Debian's dataset-fashion-mnist files here;
pixels scaled to [0, 1]):

  mlp      Flatten -> Dense 128 relu -> Dense 10 softmax, SGD(0.01), batch 32:
           seconds per epoch (target: <= 0.5 s and >= 4x faster than PyTorch).
  convnet  the keras.io MNIST convnet, Adam, batch 128: seconds per epoch
           (target >= 3x faster than PyTorch) and test accuracy after 5 epochs
           (target >= 0.89).
  predict  the convnet's predict on the 10,000 test images, batch 32 (Keras's
           default): seconds (target >= 3x faster than PyTorch).

Epoch times are medians over --rounds epochs. Ratios are competitor time /
kernas time. PyTorch runs the usual eager loop (NCHW tensors, its own layout;
batches indexed from a shuffled permutation, which is faster than a
DataLoader); Keras runs model.fit as kernas does.

Usage: python bench/fashion_mnist_vs_torch.py [--threads 2] [--rounds 3] [--only mlp,convnet,predict]
       [--no-keras] [--convnet-epochs 5]
"""

import argparse
import os
import statistics
import sys
import time

import numpy as np

def load():
    """Fashion-MNIST as kernas.datasets loads it (the Keras cache, Debian's files, or a download)."""
    from kernas.datasets import DownloadError, fashion_mnist

    try:
        (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()
    except DownloadError as err:
        sys.exit(str(err))
    return ((x_train.astype(np.float32) / 255.0, y_train.astype(np.int64)),
            (x_test.astype(np.float32) / 255.0, y_test.astype(np.int64)))


# ----- the models, three ways ------------------------------------------------------------


def keras_style_mlp(lib):
    model = lib.Sequential([lib.Input(shape=(28, 28)), lib.layers.Flatten(), lib.layers.Dense(128, activation="relu"),
                            lib.layers.Dense(10, activation="softmax")])
    model.compile(optimizer=lib.optimizers.SGD(), loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def keras_style_convnet(lib):
    L = lib.layers
    model = lib.Sequential([
        lib.Input(shape=(28, 28, 1)),
        L.Conv2D(32, kernel_size=(3, 3), activation="relu"), L.MaxPooling2D(pool_size=(2, 2)),
        L.Conv2D(64, kernel_size=(3, 3), activation="relu"), L.MaxPooling2D(pool_size=(2, 2)),
        L.Flatten(), L.Dropout(0.5), L.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def torch_mlp(torch):
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))
    return model, torch.optim.SGD(model.parameters(), lr=0.01)


def torch_convnet(torch):
    nn = torch.nn
    model = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(),
                          nn.MaxPool2d(2), nn.Flatten(), nn.Dropout(0.5), nn.Linear(1600, 10))
    return model, torch.optim.Adam(model.parameters(), lr=0.001, eps=1e-7)


def torch_epoch(torch, model, optimizer, x, y, batch_size):
    model.train()
    loss_fn = torch.nn.CrossEntropyLoss()
    order = torch.randperm(len(x))
    for start in range(0, len(x), batch_size):
        rows = order[start:start + batch_size]
        optimizer.zero_grad()
        loss = loss_fn(model(x[rows]), y[rows])
        loss.backward()
        optimizer.step()


def torch_predict(torch, model, x, batch_size):
    model.eval()
    with torch.no_grad():
        return torch.cat([model(x[start:start + batch_size]) for start in range(0, len(x), batch_size)])


# ----- measurement ------------------------------------------------------------------------


def timed(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def median_time(fn, rounds):
    return statistics.median(timed(fn) for _ in range(rounds))


def report(name, kernas_s, others, target=None):
    row = f"{name:<34} kernas {kernas_s:8.3f} s"
    for label, seconds in others.items():
        row += f" | {label} {seconds:8.3f} s ({seconds / kernas_s:5.2f}x)"
    if target:
        row += f" | target {target}"
    print(row, flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", default="mlp,convnet,predict")
    parser.add_argument("--no-keras", action="store_true")
    parser.add_argument("--convnet-epochs", type=int, default=5)
    args = parser.parse_args()
    only = set(args.only.split(","))

    os.environ.setdefault("KERAS_BACKEND", "torch")
    import torch

    import kernas

    torch.set_num_threads(args.threads)
    kernas.config.set_num_threads(args.threads)
    keras = None
    if not args.no_keras:
        try:
            import keras
        except ImportError:
            print("keras not installed: its column is skipped")
    (x_train, y_train), (x_test, y_test) = load()
    y_train_hot = kernas.utils.to_categorical(y_train, 10).astype(np.float32)
    y_test_hot = kernas.utils.to_categorical(y_test, 10).astype(np.float32)
    print(f"Fashion-MNIST {len(x_train)} train / {len(x_test)} test, {args.threads} threads, "
          f"torch {torch.__version__}" + (f", keras {keras.__version__}" if keras else ""), flush=True)

    if "mlp" in only:
        kernas.utils.set_random_seed(0)
        model = keras_style_mlp(kernas)
        ours = median_time(lambda: model.fit(x_train, y_train_hot, batch_size=32, epochs=1, verbose=0), args.rounds)
        tmodel, topt = torch_mlp(torch)
        tx, ty = torch.from_numpy(x_train), torch.from_numpy(y_train)
        others = {"torch": median_time(lambda: torch_epoch(torch, tmodel, topt, tx, ty, 32), args.rounds)}
        if keras:
            kmodel = keras_style_mlp(keras)
            others["keras"] = median_time(
                lambda: kmodel.fit(x_train, y_train_hot, batch_size=32, epochs=1, verbose=0), 1)
        report("mlp epoch (batch 32, SGD)", ours, others, target="<= 0.5 s, >= 4x torch")
        print(f"    kernas test accuracy after {args.rounds} epochs: "
              f"{model.evaluate(x_test, y_test_hot, verbose=0)[1]:.4f}", flush=True)

    if only & {"convnet", "predict"}:
        kernas.utils.set_random_seed(0)
        cx_train, cx_test = x_train[..., None], x_test[..., None]
        model = keras_style_convnet(kernas)
        tmodel, topt = torch_convnet(torch)
        tx, ty = torch.from_numpy(x_train[:, None]), torch.from_numpy(y_train)
        if "convnet" in only:
            epochs = [timed(lambda: model.fit(cx_train, y_train_hot, batch_size=128, epochs=1, verbose=0))
                      for _ in range(args.convnet_epochs)]
            accuracy = model.evaluate(cx_test, y_test_hot, verbose=0)[1]
            others = {"torch": median_time(lambda: torch_epoch(torch, tmodel, topt, tx, ty, 128), args.rounds)}
            if keras:
                kmodel = keras_style_convnet(keras)
                others["keras"] = median_time(
                    lambda: kmodel.fit(cx_train, y_train_hot, batch_size=128, epochs=1, verbose=0), 1)
            report("convnet epoch (batch 128, Adam)", statistics.median(epochs), others, target=">= 3x torch")
            print(f"    kernas test accuracy after {args.convnet_epochs} epochs: {accuracy:.4f} (target >= 0.89)",
                  flush=True)
        if "predict" in only:
            tx_test = torch.from_numpy(x_test[:, None])
            ours = median_time(lambda: model.predict(cx_test, verbose=0), args.rounds)
            others = {"torch": median_time(lambda: torch_predict(torch, tmodel, tx_test, 32), args.rounds)}
            if keras:
                kmodel = keras_style_convnet(keras)
                others["keras"] = median_time(lambda: kmodel.predict(cx_test, verbose=0), args.rounds)
            report("convnet predict 10k (batch 32)", ours, others, target=">= 3x torch")


if __name__ == "__main__":
    main()
