"""kernas.saving.legacy_h5: legacy Keras HDF5 files (Keras 2, and Keras 3's legacy writer), read-only.

The fixtures in tests/fixtures/legacy/ come from tests/fixtures/make_legacy_fixtures.py:
``keras3_*.h5`` written by real Keras 3, ``keras2_*.h5`` in Keras 2's form, and
``expected.npz`` holding real Keras 3's predictions for a fixed input of each.
"""

import json
import pathlib
import shutil
import warnings

import h5py
import numpy as np
import pytest

import kernas
from kernas import layers as kl
from kernas.backend.registration import custom_object_scope
from kernas.saving import legacy_h5
from kernas.saving.legacy_config import sequential_config
from saving_models import conv_model, data_for, dense_model, every_layer_model, keras_model, randomize, trained

FIXTURES = pathlib.Path(__file__).resolve().parent / "fixtures" / "legacy"
MODEL_FILES = ["keras3_dense", "keras3_conv", "keras2_conv", "keras2_dense"]
CONV_BN = "batch_normalization/batch_normalization"


@pytest.fixture(scope="module")
def expected():
    with np.load(FIXTURES / "expected.npz") as data:
        return {key: data[key] for key in data.files}


def load_legacy_model(path):
    with h5py.File(path, "r") as f:
        config, training_config = legacy_h5.legacy_model_config(f)
        model = kernas.Sequential.from_config(config["config"])
        legacy_h5.read_legacy_weights(f, model)
    return model, training_config


def legacy_conv_model(dense_units=3, use_bias=True, extra=()):
    """The fixtures' conv architecture, built in code with the layer names the Keras 2 files use."""
    return kernas.Sequential([
        kernas.Input((6, 6, 2)),
        kl.Conv2D(4, 3, activation="relu", name="conv2d"),
        kl.BatchNormalization(name="batch_normalization"),
        kl.MaxPooling2D(name="max_pooling2d"),
        kl.Dropout(0.25, name="dropout"),
        kl.Flatten(name="flatten"),
        kl.Dense(dense_units, activation="softmax", use_bias=use_bias, name="dense"),
        *extra,
    ])


def snapshot(model):
    return [v.numpy() for v in model.weights]


def assert_unchanged(model, before):
    for variable, value in zip(model.weights, before):
        np.testing.assert_array_equal(variable.numpy(), value, err_msg=variable.path)


def saved(path, name):
    with h5py.File(path, "r") as f:
        return f[name][()]


def edited(tmp_path, stem, edit):
    """A copy of a fixture, changed by ``edit(h5py.File)``."""
    path = tmp_path / f"{stem}.h5"
    shutil.copyfile(FIXTURES / f"{stem}.h5", path)
    with h5py.File(path, "r+") as f:
        edit(f)
    return path


def read_into(path, model, **kwargs):
    with h5py.File(path, "r") as f:
        legacy_h5.read_legacy_weights(f, model, **kwargs)


# ----- the fixtures load and predict as real Keras does -----------------------------------------------


@pytest.mark.parametrize("stem", MODEL_FILES)
def test_fixture_predicts_as_keras(stem, expected):
    model, training_config = load_legacy_model(FIXTURES / f"{stem}.h5")
    np.testing.assert_allclose(model.predict(expected[f"{stem}__x"], verbose=0), expected[f"{stem}__y"],
                               rtol=0, atol=1e-5)
    assert training_config["loss"] == "categorical_crossentropy"
    assert training_config["optimizer_config"]["class_name"] in ("Adam", "Custom>Adam")


