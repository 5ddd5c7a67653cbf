"""Every write of partner access: partners, their keys (issued, re-scoped, revoked), the
record of each call, the per-minute count, and a request submitted through Open311.

Admin services are keyword-only, atomic, checked against ``partners.manage``, refuse a
stale ``expected_version`` (409) and are audited. The Open311 services take the key the
caller authenticated with instead of a signed-in user (``selectors.key_for_secret``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gridcare.core.audit import audit_record
from gridcare.core.authz import require
from gridcare.core.errors import ApplicationError, ConflictError
from gridcare.core.limits import DESCRIPTION_MAX, NAME_MAX, check_length
from gridcare.core.scoping import is_visible
from gridcare.org.choices import Role
from gridcare.org.models import OrgUnit, StaffProfile
from gridcare.workorders import services as wo_services
from gridcare.workorders.choices import Channel

from .choices import ENDPOINT_CODES, Endpoint
from .models import (
    ApiKey,
    Open311Config,
    Partner,
    PartnerCall,
    PartnerRequest,
    PartnerSetting,
    RateCounter,
    ServiceMapping,
)

PERM = "partners.manage"
KEY_PREFIX = "gc"


def hash_secret(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _now(now):
    return now or timezone.now()


def _check_version(obj, expected_version) -> None:
    if expected_version is not None and int(expected_version) != obj.version:
        raise ConflictError(_("已被他人修改，请刷新后再改"), field="version")


def _clean_channel(channel: str) -> str:
    channel = (channel or "").strip()
    if channel and channel not in Channel.values:
        raise ApplicationError(
            _("未知的受理渠道：%(value)s") % {"value": channel}, field="channel", code="invalid_choice"
        )
    return channel


# ------------------------------------------------------------------------------ partners


def partner_create(*, actor, name: str, unit: OrgUnit, contact: str = "", channel: str = "") -> Partner:
    """A partner and its service account: a staff profile at ``unit`` (the 95598 intake
    role, so it may take requests there) whose password is unusable — nobody signs in as it."""
    require(actor, PERM)
    name = check_length((name or "").strip(), field="name", max_length=NAME_MAX)
    if not name:
        raise ApplicationError(_("请填写合作方名称"), field="name", code="required")
    contact = check_length((contact or "").strip(), field="contact", max_length=200)
    channel = _clean_channel(channel)
    if unit is None or (actor is not None and not is_visible(actor, unit)):
        raise ApplicationError(_("请选择受理单位"), field="unit", code="required")
    with transaction.atomic():
        if Partner.objects.filter(name=name).exists():
            raise ApplicationError(_("已有同名合作方"), field="name", code="duplicate")
        partner = Partner.objects.create(name=name, contact=contact, unit=unit, channel=channel)
        user = get_user_model()(username=f"partner-{partner.pk}", is_active=True)
        user.set_unusable_password()
        user.save()
        StaffProfile.objects.create(
            user=user, unit=unit, role=Role.HOTLINE_AGENT, display_name=name[:50], service_account=True
        )
        partner.user = user
        partner.save(update_fields=["user"])
        audit_record(
            actor=actor,
            action="partners.partner_create",
            obj=partner,
            changes={"name": name, "unit": unit.code, "channel": channel},
            unit_path=unit.path,
        )
    return partner


def partner_update(
    *, actor, partner: Partner, expected_version=None, contact=None, channel=None, active=None
) -> Partner:
    """Change a partner's contact, channel or whether it may call at all."""
    require(actor, PERM, partner)
    with transaction.atomic():
        current = Partner.objects.select_for_update().get(pk=partner.pk)
        _check_version(current, expected_version)
        changes = {}
        if contact is not None:
            contact = check_length(contact.strip(), field="contact", max_length=200)
            if contact != current.contact:
                changes["contact"] = [current.contact, contact]
                current.contact = contact
        if channel is not None:
            channel = _clean_channel(channel)
            if channel != current.channel:
                changes["channel"] = [current.channel, channel]
                current.channel = channel
        if active is not None and bool(active) != current.active:
            changes["active"] = [current.active, bool(active)]
            current.active = bool(active)
        if changes:
            current.version += 1
            current.save()
            audit_record(
                actor=actor,
                action="partners.partner_update",
                obj=current,
                changes=changes,
                unit_path=current.unit.path,
            )
    return current


