import datetime as dt

import pytest
from django.test import Client
from rest_framework.test import APIClient

from gridcare.rectification.models import RectificationItem
from gridcare.supervision.models import ConductNorm, ConductViolation, SupervisorPoint, SupervisorReward

pytestmark = pytest.mark.django_db


def client(user):
    c = Client()
    c.force_login(user)
    return c


@pytest.mark.parametrize("url", ["/supervision/", "/supervision/conduct/", "/supervision/causes/"])
def test_pages_render_and_are_refused_without_permission(world, people, url):
    assert client(people.supervisor).get(url).status_code == 200
    assert client(people.agent).get(url).status_code == 403


def test_forms_only_for_who_may(world, people, social):
    manager_page = client(people.manager).get("/supervision/").content.decode()  # may view, not record
    assert 'action="/supervision/points/new/"' not in manager_page
    assert (
        'action="/supervision/points/new/"' in client(people.supervisor).get("/supervision/").content.decode()
    )
    assert (
        'action="/supervision/conduct/new/"'
        not in client(people.manager).get("/supervision/conduct/").content.decode()
    )
    assert (
        client(people.manager)
        .post("/supervision/points/new/", {"supervisor": social.pk, "text": "x"})
        .status_code
        == 403
    )


def test_point_flow_through_pages(world, people, social):
    c = client(people.supervisor)
    r = c.post(
        "/supervision/points/new/", {"supervisor": social.pk, "text": "抄表不准", "raised_on": "2026-03-01"}
    )
    point = SupervisorPoint.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/supervision/points/{point.pk}/"
    page = c.get(f"/supervision/points/{point.pk}/").content.decode()
    assert "抄表不准" in page and f'action="/supervision/points/{point.pk}/rectify/"' in page
    c.post(f"/supervision/points/{point.pk}/rectify/")
    assert RectificationItem.objects.get().source_ref == str(point.pk)
    c.post(f"/supervision/points/{point.pk}/answer/", {"answer": "已校表", "version": point.version + 1})
    point.refresh_from_db()
    assert point.status == "answered"
    assert client(people.supervisor_b).get(f"/supervision/points/{point.pk}/").status_code == 404
    c.post(
        "/supervision/rewards/new/",
        {"point": point.pk, "kind": "gift", "amount": "200", "reason": "意见中肯"},
    )
    reward = SupervisorReward.objects.get()
    assert reward.point == point and reward.supervisor == social
    # the proposer sees no approve button; another supervisor does
    assert f"/supervision/rewards/{reward.pk}/approve/" not in c.get("/supervision/").content.decode()
    other = client(people.supervisor2)
    assert f"/supervision/rewards/{reward.pk}/approve/" in other.get("/supervision/").content.decode()
    c.post(f"/supervision/rewards/{reward.pk}/approve/")
    reward.refresh_from_db()
    assert reward.status == "proposed"
    other.post(f"/supervision/rewards/{reward.pk}/approve/", {"version": reward.version})
    reward.refresh_from_db()
    assert reward.status == "approved"


