"""Configuration in GridCare's own pages: administrators only, validated, audited, never
over someone else's change — and what is saved steers the product at once."""

import pytest
from django.test import Client

from gridcare.core.models import AuditEvent
from gridcare.escalation.models import WarningLevel
from gridcare.org.choices import Role
from gridcare.workorders.choices import ClockKind
from gridcare.workorders.models import CommitmentRule
from gridcare.workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(world):
    client = Client()
    client.force_login(world.staff(Role.ADMIN, world.company))
    return client


def test_only_administrators_reach_the_settings(world, admin_client):
    page = admin_client.get("/settings/").content.decode()
    for title in ("工作日历", "服务承诺时限", "预警级别", "补救授权额度", "回访规则"):
        assert title in page
    assert admin_client.get("/settings/commitments/").status_code == 200
    supervisor = Client()
    supervisor.force_login(world.staff(Role.SUPERVISOR, world.city))
    assert supervisor.get("/settings/").status_code == 403
    assert supervisor.get("/settings/commitments/").status_code == 403
    assert "/settings/" not in supervisor.get("/").content.decode()
    assert admin_client.get("/settings/nope/").status_code == 404
    assert admin_client.get("/settings/commitments/99999999999999999999/").status_code == 404


def test_a_changed_time_limit_applies_to_new_orders_and_is_audited(world, admin_client):
    rule = CommitmentRule.objects.get(
        request_type="fault_repair", area_class="urban", kind=ClockKind.ARRIVAL, green_channel=False
    )
    page = admin_client.get(f"/settings/commitments/{rule.pk}/").content.decode()
    stamp = page.split('name="stamp" value="')[1].split('"')[0]
    data = {
        "request_type": "fault_repair",
        "subtype": "",
        "area_class": "urban",
        "customer_category": "",
        "kind": "arrival",
        "basis": "minutes",
        "amount": "30",
        "after": "",
        "active": "on",
        "description": "城区30分钟到达",
        "stamp": stamp,
    }
    assert admin_client.post(f"/settings/commitments/{rule.pk}/", data).status_code == 302
    rule.refresh_from_db()
    assert rule.amount == 30
    event = AuditEvent.objects.get(action="commitmentrule.update")
    assert event.changes["amount"] == [45, 30]
    order = make_order(world.staff(Role.HOTLINE_AGENT, world.city), area=world.area_a)
    assert order.clocks.get(kind=ClockKind.ARRIVAL).amount == 30
    # The same (now stale) form again: refused, nothing overwritten, what was typed stays.
    data["amount"] = "20"
    response = admin_client.post(f"/settings/commitments/{rule.pk}/", data)
    assert response.status_code == 200 and "已被他人修改" in response.content.decode()
    rule.refresh_from_db()
    assert rule.amount == 30


def test_bad_values_are_form_errors_not_500(world, admin_client):
    level = WarningLevel.objects.order_by("percent").first()
    response = admin_client.post(
        f"/settings/warning-levels/{level.pk}/",
        {"code": level.code, "name": level.name, "percent": "250", "escalate": "", "active": "on"},
    )
    assert response.status_code == 200
    level.refresh_from_db()
    assert level.percent != 250
    dup = admin_client.post(
        "/settings/warning-levels/new/",
        {"code": level.code, "name": "重复", "percent": "60", "active": "on"},
    )
    assert dup.status_code == 200 and WarningLevel.objects.filter(name="重复").count() == 0


def test_settings_rows_can_be_added_and_deleted(world, admin_client):
    response = admin_client.post(
        "/settings/calendar/new/", {"date": "2030-10-01", "is_working": "", "name": "国庆节"}
    )
    assert response.status_code == 302
    from gridcare.core.models import CalendarDay

    day = CalendarDay.objects.get(date="2030-10-01")
    assert admin_client.post(f"/settings/calendar/{day.pk}/", {"delete": "1"}).status_code == 302
    assert not CalendarDay.objects.filter(pk=day.pk).exists()
    assert AuditEvent.objects.filter(action="calendarday.delete").exists()
    # Fixed settings (keys the code reads) cannot be added or removed, only changed.
    assert admin_client.get("/settings/escalation-settings/new/").status_code == 404
