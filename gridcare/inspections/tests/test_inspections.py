"""Inspections (明查暗访): the score and the veto, the quarter rule, failed items opening
rectification items that close only by a verified fix, publishing, files checked by
content, scope and permissions on pages and API."""

from __future__ import annotations

import datetime as dt
import io
import wave
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from gridcare.core.errors import ApplicationError, ConflictError, PermissionDeniedError
from gridcare.inspections import selectors, services
from gridcare.inspections.choices import InspectionStatus, SiteKind
from gridcare.inspections.models import Checklist, Inspection, InspectionSite
from gridcare.inspections.selectors import Quarter, score_of
from gridcare.org.choices import Role
from gridcare.rectification import services as rect
from gridcare.rectification.choices import RectificationStatus
from gridcare.rectification.models import RectificationItem

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def people(world):
    class P:
        inspector = world.staff(Role.QUALITY_INSPECTOR, world.county_a)
        supervisor = world.staff(Role.SUPERVISOR, world.county_a)
        crew = world.staff(Role.REPAIR_CREW, world.station_a)
        agent = world.staff(Role.HOTLINE_AGENT, world.county_a)
        other_supervisor = world.staff(Role.SUPERVISOR, world.county_b)

    return P


@pytest.fixture
def sites(world):
    a = InspectionSite.objects.create(kind=SiteKind.STATION, name=world.station_a.name, unit=world.station_a)
    b = InspectionSite.objects.create(kind=SiteKind.STATION, name=world.station_b.name, unit=world.station_b)
    return a, b


def checklist() -> Checklist:
    return Checklist.objects.get(site_kind=SiteKind.STATION)


def answers(*, fail=(), notes=None) -> dict:
    """Every item of the station checklist passed, except the positions in ``fail``."""
    out = {}
    for item in checklist().items.filter(active=True):
        failed = item.position in fail
        out[item.pk] = {
            "passed": not failed,
            "note": (notes or {}).get(item.position, "现场发现问题") if failed else "",
        }
    return out


def record(user, site, *, fail=(), at=None, **kw) -> Inspection:
    return services.inspection_record(
        actor=user,
        site=site,
        kind=kw.pop("kind", "open"),
        checklist=checklist(),
        at=at or timezone.now() - dt.timedelta(hours=1),
        results=answers(fail=fail),
        **kw,
    )


# ------------------------------------------------------------------------------ score


def test_score_is_the_share_of_weights_passed_and_a_veto_fails():
    rows = [
        {"weight": 20, "veto": False, "passed": True},
        {"weight": 30, "veto": False, "passed": False},
        {"weight": 50, "veto": False, "passed": True},
    ]
    assert score_of(rows) == (Decimal("70.0"), False)
    rows = [{"weight": 1, "veto": False, "passed": True}, {"weight": 2, "veto": False, "passed": False}]
    assert score_of(rows) == (Decimal("33.3"), False)  # 33.33… half up to one decimal
    rows = [{"weight": 95, "veto": False, "passed": True}, {"weight": 5, "veto": True, "passed": False}]
    score, vetoed = score_of(rows)
    assert score == Decimal("95.0") and vetoed
    assert not selectors.is_pass(score, vetoed, 85)
    assert selectors.is_pass(Decimal("85.0"), False, 85) and not selectors.is_pass(Decimal("84.9"), False, 85)


def test_recorded_inspection_scores_by_the_seeded_weights(world, people, sites):
    items = {i.position: i for i in checklist().items.all()}
    total = sum(i.weight for i in items.values())
    ok = record(people.inspector, sites[0])
    assert ok.score == Decimal("100.0") and ok.passed and not ok.vetoed
    assert not RectificationItem.objects.exists()
    # Fail one ordinary item: the score drops by its share, still passing or not by the mark.
    one = record(people.inspector, sites[0], fail=(1,))
    expected = (Decimal(total - items[1].weight) * 100 / total).quantize(Decimal("0.1"))
    assert one.score == expected and one.passed == (expected >= one.pass_mark)
    # Fail the veto item: not passed whatever the score.
    veto = next(i for i in items.values() if i.veto)
    vetoed = record(people.inspector, sites[0], fail=(veto.position,))
    assert vetoed.vetoed and not vetoed.passed and vetoed.score > 75


# ------------------------------------------------------------------- rectification


