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
