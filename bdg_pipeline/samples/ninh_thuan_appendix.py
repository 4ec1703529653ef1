"""The PHỤ LỤC closing the Ninh Thuận 2020 plan (seed 002), rebuilt as the workbook officers send:
title rows, a header, objectives and agencies merged down their rows, several results per cell on
separate lines. Text and numbers are copied from the seed, typos included. Also written as the
table of a Word report (.docx), as offices often send it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from docx import Document
from docx.document import Document as WordDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

TITLE = [
    "PHỤ LỤC",
    "KẾ HOẠCH TRIỂN KHAI, THỰC HIỆN CHIẾN LƯỢC, CHƯƠNG TRÌNH HÀNH ĐỘNG QUỐC GIA VỀ",
    "BÌNH ĐẲNG GIỚI TỈNH NINH THUẬN NĂM 2020",
    "(Ban hành kèm theo Kế hoạch số       /KH-UBND ngày     tháng 02 năm 2020 của Ủy ban nhân dân tỉnh)",
]
HEADER = [
    "MỤC TIÊU",
    "CÁC CHỈ TIÊU KẾ HOẠCH NĂM 2020",
    "SỐ LIỆU KẾT QUẢ ĐẠT ĐƯỢC NĂM 2019 (%)",
    "CƠ QUAN, ĐƠN VỊ\nTHỰC HIỆN\nBÁO CÁO",
]

OBJECTIVES = {
    1: "Mục tiêu 1: Tăng cường sự tham gia của phụ nữ  vào các vị trí quản lý, lãnh đạo nhằm từng bước giảm dần khoảng "
    "cách giới trong lĩnh vực chính trị",
    2: "Mục tiêu 2: Giảm khoảng cách giới trong lĩnh vực kinh tế, lao động, việc làm;                                  "
    "                                tăng cường sự tiếp                                                           "
    "cận của phụ nữ nghèo nông thôn và phụ nữ dân tộc thiểu số với các nguồn lực kinh tế và thị trường lao động.",
    3: "Mục tiêu 3: Nâng cao chất lượng nguồn nhân lực nữ, đảm bảo sự tham gia bình đẳng của phụ nữ và nam giới trong "
    "lĩnh vực giáo dục và đào tạo.",
    4: "Mục tiêu 4: Đảm bảo bình đẳng giới trong tiếp cận và hưởng thụ các dịch vụ chăm sóc sức khỏe.",
    5: "Mục tiêu 5: Bảo đảm bình đẳng giới trong lĩnh vực văn hóa và thông tin.",
    6: "Mục tiêu 6: Bảo đảm bình đẳng giới trong đời sống gia đình, từng bước xóa bỏ bạo lực trên cơ sở giới.",
    7: "Mục tiêu 7: Nâng cao năng lực quản lý nhà nước về bình đẳng giới.",
}

# (objective, indicator text, result cell, agency or None when merged with the row above)
ROWS: list[tuple[int, str, str, str | None]] = [
    (
        1,
        "Chỉ tiêu 1:\n- Duy trì tỷ lệ nữ tham gia các cấp ủy Đảng nhiệm kỳ 2015-2020 từ 20% trở lên ",
        "Cấp tỉnh: 05/50 (10%) \nCấp huyện: 48/268 (16,78%)\nCấp xã: 226/828 (27,3%)",
        "Ban Tổ chức \nTỉnh ủy",
    ),
    (
        1,
        "- Tỷ lệ nữ tham gia đại biểu Quốc hội nhiệm kỳ 2016-2020, từ 30% trở lên.",
        "02/06 (33,33%)",
        "Sở Nội vụ;\nBan Tổ chức \nTỉnh ủy",
    ),
    (
        1,
        "- Tỷ lệ nữ đại biểu Hội đồng nhân dân các cấp nhiệm kỳ 2016-2020, từ 30%.",
        "Cấp tỉnh: 14/50 (28%)\nCấp huyện: 58/228 (25,43%)\nCấp xã: 509/1.753 (29,04%)",
        None,
    ),
    (
        1,
        "Chỉ tiêu 2: Phấn đấu đạt 50% Sở, ban, ngành, Ủy ban nhân dân các cấp có lãnh đạo chủ chốt là nữ. (tính theo "
        "số cơ quan).",
        "48/93 đạt 51,61%",
        None,
    ),
    (
        1,
        "Chỉ tiêu 3: Tỷ lệ 30% cơ quan của Đảng, Nhà nước, tổ chức chính trị - xã hội có lãnh đạo chủ chốt là nữ nếu ở "
        "cơ quan, tổ chức có tỷ lệ 30% trở lên nữ cán bộ, công chức, viên chức, người lao động.",
        "Cơ quan Nhà nước (Sở, ban, ngành và các đơn vị trực thuộc và tương đương): 48/136 (35,29%)\nCơ quan Đảng, tổ "
        "chức chính trị-xã hội:159/197 (80,71%)",
        None,
    ),
    (
        2,
        "Chỉ tiêu 1: Tỷ lệ nữ đạt 50% trong tổng số người được tạo việc làm mới hàng năm.",
        "8.688/17.174 (50,59%)",
        "Sở LĐ-TB&XH",
    ),
    (2, "Chỉ tiêu 2: Tỷ lệ nữ làm chủ doanh nghiệp đạt 25%.", "902/3.184 (28,3%)", "Sở KH-ĐT; \nCục Thống kê"),
    (
        2,
        "Chỉ tiêu 3: Tỷ lệ lao động nữ được đào tạo nghề và chuyên môn kỹ thuật trên tổng số đào tạo đạt 50%.",
        "4.860/9.326 (52,11%)",
        "Sở LĐ-TB&XH",
    ),
    (
        2,
        "Chỉ tiêu 4: Tỷ lệ nữ ở vùng nông thôn nghèo, vùng đồng bào dân tộc có nhu cầu và đủ điều kiện được vay vốn ưu "
        "đãi từ các chương trình việc làm, giảm nghèo và các nguồn tín dụng chính thức đạt 100% hàng năm. (So với toàn "
        "bộ chủ hộ nữ).",
        "100%",
        "Hội Liên hiệp Phụ nữ tỉnh;\nNgân hàng CSXH tỉnh",
    ),
    (
        3,
        "Chỉ tiêu 1: Phấn đấu tỷ lệ biết chữ của nữ trong độ tuổi từ 15 đến 60 đạt ngang bằng với nam 92%, (trong đó "
        "tỷ lệ ở 04 huyện có điều kiện kinh tế - xã hội khó khăn đạt 90%, tỷ lệ người dân tộc thiểu số biết chữ đạt "
        "88%).",
        "25.369/27.430 (92%)",
        "Sở GD và Đào tạo;\nCục Thống kê",
    ),
    (
        3,
        "Chỉ tiêu 2: Phấn đấu tỷ lệ nữ thạc sỹ/tổng số đào tạo đạt 40%, tỷ lệ nữ tiến sỹ/tổng số đào tạo đạt từ 10%.",
        "Thạc sỹ: 17/40 (42,5%)\n\nTiến sỹ: 0%",
        "Sở Nội vụ; \nCục Thống kê",
    ),
    (
        4,
        "Chỉ tiêu 1: Tỷ số giới tính khi sinh không vượt quá 110 trẻ sơ sinh trai/100 trẻ sơ sinh gái.",
        "108,5/100 ",
        "Sở Y tế",
    ),
    (
        4,
        "Chỉ tiêu 2: Giảm tỷ lệ tử vong bà mẹ liên quan đến thai sản xuống <40/100.000 trẻ đẻ sống.",
        "17,1/100.000 ",
        None,
    ),
    (
        4,
        "Chỉ tiêu 3: Tăng tỷ lệ phụ nữ mang thai được tiếp cận dịch vụ chăm sóc và dự phòng lây truyền HIV từ mẹ sang "
        "con đạt từ 30%.",
        "(16,8%)",
        None,
    ),
    (4, "Chỉ tiêu 4: Giảm tỷ lệ phá thai xuống 2,5/100 trẻ đẻ sống.", " (2,5/100)", None),
    (
        5,
        "Chỉ tiêu 1: Phấn đấu hàng tháng có ít nhất 02 chuyên mục tuyên truyền về bình đẳng giới trên hệ thống thông "
        "tin cơ sở tại các xã, phường, thị trấn.",
        "100%",
        "Sở Thông tin &TT",
    ),
    (
        5,
        "Chỉ tiêu 2: Phấn đấu Đài Phát thanh và Truyền hình tỉnh và 95% Trung tâm Văn hóa, Thể thao và Truyền thanh "
        "huyện, thành phố có chuyên mục, chuyên đề nâng cao nhận thức về BĐG.",
        "100%",
        None,
    ),
    (
        6,
        "Chỉ tiêu 1: Rút ngắn khoảng cách về thời gian tham gia công việc gia đình của nữ so với nam xuống 1.5 lần.",
        "1.5 lần ",
        "Sở Văn hóa, TT&DL;\nSở LĐ-TB&XH",
    ),
    (
        6,
        "Chỉ tiêu 2: Phấn đấu đạt 80% số nạn nhân của bạo lực gia đình được phát hiện được tư vấn về pháp lý, được hỗ "
        "trợ và chăm sóc tại các cơ sở trợ giúp nạn nhân bạo lực gia đình và đạt 95% số người gây bạo lực gia đình "
        "được phát hiện ở mức chưa bị truy cứu trách nhiệm hình sự được tư vấn tại các cơ sở tư vấn về phòng, chống "
        "bạo lực gia đình.",
        "Số nạn nhân: 87/109 (80%)\n\nSố người gây bạo lực: 82/86(95%)",
        None,
    ),
    (
        6,
        "Chỉ tiêu 3: Phấn đấu 100% số nạn nhân bị buôn bán trở về thông qua trao trả, được giải cứu, tự trở về được "
        "phát hiện được hưởng các dịch vụ hỗ trợ và tái hòa nhập cộng đồng.",
        "100%",
        "Công an tỉnh",
    ),
    (
        7,
        "Chỉ tiêu 1: Phấn đấu 100% Dự thảo văn bản quy phạm pháp luật được xác định có nội dung liên quan đến bình "
        "đẳng giới hoặc có vấn đề bất bình đẳng giới, phân biệt đối xử về giới được lồng ghép vấn đề bình đẳng giới.",
        "100%",
        "Sở Tư  pháp;\nSở LĐ-TB&XH",
    ),
    (
        7,
        "Chỉ tiêu 2: Phấn đấu 100% thành viên các Ban soạn thảo, Tổ biên tập xây dựng dự thảo văn bản quy phạm pháp "
        "luật được xác định có nội dung liên quan đến bình đẳng giới hoặc có vấn đề bất bình đẳng giới, phân biệt đối "
        "xử về giới được tập huấn kiến thức về giới, phân tích giới và lồng ghép giới.",
        "100%",
        None,
    ),
    (
        7,
        "Chỉ tiêu 3: Phấn đấu cấp tỉnh, cấp huyện, thành phố bố trí đủ cán bộ làm công tác bình đẳng giới; hình thành "
        "đội ngũ cộng tác viên, tình nguyện viên tham gia công tác bình đẳng giới và sự tiến bộ của phụ nữ.",
        "100%",
        "Sở Nội vụ;\nSở LĐ-TB&XH",
    ),
    (
        7,
        "Chỉ tiêu 4: Phấn đấu 100% cán bộ, công chức, viên chức làm công tác bình đẳng giới và sự tiến bộ của phụ nữ ở "
        "các cấp, các ngành được tập huấn nghiệp vụ ít nhất một lần.",
        "100%",
        "Sở LĐ-TB&XH",
    ),
]


@dataclass
class TableSpec:
    """A table as written by the office: its title lines, header and data rows, and merged ranges
    (top, left, bottom, right; 0-based, inclusive) over those rows."""

    title: list[str | list[str]]  # a line merged across the table, or cells side by side (issuer | quốc hiệu)
    rows: list[list[object]]
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    header_rows: int = 1
    widths: list[int] = field(default_factory=list)
    below: list[list[str]] = field(default_factory=list)  # lines under the table: notes, Nơi nhận, signature
    sheet: str = "Phụ lục"

    def covered(self) -> dict[tuple[int, int], tuple[int, int, int, int]]:
        """{(row, column): merge} for every cell a merge covers, its top-left one included."""
        return {(r, c): m for m in self.merges for r in range(m[0], m[2] + 1) for c in range(m[1], m[3] + 1)}


def appendix_spec(rows: list[tuple[int, str, str, str | None]] | None = None, header_rows: int = 1) -> TableSpec:
    """The appendix as printed; ``rows`` and ``header_rows`` (header cells merged down that many rows)
    let tests build variants."""
    rows = ROWS if rows is None else rows
    table: list[list[object]] = [list(HEADER)]
    table += [[""] * 4 for _ in range(header_rows - 1)]
    merges = [(0, c, header_rows - 1, c) for c in range(4)] if header_rows > 1 else []
    first = header_rows
    for offset, (objective, text, result, agency) in enumerate(rows):
        new_objective = offset == 0 or rows[offset - 1][0] != objective
        table.append(
            [OBJECTIVES.get(objective, f"Mục tiêu {objective}") if new_objective else "", text, result, agency or ""]
        )

    def merge_runs(column: int, key) -> None:
        start = 0
        for i in range(1, len(rows) + 1):
            if i == len(rows) or key(i) != key(start):
                if i - 1 > start:
                    merges.append((first + start, column, first + i - 1, column))
                start = i

    merge_runs(0, lambda i: rows[i][0])
    owner: list[int] = []
    for i, row in enumerate(rows):
        owner.append(i if row[3] is not None or i == 0 else owner[-1])
    merge_runs(3, lambda i: owner[i])
    return TableSpec(list(TITLE), table, merges, header_rows, [40, 70, 40, 22])


def build_appendix_workbook(
    rows: list[tuple[int, str, str, str | None]] | None = None, header_rows: int = 1
) -> Workbook:
    """The appendix as a workbook (see :func:`appendix_spec`)."""
    return spec_workbook(appendix_spec(rows, header_rows))


def spec_workbook(spec: TableSpec) -> Workbook:
    """The table as an .xlsx sheet “Phụ lục”: title lines merged across, then the table with borders."""
    wb = Workbook()
    ws = wb.active
    ws.title = spec.sheet
    width = max(len(r) for r in spec.rows)
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for i, line in enumerate(spec.title, start=1):
        if isinstance(line, list):  # cells side by side: the issuing body left, the quốc hiệu right
            for c, text in zip(title_columns(len(line), width), line, strict=True):
                ws.cell(row=i, column=c + 1, value=text or None).alignment = Alignment(horizontal="center")
            continue
        ws.cell(row=i, column=1, value=line).font = Font(bold=i <= 3)
        ws.merge_cells(start_row=i, start_column=1, end_row=i, end_column=width)
        ws.cell(row=i, column=1).alignment = Alignment(horizontal="center")
    top = len(spec.title) + 2
    covered = spec.covered()
    for r, values in enumerate(spec.rows):
        for c, value in enumerate(values):
            merge = covered.get((r, c))
            cell = ws.cell(row=top + r, column=c + 1)
            if merge is None or merge[:2] == (r, c):
                cell.value = None if value == "" else value
            header = r < spec.header_rows
            cell.font = Font(bold=header)
            cell.alignment = Alignment(wrap_text=True, vertical="top", horizontal="center" if header else None)
            cell.border = border
    for t, left, b, right in spec.merges:
        ws.merge_cells(start_row=top + t, start_column=left + 1, end_row=top + b, end_column=right + 1)
    for c, w in enumerate(spec.widths, start=1):
        ws.column_dimensions[get_column_letter(c)].width = w
    first_below = top + len(spec.rows) + 1
    for r, line in enumerate(spec.below):
        for c, text in zip(title_columns(len(line), width), line, strict=True):
            ws.cell(row=first_below + r, column=c + 1, value=text or None)
    return wb


def title_columns(cells: int, width: int) -> list[int]:
    """Where cells written side by side above or below a table stand: the first at the left, the last
    towards the right (the quốc hiệu, the signature), any others between."""
    if cells == 1:
        return [0]
    return [round(i * (width - 1) / (cells - 1)) if i else 0 for i in range(cells)]


def spec_document(spec: TableSpec) -> WordDocument:
    """The table at the end of a Word report: the title as paragraphs above it, merged cells merged."""
    document = Document()
    _add_lines(document, spec.title, bold=3)
    width = max(len(r) for r in spec.rows)
    table = document.add_table(rows=len(spec.rows), cols=width)
    table.style = "Table Grid"
    for r, values in enumerate(spec.rows):
        for c, value in enumerate(values):
            if value not in ("", None):
                table.cell(r, c).text = str(value)
                if r < spec.header_rows:
                    for run in table.cell(r, c).paragraphs[0].runs:
                        run.bold = True
    for top, left, bottom, right in spec.merges:
        keep = table.cell(top, left).text
        merged = table.cell(top, left).merge(table.cell(bottom, right))
        merged.text = keep  # Word joins the texts of merged cells; keep the top-left one only
    _add_lines(document, spec.below, bold=0)
    return document


def _add_lines(document: WordDocument, lines: list, bold: int) -> None:
    """Lines around the table as a Word report has them: a line as a paragraph, consecutive lines of
    several cells as a borderless table (the issuing body beside the quốc hiệu, Nơi nhận beside the
    signature)."""
    index = 0
    while index < len(lines):
        line = lines[index]
        if isinstance(line, str) or len(line) == 1:
            paragraph = document.add_paragraph()
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            paragraph.add_run(line if isinstance(line, str) else line[0]).bold = index < bold
            index += 1
            continue
        block = []
        while index < len(lines) and not isinstance(lines[index], str) and len(lines[index]) > 1:
            block.append(lines[index])
            index += 1
        table = document.add_table(rows=len(block), cols=max(len(b) for b in block))
        for r, cells in enumerate(block):
            for c, text in enumerate(cells):
                table.cell(r, c).text = text


def write_appendix(path: Path, rows: list[tuple[int, str, str, str | None]] | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    build_appendix_workbook(rows).save(path)
    return path


def report_spec() -> TableSpec:
    """The appendix inside the Word report a department sends, with the furniture of Nghị định 30/2020/NĐ-CP
    around it: issuing body and quốc hiệu, số ký hiệu, place and date, tên loại and trích yếu, a line of
    text, then under the table the closing line, “Nơi nhận” beside the signature block. Sample data."""
    spec = appendix_spec()
    spec.title = [
        ["UBND TỈNH NINH THUẬN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
        ["SỞ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI", "Độc lập - Tự do - Hạnh phúc"],
        ["Số: 2168/BC-SLĐTBXH", "Ninh Thuận, ngày 02 tháng 02 năm 2020"],
        "BÁO CÁO",
        "Kết quả thực hiện các chỉ tiêu bình đẳng giới tỉnh Ninh Thuận năm 2019 (DỮ LIỆU MẪU)",
        "Thực hiện Kế hoạch của Ủy ban nhân dân tỉnh, Sở Lao động - Thương binh và Xã hội tổng hợp kết quả thực "
        "hiện các chỉ tiêu năm 2019 tại phụ lục dưới đây.",
        "PHỤ LỤC: SỐ LIỆU KẾT QUẢ ĐẠT ĐƯỢC NĂM 2019",
    ]
    spec.below = [
        ["Ghi chú: số liệu cấp xã do Ủy ban nhân dân các huyện, thành phố tổng hợp."],
        ["Nơi nhận:", "KT. GIÁM ĐỐC"],
        ["- UBND tỉnh (b/c);", "PHÓ GIÁM ĐỐC"],
        ["- Sở Nội vụ;", ""],
        ["- Lưu: VT, BTXH-BĐG.", "(DỮ LIỆU MẪU)"],
    ]
    return spec


def write_appendix_document(path: Path, spec: TableSpec | None = None) -> Path:
    """The appendix as the table of a Word report (.docx)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    spec_document(spec or appendix_spec()).save(str(path))
    return path
