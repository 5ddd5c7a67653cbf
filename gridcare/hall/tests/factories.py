"""Helpers for hall tests: an always-open hall of a unit with counters, tickets through the service."""

from __future__ import annotations

from gridcare.hall.models import Counter, Hall


def make_hall(unit, *, code="H1", counters=(("", 1), ("payment,invoice", 2)), **kwargs) -> Hall:
    """A hall open round the clock every day (so tests do not depend on the time they run)."""
    defaults = {
        "name": f"{unit.name}营业厅",
        "weekday_hours": "00:00-23:59",
        "weekend_hours": "00:00-23:59",
        "open_on_holidays": True,
    }
    defaults.update(kwargs)
    hall = Hall.objects.create(code=code, unit=unit, **defaults)
    for codes, number in counters:
        Counter.objects.create(hall=hall, number=number, service_codes=codes)
    return hall


def counter(hall, number=1) -> Counter:
    return Counter.objects.get(hall=hall, number=number)
