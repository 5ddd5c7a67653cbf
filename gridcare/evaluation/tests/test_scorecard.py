"""The scorecard from the real selectors with a small hand-made October 2026: each part
(counter ratings, callbacks, surveys, experts, waits, application stages, order clocks,
returns) per hall, unit and clerk, the combined score and the trend; scoping; the
internal evaluation's bottlenecks; the query count."""

from __future__ import annotations

import datetime as dt

import pytest

from gridcare.applications.tests.factories import accept, complete
from gridcare.escalation.choices import CallbackKind, CallbackResult, CallbackStatus
from gridcare.escalation.models import CallbackTask
from gridcare.evaluation import selectors
from gridcare.evaluation.scoring import parse_period
from gridcare.hall import services as hall_services
from gridcare.hall.selectors import counter_rating_figures
from gridcare.hall.tests.factories import counter, make_hall
from gridcare.org.choices import Role
from gridcare.surveys import selectors as survey_selectors
from gridcare.surveys import services as survey_services
from gridcare.surveys.models import SurveyInvitation
from gridcare.surveys.tests.factories import customers as survey_customers
from gridcare.workorders.choices import Action, Channel, RequestType
from gridcare.workorders.models import WorkOrderClock, WorkOrderEvent
from gridcare.workorders.tests.factories import at, make_order

from .factories import appoint, assess

pytestmark = pytest.mark.django_db
OCT = parse_period("2026-10")
R = CallbackResult


def _served(clerk, hall, ctr, issued, wait_min, score):
    hall_services.ticket_take(actor=clerk, hall=hall, service_type="business", now=issued)
    called = issued + dt.timedelta(minutes=wait_min)
    t = hall_services.ticket_call_next(actor=clerk, counter=ctr, now=called)
    hall_services.ticket_serve(actor=clerk, ticket=t, now=called + dt.timedelta(minutes=1))
    t = hall_services.ticket_finish(actor=clerk, ticket=t, now=called + dt.timedelta(minutes=6))
    hall_services.ticket_rate(actor=clerk, ticket=t, score=score, now=called + dt.timedelta(minutes=7))


def _survey(actor, unit, *, sent, sample_size, answers):
    """A campaign over ``unit`` sent at ``sent`` through the surveys services; ``answers``:
    station path -> overall scores (1–5) given the next day by that many of its invitees."""
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
def surveys_october(world):
    """The surveys part made through the surveys app: 20 customers with mobile phones in
    county A's station and 5 in county B's, all invited on 14 October; in A 10 answer
    (six 5s, four 4s: CSI (6×100 + 4×75)/10 = 90), in B all 5 (3, 3, 3, 2, 2: CSI
    (3×50 + 2×25)/5 = 40)."""
    surveyor = world.staff(Role.SUPERVISOR, world.city)
    survey_customers(world.area_a, 20)
    survey_customers(world.area_b, 5)
    return _survey(
        surveyor,
        world.city,
        sent=at(2026, 10, 14, 9),
        sample_size=25,
        answers={world.station_a.path: [5] * 6 + [4] * 4, world.station_b.path: [3, 3, 3, 2, 2]},
    )


