"""The periodic report's satisfaction-survey section (十二、满意度调查): the CSI of the
period for the report's scope, made through the surveys services, equals what the surveys'
CSI page shows the scope's supervisor; the page, the workbook and an older report without
the section."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from openpyxl import load_workbook

from gridcare.analytics.reports import parse_period, report_publish
from gridcare.analytics.reports.build import build_report
from gridcare.analytics.reports.render import render_xlsx, report_context
from gridcare.org.choices import Role
from gridcare.surveys import services as survey_services
from gridcare.surveys.models import SurveyInvitation
from gridcare.surveys.tests.factories import customers
from gridcare.workorders.tests.factories import at

from .pdfread import read_pdf

pytestmark = pytest.mark.django_db
OCTOBER = parse_period("monthly", "2026-10")


def _survey(actor, unit, *, sent, sample_size, answers):
    """A campaign sent at ``sent``; ``answers``: station path -> overall scores given the next day."""
    campaign = survey_services.campaign_create(
        actor=actor,
        title="供电服务满意度调查",
        unit=unit,
        sample_size=sample_size,
        opens_on=sent.date(),
        closes_on=sent.date() + dt.timedelta(days=14),
        now=sent,
    )
    campaign = survey_services.campaign_send(actor=actor, campaign=campaign, now=sent)
    for path, scores in answers.items():
        invitations = SurveyInvitation.objects.filter(campaign=campaign, unit_path=path).order_by("pk")
        for inv, score in zip(invitations, scores, strict=False):
            survey_services.answer_record(token=inv.token, overall=score, now=sent + dt.timedelta(days=1))
    return campaign


@pytest.fixture
def surveyed(world):
    """20 customers in county A's station and 10 in county B's, all invited on 14 October:
    in A 10 answer (CSI 72.5, 95 % CI 54.7–90.3), in B 5 (CSI 65.0, CI 29.6–100). A September
    round (answered in October) is outside the period: invitations count by the day sent."""
    surveyor = world.staff(Role.SUPERVISOR, world.city)
    customers(world.area_a, 20)
    customers(world.area_b, 10)
    _survey(
        surveyor, world.city, sent=at(2026, 9, 30, 9), sample_size=10, answers={world.station_a.path: [1] * 6}
    )
    _survey(
        surveyor,
        world.city,
        sent=at(2026, 10, 14, 9),
        sample_size=30,
        answers={
            world.station_a.path: [5, 5, 5, 4, 4, 4, 4, 3, 3, 2],
            world.station_b.path: [5, 4, 4, 3, 2],
        },
    )
    return surveyor


def _page(client, user, level: str) -> dict:
    client.force_login(user)
    resp = client.get(reverse("surveys:csi"), {"start": "2026-10-01", "end": "2026-10-31", "level": level})
    assert resp.status_code == 200
    return {"overall": resp.context["overall"], "units": resp.context["rows"]}


def test_company_report_agrees_with_the_surveys_page(world, surveyed, client):
    data = build_report(OCTOBER)["surveys"]
    # by hand: 15 answers of 30 invitations; (72.5×10 + 65×5) / 15 = 70.0
    o = data["overall"]
    assert (o["invited"], o["n"], o["response_rate"], o["csi"]) == (30, 15, 50.0, 70.0)
    assert o["low"] is not None and o["low"] < 70.0 < o["high"]
    assert data["level"] == "county"
    rows = {u["name"]: u for u in data["units"]}
    assert set(rows) == {world.county_a.name, world.county_b.name}
    a = rows[world.county_a.name]
    assert (a["invited"], a["n"], a["csi"], a["low"], a["high"]) == (20, 10, 72.5, 54.7, 90.3)
    b = rows[world.county_b.name]
    assert (b["invited"], b["n"], b["csi"], b["low"], b["high"], b["response_rate"]) == (
        10,
        5,
        65.0,
        29.6,
        100.0,
        50.0,
    )
    # the figures agree: the surveys' CSI page as a company-wide supervisor
    company_sup = world.staff(Role.SUPERVISOR, world.company)
    assert _page(client, company_sup, "county") == {"overall": data["overall"], "units": data["units"]}


def test_county_report_is_its_stations_and_agrees_with_the_county_page(world, surveyed, client):
    data = build_report(OCTOBER, scope_path=world.county_a.path, scope_name=world.county_a.name)["surveys"]
    assert data["level"] == "station"
    assert [u["name"] for u in data["units"]] == [world.station_a.name]  # county B's answers left out
    assert (data["overall"]["invited"], data["overall"]["n"], data["overall"]["csi"]) == (20, 10, 72.5)
    county_sup = world.staff(Role.SUPERVISOR, world.county_a)
    assert _page(client, county_sup, "station") == {"overall": data["overall"], "units": data["units"]}


def test_section_on_the_page_and_in_the_workbook(world, surveyed, client, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    report = report_publish(period=OCTOBER, unit=world.county_a)
    client.force_login(world.staff(Role.MANAGER, world.county_a))
    html = client.get(reverse("analytics:report-detail", args=[report.pk])).content.decode()
    assert "十二、满意度调查" in html and 'id="report-csi"' in html
    assert "95% 置信区间 54.7 ～ 90.3" in html and world.station_a.name in html
    wb = load_workbook(io.BytesIO((tmp_path / report.xlsx_file).read_bytes()))
    sheet = [[c.value for c in row] for row in wb["满意度调查"].iter_rows()]
    assert sheet[0][:5] == ["单位", "发送邀请", "已答复", "答复率%", "满意度指数"]
    assert sheet[1] == [world.station_a.name, 20, 10, 50, 72.5, 54.7, 90.3]
    assert sheet[2] == ["合计", 20, 10, 50, 72.5, 54.7, 90.3]
    pdf_text = read_pdf((tmp_path / report.pdf_file).read_bytes()).text.replace("\n", "")
    assert "十二、满意度调查" in pdf_text and "72.5" in pdf_text


def test_no_invitations_in_the_period_and_older_reports(world):
    data = build_report(parse_period("monthly", "2026-08"))
    assert data["surveys"]["overall"]["invited"] == 0 and data["surveys"]["units"] == []
    html = render_to_string("analytics/_report_body.html", report_context(data))
    assert "十二、满意度调查" in html and "本期没有发送满意度调查邀请" in html
    # a report stored before the section existed: no section, no sheet, no error
    del data["surveys"]
    html = render_to_string("analytics/_report_body.html", report_context(data))
    assert "十二、满意度调查" not in html
    assert "满意度调查" not in load_workbook(io.BytesIO(render_xlsx(data))).sheetnames
