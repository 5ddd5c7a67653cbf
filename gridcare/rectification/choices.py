"""States of a rectification item (整改) and the one transition table."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RectificationStatus(models.TextChoices):
    OPEN = "open", _("待整改")
    FIXED = "fixed", _("已整改待验证")
    REOPENED = "reopened", _("验证未通过，重新整改")
    VERIFIED = "verified", _("已验证关闭")
    CANCELLED = "cancelled", _("已撤销")


S = RectificationStatus

# Waiting for the owner's fix: the due date runs (the time-limit monitor watches these).
AWAITING_FIX = frozenset({S.OPEN, S.REOPENED})
# Not closed yet (a fix waits for its verification too).
NOT_CLOSED = frozenset({S.OPEN, S.FIXED, S.REOPENED})
CLOSED = frozenset({S.VERIFIED, S.CANCELLED})

# THE transition table: status -> statuses it may move to.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.OPEN: frozenset({S.FIXED, S.CANCELLED}),
    S.FIXED: frozenset({S.VERIFIED, S.REOPENED, S.CANCELLED}),
    S.REOPENED: frozenset({S.FIXED, S.CANCELLED}),
    S.VERIFIED: frozenset(),
    S.CANCELLED: frozenset(),
}

# The action that moves an item into each state (services, pages and API share the names).
ACTION_TARGETS = {
    "fix": S.FIXED,
    "verify": S.VERIFIED,
    "reopen": S.REOPENED,
    "cancel": S.CANCELLED,
}
# The permission each action needs.
ACTION_PERMISSIONS = {
    "fix": "rectification.fix",
    "verify": "rectification.verify",
    "reopen": "rectification.verify",
    "cancel": "rectification.cancel",
}