@pytest.mark.parametrize("stem", MODEL_FILES)
def test_load_model_compiles_legacy_files(stem, expected):
    """Through the public door: compiled with the file's optimizer, loss and metrics, ready to evaluate and fit."""
    x, y = expected[f"{stem}__x"], expected[f"{stem}__y"]
    model = kernas.models.load_model(FIXTURES / f"{stem}.h5")
    np.testing.assert_allclose(model.predict(x, verbose=0), y, rtol=0, atol=1e-5)
    assert model.compiled and isinstance(model.optimizer, kernas.optimizers.Adam)
    assert model.optimizer.get_config()["learning_rate"] == pytest.approx(0.001)
    labels = np.eye(3, dtype=np.float32)[np.argmax(y, axis=1)]
    logs = model.evaluate(x, labels, verbose=0, return_dict=True)
    assert logs["accuracy"] == 1.0 and logs["loss"] == pytest.approx(
        float(np.mean(-np.log(np.clip(y.max(axis=1), 1e-7, 1)))), rel=1e-5)
    model.fit(x, labels, verbose=0)
    assert not kernas.models.load_model(FIXTURES / f"{stem}.h5", compile=False).compiled


def test_keras2_decay_is_refused_with_the_way_out(tmp_path):
    def set_decay(f):
        config = json.loads(f.attrs["training_config"])
        config["optimizer_config"]["config"]["decay"] = 0.01
        f.attrs["training_config"] = json.dumps(config)

    path = edited(tmp_path, "keras2_dense", set_decay)
    with pytest.raises(ValueError, match=r"`decay`=0.01.*compile=False"):
        kernas.models.load_model(path)
    assert not kernas.models.load_model(path, compile=False).compiled


def test_weights_only_file_loads_into_a_model_built_in_code(expected):
    model = legacy_conv_model()
    read_into(FIXTURES / "keras2_conv_weights.h5", model)
    np.testing.assert_allclose(model.predict(expected["keras2_conv_weights__x"], verbose=0),
                               expected["keras2_conv_weights__y"], rtol=0, atol=1e-5)
    np.testing.assert_array_equal(model.get_layer("batch_normalization").moving_variance.numpy(),
                                  saved(FIXTURES / "keras2_conv_weights.h5", f"{CONV_BN}/moving_variance:0"))


def test_weights_only_file_has_no_model_config():
    with h5py.File(FIXTURES / "keras2_conv_weights.h5", "r") as f:
        with pytest.raises(ValueError, match=r"holds only weights.*load_weights"):
            legacy_h5.legacy_model_config(f)


def test_is_legacy(tmp_path):
    for stem in MODEL_FILES + ["keras2_conv_weights"]:
        with h5py.File(FIXTURES / f"{stem}.h5", "r") as f:
            assert legacy_h5.is_legacy(f)
    model = legacy_conv_model()
    model.save_weights(tmp_path / "m.weights.h5")
    with h5py.File(tmp_path / "m.weights.h5", "r") as f:
        assert not legacy_h5.is_legacy(f)
    with h5py.File(tmp_path / "empty.h5", "w") as f:
        assert not legacy_h5.is_legacy(f)


def test_load_weights_reads_legacy_files(expected):
    model = legacy_conv_model()
    model.load_weights(FIXTURES / "keras2_conv.h5")
    np.testing.assert_allclose(model.predict(expected["keras2_conv__x"], verbose=0), expected["keras2_conv__y"],
                               rtol=0, atol=1e-5)


# ----- config conversion -------------------------------------------------------------------------------


def test_keras2_config_conversion():
    with h5py.File(FIXTURES / "keras2_conv.h5", "r") as f:
        config, _ = legacy_h5.legacy_model_config(f)
    assert config["class_name"] == "Sequential"
    layers = config["config"]["layers"]
    assert [entry["class_name"] for entry in layers] == [
        "InputLayer", "Conv2D", "BatchNormalization", "MaxPooling2D", "Dropout", "Flatten", "Dense"]
    assert layers[0]["config"]["batch_shape"] == [None, 6, 6, 2]
    assert "batch_input_shape" not in layers[0]["config"] and "batch_input_shape" not in layers[1]["config"]
    assert layers[2]["config"]["axis"] == 3
    model = kernas.Sequential.from_config(config["config"])
    assert model.input_shape == (None, 6, 6, 2)
    assert model.get_layer("batch_normalization").axis == 3


