"""What each accepted return changed, told back as a receipt (“12 giá trị mới, 2 thay thế giá trị trước, 30
giữ nguyên từ báo cáo ngày 10/12/2025, 1 giá trị bị xóa”), and which returns have nothing left in force.

Which value is in force is decided in SQL only (``sql/views.sql``: ``submission_precedence`` and
``values_as_of``); this module compares that decision just before and just after a return's arrival. Both
are taken as of arrival numbers, so a rebuild replaying the ledger gives every return the same receipt
whatever the batches it is recorded in.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

import duckdb
import pyarrow

# returns of the batch that share their plan, agency, year and kind with an earlier arrival (either period),
# with that scope, their arrival number and the arrival numbers of the scope's returns
CONTESTED_SQL = """
    SELECT b.submission_id, b.plan_code, b.agency_scope, b.year, b.kind, b.arrival_seq,
           list(e.arrival_seq ORDER BY e.arrival_seq)
    FROM submission_precedence b JOIN submission_precedence e USING (plan_code, agency_scope, year, kind)
    WHERE b.submission_id IN (SELECT unnest(?::VARCHAR[]))
    GROUP BY ALL
    HAVING min(e.arrival_seq) < b.arrival_seq
"""
# the values of each asked scope as of each asked arrival (asked_states: state, plan_code, agency_scope, year,
# kind, upto), all in one evaluation: values_as_of is the one rule, asked once per state
STATES_SQL = """
    SELECT s.state, v.submission_id, v.period, v.effective_date, v.precedence, v.fact, v.objective_no,
           v.indicator_no, v.part, v.area_code, v.level, v.value_year, v.activity_no, v.source_name, v.withdrawn,
           v.in_force
    FROM asked_states AS s, LATERAL (
        SELECT * FROM values_as_of(s.upto, false) AS x
        WHERE x.plan_code = s.plan_code AND x.agency_scope = s.agency_scope AND x.year = s.year AND x.kind = s.kind
    ) AS v
    ORDER BY ALL
"""


def vn_date(day: dt.date) -> str:
    return f"{day:%d/%m/%Y}"


@dataclass
class Receipt:
    """How a return's values fared on arrival (values of chỉ tiêu; activities and spending are counted apart)."""

    new: int = 0  # keys nobody held
    replaced: int = 0  # keys an earlier return held
    withdrawn: int = 0  # keys held until this return's “Xóa”
    nothing_to_withdraw: int = 0  # “Xóa” where nothing was in force
    kept: Counter[dt.date] = field(default_factory=Counter)  # values it left blank still in force, by their date
    overruled: Counter[dt.date] = field(default_factory=Counter)  # own values a later-dated return holds
    yearly_in_force: bool = False  # a 6-month return of a year whose yearly return is in

    def text(self) -> str:
        if self.yearly_in_force:
            return "không có hiệu lực: đã có báo cáo năm của cùng năm (báo cáo năm thay cho báo cáo 6 tháng)"
        parts = [f"{self.new} giá trị mới"] if self.new else []
        if self.replaced:
            parts.append(f"{self.replaced} thay thế giá trị trước")
        parts += [f"{n} giữ nguyên từ báo cáo ngày {vn_date(day)}" for day, n in sorted(self.kept.items())]
        if self.withdrawn:
            parts.append(f"{self.withdrawn} giá trị bị xóa")
        if self.nothing_to_withdraw:
            parts.append(f"{self.nothing_to_withdraw} ô “Xóa” không có giá trị trước để xóa")
        parts += [
            f"{n} giá trị không áp dụng vì báo cáo ngày {vn_date(day)} mới hơn"
            for day, n in sorted(self.overruled.items())
        ]
        return ", ".join(parts) or "không có giá trị chỉ tiêu nào"


@dataclass
class Standing:
    """A return just accepted: its receipt, and the earlier returns it left with nothing in force."""

    receipt: Receipt
    superseded: list[str] = field(default_factory=list)  # submission ids
    in_force: bool = True  # whether anything of the return itself is in force


def settle_arrivals(
    con: duckdb.DuckDBPyConnection,
    accepted: list[str],
    own: dict[str, tuple[int, int]],
    states: ScopeStates | None = None,
) -> tuple[dict[str, Standing], list[str]]:
    """Receipts of the returns just inserted (``accepted``, in arrival order; ``own``: the values and the
    withdrawals each carries), and the ``status`` and ``superseded_by`` of every return of the scopes they
    share with earlier ones brought up to date (those returns are given back: their values may have moved in
    or out of force). ``states``: those of the batches recorded before this one, when there were any."""
    contested = con.execute(CONTESTED_SQL, [accepted]).fetchall()
    scopes = {s: (tuple(scope), seq) for s, *scope, seq, _ in contested}
    standings: dict[str, Standing] = {}
    states = states or ScopeStates(con)
    states.arrivals = {tuple(scope): arrivals for _, *scope, _, arrivals in contested}  # as of this batch
    wanted = [(scope, upto) for scope, seq in scopes.values() for upto in (seq - 1, seq)]
    states.ask(wanted + [(scope, None) for scope in states.arrivals])
    for submission_id in accepted:
        if submission_id not in scopes:
            values, xoa = own.get(submission_id, (0, 0))
            standings[submission_id] = Standing(Receipt(new=values, nothing_to_withdraw=xoa))
            continue
        scope, seq = scopes[submission_id]
        standings[submission_id] = _compare(states.at(scope, seq - 1), states.at(scope, seq), submission_id)
    shared: set[str] = set()
    for scope in sorted(states.arrivals):
        rows = states.at(scope, None)
        _update_status(con, rows)
        shared |= {r[0] for r in rows}
    states.keep_latest()
    return standings, sorted(shared)


