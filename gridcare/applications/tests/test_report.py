"""The month-end process report, checked against arithmetic done by hand (October 2026)."""

from __future__ import annotations

import pytest

from gridcare.applications import selectors, services
from gridcare.org.choices import Role

from .factories import accept, at, complete

pytestmark = pytest.mark.django_db


def test_report_arithmetic_by_hand(world):
    """Clerk A accepts three in October: #1 done on time (stages 1, 1, 0 working days), #2
    done late on 10-20 (due 10-19; stages 2, 2, 2 — never idle 3 working days, so no stall),
    #3 terminated and answered in October. Clerk B: #5 accepted 9-28, finished 10-09 on time
    (only its last stage, 2 working days, completes in October); #4 accepted 10-19 and left:
    stalled, recorded 10-26, answered in November (not October's answer)."""
    a = world.staff(Role.COUNTER_CLERK, world.county_a, username="clerk_a")
    b = world.staff(Role.COUNTER_CLERK, world.county_a, username="clerk_b")
    admin = world.staff(Role.ADMIN, world.company)
    sup = world.staff(Role.SUPERVISOR, world.county_a)

    one = accept(a, unit=world.station_a, now=at(2026, 10, 12))
    complete(a, one, now=at(2026, 10, 13))
    complete(admin, one, now=at(2026, 10, 14))
    complete(admin, one, now=at(2026, 10, 14, 15))
    two = accept(a, unit=world.station_a, now=at(2026, 10, 12))
    complete(a, two, now=at(2026, 10, 14))
    complete(admin, two, now=at(2026, 10, 16))
    complete(admin, two, now=at(2026, 10, 20))
    three = accept(a, unit=world.station_a, now=at(2026, 10, 13))
    services.application_terminate(actor=a, application=three, reason="客户撤回", now=at(2026, 10, 14))
    services.process_follow_up_record(
        actor=a, application=three, reason="客户撤回", reply="已确认", now=at(2026, 10, 15)
    )

    five = accept(b, unit=world.station_a, now=at(2026, 9, 28))
    complete(b, five, now=at(2026, 9, 29))
    complete(admin, five, now=at(2026, 9, 30))
    complete(admin, five, now=at(2026, 10, 9))
    four = accept(b, unit=world.station_a, now=at(2026, 10, 19))
    assert services.stalls_mark(now=at(2026, 10, 26)) == 1
    services.process_follow_up_record(actor=b, application=four, reason="r", reply="y", now=at(2026, 11, 2))

    month = selectors.parse_month("2026-10")
    data = selectors.process_report(sup, month, "clerk")
    rows = {r["key"]: r for r in data["rows"]}
    ra, rb = rows[a.pk], rows[b.pk]
    assert (
        ra["accepted"],
        ra["completed"],
        ra["on_time"],
        ra["stalled"],
        ra["terminated"],
        ra["answered"],
    ) == (3, 2, 1, 0, 1, 1)
    assert ra["avg_stage_days"] == 1.3 and ra["on_time_rate"] == 50.0  # (1+1+0+2+2+2)/6
    assert (
        rb["accepted"],
        rb["completed"],
        rb["on_time"],
        rb["stalled"],
        rb["terminated"],
        rb["answered"],
    ) == (1, 1, 1, 1, 0, 0)
    assert rb["avg_stage_days"] == 2.0
    t = data["totals"]
    assert (t["accepted"], t["completed"], t["on_time"], t["stalled"], t["terminated"], t["answered"]) == (
        4,
        3,
        2,
        1,
        1,
        1,
    )
    assert t["avg_stage_days"] == 1.4  # 10 / 7
    stages = {s["name"]: s for s in data["stages"]}
    assert stages["装表接电"]["count"] == 3 and stages["装表接电"]["late"] == 0
    by_unit = selectors.process_report(sup, month, "unit")
    assert [r["label"] for r in by_unit["rows"]] == [world.station_a.name]
    # Another county's supervisor sees none of it.
    other = world.staff(Role.SUPERVISOR, world.county_b)
    assert selectors.process_report(other, month, "clerk")["rows"] == []
    # November: only the answer.
    nov = selectors.process_report(sup, selectors.parse_month("2026-11"), "clerk")
    assert nov["totals"]["answered"] == 1 and nov["totals"]["accepted"] == 0
