"""Every write to a work order: one service per action.

Each service is keyword-only, runs in one transaction, checks the actor's role and
scope, locks the order row (``select_for_update``) so two people acting at once are
serialised, refuses a stale ``expected_version`` (409), validates the move against
``choices.TRANSITIONS`` (an illegal move is a 409 as well: the order is not in a state
that allows it), writes a timeline event and an audit event, and leaves one background
task (``tasks.announce_transition``, committed with the action) that sends
``work_order_transitioned`` from the worker: the escalation app's handler tells the first-contact owner, the handler and the supervisors from there (one
notification mechanism; ``notify=False`` on the signal when the caller tells them itself).
Dispatch, transfer, start and reply of a master order carry to its children and
record a notice for each child's customer.

The package is split by topic (``create``, ``lifecycle``, ``clocks``, ``notes``, ``merging``;
shared helpers in ``_common``); every public name is importable from here.
"""

from .actions import ActionResult, work_order_act, work_order_resolve
from .clocks import work_order_pause_clock, work_order_resume_clock
from .create import CreateResult, request_hash, work_order_create, work_order_submit
from .deadlines import work_order_deadlines_recompute
from .field import PHOTO_MAX_BYTES, work_order_depart, work_order_photo_add, work_order_restore
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
from .notes import work_order_note, work_order_set_priority, work_order_urge

__all__ = [
    "PHOTO_MAX_BYTES",
    "work_order_depart",
    "work_order_photo_add",
    "work_order_restore",
    "ActionResult",
    "work_order_act",
    "work_order_resolve",
    "CreateResult",
    "work_order_submit",
    "request_hash",
    "work_order_archive",
    "work_order_callback",
    "work_order_cancel",
    "work_order_create",
    "work_order_deadlines_recompute",
    "work_order_detach",
    "work_order_dispatch",
    "work_order_merge",
    "work_order_note",
    "work_order_pause_clock",
    "work_order_reopen",
    "work_order_reply",
    "work_order_resume_clock",
    "work_order_return",
    "work_order_set_priority",
    "work_order_start",
    "work_order_transfer",
    "work_order_urge",
]
