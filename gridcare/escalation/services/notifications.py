"""In-app notifications and the outbound message outbox."""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from gridcare.core.messages import Message, msg
from gridcare.core.params import MAX_ID
from gridcare.org.choices import Role
from gridcare.org.models import StaffProfile
from gridcare.workorders.models import CustomerNotice, WorkOrder

from ..backends import get_backend
from ..choices import (
    NotificationDelivery,
    NotificationKind,
    NotificationRecipient,
    OutboundChannel,
    OutboundStatus,
)
from ..models import (
    EscalationSetting,
    Notification,
    NotificationDigestItem,
    NotificationRule,
    OutboundMessage,
    OutboxCursor,
)
from ._common import now_or

log = logging.getLogger("gridcare.escalation")

RETRY_BACKOFF = [60, 300, 900, 3600]  # seconds before the 2nd, 3rd, … attempt


def _content(text: str | Message) -> dict:
    """A notification's content fields: a message code with parameters (rendered in the
    reader's language when shown), or free text."""
    if isinstance(text, Message):
        return {"code": text.code, "params": text.params, "text": ""}
    return {"code": "", "params": {}, "text": text[:300]}


def notification_create_many(
    *,
    recipients: Iterable[int | None],
    kind: str,
    text: str | Message,
    order: WorkOrder | None = None,
    exclude: int | None = None,
    now: dt.datetime | None = None,
    url: str = "",
) -> int:
    """Tell each recipient (user ids, deduplicated, ``exclude`` left out) once, in-app;
    the notification links to the order's page, or to ``url`` (another app's page)."""
    ids = sorted({r for r in recipients if r and r != exclude})
    if not ids:
        return 0
    url = f"/work-orders/{order.order_no}/" if order is not None else url[:200]
    now = now_or(now)
    content = _content(text)
    Notification.objects.bulk_create(
        [
            Notification(recipient_id=uid, kind=kind, order=order, url=url, created_at=now, **content)
            for uid in ids
        ]
    )
    return len(ids)


# ------------------------------------------------------------ who is told of an order event

IMMEDIATE, DIGEST, NONE = (
    NotificationDelivery.IMMEDIATE,
    NotificationDelivery.DIGEST,
    NotificationDelivery.NONE,
)
# The recipient kinds that are people posted at a unit, found by their role.
UNIT_ROLES = {
    NotificationRecipient.SUPERVISOR: Role.SUPERVISOR,
    NotificationRecipient.DISPATCHER: Role.DISPATCHER,
}


def notification_rules() -> dict[tuple[str, str], str]:
    """The rule table: (event, recipient kind) -> delivery; a missing row is "none".

    Read afresh for each event (or once per monitor sweep): at most 56 rows, so an admin's
    edit reaches every process at once, with no cache to invalidate.
    """
    return {(e, r): d for e, r, d in NotificationRule.objects.values_list("event", "recipient", "delivery")}


def roles_needed(event: str, rules: dict) -> set[str]:
    """The unit roles an event's rules reach (the handler rule reaches the unit's dispatchers
    when the order has no named handler)."""
    roles = {role for kind, role in UNIT_ROLES.items() if rules.get((event, kind), NONE) != NONE}
    if rules.get((event, NotificationRecipient.HANDLER), NONE) != NONE:
        roles.add(Role.DISPATCHER)
    return roles


def unit_staff(paths: Iterable[str], roles: Iterable[str]) -> dict[str, dict[str, list[int]]]:
    """For each unit path: role -> ids of the active users of that role posted at the unit,
    or, when it has none, at the nearest unit above it that has some. One query."""
    paths, roles = sorted(set(paths)), sorted(set(roles))
    out: dict[str, dict[str, list[int]]] = {p: {r: [] for r in roles} for p in paths}
    if not paths or not roles:
        return out
    codes = {c for p in paths for c in p.strip("/").split("/") if c}
    posted: dict[tuple[str, str], list[int]] = defaultdict(list)
    for code, role, uid in (
        StaffProfile.objects.filter(
            unit__code__in=sorted(codes), role__in=roles, user__is_active=True, service_account=False
        )
        .order_by("user_id")
        .values_list("unit__code", "role", "user_id")
    ):
        posted[(code, role)].append(uid)
    return {p: nearest_staff(p, roles, posted) for p in paths}


