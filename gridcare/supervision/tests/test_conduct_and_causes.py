import datetime as dt

import pytest

from gridcare.core.errors import ApplicationError, PermissionDeniedError
from gridcare.escalation import services as esc
from gridcare.org.choices import Role
from gridcare.rectification.models import RectificationItem
from gridcare.supervision import selectors, services
from gridcare.supervision.models import ConductNorm, ConductViolation, SupervisionSetting
from gridcare.supervision.periods import period_of
from gridcare.workorders.tests.factories import make_order

from .conftest import at

pytestmark = pytest.mark.django_db


def norm(code):
    return ConductNorm.objects.get(code=code)


def test_norms_are_seeded_with_bounded_points():
    names = set(ConductNorm.objects.values_list("name", flat=True))
    assert {
        "着装不规范",
        "服务用语不规范",
        "推诿搪塞",
        "态度生硬",
        "未一次性告知",
        "超时限办理",
        "泄露客户信息",
        "吃拿卡要",
    } <= names
    assert all(1 <= n.default_points <= 20 for n in ConductNorm.objects.all())
    assert SupervisionSetting.get(SupervisionSetting.RECURRING_THRESHOLD) == 3


def _v(people, staff, code, day, **kw):
    return services.violation_record(
        actor=people.inspector, staff=staff, norm=norm(code), source="inspection", found_on=day, **kw
    )


def test_conduct_figures_per_unit_and_person(world, people):
    march, april = dt.date(2026, 3, 10), dt.date(2026, 4, 2)
    a = _v(people, people.clerk, "attitude", march)  # default 3
    _v(people, people.clerk, "dress", march, points=2)
    _v(people, people.crew, "shirking", march)  # default 5
    _v(people, people.crew, "dress", april)  # next month: not in March
    wrong = _v(people, people.agent, "bribery", march)  # 20, withdrawn below
    assert a.points == 3 and a.unit == world.station_a
    services.violation_withdraw(actor=people.inspector, violation=wrong, reason="查无实据")
    d = selectors.conduct_figures(people.supervisor, period=period_of("month", march))
    assert d["total"] == {"violations": 3, "points": 10}
    units = {r["unit"]: (r["violations"], r["points"]) for r in d["units"]}
    assert units == {"NJ0101": (2, 5), "NJ010101": (1, 5)}
    people_rows = {r["staff_id"]: (r["violations"], r["points"]) for r in d["people"]}
    assert people_rows == {people.clerk.pk: (2, 5), people.crew.pk: (1, 5)}
    q = selectors.conduct_figures(people.supervisor, period=period_of("quarter", march))
    assert q["total"] == {"violations": 3, "points": 10}  # April is Q2
    q2 = selectors.conduct_figures(people.supervisor, period=period_of("quarter", april))
    assert q2["total"] == {"violations": 1, "points": 1}
    # scoped: the other county sees none of it, and the station supervisor only the station's
    assert (
        selectors.conduct_figures(people.supervisor_b, period=period_of("month", march))["total"][
            "violations"
        ]
        == 0
    )
    st = selectors.conduct_figures(people.station_sup, period=period_of("month", march))
    assert st["total"] == {"violations": 3, "points": 10}
    other_station = world.staff(Role.SUPERVISOR, world.station_b)
    assert selectors.conduct_figures(other_station, period=period_of("month", march))["total"]["points"] == 0


def test_violation_rules(world, people):
    with pytest.raises(ApplicationError) as exc:
        _v(people, people.clerk, "dress", dt.date(2026, 3, 1), points=101)
    assert exc.value.field == "points"
    with pytest.raises(ApplicationError) as exc:
        _v(people, people.clerk, "dress", dt.date(2099, 1, 1))
    assert exc.value.field == "found_on"
    with pytest.raises(ApplicationError) as exc:
        services.violation_record(
            actor=people.inspector,
            staff=people.clerk,
            norm=norm("dress"),
            source="rumour",
            found_on="2026-03-01",
        )
    assert exc.value.field == "source"
    with pytest.raises(ApplicationError) as exc:  # staff of another county
        _v(people, people.clerk_b, "dress", dt.date(2026, 3, 1))
    assert exc.value.field == "staff"
    with pytest.raises(PermissionDeniedError):
        services.violation_record(
            actor=people.manager,
            staff=people.clerk,
            norm=norm("dress"),
            source="other",
            found_on="2026-03-01",
        )
    v = _v(people, people.clerk, "dress", dt.date(2026, 3, 1))
    services.violation_withdraw(actor=people.inspector, violation=v, reason="误登")
    with pytest.raises(ApplicationError):
        services.violation_withdraw(actor=people.inspector, violation=v, reason="again")
    with pytest.raises(ApplicationError) as exc:
        services.violation_withdraw(actor=people.supervisor_b, violation=v.pk, reason="x")
    assert exc.value.status == 404
    assert ConductViolation.objects.get().withdrawn


def _failures(world, people, n, cause, when):
    for i in range(n):
        order = make_order(people.agent, area=world.area_a, now=when)
        esc.service_failure_record(
            actor=people.inspector,
            order=order,
            source="monitor",
            origin="personnel",
            cause=cause,
            responsible_unit=world.station_a,
            description=f"第{i + 1}次",
            now=when + dt.timedelta(hours=i),
        )


def test_recurring_cause_threshold_item_and_next_period(world, people):
    _failures(world, people, 2, "promise_not_kept", at(2026, 2, 10, 9))
    _failures(world, people, 3, "promise_not_kept", at(2026, 3, 10, 9))
    _failures(world, people, 2, "communication", at(2026, 3, 12, 9))
    march = period_of("month", dt.date(2026, 3, 1))
    d = selectors.recurring_causes(people.supervisor, period=march, today=dt.date(2026, 3, 20))
    rows = {r["cause"]: r for r in d["rows"]}
    assert (rows["promise_not_kept"]["count"], rows["promise_not_kept"]["previous"]) == (3, 2)
    assert rows["promise_not_kept"]["flagged"] and not rows["communication"]["flagged"]
    assert rows["promise_not_kept"]["next_count"] is None
    with pytest.raises(ApplicationError) as exc:
        services.improvement_open(
            actor=people.supervisor, unit=world.station_a, cause="communication", period=march
        )
    assert exc.value.code == "below_threshold"
    with pytest.raises(PermissionDeniedError):
        services.improvement_open(
            actor=people.agent, unit=world.station_a, cause="promise_not_kept", period=march
        )
    item = services.improvement_open(
        actor=people.supervisor, unit=world.station_a, cause="promise_not_kept", period=march
    )
    assert (item.source_kind, item.source_ref) == ("failure_cause", "NJ0101:promise_not_kept:2026-03")
    again = services.improvement_open(
        actor=people.supervisor, unit=world.station_a, cause="promise_not_kept", period=march
    )
    assert again.pk == item.pk and RectificationItem.objects.count() == 1
    _failures(world, people, 1, "promise_not_kept", at(2026, 4, 3, 9))
    d = selectors.recurring_causes(people.supervisor, period=march, today=dt.date(2026, 4, 20))
    row = next(r for r in d["rows"] if r["cause"] == "promise_not_kept")
    assert row["item"].pk == item.pk and row["next_count"] == 1 and row["improved"] is True
    # the threshold is a setting
    SupervisionSetting.objects.filter(key=SupervisionSetting.RECURRING_THRESHOLD).update(value=2)
    d = selectors.recurring_causes(people.supervisor, period=march, today=dt.date(2026, 4, 20))
    assert all(r["flagged"] for r in d["rows"])
    assert selectors.recurring_causes(people.supervisor_b, period=march)["rows"] == []
