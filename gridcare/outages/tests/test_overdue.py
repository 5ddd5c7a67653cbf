"""Overdue restoration of outages through escalation's time-limit monitor: the deadline
(estimate, planned end, or the fault-repair commitment from the start), warnings to the
unit, the breach escalating one unit up — each level once, never before it is due —
notified and audited; shown on the outage board and page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from gridcare.core.deadlines import deadline_threshold
from gridcare.core.models import AuditEvent
from gridcare.escalation import services as esc
from gridcare.escalation.models import Notification, NotificationDigestItem, OutboundMessage, WarningLevel
from gridcare.escalation.tasks import sla_sweep_job
from gridcare.grid.choices import AreaClass
from gridcare.grid.tests.factories import TransformerAreaFactory
from gridcare.org.choices import Role
from gridcare.org.models import StaffProfile
from gridcare.outages.choices import OutageKind
from gridcare.outages.models import OutageWarning
from gridcare.outages.overdue import (
    COMMITMENT,
    ESTIMATE,
    PLANNED,
    committed_restoration,
    restoration_dues,
    restoration_source,
)
from gridcare.outages.services import outage_create, outage_restore, outage_update_estimate
from gridcare.workorders.models import active_commitment_rules
from gridcare.workorders.tests.factories import at

T0 = at(2026, 3, 2, 9, 0)
M = dt.timedelta(minutes=1)


@pytest.fixture
def people(world):
    class P:
        dispatcher = world.staff(Role.DISPATCHER, world.county_a)
        station_sup = world.staff(Role.SUPERVISOR, world.station_a)
        county_sup = world.staff(Role.SUPERVISOR, world.county_a)
        city_sup = world.staff(Role.SUPERVISOR, world.city)
        agent = world.staff(Role.HOTLINE_AGENT, world.county_a)

    StaffProfile.objects.filter(user=P.county_sup).update(phone="13900000001")
    return P


@pytest.fixture
def area2(world):
    return TransformerAreaFactory(code="TA-A2", station=world.station_a, area_class=AreaClass.URBAN)


def _fault(people, world, *, areas=None, estimate=None, start=T0):
    return outage_create(
        actor=people.dispatcher,
        kind=OutageKind.FAULT,
        areas=areas or [world.area_a],
        cause="10kV线路跳闸",
        started_at=start,
        estimated_restoration=estimate,
    )


def _sweep(minutes: float) -> dict:
    return esc.deadline_sweep(now=T0 + dt.timedelta(minutes=minutes))


def _notes(user, kind):
    return Notification.objects.filter(recipient=user, kind=kind, url__startswith="/outages/")


@pytest.mark.django_db
def test_overdue_outage_warns_then_escalates_once_per_level_and_not_before_due(world, people):
    outage = _fault(people, world, estimate=T0 + 120 * M)  # levels at 60 / 96 / 120 minutes
    assert _sweep(59)["warnings"] == 0
    assert _sweep(61) == {"examined": 1, "warnings": 1, "escalations": 0}
    # The unit's dispatch desk at once, its supervisor in the digest (the warning rules).
    assert _notes(people.dispatcher, "warning").count() == 1
    assert NotificationDigestItem.objects.filter(recipient=people.station_sup, kind="warning").count() == 1
    assert _sweep(61)["warnings"] == 0  # rerun: nothing twice
    assert _sweep(97)["warnings"] == 1
    assert _sweep(119.5) == {"examined": 0, "warnings": 0, "escalations": 0}  # not before due
    assert not AuditEvent.objects.filter(action="escalation.escalate").exists()

    assert _sweep(121) == {"examined": 1, "warnings": 1, "escalations": 1}
    breach = OutageWarning.objects.get(outage=outage, percent=100)
    assert breach.escalated_to == world.county_a and breach.due_at == T0 + 120 * M
    audit = AuditEvent.objects.get(action="escalation.escalate", object_id=str(outage.pk))
    assert audit.object_type == "outages.outage"
    assert audit.changes == {"unit": ["NJ0101", "NJ01"], "reason": "breach", "level": 1}
    assert AuditEvent.objects.filter(action="escalation.warn", object_id=str(outage.pk)).count() == 2
    # The receiving unit's supervisor: in-app at once and by SMS, in words, linking to the outage.
    note = _notes(people.county_sup, "escalation").get()
    assert note.url == reverse("outages:detail", args=[outage.outage_no])
    assert outage.outage_no in note.message and world.county_a.name in note.message
    sms = OutboundMessage.objects.get(recipient="13900000001")
    assert sms.key.startswith("deadline:outage_restoration:") and outage.outage_no in sms.body
    assert not _notes(people.city_sup, "escalation").exists()  # one level only

    # Later sweeps, however many, repeat nothing.
    for minutes in (121, 180, 600):
        assert _sweep(minutes)["warnings"] == 0
    assert OutageWarning.objects.filter(outage=outage).count() == 3
    assert AuditEvent.objects.filter(action="escalation.escalate").count() == 1
    assert OutboundMessage.objects.filter(key__startswith="deadline:").count() == 1


@pytest.mark.django_db
def test_monitor_job_sweeps_outages_too(world, people):
    _fault(people, world, estimate=T0 + 60 * M)  # long past due by now
    stats = sla_sweep_job()
    assert stats["deadlines"]["escalations"] == 1 and stats["deadlines"]["warnings"] == 3
    assert sla_sweep_job()["deadlines"]["warnings"] == 0


@pytest.mark.django_db
def test_without_estimate_the_fault_repair_commitment_from_the_start_applies(world, people):
    # Urban: 45 minutes to arrive, then 3 hours to restore = 225 minutes from the start.
    urban = _fault(people, world)
    rules = active_commitment_rules()
    assert committed_restoration(T0, [AreaClass.URBAN], rules) == T0 + 225 * M
    assert committed_restoration(T0, [AreaClass.RURAL], rules) == T0 + 330 * M  # 90 min + 4 h
    assert committed_restoration(T0, [AreaClass.RURAL, AreaClass.URBAN], rules) == T0 + 225 * M  # strictest
    due = restoration_dues([urban])[urban.pk]
    assert (due.at, due.basis) == (T0 + 225 * M, COMMITMENT)
    assert _sweep(224)["escalations"] == 0
    assert OutageWarning.objects.filter(outage=urban).count() == 2
    assert _sweep(226)["escalations"] == 1


@pytest.mark.django_db
def test_what_is_watched(world, people, area2):
    planned = outage_create(
        actor=people.dispatcher,
        kind=OutageKind.PLANNED,
        areas=[world.area_a],
        planned_start=T0,
        planned_end=T0 + 240 * M,
        started_at=T0,
    )
    arrears = outage_create(actor=people.dispatcher, kind=OutageKind.ARREARS, areas=[area2], started_at=T0)
    dues = restoration_dues([planned, arrears])
    assert (dues[planned.pk].at, dues[planned.pk].basis) == (T0 + 240 * M, PLANNED)
    assert dues[arrears.pk] is None  # nothing promised: not watched
    outage_restore(actor=people.dispatcher, outage=planned, at=T0 + 100 * M)
    assert _sweep(1000)["examined"] == 0  # restored: nothing runs
    assert not OutageWarning.objects.exists()


@pytest.mark.django_db
def test_new_estimate_moves_the_levels_still_to_come(world, people):
    outage = _fault(people, world, estimate=T0 + 120 * M)
    assert _sweep(61)["warnings"] == 1
    outage = outage_update_estimate(
        actor=people.dispatcher, outage=outage, estimated_restoration=T0 + 240 * M
    )
    assert restoration_dues([outage])[outage.pk].basis == ESTIMATE
    assert _sweep(130)["warnings"] == 0  # 80 % of the new estimate is at 192 minutes
    assert _sweep(193)["warnings"] == 1
    assert _sweep(241)["escalations"] == 1
    assert OutageWarning.objects.filter(outage=outage).count() == 3


@pytest.mark.django_db
def test_a_changed_or_repeated_record_writes_nothing(world, people):
    outage = _fault(people, world, estimate=T0 + 120 * M)
    now = T0 + 70 * M
    (deadline,) = restoration_source.running(now=now)
    level = WarningLevel.objects.get(percent=50)
    hits = esc.deadlines.deadline_hits(deadline, [level], now)
    assert [h.threshold_at for h in hits] == [deadline_threshold(T0, T0 + 120 * M, 50)]
    assert restoration_source.record(deadline=deadline, hits=hits, now=now) == hits
    assert restoration_source.record(deadline=deadline, hits=hits, now=now) == []  # once
    (fresh,) = restoration_source.running(now=now)
    outage_update_estimate(actor=people.dispatcher, outage=outage, estimated_restoration=T0 + 300 * M)
    hits = esc.deadlines.deadline_hits(fresh, list(WarningLevel.objects.filter(percent=80)), T0 + 100 * M)
    assert (
        restoration_source.record(deadline=fresh, hits=hits, now=T0 + 100 * M) == []
    )  # changed since listed
    assert OutageWarning.objects.filter(outage=outage).count() == 1


@pytest.mark.django_db
def test_board_and_page_show_overdue_and_escalation(world, people, area2, django_assert_max_num_queries):
    from django.utils import timezone

    now = timezone.now().replace(microsecond=0)
    late = _fault(people, world, start=now - 200 * M, estimate=now - 10 * M)
    on_time = _fault(people, world, areas=[area2], start=now - 30 * M, estimate=now + 300 * M)
    esc.deadline_sweep(now=now)
    client = Client()
    client.force_login(people.agent)  # may look at outages, not change them
    with django_assert_max_num_queries(8):  # 7 now; per-outage reads would add 2 per outage
        board = client.get(reverse("outages:board")).content.decode()
    rows = {no: board.split(no, 2)[2].split("</tr>", 1)[0] for no in (late.outage_no, on_time.outage_no)}
    assert "恢复送电超时" in rows[late.outage_no] and world.county_a.name in rows[late.outage_no]
    assert "恢复送电超时" not in rows[on_time.outage_no]
    page = client.get(reverse("outages:detail", args=[late.outage_no])).content.decode()
    assert "恢复送电超时" in page and 'id="restoration-warnings"' in page
    assert page.count("<td>100%</td>") == 1 and world.county_a.name in page
    page = client.get(reverse("outages:detail", args=[on_time.outage_no])).content.decode()
    assert "恢复送电超时" not in page and 'id="restoration-warnings"' not in page
    body = client.get(f"/api/outages/{late.outage_no}/").json()
    assert body["restoration_overdue"] is True and body["restoration_due_basis"] == "estimate"
    assert [w["percent"] for w in body["warnings"]] == [50, 80, 100]
    assert body["warnings"][-1]["escalated_to"] == world.county_a.code
