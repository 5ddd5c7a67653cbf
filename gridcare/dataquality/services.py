"""Writes of data quality — the only writers of its tables: a run of the checks (nightly,
"run now", the demo) and the handling of each finding (assign, bulk assign, resolve,
dismiss). Every change checks its permission, locks its rows and is audited.

A run is idempotent: the checks are read first, then one transaction (runs serialised by
locking the check settings) raises what is new, refreshes what is still there and closes
what is gone. Running twice in a row raises and closes nothing the second time.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gridcare.core.audit import audit_record
from gridcare.core.authz import has_perm, require
from gridcare.core.errors import ApplicationError, ConflictError
from gridcare.core.limits import TEXT_MAX, check_length
from gridcare.core.scoping import is_visible, visible_station_ids

from .checks import CHECKS, Detected
from .choices import ACTIVE_STATUSES, TRANSITIONS, CheckCode, FindingStatus, RunTrigger
from .models import CheckRun, CheckRunStat, DataQualityCheck, Finding

BATCH = 2000
BULK_ASSIGN_MAX = 500


def enabled_checks() -> list[str]:
    off = set(DataQualityCheck.objects.filter(enabled=False).values_list("code", flat=True))
    return [c for c in CheckCode.values if c not in off]


def data_quality_run(
    *, actor=None, trigger: str = RunTrigger.NIGHTLY, now: dt.datetime | None = None
) -> CheckRun:
    """Run every enabled check: new problems become open findings, problems still there are
    refreshed (last seen, details), active findings no longer found are resolved by the run
    (``auto_closed``). A problem someone dismissed is not raised again. ``actor`` (the "run
    now" button) needs ``dataquality.run``; the nightly job runs without one."""
    if actor is not None:
        require(actor, "dataquality.run")
    now = now or timezone.now()
    found = {code: CHECKS[code]() for code in enabled_checks()}
    with transaction.atomic():
        list(DataQualityCheck.objects.select_for_update().order_by("pk"))  # one run at a time
        run = CheckRun.objects.create(started_at=now, trigger=trigger, started_by=actor)
        counts = {code: _apply(code, problems, run, now) for code, problems in found.items()}
        per_station = Counter()
        for code, problems in found.items():
            for d in problems.values():
                per_station[(code, d.station_id)] += 1
        CheckRunStat.objects.bulk_create(
            [
                CheckRunStat(run=run, code=c, station_id=s, found=n)
                for (c, s), n in sorted(per_station.items())
            ],
            batch_size=BATCH,
        )
        run.counts = counts
        run.finished_at = timezone.now()
        run.save(update_fields=["counts", "finished_at"])
        audit_record(
            actor=actor,
            action="dataquality.run",
            obj=run,
            changes={
                "found": sum(c["found"] for c in counts.values()),
                "new": sum(c["new"] for c in counts.values()),
                "closed": sum(c["closed"] for c in counts.values()),
            },
            note=str(trigger),
        )
    return run


def _apply(code: str, problems: dict[str, Detected], run: CheckRun, now) -> dict:
    active = {
        key: (pk, details, station_id)
        for pk, key, details, station_id in Finding.objects.filter(code=code, status__in=ACTIVE_STATUSES)
        .order_by()
        .values_list("pk", "key", "details", "station_id")
    }
    dismissed = set(
        Finding.objects.filter(code=code, status=FindingStatus.DISMISSED)
        .order_by()
        .values_list("key", flat=True)
    )
    new, still, changed = [], [], []
    for key, d in problems.items():
        current = active.get(key)
        if current is None:
            if key not in dismissed:
                new.append(
                    Finding(
                        code=code,
                        key=key,
                        customer_id=d.customer_id,
                        area_id=d.area_id,
                        station_id=d.station_id,
                        details=d.details,
                        first_seen_at=now,
                        last_seen_at=now,
                        first_run=run,
                        last_run=run,
                    )
                )
            continue
        pk, details, station_id = current
        still.append(pk)
        if details != d.details or station_id != d.station_id:
            changed.append(Finding(pk=pk, details=d.details, station_id=d.station_id, updated_at=now))
    Finding.objects.bulk_create(new, batch_size=BATCH)
    for i in range(0, len(still), BATCH):
        Finding.objects.filter(pk__in=still[i : i + BATCH]).update(last_seen_at=now, last_run=run)
    if changed:
        Finding.objects.bulk_update(changed, ["details", "station_id", "updated_at"], batch_size=BATCH)
    gone = [pk for key, (pk, _d, _s) in active.items() if key not in problems]
    for i in range(0, len(gone), BATCH):
        Finding.objects.filter(pk__in=gone[i : i + BATCH], status__in=ACTIVE_STATUSES).update(
            status=FindingStatus.RESOLVED,
            auto_closed=True,
            closed_at=now,
            closed_by=None,
            last_run=run,
            version=F("version") + 1,
            updated_at=now,
        )
    return {"found": len(problems), "new": len(new), "closed": len(gone)}


# ---------------------------------------------------------------------------- findings


def _locked(finding: Finding, expected_version: int | None) -> Finding:
    f = Finding.objects.select_for_update().get(pk=finding.pk)
    if expected_version is not None and expected_version != f.version:
        raise ConflictError(_("已被他人处理，请刷新后再试"), field="expected_version")
    return f


def _check_transition(f: Finding, to: str) -> None:
    if to not in TRANSITIONS[f.status]:
        raise ConflictError(
            _("问题当前状态为“%(status)s”，不能执行此操作") % {"status": f.get_status_display()},
            code="invalid_transition",
        )


def _check_assignee(assignee, finding: Finding | None = None) -> None:
    if assignee is None or not getattr(assignee, "is_active", False):
        raise ApplicationError(_("请选择在岗的处理人"), field="assignee", code="required")
    if not has_perm(assignee, "dataquality.work"):
        raise ApplicationError(
            _("%(name)s 无权处理数据质量问题") % {"name": assignee.get_username()}, field="assignee"
        )
    if finding is not None and not is_visible(assignee, finding):
        raise ApplicationError(
            _("%(name)s 看不到这个问题所在的供电所") % {"name": assignee.get_username()}, field="assignee"
        )


def _audit(actor, f: Finding, action: str, changes: dict, note: str = "") -> None:
    audit_record(
        actor=actor,
        action=action,
        obj=f,
        object_repr=f"{f.get_code_display()} {f.key}"[:200],
        changes=changes,
        note=note,
        unit_path=f.station.path if f.station_id else "",
    )


def finding_assign(*, actor, finding: Finding, assignee, expected_version: int | None = None) -> Finding:
    """Hand a finding to someone who may work on it and sees its station."""
    require(actor, "dataquality.assign", finding)
    _check_assignee(assignee, finding)
    with transaction.atomic():
        f = _locked(finding, expected_version)
        _check_transition(f, FindingStatus.ASSIGNED)
        before = (f.status, f.assignee_id)
        f.status, f.assignee, f.version = FindingStatus.ASSIGNED, assignee, f.version + 1
        f.save(update_fields=["status", "assignee", "version", "updated_at"])
        _audit(
            actor,
            f,
            "finding.assign",
            {"status": [before[0], f.status], "assignee": [before[1], assignee.pk]},
        )
    return f


def findings_assign_bulk(*, actor, ids: list[int], assignee) -> dict:
    """Assign the active findings among ``ids`` that the actor sees and the assignee sees
    (at most ``BULK_ASSIGN_MAX`` at once); the others are counted as skipped."""
    require(actor, "dataquality.assign")
    _check_assignee(assignee)
    ids = sorted(set(ids))
    if len(ids) > BULK_ASSIGN_MAX:
        raise ApplicationError(
            _("一次最多分派 %(n)s 条") % {"n": BULK_ASSIGN_MAX}, field="ids", code="too_many"
        )
    with transaction.atomic():
        qs = Finding.objects.visible_to(actor).filter(pk__in=ids, status__in=ACTIVE_STATUSES)
        reach = visible_station_ids(assignee)
        if reach is not None:
            qs = qs.filter(station_id__in=reach)
        rows = list(qs.select_for_update(of=("self",)).select_related("station").order_by("pk"))
        for f in rows:
            before = (f.status, f.assignee_id)
            _audit(
                actor,
                f,
                "finding.assign",
                {"status": [before[0], FindingStatus.ASSIGNED], "assignee": [before[1], assignee.pk]},
            )
        Finding.objects.filter(pk__in=[f.pk for f in rows]).update(
            status=FindingStatus.ASSIGNED,
            assignee=assignee,
            version=F("version") + 1,
            updated_at=timezone.now(),
        )
    return {"assigned": len(rows), "skipped": len(ids) - len(rows)}


def _close(*, actor, finding: Finding, to: str, action: str, note: str, expected_version) -> Finding:
    require(actor, "dataquality.work", finding)
    note = (note or "").strip()
    check_length(note, field="note", max_length=TEXT_MAX)
    if to == FindingStatus.DISMISSED and not note:
        raise ApplicationError(_("忽略时请说明原因"), field="note", code="required")
    with transaction.atomic():
        f = _locked(finding, expected_version)
        _check_transition(f, to)
        before = f.status
        f.status, f.note, f.closed_at, f.closed_by = to, note, timezone.now(), actor
        f.version += 1
        f.save(update_fields=["status", "note", "closed_at", "closed_by", "version", "updated_at"])
        _audit(actor, f, action, {"status": [before, to]}, note)
    return f


def finding_resolve(
    *, actor, finding: Finding, note: str = "", expected_version: int | None = None
) -> Finding:
    """The problem was fixed in the master data. If the next run still finds it, a new
    finding is raised."""
    return _close(
        actor=actor,
        finding=finding,
        to=FindingStatus.RESOLVED,
        action="finding.resolve",
        note=note,
        expected_version=expected_version,
    )


def finding_dismiss(*, actor, finding: Finding, note: str, expected_version: int | None = None) -> Finding:
    """Not a problem (say why): the checks will not raise it again."""
    return _close(
        actor=actor,
        finding=finding,
        to=FindingStatus.DISMISSED,
        action="finding.dismiss",
        note=note,
        expected_version=expected_version,
    )


RECTIFICATION_SOURCE = "data_quality"


def finding_rectify(*, actor, finding: Finding, due_in_working_days: int | None = None):
    """Put a finding that shows a systemic problem (a station's archive kept badly) on
    the rectification list: an item owed by the finding's station, linked back to it. A
    finding has one item; asking again returns it."""
    from gridcare.rectification.services import rectification_open

    require(actor, "dataquality.rectify", finding)
    f = Finding.objects.filter(pk=finding.pk).select_related("station").first()
    text = (f.details or {}).get("text") or f.get_code_display()
    with transaction.atomic():
        item = rectification_open(
            actor=actor,
            source_kind=RECTIFICATION_SOURCE,
            source_ref=str(f.pk),
            title=f"{f.get_code_display()}：{f.station.name}"[:200],
            detail=str(text)[:2000],
            unit=f.station,
            due_in_working_days=due_in_working_days,
        )
        _audit(actor, f, "finding.rectify", {"rectification": item.number})
    return item