def test_first_layer_batch_input_shape_becomes_an_input_layer():
    with h5py.File(FIXTURES / "keras2_dense.h5", "r") as f:
        config, _ = legacy_h5.legacy_model_config(f)
    first = config["config"]["layers"][0]
    assert first == {"class_name": "InputLayer", "config": {"batch_shape": [None, 5], "dtype": "float32",
                                                            "sparse": False, "ragged": False,
                                                            "name": "dense_1_input"}}
    model = kernas.Sequential.from_config(config["config"])
    assert model.input_shape == (None, 5) and [layer.name for layer in model.layers] == ["dense_1", "dense_2"]


def test_keras_json_tags_and_old_list_config(tmp_path):
    # Keras's JSON encoder tags tuples; Keras 2 before 2.2.3 wrote a Sequential's config as its layer list.
    tuple_shape = {"class_name": "__tuple__", "items": [None, 3]}
    text = json.dumps({"class_name": "Sequential", "config": [
        {"class_name": "Dense", "config": {"units": 2, "batch_input_shape": tuple_shape, "name": "d"}}]})
    path = edited(tmp_path, "keras2_dense", lambda f: f.attrs.__setitem__("model_config", text.encode("utf8")))
    with h5py.File(path, "r") as f:
        config, _ = legacy_h5.legacy_model_config(f)
    model = kernas.Sequential.from_config(config["config"])
    assert model.input_shape == (None, 3) and model.layers[0].units == 2


def test_model_config_without_training_config(tmp_path):
    path = edited(tmp_path, "keras2_dense", lambda f: f.attrs.__delitem__("training_config"))
    with h5py.File(path, "r") as f:
        config, training_config = legacy_h5.legacy_model_config(f)
    assert training_config is None and config["config"]["name"] == "sequential_1"


@pytest.mark.parametrize("class_name", ["LSTM", "Custom>MyLayer"])
def test_unknown_layer_class_is_refused_by_name(class_name):
    config = {"class_name": "Sequential", "config": {"layers": [{"class_name": class_name, "config": {}}]}}
    with pytest.raises(ValueError, match=f"'{class_name}'"):
        sequential_config(config)


def test_unknown_layer_class_in_a_file(tmp_path):
    def edit(f):
        f.attrs["model_config"] = f.attrs["model_config"].replace('"Dropout"', '"SpatialDropout2D"').encode()

    path = edited(tmp_path, "keras2_conv", edit)
    with h5py.File(path, "r") as f:
        with pytest.raises(ValueError, match=r"layer #4 \(name='dropout'\).*'SpatialDropout2D'"):
            legacy_h5.legacy_model_config(f)


def test_user_layer_class_in_scope_is_accepted():
    class Scale(kl.Layer):
        pass

    config = {"class_name": "Sequential", "config": {"layers": [{"class_name": "Scale", "config": {}}]}}
    with custom_object_scope({"Scale": Scale}):
        assert sequential_config(config)["config"]["layers"] == [{"class_name": "Scale", "config": {}}]


@pytest.mark.parametrize("class_name", ["Functional", "Model"])
def test_functional_model_is_refused(class_name):
    with pytest.raises(ValueError, match=f"class_name='{class_name}'.*only Sequential"):
        sequential_config({"class_name": class_name, "config": {"layers": []}})


@pytest.mark.parametrize("model_config", [None, b"{not json", json.dumps([1, 2]).encode()])
def test_missing_or_corrupt_model_config(tmp_path, model_config):
    def edit(f):
        del f.attrs["model_config"]
        if model_config is not None:
            f.attrs["model_config"] = model_config

    path = edited(tmp_path, "keras2_conv", edit)
    with h5py.File(path, "r") as f:
        with pytest.raises(ValueError, match=r"holds only weights.*load_weights"):
            legacy_h5.legacy_model_config(f)


# ----- matching layers and variables -------------------------------------------------------------------


