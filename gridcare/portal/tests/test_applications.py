"""A customer follows their business applications on the portal and books (or moves) the
home visit of a remote one themselves; another customer's application is not found, and an
application that needs no visit, or has ended, is refused with the reason."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from gridcare.applications import services as apps
from gridcare.applications.models import Application
from gridcare.core.audit import audit_events_for
from gridcare.customers.tests.factories import CustomerFactory
from gridcare.escalation.models import OutboundMessage
from gridcare.org.choices import Role

from .conftest import sign_in

pytestmark = pytest.mark.django_db


def _accept(world, customer, channel="hotline"):
    agent = world.staff(Role.COUNTER_CLERK if channel == "counter" else Role.HOTLINE_AGENT, world.county_a)
    return apps.application_accept(
        actor=agent, customer=customer, kind="new_connection", channel=channel, unit=world.station_a
    )


def test_customer_books_and_moves_the_home_visit(world, portal, customer):
    app = _accept(world, customer)
    assert app.home_visit_due_at is not None
    page = portal.get("/portal/apply/").content.decode()
    assert f'id="app-{app.pk}"' in page and app.number in page and "预约上门服务" in page

    day = timezone.localdate() + dt.timedelta(days=2)
    r = portal.post(f"/portal/apply/{app.pk}/visit/", {"date": day.isoformat(), "window": "morning"})
    assert r.status_code == 302 and r["Location"].endswith(f"#app-{app.pk}")
    app.refresh_from_db()
    assert app.home_visit_date == day and app.home_visit_window == "morning"
    sms = OutboundMessage.objects.filter(recipient=app.applicant_phone).order_by("id").last()
    assert day.isoformat() in sms.body
    assert audit_events_for(app)[0].changes["by"] == "customer"

    later = day + dt.timedelta(days=1)
    portal.post(f"/portal/apply/{app.pk}/visit/", {"date": later.isoformat(), "window": "evening"})
    app.refresh_from_db()
    assert (app.home_visit_date, app.home_visit_window) == (later, "evening")
    assert "改约" in portal.get("/portal/apply/").content.decode()


def test_bad_dates_windows_and_other_customers(world, portal, customer):
    app = _accept(world, customer)
    for data, text in [
        ({"date": "2000-01-01", "window": "morning"}, "上门日期须在今天起"),
        ({"date": "not-a-date", "window": "morning"}, "请选择上门日期"),
        (
            {"date": (timezone.localdate() + dt.timedelta(days=1)).isoformat(), "window": "night"},
            "请选择上门时段",
        ),
    ]:
        r = portal.post(f"/portal/apply/{app.pk}/visit/", data, follow=True)
        assert text in r.content.decode()
    app.refresh_from_db()
    assert app.home_visit_date is None

    other = CustomerFactory(area=world.area_a, phone="13700000001")
    theirs = _accept(world, other)
    day = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    assert (
        portal.post(f"/portal/apply/{theirs.pk}/visit/", {"date": day, "window": "morning"}).status_code
        == 404
    )
    assert f'id="app-{theirs.pk}"' not in portal.get("/portal/apply/").content.decode()

    at_counter = _accept(world, customer, channel="counter")
    r = portal.post(f"/portal/apply/{at_counter.pk}/visit/", {"date": day, "window": "morning"}, follow=True)
    assert "无需预约上门服务" in r.content.decode()
    apps.application_terminate(
        actor=world.staff(Role.CUSTOMER_MANAGER, world.station_a), application=app, reason="客户撤回"
    )
    r = portal.post(f"/portal/apply/{app.pk}/visit/", {"date": day, "window": "morning"}, follow=True)
    assert "业务申请已结束" in r.content.decode()
    assert Application.objects.filter(home_visit_date__isnull=False).count() == 0


def test_booking_needs_a_signed_in_customer(world, customer):
    app = _accept(world, customer)
    day = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    r = Client().post(f"/portal/apply/{app.pk}/visit/", {"date": day, "window": "morning"})
    assert r.status_code == 302 and r["Location"] == "/portal/signin/"
    assert "我的业务申请" not in Client().get("/portal/apply/").content.decode()
    client = sign_in(Client(), customer)
    assert "我的业务申请" in client.get("/portal/apply/").content.decode()
