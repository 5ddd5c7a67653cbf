"""Application services: the plan copied at acceptance, stages only in order and with their
documents, the clock paused for the customer (across 国庆 2026), stalled processes and the
follow-up that alone makes them leave the clerk's list, home visits, customer notices."""

from __future__ import annotations

import datetime as dt

import pytest

from gridcare.applications import selectors, services
from gridcare.applications.choices import ApplicationStatus as S
from gridcare.applications.choices import FollowUpKind, StageStatus
from gridcare.applications.models import (
    Application,
    ApplicationSetting,
    ProcessFollowUp,
    StagePlan,
    StagePlanStep,
)
from gridcare.core.errors import ApplicationError
from gridcare.customers.tests.factories import CustomerFactory
from gridcare.escalation.models import OutboundMessage
from gridcare.org.choices import Role

from .factories import accept, at, complete, receive_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(world):
    class P:
        clerk = world.staff(Role.COUNTER_CLERK, world.county_a)
        admin = world.staff(Role.ADMIN, world.company)
        sup = world.staff(Role.SUPERVISOR, world.county_a)
        crew = world.staff(Role.REPAIR_CREW, world.station_a)
        manager = world.staff(Role.CUSTOMER_MANAGER, world.station_a)

    return P


def test_accept_copies_the_plan_and_a_later_edit_does_not_touch_it(world, people):
    app = accept(people.clerk, unit=world.station_a, now=at(2026, 11, 2))
    stages = list(app.stages.order_by("seq"))
    assert [s.name for s in stages] == ["受理", "现场勘查", "装表接电"]
    assert stages[0].status == StageStatus.ACTIVE and stages[0].due_at == at(2026, 11, 3)
    assert stages[0].documents == ["申请人有效身份证明", "用电地址物业权属证明"]
    assert stages[1].owner_unit == world.station_a and stages[1].owner_role == Role.CUSTOMER_MANAGER
    assert app.overall_limit_days == 5 and app.due_at == at(2026, 11, 9)
    plan = StagePlan.objects.get(kind="new_connection", category="residential", variant="standard")
    StagePlanStep.objects.filter(plan=plan, seq=3).update(name="改名后的环节", limit_days=9)
    StagePlan.objects.filter(pk=plan.pk).update(overall_limit_days=9)
    app.refresh_from_db()
    assert app.overall_limit_days == 5
    assert app.stages.get(seq=3).name == "装表接电" and app.stages.get(seq=3).limit_days == 3


def test_kind_without_a_plan_is_refused_naming_the_field(world, people):
    customer = CustomerFactory(area=world.area_a)
    with pytest.raises(ApplicationError) as exc:
        accept(people.clerk, customer=customer, kind="meter_test")
    assert exc.value.field == "kind" and exc.value.code == "no_plan"
    StagePlan.objects.filter(kind="new_connection", category="residential", variant="standard").update(
        active=False
    )
    with pytest.raises(ApplicationError) as exc:
        accept(people.clerk, unit=world.station_a)
    assert exc.value.field == "kind"
    assert not Application.objects.exists()


def test_a_change_needs_a_customer_and_a_new_applicant_needs_contact(world, people):
    with pytest.raises(ApplicationError) as exc:
        accept(people.clerk, kind="name_change", unit=world.station_a)
    assert exc.value.field == "customer"
    with pytest.raises(ApplicationError) as exc:
        accept(people.clerk, unit=world.station_a, applicant_phone="12ab")
    assert exc.value.field == "applicant_phone"
    with pytest.raises(ApplicationError) as exc:
        accept(people.clerk, unit=world.station_b)  # another county
    assert exc.value.field == "unit"


def test_customer_gives_category_unit_and_contact(world, people):
    customer = CustomerFactory(area=world.area_a, category="lv_non_residential", name="南京味来餐饮有限公司")
    app = accept(people.clerk, customer=customer, kind="capacity_change")
    assert app.category == "lv_non_residential" and app.unit == world.station_a
    assert app.applicant_name == "南京味来餐饮有限公司" and app.applicant_phone == customer.phone
    assert app.overall_limit_days == 6


