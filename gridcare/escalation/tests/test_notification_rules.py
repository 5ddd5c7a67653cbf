"""Notifications that people read: who is told of what (``NotificationRule``), the daily
digest, mark-all-read and the unread count on the header."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from gridcare.core.models import AuditEvent
from gridcare.core.scheduling import PERIODIC
from gridcare.escalation import selectors, services
from gridcare.escalation.choices import NotificationDelivery, NotificationEvent, NotificationRecipient
from gridcare.escalation.models import Notification, NotificationDigestItem, NotificationRule
from gridcare.escalation.services.notifications import (
    OrderParties,
    digest_cutoff,
    nearest_staff,
    notification_deliveries,
)
from gridcare.workorders import services as wo
from gridcare.workorders.tests.factories import make_order

from .conftest import at

pytestmark = pytest.mark.django_db

T0 = at(2026, 3, 2, 9, 0)  # a Monday
NOW, DIG, NO = NotificationDelivery.IMMEDIATE, NotificationDelivery.DIGEST, NotificationDelivery.NONE
H, OWN, SUP, DP = (
    NotificationRecipient.HANDLER,
    NotificationRecipient.OWNER,
    NotificationRecipient.SUPERVISOR,
    NotificationRecipient.DISPATCHER,
)


def _rule(event, recipient) -> str:
    return NotificationRule.objects.get(event=event, recipient=recipient).delivery


def _set(event, recipient, delivery) -> None:
    NotificationRule.objects.filter(event=event, recipient=recipient).update(delivery=delivery)


def _dispatched(world, people, now=T0):
    with_crew = make_order(people.agent, area=world.area_a, now=now)
    wo.work_order_dispatch(
        actor=people.dispatcher, order=with_crew, unit=world.team_a, handler=people.crew, now=now
    )
    return with_crew


# ------------------------------------------------------------------------ the rule table


def test_every_event_and_recipient_kind_has_a_seeded_rule():
    assert NotificationRule.objects.count() == len(NotificationEvent) * len(NotificationRecipient)
    # Time-limit warnings: the handler at once, the unit's supervisor in the digest, not the owner.
    assert (_rule("warning", H), _rule("warning", OWN), _rule("warning", SUP)) == (NOW, NO, DIG)
    # The first-contact owner hears of the milestones.
    for event in ("dispatched", "replied", "escalated", "reopened", "archived"):
        assert _rule(event, OWN) != NO, event
    assert _rule("started", OWN) == NO
    # Dispatchers: new queue items and escalations to their unit, at once.
    assert _rule("queued", DP) == NOW and _rule("escalated", DP) == NOW


def test_deliveries_are_pure_and_the_most_immediate_wins():
    rules = {("warning", H): NOW, ("warning", SUP): DIG, ("warning", OWN): NO}
    parties = OrderParties(handler=1, owner=2, supervisors=[1, 3], dispatchers=[4])
    assert notification_deliveries(event="warning", parties=parties, rules=rules) == {1: NOW, 3: DIG}
    assert notification_deliveries(event="warning", parties=parties, rules=rules, exclude=1) == {3: DIG}
    # No named handler: the unit's dispatch desk holds the order.
    unassigned = OrderParties(handler=None, owner=2, supervisors=[3], dispatchers=[4, 5])
    assert notification_deliveries(event="warning", parties=unassigned, rules=rules) == {
        4: NOW,
        5: NOW,
        3: DIG,
    }
    # The nearest unit up the chain that has people of the role.
    posted = {("C", "supervisor"): [7], ("S", "supervisor"): [8], ("C", "dispatcher"): [9]}
    assert nearest_staff("/P/C/S/T/", ["supervisor", "dispatcher"], posted) == {
        "supervisor": [8],
        "dispatcher": [9],
    }


def test_rule_admin_lists_and_audits_edits(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.com", "pw-123456"))
    assert client.get("/admin/escalation/notificationrule/").status_code == 200
    rule = NotificationRule.objects.get(event="warning", recipient="owner")
    resp = client.post(
        f"/admin/escalation/notificationrule/{rule.pk}/change/",
        {"event": "warning", "recipient": "owner", "delivery": "digest"},
    )
    assert resp.status_code == 302, resp.content.decode()[:500]
    assert AuditEvent.objects.get(action="notificationrule.admin_update").changes == {
        "delivery": ["none", "digest"]
    }


def test_admins_edit_a_rule_on_gridcares_settings_page(world):
    admin = Client()
    admin.force_login(world.staff("admin", world.company))
    assert "通知规则" in admin.get("/settings/").content.decode()
    rule = NotificationRule.objects.get(event="warning", recipient="owner")
    page = admin.get(f"/settings/notification-rules/{rule.pk}/").content.decode()
    stamp = page.split('name="stamp" value="')[1].split('"')[0]
    data = {"event": "warning", "recipient": "owner", "delivery": "digest", "stamp": stamp}
    assert admin.post(f"/settings/notification-rules/{rule.pk}/", data).status_code == 302
    assert _rule("warning", OWN) == DIG
    assert AuditEvent.objects.get(action="notificationrule.update").changes == {
        "delivery": ["none", "digest"]
    }
    # The same form sent again, opened before the change, is refused: nothing is overwritten.
    data["delivery"] = "immediate"
    res = admin.post(f"/settings/notification-rules/{rule.pk}/", data)
    assert "已被他人修改" in res.content.decode() and _rule("warning", OWN) == DIG


# ----------------------------------------------------------------------- who is told what


def test_warning_reaches_the_handler_and_the_units_supervisor_not_the_owner(world, people, signals):
    with signals():
        order = _dispatched(world, people)
    Notification.objects.all().delete()
    NotificationDigestItem.objects.all().delete()
    stats = services.sla_sweep(now=T0 + dt.timedelta(minutes=23))  # half the 45-minute arrival
    assert stats["warnings"] == 1
    warned = set(
        Notification.objects.filter(kind="warning", order=order).values_list("recipient_id", flat=True)
    )
    assert warned == {people.crew.pk}
    digested = NotificationDigestItem.objects.filter(kind="warning", order=order)
    # The team has no supervisor: the station above it has.
    assert set(digested.values_list("recipient_id", flat=True)) == {people.station_sup.pk}


def test_an_edited_rule_changes_who_is_told(world, people, signals):
    _set("warning", OWN, NOW)
    _set("warning", H, NO)
    with signals():
        order = _dispatched(world, people)
    services.sla_sweep(now=T0 + dt.timedelta(minutes=23))
    warned = set(
        Notification.objects.filter(kind="warning", order=order).values_list("recipient_id", flat=True)
    )
    assert warned == {people.agent.pk}


def test_dispatchers_hear_of_new_queue_items_and_of_escalations_to_their_unit(world, people, signals):
    with signals():
        order = make_order(people.agent, area=world.area_a, now=T0)
    queued = Notification.objects.filter(recipient=people.dispatcher, order=order, kind="transition")
    assert queued.count() == 1 and "受理" in queued.get().message
    assert not Notification.objects.filter(recipient=people.agent, order=order).exists()  # own move
    # The arrival clock breaches: the order goes up to the county, where the dispatcher sits.
    services.sla_sweep(now=T0 + dt.timedelta(minutes=46))
    assert Notification.objects.filter(recipient=people.dispatcher, order=order, kind="escalation").exists()
    assert Notification.objects.filter(recipient=people.supervisor, order=order, kind="escalation").exists()


# -------------------------------------------------------------------------- daily digest


def test_daily_digest_is_one_notification_per_recipient_once_a_day(world, people):
    order = make_order(people.agent, area=world.area_a, now=T0)

    def item(uid, when, kind="warning"):
        return NotificationDigestItem.objects.create(
            recipient_id=uid, kind=kind, event="warning", order=order, text=f"{kind} {when}", created_at=when
        )

    item(people.supervisor.pk, T0)
    item(people.supervisor.pk, T0 + dt.timedelta(hours=3), kind="transition")
    item(people.station_sup.pk, T0 + dt.timedelta(hours=5))
    before = at(2026, 3, 3, 7, 59)
    assert services.notification_digests_send(now=before) == {"digests": 0, "items": 0}
    after = at(2026, 3, 3, 8, 5)
    late = item(people.supervisor.pk, at(2026, 3, 3, 8, 1))  # after the digest hour: tomorrow's
    assert services.notification_digests_send(now=after) == {"digests": 2, "items": 3}
    digest = Notification.objects.get(recipient=people.supervisor, kind="digest")
    assert (
        "每日汇总" in digest.message
        and "时限预警 1 条" in digest.message
        and "工单动态 1 条" in digest.message
    )
    # Idempotent: the same day again sends nothing; tomorrow sends the late item alone.
    assert services.notification_digests_send(now=after + dt.timedelta(hours=1)) == {"digests": 0, "items": 0}
    assert services.notification_digests_send(now=at(2026, 3, 4, 8, 0)) == {"digests": 1, "items": 1}
    late.refresh_from_db()
    assert late.digest is not None and late.digest != digest
    assert digest_cutoff(at(2026, 3, 4, 7, 0)) == at(2026, 3, 3, 8, 0)
    assert "escalation.notification_digest" in PERIODIC


def test_digest_page_lists_what_the_digest_bundled(world, people):
    order = make_order(people.agent, area=world.area_a, now=T0)
    NotificationDigestItem.objects.create(
        recipient=people.supervisor,
        kind="warning",
        event="warning",
        order=order,
        text="预警甲",
        url=f"/work-orders/{order.order_no}/",
        created_at=T0,
    )
    services.notification_digests_send(now=at(2026, 3, 3, 9, 0))
    digest = Notification.objects.get(kind="digest")
    assert digest.url == f"/escalation/notifications/?digest={digest.pk}"
    c = Client()
    c.force_login(people.supervisor)
    page = c.get(digest.url).content.decode()
    assert "预警甲" in page and f"/work-orders/{order.order_no}/" in page
    other = Client()
    other.force_login(people.station_sup)  # someone else's digest: nothing of it
    assert "预警甲" not in other.get(digest.url).content.decode()


# ------------------------------------------------------------ mark all read, header count


def test_mark_all_read_is_an_explicit_button(world, people):
    services.notification_create_many(recipients=[people.agent.pk], kind="urge", text="催办一")
    services.notification_create_many(recipients=[people.agent.pk], kind="urge", text="催办二")
    c = Client()
    c.force_login(people.agent)
    page = c.get("/escalation/notifications/").content.decode()
    assert 'name="all" value="1"' in page and "全部标为已读" in page
    # A form naming nothing (or only ids that are no ids) marks nothing.
    c.post("/escalation/notifications/read/", {})
    c.post("/escalation/notifications/read/", {"id": ["abc", "²"]})
    assert selectors.unread_count(people.agent) == 2
    one = Notification.objects.filter(recipient=people.agent).first()
    c.post("/escalation/notifications/read/", {"id": [one.pk]})
    assert selectors.unread_count(people.agent) == 1
    assert c.post("/escalation/notifications/read/", {"all": "1"}).status_code == 302
    assert selectors.unread_count(people.agent) == 0
    assert "全部标为已读" not in c.get("/escalation/notifications/").content.decode()


def test_unread_count_on_the_header_is_one_count_per_page(world, people):
    for i in range(3):
        services.notification_create_many(recipients=[people.crew.pk], kind="urge", text=f"催办{i}")
    c = Client()
    c.force_login(people.crew)
    with CaptureQueriesContext(connection) as ctx:
        page = c.get("/work-orders/mine/").content.decode()
    assert '<span class="nav-badge"' in page and ">3</span>" in page
    counts = [q["sql"] for q in ctx.captured_queries if "escalation_notification" in q["sql"]]
    assert len(counts) == 1 and "COUNT" in counts[0].upper()
    services.notification_mark_read(actor=people.crew)
    assert '<span class="nav-badge"' not in c.get("/work-orders/mine/").content.decode()
