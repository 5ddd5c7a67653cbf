"""The seeded small demo utility, shared by the tests of one module.

``demo`` seeds exactly what ``gridcare demo --size small`` seeds (``seed_demo``: the
utility, months of orders with time-limit warnings, escalations, urges, merged orders,
callbacks, failures and recoveries, the hotline forecast), then runs a few live actions
through the services with their background reactions (the worker's work, run eagerly):
an order under callback, an escalated complaint, a published report. It all happens in
one transaction rolled back when the module ends; each test nests in a savepoint.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest
from django.db import transaction
from django.test import TestCase
from django.utils import timezone

from gridcare.org.choices import Role

DEMO_SEED = 7
HISTORY_DAYS = 120


@dataclass
class Demo:
    users: dict[str, object]  # demo username -> user (one per role, as `gridcare demo` prints them)
    county_users: dict[str, object]  # role -> a user of that role posted at county A
    county_a: object
    county_b: object
    samples: dict[str, object] = field(default_factory=dict)


def _live_actions(users) -> dict:
    """A few real actions through the services, with their reactions run (as the worker would)."""
    from gridcare.analytics.reports import report_publish
    from gridcare.analytics.reports.periods import last_complete
    from gridcare.escalation import services as esc
    from gridcare.workorders import services as wo
    from gridcare.workorders.choices import RequestType, Status
    from gridcare.workorders.models import WorkOrder

    out = {}
    with TestCase.captureOnCommitCallbacks(execute=True):
        replied = WorkOrder.objects.filter(status=Status.REPLIED, request_type=RequestType.COMPLAINT).first()
        if replied is not None:
            out["callback_order"] = wo.work_order_callback(actor=users["supervisor"], order=replied, note="")
        esc.sla_sweep()
        out["report"] = report_publish(period=last_complete("month", timezone.localdate()))
    return out


def seed_demo_state() -> Demo:
    from gridcare.demo.seed import seed_demo
    from gridcare.org.choices import UnitKind
    from gridcare.org.models import OrgUnit, StaffProfile
    from gridcare.org.tests.factories import StaffFactory

    seed_demo(size="small", seed=DEMO_SEED, history_days=HISTORY_DAYS)
    users = {p.user.username: p.user for p in StaffProfile.objects.select_related("user", "unit")}
    counties = list(OrgUnit.objects.filter(kind=UnitKind.COUNTY).order_by("code"))
    county_a, county_b = counties[0], counties[1]
    county_users = {
        role: StaffFactory(role=role, unit=county_a, user__username=f"matrix_{role}").user
        for role in Role.values
    }
    demo = Demo(users=users, county_users=county_users, county_a=county_a, county_b=county_b)
    demo.samples = _live_actions(users)
    return demo


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield seed_demo_state()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            from gridcare.care.models import care_cache_clear
            from gridcare.core.calendar import calendar_cache_clear
            from gridcare.workorders.models import workorder_cache_clear

            calendar_cache_clear()
            workorder_cache_clear()
            care_cache_clear()


@pytest.fixture
def demo_db(demo, db):
    """The demo, inside this test's savepoint (what a test changes is undone after it)."""
    return demo


def local_now() -> dt.datetime:
    return timezone.localtime()
