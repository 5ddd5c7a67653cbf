"""Writing outages: announce (create), start (freeze the affected customers), restore all or
some transformer areas, cancel. Keyword-only, atomic, permission checked, row locked,
transition validated against ``choices.TRANSITIONS``, audited. The importer reuses the pure
helpers below (``freeze_customers``, ``conflicting_area_ids``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from gridcare.core.audit import audit_record
from gridcare.core.authz import require
from gridcare.core.errors import ApplicationError, ConflictError
from gridcare.customers.models import Customer
from gridcare.grid.models import Feeder, TransformerArea

from . import notices, signals
from .choices import TRANSITIONS, OutageKind, OutageStatus
from .models import Outage, OutageArea, OutageCustomer

FREEZE_BATCH = 5000


# ----------------------------------------------------------------------- pure helpers


def aware(value: dt.datetime | None) -> dt.datetime | None:
    """A naive datetime is read in the site's time zone (Asia/Shanghai)."""
    if value is None or timezone.is_aware(value):
        return value
    return timezone.make_aware(value)


def common_path(paths: Iterable[str]) -> str:
    """The longest common unit path of ``paths`` (``/JS/NJ/NJ01/NJ0101/`` and
    ``/JS/NJ/NJ02/NJ0201/`` give ``/JS/NJ/``)."""
    split = [p.strip("/").split("/") for p in paths if p]
    if not split:
        return ""
    common = split[0]
    for parts in split[1:]:
        n = 0
        while n < min(len(common), len(parts)) and common[n] == parts[n]:
            n += 1
        common = common[:n]
    return "/" + "".join(f"{p}/" for p in common) if common else "/"


def _interval(outage: Outage, oa: OutageArea | None = None) -> tuple[dt.datetime | None, dt.datetime | None]:
    """When an outage holds an area: (start, end), None meaning open-ended. Before it
    starts, the planned window; once started, until the area (or the outage) is restored."""
    start = (oa.started_at if oa else None) or outage.started_at or outage.planned_start
    if oa and oa.restored_at:
        end = oa.restored_at
    elif outage.restored_at:
        end = outage.restored_at
    elif outage.started_at or (oa and oa.started_at):
        end = None
    else:
        end = outage.planned_end
    return start, end


def overlaps(a: tuple, b: tuple) -> bool:
    (s1, e1), (s2, e2) = a, b
    return (e2 is None or s1 is None or s1 < e2) and (e1 is None or s2 is None or s2 < e1)


def conflicting_area_ids(
    area_ids: Iterable[int], interval: tuple, *, exclude_outage_ids: Iterable[int] = ()
) -> dict[int, str]:
    """Areas (id -> the other outage's number) already out in another outage during
    ``interval``: an area is interrupted once at a time, so a second outage is refused."""
    rows = (
        OutageArea.objects.filter(area_id__in=list(area_ids))
        .exclude(outage__status=OutageStatus.CANCELLED)
        .exclude(outage_id__in=list(exclude_outage_ids))
        .select_related("outage")
    )
    return {oa.area_id: oa.outage.outage_no for oa in rows if overlaps(interval, _interval(oa.outage, oa))}


def freeze_customers(*, outage: Outage, area_ids: Iterable[int], at: dt.datetime, restored_at=None) -> int:
    """Insert one OutageCustomer per customer hanging on ``area_ids`` now (one insert per
    batch). Customers already recorded for the outage are left alone."""
    existing = set(
        OutageCustomer.objects.filter(outage=outage, area_id__in=list(area_ids)).values_list(
            "customer_id", flat=True
        )
    )
    batch: list[OutageCustomer] = []
    n = 0
    rows = Customer.objects.filter(area_id__in=list(area_ids)).order_by("pk").values_list("pk", "area_id")
    for cid, aid in rows.iterator(chunk_size=FREEZE_BATCH):
        if cid in existing:
            continue
        batch.append(
            OutageCustomer(
                outage=outage, customer_id=cid, area_id=aid, started_at=at, restored_at=restored_at
            )
        )
        if len(batch) >= FREEZE_BATCH:
            OutageCustomer.objects.bulk_create(batch)
            n += len(batch)
            batch = []
    if batch:
        OutageCustomer.objects.bulk_create(batch)
        n += len(batch)
    return n