def test_stages_only_in_order_and_with_their_documents(world, people):
    app = accept(people.clerk, unit=world.station_a)
    with pytest.raises(ApplicationError) as exc:
        services.application_stage_complete(actor=people.admin, application=app, stage=2)
    assert exc.value.field == "stage" and exc.value.code == "out_of_order" and exc.value.status == 409
    with pytest.raises(ApplicationError) as exc:
        services.application_stage_complete(actor=people.clerk, application=app, stage=1)
    assert exc.value.field == "documents" and "申请人有效身份证明" in exc.value.message
    services.application_document_receive(actor=people.clerk, application=app, name="申请人有效身份证明")
    with pytest.raises(ApplicationError) as exc:
        services.application_document_receive(actor=people.clerk, application=app, name="不在清单的资料")
    assert exc.value.field == "name"
    receive_all(people.clerk, app)
    services.application_stage_complete(actor=people.clerk, application=app, stage=1)
    # The same stage again is out of order now.
    with pytest.raises(ApplicationError) as exc:
        services.application_stage_complete(actor=people.clerk, application=app, stage=1)
    assert exc.value.code == "out_of_order"
    # 现场勘查 is the customer manager's: a clerk or a crew member may not complete it.
    with pytest.raises(ApplicationError) as exc:
        services.application_stage_complete(actor=people.crew, application=app, stage=2)
    assert exc.value.code == "not_owner"
    services.application_stage_complete(actor=people.manager, application=app, stage=2)
    services.application_stage_complete(actor=people.crew, application=app, stage=3)
    app.refresh_from_db()
    assert app.status == S.COMPLETED and app.current_stage is None and app.completed_at
    assert list(app.stages.values_list("status", flat=True)) == [StageStatus.DONE] * 3
    with pytest.raises(ApplicationError) as exc:
        services.application_stage_complete(actor=people.admin, application=app, stage=3)
    assert exc.value.status == 409


def test_optional_stage_may_be_skipped_only_when_optional(world, people):
    customer = CustomerFactory(area=world.area_a, category="hv_single")
    app = accept(people.clerk, customer=customer)
    assert app.overall_limit_days == 22
    with pytest.raises(ApplicationError) as exc:
        complete(people.admin, app, skip=True)
    assert exc.value.field == "skip"
    for _ in range(4):  # 受理, 勘查, 方案, 设计审查
        complete(people.admin, app)
    app.refresh_from_db()
    assert app.current_stage.name == "中间检查"
    services.application_stage_complete(actor=people.admin, application=app, stage=5, skip=True)
    app.refresh_from_db()
    assert app.stages.get(seq=5).status == StageStatus.SKIPPED and app.current_stage.name == "竣工检验"


def test_pause_moves_the_deadlines_by_the_working_days_paused_across_national_day(world, people):
    """Accepted Tue 2026-09-29 10:00, residential (5 working days): without pauses due Mon
    10-12 (9-30, 10-08, 10-09, the make-up Saturday 10-10, 10-12). Stage 2 starts 9-30 09:00
    (1 day: due 10-08). Paused 9-30 15:00 → resumed Fri 10-09: the pause covers the
    working days in (9-30, 10-09] = 10-08 and 10-09 — the seven holidays count nothing."""
    app = accept(people.clerk, unit=world.station_a, now=at(2026, 9, 29, 10))
    assert app.due_at == at(2026, 10, 12, 10)
    complete(people.clerk, app, now=at(2026, 9, 30, 9))
    stage = app.stages.get(seq=2)
    assert stage.due_at == at(2026, 10, 8, 9)
    services.application_pause(
        actor=people.clerk, application=app, reason="客户补交房产证明", now=at(2026, 9, 30, 15)
    )
    app.refresh_from_db()
    assert app.status == S.WAITING_CUSTOMER
    with pytest.raises(ApplicationError) as exc:
        services.application_stage_complete(actor=people.admin, application=app, stage=2)
    assert exc.value.code == "paused"
    services.application_resume(actor=people.clerk, application=app, now=at(2026, 10, 9, 11))
    app.refresh_from_db()
    stage.refresh_from_db()
    assert app.paused_days == 2 and stage.paused_days == 2
    assert stage.due_at == at(2026, 10, 10, 9)  # 1 + 2 working days from 9-30: 10-08, 10-09, 10-10
    assert app.due_at == at(2026, 10, 14, 10)  # 5 + 2: … 10-12, 10-13, 10-14
    # Finishing on 10-13 is on time (it would have been late without the pause).
    services.application_stage_complete(
        actor=people.manager, application=app, stage=2, now=at(2026, 10, 12, 9)
    )
    stage.refresh_from_db()
    assert stage.working_days == 2  # (9-30, 10-12]: 10-08, 10-09, 10-10, 10-12, less the 2 paused
    services.application_stage_complete(actor=people.crew, application=app, stage=3, now=at(2026, 10, 13, 16))
    app.refresh_from_db()
    assert app.status == S.COMPLETED and app.completed_at <= app.due_at


def test_pause_the_same_day_costs_nothing(world, people):
    app = accept(people.clerk, unit=world.station_a, now=at(2026, 11, 2, 9))
    services.application_pause(
        actor=people.clerk, application=app, reason="等客户到厅签字", now=at(2026, 11, 2, 10)
    )
    services.application_resume(actor=people.clerk, application=app, now=at(2026, 11, 2, 16))
    app.refresh_from_db()
    assert app.paused_days == 0 and app.due_at == at(2026, 11, 9, 9)
    with pytest.raises(ApplicationError) as exc:
        services.application_resume(actor=people.clerk, application=app)
    assert exc.value.code == "invalid_transition"
    with pytest.raises(ApplicationError) as exc:
        services.application_pause(actor=people.clerk, application=app, reason=" ")
    assert exc.value.field == "reason"