@pytest.fixture
def october(world, surveys_october):
    """County A's hall and clerk in October 2026 (hand-computed expectations in the tests)."""
    clerk = world.staff(Role.COUNTER_CLERK, world.county_a, username="clerk_a")
    sup = world.staff(Role.SUPERVISOR, world.county_a)
    inspector = world.staff(Role.QUALITY_INSPECTOR, world.county_a)
    admin = world.staff(Role.ADMIN, world.company)
    hall = make_hall(world.county_a, code="HA")
    make_hall(world.county_b, code="HB", name="六合营业厅")
    # tickets: waits 5, 10, 20 minutes (2 of 3 within 15), ratings 5, 4, 3 (average 4 → 75)
    ctr = counter(hall, 1)
    for i, (wait, score) in enumerate([(5, 5), (10, 4), (20, 3)]):
        _served(clerk, hall, ctr, at(2026, 10, 12, 9 + i), wait, score)
    # two counter orders accepted by the clerk: the first on time, the second late and returned
    orders = [
        make_order(
            clerk,
            channel=Channel.COUNTER,
            request_type=RequestType.CONSULTATION,
            description="咨询电费电价",
            area=world.area_a,
            now=at(2026, 10, 12, 9),
        )
        for _ in range(2)
    ]
    due = at(2026, 10, 13, 12)
    WorkOrderClock.objects.filter(order=orders[0]).update(due_at=due, met_at=due - dt.timedelta(hours=1))
    WorkOrderClock.objects.filter(order=orders[1]).update(due_at=due, met_at=due + dt.timedelta(hours=1))
    WorkOrderEvent.objects.create(order=orders[1], action=Action.RETURN, at=at(2026, 10, 12, 11))
    # four callbacks reached: 3 satisfied or basically satisfied, 1 not (75 %)
    for i, result in enumerate([R.SATISFIED, R.BASICALLY_SATISFIED, R.SATISFIED, R.UNSATISFIED]):
        o = orders[i % 2]
        CallbackTask.objects.create(
            order=o,
            kind=CallbackKind.ORDER,
            cycle_at=at(2026, 10, 14, 9 + i),
            due_at=at(2026, 10, 16, 9),
            status=CallbackStatus.DONE,
            result=result,
            done_at=at(2026, 10, 15, 9 + i),
            unit_path=o.unit_path,
            accepted_path=o.accepted_path,
        )
    # two applications at the hall: the first stage on time for one, late for the other
    one = accept(clerk, unit=world.station_a, hall=hall, now=at(2026, 10, 12))
    complete(clerk, one, now=at(2026, 10, 13))
    two = accept(clerk, unit=world.station_a, hall=hall, now=at(2026, 10, 12))
    complete(clerk, two, now=at(2026, 10, 23))
    # experts: 80 and 90 for the hall in October (mean 85); 60 for the station
    appoint(sup, inspector, world.county_a)
    appoint(sup, sup, world.county_a)
    assess(inspector, hall=hall, value=80, period=dt.date(2026, 10, 1))
    assess(sup, hall=hall, value=90, period=dt.date(2026, 10, 1))
    assess(inspector, unit=world.station_a, value=60, period=dt.date(2026, 10, 1))
    # September: only an expert assessment (the trend's previous period)
    assess(inspector, hall=hall, value=70, period=dt.date(2026, 9, 1))

    class D:
        pass

    d = D()
    d.clerk, d.sup, d.hall, d.orders, d.admin = clerk, sup, hall, orders, admin
    return d


