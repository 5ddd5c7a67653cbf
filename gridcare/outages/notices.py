"""Outage notices to customers (停电通知), SMS through escalation's outbox.

- **Planned / temporary maintenance**: told when announced — planned outages every customer
  of the outage's transformer areas, at least ``NOTICE_LEAD[planned]`` (7 days) ahead;
  temporary ones the important customers only (``Customer.important``), at least 24 hours
  ahead. ``Outage.notice_sent_at`` records when the notice was queued; an outage announced
  inside its lead time (or recorded only once the power was already off) is flagged
  ``notice_late``, audited (``outage.notice_late``) and its unit's supervisors are told
  in-app (escalation's ``notification_create_many``).
- **Faults**: the affected customers are told at the start with the estimated restoration,
  and again each time the estimate changes (``services.outage_update_estimate``).
- **Restoration**: every affected customer, when their own area is restored.

Each message is keyed ``outage:<id>:<notice>:<customer id>`` in the outbox (a unique key),
so a rerun — ``outage_notices_send``, or a service retried after a crash — queues nothing
twice; the notices are queued in the transaction that changes the outage, so a crash
loses none. Customers without a phone on file are counted in ``Outage.notice_unreachable``.
The texts are SMS in Chinese, from the templates below (not interface strings).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridcare.core.audit import audit_record, register_audit_labels
from gridcare.core.messages import local_minute, msg, register
from gridcare.customers.models import Customer
from gridcare.escalation.choices import NotificationKind, OutboundChannel
from gridcare.escalation.services.notifications import (
    notification_create_many,
    outbound_enqueue_many,
    unit_staff,
)
from gridcare.grid.models import TransformerArea
from gridcare.org.choices import Role

from .choices import OutageKind, OutageStatus
from .models import Outage, OutageArea, OutageCustomer

# How long before the planned start a pre-arranged outage must be announced, and whom it tells.
NOTICE_LEAD: dict[str, dt.timedelta] = {
    OutageKind.PLANNED: dt.timedelta(days=7),
    OutageKind.TEMPORARY: dt.timedelta(hours=24),
}
IMPORTANT_ONLY = frozenset({OutageKind.TEMPORARY})

SIGNATURE = "【供电公司】"
TEMPLATES: dict[str, str] = {
    OutageKind.PLANNED: "{sig}尊敬的客户：因{cause}，定于{start}至{end}对{areas}停电，请提前做好准备。停电编号{no}。",
    OutageKind.TEMPORARY: "{sig}尊敬的客户：因{cause}，需于{start}至{end}对{areas}临时停电，给您带来不便，敬请谅解。停电编号{no}。",
    "fault": "{sig}尊敬的客户：{areas}因{cause}停电，抢修人员正在处理，预计{eta}恢复供电。停电编号{no}。",
    "estimate": "{sig}尊敬的客户：{areas}停电的预计恢复供电时间调整为{eta}，给您带来不便，敬请谅解。停电编号{no}。",
    "restored": "{sig}尊敬的客户：{areas}已于{at}恢复供电，感谢您的理解与支持。停电编号{no}。",
}
DEFAULT_CAUSE = {OutageKind.PLANNED: "设备检修", OutageKind.TEMPORARY: "设备临时检修", "fault": "故障"}

register(
    "outage.notice_late",
    _("停电 %(no)s（%(kind)s）通知不及时：%(sent)s 发出通知，计划 %(start)s 停电，提前量不足 %(lead)s 小时"),
    kind=OutageKind,
    sent=local_minute,
    start=local_minute,
)
register_audit_labels(
    "outage.",
    actions={
        "notice_late": _("停电通知不及时"),
        "estimate": _("更新预计恢复时间"),
        "master": _("设定停电主工单"),
    },
    fields={
        "notice_late": _("通知不及时"),
        "estimated_restoration": _("预计恢复时间"),
        "master_order": _("主工单"),
    },
)


# ------------------------------------------------------------------------- pure helpers


def sms_time(value: dt.datetime | None) -> str:
    """A time as customers read it: ``3月10日 08:00``."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    return f"{local.month}月{local.day}日 {local:%H:%M}"


def areas_text(names: Iterable[str], limit: int = 3) -> str:
    """``A、B、C等5个台区`` (at most ``limit`` names)."""
    names = sorted(set(names))
    shown = "、".join(names[:limit])
    return f"{shown}等{len(names)}个台区" if len(names) > limit else shown


