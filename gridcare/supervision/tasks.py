"""Periodic jobs of supervision (thin, idempotent)."""

from __future__ import annotations

from gridcare.core.scheduling import periodic

from . import services


@periodic("supervision.consultation_reminders", every_seconds=3600)
def consultation_reminders_job() -> dict:
    """Remind units whose consultation with the social supervisors is due soon or overdue."""
    return services.consultation_reminders_send()
