"""Whether a received snapshot is whole: a zip holding ``manifest.json`` of the expected format and version,
every file it lists with the sha256 it states, and nothing else. A snapshot failing any of these is refused
whole, the message naming the file and what to do."""

from __future__ import annotations

import hashlib
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .snapshot import FORMAT, MANIFEST, NATIONAL_VIEWS, SCHEMA_VERSION

REQUIRED_KEYS = ("format", "schema_version", "province", "plans", "territories", "published_at", "exported_at", "files")
# what a national build reads from each snapshot
NEEDED = [f"{name}.parquet" for name in NATIONAL_VIEWS] + ["dim_plan.parquet"]
WHAT_TO_DO = (
    "Đề nghị tỉnh xuất lại gói dữ liệu bằng lệnh “bdg export” và gửi lại; gói này được giữ lại trong thư mục cách ly."
)


class SnapshotDamaged(ValueError):
    """Why a snapshot is refused, in Vietnamese, with what to do."""


@dataclass(frozen=True)
class Manifest:
    province: str
    plans: list[str]
    territories: list[str]
    built_at: str | None
    published_at: str
    exported_at: str
    files: dict[str, dict]

    @property
    def content_key(self) -> str:
        """The same warehouse exported twice gives the same key, whatever the zip's own bytes."""
        text = self.province + "\0" + "\0".join(f"{n}={f['sha256']}" for n, f in sorted(self.files.items()))
        return hashlib.sha256(text.encode()).hexdigest()


def _refuse(name: str, what: str) -> SnapshotDamaged:
    return SnapshotDamaged(f"Gói dữ liệu “{name}” không dùng được: {what}. {WHAT_TO_DO}")


def verify_snapshot(path: Path, name: str, max_unpacked_mb: float) -> Manifest:
    """The manifest of a whole snapshot at ``path`` (received as ``name``); :class:`SnapshotDamaged` otherwise."""
    if not zipfile.is_zipfile(path):
        raise _refuse(name, "tệp không phải gói .zip do “bdg export” ghi (hoặc bị cắt ngắn khi gửi)")
    try:
        with zipfile.ZipFile(path) as archive:
            members = {i.filename: i for i in archive.infolist()}
            if sum(i.file_size for i in members.values()) > max_unpacked_mb * 1024 * 1024:
                raise _refuse(name, f"dung lượng giải nén vượt {max_unpacked_mb:.0f} MB (BDG_MAX_UNCOMPRESSED_MB)")
            if MANIFEST not in members:
                raise _refuse(name, f"thiếu tệp {MANIFEST}")
            manifest = _manifest(archive.read(MANIFEST), name)
            for member in sorted(set(members) - {MANIFEST}):
                if member not in manifest.files:
                    raise _refuse(name, f"tệp {member} không có trong {MANIFEST}")
            for member, entry in sorted(manifest.files.items()):
                if member not in members:
                    raise _refuse(name, f"thiếu tệp {member} mà {MANIFEST} liệt kê")
                digest = hashlib.sha256()
                with archive.open(member) as f:
                    for chunk in iter(lambda: f.read(1 << 20), b""):
                        digest.update(chunk)
                if digest.hexdigest() != entry.get("sha256"):
                    raise _refuse(
                        name, f"tệp {member} không khớp mã sha256 ghi trong {MANIFEST} (tệp bị hỏng hoặc bị sửa)"
                    )
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise _refuse(name, f"không đọc được gói .zip ({exc})") from exc
    missing = [n for n in NEEDED if n not in manifest.files]
    if missing:
        raise _refuse(name, f"thiếu tệp {', '.join(missing)} cần cho số liệu toàn quốc")
    return manifest


def _manifest(raw: bytes, name: str) -> Manifest:
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _refuse(name, f"{MANIFEST} không đọc được ({exc})") from exc
    if not isinstance(data, dict):
        raise _refuse(name, f"{MANIFEST} không đúng dạng")
    missing = [k for k in REQUIRED_KEYS if k not in data]
    if missing:
        raise _refuse(name, f"{MANIFEST} thiếu mục {', '.join(missing)}")
    if data["format"] != FORMAT:
        raise _refuse(name, f"{MANIFEST} ghi định dạng “{data['format']}”, không phải “{FORMAT}”")
    if data["schema_version"] != SCHEMA_VERSION:
        raise _refuse(
            name,
            f"{MANIFEST} ghi phiên bản lược đồ {data['schema_version']}, bộ nhận phiên bản {SCHEMA_VERSION} "
            "(hai bên cần cùng một phiên bản bdg_pipeline)",
        )
    files = data["files"]
    if not isinstance(files, dict) or not all(isinstance(v, dict) and "sha256" in v for v in files.values()):
        raise _refuse(name, f"{MANIFEST}: mục files phải ghi mã sha256 của từng tệp")
    if not isinstance(data["province"], str) or not data["province"] or not data["plans"]:
        raise _refuse(name, f"{MANIFEST} không ghi tỉnh hoặc kế hoạch")
    return Manifest(
        data["province"],
        list(data["plans"]),
        list(data["territories"]),
        data.get("built_at"),
        str(data["published_at"]),
        str(data["exported_at"]),
        files,
    )
