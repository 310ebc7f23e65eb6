"""The Keras dataset cache: find a file there, or download it safely.

kernas keeps its files where Keras 3 keeps them, so a file either library
downloaded serves both: ``$KERAS_HOME`` when that variable is set, else
``~/.keras`` (``/tmp/.keras`` when the home directory is not writable), with
dataset files under ``datasets/``. When that root is not writable, Keras
downloads into ``/tmp/.keras`` instead; kernas does too, and also still reads
a valid file already present in the read-only root.

A download streams into a hidden ``.part`` file beside its target and is
renamed into place only once it is complete and its sha256 (when known)
matches, so the cache never holds a half-written file.
"""

import hashlib
import http.client
import os
import tempfile
import urllib.error
import urllib.request
import uuid

from kernas.utils.progbar import Progbar, print_msg

_BLOCK_BYTES = 8192  # urllib's own block size, so the bar advances as Keras's does
_TIMEOUT_S = 60  # a stalled server fails the download instead of hanging forever


class DownloadError(OSError):
    """A dataset file is neither cached nor downloadable (offline, server down, HTTP error).

    It is an ``OSError``, as the ``urllib`` errors behind it are, so
    ``except OSError`` (or Keras users' usual ``except Exception``) catches it.
    The message names the file's URL and the full path to put it at by hand.
    """


def keras_home():
    """Returns the Keras home directory: ``$KERAS_HOME``, else ``~/.keras`` (``/tmp/.keras`` if ``~`` is read-only).

    Unlike Keras, which reads the variable once at import, kernas reads it at
    every call, so setting ``KERAS_HOME`` in a running program takes effect.
    """
    if "KERAS_HOME" in os.environ:
        return os.path.expanduser(os.environ["KERAS_HOME"])
    home = os.path.expanduser("~")
    if not os.access(home, os.W_OK):
        home = "/tmp"
    return os.path.join(home, ".keras")


def _temp_root():
    return os.path.join("/tmp" if os.path.isdir("/tmp") else tempfile.gettempdir(), ".keras")


def cache_dirs(cache_subdir="datasets"):
    """Returns ``(read_dirs, write_dir)``: where to look for a cached file, and where a download goes.

    Args:
        cache_subdir: folder under the Keras home, ``"datasets"`` or e.g.
            ``"datasets/fashion-mnist"``.
    """
    root = keras_home()
    try:
        # Keras creates its home when it is imported; a missing home must not
        # read as "not writable" below and send downloads to /tmp.
        os.makedirs(root, exist_ok=True)
    except OSError:
        pass
    primary = os.path.join(root, cache_subdir)
    if os.access(root, os.W_OK):
        return [primary], primary
    fallback = os.path.join(_temp_root(), cache_subdir)
    return [primary, fallback], fallback


def sha256_of(path):
    """Returns the hex sha256 of the file at ``path``."""
    hasher = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            hasher.update(block)
    return hasher.hexdigest()


def get_file(fname, origin, file_hash=None, cache_subdir="datasets", system_dirs=()):
    """Returns the path of a cached copy of ``origin``, downloading it first if needed.

    The subset of Keras's ``keras.utils.get_file`` that the datasets use, with
    its messages. A cached file whose sha256 differs from ``file_hash`` is
    downloaded again, as in Keras.

    Args:
        fname: the file's name in the cache (no directory part).
        origin: URL of the file.
        file_hash: expected sha256 (64 hex digits) of the file, or ``None``
            to accept any file of that name.
        cache_subdir: folder under the Keras home that holds the file.
        system_dirs: read-only folders (a distribution's data package) to look
            in after the cache and before downloading.

    Returns:
        The path of the file.

    Raises:
        DownloadError: the file is nowhere to be found and cannot be
            downloaded; the message says which URL to fetch and where to put it.
        ValueError: ``fname`` holds a directory, ``file_hash`` is not a
            sha256, or the downloaded file does not match ``file_hash`` (then
            nothing is written to the cache).

    Example:

    >>> path = get_file("mnist.npz", "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz")
    """
    if not fname or os.sep in fname or (os.altsep and os.altsep in fname):
        raise ValueError(
            "Expected a file name without a directory part; the file is kept under the Keras cache "
            f"directory (`$KERAS_HOME` or `~/.keras`). Received: fname={fname!r}."
        )
    if file_hash is not None and (len(file_hash) != 64 or not all(c in "0123456789abcdef" for c in file_hash)):
        raise ValueError(f"Expected `file_hash` to be a sha256: 64 lowercase hex digits. "
                         f"Received: file_hash={file_hash!r}.")
    read_dirs, write_dir = cache_dirs(cache_subdir)
    searched = [*read_dirs, *system_dirs]
    for directory in searched:
        path = os.path.join(directory, fname)
        if not os.path.isfile(path):
            continue
        if file_hash is None or sha256_of(path) == file_hash:
            return path
        print_msg(
            "A local file was found, but it seems to be incomplete or outdated because the sha256 file hash "
            f"does not match the original value of {file_hash} so we will re-download the data."
        )
    target = os.path.join(write_dir, fname)
    _download(origin, target, file_hash, searched)
    return target


