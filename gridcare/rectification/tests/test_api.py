"""The rectification API: list and filters in scope, detail with allowed actions, open by
hand, the actions (multipart evidence), errors naming the field, 409 on a stale version."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from gridcare.org.choices import Role
from gridcare.rectification.choices import RectificationStatus as S

from .factories import PDF_BYTES, open_item

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _api(user) -> APIClient:
    c = APIClient()
    c.force_authenticate(user)
    return c


def test_list_detail_and_actions(world):
    sup = world.staff(Role.SUPERVISOR, world.county_a)
    crew = world.staff(Role.REPAIR_CREW, world.station_a)
    item = open_item(sup, world.station_a)
    other = open_item(None, world.station_b)
    body = _api(sup).get("/api/rectification-items/").json()
    assert [r["id"] for r in body["results"]] == [item.pk]
    assert _api(sup).get(f"/api/rectification-items/{other.pk}/").status_code == 404
    assert _api(sup).get(f"/api/rectification-items/?unit={world.station_b.code}").json()["count"] == 0
    detail = _api(crew).get(f"/api/rectification-items/{item.pk}/").json()
    assert detail["allowed_actions"] == ["fix"] and detail["number"] == item.number

    r = _api(crew).post(
        f"/api/rectification-items/{item.pk}/fix/",
        {"evidence": "已整改", "evidence_file": SimpleUploadedFile("report.pdf", PDF_BYTES)},
        format="multipart",
    )
    assert r.status_code == 200, r.content
    assert r.json()["status"] == S.FIXED and r.json()["evidence"][0]["content_type"] == "application/pdf"
    stale = _api(sup).post(
        f"/api/rectification-items/{item.pk}/verify/", {"expected_version": 1}, format="json"
    )
    assert stale.status_code == 409
    assert (
        _api(crew).post(f"/api/rectification-items/{item.pk}/verify/", {}, format="json").status_code == 403
    )
    ok = _api(sup).post(f"/api/rectification-items/{item.pk}/verify/", {"note": "核实"}, format="json")
    assert ok.status_code == 200 and ok.json()["status"] == S.VERIFIED


def test_open_by_hand_and_errors(world):
    sup = world.staff(Role.SUPERVISOR, world.county_a)
    r = _api(sup).post(
        "/api/rectification-items/", {"title": "服务指南过期", "unit": world.station_a.code}, format="json"
    )
    assert r.status_code == 201 and r.json()["source_kind"] == "manual"
    r = _api(sup).post(
        "/api/rectification-items/", {"title": "x", "unit": world.station_b.code}, format="json"
    )
    assert r.status_code == 400 and "unit" in r.json()["errors"]
    r = _api(sup).post(
        "/api/rectification-items/",
        {"title": "x", "unit": world.station_a.code, "due_in_working_days": 9999},
        format="json",
    )
    assert r.status_code == 400 and "due_in_working_days" in r.json()["errors"]
    item_id = _api(sup).get("/api/rectification-items/?active=true").json()["results"][0]["id"]
    crew = world.staff(Role.REPAIR_CREW, world.station_a)
    r = _api(crew).post(
        f"/api/rectification-items/{item_id}/fix/",
        {"evidence": "x", "evidence_file": SimpleUploadedFile("a.pdf", b"plain text")},
        format="multipart",
    )
    assert r.status_code == 400 and "evidence_file" in r.json()["errors"]
    agent = world.staff(Role.HOTLINE_AGENT, world.county_a)
    assert _api(agent).get("/api/rectification-items/").status_code == 403
