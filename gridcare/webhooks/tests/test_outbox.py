"""The outbox: rows for matching subscriptions when an order action is announced (after
the order's transaction commits: none for one that rolled back), scoped by units, with
no customer's name or phone in them; the private-address guard on subscriptions."""

from __future__ import annotations

import json

import pytest
from django.db import transaction

from gridcare.core.errors import ApplicationError
from gridcare.org.choices import Role
from gridcare.webhooks import services
from gridcare.webhooks.choices import EventType, event_types_for
from gridcare.webhooks.models import Subscription, WebhookEvent, WebhookSetting
from gridcare.workorders.choices import Action
from gridcare.workorders.tests.factories import make_order

from .conftest import set_setting

pytestmark = pytest.mark.django_db


def _sub(admin, *, units=(), events=(EventType.ORDER_CREATED,), name="合作方"):
    return services.subscription_create(
        actor=admin, name=name, url="http://127.0.0.1:9/hook", events=list(events), units=list(units)
    )


def test_event_codes_of_actions():
    assert event_types_for(Action.CREATE, "", "accepted") == ["order.created"]
    assert event_types_for(Action.DISPATCH, "accepted", "dispatched") == ["order.status_changed"]
    assert event_types_for(Action.REPLY, "in_progress", "replied") == [
        "order.replied",
        "order.status_changed",
    ]
    assert event_types_for(Action.ARCHIVE, "callback", "archived") == [
        "order.archived",
        "order.status_changed",
    ]
    assert event_types_for(Action.ESCALATE, "dispatched", "dispatched") == ["order.escalated"]
    assert event_types_for(Action.NOTE, "dispatched", "dispatched") == []


def test_outbox_rows_follow_the_order_transaction_and_units(
    world, admin, allow_local, django_capture_on_commit_callbacks
):
    agent = world.staff(Role.HOTLINE_AGENT, world.city)
    everywhere = _sub(admin, name="全部单位")
    mine = _sub(admin, units=[world.county_a], name="江宁")
    other = _sub(admin, units=[world.county_b], name="六合")
    dispatch_only = _sub(admin, events=[EventType.ORDER_STATUS_CHANGED], name="只要状态")
    off = _sub(admin, name="停用的")
    services.subscription_set_active(actor=admin, subscription=off, active=False)

    with django_capture_on_commit_callbacks(execute=True):
        order = make_order(
            agent,
            area=world.area_a,
            contact_name="王秀英",
            contact_phone="13912345678",
            address="东山街道88号",
        )
    assert order.unit_path.startswith(world.county_a.path)
    rows = list(WebhookEvent.objects.filter(order_no=order.order_no))
    assert {r.subscription_id for r in rows} == {everywhere.pk, mine.pk}
    assert {r.event_type for r in rows} == {"order.created"}
    assert other.pk and dispatch_only.pk  # subscribed elsewhere / to other events: nothing

    body = rows[0].body
    payload = json.loads(body)
    assert payload["type"] == "order.created"
    assert set(payload["data"]) == {
        "order_no",
        "status",
        "request_type",
        "dimension",
        "unit",
        "channel",
        "created_at",
    }
    assert payload["data"]["unit"] == order.unit.code
    for secret in ("王秀英", "13912345678", "东山街道", "\\u738b"):
        assert secret not in body
    assert len({r.msg_id for r in rows}) == 2

    # an order whose transaction rolls back announces nothing: no outbox row
    before = WebhookEvent.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                make_order(agent, area=world.area_a)
                raise RuntimeError("rolled back")
    assert WebhookEvent.objects.count() == before


def test_handler_failure_never_reaches_the_order(
    world, admin, allow_local, monkeypatch, django_capture_on_commit_callbacks
):
    _sub(admin)
    agent = world.staff(Role.HOTLINE_AGENT, world.city)

    def boom(**kwargs):
        raise RuntimeError("outbox broken")

    monkeypatch.setattr(services, "outbox_write_for_order", boom)
    with django_capture_on_commit_callbacks(execute=True):
        order = make_order(agent, area=world.area_a)
    assert order.pk and not WebhookEvent.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.1/hook",
        "http://127.0.0.1:8000/hook",
        "http://localhost/hook",
        "http://[::1]/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://192.168.1.10/",
        "http://[::ffff:10.0.0.1]/",
        "http://0.0.0.0/",
    ],
)
def test_private_and_loopback_urls_refused_by_default(admin, url):
    with pytest.raises(ApplicationError) as exc:
        services.subscription_create(actor=admin, name="x", url=url, events=["order.created"])
    assert exc.value.field == "url" and exc.value.code == "private_address"
    assert not Subscription.objects.exists()


