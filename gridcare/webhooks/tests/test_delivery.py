"""Delivery: signed over the exact bytes (a real receiver verifies), retried after a 500
and after a hanging endpoint times out, given up after the last try, a subscription
disabled after failures in a row with its owner told, one worker per row."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.utils import timezone
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from gridcare.escalation.models import Notification
from gridcare.webhooks import services
from gridcare.webhooks.choices import DeliveryStatus, EventType
from gridcare.webhooks.models import DeliveryAttempt, WebhookEvent, WebhookSetting

from .conftest import set_setting

pytestmark = pytest.mark.django_db


def _sub(admin, url, **kw):
    kw.setdefault("events", [EventType.ORDER_CREATED])
    return services.subscription_create(actor=admin, name="合作方工单系统", url=url, **kw)


def _later(seconds: int) -> dt.datetime:
    return timezone.now() + dt.timedelta(seconds=seconds)


def test_backoff_doubles_up_to_the_cap():
    got = [services.backoff_seconds(n, base=30, cap=21600) for n in range(1, 12)]
    assert got[:4] == [30, 60, 120, 240]
    assert got[-1] == 21600 and max(got) == 21600


def test_receiver_verifies_signature_and_sees_a_retry_after_a_500(admin, allow_local, receiver):
    sub = _sub(admin, receiver.url)
    receiver.script = [(500, 0.0), (200, 0.0)]
    event = services.subscription_send_test(actor=admin, subscription=sub)

    assert services.deliver_due() == {"delivered": 0, "failed": 1, "skipped": 0}
    event.refresh_from_db()
    assert event.status == DeliveryStatus.FAILED and event.attempts == 1
    first = DeliveryAttempt.objects.get(event=event)
    assert first.status_code == 500 and len(first.response_excerpt) == 500
    wait = (event.next_attempt_at - first.at).total_seconds()
    assert 29 <= wait <= 31  # the base backoff
    assert services.deliver_due() == {"delivered": 0, "failed": 0, "skipped": 0}  # not due yet

    assert services.deliver_due(now=_later(31))["delivered"] == 1
    event.refresh_from_db()
    assert event.status == DeliveryStatus.DELIVERED and event.attempts == 2
    assert [a.status_code for a in event.tries.order_by("at", "id")] == [500, 200]

    assert len(receiver.requests) == 2
    hook = Webhook(sub.secret)
    for headers, body in receiver.requests:
        assert body == event.body.encode()  # the exact bytes frozen in the outbox
        payload = hook.verify(body, headers)
        assert payload["type"] == "webhook.test"
        assert headers["webhook-id"] == event.msg_id  # the same id on the retry
    headers, body = receiver.requests[0]
    with pytest.raises(WebhookVerificationError):
        hook.verify(body + b" ", headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(services.generate_secret()).verify(body, headers)


def test_hanging_endpoint_times_out_and_is_retried_later(admin, allow_local, receiver):
    set_setting(WebhookSetting.TIMEOUT_SECONDS, 1)
    sub = _sub(admin, receiver.url)
    receiver.script = [(200, 3.0)]
    event = services.subscription_send_test(actor=admin, subscription=sub)
    second = services.subscription_send_test(actor=admin, subscription=sub)
    started = time.monotonic()
    out = services.deliver_due()
    took = time.monotonic() - started
    # one timeout, and the same subscription's second event waits for the next run
    assert out == {"delivered": 0, "failed": 1, "skipped": 1}
    assert took < 2.5
    event.refresh_from_db()
    attempt = event.tries.get()
    assert attempt.error == "timeout" and attempt.status_code is None
    assert 900 <= attempt.duration_ms < 2500
    assert event.status == DeliveryStatus.FAILED and event.locked_until is None
    assert event.next_attempt_at > timezone.now()
    second.refresh_from_db()
    assert second.attempts == 0 and second.locked_until is None
    out = services.deliver_due(now=_later(31))
    assert out["delivered"] == 2
    event.refresh_from_db()
    assert event.status == DeliveryStatus.DELIVERED and event.attempts == 2


def test_dead_after_max_attempts(admin, allow_local, receiver):
    set_setting(WebhookSetting.MAX_ATTEMPTS, 2)
    sub = _sub(admin, receiver.url)
    receiver.default = (503, 0.0)
    event = services.subscription_send_test(actor=admin, subscription=sub)
    services.deliver_due()
    services.deliver_due(now=_later(31))
    event.refresh_from_db()
    assert event.status == DeliveryStatus.DEAD and event.attempts == 2
    assert services.deliver_due(now=_later(100000)) == {"delivered": 0, "failed": 0, "skipped": 0}
    assert len(receiver.requests) == 2


def test_auto_disabled_after_failures_in_a_row_and_owner_told(admin, allow_local, receiver):
    set_setting(WebhookSetting.FAILURES_BEFORE_DISABLE, 3)
    sub = _sub(admin, receiver.url)
    receiver.default = (500, 0.0)
    for _ in range(4):
        services.subscription_send_test(actor=admin, subscription=sub)
    for step in range(3):
        services.deliver_due(now=_later(step))  # one failure per run (the others wait)
    sub.refresh_from_db()
    assert not sub.active and sub.consecutive_failures == 3
    assert sub.disabled_reason.startswith("consecutive_failures")
    note = Notification.objects.get(recipient=admin)
    assert note.code == "webhooks.auto_disabled" and note.url == f"/webhooks/{sub.pk}/"
    assert sub.name in note.message and "3" in note.message
    # a disabled subscription is not sent to
    assert services.deliver_due(now=_later(100000)) == {"delivered": 0, "failed": 0, "skipped": 0}
    assert len(receiver.requests) == 3
    # re-enabled: the count starts again and the owed events go out
    receiver.default = (200, 0.0)
    services.subscription_set_active(actor=admin, subscription=sub, active=True, expected_version=sub.version)
    assert services.deliver_due(now=_later(100000))["delivered"] >= 1
    sub.refresh_from_db()
    assert sub.active and sub.consecutive_failures == 0


def test_success_resets_the_failure_count(admin, allow_local, receiver):
    sub = _sub(admin, receiver.url)
    receiver.script = [(500, 0.0)]
    services.subscription_send_test(actor=admin, subscription=sub)
    services.deliver_due()
    sub.refresh_from_db()
    assert sub.consecutive_failures == 1
    services.deliver_due(now=_later(31))
    sub.refresh_from_db()
    assert sub.consecutive_failures == 0


def test_a_row_leased_by_another_worker_is_not_sent(admin, allow_local, receiver):
    sub = _sub(admin, receiver.url)
    event = services.subscription_send_test(actor=admin, subscription=sub)
    WebhookEvent.objects.filter(pk=event.pk).update(locked_until=_later(60))
    assert services.deliver_due() == {"delivered": 0, "failed": 0, "skipped": 0}
    assert receiver.requests == []
    # the lease ran out (that worker died): another one takes it
    assert services.deliver_due(now=_later(61))["delivered"] == 1


def test_delivery_rechecks_the_address(admin, allow_local, receiver):
    sub = _sub(admin, receiver.url)
    event = services.subscription_send_test(actor=admin, subscription=sub)
    set_setting(WebhookSetting.ALLOW_PRIVATE_ADDRESSES, 0)
    services.deliver_due()
    event.refresh_from_db()
    assert event.tries.get().error == "refused: private_address"
    assert receiver.requests == [] and event.status == DeliveryStatus.FAILED


def test_delivery_connects_to_the_address_checked_not_a_second_lookup(
    admin, allow_local, receiver, monkeypatch
):
    """DNS rebinding: the name is resolved once, by the guard, and the connection goes to
    that address. ``hooks.partner.test`` does not resolve on this machine at all, so the
    delivery can only arrive if the connection used the checked address."""
    from gridcare.webhooks import guard

    port = receiver.server.server_address[1]
    answers = {"hooks.partner.test": ["127.0.0.1"]}
    monkeypatch.setattr(guard, "resolve", lambda host, port: answers.get(host, []))
    sub = _sub(admin, f"http://hooks.partner.test:{port}/hook")
    services.subscription_send_test(actor=admin, subscription=sub)

    assert services.deliver_due()["delivered"] == 1
    headers, _body = receiver.requests[0]
    assert headers["host"] == f"hooks.partner.test:{port}"  # the name still travels as the Host

    # The name now answers a private address to the delivery's check: refused, not sent.
    set_setting(WebhookSetting.ALLOW_PRIVATE_ADDRESSES, 0)
    answers["hooks.partner.test"] = ["10.0.0.7"]
    event = services.subscription_send_test(actor=admin, subscription=sub)
    assert services.deliver_due()["failed"] == 1
    assert event.tries.get().error == "refused: private_address"
    assert len(receiver.requests) == 1


def test_pinned_request_keeps_the_name_for_tls_and_host():
    from gridcare.webhooks.guard import pinned_request

    session, url, host = pinned_request("https://hooks.example.com/a/b?x=1", "93.184.216.34")
    assert url == "https://93.184.216.34/a/b?x=1" and host == {"host": "hooks.example.com"}
    adapter = session.get_adapter(url)
    pool = adapter.poolmanager.connection_pool_kw
    assert pool["server_hostname"] == "hooks.example.com" and pool["assert_hostname"] == "hooks.example.com"
    _s, url6, host6 = pinned_request("http://hooks.example.com:8080/h", "2001:db8::1")
    assert url6 == "http://[2001:db8::1]:8080/h" and host6 == {"host": "hooks.example.com:8080"}
