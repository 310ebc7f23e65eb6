"""Exceptions of kernas.saving that are also ``ValueError``s, as Keras raises ValueError for these cases."""


class FileExistsValueError(FileExistsError, ValueError):
    """Raised when ``overwrite=False`` and the target exists (both a ``FileExistsError`` and a ``ValueError``)."""


class FileNotFoundValueError(FileNotFoundError, ValueError):
    """Raised when the file to load does not exist (both a ``FileNotFoundError`` and a ``ValueError``)."""


class IsADirectoryValueError(IsADirectoryError, ValueError):
    """Raised when a path to save to or load from is a directory (an ``IsADirectoryError`` and a ``ValueError``)."""
