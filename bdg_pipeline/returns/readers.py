"""The reading processes: every return is read in a child process held to hard limits — address space
(``RLIMIT_AS``, ``BDG_READ_MEMORY_MB`` beyond what the process starts with) and processor time per file
(``RLIMIT_CPU``, ``BDG_READ_SECONDS``) — so that no file can stop a run.

A reader that dies on a file (a library aborting on an allocation the limit refused, a signal, the
system's out-of-memory killer) breaks the pool of its run: the files it may have been reading are read
again one at a time in a reader of their own, and the one that kills its reader again is the file at
fault. It alone is rejected, the rest of the run goes on. What a dying library prints (a Rust or C
backtrace) goes to the developers' log: each reader's standard error is that file.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import logging
import math
import os
import resource
import signal
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from ..catalogue import Catalogue
from .kept_sheets import SheetsAt
from .model import ParsedReturn, Problem
from .parsing import chunk_size, parse_returns
from .workbook import Limits

log = logging.getLogger(__name__)
CHUNKS_AHEAD = 4  # chunks parsed ahead of the recording
GC_YOUNG = 50_000  # allocations between two collections of the youngest generation (Python's default: 700)
PR_SET_PDEATHSIG = 1
CRASHED = (
    "Tệp làm chương trình đọc tệp dừng đột ngột (tệp cần quá nhiều bộ nhớ hoặc thời gian xử lý, hoặc có cấu "
    "trúc bất thường). Tệp chưa được tiếp nhận và sẽ không được đọc lại, kể cả khi dựng lại kho; các tệp khác "
    "vẫn được xử lý bình thường"
)
CRASHED_FIX = (
    "Mở tệp bằng Excel, xóa các dòng, cột, trang tính thừa (nhấn Ctrl+End để thấy ô cuối cùng), lưu lại "
    "dưới dạng .xlsx rồi gửi lại; nếu vẫn bị từ chối, gửi tệp cho bộ phận kỹ thuật."
)
Result = ParsedReturn | list[Problem]


def crashed_problem() -> Problem:
    """What the officer is told about a file that killed the process reading it."""
    return Problem("(tệp)", "", CRASHED, fix=CRASHED_FIX)


@dataclass(frozen=True)
class Confinement:
    """The limits of every reading process, and where its standard error goes."""

    memory_bytes: int  # address space a reader may add to what it has when it starts
    cpu_seconds: float  # processor time per file
    log_dir: Path | None

    @classmethod
    def of(cls, settings) -> Confinement:
        return cls(int(settings.read_memory_mb * 2**20), settings.read_seconds, settings.log_dir)


_CATALOGUE: Catalogue | None = None
_CONFINEMENT: Confinement | None = None


def _address_space() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[0]) * resource.getpagesize()


def _confine(confinement: Confinement) -> None:
    if confinement.log_dir is not None:
        # whatever a library prints as it dies lands in the developers' log, never on an officer's screen
        confinement.log_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(confinement.log_dir / "bdg.log", os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        os.dup2(fd, 2)
        os.close(fd)
    limit = _address_space() + confinement.memory_bytes
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def allow_cpu(seconds: float) -> None:
    """Let this process use ``seconds`` more of processor time; beyond it the kernel ends it (SIGXCPU)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft = math.ceil(usage.ru_utime + usage.ru_stime + seconds)
    resource.setrlimit(resource.RLIMIT_CPU, (soft if hard == resource.RLIM_INFINITY else min(soft, hard), hard))


def _reader_init(catalogue: Catalogue, confinement: Confinement) -> None:
    global _CATALOGUE, _CONFINEMENT
    _CATALOGUE, _CONFINEMENT = catalogue, confinement
    # die with the parent: a killed run must not leave readers holding files open for minutes (Linux only)
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() == 1:  # the parent died before the line above
        os._exit(1)
    # what pandera loads at its first validation (~0.13 s of imports), loaded while the parent still
    # archives and checks staging rather than when the first file waits for it
    pa.DataFrameSchema.register_default_backends(pd.DataFrame)
    # Reading makes many short-lived lists (a row each) and few cycles: the collector's passes over everything
    # inherited from the parent (catalogue, modules) cost a fifth of a template's reading. Inherited objects
    # are set aside for good, and the youngest generation is collected less often.
    gc.freeze()
    gc.set_threshold(GC_YOUNG, *gc.get_threshold()[1:])
    _confine(confinement)


