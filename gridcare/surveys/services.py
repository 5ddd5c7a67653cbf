"""Writing surveys: create a campaign, send it (draw the sample, write the invitations and
queue one SMS each through escalation's outbox — in one transaction), close it, and record
a customer's answer (public: the token is the authority). Keyword-only, atomic, permission
checked (the answer: the token), row locked, transition validated against
``choices.TRANSITIONS``, audited."""

from __future__ import annotations

import datetime as dt
import random
import re
import secrets
from collections import defaultdict

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gridcare.core.audit import audit_record
from gridcare.core.authz import require
from gridcare.core.errors import ApplicationError, ConflictError
from gridcare.core.scoping import is_visible
from gridcare.customers.choices import CustomerCategory
from gridcare.customers.models import Customer
from gridcare.escalation.choices import OutboundChannel
from gridcare.escalation.services.notifications import outbound_enqueue_many
from gridcare.org.models import OrgUnit
from gridcare.workorders.models import WorkOrder

from .choices import ASPECTS, TRANSITIONS, Audience, CampaignStatus
from .models import (
    COMMENT_MAX,
    SAMPLE_MAX,
    SAMPLE_MIN,
    SurveyAnswer,
    SurveyCampaign,
    SurveyInvitation,
    SurveySetting,
)

S = CampaignStatus
MOBILE_RE = re.compile(r"^(?:\+?86)?1[3-9]\d{9}$")
TITLE_MAX = 100


# ----------------------------------------------------------------------- pure helpers


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def mobile_of(*phones: str) -> str:
    """The first number that can take an SMS (a mainland mobile), '' if none."""
    for p in phones:
        p = re.sub(r"[\s-]", "", p or "")
        if MOBILE_RE.match(p):
            return p
    return ""


def allocate(strata: dict[str, int], n: int) -> dict[str, int]:
    """Proportional allocation of ``n`` draws over strata of the given sizes (largest
    remainder; ties broken by key; never more than a stratum holds). Takes everyone when
    ``n`` is at least the total."""
    total = sum(strata.values())
    if total <= n:
        return dict(strata)
    exact = {k: n * size / total for k, size in strata.items()}
    out = {k: int(v) for k, v in exact.items()}
    left = n - sum(out.values())
    for k in sorted(exact, key=lambda k: (-(exact[k] - out[k]), k))[:left]:
        out[k] += 1
    return out


def draw_sample(strata: dict[str, list[int]], n: int, seed: int) -> list[int]:
    """A stratified random sample: ``allocate`` per stratum, then a simple random sample
    within each (``random.Random(seed)``, strata and members in sorted order: the same
    population and seed give the same sample)."""
    rng = random.Random(seed)
    counts = allocate({k: len(v) for k, v in strata.items()}, n)
    out: list[int] = []
    for key in sorted(strata):
        members = sorted(strata[key])
        out.extend(sorted(rng.sample(members, counts[key])))
    return out


def answer_link(token: str) -> str:
    return settings.GRIDCARE_BASE_URL + reverse("surveys:answer", kwargs={"token": token})


def sms_body(campaign: SurveyCampaign, token: str) -> str:
    """The invitation SMS, in the site's language (the customer's, not the sender's)."""
    with translation.override(settings.LANGUAGE_CODE):
        return _("【国网供电服务】诚邀您参加供电服务满意度调查（约1分钟），%(closes)s前有效：%(link)s") % {
            "closes": f"{campaign.closes_on.month}月{campaign.closes_on.day}日",
            "link": answer_link(token),
        }