def _resolve(model: type[Model], items, *, field: str, visible) -> list:
    """Instances or codes -> instances visible to the actor; anything else is unknown."""
    items = list(items or [])
    codes = [i for i in items if isinstance(i, str)]
    pks = [i.pk for i in items if isinstance(i, Model)]
    found = list(visible.filter(code__in=codes)) + list(visible.filter(pk__in=pks))
    known_codes = {o.code for o in found}
    known_pks = {o.pk for o in found}
    missing = [c for c in codes if c not in known_codes] + [
        getattr(i, "code", str(i)) for i in items if isinstance(i, Model) and i.pk not in known_pks
    ]
    missing += [str(i) for i in items if not isinstance(i, (str, Model))]
    if missing:
        message = (
            _("线路不存在或不在本单位范围内：%(codes)s")
            if field == "feeders"
            else _("台区不存在或不在本单位范围内：%(codes)s")
        )
        raise ApplicationError(message % {"codes": "、".join(missing)}, field=field, code="unknown")
    return list({o.pk: o for o in found}.values())


def _check_transition(outage: Outage, target: str) -> None:
    if target not in TRANSITIONS[outage.status]:
        raise ApplicationError(
            _("停电事件处于“%(status)s”状态，不能变为“%(target)s”")
            % {"status": outage.get_status_display(), "target": OutageStatus(target).label},
            field="status",
            code="invalid_transition",
            status=409,
        )


def _lock(outage: Outage, expected_version: int | None) -> Outage:
    locked = Outage.objects.select_for_update().get(pk=outage.pk)
    if expected_version is not None and locked.version != expected_version:
        raise ConflictError(_("停电事件已被他人修改，请刷新后重试"))
    return locked


def _refuse_conflicts(conflicts: dict[int, str], areas: dict[int, TransformerArea]) -> None:
    if conflicts:
        raise ApplicationError(
            _("台区已在其他停电事件中：%(areas)s")
            % {"areas": "、".join(f"{areas[a].code}（{no}）" for a, no in sorted(conflicts.items()))},
            field="areas",
            code="overlap",
            status=409,
        )


def _next_outage_no(at: dt.datetime) -> str:
    prefix = f"TD{timezone.localtime(at):%Y%m%d}"
    n = Outage.objects.filter(outage_no__startswith=prefix).count() + 1
    while Outage.objects.filter(outage_no=f"{prefix}{n:04d}").exists():
        n += 1
    return f"{prefix}{n:04d}"


# ------------------------------------------------------------------------- services