def _set_stall_days(n: int) -> None:
    """Through ``save`` (as the settings page does): the per-process settings cache follows saves."""
    row = ApplicationSetting.objects.get(key="stall_working_days")
    row.value = n
    row.save()


def test_stalled_is_counted_in_working_days(world, people):
    """Default 3 working days: last moved Wed 2026-09-30, then 国庆. Stalled once (9-30,
    today] holds 3 working days — 10-08, 10-09 and the make-up Saturday 10-10: from the
    start of 10-10, not on 10-09."""
    app = accept(people.clerk, unit=world.station_a, now=at(2026, 9, 30, 15))
    assert not services.is_stalled(app, at(2026, 10, 9, 23))
    assert services.is_stalled(app, at(2026, 10, 10, 8))
    assert Application.objects.filter(selectors.stalled_q(at(2026, 10, 10, 8))).count() == 1
    assert Application.objects.filter(selectors.stalled_q(at(2026, 10, 9, 23))).count() == 0
    _set_stall_days(5)
    assert not services.is_stalled(app, at(2026, 10, 10, 8))
    # Waiting on the customer is not stalled.
    _set_stall_days(3)
    services.application_pause(actor=people.clerk, application=app, reason="等客户", now=at(2026, 9, 30, 16))
    app.refresh_from_db()
    assert not services.is_stalled(app, at(2026, 10, 20))


def _mine(clerk, now):
    return set(selectors.my_processes(clerk, now=now).values_list("pk", flat=True))


def _awaiting(clerk, now):
    return set(
        selectors.my_processes(clerk, now=now).filter(awaiting_answer=True).values_list("pk", flat=True)
    )


def test_an_unanswered_stall_does_not_disappear_by_moving_or_time(world, people):
    app = accept(people.clerk, unit=world.station_a, now=at(2026, 11, 2, 9))
    later = at(2026, 11, 9, 9)  # 5 working days without movement
    assert _awaiting(people.clerk, later) == {app.pk}
    # The stage moves: the stall is recorded first and stays awaiting an answer.
    complete(people.clerk, app, now=later)
    fu = ProcessFollowUp.objects.get(application=app)
    assert fu.kind == FollowUpKind.STALLED and fu.answered_at is None and fu.clerk == people.clerk
    assert _awaiting(people.clerk, later) == {app.pk}
    # Completed: still there.
    services.application_stage_complete(actor=people.admin, application=app, stage=2, now=later)
    services.application_stage_complete(actor=people.admin, application=app, stage=3, now=later)
    app.refresh_from_db()
    assert app.status == S.COMPLETED
    assert _awaiting(people.clerk, at(2027, 3, 1)) == {app.pk}
    # The supervisor sees it in the clerk's row.
    row = next(r for r in selectors.clerk_summary(people.sup, now=later) if r["clerk_id"] == people.clerk.pk)
    assert row["awaiting"] == 1
    # Someone else may not answer for the clerk; the supervisor may; an empty reply is refused.
    other = world.staff(Role.COUNTER_CLERK, world.county_a)
    with pytest.raises(ApplicationError) as exc:
        services.process_follow_up_record(actor=other, application=app, reason="x", reply="y")
    assert exc.value.code == "not_clerk"
    with pytest.raises(ApplicationError) as exc:
        services.process_follow_up_record(
            actor=people.clerk, application=app, reason="勘查人员休假", reply=""
        )
    assert exc.value.field == "reply"
    services.process_follow_up_record(
        actor=people.clerk,
        application=app,
        reason="勘查人员休假未交接",
        reply="已致电客户致歉并说明已办结",
        now=later,
    )
    assert _awaiting(people.clerk, later) == set() and app.pk not in _mine(people.clerk, later)
    with pytest.raises(ApplicationError) as exc:
        services.process_follow_up_record(actor=people.clerk, application=app, reason="x", reply="y")
    assert exc.value.code == "nothing_to_answer"


