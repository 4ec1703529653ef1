"""The parts of a zip container (.xlsx, .ods, .docx) unpacked chunk by chunk, their bytes counted as they
come out of the decompressor.

The sizes a zip declares in its headers are written by whoever made the file: a part can declare 1 KB and
unpack to gigabytes. Readers in other languages trust those headers differently, so the limit on the
unpacked size is checked against what the compressed data really yields, read from the part's own
local header onward and never beyond the bytes the file holds.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

CHUNK = 1 << 20
LOCAL_HEADER = struct.Struct("<4s5H3L2H")  # signature ... file name length, extra field length
LOCAL_SIGNATURE = b"PK\x03\x04"


class PartTooLarge(Exception):
    """The parts unpack to more than the limit (the count so far is ``unpacked``)."""

    def __init__(self, unpacked: int):
        super().__init__(unpacked)
        self.unpacked = unpacked


class BrokenPart(Exception):
    """A part that cannot be unpacked as declared: bad data, wrong checksum or a size the header lies about."""

    def __init__(self, name: str, why: str):
        super().__init__(f"{name}: {why}")
        self.name = name
        self.why = why


class Unpacker:
    """Counts every byte unpacked from one container against ``limit``."""

    def __init__(self, path: Path, limit: int):
        self.path = path
        self.limit = limit
        self.unpacked = 0

    def chunks(self, handle, info: zipfile.ZipInfo) -> Iterator[bytes]:
        """The bytes of one part as they unpack; raises :class:`PartTooLarge` as soon as the container's
        total passes the limit, :class:`BrokenPart` when the data does not match its headers."""
        if info.flag_bits & 0x1:
            raise BrokenPart(info.filename, "phần được mã hóa")
        handle.seek(info.header_offset)
        header = handle.read(LOCAL_HEADER.size)
        if len(header) != LOCAL_HEADER.size or header[:4] != LOCAL_SIGNATURE:
            raise BrokenPart(info.filename, "thiếu phần đầu")
        name_length, extra_length = LOCAL_HEADER.unpack(header)[-2:]
        handle.seek(info.header_offset + LOCAL_HEADER.size + name_length + extra_length)
        if info.compress_type == zipfile.ZIP_STORED:
            produced = yield from self._stored(handle, info)
        elif info.compress_type == zipfile.ZIP_DEFLATED:
            produced = yield from self._deflated(handle, info)
        else:
            raise BrokenPart(info.filename, f"kiểu nén {info.compress_type} không dùng trong tệp Office")
        if produced[0] != info.file_size:
            raise BrokenPart(info.filename, f"khai báo {info.file_size} byte nhưng giải nén ra {produced[0]} byte")
        if produced[1] != info.CRC:
            raise BrokenPart(info.filename, "sai mã kiểm tra (CRC)")

    def _count(self, data: bytes) -> None:
        self.unpacked += len(data)
        if self.unpacked > self.limit:
            raise PartTooLarge(self.unpacked)

    def _stored(self, handle, info: zipfile.ZipInfo):
        left, size, crc = info.compress_size, 0, 0
        while left > 0:
            data = handle.read(min(CHUNK, left))
            if not data:
                raise BrokenPart(info.filename, "bị cắt cụt")
            left -= len(data)
            self._count(data)
            size, crc = size + len(data), zlib.crc32(data, crc)
            yield data
        return size, crc

    def _deflated(self, handle, info: zipfile.ZipInfo):
        inflate = zlib.decompressobj(-zlib.MAX_WBITS)
        left, size, crc = info.compress_size, 0, 0
        pending = b""
        while not inflate.eof:
            if not pending:
                if left <= 0:
                    raise BrokenPart(info.filename, "bị cắt cụt")
                pending = handle.read(min(CHUNK, left))
                if not pending:
                    raise BrokenPart(info.filename, "bị cắt cụt")
                left -= len(pending)
            try:
                # at most one chunk out per call: a bomb never unpacks further than the limit in memory
                data = inflate.decompress(pending, CHUNK)
            except zlib.error as exc:
                raise BrokenPart(info.filename, f"dữ liệu nén hỏng ({exc})") from exc
            pending = inflate.unconsumed_tail
            if data:
                self._count(data)
                size, crc = size + len(data), zlib.crc32(data, crc)
                yield data
        return size, crc


def scan_parts(path: Path, limit: int) -> Iterator[tuple[zipfile.ZipInfo, Iterator[bytes]]]:
    """Each part of the container with an iterator over its unpacked bytes (to be consumed before the next)."""
    unpacker = Unpacker(path, limit)
    with zipfile.ZipFile(path) as archive, path.open("rb") as handle:
        for info in archive.infolist():
            if info.is_dir():
                continue
            yield info, unpacker.chunks(handle, info)
