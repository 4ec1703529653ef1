"""``bdg``: the command line of the pipeline. Paths come from BDG_RAW_DIR and BDG_WAREHOUSE."""

from __future__ import annotations

import sys
from pathlib import Path

import click
import duckdb

from . import pipeline
from .catalogue import CatalogueError, load_catalogue
from .config import settings
from .faults import explain, log_traceback
from .returns.template import TemplateError, build_template
from .warehouse import one_row


def _print_outcomes(summary: pipeline.RunSummary) -> None:
    for outcome in summary.outcomes:
        click.echo(outcome.summary())
    for name in summary.waiting:
        click.echo(f"… {name}: tệp đang được chép vào, chưa tiếp nhận (chạy lại lệnh khi chép xong)")


class FaultsSaidPlainly(click.Group):
    """Expected faults (lock timeout, disk full, read-only folder, corrupted warehouse) reach the officer as
    a Vietnamese message with what to do; anything else as a short message, the traceback in the log."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except CatalogueError as exc:
            raise click.ClickException(str(exc)) from exc
        except Exception as exc:
            known = explain(exc)
            log_file = log_traceback(exc, settings().log_dir)
            if known is None:
                message = ("Lỗi không lường trước, lệnh đã dừng; kho công bố giữ nguyên bản trước và không tệp nào bị "
                           f"mất. Hãy gửi nhật ký {log_file or 'lỗi'} cho bộ phận kỹ thuật.")
            else:
                message = str(known)
            click.echo(f"Lỗi: {message}", err=True)
            ctx.exit(2)


@click.group(cls=FaultsSaidPlainly)
def main() -> None:
    """Pipeline bình đẳng giới: danh mục chỉ tiêu, tiếp nhận biểu báo cáo, kho dữ liệu DuckDB."""


@main.command()
def rebuild() -> None:
    """Build the warehouse anew from the catalogue, every file ever received (the archive) and the inbox."""
    s = settings()
    summary = pipeline.rebuild(s)
    _print_outcomes(summary)
    click.echo(f"Kho dữ liệu: {summary.published}")
    click.echo(_summary_text(s.warehouse))


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def ingest(files: tuple[Path, ...]) -> None:
    """Ingest returns (the same code path as the inbox sensor). Exit code 1 if any file was rejected.

    The files are copied into the archive and never moved or changed (files in the inbox are moved out of it
    once their fate is recorded)."""
    summary = pipeline.ingest(settings(), list(files))
    _print_outcomes(summary)
    if summary.rejected:
        sys.exit(1)


@main.command()
@click.option("--plan", "plan_code", required=True, help="Mã kế hoạch, ví dụ NT-2020")
@click.option("--agency", required=True, help="Tên cơ quan, ví dụ “Sở Y tế”")
@click.option("--year", required=True, type=int)
@click.option("--period", type=click.Choice(["nam", "6thang"]), default="nam", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Tệp .xlsx sẽ ghi")
def template(plan_code: str, agency: str, year: int, period: str, output: Path | None) -> None:
    """Write an .xlsx return template for the indicators an agency reports in a plan."""
    catalogue = load_catalogue(settings().catalogue_dir)
    try:
        workbook = build_template(catalogue, plan_code, agency, year, period)
    except TemplateError as exc:
        raise click.ClickException(str(exc)) from exc
    meta = {r[0].value: r[1].value for r in workbook["_meta"].iter_rows(max_col=2)}
    output = output or Path(f"bieu_{plan_code}_{meta['agency_code']}_{year}_{period}.xlsx")
    workbook.save(output)
    click.echo(f"Đã ghi biểu mẫu: {output}")


@main.command("sample-data")
@click.option("--into", type=click.Path(file_okay=False, path_type=Path), help="Thư mục (mặc định BDG_RAW_DIR)")
def sample_data(into: Path | None) -> None:
    """Write the bundled sample returns (clearly labelled sample data) into the inbox."""
    from .samples import write_samples

    target = into or settings().raw_dir
    for path in write_samples(target, load_catalogue(settings().catalogue_dir)):
        click.echo(f"Đã ghi dữ liệu mẫu: {path}")


@main.command()
@click.option("--province", required=True, help="Tên tỉnh, ví dụ “Ninh Thuận”")
@click.option("--year", required=True, type=int, help="Năm số liệu")
@click.option("--output", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Thư mục kết quả (mặc định data/reports)")
def report(province: str, year: int, out_dir: Path | None) -> None:
    """Write the report appendix workbook, charts and HTML page for a province and year."""
    from .reports.appendix_report import ReportError
    from .reports.build import build_outputs

    s = settings()
    try:
        outputs = build_outputs(s.warehouse, province, year, out_dir or s.reports_dir)
    except ReportError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Phụ lục báo cáo: {outputs.workbook}")
    click.echo(f"Trang HTML: {outputs.html} ({len(outputs.charts)} biểu đồ)")


@main.command()
def summary() -> None:
    """Print what the published warehouse holds."""
    click.echo(_summary_text(settings().warehouse))


def _summary_text(warehouse: Path) -> str:
    if not warehouse.exists():
        raise click.ClickException(f"Chưa có kho dữ liệu công bố ({warehouse}). Hãy chạy “bdg rebuild”.")
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
        flagged = one_row(con, "SELECT count(*) FROM v_observations WHERE flagged")[0]
        activities = one_row(con, "SELECT count(*) FROM plan_activity")[0]
        lines.append(f"Báo cáo: {dict(subs) or 'chưa có'}; cảnh báo chất lượng: {flagged}; "
                     f"hoạt động (TTH-2015): {activities}")
        if one_row(con, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'v_attainment'")[0]:
            status = con.execute("SELECT status, count(*) FROM v_attainment WHERE level = 'tinh' "
                                 "GROUP BY ALL ORDER BY 2 DESC").fetchall()
            lines.append("Đánh giá mục tiêu (cấp tỉnh): " + ", ".join(f"{s}: {n}" for s, n in status))
        return "\n".join(lines)
    finally:
        con.close()
