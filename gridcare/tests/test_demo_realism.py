"""The demo looks like a real utility: plain Simplified Chinese from staff, realistic names,
tariffs that fit the customer, many agents sharing the calls, and weak spots that show."""

from __future__ import annotations

import re
from collections import Counter

import pytest

pytestmark = pytest.mark.django_db

EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf]")


def test_staff_write_plain_simplified_chinese(demo_db):
    from gridcare.core.textutil import to_simplified
    from gridcare.workorders.models import WorkOrder

    rows = list(WorkOrder.objects.values_list("channel", "description", "reply"))
    staff = [(d, r) for ch, d, r in rows if ch not in ("web", "app", "wechat")]
    assert staff
    for description, reply in staff:
        assert to_simplified(description) == description, description
        assert not EMOJI.search(description) and not EMOJI.search(reply), description
    traditional = sum(1 for _ch, d, _r in rows if to_simplified(d) != d)
    assert traditional <= 0.02 * len(rows)


def test_people_and_tariffs_are_realistic(demo_db):
    from gridcare.customers.models import Customer
    from gridcare.demo import names as N
    from gridcare.escalation.models import ServiceFailure

    persons = list(
        ServiceFailure.objects.exclude(responsible_person="").values_list("responsible_person", flat=True)
    )
    assert persons and not any("某" in p for p in persons)
    for name, tariff in Customer.objects.filter(category="lv_non_residential").values_list("name", "tariff"):
        if tariff == "农业生产":
            assert any(name.endswith(f) for f in N.FARMING), name
        else:
            assert not any(name.endswith(f) for f in N.FARMING), name


def test_many_agents_share_the_hotline(demo_db):
    from gridcare.workorders.models import WorkOrder

    takers = Counter(
        WorkOrder.objects.filter(channel="hotline", accepted_unit__kind="city").values_list(
            "accepted_by__username", flat=True
        )
    )
    total = sum(takers.values())
    assert len(takers) >= 8, takers
    assert max(takers.values()) < 0.3 * total


def test_weak_spots_show_on_the_planners_default_page(demo_db):
    """The hotspot page at its defaults (transformer areas, last 90 days) finds the demo's
    overloaded areas."""
    from gridcare.analytics.hotspots import compute_hotspots

    run = compute_hotspots(level="area", days=90, dimension=None, scope_path="")
    assert run.hotspots, "no hotspot at the default settings"
    # … and the planning feed built on it has something to plan, with a suggested action.
    from gridcare.analytics.planning import planning_rows

    rows = planning_rows(run)
    assert rows and all(r["action"] and r["reason"] for r in rows)
    # The planner has already taken the strongest one into the plan (and declined one).
    from gridcare.analytics.models import HotspotDecision

    top = run.hotspots[0]
    planned = HotspotDecision.objects.get(level="area", asset_id=top["asset_id"], dimension=top["dimension"])
    assert planned.state == "accepted" and planned.action and planned.baseline["count"] == top["count"]
    declined = HotspotDecision.objects.filter(state="rejected").exclude(reason="")
    assert declined.exists() == (len(run.hotspots) > 1)


def test_a_portal_customer_can_book_their_home_visit(demo_db):
    """The demo has an online application waiting for the customer's own booking."""
    from gridcare.applications.models import Application
    from gridcare.applications.selectors import applications_of_customer
    from gridcare.workorders.choices import Channel
    from gridcare.workorders.models import WorkOrder

    online = Application.objects.filter(channel=Channel.WEB, customer__isnull=False).select_related(
        "customer"
    )
    booking = [
        app
        for a in online
        for app in applications_of_customer(a.customer)
        if app.may_book_visit and not app.home_visit_date
    ]
    assert booking
    assert WorkOrder.objects.filter(channel=Channel.WEB, customer__isnull=False).count() >= 5


def test_agents_work_by_shift_and_field_work_spreads_over_the_crews(demo_db):
    """The city's hotline seats answer by shift (nobody takes calls round the clock), and
    each repair team's orders are shared by its line workers, not one person."""
    from django.utils import timezone

    from gridcare.demo.users import HOTLINE_SHIFTS
    from gridcare.workorders.models import WorkOrder

    hours: dict[str, set[int]] = {}
    for username, created in WorkOrder.objects.filter(
        channel="hotline", accepted_by__username__startswith="hotline"
    ).values_list("accepted_by__username", "created_at"):
        hours.setdefault(username, set()).add(timezone.localtime(created).hour)
    assert len(hours) >= 8
    for username, seen in hours.items():
        spans = [set(range(start, end)) for start, end, _size in HOTLINE_SHIFTS]
        assert any(seen <= span for span in spans), (username, sorted(seen))
    handlers = Counter(
        WorkOrder.objects.filter(request_type="fault_repair", handler__isnull=False).values_list(
            "unit__code", "handler__username"
        )
    )
    teams = Counter(unit for unit, _user in handlers)
    busy_team = max(teams, key=teams.get)
    assert len([1 for unit, _u in handlers if unit == busy_team]) >= 3, handlers


def test_demo_has_outages_with_one_fault_in_progress(demo_db):
    from gridcare.org.choices import UnitKind
    from gridcare.org.models import OrgUnit
    from gridcare.outages.choices import OutageKind, OutageStatus
    from gridcare.outages.models import Outage, OutageCustomer

    outages = Outage.objects.all()
    assert outages.filter(
        kind=OutageKind.FAULT, status=OutageStatus.RESTORED, master_order__isnull=False
    ).exists()
    planned = outages.filter(kind=OutageKind.PLANNED)
    assert planned.exists() and planned.filter(notice_sent_at__isnull=False).count() == planned.count()
    active = outages.filter(status=OutageStatus.IN_PROGRESS)
    assert active.count() == 1
    county = OrgUnit.objects.filter(kind=UnitKind.COUNTY).order_by("code").first()
    one = active.get()
    assert one.kind == OutageKind.FAULT and one.unit_path.startswith(county.path)
    assert OutageCustomer.objects.filter(outage=one, restored_at__isnull=True).exists()
    for o in outages.filter(status=OutageStatus.RESTORED, kind=OutageKind.FAULT):
        assert 0.9 <= (o.restored_at - o.started_at).total_seconds() / 3600 <= 10.1
