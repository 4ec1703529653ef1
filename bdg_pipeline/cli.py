"""``bdg``: the command line of the pipeline, in Vietnamese for the officers who use it.

Paths come from BDG_RAW_DIR and BDG_WAREHOUSE (see ``config``)."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
import duckdb

from . import pipeline
from .attainment import STATUS_VI
from .catalogue import CatalogueError, load_catalogue
from .config import settings
from .faults import explain, log_traceback
from .returns import ingest as ingest_module
from .returns.template import TemplateError
from .returns.template_build import build_template
from .warehouse import one_row


def _print_outcomes(summary: pipeline.RunSummary) -> None:
    for outcome in summary.outcomes:
        click.echo(outcome.summary())
    for name in summary.waiting:
        click.echo(f"… {name}: tệp đang được chép vào, chưa tiếp nhận (chạy lại lệnh khi chép xong)")
    for message in summary.refused:
        click.echo(f"✘ {message}")


# click's own usage errors, said in Vietnamese (click ships no Vietnamese catalogue)
USAGE_ERRORS = [
    (r"Missing option '([^']+)'.*", r"Thiếu tùy chọn \1."),
    (r"No such option: (\S+).*", r"Không có tùy chọn \1."),
    (r"No such command '([^']+)'.*", r"Không có lệnh “\1”."),
    (r"Missing argument '([^']+)'.*", r"Thiếu \1."),
    (r"Invalid value for '([^']+)': (.*)", r"Giá trị không hợp lệ cho \1: \2"),
    (r"Got unexpected extra arguments? \((.*)\)", r"Thừa tham số: \1."),
    (r"Option '([^']+)' requires an argument.*", r"Tùy chọn \1 cần một giá trị."),
]
HELP = {"help": "Xem hướng dẫn này rồi thoát."}


def say_usage_error(exc: click.UsageError) -> str:
    message = exc.format_message()
    for pattern, text in USAGE_ERRORS:
        if re.fullmatch(pattern, message, flags=re.S):
            message = re.sub(pattern, text, message, flags=re.S)
            break
    command = exc.ctx.command_path if exc.ctx else "bdg"
    return f"{message}\nXem hướng dẫn: {command} --help"


class SaidInVietnamese(click.ClickException):
    """A fault for the officer, shown as “Lỗi: …” (click's own prefix is English)."""

    def show(self, file: object = None) -> None:
        click.echo(f"Lỗi: {self.format_message()}", err=True)


class UsageSaidInVietnamese(SaidInVietnamese):
    exit_code = 2  # as click's own usage errors


def _format_usage(command: click.Command, ctx: click.Context, formatter: click.HelpFormatter) -> None:
    formatter.write_usage(ctx.command_path, " ".join(command.collect_usage_pieces(ctx)), prefix="Cách dùng: ")


def _format_options(command: click.Command, ctx: click.Context, formatter: click.HelpFormatter) -> None:
    rows = [
        (
            name,
            text.replace("[required]", "[bắt buộc]")
            .replace("default:", "mặc định:")
            .replace("Show this message and exit.", HELP["help"]),
        )
        for p in command.get_params(ctx)
        if (record := p.get_help_record(ctx))
        for name, text in [record]
    ]
    if rows:
        with formatter.section("Tùy chọn"):
            formatter.write_dl(rows)
    if isinstance(command, click.Group):
        commands = [
            (name, cmd.get_short_help_str(70))
            for name in command.list_commands(ctx)
            if (cmd := command.get_command(ctx, name)) is not None and not cmd.hidden
        ]
        if commands:
            with formatter.section("Lệnh"):
                formatter.write_dl(commands)


class Command(click.Command):
    """A command whose help headings are in Vietnamese."""

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        _format_usage(self, ctx, formatter)

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        _format_options(self, ctx, formatter)


class FaultsSaidPlainly(click.Group):
    """Expected faults (lock timeout, disk full, read-only folder, corrupted warehouse) reach the officer as
    a Vietnamese message with what to do; anything else as a short message, the traceback in the log.
    Usage errors and help headings are in Vietnamese too."""

    command_class = Command

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        _format_usage(self, ctx, formatter)

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        _format_options(self, ctx, formatter)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            raise UsageSaidInVietnamese(say_usage_error(exc)) from exc
        except click.exceptions.Abort as exc:
            raise SaidInVietnamese("Đã dừng theo yêu cầu.") from exc
        except (click.exceptions.Exit, click.ClickException):
            raise
        except CatalogueError as exc:
            raise SaidInVietnamese(str(exc)) from exc
        except Exception as exc:
            known = explain(exc)
            log_file = log_traceback(exc, settings().log_dir)
            if known is None:
                message = (
                    "Lỗi không lường trước, lệnh đã dừng; kho công bố giữ nguyên bản trước và không tệp nào bị "
                    f"mất. Hãy gửi nhật ký {log_file or 'lỗi'} cho bộ phận kỹ thuật."
                )
            else:
                message = str(known)
            click.echo(f"Lỗi: {message}", err=True)
            ctx.exit(2)


def _developers_log() -> None:
    """Library log lines go to data/logs/bdg.log, not to the officer's screen."""
    root = logging.getLogger()
    if root.handlers:
        return
    try:
        log_dir = settings().log_dir
        log_dir.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.FileHandler(log_dir / "bdg.log", encoding="utf-8")
    except OSError:
        handler = logging.NullHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.INFO)


