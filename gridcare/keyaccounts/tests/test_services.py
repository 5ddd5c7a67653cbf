"""Key-account services: subscriptions, the inspection schedule (every N months,
idempotent), inspection records whose findings open rectification items, emergency plans
(document checked), drills, and the plans' expiry warnings (idempotent, notified)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gridcare.core.errors import ApplicationError, PermissionDeniedError
from gridcare.customers.tests.factories import CustomerFactory
from gridcare.escalation.models import Notification
from gridcare.keyaccounts import services
from gridcare.keyaccounts.choices import DrillStatus, InspectionStatus
from gridcare.keyaccounts.models import EmergencyPlan, InspectionFinding, PlanWarning, SafetyInspection
from gridcare.keyaccounts.services import add_months, inspections_schedule, next_inspection_due, plans_warn
from gridcare.org.choices import Role
from gridcare.rectification.choices import RectificationStatus

from .factories import PDF_BYTES, key_customer, package

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def people(world):
    class P:
        manager = world.staff(Role.CUSTOMER_MANAGER, world.station_a)
        supervisor = world.staff(Role.SUPERVISOR, world.county_a)
        dispatcher = world.staff(Role.DISPATCHER, world.county_a)
        other = world.staff(Role.CUSTOMER_MANAGER, world.station_b)

    return P


def test_month_arithmetic():
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2025, 11, 15), 6) == dt.date(2026, 5, 15)
    assert next_inspection_due(start=dt.date(2026, 1, 10), interval_months=12, last=None) == dt.date(
        2027, 1, 10
    )
    assert next_inspection_due(
        start=dt.date(2025, 1, 10), interval_months=6, last=dt.date(2026, 2, 1)
    ) == dt.date(2026, 8, 1)


def test_subscribe_only_key_customers_in_scope(world, people):
    today = timezone.localdate()
    small = CustomerFactory(area=world.area_a)
    with pytest.raises(ApplicationError) as e:
        services.subscription_start(actor=people.manager, customer=small, package=package())
    assert e.value.code == "not_key_account"
    big = key_customer(world.area_a)
    with pytest.raises(PermissionDeniedError):
        services.subscription_start(actor=people.dispatcher, customer=big, package=package())
    with pytest.raises(PermissionDeniedError):
        services.subscription_start(actor=people.other, customer=big, package=package())
    sub = services.subscription_start(actor=people.manager, customer=big, package=package("BASIC"))
    assert sub.start_date == today and sub.ended_on is None
    with pytest.raises(ApplicationError):
        services.subscription_start(actor=people.manager, customer=big, package=package("BASIC"))
    # Changing the package ends the old subscription the day before.
    newer = services.subscription_start(
        actor=people.manager, customer=big, package=package("PLUS"), start_date=today + dt.timedelta(days=10)
    )
    sub.refresh_from_db()
    assert sub.ended_on == today + dt.timedelta(days=9) and newer.ended_on is None


def test_schedule_every_n_months_is_idempotent(world, people):
    today = timezone.localdate()
    big = key_customer(world.area_a)
    start = today - dt.timedelta(days=200)
    sub = services.subscription_start(
        actor=people.manager, customer=big, package=package("PLUS"), start_date=start
    )
    first = SafetyInspection.objects.get(subscription=sub)
    assert (
        first.due_date == add_months(start, 6)
        and first.seq == 1
        and first.status == InspectionStatus.SCHEDULED
    )
    assert inspections_schedule(today=today)["scheduled"] == 0  # one scheduled at a time
    assert inspections_schedule(today=today)["scheduled"] == 0
    services.inspection_record(actor=people.manager, inspection=first, done_on=today, notes="配电室整洁")
    # The next is six months after this one: not generated until the lead days reach it.
    assert SafetyInspection.objects.filter(subscription=sub).count() == 1
    later = add_months(today, 6) - dt.timedelta(days=10)
    assert inspections_schedule(today=later)["scheduled"] == 1
    assert inspections_schedule(today=later)["scheduled"] == 0
    second = SafetyInspection.objects.get(subscription=sub, seq=2)
    assert second.due_date == add_months(today, 6)
    # Cancelled: the next comes an interval after the cancelled one's due date.
    services.inspection_cancel(actor=people.manager, inspection=second, reason="客户停产")
    assert inspections_schedule(today=add_months(second.due_date, 6))["scheduled"] == 1
    assert SafetyInspection.objects.get(subscription=sub, seq=3).due_date == add_months(second.due_date, 6)


def test_findings_that_need_work_open_rectification_items(world, people):
    from gridcare.customers.models import ServiceGrid

    ServiceGrid.objects.create(
        code="G-A", name="东山网格", station=world.station_a, whole_station=True, manager=people.manager
    )
    today = timezone.localdate()
    big = key_customer(world.area_a, name="金陵化工")
    sub = services.subscription_start(
        actor=people.manager, customer=big, package=package("PLUS"), start_date=today - dt.timedelta(days=200)
    )
    inspection = SafetyInspection.objects.get(subscription=sub)
    with pytest.raises(PermissionDeniedError):
        services.inspection_record(actor=people.dispatcher, inspection=inspection, done_on=today)
    with pytest.raises(ApplicationError):
        services.inspection_record(
            actor=people.manager, inspection=inspection, done_on=today + dt.timedelta(days=1)
        )
    services.inspection_record(
        actor=people.manager,
        inspection=inspection,
        done_on=today,
        findings=[
            {"description": "配电室门锁损坏", "severity": "minor", "needs_work": False},
            {"description": "自备发电机未做防倒送电闭锁", "severity": "serious", "needs_work": True},
            {"description": "", "severity": "major", "needs_work": True},  # blank rows are ignored
        ],
    )
    findings = list(InspectionFinding.objects.filter(inspection=inspection).order_by("id"))
    assert len(findings) == 2 and findings[0].rectification is None
    item = findings[1].rectification
    assert item.source_kind == "inspection_finding" and item.source_ref == str(findings[1].pk)
    assert item.unit == world.station_a and item.owner == people.manager
    assert item.status == RectificationStatus.OPEN and "金陵化工" in item.title
    assert item.due_date > today  # three working days by default for a serious finding
    with pytest.raises(ApplicationError) as e:
        services.inspection_record(actor=people.manager, inspection=inspection, done_on=today)
    assert e.value.code == "invalid_transition"


def _plan(actor, customer, **kw):
    kw.setdefault("title", "保安电源应急预案")
    kw.setdefault("review_date", timezone.localdate() + dt.timedelta(days=300))
    kw.setdefault("document_content", PDF_BYTES)
    kw.setdefault("document_name", "预案.pdf")
    return services.plan_create(actor=actor, customer=customer, **kw)


def test_plan_document_and_fields_are_checked(world, people):
    big = key_customer(world.area_a, important=True)
    for content, code in (
        (b"", "required"),
        (b"<html>not a plan</html>", "invalid_type"),
        (b"%PDF-" + b"0" * (10 * 1024 * 1024), "too_large"),
    ):
        with pytest.raises(ApplicationError) as e:
            _plan(people.manager, big, document_content=content)
        assert (e.value.field, e.value.code) == ("document", code)
    with pytest.raises(ApplicationError) as e:
        _plan(people.manager, big, contacts=[{"name": "张工", "phone": "call me"}])
    assert e.value.field == "contacts"
    with pytest.raises(ApplicationError) as e:
        _plan(people.manager, big, backup_capacity_kw="-5")
    assert e.value.field == "backup_capacity_kw"
    with pytest.raises(ApplicationError):
        _plan(people.manager, big, review_date=timezone.localdate() - dt.timedelta(days=1))
    plan = _plan(
        people.manager,
        big,
        contacts=[{"name": "张工", "role": "电气负责人", "phone": "13912345678"}],
        backup_capacity_kw="500",
    )
    assert plan.content_type == "application/pdf" and plan.document and plan.contacts[0]["name"] == "张工"
    newer = _plan(people.manager, big, title="修订版")
    plan.refresh_from_db()
    assert not plan.active and newer.active
    assert not EmergencyPlan.objects.filter(pk=plan.pk, active=True).exists()


def test_drills_scheduled_and_recorded(world, people):
    today = timezone.localdate()
    plan = _plan(people.manager, key_customer(world.area_a, important=True))
    drill = services.drill_schedule(
        actor=people.manager, plan=plan, scheduled_for=today + dt.timedelta(days=5)
    )
    with pytest.raises(ApplicationError):
        services.drill_record(
            actor=people.manager, drill=drill, held_on=today, result="passed", participants=""
        )
    with pytest.raises(ApplicationError):
        services.drill_record(
            actor=people.manager, drill=drill, held_on=today, result="great", participants="a"
        )
    drill = services.drill_record(
        actor=people.manager,
        drill=drill,
        held_on=today,
        result="passed",
        participants="客户电工3人，供电所2人",
    )
    assert drill.status == DrillStatus.DONE
    with pytest.raises(ApplicationError):
        services.drill_cancel(actor=people.manager, drill=drill)


def test_plan_warnings_are_idempotent_and_tell_the_manager(world, people):
    from gridcare.customers.models import ServiceGrid

    ServiceGrid.objects.create(
        code="G-A", name="东山网格", station=world.station_a, whole_station=True, manager=people.manager
    )
    now = timezone.now()
    today = timezone.localdate(now)
    soon = _plan(
        people.manager, key_customer(world.area_a, important=True), review_date=today + dt.timedelta(days=10)
    )
    late = _plan(
        people.manager, key_customer(world.area_a, important=True), review_date=today + dt.timedelta(days=1)
    )
    EmergencyPlan.objects.filter(pk=late.pk).update(review_date=today - dt.timedelta(days=3))
    _plan(
        people.manager, key_customer(world.area_a, important=True), review_date=today + dt.timedelta(days=200)
    )
    assert plans_warn(now=now) == {"warned": 2, "notified": 2}
    assert plans_warn(now=now) == {"warned": 0, "notified": 0}
    kinds = dict(PlanWarning.objects.values_list("plan_id", "kind"))
    assert kinds == {soon.pk: "expiring", late.pk: "expired"}
    notes = Notification.objects.filter(recipient=people.manager)
    assert notes.count() == 2 and any("已于" in n.message for n in notes)
    # Once expiring, the same plan warns again when it expires; a new review date warns anew.
    assert plans_warn(now=now + dt.timedelta(days=11))["warned"] == 1


def test_periodic_jobs_are_declared_and_idempotent(world, people):
    from gridcare.core.scheduling import discover
    from gridcare.keyaccounts.tasks import inspections_schedule_job, plans_warn_job

    jobs = discover()
    assert {"keyaccounts.inspections_schedule", "keyaccounts.plans_warn"} <= set(jobs)
    today = timezone.localdate()
    big = key_customer(world.area_a, important=True)
    sub = services.subscription_start(
        actor=people.manager,
        customer=big,
        package=package("BASIC"),
        start_date=today - dt.timedelta(days=400),
    )
    SafetyInspection.objects.filter(subscription=sub).delete()
    assert inspections_schedule_job()["scheduled"] == 1
    assert inspections_schedule_job()["scheduled"] == 0
    _plan(people.manager, big, review_date=today + dt.timedelta(days=3))
    assert plans_warn_job()["warned"] == 1
    assert plans_warn_job()["warned"] == 0