def _started() -> None:
    """Nothing: submitted once so that the pool starts its processes at once."""


Job = tuple[list[Path], Limits | None, Mapping[Path, SheetsAt] | None]


def _read(job: Job) -> list[Result]:
    assert _CATALOGUE is not None and _CONFINEMENT is not None
    seconds = _CONFINEMENT.cpu_seconds
    paths, limits, sheets = job
    results = parse_returns(
        paths, _CATALOGUE, limits, _CONFINEMENT.log_dir, before_each=lambda: allow_cpu(seconds), sheets=sheets
    )
    for result in results:
        if isinstance(result, ParsedReturn):
            result.rows = []  # validated: only its Arrow table crosses the pipe (buffers, not str objects)
    return results


class Readers:
    """The reading processes of one run: a pool for the files in order, and a reader of its own for a file
    under suspicion after a reader died."""

    def __init__(self, workers: int, catalogue: Catalogue, confinement: Confinement):
        self.workers = workers
        self._args = (catalogue, confinement)
        self.pool = self._new(workers)
        self._alone: ProcessPoolExecutor | None = None

    def _new(self, workers: int) -> ProcessPoolExecutor:
        pool = ProcessPoolExecutor(workers, initializer=_reader_init, initargs=self._args)
        pool.submit(_started)  # the processes start (and load) now, not when the first chunk is submitted
        return pool

    def submit(self, job: Job) -> tuple[ProcessPoolExecutor, Future]:
        try:
            return self.pool, self.pool.submit(_read, job)
        except BrokenProcessPool:  # broken by a chunk not collected yet: that chunk is dealt with then
            self.replace(self.pool)
            return self.pool, self.pool.submit(_read, job)

    def replace(self, broken: ProcessPoolExecutor) -> None:
        """A new pool in place of a broken one (once, however many of its chunks report it)."""
        if self.pool is broken:
            broken.shutdown(wait=True, cancel_futures=True)
            self.pool = self._new(self.workers)

    def read_alone(self, path: Path, limits: Limits | None, sheets: SheetsAt | None = None) -> Result | None:
        """``path`` read in a reader of its own; None when that reader died on it."""
        if self._alone is None:
            self._alone = self._new(1)
        try:
            return self._alone.submit(_read, ([path], limits, {path: sheets} if sheets else None)).result()[0]
        except BrokenProcessPool:
            self._alone.shutdown(wait=True)
            self._alone = None
            return None

    def shutdown(self) -> None:
        """End the processes (again: nothing)."""
        self.pool.shutdown(cancel_futures=True)
        if self._alone is not None:
            self._alone.shutdown()

    def __enter__(self) -> Readers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()


def read_all(
    paths: list[Path],
    limits: Limits | None,
    readers: Readers,
    on_crash: Callable[[Path], None],
    sheets: Mapping[Path, SheetsAt] | None = None,
) -> Iterator[Result]:
    """Parse returns in order, a chunk at a time in the reading processes, keeping at most ``CHUNKS_AHEAD``
    chunks waiting so memory stays bounded while the recording catches up. A file whose reader dies is
    rejected (and ``on_crash`` told), the others of its chunk are read again."""
    pending: deque = deque()

    def collect(chunk: list[Path], pool: ProcessPoolExecutor, future: Future) -> list[Result]:
        try:
            return future.result()
        except BrokenProcessPool:
            log.warning("a reading process died; reading the %d files of its chunk one at a time", len(chunk))
            readers.replace(pool)
            results: list[Result] = []
            for path in chunk:
                result = readers.read_alone(path, limits, sheets.get(path) if sheets else None)
                if result is None:
                    log.error("the reader of %s died: file rejected, remembered in the ledger", path.name)
                    on_crash(path)
                    result = [crashed_problem()]
                results.append(result)
            return results

    size = chunk_size(len(paths), readers.workers)
    for i in range(0, len(paths), size):
        chunk = paths[i : i + size]
        own = {path: sheets[path] for path in chunk if path in sheets} if sheets else None
        pending.append((chunk, *readers.submit((chunk, limits, own))))
        if len(pending) >= CHUNKS_AHEAD:
            yield from collect(*pending.popleft())
    while pending:
        yield from collect(*pending.popleft())
