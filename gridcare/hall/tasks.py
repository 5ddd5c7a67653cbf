"""Periodic job of the hall queue: close the day (numbers left unserved after closing lapse,
services left open are finished), so no ticket waits overnight and the figures are whole."""

from __future__ import annotations

from gridcare.core.scheduling import periodic

from .services import tickets_close_day


@periodic("hall.tickets_close_day", every_seconds=900)
def tickets_close_day_job() -> dict:
    return tickets_close_day()
