"""Periodic safety net for outage notices (the services queue them in the same transaction
as the outage change; this fills any gap a failed reaction or a bulk import left)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from gridcare.core.scheduling import periodic

from .bursts import fault_bursts_notify
from .choices import OutageStatus
from .models import Outage
from .notices import outage_notices_send


@periodic("outages.notices_reconcile", every_seconds=600)
def notices_reconcile_job(*, hours: int = 24, now: dt.datetime | None = None) -> dict:
    """Every outage still active, or restored within ``hours``, owes its customers what its
    state says (announced, started, new estimate, restored); queue what is missing.
    Idempotent: each message has its unique outbox key, so nothing goes out twice."""
    now = now or timezone.now()
    since = now - dt.timedelta(hours=hours)
    outages = Outage.objects.exclude(status=OutageStatus.CANCELLED).filter(
        Q(restored_at__isnull=True) | Q(restored_at__gte=since)
    )
    queued = 0
    count = 0
    for outage in outages.order_by("pk").iterator(chunk_size=200):
        queued += outage_notices_send(outage=outage, now=now)
        count += 1
    return {"outages": count, "queued": queued}


@periodic("outages.fault_bursts_notify", every_seconds=300)
def fault_bursts_notify_job(*, now: dt.datetime | None = None) -> dict:
    """Dispatchers hear of a new burst of fault reports on a feeder (once per feeder per hour)."""
    return {"notified": fault_bursts_notify(now=now)}