def notice_body(kind: str, *, outage: Outage, areas: str, at: dt.datetime | None = None) -> str:
    """The SMS of notice ``kind`` (an outage kind for announcements, or fault / estimate /
    restored) for ``outage``."""
    cause_kind = kind if kind in DEFAULT_CAUSE else "fault"
    eta = sms_time(outage.estimated_restoration) or "抢修完成后"
    return TEMPLATES[kind].format(
        sig=SIGNATURE,
        cause=(outage.cause or "").strip()[:40] or DEFAULT_CAUSE[cause_kind],
        start=sms_time(outage.planned_start),
        end=sms_time(outage.planned_end),
        areas=areas,
        eta=eta,
        at=sms_time(at),
        no=outage.outage_no,
    )


def notice_key(outage_id: int, notice: str, customer_id: int) -> str:
    return f"outage:{outage_id}:{notice}:{customer_id}"


def lead_met(kind: str, *, announced_at: dt.datetime, planned_start: dt.datetime | None) -> bool:
    """Whether an announcement at ``announced_at`` meets the kind's lead time."""
    lead = NOTICE_LEAD.get(kind)
    if lead is None:
        return True
    return planned_start is not None and planned_start - announced_at >= lead


# ------------------------------------------------------------------------------ sending


def _phone(phone: str, phone2: str) -> str:
    return (phone or "").strip() or (phone2 or "").strip()


def _queue(outage: Outage, notice: str, rows: Iterable[tuple[int, str, str]], body_for) -> tuple[int, int]:
    """Queue ``notice`` to ``rows`` (customer id, phone, body key); returns (queued, no phone)."""
    unreachable = 0
    messages = []
    for cid, phone, part in rows:
        if not phone:
            unreachable += 1
            continue
        messages.append((OutboundChannel.SMS, phone, body_for(part), notice_key(outage.pk, notice, cid)))
    return outbound_enqueue_many(messages), unreachable


def _area_names(outage: Outage, area_ids: Iterable[int] | None = None) -> dict[int, str]:
    qs = OutageArea.objects.filter(outage=outage)
    if area_ids is not None:
        qs = qs.filter(area_id__in=list(area_ids))
    return dict(
        TransformerArea.objects.filter(pk__in=qs.values("area_id")).values_list("pk", "name").order_by("pk")
    )


def _save_notice_fields(outage: Outage, **fields) -> None:
    for name, value in fields.items():
        setattr(outage, name, value)
    Outage.objects.filter(pk=outage.pk).update(**fields)