def nearest_staff(
    path: str, roles: Iterable[str], posted: dict[tuple[str, str], list[int]]
) -> dict[str, list[int]]:
    """Pure: role -> the users of the deepest unit on ``path`` that has any of that role
    (``posted``: (unit code, role) -> user ids)."""
    chain = [c for c in path.strip("/").split("/") if c]
    out = {}
    for role in roles:
        out[role] = next((posted[(c, role)] for c in reversed(chain) if posted.get((c, role))), [])
    return out


@dataclass
class OrderParties:
    """The people an order event may concern (user ids)."""

    handler: int | None = None
    owner: int | None = None
    supervisors: list[int] = field(default_factory=list)
    dispatchers: list[int] = field(default_factory=list)


def notification_deliveries(
    *, event: str, parties: OrderParties, rules: dict, exclude: int | None = None
) -> dict[int, str]:
    """Pure: user id -> "immediate" or "digest" by the rules (one person who is several
    parties gets the most immediate delivery; ``exclude``, the actor, gets nothing). An order
    without a named handler is held by its unit's dispatch desk: the handler rule reaches
    the unit's dispatchers."""
    out: dict[int, str] = {}

    def add(uids, kind: str) -> None:
        delivery = rules.get((event, kind), NONE)
        if delivery == NONE:
            return
        for uid in uids:
            if uid and uid != exclude and out.get(uid) != IMMEDIATE:
                out[uid] = delivery

    add([parties.handler] if parties.handler else parties.dispatchers, NotificationRecipient.HANDLER)
    add([parties.owner], NotificationRecipient.OWNER)
    add(parties.supervisors, NotificationRecipient.SUPERVISOR)
    add(parties.dispatchers, NotificationRecipient.DISPATCHER)
    return out


def notification_rows(
    deliveries: dict[int, str],
    *,
    kind: str,
    event: str,
    text: str | Message,
    order_id: int | None,
    order_no: str = "",
    now: dt.datetime,
    url: str | None = None,
) -> tuple[list[Notification], list[NotificationDigestItem]]:
    """Pure: the notifications (immediate) and digest items (daily digest) to write; they
    link to the order ``order_no``, or to ``url`` when given (an outage's page)."""
    if url is None:
        url = f"/work-orders/{order_no}/" if order_no else ""
    content = _content(text)
    notes, items = [], []
    for uid in sorted(deliveries):
        if deliveries[uid] == IMMEDIATE:
            notes.append(
                Notification(
                    recipient_id=uid, kind=kind, order_id=order_id, url=url, created_at=now, **content
                )
            )
        elif deliveries[uid] == DIGEST:
            items.append(
                NotificationDigestItem(
                    recipient_id=uid,
                    kind=kind,
                    event=event,
                    order_id=order_id,
                    url=url,
                    created_at=now,
                    **content,
                )
            )
    return notes, items


def notify_order_event(
    *,
    event: str,
    order: WorkOrder,
    kind: str,
    text: str | Message,
    unit_path: str | None = None,
    link: WorkOrder | None = None,
    exclude: int | None = None,
    now: dt.datetime | None = None,
) -> dict[int, str]:
    """Tell the people an order event concerns, as the notification rules say: at once (a
    notification) or in the next daily digest (a digest item). The unit's supervisors and
    dispatchers are those of ``unit_path`` (an escalation: the unit it went to), by default
    the order's responsible unit; the message links to ``link`` (default: the order).
    Returns user id -> delivery."""
    rules = notification_rules()
    path = unit_path or order.unit_path
    roles = roles_needed(event, rules)
    staff = unit_staff([path], roles)[path] if roles else {}
    parties = OrderParties(
        handler=order.handler_id,
        owner=order.accepted_by_id,
        supervisors=staff.get(Role.SUPERVISOR, []),
        dispatchers=staff.get(Role.DISPATCHER, []),
    )
    deliveries = notification_deliveries(event=event, parties=parties, rules=rules, exclude=exclude)
    link = link or order
    notes, items = notification_rows(
        deliveries,
        kind=kind,
        event=event,
        text=text,
        order_id=link.pk,
        order_no=link.order_no,
        now=now_or(now),
    )
    if notes:
        Notification.objects.bulk_create(notes)
    if items:
        NotificationDigestItem.objects.bulk_create(items)
    return deliveries


