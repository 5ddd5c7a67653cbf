"""Background work: thin tasks and periodic jobs that call services (all idempotent)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from gridcare.core.scheduling import periodic
from gridcare.workorders.models import WorkOrder

from . import services
from .models import CallbackTask


@task()
def deliver_outbox() -> dict:
    return services.outbox_deliver()


@periodic("escalation.sla_sweep", every_seconds=60)
def sla_sweep_job() -> dict:
    """Warnings and escalations for every order whose next level is due, then for every
    deadline other apps register with the monitor (an outage's restoration)."""
    return {**services.sla_sweep(), "deadlines": services.deadline_sweep()}


@periodic("escalation.sla_reconcile", every_seconds=600)
def sla_reconcile_job() -> int:
    """Safety net: watches missing or behind (bulk-loaded orders, lost signals)."""
    return services.sla_reconcile()


@periodic("escalation.outbox", every_seconds=60)
def outbox_job() -> dict:
    copied = services.customer_notices_enqueue()
    return {"notices": copied, **services.outbox_deliver()}


@periodic("escalation.notification_digest", every_seconds=900)
def notification_digest_job() -> dict:
    """The daily digest: after the digest hour (setting ``notification_digest_hour``), one
    notification per recipient bundles what the rules send by digest. Runs every quarter
    hour; only the first run after the digest hour finds anything (items after it wait for
    tomorrow), and an item is never sent twice."""
    return services.notification_digests_send()


@periodic("escalation.callback_reconcile", every_seconds=900)
def callback_reconcile_job(*, days: int = 14) -> int:
    """Replied orders of the last ``days`` without their callback task get one."""
    from gridcare.workorders.choices import Status

    since = timezone.now() - dt.timedelta(days=days)
    missing = (
        WorkOrder.objects.filter(status=Status.REPLIED, replied_at__gte=since)
        .exclude(pk__in=CallbackTask.objects.filter(kind="order", status="pending").values("order_id"))
        .values_list("pk", flat=True)[:2000]
    )
    made = 0
    for pk in list(missing):
        with transaction.atomic():
            made += services.callback_task_ensure(order=pk) is not None
    return made
