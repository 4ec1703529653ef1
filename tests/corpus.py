"""A corpus of bad, hostile and odd-but-valid inputs, each generated here by code.

Each case writes one file into the inbox and says what must happen to it: rejected with a Vietnamese
message containing ``message``, accepted, or ignored by the inbox.
"""

from __future__ import annotations

import io
import os
import random
import shutil
import struct
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import xlwt
from msoffcrypto.format.ooxml import OOXMLFile

from bdg_pipeline.catalogue import Catalogue
from bdg_pipeline.returns.template import FIRST_ROW, SHEET
from bdg_pipeline.returns.template_build import build_template
from bdg_pipeline.samples.ninh_thuan_appendix import ROWS, build_appendix_workbook


@dataclass
class Case:
    name: str
    make: Callable[[Path, Catalogue], Path]
    expect: str  # rejected | accepted | ignored
    message: str = ""
    env: dict[str, str] = field(default_factory=dict)


def template(catalogue: Catalogue, agency: str = "Sở Y tế", year: int = 2023, plan: str = "LC-2021-2030"):
    wb = build_template(catalogue, plan, agency, year)
    ws = wb[SHEET]
    ws[f"J{FIRST_ROW}"], ws[f"K{FIRST_ROW}"] = 5321, 4812  # sex ratio at birth, boys / girls
    return wb


def saved(wb, folder: Path, name: str) -> Path:
    path = folder / name
    wb.save(path)
    return path


def good_bytes(catalogue: Catalogue) -> bytes:
    buffer = io.BytesIO()
    template(catalogue).save(buffer)
    return buffer.getvalue()