def test_allowing_private_addresses_never_allows_metadata_or_multicast(admin):
    set_setting(WebhookSetting.ALLOW_PRIVATE_ADDRESSES, 1)
    assert _sub(admin).pk
    for url in ("http://169.254.169.254/", "http://224.0.0.1/", "http://0.0.0.0/"):
        with pytest.raises(ApplicationError):
            services.subscription_create(actor=admin, name="x", url=url, events=["order.created"])


@pytest.mark.parametrize(
    "url,code",
    [
        ("ftp://example.com/x", "invalid"),
        ("file:///etc/passwd", "invalid"),
        ("http://", "invalid"),
        ("http://no-such-host.invalid/", "unresolvable"),
    ],
)
def test_bad_urls_refused(admin, url, code):
    with pytest.raises(ApplicationError) as exc:
        services.subscription_create(actor=admin, name="x", url=url, events=["order.created"])
    assert exc.value.field == "url" and exc.value.code == code


def test_subscription_input_checked(admin, allow_local, world):
    with pytest.raises(ApplicationError) as exc:
        _sub(admin, events=[])
    assert exc.value.field == "events"
    with pytest.raises(ApplicationError) as exc:
        _sub(admin, events=["order.deleted"])
    assert exc.value.field == "events"
    with pytest.raises(ApplicationError) as exc:
        services.subscription_create(actor=admin, name=" ", url="http://127.0.0.1/", events=["order.created"])
    assert exc.value.field == "name"
    supervisor = world.staff(Role.SUPERVISOR, world.county_a)
    with pytest.raises(ApplicationError) as exc:
        _sub(supervisor)
    assert exc.value.status == 403


def test_stale_update_refused_and_rotate_replaces_secret(admin, allow_local):
    sub = _sub(admin)
    old_secret, version = sub.secret, sub.version
    assert old_secret.startswith("whsec_")
    services.subscription_update(
        actor=admin, subscription=sub, name="新名称", url=sub.url, events=sub.events, expected_version=version
    )
    with pytest.raises(ApplicationError) as exc:
        services.subscription_update(
            actor=admin,
            subscription=sub,
            name="另一个",
            url=sub.url,
            events=sub.events,
            expected_version=version,
        )
    assert exc.value.status == 409
    sub = services.subscription_rotate_secret(actor=admin, subscription=sub)
    assert sub.secret != old_secret and sub.secret.startswith("whsec_") and sub.name == "新名称"


def test_demo_seed_is_inactive_and_idempotent(world, admin, allow_local, django_capture_on_commit_callbacks):
    from gridcare.demo.webhooks import seed_webhooks

    agent = world.staff(Role.HOTLINE_AGENT, world.city)
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(4):
            make_order(agent, area=world.area_a)
    out = seed_webhooks(seed=7, size="small")
    assert out == {"subscriptions": 1, "deliveries": 3}
    sub = Subscription.objects.get()
    assert not sub.active and sub.url.startswith("https://") and sub.owner == admin
    assert {e.status for e in sub.deliveries.all()} == {"delivered", "dead"}
    assert seed_webhooks(seed=7, size="small") == {"subscriptions": 0, "deliveries": 0}
    assert services.deliver_due()["delivered"] == 0  # nothing is sent for an inactive subscription


def test_an_escalation_reaches_subscribers_of_order_escalated(
    world, admin, allow_local, django_capture_on_commit_callbacks
):
    from gridcare.escalation.choices import EscalationReason
    from gridcare.escalation.services.escalating import order_escalate
    from gridcare.workorders.models import WorkOrder

    sub = _sub(admin, events=[EventType.ORDER_ESCALATED])
    agent = world.staff(Role.HOTLINE_AGENT, world.city)
    with django_capture_on_commit_callbacks(execute=True):
        order = make_order(agent, area=world.area_a)
    assert not WebhookEvent.objects.exists()  # order.created: not subscribed
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            locked = WorkOrder.objects.select_for_update().get(pk=order.pk)
            order_escalate(order=locked, reason=EscalationReason.URGE)
    row = WebhookEvent.objects.get(subscription=sub)
    assert row.event_type == "order.escalated" and row.order_no == order.order_no