def test_hall_row_from_the_real_selectors(world, october):
    data = selectors.scorecard(october.sup, level="hall", period=OCT, now=at(2026, 11, 5))
    assert [r["label"] for r in data["rows"]] == [october.hall.name]  # county B's hall is not in scope
    row = data["rows"][0]
    m = row["measures"]
    # the sources agree with their owners' selectors
    figures = counter_rating_figures(october.sup, start=OCT.start, end=OCT.end, by="hall")
    assert figures[0]["average"] == 4.0 and m["ratings"] == 75.0
    csi = survey_selectors.csi_by_unit(october.sup, start=OCT.start, end=OCT.end)
    assert list(csi) == [world.station_a.path]  # county B's answers are not in scope
    assert (csi[world.station_a.path]["n"], csi[world.station_a.path]["invited"]) == (10, 20)
    assert csi[world.station_a.path]["csi"] == m["surveys"]
    assert m["callbacks"] == 75.0 and m["surveys"] == 90.0
    assert m["expert"] == 85.0 and m["wait"] == 66.7 and m["stages"] == 50.0
    assert m["orders_on_time"] == 50.0 and m["rework"] == 50.0
    # customer = (75×40 + 75×40 + 90×20) / 100 = 78; n = 3 ratings + 4 callbacks + 10 responses
    assert row["customer"] == 78.0 and row["customer_n"] == 17
    assert row["expert"] == 85.0 and row["expert_n"] == 2
    # internal = (66.7 + 50 + 50 + 50) / 4 = 54.175 → 54.2
    assert row["internal"] == 54.2
    # combined = (78×50 + 85×30 + 54.2×20) / 100 = 75.34 → 75.3
    assert row["score"] == 75.3 and not row["renormalised"]
    # trend: July, August, September — September has only its expert assessment (70)
    assert [t["period"] for t in row["trend"]] == ["2026-07", "2026-08", "2026-09"]
    assert [t["score"] for t in row["trend"]] == [None, None, 70.0]
    # the level's averages for the trend chart (one hall in scope)
    assert data["series_periods"] == ["2026-07", "2026-08", "2026-09", "2026-10"]
    assert data["series"]["expert"] == [None, None, 70.0, 85.0]
    assert data["series"]["score"] == [None, None, 70.0, 75.3]


def test_quarter_and_weights_from_settings(world, october):
    from gridcare.evaluation.models import EvaluationSetting

    q4 = parse_period("2026-Q4")
    row = selectors.scorecard(october.sup, level="hall", period=q4, now=at(2026, 11, 5))["rows"][0]
    assert row["customer"] == 78.0 and row["expert"] == 85.0
    assert row["trend"][-1]["period"] == "2026-Q3" and row["trend"][-1]["score"] == 70.0
    EvaluationSetting.objects.filter(key="w_expert").update(value=0)
    row = selectors.scorecard(october.sup, level="hall", period=OCT, now=at(2026, 11, 5))["rows"][0]
    assert row["score"] == round((78 * 50 + 54.2 * 20) / 70, 1)  # 71.2


def test_unit_and_staff_rows(world, october):
    units = {
        r["label"]: r
        for r in selectors.scorecard(october.sup, level="unit", period=OCT, now=at(2026, 11, 5))["rows"]
    }
    assert set(units) == {world.county_a.name, world.station_a.name}  # county B out of scope
    county = units[world.county_a.name]
    # the county: its hall's ratings and waits, its own and its halls' expert assessments (80, 90, 60)
    assert county["measures"]["ratings"] == 75.0 and county["measures"]["wait"] == 66.7
    assert county["expert"] == round((80 + 90 + 60) / 3, 1) and county["expert_n"] == 3
    assert county["measures"]["surveys"] == 90.0
    station = units[world.station_a.name]
    assert station["expert"] == 60.0 and station["measures"]["ratings"] is None
    assert station["measures"]["stages"] == 50.0  # the applications are the station's

    staff = selectors.scorecard(october.sup, level="staff", period=OCT, now=at(2026, 11, 5))["rows"]
    row = next(r for r in staff if r["key"] == october.clerk.pk)
    assert row["measures"]["ratings"] == 75.0 and row["measures"]["callbacks"] == 75.0
    assert row["measures"]["stages"] == 50.0 and row["measures"]["orders_on_time"] == 50.0
    assert row["expert"] is None and row["measures"]["wait"] is None
    # customer 75; internal (50+50+50)/3 = 50; combined (75×50 + 50×20)/70 = 67.857… → 67.9
    assert row["customer"] == 75.0 and row["internal"] == 50.0
    assert row["score"] == 67.9 and row["renormalised"] and row["missing"] == ["expert"]


