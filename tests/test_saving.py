"""kernas.saving: Keras 3's .keras and .weights.h5 formats, checked against real Keras both ways."""

import io
import json
import os
import re
import warnings
import zipfile

import h5py
import numpy as np
import pytest

import kernas
from kernas import layers as kl
from kernas import saving
from kernas.models import Sequential
from kernas.saving import h5_layout
from saving_models import (conv_model, data_for, dense_model, every_layer_model, kernas_model, keras_model,
                           randomize, trained)

def h5_structure(source):
    """Every group and dataset of an HDF5 file: (path, kind, shape, attrs)."""
    items = []
    with h5py.File(source, "r") as f:
        f.visititems(lambda name, obj: items.append(
            (name, type(obj).__name__, getattr(obj, "shape", None), dict(obj.attrs))))
    return items


# ----- the layout against real Keras ------------------------------------------------------------------------


def test_group_names_follow_keras_snake_case(keras):
    from keras.src.utils.naming import to_snake_case

    classes = [cls for cls in vars(kl).values() if isinstance(cls, type) and issubclass(cls, kl.Layer)]
    assert len(classes) > 10
    for cls in classes:
        assert kernas.backend.naming.snake_case(cls.__name__) == to_snake_case(cls.__name__)


@pytest.mark.parametrize("factory", [dense_model, conv_model])
def test_weights_file_layout_matches_keras(keras, tmp_path, factory):
    ours, theirs = trained(kernas_model(factory)), trained(keras_model(keras, factory))
    ours.save_weights(tmp_path / "ours.weights.h5")
    theirs.save_weights(tmp_path / "theirs.weights.h5")
    ours_items = h5_structure(tmp_path / "ours.weights.h5")
    theirs_items = h5_structure(tmp_path / "theirs.weights.h5")
    # Layer and model names differ between the two sessions' counters; everything else must agree.
    strip = [(name, kind, shape, sorted(attrs)) for name, kind, shape, attrs in ours_items]
    assert strip == [(name, kind, shape, sorted(attrs)) for name, kind, shape, attrs in theirs_items]
    names = {name: attrs.get("name") for name, _, _, attrs in ours_items}
    assert names["vars"] == ours.name
    assert names["optimizer/vars"] == ours.optimizer.name
    assert [names[f"{path}/vars"] for _, path in h5_layout.layer_paths(ours.layers)] == [
        layer.name for layer in ours.layers]
    with h5py.File(tmp_path / "ours.weights.h5") as f:
        assert int(f["optimizer/vars/0"][()]) == 3
        assert f["layers/dense/vars/0"].dtype == np.float32


def test_keras_archive_matches_keras(keras, tmp_path):
    ours, theirs = trained(kernas_model(dense_model)), trained(keras_model(keras, dense_model))
    ours.save(tmp_path / "ours.keras")
    theirs.save(tmp_path / "theirs.keras")
    with zipfile.ZipFile(tmp_path / "ours.keras") as a, zipfile.ZipFile(tmp_path / "theirs.keras") as b:
        assert [i.filename for i in a.infolist()] == [i.filename for i in b.infolist()] == [
            "metadata.json", "config.json", "model.weights.h5"]
        assert all(i.compress_type == zipfile.ZIP_STORED for i in a.infolist())
        ours_meta, theirs_meta = json.loads(a.read("metadata.json")), json.loads(b.read("metadata.json"))
        ours_config, theirs_config = json.loads(a.read("config.json")), json.loads(b.read("config.json"))
        ours_h5, theirs_h5 = a.read("model.weights.h5"), b.read("model.weights.h5")
    assert list(ours_meta) == list(theirs_meta) == ["keras_version", "date_saved"]
    assert ours_meta["keras_version"] == saving.KERAS_VERSION
    assert re.fullmatch(r"\d{4}-\d\d-\d\d@\d\d:\d\d:\d\d", ours_meta["date_saved"])
    assert list(ours_config) == list(theirs_config)
    for key in ("module", "class_name", "registered_name", "build_config"):
        assert ours_config[key] == theirs_config[key]
    ours_compile, theirs_compile = ours_config["compile_config"], theirs_config["compile_config"]
    assert list(ours_compile) == list(theirs_compile)
    for key in ("loss", "loss_weights", "metrics", "weighted_metrics", "run_eagerly", "steps_per_execution",
                "jit_compile"):
        assert ours_compile[key] == theirs_compile[key]
    # Keras on torch names its backend subclass; kernas writes the public class, as Keras on JAX/TF does.
    assert ours_compile["optimizer"]["class_name"] == "Adam"
    theirs_optimizer = dict(theirs_compile["optimizer"]["config"], name="adam")
    assert dict(ours_compile["optimizer"]["config"], name="adam") == theirs_optimizer
    assert [item[:3] for item in h5_structure(io.BytesIO(ours_h5))] == [
        item[:3] for item in h5_structure(io.BytesIO(theirs_h5))]


