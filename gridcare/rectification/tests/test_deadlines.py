"""Overdue rectification items through escalation's time-limit monitor: warned at each
level, escalated one unit up at the breach, once per level and cycle; a reopened item is
watched again from its new cycle; a fixed item is not watched."""

from __future__ import annotations

import datetime as dt

import pytest

from gridcare.core.models import AuditEvent
from gridcare.escalation import services as esc
from gridcare.org.choices import Role
from gridcare.rectification import services
from gridcare.rectification.deadlines import due_at, rectification_source
from gridcare.rectification.models import RectificationWarning
from gridcare.workorders.tests.factories import at

from .factories import open_item

pytestmark = pytest.mark.django_db
T0 = at(2026, 3, 2, 0, 0)  # Monday 00:00


def test_levels_once_per_cycle_and_breach_escalates(world):
    sup = world.staff(Role.SUPERVISOR, world.county_a)
    crew = world.staff(Role.REPAIR_CREW, world.station_a)
    inspector = world.staff(Role.QUALITY_INSPECTOR, world.county_a)
    item = open_item(sup, world.station_a, now=T0, due_date=dt.date(2026, 3, 5))  # runs 4 days
    assert due_at(item.due_date) == at(2026, 3, 6, 0, 0)
    assert esc.deadline_sweep(now=T0 + dt.timedelta(hours=1))["warnings"] == 0
    first = esc.deadline_sweep(now=T0 + dt.timedelta(days=3))
    assert first["warnings"] >= 1 and first["escalations"] == 0
    again = esc.deadline_sweep(now=T0 + dt.timedelta(days=3))
    assert again["warnings"] == 0
    breach = esc.deadline_sweep(now=T0 + dt.timedelta(days=5))
    assert breach["escalations"] == 1
    w = RectificationWarning.objects.get(item=item, percent=100)
    assert w.escalated_to == world.county_a and w.cycle == 1
    assert AuditEvent.objects.filter(action="escalation.escalate", object_id=str(item.pk)).count() == 1
    assert esc.deadline_sweep(now=T0 + dt.timedelta(days=9))["warnings"] == 0

    # Fixed: no longer watched. Reopened: a new cycle, watched from its start again.
    services.rectification_fix(actor=crew, item=item, evidence="已整改", now=T0 + dt.timedelta(days=6))
    assert not rectification_source.running(now=T0 + dt.timedelta(days=7))
    services.rectification_reopen(
        actor=inspector,
        item=item,
        reason="未整改到位",
        due_date=dt.date(2026, 3, 13),
        now=T0 + dt.timedelta(days=7),
    )
    late = esc.deadline_sweep(now=at(2026, 3, 20, 0, 0))
    assert late["escalations"] == 1
    assert RectificationWarning.objects.filter(item=item, cycle=2, percent=100).count() == 1
