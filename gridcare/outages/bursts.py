"""Bursts of fault reports (集中报修): several open fault-repair orders from one feeder within a
short window suggest a fault outage the dispatcher has not recorded yet. ``fault_bursts``
lists the suggestions (scoped to the user's orders); ``outage_confirm_burst`` turns one into
a started fault outage of the feeder, with the burst's master order as the outage's master
and the other reports merged into it (workorders' merging service)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, Exists, F, Max, Min, Model, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridcare.core.audit import audit_record
from gridcare.core.authz import require
from gridcare.core.errors import ApplicationError
from gridcare.core.messages import local_minute, msg, register
from gridcare.escalation.choices import NotificationKind
from gridcare.escalation.models import Notification
from gridcare.escalation.services.notifications import notification_create_many, unit_staff
from gridcare.grid.models import Feeder, TransformerArea
from gridcare.org.choices import Role
from gridcare.workorders.choices import OPEN_STATUSES, RequestType
from gridcare.workorders.models import WorkOrder

from .choices import ACTIVE_STATUSES, OutageKind
from .models import Outage, OutageArea

WINDOW_MINUTES = 30
MIN_REPORTS = 3
MAX_SUGGESTIONS = 50
# A dispatcher is told of a burst on a feeder at most once in this long.
NOTIFY_EVERY = dt.timedelta(hours=1)

register(
    "outage.fault_burst",
    gettext_lazy(
        "线路 %(feeder)s 自 %(since)s 起收到 %(n)s 起故障报修，可能发生了故障停电，请在停电看板确认"
    ),
    since=local_minute,
)


@dataclass
class BurstSuggestion:
    feeder_id: int
    feeder_code: str
    feeder_name: str
    report_count: int
    area_count: int
    first_at: dt.datetime
    last_at: dt.datetime
    areas: list[tuple[str, str]] = field(default_factory=list)  # (code, name), by code
    master_order_id: int | None = None  # set when the reports were merged under a master
    master_order_no: str = ""
    earliest_order_id: int | None = None
    earliest_order_no: str = ""


def _reports(user, *, since: dt.datetime, now: dt.datetime, include_covered: bool = False):
    """Open fault reports with a feeder in [since, now], visible to ``user`` (all for None).
    Unless ``include_covered``, feeders with an area already out in an active outage are
    left out: that outage explains the reports."""
    qs = WorkOrder.objects.visible_to(user) if user is not None else WorkOrder.objects.all()
    qs = qs.filter(
        request_type=RequestType.FAULT_REPAIR,
        status__in=OPEN_STATUSES,
        feeder__isnull=False,
        created_at__gte=since,
        created_at__lte=now,
    )
    if not include_covered:
        covered = OutageArea.objects.filter(
            area__feeder_id=OuterRef("feeder_id"),
            restored_at__isnull=True,
            outage__status__in=ACTIVE_STATUSES,
        )
        qs = qs.filter(~Exists(covered))
    return qs


def fault_bursts(
    *,
    user=None,
    now: dt.datetime | None = None,
    window_minutes: int = WINDOW_MINUTES,
    min_reports: int = MIN_REPORTS,
    feeder_ids=None,
    include_covered: bool = False,
) -> list[BurstSuggestion]:
    """Feeders with at least ``min_reports`` open fault reports (or distinct transformer
    areas reporting) within the last ``window_minutes``, not already in an active outage,
    busiest first. Two queries: the aggregate per feeder, then the reports of the feeders
    found (their areas and master order)."""
    now = now or timezone.now()
    since = now - dt.timedelta(minutes=window_minutes)
    qs = _reports(user, since=since, now=now, include_covered=include_covered)
    if feeder_ids is not None:
        qs = qs.filter(feeder_id__in=list(feeder_ids))
    groups = list(
        qs.order_by()
        .values("feeder_id", "feeder__code", "feeder__name")
        .annotate(
            n=Count("pk", distinct=True),
            areas=Count("area_id", distinct=True),
            first=Min("created_at"),
            last=Max("created_at"),
        )
        .filter(Q(n__gte=min_reports) | Q(areas__gte=min_reports))
        .order_by("-n", "first", "feeder_id")[:MAX_SUGGESTIONS]
    )
    if not groups:
        return []
    out = {
        g["feeder_id"]: BurstSuggestion(
            feeder_id=g["feeder_id"],
            feeder_code=g["feeder__code"],
            feeder_name=g["feeder__name"],
            report_count=g["n"],
            area_count=g["areas"],
            first_at=g["first"],
            last_at=g["last"],
        )
        for g in groups
    }
    areas: dict[int, dict[str, str]] = defaultdict(dict)
    rows = (
        qs.filter(feeder_id__in=list(out))
        .order_by("created_at", "pk")
        .values_list(
            "feeder_id",
            "pk",
            "order_no",
            "area__code",
            "area__name",
            "master_id",
            "master__order_no",
            "master__status",
            "children_count",
        )
    )
    for feeder_id, pk, order_no, code, name, master_id, master_no, master_status, children in rows:
        s = out[feeder_id]
        if code:
            areas[feeder_id][code] = name
        if s.earliest_order_id is None and not master_id:
            s.earliest_order_id, s.earliest_order_no = pk, order_no
        if s.master_order_id is None:
            # The first report that is, or follows, an open master stands for the burst.
            if master_id and master_status in OPEN_STATUSES:
                s.master_order_id, s.master_order_no = master_id, master_no
            elif not master_id and children:
                s.master_order_id, s.master_order_no = pk, order_no
    for feeder_id, s in out.items():
        s.areas = sorted(areas[feeder_id].items())
    return list(out.values())


def _feeder(actor, feeder) -> Feeder:
    visible = Feeder.objects.filter(areas__in=TransformerArea.objects.visible_to(actor)).distinct()
    if isinstance(feeder, Model):
        found = visible.filter(pk=feeder.pk).first()
    else:
        found = visible.filter(code=str(feeder or "")).first()
    if found is None:
        code = getattr(feeder, "code", None) or str(feeder or "")
        raise ApplicationError(
            _("线路不存在或不在本单位范围内：%(codes)s") % {"codes": code},
            field="feeder",
            code="unknown",
            status=404,
        )
    return found


def outage_confirm_burst(*, actor, feeder, now: dt.datetime | None = None) -> Outage:
    """Confirm a burst of fault reports on ``feeder`` (instance or code) as a fault outage:
    created and started (at the first report) on all the feeder's transformer areas, its
    master order the burst's master (or the earliest report), and the other open fault
    reports of the feeder since the burst began merged into that master. A feeder already in
    an active outage is refused by the outage's overlap check. Audited as
    ``outage.confirm_burst``."""
    from gridcare.workorders.services import work_order_merge

    from .services import outage_create

    require(actor, "outages.manage")
    require(actor, "workorders.merge")
    now = now or timezone.now()
    feeder_obj = _feeder(actor, feeder)
    found = fault_bursts(user=actor, now=now, feeder_ids=[feeder_obj.pk], include_covered=True)
    if not found:
        raise ApplicationError(
            _("线路 %(feeder)s 当前没有集中报修，无需确认") % {"feeder": feeder_obj.code},
            field="feeder",
            code="no_burst",
            status=409,
        )
    burst = found[0]
    with transaction.atomic():
        outage = outage_create(
            actor=actor,
            kind=OutageKind.FAULT,
            feeders=[feeder_obj],
            cause=f"集中报修：线路 {feeder_obj.code} {burst.report_count} 起故障报修",
            started_at=min(burst.first_at, now),
        )
        master_id = burst.master_order_id or burst.earliest_order_id
        if master_id is None:
            raise ApplicationError(
                _("线路 %(feeder)s 的集中报修没有可作主单的工单") % {"feeder": feeder_obj.code},
                field="feeder",
                code="no_master",
                status=409,
            )
        master = WorkOrder.objects.get(pk=master_id)
        others = (
            _reports(actor, since=burst.first_at, now=now, include_covered=True)
            .filter(feeder_id=feeder_obj.pk, master__isnull=True, children_count=0)
            .exclude(pk=master.pk)
            .order_by("created_at", "pk")
        )
        merged, skipped = [], []
        for order in others:
            try:
                work_order_merge(
                    actor=actor, order=order, master=master, note=f"停电事件 {outage.outage_no}", now=now
                )
            except ApplicationError:
                # The order's own state refuses the merge (its savepoint is rolled back):
                # it goes on alone, as it would have without the outage.
                skipped.append(order.order_no)
            else:
                merged.append(order.order_no)
        Outage.objects.filter(pk=outage.pk).update(
            master_order=master, version=F("version") + 1, updated_at=timezone.now()
        )
        outage.refresh_from_db()
        audit_record(
            actor=actor,
            action="outage.confirm_burst",
            obj=outage,
            changes={
                "feeders": [None, [feeder_obj.code]],
                "master_order": [None, master.order_no],
                "merged_orders": [None, merged],
                "reports": [None, burst.report_count],
            },
            note="、".join(skipped),
            unit_path=outage.unit_path,
        )
        return outage


def fault_bursts_notify(*, now: dt.datetime | None = None) -> int:
    """Tell the dispatchers of each burst's unit (the nearest unit up the feeder's stations'
    common path that has dispatchers) that it appeared, once per feeder per hour. Returns
    how many notifications were created."""
    from .services import common_path

    now = now or timezone.now()
    found = fault_bursts(now=now)
    if not found:
        return 0
    told = {
        str(code)
        for code in Notification.objects.filter(
            code="outage.fault_burst", created_at__gte=now - NOTIFY_EVERY, created_at__lte=now
        ).values_list("params__feeder", flat=True)
    }
    found = [s for s in found if s.feeder_code not in told]
    if not found:
        return 0
    paths: dict[int, set[str]] = defaultdict(set)
    for feeder_id, path in TransformerArea.objects.filter(
        feeder_id__in=[s.feeder_id for s in found]
    ).values_list("feeder_id", "station__path"):
        paths[feeder_id].add(path)
    unit_path = {s.feeder_id: common_path(paths[s.feeder_id]) for s in found}
    staff = unit_staff(unit_path.values(), [Role.DISPATCHER])
    orders = WorkOrder.objects.in_bulk([s.master_order_id or s.earliest_order_id for s in found])
    n = 0
    for s in found:
        n += notification_create_many(
            recipients=staff[unit_path[s.feeder_id]][Role.DISPATCHER],
            kind=NotificationKind.WARNING,
            text=msg("outage.fault_burst", feeder=s.feeder_code, since=s.first_at, n=s.report_count),
            order=orders.get(s.master_order_id or s.earliest_order_id),
            now=now,
        )
    return n
