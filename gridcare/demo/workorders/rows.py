"""Rows in the making: timeline entries, clocks, order rows with defaults, the commitment catalog in memory."""

from __future__ import annotations

import random
from types import SimpleNamespace

from gridcare.workorders.choices import (
    ApplicationSubtype,
)
from gridcare.workorders.models import (
    CommitmentRule,
    WorkOrder,
)
from gridcare.workorders.rules import winning_rules

from .texts import SUBTYPE_KEYWORDS


class _Ev:
    """A timeline row in the making (model instances cost too much at this volume)."""

    __slots__ = ("order_id", "at", "actor_id", "action", "from_status", "to_status", "note", "data")

    def __init__(self, *, at, action, from_status, to_status, actor_id=None, note="", data=None):
        self.order_id, self.at, self.actor_id, self.action = None, at, actor_id, action
        self.from_status, self.to_status, self.note, self.data = from_status, to_status, note, data or {}


class _Clock:
    __slots__ = (
        "order_id",
        "kind",
        "basis",
        "amount",
        "after",
        "started_at",
        "due_at",
        "met_at",
        "paused_since",
        "paused_seconds",
    )

    def __init__(self, *, kind, basis, amount, started_at, due_at, after=""):
        self.order_id, self.kind, self.basis, self.amount, self.after = None, kind, basis, amount, after
        self.started_at, self.due_at, self.met_at, self.paused_since, self.paused_seconds = (
            started_at,
            due_at,
            None,
            None,
            0,
        )


_ORDER_DEFAULTS: dict | None = None


def _order_row(**values) -> SimpleNamespace:
    """A work-order row in the making, with every column's default."""
    global _ORDER_DEFAULTS
    if _ORDER_DEFAULTS is None:
        _ORDER_DEFAULTS = {
            f.attname: (None if f.primary_key else f.get_default()) for f in WorkOrder._meta.concrete_fields
        }
    row = SimpleNamespace(**_ORDER_DEFAULTS)
    row.unit = row.accepted_unit = row.dispatcher_unit = None
    for key, value in values.items():
        setattr(row, key, value)
    return row


def _subtype_for(text: str, rnd: random.Random) -> str:
    for words, subtype in SUBTYPE_KEYWORDS:
        if any(w in text for w in words):
            return subtype
    return rnd.choice(
        [ApplicationSubtype.NEW_CONNECTION, ApplicationSubtype.NEW_CONNECTION, ApplicationSubtype.OTHER]
    )


class _Rules:
    """The commitment catalog in memory, resolved like ``selectors.commitment_rules_for``."""

    def __init__(self):
        self.rules = list(CommitmentRule.objects.filter(active=True))
        self.cache: dict[tuple, dict[str, CommitmentRule]] = {}

    def for_order(
        self, rtype: str, subtype: str, area_class: str, category: str
    ) -> dict[str, CommitmentRule]:
        key = (rtype, subtype, area_class, category)
        if key not in self.cache:
            self.cache[key] = winning_rules(
                self.rules,
                request_type=rtype,
                subtype=subtype,
                area_class=area_class,
                customer_category=category,
            )
        return self.cache[key]
