"""Charts with matplotlib, labelled in Vietnamese: attainment by objective, and each chỉ tiêu's values
against its target path. Years are whole numbers, decimals use a comma, titles wrap rather than being
cut, yes/no chỉ tiêu read “Có”/“Không”, and each reported point is coloured by whether it meets the target."""

from __future__ import annotations

import textwrap
from pathlib import Path

import duckdb
import pandas as pd
from matplotlib.figure import Figure  # the object API: no pyplot state, no GUI backend in a server
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator

from ..attainment import STATUS_VI
from ..figures import is_met, target_for_year
from ..units import format_vn
from ..vocabulary import UNITS

STATUS_ORDER = [
    "achieved",
    "on_track",
    "needs_acceleration",
    "limited_progress",
    "regressing",
    "not_yet",
    "not_achieved",
    "insufficient_data",
    "no_data",
]
BAR_COLOURS = {
    "achieved": "#2e7d32",
    "on_track": "#81c784",
    "needs_acceleration": "#fbc02d",
    "limited_progress": "#f57c00",
    "regressing": "#c62828",
    "not_achieved": "#8e0000",
    "not_yet": "#ffe082",
    "insufficient_data": "#b0bec5",
    "no_data": "#e0e0e0",
}
MET, NOT_MET = "#2e7d32", "#c62828"
COMMA = FuncFormatter(lambda value, _pos: format_vn(value, 2))


def objective_chart(con: duckdb.DuckDBPyConnection, province: str, plan_code: str, path: Path) -> Path | None:
    """Stacked bars: targets per objective by status, province level, every target year of the plan."""
    frame = con.execute(
        """
        SELECT a.objective_no, o.field, a.target_year, a.status, count(*) AS n
        FROM v_attainment a JOIN dim_objective o USING (plan_code, objective_no)
        WHERE a.plan_code = $plan AND a.province = $province AND a.level = 'tinh'
        GROUP BY ALL ORDER BY a.objective_no, a.target_year""",
        {"plan": plan_code, "province": province},
    ).df()
    if frame.empty:
        return None
    frame["label"] = [
        f"MT{o} ({y}): " + textwrap.shorten(str(f), 40, placeholder="…")
        for o, f, y in zip(frame.objective_no, frame.field, frame.target_year, strict=True)
    ]
    table = frame.pivot_table(index="label", columns="status", values="n", aggfunc="sum", fill_value=0, sort=False)
    order = [s for s in STATUS_ORDER if s in table.columns]
    fig = Figure(figsize=(10, 0.42 * len(table) + 2.4))
    ax = fig.subplots()
    left = None
    for status in order:
        values = table[status]
        ax.barh(table.index, values, left=left, color=BAR_COLOURS[status], label=STATUS_VI[status])
        left = values if left is None else left + values
    ax.invert_yaxis()
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("Số mục tiêu")
    ax.set_title(
        "\n".join(textwrap.wrap(f"{province} — {plan_code}: mức độ đạt mục tiêu theo lĩnh vực (cấp tỉnh)", 80)),
        fontsize=11,
    )
    # below the bars, never over them
    fig.legend(*ax.get_legend_handles_labels(), loc="lower center", ncol=min(len(order), 5), fontsize=8, frameon=False)
    fig.tight_layout(rect=(0, 0.08 + 0.02 * (len(order) > 5), 1, 1))
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    return path


def indicator_chart(path_rows: pd.DataFrame, targets: pd.DataFrame, title: str, unit: str, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    indicator_figure(path_rows, targets, title, unit).savefig(path, dpi=100)
    return path


def indicator_figure(path_rows: pd.DataFrame, targets: pd.DataFrame, title: str, unit: str) -> Figure:
    """One chỉ tiêu part at province level: the expected path, the reported values (green when the value
    meets the target it is judged against, red when not), the targets as stars."""
    fig = Figure(figsize=(7.5, 4.0))
    ax = fig.subplots()
    yes_no = unit == "yes_no"
    if not yes_no and path_rows.expected_value.notna().any():
        ax.plot(path_rows.year, path_rows.expected_value, "--", color="#78909c", label="Lộ trình cần đạt")
    observed = path_rows.dropna(subset=["observed_value"])
    if not yes_no and len(observed) > 1:
        ax.plot(observed.year, observed.observed_value, "-", color="#90a4ae", zorder=1)
    colours = [
        MET if _meets(year, value, targets, unit) else NOT_MET
        for year, value in zip(observed.year, observed.observed_value, strict=True)
    ]
    ax.scatter(observed.year, observed.observed_value, c=colours, s=46, zorder=3, edgecolors="white")
    ax.scatter([], [], color=MET, label="Số liệu báo cáo: đạt")
    ax.scatter([], [], color=NOT_MET, label="Số liệu báo cáo: chưa đạt")
    ax.scatter(
        targets.target_year, targets.target_value, marker="*", s=180, color="#1565c0", zorder=4, label="Mục tiêu"
    )
    years = sorted({*map(int, path_rows.year), *map(int, targets.target_year)})
    step = max(1, len(years) // 10)
    ax.xaxis.set_major_locator(FixedLocator(years[::step]))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _pos: f"{int(round(value))}"))
    ax.set_xlim(min(years) - 0.5, max(years) + 0.5)
    ax.set_xlabel("Năm")
    if yes_no:
        ax.set_yticks([0, 1], ["Không", "Có"])
        ax.set_ylim(-0.3, 1.3)
    else:
        ax.yaxis.set_major_formatter(COMMA)
        ax.set_ylabel(UNITS.get(unit, unit))
    ax.set_title("\n".join(textwrap.wrap(title, 75, max_lines=3, placeholder=" …")), fontsize=9)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    fig.tight_layout()
    return fig


def _meets(year: int, value: float, targets: pd.DataFrame, unit: str) -> bool:
    """Against the target the year's value is held to (:func:`bdg_pipeline.figures.target_for_year`)."""
    _, target, direction = target_for_year(
        int(year),
        list(zip(targets.target_year.astype(int), targets.target_value.astype(float), targets.direction, strict=True)),
    )
    return is_met(float(value), target, direction, unit)
