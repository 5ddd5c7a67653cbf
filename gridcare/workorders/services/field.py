"""A repair crew's progress on a fault, in its own times: departure, arrival (``start``),
restoration with the cause found, and photos from the site. The arrival and restoration
clocks stop at the times the crew gives (not when they get to type them in)."""

from __future__ import annotations

import datetime as dt
import io
import secrets

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from gridcare.core.audit import audit_record
from gridcare.core.authz import require
from gridcare.core.errors import ApplicationError, ConflictError
from gridcare.core.limits import TEXT_MAX, check_length
from gridcare.core.messages import msg

from ..choices import Action, FaultCause, RequestType, Status
from ..models import WorkOrder, WorkOrderPhoto
from ._common import _apply_clock_effects, _check_role, _field_time, _lock, _now, _record, _save_quiet

PHOTO_MAX_BYTES = 8 * 1024 * 1024
PHOTO_MAX_PIXELS = 40_000_000
PHOTO_TYPES = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}
PHOTOS_PER_ORDER = 20


def _fault(order: WorkOrder) -> None:
    if order.request_type != RequestType.FAULT_REPAIR:
        raise ConflictError(gettext("只有故障报修工单记录抢修过程"), code="not_fault_repair", field="order")


def work_order_depart(
    *,
    actor,
    order: WorkOrder | int,
    at=None,
    note: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> WorkOrder:
    """The crew sets off for the site (出发): recorded once, while the order is dispatched."""
    _check_role(actor, Action.DEPART)
    check_length(note, field="note", max_length=TEXT_MAX)
    now = _now(now)
    with transaction.atomic():
        order = _lock(actor, order, expected_version)
        _fault(order)
        if order.status != Status.DISPATCHED or order.departed_at is not None:
            raise ConflictError(
                gettext("只能在派单后、出发前记录出发"), code="invalid_transition", field="status"
            )
        order.departed_at = _field_time(order, at, now=now)
        _save_quiet(order, ["departed_at"])
        _record(
            order,
            action=Action.DEPART,
            actor=actor,
            from_status=order.status,
            to_status=order.status,
            now=now,
            note=note,
            data={"at": order.departed_at.isoformat()},
        )
        return order


def work_order_restore(
    *,
    actor,
    order: WorkOrder | int,
    fault_cause: str,
    at=None,
    isolated_at=None,
    note: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> WorkOrder:
    """Supply is back (恢复送电), with the cause found: stops the restoration clock at the
    crew's time. Recorded once, while the order is in progress; the reply follows.
    ``isolated_at``, optional: when the crew isolated the fault (故障隔离) — on this visit,
    so not before the arrival and not after the restoration (nor in the future)."""
    _check_role(actor, Action.RESTORE)
    check_length(note, field="note", max_length=TEXT_MAX)
    if fault_cause not in FaultCause.values:
        raise ApplicationError(gettext("请选择故障原因"), field="fault_cause", code="required")
    now = _now(now)
    with transaction.atomic():
        order = _lock(actor, order, expected_version)
        _fault(order)
        if order.status != Status.IN_PROGRESS or order.restored_at is not None:
            raise ConflictError(
                gettext("只能在到达现场后记录恢复送电"), code="invalid_transition", field="status"
            )
        at = _field_time(order, at, now=now, after=order.arrived_at)
        isolated = _isolation_time(order, isolated_at, restored=at, now=now)
        order.restored_at, order.fault_cause, order.isolated_at = at, fault_cause, isolated
        _apply_clock_effects(order, Action.RESTORE, at)
        _save_quiet(order, ["restored_at", "fault_cause", "isolated_at", "due_at"])
        data = {"at": at.isoformat(), "fault_cause": fault_cause}
        if isolated is not None:
            data["isolated_at"] = isolated.isoformat()
        _record(
            order,
            action=Action.RESTORE,
            actor=actor,
            from_status=order.status,
            to_status=order.status,
            now=now,
            note=note,
            data=data,
            msg=msg("order.isolated", at=isolated) if isolated is not None else None,
        )
        return order


def _isolation_time(order: WorkOrder, value, *, restored: dt.datetime, now: dt.datetime):
    """The optional isolation time given with a restoration: blank is none; otherwise a
    crew's time (not in the future, not before the arrival) and not after the restoration."""
    if value in (None, ""):
        return None
    isolated = _field_time(order, value, now=now, field="isolated_at", after=order.arrived_at)
    if isolated > restored:
        raise ApplicationError(
            gettext("故障隔离时间不能晚于恢复送电时间（%(t)s）")
            % {"t": timezone.localtime(restored).strftime("%Y-%m-%d %H:%M")},
            field="isolated_at",
            code="after_restoration",
        )
    return isolated


def work_order_photo_add(
    *, actor, order: WorkOrder | int, content: bytes, filename: str = "", caption: str = "", now=None
) -> WorkOrderPhoto:
    """Keep a photo from the site. Only images (JPEG, PNG, WebP — recognised by content,
    whatever the file is called), at most 8 MB and 40 megapixels, 20 per order."""
    require(actor, "workorders.attach_photo")
    check_length(caption, field="caption", max_length=200)
    if not content:
        raise ApplicationError(gettext("请选择照片"), field="photo", code="required")
    if len(content) > PHOTO_MAX_BYTES:
        raise ApplicationError(
            gettext("照片过大（最大 %(mb)s MB）") % {"mb": PHOTO_MAX_BYTES // 1024 // 1024},
            field="photo",
            code="too_large",
        )
    from PIL import Image, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = PHOTO_MAX_PIXELS
    try:
        with Image.open(io.BytesIO(content)) as img:
            kind = img.format
            width, height = img.size
            img.verify()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError, SyntaxError):
        raise ApplicationError(
            gettext("不是可识别的照片（支持 JPEG、PNG、WebP）"), field="photo", code="invalid"
        )
    if kind not in PHOTO_TYPES or width * height > PHOTO_MAX_PIXELS:
        raise ApplicationError(
            gettext("不是可识别的照片（支持 JPEG、PNG、WebP）"), field="photo", code="invalid"
        )
    content_type, extension = PHOTO_TYPES[kind]
    now = _now(now)
    with transaction.atomic():
        locked = _lock(actor, order, None)
        if locked.photos.count() >= PHOTOS_PER_ORDER:
            raise ConflictError(
                gettext("每张工单最多 %(n)s 张照片") % {"n": PHOTOS_PER_ORDER}, field="photo", code="too_many"
            )
        photo = WorkOrderPhoto(
            order=locked,
            token=secrets.token_hex(16),
            extension=extension,
            content_type=content_type,
            size=len(content),
            width=width,
            height=height,
            caption=caption.strip(),
            uploaded_by=actor,
            uploaded_at=now,
        )
        # The file is written first; if the row or its audit fails, the file goes too.
        photo.file.save(f"{photo.token}.{extension}", ContentFile(content), save=False)
        try:
            photo.save()
            audit_record(
                actor=actor,
                action="work_order.photo_add",
                obj=locked,
                changes={"photo": photo.token, "bytes": len(content), "type": content_type},
                unit_path=locked.unit_path,
            )
        except Exception:
            photo.file.delete(save=False)
            raise
        return photo