def outage_create(
    *,
    actor,
    kind: str,
    feeders: Iterable = (),
    areas: Iterable = (),
    cause: str = "",
    planned_start: dt.datetime | None = None,
    planned_end: dt.datetime | None = None,
    started_at: dt.datetime | None = None,
    estimated_restoration: dt.datetime | None = None,
    outage_no: str = "",
) -> Outage:
    """Announce an outage of ``feeders`` (each covers all its transformer areas) and
    ``areas`` (instances or codes). The areas are frozen here; given ``started_at`` the
    power is already off and the affected customers are frozen too."""
    require(actor, "outages.manage")
    if kind not in OutageKind.values:
        raise ApplicationError(_("停电类型无效"), field="kind", code="invalid")
    planned_start, planned_end = aware(planned_start), aware(planned_end)
    started_at, estimated_restoration = aware(started_at), aware(estimated_restoration)
    if planned_start and planned_end and planned_end <= planned_start:
        raise ApplicationError(_("计划送电时间须晚于计划停电时间"), field="planned_end", code="invalid")
    if started_at and estimated_restoration and estimated_restoration < started_at:
        raise ApplicationError(
            _("预计恢复时间不能早于停电时间"), field="estimated_restoration", code="invalid"
        )
    outage_no = (outage_no or "").strip()
    if len(outage_no) > Outage._meta.get_field("outage_no").max_length:
        raise ApplicationError(_("停电编号过长"), field="outage_no", code="too_long")
    visible_areas = TransformerArea.objects.visible_to(actor)
    feeder_objs = _resolve(
        Feeder, feeders, field="feeders", visible=Feeder.objects.filter(areas__in=visible_areas).distinct()
    )
    area_objs = _resolve(TransformerArea, areas, field="areas", visible=visible_areas)
    if not feeder_objs and not area_objs:
        raise ApplicationError(_("请至少指定一条线路或一个台区"), field="areas", code="required")
    with transaction.atomic():
        # Locking the areas serialises two outages racing for one area.
        chosen = {
            a.pk: a
            for a in TransformerArea.objects.select_for_update()
            .filter(pk__in=[a.pk for a in area_objs])
            .select_related("station")
        }
        if feeder_objs:
            for a in (
                TransformerArea.objects.select_for_update()
                .filter(feeder__in=feeder_objs)
                .select_related("station")
            ):
                chosen[a.pk] = a
        if not chosen:
            raise ApplicationError(_("所选线路下没有台区"), field="feeders", code="empty")
        interval = (started_at or planned_start, None if started_at else planned_end)
        _refuse_conflicts(conflicting_area_ids(chosen, interval), chosen)
        if outage_no and Outage.objects.filter(outage_no=outage_no).exists():
            raise ApplicationError(_("停电编号已存在"), field="outage_no", code="duplicate")
        outage = Outage.objects.create(
            outage_no=outage_no or _next_outage_no(started_at or planned_start or timezone.now()),
            kind=kind,
            cause=(cause or "").strip(),
            planned_start=planned_start,
            planned_end=planned_end,
            estimated_restoration=estimated_restoration,
            unit_path=common_path(a.station.path for a in chosen.values()),
        )
        OutageArea.objects.bulk_create([OutageArea(outage=outage, area_id=pk) for pk in sorted(chosen)])
        audit_record(
            actor=actor,
            action="outage.create",
            obj=outage,
            changes={
                "kind": [None, kind],
                "areas": [None, sorted(a.code for a in chosen.values())],
                "feeders": [None, sorted(f.code for f in feeder_objs)],
            },
            unit_path=outage.unit_path,
        )
        signals.announce(outage, "announced")
        if started_at:
            outage = _start(actor=actor, outage=outage, at=started_at)
        # Customers told in the same transaction: a rollback takes the notices with it.
        notices.notify_announced(actor=actor, outage=outage)
        return outage


def _start(*, actor, outage: Outage, at: dt.datetime) -> Outage:
    _check_transition(outage, OutageStatus.IN_PROGRESS)
    area_ids = list(OutageArea.objects.filter(outage=outage).values_list("area_id", flat=True))
    areas = {a.pk: a for a in TransformerArea.objects.filter(pk__in=area_ids)}
    _refuse_conflicts(conflicting_area_ids(area_ids, (at, None), exclude_outage_ids=[outage.pk]), areas)
    OutageArea.objects.filter(outage=outage).update(started_at=at)
    n = freeze_customers(outage=outage, area_ids=area_ids, at=at)
    outage.status = OutageStatus.IN_PROGRESS
    outage.started_at = at
    outage.version += 1
    outage.save(update_fields=["status", "started_at", "version", "updated_at"])
    audit_record(
        actor=actor,
        action="outage.start",
        obj=outage,
        changes={"status": [OutageStatus.ANNOUNCED, OutageStatus.IN_PROGRESS], "customers": [0, n]},
        unit_path=outage.unit_path,
    )
    notices.notify_fault_started(outage=outage)
    signals.announce(outage, "started")
    return outage


def outage_start(
    *, actor, outage: Outage, at: dt.datetime | None = None, expected_version: int | None = None
) -> Outage:
    """The power goes off: every customer of the outage's areas now is frozen as affected."""
    require(actor, "outages.manage", outage)
    with transaction.atomic():
        locked = _lock(outage, expected_version)
        return _start(actor=actor, outage=locked, at=aware(at) or timezone.now())


