"""Writing rectification items: open (any app, for any source), fix with evidence, verify
(by someone other than who fixed it), reopen (the fix did not hold: a new cycle with a new
due date), cancel with a reason. Keyword-only, atomic, permission checked, row locked,
transition validated against ``choices.TRANSITIONS``, audited.

``actor=None`` in ``rectification_open`` is the system (a periodic check that found a
problem); every other service needs a person.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridcare.core.audit import audit_record
from gridcare.core.authz import require
from gridcare.core.calendar import add_working_days, next_working_day
from gridcare.core.errors import ApplicationError, ConflictError
from gridcare.core.limits import DESCRIPTION_MAX, TEXT_MAX, check_length
from gridcare.core.scoping import is_visible
from gridcare.core.uploads import DOCUMENTS, check_document
from gridcare.org.models import OrgUnit, StaffProfile

from .choices import TRANSITIONS, RectificationStatus
from .models import RectificationEvidence, RectificationItem, RectificationSetting
from .sources import closes_only_verified, is_source_kind

S = RectificationStatus


# ----------------------------------------------------------------------- pure helpers


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def due_date_for(
    *, now: dt.datetime, due_date: dt.date | None = None, working_days: int | None = None
) -> dt.date:
    """The due date of an item opened (or reopened) at ``now``: ``due_date`` moved to the
    next working day when it is a rest day, else ``working_days`` working days from now
    (the setting's default when neither is given). Refused: a date in the past, a count
    out of the setting's bounds, a date past the longest allowed."""
    today = timezone.localdate(now)
    longest = RectificationSetting.get(RectificationSetting.MAX_DUE_DAYS)
    if due_date is not None:
        if due_date < today:
            raise ApplicationError(_("整改期限不能早于今天"), field="due_date", code="past")
        if due_date > today + dt.timedelta(days=longest):
            raise ApplicationError(
                _("整改期限最长 %(days)s 天") % {"days": longest}, field="due_date", code="too_far"
            )
        return next_working_day(due_date)
    lo, hi = RectificationSetting.SPEC[RectificationSetting.DEFAULT_DUE_WORKING_DAYS][1:]
    if working_days is None:
        working_days = RectificationSetting.get(RectificationSetting.DEFAULT_DUE_WORKING_DAYS)
    if not lo <= working_days <= hi:
        raise ApplicationError(
            _("整改期限须为 %(lo)s～%(hi)s 个工作日") % {"lo": lo, "hi": hi},
            field="due_in_working_days",
            code="out_of_range",
        )
    return timezone.localdate(add_working_days(now, working_days))


def _text(value: str | None, *, field: str, required: bool, max_length: int = TEXT_MAX, label=None) -> str:
    value = (value or "").strip()
    check_length(value, field=field, max_length=max_length)
    if required and not value:
        raise ApplicationError(label or _("请填写内容"), field=field, code="required")
    return value


def owner_fits(owner, unit: OrgUnit) -> bool:
    """Whether ``owner`` (a user) may own an item of ``unit``: an active member of staff of
    the unit, of a unit below it, or of a unit above it that answers for it."""
    if owner is None or not getattr(owner, "is_active", False):
        return False
    staff = StaffProfile.objects.select_related("unit").filter(user=owner).first()
    return staff is not None and (
        staff.unit.path.startswith(unit.path) or unit.path.startswith(staff.unit.path)
    )


def _owner_check(owner, unit: OrgUnit):
    """The owner must be an active member of staff on the unit's chain (of the unit, below
    it, or of a unit above it that answers for it)."""
    if owner is None:
        return None
    if isinstance(owner, int):
        owner = get_user_model().objects.filter(pk=owner).first()
    if not owner_fits(owner, unit):
        raise ApplicationError(
            _("责任人须为责任单位（或其上下级单位）的在岗员工"), field="owner", code="invalid"
        )
    return owner


def _check_transition(item: RectificationItem, target: str) -> None:
    if target not in TRANSITIONS[item.status]:
        raise ApplicationError(
            _("整改事项处于“%(status)s”状态，不能变为“%(target)s”")
            % {"status": item.get_status_display(), "target": RectificationStatus(target).label},
            field="status",
            code="invalid_transition",
            status=409,
        )


def _lock(actor, perm: str, item: RectificationItem | int, expected_version: int | None) -> RectificationItem:
    pk = item.pk if isinstance(item, RectificationItem) else item
    locked = RectificationItem.objects.select_for_update().filter(pk=pk).first()
    if locked is None:
        raise ApplicationError(_("整改事项不存在"), field="item", code="not_found", status=404)
    require(actor, perm, locked)
    if expected_version is not None and locked.version != expected_version:
        raise ConflictError(_("整改事项已被他人修改，请刷新后重试"))
    return locked


def _save(item: RectificationItem, fields: list[str]) -> None:
    item.version += 1
    item.save(update_fields=[*fields, "version", "updated_at"])


# ------------------------------------------------------------------------- services


def rectification_open(
    *,
    actor,
    source_kind: str,
    title: str,
    unit: OrgUnit,
    source_ref: str = "",
    detail: str = "",
    owner=None,
    due_date: dt.date | None = None,
    due_in_working_days: int | None = None,
    now: dt.datetime | None = None,
) -> RectificationItem:
    """Register a problem to put right, owned by ``unit`` (and ``owner``, if named), due on
    a working day. Another app calls this for its source (``source_kind`` registered in
    ``sources``; ``source_ref`` its own reference): a source reference has one item, so
    opening it again returns that item unchanged (a rerun job opens nothing twice)."""
    if actor is not None:
        require(actor, "rectification.open")
        if not is_visible(actor, unit):
            raise ApplicationError(_("责任单位不在本单位范围内"), field="unit", code="out_of_scope")
    if not is_source_kind(source_kind):
        raise ApplicationError(_("未知的整改来源"), field="source_kind", code="invalid")
    source_ref = _text(source_ref, field="source_ref", required=False, max_length=64)
    title = _text(title, field="title", required=True, max_length=200, label=_("请填写问题"))
    detail = _text(detail, field="detail", required=False, max_length=DESCRIPTION_MAX)
    now = _now(now)
    if source_ref:
        existing = RectificationItem.objects.filter(source_kind=source_kind, source_ref=source_ref).first()
        if existing is not None:
            return existing
    due = due_date_for(now=now, due_date=due_date, working_days=due_in_working_days)
    owner = _owner_check(owner, unit)
    item = RectificationItem(
        source_kind=source_kind,
        source_ref=source_ref,
        title=title,
        detail=detail,
        unit=unit,
        unit_path=unit.path,
        owner=owner,
        due_date=due,
        opened_at=now,
        opened_by=actor if getattr(actor, "pk", None) else None,
        cycle_started_at=now,
    )
    try:
        with transaction.atomic():
            item.save()
            audit_record(
                actor=actor,
                action="rectification.open",
                obj=item,
                changes={
                    "source_kind": source_kind,
                    "source_ref": source_ref,
                    "unit": unit.code,
                    "owner": owner.pk if owner else None,
                    "due_date": due.isoformat(),
                },
                unit_path=unit.path,
            )
    except IntegrityError:  # another caller opened the same source a moment ago
        existing = RectificationItem.objects.filter(source_kind=source_kind, source_ref=source_ref).first()
        if existing is None:
            raise
        return existing
    return item


def rectification_fix(
    *,
    actor,
    item: RectificationItem | int,
    evidence: str,
    file_content: bytes | None = None,
    file_name: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> RectificationItem:
    """The owner's side says the problem is put right, with evidence (what was done; and
    optionally a photo, PDF or Word file — checked by content, at most 10 MB). The item
    then waits for someone else's verification."""
    require(actor, "rectification.fix")
    evidence = _text(evidence, field="evidence", required=True, label=_("请填写整改情况"))
    file_name = (file_name or "").strip()[-200:]
    kind = check_document(file_content, field="evidence_file", allowed=DOCUMENTS) if file_content else None
    now = _now(now)
    with transaction.atomic():
        locked = _lock(actor, "rectification.fix", item, expected_version)
        _check_transition(locked, S.FIXED)
        row = RectificationEvidence(
            item=locked, cycle=locked.cycle, text=evidence, token=secrets.token_hex(16), by=actor, at=now
        )
        if kind is not None:
            row.extension = kind.extension
            row.content_type = kind.content_type
            row.size = len(file_content)
            row.filename = file_name or f"evidence.{kind.extension}"
            row.file.save(f"{row.token}.{kind.extension}", ContentFile(file_content), save=False)
        try:
            row.save()
            locked.status = S.FIXED
            locked.fixed_at = now
            locked.fixed_by = actor
            _save(locked, ["status", "fixed_at", "fixed_by"])
            audit_record(
                actor=actor,
                action="rectification.fix",
                obj=locked,
                changes={
                    "status": [S.OPEN if locked.cycle == 1 else S.REOPENED, S.FIXED],
                    "evidence": evidence,
                    "file": row.content_type or None,
                },
                unit_path=locked.unit_path,
            )
        except Exception:
            if row.file:
                row.file.delete(save=False)
            raise
    return locked


def _decider_check(actor, item: RectificationItem, field: str) -> None:
    if item.fixed_by_id is not None and item.fixed_by_id == actor.pk:
        raise ApplicationError(_("整改须由整改人以外的人员验证"), field=field, code="same_person", status=409)


def rectification_verify(
    *,
    actor,
    item: RectificationItem | int,
    note: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> RectificationItem:
    """Someone other than who fixed it checks the fix and closes the item."""
    require(actor, "rectification.verify")
    note = _text(note, field="note", required=False)
    now = _now(now)
    with transaction.atomic():
        locked = _lock(actor, "rectification.verify", item, expected_version)
        _check_transition(locked, S.VERIFIED)
        _decider_check(actor, locked, "note")
        locked.status = S.VERIFIED
        locked.verified_at = now
        locked.verified_by = actor
        locked.verify_note = note
        _save(locked, ["status", "verified_at", "verified_by", "verify_note"])
        audit_record(
            actor=actor,
            action="rectification.verify",
            obj=locked,
            changes={"status": [S.FIXED, S.VERIFIED], "note": note},
            unit_path=locked.unit_path,
        )
    return locked


def rectification_reopen(
    *,
    actor,
    item: RectificationItem | int,
    reason: str,
    due_date: dt.date | None = None,
    due_in_working_days: int | None = None,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> RectificationItem:
    """The fix did not hold (checked by someone other than who fixed it): back to the owner
    with the reason, for a new cycle with a new due date (default: the setting's working
    days from now)."""
    require(actor, "rectification.verify")
    reason = _text(reason, field="reason", required=True, label=_("请填写退回原因"))
    now = _now(now)
    due = due_date_for(now=now, due_date=due_date, working_days=due_in_working_days)
    with transaction.atomic():
        locked = _lock(actor, "rectification.verify", item, expected_version)
        _check_transition(locked, S.REOPENED)
        _decider_check(actor, locked, "reason")
        old_due = locked.due_date
        locked.status = S.REOPENED
        locked.reopen_reason = reason
        locked.cycle += 1
        locked.cycle_started_at = now
        locked.due_date = due
        locked.fixed_at = None
        locked.fixed_by = None
        _save(
            locked,
            ["status", "reopen_reason", "cycle", "cycle_started_at", "due_date", "fixed_at", "fixed_by"],
        )
        audit_record(
            actor=actor,
            action="rectification.reopen",
            obj=locked,
            changes={
                "status": [S.FIXED, S.REOPENED],
                "reason": reason,
                "due_date": [old_due.isoformat(), due.isoformat()],
            },
            unit_path=locked.unit_path,
        )
    return locked


def rectification_cancel(
    *,
    actor,
    item: RectificationItem | int,
    reason: str,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> RectificationItem:
    """Withdraw an item that should not have been opened (a duplicate, not a problem),
    with the reason; it no longer counts in the closing rates."""
    require(actor, "rectification.cancel")
    reason = _text(reason, field="reason", required=True, label=_("请填写撤销原因"))
    now = _now(now)
    with transaction.atomic():
        locked = _lock(actor, "rectification.cancel", item, expected_version)
        _check_transition(locked, S.CANCELLED)
        if closes_only_verified(locked.source_kind):
            raise ApplicationError(
                _("此来源的整改事项只能经验证整改后关闭，不能撤销"),
                field="status",
                code="verified_only",
                status=409,
            )
        old = locked.status
        locked.status = S.CANCELLED
        locked.cancelled_at = now
        locked.cancel_reason = reason
        _save(locked, ["status", "cancelled_at", "cancel_reason"])
        audit_record(
            actor=actor,
            action="rectification.cancel",
            obj=locked,
            changes={"status": [old, S.CANCELLED], "reason": reason},
            unit_path=locked.unit_path,
        )
    return locked