def test_other_county_sees_only_its_own(world, october):
    sup_b = world.staff(Role.SUPERVISOR, world.county_b)
    rows = selectors.scorecard(sup_b, level="hall", period=OCT, now=at(2026, 11, 5))["rows"]
    assert [r["label"] for r in rows] == ["六合营业厅"]
    assert rows[0]["measures"]["ratings"] is None and rows[0]["measures"]["surveys"] == 40.0
    assert rows[0]["expert"] is None
    units = selectors.scorecard(sup_b, level="unit", period=OCT, now=at(2026, 11, 5))["rows"]
    assert {r["label"] for r in units} == {world.county_b.name, world.station_b.name}
    assert not [
        r
        for r in selectors.scorecard(sup_b, level="staff", period=OCT)["rows"]
        if r["key"] == october.clerk.pk
    ]


def test_no_survey_answers_in_the_period_is_no_data(world):
    """Invitations sent in October but none answered: the survey part is no data and the
    customer part is the ratings alone (weights renormalised). September's invitations
    answered on 1 October count for September (the CSI counts by the day sent)."""
    sup = world.staff(Role.SUPERVISOR, world.county_a)
    clerk = world.staff(Role.COUNTER_CLERK, world.county_a)
    survey_customers(world.area_a, 20)
    _survey(
        sup, world.county_a, sent=at(2026, 9, 30, 9), sample_size=10, answers={world.station_a.path: [4] * 4}
    )
    _survey(sup, world.county_a, sent=at(2026, 10, 14, 9), sample_size=20, answers={})
    hall = make_hall(world.county_a, code="HX")
    ctr = counter(hall, 1)
    for i, (wait, score) in enumerate([(5, 5), (10, 4), (20, 3)]):  # ratings average 4 → 75
        _served(clerk, hall, ctr, at(2026, 10, 12, 9 + i), wait, score)
    csi = survey_selectors.csi_by_unit(sup, start=OCT.start, end=OCT.end)
    assert csi[world.station_a.path]["invited"] == 20 and csi[world.station_a.path]["n"] == 0
    assert csi[world.station_a.path]["csi"] is None

    row = selectors.scorecard(sup, level="hall", period=OCT, now=at(2026, 11, 5))["rows"][0]
    assert row["measures"]["surveys"] is None and row["measures"]["ratings"] == 75.0
    # customer = ratings alone (callbacks and surveys missing): 75, from 3 ratings
    assert row["customer"] == 75.0 and row["customer_n"] == 3
    assert "surveys" in row["missing_measures"] and row["renormalised"]
    assert row["missing"] == ["expert"]
    # combined = (75×50 + 66.7×20) / 70 = 5084 / 70 = 72.63 → 72.6 (internal: the wait measure alone)
    assert row["internal"] == 66.7 and row["score"] == 72.6
    # September: the four answers (all 4 → 75) are the whole customer part, and the score
    assert row["trend"][-1] == {"period": "2026-09", "score": 75.0}


def test_bottlenecks(world, october):
    data = selectors.bottlenecks(october.sup, period=OCT, now=at(2026, 11, 5))
    assert data["stages"] and data["stages"][0]["count"] == 2 and data["stages"][0]["late"] == 1
    units = {u["label"]: u for u in data["units"]}
    county = units[world.county_a.name]
    assert county["orders"] == 2 and county["returns"] == 1 and county["returns_per_100"] == 50.0
    assert county["reopens"] == 0 and county["per_100"] == 50.0
    assert data["halls"][0]["label"] == october.hall.name and data["halls"][0]["within_share"] == 66.7
    # each kind of clock: one order's met on time, the other's late → 50 %
    assert data["clocks"] and all(c["rate"] == 50.0 and c["due"] == 2 for c in data["clocks"])


def test_query_count_does_not_grow_with_rows(world, october, django_assert_max_num_queries):
    for i in range(6):
        make_hall(world.county_a, code=f"HX{i}", name=f"测试营业厅{i}")
    with django_assert_max_num_queries(45):
        data = selectors.scorecard(
            october.sup, level="hall", period=parse_period("2026-Q4"), now=at(2026, 11, 5)
        )
    assert len(data["rows"]) == 7