def test_conduct_page_excel_and_api(world, people):
    norm = ConductNorm.objects.get(code="attitude")
    c = client(people.inspector)
    today = dt.date.today()
    r = c.post(
        "/supervision/conduct/new/",
        {"staff": people.clerk.pk, "norm": norm.pk, "source": "complaint", "found_on": today.isoformat()},
    )
    assert r.status_code == 302 and ConductViolation.objects.get().points == norm.default_points
    x = client(people.supervisor).get("/supervision/conduct/?format=xlsx")
    assert x.status_code == 200 and x.content[:2] == b"PK"
    api = APIClient()
    api.force_authenticate(people.supervisor)
    d = api.get("/api/supervision/conduct-figures/").json()
    assert d["total"] == {"violations": 1, "points": norm.default_points}
    assert d["people"][0]["staff_id"] == people.clerk.pk
    assert api.get("/api/supervision/conduct-figures/?period=quarter&at=2026Q9").status_code == 400
    assert api.get("/api/supervision/conduct-figures/?period=week").status_code == 400
    api.force_authenticate(people.inspector)
    body = {
        "staff": people.clerk.pk,
        "norm": "dress",
        "source": "inspection",
        "found_on": today.isoformat(),
        "points": 101,
    }
    r = api.post("/api/supervision/violations/", body, format="json")
    assert r.status_code == 400 and "points" in r.json()["errors"]
    r = api.post("/api/supervision/violations/", {**body, "points": 4}, format="json")
    assert r.status_code == 201 and r.json()["points"] == 4
    vid = r.json()["id"]
    r = api.post(
        f"/api/supervision/violations/{vid}/withdraw/", {"reason": "误登", "version": 5}, format="json"
    )
    assert r.status_code == 409
    r = api.post(f"/api/supervision/violations/{vid}/withdraw/", {"reason": "误登"}, format="json")
    assert r.status_code == 200 and r.json()["withdrawn"] is True
    api.force_authenticate(people.agent)
    assert api.get("/api/supervision/conduct-figures/").status_code == 403


def test_points_rewards_plans_api(world, people, social):
    api = APIClient()
    api.force_authenticate(people.supervisor)
    r = api.post("/api/supervision/plans/", {"unit": world.county_a.code, "every_months": 0}, format="json")
    assert r.status_code == 400 and "every_months" in r.json()["errors"]
    r = api.post("/api/supervision/plans/", {"unit": world.county_a.code, "every_months": 2}, format="json")
    assert r.status_code == 200 and r.json()["every_months"] == 2
    assert len(api.get("/api/supervision/plans/").json()) >= 1
    from gridcare.escalation import services as esc

    meeting = esc.supervisor_consultation_record(
        actor=people.supervisor, unit=world.county_a, held_on=dt.date(2026, 3, 5), topic="座谈"
    )
    body = {"supervisor": social.pk, "text": "路灯不亮", "consultation": 999999}
    r = api.post("/api/supervision/points/", body, format="json")
    assert r.status_code == 400 and "consultation" in r.json()["errors"]
    r = api.post("/api/supervision/points/", {**body, "consultation": meeting.pk}, format="json")
    assert r.status_code == 201 and r.json()["consultation"] == meeting.pk
    pid = r.json()["id"]
    assert (
        api.post(f"/api/supervision/points/{pid}/answer/", {"answer": ""}, format="json").status_code == 400
    )
    assert (
        api.post(f"/api/supervision/points/{pid}/answer/", {"answer": "已修复"}, format="json").status_code
        == 200
    )
    assert api.post(f"/api/supervision/points/{pid}/rectify/").status_code == 201
    r = api.post(
        "/api/supervision/rewards/",
        {"supervisor": social.pk, "kind": "bonus", "amount": "10001", "reason": "x"},
        format="json",
    )
    assert r.status_code == 400 and "amount" in r.json()["errors"]
    r = api.post(
        "/api/supervision/rewards/",
        {"supervisor": social.pk, "kind": "bonus", "amount": "500", "reason": "优秀"},
        format="json",
    )
    rid = r.json()["id"]
    assert api.post(f"/api/supervision/rewards/{rid}/approve/", {}, format="json").status_code == 403
    api.force_authenticate(people.manager)
    assert (
        api.post(f"/api/supervision/rewards/{rid}/approve/", {}, format="json").json()["status"] == "approved"
    )
    api.force_authenticate(people.supervisor_b)
    assert api.get("/api/supervision/points/").json() in (
        [],
        {"count": 0, "next": None, "previous": None, "results": []},
    )


