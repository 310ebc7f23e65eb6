"""Atomic file replacement: a save either fully lands at its path or changes nothing.

A crash or an exception in the middle of writing a checkpoint must not leave a
truncated file where a good one was: the writer fills a temporary file in the
target's own directory (so the final rename never crosses file systems),
flushes it to disk, and only then renames it over the target.
"""

import os
import secrets
import stat

from kernas.saving.errors import FileExistsValueError, IsADirectoryValueError


def fspath(filepath, argument="filepath"):
    """``filepath`` as a ``str``: accepts ``str`` and ``os.PathLike``; TypeError otherwise."""
    try:
        path = os.fspath(filepath)
    except TypeError:
        raise TypeError(
            f"Expected `{argument}` to be a str or os.PathLike path. "
            f"Received: {argument}={filepath!r} (of type {type(filepath).__name__})."
        ) from None
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    return path


def _exists_error(path):
    return FileExistsValueError(
        f"Expected a path that does not exist yet, since overwrite=False. Received: filepath={path}, "
        "which already exists. Pass overwrite=True to replace it, or choose another path."
    )


def check_overwrite(path, overwrite):
    """Refuses an existing ``path`` when ``overwrite`` is False (Keras asks interactively; kernas raises)."""
    if not overwrite and os.path.exists(path):
        raise _exists_error(path)


def _create_temporary(directory, base):
    """An empty new file beside the target, created with the permissions ``open`` would give the target."""
    for _ in range(100):
        candidate = os.path.join(directory, f".{base}.{secrets.token_hex(6)}.tmp")
        try:
            fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        os.close(fd)
        return candidate
    raise FileExistsError(f"Could not create a temporary file in {directory}: every candidate name was taken.")


def _fsync_directory(directory):
    # Makes the rename itself durable; some file systems cannot open directories.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _keep_permissions(path, temporary):
    # Replacing a file must not widen who may read it (a 0600 model stays 0600).
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return
    os.chmod(temporary, stat.S_IMODE(mode))


def _fsync_file(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path, write, overwrite=True):
    """Writes a file through ``write(temporary_path)`` and moves it to ``path`` in one step.

    Args:
        path: the target path (``str``).
        write: a function that creates the complete file at the temporary
            path it is given (it may open it by name, as h5py does).
        overwrite: when False, an existing ``path`` raises
            ``FileExistsValueError`` (before and after writing: a file that
            appears meanwhile is not replaced either).

    On any failure the temporary file is removed and ``path`` is untouched.
    """
    # A symlink is saved through, as an in-place write would; the link itself stays.
    path = os.path.realpath(path) if os.path.islink(path) else path
    if os.path.isdir(path):
        raise IsADirectoryValueError(f"Expected a file path to save to. Received: filepath={path}, which is a "
                                     "directory. Choose a file name, e.g. os.path.join(filepath, 'model.keras').")
    check_overwrite(path, overwrite)
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise FileNotFoundError(
            f"Expected the directory of the target path to exist. Received: filepath={path} (directory "
            f"{directory} does not exist). Create it first, e.g. os.makedirs({directory!r}, exist_ok=True)."
        )
    temporary = _create_temporary(directory, os.path.basename(path))
    try:
        write(temporary)
        _keep_permissions(path, temporary)
        _fsync_file(temporary)
        if overwrite:
            os.replace(temporary, path)
        else:
            _link_without_replacing(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise
    _fsync_directory(directory)


def _link_without_replacing(temporary, path):
    """Moves ``temporary`` to ``path`` only if ``path`` does not exist, without a window for a race."""
    try:
        os.link(temporary, path)
    except FileExistsError:
        raise _exists_error(path) from None
    except OSError:
        # No hard links on this file system: check, then rename (a small race is the best it allows).
        check_overwrite(path, False)
        os.replace(temporary, path)
        return
    os.remove(temporary)
