"""Outgoing webhooks: subscriptions (keyword-only, atomic, permission checked, audited),
the outbox (rows written for each matching subscription when an order event is announced)
and delivery (the worker's periodic job: signed POSTs, retries with exponential backoff,
attempts recorded, a subscription disabled after too many failures in a row).

Signing follows the Standard Webhooks scheme (``standardwebhooks``): headers
``webhook-id`` (the event's ``msg_id``, the same on every retry), ``webhook-timestamp``
(the attempt's time) and ``webhook-signature`` (``v1,`` + HMAC-SHA256 over
``id.timestamp.body``), the body being the exact bytes frozen in the outbox row.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
import math
import secrets
import time
import uuid

import requests
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from standardwebhooks.webhooks import Webhook

from gridcare.core.audit import audit_record
from gridcare.core.authz import require
from gridcare.core.errors import ApplicationError, ConflictError
from gridcare.core.limits import check_length
from gridcare.core.messages import msg
from gridcare.org.models import OrgUnit
from gridcare.outages.models import OutageArea, OutageCustomer

from .choices import DUE_STATUSES, OUTAGE_EVENTS, TEST_EVENT, DeliveryStatus, EventType, event_types_for
from .guard import check_url, pinned_request
from .models import DeliveryAttempt, Subscription, WebhookEvent, WebhookSetting

log = logging.getLogger("gridcare.webhooks")

PERM = "webhooks.manage"
EXCERPT_MAX = 500
UNITS_MAX = 50
RUN_BUDGET_SECONDS = 20  # one run of the worker's job stops taking rows after this long
LEASE_EXTRA_SECONDS = 30


# ----------------------------------------------------------------------- pure helpers


def generate_secret() -> str:
    """A new Standard Webhooks secret: ``whsec_`` and 24 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def new_msg_id() -> str:
    return "msg_" + uuid.uuid4().hex


def backoff_seconds(attempts: int, *, base: int, cap: int) -> int:
    """The wait before the next try after ``attempts`` failed ones: base, 2·base, 4·base…
    at most ``cap``."""
    return int(min(cap, base * 2 ** max(0, min(attempts - 1, 30))))


def order_data(order) -> dict:
    """What a receiver learns of an order: no customer, name, phone or address."""
    return {
        "order_no": order.order_no,
        "status": order.status,
        "request_type": order.request_type,
        "dimension": order.dimension,
        "unit": order.unit.code,
        "channel": order.channel,
        "created_at": order.created_at.isoformat(),
    }


def event_body(event_type: str, data: dict, *, now: dt.datetime) -> str:
    """The JSON sent (ASCII, so its characters are its bytes)."""
    return json.dumps(
        {"type": event_type, "timestamp": now.isoformat(), "data": data},
        ensure_ascii=True,
        separators=(",", ":"),
        sort_keys=True,
    )


