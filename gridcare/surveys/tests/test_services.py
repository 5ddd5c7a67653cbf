"""Survey services: creating (bounds, scope), sending (a deterministic stratified sample of
customers with a mobile, the silent-majority filter, invitations and outbox rows together),
closing, and the public answer (once, refused when ended)."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.utils import timezone

from gridcare.core.errors import ApplicationError, ConflictError, PermissionDeniedError
from gridcare.customers.choices import CustomerCategory
from gridcare.escalation.models import OutboundMessage
from gridcare.org.choices import Role
from gridcare.surveys import services
from gridcare.surveys.choices import Audience, CampaignStatus
from gridcare.surveys.models import SurveyAnswer, SurveyCampaign, SurveyInvitation
from gridcare.workorders.models import WorkOrder
from gridcare.workorders.tests.factories import make_order

from .factories import area_of, customers, make_campaign, sent_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def sup(world):
    return world.staff(Role.SUPERVISOR, world.city)


# ---------------------------------------------------------------------- pure helpers


def test_allocate_is_proportional_with_largest_remainder():
    assert services.allocate({"a": 60, "b": 30, "c": 10}, 10) == {"a": 6, "b": 3, "c": 1}
    # 7 * (5/12, 4/12, 3/12) = 2.92, 2.33, 1.75 -> 2, 2, 1 + the largest remainders (a, c)
    assert services.allocate({"a": 5, "b": 4, "c": 3}, 7) == {"a": 3, "b": 2, "c": 2}
    assert services.allocate({"a": 3, "b": 2}, 10) == {"a": 3, "b": 2}


def test_draw_sample_is_deterministic_and_stratified():
    strata = {"/S1/": list(range(1, 101)), "/S2/": list(range(101, 151))}
    one = services.draw_sample(strata, 30, seed=7)
    assert one == services.draw_sample(strata, 30, seed=7)
    assert one != services.draw_sample(strata, 30, seed=8)
    assert len(one) == 30 and len(set(one)) == 30
    assert sum(1 for x in one if x <= 100) == 20 and sum(1 for x in one if x > 100) == 10


def test_mobile_of():
    assert services.mobile_of("025-5211 0000", "139 1234 5678") == "13912345678"
    assert services.mobile_of("02552110000", "") == ""
    assert services.mobile_of("+8613812345678") == "+8613812345678"


# -------------------------------------------------------------------------- create


def test_create_bounds_and_scope(world):
    county = world.staff(Role.SUPERVISOR, world.county_a)
    today = timezone.localdate()
    with pytest.raises(ApplicationError) as e:
        make_campaign(county, world.county_a, sample_size=9)
    assert e.value.field == "sample_size"
    with pytest.raises(ApplicationError) as e:
        make_campaign(county, world.county_a, sample_size=5001)
    assert e.value.field == "sample_size"
    with pytest.raises(ApplicationError) as e:
        make_campaign(county, world.county_a, closes_on=today + dt.timedelta(days=61))
    assert e.value.code == "too_long"
    with pytest.raises(ApplicationError) as e:
        make_campaign(county, world.county_a, opens_on=today - dt.timedelta(days=1))
    assert e.value.field == "opens_on"
    with pytest.raises(ApplicationError) as e:
        make_campaign(county, world.county_b)
    assert e.value.code == "out_of_scope"
    with pytest.raises(PermissionDeniedError):
        make_campaign(world.staff(Role.MANAGER, world.county_a), world.county_a)
    c = make_campaign(county, world.county_a, closes_on=today + dt.timedelta(days=60))
    assert c.status == CampaignStatus.DRAFT and c.unit_path == world.county_a.path and c.version == 1


# ---------------------------------------------------------------------------- send


def test_send_samples_stratified_deterministic_and_writes_outbox(world, sup):
    a2 = area_of(world.station_a, "TA-A2")
    customers(world.area_a, 40)
    customers(a2, 20)  # same station: one stratum
    customers(world.area_b, 20)
    customers(world.area_a, 5, phone="02552110000")  # no mobile: never sampled
    c = sent_campaign(sup, world.city, sample_size=30)
    invs = list(SurveyInvitation.objects.filter(campaign=c))
    assert len(invs) == 30
    by_path = {
        p: sum(1 for i in invs if i.unit_path == p) for p in (world.station_a.path, world.station_b.path)
    }
    assert by_path == {world.station_a.path: 23, world.station_b.path: 7}  # 30*60/80=22.5, 30*20/80=7.5
    assert all(i.customer.phone.startswith("139") for i in invs)
    sms = OutboundMessage.objects.filter(key__startswith=f"survey:{c.pk}:")
    assert sms.count() == 30
    first = invs[0]
    msg = sms.get(key=first.message_key)
    assert msg.recipient == first.customer.phone and f"/surveys/a/{first.token}/" in msg.body
    assert msg.body.startswith("【国网供电服务】")
    c.refresh_from_db()
    assert c.status == CampaignStatus.SENT and c.version == 2 and c.sent_at is not None
    # the same population and campaign id give the same sample
    chosen = sorted(i.customer_id for i in invs)
    SurveyInvitation.objects.filter(campaign=c).delete()
    OutboundMessage.objects.all().delete()
    SurveyCampaign.objects.filter(pk=c.pk).update(status=CampaignStatus.DRAFT)
    services.campaign_send(actor=sup, campaign=c.pk)
    assert sorted(SurveyInvitation.objects.filter(campaign=c).values_list("customer_id", flat=True)) == chosen


def test_send_is_atomic_with_the_outbox(world, sup):
    customers(world.area_a, 15)
    c = make_campaign(sup, world.city)
    with mock.patch.object(services, "outbound_enqueue_many", side_effect=RuntimeError("gateway down")):
        with pytest.raises(RuntimeError):
            services.campaign_send(actor=sup, campaign=c)
    assert SurveyInvitation.objects.count() == 0 and OutboundMessage.objects.count() == 0
    c.refresh_from_db()
    assert c.status == CampaignStatus.DRAFT


def test_silent_majority_and_with_order_and_category(world, sup):
    agent = world.staff(Role.HOTLINE_AGENT, world.county_a)
    callers = customers(world.area_a, 12)
    silent = customers(world.area_a, 12)
    customers(world.area_a, 12, category=CustomerCategory.LV_NON_RESIDENTIAL)
    for cust in callers:
        make_order(agent, customer=cust.customer_no)
    # an order long ago does not make a caller
    old = make_order(agent, customer=silent[0].customer_no)
    WorkOrder.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=200))
    kw = {"category": CustomerCategory.RESIDENTIAL, "sample_size": 100}
    c1 = sent_campaign(sup, world.county_a, audience=Audience.SILENT, **kw)
    got = set(SurveyInvitation.objects.filter(campaign=c1).values_list("customer_id", flat=True))
    assert got == {x.pk for x in silent}
    c2 = sent_campaign(sup, world.county_a, audience=Audience.WITH_ORDER, title="来电客户回访", **kw)
    got = set(SurveyInvitation.objects.filter(campaign=c2).values_list("customer_id", flat=True))
    assert got == {x.pk for x in callers}
    c3 = sent_campaign(sup, world.county_a, title="全部", sample_size=100)
    assert SurveyInvitation.objects.filter(campaign=c3).count() == 36


def test_send_refuses_empty_stale_and_twice(world, sup):
    c = make_campaign(sup, world.county_b)
    with pytest.raises(ApplicationError) as e:
        services.campaign_send(actor=sup, campaign=c)
    assert e.value.code == "empty"
    customers(world.area_b, 12)
    with pytest.raises(ConflictError):
        services.campaign_send(actor=sup, campaign=c, expected_version=5)
    services.campaign_send(actor=sup, campaign=c, expected_version=1)
    with pytest.raises(ApplicationError) as e:
        services.campaign_send(actor=sup, campaign=c)
    assert e.value.code == "invalid_transition" and e.value.status == 409
    county_a = world.staff(Role.SUPERVISOR, world.county_a)
    with pytest.raises(ApplicationError) as e:
        services.campaign_close(actor=county_a, campaign=c)
    assert e.value.status == 404


# -------------------------------------------------------------------------- answer


def test_answer_once_and_refused_after_close(world, sup):
    customers(world.area_a, 12)
    c = sent_campaign(sup, world.county_a)
    first, second, third = SurveyInvitation.objects.filter(campaign=c)[:3]
    a = services.answer_record(token=first.token, overall="4", attitude=5, comment="抢修很及时")
    assert (a.overall, a.attitude, a.reliability, a.comment) == (4, 5, None, "抢修很及时")
    first.refresh_from_db()
    assert first.answered_at is not None
    with pytest.raises(ApplicationError) as e:
        services.answer_record(token=first.token, overall=5)
    assert e.value.status == 410 and e.value.code == "answered"
    with pytest.raises(ApplicationError) as e:
        services.answer_record(token=second.token, overall=6)
    assert e.value.field == "overall"
    with pytest.raises(ApplicationError) as e:
        services.answer_record(token=second.token, overall=None)
    assert e.value.code == "required"
    with pytest.raises(ApplicationError) as e:
        services.answer_record(token=second.token, overall=3, comment="长" * 501)
    assert e.value.field == "comment"
    with pytest.raises(ApplicationError) as e:
        services.answer_record(token="nope", overall=3)
    assert e.value.status == 404
    # past the closing date, even before the campaign is closed
    late = timezone.now() + dt.timedelta(days=15)
    with pytest.raises(ApplicationError) as e:
        services.answer_record(token=third.token, overall=3, now=late)
    assert e.value.code == "closed"
    services.campaign_close(actor=sup, campaign=c)
    with pytest.raises(ApplicationError) as e:
        services.answer_record(token=second.token, overall=3)
    assert e.value.status == 410 and e.value.code == "closed"
    assert SurveyAnswer.objects.count() == 1


def test_expired_campaigns_close_themselves(world, sup):
    from gridcare.surveys.tasks import campaigns_expire_job

    customers(world.area_a, 12)
    old = sent_campaign(sup, world.county_a, closes_on=timezone.localdate() + dt.timedelta(days=3))
    fresh = sent_campaign(sup, world.county_a, title="本月调查")
    draft = make_campaign(sup, world.county_a, closes_on=timezone.localdate() + dt.timedelta(days=3))
    later = timezone.now() + dt.timedelta(days=5)
    assert campaigns_expire_job(now=later) == {"closed": 1}
    assert campaigns_expire_job(now=later) == {"closed": 0}
    old.refresh_from_db(), fresh.refresh_from_db(), draft.refresh_from_db()
    assert (old.status, fresh.status, draft.status) == (
        CampaignStatus.CLOSED,
        CampaignStatus.SENT,
        CampaignStatus.DRAFT,
    )
    assert old.version == 3


def test_allowed_actions_match_services(world, sup):
    from gridcare.surveys.selectors import allowed_actions

    customers(world.area_a, 12)
    manager = world.staff(Role.MANAGER, world.city)
    c = make_campaign(sup, world.county_a)
    assert allowed_actions(sup, c) == ["send"] and allowed_actions(manager, c) == []
    assert allowed_actions(sup, c, today=c.closes_on + dt.timedelta(days=1)) == []
    with pytest.raises(ApplicationError) as e:
        services.campaign_send(actor=sup, campaign=c, now=timezone.now() + dt.timedelta(days=15))
    assert e.value.code == "expired"
    with pytest.raises(ApplicationError):
        services.campaign_close(actor=sup, campaign=c)
    c = services.campaign_send(actor=sup, campaign=c)
    assert allowed_actions(sup, c) == ["close"]
    with pytest.raises(PermissionDeniedError):
        services.campaign_close(actor=manager, campaign=c)
    c = services.campaign_close(actor=sup, campaign=c)
    assert allowed_actions(sup, c) == []
