"""Every write of the customer portal.

The portal has no staff user: what a customer does is done by the portal's service account
(``portal_actor``: a staff profile at the top unit with the 95598 intake role whose password
is unusable — nobody signs in as it), the way a partner's requests are taken by the
partner's account. The customer is identified by the sign-in code flow below; services
take the ``Customer`` the portal session holds.

Sign-in never tells whether a customer number exists: asking for a code writes a code row
and counts the same limits whatever was typed; the SMS is queued only when the number and
the phone on file match, and the page says the same thing either way.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gridcare.core.audit import audit_record
from gridcare.core.authz import require
from gridcare.core.errors import ApplicationError, ConflictError
from gridcare.core.limits import DESCRIPTION_MAX, TEXT_MAX, check_length
from gridcare.core.uploads import DOCUMENTS, check_document
from gridcare.customers.models import Customer
from gridcare.customers.services import customer_update
from gridcare.escalation.choices import CallbackKind, CallbackResult, CallbackStatus, OutboundChannel
from gridcare.escalation.models import CallbackTask, OutboundMessage
from gridcare.escalation.services import callback_record, callback_task_ensure
from gridcare.escalation.services.notifications import outbound_enqueue
from gridcare.org.choices import Role
from gridcare.org.models import OrgUnit, StaffProfile
from gridcare.workorders import services as wo_services
from gridcare.workorders.choices import SUBTYPES_BY_TYPE, Channel, Dimension, RequestType, Status
from gridcare.workorders.models import WorkOrder

from .choices import (
    ATTACHMENT_MAX_BYTES,
    ATTACHMENTS_MAX,
    CHALLENGE_AFTER_FAILURES,
    CODE_DIGITS,
    CODE_MAX_TRIES,
    CODE_TTL_SECONDS,
    DEFAULT_DIMENSION,
    LOCK_AFTER_WRONG,
    PORTAL_TYPES,
    RATING_SCORES,
    REPORT_DIMENSION,
    REPORT_LOOKUP_PER_IP,
    SEND_PER_IP,
    SEND_PER_PHONE,
    SUBMIT_PER_IP,
    VERIFY_PER_IP,
    ChangeStatus,
    ReportTopic,
)
from .models import AnonymousReport, ContactChange, PortalAttachment, PortalRating, RateCounter, SignInCode

PORTAL_USERNAME = "portal-service"
REVIEW_PERM = "portal.review_contact"
PHONE_RE = re.compile(r"^\+?\d{7,15}$")
REPORT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
REPORT_CODE_LENGTH = 16  # 80 bits


class TooManyError(ApplicationError):
    """A limit was reached (429)."""

    def __init__(self, message, *, field: str = "", code: str = "rate_limited"):
        super().__init__(message, field=field, code=code, status=429)


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def keyed_hash(purpose: str, value: str) -> str:
    """A keyed hash (HMAC-SHA256 under the site's secret) of ``value`` for ``purpose``."""
    key = f"gridcare.portal.{purpose}:{settings.SECRET_KEY}".encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def normalize_phone(phone: str) -> str:
    return re.sub(r"[\s\-()（）]", "", phone or "")[:20]


# ------------------------------------------------------------------------ the service account


def portal_actor():
    """The portal's service account (created on first use at the top unit)."""
    User = get_user_model()
    user = User.objects.filter(username=PORTAL_USERNAME).select_related("staff__unit").first()
    if user is not None:
        return user
    root = OrgUnit.objects.filter(parent__isnull=True).order_by("path").first()
    if root is None:
        raise ApplicationError(_("网上营业厅暂不可用"), code="not_configured", status=503)
    try:
        with transaction.atomic():
            user = User(username=PORTAL_USERNAME, is_active=True)
            user.set_unusable_password()
            user.save()
            StaffProfile.objects.create(
                user=user,
                unit=root,
                role=Role.HOTLINE_AGENT,
                display_name=_("网上营业厅")[:50],
                service_account=True,
            )
    except IntegrityError:  # created concurrently
        pass
    return User.objects.select_related("staff__unit").get(username=PORTAL_USERNAME)


def is_portal_actor(user) -> bool:
    return getattr(user, "username", None) == PORTAL_USERNAME


# ------------------------------------------------------------------------------ counters


def _window_start(now: dt.datetime, seconds: int) -> dt.datetime:
    epoch = int(now.timestamp())
    return dt.datetime.fromtimestamp(epoch - epoch % seconds, tz=dt.UTC)


def rate_hit(key: str, window: int, *, now: dt.datetime | None = None) -> int:
    """Count one event of ``key`` in its current ``window`` (seconds); the count so far.
    The row's UPDATE serialises concurrent callers across processes."""
    start = _window_start(_now(now), window)
    key = key[:120]
    with transaction.atomic():
        rows = RateCounter.objects.filter(key=key, window_start=start)
        if not rows.update(count=F("count") + 1):
            try:
                with transaction.atomic():
                    RateCounter.objects.create(key=key, window_start=start, count=1)
                    return 1
            except IntegrityError:
                rows.update(count=F("count") + 1)
        return rows.values_list("count", flat=True).get()


def rate_count(key: str, window: int, *, now: dt.datetime | None = None) -> int:
    start = _window_start(_now(now), window)
    return (
        RateCounter.objects.filter(key=key[:120], window_start=start).values_list("count", flat=True).first()
        or 0
    )


def _take(key: str, limit: tuple[int, int], now) -> bool:
    window, most = limit
    return rate_hit(key, window, now=now) <= most


def ip_key(ip: str | None) -> str:
    return ip or "-"


def note_failure(ip: str | None, *, now=None) -> None:
    rate_hit(f"fail:ip:{ip_key(ip)}", CHALLENGE_AFTER_FAILURES[0], now=now)


def challenge_needed(ip: str | None, *, now=None) -> bool:
    """Whether requests from ``ip`` must answer the arithmetic question (after repeated failures)."""
    window, most = CHALLENGE_AFTER_FAILURES
    return rate_count(f"fail:ip:{ip_key(ip)}", window, now=now) >= most


def counters_purge(*, now: dt.datetime | None = None) -> dict:
    """Forget spent counters and codes (older than a day)."""
    cutoff = _now(now) - dt.timedelta(days=1)
    counters, _kinds = RateCounter.objects.filter(window_start__lt=cutoff).delete()
    codes, _kinds = SignInCode.objects.filter(expires_at__lt=cutoff).delete()
    return {"counters": counters, "codes": codes}


# ----------------------------------------------------------------------------- sign-in


def _too_many_text():
    return _("操作过于频繁，请稍后再试")


def code_request(
    *, customer_no: str, phone: str, ip: str | None = None, now: dt.datetime | None = None
) -> SignInCode:
    """Ask for a sign-in code. Always writes a code row (the caller keeps its id) and counts
    the per-phone and per-IP limits; the SMS goes out only when ``customer_no`` and ``phone``
    match the customer's file. Raises the same 400/429 whether or not the customer exists."""
    now = _now(now)
    customer_no = (customer_no or "").strip()[:20]
    phone = normalize_phone(phone)
    if not customer_no:
        raise ApplicationError(_("请填写户号"), field="customer_no", code="required")
    if not PHONE_RE.match(phone):
        raise ApplicationError(_("请填写正确的手机号码"), field="phone", code="invalid")
    phone_key = keyed_hash("phone", phone)
    ok_phone = _take(f"send:phone:{phone_key}", SEND_PER_PHONE, now)
    ok_ip = _take(f"send:ip:{ip_key(ip)}", SEND_PER_IP, now)
    if not (ok_phone and ok_ip):
        note_failure(ip, now=now)
        raise TooManyError(_too_many_text())
    customer = (
        Customer.objects.filter(customer_no=customer_no)
        .filter(Q(phone=phone) | (Q(phone2=phone) & ~Q(phone2="")))
        .only("pk", "phone", "phone2")
        .first()
    )
    code = "".join(secrets.choice("0123456789") for _i in range(CODE_DIGITS))
    with transaction.atomic():
        row = SignInCode.objects.create(
            customer=customer,
            phone_key=phone_key,
            code_hash="",
            ip=ip,
            created_at=now,
            expires_at=now + dt.timedelta(seconds=CODE_TTL_SECONDS),
        )
        row.code_hash = keyed_hash(f"code:{row.pk}", code)
        row.save(update_fields=["code_hash"])
        if customer is None:
            # The same look-up the outbox makes before queuing (the key is new: nothing found),
            # so both paths make the same kinds of round trips.
            OutboundMessage.objects.filter(key=f"portal:code:{row.pk}").exists()
        else:
            outbound_enqueue(
                channel=OutboundChannel.SMS,
                recipient=phone,
                body=_(
                    "【供电服务】您的网上营业厅登录验证码为 %(code)s，%(minutes)s 分钟内有效，请勿告诉他人。"
                )
                % {"code": code, "minutes": CODE_TTL_SECONDS // 60},
                key=f"portal:code:{row.pk}",
            )
    return row


def code_verify(
    *, code_id: int | None, code: str, ip: str | None = None, now: dt.datetime | None = None
) -> Customer:
    """The customer a correct, unexpired, unused code was sent to; otherwise one answer for
    every failure ("wrong or expired"), or 429 when the phone is locked after repeated wrong
    codes or the IP verifies too often. A code is spent after ``CODE_MAX_TRIES`` wrong tries."""
    now = _now(now)
    code = (code or "").strip()[: CODE_DIGITS + 2]
    if not _take(f"verify:ip:{ip_key(ip)}", VERIFY_PER_IP, now):
        note_failure(ip, now=now)
        raise TooManyError(_too_many_text())
    wrong = ApplicationError(_("验证码错误或已失效，请重新获取"), field="code", code="invalid_code")
    if not code_id:
        note_failure(ip, now=now)
        raise wrong
    row = SignInCode.objects.filter(pk=code_id).first()
    if row is None:
        note_failure(ip, now=now)
        raise wrong
    lock_window, lock_after = LOCK_AFTER_WRONG
    if rate_count(f"wrong:phone:{row.phone_key}", lock_window, now=now) >= lock_after:
        raise TooManyError(_("错误次数过多，该号码已暂时锁定，请 30 分钟后再试"), code="locked")
    customer = None
    with transaction.atomic():
        locked = SignInCode.objects.select_for_update().get(pk=row.pk)
        good = (
            locked.used_at is None
            and locked.expires_at > now
            and locked.tries < CODE_MAX_TRIES
            and hmac.compare_digest(locked.code_hash, keyed_hash(f"code:{locked.pk}", code))
            and locked.customer_id is not None
        )
        if good:
            locked.used_at = now
            locked.save(update_fields=["used_at"])
            customer = Customer.objects.select_related("station").get(pk=locked.customer_id)
        else:
            locked.tries = min(locked.tries + 1, 32767)
            locked.save(update_fields=["tries"])
    if customer is None:
        rate_hit(f"wrong:phone:{row.phone_key}", lock_window, now=now)
        note_failure(ip, now=now)
        raise wrong
    audit_record(
        actor=None,
        action="portal.sign_in",
        obj=customer,
        changes={"ip": ip or ""},
        unit_path=customer.station.path,
    )
    return customer


# ------------------------------------------------------------------------ submissions


def _check_files(files) -> list[tuple[bytes, str, object]]:
    files = [f for f in (files or []) if f is not None]
    if len(files) > ATTACHMENTS_MAX:
        raise ApplicationError(
            _("最多上传 %(n)s 个附件") % {"n": ATTACHMENTS_MAX}, field="attachments", code="too_many"
        )
    out = []
    for item in files:
        content, name = item if isinstance(item, tuple) else (item.read(ATTACHMENT_MAX_BYTES + 1), item.name)
        kind = check_document(content, field="attachments", allowed=DOCUMENTS, max_bytes=ATTACHMENT_MAX_BYTES)
        out.append((content, (name or "")[:120], kind))
    return out


def _store_files(order: WorkOrder, checked, now) -> list[PortalAttachment]:
    stored = []
    for content, name, kind in checked:
        att = PortalAttachment(
            order=order,
            token=secrets.token_hex(16),
            name=name,
            content_type=kind.content_type,
            extension=kind.extension,
            size=len(content),
            uploaded_at=now,
        )
        att.file.save(f"{att.token}.{kind.extension}", ContentFile(content), save=False)
        att.save()
        stored.append(att)
    return stored


def request_submit(
    *,
    customer: Customer,
    request_type: str,
    description: str,
    subtype: str = "",
    dimension: str = "",
    files=None,
    ip: str | None = None,
    now: dt.datetime | None = None,
) -> WorkOrder:
    """A signed-in customer's request becomes a ``web`` order with the customer as first
    contact. ``files``: uploaded files or ``(bytes, name)`` pairs, each checked by content.
    At most ``SUBMIT_PER_IP`` submissions per IP per hour (429 beyond)."""
    now = _now(now)
    if not _take(f"submit:ip:{ip_key(ip)}", SUBMIT_PER_IP, now):
        raise TooManyError(_("提交过于频繁，请稍后再试"))
    if request_type not in PORTAL_TYPES:
        raise ApplicationError(_("请选择诉求类型"), field="request_type", code="invalid_choice")
    if subtype and subtype not in SUBTYPES_BY_TYPE.get(request_type, frozenset()):
        raise ApplicationError(_("请选择业务类型"), field="subtype", code="invalid_choice")
    dimension = dimension or DEFAULT_DIMENSION[request_type]
    if dimension not in Dimension.values:
        raise ApplicationError(_("请选择涉及方面"), field="dimension", code="invalid_choice")
    description = check_length((description or "").strip(), field="description", max_length=DESCRIPTION_MAX)
    if not description:
        raise ApplicationError(_("请描述您的诉求"), field="description", code="required")
    checked = _check_files(files)
    actor = portal_actor()
    with transaction.atomic():
        order = wo_services.work_order_create(
            actor=actor,
            channel=Channel.WEB,
            request_type=request_type,
            subtype=subtype,
            dimension=dimension,
            description=description,
            customer=customer,
            contact_name=customer.name,
            contact_phone=customer.phone,
            address=customer.address,
            now=now,
        )
        stored = _store_files(order, checked, now)
        audit_record(
            actor=actor,
            action="portal.submit",
            obj=order,
            changes={"customer": customer.customer_no, "attachments": len(stored), "ip": ip or ""},
            unit_path=order.unit_path,
        )
    return order


def _report_code() -> str:
    return "".join(secrets.choice(REPORT_ALPHABET) for _i in range(REPORT_CODE_LENGTH))


def format_report_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def _clean_report_code(code: str) -> str:
    return re.sub(r"[\s\-]", "", (code or "").upper())[:40]


def report_submit(
    *,
    topic: str,
    description: str,
    address: str = "",
    files=None,
    ip: str | None = None,
    now: dt.datetime | None = None,
) -> tuple[WorkOrder, str]:
    """An anonymous report (举报): an order of type ``report`` with no customer, taken at the
    portal account's unit; returns the order and its tracking code (shown once, kept hashed)."""
    now = _now(now)
    if not _take(f"submit:ip:{ip_key(ip)}", SUBMIT_PER_IP, now):
        raise TooManyError(_("提交过于频繁，请稍后再试"))
    if topic not in ReportTopic.values:
        raise ApplicationError(_("请选择举报内容"), field="topic", code="invalid_choice")
    description = check_length((description or "").strip(), field="description", max_length=DESCRIPTION_MAX)
    if not description:
        raise ApplicationError(_("请描述举报的事情"), field="description", code="required")
    address = check_length((address or "").strip(), field="address", max_length=200)
    checked = _check_files(files)
    actor = portal_actor()
    code = _report_code()
    with transaction.atomic():
        order = wo_services.work_order_create(
            actor=actor,
            channel=Channel.WEB,
            request_type=RequestType.REPORT,
            dimension=REPORT_DIMENSION[topic],
            description=description,
            address=address,
            now=now,
        )
        _store_files(order, checked, now)
        AnonymousReport.objects.create(
            order=order, code_hash=keyed_hash("report", code), topic=topic, created_at=now
        )
        audit_record(
            actor=actor,
            action="portal.report",
            obj=order,
            changes={"topic": topic, "ip": ip or ""},
            unit_path=order.unit_path,
        )
    return order, format_report_code(code)


def report_lookup(*, code: str, ip: str | None = None, now: dt.datetime | None = None) -> WorkOrder | None:
    """The order of the report with tracking ``code`` (None when unknown); looked up at most
    ``REPORT_LOOKUP_PER_IP`` times an hour per IP."""
    now = _now(now)
    if not _take(f"report:ip:{ip_key(ip)}", REPORT_LOOKUP_PER_IP, now):
        raise TooManyError(_too_many_text())
    cleaned = _clean_report_code(code)
    if len(cleaned) != REPORT_CODE_LENGTH:
        return None
    row = (
        AnonymousReport.objects.filter(code_hash=keyed_hash("report", cleaned))
        .select_related("order")
        .first()
    )
    return row.order if row else None


# -------------------------------------------------------------------------------- rating

RATABLE = frozenset({Status.REPLIED, Status.CALLBACK})


def outcome_of(score: int) -> str:
    """A 1–5 rating as a callback result: 5 satisfied, 3–4 basically satisfied, 1–2 unsatisfied."""
    if score >= 5:
        return CallbackResult.SATISFIED
    if score >= 3:
        return CallbackResult.BASICALLY_SATISFIED
    return CallbackResult.UNSATISFIED


def order_rate(
    *, customer: Customer, order: WorkOrder | int, score, words: str = "", now: dt.datetime | None = None
) -> PortalRating:
    """The customer rates their replied order once. The rating is recorded as the result of
    the order's callback task (escalation's ``callback_record``: satisfied archives the order,
    unsatisfied reopens and escalates it), so it counts in the one satisfaction figure —
    whatever the type's callback sampling: a customer who rates is always heard. When the
    callback cannot take it (an agent's attempt minutes ago), it is kept here only."""
    now = _now(now)
    try:
        score = int(score)
    except (TypeError, ValueError):
        score = 0
    if score not in RATING_SCORES:
        raise ApplicationError(_("请选择 1 到 5 分"), field="score", code="invalid")
    words = check_length((words or "").strip(), field="words", max_length=TEXT_MAX)
    if score <= 2 and not words:
        raise ApplicationError(_("请告诉我们哪里做得不好"), field="words", code="required")
    pk = order.pk if isinstance(order, WorkOrder) else order
    actor = portal_actor()
    with transaction.atomic():
        locked = WorkOrder.objects.select_for_update().filter(pk=pk, customer=customer).first()
        if locked is None:
            raise ApplicationError(_("工单不存在"), field="order", code="not_found", status=404)
        if PortalRating.objects.filter(order=locked).exists():
            raise ConflictError(_("您已评价过该工单"), field="order", code="rated")
        if locked.status not in RATABLE:
            raise ConflictError(_("工单答复后才能评价"), field="order", code="not_replied")
        outcome = outcome_of(score)
        task = (
            CallbackTask.objects.filter(order=locked, kind=CallbackKind.ORDER, status=CallbackStatus.PENDING)
            .order_by("-cycle_at")
            .first()
        )
        if task is None and locked.status == Status.REPLIED:
            task = callback_task_ensure(order=locked.pk, now=now, always=True)
        recorded = None
        if task is not None and task.status == CallbackStatus.PENDING:
            try:
                with transaction.atomic():
                    recorded = callback_record(
                        actor=actor,
                        task=task,
                        outcome=outcome,
                        words=words,
                        now=now,
                    )
            except ApplicationError:
                recorded = None  # e.g. an agent's attempt minutes ago: kept here, called as planned
        rating = PortalRating.objects.create(
            order=locked,
            customer=customer,
            score=score,
            words=words,
            outcome=outcome,
            callback=recorded,
            at=now,
        )
        audit_record(
            actor=actor,
            action="portal.rate",
            obj=locked,
            changes={"score": score, "outcome": outcome, "callback": recorded.pk if recorded else None},
            note=words,
            unit_path=locked.unit_path,
        )
    return rating


# ------------------------------------------------------------------------ contact changes


def contact_change_request(
    *, customer: Customer, phone: str = "", address: str = "", note: str = "", now=None
) -> ContactChange:
    """Ask to change the phone and/or address on file; one pending request per customer."""
    phone = normalize_phone(phone)
    address = check_length((address or "").strip(), field="address", max_length=200)
    note = check_length((note or "").strip(), field="note", max_length=200)
    if phone and not PHONE_RE.match(phone):
        raise ApplicationError(_("请填写正确的手机号码"), field="phone", code="invalid")
    if phone == customer.phone:
        phone = ""
    if address == customer.address:
        address = ""
    if not phone and not address:
        raise ApplicationError(_("请填写要修改的新电话或新地址"), field="phone", code="required")
    customer = Customer.objects.select_related("station").get(pk=customer.pk)
    with transaction.atomic():
        if ContactChange.objects.filter(customer=customer, status=ChangeStatus.PENDING).exists():
            raise ConflictError(_("您已有待审核的变更申请，请等待审核结果"), field="phone", code="pending")
        try:
            with transaction.atomic():
                change = ContactChange.objects.create(
                    customer=customer,
                    phone=phone,
                    address=address,
                    old_phone=customer.phone,
                    old_address=customer.address,
                    note=note,
                    unit_path=customer.station.path,
                )
        except IntegrityError:
            raise ConflictError(
                _("您已有待审核的变更申请，请等待审核结果"), field="phone", code="pending"
            ) from None
        audit_record(
            actor=portal_actor(),
            action="portal.contact_request",
            obj=change,
            changes={"customer": customer.customer_no, "phone": bool(phone), "address": bool(address)},
            unit_path=change.unit_path,
        )
    return change


def contact_change_review(
    *, actor, change: ContactChange | int, approve: bool, reason: str = "", expected_version=None, now=None
) -> ContactChange:
    """Approve (the customer's master data changes through ``customers.services.customer_update``,
    audited there) or reject (a reason is required) a pending change. The customer is told by
    SMS on the phone on file before the change."""
    require(actor, REVIEW_PERM)
    now = _now(now)
    reason = check_length((reason or "").strip(), field="reason", max_length=500)
    if not approve and not reason:
        raise ApplicationError(_("驳回须填写原因"), field="reason", code="required")
    pk = change.pk if isinstance(change, ContactChange) else change
    with transaction.atomic():
        locked = (
            ContactChange.objects.visible_to(actor)
            .select_for_update(of=("self",))
            .select_related("customer")
            .filter(pk=pk)
            .first()
        )
        if locked is None:
            raise ApplicationError(_("申请不存在"), field="change", code="not_found", status=404)
        if expected_version not in (None, "") and int(expected_version) != locked.version:
            raise ConflictError(_("已被他人处理，请刷新后再看"), field="version")
        if locked.status != ChangeStatus.PENDING:
            raise ConflictError(_("该申请已审核"), field="change", code="reviewed")
        customer = locked.customer
        tell = customer.phone
        if approve:
            data = {}
            if locked.phone:
                data["phone"] = locked.phone
            if locked.address:
                data["address"] = locked.address
            customer_update(actor=actor, customer=customer, data=data)
        locked.status = ChangeStatus.APPROVED if approve else ChangeStatus.REJECTED
        locked.reason = reason
        locked.reviewed_by = actor
        locked.reviewed_at = now
        locked.version += 1
        locked.save(update_fields=["status", "reason", "reviewed_by", "reviewed_at", "version", "updated_at"])
        audit_record(
            actor=actor,
            action="portal.contact_review",
            obj=locked,
            changes={"status": [ChangeStatus.PENDING, locked.status]},
            note=reason,
            unit_path=locked.unit_path,
        )
        if tell:
            body = (
                _("【供电服务】您在网上营业厅提交的联系信息变更已审核通过。")
                if approve
                else _("【供电服务】您在网上营业厅提交的联系信息变更未通过审核：%(reason)s")
                % {"reason": reason[:60]}
            )
            outbound_enqueue(
                channel=OutboundChannel.SMS, recipient=tell, body=body, key=f"portal:change:{locked.pk}"
            )
    return locked
