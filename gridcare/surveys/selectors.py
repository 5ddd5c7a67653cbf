"""Reads behind the survey pages and API: campaigns scoped to the user, their invitation
counts, the actions a user may take, and the customer satisfaction index.

**CSI** (``CSI_DEFINITION``): over the invitations sent in the period (the sample), the
mean of ``(overall - 1) / 4 * 100`` over those answered (a score of 5 counts 100, 1
counts 0), with its 95% confidence interval ``mean ± t(0.975, n-1) · s / √n`` (s: the
sample standard deviation; no interval below two answers; the bounds kept within
0–100); the response rate is
answered / invited. Per unit: each invitation counts for the unit of ``level`` above
(or at) the customer's supply station. One computation behind every reader:
``csi_by_unit`` / ``csi_overall`` (a user's reach: page, Excel, API, the evaluation's
customer part) and ``csi_for_scope`` / ``csi_overall_for_scope`` (a unit path: the
periodic report) differ only in which invitations they read.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict

from django.conf import settings
from django.db.models import Avg, Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridcare.core.authz import can
from gridcare.org.choices import UnitKind
from gridcare.org.models import OrgUnit

from .choices import ACTION_PERMISSIONS, ACTION_TARGETS, ASPECTS, TRANSITIONS
from .models import SurveyAnswer, SurveyCampaign, SurveyInvitation

CSI_DEFINITION = _(
    "满意度指数 = 已答复问卷“总体满意度”换算为百分制（(得分−1)÷4×100）的平均值；"
    "95% 置信区间 = 平均值 ± t(0.975, n−1)×标准差÷√n（限于 0～100）；答复率 = 已答复 ÷ 已发送邀请。"
    "按邀请发送日期统计。"
)
LEVELS = {
    "station": UnitKind.STATION,
    "county": UnitKind.COUNTY,
    "city": UnitKind.CITY,
    "company": UnitKind.COMPANY,
}


def t975(df: int) -> float:
    """The 97.5% quantile of Student's t with ``df`` degrees of freedom (scipy, imported
    here: it is slow to import and only this needs it)."""
    from scipy.stats import t as t_dist

    return float(t_dist.ppf(0.975, df))


def csi_of(scores: list[int]) -> dict:
    """CSI and its 95% interval of overall scores (1–5): ``n``, ``csi``, ``low``, ``high``
    (None where undefined), rounded to one decimal."""
    n = len(scores)
    if not n:
        return {"n": 0, "csi": None, "low": None, "high": None}
    values = [(x - 1) / 4 * 100 for x in scores]
    mean = sum(values) / n
    if n < 2:
        return {"n": n, "csi": round(mean, 1), "low": None, "high": None}
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
    half = t975(n - 1) * sd / math.sqrt(n)
    return {
        "n": n,
        "csi": round(mean, 1),
        "low": round(max(0.0, mean - half), 1),
        "high": round(min(100.0, mean + half), 1),
    }


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(settings.TIME_ZONE)
    return (
        dt.datetime.combine(start, dt.time.min, tzinfo=tz),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
    )


def _sent_in(qs, start: dt.date, end: dt.date):
    since, until = _bounds(start, end)
    return qs.filter(sent_at__gte=since, sent_at__lt=until)


def _invitations(user, start: dt.date, end: dt.date, campaign: SurveyCampaign | None = None):
    qs = SurveyInvitation.objects.visible_to(user)
    if campaign is not None:
        return qs.filter(campaign=campaign)
    return _sent_in(qs, start, end)


def _scope_invitations(scope_path: str, start: dt.date, end: dt.date):
    """The invitations of the stations under ``scope_path`` ('' the whole company) sent in
    the period: the rule ``visible_to`` applies for a user whose reach is that path."""
    qs = SurveyInvitation.objects.all()
    if scope_path:
        qs = qs.filter(SurveyInvitation.scope.q(scope_path))
    return _sent_in(qs, start, end)


def _figures(qs) -> dict[str, dict]:
    """(station path -> {"invited": n, "scores": [...]}) of an invitation query."""
    out: dict[str, dict] = defaultdict(lambda: {"invited": 0, "scores": []})
    for path, n in qs.values_list("unit_path").annotate(n=Count("id")).order_by():
        out[path]["invited"] += n
    for path, overall in qs.filter(answer__isnull=False).values_list("unit_path", "answer__overall"):
        out[path]["scores"].append(overall)
    return out


def _row(invited: int, scores: list[int]) -> dict:
    row = csi_of(scores)
    row["invited"] = invited
    row["response_rate"] = round(100.0 * len(scores) / invited, 1) if invited else None
    return row


def _rolled(per_station: dict[str, dict], level: str) -> dict[str, dict]:
    if level not in LEVELS:
        raise ValueError(f"level must be one of {sorted(LEVELS)}")
    if level == "station":
        groups = {p: p for p in per_station}
    else:
        targets = list(OrgUnit.objects.filter(kind=LEVELS[level]).values_list("path", flat=True))
        groups = {}
        for p in per_station:
            groups[p] = next((t for t in targets if p.startswith(t)), p)
    merged: dict[str, dict] = defaultdict(lambda: {"invited": 0, "scores": []})
    for p, f in per_station.items():
        merged[groups[p]]["invited"] += f["invited"]
        merged[groups[p]]["scores"].extend(f["scores"])
    return {k: _row(v["invited"], v["scores"]) for k, v in sorted(merged.items())}


def _total(per_station: dict[str, dict]) -> dict:
    return _row(
        sum(f["invited"] for f in per_station.values()),
        [s for f in per_station.values() for s in f["scores"]],
    )


def _csi_by_unit(invitations, level: str) -> dict[str, dict]:
    """THE per-unit CSI of an invitation query (``csi_by_unit``, ``csi_for_scope``)."""
    return _rolled(_figures(invitations), level)


def _csi_overall(invitations) -> dict:
    """THE overall CSI of an invitation query (``csi_overall``, ``csi_overall_for_scope``)."""
    return _total(_figures(invitations))


def csi_by_unit(user, *, start: dt.date, end: dt.date, level: str = "station") -> dict[str, dict]:
    """The CSI of each unit of ``level`` over the invitations the user may see that were
    sent from ``start`` to ``end`` (inclusive), keyed by the unit's path: ``n`` (answers),
    ``invited``, ``csi``, ``low``, ``high`` (95% CI), ``response_rate`` (percent)."""
    return _csi_by_unit(_invitations(user, start, end), level)


def csi_overall(user, *, start: dt.date, end: dt.date) -> dict:
    """The same figures over every invitation the user may see sent in the period."""
    return _csi_overall(_invitations(user, start, end))


def csi_for_scope(
    *, scope_path: str, start: dt.date, end: dt.date, level: str = "station"
) -> dict[str, dict]:
    """``csi_by_unit`` for the stations under ``scope_path`` ('' the whole company) rather
    than a user's reach (the periodic report has a scope, not a reader)."""
    return _csi_by_unit(_scope_invitations(scope_path, start, end), level)