def sign_headers(secret: str, msg_id: str, body: str, *, at: dt.datetime) -> dict[str, str]:
    at = at.astimezone(dt.UTC)
    return {
        "content-type": "application/json",
        "user-agent": "GridCare-Webhooks/1",
        "webhook-id": msg_id,
        "webhook-timestamp": str(math.floor(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(msg_id, at, body),
    }


def subscription_matches(sub: Subscription, event_type: str, unit_path: str) -> bool:
    if not sub.active or event_type not in (sub.events or []):
        return False
    paths = [u.path for u in sub.units.all()]
    return not paths or any(unit_path.startswith(p) for p in paths)


def _allow_private() -> bool:
    return bool(WebhookSetting.get(WebhookSetting.ALLOW_PRIVATE_ADDRESSES))


# ---------------------------------------------------------------------- subscriptions


def _fields(*, name: str, url: str, events, units) -> dict:
    name = check_length((name or "").strip(), field="name", max_length=100)
    if not name:
        raise ApplicationError(_("请填写名称"), field="name", code="required")
    url = check_length((url or "").strip(), field="url", max_length=500)
    check_url(url, allow_private=_allow_private())
    events = sorted({str(e) for e in (events or [])})
    if not events:
        raise ApplicationError(_("请至少选择一种事件"), field="events", code="required")
    unknown = [e for e in events if e not in EventType.values]
    if unknown:
        raise ApplicationError(
            _("未知的事件：%(codes)s") % {"codes": ", ".join(unknown)}, field="events", code="invalid_choice"
        )
    units = list(units or [])
    if len(units) > UNITS_MAX:
        raise ApplicationError(_("单位范围最多 %(n)s 个") % {"n": UNITS_MAX}, field="units", code="too_many")
    return {"name": name, "url": url, "events": events, "units": units}


def subscription_create(*, actor, name: str, url: str, events, units=(), owner=None) -> Subscription:
    """A new subscription, active, with a new secret; ``owner`` (default: the actor) is
    told if it is ever disabled."""
    require(actor, PERM)
    clean = _fields(name=name, url=url, events=events, units=units)
    with transaction.atomic():
        sub = Subscription.objects.create(
            name=clean["name"],
            url=clean["url"],
            events=clean["events"],
            secret=generate_secret(),
            owner=owner or actor,
        )
        sub.units.set(clean["units"])
        audit_record(
            actor=actor,
            action="webhooks.create",
            obj=sub,
            changes={
                "url": clean["url"],
                "events": clean["events"],
                "units": [u.code for u in clean["units"]],
            },
        )
    return sub


def _lock(actor, sub: Subscription | int, expected_version: int | None) -> Subscription:
    require(actor, PERM)
    pk = sub.pk if isinstance(sub, Subscription) else sub
    locked = Subscription.objects.select_for_update().filter(pk=pk).first()
    if locked is None:
        raise ApplicationError(_("订阅不存在"), field="subscription", code="not_found", status=404)
    if expected_version is not None and locked.version != expected_version:
        raise ConflictError(_("订阅已被他人修改，请刷新后重试"))
    return locked


def _save(sub: Subscription, fields: list[str]) -> None:
    sub.version += 1
    sub.save(update_fields=[*fields, "version", "updated_at"])


def subscription_update(
    *, actor, subscription, name: str, url: str, events, units=(), expected_version: int | None
) -> Subscription:
    clean = _fields(name=name, url=url, events=events, units=units)
    with transaction.atomic():
        sub = _lock(actor, subscription, expected_version)
        before = {"name": sub.name, "url": sub.url, "events": sub.events}
        sub.name, sub.url, sub.events = clean["name"], clean["url"], clean["events"]
        _save(sub, ["name", "url", "events"])
        sub.units.set(clean["units"])
        after = {"name": sub.name, "url": sub.url, "events": sub.events}
        audit_record(
            actor=actor,
            action="webhooks.update",
            obj=sub,
            changes={k: [before[k], after[k]] for k in after if before[k] != after[k]},
        )
    return sub


def subscription_rotate_secret(*, actor, subscription, expected_version: int | None = None) -> Subscription:
    """A new secret: deliveries from now on are signed with it (the receiver needs it)."""
    with transaction.atomic():
        sub = _lock(actor, subscription, expected_version)
        sub.secret = generate_secret()
        _save(sub, ["secret"])
        audit_record(actor=actor, action="webhooks.rotate", obj=sub, changes={})  # never the secret
    return sub


def subscription_set_active(
    *, actor, subscription, active: bool, expected_version: int | None = None
) -> Subscription:
    """Enable (the failure count starts again; events still owed are sent) or disable."""
    with transaction.atomic():
        sub = _lock(actor, subscription, expected_version)
        if active:
            check_url(sub.url, allow_private=_allow_private())
        sub.active = active
        sub.disabled_reason = ""
        sub.consecutive_failures = 0 if active else sub.consecutive_failures
        _save(sub, ["active", "disabled_reason", "consecutive_failures"])
        audit_record(
            actor=actor, action="webhooks.enable" if active else "webhooks.disable", obj=sub, changes={}
        )
    return sub


def _outbox_row(
    sub: Subscription,
    event_type: str,
    data: dict,
    *,
    now: dt.datetime,
    order_no: str = "",
    outage_no: str = "",
):
    return WebhookEvent(
        subscription=sub,
        event_type=event_type,
        msg_id=new_msg_id(),
        body=event_body(event_type, data, now=now),
        order_no=order_no,
        outage_no=outage_no,
        created_at=now,
        next_attempt_at=now,
    )


def subscription_send_test(*, actor, subscription, now: dt.datetime | None = None) -> WebhookEvent:
    """Queue a ``webhook.test`` event for the subscription (the worker sends it)."""
    now = now or timezone.now()
    with transaction.atomic():
        sub = _lock(actor, subscription, None)
        if not sub.active:
            raise ApplicationError(_("订阅已停用，请先启用"), field="subscription", code="inactive")
        row = _outbox_row(sub, TEST_EVENT, {"subscription": sub.name, "test": True}, now=now)
        row.save()
        audit_record(actor=actor, action="webhooks.test", obj=sub, changes={"msg_id": row.msg_id})
    return row


# ---------------------------------------------------------------------------- outbox


def outbox_write_for_order(
    *, order, action: str, from_status: str, to_status: str, now: dt.datetime | None = None
) -> int:
    """One outbox row per (matching active subscription, event code) of this order action."""
    codes = event_types_for(action, from_status, to_status)
    if not codes:
        return 0
    now = now or timezone.now()
    subs = list(Subscription.objects.filter(active=True).prefetch_related("units"))
    data = order_data(order)
    rows = [
        _outbox_row(sub, code, data, now=now, order_no=order.order_no)
        for code in codes
        for sub in subs
        if subscription_matches(sub, code, order.unit_path)
    ]
    if rows:
        with transaction.atomic():
            WebhookEvent.objects.bulk_create(rows)
    return len(rows)


def outage_data(outage, *, restored_areas=()) -> dict:
    """What a receiver learns of an outage: times, areas and how many customers — the
    public facts of a notice, no customer."""

    def iso(value):
        return value.isoformat() if value else None

    unit = OrgUnit.objects.filter(path=outage.unit_path).values_list("code", flat=True).first()
    areas = sorted(OutageArea.objects.filter(outage=outage).values_list("area__code", flat=True))
    data = {
        "outage_no": outage.outage_no,
        "kind": outage.kind,
        "status": outage.status,
        "cause": outage.cause,
        "unit": unit or "",
        "areas": areas,
        "customers_affected": OutageCustomer.objects.filter(outage=outage).count(),
        "planned_start": iso(outage.planned_start),
        "planned_end": iso(outage.planned_end),
        "started_at": iso(outage.started_at),
        "estimated_restoration": iso(outage.estimated_restoration),
        "restored_at": iso(outage.restored_at),
    }
    if restored_areas:
        data["restored_areas"] = sorted(restored_areas)
    return data


def outbox_write_for_outage(*, outage, event: str, restored_areas=(), now: dt.datetime | None = None) -> int:
    """One outbox row per matching active subscription for this outage event. Called inside
    the outage action's transaction (``outages.signals.outage_changed``)."""
    code = OUTAGE_EVENTS.get(event)
    if code is None:
        return 0
    now = now or timezone.now()
    subs = [
        sub
        for sub in Subscription.objects.filter(active=True).prefetch_related("units")
        if subscription_matches(sub, str(code), outage.unit_path)
    ]
    if not subs:
        return 0
    data = outage_data(outage, restored_areas=restored_areas)
    rows = [_outbox_row(sub, str(code), data, now=now, outage_no=outage.outage_no) for sub in subs]
    WebhookEvent.objects.bulk_create(rows)
    return len(rows)


# --------------------------------------------------------------------------- delivery


def _claimable(now: dt.datetime) -> Q:
    return Q(status__in=DUE_STATUSES) & (Q(locked_until__isnull=True) | Q(locked_until__lt=now))


def _post(sub: Subscription, event: WebhookEvent, *, timeout: int, allow_private: bool) -> tuple:
    """One HTTP try: (status code or None, excerpt, error). Connects to the address the
    guard has just checked (no second lookup: DNS rebinding cannot slip past it)."""
    try:
        addresses = check_url(sub.url, allow_private=allow_private)
    except ApplicationError as exc:
        return None, "", f"refused: {exc.code}"
    headers = sign_headers(sub.secret, event.msg_id, event.body, at=timezone.now())
    session, url, host = pinned_request(sub.url, addresses[0])
    try:
        with session:
            response = session.post(
                url,
                data=event.body.encode("ascii"),
                headers={**headers, **host},
                timeout=(timeout, timeout),
                allow_redirects=False,
                stream=True,
            )
            try:
                raw = response.raw.read(EXCERPT_MAX * 4, decode_content=True) or b""
            finally:
                response.close()
        return response.status_code, raw.decode("utf-8", "replace")[:EXCERPT_MAX], ""
    except requests.Timeout:
        return None, "", "timeout"
    except (requests.RequestException, OSError) as exc:
        return None, "", f"{type(exc).__name__}: {exc}"[:300]


def _disable_for_failures(sub_id: int, *, threshold: int) -> None:
    sub = Subscription.objects.select_for_update().filter(pk=sub_id).first()
    if sub is None or not sub.active or sub.consecutive_failures < threshold:
        return
    sub.active = False
    sub.disabled_reason = f"consecutive_failures:{sub.consecutive_failures}"
    _save(sub, ["active", "disabled_reason"])
    audit_record(
        actor=None, action="webhooks.auto_disable", obj=sub, changes={"failures": sub.consecutive_failures}
    )
    if sub.owner_id:
        from gridcare.escalation.choices import NotificationKind
        from gridcare.escalation.services.notifications import notification_create_many

        notification_create_many(
            recipients=[sub.owner_id],
            kind=NotificationKind.WARNING,
            text=msg("webhooks.auto_disabled", name=sub.name, count=sub.consecutive_failures),
            url=reverse("webhooks:detail", kwargs={"pk": sub.pk}),
        )


def deliver_event(event: WebhookEvent, *, config: dict[str, int]) -> DeliveryAttempt:
    """Try ``event`` once (the caller holds its lease) and record how it went: delivered,
    a retry scheduled (backoff), or given up after the last allowed try."""
    sub = event.subscription
    at = timezone.now()
    started = time.monotonic()
    code, excerpt, error = _post(
        sub,
        event,
        timeout=config[WebhookSetting.TIMEOUT_SECONDS],
        allow_private=bool(config[WebhookSetting.ALLOW_PRIVATE_ADDRESSES]),
    )
    duration = int((time.monotonic() - started) * 1000)
    ok = code is not None and 200 <= code < 300
    with transaction.atomic():
        attempt = DeliveryAttempt.objects.create(
            event=event, at=at, status_code=code, duration_ms=duration, response_excerpt=excerpt, error=error
        )
        event.attempts += 1
        event.locked_until = None
        if ok:
            event.status, event.delivered_at = DeliveryStatus.DELIVERED, timezone.now()
        elif event.attempts >= config[WebhookSetting.MAX_ATTEMPTS]:
            event.status = DeliveryStatus.DEAD
        else:
            event.status = DeliveryStatus.FAILED
            wait = backoff_seconds(
                event.attempts,
                base=config[WebhookSetting.BACKOFF_BASE_SECONDS],
                cap=config[WebhookSetting.BACKOFF_MAX_SECONDS],
            )
            event.next_attempt_at = timezone.now() + dt.timedelta(seconds=wait)
        event.save(update_fields=["attempts", "locked_until", "status", "delivered_at", "next_attempt_at"])
        if ok:
            Subscription.objects.filter(pk=sub.pk).update(consecutive_failures=0)
        else:
            Subscription.objects.filter(pk=sub.pk).update(consecutive_failures=F("consecutive_failures") + 1)
            _disable_for_failures(sub.pk, threshold=config[WebhookSetting.FAILURES_BEFORE_DISABLE])
    return attempt


def deliver_due(*, now: dt.datetime | None = None, limit: int = 100) -> dict[str, int]:
    """The worker's job: attempt due rows of active subscriptions, each taken by a
    conditional update of its lease (one worker wins a row). A subscription that fails
    in this run is not tried again in it (a hanging receiver costs one timeout per run);
    the run stops taking rows after ``RUN_BUDGET_SECONDS``."""
    now = now or timezone.now()
    config = WebhookSetting.all_values()
    lease = dt.timedelta(seconds=config[WebhookSetting.TIMEOUT_SECONDS] * 2 + LEASE_EXTRA_SECONDS)
    ids = list(
        WebhookEvent.objects.filter(_claimable(now), next_attempt_at__lte=now, subscription__active=True)
        .order_by("next_attempt_at", "id")
        .values_list("id", flat=True)[:limit]
    )
    started = time.monotonic()
    failing: set[int] = set()
    out = {"delivered": 0, "failed": 0, "skipped": 0}
    for pk in ids:
        if time.monotonic() - started > RUN_BUDGET_SECONDS:
            break
        event = WebhookEvent.objects.select_related("subscription").filter(pk=pk).first()
        if event is None or event.subscription_id in failing or not event.subscription.active:
            out["skipped"] += 1
            continue
        moment = max(now, timezone.now())
        taken = WebhookEvent.objects.filter(_claimable(moment), pk=pk).update(locked_until=moment + lease)
        if taken != 1:
            out["skipped"] += 1
            continue
        attempt = deliver_event(event, config=config)
        if attempt.ok:
            out["delivered"] += 1
        else:
            out["failed"] += 1
            failing.add(event.subscription_id)
    return out
