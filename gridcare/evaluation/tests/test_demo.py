"""The demo's evaluation data: experts appointed, every hall assessed each month of the last
four quarters, the county hall visibly weaker; the scorecard shows the expert part."""

from __future__ import annotations

import pytest
from django.utils import timezone

from gridcare.demo.evaluation import _months, seed_evaluation
from gridcare.evaluation import selectors
from gridcare.evaluation.models import ExpertAppointment, ExpertAssessment
from gridcare.evaluation.scoring import period_of
from gridcare.hall.tests.factories import make_hall
from gridcare.org.choices import Role

pytestmark = pytest.mark.django_db


def test_seed_evaluation(world):
    world.staff(Role.ADMIN, world.company, username="admin")
    world.staff(Role.QUALITY_INSPECTOR, world.city, username="inspector")
    sup = world.staff(Role.SUPERVISOR, world.city, username="supervisor")
    world.staff(Role.SUPERVISOR, world.county_a, username="sup-NJ01")
    city_hall = make_hall(world.city, code="H0", name="南京供电营业厅")
    county_hall = make_hall(world.county_a, code="H1", name="江宁营业厅")
    first = seed_evaluation(seed=7, size="small")
    months = _months(timezone.localdate())
    assert 10 <= len(months) <= 12
    assert first["experts"] == 3 and ExpertAppointment.objects.count() == 3
    assert ExpertAssessment.objects.filter(hall=city_hall).count() == 2 * len(months)
    assert ExpertAssessment.objects.filter(hall=county_hall).count() == 2 * len(months)
    assert seed_evaluation(seed=7, size="small")["skipped"]
    rows = {
        r["label"]: r
        for r in selectors.scorecard(sup, level="hall", period=period_of(timezone.localdate()))["rows"]
    }
    assert rows["南京供电营业厅"]["expert"] > rows["江宁营业厅"]["expert"] + 8
    assert rows["江宁营业厅"]["expert_n"] >= 2