class _FetchFailure(Exception):
    """Why a download did not complete (turned into a DownloadError that says what to do)."""


def _download(origin, target, file_hash, searched):
    """Fetches ``origin`` into ``target`` through a temporary file, or raises without touching ``target``."""
    print_msg(f"Downloading data from {origin}")
    partial = os.path.join(os.path.dirname(target), f".{os.path.basename(target)}.{uuid.uuid4().hex[:8]}.part")
    done = False
    try:
        try:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(partial, "xb") as out:
                digest = _fetch(origin, out)
        except _FetchFailure as err:
            raise DownloadError(_offline_message(origin, str(err), target, file_hash, searched)) from err.__cause__
        except OSError as err:  # the cache folder cannot be written
            raise DownloadError(_offline_message(origin, f"cannot write the download: {err}", target, file_hash,
                                                 searched)) from err
        if file_hash is not None and digest != file_hash:
            raise ValueError(
                f"Incomplete or corrupted file detected. Expected the file downloaded from {origin} to have the "
                f"sha256 file hash {file_hash}. Received: sha256={digest}. Nothing was saved. Retry later, or put "
                f"the right file at {target} yourself."
            )
        os.replace(partial, target)
        done = True
    finally:
        if not done and os.path.exists(partial):
            os.remove(partial)


def _fetch(origin, out):
    """Streams ``origin`` into the open file ``out`` with a progress bar; returns its sha256.

    Raises:
        _FetchFailure: the server could not be reached, answered with an
            error, stalled past the timeout, or closed the connection early.
    """
    hasher = hashlib.sha256()
    received = 0
    try:
        with urllib.request.urlopen(origin, timeout=_TIMEOUT_S) as response:
            length = response.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            progress = _DownloadProgress(total)
            progress(0)
            for block in iter(lambda: response.read(_BLOCK_BYTES), b""):
                out.write(block)
                hasher.update(block)
                received += len(block)
                progress(received)
            progress.finish(received)
    except urllib.error.HTTPError as err:
        raise _FetchFailure(f"HTTP {err.code} {err.reason}") from err
    except urllib.error.URLError as err:
        raise _FetchFailure(str(err.reason)) from err
    except (http.client.HTTPException, ConnectionError, TimeoutError) as err:
        raise _FetchFailure(str(err) or type(err).__name__) from err
    if total is not None and received != total:
        raise _FetchFailure(f"the connection closed after {received} of {total} bytes")
    return hasher.hexdigest()


def _offline_message(origin, reason, target, file_hash, searched):
    checksum = f" (its sha256 is {file_hash})" if file_hash is not None else ""
    return (
        f"URL fetch failure on {origin}: {reason}. No usable copy was found in: {', '.join(searched)}. "
        f"To work offline, download {origin} on a machine with network access and put it at {target}{checksum}."
    )


class _DownloadProgress:
    """Keras's download bar: a ``Progbar`` over bytes, finalized exactly once."""

    def __init__(self, total):
        self.progbar = Progbar(total)
        self.finished = False

    def __call__(self, received):
        target = self.progbar.target
        if target is None or received < target:
            self.progbar.update(received)
        elif not self.finished:
            self.progbar.update(target)
            self.finished = True

    def finish(self, received):
        # Keras never closes a bar of unknown size; closing it prints the
        # final line, which is the only one a log file gets.
        if not self.finished and self.progbar.target is None:
            self.progbar.update(received, finalize=True)
            self.finished = True