def test_a_stall_seen_now_can_be_answered_and_the_job_records_it_once(world, people):
    app = accept(people.clerk, unit=world.station_a, now=at(2026, 11, 2, 9))
    later = at(2026, 11, 9, 9)
    assert services.stalls_mark(now=later) == 1
    assert services.stalls_mark(now=later) == 0
    assert ProcessFollowUp.objects.filter(application=app).count() == 1
    # The accepting clerk is told once, in-app, with a link to the application.
    from gridcare.escalation.models import Notification

    told = Notification.objects.get(recipient=people.clerk)
    assert told.url == f"/applications/{app.pk}/" and told.code == "applications.stalled_notice"
    assert app.number in told.message and "没有进展" in told.message
    services.process_follow_up_record(
        actor=people.sup, application=app, reason="客户资料待核实", reply="已告知客户预计下周勘查", now=later
    )
    # Answered, still stalled on the same movement: not awaiting again, the job adds nothing.
    assert _awaiting(people.clerk, at(2026, 11, 10)) == set()
    assert services.stalls_mark(now=at(2026, 11, 10)) == 0
    assert app.pk in _mine(people.clerk, at(2026, 11, 10))  # still open: on the list, not flagged


def test_termination_needs_an_answer(world, people):
    app = accept(people.clerk, unit=world.station_a)
    services.application_terminate(actor=people.manager, application=app, reason="客户撤回申请")
    app.refresh_from_db()
    assert app.status == S.TERMINATED
    assert set(app.stages.values_list("status", flat=True)) == {StageStatus.CANCELLED}
    now = dt.datetime.now(tz=app.accepted_at.tzinfo) + dt.timedelta(days=60)
    assert _awaiting(people.clerk, now) == {app.pk}
    with pytest.raises(ApplicationError) as exc:
        services.application_terminate(actor=people.manager, application=app, reason="again")
    assert exc.value.status == 409
    services.process_follow_up_record(
        actor=people.clerk, application=app, reason="客户改为租用现有表计", reply="已电话确认"
    )
    assert _awaiting(people.clerk, now) == set()


def test_home_visit_for_remote_applications(world, people):
    agent = world.staff(Role.HOTLINE_AGENT, world.county_a)
    app = accept(agent, unit=world.station_a, channel="hotline", now=at(2026, 11, 6, 16))  # a Friday
    assert app.home_visit_due_at == at(2026, 11, 9, 16)
    counter = accept(people.clerk, unit=world.station_a, now=at(2026, 11, 6, 16))
    assert counter.home_visit_due_at is None
    late = Application.objects.filter(selectors.home_visit_late_q(at(2026, 11, 10)))
    assert list(late.values_list("pk", flat=True)) == [app.pk]
    with pytest.raises(ApplicationError) as exc:
        services.home_visit_book(
            actor=agent, application=app, date=dt.date(2026, 11, 1), window="morning", now=at(2026, 11, 6, 17)
        )
    assert exc.value.field == "date"
    with pytest.raises(ApplicationError) as exc:
        services.home_visit_book(
            actor=agent, application=app, date=dt.date(2026, 11, 9), window="night", now=at(2026, 11, 6, 17)
        )
    assert exc.value.field == "window"
    services.home_visit_book(
        actor=agent, application=app, date=dt.date(2026, 11, 9), window="morning", now=at(2026, 11, 6, 17)
    )
    assert not Application.objects.filter(selectors.home_visit_late_q(at(2026, 11, 10))).exists()
    sms = OutboundMessage.objects.filter(recipient=app.applicant_phone).order_by("id").last()
    assert "2026-11-09" in sms.body and "上午" in sms.body


def test_every_stage_change_tells_the_customer(world, people):
    app = accept(people.clerk, unit=world.station_a)
    complete(people.clerk, app)
    services.application_pause(actor=people.clerk, application=app, reason="补充资料")
    services.application_resume(actor=people.clerk, application=app)
    bodies = list(
        OutboundMessage.objects.filter(recipient="13905190001").order_by("id").values_list("body", flat=True)
    )
    assert len(bodies) == 4
    assert (
        "已受理" in bodies[0] and "现场勘查" in bodies[1] and "补充资料" in bodies[2] and "恢复" in bodies[3]
    )
    codes = [e.message["code"] for e in app.events.order_by("id")]
    assert codes[0] == "applications.accepted" and "applications.stage_done" in codes


def test_stale_version_is_refused(world, people):
    app = accept(people.clerk, unit=world.station_a)
    with pytest.raises(ApplicationError) as exc:
        services.application_pause(
            actor=people.clerk, application=app, reason="x", expected_version=app.version + 5
        )
    assert exc.value.status == 409


def test_roles_without_the_permission_are_refused(world, people):
    planner = world.staff(Role.PLANNER, world.county_a)
    dispatcher = world.staff(Role.DISPATCHER, world.county_a)
    with pytest.raises(ApplicationError):
        accept(dispatcher, unit=world.station_a)
    app = accept(people.clerk, unit=world.station_a)
    with pytest.raises(ApplicationError):
        services.application_pause(actor=planner, application=app, reason="x")
    # Another county's clerk does not reach it.
    other = world.staff(Role.COUNTER_CLERK, world.county_b)
    with pytest.raises(ApplicationError):
        services.application_pause(actor=other, application=app, reason="x")
