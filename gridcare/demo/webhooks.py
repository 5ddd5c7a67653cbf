"""Outgoing webhooks for the demo: one partner subscription (the city's repair-platform
partner), inactive, so the demo never sends anything out, with a few recorded deliveries of
recent orders' events (delivered at once, one after a retry, one given up). Built with the
webhooks app's pure helpers (secret, payload, msg id, backoff); deterministic from the seed
(and the orders present). Run again, it changes nothing."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction

from gridcare.org.choices import Role
from gridcare.org.models import StaffProfile
from gridcare.outages.models import Outage
from gridcare.webhooks.choices import DeliveryStatus, EventType
from gridcare.webhooks.models import DeliveryAttempt, Subscription, WebhookEvent
from gridcare.webhooks.services import backoff_seconds, event_body, order_data, outage_data
from gridcare.workorders.models import WorkOrder

NAME = "扬州智慧抢修平台（合作方）"
URL = "https://hooks.partner.example.com/gridcare/events"
EVENTS = {"small": 3, "default": 8, "large": 12}


def _secret(rng: random.Random) -> str:
    import base64

    return "whsec_" + base64.b64encode(bytes(rng.randrange(256) for _ in range(24))).decode()


def seed_webhooks(*, seed: int, size: str = "default", stdout=None) -> dict:
    rng = random.Random(f"{seed}-webhooks")
    if Subscription.objects.filter(name=NAME).exists():
        return {"subscriptions": 0, "deliveries": 0}
    admin = StaffProfile.objects.filter(role=Role.ADMIN).select_related("user").order_by("id").first()
    orders = list(
        WorkOrder.objects.select_related("unit").order_by("-created_at", "-id")[: EVENTS.get(size, 8)]
    )
    with transaction.atomic():
        sub = Subscription.objects.create(
            name=NAME,
            url=URL,
            events=[
                EventType.ORDER_CREATED.value,
                EventType.ORDER_ARCHIVED.value,
                EventType.OUTAGE_STARTED.value,
                EventType.OUTAGE_RESTORED.value,
            ],
            secret=_secret(rng),
            owner=admin.user if admin else None,
            active=False,  # the demo sends nothing out; an admin may enable it to try
        )
        n = 0
        for i, order in enumerate(reversed(orders)):
            at = order.created_at + dt.timedelta(seconds=rng.randint(2, 40))
            row = WebhookEvent.objects.create(
                subscription=sub,
                event_type=EventType.ORDER_CREATED,
                msg_id=f"msg_demo{seed:04d}{i:04d}{rng.getrandbits(40):010x}",
                body=event_body(EventType.ORDER_CREATED, order_data(order), now=at),
                order_no=order.order_no,
                created_at=at,
                next_attempt_at=at,
            )
            outcome = "dead" if i == 1 else ("retry" if i % 4 == 2 else "ok")
            tries = [(503, "Service Unavailable")] if outcome == "retry" else []
            if outcome == "dead":
                tries = [(None, "")] * 3
            tries.append((200, '{"received":true}') if outcome != "dead" else (None, ""))
            when = at
            for k, (code, excerpt) in enumerate(tries, start=1):
                DeliveryAttempt.objects.create(
                    event=row,
                    at=when,
                    status_code=code,
                    duration_ms=rng.randint(80, 900) if code else 5000,
                    response_excerpt=excerpt,
                    error="" if code else "timeout",
                )
                when += dt.timedelta(seconds=backoff_seconds(k, base=30, cap=21600))
            row.attempts = len(tries)
            if outcome == "dead":
                row.status = DeliveryStatus.DEAD
            else:
                row.status, row.delivered_at = DeliveryStatus.DELIVERED, when
            row.save(update_fields=["attempts", "status", "delivered_at"])
            n += 1
        # The latest outages' start, delivered at once (the payload as the outage is now).
        for j, outage in enumerate(
            Outage.objects.exclude(started_at=None).order_by("-started_at", "-id")[:2]
        ):
            at = outage.started_at + dt.timedelta(seconds=rng.randint(2, 40))
            row = WebhookEvent.objects.create(
                subscription=sub,
                event_type=EventType.OUTAGE_STARTED,
                msg_id=f"msg_demo{seed:04d}o{j:03d}{rng.getrandbits(40):010x}",
                body=event_body(EventType.OUTAGE_STARTED, outage_data(outage), now=at),
                outage_no=outage.outage_no,
                created_at=at,
                next_attempt_at=at,
                attempts=1,
                status=DeliveryStatus.DELIVERED,
                delivered_at=at + dt.timedelta(milliseconds=300),
            )
            DeliveryAttempt.objects.create(
                event=row,
                at=at,
                status_code=200,
                duration_ms=rng.randint(80, 900),
                response_excerpt='{"received":true}',
            )
            n += 1
    if stdout is not None:
        stdout.write(f"事件推送：1 个订阅（未启用，不外发），投递记录 {n} 条")
    return {"subscriptions": 1, "deliveries": n}