# ------------------------------------------------------------------------------ the digest


def digest_cutoff(now: dt.datetime) -> dt.datetime:
    """The latest digest time at or before ``now``: today at the digest hour (local), or
    yesterday's when that is still ahead."""
    hour = min(max(EscalationSetting.get(EscalationSetting.DIGEST_HOUR), 0), 23)
    local = timezone.localtime(now)
    cutoff = dt.datetime.combine(local.date(), dt.time(hour), tzinfo=local.tzinfo)
    if cutoff > now:
        cutoff = dt.datetime.combine(local.date() - dt.timedelta(days=1), dt.time(hour), tzinfo=local.tzinfo)
    return cutoff


def digest_text(items: list[NotificationDigestItem], cutoff: dt.datetime) -> Message:
    """Pure: the digest notification's one line (counts by kind), as a message."""
    return msg("notify.digest", at=cutoff, counts=dict(Counter(item.kind for item in items)))


class _Raced(Exception):
    """Another worker took some of the items first: this recipient's digest is rolled back."""


def notification_digests_send(*, now: dt.datetime | None = None) -> dict:
    """The daily digest: every pending item created before the latest digest time goes into
    one notification per recipient, sent once a day.

    Idempotent: an item belongs to exactly one digest (claimed under its row lock, and the
    claim counts the rows it took, so a second worker or a rerun finds nothing to send);
    items that arrive after the digest time wait for tomorrow's. Each recipient's digest is
    its own transaction: a crash loses nothing, the next run sends what is left.
    """
    now = now_or(now)
    cutoff = digest_cutoff(now)
    pending = NotificationDigestItem.objects.filter(digest__isnull=True, created_at__lt=cutoff)
    recipients = list(pending.order_by("recipient_id").values_list("recipient_id", flat=True).distinct())
    stats = {"digests": 0, "items": 0}
    for uid in recipients:
        try:
            with transaction.atomic():
                items = list(
                    pending.filter(recipient_id=uid)
                    .select_for_update(skip_locked=True)
                    .order_by("created_at", "id")
                )
                if not items:
                    continue
                note = Notification.objects.create(
                    recipient_id=uid,
                    kind=NotificationKind.DIGEST,
                    created_at=now,
                    **_content(digest_text(items, cutoff)),
                )
                note.url = f"{reverse('escalation:notifications')}?digest={note.pk}"
                note.save(update_fields=["url"])
                top = max(item.pk for item in items)
                taken = pending.filter(recipient_id=uid, pk__lte=top).update(digest=note)
                if taken != len(items):
                    raise _Raced
        except _Raced:
            continue
        stats["digests"] += 1
        stats["items"] += len(items)
    return stats


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


def outbound_enqueue_many(messages: Iterable[tuple[str, str, str, str]], *, batch_size: int = 2000) -> int:
    """Queue many messages at once: ``(channel, recipient, body, key)`` each, ``key`` required.

    One read of the keys already queued and one insert per ``batch_size`` rows (no round
    trip per message); a key queued before, or by a concurrent writer, is skipped, so a rerun
    queues nothing twice. Returns how many this call queued (rows lost to a concurrent
    writer of the same keys are not counted as ours, nor queued twice)."""
    pending: dict[str, tuple[str, str, str]] = {}
    for channel, recipient, body, key in messages:
        if recipient and key and key not in pending:
            pending[key] = (channel, recipient, body)
    if not pending:
        return 0
    keys = list(pending)
    queued = 0
    for i in range(0, len(keys), batch_size):
        chunk = keys[i : i + batch_size]
        existing = set(OutboundMessage.objects.filter(key__in=chunk).values_list("key", flat=True))
        rows = [
            OutboundMessage(channel=pending[k][0], recipient=pending[k][1], body=pending[k][2], key=k)
            for k in chunk
            if k not in existing
        ]
        if rows:
            OutboundMessage.objects.bulk_create(rows, ignore_conflicts=True)
            queued += len(rows)
    if queued:
        transaction.on_commit(_enqueue_delivery)
    return queued


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