def csi_overall_for_scope(*, scope_path: str, start: dt.date, end: dt.date) -> dict:
    """``csi_overall`` for the stations under ``scope_path`` ('' the whole company)."""
    return _csi_overall(_scope_invitations(scope_path, start, end))


def campaign_csi(user, campaign: SurveyCampaign, level: str = "station") -> tuple[dict, dict[str, dict]]:
    """(overall, per unit) figures of one campaign's invitations the user may see."""
    qs = SurveyInvitation.objects.visible_to(user).filter(campaign=campaign)
    per = _figures(qs)
    return _total(per), _rolled(per, level)


def unit_names(paths) -> dict[str, str]:
    """path -> unit name, one query."""
    return dict(OrgUnit.objects.filter(path__in=list(paths)).values_list("path", "name"))


def campaigns_for(user, *, status: str = "") -> QuerySet[SurveyCampaign]:
    qs = (
        SurveyCampaign.objects.visible_to(user)
        .select_related("unit")
        .annotate(
            invited=Count("invitations"),
            answered=Count("invitations", filter=Q(invitations__answered_at__isnull=False)),
        )
    )
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-opens_on", "-id")


def campaign_get(user, pk: int | None) -> SurveyCampaign | None:
    if pk is None:
        return None
    return campaigns_for(user).select_related("created_by__staff").filter(pk=pk).first()


def allowed_actions(user, campaign: SurveyCampaign, today: dt.date | None = None) -> list[str]:
    """The actions ``user`` may take on ``campaign`` now (pages and API offer exactly these;
    the services accept exactly these): a campaign past its closing date is not sent."""
    today = today or timezone.localdate()
    out = []
    for action, target in ACTION_TARGETS.items():
        if target not in TRANSITIONS[campaign.status] or not can(user, ACTION_PERMISSIONS[action], campaign):
            continue
        if action == "send" and today > campaign.closes_on:
            continue
        out.append(action)
    return out


def campaign_aspects(user, campaign: SurveyCampaign) -> list[dict]:
    """Per aspect (and overall): the answers that scored it and the mean score (1–5)."""
    qs = SurveyAnswer.objects.visible_to(user).filter(invitation__campaign=campaign)
    names = {"overall": _("总体满意度"), **ASPECTS}
    agg = qs.aggregate(
        **{f"{k}_avg": Avg(k) for k in names},
        **{f"{k}_n": Count("id", filter=Q(**{f"{k}__isnull": False})) for k in names},
    )
    return [
        {
            "key": k,
            "label": label,
            "n": agg[f"{k}_n"],
            "mean": round(agg[f"{k}_avg"], 2) if agg[f"{k}_avg"] is not None else None,
        }
        for k, label in names.items()
    ]


def campaign_comments(user, campaign: SurveyCampaign, limit: int = 30) -> list[SurveyAnswer]:
    """The latest answers with a comment (what customers wrote, as typed)."""
    return list(
        SurveyAnswer.objects.visible_to(user)
        .filter(invitation__campaign=campaign)
        .exclude(comment="")
        .select_related("invitation")
        .order_by("-at", "-id")[:limit]
    )
