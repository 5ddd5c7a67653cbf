"""Signals other apps listen to (escalation, notifications, analytics)."""

from django.dispatch import Signal

# Sent by the background worker (``tasks.announce_transition``) after the transaction of
# every work-order action has committed, with keyword arguments ``order`` (the WorkOrder as
# it is in the database then), ``action`` (choices.Action value), ``from_status``,
# ``to_status`` (equal for actions that keep the status), ``actor`` (the user, or None) and
# ``notify`` (False when the service told the people concerned itself).
work_order_transitioned = Signal()

# Sent in the transaction of ``services.work_order_deadlines_recompute`` (the working-day
# calendar changed), with keyword argument ``order_ids``: the orders whose clocks' deadlines
# moved. Apps that copy a deadline (callback tasks) update their copy.
work_order_deadlines_moved = Signal()