# ---------------------------------------------------------------------------------- keys


def _clean_scope(actor, partner: Partner, units, endpoints) -> tuple[list[OrgUnit], list[str]]:
    units = [u for u in (units or []) if u is not None]
    if not units:
        raise ApplicationError(_("请至少选择一个数据范围单位"), field="units", code="required")
    for unit in units:
        if actor is not None and not is_visible(actor, unit):
            raise ApplicationError(_("无权授权该单位的数据"), field="units", code="out_of_scope")
    endpoints = sorted({str(e) for e in (endpoints or [])})
    if not endpoints:
        raise ApplicationError(_("请至少选择一个可调用接口"), field="endpoints", code="required")
    unknown = [e for e in endpoints if e not in ENDPOINT_CODES]
    if unknown:
        raise ApplicationError(
            _("未知的接口：%(value)s") % {"value": ", ".join(unknown)},
            field="endpoints",
            code="invalid_choice",
        )
    if Endpoint.OPEN311_POST in endpoints and not any(partner.unit.path.startswith(u.path) for u in units):
        # What the key submits lands at the partner's unit: it must be able to read it back.
        raise ApplicationError(
            _("可提交诉求的密钥，其数据范围须包含合作方的受理单位"), field="units", code="post_out_of_scope"
        )
    return units, endpoints


def _clean_expiry(expires_at, now) -> dt.datetime | None:
    if expires_at in (None, ""):
        return None
    if expires_at <= now:
        raise ApplicationError(_("到期时间须晚于现在"), field="expires_at", code="in_past")
    if expires_at > now + dt.timedelta(days=3660):
        raise ApplicationError(_("到期时间最长十年"), field="expires_at", code="too_far")
    return expires_at


def api_key_issue(
    *, actor, partner: Partner, units, endpoints, name: str = "", expires_at=None, now=None
) -> tuple[ApiKey, str]:
    """A new key for ``partner``: the key and its secret, which is shown once and never stored."""
    require(actor, PERM, partner)
    now = _now(now)
    name = check_length((name or "").strip(), field="name", max_length=NAME_MAX)
    units, endpoints = _clean_scope(actor, partner, units, endpoints)
    expires_at = _clean_expiry(expires_at, now)
    with transaction.atomic():
        for _attempt in range(5):
            prefix = secrets.token_hex(4)
            if not ApiKey.objects.filter(prefix=prefix).exists():
                break
        raw = f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(24)}"
        key = ApiKey.objects.create(
            partner=partner,
            name=name,
            prefix=prefix,
            key_hash=hash_secret(raw),
            endpoints=endpoints,
            expires_at=expires_at,
            issued_at=now,
            issued_by=actor if getattr(actor, "pk", None) else None,
        )
        key.units.set(units)
        audit_record(
            actor=actor,
            action="partners.key_issue",
            obj=key,
            changes={"prefix": prefix, "units": [u.code for u in units], "endpoints": endpoints},
            unit_path=partner.unit.path,
        )
    return key, raw