class ScopeStates:
    """The values of a scope and whether each is in force, as of an arrival: the states a batch needs asked of
    SQL together (the state after one return is the state before the next one of the same scope). A state
    depends only on the returns of its scope that had arrived by then, which never change once recorded: it
    is kept from batch to batch under exactly those arrival numbers (the latest state of each scope only)."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con
        self.arrivals: dict[tuple, list[int]] = {}  # arrival numbers of each scope's returns
        self.known: dict[tuple[tuple, tuple[int, ...]], list[tuple]] = {}

    def _arrived(self, scope: tuple, seq: int | None) -> tuple[int, ...]:
        return tuple(sorted(s for s in self.arrivals[scope] if seq is None or s <= seq))

    def ask(self, wanted: list[tuple[tuple, int | None]]) -> None:
        """Work out, in one query, every state (scope, as of an arrival; None: the latest) not known yet."""
        asked = list(
            dict.fromkeys(
                (scope, arrived)
                for scope, seq in wanted
                if (arrived := self._arrived(scope, seq)) and (scope, arrived) not in self.known
            )
        )
        if not asked:
            return
        columns = ("plan_code", "agency_scope", "year", "kind")
        table = pyarrow.table(
            {
                "state": pyarrow.array(range(len(asked)), pyarrow.int64()),
                **{column: [scope[i] for scope, _ in asked] for i, column in enumerate(columns)},
                "upto": [arrived[-1] for _, arrived in asked],
            }
        )
        self.con.register("asked_states", table)
        try:
            rows = self.con.execute(STATES_SQL).fetchall()
        finally:
            self.con.unregister("asked_states")
        found: list[list[tuple]] = [[] for _ in asked]
        for state, *row in rows:
            found[state].append(tuple(row))
        self.known.update(zip(asked, found, strict=True))

    def at(self, scope: tuple, seq: int | None) -> list[tuple]:
        arrived = self._arrived(scope, seq)
        return self.known[(scope, arrived)] if arrived else []

    def keep_latest(self) -> None:
        """Forget every state but the latest of each scope (the one the scope's next arrival starts from)."""
        latest: dict[tuple, tuple[int, ...]] = {}
        for scope, arrived in self.known:
            if arrived[-1] > latest.get(scope, (-1,))[-1]:
                latest[scope] = arrived
        self.known = {(scope, arrived): self.known[(scope, arrived)] for scope, arrived in latest.items()}


def _key(row: tuple) -> tuple:
    return (row[1], *row[4:13])  # period, fact, then the value's own key


def _compare(before: list[tuple], after: list[tuple], submission_id: str) -> Standing:
    held_before = {_key(r): r for r in before if r[14]}
    held_after = {_key(r): r for r in after if r[14]}
    receipt = Receipt()
    mine = [r for r in after if r[0] == submission_id]
    period = mine[0][1] if mine else None
    for row in mine:
        if row[4] != "observation":
            continue
        holder, earlier = held_after.get(_key(row)), held_before.get(_key(row))
        if holder is None:
            receipt.yearly_in_force = True  # only a yearly return keeps a value from being held at all
        elif holder[0] != submission_id:
            receipt.overruled[holder[2]] += 1
        elif row[13]:
            if earlier is not None and not earlier[13]:
                receipt.withdrawn += 1
            else:
                receipt.nothing_to_withdraw += 1
        elif earlier is not None and not earlier[13]:
            receipt.replaced += 1
        else:
            receipt.new += 1
    carried = {_key(r) for r in mine}
    for key, holder in held_after.items():
        if key not in carried and key[0] == period and key[1] == "observation" and not holder[13]:
            receipt.kept[holder[2]] += 1
    alive_before = {r[0] for r in held_before.values()}
    alive_after = {r[0] for r in held_after.values()}
    return Standing(receipt, sorted(alive_before - alive_after), submission_id in alive_after)


def _update_status(con: duckdb.DuckDBPyConnection, rows: list[tuple]) -> None:
    """Each return of a scope: ``accepted`` while anything of it is in force, else ``superseded`` by the
    latest return of its period (a 6-month return: by the yearly one)."""
    alive = {r[0] for r in rows if r[14]}
    latest: dict[str, tuple[int, str]] = {}
    for r in rows:
        latest[r[1]] = max(latest.get(r[1], (0, "")), (r[3], r[0]))
    updates = []
    for submission_id, period in sorted({(r[0], r[1]) for r in rows}):
        if submission_id in alive:
            updates.append(["accepted", None, submission_id])
        else:
            by = latest.get("nam") if period != "nam" and "nam" in latest else latest[period]
            updates.append(["superseded", by[1] if by else None, submission_id])
    con.executemany("UPDATE submission SET status = ?, superseded_by = ? WHERE submission_id = ?", updates)