@contextmanager
def progress_bar(label: str) -> Iterator[None]:
    """A progress bar over the files being recorded, shown on a terminal when there are many."""
    state: dict[str, Any] = {}

    def tell(done: int, total: int) -> None:
        if total < 20 or not sys.stderr.isatty():
            return
        if "bar" not in state:
            state["bar"] = click.progressbar(length=total, label=label, file=sys.stderr, show_pos=True)
            state["bar"].__enter__()
        state["bar"].update(done - state["bar"].pos)

    token = ingest_module.progress.set(tell)
    try:
        yield
    finally:
        ingest_module.progress.reset(token)
        if "bar" in state:
            state["bar"].__exit__(None, None, None)


@click.group(cls=FaultsSaidPlainly, context_settings={"help_option_names": ["-h", "--help"]})
@click.help_option("-h", "--help", **HELP)
def main() -> None:
    """Pipeline bình đẳng giới: danh mục chỉ tiêu, tiếp nhận biểu báo cáo, kho dữ liệu DuckDB, báo cáo.

    Thư mục nhận báo cáo: BDG_RAW_DIR (mặc định data/raw); kho công bố: BDG_WAREHOUSE."""
    _developers_log()


@main.command()
def rebuild() -> None:
    """Dựng lại toàn bộ kho dữ liệu.

    Từ danh mục, mọi tệp đã từng nhận (kho lưu trữ) và các tệp trong thư mục nhận báo cáo."""
    s = settings()
    if s.instance == "national":
        _national_receive(s, [])
        return
    with progress_bar("Đang ghi các báo cáo"):
        summary = pipeline.rebuild(s)
    if summary.kept:
        click.echo(
            "Không có gì thay đổi từ lần dựng trước (cùng mã nguồn, danh mục và các tệp đã nhận): "
            "giữ nguyên kho dữ liệu đã dựng."
        )
    _print_outcomes(summary)
    click.echo(f"Kho dữ liệu: {summary.published}")
    click.echo(_summary_text(s.warehouse))


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def ingest(files: tuple[Path, ...]) -> None:
    """Tiếp nhận các tệp báo cáo.

    Cùng đường đi với thư mục nhận tự động. Mã thoát 1 nếu có tệp bị từ chối.

    Tệp được sao vào kho lưu trữ, không bị chuyển hay sửa (tệp nằm trong thư mục nhận được chuyển ra khỏi
    đó sau khi kết quả tiếp nhận đã được ghi)."""
    if settings().instance == "national":
        _national_receive(settings(), list(files))
        return
    with progress_bar("Đang ghi các báo cáo"):
        summary = pipeline.ingest(settings(), list(files))
    _print_outcomes(summary)
    if summary.rejected or summary.refused:
        sys.exit(1)


