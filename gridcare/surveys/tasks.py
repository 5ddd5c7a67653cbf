"""Periodic job of surveys: close the campaigns past their closing date."""

from __future__ import annotations

import datetime as dt

from gridcare.core.scheduling import periodic

from .services import campaigns_expire


@periodic("surveys.campaigns_expire", every_seconds=3600)
def campaigns_expire_job(*, now: dt.datetime | None = None) -> dict:
    return {"closed": campaigns_expire(now=now)}
