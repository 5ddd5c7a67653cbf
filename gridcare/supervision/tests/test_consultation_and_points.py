import datetime as dt
from decimal import Decimal

import pytest

from gridcare.core.errors import ApplicationError, ConflictError, PermissionDeniedError
from gridcare.escalation import services as esc
from gridcare.escalation.choices import NotificationKind
from gridcare.escalation.models import Notification
from gridcare.rectification.models import RectificationItem
from gridcare.supervision import selectors, services
from gridcare.supervision.choices import PointStatus, ReminderKind, RewardStatus
from gridcare.supervision.models import ConsultationReminder
from gridcare.supervision.periods import add_months, parse_period, period_of

from .conftest import at

pytestmark = pytest.mark.django_db


def test_period_arithmetic():
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2026, 11, 15), 3) == dt.date(2027, 2, 15)
    assert add_months(dt.date(2026, 3, 1), -3) == dt.date(2025, 12, 1)
    q = period_of("quarter", dt.date(2026, 5, 20))
    assert (q.start, q.end, q.key) == (dt.date(2026, 4, 1), dt.date(2026, 7, 1), "2026Q2")
    assert q.shift(-1).key == "2026Q1" and q.shift(3).key == "2027Q1"
    m = period_of("month", dt.date(2026, 12, 9))
    assert (m.key, m.shift(1).key, m.shift(1).start) == ("2026-12", "2027-01", dt.date(2027, 1, 1))
    assert parse_period("quarter", "2026Q3").start == dt.date(2026, 7, 1)
    assert parse_period("month", "2026-13") is None and parse_period("quarter", "2026Q5") is None
    assert parse_period("month", "x") is None


def test_plan_next_due_from_last_consultation_and_states(world, people, social):
    plan = services.consultation_plan_save(
        actor=people.supervisor,
        unit=world.county_a,
        every_months=3,
        reminder_days=7,
        first_due_on="2026-02-01",
    )
    assert selectors.plan_next_due(plan) == dt.date(2026, 2, 1)  # none held yet
    esc.supervisor_consultation_record(
        actor=people.supervisor, unit=world.county_a, held_on=dt.date(2026, 1, 10), topic="一季度座谈"
    )
    esc.supervisor_consultation_record(
        actor=people.supervisor, unit=world.county_a, held_on=dt.date(2026, 2, 20), topic="春检座谈"
    )
    due = selectors.plan_next_due(plan)
    assert due == dt.date(2026, 5, 20)  # three months after the LAST one held
    assert selectors.plan_state(plan, due=due, today=dt.date(2026, 5, 12)) == ""
    assert selectors.plan_state(plan, due=due, today=dt.date(2026, 5, 13)) == ReminderKind.SOON
    assert selectors.plan_state(plan, due=due, today=dt.date(2026, 5, 20)) == ReminderKind.OVERDUE
    rows = selectors.plan_rows(people.supervisor, today=dt.date(2026, 5, 25))
    assert rows[0]["state"] == ReminderKind.OVERDUE and rows[0]["overdue_days"] == 5
    assert selectors.plan_rows(people.supervisor_b) == []  # scoped


def test_plan_bounds_permission_and_stale_edit(world, people):
    with pytest.raises(ApplicationError) as exc:
        services.consultation_plan_save(actor=people.supervisor, unit=world.county_a, every_months=13)
    assert exc.value.field == "every_months"
    with pytest.raises(ApplicationError) as exc:
        services.consultation_plan_save(actor=people.supervisor, unit=world.county_a, reminder_days=-1)
    assert exc.value.field == "reminder_days"
    with pytest.raises(PermissionDeniedError):
        services.consultation_plan_save(actor=people.agent, unit=world.county_a)
    with pytest.raises(PermissionDeniedError):
        services.consultation_plan_save(actor=people.supervisor_b, unit=world.county_a)
    plan = services.consultation_plan_save(actor=people.supervisor, unit=world.county_a)
    assert (plan.every_months, plan.reminder_days) == (3, 7)  # the defaults
    plan = services.consultation_plan_save(
        actor=people.supervisor, unit=world.county_a, every_months=6, expected_version=1
    )
    assert plan.every_months == 6 and plan.version == 2
    with pytest.raises(ConflictError):
        services.consultation_plan_save(actor=people.supervisor, unit=world.county_a, expected_version=1)


def test_reminder_once_per_due_date_to_the_units_supervisors(world, people):
    services.consultation_plan_save(
        actor=people.supervisor,
        unit=world.county_a,
        every_months=3,
        reminder_days=7,
        first_due_on="2026-04-10",
    )
    assert services.consultation_reminders_send(today=dt.date(2026, 4, 1))["soon"] == 0  # too early
    sent = services.consultation_reminders_send(today=dt.date(2026, 4, 5), now=at(2026, 4, 5, 9))
    assert sent["soon"] == 1 and sent["people"] == 2
    told = Notification.objects.filter(kind=NotificationKind.SUPERVISION)
    assert sorted(told.values_list("recipient_id", flat=True)) == sorted(
        [people.supervisor.pk, people.supervisor2.pk]
    )  # the county's supervisors, not the station's
    assert "2026-04-10" in told.first().message
    assert told.first().url == "/supervision/#plans"  # the reminder links to the plans
    assert services.consultation_reminders_send(today=dt.date(2026, 4, 6))["soon"] == 0  # once
    assert services.consultation_reminders_send(today=dt.date(2026, 4, 11))["overdue"] == 1
    assert services.consultation_reminders_send(today=dt.date(2026, 4, 12))["overdue"] == 0
    assert told.count() == 4
    # held: a new due date, nothing to say until it nears
    esc.supervisor_consultation_record(
        actor=people.supervisor, unit=world.county_a, held_on=dt.date(2026, 4, 12), topic="二季度座谈"
    )
    assert services.consultation_reminders_send(today=dt.date(2026, 4, 13)) == {
        "soon": 0,
        "overdue": 0,
        "people": 0,
    }
    sent = services.consultation_reminders_send(today=dt.date(2026, 7, 6))
    assert sent["soon"] == 1
    assert ConsultationReminder.objects.filter(due_on=dt.date(2026, 7, 12)).count() == 1


