"""Survey pages: permissions and scope, the buttons a role may use, send and close from the
page, the CSI page and its Excel file, and the public answer form (no sign-in, masked name,
bad links refused with a friendly page)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from django.utils import timezone

from gridcare.escalation.models import OutboundMessage
from gridcare.org.choices import Role
from gridcare.surveys import services
from gridcare.surveys.choices import CampaignStatus
from gridcare.surveys.models import SurveyAnswer, SurveyCampaign, SurveyInvitation

from .factories import customers, make_campaign, sent_campaign

pytestmark = pytest.mark.django_db


def _page(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_pages_need_permissions(world):
    sup = world.staff(Role.SUPERVISOR, world.county_a)
    c = make_campaign(sup, world.county_a)
    agent = _page(world.staff(Role.HOTLINE_AGENT, world.county_a))
    for url in ("/surveys/", "/surveys/new/", "/surveys/csi/", "/surveys/csi.xlsx", f"/surveys/{c.pk}/"):
        assert agent.get(url).status_code == 403, url
    assert agent.post(f"/surveys/{c.pk}/send/").status_code == 403
    assert Client().get("/surveys/").status_code == 302  # to sign-in
    manager = _page(world.staff(Role.MANAGER, world.county_a))
    assert manager.get("/surveys/").status_code == 200
    assert manager.get("/surveys/new/").status_code == 403
    html = manager.get(f"/surveys/{c.pk}/").content.decode()
    assert f"/surveys/{c.pk}/send/" not in html and "/surveys/new/" not in html
    assert manager.post(f"/surveys/{c.pk}/send/").status_code == 403


def test_scope_list_and_detail(world):
    city = world.staff(Role.SUPERVISOR, world.city)
    mine = make_campaign(city, world.county_a, title="江宁区居民满意度调查")
    theirs = make_campaign(city, world.county_b, title="六合区居民满意度调查")
    county = _page(world.staff(Role.SUPERVISOR, world.county_a))
    html = county.get("/surveys/").content.decode()
    assert mine.title in html and theirs.title not in html
    assert county.get(f"/surveys/{theirs.pk}/").status_code == 404
    assert county.post(f"/surveys/{theirs.pk}/send/").status_code == 404
    assert county.get("/surveys/abc/").status_code == 404


def test_new_send_close_from_pages(world):
    sup = world.staff(Role.SUPERVISOR, world.county_a)
    customers(world.area_a, 15)
    client = _page(sup)
    today = timezone.localdate()
    r = client.post(
        "/surveys/new/",
        {
            "title": "江宁区四季度满意度调查",
            "unit": world.county_a.code,
            "audience": "silent",
            "sample_size": "12",
            "order_days": "90",
            "opens_on": today.isoformat(),
            "closes_on": (today + dt.timedelta(days=10)).isoformat(),
        },
    )
    c = SurveyCampaign.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/surveys/{c.pk}/"
    html = client.get(f"/surveys/{c.pk}/").content.decode()
    assert f"/surveys/{c.pk}/send/" in html and f"/surveys/{c.pk}/close/" not in html
    # a stale form changes nothing
    client.post(f"/surveys/{c.pk}/send/", {"expected_version": "9"})
    assert SurveyInvitation.objects.count() == 0
    client.post(f"/surveys/{c.pk}/send/", {"expected_version": "1"})
    assert SurveyInvitation.objects.count() == 12 and OutboundMessage.objects.count() == 12
    html = client.get(f"/surveys/{c.pk}/").content.decode()
    assert f"/surveys/{c.pk}/close/" in html and 'id="campaign-csi"' in html
    client.post(f"/surveys/{c.pk}/close/", {"expected_version": "2"})
    c.refresh_from_db()
    assert c.status == CampaignStatus.CLOSED
    # a bad form: message, no campaign
    r = client.post("/surveys/new/", {"title": "x", "unit": world.county_a.code, "sample_size": "3"})
    assert r.status_code == 200 and SurveyCampaign.objects.count() == 1


def test_csi_page_and_excel(world):
    sup = world.staff(Role.SUPERVISOR, world.county_a)
    customers(world.area_a, 12)
    c = sent_campaign(sup, world.county_a)
    for inv, score in zip(SurveyInvitation.objects.filter(campaign=c)[:4], [5, 5, 4, 3], strict=True):
        services.answer_record(token=inv.token, overall=score)
    client = _page(sup)
    html = client.get("/surveys/csi/").content.decode()
    assert world.station_a.name in html and "81.2" in html  # (100+100+75+50)/4 = 81.25
    r = client.get("/surveys/csi.xlsx?level=county")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxml")
    from openpyxl import load_workbook

    rows = list(load_workbook(io.BytesIO(r.content)).active.values)
    assert rows[1][0] == world.county_a.name and rows[1][1:3] == (10, 4)
    assert rows[-1][0] == "合计"


def test_public_answer_form(world):
    sup = world.staff(Role.SUPERVISOR, world.county_a)
    customers(world.area_a, 12)
    c = sent_campaign(sup, world.county_a)
    inv = SurveyInvitation.objects.filter(campaign=c).select_related("customer").first()
    anon = Client(enforce_csrf_checks=True)
    r = anon.get(f"/surveys/a/{inv.token}/")
    html = r.content.decode()
    assert r.status_code == 200
    assert inv.customer.name not in html and inv.customer.name[0] + "*" in html
    assert inv.customer.phone not in html and inv.customer.customer_no not in html
    assert "topbar" not in html and 'name="overall"' in html
    token = r.cookies["csrftoken"].value
    r = anon.post(
        f"/surveys/a/{inv.token}/",
        {"overall": "9", "attitude": "4", "csrfmiddlewaretoken": token},
    )
    assert r.status_code == 200 and SurveyAnswer.objects.count() == 0
    assert 'name="attitude" value="4" checked' in r.content.decode() and "评分须为" in r.content.decode()
    r = anon.post(
        f"/surveys/a/{inv.token}/",
        {"overall": "4", "reliability": "5", "comment": "停电通知很及时", "csrfmiddlewaretoken": token},
    )
    assert r.status_code == 200 and 'id="survey-thanks"' in r.content.decode()
    a = SurveyAnswer.objects.get()
    assert (a.overall, a.reliability, a.comment) == (4, 5, "停电通知很及时")
    # used, unknown, ended: friendly pages
    r = anon.get(f"/surveys/a/{inv.token}/")
    assert r.status_code == 410 and 'id="survey-gone"' in r.content.decode()
    r = anon.get("/surveys/a/not-a-real-token/")
    assert r.status_code == 404 and 'id="survey-gone"' in r.content.decode()
    other = SurveyInvitation.objects.filter(campaign=c, answered_at__isnull=True).first()
    services.campaign_close(actor=sup, campaign=c)
    r = anon.get(f"/surveys/a/{other.token}/")
    assert r.status_code == 410 and "已结束" in r.content.decode()


def test_detail_shows_aspects_and_comments_with_bounded_queries(world, django_assert_max_num_queries):
    sup = world.staff(Role.SUPERVISOR, world.county_a)
    customers(world.area_a, 12)
    c = sent_campaign(sup, world.county_a)
    invs = list(SurveyInvitation.objects.filter(campaign=c)[:3])
    services.answer_record(token=invs[0].token, overall=5, reliability=4, comment="抢修很及时")
    services.answer_record(token=invs[1].token, overall=2, reliability=1, comment="电压不稳")
    services.answer_record(token=invs[2].token, overall=4)
    for _ in range(5):
        make_campaign(sup, world.county_a)
    client = _page(sup)
    with django_assert_max_num_queries(20):
        html = client.get(f"/surveys/{c.pk}/").content.decode()
    assert "抢修很及时" in html and "电压不稳" in html and 'id="campaign-aspects"' in html
    assert "3.67" in html and "2.5" in html  # overall (5+2+4)/3, reliability (4+1)/2
    with django_assert_max_num_queries(12):
        html = client.get("/surveys/").content.decode()
    assert html.count(f'href="/surveys/{c.pk}/"') == 1
    other = _page(world.staff(Role.SUPERVISOR, world.county_b))
    assert other.get(f"/surveys/{c.pk}/").status_code == 404