def api_key_update(
    *, actor, key: ApiKey, units, endpoints, expected_version=None, name=None, expires_at=None
) -> ApiKey:
    """Re-scope a key: its units, endpoints, name and expiry."""
    require(actor, PERM, key)
    now = timezone.now()
    with transaction.atomic():
        current = ApiKey.objects.select_for_update().select_related("partner__unit").get(pk=key.pk)
        _check_version(current, expected_version)
        if current.revoked_at is not None:
            raise ConflictError(_("密钥已吊销，不能修改"), field="key", code="revoked")
        units, endpoints = _clean_scope(actor, current.partner, units, endpoints)
        before = {
            "units": sorted(current.units.values_list("code", flat=True)),
            "endpoints": list(current.endpoints),
            "expires_at": current.expires_at.isoformat() if current.expires_at else "",
            "name": current.name,
        }
        if name is not None:
            current.name = check_length(name.strip(), field="name", max_length=NAME_MAX)
        if expires_at != current.expires_at:
            current.expires_at = _clean_expiry(expires_at, now)
        current.endpoints = endpoints
        current.version += 1
        current.save()
        current.units.set(units)
        after = {
            "units": sorted(u.code for u in units),
            "endpoints": endpoints,
            "expires_at": current.expires_at.isoformat() if current.expires_at else "",
            "name": current.name,
        }
        changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
        audit_record(
            actor=actor,
            action="partners.key_update",
            obj=current,
            changes=changes,
            unit_path=current.partner.unit.path,
        )
    return current


def api_key_revoke(*, actor, key: ApiKey, expected_version=None, now=None) -> ApiKey:
    """Revoke a key for good: every later call with it answers 403."""
    require(actor, PERM, key)
    now = _now(now)
    with transaction.atomic():
        current = ApiKey.objects.select_for_update().select_related("partner__unit").get(pk=key.pk)
        _check_version(current, expected_version)
        if current.revoked_at is not None:
            raise ConflictError(_("密钥已吊销"), field="key", code="revoked")
        current.revoked_at = now
        current.version += 1
        current.save(update_fields=["revoked_at", "version", "updated_at"])
        audit_record(
            actor=actor,
            action="partners.key_revoke",
            obj=current,
            changes={"prefix": current.prefix},
            unit_path=current.partner.unit.path,
        )
    return current


# ----------------------------------------------------------------------- calls and rate


def call_record(
    *, key: ApiKey | None, prefix: str, method: str, path: str, status: int, ip, now=None
) -> PartnerCall:
    """The record of one partner call (its audit), and the key's last use."""
    now = _now(now)
    call = PartnerCall.objects.create(
        key=key,
        partner_id=key.partner_id if key else None,
        prefix=(prefix or "")[:16],
        at=now,
        method=(method or "")[:8],
        path=(path or "")[:200],
        status=status,
        ip=ip or None,
    )
    if key is not None:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return call


def rate_take(*, key: ApiKey, now=None) -> bool:
    """Count one call of ``key`` in this minute; False when the minute's limit is spent.
    The row's UPDATE serialises concurrent callers (as the order-number counter does)."""
    now = _now(now)
    minute = now.replace(second=0, microsecond=0)
    limit = PartnerSetting.get(PartnerSetting.RATE_PER_MINUTE)
    with transaction.atomic():
        rows = RateCounter.objects.filter(key=key, minute=minute)
        if not rows.update(count=F("count") + 1):
            try:
                with transaction.atomic():
                    RateCounter.objects.create(key=key, minute=minute, count=1)
                # A new minute: forget this key's old ones.
                RateCounter.objects.filter(key=key, minute__lt=minute - dt.timedelta(hours=1)).delete()
            except IntegrityError:
                rows.update(count=F("count") + 1)
        count = rows.values_list("count", flat=True).get()
    return count <= limit


def ip_blocked(ip: str | None, *, now=None) -> bool:
    """True while ``ip`` has presented a missing or invalid key (a 401) at least the
    setting's number of times within its window: key guessing from one address is stopped
    there, whatever it presents next (so a guess that happens to be right tells nothing).
    Counted from the call records, which every process writes (holds across processes)."""
    if not ip:
        return False
    now = _now(now)
    limit = PartnerSetting.get(PartnerSetting.FAILED_KEYS_PER_IP)
    window = dt.timedelta(minutes=PartnerSetting.get(PartnerSetting.FAILED_KEY_WINDOW_MINUTES))
    failed = PartnerCall.objects.filter(ip=ip, status=401, at__gt=now - window, at__lte=now)
    return failed[:limit].count() >= limit