def test_point_raise_answer_rectify_and_scope(world, people, social):
    point = services.point_raise(
        actor=people.supervisor, supervisor=social, text="营业厅排队时间太长", raised_on="2026-03-01"
    )
    assert point.unit == world.county_a and point.status == PointStatus.OPEN
    rows = selectors.open_points(people.supervisor, today=dt.date(2026, 3, 11))
    assert [(p.pk, p.age) for p in rows] == [(point.pk, 10)]
    assert list(selectors.points_for(people.supervisor_b)) == []
    with pytest.raises(ApplicationError) as exc:  # the supervisor is not theirs
        services.point_raise(actor=people.supervisor_b, supervisor=social, text="x")
    assert exc.value.status == 404
    with pytest.raises(ApplicationError) as exc:
        services.point_raise(actor=people.supervisor, supervisor=social, text="  ")
    assert exc.value.field == "text"
    with pytest.raises(PermissionDeniedError):
        services.point_raise(actor=people.agent, supervisor=social, text="x")
    item = services.point_rectify(actor=people.supervisor, point=point)
    assert (item.source_kind, item.source_ref, item.unit) == (
        "supervisor_point",
        str(point.pk),
        world.county_a,
    )
    with pytest.raises(ConflictError):
        services.point_rectify(actor=people.supervisor, point=point)
    assert RectificationItem.objects.count() == 1
    with pytest.raises(ConflictError):  # stale
        services.point_answer(actor=people.supervisor, point=point, answer="已增开窗口", expected_version=1)
    point.refresh_from_db()
    done = services.point_answer(
        actor=people.supervisor, point=point, answer="已增开窗口", expected_version=point.version
    )
    assert done.status == PointStatus.ANSWERED and done.answered_by == people.supervisor
    with pytest.raises(ConflictError):  # answered already
        services.point_answer(actor=people.supervisor, point=point, answer="again")
    assert selectors.open_points(people.supervisor) == []


def test_reward_bounds_and_approval_by_someone_else(world, people, social):
    with pytest.raises(ApplicationError) as exc:
        services.reward_propose(
            actor=people.supervisor, supervisor=social, kind="bonus", amount="10000.01", reason="x"
        )
    assert exc.value.field == "amount"
    with pytest.raises(ApplicationError) as exc:
        services.reward_propose(
            actor=people.supervisor, supervisor=social, kind="bonus", amount=-1, reason="x"
        )
    assert exc.value.field == "amount"
    with pytest.raises(ApplicationError) as exc:
        services.reward_propose(
            actor=people.supervisor, supervisor=social, kind="bonus", amount=0, reason="x"
        )
    assert exc.value.field == "amount"
    with pytest.raises(ApplicationError) as exc:
        services.reward_propose(actor=people.supervisor, supervisor=social, kind="car", reason="x")
    assert exc.value.field == "kind"
    with pytest.raises(PermissionDeniedError):
        services.reward_propose(actor=people.agent, supervisor=social, kind="certificate", reason="x")
    reward = services.reward_propose(
        actor=people.supervisor, supervisor=social, kind="bonus", amount="10000", reason="年度优秀监督员"
    )
    assert reward.amount == Decimal("10000.00") and reward.status == RewardStatus.PROPOSED
    assert services.reward_verbs(people.supervisor, reward) == []
    assert services.reward_verbs(people.supervisor2, reward) == ["approve", "reject"]
    assert services.reward_verbs(people.inspector, reward) == []  # no approve_reward
    with pytest.raises(PermissionDeniedError):
        services.reward_decide(actor=people.supervisor, reward=reward, approve=True)
    with pytest.raises(PermissionDeniedError):
        services.reward_decide(actor=people.inspector, reward=reward, approve=True)
    with pytest.raises(ApplicationError) as exc:
        services.reward_decide(actor=people.supervisor2, reward=reward, approve=False)
    assert exc.value.field == "note"
    done = services.reward_decide(actor=people.supervisor2, reward=reward, approve=True)
    assert done.status == RewardStatus.APPROVED and done.decided_by == people.supervisor2
    with pytest.raises(ConflictError):
        services.reward_decide(actor=people.manager, reward=reward, approve=False, note="重复")
    cert = services.reward_propose(
        actor=people.supervisor, supervisor=social, kind="certificate", reason="热心"
    )
    assert cert.amount == 0
    rejected = services.reward_decide(actor=people.manager, reward=cert, approve=False, note="材料不全")
    assert rejected.status == RewardStatus.REJECTED