def _escalate_late(*, actor, outage: Outage, sent_at: dt.datetime) -> None:
    """The late announcement on the record (audit) and in the inbox of the supervisors of
    the outage's unit (the nearest unit up its path that has any)."""
    lead = NOTICE_LEAD.get(outage.kind, dt.timedelta(0))
    audit_record(
        actor=actor,
        action="outage.notice_late",
        obj=outage,
        changes={"notice_late": [False, True]},
        unit_path=outage.unit_path,
    )
    supervisors = unit_staff([outage.unit_path], [Role.SUPERVISOR])[outage.unit_path][Role.SUPERVISOR]
    notification_create_many(
        recipients=supervisors,
        kind=NotificationKind.ESCALATION,
        text=msg(
            "outage.notice_late",
            no=outage.outage_no,
            kind=outage.kind,
            sent=sent_at,
            start=outage.planned_start or outage.started_at or sent_at,
            lead=int(lead.total_seconds() // 3600),
        ),
        now=sent_at,
    )


def notify_announced(*, actor, outage: Outage, now: dt.datetime | None = None) -> int:
    """The advance notice of a planned or temporary outage (other kinds: nothing). Records
    when it went out and whether the lead time was met; a late one is escalated."""
    if outage.kind not in NOTICE_LEAD or outage.status == OutageStatus.CANCELLED:
        return 0
    now = now or timezone.now()
    first = outage.notice_sent_at is None
    queued = 0
    if outage.status == OutageStatus.ANNOUNCED:
        names = _area_names(outage)
        customers = Customer.objects.filter(area_id__in=list(names))
        if outage.kind in IMPORTANT_ONLY:
            customers = customers.filter(important=True)
        body = notice_body(outage.kind, outage=outage, areas=areas_text(names.values()))
        rows = (
            (cid, _phone(p1, p2), None)
            for cid, p1, p2 in customers.order_by("pk").values_list("pk", "phone", "phone2").iterator(5000)
        )
        queued, unreachable = _queue(outage, "announce", rows, lambda _part: body)
        fields = {"notice_unreachable": unreachable}
        if first:
            fields["notice_sent_at"] = now
            fields["notice_late"] = not lead_met(
                outage.kind, announced_at=now, planned_start=outage.planned_start
            )
    else:
        # Recorded only once the power was off: nobody was told beforehand.
        fields = {"notice_late": True} if first and not outage.notice_late else {}
    late_now = (
        fields.get("notice_late") and not Outage.objects.filter(pk=outage.pk, notice_late=True).exists()
    )
    if fields:
        _save_notice_fields(outage, **fields)
    if late_now:
        _escalate_late(actor=actor, outage=outage, sent_at=now)
    return queued


def _affected(outage: Outage, *, area_ids: Iterable[int] | None = None, still_out: bool = False):
    qs = OutageCustomer.objects.filter(outage=outage)
    if area_ids is not None:
        qs = qs.filter(area_id__in=list(area_ids))
    if still_out:
        qs = qs.filter(restored_at__isnull=True)
    return qs.order_by("customer_id").values_list(
        "customer_id", "customer__phone", "customer__phone2", "area_id"
    )


def notify_fault_started(*, outage: Outage, now: dt.datetime | None = None) -> int:
    """A fault outage began: its affected customers, with the estimated restoration."""
    if outage.kind != OutageKind.FAULT or outage.started_at is None:
        return 0
    body = notice_body("fault", outage=outage, areas=areas_text(_area_names(outage).values()))
    rows = ((cid, _phone(p1, p2), None) for cid, p1, p2, _a in _affected(outage).iterator(5000))
    queued, unreachable = _queue(outage, "fault", rows, lambda _part: body)
    fields = {"notice_unreachable": unreachable}
    if outage.notice_sent_at is None:
        fields["notice_sent_at"] = now or timezone.now()
    _save_notice_fields(outage, **fields)
    return queued


def _estimate_notice(outage: Outage) -> str:
    return f"eta{timezone.localtime(outage.estimated_restoration):%Y%m%d%H%M}"


def notify_estimate_changed(*, outage: Outage) -> int:
    """The estimate of a fault outage changed: the customers still out hear the new one
    (one message per customer per estimate)."""
    if outage.kind != OutageKind.FAULT or outage.estimated_restoration is None:
        return 0
    if outage.status != OutageStatus.IN_PROGRESS:
        return 0
    names = _area_names(
        outage,
        OutageArea.objects.filter(outage=outage, restored_at__isnull=True).values_list("area_id", flat=True),
    )
    body = notice_body("estimate", outage=outage, areas=areas_text(names.values()))
    rows = (
        (cid, _phone(p1, p2), None) for cid, p1, p2, _a in _affected(outage, still_out=True).iterator(5000)
    )
    queued, _unreachable = _queue(outage, _estimate_notice(outage), rows, lambda _part: body)
    return queued


def notify_restored(*, outage: Outage, area_ids: Iterable[int]) -> int:
    """Power is back on ``area_ids``: each of their affected customers is told (whatever the
    outage's kind), with their own area's name and restoration time."""
    area_ids = list(area_ids)
    names = _area_names(outage, area_ids)
    restored = dict(
        OutageArea.objects.filter(outage=outage, area_id__in=area_ids).values_list("area_id", "restored_at")
    )
    rows = (
        (cid, _phone(p1, p2), aid) for cid, p1, p2, aid in _affected(outage, area_ids=area_ids).iterator(5000)
    )
    bodies: dict[int, str] = {}

    def body_for(aid: int) -> str:
        if aid not in bodies:
            bodies[aid] = notice_body(
                "restored", outage=outage, areas=names.get(aid, ""), at=restored.get(aid)
            )
        return bodies[aid]

    queued, _unreachable = _queue(outage, "restored", rows, body_for)
    return queued


def outage_notices_send(*, outage: Outage, actor=None, now: dt.datetime | None = None) -> int:
    """Queue whatever the outage owes its customers in its present state — the notice job.

    Idempotent: every message has its unique outbox key, so running it again (or after the
    services already queued the notices) queues nothing twice and fills any gap."""
    outage = Outage.objects.get(pk=outage.pk)
    if outage.status == OutageStatus.CANCELLED:
        return 0
    n = 0
    if outage.kind in NOTICE_LEAD and outage.notice_sent_at is not None:
        if outage.status == OutageStatus.ANNOUNCED:
            n += notify_announced(actor=actor, outage=outage, now=now)
    if outage.kind == OutageKind.FAULT and outage.started_at is not None:
        n += notify_fault_started(outage=outage, now=now)
        from gridcare.core.models import AuditEvent

        if AuditEvent.objects.filter(action="outage.estimate", object_id=str(outage.pk)).exists():
            n += notify_estimate_changed(outage=outage)
    done = list(
        OutageArea.objects.filter(outage=outage, restored_at__isnull=False).values_list("area_id", flat=True)
    )
    if done:
        n += notify_restored(outage=outage, area_ids=done)
    return n