def test_compile_config_of_objects_matches_keras(keras, tmp_path):
    from kernas import losses, metrics, optimizers

    def compile_with(model, ns):
        schedule = ns.optimizers.schedules.ExponentialDecay(0.1, 10, 0.5)
        model.compile(optimizer=ns.optimizers.SGD(learning_rate=schedule, momentum=0.9),
                      loss=ns.losses.CategoricalCrossentropy(from_logits=True),
                      metrics=[ns.metrics.CategoricalAccuracy(), "mae"], weighted_metrics=["accuracy"])
        return model

    ours = compile_with(kernas_model(dense_model), type("ns", (), dict(optimizers=optimizers, losses=losses,
                                                                        metrics=metrics)))
    theirs = compile_with(keras_model(keras, dense_model), keras)
    ours.train_on_batch(*data_for(ours))  # builds the optimizer, so Keras finds the state it expects
    ours.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as archive:
        config = json.loads(archive.read("config.json"))["compile_config"]
    expected = json.loads(json.dumps(theirs.get_compile_config()))
    for entry in (config, expected):
        entry["optimizer"].update(module="keras.optimizers", registered_name=None)
        entry["optimizer"]["config"].pop("name")  # both number their optimizers per process: sgd, sgd_1, ...
    assert config == expected
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        loaded = keras.saving.load_model(tmp_path / "m.keras")
    assert type(loaded.optimizer.learning_rate).__name__ != "float"  # the schedule came back


def test_uncompiled_model_archive(tmp_path):
    model = kernas_model(dense_model)
    model.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as archive:
        config = json.loads(archive.read("config.json"))
        items = h5_structure(io.BytesIO(archive.read("model.weights.h5")))
    assert config["compile_config"] == {}
    assert config["build_config"] == {"input_shape": [None, 6]}
    assert config["config"] == json.loads(json.dumps(model.get_config()))
    assert not any(name.startswith("optimizer") for name, *_ in items)


# ----- kernas -> Keras ------------------------------------------------------------------------------------


