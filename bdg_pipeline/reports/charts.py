"""Charts with matplotlib: attainment by objective, and each indicator's trajectory against its target
path, as PNG files and one self-contained HTML page (images embedded), labels in Vietnamese."""

from __future__ import annotations

import base64
import html
from pathlib import Path

import duckdb
from matplotlib.figure import Figure  # the object API: no pyplot state, no GUI backend in a server
from matplotlib.ticker import MaxNLocator

from ..attainment import STATUS_VI
from ..vocabulary import UNITS
from .appendix_report import STATUS_COLOURS

STATUS_ORDER = ["achieved", "on_track", "needs_acceleration", "limited_progress", "regressing", "not_yet",
                "not_achieved", "insufficient_data", "no_data"]
BAR_COLOURS = {"achieved": "#2e7d32", "on_track": "#81c784", "needs_acceleration": "#fbc02d",
               "limited_progress": "#f57c00", "regressing": "#c62828", "not_achieved": "#8e0000",
               "not_yet": "#ffe082", "insufficient_data": "#b0bec5", "no_data": "#e0e0e0"}
assert set(BAR_COLOURS) <= set(STATUS_COLOURS)


def objective_chart(con: duckdb.DuckDBPyConnection, province: str, plan_code: str, path: Path) -> Path | None:
    """Stacked bars: targets per objective by status, province level, every target year of the plan."""
    frame = con.execute("""
        SELECT a.objective_no, o.field, a.target_year, a.status, count(*) AS n
        FROM v_attainment a JOIN dim_objective o USING (plan_code, objective_no)
        WHERE a.plan_code = $plan AND a.province = $province AND a.level = 'tinh'
        GROUP BY ALL ORDER BY a.objective_no""", {"plan": plan_code, "province": province}).df()
    if frame.empty:
        return None
    frame["label"] = ("MT" + frame.objective_no.astype(str) + " " + frame.field.str.slice(0, 28)
                      + " (" + frame.target_year.astype(str) + ")")
    table = frame.pivot_table(index="label", columns="status", values="n", aggfunc="sum", fill_value=0, sort=False)
    order = [s for s in STATUS_ORDER if s in table.columns]
    fig = Figure(figsize=(10, 0.45 * len(table) + 1.8))
    ax = fig.subplots()
    left = None
    for status in order:
        values = table[status]
        ax.barh(table.index, values, left=left, color=BAR_COLOURS[status], label=STATUS_VI[status])
        left = values if left is None else left + values
    ax.invert_yaxis()
    ax.set_xlabel("Số mục tiêu")
    ax.set_title(f"{province} — {plan_code}: mức độ đạt mục tiêu theo lĩnh vực (cấp tỉnh)")
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    return path


def trajectory_charts(con: duckdb.DuckDBPyConnection, province: str, plan_code: str, folder: Path) -> list[Path]:
    """One PNG per chỉ tiêu part with observations: observed values, the expected path, the targets."""
    parts = con.execute("""
        SELECT DISTINCT g.objective_no, g.indicator_no, g.part, g.indicator_code, i.name, i.unit
        FROM v_progress g JOIN dim_indicator i USING (indicator_code)
        WHERE g.plan_code = $plan AND g.province = $province AND g.observed_value IS NOT NULL
        ORDER BY ALL""", {"plan": plan_code, "province": province}).fetchall()
    written = []
    for objective_no, indicator_no, part, _code, name, unit in parts:
        path_rows = con.execute("""
            SELECT year, expected_value, observed_value FROM v_progress
            WHERE plan_code = $plan AND objective_no = $o AND indicator_no = $i AND part = $p ORDER BY year""",
            {"plan": plan_code, "o": objective_no, "i": indicator_no, "p": part}).df()
        targets = con.execute("""
            SELECT target_year, target_value FROM fact_target
            WHERE plan_code = $plan AND objective_no = $o AND indicator_no = $i AND part = $p""",
            {"plan": plan_code, "o": objective_no, "i": indicator_no, "p": part}).df()
        fig = Figure(figsize=(7.5, 3.8))
        ax = fig.subplots()
        ax.plot(path_rows.year, path_rows.expected_value, "--", color="#78909c", label="Lộ trình cần đạt")
        observed = path_rows.dropna(subset=["observed_value"])
        ax.plot(observed.year, observed.observed_value, "o-", color="#1565c0", label="Số liệu báo cáo")
        ax.scatter(targets.target_year, targets.target_value, marker="*", s=160, color="#c62828", zorder=3,
                   label="Mục tiêu")
        ax.set_title(f"{plan_code} MT{objective_no}.CT{indicator_no}{part}: {name[:70]}", fontsize=9)
        ax.set_xlabel("Năm")
        ax.set_ylabel(UNITS.get(unit, unit))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
        fig.tight_layout()
        path = folder / f"{plan_code}_MT{objective_no}_CT{indicator_no}{part}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=100)
        written.append(path)
    return written


def html_page(title: str, images: list[Path], summary_rows: list[tuple[str, str, int]], path: Path) -> Path:
    """A single HTML file with every chart embedded, readable offline."""
    parts = [f"<!doctype html><html lang='vi'><head><meta charset='utf-8'><title>{html.escape(title)}</title>",
             "<style>body{font-family:sans-serif;max-width:1000px;margin:auto}img{max-width:100%}"
             "table{border-collapse:collapse}td,th{border:1px solid #999;padding:4px 8px}</style></head><body>",
             f"<h1>{html.escape(title)}</h1>", "<table><tr><th>Kế hoạch</th><th>Đánh giá</th><th>Số mục tiêu</th></tr>"]
    parts += [f"<tr><td>{html.escape(p)}</td><td>{html.escape(s)}</td><td>{n}</td></tr>" for p, s, n in summary_rows]
    parts.append("</table>")
    for image in images:
        data = base64.b64encode(image.read_bytes()).decode("ascii")
        parts.append(f"<figure><img alt='{html.escape(image.stem)}' src='data:image/png;base64,{data}'>"
                     f"<figcaption>{html.escape(image.stem)}</figcaption></figure>")
    parts.append("</body></html>")
    path.write_text("\n".join(parts), encoding="utf-8")
    return path
