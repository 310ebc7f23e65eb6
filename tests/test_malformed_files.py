"""A corpus of malformed `.keras` files: each gives its documented ValueError, never a crash or a half-loaded model."""

import io
import json
import os
import re
import struct
import tracemalloc
import zipfile

import h5py
import numpy as np
import pytest

import kernas
from kernas.models import load_model
from saving_models import conv_model, kernas_model, trained


@pytest.fixture(scope="module")
def good_members():
    """The members of a valid `.keras` file of a compiled conv model: {name: bytes}."""
    buffer = io.BytesIO()
    kernas.saving.save_model(trained(kernas_model(conv_model)), buffer)
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def archive(path, members):
    with zipfile.ZipFile(path, "w") as out:
        for name, data in members.items():
            out.writestr(name, data)
    return path


def with_config(members, change):
    config = json.loads(members["config.json"])
    change(config)
    return {**members, "config.json": json.dumps(config)}


def with_weights(members, change):
    buffer = io.BytesIO(members["model.weights.h5"])
    with h5py.File(buffer, "a") as h5file:
        change(h5file)
    return {**members, "model.weights.h5": buffer.getvalue()}


def with_weights_byte(members, offset, value):
    data = bytearray(members["model.weights.h5"])
    data[offset] = value
    return {**members, "model.weights.h5": bytes(data)}


def layer_config(config, index):
    return config["config"]["layers"][index]


def replace_dataset(path, data):
    def change(h5file):
        del h5file[path]
        h5file[path] = data
    return change


def replace_chunked(path):
    """The dataset at ``path`` rewritten (same shape and values) in one huge gzip chunk: a decompression bomb."""
    def change(h5file):
        values = h5file[path][()]
        del h5file[path]
        h5file.create_dataset(path, data=values, maxshape=(None,), chunks=(4_000_000,), compression="gzip")
    return change


def set_dense_units(units):
    def change(config):
        layer_config(config, -1)["config"]["units"] = units
    return change


CORPUS = {
    "missing config": (lambda m: {k: v for k, v in m.items() if k != "config.json"}, "holding 'config.json'"),
    "missing weights": (lambda m: {k: v for k, v in m.items() if k != "model.weights.h5"},
                        "holding 'model.weights.h5'"),
    "config not JSON": (lambda m: {**m, "config.json": b"{\"class_name\": "}, "does not parse"),
    "config not an object": (lambda m: {**m, "config.json": b"[1, 2, 3]"}, "JSON object"),
    "config not UTF-8": (lambda m: {**m, "config.json": b"\xff\xfe\x00"}, "does not parse"),
    "weights not HDF5": (lambda m: {**m, "model.weights.h5": b"\x89HDF\r\n\x1a\n" + b"\0" * 20000},
                         "not a valid HDF5 file"),
    "weights far too small": (lambda m: {**m, "model.weights.h5": b"\x89HDF\r\n\x1a\n" + b"\0" * 100},
                              "holds \\(108 bytes\\).*before allocating"),
    "weights truncated": (lambda m: {**m, "model.weights.h5": m["model.weights.h5"][:3000]}, "HDF5|corrupt"),
    "wrong shape": (lambda m: with_weights(m, replace_dataset("layers/dense/vars/0", np.zeros((7, 3), "f4"))),
                    r"shape \(12, 3\).*shape \(7, 3\)"),
    "wrong count": (lambda m: with_weights(m, lambda f: f.__delitem__("layers/conv2d/vars/1")),
                    "expected 2 variables, but received 1"),
    "wrong dtype": (lambda m: with_weights(m, replace_dataset("layers/dense/vars/1", np.array([b"a", b"b", b"c"]))),
                    "numeric dataset"),
    "soft link": (lambda m: with_weights(m, replace_dataset("layers/dense/vars/1", h5py.SoftLink("/vars"))),
                  "SoftLink"),
    "unknown layer class": (lambda m: with_config(m, lambda c: layer_config(c, 1).update(class_name="Lambda")),
                            "Unknown layer class: 'Lambda'"),
    "user module not given": (lambda m: with_config(m, lambda c: layer_config(c, 1).update(
        module="os", class_name="system", registered_name="system")), "Unknown layer class 'system'"),
    "unknown optimizer class": (lambda m: with_config(m, lambda c: c["compile_config"]["optimizer"].update(
        module="builtins", class_name="eval")), "Unknown optimizer class 'eval'"),
    "functional model": (lambda m: with_config(m, lambda c: c.update(class_name="Functional")),
                         "Sequential models only"),
    "unknown model class": (lambda m: with_config(m, lambda c: c.update(class_name="Pipeline")),
                            "Unknown model class"),
    "unknown argument": (lambda m: with_config(m, lambda c: layer_config(c, 1)["config"].update(colour="red")),
                         "Unrecognized keyword arguments"),
    "bad build shape": (lambda m: with_config(m, lambda c: layer_config(c, 0)["config"].update(
        batch_shape=[None, -8, 8, 2])), "non-negative integers"),
    "huge declared shape": (lambda m: with_config(m, set_dense_units(10 ** 9)), "before allocating"),
    "absurd declared shape": (lambda m: with_config(m, set_dense_units(10 ** 30)), r"at most 2\*\*31 - 1"),
    "path traversal": (lambda m: {**m, "../../evil.sh": b"#!/bin/sh"}, r"'\.\./\.\./evil\.sh'.*'\.\.'"),
    "absolute member": (lambda m: {**m, "/etc/cron.d/evil": b"x"}, "absolute path"),
    "bad compile config": (lambda m: with_config(m, lambda c: c["compile_config"].update(loss="no_such_loss")),
                           "compile=False"),
    "no optimizer": (lambda m: with_config(m, lambda c: c["compile_config"].update(optimizer=None)),
                     "optimizer=None.*compile=False"),
    "unknown metric class": (lambda m: with_config(m, lambda c: c["compile_config"].update(
        metrics=[{"module": "my.metrics", "class_name": "Secret", "config": {}}])), "Unknown metric class 'Secret'"),
    "deeply nested config": (lambda m: {**m, "config.json": b"[" * 100000 + b"]" * 100000}, "does not parse"),
    "chunk bomb": (lambda m: with_weights(m, replace_chunked("layers/dense/vars/1")), "storage chunks"),
    # The superblock's driver-information address (bytes 48-55, all 0xff: undefined) becomes an offset
    # past any file, which h5py's in-memory driver reports as an OverflowError.
    "superblock address past any file": (lambda m: with_weights_byte(m, 49, 0xFE), "not a valid HDF5 file"),
}