def population(campaign: SurveyCampaign):
    """The customers a campaign draws from: of the unit's stations, of the category (if
    any), with or without a work order in the ``order_days`` days up to and including
    ``opens_on``."""
    qs = Customer.objects.filter(station__path__startswith=campaign.unit_path)
    if campaign.category:
        qs = qs.filter(category=campaign.category)
    if campaign.audience != Audience.ALL:
        tz = timezone.get_current_timezone()
        until = dt.datetime.combine(campaign.opens_on + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        since = until - dt.timedelta(days=campaign.order_days)
        had = Exists(
            WorkOrder.objects.filter(customer=OuterRef("pk"), created_at__gte=since, created_at__lt=until)
        )
        qs = qs.filter(had) if campaign.audience == Audience.WITH_ORDER else qs.exclude(had)
    return qs


def _text(value, *, field: str, max_length: int, required: bool, label=None) -> str:
    value = (value or "").strip()
    if len(value) > max_length:
        raise ApplicationError(_("最多 %(n)s 个字") % {"n": max_length}, field=field, code="max_length")
    if required and not value:
        raise ApplicationError(label or _("请填写内容"), field=field, code="required")
    return value


def _check_transition(campaign: SurveyCampaign, target: str) -> None:
    if target not in TRANSITIONS[campaign.status]:
        raise ApplicationError(
            _("调查处于“%(status)s”状态，不能变为“%(target)s”")
            % {"status": campaign.get_status_display(), "target": CampaignStatus(target).label},
            field="status",
            code="invalid_transition",
            status=409,
        )


def _lock(actor, perm: str, campaign, expected_version: int | None) -> SurveyCampaign:
    pk = campaign.pk if isinstance(campaign, SurveyCampaign) else campaign
    locked = SurveyCampaign.objects.select_for_update().filter(pk=pk).first()
    if locked is None or not is_visible(actor, locked):
        raise ApplicationError(_("调查不存在"), field="campaign", code="not_found", status=404)
    require(actor, perm, locked)
    if expected_version is not None and locked.version != expected_version:
        raise ConflictError(_("调查已被他人修改，请刷新后重试"))
    return locked


def _save(campaign: SurveyCampaign, fields: list[str]) -> None:
    campaign.version += 1
    campaign.save(update_fields=[*fields, "version", "updated_at"])


# ------------------------------------------------------------------------- services


def campaign_create(
    *,
    actor,
    title: str,
    unit: OrgUnit,
    sample_size: int,
    opens_on: dt.date,
    closes_on: dt.date,
    category: str = "",
    audience: str = Audience.ALL,
    order_days: int | None = None,
    now: dt.datetime | None = None,
) -> SurveyCampaign:
    """A draft campaign over ``unit`` and below (within the actor's scope)."""
    require(actor, "surveys.manage")
    if unit is None or not is_visible(actor, unit):
        raise ApplicationError(_("调查范围不在本单位范围内"), field="unit", code="out_of_scope")
    title = _text(title, field="title", max_length=TITLE_MAX, required=True, label=_("请填写调查名称"))
    category = category or ""
    if category and category not in CustomerCategory.values:
        raise ApplicationError(_("未知的用户类别"), field="category", code="invalid")
    if audience not in Audience.values:
        raise ApplicationError(_("未知的调查对象"), field="audience", code="invalid")
    if not isinstance(sample_size, int) or not SAMPLE_MIN <= sample_size <= SAMPLE_MAX:
        raise ApplicationError(
            _("样本量须为 %(lo)s～%(hi)s") % {"lo": SAMPLE_MIN, "hi": SAMPLE_MAX},
            field="sample_size",
            code="out_of_range",
        )
    lo, hi = SurveySetting.SPEC[SurveySetting.DEFAULT_ORDER_DAYS][1:]
    if order_days is None:
        order_days = SurveySetting.get(SurveySetting.DEFAULT_ORDER_DAYS)
    if not lo <= order_days <= hi:
        raise ApplicationError(
            _("工单统计期须为 %(lo)s～%(hi)s 天") % {"lo": lo, "hi": hi},
            field="order_days",
            code="out_of_range",
        )
    now = _now(now)
    today = timezone.localdate(now)
    if opens_on is None or opens_on < today:
        raise ApplicationError(_("开始日期不能早于今天"), field="opens_on", code="past")
    if closes_on is None or closes_on < opens_on:
        raise ApplicationError(_("截止日期不能早于开始日期"), field="closes_on", code="before_open")
    longest = SurveySetting.get(SurveySetting.MAX_OPEN_DAYS)
    if (closes_on - opens_on).days > longest:
        raise ApplicationError(
            _("调查开放期最长 %(days)s 天") % {"days": longest}, field="closes_on", code="too_long"
        )
    with transaction.atomic():
        campaign = SurveyCampaign.objects.create(
            title=title,
            unit=unit,
            unit_path=unit.path,
            category=category,
            audience=audience,
            order_days=order_days,
            sample_size=sample_size,
            opens_on=opens_on,
            closes_on=closes_on,
            created_by=actor,
        )
        audit_record(
            actor=actor,
            action="surveys.create",
            obj=campaign,
            changes={
                "title": title,
                "unit": unit.code,
                "category": category,
                "audience": audience,
                "sample_size": sample_size,
                "opens_on": opens_on.isoformat(),
                "closes_on": closes_on.isoformat(),
            },
            unit_path=unit.path,
        )
    return campaign


def campaign_send(
    *,
    actor,
    campaign: SurveyCampaign | int,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> SurveyCampaign:
    """Draw the sample (stratified by supply station, proportional allocation, seeded
    with the campaign's id) among the matching customers with a mobile phone, write the
    invitations and queue one SMS each — all or nothing."""
    require(actor, "surveys.manage")
    now = _now(now)
    with transaction.atomic():
        locked = _lock(actor, "surveys.manage", campaign, expected_version)
        _check_transition(locked, S.SENT)
        if timezone.localdate(now) > locked.closes_on:
            raise ApplicationError(
                _("调查已过截止日期，不能发送"), field="closes_on", code="expired", status=409
            )
        strata: dict[str, list[int]] = defaultdict(list)
        phone_of: dict[int, str] = {}
        path_of: dict[int, str] = {}
        for pk, p1, p2, path in (
            population(locked).values_list("pk", "phone", "phone2", "station__path").iterator(5000)
        ):
            phone = mobile_of(p1, p2)
            if phone:
                strata[path].append(pk)
                phone_of[pk] = phone
                path_of[pk] = path
        chosen = draw_sample(strata, locked.sample_size, seed=locked.pk)
        if not chosen:
            raise ApplicationError(
                _("没有符合条件且留有手机号码的客户"), field="audience", code="empty", status=409
            )
        invitations = []
        messages = []
        for cid in chosen:
            token = secrets.token_urlsafe(24)
            key = f"survey:{locked.pk}:{cid}"
            invitations.append(
                SurveyInvitation(
                    campaign=locked,
                    customer_id=cid,
                    unit_path=path_of[cid],
                    token=token,
                    sent_at=now,
                    message_key=key,
                )
            )
            messages.append((OutboundChannel.SMS, phone_of[cid], sms_body(locked, token), key))
        SurveyInvitation.objects.bulk_create(invitations, batch_size=2000)
        queued = outbound_enqueue_many(messages)
        locked.status = S.SENT
        locked.sent_at = now
        _save(locked, ["status", "sent_at"])
        audit_record(
            actor=actor,
            action="surveys.send",
            obj=locked,
            changes={
                "status": [S.DRAFT, S.SENT],
                "population": len(phone_of),
                "invited": len(invitations),
                "queued": queued,
            },
            unit_path=locked.unit_path,
        )
    return locked


def campaign_close(
    *,
    actor,
    campaign: SurveyCampaign | int,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> SurveyCampaign:
    """Stop taking answers (the links then show that the survey has ended)."""
    require(actor, "surveys.manage")
    now = _now(now)
    with transaction.atomic():
        locked = _lock(actor, "surveys.manage", campaign, expected_version)
        _check_transition(locked, S.CLOSED)
        locked.status = S.CLOSED
        locked.closed_at = now
        _save(locked, ["status", "closed_at"])
        audit_record(
            actor=actor,
            action="surveys.close",
            obj=locked,
            changes={"status": [S.SENT, S.CLOSED]},
            unit_path=locked.unit_path,
        )
    return locked


def campaigns_expire(*, now: dt.datetime | None = None) -> int:
    """The system closes every sent campaign whose closing date has passed (the periodic
    job); each one locked, checked and audited like a person's close. Returns how many."""
    now = _now(now)
    today = timezone.localdate(now)
    closed = 0
    for pk in SurveyCampaign.objects.filter(status=S.SENT, closes_on__lt=today).values_list("pk", flat=True):
        with transaction.atomic():
            locked = SurveyCampaign.objects.select_for_update().filter(pk=pk, status=S.SENT).first()
            if locked is None:  # closed by someone a moment ago
                continue
            locked.status = S.CLOSED
            locked.closed_at = now
            _save(locked, ["status", "closed_at"])
            audit_record(
                actor=None,
                action="surveys.close",
                obj=locked,
                changes={"status": [S.SENT, S.CLOSED]},
                note="expired",
                unit_path=locked.unit_path,
            )
            closed += 1
    return closed


class SurveyGone(ApplicationError):
    """The link can no longer be answered (answered already, or the survey has ended)."""

    status = 410


def invitation_open(token: str, *, now: dt.datetime | None = None) -> SurveyInvitation:
    """The invitation a link names, if it can still be answered. Unknown: 404; answered,
    ended or not yet open: 410 (``code`` says which)."""
    token = (token or "").strip()[:64]
    inv = (
        SurveyInvitation.objects.select_related("campaign", "customer").filter(token=token).first()
        if token
        else None
    )
    if inv is None:
        raise ApplicationError(_("链接无效"), field="token", code="not_found", status=404)
    _check_open(inv, _now(now))
    return inv


def _check_open(inv: SurveyInvitation, now: dt.datetime) -> None:
    c = inv.campaign
    if inv.answered_at is not None:
        raise SurveyGone(_("您已提交过本次调查，感谢您的参与"), field="token", code="answered")
    today = timezone.localdate(now)
    if c.status != S.SENT or today > c.closes_on:
        raise SurveyGone(_("本次调查已结束，感谢您的关注"), field="token", code="closed")
    if today < c.opens_on:
        raise SurveyGone(_("本次调查尚未开始"), field="token", code="not_open")


def _score(value, field: str, required: bool) -> int | None:
    if value in (None, ""):
        if required:
            raise ApplicationError(_("请选择总体满意度"), field=field, code="required")
        return None
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        number = 0
    if not 1 <= number <= 5:
        raise ApplicationError(_("评分须为 1～5"), field=field, code="out_of_range")
    return number


def answer_record(
    *,
    token: str,
    overall,
    reliability=None,
    attitude=None,
    efficiency=None,
    comment: str = "",
    now: dt.datetime | None = None,
) -> SurveyAnswer:
    """Record the customer's answer to their invitation (once; refused after the survey
    ended). Public: whoever holds the link answers; the audit row has no actor."""
    now = _now(now)
    scores = {"overall": _score(overall, "overall", True)}
    given = {"reliability": reliability, "attitude": attitude, "efficiency": efficiency}
    for name in ASPECTS:
        scores[name] = _score(given[name], name, False)
    comment = _text(comment, field="comment", max_length=COMMENT_MAX, required=False)
    with transaction.atomic():
        inv = invitation_open(token, now=now)
        locked = SurveyInvitation.objects.select_for_update().get(pk=inv.pk)
        locked.campaign = inv.campaign
        _check_open(locked, now)
        try:
            with transaction.atomic():
                answer = SurveyAnswer.objects.create(invitation=locked, comment=comment, at=now, **scores)
        except IntegrityError:  # answered a moment ago through another request
            raise SurveyGone(_("您已提交过本次调查，感谢您的参与"), field="token", code="answered") from None
        locked.answered_at = now
        locked.save(update_fields=["answered_at"])
        audit_record(
            actor=None,
            action="surveys.answer",
            obj=locked,
            changes={**scores, "campaign": locked.campaign_id},
            unit_path=locked.unit_path,
        )
    return answer