def outage_restore(
    *,
    actor,
    outage: Outage,
    areas: Iterable | None = None,
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Outage:
    """Restore ``areas`` (instances or codes; all still out when None). Their customers get
    ``restored_at``; the outage is restored when every area is."""
    require(actor, "outages.manage", outage)
    at = aware(at) or timezone.now()
    with transaction.atomic():
        locked = _lock(outage, expected_version)
        if locked.status != OutageStatus.IN_PROGRESS:
            _check_transition(locked, OutageStatus.RESTORED)
        rows = {oa.area_id: oa for oa in OutageArea.objects.filter(outage=locked).select_related("area")}
        if areas is None:
            target = [oa for oa in rows.values() if oa.restored_at is None]
        else:
            by_code = {oa.area.code: oa for oa in rows.values()}
            target, unknown = [], []
            for a in areas:
                oa = by_code.get(a) if isinstance(a, str) else rows.get(getattr(a, "pk", None))
                if oa is None:
                    unknown.append(a if isinstance(a, str) else getattr(a, "code", str(a)))
                else:
                    target.append(oa)
            if unknown:
                raise ApplicationError(
                    _("台区不属于本次停电：%(codes)s") % {"codes": "、".join(unknown)},
                    field="areas",
                    code="unknown",
                )
            done = [oa.area.code for oa in target if oa.restored_at is not None]
            if done:
                raise ApplicationError(
                    _("台区已恢复送电：%(codes)s") % {"codes": "、".join(done)},
                    field="areas",
                    code="restored",
                )
        if not target:
            raise ApplicationError(_("没有需要恢复送电的台区"), field="areas", code="required")
        earliest = min(oa.started_at or locked.started_at for oa in target)
        if at < earliest:
            raise ApplicationError(
                _("恢复送电时间不能早于停电时间（%(start)s）")
                % {"start": f"{timezone.localtime(earliest):%Y-%m-%d %H:%M}"},
                field="at",
                code="before_start",
            )
        ids = [oa.area_id for oa in target]
        OutageArea.objects.filter(outage=locked, area_id__in=ids).update(restored_at=at)
        OutageCustomer.objects.filter(outage=locked, area_id__in=ids, restored_at__isnull=True).update(
            restored_at=at
        )
        remaining = OutageArea.objects.filter(outage=locked, restored_at__isnull=True).exists()
        changes = {"restored_areas": [None, sorted(oa.area.code for oa in target)]}
        if not remaining:
            changes["status"] = [locked.status, OutageStatus.RESTORED]
            locked.status = OutageStatus.RESTORED
            locked.restored_at = at
        locked.version += 1
        locked.save(update_fields=["status", "restored_at", "version", "updated_at"])
        audit_record(
            actor=actor, action="outage.restore", obj=locked, changes=changes, unit_path=locked.unit_path
        )
        notices.notify_restored(outage=locked, area_ids=ids)
        signals.announce(locked, "restored", restored_areas=sorted(oa.area.code for oa in target))
        return locked


def outage_update_estimate(
    *,
    actor,
    outage: Outage,
    estimated_restoration: dt.datetime,
    expected_version: int | None = None,
) -> Outage:
    """A new estimated restoration time for an outage in progress; a fault's customers still
    out are told it (once per estimate)."""
    require(actor, "outages.manage", outage)
    estimated_restoration = aware(estimated_restoration)
    if estimated_restoration is None:
        raise ApplicationError(_("请填写预计恢复时间"), field="estimated_restoration", code="required")
    with transaction.atomic():
        locked = _lock(outage, expected_version)
        if locked.status != OutageStatus.IN_PROGRESS:
            raise ApplicationError(
                _("停电事件处于“%(status)s”状态，不能更新预计恢复时间")
                % {"status": locked.get_status_display()},
                field="status",
                code="invalid_transition",
                status=409,
            )
        if locked.started_at and estimated_restoration < locked.started_at:
            raise ApplicationError(
                _("预计恢复时间不能早于停电时间"), field="estimated_restoration", code="invalid"
            )
        if locked.estimated_restoration == estimated_restoration:
            return locked
        old = locked.estimated_restoration
        locked.estimated_restoration = estimated_restoration
        locked.version += 1
        locked.save(update_fields=["estimated_restoration", "version", "updated_at"])
        audit_record(
            actor=actor,
            action="outage.estimate",
            obj=locked,
            changes={
                "estimated_restoration": [
                    old.isoformat() if old else None,
                    estimated_restoration.isoformat(),
                ]
            },
            unit_path=locked.unit_path,
        )
        notices.notify_estimate_changed(outage=locked)
        signals.announce(locked, "estimate_updated")
        return locked


def outage_isolate(
    *,
    actor,
    outage: Outage,
    at: dt.datetime | None = None,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Outage:
    """The fault is isolated (故障隔离): when, as the crew reports it (now when not given).
    Only once the power is off — in progress, or restored and recorded afterwards — never in
    the future, before the start or after the restoration. Recording it again corrects it
    (audited with the old time)."""
    require(actor, "outages.manage", outage)
    now = now or timezone.now()
    at = aware(at) or now
    with transaction.atomic():
        locked = _lock(outage, expected_version)
        if (
            locked.status not in (OutageStatus.IN_PROGRESS, OutageStatus.RESTORED)
            or locked.started_at is None
        ):
            raise ApplicationError(
                _("停电事件处于“%(status)s”状态，不能记录故障隔离时间")
                % {"status": locked.get_status_display()},
                field="status",
                code="invalid_transition",
                status=409,
            )
        if at > now + dt.timedelta(minutes=1):
            raise ApplicationError(_("故障隔离时间不能晚于现在"), field="at", code="in_future")
        if at < locked.started_at:
            raise ApplicationError(
                _("故障隔离时间不能早于停电时间（%(start)s）")
                % {"start": f"{timezone.localtime(locked.started_at):%Y-%m-%d %H:%M}"},
                field="at",
                code="before_start",
            )
        if locked.restored_at is not None and at > locked.restored_at:
            raise ApplicationError(
                _("故障隔离时间不能晚于恢复送电时间（%(end)s）")
                % {"end": f"{timezone.localtime(locked.restored_at):%Y-%m-%d %H:%M}"},
                field="at",
                code="after_restoration",
            )
        if locked.isolated_at == at:
            return locked
        old = locked.isolated_at
        locked.isolated_at = at
        locked.version += 1
        locked.save(update_fields=["isolated_at", "version", "updated_at"])
        audit_record(
            actor=actor,
            action="outage.isolate",
            obj=locked,
            changes={"isolated_at": [old.isoformat() if old else None, at.isoformat()]},
            unit_path=locked.unit_path,
        )
        return locked


def outage_attach_report(*, actor, outage_no: str, order) -> Outage | None:
    """A fault report taken at intake for a known outage (``intake.py``): it becomes a child
    of the outage's master order through workorders' merging service, or, when the outage
    has no open master yet, the master itself. Nothing when the outage is no longer in
    progress (the report then stands alone)."""
    from gridcare.workorders.choices import OPEN_STATUSES
    from gridcare.workorders.models import WorkOrder
    from gridcare.workorders.services import work_order_merge

    with transaction.atomic():
        locked = (
            Outage.objects.select_for_update()
            .filter(outage_no=outage_no, status=OutageStatus.IN_PROGRESS)
            .first()
        )
        if locked is None:
            return None
        master = (
            WorkOrder.objects.filter(pk=locked.master_order_id).only("pk", "status", "master_id").first()
            if locked.master_order_id
            else None
        )
        if (
            master is not None
            and master.pk != order.pk
            and master.status in OPEN_STATUSES
            and not master.master_id
        ):
            work_order_merge(
                actor=actor, order=order, master=master, at_intake=True, note=f"停电事件 {locked.outage_no}"
            )
            return locked
        old = locked.master_order_id
        locked.master_order_id = order.pk
        locked.version += 1
        locked.save(update_fields=["master_order", "version", "updated_at"])
        audit_record(
            actor=actor,
            action="outage.master",
            obj=locked,
            changes={"master_order": [old, order.order_no]},
            unit_path=locked.unit_path,
        )
        return locked


def outage_cancel(*, actor, outage: Outage, reason: str = "", expected_version: int | None = None) -> Outage:
    """An announced outage that will not happen; its areas are free again."""
    require(actor, "outages.manage", outage)
    with transaction.atomic():
        locked = _lock(outage, expected_version)
        _check_transition(locked, OutageStatus.CANCELLED)
        old = locked.status
        locked.status = OutageStatus.CANCELLED
        locked.version += 1
        locked.save(update_fields=["status", "version", "updated_at"])
        audit_record(
            actor=actor,
            action="outage.cancel",
            obj=locked,
            changes={"status": [old, OutageStatus.CANCELLED]},
            note=(reason or "").strip(),
            unit_path=locked.unit_path,
        )
        signals.announce(locked, "cancelled")
        return locked
