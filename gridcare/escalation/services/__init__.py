"""Every write of the escalation domain (one service per action, keyword-only, atomic).

Split by topic; the public names are all importable from here.
"""

from .callbacks import (
    callback_due,
    callback_phone_reveal,
    callback_record,
    callback_task_ensure,
    callback_tasks_close_superseded,
    callback_tasks_follow_deadlines,
)
from .deadlines import deadline_sweep
from .escalating import order_escalate, order_escalate_by_hand
from .monitor import clock_threshold, sla_reconcile, sla_sweep, sla_watch_create, sla_watch_refresh
from .notifications import (
    customer_notices_enqueue,
    notification_create_many,
    notification_digests_send,
    notification_mark_read,
    notification_rules,
    notify_order_event,
    outbound_enqueue,
    outbox_deliver,
)
from .recovery import (
    authority_limit_for,
    recovery_action_complete,
    recovery_action_decide,
    recovery_action_propose,
    recovery_action_verbs,
    service_failure_record,
)
from .repeats import repeat_detect, text_similarity
from .supervisors import (
    social_supervisor_register,
    social_supervisor_reveal_phone,
    supervisor_consultation_record,
    supervisor_submission_create,
)
from .urging import urge_record

__all__ = [
    "authority_limit_for",
    "callback_due",
    "callback_phone_reveal",
    "callback_record",
    "callback_task_ensure",
    "callback_tasks_close_superseded",
    "callback_tasks_follow_deadlines",
    "clock_threshold",
    "customer_notices_enqueue",
    "deadline_sweep",
    "notification_create_many",
    "notification_digests_send",
    "notification_mark_read",
    "notification_rules",
    "notify_order_event",
    "order_escalate",
    "order_escalate_by_hand",
    "outbound_enqueue",
    "outbox_deliver",
    "recovery_action_complete",
    "recovery_action_decide",
    "recovery_action_propose",
    "recovery_action_verbs",
    "repeat_detect",
    "service_failure_record",
    "sla_reconcile",
    "sla_sweep",
    "sla_watch_create",
    "sla_watch_refresh",
    "social_supervisor_register",
    "social_supervisor_reveal_phone",
    "supervisor_consultation_record",
    "supervisor_submission_create",
    "text_similarity",
    "urge_record",
]
