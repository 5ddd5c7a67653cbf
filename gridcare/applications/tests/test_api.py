"""The applications API: list in scope (query count pinned), detail with allowed actions,
accept, actions, errors naming the field, 409 for out-of-order stages and stale versions,
the report."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from gridcare.applications.choices import ApplicationStatus as S
from gridcare.customers.tests.factories import CustomerFactory
from gridcare.org.choices import Role

from .factories import accept, at

pytestmark = pytest.mark.django_db


def _api(user) -> APIClient:
    c = APIClient()
    c.force_authenticate(user)
    return c


def test_list_detail_scope_and_queries(world, django_assert_max_num_queries):
    clerk = world.staff(Role.COUNTER_CLERK, world.county_a)
    other = world.staff(Role.COUNTER_CLERK, world.county_b)
    mine = accept(clerk, unit=world.station_a)
    theirs = accept(other, unit=world.station_b)
    for _ in range(8):
        accept(clerk, unit=world.station_a)
    api = _api(clerk)
    with django_assert_max_num_queries(8):
        body = api.get("/api/applications/").json()
    assert body["count"] == 9 and theirs.pk not in {r["id"] for r in body["results"]}
    assert api.get(f"/api/applications/{theirs.pk}/").status_code == 404
    detail = api.get(f"/api/applications/{mine.pk}/").json()
    assert [s["name"] for s in detail["stages"]] == ["受理", "现场勘查", "装表接电"]
    assert (
        "complete_stage" in detail["allowed_actions"]
        and detail["events"][0]["code"] == "applications.accepted"
    )
    assert api.get("/api/applications/?mine=true&open=true").json()["count"] == 9


def test_accept_and_errors_name_the_field(world):
    clerk = world.staff(Role.COUNTER_CLERK, world.county_a)
    customer = CustomerFactory(area=world.area_a, category="lv_non_residential")
    api = _api(clerk)
    r = api.post(
        "/api/applications/",
        {"kind": "capacity_change", "channel": "counter", "customer_no": customer.customer_no},
        format="json",
    )
    assert r.status_code == 201 and r.json()["plan_name"] == "低压增减容"
    r = api.post(
        "/api/applications/",
        {"kind": "meter_test", "channel": "counter", "customer_no": customer.customer_no},
        format="json",
    )
    assert r.status_code == 400 and "kind" in r.json()["errors"]
    r = api.post("/api/applications/", {"kind": "bogus", "channel": "counter"}, format="json")
    assert r.status_code == 400 and "kind" in r.json()["errors"]
    r = api.post(
        "/api/applications/",
        {
            "kind": "new_connection",
            "channel": "counter",
            "category": "residential",
            "applicant_name": "x",
            "applicant_phone": "13900000000",
            "applicant_address": "y",
            "unit": world.station_b.code,
        },
        format="json",
    )
    assert r.status_code == 400 and "unit" in r.json()["errors"]
    r = api.post(
        "/api/applications/",
        {"kind": "name_change", "channel": "counter", "customer_no": "0000"},
        format="json",
    )
    assert r.status_code == 400 and "customer_no" in r.json()["errors"]
    assert (
        _api(world.staff(Role.DISPATCHER, world.county_a))
        .post("/api/applications/", {"kind": "new_connection", "channel": "counter"}, format="json")
        .status_code
        == 403
    )


def test_actions_out_of_order_stale_and_follow_up(world):
    clerk = world.staff(Role.COUNTER_CLERK, world.county_a)
    app = accept(clerk, unit=world.station_a)
    api = _api(clerk)
    r = api.post(f"/api/applications/{app.pk}/complete-stage/", {"stage": 2}, format="json")
    assert r.status_code == 409 and "stage" in r.json()["errors"]
    r = api.post(f"/api/applications/{app.pk}/complete-stage/", {"stage": 1}, format="json")
    assert r.status_code == 400 and "documents" in r.json()["errors"]
    r = api.post(f"/api/applications/{app.pk}/complete-stage/", {"stage": 1000}, format="json")
    assert r.status_code == 400 and "stage" in r.json()["errors"]
    for name in ("申请人有效身份证明", "用电地址物业权属证明"):
        assert (
            api.post(f"/api/applications/{app.pk}/document/", {"name": name}, format="json").status_code
            == 200
        )
    r = api.post(f"/api/applications/{app.pk}/complete-stage/", {"stage": 1}, format="json")
    assert r.status_code == 200 and r.json()["current_stage"] == "现场勘查"
    r = api.post(f"/api/applications/{app.pk}/pause/", {"reason": ""}, format="json")
    assert r.status_code == 400 and "reason" in r.json()["errors"]
    r = api.post(
        f"/api/applications/{app.pk}/pause/", {"reason": "等客户", "expected_version": 1}, format="json"
    )
    assert r.status_code == 409
    r = api.post(
        f"/api/applications/{app.pk}/home-visit/", {"date": "2020-01-01", "window": "morning"}, format="json"
    )
    assert r.status_code == 400 and "date" in r.json()["errors"]
    r = api.post(f"/api/applications/{app.pk}/follow-up/", {"reason": "x", "reply": "y"}, format="json")
    assert r.status_code == 409
    r = api.post(f"/api/applications/{app.pk}/terminate/", {"reason": "客户撤回"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == S.TERMINATED and r.json()["awaiting_answer"] is True
    r = api.post(
        f"/api/applications/{app.pk}/follow-up/", {"reason": "客户改期", "reply": "已确认"}, format="json"
    )
    assert r.status_code == 200 and r.json()["awaiting_answer"] is False


def test_report_api(world):
    clerk = world.staff(Role.COUNTER_CLERK, world.county_a)
    sup = world.staff(Role.SUPERVISOR, world.county_a)
    accept(clerk, unit=world.station_a, now=at(2026, 10, 12))
    r = _api(sup).get("/api/applications/report/?month=2026-10&by=clerk")
    assert r.status_code == 200 and r.json()["totals"]["accepted"] == 1
    r = _api(sup).get("/api/applications/report/?month=2026-13")
    assert r.status_code == 400 and "month" in r.json()["errors"]
    r = _api(sup).get("/api/applications/report/?by=street")
    assert r.status_code == 400 and "by" in r.json()["errors"]
    assert _api(clerk).get("/api/applications/report/").status_code == 403
