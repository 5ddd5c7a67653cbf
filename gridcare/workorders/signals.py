"""Signals other apps listen to (escalation, notifications, analytics)."""

from django.dispatch import Signal

# Sent after the transaction of every work-order action commits, with keyword arguments
# ``order`` (the WorkOrder), ``action`` (choices.Action), ``from_status``, ``to_status``
# (equal for actions that keep the status) and ``actor`` (the user, or None).
work_order_transitioned = Signal()
