"""The customer satisfaction index: the arithmetic against a hand-computed example, the
interval, the roll-up per unit level, the period, the response rate and the scope."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gridcare.org.choices import Role
from gridcare.surveys import selectors, services
from gridcare.surveys.models import SurveyInvitation

from .factories import customers, sent_campaign

pytestmark = pytest.mark.django_db


def test_csi_of_hand_computed():
    # (score-1)/4*100: 100,100,100,75,75,75,75,50,50,25 -> mean 72.5; s = sqrt(5562.5/9) = 24.861;
    # t(0.975, 9) = 2.2622; half width = 2.2622 * 24.861 / sqrt(10) = 17.78
    r = selectors.csi_of([5, 5, 5, 4, 4, 4, 4, 3, 3, 2])
    assert r == {"n": 10, "csi": 72.5, "low": 54.7, "high": 90.3}
    # 100,75,75,50,25 -> mean 65, s = 28.504, t(4) = 2.7764, half = 35.39 -> high capped at 100
    assert selectors.csi_of([5, 4, 4, 3, 2]) == {"n": 5, "csi": 65.0, "low": 29.6, "high": 100.0}
    assert selectors.csi_of([3]) == {"n": 1, "csi": 50.0, "low": None, "high": None}
    assert selectors.csi_of([]) == {"n": 0, "csi": None, "low": None, "high": None}
    assert selectors.csi_of([5] * 40) == {"n": 40, "csi": 100.0, "low": 100.0, "high": 100.0}


def test_t975():
    assert selectors.t975(9) == pytest.approx(2.262, abs=1e-3)
    assert selectors.t975(100) == pytest.approx(1.984, abs=1e-3)


def _answer(invs, scores):
    for inv, score in zip(invs, scores, strict=False):
        services.answer_record(token=inv.token, overall=score)


def test_csi_by_unit_levels_period_and_scope(world):
    sup = world.staff(Role.SUPERVISOR, world.city)
    customers(world.area_a, 12)
    customers(world.area_b, 12)
    c = sent_campaign(sup, world.city, sample_size=20)
    inv_a = list(SurveyInvitation.objects.filter(campaign=c, unit_path=world.station_a.path))
    inv_b = list(SurveyInvitation.objects.filter(campaign=c, unit_path=world.station_b.path))
    assert (len(inv_a), len(inv_b)) == (10, 10)
    _answer(inv_a, [5, 5, 5, 4, 4, 4, 4, 3, 3, 2])
    _answer(inv_b, [5, 4, 4, 3, 2])
    today = timezone.localdate()
    out = selectors.csi_by_unit(sup, start=today, end=today)
    assert out[world.station_a.path] == {
        "n": 10, "csi": 72.5, "low": 54.7, "high": 90.3, "invited": 10, "response_rate": 100.0
    }  # fmt: skip
    assert out[world.station_b.path]["csi"] == 65.0 and out[world.station_b.path]["response_rate"] == 50.0
    by_county = selectors.csi_by_unit(sup, start=today, end=today, level="county")
    assert set(by_county) == {world.county_a.path, world.county_b.path}
    assert by_county[world.county_a.path]["csi"] == 72.5
    by_city = selectors.csi_by_unit(sup, start=today, end=today, level="city")
    assert list(by_city) == [world.city.path]
    assert by_city[world.city.path]["n"] == 15 and by_city[world.city.path]["invited"] == 20
    overall = selectors.csi_overall(sup, start=today, end=today)
    assert overall["n"] == 15 and overall["response_rate"] == 75.0
    # (7*100 + 6*75 + 2*50 + 25... ) the mean over all 15 answers
    assert overall["csi"] == round((72.5 * 10 + 65 * 5) / 15, 1)
    # another period: nothing
    assert (
        selectors.csi_by_unit(sup, start=today - dt.timedelta(days=9), end=today - dt.timedelta(days=1)) == {}
    )
    # a county user sees their own stations only
    county_a = world.staff(Role.SUPERVISOR, world.county_a)
    assert list(selectors.csi_by_unit(county_a, start=today, end=today)) == [world.station_a.path]
    with pytest.raises(ValueError):
        selectors.csi_by_unit(sup, start=today, end=today, level="galaxy")
