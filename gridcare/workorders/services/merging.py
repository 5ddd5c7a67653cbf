"""Master/child merging of duplicate fault reports, and undoing it."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from gridcare.core.errors import ApplicationError, ConflictError, PermissionDeniedError
from gridcare.core.limits import TEXT_MAX, check_length
from gridcare.core.messages import msg

from ..choices import (
    MERGE_TRANSITIONS,
    OPEN_STATUSES,
    Action,
    NoticeKind,
    Status,
)
from ..models import (
    WorkOrder,
)
from ._common import _check_role, _lock, _notice, _now, _record, _save_quiet, _unit_fields


def _merge(
    child: WorkOrder,
    master: WorkOrder,
    *,
    actor,
    now: dt.datetime,
    note: str = "",
    auto: bool = False,
    at_intake: bool = False,
) -> None:
    """Make ``child`` follow ``master`` (both locked by the caller); ``auto``: merged at intake
    by the system (same area or feeder), said so on both timelines.

    Merged at intake (``auto`` or ``at_intake``: in the transaction that created the child)
    the merge queues no announcements of its own: the child's creation announcement, queued
    in the same transaction, runs after the commit on the merged child; the master's clocks
    do not change (its time-limit watch catches up with its version through the reconcile
    job). In a storm a master takes thousands of children: one background task per call,
    not three."""
    quiet = auto or at_intake
    why = msg("order.auto_merged") if auto else None
    if child.pk == master.pk:
        raise ApplicationError(_("不能把工单并入自身"), field="master", code="invalid")
    if master.master_id is not None:
        raise ApplicationError(
            _("%(no)s 本身是子单，不能作主单") % {"no": master.order_no}, field="master", code="invalid"
        )
    # The order's own state refuses these (409, like a transition the table does not allow).
    if WorkOrder.objects.filter(master=child).exists():
        raise ConflictError(
            _("%(no)s 已有子单，不能再并入其他工单") % {"no": child.order_no},
            field="order",
            code="has_children",
        )
    if child.master_id is not None:
        raise ConflictError(
            _("%(no)s 已并入 %(master)s") % {"no": child.order_no, "master": child.master.order_no},
            field="order",
            code="already_merged",
        )
    to_status = MERGE_TRANSITIONS.get((child.status, master.status))
    if to_status is None:
        raise ConflictError(_("只能合并未处理完的工单"), code="invalid_transition", field="status")
    from_status = child.status
    child.master = master
    fields = ["master"]
    if to_status != from_status or master.status != Status.ACCEPTED:
        # The child joins the master's handling where it stands (choices.MERGE_TRANSITIONS).
        child.status = to_status
        _unit_fields(child, master.unit)
        child.handler_id = master.handler_id
        child.dispatcher_unit_id = master.dispatcher_unit_id
        fields += ["status", "unit", "unit_path", "handler", "dispatcher_unit"]
    _save_quiet(child, fields)
    WorkOrder.objects.filter(pk=master.pk).update(
        children_count=F("children_count") + 1, version=F("version") + 1
    )
    _record(
        child,
        action=Action.MERGE,
        actor=actor,
        from_status=from_status,
        to_status=child.status,
        now=now,
        note=note,
        data={"master": master.order_no},
        msg=why,
        announce=not quiet,
    )
    _record(
        master,
        action=Action.MERGE,
        actor=actor,
        from_status=master.status,
        to_status=master.status,
        now=now,
        note=note,
        data={"child": child.order_no},
        notify=False,
        msg=msg("order.child_merged", child=child.order_no),
        announce=not quiet,
    )
    _notice(
        child,
        NoticeKind.MERGED,
        f"您的报修（工单 {child.order_no}）与附近同一故障合并处理，我们会尽快恢复供电。",
        now,
    )


def work_order_merge(
    *,
    actor,
    order: WorkOrder | int,
    master: WorkOrder | int,
    note: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
    at_intake: bool = False,
) -> WorkOrder:
    """Make ``order`` a child of ``master`` (主单/子单): the master's handling carries to it.

    ``at_intake``: the system joins a report its taker just recorded to the master it is
    known to belong to (a fault report of a known outage), as the merge at intake does: the
    intake permission suffices, for the taker's own order only (``note`` says why)."""
    _check_role(actor, Action.CREATE if at_intake else Action.MERGE)
    check_length(note, field="note", max_length=TEXT_MAX)
    now = _now(now)
    with transaction.atomic():
        child_pk = order.pk if isinstance(order, WorkOrder) else order
        master_pk = master.pk if isinstance(master, WorkOrder) else master
        # Lock both rows in id order so two crossing merges cannot deadlock.
        locked = {}
        for pk in sorted({child_pk, master_pk}):
            locked[pk] = _lock(actor, pk, expected_version if pk == child_pk else None)
        child, master_order = locked[child_pk], locked[master_pk]
        if at_intake and child.accepted_by_id != getattr(actor, "pk", None):
            raise PermissionDeniedError(_("只能合并本人刚受理的工单"))
        _merge(child, master_order, actor=actor, now=now, note=note or "人工合并", at_intake=at_intake)
        return child


def work_order_detach(
    *,
    actor,
    order: WorkOrder | int,
    note: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> WorkOrder:
    """Undo a merge: the child goes on alone from where it stands."""
    _check_role(actor, Action.DETACH)
    check_length(note, field="note", max_length=TEXT_MAX)
    now = _now(now)
    with transaction.atomic():
        child = _lock(actor, order, expected_version)
        if child.master_id is None:
            raise ConflictError(
                _("%(no)s 不是子单") % {"no": child.order_no}, field="order", code="not_merged"
            )
        if child.status not in OPEN_STATUSES:
            raise ConflictError(_("只能对未处理完的子单解除合并"), code="invalid_transition", field="status")
        master = WorkOrder.objects.select_for_update().get(pk=child.master_id)
        child.master = None
        _save_quiet(child, ["master"])
        WorkOrder.objects.filter(pk=master.pk).update(
            children_count=F("children_count") - 1, version=F("version") + 1
        )
        _record(
            child,
            action=Action.DETACH,
            actor=actor,
            from_status=child.status,
            to_status=child.status,
            now=now,
            note=note,
            data={"master": master.order_no},
        )
        _record(
            master,
            action=Action.DETACH,
            actor=actor,
            from_status=master.status,
            to_status=master.status,
            now=now,
            data={"child": child.order_no},
            msg=msg("order.child_unmerged", child=child.order_no),
            notify=False,
        )
        return child
