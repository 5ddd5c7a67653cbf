"""Test helpers for work orders: created through the service, so every order is consistent."""

from gridcare.workorders.choices import Channel, Dimension, RequestType
from gridcare.workorders.services import work_order_create


def make_order(actor, **kwargs):
    kwargs.setdefault("channel", Channel.HOTLINE)
    kwargs.setdefault("request_type", RequestType.FAULT_REPAIR)
    kwargs.setdefault("dimension", Dimension.SUPPLY_RELIABILITY)
    kwargs.setdefault("description", "家里停电了，邻居家也没电")
    kwargs.setdefault("auto_merge", False)
    return work_order_create(actor=actor, **kwargs)


def submit_order(actor, **kwargs):
    """Like ``make_order`` but returns the ``CreateResult`` (``replayed``, ``parts``)."""
    from gridcare.workorders.services import work_order_submit

    kwargs.setdefault("channel", Channel.HOTLINE)
    kwargs.setdefault("request_type", RequestType.FAULT_REPAIR)
    kwargs.setdefault("dimension", Dimension.SUPPLY_RELIABILITY)
    kwargs.setdefault("description", "家里停电了，邻居家也没电")
    kwargs.setdefault("auto_merge", False)
    return work_order_submit(actor=actor, **kwargs)


def at(*args):
    """A local (Asia/Shanghai) datetime."""
    import datetime as dt

    from gridcare.core.calendar import local_tz

    return dt.datetime(*args, tzinfo=local_tz())


def clocks(order):
    """An order's clocks by kind."""
    return {c.kind: c for c in order.clocks.all()}