def test_failed_items_open_rectification_items_that_close_only_verified(world, people, sites):
    inspection = record(people.inspector, sites[0], fail=(2, 3))
    failed = list(inspection.results.filter(passed=False))
    assert len(failed) == 2 and all(r.rectification_id for r in failed)
    item = RectificationItem.objects.get(pk=failed[0].rectification_id)
    assert item.source_kind == services.SOURCE_KIND and item.unit_id == world.station_a.pk
    assert item.status == RectificationStatus.OPEN and item.source_ref.startswith(f"{inspection.pk}:")
    # It cannot be cancelled (no button either) …
    from gridcare.rectification.selectors import allowed_actions

    assert "cancel" not in allowed_actions(people.supervisor, item)
    with pytest.raises(ApplicationError) as e:
        rect.rectification_cancel(actor=people.supervisor, item=item, reason="不是问题")
    assert e.value.code == "verified_only"
    # … nor verified before a fix with evidence, nor by the one who fixed it.
    with pytest.raises(ApplicationError):
        rect.rectification_verify(actor=people.supervisor, item=item)
    rect.rectification_fix(actor=people.crew, item=item, evidence="已补齐公示牌并拍照")
    with pytest.raises(ApplicationError):
        rect.rectification_verify(actor=people.crew, item=item)
    done = rect.rectification_verify(actor=people.supervisor, item=item, note="现场复核通过")
    assert done.status == RectificationStatus.VERIFIED
    # A manual item can still be cancelled: the rule is the source's.
    manual = rect.rectification_open(
        actor=people.supervisor, source_kind="manual", title="手工", unit=world.station_a
    )
    assert (
        rect.rectification_cancel(actor=people.supervisor, item=manual, reason="重复").status == "cancelled"
    )


# ------------------------------------------------------------------------ validation


def test_record_refuses_bad_input_and_saves_nothing(world, people, sites):
    results = answers()
    missing = dict(list(results.items())[1:])
    with pytest.raises(ApplicationError) as e:
        services.inspection_record(
            actor=people.inspector,
            site=sites[0],
            kind="open",
            checklist=checklist(),
            at=timezone.now(),
            results=missing,
        )
    assert e.value.field.startswith("result_")
    bad = answers(fail=(1,), notes={1: ""})
    with pytest.raises(ApplicationError) as e:
        services.inspection_record(
            actor=people.inspector,
            site=sites[0],
            kind="open",
            checklist=checklist(),
            at=timezone.now(),
            results=bad,
        )
    assert e.value.field.startswith("note_")
    with pytest.raises(ApplicationError) as e:  # a test call is for the hotline
        record(people.inspector, sites[0], kind="test_call")
    assert e.value.field == "kind"
    with pytest.raises(ApplicationError) as e:
        record(people.inspector, sites[0], at=timezone.now() + dt.timedelta(days=1))
    assert e.value.field == "at"
    with pytest.raises(ApplicationError) as e:
        record(people.inspector, sites[0], files=[(b"MZ\x90\x00 not a document", "virus.exe")])
    assert e.value.field == "files" and e.value.code == "invalid_type"
    with pytest.raises(ApplicationError):  # the other county's station is out of scope
        record(people.inspector, sites[1])
    with pytest.raises(PermissionDeniedError):
        record(people.crew, sites[0])
    assert not Inspection.objects.exists() and not RectificationItem.objects.exists()


def test_files_by_content_including_recordings(world, people, sites):
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\x00\x00" * 800)
    inspection = record(people.inspector, sites[0], kind="mystery", files=[(buf.getvalue(), "测试录音.wav")])
    f = inspection.files.get()
    assert f.content_type == "audio/wav" and f.extension == "wav"
    c = Client()
    c.force_login(people.supervisor)
    r = c.get(f"/inspections/{inspection.pk}/files/{f.token}/")
    assert r.status_code == 200 and r["X-Content-Type-Options"] == "nosniff"
    c.force_login(people.other_supervisor)
    assert c.get(f"/inspections/{inspection.pk}/files/{f.token}/").status_code == 404


# ------------------------------------------------------------------------ quarter rule


def test_quarter_arithmetic():
    q = Quarter.of(dt.date(2026, 11, 30))
    assert (q.year, q.q) == (2026, 4) and q.start == dt.date(2026, 10, 1) and q.end == dt.date(2027, 1, 1)
    assert q.previous() == Quarter(2026, 3) and Quarter(2026, 1).previous() == Quarter(2025, 4)
    assert Quarter.parse("2026-q2") == Quarter(2026, 2) and Quarter.parse("2026-Q5") is None
    assert Quarter.parse("x") is None
    assert selectors.last_quarters(4, dt.date(2026, 2, 1)) == [
        Quarter(2025, 2),
        Quarter(2025, 3),
        Quarter(2025, 4),
        Quarter(2026, 1),
    ]


