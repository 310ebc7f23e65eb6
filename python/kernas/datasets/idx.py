"""Reads the gzipped IDX files that MNIST and Fashion-MNIST ship in, checking everything.

An IDX file is two zero bytes, a type code (``0x08``: unsigned byte), the
number of dimensions, each dimension as a big-endian uint32, then the values in
C order. Every malformed or truncated file raises ``ValueError`` naming it;
memory grows only with the data actually read, never with what a header claims.
"""

import gzip
import math
import zlib

import numpy as np

_UNSIGNED_BYTE = 0x08
_READ_BYTES = 1 << 20
_FIX = "If it is a cached download, delete it: the next load downloads it again."


def read_idx(path, ndim):
    """Returns the uint8 array held in the gzipped IDX file at ``path``.

    Args:
        path: path of an ``.gz`` IDX file of unsigned bytes.
        ndim: the number of dimensions the array must have (1 for labels,
            3 for images).

    Returns:
        A writable ``uint8`` NumPy array of the file's shape.

    Raises:
        ValueError: the file is not gzip, not IDX, not of unsigned bytes, not
            ``ndim``-dimensional, or holds more or fewer bytes than its header
            says.
    """
    with open(path, "rb") as raw:
        try:
            shape, data = _read_header_and_data(gzip.GzipFile(fileobj=raw), path, ndim)
        except (OSError, EOFError, zlib.error) as err:
            # gzip reports a damaged or cut stream with these; the file, not the disk, is at fault.
            raise ValueError(
                f"Expected a complete gzip file at {path}. Received: {err}. {_FIX}"
            ) from err
    expected = math.prod(shape)
    if len(data) != expected:
        qualifier = "at least " if len(data) > expected else ""
        raise ValueError(
            f"Expected {expected} bytes of data for shape {shape} in {path}. Received: {qualifier}{len(data)} bytes. "
            f"The file is truncated or damaged. {_FIX}"
        )
    return np.frombuffer(data, dtype=np.uint8).reshape(shape)


def _read_header_and_data(f, path, ndim):
    """Returns ``(shape, data)`` from the open IDX stream ``f``, reading at most one block past the claimed size."""
    header = f.read(4)
    if len(header) < 4 or header[:2] != b"\x00\x00":
        raise ValueError(
            f"Expected an IDX file (starting with two zero bytes) in {path}. Received: first bytes "
            f"{header!r}. {_FIX}"
        )
    if header[2] != _UNSIGNED_BYTE or header[3] != ndim:
        raise ValueError(
            f"Expected an IDX file of unsigned bytes (type 0x08) with {ndim} dimensions in {path}. "
            f"Received: type=0x{header[2]:02x}, dimensions={header[3]}."
        )
    dims_bytes = f.read(4 * ndim)
    if len(dims_bytes) < 4 * ndim:
        raise ValueError(f"Expected {ndim} dimension sizes after the IDX header of {path}. Received: a truncated file.")
    shape = tuple(int(d) for d in np.frombuffer(dims_bytes, dtype=">u4"))
    expected = math.prod(shape)
    data = bytearray()
    for block in iter(lambda: f.read(_READ_BYTES), b""):
        data += block
        if len(data) > expected:
            break
    return shape, data


def read_images_and_labels(images_path, labels_path):
    """Returns ``(images, labels)`` from a pair of IDX files: uint8 ``(N, rows, cols)`` and ``(N,)``.

    Raises:
        ValueError: either file is malformed (see ``read_idx``) or they hold
            different numbers of samples.
    """
    images = read_idx(images_path, ndim=3)
    labels = read_idx(labels_path, ndim=1)
    if len(images) != len(labels):
        raise ValueError(
            f"Expected as many labels as images. Received: {len(images)} images in {images_path} and "
            f"{len(labels)} labels in {labels_path}."
        )
    return images, labels
