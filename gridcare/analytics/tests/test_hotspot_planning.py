"""The planning loop: accept a hotspot into the plan, reject it, mark it fixed; before/after."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from django.core.cache import cache
from django.urls import reverse

from gridcare.analytics.models import HotspotDecision, HotspotDecisionState
from gridcare.analytics.planning import fix_effect, hotspot_decide
from gridcare.core.audit import AuditEvent
from gridcare.core.errors import ApplicationError, ConflictError, PermissionDeniedError
from gridcare.org.choices import Role
from gridcare.workorders.models import WorkOrder

from .insight_data import make_areas, make_orders, now

FIX_DAYS_AGO = 60


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Hotspot runs and decisions are cached (locmem, kept between tests): start clean."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def fixed_world(world):
    """40 areas with a year of faults. Area 0: 5× in the 60 days before a fix 60 days ago,
    normal since (the fix worked). Area 1: 5× over the last 120 days (it did not)."""
    rng = np.random.default_rng(3)
    sizes = [int(s) for s in rng.integers(150, 250, 40)]
    areas = make_areas(world.station_a, 40, sizes, prefix="PL")
    end = now()
    fix = end - dt.timedelta(days=FIX_DAYS_AGO)
    orders = []
    for m in range(12):  # 30-day slices, m = 0 the latest
        start, stop = end - dt.timedelta(days=30 * (m + 1)), end - dt.timedelta(days=30 * m)
        for i, area in enumerate(areas):
            mult = 1.0
            if i == 0 and m in (2, 3):
                mult = 5.0
            if i == 1 and m in (0, 1, 2, 3):
                mult = 5.0
            orders += make_orders(area, int(rng.poisson(sizes[i] * 0.01 * mult)), start=start, end=stop)
    WorkOrder.objects.bulk_create(orders, batch_size=5000)
    return areas, fix


def _decide(user, area, state, **kw):
    return hotspot_decide(
        actor=user, level="area", asset_id=area.pk, dimension="supply_reliability", state=state, **kw
    )


def test_accept_reject_fix_with_rules_versions_and_audit(fixed_world, world):
    areas, fix = fixed_world
    planner = world.staff(Role.PLANNER, unit=world.county_a)
    with pytest.raises(ApplicationError):  # accepting needs the project or action
        _decide(planner, areas[0], HotspotDecisionState.ACCEPTED)
    with pytest.raises(ApplicationError):  # only an accepted hotspot can be fixed
        _decide(planner, areas[0], HotspotDecisionState.FIXED)
    row = _decide(
        planner,
        areas[0],
        HotspotDecisionState.ACCEPTED,
        action="2027 年低压线路改造",
        action_category="maintenance",
        baseline={"count": 12, "expected": 3.1, "q_value": 0.001, "junk": "x"},
    )
    assert row.version == 1 and row.state == HotspotDecisionState.ACCEPTED
    assert row.baseline == {"count": 12, "expected": 3.1, "q_value": 0.001}
    assert row.scope_path == world.station_a.path
    with pytest.raises(ConflictError):  # a stale edit
        _decide(planner, areas[0], HotspotDecisionState.FIXED, expected_version=0)
    with pytest.raises(ApplicationError):  # never in the future
        _decide(
            planner,
            areas[0],
            HotspotDecisionState.FIXED,
            expected_version=1,
            fixed_at=now() + dt.timedelta(days=1),
        )
    row = _decide(planner, areas[0], HotspotDecisionState.FIXED, expected_version=1, fixed_at=fix)
    assert row.state == HotspotDecisionState.FIXED and row.version == 2
    assert row.action == "2027 年低压线路改造" and row.fixed_at == fix

    with pytest.raises(ApplicationError):  # rejecting needs a reason
        _decide(planner, areas[2], HotspotDecisionState.REJECTED)
    rejected = _decide(planner, areas[2], HotspotDecisionState.REJECTED, reason="已纳入明年配网改造")
    assert rejected.reason == "已纳入明年配网改造"
    events = AuditEvent.objects.filter(action="hotspot.decide")
    assert events.count() == 3
    assert events.filter(object_id=str(row.pk)).latest("id").changes["state"] == "fixed"

    # Outside the planner's units, and roles without the permission, are refused.
    other = world.staff(Role.PLANNER, unit=world.county_b)
    with pytest.raises(PermissionDeniedError):
        _decide(other, areas[3], HotspotDecisionState.REJECTED, reason="x")
    agent = world.staff(Role.HOTLINE_AGENT, unit=world.county_a)
    with pytest.raises(PermissionDeniedError):
        _decide(agent, areas[3], HotspotDecisionState.REJECTED, reason="x")
    assert HotspotDecision.objects.count() == 2


def test_before_and_after_a_fix_with_the_same_model(fixed_world, world):
    areas, fix = fixed_world
    planner = world.staff(Role.PLANNER, unit=world.county_a)
    verdicts = {}
    for area in areas[:2]:
        _decide(planner, area, HotspotDecisionState.ACCEPTED, action="改造")
        row = _decide(planner, area, HotspotDecisionState.FIXED, expected_version=1, fixed_at=fix)
        verdicts[area.pk] = fix_effect(row)
    worked, failed = verdicts[areas[0].pk], verdicts[areas[1].pk]
    assert worked["status"] == "down", worked
    assert worked["before"]["ratio"] > 3 and worked["after"]["ratio"] < 2
    assert worked["days"] == FIX_DAYS_AGO
    assert failed["status"] == "still_high", failed
    # Too soon after the fix to say.
    late = _decide(planner, areas[5], HotspotDecisionState.ACCEPTED, action="改造")
    late = _decide(planner, areas[5], HotspotDecisionState.FIXED, expected_version=late.version)
    assert fix_effect(late)["status"] == "too_early"


def test_pages_decide_and_show_the_loop(fixed_world, world, client):
    areas, fix = fixed_world
    planner = world.staff(Role.PLANNER, unit=world.county_a)
    client.force_login(planner)
    url = reverse("analytics:hotspot-decide")
    post = {"level": "area", "asset_id": areas[1].pk, "dimension": "supply_reliability", "days": "90"}
    resp = client.post(
        url,
        {
            **post,
            "state": "accepted",
            "action": "新增配变布点",
            "expected_version": "0",
            "back": "level=area&days=90",
        },
    )
    assert resp.status_code == 302 and resp["Location"].endswith("/analytics/hotspots/?level=area&days=90")
    row = HotspotDecision.objects.get(asset_id=areas[1].pk)
    assert row.action == "新增配变布点"
    assert row.baseline["count"] > row.baseline["expected"]  # the hotspot's figures, kept
    # A stale form changes nothing.
    client.post(url, {**post, "state": "rejected", "reason": "x", "expected_version": "0"})
    assert HotspotDecision.objects.get(pk=row.pk).state == "accepted"
    client.post(url, {**post, "state": "fixed", "fixed_at": fix.date().isoformat(), "expected_version": "1"})
    assert HotspotDecision.objects.get(pk=row.pk).state == "fixed"

    page = client.get(reverse("analytics:hotspots")).content.decode()
    assert "什么是热点" in page
    assert "fixed-hotspots" in page and "仍偏高" in page
    actions = client.get(reverse("analytics:hotspot-actions")).content.decode()
    assert "新增配变布点" in actions and areas[1].code in actions

    # A hotline agent may not decide.
    client.force_login(world.staff(Role.HOTLINE_AGENT, unit=world.county_a))
    assert client.post(url, {**post, "state": "rejected", "reason": "x"}).status_code == 403
