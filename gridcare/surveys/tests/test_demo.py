"""The demo's surveys: two campaigns (last quarter closed with about 60% answered, this
month open with a few answers), a weaker station, run once."""

from __future__ import annotations

import datetime as dt

import pytest

from gridcare.core.calendar import local_tz
from gridcare.demo.surveys import seed_surveys
from gridcare.escalation.models import OutboundMessage
from gridcare.org.choices import Role
from gridcare.surveys.choices import CampaignStatus
from gridcare.surveys.models import SurveyAnswer, SurveyCampaign, SurveyInvitation

from .factories import customers

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 4, 15, 0, tzinfo=local_tz())


def test_seed_surveys(world):
    world.staff(Role.SUPERVISOR, world.city)
    customers(world.area_a, 60)
    customers(world.area_b, 60)
    out = seed_surveys(seed=7, size="small", now=NOW)
    assert out["campaigns"] == 2
    past, current = SurveyCampaign.objects.order_by("opens_on")
    assert past.status == CampaignStatus.CLOSED and current.status == CampaignStatus.SENT
    assert past.opens_on == dt.date(2026, 7, 10) and current.closes_on == dt.date(2026, 12, 18)
    invited = SurveyInvitation.objects.filter(campaign=past).count()
    answered = SurveyInvitation.objects.filter(campaign=past, answered_at__isnull=False).count()
    assert invited == 80 and 0.45 < answered / invited < 0.75
    assert 0 < SurveyInvitation.objects.filter(campaign=current, answered_at__isnull=False).count() < 20
    assert (
        SurveyAnswer.objects.filter(overall__gte=4).count()
        > SurveyAnswer.objects.filter(overall__lte=3).count()
    )
    assert not OutboundMessage.objects.exclude(status="sent").exists()
    means = {}
    for path in (world.station_a.path, world.station_b.path):
        got = list(SurveyAnswer.objects.filter(invitation__unit_path=path).values_list("overall", flat=True))
        means[path] = sum(got) / len(got)
    assert abs(means[world.station_a.path] - means[world.station_b.path]) > 0.4  # one weaker station
    assert seed_surveys(seed=7, size="small", now=NOW)["skipped"]
