"""The time-limit monitor for deadlines other apps register (``gridcare.core.deadlines``):
an outage's restoration, watched like an order's clock.

The sweep (run by the monitor's job right after the orders' ``sla_sweep``) lists each
source's running deadlines, works out which active warning levels each has reached
(``deadline_threshold``: the share of its time used, the orders' arithmetic) and hands
those to the source to record under the subject's row lock — unique per subject and level,
so nothing is warned or escalated twice, whoever runs the sweep and however often. For what
was recorded now it acts as for an order:

- a warning level: audited (``escalation.warn``); the unit's dispatch desk and supervisors
  are told as the notification rules say for a time-limit warning (only the highest level
  reached in one sweep is told, and nothing when that level escalates: the escalation
  tells everyone);
- an escalating level (the breach, 100 %): one unit up the organisation per escalating
  level (the first from the responsible unit to its parent), audited
  (``escalation.escalate``), the receiving unit's supervisors and dispatchers told as the
  rules say for an escalation, and the supervisors told at once also by SMS (one message
  per level and person: the outbox key). At the top of the tree nothing goes further.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import translation

from gridcare.core.audit import audit_record
from gridcare.core.deadlines import Deadline, Hit, deadline_sources, deadline_threshold
from gridcare.core.messages import msg
from gridcare.org.choices import Role
from gridcare.org.models import OrgUnit, StaffProfile

from ..choices import (
    EscalationReason,
    NotificationDelivery,
    NotificationEvent,
    NotificationKind,
    OutboundChannel,
)
from ..models import Notification, NotificationDigestItem, WarningLevel
from ._common import now_or
from .notifications import (
    OrderParties,
    notification_deliveries,
    notification_rows,
    notification_rules,
    outbound_enqueue,
    roles_needed,
    unit_staff,
)


def _codes(path: str) -> list[str]:
    return [c for c in path.strip("/").split("/") if c]


def escalation_ranks(levels: list[WarningLevel]) -> dict[int, int]:
    """Pure: level id -> how many units up it escalates (the first escalating level by
    percent one, the next two, …); warning-only levels are not in it."""
    ranked = sorted((lv for lv in levels if lv.escalate), key=lambda lv: (lv.percent, lv.pk))
    return {lv.pk: n for n, lv in enumerate(ranked, start=1)}


def deadline_hits(
    deadline: Deadline, levels: list[WarningLevel], now: dt.datetime, units: dict[str, OrgUnit] | None = None
) -> list[Hit]:
    """The levels ``deadline`` has reached by ``now`` and not recorded yet, by percent;
    an escalating one carries the unit it goes to (``units``: code -> unit of its path)."""
    ranks = escalation_ranks(levels)
    chain = _codes(deadline.unit_path)
    hits = []
    for level in sorted(levels, key=lambda lv: (lv.percent, lv.pk)):
        if level.pk in deadline.reached:
            continue
        threshold = deadline_threshold(deadline.started_at, deadline.due_at, level.percent)
        if threshold > now:
            continue
        to_unit = None
        if level.pk in ranks and units is not None and len(chain) > ranks[level.pk]:
            to_unit = units.get(chain[-1 - ranks[level.pk]])
        hits.append(Hit(level=level, threshold_at=threshold, to_unit=to_unit))
    return hits


def _tell(*, event: str, kind: str, path: str, text, deadline: Deadline, rules: dict, now) -> dict[int, str]:
    """The people of the unit at ``path`` an event reaches by the rules (supervisors,
    dispatchers; with no named handler the handler rule reaches the dispatch desk)."""
    roles = roles_needed(event, rules)
    staff = unit_staff([path], roles)[path] if roles else {}
    parties = OrderParties(
        supervisors=staff.get(Role.SUPERVISOR, []), dispatchers=staff.get(Role.DISPATCHER, [])
    )
    deliveries = notification_deliveries(event=event, parties=parties, rules=rules)
    notes, items = notification_rows(
        deliveries, kind=kind, event=event, text=text, order_id=None, url=deadline.url, now=now
    )
    if notes:
        Notification.objects.bulk_create(notes)
    if items:
        NotificationDigestItem.objects.bulk_create(items)
    return deliveries


def _escalate(deadline: Deadline, hit: Hit, rank: int, units: dict[str, OrgUnit], rules: dict, now) -> bool:
    target = hit.to_unit
    if target is None:  # the top of the tree: nowhere further to go
        return False
    chain = _codes(deadline.unit_path)
    source_code = chain[-rank]
    audit_record(
        actor=None,
        action="escalation.escalate",
        obj=deadline.subject,
        changes={"unit": [source_code, target.code], "reason": EscalationReason.BREACH, "level": rank},
        unit_path=deadline.unit_path,
    )
    text = msg(
        "notify.deadline_escalated", what=deadline.source, no=deadline.number, unit=target.name, level=rank
    )
    told = _tell(
        event=NotificationEvent.ESCALATED,
        kind=NotificationKind.ESCALATION,
        path=target.path,
        text=text,
        deadline=deadline,
        rules=rules,
        now=now,
    )
    at_once = sorted(uid for uid, how in told.items() if how == NotificationDelivery.IMMEDIATE)
    if at_once:
        with translation.override(settings.LANGUAGE_CODE):  # an SMS goes out in the site's language
            body = text.render()
        for staff in StaffProfile.objects.filter(user_id__in=at_once, role=Role.SUPERVISOR).exclude(phone=""):
            outbound_enqueue(
                channel=OutboundChannel.SMS,
                recipient=staff.phone,
                body=body,
                key=f"deadline:{deadline.source}:{deadline.subject.pk}:{hit.level.pk}:{staff.user_id}",
            )
    return True


def _act(deadline: Deadline, new: list[Hit], ranks: dict[int, int], units, rules: dict, now, stats) -> None:
    for hit in new:
        stats["warnings"] += 1
        if hit.level.pk in ranks and _escalate(deadline, hit, ranks[hit.level.pk], units, rules, now):
            stats["escalations"] += 1
            continue
        audit_record(
            actor=None,
            action="escalation.warn",
            obj=deadline.subject,
            changes={"percent": hit.level.percent, "due": deadline.due_at.isoformat()},
            unit_path=deadline.unit_path,
        )
    top = max(new, key=lambda h: (h.level.percent, h.level.pk))
    if not top.level.escalate:  # an escalation told everyone already
        _tell(
            event=NotificationEvent.WARNING,
            kind=NotificationKind.WARNING,
            path=deadline.unit_path,
            text=msg(
                "notify.deadline_warning",
                what=deadline.source,
                no=deadline.number,
                percent=top.level.percent,
                due=deadline.due_at,
            ),
            deadline=deadline,
            rules=rules,
            now=now,
        )


def deadline_sweep(*, now: dt.datetime | None = None) -> dict:
    """Warn and escalate every registered deadline whose next level is due; returns counts.

    Each deadline that reached something is its own transaction: the source records the
    levels under the subject's lock and the monitor acts on those recorded now, so a crash
    loses nothing (the next sweep finds the levels unrecorded) and repeats nothing."""
    now = now_or(now)
    levels = list(WarningLevel.objects.filter(active=True).order_by("percent"))
    stats = {"examined": 0, "warnings": 0, "escalations": 0}
    if not levels:
        return stats
    ranks = escalation_ranks(levels)
    rules = None
    for source in deadline_sources():
        for deadline in source.running(now=now):
            if not deadline_hits(deadline, levels, now):
                continue
            stats["examined"] += 1
            chain = _codes(deadline.unit_path)
            units = {u.code: u for u in OrgUnit.objects.filter(code__in=chain)} if ranks else {}
            hits = deadline_hits(deadline, levels, now, units)
            with transaction.atomic():
                new = source.record(deadline=deadline, hits=hits, now=now)
                if not new:
                    continue
                if rules is None:
                    rules = notification_rules()
                _act(deadline, new, ranks, units, rules, now, stats)
    return stats