def write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def rezip(source: bytes, replace: dict[str, bytes], add: dict[str, bytes] | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(source)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            zout.writestr(item, replace.get(item.filename, zin.read(item.filename)))
        for name, data in (add or {}).items():
            zout.writestr(name, data)
    return out.getvalue()


def sheet_xml_name(source: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(source)) as z:
        return sorted(n for n in z.namelist() if n.startswith("xl/worksheets/sheet"))[0]


def cell_edit(**cells):
    """A template with some cells of the BaoCao sheet set (row FIRST_ROW unless the key says otherwise)."""

    def make(folder: Path, catalogue: Catalogue) -> Path:
        wb = template(catalogue)
        ws = wb[SHEET]
        for key, value in cells.items():
            ws[key if key[-1].isdigit() else f"{key}{FIRST_ROW}"] = value
        return saved(wb, folder, "bieu_sua_o.xlsx")

    return make


def meta_edit(**values):
    def make(folder: Path, catalogue: Catalogue) -> Path:
        wb = template(catalogue)
        meta = wb["_meta"]
        for row in meta.iter_rows():
            if row[0].value in values:
                row[1].value = values[row[0].value]
        return saved(wb, folder, "bieu_meta.xlsx")

    return make


def appendix_rows(index: int, **changes):
    def make(folder: Path, catalogue: Catalogue) -> Path:
        rows = list(ROWS)
        objective, text, result, agency = rows[index]
        rows[index] = (
            changes.get("objective", objective),
            changes.get("text", text),
            changes.get("result", result),
            changes.get("agency", agency),
        )
        return saved(build_appendix_workbook(rows), folder, "phu_luc_sua.xlsx")

    return make


def zero_bytes(folder, catalogue):
    return write(folder, "rong.xlsx", b"")


def csv_renamed(folder, catalogue):
    return write(folder, "bang.xlsx", "Chỉ tiêu;Tử số;Mẫu số\nTỷ số giới tính;5321;4812\n".encode())


def corrupt_zip(folder, catalogue):
    data = bytearray(good_bytes(catalogue))
    rng = random.Random(7)
    # scramble compressed member data, keep the central directory: the zip opens, its CRCs fail
    for i in range(len(data) * 3 // 10, len(data) * 6 // 10, 97):
        data[i] = rng.randrange(256)
    return write(folder, "hong.xlsx", bytes(data))


def truncated(folder, catalogue):
    data = good_bytes(catalogue)
    return write(folder, "cat_cut.xlsx", data[: len(data) // 2])


def password_protected(folder, catalogue):
    encrypted = io.BytesIO()
    OOXMLFile(io.BytesIO(good_bytes(catalogue))).encrypt("matkhau123", encrypted)
    return write(folder, "co_mat_khau.xlsx", encrypted.getvalue())


def old_xls(folder, catalogue):
    book = xlwt.Workbook()
    sheet = book.add_sheet("BaoCao")
    sheet.write(0, 0, "Tỷ số giới tính khi sinh")
    sheet.write(0, 1, 108.5)
    path = folder / "bieu_cu.xls"
    book.save(str(path))
    return path


def old_xls_renamed(folder, catalogue):
    path = old_xls(folder, catalogue)
    return Path(shutil.move(path, folder / "bieu_cu_doi_ten.xlsx"))


def xlsm_with_macro(folder, catalogue):
    macro = {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0macro"}
    return write(folder, "co_macro.xlsm", rezip(good_bytes(catalogue), {}, macro))


def xlsx_with_vba(folder, catalogue):
    macro = {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0macro"}
    return write(folder, "an_macro.xlsx", rezip(good_bytes(catalogue), {}, macro))


def zip_bomb(folder, catalogue):
    # ~40 MB of one repeated cell unpacks from ~40 KB; the case lowers the limit to 30 MB
    source = good_bytes(catalogue)
    row = b'<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>'
    xml = (
        b'<?xml version="1.0"?>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        + row * 620_000
        + b"</sheetData></worksheet>"
    )
    return write(folder, "bom_nen.xlsx", rezip(source, {}, {"xl/worksheets/padding.xml": xml}))


def _worksheet_edit(catalogue: Catalogue, edit: Callable[[str], str]) -> bytes:
    """A good return whose BaoCao worksheet XML is changed by ``edit`` (a program, not Excel, wrote it)."""
    source = good_bytes(catalogue)
    with zipfile.ZipFile(io.BytesIO(source)) as z:
        name = next(n for n in z.namelist() if n.startswith("xl/worksheets/") and b"<v>5321</v>" in z.read(n))
        xml = z.read(name).decode("utf-8")
    return rezip(source, {name: edit(xml).encode("utf-8")})


def far_cell(folder, catalogue, cell: str = "XFD150000", name: str = "o_xa.xlsx"):
    """One extra cell far away: the sheet reaches 16,384 columns × 150,000 rows (a reader would build it all)."""
    row = int("".join(c for c in cell if c.isdigit()))
    xml = _worksheet_edit(
        catalogue, lambda x: x.replace("</sheetData>", f'<row r="{row}"><c r="{cell}"><v>1</v></c></row></sheetData>')
    )
    return write(folder, name, xml)


def not_finite(word: str, name: str):
    def make(folder: Path, catalogue: Catalogue) -> Path:
        return write(folder, name, _worksheet_edit(catalogue, lambda x: x.replace("<v>5321</v>", f"<v>{word}</v>")))

    return make


def lying_zip_header(folder, catalogue, real_mb: int = 40):
    """A part declaring 1 KB in both zip headers that really unpacks to ``real_mb`` MB (the file is tiny)."""
    padding = b"<x>" + b" " * (real_mb << 20) + b"</x>"
    data = bytearray(rezip(good_bytes(catalogue), {}, {"xl/media/padding.xml": padding}))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as z:
        info = z.getinfo("xl/media/padding.xml")
    struct.pack_into("<L", data, info.header_offset + 22, 1024)  # local header: uncompressed size
    central = struct.unpack_from("<L", data, bytes(data).rindex(b"PK\x05\x06") + 16)[0]
    name = b"xl/media/padding.xml"
    while bytes(data[central + 46 : central + 46 + len(name)]) != name:  # walk the central directory to its entry
        central += 46 + sum(struct.unpack_from("<3H", data, central + 28))
    struct.pack_into("<L", data, central + 24, 1024)  # central directory: uncompressed size
    return write(folder, "tieu_de_noi_doi.xlsx", bytes(data))


def ods_repeats(folder, catalogue, rows: int = 1_000_000, columns: int = 16_000):
    """An OpenDocument sheet whose one row of one value is repeated ``columns`` × ``rows`` times."""
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body>'
        '<office:spreadsheet><table:table table:name="BaoCao">'
        f'<table:table-row table:number-rows-repeated="{rows}">'
        f'<table:table-cell table:number-columns-repeated="{columns}" office:value-type="float" office:value="1">'
        "<text:p>1</text:p></table:table-cell></table:table-row>"
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content)
        z.writestr("META-INF/manifest.xml", manifest)
    return write(folder, "lap_lai.ods", out.getvalue())


def ods_as_libreoffice_saves(folder, catalogue):
    """An appendix .ods closed the way LibreOffice closes a sheet: empty cells repeated to the last column and
    empty rows repeated to the last row (nothing in them: nothing to refuse, nothing to build)."""
    from .appendix_files import LAYOUTS, write_odf

    path = write_odf(LAYOUTS["nhieu-nam"](), folder / "luu_bang_libreoffice.ods")
    source = path.read_bytes()
    with zipfile.ZipFile(io.BytesIO(source)) as z:
        content = z.read("content.xml").decode("utf-8")
    content = content.replace(
        "</table:table-row>", '<table:table-cell table:number-columns-repeated="1000"/></table:table-row>'
    )
    content = content.replace(
        "</table:table>",
        '<table:table-row table:number-rows-repeated="1048000">'
        '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
        "</table:table>",
    )
    return write(folder, path.name, rezip(source, {"content.xml": content.encode("utf-8")}))


def entity_expansion(folder, catalogue):
    source = good_bytes(catalogue)
    name = sheet_xml_name(source)
    with zipfile.ZipFile(io.BytesIO(source)) as z:
        xml = z.read(name).decode("utf-8")
    laughs = (
        '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    )
    xml = laughs + xml.replace(
        "<sheetData>", '<sheetData><row r="999"><c r="A999" t="inlineStr"><is><t>&lol3;</t></is></c></row>', 1
    )
    return write(folder, "entity.xlsx", rezip(source, {name: xml.encode("utf-8")}))


def external_entity(folder, catalogue):
    source = good_bytes(catalogue)
    name = sheet_xml_name(source)
    with zipfile.ZipFile(io.BytesIO(source)) as z:
        xml = z.read(name).decode("utf-8")
    xxe = '<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    xml = xxe + xml.replace(
        "<sheetData>", '<sheetData><row r="999"><c r="A999" t="inlineStr"><is><t>&xxe;</t></is></c></row>', 1
    )
    return write(folder, "xxe.xlsx", rezip(source, {name: xml.encode("utf-8")}))


def external_link(folder, catalogue):
    link = (
        b'<?xml version="1.0"?><externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<externalBook><sheetNames><sheetName val="Data"/></sheetNames></externalBook></externalLink>'
    )
    parts = {"xl/externalLinks/externalLink1.xml": link}
    return write(folder, "lien_ket.xlsx", rezip(good_bytes(catalogue), {}, parts))


def docx_renamed(folder, catalogue):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return write(folder, "van_ban.xlsx", out.getvalue())


def hidden_sheet(folder, catalogue):
    wb = template(catalogue)
    junk = wb.create_sheet("Nhap")
    junk["A1"] = "số liệu nháp, không báo cáo"
    junk["B2"] = 999999
    junk.sheet_state = "hidden"
    return saved(wb, folder, "co_trang_an.xlsx")


def merged_header_appendix(folder, catalogue):
    return saved(build_appendix_workbook(header_rows=2), folder, "tieu_de_gop.xlsx")


def decomposed_appendix(folder, catalogue):
    rows = [
        (
            o,
            unicodedata.normalize("NFD", t),
            unicodedata.normalize("NFD", r),
            unicodedata.normalize("NFD", a) if a else a,
        )
        for o, t, r, a in ROWS
    ]
    return saved(build_appendix_workbook(rows), folder, "to_hop_dau.xlsx")


def uncached_formula(folder, catalogue):
    return cell_edit(J="=5000+321")(folder, catalogue)


def duplicate_rows(folder, catalogue):
    wb = template(catalogue)
    ws = wb[SHEET]
    ws[f"J{FIRST_ROW + 1}"], ws[f"K{FIRST_ROW + 1}"], ws[f"H{FIRST_ROW + 1}"] = 5300, 4800, "Cấp tỉnh"
    return saved(wb, folder, "trung_dong.xlsx")


def big_valid_workbook(folder, catalogue):
    """A valid return padded with a visible notes sheet to ~50 MB (random text does not compress)."""
    wb = template(catalogue)
    notes = wb.create_sheet("GhiChu")
    rng = random.Random(11)
    alphabet = "abcdefghijklmnopqrstuvwxyzàáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệ0123456789"
    for r in range(1, 53_001):
        notes.cell(row=r, column=1, value="".join(rng.choices(alphabet, k=1000)))
    return saved(wb, folder, "bieu_lon_50mb.xlsx")


def name_with_separators(folder, catalogue):
    wb = template(catalogue)
    wb[SHEET][f"J{FIRST_ROW}"] = "năm mươi"
    return saved(wb, folder, "..\\..\\bieu_ngoai.xlsx")


def leading_dot(folder, catalogue):
    return saved(template(catalogue), folder, ".bieu_an.xlsx")


def lock_file(folder, catalogue):
    return write(folder, "~$bieu.xlsx", b"\x00" * 165)


def non_utf8_name(folder, catalogue):
    wb = template(catalogue)
    path = Path(os.fsdecode(os.fsencode(str(folder)) + b"/bieu_\xff\xfe.xlsx"))
    wb.save(path)
    return path


def appendix_hidden(folder, catalogue):
    wb = build_appendix_workbook()
    wb.active.sheet_state = "hidden"
    wb.create_sheet("Trang trắng")
    wb.active = 1
    return saved(wb, folder, "phu_luc_an.xlsx")


def no_year_header(folder, catalogue):
    wb = build_appendix_workbook()
    wb.active["C6"] = "SỐ LIỆU KẾT QUẢ ĐẠT ĐƯỢC (%)"
    return saved(wb, folder, "khong_nam.xlsx")


def unknown_province(folder, catalogue):
    wb = build_appendix_workbook()
    wb.active["A3"] = "BÌNH ĐẲNG GIỚI TỈNH HÀ GIANG NĂM 2020"
    return saved(wb, folder, "tinh_la.xlsx")


def renamed_sheet(folder, catalogue):
    wb = template(catalogue)
    wb[SHEET].title = "Sheet1"
    return saved(wb, folder, "doi_ten_trang.xlsx")


def broken_marker(folder, catalogue):
    return meta_edit(marker="khac")(folder, catalogue)


CASES: list[Case] = [
    Case("0-byte file", zero_bytes, "rejected", "Tệp rỗng"),
    Case("CSV renamed .xlsx", csv_renamed, "rejected", "không phải là sổ tính Excel"),
    Case("corrupt zip", corrupt_zip, "rejected", "hỏng"),
    Case("truncated .xlsx", truncated, "rejected", "không phải là sổ tính Excel"),
    Case("password-protected workbook", password_protected, "rejected", "mật khẩu"),
    Case("old .xls", old_xls, "rejected", "Không nhận ra biểu báo cáo"),  # read, and neither layout
    Case("old .xls renamed .xlsx", old_xls_renamed, "rejected", "Không nhận ra biểu báo cáo"),
    Case(".xlsm with a macro", xlsm_with_macro, "rejected", "macro"),
    Case(".xlsx hiding a VBA project", xlsx_with_vba, "rejected", "macro (VBA)"),
    Case("zip bomb", zip_bomb, "rejected", "giải nén quá lớn", {"BDG_MAX_UNCOMPRESSED_MB": "30"}),
    Case("XML entity expansion", entity_expansion, "rejected", "Không đọc được nội dung"),
    Case(
        "a cell at XFD150000", far_cell, "rejected", "quá nhiều cột (16.384, tối đa 256): dữ liệu kéo tới ô XFD150000"
    ),
    Case(
        "a cell beyond the row limit",
        lambda f, c: far_cell(f, c, "B250000", "dong_xa.xlsx"),
        "rejected",
        "quá nhiều dòng (250.000, tối đa 200.000)",
    ),
    Case(
        "zip part lying about its size",
        lying_zip_header,
        "rejected",
        "giải nén quá lớn",
        {"BDG_MAX_UNCOMPRESSED_MB": "30"},
    ),
    Case(
        "zip part lying about its size, under the limit",
        lambda f, c: lying_zip_header(f, c, 2),
        "rejected",
        "khai báo 1024 byte nhưng giải nén ra",
    ),
    Case(".ods repeating one value 16,000 × 1,000,000 times", ods_repeats, "rejected", "quá nhiều dòng (1.000.000"),
    Case("NaN in a cell's XML", not_finite("NaN", "nan.xlsx"), "rejected", "ô J14 (chỉ tiêu 4.1 “"),
    Case("INF in a cell's XML", not_finite("INF", "inf.xlsx"), "rejected", "không phải là một số (NaN hoặc vô cực)"),
    Case("external entity (XXE)", external_entity, "rejected", "Không đọc được nội dung"),
    Case("link to an external workbook", external_link, "rejected", "liên kết tới sổ tính khác"),
    Case("Word document renamed .xlsx", docx_renamed, "rejected", "Không đọc được nội dung tài liệu Word"),
    Case("formula without cached value", uncached_formula, "rejected", "chưa có giá trị tính sẵn"),
    Case(
        "file over the size limit",
        lambda f, c: saved(template(c), f, "qua_lon.xlsx"),
        "rejected",
        "Tệp quá lớn",
        {"BDG_MAX_FILE_MB": "0.001"},
    ),
    Case(
        "sheet over the row limit",
        lambda f, c: saved(template(c), f, "nhieu_dong.xlsx"),
        "rejected",
        "quá nhiều dòng",
        {"BDG_MAX_ROWS": "20"},
    ),
    Case("text in a number cell", cell_edit(J="năm mươi"), "rejected", "Ô số chứa chữ"),
    Case("'50%' as a numerator", cell_edit(J="50%"), "rejected", "Ô số chứa chữ"),
    Case("boolean in a number cell", cell_edit(J=True), "rejected", "đúng/sai"),
    Case("negative numerator", cell_edit(J=-5), "rejected", "không được âm"),
    Case("negative value", cell_edit(J=None, K=None, L=-1.5), "rejected", "không được âm"),
    Case("numerator > denominator (share)", lambda f, c: _share_return(f, c, 120, 100), "rejected", "lớn hơn mẫu số"),
    Case("denominator 0", cell_edit(K=0), "rejected", "mẫu số bằng 0"),
    Case("numerator without denominator", cell_edit(K=None), "rejected", "thiếu mẫu số"),
    Case("unknown indicator", cell_edit(C=9), "rejected", "Chỉ tiêu không có trong kế hoạch"),
    Case("unknown area", cell_edit(I="Hà Giang"), "rejected", "Địa bàn không có"),
    Case("unknown level", cell_edit(H="Cấp thôn"), "rejected", "Cấp không hợp lệ"),
    Case("year outside the plan", meta_edit(year=2040), "rejected", "ngoài kỳ theo dõi"),
    Case("plan not in the catalogue", meta_edit(plan_code="XX-2020"), "rejected", "không còn trong danh mục"),
    Case("duplicate rows in one file", duplicate_rows, "rejected", "trùng"),
    Case("yes/no answered vaguely", lambda f, c: _yes_no_return(f, c, "Có lẽ"), "rejected", "Có” hoặc “Không"),
    Case("report date as text", cell_edit(C9="hôm qua"), "rejected", "Ngày báo cáo"),
    Case("sheet renamed", renamed_sheet, "rejected", "Thiếu trang tính"),
    Case("template marker altered", broken_marker, "rejected", "đã bị sửa phần nhận dạng"),
    Case("appendix only in a hidden sheet", appendix_hidden, "rejected", "Không nhận ra biểu báo cáo"),
    Case("appendix without a year", no_year_header, "rejected", "năm của số liệu"),
    Case("appendix of an unknown province", unknown_province, "rejected", "Không xác định được tỉnh"),
    Case(
        "appendix: unknown chỉ tiêu number",
        appendix_rows(6, text="Chỉ tiêu 9: Tỷ lệ nữ làm chủ doanh nghiệp đạt 25%."),
        "rejected",
        "không có chỉ tiêu 9",
    ),
    Case(
        "appendix: row that matches no chỉ tiêu",
        appendix_rows(6, text="Chỉ tiêu 2: Số cây xanh được trồng mới."),
        "rejected",
        "không khớp",
    ),
    Case("appendix: unknown agency", appendix_rows(19, agency="Sở Ngoại vụ"), "rejected", "Không nhận ra cơ quan"),
    Case(
        "appendix: words instead of numbers",
        appendix_rows(11, result="một trăm lẻ tám"),
        "rejected",
        "không tìm thấy số liệu",
    ),
    Case("name with path separators", name_with_separators, "rejected", "Ô số chứa chữ"),
    Case("name with a leading dot", leading_dot, "ignored"),
    Case("Excel lock file", lock_file, "ignored"),
    Case("name with non-UTF-8 bytes", non_utf8_name, "accepted"),
    Case("hidden extra sheet", hidden_sheet, "accepted"),
    Case("appendix with merged header cells", merged_header_appendix, "accepted"),
    Case("appendix in decomposed Unicode (NFD)", decomposed_appendix, "accepted"),
    Case(".ods closed with empty repeats to the sheet's end", ods_as_libreoffice_saves, "accepted"),
    Case("a 50 MB valid workbook", big_valid_workbook, "accepted"),
]


def _share_return(folder, catalogue, numerator, denominator):
    wb = build_template(catalogue, "QN-2021-2030", "Sở Lao động - Thương binh và Xã hội", 2023)
    ws = wb[SHEET]
    ws[f"J{FIRST_ROW}"], ws[f"K{FIRST_ROW}"] = numerator, denominator
    return saved(wb, folder, "ty_le.xlsx")


def _yes_no_return(folder, catalogue, answer):
    wb = build_template(catalogue, "LC-2021-2030", "Sở Y tế", 2023)
    ws = wb[SHEET]
    for row in range(FIRST_ROW, ws.max_row + 1):
        if ws[f"E{row}"].value == "lgbt_health_service_pilot" and ws[f"H{row}"].value == "Cấp tỉnh":
            ws[f"L{row}"] = answer
    return saved(wb, folder, "co_khong.xlsx")
