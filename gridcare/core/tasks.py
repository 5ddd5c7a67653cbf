"""Periodic jobs of the core (see ``gridcare.core.scheduling``)."""

from .maintenance import optimize
from .scheduling import periodic


@periodic("core.db_optimize", every_seconds=3600)
def db_optimize_job():
    """Planner statistics kept fresh (SQLite ``PRAGMA optimize``)."""
    return optimize()
