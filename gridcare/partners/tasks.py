"""Periodic job of partner access: forget old call records and spent rate counters."""

from __future__ import annotations

from gridcare.core.scheduling import periodic

from .services import calls_purge


@periodic("partners.calls_purge", every_seconds=6 * 3600)
def calls_purge_job() -> dict:
    return calls_purge()
