"""Repeated requests (重复诉求): the same customer, address or transformer area raising the
same issue again within a window — linked, flagged and escalated one level. An order merged
into a master is not checked: its master carries its handling."""

from __future__ import annotations

import datetime as dt
import re

from django.db import IntegrityError, transaction
from django.db.models import Q

from gridcare.core.audit import audit_record
from gridcare.core.messages import msg
from gridcare.workorders.choices import RequestType
from gridcare.workorders.models import WorkOrder

from ..choices import EscalationReason, NotificationEvent, NotificationKind, RepeatBasis
from ..models import EscalationSetting, RepeatLink
from ._common import now_or, raise_priority
from .escalating import order_escalate
from .notifications import notify_order_event

# Praise is never a complaint repeated.
TYPES_NOT_REPEATED = frozenset({RequestType.PRAISE})
_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)
MAX_CANDIDATES = 50


def bigrams(text: str) -> set[str]:
    clean = _NOISE.sub("", (text or "").lower())
    if len(clean) < 2:
        return {clean} if clean else set()
    return {clean[i : i + 2] for i in range(len(clean) - 1)}


def text_similarity(a: str, b: str) -> float:
    """Character-bigram Jaccard similarity (works for Chinese without segmentation)."""
    x, y = bigrams(a), bigrams(b)
    if not x or not y:
        return 0.0
    return len(x & y) / len(x | y)


def _basis(new: WorkOrder, old: WorkOrder) -> str | None:
    if new.customer_id and new.customer_id == old.customer_id:
        return RepeatBasis.CUSTOMER
    if new.address and new.address == old.address:
        return RepeatBasis.ADDRESS
    if new.area_id and new.area_id == old.area_id:
        return RepeatBasis.AREA
    return None


def repeat_candidates(order: WorkOrder, *, window_days: int) -> list[WorkOrder]:
    """Earlier orders (open or closed) on the same customer, address or area, same
    dimension and subtype, within the window; merged children of one fault are not repeats.

    One query per basis, each driven by its own index (customer, area), newest first: an
    OR of the three let the planner scan a whole month of orders by date instead (tens of
    thousands of rows at a million orders). The address is compared only for an order
    with neither customer nor area: with either, the same address lies in the same area.
    """
    conds = []
    if order.customer_id:
        conds.append(Q(customer_id=order.customer_id))
    if order.area_id:
        conds.append(Q(area_id=order.area_id))
    if order.address and not conds:
        conds.append(Q(address=order.address))
    if not conds:
        return []
    since = order.created_at - dt.timedelta(days=window_days)
    qs = (
        WorkOrder.objects.filter(dimension=order.dimension, subtype=order.subtype)
        .filter(created_at__gte=since, created_at__lte=order.created_at)
        .exclude(pk=order.pk)
        .exclude(request_type__in=TYPES_NOT_REPEATED)
    )
    if order.master_id:
        qs = qs.exclude(pk=order.master_id).exclude(master_id=order.master_id)
    qs = qs.exclude(master_id=order.pk).only(
        "id", "order_no", "description", "customer_id", "address", "area_id", "created_at"
    )
    found: dict[int, WorkOrder] = {}
    for cond in conds:
        for old in qs.filter(cond).order_by("-created_at", "-id")[:MAX_CANDIDATES]:
            found[old.pk] = old
    return sorted(found.values(), key=lambda o: (o.created_at, o.pk), reverse=True)[:MAX_CANDIDATES]


def repeat_detect(*, order: WorkOrder | int, now: dt.datetime | None = None) -> RepeatLink | None:
    """Check a new order against earlier ones; link, flag, raise priority and escalate once.

    Idempotent: an order has at most one ``RepeatLink`` (unique), so a rerun does nothing.
    """
    pk = order.pk if isinstance(order, WorkOrder) else order
    now = now_or(now)
    with transaction.atomic():
        current = WorkOrder.objects.select_for_update(of=("self",)).get(pk=pk)
        if current.request_type in TYPES_NOT_REPEATED or RepeatLink.objects.filter(order=current).exists():
            return None
        if current.master_id is not None:
            # Merged into a master (a fault already being handled, a known outage): the
            # master's clocks carry the service, so a second call about it is not a service
            # failure repeated — in a storm, not a thousand escalations of one outage.
            return None
        window = EscalationSetting.get(EscalationSetting.REPEAT_WINDOW_DAYS)
        threshold = EscalationSetting.get(EscalationSetting.REPEAT_SIMILARITY_PCT) / 100
        best: tuple[float, WorkOrder, str] | None = None
        for old in repeat_candidates(current, window_days=window):
            basis = _basis(current, old)
            if basis is None:
                continue
            score = text_similarity(current.description, old.description)
            if score >= threshold and (best is None or score > best[0]):
                best = (score, old, basis)
        if best is None:
            return None
        score, earlier, basis = best
        try:
            with transaction.atomic():
                link = RepeatLink.objects.create(
                    order=current,
                    earlier=earlier,
                    basis=basis,
                    similarity=round(score, 3),
                    at=now,
                    unit_path=current.unit_path,
                )
        except IntegrityError:
            return None
        raise_priority(current, reason=msg("order.repeat_of", earlier=earlier.order_no), now=now)
        audit_record(
            actor=None,
            action="escalation.repeat",
            obj=current,
            changes={"earlier": earlier.order_no, "basis": basis, "similarity": round(score, 3)},
            unit_path=current.unit_path,
        )
        notify_order_event(
            event=NotificationEvent.REPEAT,
            order=current,
            kind=NotificationKind.REPEAT,
            text=msg("notify.repeat", no=current.order_no, earlier=earlier.order_no, basis=basis),
            now=now,
        )
        order_escalate(
            order=current,
            reason=EscalationReason.REPEAT,
            now=now,
        )
        return link
