"""Periodic job of the application process: record stalled processes for their clerks
(idempotent: one follow-up per stall episode, see ``services.stalls_mark``)."""

from __future__ import annotations

from gridcare.core.scheduling import periodic

from .services import stalls_mark


@periodic("applications.stalls_mark", every_seconds=3600)
def stalls_mark_job() -> dict:
    """Every process stalled now gets its follow-up on the accepting clerk's list."""
    return {"recorded": stalls_mark()}