@pytest.mark.parametrize("case", sorted(CORPUS))
def test_malformed_archive_gives_its_error(tmp_path, good_members, case):
    corrupt, message = CORPUS[case]
    path = archive(tmp_path / "bad.keras", corrupt(good_members))
    with pytest.raises(ValueError, match=message):
        load_model(path)


def test_the_corpus_starts_from_a_good_file(tmp_path, good_members):
    assert load_model(archive(tmp_path / "good.keras", good_members)).compiled


def assert_refused_before_allocating(path):
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match="before allocating"):
            load_model(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 64 << 20, f"loading allocated {peak} bytes before refusing"


def test_huge_shape_is_refused_before_allocating(tmp_path, good_members):
    path = archive(tmp_path / "bad.keras", with_config(good_members, set_dense_units(10 ** 8)))
    assert_refused_before_allocating(path)


def test_truncated_and_foreign_archives(tmp_path, good_members):
    data = (archive(tmp_path / "good.keras", good_members)).read_bytes()
    for cut in (10, len(data) // 3, len(data) - 30):
        truncated = tmp_path / f"cut{cut}.keras"
        truncated.write_bytes(data[:cut])
        with pytest.raises(ValueError, match="truncated|corrupt|zip archive|readable"):
            load_model(truncated)
    flipped = bytearray(data)
    start = data.index(b"\x89HDF")
    flipped[start + 2000:start + 2010] = b"\xff" * 10
    (tmp_path / "flipped.keras").write_bytes(bytes(flipped))
    with pytest.raises(ValueError, match="corrupt|CRC|readable"):
        load_model(tmp_path / "flipped.keras")
    (tmp_path / "text.keras").write_text("just text")
    with pytest.raises(ValueError, match="zip archive"):
        load_model(tmp_path / "text.keras")


def test_duplicate_member_is_refused(tmp_path, good_members):
    path = archive(tmp_path / "dup.keras", good_members)
    with pytest.warns(UserWarning, match="Duplicate name"), zipfile.ZipFile(path, "a") as out:
        out.writestr("config.json", b"{}")
    with pytest.raises(ValueError, match="'config.json' twice"):
        load_model(path)


def test_oversized_member_is_refused_before_reading(tmp_path, good_members):
    path = archive(tmp_path / "bomb.keras", {**good_members, "config.json": b" " * (17 << 20)})
    with pytest.raises(ValueError, match="before decompressing"):
        load_model(path)


def test_missing_paths_and_extensions(tmp_path):
    for name in ("absent.keras", "absent.h5"):
        with pytest.raises(kernas.saving.FileNotFoundValueError, match="File not found"):
            load_model(tmp_path / name)
    (tmp_path / "model.pt").write_bytes(b"x")
    with pytest.raises(ValueError, match="File format not supported"):
        load_model(tmp_path / "model.pt")
    with pytest.raises(TypeError, match="str or os.PathLike"):
        load_model(3)
    with pytest.raises(TypeError, match="safe_mode"):
        load_model(tmp_path / "model.keras", safe_mode="yes")


LOAD_MODULES = ["saving", "backend"]
FORBIDDEN = re.compile(r"\bpickle\.loads?\b|\bmarshal\b|\beval\(|\bexec\(|__import__|importlib|allow_pickle=True"
                       r"|\bshelve\b|\bdill\b")


def test_no_load_path_can_run_code_from_a_file():
    """The loading code never unpickles, unmarshals, evaluates or imports by name."""
    package = os.path.dirname(kernas.__file__)
    checked = 0
    for module in LOAD_MODULES:
        for name in sorted(os.listdir(os.path.join(package, module))):
            if name.endswith(".py"):
                with open(os.path.join(package, module, name)) as source:
                    assert not FORBIDDEN.findall(source.read()), f"{module}/{name}"
                checked += 1
    assert checked >= 10


def test_compressed_weights_bomb_is_refused_before_decompressing(tmp_path, good_members):
    path = tmp_path / "bomb.keras"
    with zipfile.ZipFile(path, "w") as out:
        for name, data in good_members.items():
            if name != "model.weights.h5":
                out.writestr(name, data)
        out.writestr("model.weights.h5", bytes(100 << 20), compress_type=zipfile.ZIP_DEFLATED)
    assert path.stat().st_size < 1 << 20
    with pytest.raises(ValueError, match="before decompressing"):
        load_model(path)


def test_sizes_declared_in_the_zip_headers_are_not_trusted(tmp_path, good_members):
    """A central directory claiming a 4 GB weights file cannot buy a 4 GB model from a tiny archive."""
    # 480 MB of kernel: less than the 4 GB the header claims, far more than the archive can inflate to.
    path = archive(tmp_path / "liar.keras", with_config(good_members, set_dense_units(10 ** 7)))
    data = bytearray(path.read_bytes())
    entry = data.rfind(b"PK\x01\x02")
    assert data[entry + 46:entry + 62] == b"model.weights.h5"
    struct.pack_into("<I", data, entry + 24, 0xFFFFFFFE)  # the declared uncompressed size
    path.write_bytes(bytes(data))
    assert_refused_before_allocating(path)


def test_damaged_hdf5_structures_give_value_errors(tmp_path):
    """Each HDF5 symbol-table, heap and B-tree signature broken in turn: always a ValueError, never another error."""
    model = kernas_model(conv_model)
    model.save_weights(tmp_path / "good.weights.h5")
    data = (tmp_path / "good.weights.h5").read_bytes()
    offsets = [m.start() for signature in (b"SNOD", b"HEAP", b"TREE") for m in re.finditer(signature, data)]
    assert len(offsets) > 10
    for offset in offsets:
        (tmp_path / "bad.weights.h5").write_bytes(data[:offset] + b"X" + data[offset + 1:])
        try:
            model.load_weights(tmp_path / "bad.weights.h5")
        except ValueError:
            pass


def test_a_zip_version_zipfile_cannot_read_is_refused(tmp_path, good_members):
    path = archive(tmp_path / "future.keras", good_members)
    data = bytearray(path.read_bytes())
    struct.pack_into("<H", data, data.index(b"PK\x01\x02") + 6, 255)  # "version needed to extract": 25.5
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="zip archive.*version"):
        load_model(path)
