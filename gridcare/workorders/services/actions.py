"""The one dispatcher of work-order actions, used by the order page and the API alike.

``work_order_act(actor=..., key=..., action=..., data=...)`` takes the order's key (order
number or id) and the posted fields, resolves them (unit codes, usernames, the master's key)
and runs the action's service, which locks, checks and records. The table of what each
action takes is ``choices.ACTION_INPUTS``; which actions a user is offered is
``selectors.work_order_allowed_actions``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from gridcare.core.errors import ApplicationError
from gridcare.org.models import OrgUnit

from .. import selectors
from ..choices import ACTION_INPUTS, ARCHIVE_SATISFACTION_VALUE, Action
from ..models import WorkOrder
from .clocks import work_order_pause_clock, work_order_resume_clock
from .field import work_order_depart, work_order_restore
from .lifecycle import (
    work_order_archive,
    work_order_callback,
    work_order_cancel,
    work_order_dispatch,
    work_order_reopen,
    work_order_reply,
    work_order_return,
    work_order_start,
    work_order_transfer,
)
from .merging import work_order_detach, work_order_merge
from .notes import work_order_set_priority, work_order_urge

SERVICES = {
    Action.DISPATCH: work_order_dispatch,
    Action.TRANSFER: work_order_transfer,
    Action.START: work_order_start,
    Action.REPLY: work_order_reply,
    Action.CALLBACK: work_order_callback,
    Action.ARCHIVE: work_order_archive,
    Action.RETURN: work_order_return,
    Action.CANCEL: work_order_cancel,
    Action.REOPEN: work_order_reopen,
    Action.PAUSE: work_order_pause_clock,
    Action.RESUME: work_order_resume_clock,
    Action.MERGE: work_order_merge,
    Action.DETACH: work_order_detach,
    Action.URGE: work_order_urge,
    Action.PRIORITY: work_order_set_priority,
    Action.DEPART: work_order_depart,
    Action.RESTORE: work_order_restore,
}
# Actions whose service takes no expected_version (an urge never conflicts).
UNVERSIONED = frozenset({Action.URGE})


@dataclass(frozen=True)
class ActionResult:
    """What an action left: the order as the service saved it."""

    action: str
    order: WorkOrder


def _unit(code) -> OrgUnit:
    unit = OrgUnit.objects.filter(code=str(code or "").strip()).first()
    if unit is None:
        raise ApplicationError(
            _("请选择目标单位") if not code else _("单位编码 %(code)s 不存在") % {"code": code},
            field="unit",
            code="unknown_unit",
        )
    return unit


def _handler(username):
    if not username:
        return None
    user = get_user_model().objects.filter(username=str(username).strip()).first()
    if user is None:
        raise ApplicationError(
            _("处理人 %(name)s 不存在") % {"name": username}, field="handler", code="unknown_user"
        )
    return user


def _master(actor, key):
    try:
        return selectors.work_order_get(actor, str(key or "").strip())
    except WorkOrder.DoesNotExist:
        raise ApplicationError(
            _("主单 %(key)s 不存在") % {"key": key}, field="master", code="not_found"
        ) from None


def _satisfaction(data: dict) -> bool | None:
    """The archive's explicit answer on the customer's satisfaction: ``True``/``False``/
    ``None`` (unknown) from the API, ``satisfied``/``unsatisfied``/``unknown`` from the page.
    Nothing chosen is refused: one click must not record a satisfied customer."""
    value = data.get("satisfied", "")
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip()
    if not text:
        raise ApplicationError(
            _("请选择客户是否满意（满意、不满意或未能确认）"), field="satisfied", code="required"
        )
    if text not in ARCHIVE_SATISFACTION_VALUE:
        raise ApplicationError(
            _("未知的满意度：%(value)s") % {"value": text[:40]}, field="satisfied", code="invalid_choice"
        )
    return ARCHIVE_SATISFACTION_VALUE[text]


RESOLVE = {"unit": lambda actor, v: _unit(v), "handler": lambda actor, v: _handler(v), "master": _master}


def work_order_act(*, actor, key: str | int | WorkOrder, action: str, data: dict) -> ActionResult:
    """Run ``action`` on the order ``key`` (or as already resolved by ``work_order_resolve``)
    with the posted ``data`` (missing fields: blank)."""
    if action not in SERVICES:
        raise ApplicationError(
            _("未知的操作：%(action)s") % {"action": action}, field="action", code="invalid_choice"
        )
    kwargs = {}
    for field in ACTION_INPUTS[action]:
        value = data.get(field)
        if field in RESOLVE:
            kwargs[field] = RESOLVE[field](actor, value)
        elif field == "satisfied":
            kwargs[field] = _satisfaction(data)
        else:
            kwargs[field] = "" if value is None else value
    if action not in UNVERSIONED:
        kwargs["expected_version"] = data.get("expected_version")
    seen = key if isinstance(key, WorkOrder) else work_order_resolve(actor, key)
    order = SERVICES[action](actor=actor, order=seen, **kwargs)
    return ActionResult(action=action, order=order)


def work_order_resolve(actor, key: str | int) -> WorkOrder:
    """The order ``key`` (order number or id) as the actor sees it now — its id and version
    only, one indexed look-up — else a 404. The service then locks and reads it; should it
    have left the actor's reach in between, the seen version makes that a 409, not a 404."""
    key = str(key)
    qs = WorkOrder.objects.visible_to(actor)
    qs = qs.filter(pk=int(key)) if key.isascii() and key.isdigit() else qs.filter(order_no=key)
    row = qs.values_list("pk", "version").first()
    if row is None:
        raise ApplicationError(_("工单不存在"), field="order", code="not_found", status=404)
    return WorkOrder(pk=row[0], version=row[1])