def test_variables_are_matched_by_name_suffix(tmp_path, expected):
    # The same datasets listed in another order still land in the right variables.
    order = ["moving_variance", "gamma", "moving_mean", "beta"]
    names = np.array([f"batch_normalization/{n}:0".encode() for n in order])
    path = edited(tmp_path, "keras2_conv_weights",
                  lambda f: f["batch_normalization"].attrs.__setitem__("weight_names", names))
    model = legacy_conv_model()
    read_into(path, model)
    np.testing.assert_allclose(model.predict(expected["keras2_conv__x"], verbose=0), expected["keras2_conv__y"],
                               rtol=0, atol=1e-5)


def test_unrecognized_variable_names_match_by_position(tmp_path, expected):
    def edit(f):
        group = f["batch_normalization"]
        names = [n.decode() for n in group.attrs["weight_names"]]
        for index, name in enumerate(names):
            group.move(name, f"param_{index}")
        group.attrs["weight_names"] = np.array([f"param_{i}".encode() for i in range(len(names))])

    path = edited(tmp_path, "keras2_conv_weights", edit)
    model = legacy_conv_model()
    read_into(path, model)
    np.testing.assert_allclose(model.predict(expected["keras2_conv__x"], verbose=0), expected["keras2_conv__y"],
                               rtol=0, atol=1e-5)


def test_by_name_loads_the_layers_with_matching_names():
    head = kl.Dense(2, name="head")
    model = legacy_conv_model(extra=[head])
    before = head.kernel.numpy()
    with pytest.raises(ValueError, match="Layer count mismatch"):
        read_into(FIXTURES / "keras2_conv_weights.h5", model)
    read_into(FIXTURES / "keras2_conv_weights.h5", model, by_name=True)
    np.testing.assert_array_equal(model.get_layer("dense").kernel.numpy(),
                                  saved(FIXTURES / "keras2_conv_weights.h5", "dense/dense/kernel:0"))
    np.testing.assert_array_equal(model.get_layer("conv2d").bias.numpy(),
                                  saved(FIXTURES / "keras2_conv_weights.h5", "conv2d/conv2d/bias:0"))
    np.testing.assert_array_equal(head.kernel.numpy(), before)


def test_by_name_ignores_layers_the_file_does_not_name():
    model = kernas.Sequential([kernas.Input((5,)), kl.Dense(3, name="unrelated")])
    before = snapshot(model)
    read_into(FIXTURES / "keras2_conv_weights.h5", model, by_name=True)
    assert_unchanged(model, before)


def test_chunked_layer_names(tmp_path, expected):
    def edit(f):
        names = f.attrs["layer_names"]
        del f.attrs["layer_names"]
        f.attrs["layer_names0"], f.attrs["layer_names1"] = names[:4], names[4:]

    path = edited(tmp_path, "keras2_conv_weights", edit)
    model = legacy_conv_model()
    read_into(path, model)
    np.testing.assert_allclose(model.predict(expected["keras2_conv__x"], verbose=0), expected["keras2_conv__y"],
                               rtol=0, atol=1e-5)


# ----- mismatches: nothing changes, or skip_mismatch loads the rest --------------------------------------


@pytest.mark.parametrize("kwargs, message", [({"dense_units": 4}, "shape"), ({"use_bias": False}, "expects 1 weights")])
@pytest.mark.parametrize("by_name", [False, True])
def test_mismatch_changes_nothing_or_skips(kwargs, message, by_name):
    path = FIXTURES / "keras2_conv_weights.h5"
    model = legacy_conv_model(**kwargs)
    before = snapshot(model)
    with pytest.raises(ValueError, match=f"(?s){message}.*Nothing was loaded"):
        read_into(path, model, by_name=by_name)
    assert_unchanged(model, before)
    dense_before = [v.numpy() for v in model.get_layer("dense").weights]
    with pytest.warns(UserWarning, match="dense"):
        read_into(path, model, by_name=by_name, skip_mismatch=True)
    np.testing.assert_array_equal(model.get_layer("conv2d").kernel.numpy(), saved(path, "conv2d/conv2d/kernel:0"))
    np.testing.assert_array_equal(model.get_layer("batch_normalization").moving_mean.numpy(),
                                  saved(path, f"{CONV_BN}/moving_mean:0"))
    for variable, value in zip(model.get_layer("dense").weights, dense_before):
        np.testing.assert_array_equal(variable.numpy(), value)


