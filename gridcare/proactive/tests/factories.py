"""Facts for proactive's tests."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from gridcare.proactive.models import MeterFact


def make_meter(customer, meter_no: str, *, years: float = 1, box: str = "good") -> MeterFact:
    day = timezone.localdate() - dt.timedelta(days=int(years * 365.25))
    return MeterFact.objects.create(customer=customer, meter_no=meter_no, installed_on=day, box_condition=box)
