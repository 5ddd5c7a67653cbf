"""Helpers for survey tests: customers in a station, campaigns made and sent through the services."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from gridcare.customers.tests.factories import CustomerFactory
from gridcare.grid.tests.factories import TransformerAreaFactory
from gridcare.surveys import services


def customers(area, n: int, **kwargs) -> list:
    return [CustomerFactory(area=area, **kwargs) for _ in range(n)]


def area_of(station, code: str):
    return TransformerAreaFactory(code=code, name=f"{code}台区", station=station)


def make_campaign(actor, unit, **kwargs):
    today = timezone.localdate()
    kwargs.setdefault("title", "2026年四季度供电服务满意度调查")
    kwargs.setdefault("sample_size", 10)
    kwargs.setdefault("opens_on", today)
    kwargs.setdefault("closes_on", today + dt.timedelta(days=14))
    return services.campaign_create(actor=actor, unit=unit, **kwargs)


def sent_campaign(actor, unit, **kwargs):
    c = make_campaign(actor, unit, **kwargs)
    return services.campaign_send(actor=actor, campaign=c)
