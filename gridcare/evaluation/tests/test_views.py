"""Pages and API: the scorecard tabs and Excel, the internal page, the assessment list and
form, the experts page; who may open what and which buttons they see; the API's errors name
the field; a stale edit is a 409."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from gridcare.evaluation.models import ExpertAppointment, ExpertAssessment
from gridcare.hall.tests.factories import make_hall
from gridcare.org.choices import Role

from .factories import all_scores, appoint, assess

pytestmark = pytest.mark.django_db


def _page(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _api(user) -> APIClient:
    c = APIClient()
    c.force_authenticate(user)
    return c


@pytest.fixture
def people(world):
    class P:
        sup = world.staff(Role.SUPERVISOR, world.county_a)
        inspector = world.staff(Role.QUALITY_INSPECTOR, world.county_a)
        manager = world.staff(Role.MANAGER, world.county_a)
        clerk = world.staff(Role.COUNTER_CLERK, world.county_a)
        sup_b = world.staff(Role.SUPERVISOR, world.county_b)

    return P


def test_scorecard_page_tabs_export_and_scope(world, people, django_assert_max_num_queries):
    hall = make_hall(world.county_a, code="HA", name="江宁营业厅")
    make_hall(world.county_b, code="HB", name="六合营业厅")
    appoint(people.sup, people.inspector, world.county_a)
    assess(people.inspector, hall=hall, value=88)
    c = _page(people.sup)
    with django_assert_max_num_queries(70):
        html = c.get("/evaluation/").content.decode()
    assert "江宁营业厅" in html and "六合营业厅" not in html and "88.0" in html
    assert 'id="scorecard"' in html and "/evaluation/export.xlsx?level=hall" in html
    assert 'id="trend"' in html and "<svg" in html
    assert world.station_a.name in c.get("/evaluation/?level=unit").content.decode()
    assert c.get("/evaluation/?level=staff&period=2026-07").status_code == 200
    assert c.get("/evaluation/?level=bogus&period=nonsense").status_code == 200  # defaults
    r = c.get("/evaluation/export.xlsx?level=hall")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(r.content)).active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert values[0][0] == "对象" and values[1][0] == "江宁营业厅" and values[1][5] == 88
    assert c.get("/evaluation/internal/").status_code == 200


def test_permissions_and_buttons(world, people):
    for user, status in [(people.clerk, 403), (people.sup, 200), (people.manager, 200)]:
        assert _page(user).get("/evaluation/").status_code == status
    # the manager sees the scorecard but neither the assess link nor the experts page
    html = _page(people.manager).get("/evaluation/").content.decode()
    assert "/evaluation/assessments/new/" not in html and "/evaluation/experts/" not in html
    assert _page(people.manager).get("/evaluation/assessments/new/").status_code == 403
    assert _page(people.manager).get("/evaluation/experts/").status_code == 403
    # the inspector may assess but not appoint
    html = _page(people.inspector).get("/evaluation/").content.decode()
    assert "/evaluation/assessments/new/" in html and "/evaluation/experts/" not in html
    assert _page(people.inspector).get("/evaluation/experts/").status_code == 403
    html = _page(people.sup).get("/evaluation/").content.decode()
    assert "/evaluation/experts/" in html
    assert _api(people.clerk).get("/api/evaluation/scorecard/").status_code == 403
    assert _api(people.manager).post("/api/evaluation/assessments/", {}, format="json").status_code == 403


def test_experts_page_appoint_and_end(world, people):
    c = _page(people.sup)
    r = c.post(
        "/evaluation/experts/",
        {
            "user": people.inspector.pk,
            "unit": world.county_a.code,
            "valid_from": timezone.localdate().isoformat(),
        },
    )
    assert r.status_code == 302
    a = ExpertAppointment.objects.get()
    assert a.user == people.inspector and a.appointed_by == people.sup
    html = c.get("/evaluation/experts/").content.decode()
    assert f"/evaluation/experts/{a.pk}/end/" in html
    # a unit out of scope is refused with a message
    c.post(
        "/evaluation/experts/",
        {"user": people.inspector.pk, "unit": world.county_b.code, "valid_from": "2026-01-01"},
    )
    assert ExpertAppointment.objects.count() == 1
    assert c.post(f"/evaluation/experts/{a.pk}/end/", {"expected_version": 1}).status_code == 302
    a.refresh_from_db()
    assert a.valid_to == timezone.localdate()
    assert _page(people.sup_b).post(f"/evaluation/experts/{a.pk}/end/").status_code == 404


def test_assessment_form_new_edit_delete(world, people):
    hall = make_hall(world.county_a, code="HA", name="江宁营业厅")
    appoint(people.sup, people.inspector, world.county_a)
    c = _page(people.inspector)
    html = c.get("/evaluation/assessments/new/").content.decode()
    assert f"hall:{hall.pk}" in html and 'name="score_environment"' in html
    post = {
        "target": f"hall:{hall.pk}",
        "period": timezone.localdate().strftime("%Y-%m"),
        "expert": people.inspector.pk,
    }
    post.update({f"score_{k}": v for k, v in all_scores(70).items()})
    assert c.post("/evaluation/assessments/new/", post).status_code == 302
    row = ExpertAssessment.objects.get()
    assert row.total == 70 and row.hall == hall
    # out of range: refused, shown again
    bad = dict(post, score_environment="150")
    r = c.post("/evaluation/assessments/new/", bad)
    assert r.status_code == 200 and ExpertAssessment.objects.count() == 1
    # edit with a stale version: refused
    edit = {f"score_{k}": v for k, v in all_scores(90).items()}
    r = c.post(f"/evaluation/assessments/{row.pk}/", dict(edit, expected_version=99))
    assert r.status_code == 200
    row.refresh_from_db()
    assert row.total == 70
    assert c.post(f"/evaluation/assessments/{row.pk}/", dict(edit, expected_version=1)).status_code == 302
    row.refresh_from_db()
    assert row.total == 90 and row.version == 2
    html = c.get("/evaluation/assessments/").content.decode()
    assert "江宁营业厅" in html and f"/evaluation/assessments/{row.pk}/delete/" in html
    assert _page(people.sup_b).get(f"/evaluation/assessments/{row.pk}/").status_code == 404
    assert "江宁营业厅" not in _page(people.sup_b).get("/evaluation/assessments/").content.decode()
    assert c.post(f"/evaluation/assessments/{row.pk}/delete/", {"expected_version": 2}).status_code == 302
    assert not ExpertAssessment.objects.exists()


def test_api_scorecard_and_assessments(world, people):
    hall = make_hall(world.county_a, code="HA", name="江宁营业厅")
    appoint(people.sup, people.inspector, world.county_a)
    api = _api(people.inspector)
    month = timezone.localdate().strftime("%Y-%m")
    r = api.post(
        "/api/evaluation/assessments/",
        {"hall": hall.pk, "period": month, "scores": all_scores(75), "note": "整体良好"},
        format="json",
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["total"] == "75.00" and body["target_name"] == "江宁营业厅" and body["period"] == month
    dup = api.post(
        "/api/evaluation/assessments/",
        {"hall": hall.pk, "period": month, "scores": all_scores(75)},
        format="json",
    )
    assert dup.status_code == 409
    bad = api.post(
        "/api/evaluation/assessments/",
        {"hall": hall.pk, "period": month, "scores": {"environment": 101}},
        format="json",
    )
    assert bad.status_code == 400 and "scores" in bad.json()["errors"]
    missing = api.post(
        "/api/evaluation/assessments/",
        {"unit": world.county_a.code, "period": month, "scores": {"environment": 50}},
        format="json",
    )
    assert missing.status_code == 400 and "score_conduct" in missing.json()["errors"]
    out = api.post(
        "/api/evaluation/assessments/",
        {"unit": world.county_b.code, "period": month, "scores": all_scores()},
        format="json",
    )
    assert out.status_code == 400 and "unit" in out.json()["errors"]
    for junk in ({"hall": 10**15}, {"period": "0000-01"}, {"expert": -1}):
        r = api.post(
            "/api/evaluation/assessments/",
            {"hall": hall.pk, "period": month, "scores": all_scores(), **junk},
            format="json",
        )
        assert r.status_code == 400 and set(r.json()["errors"]) & set(junk), r.content
    pk = body["id"]
    stale = api.put(
        f"/api/evaluation/assessments/{pk}/", {"scores": all_scores(60), "expected_version": 5}, format="json"
    )
    assert stale.status_code == 409
    ok = api.put(
        f"/api/evaluation/assessments/{pk}/", {"scores": all_scores(60), "expected_version": 1}, format="json"
    )
    assert ok.status_code == 200 and ok.json()["total"] == "60.00" and ok.json()["version"] == 2
    assert api.get("/api/evaluation/assessments/").json()["count"] == 1
    assert _api(people.sup_b).get("/api/evaluation/assessments/").json()["count"] == 0
    assert _api(people.sup_b).get(f"/api/evaluation/assessments/{pk}/").status_code == 404
    assert api.get("/api/evaluation/assessments/?period=bad").status_code == 400

    sc = _api(people.sup).get(f"/api/evaluation/scorecard/?level=hall&period={month}")
    assert sc.status_code == 200
    row = sc.json()["rows"][0]
    assert row["label"] == "江宁营业厅" and row["expert"] == 60.0 and row["expert_n"] == 1
    assert len(row["trend"]) == 3
    assert _api(people.sup).get("/api/evaluation/scorecard/?level=x").json()["errors"].keys() == {"level"}
    assert _api(people.sup).get("/api/evaluation/scorecard/?period=2026-Q9").json()["errors"].keys() == {
        "period"
    }
    assert api.delete(f"/api/evaluation/assessments/{pk}/?expected_version=2").status_code == 204


def test_assessment_of_last_quarter_month_listed_by_period(world, people):
    appoint(people.sup, people.inspector, world.county_a)
    last = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    assess(people.inspector, unit=world.station_a, period=last)
    label = last.strftime("%Y-%m")
    assert _api(people.sup).get(f"/api/evaluation/assessments/?period={label}").json()["count"] == 1
