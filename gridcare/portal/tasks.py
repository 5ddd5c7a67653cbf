"""Periodic job of the portal: forget spent rate counters and old sign-in codes."""

from __future__ import annotations

import datetime as dt

from gridcare.core.scheduling import periodic

from .services import counters_purge


@periodic("portal.counters_purge", every_seconds=3600)
def counters_purge_job(*, now: dt.datetime | None = None) -> dict:
    return counters_purge(now=now)
