"""Rectification items through their services: open (idempotent per source), fix with
evidence (files checked by content and size), verify by someone else, reopen for a new
cycle, cancel; permissions and scope; the actions offered equal the actions accepted."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gridcare.core.errors import ApplicationError, ConflictError, PermissionDeniedError
from gridcare.core.models import AuditEvent
from gridcare.org.choices import Role
from gridcare.rectification import selectors, services
from gridcare.rectification.choices import RectificationStatus as S
from gridcare.rectification.models import RectificationEvidence, RectificationItem
from gridcare.workorders.tests.factories import at

from .factories import PDF_BYTES, docx_bytes, open_item, png_bytes

pytestmark = pytest.mark.django_db
NOW = at(2026, 3, 2, 10, 0)  # a Monday


@pytest.fixture
def people(world):
    class P:
        supervisor = world.staff(Role.SUPERVISOR, world.county_a)
        inspector = world.staff(Role.QUALITY_INSPECTOR, world.county_a)
        crew = world.staff(Role.REPAIR_CREW, world.station_a)
        agent = world.staff(Role.HOTLINE_AGENT, world.county_a)
        other_supervisor = world.staff(Role.SUPERVISOR, world.county_b)

    return P


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_open_sets_a_working_day_due_date_and_audits(world, people):
    item = open_item(people.supervisor, world.station_a, now=NOW, due_in_working_days=5)
    assert item.status == S.OPEN and item.unit_path == world.station_a.path
    assert item.due_date == dt.date(2026, 3, 9)  # five working days after a Monday
    assert AuditEvent.objects.filter(action="rectification.open", object_id=str(item.pk)).exists()
    # A date on a weekend moves to the next working day.
    saturday = open_item(people.supervisor, world.station_a, now=NOW, due_date=dt.date(2026, 3, 7))
    assert saturday.due_date == dt.date(2026, 3, 9)
    with pytest.raises(ApplicationError) as e:
        open_item(people.supervisor, world.station_a, now=NOW, due_date=dt.date(2026, 3, 1))
    assert e.value.field == "due_date"
    with pytest.raises(ApplicationError):
        open_item(people.supervisor, world.station_a, now=NOW, due_in_working_days=100_000)


def test_default_due_date_follows_the_setting(world, people):
    from gridcare.rectification.models import RectificationSetting

    RectificationSetting.objects.filter(key="default_due_working_days").update(value=2)
    item = open_item(people.supervisor, world.station_a, now=NOW)
    assert item.due_date == dt.date(2026, 3, 4)


def test_open_is_idempotent_per_source_reference(world, people):
    from gridcare.rectification.sources import register_source_kind

    register_source_kind("test_source", "测试来源")
    first = open_item(
        people.supervisor, world.station_a, source_kind="test_source", source_ref="F-1", now=NOW
    )
    again = open_item(
        people.supervisor, world.station_a, source_kind="test_source", source_ref="F-1", now=NOW
    )
    assert first.pk == again.pk and RectificationItem.objects.count() == 1
    with pytest.raises(ApplicationError):
        open_item(people.supervisor, world.station_a, source_kind="unknown_kind")


def test_open_checks_permission_scope_and_owner(world, people):
    with pytest.raises(PermissionDeniedError):
        open_item(people.agent, world.station_a)
    with pytest.raises(ApplicationError) as e:
        open_item(people.supervisor, world.station_b)  # another county's station
    assert e.value.field == "unit"
    # The owner must be on the unit's chain.
    with pytest.raises(ApplicationError) as e:
        open_item(people.supervisor, world.station_a, owner=people.other_supervisor)
    assert e.value.field == "owner"
    item = open_item(people.supervisor, world.station_a, owner=people.crew)
    assert item.owner == people.crew
    # The system (a periodic check) opens without an actor.
    assert open_item(None, world.station_b).opened_by is None


def test_fix_verify_by_someone_else(world, people):
    item = open_item(people.supervisor, world.station_a, now=NOW)
    with pytest.raises(ApplicationError) as e:
        services.rectification_fix(actor=people.crew, item=item, evidence="  ")
    assert e.value.field == "evidence"
    item = services.rectification_fix(
        actor=people.crew,
        item=item,
        evidence="已更新服务指南",
        file_content=png_bytes(),
        file_name="after.png",
    )
    assert item.status == S.FIXED and item.fixed_by == people.crew
    ev = RectificationEvidence.objects.get(item=item)
    assert ev.content_type == "image/png" and ev.file and ev.filename == "after.png"
    # The one who fixed it cannot verify it: a supervisor who fixed is refused too.
    fixed_by_sup = services.rectification_fix(
        actor=people.supervisor, item=open_item(people.supervisor, world.station_a), evidence="已处理"
    )
    with pytest.raises(ApplicationError) as e:
        services.rectification_verify(actor=people.supervisor, item=fixed_by_sup)
    assert e.value.code == "same_person"
    assert "verify" not in selectors.allowed_actions(people.supervisor, fixed_by_sup)
    # Crews cannot verify at all.
    with pytest.raises(PermissionDeniedError):
        services.rectification_verify(actor=people.crew, item=item)
    item = services.rectification_verify(actor=people.inspector, item=item, note="现场核实")
    assert item.status == S.VERIFIED and item.verified_by == people.inspector
    with pytest.raises(ApplicationError) as e:
        services.rectification_fix(actor=people.crew, item=item, evidence="再次")
    assert e.value.code == "invalid_transition"


def test_reopen_starts_a_new_cycle_with_a_new_due_date(world, people):
    item = open_item(people.supervisor, world.station_a, now=NOW)
    services.rectification_fix(actor=people.crew, item=item, evidence="已处理", now=NOW)
    with pytest.raises(ApplicationError):
        services.rectification_reopen(actor=people.inspector, item=item, reason="")
    later = NOW + dt.timedelta(days=3)
    item = services.rectification_reopen(
        actor=people.inspector, item=item, reason="照片与现场不符", due_in_working_days=3, now=later
    )
    assert item.status == S.REOPENED and item.cycle == 2 and item.cycle_started_at == later
    assert item.due_date == dt.date(2026, 3, 10) and item.fixed_by is None
    services.rectification_fix(actor=people.crew, item=item, evidence="重新整改", now=later)
    assert RectificationEvidence.objects.filter(item=item).count() == 2
    assert set(RectificationEvidence.objects.filter(item=item).values_list("cycle", flat=True)) == {1, 2}


def test_cancel_needs_a_reason_and_the_right_role(world, people):
    item = open_item(people.supervisor, world.station_a)
    with pytest.raises(PermissionDeniedError):
        services.rectification_cancel(actor=people.inspector, item=item, reason="重复")
    with pytest.raises(ApplicationError):
        services.rectification_cancel(actor=people.supervisor, item=item, reason=" ")
    item = services.rectification_cancel(actor=people.supervisor, item=item, reason="与ZG000001重复")
    assert item.status == S.CANCELLED and item.cancelled_at is not None


def test_stale_version_and_scope(world, people):
    item = open_item(people.supervisor, world.station_a)
    with pytest.raises(ConflictError):
        services.rectification_fix(actor=people.crew, item=item, evidence="x", expected_version=99)
    # Another county's supervisor does not reach the item.
    with pytest.raises(PermissionDeniedError):
        services.rectification_cancel(actor=people.other_supervisor, item=item, reason="x")
    assert selectors.item_get(people.other_supervisor, item.pk) is None
    assert selectors.item_get(people.supervisor, item.pk) == item


@pytest.mark.parametrize(
    "content, ok",
    [
        (PDF_BYTES, "application/pdf"),
        (None, "wordprocessingml"),
        (b"MZ\x90\x00 not a document", None),
        (b"PK\x03\x04 broken zip", None),
        (b"%PDF-" + b"0" * (10 * 1024 * 1024), None),  # over 10 MB
    ],
)
def test_evidence_files_are_checked_by_content_and_size(world, people, content, ok):
    content = docx_bytes() if content is None else content
    item = open_item(people.supervisor, world.station_a)
    if ok is None:
        with pytest.raises(ApplicationError) as e:
            services.rectification_fix(
                actor=people.crew, item=item, evidence="x", file_content=content, file_name="a.pdf"
            )
        assert e.value.field == "evidence_file"
        assert RectificationItem.objects.get(pk=item.pk).status == S.OPEN
        assert not RectificationEvidence.objects.exists()
    else:
        services.rectification_fix(
            actor=people.crew, item=item, evidence="x", file_content=content, file_name="a"
        )
        assert ok in RectificationEvidence.objects.get().content_type


def test_allowed_actions_equal_what_the_services_accept(world, people):
    """For each role and state, an action is offered exactly when its service succeeds."""
    from django.db import transaction

    roles = [people.supervisor, people.inspector, people.crew, people.agent]
    calls = {
        "fix": lambda u, i: services.rectification_fix(actor=u, item=i, evidence="已处理"),
        "verify": lambda u, i: services.rectification_verify(actor=u, item=i),
        "reopen": lambda u, i: services.rectification_reopen(actor=u, item=i, reason="未通过"),
        "cancel": lambda u, i: services.rectification_cancel(actor=u, item=i, reason="重复"),
    }

    def in_state(state):
        item = open_item(people.supervisor, world.station_a)
        if state in (S.FIXED, S.VERIFIED, S.REOPENED):
            item = services.rectification_fix(actor=people.crew, item=item, evidence="x")
        if state == S.VERIFIED:
            item = services.rectification_verify(actor=people.inspector, item=item)
        if state == S.REOPENED:
            item = services.rectification_reopen(actor=people.inspector, item=item, reason="y")
        if state == S.CANCELLED:
            item = services.rectification_cancel(actor=people.supervisor, item=item, reason="z")
        return item

    for state in S.values:
        item = in_state(state)
        for user in roles:
            offered = set(selectors.allowed_actions(user, item))
            for action, call in calls.items():
                try:
                    with transaction.atomic():
                        call(user, RectificationItem.objects.get(pk=item.pk))
                        transaction.set_rollback(True)
                    accepted = True
                except ApplicationError:
                    accepted = False
                assert (action in offered) == accepted, (state, user.staff.role, action)


def test_closing_rates_per_unit(world, people):
    today = timezone.localdate()
    a1 = open_item(people.supervisor, world.station_a)
    open_item(people.supervisor, world.station_a)
    cancelled = open_item(people.supervisor, world.station_a)
    services.rectification_cancel(actor=people.supervisor, item=cancelled, reason="重复")
    services.rectification_fix(actor=people.crew, item=a1, evidence="x")
    services.rectification_verify(actor=people.inspector, item=a1)
    RectificationItem.objects.filter(pk__gt=a1.pk).exclude(pk=cancelled.pk).update(
        due_date=today - dt.timedelta(days=2)
    )
    open_item(None, world.station_b)
    rows = {r["unit_code"]: r for r in selectors.closing_rates(people.supervisor, today=today)}
    assert set(rows) == {world.station_a.code}  # county B's station is out of scope
    r = rows[world.station_a.code]
    assert (r["total"], r["verified"], r["on_time"], r["not_closed"], r["overdue"], r["rate"]) == (
        2,
        1,
        1,
        1,
        1,
        50.0,
    )
