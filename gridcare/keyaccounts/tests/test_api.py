"""The key-account API: packages, subscriptions, inspections (record with findings),
plans (multipart document, checked), drills; scope and permissions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from gridcare.keyaccounts.models import SafetyInspection
from gridcare.org.choices import Role

from .factories import PDF_BYTES, key_customer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _api(user) -> APIClient:
    c = APIClient()
    c.force_authenticate(user)
    return c


def test_subscribe_record_and_plans(world):
    manager = world.staff(Role.CUSTOMER_MANAGER, world.county_a)
    api = _api(manager)
    today = timezone.localdate()
    assert {p["code"] for p in api.get("/api/service-packages/").json()} >= {"BASIC", "PLUS"}
    c = key_customer(world.area_a, important=True)
    r = api.post(
        "/api/key-account-subscriptions/",
        {
            "customer": c.customer_no,
            "package": "PLUS",
            "start_date": (today - dt.timedelta(days=190)).isoformat(),
        },
        format="json",
    )
    assert r.status_code == 201, r.content
    due = api.get("/api/safety-inspections/?due=true").json()
    assert due["count"] == 1
    pk = due["results"][0]["id"]
    r = api.post(
        f"/api/safety-inspections/{pk}/record/",
        {
            "done_on": today.isoformat(),
            "findings": [{"description": "接地电阻超标", "severity": "major", "needs_work": True}],
        },
        format="json",
    )
    assert r.status_code == 200, r.content
    assert r.json()["findings"][0]["rectification"] is not None
    r = api.post(
        "/api/emergency-plans/",
        {
            "customer": c.customer_no,
            "title": "应急预案",
            "review_date": (today + dt.timedelta(days=10)).isoformat(),
            "document": SimpleUploadedFile("plan.pdf", PDF_BYTES),
        },
        format="multipart",
    )
    assert r.status_code == 201, r.content
    plan = r.json()
    assert plan["state"] == "expiring" and plan["has_document"]
    assert api.get("/api/emergency-plans/?expiring=true").json()["count"] == 1
    r = api.post(
        f"/api/emergency-plans/{plan['id']}/drills/", {"scheduled_for": today.isoformat()}, format="json"
    )
    assert r.status_code == 201
    drill = r.json()["id"]
    r = api.post(
        f"/api/emergency-drills/{drill}/record/",
        {"held_on": today.isoformat(), "result": "improve", "participants": "5人"},
        format="json",
    )
    assert r.status_code == 200 and r.json()["status"] == "done"
    r = api.post(
        f"/api/emergency-plans/{plan['id']}/review/",
        {"review_date": (today + dt.timedelta(days=365)).isoformat(), "expected_version": plan["version"]},
        format="json",
    )
    assert r.status_code == 200 and r.json()["state"] == "current"


def test_bad_document_scope_and_permissions(world):
    manager = world.staff(Role.CUSTOMER_MANAGER, world.county_a)
    today = timezone.localdate()
    c = key_customer(world.area_a, important=True)
    r = _api(manager).post(
        "/api/emergency-plans/",
        {
            "customer": c.customer_no,
            "title": "x",
            "review_date": (today + dt.timedelta(days=9)).isoformat(),
            "document": SimpleUploadedFile("x.pdf", b"GIF87a??"),
        },
        format="multipart",
    )
    assert r.status_code == 400 and "document" in r.json()["errors"]
    other = key_customer(world.area_b)
    r = _api(manager).post(
        "/api/key-account-subscriptions/", {"customer": other.customer_no, "package": "BASIC"}, format="json"
    )
    assert r.status_code == 400 and "customer" in r.json()["errors"]
    dispatcher = world.staff(Role.DISPATCHER, world.county_a)
    assert _api(dispatcher).get("/api/safety-inspections/").status_code == 200
    r = _api(dispatcher).post(
        "/api/key-account-subscriptions/", {"customer": c.customer_no, "package": "BASIC"}, format="json"
    )
    assert r.status_code == 403
    admin = world.staff(Role.ADMIN, world.company)
    _api(admin).post(
        "/api/key-account-subscriptions/",
        {
            "customer": other.customer_no,
            "package": "BASIC",
            "start_date": (today - dt.timedelta(days=400)).isoformat(),
        },
        format="json",
    )
    theirs = SafetyInspection.objects.get(customer=other)
    assert _api(manager).get(f"/api/safety-inspections/{theirs.pk}/").status_code == 404
