"""kernas.datasets: the Keras cache and download path, the IDX reader, and the bundled digits.

Downloads run against an HTTP server on 127.0.0.1 started here; the loaders'
module attributes ``ORIGIN_FOLDER`` (and ``FILE_HASH`` for a synthetic MNIST
file) point them at it. ``KERAS_HOME`` is a fresh temporary folder in every
test, so nothing here reads or writes the real cache or the internet.
"""

import gzip
import hashlib
import http.server
import io
import os
import re
import socket
import struct
import threading
import time

import numpy as np
import pytest

from kernas.datasets import DownloadError, digits, fashion_mnist, file_cache, mnist
from kernas.datasets.file_cache import cache_dirs, get_file, keras_home
from kernas.datasets.idx import read_idx, read_images_and_labels

_DEBIAN_DIR = "/usr/share/datasets/fashion-mnist"
_FASHION_FILES = (
    "train-labels-idx1-ubyte.gz",
    "train-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
)
_BAR_LINE = re.compile(r"^(\d+)/\1 ━{20} \d+s \d+(us|ms|s)/step$")


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    """A fresh, empty Keras home for every test."""
    path = tmp_path / "keras-home"
    monkeypatch.setenv("KERAS_HOME", str(path))
    return path


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        store = self.server.store
        name = self.path.lstrip("/")
        store.requests.append(name)
        body = store.files.get(name)
        if body is None:
            self.send_error(404)
            return
        time.sleep(store.stall_seconds)
        self.send_response(200)
        # A "short" file announces more bytes than it sends, then the
        # connection closes: a download cut off half-way. An "unsized" one
        # announces no length at all.
        if name not in store.unsized:
            self.send_header("Content-Length", str(len(body) + (1000 if name in store.short else 0)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client under test gave up (a stalled-server timeout): nothing to report

    def log_message(self, *args):
        pass


class _Server:
    """Serves ``files`` (name -> bytes) on 127.0.0.1 and records the names requested."""

    def __init__(self):
        self.files = {}
        self.short = set()
        self.unsized = set()
        self.stall_seconds = 0.0
        self.requests = []
        self._httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.store = self
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self._thread.start()

    def url(self, name=""):
        return f"http://127.0.0.1:{self._httpd.server_port}/{name}"

    def close(self):
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()


@pytest.fixture
def server():
    s = _Server()
    yield s
    s.close()


@pytest.fixture
def dead_url():
    """The URL of a port on 127.0.0.1 that nothing listens on: a server that is down."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


def _npz_bytes(rng, n_train=60, n_test=20):
    arrays = {
        "x_train": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "y_train": rng.integers(0, 10, n_train, dtype=np.uint8),
        "x_test": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "y_test": rng.integers(0, 10, n_test, dtype=np.uint8),
    }
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue(), arrays


@pytest.fixture
def synthetic_mnist(server, monkeypatch, rng):
    """A small mnist.npz served by the local server, with mnist pointed at it; returns (bytes, arrays)."""
    data, arrays = _npz_bytes(rng)
    server.files["mnist.npz"] = data
    monkeypatch.setattr(mnist, "ORIGIN_FOLDER", server.url())
    monkeypatch.setattr(mnist, "FILE_HASH", hashlib.sha256(data).hexdigest())
    return data, arrays


def _leftovers(directory):
    return sorted(name for name in os.listdir(directory) if name.endswith(".part")) if directory.is_dir() else []


def _assert_same(loaded, arrays):
    (x_train, y_train), (x_test, y_test) = loaded
    for key, value in zip(("x_train", "y_train", "x_test", "y_test"), (x_train, y_train, x_test, y_test)):
        assert value.dtype == np.uint8
        np.testing.assert_array_equal(value, arrays[key])


# ---- mnist: the download path -------------------------------------------------------------------------------


def test_mnist_downloads_into_keras_home_with_a_progress_bar(home, server, synthetic_mnist, capsys):
    data, arrays = synthetic_mnist
    _assert_same(mnist.load_data(), arrays)
    cached = home / "datasets" / "mnist.npz"
    assert cached.read_bytes() == data
    assert server.requests == ["mnist.npz"]
    assert _leftovers(cached.parent) == []
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"Downloading data from {server.url('mnist.npz')}"
    # Off a terminal the bar prints one plain line, with the byte count as its steps.
    assert len(lines) == 2 and _BAR_LINE.match(lines[1]), lines
    assert _BAR_LINE.match(lines[1]).group(1) == str(len(data))


def test_mnist_reuses_the_cache_without_a_request(home, server, synthetic_mnist, dead_url, monkeypatch, capsys):
    _, arrays = synthetic_mnist
    mnist.load_data()
    monkeypatch.setattr(mnist, "ORIGIN_FOLDER", dead_url)
    capsys.readouterr()
    _assert_same(mnist.load_data(), arrays)
    assert server.requests == ["mnist.npz"]
    assert capsys.readouterr().out == ""


def test_mnist_redownloads_a_cached_file_whose_hash_differs(home, server, synthetic_mnist, capsys):
    data, arrays = synthetic_mnist
    cached = home / "datasets" / "mnist.npz"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(data[:-10])  # an interrupted copy from some other tool
    _assert_same(mnist.load_data(), arrays)
    assert cached.read_bytes() == data
    assert server.requests == ["mnist.npz"]
    out = capsys.readouterr().out
    assert "A local file was found, but it seems to be incomplete or outdated" in out
    assert mnist.FILE_HASH in out


def test_mnist_refuses_a_download_whose_hash_differs(home, server, synthetic_mnist):
    data, _ = synthetic_mnist
    server.files["mnist.npz"] = data[:100] + b"\x00" + data[101:]
    with pytest.raises(ValueError, match="Incomplete or corrupted file detected") as info:
        mnist.load_data()
    assert mnist.FILE_HASH in str(info.value) and server.url("mnist.npz") in str(info.value)
    directory = home / "datasets"
    assert not (directory / "mnist.npz").exists()
    assert _leftovers(directory) == []


def test_mnist_refuses_a_redownload_that_still_mismatches(home, server, synthetic_mnist):
    data, _ = synthetic_mnist
    stale = data[:-1]
    cached = home / "datasets" / "mnist.npz"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(stale)
    server.files["mnist.npz"] = stale
    with pytest.raises(ValueError, match="Incomplete or corrupted file detected"):
        mnist.load_data()
    assert server.requests == ["mnist.npz"]
    assert cached.read_bytes() == stale and _leftovers(cached.parent) == []


def test_mnist_offline_error_names_the_path_and_the_url(home, dead_url, monkeypatch):
    monkeypatch.setattr(mnist, "ORIGIN_FOLDER", dead_url)
    with pytest.raises(DownloadError) as info:
        mnist.load_data()
    assert isinstance(info.value, OSError)
    message = str(info.value)
    target = str(home / "datasets" / "mnist.npz")
    assert f"put it at {target}" in message
    assert f"download {dead_url}mnist.npz" in message
    assert mnist.FILE_HASH in message
    assert not os.path.exists(target) and _leftovers(home / "datasets") == []


def test_http_error_and_cut_transfer_raise_download_error(home, server, synthetic_mnist):
    data, _ = synthetic_mnist
    server.short.add("mnist.npz")
    with pytest.raises(DownloadError, match=f"closed after {len(data)} of {len(data) + 1000} bytes"):
        mnist.load_data()
    del server.files["mnist.npz"]
    with pytest.raises(DownloadError, match="HTTP 404"):
        mnist.load_data()
    assert not (home / "datasets" / "mnist.npz").exists() and _leftovers(home / "datasets") == []


def test_mnist_never_unpickles(server, monkeypatch):
    buffer = io.BytesIO()
    np.savez(buffer, x_train=np.array([{"code": "runs on load"}], dtype=object), y_train=np.zeros(1, np.uint8),
             x_test=np.zeros((1, 28, 28), np.uint8), y_test=np.zeros(1, np.uint8))
    server.files["mnist.npz"] = buffer.getvalue()
    monkeypatch.setattr(mnist, "ORIGIN_FOLDER", server.url())
    monkeypatch.setattr(mnist, "FILE_HASH", hashlib.sha256(buffer.getvalue()).hexdigest())
    with pytest.raises(ValueError, match="allow_pickle=False"):
        mnist.load_data()


def test_mnist_path_must_be_a_file_name(synthetic_mnist):
    with pytest.raises(ValueError, match=r"without a directory part.*fname='sub/mnist.npz'"):
        mnist.load_data(path="sub/mnist.npz")


def test_mnist_custom_file_name(home, synthetic_mnist):
    _, arrays = synthetic_mnist
    _assert_same(mnist.load_data(path="my-mnist.npz"), arrays)
    assert (home / "datasets" / "my-mnist.npz").is_file()


def test_get_file_rejects_a_hash_that_is_not_sha256(server):
    with pytest.raises(ValueError, match="64 lowercase hex digits"):
        get_file("x.bin", server.url("x.bin"), file_hash="d41d8cd98f00b204e9800998ecf8427e")
    assert server.requests == []


def test_progress_bar_matches_keras_get_file(keras, tmp_path, server, rng, capsys):
    server.files["blob.bin"] = rng.integers(0, 256, 50_000, dtype=np.uint8).tobytes()
    keras_dir = tmp_path / "keras-cache"
    keras_dir.mkdir()
    keras.utils.get_file("blob.bin", origin=server.url("blob.bin"), cache_dir=str(keras_dir))
    keras_out = capsys.readouterr().out
    get_file("blob.bin", server.url("blob.bin"))
    ours = capsys.readouterr().out

    def normalised(text):
        # Keras redraws on any POSIX stdout; its last redraw is what a terminal shows.
        lines = [re.sub(r"\x1b\[\d+m", "", line.split("\r")[-1]).rstrip() for line in text.split("\n") if line]
        return [re.sub(r" \d+s \d+(us|ms|s)/step$", " Ts T/step", line) for line in lines]

    assert normalised(ours) == normalised(keras_out)
    assert len(normalised(ours)) == 2


# ---- the cache location -------------------------------------------------------------------------------------


def test_keras_home_defaults_to_dot_keras_in_home(tmp_path, monkeypatch):
    monkeypatch.delenv("KERAS_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert keras_home() == str(tmp_path / ".keras")
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda path, mode, **kw: path != str(tmp_path) and real_access(path, mode))
    assert keras_home() == "/tmp/.keras"


def test_keras_home_expands_a_tilde(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("KERAS_HOME", "~/elsewhere")
    assert keras_home() == str(tmp_path / "elsewhere")


def test_a_read_only_keras_home_is_read_in_place_and_sends_downloads_to_tmp(home, server, synthetic_mnist, monkeypatch):
    data, arrays = synthetic_mnist
    (home / "datasets").mkdir(parents=True)
    (home / "datasets" / "mnist.npz").write_bytes(data)
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda path, mode, **kw: path != str(home) and real_access(path, mode))
    assert cache_dirs() == ([str(home / "datasets"), "/tmp/.keras/datasets"], "/tmp/.keras/datasets")
    _assert_same(mnist.load_data(), arrays)
    assert server.requests == []


# ---- fashion_mnist -----------------------------------------------------------------------------------------


def _idx_gz(array):
    header = struct.pack(">BBBB", 0, 0, 0x08, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    return gzip.compress(header + np.ascontiguousarray(array, dtype=np.uint8).tobytes())


def _synthetic_fashion(rng):
    x_train = rng.integers(0, 256, (7, 28, 28), dtype=np.uint8)
    y_train = rng.integers(0, 10, 7, dtype=np.uint8)
    x_test = rng.integers(0, 256, (3, 28, 28), dtype=np.uint8)
    y_test = rng.integers(0, 10, 3, dtype=np.uint8)
    files = dict(zip(_FASHION_FILES, map(_idx_gz, (y_train, x_train, y_test, x_test))))
    return files, {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}


@pytest.mark.skipif(not os.path.isdir(_DEBIAN_DIR), reason="Debian's dataset-fashion-mnist is not installed")
def test_fashion_mnist_from_the_debian_package(home, dead_url, monkeypatch):
    monkeypatch.setattr(fashion_mnist, "ORIGIN_FOLDER", dead_url)
    (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert y_train.shape == (60000,) and y_test.shape == (10000,)
    assert {a.dtype for a in (x_train, y_train, x_test, y_test)} == {np.dtype(np.uint8)}
    np.testing.assert_array_equal(np.bincount(y_train), [6000] * 10)
    np.testing.assert_array_equal(np.bincount(y_test), [1000] * 10)
    assert not (home / "datasets" / "fashion-mnist").exists()  # read in place, not copied


@pytest.fixture
def cached_fashion(home, rng, dead_url, monkeypatch):
    """Synthetic Fashion-MNIST files in the Keras cache, the origin down; returns (folder, arrays)."""
    files, arrays = _synthetic_fashion(rng)
    directory = home / "datasets" / "fashion-mnist"
    directory.mkdir(parents=True)
    for name, data in files.items():
        (directory / name).write_bytes(data)
    monkeypatch.setattr(fashion_mnist, "ORIGIN_FOLDER", dead_url)
    return directory, arrays


def test_fashion_mnist_from_the_keras_cache(cached_fashion):
    # The cache comes before the Debian folder, as a Keras user expects.
    _assert_same(fashion_mnist.load_data(), cached_fashion[1])


def test_fashion_mnist_downloads_the_four_files(home, server, rng, monkeypatch, tmp_path):
    files, arrays = _synthetic_fashion(rng)
    server.files.update(files)
    monkeypatch.setattr(fashion_mnist, "ORIGIN_FOLDER", server.url())
    monkeypatch.setattr(fashion_mnist, "SYSTEM_DIRS", (str(tmp_path / "not-installed"),))
    _assert_same(fashion_mnist.load_data(), arrays)
    assert server.requests == list(_FASHION_FILES)
    for name, data in files.items():
        assert (home / "datasets" / "fashion-mnist" / name).read_bytes() == data


def test_fashion_mnist_offline_error_names_path_url_and_package(home, dead_url, monkeypatch, tmp_path):
    monkeypatch.setattr(fashion_mnist, "ORIGIN_FOLDER", dead_url)
    monkeypatch.setattr(fashion_mnist, "SYSTEM_DIRS", (str(tmp_path / "not-installed"),))
    with pytest.raises(DownloadError) as info:
        fashion_mnist.load_data()
    message = str(info.value)
    assert "4 of the 4 Fashion-MNIST files" in message
    for name in _FASHION_FILES:
        assert f"put it at {home / 'datasets' / 'fashion-mnist' / name}" in message
        assert f"download {dead_url}{name}" in message
    assert "apt-get install dataset-fashion-mnist" in message
    assert isinstance(info.value.__cause__, OSError)


def test_fashion_mnist_cached_truncated_file_raises_value_error(cached_fashion):
    images = cached_fashion[0] / "train-images-idx3-ubyte.gz"
    images.write_bytes(images.read_bytes()[:-40])
    with pytest.raises(ValueError, match=re.escape(str(images))):
        fashion_mnist.load_data()


# ---- the IDX reader ----------------------------------------------------------------------------------------


def _gz(raw):
    return gzip.compress(raw)


_GOOD_IMAGES = struct.pack(">BBBBIII", 0, 0, 8, 3, 2, 3, 4) + bytes(range(24))
_CORRUPT_IDX = {
    "empty": _gz(b""),
    "bad magic": _gz(b"\x01\x00" + _GOOD_IMAGES[2:]),
    "int32 type code": _gz(_GOOD_IMAGES[:2] + b"\x0c" + _GOOD_IMAGES[3:]),
    "wrong rank": _gz(struct.pack(">BBBBII", 0, 0, 8, 2, 6, 4) + bytes(24)),
    "cut inside the dimensions": _gz(_GOOD_IMAGES[:10]),
    "one byte short": _gz(_GOOD_IMAGES[:-1]),
    "one byte extra": _gz(_GOOD_IMAGES + b"\x00"),
    "a header claiming 2**64 bytes": _gz(struct.pack(">BBBBIII", 0, 0, 8, 3, 2**32 - 1, 2**32 - 1, 1) + bytes(24)),
    "gzip stream cut off": _gz(_GOOD_IMAGES * 100)[:-30],
    "not gzip": _GOOD_IMAGES,
    "damaged deflate data": (lambda b: b[:15] + bytes(x ^ 0xFF for x in b[15:25]) + b[25:])(_gz(_GOOD_IMAGES * 50)),
}


def test_read_idx_reads_a_good_file(tmp_path):
    path = tmp_path / "good.gz"
    path.write_bytes(_gz(_GOOD_IMAGES))
    array = read_idx(path, ndim=3)
    assert array.dtype == np.uint8 and array.shape == (2, 3, 4) and array.flags.writeable
    np.testing.assert_array_equal(array.ravel(), np.arange(24))


@pytest.mark.parametrize("case", sorted(_CORRUPT_IDX))
def test_read_idx_rejects_a_corrupt_file(tmp_path, case):
    path = tmp_path / "images.gz"
    path.write_bytes(_CORRUPT_IDX[case])
    with pytest.raises(ValueError, match=re.escape(str(path))):
        read_idx(path, ndim=3)


def test_read_idx_reports_a_missing_file_as_such(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_idx(tmp_path / "absent.gz", ndim=1)


def test_images_and_labels_must_pair_up(tmp_path):
    images, labels = tmp_path / "images.gz", tmp_path / "labels.gz"
    images.write_bytes(_idx_gz(np.zeros((3, 28, 28), np.uint8)))
    labels.write_bytes(_idx_gz(np.zeros(4, np.uint8)))
    with pytest.raises(ValueError, match="3 images .* 4 labels"):
        read_images_and_labels(images, labels)


# ---- digits: the bundled set -------------------------------------------------------------------------------


_DATA = os.path.join(os.path.dirname(digits.__file__), "data")


def test_digits_files_are_the_real_mnist_test_set_with_credit():
    # The md5s of the original MNIST test-set files.
    for name, md5 in (("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"),
                      ("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c")):
        with open(os.path.join(_DATA, name), "rb") as f:
            assert hashlib.md5(f.read()).hexdigest() == md5
    with open(os.path.join(_DATA, "MNIST-LICENSE.txt"), encoding="utf-8") as f:
        credit = f.read()
    for needed in ("Yann LeCun", "Corinna Cortes", "Christopher J.C. Burges", "CC BY-SA 3.0",
                   "https://creativecommons.org/licenses/by-sa/3.0/"):
        assert needed in credit
    assert "CC BY-SA 3.0" in digits.__doc__ or "Attribution-Share Alike 3.0" in digits.__doc__


def test_digits_shapes_dtypes_and_split():
    (x_train, y_train), (x_test, y_test) = digits.load_data()
    assert x_train.shape == (8000, 28, 28) and y_train.shape == (8000,)
    assert x_test.shape == (2000, 28, 28) and y_test.shape == (2000,)
    assert {a.dtype for a in (x_train, y_train, x_test, y_test)} == {np.dtype(np.uint8)}
    # MNIST's test set opens with the labels 7 2 1 0 4 1 4 9 5 9; every fifth is a test image.
    np.testing.assert_array_equal(y_train[:8], [7, 2, 1, 0, 1, 4, 9, 5])
    np.testing.assert_array_equal(y_test[:2], [4, 9])
    # MNIST's published test-set class counts, split the documented way.
    np.testing.assert_array_equal(np.bincount(y_train) + np.bincount(y_test),
                                  [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009])
    np.testing.assert_array_equal(np.bincount(y_test), [179, 253, 218, 189, 192, 154, 187, 206, 216, 206])


def test_digits_arrays_have_the_recorded_checksum():
    (x_train, y_train), (x_test, y_test) = digits.load_data()
    digest = hashlib.sha256()
    for array in (x_train, y_train, x_test, y_test):
        digest.update(np.ascontiguousarray(array).tobytes())
    assert digest.hexdigest() == "691b59e3e0893d76e6d1970d99c253ccd186a98fd2e9b036d093ac43622857df"
    assert x_train.max() == 255 and x_train.min() == 0
    assert 30 < x_test.mean() < 36  # MNIST's mean pixel is about 33


def test_download_of_unknown_size_finishes_its_bar(home, server, synthetic_mnist, capsys):
    data, arrays = synthetic_mnist
    server.unsized.add("mnist.npz")
    _assert_same(mnist.load_data(), arrays)
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[-1].lstrip().startswith(f"{len(data)}/Unknown "), lines


def test_a_stalled_server_times_out_with_the_offline_message(home, server, synthetic_mnist, monkeypatch):
    monkeypatch.setattr(file_cache, "_TIMEOUT_S", 0.2)
    server.stall_seconds = 1.0
    started = time.perf_counter()
    with pytest.raises(DownloadError, match=r"timed out.*put it at"):
        mnist.load_data()
    assert time.perf_counter() - started < 1.0
    assert not list((home / "datasets").iterdir())


def test_an_unwritable_cache_folder_gives_the_offline_message(home, server, synthetic_mnist, monkeypatch):
    def refuse(path, mode="r", *args, **kwargs):
        raise PermissionError(13, "Permission denied", path)

    monkeypatch.setattr(file_cache, "open", refuse, raising=False)
    with pytest.raises(DownloadError, match=r"cannot write the download.*Permission denied.*put it at"):
        mnist.load_data()
