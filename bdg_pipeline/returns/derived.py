"""What is kept beside the archive as derived state (kept readings, kept sheets): files named with the CRC-32
of their bytes, written under a temporary name and renamed, one folder per key, the folders of other keys
deleted once a whole-archive run no longer needs them."""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import shutil
import zlib
from collections.abc import Iterable
from pathlib import Path


def checksum(data: bytes | memoryview) -> str:
    return f"{zlib.crc32(data):08x}"


def code_digest(seed: str, libraries: Iterable[str], files: Iterable[Path], root: Path) -> str:
    """Digest of some code (each file's path below ``root`` and bytes) and the versions of the libraries it
    runs with: what a key of kept state names besides the state's own format (``seed``)."""
    digest = hashlib.sha256(seed.encode())
    for library in libraries:
        try:
            version = importlib.metadata.version(library)
        except importlib.metadata.PackageNotFoundError:
            version = "-"
        digest.update(f"\0{library}={version}".encode())
    for path in files:
        digest.update(b"\0" + path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def write_whole(folder: Path, name: str, data: bytes) -> None:
    """``folder/name`` holds ``data`` whole, or is not there (a kill leaves only a temporary file)."""
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{name}.{os.getpid()}.tmp"
    try:
        tmp.write_bytes(data)
        os.replace(tmp, folder / name)
    finally:
        tmp.unlink(missing_ok=True)


def set_aside_others(root: Path, key: str) -> None:
    """Delete what was kept under other keys (made by other code, limits or catalogue: never trusted again)
    and temporary files of writes cut short."""
    if not root.is_dir():
        return
    for entry in root.iterdir():
        if entry.is_dir() and entry.name != key:
            shutil.rmtree(entry, ignore_errors=True)
    for leftover in (root / key).glob(".*.tmp") if (root / key).is_dir() else ():
        leftover.unlink(missing_ok=True)
