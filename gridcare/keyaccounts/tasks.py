"""Periodic jobs of key-account service: the inspection schedule and the plans' expiry
warnings (both idempotent: see the services)."""

from __future__ import annotations

from gridcare.core.scheduling import periodic

from .services import inspections_schedule, plans_warn


@periodic("keyaccounts.inspections_schedule", every_seconds=6 * 3600)
def inspections_schedule_job() -> dict:
    """Generate the next safety inspection of every subscription whose time has come."""
    return inspections_schedule()


@periodic("keyaccounts.plans_warn", every_seconds=6 * 3600)
def plans_warn_job() -> dict:
    """Warn the managers of customers whose emergency plan is expiring or expired."""
    return plans_warn()
