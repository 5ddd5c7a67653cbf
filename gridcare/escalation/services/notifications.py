"""In-app notifications and the outbound message outbox."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from django.db import IntegrityError, transaction

from gridcare.core.params import MAX_ID
from gridcare.workorders.models import CustomerNotice, WorkOrder

from ..backends import get_backend
from ..choices import OutboundChannel, OutboundStatus
from ..models import EscalationSetting, Notification, OutboundMessage, OutboxCursor
from ._common import now_or

log = logging.getLogger("gridcare.escalation")

RETRY_BACKOFF = [60, 300, 900, 3600]  # seconds before the 2nd, 3rd, … attempt


def notification_create_many(
    *,
    recipients: Iterable[int | None],
    kind: str,
    text: str,
    order: WorkOrder | None = None,
    exclude: int | None = None,
    now: dt.datetime | None = None,
) -> int:
    """Tell each recipient (user ids, deduplicated, ``exclude`` left out) once, in-app."""
    ids = sorted({r for r in recipients if r and r != exclude})
    if not ids:
        return 0
    url = f"/work-orders/{order.order_no}/" if order is not None else ""
    now = now_or(now)
    Notification.objects.bulk_create(
        [
            Notification(recipient_id=uid, kind=kind, order=order, text=text[:300], url=url, created_at=now)
            for uid in ids
        ]
    )
    return len(ids)


def notification_mark_read(*, actor, ids: Iterable[int] | None = None, now: dt.datetime | None = None) -> int:
    """Mark the actor's own notifications read (all unread ones when ``ids`` is None)."""
    qs = Notification.objects.filter(recipient=actor, read_at__isnull=True)
    if ids is not None:
        # An id past the key range is no notification (and would fail in the driver).
        qs = qs.filter(pk__in=[i for i in ids if 1 <= int(i) <= MAX_ID])
    return qs.update(read_at=now_or(now))


def outbound_enqueue(
    *,
    channel: str,
    recipient: str,
    body: str,
    key: str | None = None,
    order: WorkOrder | None = None,
) -> OutboundMessage | None:
    """Queue a message for delivery after commit; the same ``key`` is queued only once."""
    if not recipient:
        return None
    if key:
        existing = OutboundMessage.objects.filter(key=key).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            message = OutboundMessage.objects.create(
                channel=channel, recipient=recipient, body=body, key=key or None, order=order
            )
    except IntegrityError:
        return OutboundMessage.objects.filter(key=key).first()
    transaction.on_commit(_enqueue_delivery)
    return message


def _enqueue_delivery() -> None:
    try:
        from ..tasks import deliver_outbox

        deliver_outbox.enqueue()
    except Exception:  # the periodic job delivers it anyway
        log.exception("could not enqueue outbox delivery")


def outbox_deliver(*, limit: int = 200, now: dt.datetime | None = None) -> dict:
    """Send queued messages that are due, each at most once per attempt.

    Rows are claimed with ``FOR UPDATE SKIP LOCKED`` inside the transaction that records
    the result, so two workers never send the same row; a worker that dies mid-send
    rolls back and the message is sent again later (at-least-once; the gateway can
    dedupe on the message id). Failures back off and end as ``failed``.
    """
    now = now_or(now)
    backend = get_backend()
    max_attempts = EscalationSetting.get(EscalationSetting.OUTBOX_MAX_ATTEMPTS)
    stats = {"sent": 0, "retry": 0, "failed": 0}
    done = 0
    while done < limit:
        with transaction.atomic():
            batch = list(
                OutboundMessage.objects.select_for_update(skip_locked=True)
                .filter(status=OutboundStatus.QUEUED, next_attempt_at__lte=now)
                .order_by("next_attempt_at", "id")[: min(50, limit - done)]
            )
            if not batch:
                break
            for message in batch:
                done += 1
                message.attempts += 1
                try:
                    result = backend.send(message)
                    ok, detail, provider_id = result.ok, result.detail, result.provider_id
                except Exception as exc:  # a broken gateway is a failed attempt, not a crash
                    ok, detail, provider_id = False, {"error": str(exc)[:300]}, ""
                message.response = {"provider_id": provider_id, **(detail or {})}
                if ok:
                    message.status = OutboundStatus.SENT
                    message.sent_at = now
                    stats["sent"] += 1
                elif message.attempts >= max_attempts:
                    message.status = OutboundStatus.FAILED
                    stats["failed"] += 1
                else:
                    backoff = RETRY_BACKOFF[min(message.attempts - 1, len(RETRY_BACKOFF) - 1)]
                    message.next_attempt_at = now + dt.timedelta(seconds=backoff)
                    stats["retry"] += 1
                message.save(update_fields=["attempts", "status", "sent_at", "response", "next_attempt_at"])
                if ok and message.key and message.key.startswith("notice:"):
                    CustomerNotice.objects.filter(pk=int(message.key.split(":", 1)[1])).update(sent_at=now)
    return stats


def customer_notices_enqueue(*, limit: int = 1000) -> int:
    """Copy workorders' ``CustomerNotice`` rows (messages owed to customers) into the outbox.

    A cursor on the notice id makes this an indexed range read; the message key
    ``notice:<id>`` makes a rerun harmless.
    """
    with transaction.atomic():
        cursor, _ = OutboxCursor.objects.select_for_update().get_or_create(name="customer_notice")
        notices = list(
            CustomerNotice.objects.filter(pk__gt=cursor.last_id)
            .order_by("pk")
            .values("pk", "phone", "text", "order_id")[:limit]
        )
        for n in notices:
            if n["phone"]:
                outbound_enqueue(
                    channel=OutboundChannel.SMS,
                    recipient=n["phone"],
                    body=n["text"],
                    key=f"notice:{n['pk']}",
                    order=WorkOrder(pk=n["order_id"]),
                )
        if notices:
            OutboxCursor.objects.filter(pk=cursor.pk).update(last_id=notices[-1]["pk"])
    return len(notices)
