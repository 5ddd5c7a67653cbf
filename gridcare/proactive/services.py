"""Writes of proactive care — the only writers of its tables: meter facts (for the import
and the demo), campaigns (create = freeze the list, launch, record a field task, close,
cancel) and potential-demand records. Every change checks its permission, locks its row
and is audited."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridcare.core.audit import audit_record, diff, snapshot
from gridcare.core.authz import require
from gridcare.core.errors import ApplicationError, ConflictError
from gridcare.core.limits import NAME_MAX, TEXT_MAX, check_length
from gridcare.core.scoping import is_visible
from gridcare.escalation.choices import OutboundChannel
from gridcare.escalation.services.notifications import outbound_enqueue_many

from .choices import (
    CAMPAIGN_TRANSITIONS,
    TASK_OUTCOMES,
    CampaignKind,
    CampaignStatus,
    CareList,
    DemandSource,
    DemandStatus,
    TargetStatus,
)
from .models import MAX_DEMAND_KW, Campaign, CampaignTarget, MeterFact, PotentialDemand
from .rules import care_rules, list_q, sms_phone

MAX_CAMPAIGN_CUSTOMERS = 20_000
MESSAGE_MAX = Campaign._meta.get_field("message").max_length
SIGNATURE = "【供电公司】"
DEFAULT_MESSAGES = {
    CareList.ROTATION: "{sig}尊敬的客户：您户号{no}的电能表已到轮换周期，近期将安排工作人员免费为您更换，届时请予配合。",
    CareList.OLD_BOX: "{sig}尊敬的客户：您户号{no}的计量箱经巡查存在老化或破损，近期将安排工作人员上门更换，请予配合。",
    CareList.ANY: "{sig}尊敬的客户：您户号{no}的电能表或计量箱需要更换，近期将安排工作人员上门处理，请予配合。",
}


# ------------------------------------------------------------------------- meter facts


def meter_facts_write(*, new_rows: list[tuple], updates: list[tuple[int, tuple]]) -> None:
    """Insert new meters ``(customer_id, meter_no, installed_on, box_condition)`` and apply
    ``(pk, row)`` updates, in bulk (the import and the demo; they validated every row)."""
    now = timezone.now()
    MeterFact.objects.bulk_create(
        [
            MeterFact(
                customer_id=cid,
                meter_no=no,
                installed_on=day,
                box_condition=box,
                created_at=now,
                updated_at=now,
            )
            for cid, no, day, box in new_rows
        ],
        batch_size=2000,
    )
    if updates:
        MeterFact.objects.bulk_update(
            [
                MeterFact(
                    pk=pk, customer_id=cid, meter_no=no, installed_on=day, box_condition=box, updated_at=now
                )
                for pk, (cid, no, day, box) in updates
            ],
            ["customer_id", "installed_on", "box_condition", "updated_at"],
            batch_size=1000,
        )


# ---------------------------------------------------------------------------- campaigns


def _check_version(obj, expected_version) -> None:
    if expected_version is not None and expected_version != obj.version:
        raise ConflictError(_("已被他人修改，请刷新后再试"), field="expected_version")


def _check_transition(campaign: Campaign, to: str) -> None:
    if to not in CAMPAIGN_TRANSITIONS[campaign.status]:
        raise ConflictError(
            _("活动当前状态为“%(status)s”，不能执行此操作") % {"status": campaign.get_status_display()},
            code="invalid_transition",
        )


def _frozen_list(actor, care_list: str, station, area, rules, today) -> list[CampaignTarget]:
    """The customers on the list now, each with the oldest of their listed meters."""
    qs = MeterFact.objects.visible_to(actor).filter(list_q(care_list, rules, today))
    if station is not None:
        qs = qs.filter(customer__station_id=station.pk)
    if area is not None:
        qs = qs.filter(customer__area_id=area.pk)
    customers = qs.order_by().values("customer_id").distinct().count()
    if customers > MAX_CAMPAIGN_CUSTOMERS:
        raise ApplicationError(
            _("清单有 %(n)s 户，超过单次活动上限 %(max)s 户：请按供电所或台区缩小范围")
            % {"n": customers, "max": MAX_CAMPAIGN_CUSTOMERS},
            field="station",
            code="too_many",
        )
    out: dict[int, CampaignTarget] = {}
    for cid, sid, no, day, box in qs.order_by("customer_id", "installed_on", "id").values_list(
        "customer_id", "customer__station_id", "meter_no", "installed_on", "box_condition"
    ):
        t = out.get(cid)
        if t is None:
            out[cid] = CampaignTarget(
                customer_id=cid, station_id=sid, meter_no=no, installed_on=day, box_condition=box
            )
        else:
            t.meters += 1
    return list(out.values())


def campaign_create(
    *,
    actor,
    name: str,
    kind: str,
    care_list: str,
    station=None,
    area=None,
    message: str = "",
    today: dt.date | None = None,
) -> Campaign:
    """A campaign over a care list (optionally one station's or one area's), its customers
    frozen now under the rules in force (kept on the campaign). It starts as a draft: the
    list can be checked before anyone is told."""
    require(actor, "proactive.manage_campaigns")
    name = (name or "").strip()
    if not name:
        raise ApplicationError(_("请填写活动名称"), field="name", code="required")
    check_length(name, field="name", max_length=NAME_MAX)
    message = (message or "").strip()
    check_length(message, field="message", max_length=MESSAGE_MAX)
    if kind not in CampaignKind.values:
        raise ApplicationError(_("活动方式无效"), field="kind")
    if care_list not in CareList.values:
        raise ApplicationError(_("清单无效"), field="care_list")
    if area is not None:
        if not is_visible(actor, area):
            raise ApplicationError(_("台区不在您的权限范围内"), field="area", code="out_of_scope")
        if station is not None and area.station_id != station.pk:
            raise ApplicationError(_("台区不属于所选供电所"), field="area")
        station = station or area.station
    if station is not None and not is_visible(actor, station):
        raise ApplicationError(_("供电所不在您的权限范围内"), field="station", code="out_of_scope")
    rules = care_rules()
    today = today or timezone.localdate()
    targets = _frozen_list(actor, care_list, station, area, rules, today)
    if not targets:
        raise ApplicationError(_("清单中没有客户，无需发起活动"), field="care_list", code="empty")
    from gridcare.org.selectors import user_scope_path

    unit_path = station.path if station is not None else (user_scope_path(actor) or "")
    with transaction.atomic():
        campaign = Campaign.objects.create(
            name=name,
            kind=kind,
            care_list=care_list,
            station=station,
            area=area,
            unit_path=unit_path,
            message=message,
            rules={**rules.as_dict(), "as_of": today.isoformat()},
            total=len(targets),
            created_by=actor,
        )
        for t in targets:
            t.campaign = campaign
        CampaignTarget.objects.bulk_create(targets, batch_size=2000)
        audit_record(
            actor=actor,
            action="campaign.create",
            obj=campaign,
            changes={"total": len(targets), "kind": kind, "care_list": care_list},
            unit_path=unit_path,
        )
    return campaign


def notice_body(campaign: Campaign, customer_no: str) -> str:
    template = campaign.message or DEFAULT_MESSAGES[campaign.care_list]
    return template.replace("{sig}", SIGNATURE).replace("{no}", customer_no)


def _locked(campaign: Campaign) -> Campaign:
    return Campaign.objects.select_for_update().get(pk=campaign.pk)


def campaign_launch(*, actor, campaign: Campaign, expected_version: int | None = None) -> Campaign:
    """Start the campaign. A notice campaign queues one SMS per customer through the outbox
    (keyed ``campaign:<id>:<customer>``, so nothing is sent twice) and marks each customer
    notified, or unreachable when no mobile number is on file; a field-task campaign makes
    its customers the field tasks to work."""
    require(actor, "proactive.manage_campaigns", campaign)
    now = timezone.now()
    with transaction.atomic():
        c = _locked(campaign)
        _check_version(c, expected_version)
        _check_transition(c, CampaignStatus.ACTIVE)
        counts = {}
        if c.kind == CampaignKind.NOTICE:
            counts = _send_notices(c, now)
        c.status = CampaignStatus.ACTIVE
        c.launched_at = now
        c.version += 1
        if c.kind == CampaignKind.NOTICE:
            c.status, c.closed_at = CampaignStatus.DONE, now  # every customer settled at once
        c.save(update_fields=["status", "launched_at", "closed_at", "version", "updated_at"])
        audit_record(
            actor=actor,
            action="campaign.launch",
            obj=c,
            changes={"status": [CampaignStatus.DRAFT, c.status], **counts},
            unit_path=c.unit_path,
        )
    return c


def _send_notices(c: Campaign, now) -> dict:
    messages, notified, unreachable = [], [], []
    for pk, cid, no, p1, p2 in (
        CampaignTarget.objects.filter(campaign=c, status=TargetStatus.PENDING)
        .order_by("id")
        .values_list("pk", "customer_id", "customer__customer_no", "customer__phone", "customer__phone2")
        .iterator(5000)
    ):
        phone = sms_phone(p1, p2)
        if not phone:
            unreachable.append(pk)
            continue
        messages.append((OutboundChannel.SMS, phone, notice_body(c, no), f"campaign:{c.pk}:{cid}"))
        notified.append(pk)
    queued = outbound_enqueue_many(messages)
    for status, ids in ((TargetStatus.NOTIFIED, notified), (TargetStatus.UNREACHABLE, unreachable)):
        for i in range(0, len(ids), 5000):
            CampaignTarget.objects.filter(pk__in=ids[i : i + 5000]).update(status=status, done_at=now)
    return {"queued": queued, "unreachable": len(unreachable)}


def campaign_target_record(
    *, actor, target: CampaignTarget, outcome: str, note: str = "", expected_version: int | None = None
) -> CampaignTarget:
    """The outcome of one field task (done, or not possible and why). The campaign closes
    itself once no task is left pending."""
    require(actor, "proactive.record_task", target)
    if outcome not in TASK_OUTCOMES:
        raise ApplicationError(_("处理结果无效"), field="outcome")
    note = (note or "").strip()
    check_length(note, field="note", max_length=500)
    if outcome == TargetStatus.FAILED and not note:
        raise ApplicationError(_("未能完成时请说明原因"), field="note", code="required")
    now = timezone.now()
    with transaction.atomic():
        c = _locked(target.campaign)
        _check_version(c, expected_version)
        if c.kind != CampaignKind.FIELD_TASK or c.status != CampaignStatus.ACTIVE:
            raise ConflictError(_("只有进行中的现场任务活动可以登记结果"), code="invalid_transition")
        t = CampaignTarget.objects.select_for_update().get(pk=target.pk)
        before = {"status": t.status, "note": t.note}
        t.status, t.note, t.done_by, t.done_at = outcome, note, actor, now
        t.save(update_fields=["status", "note", "done_by", "done_at"])
        c.version += 1
        fields = ["version", "updated_at"]
        if not CampaignTarget.objects.filter(campaign=c, status=TargetStatus.PENDING).exists():
            c.status, c.closed_at = CampaignStatus.DONE, now
            fields += ["status", "closed_at"]
        c.save(update_fields=fields)
        audit_record(
            actor=actor,
            action="campaign.task",
            obj=c,
            object_repr=f"{c.name} {target.customer.customer_no}"[:200],
            changes=diff(before, {"status": t.status, "note": t.note}),
            unit_path=c.unit_path,
        )
    return t


def _close(
    *, actor, campaign: Campaign, to: str, action: str, expected_version, reason: str = ""
) -> Campaign:
    require(actor, "proactive.manage_campaigns", campaign)
    check_length(reason, field="reason", max_length=TEXT_MAX)
    with transaction.atomic():
        c = _locked(campaign)
        _check_version(c, expected_version)
        _check_transition(c, to)
        before = c.status
        c.status, c.closed_at = to, timezone.now()
        c.version += 1
        c.save(update_fields=["status", "closed_at", "version", "updated_at"])
        audit_record(
            actor=actor,
            action=action,
            obj=c,
            changes={"status": [before, to]},
            note=reason,
            unit_path=c.unit_path,
        )
    return c


def campaign_close(*, actor, campaign: Campaign, expected_version: int | None = None) -> Campaign:
    """End an active campaign; tasks still pending stay as they are, on the record."""
    return _close(
        actor=actor,
        campaign=campaign,
        to=CampaignStatus.DONE,
        action="campaign.close",
        expected_version=expected_version,
    )


def campaign_cancel(
    *, actor, campaign: Campaign, reason: str = "", expected_version: int | None = None
) -> Campaign:
    return _close(
        actor=actor,
        campaign=campaign,
        to=CampaignStatus.CANCELLED,
        action="campaign.cancel",
        expected_version=expected_version,
        reason=(reason or "").strip(),
    )


# ------------------------------------------------------------------------ potential demand

DEMAND_FIELDS = [
    "source",
    "source_detail",
    "title",
    "station",
    "area",
    "location",
    "expected_kw",
    "expected_date",
    "status",
    "note",
]
DEMAND_DATE_RANGE = (dt.date(2000, 1, 1), dt.date(2100, 12, 31))


def _clean_demand(actor, data: dict, current: PotentialDemand | None) -> dict:
    unknown = set(data) - set(DEMAND_FIELDS)
    if unknown:
        raise ApplicationError(
            _("不可修改的字段：%(fields)s") % {"fields": ", ".join(sorted(unknown))}, field=sorted(unknown)[0]
        )
    out = dict(data)
    for name in ("title", "location", "source_detail", "note"):
        if name in out:
            out[name] = (out[name] or "").strip()
    for name, limit in (("title", NAME_MAX), ("location", 200), ("source_detail", NAME_MAX), ("note", 2000)):
        if name in out:
            check_length(out[name], field=name, max_length=limit)
    for name in ("title", "location"):
        if name in out and not out[name]:
            raise ApplicationError(_("此项必填"), field=name, code="required")
    if "source" in out and out["source"] not in DemandSource.values:
        raise ApplicationError(_("信息来源无效"), field="source")
    if "status" in out and out["status"] not in DemandStatus.values:
        raise ApplicationError(_("状态无效"), field="status")
    if "expected_kw" in out:
        try:
            kw = Decimal(str(out["expected_kw"]))
        except (InvalidOperation, ValueError):
            kw = None
        if kw is None or not kw.is_finite() or not 0 < kw <= MAX_DEMAND_KW:
            raise ApplicationError(
                _("预计负荷须大于 0、不超过 %(max)s kW") % {"max": MAX_DEMAND_KW}, field="expected_kw"
            )
        out["expected_kw"] = kw.quantize(Decimal("0.1"))
    if "expected_date" in out:
        day = out["expected_date"]
        if not isinstance(day, dt.date) or not DEMAND_DATE_RANGE[0] <= day <= DEMAND_DATE_RANGE[1]:
            raise ApplicationError(_("日期无效"), field="expected_date")
    station = out.get("station", current.station if current else None)
    if "station" in out:
        if station is None:
            raise ApplicationError(_("此项必填"), field="station", code="required")
        if not is_visible(actor, station):
            raise ApplicationError(_("供电所不在您的权限范围内"), field="station", code="out_of_scope")
    area = out.get("area", current.area if current else None)
    if area is not None and ("area" in out or "station" in out):
        if not is_visible(actor, area):
            raise ApplicationError(_("台区不在您的权限范围内"), field="area", code="out_of_scope")
        if station is not None and area.station_id != station.pk:
            raise ApplicationError(_("台区不属于所选供电所"), field="area")
    return out


def demand_create(*, actor, data: dict) -> PotentialDemand:
    """Record a potential demand (``proactive.manage_demand``, a station the actor sees)."""
    require(actor, "proactive.manage_demand")
    missing = [
        f for f in ("source", "title", "station", "location", "expected_kw", "expected_date") if f not in data
    ]
    if missing:
        raise ApplicationError(_("此项必填"), field=missing[0], code="required")
    clean = _clean_demand(actor, data, None)
    with transaction.atomic():
        demand = PotentialDemand.objects.create(created_by=actor, **clean)
        audit_record(
            actor=actor,
            action="demand.create",
            obj=demand,
            changes=snapshot(demand, DEMAND_FIELDS),
            unit_path=demand.station.path,
        )
    return demand


def demand_update(
    *, actor, demand: PotentialDemand, data: dict, expected_version: int | None = None
) -> PotentialDemand:
    """Change a potential demand; a stale form (someone saved since) is refused."""
    require(actor, "proactive.manage_demand", demand)
    clean = _clean_demand(actor, data, demand)
    with transaction.atomic():
        d = PotentialDemand.objects.select_for_update().get(pk=demand.pk)
        _check_version(d, expected_version)
        before = snapshot(d, DEMAND_FIELDS)
        for k, v in clean.items():
            setattr(d, k, v)
        changes = diff(before, snapshot(d, DEMAND_FIELDS))
        if changes:
            d.version += 1
            d.save()
            audit_record(
                actor=actor, action="demand.update", obj=d, changes=changes, unit_path=d.station.path
            )
    return d


def demand_delete(*, actor, demand: PotentialDemand, expected_version: int | None) -> None:
    """Delete a potential demand recorded in error; the form's version is required."""
    require(actor, "proactive.manage_demand", demand)
    if expected_version is None:
        raise ApplicationError(_("缺少版本号，请刷新后再试"), field="expected_version", code="required")
    with transaction.atomic():
        d = PotentialDemand.objects.select_for_update().get(pk=demand.pk)
        _check_version(d, expected_version)
        audit_record(
            actor=actor,
            action="demand.delete",
            obj=d,
            changes=snapshot(d, DEMAND_FIELDS),
            unit_path=d.station.path,
        )
        d.delete()
