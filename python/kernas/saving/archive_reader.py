"""Reading a ``.keras`` archive without trusting it.

Only the three members kernas knows are ever read, into memory and up to a
size cap; nothing is extracted to disk. The archive is refused as a whole when
a member name is absolute or climbs out with ``..`` (another tool extracting it
would write outside its folder), or when a name appears twice (which copy is
meant would be ambiguous).
"""

import io
import json
import os
import zipfile

CONFIG_ENTRY = "config.json"
METADATA_ENTRY = "metadata.json"
WEIGHTS_ENTRY = "model.weights.h5"
# A model's config is a few KB; anything larger than this is not a Keras config.
_JSON_LIMIT_BYTES = 16 << 20
# What zipfile raises for a damaged or unreadable archive: NotImplementedError for a zip version or
# compression method it lacks, RuntimeError for an encrypted member, the others for damage.
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, RuntimeError,
               NotImplementedError)
# Deflate expands at most about 1032-fold: with the archive's real size on disk this bounds what any
# member can decompress to, whatever sizes the archive's headers declare.
_MAX_INFLATION = 1032


def _unsafe_member(name):
    parts = name.replace("\\", "/").split("/")
    return parts[0] == "" or (len(name) > 1 and name[1] == ":") or ".." in parts


def _source_bytes(source):
    """The size of a path's file, or of a seekable file object's content."""
    if hasattr(source, "seek"):
        position = source.tell()
        size = source.seek(0, 2)
        source.seek(position)
        return size
    return os.path.getsize(source)


class KerasArchive:
    """An open ``.keras`` zip archive, checked member by member; use as a context manager.

    Args:
        source: a path or a readable binary file object.
        label: how errors name the file (its path, or "the given file object").
    """

    def __init__(self, source, label):
        self.label = label
        try:
            self._max_member_bytes = _MAX_INFLATION * _source_bytes(source) + (64 << 10)
            self._zip = zipfile.ZipFile(source, "r")
        except _ZIP_ERRORS as error:
            raise ValueError(f"Expected a `.keras` file (a zip archive). Received: {label}, which cannot be opened "
                             f"as one ({error}). The file is truncated or not a Keras model.") from None
        try:
            self._check_members()
        except BaseException:
            self._zip.close()
            raise

    def _check_members(self):
        seen = set()
        for info in self._zip.infolist():
            if _unsafe_member(info.filename):
                raise ValueError(f"Expected `.keras` archive members with relative paths inside the archive. "
                                 f"Received: member {info.filename!r} in {self.label}, an absolute path or one "
                                 "with '..'. kernas refuses the file.")
            if info.filename in seen:
                raise ValueError(f"Expected each `.keras` archive member once. Received: {info.filename!r} twice "
                                 f"in {self.label}. kernas refuses the ambiguous file.")
            seen.add(info.filename)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self._zip.close()

    def size(self, name):
        """The uncompressed size the archive declares for member ``name``; ValueError if it is absent."""
        try:
            return self._zip.getinfo(name).file_size
        except KeyError:
            raise ValueError(f"Expected a `.keras` file holding '{name}'. Received: {self.label}, whose members "
                             f"are {self._zip.namelist()}. The file is incomplete; save the model again.") from None

    def member_capacity(self, name):
        """The most bytes member ``name`` can hold: its declared size, capped by what the archive can inflate to."""
        return min(self.size(name), self._max_member_bytes)

    def read(self, name, limit=None):
        """Member ``name``'s bytes; ValueError when it declares or yields more than ``limit`` bytes or is corrupt.

        ``limit`` defaults to (and is never more than) what the archive's size on disk can inflate to.
        """
        limit = self._max_member_bytes if limit is None else min(limit, self._max_member_bytes)
        declared = self.size(name)
        if declared > limit:
            raise ValueError(f"Expected '{name}' in {self.label} to be at most {limit} bytes. Received: a declared "
                             f"{declared} bytes. kernas refuses it before decompressing.")
        try:
            with self._zip.open(name) as entry:
                data = entry.read(limit + 1)
        except _ZIP_ERRORS as error:
            raise ValueError(f"Expected a readable '{name}' in {self.label}. Received: {error}. The file is "
                             "corrupt; save the model again.") from None
        if len(data) > limit:
            raise ValueError(f"Expected '{name}' in {self.label} to be at most {limit} bytes. Received more than "
                             "its header declares. The file is corrupt.")
        return data

    def read_json(self, name):
        """Member ``name`` parsed as a JSON object."""
        data = self.read(name, _JSON_LIMIT_BYTES)
        try:
            value = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as error:
            raise ValueError(f"Expected '{name}' in {self.label} to hold JSON. Received text that does not parse "
                             f"({error}). The file is corrupt; save the model again.") from None
        if not isinstance(value, dict):
            raise ValueError(f"Expected '{name}' in {self.label} to hold a JSON object. Received: "
                             f"{type(value).__name__}.")
        return value

    def weights(self, limit):
        """``model.weights.h5`` as an in-memory file of at most ``limit`` bytes (see ``read``)."""
        return io.BytesIO(self.read(WEIGHTS_ENTRY, limit))