@main.command()
@click.option("--plan", "plan_code", required=True, help="Mã kế hoạch, ví dụ NT-2020")
@click.option("--agency", required=True, help="Tên cơ quan, ví dụ “Sở Y tế”")
@click.option("--year", required=True, type=int, help="Năm số liệu")
@click.option(
    "--period",
    type=click.Choice(["nam", "6thang"]),
    default="nam",
    show_default=True,
    help="Kỳ báo cáo: nam (năm) hoặc 6thang (6 tháng)",
)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Tệp .xlsx sẽ ghi")
def template(plan_code: str, agency: str, year: int, period: str, output: Path | None) -> None:
    """Tạo biểu mẫu báo cáo .xlsx cho một cơ quan.

    Gồm các chỉ tiêu cơ quan chủ trì báo cáo trong kế hoạch."""
    catalogue = load_catalogue(settings().catalogue_dir)
    try:
        workbook = build_template(catalogue, plan_code, agency, year, period)
    except TemplateError as exc:
        raise SaidInVietnamese(str(exc)) from exc
    meta = {r[0].value: r[1].value for r in workbook["_meta"].iter_rows(max_col=2)}
    output = output or Path(f"bieu_{plan_code}_{meta['agency_code']}_{year}_{period}.xlsx")
    workbook.save(output)
    click.echo(f"Đã ghi biểu mẫu: {output}")


@main.group("plan", cls=FaultsSaidPlainly)
@click.help_option("-h", "--help", **HELP)
def plan_group() -> None:
    """Kế hoạch vào danh mục chỉ tiêu qua biểu rà soát .xlsx.

    draft: đọc văn bản kế hoạch thành biểu; export: biểu của kế hoạch đã có; load: nạp biểu đã rà soát."""


@plan_group.command("export")
@click.option("--plan", "plan_code", required=True, help="Mã kế hoạch, ví dụ LC-2021-2030")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Tệp .xlsx sẽ ghi")
def plan_export(plan_code: str, output: Path | None) -> None:
    """Ghi một kế hoạch trong danh mục ra biểu rà soát .xlsx."""
    from .plans.export import UnknownPlan, export_plan
    from .plans.review_workbook import review_workbook

    s = settings()
    catalogue = load_catalogue(s.catalogue_dir)
    try:
        draft = export_plan(catalogue, plan_code)
    except UnknownPlan as exc:
        raise SaidInVietnamese(str(exc)) from exc
    output = output or Path(f"ke_hoach_{plan_code}.xlsx")
    review_workbook(draft, list(catalogue.agencies.name), f"danh mục chỉ tiêu ({s.catalogue_dir})").save(output)
    click.echo(
        f"Đã ghi biểu rà soát kế hoạch {plan_code}: {output} ({len(draft.rows)} dòng chỉ tiêu, "
        f"{len(draft.activities)} hoạt động)"
    )


