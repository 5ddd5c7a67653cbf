"""The surveys API: campaigns in scope, create (errors naming the field), send and close
(409 on a stale version), the CSI endpoint, permissions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from gridcare.org.choices import Role
from gridcare.surveys import services
from gridcare.surveys.models import SurveyInvitation

from .factories import customers, make_campaign

pytestmark = pytest.mark.django_db


def _api(user) -> APIClient:
    c = APIClient()
    c.force_authenticate(user)
    return c


def test_campaigns_api(world):
    sup = world.staff(Role.SUPERVISOR, world.county_a)
    city = world.staff(Role.SUPERVISOR, world.city)
    customers(world.area_a, 12)
    other = make_campaign(city, world.county_b)
    api = _api(sup)
    today = timezone.localdate()
    body = {
        "title": "江宁区满意度调查",
        "unit": world.county_a.code,
        "sample_size": 10,
        "opens_on": today.isoformat(),
        "closes_on": (today + dt.timedelta(days=7)).isoformat(),
    }
    r = api.post("/api/surveys/campaigns/", {**body, "sample_size": 6000}, format="json")
    assert r.status_code == 400 and "sample_size" in r.json()["errors"]
    r = api.post("/api/surveys/campaigns/", {**body, "unit": world.county_b.code}, format="json")
    assert r.status_code == 400 and "unit" in r.json()["errors"]
    r = api.post(
        "/api/surveys/campaigns/",
        {**body, "closes_on": (today + dt.timedelta(days=90)).isoformat()},
        format="json",
    )
    assert r.status_code == 400 and "closes_on" in r.json()["errors"]
    r = api.post("/api/surveys/campaigns/", body, format="json")
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    assert r.json()["allowed_actions"] == ["send"] and r.json()["status"] == "draft"
    listed = api.get("/api/surveys/campaigns/").json()
    assert [x["id"] for x in listed["results"]] == [pk]
    assert api.get(f"/api/surveys/campaigns/{other.pk}/").status_code == 404
    assert (
        api.post(f"/api/surveys/campaigns/{pk}/send/", {"expected_version": 7}, format="json").status_code
        == 409
    )
    r = api.post(f"/api/surveys/campaigns/{pk}/send/", {"expected_version": 1}, format="json")
    assert r.status_code == 200 and r.json()["invited"] == 10 and r.json()["allowed_actions"] == ["close"]
    assert api.post(f"/api/surveys/campaigns/{pk}/send/", {}, format="json").status_code == 409
    inv = SurveyInvitation.objects.filter(campaign_id=pk).first()
    services.answer_record(token=inv.token, overall=5)
    detail = api.get(f"/api/surveys/campaigns/{pk}/").json()
    assert detail["answered"] == 1 and detail["overall"]["csi"] == 100.0
    assert detail["units"][0]["unit_path"] == world.station_a.path
    r = api.post(f"/api/surveys/campaigns/{pk}/close/", {}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "closed"


def test_csi_api_and_permissions(world):
    sup = world.staff(Role.SUPERVISOR, world.county_a)
    customers(world.area_a, 12)
    c = make_campaign(sup, world.county_a)
    services.campaign_send(actor=sup, campaign=c)
    for inv, score in zip(SurveyInvitation.objects.filter(campaign=c)[:2], [5, 3], strict=True):
        services.answer_record(token=inv.token, overall=score)
    today = timezone.localdate().isoformat()
    r = _api(sup).get(f"/api/surveys/csi/?start={today}&end={today}")
    assert r.status_code == 200
    units = r.json()["units"]
    assert units[0]["unit_path"] == world.station_a.path and units[0]["csi"] == 75.0 and units[0]["n"] == 2
    assert r.json()["overall"]["invited"] == 10
    assert _api(sup).get("/api/surveys/csi/?start=2026-13-01").status_code == 400
    assert "level" in _api(sup).get("/api/surveys/csi/?level=x").json()["errors"]
    agent = _api(world.staff(Role.HOTLINE_AGENT, world.county_a))
    assert agent.get("/api/surveys/csi/").status_code == 403
    assert agent.get("/api/surveys/campaigns/").status_code == 403
    manager = _api(world.staff(Role.MANAGER, world.county_a))
    assert manager.get("/api/surveys/campaigns/").status_code == 200
    assert manager.post(f"/api/surveys/campaigns/{c.pk}/close/", {}, format="json").status_code == 403