def test_causes_page_and_api(world, people):
    from gridcare.escalation import services as esc
    from gridcare.workorders.tests.factories import make_order

    for i in range(3):
        order = make_order(people.agent, area=world.area_a)
        esc.service_failure_record(
            actor=people.inspector,
            order=order,
            source="inspection",
            origin="personnel",
            cause="communication",
            responsible_unit=world.station_a,
            description=f"暗访第{i + 1}次",
        )
    from django.utils import timezone

    from gridcare.supervision.choices import PeriodKind
    from gridcare.supervision.periods import period_of

    this = period_of(PeriodKind.MONTH, timezone.localdate())
    at = f"?period=month&at={this.key}"
    c = client(people.supervisor)
    # By default the page judges the last complete month (nothing there yet) …
    assert 'action="/supervision/causes/open/"' not in c.get("/supervision/causes/").content.decode()
    assert api_rows(people.supervisor, "") == []
    # … this month is asked for by name.
    page = c.get("/supervision/causes/" + at).content.decode()
    assert 'action="/supervision/causes/open/"' in page
    assert (
        'action="/supervision/causes/open/"'
        not in client(people.manager).get("/supervision/causes/" + at).content.decode()
    )
    api = APIClient()
    api.force_authenticate(people.supervisor)
    rows = api.get("/api/supervision/recurring-causes/" + at).json()["rows"]
    assert rows[0]["flagged"] and rows[0]["count"] == 3 and rows[0]["item"] is None
    key = rows[0]["ref"].split(":")[2]
    r = api.post(
        "/api/supervision/recurring-causes/",
        {"unit": world.station_a.code, "cause": "communication", "period": "month", "at": key},
        format="json",
    )
    assert r.status_code == 201 and r.json()["source_ref"] == f"NJ0101:communication:{key}"
    assert api.get("/api/supervision/recurring-causes/" + at).json()["rows"][0]["item"] == r.json()["item"]
    assert "立项整改" not in c.get("/supervision/causes/" + at).content.decode().split("<table")[1]
    bad = api.post(
        "/api/supervision/recurring-causes/",
        {"unit": world.station_a.code, "cause": "communication", "period": "month", "at": "20xx"},
        format="json",
    )
    assert bad.status_code == 400 and "at" in bad.json()["errors"]


def test_reminder_shows_in_notifications_and_norms_are_on_the_settings_pages(world, people):
    from gridcare.org.choices import Role
    from gridcare.supervision import services as services_mod

    services_mod.consultation_plan_save(
        actor=people.supervisor, unit=world.county_a, first_due_on=dt.date.today().isoformat()
    )
    assert services_mod.consultation_reminders_send()["overdue"] == 1
    page = client(people.supervisor).get("/escalation/notifications/").content.decode()
    assert "社会监督员座谈已逾期" in page
    admin = world.staff(Role.ADMIN, world.company)
    c = client(admin)
    listing = c.get("/settings/supervision-norms/")
    assert listing.status_code == 200 and "吃拿卡要" in listing.content.decode()
    assert c.get("/settings/supervision-settings/").status_code == 200
    norm = ConductNorm.objects.get(code="dress")
    assert c.get(f"/settings/supervision-norms/{norm.pk}/").status_code == 200


def test_plan_edit_form_refuses_a_stale_version(world, people):
    c = client(people.supervisor)
    c.post("/supervision/plans/", {"unit": world.county_a.code, "every_months": "3", "reminder_days": "7"})
    page = c.get("/supervision/").content.decode()
    assert 'name="version" value="1"' in page
    c.post(
        "/supervision/plans/",
        {"unit": world.county_a.code, "every_months": "6", "reminder_days": "7", "version": "1"},
    )
    c.post(
        "/supervision/plans/",
        {"unit": world.county_a.code, "every_months": "2", "reminder_days": "7", "version": "1"},
    )
    from gridcare.supervision.models import ConsultationPlan

    plan = ConsultationPlan.objects.get()
    assert (plan.every_months, plan.version) == (6, 2)
    assert 'name="version"' not in client(people.manager).get("/supervision/").content.decode()


def api_rows(user, query: str) -> list:
    api = APIClient()
    api.force_authenticate(user)
    return api.get("/api/supervision/recurring-causes/" + query).json()["rows"]
