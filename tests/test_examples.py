"""Every script in examples/ runs end to end, so none of them rots.

Each runs as a user runs it (``python examples/<name>.py``, in a fresh
interpreter) for one epoch on a slice of the bundled digits, and must exit
cleanly and print its metrics and its epoch time. The runs are seeded, so the
printed values are the same on every run; the floors below sit well under
them and well above what an untrained or broken model scores.
"""

import functools
import os
import pathlib
import re
import subprocess
import sys

import pytest

import kernas

EXAMPLES = pathlib.Path(__file__).resolve().parent.parent / "examples"
FASHION_MNIST = pathlib.Path("/usr/share/datasets/fashion-mnist")
NUMBER = r"([-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)"

# Each example's quick run (one epoch, a slice of the digits, one thread: on a busy machine
# a team of two OpenMP threads can wait on each other many times longer than it works) and the
# (label, lowest, highest) of what it must print. Chance is 0.1 for ten classes and
# 0.5 for the odd/even question; the seeded runs print about 0.77 (conv), 0.78
# (dense), 0.50 (mlp, SGD learns slowly) and 0.38 (convnet, 5 steps).
QUICK = {
    "conv_classifier.py": (600, [("Test accuracy", 0.6, 1.0)]),
    "dense_binary_classifier.py": (600, [("Test accuracy", 0.65, 1.0)]),
    "digit_slant_regression.py": (600, [("Test MSE", 0.0, None), ("Test MAE", 0.0, None)]),
    "mlp_sgd.py": (2000, [("Test accuracy", 0.3, 1.0)]),
    "mnist_convnet.py": (600, [("Test accuracy", 0.25, 1.0)]),
}


@functools.lru_cache(maxsize=None)
def run_example(name, *arguments, env=()):
    """Runs examples/<name> in a new interpreter that imports the same kernas as this test (cached per arguments).

    ``env``: (name, value) pairs set in the interpreter's environment on top of this one's.
    """
    env = dict(os.environ, **dict(env))
    # The folder this process imported kernas from (a staged or installed copy), links left unresolved.
    package_root = os.path.dirname(os.path.dirname(os.path.abspath(kernas.__file__)))
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
    return subprocess.run([sys.executable, str(EXAMPLES / name), *arguments], capture_output=True, text=True,
                          env=env, timeout=300)


def quick_run(name, *more):
    samples, _ = QUICK[name]
    return run_example(name, "--epochs", "1", "--max-samples", str(samples), *more)


def printed(output, label):
    """The number printed after ``label:`` on its own line; fails the test when the line is missing."""
    found = re.search(rf"^{re.escape(label)}: {NUMBER}", output, re.MULTILINE)
    assert found, f"no '{label}: <number>' line in the output:\n{output}"
    return float(found.group(1))


def check_report(done, name):
    """Checks a one-epoch run's exit status and printed report; returns its stdout."""
    assert done.returncode == 0, f"{name} failed (exit {done.returncode}):\n{done.stdout}\n{done.stderr}"
    assert "Traceback" not in done.stderr, done.stderr
    assert re.search(r"^(\d+)/\1 ━+ .* - loss: ", done.stdout, re.MULTILINE), done.stdout  # fit's line for the epoch
    for label, lowest, highest in QUICK[name][1]:
        value = printed(done.stdout, label)
        assert value >= lowest and (highest is None or value <= highest), f"{label} {value} not in [{lowest}, {highest}]"
    assert 0 < printed(done.stdout, "Time per epoch") < 60
    assert "(median of 1 epochs" in done.stdout
    return done.stdout


def test_every_example_is_run_here():
    scripts = {path.name for path in EXAMPLES.glob("*.py") if not path.name.startswith("_")}
    assert scripts == set(QUICK)


@pytest.mark.parametrize("name", sorted(QUICK))
def test_example_runs_one_short_epoch(name):
    output = check_report(quick_run(name, "--threads", "1"), name)
    assert output.startswith(f"digits: {QUICK[name][0]} training and ")
    assert "images; kernel threads: 1\n" in output and "(median of 1 epochs; kernel threads: 1)" in output


def test_regression_beats_guessing_the_mean():
    output = check_report(quick_run("digit_slant_regression.py", "--threads", "1"), "digit_slant_regression.py")
    baseline_mae = printed(output, "Baseline MAE (always guessing the mean training slant)")
    model_mae = printed(output, "Test MAE")
    assert printed(output, "Test MSE") >= model_mae**2  # the mean of squares is at least the squared mean
    assert model_mae < 0.85 * baseline_mae  # about 0.76 after this one short epoch


def test_two_threads_print_the_same_results_as_one():
    one = check_report(quick_run("mlp_sgd.py", "--threads", "1"), "mlp_sgd.py")
    two = check_report(quick_run("mlp_sgd.py", "--threads", "2"), "mlp_sgd.py")
    assert "images; kernel threads: 2\n" in two and "(median of 1 epochs; kernel threads: 2)" in two
    assert printed(one, "Test loss") == printed(two, "Test loss")
    assert printed(one, "Test accuracy") == printed(two, "Test accuracy")


def test_seed_changes_the_run():
    default = check_report(quick_run("mlp_sgd.py", "--threads", "1"), "mlp_sgd.py")
    other = check_report(quick_run("mlp_sgd.py", "--threads", "1", "--seed", "7"), "mlp_sgd.py")
    assert printed(default, "Test loss") != printed(other, "Test loss")


@pytest.mark.skipif(not FASHION_MNIST.is_dir(), reason="Debian's dataset-fashion-mnist is not installed")
def test_dataset_flag_switches_to_fashion_mnist():
    output = check_report(quick_run("conv_classifier.py", "--threads", "1", "--dataset", "fashion_mnist"),
                          "conv_classifier.py")
    assert output.startswith("fashion_mnist: 600 training and 600 test images;")


@pytest.mark.parametrize(
    "arguments, message",
    [
        (("--dataset", "cifar10"), "argument --dataset: invalid choice: 'cifar10' (choose from"),
        (("--epochs", "0"), "argument --epochs: expected a positive integer, got '0'"),
        (("--threads", "two"), "argument --threads: expected a positive integer, got 'two'"),
        (("--threads", "2000"), "argument --threads: Expected a thread count between 1 and 1024"),
        (("--seed", "-1"), "argument --seed: expected a non-negative integer, got '-1'"),
        (("--max-samples", "3"), "argument --max-samples: expected at least 10 samples, got 3"),
    ],
)
def test_bad_arguments_stop_with_argparse_error(arguments, message):
    done = run_example("mnist_convnet.py", *arguments)
    assert done.returncode == 2
    assert done.stderr.startswith("usage: mnist_convnet.py")
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_missing_download_stops_with_where_to_put_the_file(tmp_path):
    # An empty Keras cache, and a proxy on a closed local port so that the download fails at once, offline.
    env = {"KERAS_HOME": str(tmp_path), "https_proxy": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9",
           "no_proxy": "", "NO_PROXY": ""}
    done = run_example("mlp_sgd.py", "--dataset", "mnist", env=tuple(env.items()))
    assert done.returncode == 1
    assert done.stderr.startswith("Could not load mnist: ")
    assert str(tmp_path / "datasets" / "mnist.npz") in done.stderr
    assert "Traceback" not in done.stderr
