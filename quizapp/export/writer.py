"""Writing a set of files so that no half-written file is ever left behind.

Everything is rendered in memory first. Then each file is written to a temporary file in the
output folder; only when all of them are complete are they renamed over their final names
(``os.replace`` is atomic on one file system). A failure while writing removes the temporary
files and leaves the folder as it was.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path


class OutputError(Exception):
    """The output folder cannot be created or written."""


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def prepare(folder: str | Path) -> Path:
    """Create ``folder`` if needed and check that files can be written in it."""
    path = Path(folder)
    if path.exists() and not path.is_dir():
        raise OutputError(f"cannot write to {path}: it is a file, not a folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=path, prefix=".quizapp-probe-")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise OutputError(f"cannot write to {path}: {_reason(exc)}") from None
    return path


def _file_mode() -> int:
    # mkstemp makes files private (0600); a problem set is an ordinary document.
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_files(folder: str | Path, files: Mapping[str, bytes]) -> list[Path]:
    """Write ``files`` (name relative to ``folder`` -> content) all or nothing; returns the paths."""
    root = prepare(folder)
    mode = _file_mode()
    staged: list[tuple[Path, Path]] = []
    try:
        for name, content in files.items():
            target = root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
            staged.append((Path(tmp), target))
            with os.fdopen(fd, "wb") as handle:
                handle.write(content)
            os.chmod(tmp, mode)
        for tmp, target in staged:
            os.replace(tmp, target)
    except OSError as exc:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        raise OutputError(f"cannot write to {root}: {_reason(exc)}") from None
    return [target for _, target in staged]