def calls_purge(*, now=None) -> dict:
    """Forget call records older than the retention setting, and spent minute counters."""
    now = _now(now)
    days = PartnerSetting.get(PartnerSetting.CALL_RETENTION_DAYS)
    calls, _kinds = PartnerCall.objects.filter(at__lt=now - dt.timedelta(days=days)).delete()
    counters, _kinds = RateCounter.objects.filter(minute__lt=now - dt.timedelta(hours=1)).delete()
    return {"calls": calls, "counters": counters}


# ----------------------------------------------------------------------- Open311 submit


def _coordinate(value, *, field: str, bound: int) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ApplicationError(_("坐标格式不正确"), field=field, code="invalid") from None
    if not number.is_finite() or not -bound <= number <= bound:
        raise ApplicationError(_("坐标超出范围"), field=field, code="out_of_range")
    return number.quantize(Decimal("0.000001"))


def open311_submit(
    *,
    key: ApiKey,
    service_code: str,
    description: str,
    address_string: str = "",
    lat=None,
    long=None,
    first_name: str = "",
    last_name: str = "",
    phone: str = "",
    idempotency_key: str = "",
    now=None,
) -> PartnerRequest:
    """A request posted by a partner becomes a work order (受理) on the partner's channel,
    taken by its service account at its unit, typed by the service's mapping. One location
    is required: an address or a latitude with a longitude."""
    now = _now(now)
    partner = key.partner
    if not key.allows(Endpoint.OPEN311_POST):
        raise ApplicationError(_("该密钥无权提交诉求"), field="api_key", code="forbidden", status=403)
    service_code = (service_code or "").strip()
    if not service_code:
        raise ApplicationError(_("缺少 service_code"), field="service_code", code="required")
    mapping = ServiceMapping.objects.filter(service_code=service_code[:64], active=True).first()
    if mapping is None:
        raise ApplicationError(
            _("未知的服务代码：%(code)s") % {"code": service_code[:64]}, field="service_code", code="unknown"
        )
    description = check_length((description or "").strip(), field="description", max_length=DESCRIPTION_MAX)
    if not description:
        raise ApplicationError(_("缺少 description"), field="description", code="required")
    address = check_length((address_string or "").strip(), field="address_string", max_length=200)
    lat = _coordinate(lat, field="lat", bound=90)
    long = _coordinate(long, field="long", bound=180)
    if (lat is None) != (long is None):
        raise ApplicationError(
            _("lat 与 long 须同时提供"), field="lat" if lat is None else "long", code="required"
        )
    if not address and lat is None:
        raise ApplicationError(
            _("须提供位置：address_string，或 lat 与 long"), field="address_string", code="location_required"
        )
    if not address:
        address = f"{lat},{long}"
    name = check_length(
        f"{(last_name or '').strip()}{(first_name or '').strip()}", field="first_name", max_length=NAME_MAX
    )
    phone = check_length((phone or "").strip(), field="phone", max_length=20)
    idem = check_length((idempotency_key or "").strip(), field="idempotency_key", max_length=100)
    channel = partner.channel or Open311Config.current().channel
    with transaction.atomic():
        result = wo_services.work_order_submit(
            actor=partner.user,
            channel=channel,
            request_type=mapping.request_type,
            subtype=mapping.subtype,
            dimension=mapping.dimension,
            description=description,
            contact_name=name,
            contact_phone=phone,
            address=address,
            idempotency_key=f"open311:{partner.pk}:{idem}" if idem else None,
            now=now,
        )
        if result.replayed:
            return PartnerRequest.objects.get(order=result.order)
        return PartnerRequest.objects.create(
            partner=partner,
            key=key,
            order=result.order,
            token=secrets.token_hex(16),
            service_code=mapping.service_code,
            lat=lat,
            long=long,
            at=now,
        )
