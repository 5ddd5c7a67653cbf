"""One language at a time: what the system writes for people to read later — timeline
entries, notifications, the daily digest — is stored as a code with parameters and rendered
in the reader's language, so an English reader sees English and a Chinese reader Chinese,
also for rows written before the language was switched."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import translation

from gridcare.core import messages as catalog
from gridcare.escalation import services as esc
from gridcare.escalation.choices import EscalationReason
from gridcare.escalation.models import Notification
from gridcare.org.choices import Role
from gridcare.workorders import services as wo
from gridcare.workorders.models import WorkOrderEvent
from gridcare.workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def _sample(words) -> object:
    """A parameter value each kind of parameter reads (a choice code, a time, a stored message)."""
    closure = getattr(words, "__closure__", None) or ()
    for cell in closure:
        choices = cell.cell_contents
        if hasattr(choices, "values"):
            return choices.values[0]
    if words is catalog.local_minute:
        return "2026-12-03T08:30:00+00:00"
    if words is catalog.render_stored:
        return {"code": "order.answered_at_intake", "params": {}}
    return {"warning": 2, "escalation": 1}  # the digest's counts by kind


def _params(code: str) -> dict:
    entry = catalog.CATALOG[code]
    names = re.findall(r"%\((\w+)\)", str(entry.template))
    return {n: (_sample(entry.words[n]) if n in entry.words else "GD-1") for n in names}


def test_every_registered_message_reads_in_each_language():
    assert len(catalog.CATALOG) >= 25
    for code in catalog.CATALOG:
        params = _params(code)
        with translation.override("en"):
            english = catalog.render(code, params)
        with translation.override("zh-hans"):
            chinese = catalog.render(code, params)
        assert english != code and not CJK.search(english), (code, english)
        assert chinese != code and CJK.search(chinese), (code, chinese)


def test_an_unknown_code_or_a_missing_parameter_falls_back_quietly():
    assert catalog.render("nope.nothing", {}, "旧文本") == "旧文本"
    assert catalog.render("order.accepted", {}, "旧文本") == "旧文本"
    assert catalog.render_stored(None, "free text") == "free text"


def test_timeline_and_notifications_follow_the_readers_language(world):
    agent = world.staff(Role.HOTLINE_AGENT, world.county_a)
    dispatcher = world.staff(Role.DISPATCHER, world.county_a)
    crew = world.staff(Role.REPAIR_CREW, world.team_a)
    order = make_order(agent, area=world.area_a)
    wo.work_order_dispatch(actor=dispatcher, order=order, unit=world.team_a, handler=crew)
    wo.work_order_set_priority(actor=dispatcher, order=order, priority=1, reason="医院供电")
    order.refresh_from_db()
    esc.order_escalate(
        order=order, reason=EscalationReason.URGE, now=order.created_at + dt.timedelta(hours=1)
    )
    # Nothing the system said is stored as a sentence: codes and parameters only.
    said = [e for e in WorkOrderEvent.objects.filter(order=order) if (e.data or {}).get("msg")]
    assert {e.data["msg"]["code"] for e in said} >= {
        "order.accepted",
        "order.priority_changed",
        "order.escalated",
    }
    assert not WorkOrderEvent.objects.filter(order=order, note__contains="受理").exists()
    assert Notification.objects.filter(order=order).exclude(code="").exists()
    assert not Notification.objects.filter(order=order).exclude(text="").exists()

    client = Client()
    client.force_login(dispatcher)
    page = client.get(f"/work-orders/{order.order_no}/").content.decode()
    assert "95598电话受理" in page and "：医院供电" in page
    client.cookies["django_language"] = "en"
    page = client.get(f"/work-orders/{order.order_no}/").content.decode()
    assert "Accepted via 95598 phone" in page
    assert re.search(r"Normal → Urgent: 医院供电", page)  # the reason as the person typed it
    assert "受理" not in page and "升级至" not in page

    client.force_login(crew)
    client.cookies["django_language"] = "en"
    inbox = client.get("/escalation/notifications/").content.decode()
    assert f"Work order {order.order_no} escalated to" in inbox
    body = client.get("/api/notifications/").json()
    rows = body["results"] if isinstance(body, dict) else body
    assert any(r["code"] == "notify.escalated" and r["text"].startswith("Work order") for r in rows)
