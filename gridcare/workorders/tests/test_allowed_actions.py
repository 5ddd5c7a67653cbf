"""One source of allowed actions: what the order page and the API offer a user is exactly
what the services then accept from them — for every role, every status and every action."""

from __future__ import annotations

import pytest
from django.db import transaction

from gridcare.core.errors import ApplicationError, ConflictError, PermissionDeniedError
from gridcare.org.choices import Role
from gridcare.workorders import services as svc
from gridcare.workorders.choices import PAGE_ACTIONS, Action, RequestType
from gridcare.workorders.selectors import work_order_allowed_actions

from .factories import make_order

pytestmark = pytest.mark.django_db


class _Rollback(Exception):
    pass


def _orders(world, sup, agent):
    """One fresh order in each status (plus a paused one, a child and a consultation)."""
    out = {}

    def order(**kw):
        return make_order(agent, area=world.area_a, **kw)

    out["accepted"] = order()
    out["dispatched"] = svc.work_order_dispatch(actor=sup, order=order(), unit=world.station_a)
    o = svc.work_order_dispatch(actor=sup, order=order(), unit=world.station_a)
    out["in_progress"] = svc.work_order_start(actor=sup, order=o)
    out["paused"] = svc.work_order_pause_clock(actor=sup, order=order(), reason="客户要求改约")
    o = svc.work_order_reply(
        actor=sup,
        order=svc.work_order_start(
            actor=sup, order=svc.work_order_dispatch(actor=sup, order=order(), unit=world.station_a)
        ),
        reply="已修复",
    )
    out["replied"] = o
    out["callback"] = svc.work_order_callback(
        actor=sup,
        order=svc.work_order_reply(
            actor=sup,
            order=svc.work_order_start(
                actor=sup, order=svc.work_order_dispatch(actor=sup, order=order(), unit=world.station_a)
            ),
            reply="已修复",
        ),
    )
    out["archived"] = svc.work_order_archive(
        actor=sup,
        order=svc.work_order_callback(
            actor=sup,
            order=svc.work_order_reply(
                actor=sup,
                order=svc.work_order_start(
                    actor=sup, order=svc.work_order_dispatch(actor=sup, order=order(), unit=world.station_a)
                ),
                reply="好了",
            ),
        ),
        satisfied=True,
    )
    out["cancelled"] = svc.work_order_cancel(actor=sup, order=order(), reason="客户撤回")
    out["consultation_replied"] = svc.work_order_reply(
        actor=sup,
        order=order(request_type=RequestType.CONSULTATION, dimension="billing_payment"),
        reply="已答复",
    )
    master = order()
    out["child"] = svc.work_order_merge(actor=sup, order=order(), master=master)
    out["master_for_merge"] = master
    return out


def _call(action: str, actor, order, world, master):
    """The service of ``action`` with valid input (what a correct form would post)."""
    reason = {"reason": "原因说明"}
    calls = {
        Action.DISPATCH: lambda: svc.work_order_dispatch(actor=actor, order=order, unit=world.station_a),
        Action.TRANSFER: lambda: svc.work_order_transfer(
            actor=actor, order=order, unit=world.station_b, **reason
        ),
        Action.START: lambda: svc.work_order_start(actor=actor, order=order),
        Action.REPLY: lambda: svc.work_order_reply(actor=actor, order=order, reply="处理完毕"),
        Action.CALLBACK: lambda: svc.work_order_callback(actor=actor, order=order),
        Action.ARCHIVE: lambda: svc.work_order_archive(actor=actor, order=order, satisfied=True),
        Action.RETURN: lambda: svc.work_order_return(actor=actor, order=order, **reason),
        Action.CANCEL: lambda: svc.work_order_cancel(actor=actor, order=order, **reason),
        Action.REOPEN: lambda: svc.work_order_reopen(actor=actor, order=order, **reason),
        Action.PAUSE: lambda: svc.work_order_pause_clock(actor=actor, order=order, **reason),
        Action.RESUME: lambda: svc.work_order_resume_clock(actor=actor, order=order),
        Action.MERGE: lambda: svc.work_order_merge(actor=actor, order=order, master=master),
        Action.DETACH: lambda: svc.work_order_detach(actor=actor, order=order),
        Action.URGE: lambda: svc.work_order_urge(actor=actor, order=order, note="客户催促"),
        Action.PRIORITY: lambda: svc.work_order_set_priority(actor=actor, order=order, priority=1, **reason),
        Action.DEPART: lambda: svc.work_order_depart(actor=actor, order=order),
        Action.RESTORE: lambda: svc.work_order_restore(actor=actor, order=order, fault_cause="fuse"),
    }
    return calls[action]()


def test_offered_actions_are_exactly_the_accepted_ones(world):
    sup = world.staff(Role.SUPERVISOR, world.city)
    agent = world.staff(Role.HOTLINE_AGENT, world.city)
    orders = _orders(world, sup, agent)
    users = {
        role: world.staff(role, world.city if role != Role.REPAIR_CREW else world.team_a)
        for role in Role.values
    }
    checked = 0
    mismatches = []
    for name, order in orders.items():
        if name == "master_for_merge":
            continue
        for role, user in users.items():
            fresh = type(order).objects.get(pk=order.pk)
            offered = set(work_order_allowed_actions(user, fresh))
            assert offered <= PAGE_ACTIONS
            for action in sorted(PAGE_ACTIONS):
                # A second open order to merge into, made for this call only.
                try:
                    with transaction.atomic():
                        master = make_order(agent, area=world.area_a) if action == Action.MERGE else None
                        try:
                            _call(action, user, type(order).objects.get(pk=order.pk), world, master)
                            accepted = True
                        except (PermissionDeniedError, ConflictError):
                            accepted = False
                        except ApplicationError as exc:  # refused for its input, not for who or when
                            accepted = exc.code not in (
                                "invalid_transition",
                                "permission_denied",
                                "callback_required",
                            )
                        raise _Rollback
                except _Rollback:
                    pass
                checked += 1
                if accepted != (action in offered):
                    mismatches.append(
                        (name, role, action, "offered" if action in offered else "not offered", accepted)
                    )
    assert not mismatches, "\n".join(map(str, mismatches))
    assert checked > 1000
