"""The package's own modules a module may run — imported at its top or inside its functions — found by
reading the imports, not by running them: what a digest of “the code that made this” has to cover (the
catalogue's cache is keyed on the code that reads a catalogue, not on every module of the package)."""

from __future__ import annotations

import ast
import contextlib
import functools
import json
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def cache_dir() -> Path | None:
    """The user's private cache of the package (derived state: deleting it only costs working it out again)."""
    try:
        return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "bdg_pipeline"
    except RuntimeError:  # no home directory to speak of: no cache
        return None


CACHE_DIR = cache_dir()
_KEPT: dict[str, list] | None = None  # what the cache file holds: path → [stamp, imported modules]
_CHANGED = False


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@functools.cache
def modules() -> dict[str, Path]:
    return {module_name(p): p for p in PACKAGE.rglob("*.py")}


NOT_RUN = re.compile(r"(typing\.)?TYPE_CHECKING|__name__ == ['\"]__main__['\"]")
BLOCKS = ("body", "orelse", "finalbody", "handlers", "cases")  # where statements hold statements


def executed(tree: ast.AST) -> Iterator[ast.AST]:
    """Every statement that can run when the module is imported or its functions called: not what only a type
    checker reads (``if TYPE_CHECKING:``), nor what runs only when the module is the program itself
    (``if __name__ == "__main__":``, where it is ``__main__``, a module nobody imports). Statements only: an
    import is one, and the expressions (nine nodes in ten) need no visit."""
    todo = _inside(tree)
    while todo:
        node = todo.pop()
        if isinstance(node, ast.If) and NOT_RUN.fullmatch(ast.unparse(node.test)):
            todo += node.orelse
            continue
        yield node
        todo += _inside(node)


def _inside(node: ast.AST) -> list[ast.AST]:
    return [child for block in BLOCKS for child in getattr(node, block, ())]


def imported(module: str) -> set[str]:
    """The package's modules that ``module`` imports, wherever in it the import stands."""
    path = modules()[module]
    stat = path.stat()
    return set(_imported(module, path, (stat.st_mtime_ns, stat.st_size, stat.st_ino)))


@functools.lru_cache(maxsize=1024)
def _imported(module: str, path: Path, stamp: tuple[int, int, int]) -> frozenset[str]:
    """What :func:`imported` finds, parsed once per version of the file (its time, size and inode stamp it), and
    kept in the user's cache for the next process: every run works out the catalogue's cache key (and a Dagster
    run is a new process), and parsing the modules' trees each time cost more than reading the catalogue's cache."""
    global _CHANGED
    kept = _kept()
    found = kept.get(str(path))
    if found is not None and found[0] == list(stamp):
        return frozenset(found[1])
    parsed = _parse_imports(module, path)
    kept[str(path)] = [list(stamp), sorted(parsed)]
    _CHANGED = True
    return parsed


def _parse_imports(module: str, path: Path) -> frozenset[str]:
    known = modules()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in executed(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name in known}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            for alias in node.names:
                if f"{source}.{alias.name}" in known:
                    found.add(f"{source}.{alias.name}")
                elif source in known:
                    found.add(source)
    return frozenset(found - {module})


def _cache_file() -> Path | None:
    return CACHE_DIR / f"imports-{sys.version_info.major}.{sys.version_info.minor}.json" if CACHE_DIR else None


def _kept() -> dict[str, list]:
    """The cache file's entries, read once per process; anything unreadable is an empty cache."""
    global _KEPT
    if _KEPT is None:
        _KEPT = {}
        cache = _cache_file()
        with contextlib.suppress(OSError, ValueError):
            if cache is not None and cache.exists():
                data = json.loads(cache.read_text(encoding="utf-8"))
                _KEPT = (
                    {}
                    if not isinstance(data, dict)
                    else {
                        str(k): v
                        for k, v in data.items()
                        if isinstance(v, list)
                        and len(v) == 2
                        and isinstance(v[0], list)
                        and isinstance(v[1], list)
                        and all(isinstance(m, str) for m in v[1])
                    }
                )
    return _KEPT


def _save() -> None:
    """Write the cache file whole (a temporary file renamed); a cache that cannot be written only costs parsing."""
    global _CHANGED
    cache = _cache_file()
    if not _CHANGED or cache is None:
        return
    with contextlib.suppress(OSError):
        cache.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = cache.with_name(f".{cache.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(_kept()), encoding="utf-8")
        os.replace(tmp, cache)
        _CHANGED = False


def closure(module: str) -> list[Path]:
    """The files of ``module`` and of every module of the package it may run, with the ``__init__`` of
    each package on the way (importing a module runs them)."""
    known = modules()
    seen: set[str] = set()
    todo = [module]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        parts = name.split(".")
        todo += [".".join(parts[:i]) for i in range(1, len(parts)) if ".".join(parts[:i]) in known]
        todo += sorted(imported(name))
    _save()
    return sorted(known[name] for name in seen)