@plan_group.command("draft")
@click.argument("document", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Tệp .xlsx sẽ ghi")
def plan_draft(document: Path, output: Path | None) -> None:
    """Đọc văn bản kế hoạch (.docx, .pdf có lớp chữ, .txt) thành biểu rà soát .xlsx.

    Ô “Cần xem lại” nói vì sao văn bản chưa đủ rõ; rà soát xong thì nạp bằng “bdg plan load”."""
    from .plans.reader.document_text import DocumentRefused
    from .plans.reader.draft import draft_plan
    from .plans.review_workbook import review_workbook

    catalogue = load_catalogue(settings().catalogue_dir)
    try:
        draft = draft_plan(document, catalogue)
    except DocumentRefused as exc:
        raise SaidInVietnamese(str(exc)) from exc
    output = output or Path(f"ke_hoach_{draft.info.code}_du_thao.xlsx")
    review_workbook(draft, list(catalogue.agencies.name), f"đọc tự động từ {document.name}").save(output)
    indicators = len({(r.objective_no, r.indicator_no) for r in draft.rows})
    flagged = sum(1 for r in draft.rows if r.review) + len(draft.info.review)
    period = f"năm {draft.info.start}" if draft.info.start == draft.info.end else f"{draft.info.start}–{draft.info.end}"
    click.echo(
        f"Đã đọc kế hoạch {draft.info.code} ({draft.info.province}, {period}): "
        f"{len(draft.objectives)} mục tiêu, {indicators} chỉ tiêu, {len(draft.rows)} dòng mục tiêu; "
        f"{flagged} dòng cần xem lại → {output}"
    )


@plan_group.command("load")
@click.argument("workbook", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--replace", is_flag=True, help="Thay kế hoạch cùng mã đã có trong danh mục")
def plan_load(workbook: Path, replace: bool) -> None:
    """Nạp biểu rà soát kế hoạch vào danh mục (BDG_CATALOGUE_DIR).

    Ghi plans/<MÃ>.yaml và mã chỉ số mới vào indicators.yaml; từ chối nếu còn dòng “Cần xem lại”."""
    from .plans.load import PlanLoadError, load_plan_workbook

    s = settings()
    try:
        loaded = load_plan_workbook(workbook, s.catalogue_dir, replace=replace)
    except PlanLoadError as exc:
        raise SaidInVietnamese(f"{workbook.name}: {exc}") from exc
    click.echo(
        f"Đã nạp kế hoạch {loaded.plan_code}: {loaded.indicators} chỉ tiêu, {loaded.targets} dòng mục tiêu "
        f"→ {loaded.plan_file}"
    )
    if loaded.new_codes:
        click.echo("Mã chỉ số mới thêm vào indicators.yaml: " + ", ".join(loaded.new_codes))
    click.echo("Chỉ tiêu của kế hoạch vào kho dữ liệu ở lần chạy tới (bdg rebuild).")


@main.command("sample-data")
@click.option("--into", type=click.Path(file_okay=False, path_type=Path), help="Thư mục (mặc định BDG_RAW_DIR)")
def sample_data(into: Path | None) -> None:
    """Ghi các báo cáo mẫu vào thư mục nhận.

    Mỗi tệp ghi rõ là DỮ LIỆU MẪU."""
    from .samples import write_samples

    target = into or settings().raw_dir
    written = write_samples(target, load_catalogue(settings().catalogue_dir))
    plans = sorted({path.name.removeprefix("MAU_").split("_")[0] for path in written})
    click.echo(f"Đã ghi {len(written)} báo cáo mẫu (DỮ LIỆU MẪU) vào {target}: kế hoạch {', '.join(plans)}.")


@main.command()
@click.option("--province", required=True, help="Tên tỉnh, ví dụ “Ninh Thuận”")
@click.option("--year", required=True, type=int, help="Năm số liệu")
@click.option(
    "--output",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Thư mục kết quả (mặc định data/reports)",
)
def report(province: str, year: int, out_dir: Path | None) -> None:
    """Làm phụ lục báo cáo, biểu đồ và trang HTML.

    Cho một tỉnh và một năm số liệu, từ kho công bố."""
    from .reports.appendix_report import ReportError
    from .reports.build import build_outputs

    s = settings()
    try:
        outputs = build_outputs(s.warehouse, province, year, out_dir or s.reports_dir)
    except ReportError as exc:
        raise SaidInVietnamese(str(exc)) from exc
    click.echo(f"Phụ lục báo cáo: {outputs.workbook}")
    click.echo(f"Trang HTML: {outputs.html} ({len(outputs.pages)} trang chỉ tiêu, {len(outputs.charts)} biểu đồ)")
    if outputs.activities:
        click.echo("\n".join(outputs.activities))


def _national_receive(s: Any, files: list[Path]) -> None:
    """The ministry's instance (BDG_INSTANCE=national): the files and the inbox are provinces' snapshots."""
    from .nation.receive import receive_snapshots

    run = receive_snapshots(s, files, take_inbox=True)
    for line in run.lines():
        click.echo(line)
    in_force = sorted(v.manifest.province for v in run.verdicts if v.in_force and v.manifest)
    click.echo(f"Kho dữ liệu toàn quốc: {run.published} ({len(in_force)} tỉnh: {', '.join(in_force) or 'chưa có'})")
    if run.rejected or run.refused:
        sys.exit(1)


@main.command()
@click.option("--province", required=True, help="Tên tỉnh, ví dụ “Lào Cai”")
@click.option(
    "--output",
    "-o",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Thư mục ghi gói (mặc định data/exports)",
)
@click.option("--folder", is_flag=True, help="Ghi thành một thư mục thay vì một tệp .zip")
def export(province: str, out_dir: Path | None, folder: bool) -> None:
    """Xuất gói dữ liệu của tỉnh để gửi Bộ Nội vụ.

    Mỗi bảng của kho công bố thành một tệp Parquet, kèm manifest.json (tỉnh, thời điểm dựng và công bố kho,
    phiên bản lược đồ, mã sha256 của từng tệp)."""
    from .nation.snapshot import ExportError, export_snapshot

    s = settings()
    try:
        done = export_snapshot(s.warehouse, province, out_dir or s.exports_dir, as_zip=not folder)
    except ExportError as exc:
        raise SaidInVietnamese(str(exc)) from exc
    click.echo(
        f"Đã xuất gói dữ liệu của tỉnh {done.province}: {done.path} ({done.tables} tệp, {done.rows} dòng, "
        f"{done.size / 1024:.0f} KB)"
    )


@main.command("national-report")
@click.option(
    "--output",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Thư mục kết quả (mặc định data/reports)",
)
def national_report(out_dir: Path | None) -> None:
    """Trang HTML và biểu Excel tổng hợp toàn quốc, từ kho dữ liệu toàn quốc (BDG_INSTANCE=national)."""
    from .nation.report import NationalReportError, build_national_outputs

    s = settings()
    try:
        outputs = build_national_outputs(s.warehouse, out_dir or s.reports_dir)
    except NationalReportError as exc:
        raise SaidInVietnamese(str(exc)) from exc
    click.echo(f"Biểu tổng hợp toàn quốc: {outputs.workbook}")
    click.echo(f"Trang HTML: {outputs.html} ({outputs.provinces} tỉnh)")


@main.command()
def summary() -> None:
    """Tóm tắt nội dung kho công bố."""
    s = settings()
    if s.instance == "national":
        from .nation.report import national_summary

        click.echo(national_summary(s.warehouse))
        return
    click.echo(_summary_text(s.warehouse))


@main.command()
def status() -> None:
    """Tình trạng cho người vận hành: lần dựng lại hằng đêm gần nhất, hộp thư, kho công bố, tệp bị cách ly.
    Mã thoát 1 khi lần dựng lại hằng đêm gần nhất thất bại hoặc không đọc được lịch sử chạy."""
    from .orchestration.run_history import read_history  # Dagster is loaded for this command only
    from .status import healthy, status_text

    s = settings()
    history = read_history(s)
    click.echo(status_text(s, history))
    if not healthy(history):
        sys.exit(1)


SUBMISSION_VI = {"accepted": "đang hiệu lực", "superseded": "đã được thay thế"}


def _activity_and_budget_lines(con: duckdb.DuckDBPyConnection) -> list[str]:
    """“Hoạt động TTH-2015 năm 2015: Đã hoàn thành 34, …; quá hạn 6” and “Kinh phí LC-2021-2030: đã chi …”."""
    from .units import format_vn

    lines = []
    for plan, year, counts, overdue in con.execute("""
            SELECT plan_code, year, string_agg(status_vi || ' ' || n, ', ' ORDER BY n DESC, status_vi), sum(late)
            FROM (SELECT plan_code, year, status_vi, count(*) AS n, sum(overdue::INT) AS late
                  FROM v_activities GROUP BY ALL)
            GROUP BY ALL ORDER BY ALL""").fetchall():
        lines.append(f"Hoạt động {plan} năm {year}: {counts}" + (f"; quá hạn {overdue}" if overdue else "") + ".")
    for plan, planned, spent, rate in con.execute("""
            SELECT plan_code, planned_million_vnd, spent_million_vnd, execution_rate FROM v_budget
            WHERE category = 'total' ORDER BY plan_code""").fetchall():
        lines.append(
            f"Kinh phí {plan}: đã chi {format_vn(spent, 1)} / dự toán {format_vn(planned, 1)} triệu đồng "
            f"({format_vn(rate, 1)}%)."
        )
    return lines


def _refusal_lines(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The refused files: those still waiting for a correction by name, those a correction settled by count."""
    rows = con.execute(
        "SELECT file_name, report_path, settled_by FROM v_submissions_log WHERE outcome = 'rejected' "
        "ORDER BY arrival_seq"
    ).fetchall()
    if not rows:
        return []
    waiting = [(name, report) for name, report, settled_by in rows if settled_by is None]
    lines = [
        f"Tệp bị trả lại: {len(rows)} ({len(rows) - len(waiting)} đã xử lý — đã có tệp sửa cùng kế hoạch, "
        f"cơ quan, năm và kỳ được tiếp nhận; {len(waiting)} chờ gửi lại)."
    ]
    lines += [
        f"  chờ gửi lại: {name}" + (f" (báo cáo lỗi: {Path(report).name})" if report else "")
        for name, report in waiting
    ]
    return lines


def _summary_text(warehouse: Path) -> str:
    if not warehouse.exists():
        raise SaidInVietnamese(f"Chưa có kho dữ liệu công bố ({warehouse}). Hãy chạy “bdg rebuild”.")
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        lines = ["", "Kế hoạch             chỉ tiêu  mục tiêu(năm)  quan sát"]
        rows = con.execute("""
            SELECT p.plan_code,
                   (SELECT count(DISTINCT (objective_no, indicator_no)) FROM dim_plan_indicator i
                     WHERE i.plan_code = p.plan_code),
                   (SELECT count(*) FROM fact_target t WHERE t.plan_code = p.plan_code),
                   (SELECT count(*) FROM v_observations o WHERE o.plan_code = p.plan_code)
            FROM dim_plan p ORDER BY p.plan_code""").fetchall()
        lines += [f"{code:<20} {n:>8} {t:>14} {o:>9}" for code, n, t, o in rows]
        subs = con.execute("SELECT status, count(*) FROM submission GROUP BY ALL ORDER BY 1").fetchall()
        received = ", ".join(f"{SUBMISSION_VI.get(s, s)} {n}" for s, n in subs) or "chưa có"
        flagged = one_row(con, "SELECT count(*) FROM v_observations WHERE flagged")[0]
        activities = one_row(con, "SELECT count(*) FROM plan_activity")[0]
        lines.append(
            f"Báo cáo: {received}. Số liệu có cảnh báo chất lượng: {flagged}. Hoạt động trong danh mục: {activities}."
        )
        lines += _refusal_lines(con)
        if one_row(con, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'v_attainment'")[0]:
            status = con.execute(
                "SELECT status, count(*) FROM v_attainment WHERE level = 'tinh' GROUP BY ALL ORDER BY 2 DESC"
            ).fetchall()
            lines.append("Đánh giá mục tiêu (cấp tỉnh): " + ", ".join(f"{STATUS_VI.get(s, s)} {n}" for s, n in status))
        lines += _activity_and_budget_lines(con)
        return "\n".join(lines)
    finally:
        con.close()