def test_layer_count_mismatch_is_an_error_even_with_skip_mismatch():
    model = kernas.Sequential([kernas.Input((6, 6, 2)), kl.Conv2D(4, 3), kl.Flatten(), kl.Dense(3)])
    before = snapshot(model)
    with pytest.raises(ValueError, match="Model expected 2 layers with weights.*found 3 saved layers"):
        read_into(FIXTURES / "keras2_conv_weights.h5", model, skip_mismatch=True)
    assert_unchanged(model, before)


def test_huge_declared_shape_is_refused_before_reading(tmp_path):
    def edit(f):
        del f["dense/dense/kernel:0"]
        f["dense/dense"].create_dataset("kernel:0", shape=(10**6, 10**6), dtype="f4", chunks=(1, 16))

    path = edited(tmp_path, "keras2_conv_weights", edit)
    model = legacy_conv_model()
    before = snapshot(model)
    with pytest.raises(ValueError, match=r"shape \(1000000, 1000000\)"):
        read_into(path, model)
    assert_unchanged(model, before)
    with pytest.warns(UserWarning, match="dense"):
        read_into(path, model, skip_mismatch=True)


def test_model_level_weights_do_not_fit_a_sequential(tmp_path):
    def edit(f):
        group = f["top_level_model_weights"]
        group.attrs["weight_names"] = np.array([b"scale:0"])
        group["scale:0"] = np.ones(2, "f4")

    path = edited(tmp_path, "keras2_conv_weights", edit)
    model = legacy_conv_model()
    with pytest.raises(ValueError, match="model-level weights"):
        read_into(path, model)
    with pytest.warns(UserWarning, match="model-level weights"):
        read_into(path, model, skip_mismatch=True)
    np.testing.assert_array_equal(model.get_layer("dense").bias.numpy(), saved(path, "dense/dense/bias:0"))


def test_unbuilt_model_is_refused():
    with pytest.raises(ValueError, match="not yet been built"):
        read_into(FIXTURES / "keras2_conv_weights.h5", kernas.Sequential([kl.Dense(3)]))


# ----- corrupt and hostile files ------------------------------------------------------------------------


def replace_kernel(f, **create):
    del f["dense/dense/kernel:0"]
    f["dense/dense"].create_dataset("kernel:0", **create)


def unreadable_chunk(f):
    # A filter HDF5 does not have: the dataset opens, its data cannot be read.
    replace_kernel(f, shape=(16, 3), dtype="f4", chunks=(16, 3), compression=32015, allow_unknown_filter=True)
    f["dense/dense/kernel:0"].id.write_direct_chunk((0, 0), b"not compressed data" * 4)


def external_storage(f):
    path = pathlib.Path(f.filename).with_suffix(".raw")
    path.write_bytes(np.ones((16, 3), "f4").tobytes())
    replace_kernel(f, shape=(16, 3), dtype="f4", external=[(str(path), 0, h5py.h5f.UNLIMITED)])