def test_a_missed_quarter_shows_up_by_itself(world, people, sites):
    today = timezone.localdate()
    this = Quarter.of(today)
    last = this.previous()
    tz = timezone.get_current_timezone()
    in_last = dt.datetime.combine(last.start + dt.timedelta(days=10), dt.time(10), tzinfo=tz)
    # Station A was inspected last quarter and not this one; station B never (but is out of scope).
    services.inspection_record(
        actor=people.inspector,
        site=sites[0],
        kind="open",
        checklist=checklist(),
        at=in_last,
        results=answers(),
        now=in_last + dt.timedelta(hours=1),
    )
    missing = selectors.sites_missing(people.supervisor, this)
    assert [s.pk for s in missing] == [sites[0].pk]  # county A's supervisor sees only county A
    assert selectors.sites_missing(people.supervisor, last) == []
    rows = selectors.coverage(people.supervisor, [last, this])
    assert [(c["count"], c["missing"]) for c in rows[0]["cells"]] == [(1, False), (0, True)]
    # The supervisor's home page says so without anyone opening the coverage page.
    c = Client()
    c.force_login(people.supervisor)
    home = c.get("/").content.decode()
    assert "本季度未检查的对象" in home and sites[0].name in home
    # Raising the site's due number makes last quarter missing too.
    InspectionSite.objects.filter(pk=sites[0].pk).update(per_quarter=2)
    assert [s.pk for s in selectors.sites_missing(people.supervisor, last)] == [sites[0].pk]
    # An inspection this quarter takes the site off the list.
    InspectionSite.objects.filter(pk=sites[0].pk).update(per_quarter=1)
    record(people.inspector, sites[0])
    assert selectors.sites_missing(people.supervisor, this) == []
    home = c.get("/").content.decode()
    assert "本季度未检查的对象" not in home


def test_sites_sync_makes_halls_stations_and_hotline_teams(world, people):
    from gridcare.hall.tests.factories import make_hall

    hall = make_hall(world.county_a)
    world.staff(Role.HOTLINE_AGENT, world.city)
    made = services.sites_sync()
    assert made == {"hall": 1, "station": 2, "hotline": 2}  # the agents of county A and of the city
    assert InspectionSite.objects.get(hall=hall).unit_id == world.county_a.pk
    assert services.sites_sync() == {"hall": 0, "station": 0, "hotline": 0}
    with pytest.raises(PermissionDeniedError):
        services.sites_sync(actor=people.inspector)


# ------------------------------------------------------------------------ publishing


def test_publish_and_the_published_page_for_every_staff(world, people, sites):
    inspection = record(people.inspector, sites[0], fail=(1,), findings="公示牌缺少抢修电话")
    c = Client()
    c.force_login(people.crew)  # a crew member of the station: may read published results only
    assert c.get("/inspections/").status_code == 403
    assert inspection.number not in c.get("/inspections/results/").content.decode()
    with pytest.raises(PermissionDeniedError):
        services.inspection_publish(actor=people.inspector, inspection=inspection)
    services.inspection_publish(actor=people.supervisor, inspection=inspection)
    page = c.get("/inspections/results/").content.decode()
    assert sites[0].name in page
    detail = c.get(f"/inspections/results/{inspection.pk}/").content.decode()
    assert "公示牌缺少抢修电话" in detail and people.inspector.username not in detail
    with pytest.raises(ApplicationError) as e:
        services.inspection_publish(actor=people.supervisor, inspection=inspection)
    assert e.value.status == 409
    with pytest.raises(ConflictError):
        services.inspection_publish(
            actor=people.supervisor, inspection=record(people.inspector, sites[0]), expected_version=9
        )
    c.force_login(people.other_supervisor)  # another county does not see it
    assert c.get(f"/inspections/results/{inspection.pk}/").status_code == 404


# ---------------------------------------------------------------------- pages and API