@pytest.mark.parametrize("factory", [dense_model, conv_model])
def test_keras_loads_kernas_model(keras, tmp_path, factory):
    ours = trained(kernas_model(factory))
    x, _ = data_for(ours, n=5, seed=7)
    path = tmp_path / "model.keras"
    ours.save(path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # Keras must load it without complaint (skipped optimizer state warns)
        theirs = keras.saving.load_model(path)
    np.testing.assert_allclose(np.asarray(theirs.predict(x, verbose=0)), ours.predict(x, verbose=0), atol=1e-5)
    assert int(theirs.optimizer.iterations) == 3
    theirs_state = [np.asarray(v) for v in theirs.optimizer.variables]
    ours_state = [v.numpy() for v in ours.optimizer.variables]
    assert len(theirs_state) == len(ours_state)
    for a, b in zip(theirs_state, ours_state):
        np.testing.assert_allclose(a, b, rtol=0, atol=0)


@pytest.mark.parametrize("factory", [dense_model, conv_model])
def test_keras_loads_kernas_weights(keras, tmp_path, factory):
    ours = trained(kernas_model(factory))
    x, _ = data_for(ours, n=5, seed=8)
    ours.save_weights(tmp_path / "w.weights.h5")
    theirs = keras_model(keras, factory)
    theirs.load_weights(tmp_path / "w.weights.h5")
    np.testing.assert_allclose(np.asarray(theirs.predict(x, verbose=0)), ours.predict(x, verbose=0), atol=1e-5)


# ----- Keras -> kernas ------------------------------------------------------------------------------------


@pytest.mark.parametrize("factory", [dense_model, conv_model, every_layer_model])
@pytest.mark.parametrize("suffix", [".weights.h5", ".keras"])
def test_kernas_loads_keras_weights(keras, tmp_path, factory, suffix):
    theirs = trained(keras_model(keras, factory))
    randomize(theirs, seed=3)
    path = tmp_path / f"theirs{suffix}"
    if suffix == ".keras":
        theirs.save(path)
    else:
        theirs.save_weights(path)
    ours = kernas_model(factory)
    ours.load_weights(path)
    x, _ = data_for(ours, n=5, seed=9)
    np.testing.assert_allclose(ours.predict(x, verbose=0), np.asarray(theirs.predict(x, verbose=0)), atol=1e-5)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_kernas_loads_keras_optimizer_state(keras, tmp_path):
    theirs = trained(keras_model(keras, dense_model))
    theirs.save_weights(tmp_path / "theirs.weights.h5")
    ours = trained(kernas_model(dense_model), steps=1)  # compiled and built, so the state can load
    ours.load_weights(tmp_path / "theirs.weights.h5")
    assert ours.optimizer.iterations == 3
    for a, b in zip(ours.optimizer.variables, theirs.optimizer.variables):
        np.testing.assert_array_equal(a.numpy(), np.asarray(b))


# ----- kernas -> kernas -----------------------------------------------------------------------------------


def test_round_trip_every_layer_type(tmp_path):
    source = trained(kernas_model(every_layer_model))
    randomize(source, seed=5)
    covered = {type(layer) for layer in source.layers}
    provided = {cls for cls in vars(kl).values()
                if isinstance(cls, type) and issubclass(cls, kl.Layer) and cls not in (kl.Layer, kl.InputLayer)}
    assert provided <= covered, f"add {provided - covered} to every_layer_model"
    source.save_weights(tmp_path / "w.weights.h5")
    target = kernas_model(every_layer_model)
    target.load_weights(tmp_path / "w.weights.h5")
    for a, b in zip(source.get_weights(), target.get_weights()):
        np.testing.assert_array_equal(a, b)
    x, _ = data_for(source, n=4, seed=2)
    np.testing.assert_array_equal(target.predict(x, verbose=0), source.predict(x, verbose=0))


def test_round_trip_restores_optimizer_state_and_training(tmp_path):
    # conv_model has no Dropout, so one more step is deterministic: it matches only if the Adam state loaded.
    source = trained(kernas_model(conv_model))
    source.save_weights(tmp_path / "w.weights.h5")
    target = trained(kernas_model(conv_model), steps=1)
    target.load_weights(tmp_path / "w.weights.h5")
    assert target.optimizer.iterations == source.optimizer.iterations == 3
    for a, b in zip(target.optimizer.variables, source.optimizer.variables):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    x, y = data_for(source, seed=4)
    target.train_on_batch(x, y)
    source.train_on_batch(x, y)
    for a, b in zip(target.get_weights(), source.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_weights_load_from_keras_file_and_path_objects(tmp_path):
    source = trained(kernas_model(conv_model))
    source.save(str(tmp_path / "m.keras"))
    target = kernas_model(conv_model)
    target.load_weights(tmp_path / "m.keras")
    for a, b in zip(source.get_weights(), target.get_weights()):
        np.testing.assert_array_equal(a, b)
    buffer = io.BytesIO()
    source.save(buffer)
    assert buffer.getvalue()[:2] == b"PK"


def test_weightless_layers_may_be_added_or_removed(tmp_path):
    # Keras matches layers by class and rank: a Dropout more or less does not shift the Dense layers.
    source = kernas_model(dense_model)
    randomize(source, seed=1)
    source.save_weights(tmp_path / "w.weights.h5")
    target = Sequential([kl.Input((6,)), kl.Dense(8, activation="relu"), kl.Dense(3, activation="softmax")])
    target.load_weights(tmp_path / "w.weights.h5")
    for a, b in zip(source.get_weights(), target.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_variables_saved_trainable_first():
    layer = kl.BatchNormalization()
    layer.build_once((None, 3))
    names = [v.name for v in h5_layout.keras_variable_order(layer)]
    assert names == ["gamma", "beta", "moving_mean", "moving_variance"]
    # A frozen layer keeps its variables' saved order (Keras orders by each variable's own flag).
    layer.trainable = False
    assert [v.name for v in h5_layout.keras_variable_order(layer)] == names


# ----- atomic writes --------------------------------------------------------------------------------------


def _fail_midway(monkeypatch, module):
    original = h5_layout.write_model_weights

    def failing(h5file, model):
        original(h5file, model)
        raise RuntimeError("disk full (simulated)")

    monkeypatch.setattr(module, "write_model_weights", failing)


@pytest.mark.parametrize("filename", ["m.weights.h5", "m.keras"])
def test_failed_save_leaves_old_file_and_no_temporaries(tmp_path, monkeypatch, filename):
    from kernas.saving import keras_archive, weights_file

    model = kernas_model(dense_model)
    path = tmp_path / filename
    save = model.save if filename.endswith(".keras") else model.save_weights
    save(path)
    before = path.read_bytes()
    randomize(model, seed=4)
    _fail_midway(monkeypatch, keras_archive if filename.endswith(".keras") else weights_file)
    with pytest.raises(RuntimeError, match="simulated"):
        save(path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == [filename]


def test_overwrite_false_refuses_existing_file(tmp_path):
    model = kernas_model(dense_model)
    path = tmp_path / "m.weights.h5"
    model.save_weights(path, overwrite=False)
    before = path.read_bytes()
    for save, target in ((model.save_weights, path), (model.save, tmp_path / "m.keras")):
        if not target.exists():
            save(target)
        with pytest.raises(FileExistsError, match="overwrite=False") as info:
            save(target, overwrite=False)
        assert isinstance(info.value, ValueError)
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["m.keras", "m.weights.h5"]


def test_save_into_missing_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match="makedirs"):
        kernas_model(dense_model).save_weights(tmp_path / "missing" / "m.weights.h5")


# ----- argument and file errors ---------------------------------------------------------------------------


def test_wrong_extensions(tmp_path):
    model = kernas_model(dense_model)
    with pytest.raises(ValueError, match=r"must end in `\.weights\.h5`"):
        model.save_weights(tmp_path / "m.h5")
    with pytest.raises(ValueError, match=r"expected a `\.keras` extension"):
        model.save(tmp_path / "m.model")
    for legacy in ("m.h5", "m.hdf5"):
        with pytest.raises(ValueError, match=r"only the native Keras format"):
            model.save(tmp_path / legacy)
    with pytest.raises(ValueError, match="zipped=False"):
        model.save(tmp_path / "m.keras", zipped=False)
    with pytest.raises(ValueError, match="not supported"):
        model.save(tmp_path / "m.keras", compression="gzip")
    with pytest.raises(ValueError, match="sharded"):
        model.save_weights(tmp_path / "m.weights.h5", max_shard_size=1)
    with pytest.raises(saving.FileNotFoundValueError, match="does not exist"):
        model.load_weights(tmp_path / "m.h5")
    with pytest.raises(ValueError, match="File format not supported"):
        model.load_weights(tmp_path / "m.bin")
    with pytest.raises(ValueError, match="Invalid keyword arguments"):
        model.load_weights(tmp_path / "m.weights.h5", strict=True)
    with pytest.raises(TypeError, match="str or os.PathLike"):
        model.save_weights(123)
    assert os.listdir(tmp_path) == []


def test_unbuilt_model(tmp_path):
    model = Sequential([kl.Dense(2)])
    with pytest.raises(ValueError, match="not yet been built"):
        model.save_weights(tmp_path / "m.weights.h5")
    with pytest.raises(ValueError, match="not yet been built"):
        model.load_weights(tmp_path / "m.weights.h5")
    with pytest.warns(UserWarning, match="not yet been built"):
        model.save(tmp_path / "m.keras")


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        kernas_model(dense_model).load_weights(tmp_path / "nothing.weights.h5")


def test_shape_mismatch_names_layer_and_changes_nothing(tmp_path):
    source = kernas_model(dense_model)
    source.save_weights(tmp_path / "w.weights.h5")
    target = Sequential([kl.Input((6,)), kl.Dense(8, activation="relu"), kl.Dense(4, name="head")])
    before = target.get_weights()
    with pytest.raises(ValueError, match=r"Layer 'head' variable 'kernel' has shape \(8, 4\).*\(8, 3\)"):
        target.load_weights(tmp_path / "w.weights.h5")
    for a, b in zip(before, target.get_weights()):
        np.testing.assert_array_equal(a, b)
    with pytest.warns(UserWarning, match="could not be loaded"):
        target.load_weights(tmp_path / "w.weights.h5", skip_mismatch=True)
    np.testing.assert_array_equal(target.layers[0].get_weights()[0], source.layers[0].get_weights()[0])
    np.testing.assert_array_equal(target.layers[1].get_weights()[0], before[2])


def test_variable_count_mismatch(tmp_path):
    Sequential([kl.Input((6,)), kl.Dense(3, use_bias=False)]).save_weights(tmp_path / "w.weights.h5")
    target = Sequential([kl.Input((6,)), kl.Dense(3, name="full")])
    with pytest.raises(ValueError, match=r"Layer 'full' expected 2 variables, but received 1"):
        target.load_weights(tmp_path / "w.weights.h5")
    # A layer class the file never saw: its group is missing, so it receives nothing.
    target = Sequential([kl.Input((6,)), kl.Dense(3, use_bias=False), kl.BatchNormalization(name="bn")])
    with pytest.raises(ValueError, match=r"Layer 'bn' expected 4 variables, but received 0"):
        target.load_weights(tmp_path / "w.weights.h5")


def test_optimizer_built_for_other_variables_keeps_state(tmp_path):
    trained(kernas_model(dense_model)).save_weights(tmp_path / "w.weights.h5")
    target = kernas_model(dense_model)
    target.compile(optimizer="adam", loss="categorical_crossentropy")  # not built: iterations + learning rate only
    with pytest.warns(UserWarning, match="Skipping variable loading for optimizer"):
        target.load_weights(tmp_path / "w.weights.h5")
    assert target.optimizer.iterations == 0


def test_corrupt_and_foreign_files(tmp_path):
    model = kernas_model(dense_model)
    garbage = tmp_path / "garbage.weights.h5"
    garbage.write_bytes(b"\x89HDF\r\n\x1a\nnot really" * 50)
    with pytest.raises(ValueError, match="not a valid HDF5 file"):
        model.load_weights(garbage)
    model.save_weights(tmp_path / "good.weights.h5")
    truncated = tmp_path / "truncated.weights.h5"
    truncated.write_bytes((tmp_path / "good.weights.h5").read_bytes()[:1500])
    with pytest.raises(ValueError):
        model.load_weights(truncated)
    empty = tmp_path / "empty.weights.h5"
    with h5py.File(empty, "w") as f:
        f.create_group("something_else")
    with pytest.raises(ValueError, match="'layers' group"):
        model.load_weights(empty)
    legacy = tmp_path / "legacy.weights.h5"
    with h5py.File(legacy, "w") as f:
        f.attrs["layer_names"] = [b"dense"]
    with pytest.raises(ValueError, match="readable legacy HDF5 file at '/dense'"):
        model.load_weights(legacy)
    bad_zip = tmp_path / "bad.keras"
    bad_zip.write_bytes(b"PK\x03\x04 definitely not a zip")
    with pytest.raises(ValueError, match="zip archive"):
        model.load_weights(bad_zip)
    no_weights = tmp_path / "no_weights.keras"
    with zipfile.ZipFile(no_weights, "w") as archive:
        archive.writestr("config.json", "{}")
    with pytest.raises(ValueError, match="model.weights.h5"):
        model.load_weights(no_weights)


def test_links_and_odd_datasets_are_refused(tmp_path):
    model = kernas_model(dense_model)
    path = tmp_path / "w.weights.h5"
    cases = {
        "soft link": lambda f: (f.__delitem__("layers/dense/vars/0"),
                                f.__setitem__("layers/dense/vars/0", h5py.SoftLink("/layers/dense_1/vars/0"))),
        "external link": lambda f: (f.__delitem__("layers/dense"),
                                    f.__setitem__("layers/dense", h5py.ExternalLink("/etc/passwd", "/x"))),
        "string dataset": lambda f: (f.__delitem__("layers/dense/vars/1"),
                                     f.create_dataset("layers/dense/vars/1", data=np.array([b"x"] * 8))),
        "group in place of a dataset": lambda f: (f.__delitem__("layers/dense/vars/1"),
                                                  f.create_group("layers/dense/vars/1")),
        "dataset names": lambda f: f.move("layers/dense/vars/1", "layers/dense/vars/bias"),
    }
    for case, corrupt in cases.items():
        model.save_weights(path)
        with h5py.File(path, "a") as f:
            corrupt(f)
        before = model.get_weights()
        with pytest.raises(ValueError) as info:
            model.load_weights(path, skip_mismatch=True)
        assert "layers/dense" in str(info.value), case
        for a, b in zip(before, model.get_weights()):
            np.testing.assert_array_equal(a, b)


def test_saving_through_a_symlink_keeps_the_link_and_the_permissions(tmp_path):
    model = kernas_model(dense_model)
    (tmp_path / "runs").mkdir()
    target = tmp_path / "runs" / "epoch1.keras"
    model.save(target)
    os.chmod(target, 0o600)
    link = tmp_path / "latest.keras"
    link.symlink_to(target)
    randomize(model, 5)
    model.save(link)
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert (target.stat().st_mode & 0o777) == 0o600
    np.testing.assert_array_equal(kernas.models.load_model(link).get_weights()[0], model.get_weights()[0])
    assert sorted(os.listdir(tmp_path / "runs")) == ["epoch1.keras"]


def test_directories_are_not_model_files(tmp_path):
    model = kernas_model(dense_model)
    (tmp_path / "adir.keras").mkdir()
    with pytest.raises(saving.IsADirectoryValueError, match="is a directory"):
        model.save(tmp_path / "adir.keras")
    with pytest.raises(saving.IsADirectoryValueError, match="is a directory"):
        kernas.models.load_model(tmp_path / "adir.keras")
    assert os.listdir(tmp_path / "adir.keras") == []


def test_layer_names_cannot_hold_a_slash():
    with pytest.raises(ValueError, match="cannot contain character `/`"):
        kl.Dense(4, name="my dense/with slash")