CORRUPTIONS = {
    "string dataset": (lambda f: replace_kernel(f, data=np.full((16, 3), b"ab")), "numeric dataset"),
    "compound dataset": (lambda f: replace_kernel(f, data=np.zeros((16, 3), "f4,f4")), "numeric dataset"),
    "soft link to a dataset": (
        lambda f: (f["dense/dense"].move("kernel:0", "real"),
                   f["dense/dense"].__setitem__("kernel:0", h5py.SoftLink("/dense/dense/real"))), "SoftLink"),
    "soft link to a group": (
        lambda f: (f.move("dense", "elsewhere"), f.__setitem__("dense", h5py.SoftLink("/elsewhere"))), "SoftLink"),
    "soft link inside a weight path": (
        lambda f: (f["dense"].move("dense", "other"), f["dense"].__setitem__("dense", h5py.SoftLink("other"))),
        "SoftLink"),
    "external link": (
        lambda f: (f["dense/dense"].__delitem__("kernel:0"),
                   f["dense/dense"].__setitem__("kernel:0", h5py.ExternalLink("/etc/hosts", "/x"))), "ExternalLink"),
    "external storage": (external_storage, "stored inside"),
    "unreadable data": (unreadable_chunk, "Expected readable data"),
    "null dataset": (lambda f: replace_kernel(f, data=h5py.Empty("f4")), "null"),
    "missing layer group": (lambda f: f.__delitem__("dense"), "no group for layer 'dense'"),
    "missing dataset": (lambda f: f["dense/dense"].__delitem__("kernel:0"), "no dataset for weight"),
    "layer group is a dataset": (lambda f: (f.__delitem__("dense"), f.__setitem__("dense", np.ones(3))),
                                 "to be an HDF5 group"),
    "absolute weight name": (lambda f: f["dense"].attrs.__setitem__(
        "weight_names", np.array([b"/dense/kernel:0", b"dense/bias:0"])), "relative path"),
    "scalar layer_names": (lambda f: f.attrs.__setitem__("layer_names", "dense"), "list of names"),
    "non-UTF-8 layer name": (lambda f: f.attrs.__setitem__("layer_names", np.array([b"\xff\xfe"])), "UTF-8"),
    "numbers as layer names": (lambda f: f.attrs.__setitem__("layer_names", np.arange(3)), "where text"),
}


@pytest.mark.parametrize("corruption", sorted(CORRUPTIONS))
def test_corrupt_weights_file(tmp_path, corruption):
    edit, message = CORRUPTIONS[corruption]
    path = edited(tmp_path, "keras2_conv_weights", edit)
    model = legacy_conv_model()
    before = snapshot(model)
    with pytest.raises(ValueError, match=message):
        read_into(path, model, skip_mismatch=True)
    assert_unchanged(model, before)


def test_missing_model_weights_group(tmp_path):
    path = edited(tmp_path, "keras2_conv", lambda f: f.__delitem__("model_weights"))
    with h5py.File(path, "r") as f:
        assert not legacy_h5.is_legacy(f)
        with pytest.raises(ValueError, match="Expected a legacy Keras HDF5 file"):
            legacy_h5.read_legacy_weights(f, legacy_conv_model())


def test_overwritten_bytes_give_a_clear_error(tmp_path):
    data = bytearray((FIXTURES / "keras2_conv.h5").read_bytes())
    start = 0
    while (start := data.find(b"SNOD", start)) >= 0:  # every symbol-table node of every group
        data[start:start + 4] = b"XXXX"
    path = tmp_path / "broken.h5"
    path.write_bytes(data)
    model = legacy_conv_model()
    before = snapshot(model)
    with h5py.File(path, "r") as f:
        with pytest.raises(ValueError, match="corrupt"):
            legacy_h5.read_legacy_weights(f, model)
    assert_unchanged(model, before)


def test_truncated_file(tmp_path):
    data = (FIXTURES / "keras2_conv.h5").read_bytes()
    path = tmp_path / "truncated.h5"
    path.write_bytes(data[: len(data) // 2])
    model = legacy_conv_model()
    before = snapshot(model)
    with pytest.raises(ValueError, match="truncated"):
        model.load_weights(path)
    assert_unchanged(model, before)


# ----- files written by real Keras 3 right now ----------------------------------------------------------


@pytest.mark.parametrize("factory", [dense_model, conv_model, every_layer_model])
def test_keras_h5_round_trip(keras, tmp_path, factory):
    source = trained(keras_model(keras, factory))
    randomize(source, seed=7)
    x, _ = data_for(source, seed=8)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Keras recommends its native format over .h5
        source.save(tmp_path / "model.h5")
    model, training_config = load_legacy_model(tmp_path / "model.h5")
    assert training_config["optimizer_config"]["class_name"] == "Adam"
    assert [layer.name for layer in model.layers] == [layer.name for layer in source.layers]
    np.testing.assert_allclose(model.predict(x, verbose=0), np.asarray(source.predict(x, verbose=0)),
                               rtol=0, atol=1e-5)
