import numpy as np
import pytest

from gridcare.workforce.rostering import (
    RosterError,
    ShiftTemplate,
    default_templates,
    evaluate_plan,
    plan_shifts,
)


def test_small_case_by_hand():
    # need 1,2,2,1 agents over four hours; 2-hour shifts: starts at 0,1,2 → exactly 6 agent-hours
    plan = plan_shifts([1, 2, 2, 1], [ShiftTemplate("2h", 120)], interval_minutes=60)
    assert plan.agent_hours == 6
    assert plan.coverage.tolist() == [1, 2, 2, 1]
    assert sorted((s.start_minute, s.agents) for s in plan.shifts) == [(0, 1), (60, 1), (120, 1)]
    assert plan.gap.tolist() == [0, 0, 0, 0]


def test_allowed_starts_force_overstaffing():
    # only 0:00 and 2:00 starts: two shifts at each start → 8 hours, 2 over
    plan = plan_shifts([1, 2, 2, 1], [ShiftTemplate("2h", 120, starts=(0, 120))], interval_minutes=60)
    assert plan.agent_hours == 8
    assert plan.gap.tolist() == [1, 0, 0, 1]


def test_breaks_are_respected():
    # one 4-hour shift with a 1-hour break in hour 2 or 3; requirement 1 in every hour of 4
    tpl = ShiftTemplate("4h", 240, starts=(0,), break_minutes=60, break_earliest=60, break_latest=120)
    plan = plan_shifts([1, 1, 1, 1], [tpl], interval_minutes=60)
    assert plan.agent_hours == 8  # two agents, breaks staggered
    assert (plan.coverage >= 1).all()
    assert {s.break_start_minute for s in plan.shifts} == {60, 120}


def test_day_plan_covers_requirement():
    req = np.r_[np.linspace(3, 40, 8), np.full(10, 40), np.linspace(40, 5, 10)].round()
    plan = plan_shifts(req, default_templates(len(req) * 30), interval_minutes=30)
    assert (plan.coverage >= req).all()
    assert plan.agent_hours >= req.sum() / 2  # lower bound: required agent-hours
    assert plan.status == "Optimal"


def test_expected_abandonment_and_suggestions():
    req = [10, 14, 14, 10]
    plan = plan_shifts(req, [ShiftTemplate("1h", 60)], interval_minutes=60)
    calls = [120, 220, 200, 120]
    evaluate_plan(plan, calls, aht=240, patience=120, shrinkage=0.0)
    assert plan.expected_abandoned > 0
    top = plan.suggestions[0]
    assert top["abandoned_after"] < top["abandoned_before"]
    assert top["interval"] == 1  # the busiest interval gains most from one more agent


def test_bad_roster_inputs():
    with pytest.raises(RosterError):
        plan_shifts([1, -1], [ShiftTemplate("1h", 60)], interval_minutes=60)
    with pytest.raises(RosterError, match="没有班次可覆盖"):
        plan_shifts([1, 1, 1], [ShiftTemplate("1h", 60, starts=(0,))], interval_minutes=60)
    with pytest.raises(RosterError, match="正整数倍"):
        plan_shifts([1, 1], [ShiftTemplate("45m", 45)], interval_minutes=30)