def test_record_through_the_page(world, people, sites):
    c = Client()
    c.force_login(people.inspector)
    page = c.get(f"/inspections/new/?site={sites[0].pk}").content.decode()
    items = list(checklist().items.filter(active=True))
    assert all(i.text in page for i in items)
    data = {"site": sites[0].pk, "checklist": checklist().pk, "kind": "mystery", "at": "2026-12-01T10:30"}
    for i in items:
        data[f"result_{i.pk}"] = "pass"
    data[f"result_{items[0].pk}"] = "fail"
    r = c.post("/inspections/new/", data)
    assert r.status_code == 200 and "不合格，请说明" in r.content.decode()  # the note is missing; form kept
    assert not Inspection.objects.exists()
    data[f"note_{items[0].pk}"] = "值班表未更新"
    r = c.post("/inspections/new/", data)
    inspection = Inspection.objects.get()
    assert r.status_code == 302 and r["Location"].endswith(f"/inspections/{inspection.pk}/")
    detail = c.get(r["Location"]).content.decode()
    assert "值班表未更新" in detail and "公布检查结果" not in detail  # the inspector may not publish
    c.force_login(people.supervisor)
    assert "公布检查结果" in c.get(r["Location"]).content.decode()


def test_list_plan_and_xlsx(world, people, sites, django_assert_max_num_queries):
    for _ in range(3):
        record(people.inspector, sites[0], fail=(1,))
    c = Client()
    c.force_login(people.supervisor)
    with django_assert_max_num_queries(25):
        r = c.get("/inspections/")
    assert r.status_code == 200 and r.content.decode().count("JC0") == 3
    plan = c.get("/inspections/plan/").content.decode()
    assert sites[0].name in plan and sites[1].name not in plan
    x = c.get("/inspections/plan.xlsx")
    assert x.status_code == 200 and x["Content-Type"].startswith("application/vnd.openxmlformats")
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(x.content)).active
    assert ws.cell(2, 1).value == sites[0].name


def test_api_record_publish_and_coverage(world, people, sites):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(people.inspector)
    items = list(checklist().items.filter(active=True))
    body = {
        "site": sites[0].pk,
        "kind": "open",
        "checklist": checklist().pk,
        "at": (timezone.now() - dt.timedelta(hours=2)).isoformat(),
        "results": [{"item": i.pk, "passed": True} for i in items],
    }
    r = api.post("/api/inspections/inspections/", body, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["passed"] and len(r.json()["results"]) == len(items)
    body["results"] = body["results"][1:]
    r = api.post("/api/inspections/inspections/", body, format="json")
    assert r.status_code == 400 and "result_" in r.content.decode()
    pk = Inspection.objects.get().pk
    assert api.post(f"/api/inspections/inspections/{pk}/publish/", {}, format="json").status_code == 403
    api.force_authenticate(people.supervisor)
    r = api.post(f"/api/inspections/inspections/{pk}/publish/", {}, format="json")
    assert r.status_code == 200 and r.json()["status"] == InspectionStatus.PUBLISHED
    cov = api.get("/api/inspections/coverage/").json()
    assert cov["figures"]["inspections"] == 1 and [s["site"] for s in cov["sites"]] == [sites[0].pk]
    assert cov["sites"][0]["quarters"][-1] == {
        "quarter": str(selectors.current_quarter()),
        "count": 1,
        "missing": False,
    }
    api.force_authenticate(people.other_supervisor)
    assert api.get(f"/api/inspections/inspections/{pk}/").status_code == 404


def test_report_section_counts_the_period_and_lists_published_results(world, people, sites):
    inspection = record(people.inspector, sites[0], fail=(1, 2))
    record(people.inspector, sites[0])
    services.inspection_publish(actor=people.supervisor, inspection=inspection)
    item = RectificationItem.objects.get(pk=inspection.results.filter(passed=False).first().rectification_id)
    rect.rectification_fix(actor=people.crew, item=item, evidence="已整改")
    rect.rectification_verify(actor=people.supervisor, item=item)
    now = timezone.now()
    section = selectors.report_section(
        since=now - dt.timedelta(days=1), until=now + dt.timedelta(minutes=1), scope_path=world.county_a.path
    )
    assert (
        section["inspections"] == 2 and section["failed_items"] == 2 and section["failed_items_verified"] == 1
    )
    assert [x["failed_items"] for x in section["published"]] == [2]
    other = selectors.report_section(
        since=now - dt.timedelta(days=1), until=now + dt.timedelta(minutes=1), scope_path=world.county_b.path
    )
    assert other["inspections"] == 0 and other["pass_rate"] is None
    # The periodic report carries it (page and workbook).
    from gridcare.analytics.reports.build import _inspections
    from gridcare.analytics.reports.periods import Period

    period = Period("monthly", "x", timezone.localdate(now), timezone.localdate(now))
    assert _inspections(period, world.county_a.path)["inspections"] == 2
