"""The day a file is read against. A few rules compare what a return says with today (a report date or an
activity's date may not lie ahead of it); a reading that met no date ahead of its day reads the same on
every later day, and only such a reading may be kept for later days (``readings``)."""

from __future__ import annotations

import datetime as dt

_met_ahead = False


def is_ahead(day: dt.date) -> bool:
    """Whether ``day`` lies ahead of today; remembered for the reading under way."""
    global _met_ahead
    if day > dt.date.today():
        _met_ahead = True
        return True
    return False


def start_reading() -> None:
    global _met_ahead
    _met_ahead = False


def met_ahead() -> bool:
    """Whether the reading since :func:`start_reading` compared a date ahead of today."""
    return _met_ahead
