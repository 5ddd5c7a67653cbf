"""The recovery dashboard workbook is inert in Excel; social supervisors' phones are masked."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.test import Client
from openpyxl import load_workbook
from rest_framework.test import APIClient

from gridcare.core.errors import PermissionDeniedError
from gridcare.core.models import AuditEvent
from gridcare.escalation import services
from gridcare.escalation.exporters import recovery_dashboard_workbook
from gridcare.escalation.models import SocialSupervisor
from gridcare.org.choices import Role

PHONE, MASKED = "13912345678", "139****5678"


def _dashboard(unit_name: str) -> dict:
    """A ``learning_dashboard`` result whose unit names a spreadsheet would run as formulas."""
    return {
        "by_origin": [{"origin": "hotline", "n": 2}],
        "by_cause": [{"cause": "attitude", "n": 3}],
        "by_unit": [{"responsible_unit__code": "-NJ01", "responsible_unit__name": unit_name, "n": 4}],
        "by_month": [{"month": dt.date(2026, 10, 1), "cause": "attitude", "n": 1}],
        "recurring": [{"responsible_unit__name": unit_name, "cause": "attitude", "n": 2}],
        "paradox": {
            "after_recovery": Decimal("-1.5"),
            "after_recovery_n": 4,
            "no_failure": None,
            "no_failure_n": 0,
        },
        "compensation_total": Decimal("200.00"),
        "compensation_count": 1,
        "compliance": [
            {"unit": unit_name, "orders": 5, "breached": 1, "compliance": 80.0, "warnings": {50: 2}},
        ],
        "escalations": [{"to_unit__name": "@SUM(A1)", "to_unit__kind": "city", "reason": "overdue", "n": 1}],
        "per_unit": [{"unit": "+1", "orders": 5, "urges": 1, "repeats": 0, "repeat_rate": 0.0}],
    }


def test_recovery_dashboard_workbook_writes_formula_text_as_strings():
    wb = load_workbook(io.BytesIO(recovery_dashboard_workbook(_dashboard('=HYPERLINK("http://x","y")'))))
    assert wb.sheetnames == [
        "失误来源",
        "失误原因",
        "责任单位",
        "按月",
        "反复出现",
        "补救悖论",
        "补偿",
        "时限达标",
        "升级",
        "催办与重复",
    ]
    formula_like = [
        c
        for ws in wb
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value[:1] in "=+-@"
    ]
    assert {c.value for c in formula_like} == {'=HYPERLINK("http://x","y")', "-NJ01", "@SUM(A1)", "+1"}
    for cell in formula_like:
        assert cell.data_type == "s" and cell.quotePrefix
    assert all(c.data_type != "f" for ws in wb for row in ws.iter_rows() for c in row)
    paradox = wb["补救悖论"]
    assert (paradox["B2"].data_type, paradox["B2"].value) == ("n", -1.5)  # a negative number stays a number
    assert wb["补偿"]["A2"].value == 200


def test_dashboard_view_serves_the_workbook(world, people):
    c = Client()
    c.force_login(people.supervisor)
    r = c.get("/escalation/dashboard/?format=xlsx")
    assert r.status_code == 200
    assert load_workbook(io.BytesIO(r.content)).sheetnames[0] == "失误来源"


# ---------------------------------------------------------------------- supervisors' phones


@pytest.fixture
def supervisor_a(world):
    return SocialSupervisor.objects.create(
        name="张监督", phone=PHONE, area="东山街道", unit=world.county_a, unit_path=world.county_a.path
    )


@pytest.mark.parametrize("role", Role.values)
def test_supervisor_phone_is_masked_on_the_page_and_in_the_api_for_every_role(world, supervisor_a, role):
    user = world.staff(role, world.county_a)
    page = Client()
    page.force_login(user)
    r = page.get("/escalation/supervisors/")
    html = r.content.decode()
    assert PHONE not in html
    if r.status_code == 200:
        assert MASKED in html
    api = APIClient()
    api.force_authenticate(user)
    r = api.get("/api/social-supervisors/")
    assert PHONE not in r.content.decode()
    if r.status_code == 200:
        assert [s["phone"] for s in r.json()["results"]] == [MASKED]


def test_registering_through_the_api_answers_with_the_masked_phone(world, people):
    api = APIClient()
    api.force_authenticate(people.supervisor)
    r = api.post(
        "/api/social-supervisors/",
        {"name": "李监督", "phone": PHONE, "area": "东山街道", "unit": world.county_a.code},
        format="json",
    )
    assert r.status_code == 201, r.content
    assert r.json()["phone"] == MASKED and PHONE not in r.content.decode()


def test_reveal_through_the_api_is_audited(world, people, supervisor_a):
    api = APIClient()
    api.force_authenticate(people.supervisor)
    r = api.post(
        f"/api/social-supervisors/{supervisor_a.pk}/reveal/", {"reason": "回访监督员"}, format="json"
    )
    assert r.status_code == 200, r.content
    assert r.json() == {"phone": PHONE}
    event = AuditEvent.objects.get(action="escalation.supervisor_reveal_phone")
    assert event.actor == people.supervisor
    assert event.object_id == str(supervisor_a.pk) and event.note == "回访监督员"
    assert PHONE not in str(event.changes)


def test_reveal_is_refused_without_the_permission_and_leaves_no_audit(world, supervisor_a):
    api = APIClient()
    api.force_authenticate(world.staff(Role.PLANNER, world.county_a))
    r = api.post(f"/api/social-supervisors/{supervisor_a.pk}/reveal/", {}, format="json")
    assert r.status_code in (403, 404)
    assert PHONE not in r.content.decode()
    assert not AuditEvent.objects.filter(action="escalation.supervisor_reveal_phone").exists()


def test_reveal_service_refuses_a_supervisor_outside_the_actors_scope(world, supervisor_a):
    other_county = world.staff(Role.SUPERVISOR, world.county_b)
    with pytest.raises(PermissionDeniedError):
        services.social_supervisor_reveal_phone(actor=other_county, supervisor=supervisor_a)
    assert not AuditEvent.objects.filter(action="escalation.supervisor_reveal_phone").exists()
