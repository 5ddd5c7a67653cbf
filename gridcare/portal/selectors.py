"""What the portal shows: a customer's own orders in customer words, the outages on their
transformer area, published knowledge, and the staff's queue of contact changes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridcare.customers.models import Customer
from gridcare.knowledge.choices import ArticleKind
from gridcare.knowledge.models import Article
from gridcare.knowledge.search import category_applies
from gridcare.org.choices import Role
from gridcare.outages.choices import OutageStatus
from gridcare.outages.models import OutageArea
from gridcare.workorders.choices import Action, Status
from gridcare.workorders.models import WorkOrder, WorkOrderEvent

from .choices import ChangeStatus
from .models import ContactChange, PortalAttachment, PortalRating

# --------------------------------------------------------------------------- orders


def status_words(status: str) -> str:
    """An order's status as the customer reads it."""
    return {
        Status.ACCEPTED: _("已受理"),
        Status.DISPATCHED: _("处理中"),
        Status.IN_PROGRESS: _("处理中"),
        Status.REPLIED: _("已答复，待您评价"),
        Status.CALLBACK: _("回访中"),
        Status.ARCHIVED: _("已办结"),
        Status.CANCELLED: _("已撤销"),
    }.get(status, "")


# What a customer reads for each step they see (the rest — notes, internal returns, clocks,
# priority, escalation — they do not see). Reply and callback are worded below.
_CUSTOMER_WORDS = {
    Action.CREATE: gettext_lazy("您的诉求已受理"),
    Action.DISPATCH: gettext_lazy("已安排工作人员处理"),
    Action.TRANSFER: gettext_lazy("已转交负责的单位处理"),
    Action.START: gettext_lazy("工作人员已开始处理"),
    Action.DEPART: gettext_lazy("抢修人员已出发"),
    Action.RESTORE: gettext_lazy("已恢复供电"),
    Action.MERGE: gettext_lazy("与同一原因的报修合并处理"),
    Action.ARCHIVE: gettext_lazy("已办结"),
    Action.REOPEN: gettext_lazy("重新处理"),
    Action.CANCEL: gettext_lazy("已撤销"),
}


def _event_words(event: WorkOrderEvent, order: WorkOrder) -> tuple[str, str]:
    """(what happened, detail) of a timeline entry in customer words; ('', '') for an entry
    the customer does not see (notes, internal returns, clocks, priority, escalation)."""
    a = event.action
    if a == Action.REPLY:
        return _("处理完毕，答复如下"), event.note or order.reply
    if a == Action.CALLBACK:
        from .services import is_portal_actor

        return (_("您已评价") if is_portal_actor(event.actor) else _("已回访")), ""
    words = _CUSTOMER_WORDS.get(a)
    return (str(words), "") if words is not None else ("", "")


@dataclass(frozen=True)
class Step:
    at: dt.datetime
    text: str
    detail: str
    who: str


def _who(event: WorkOrderEvent) -> str:
    from .services import is_portal_actor

    if event.actor_id is None:
        return _("系统")
    if is_portal_actor(event.actor):
        return _("网上营业厅")
    staff = getattr(event.actor, "staff", None)
    return Role(staff.role).label if staff is not None and staff.role in Role.values else _("工作人员")


def order_timeline(order: WorkOrder) -> list[Step]:
    """The order's timeline as the customer sees it: status steps only, each with the role
    (never the name) of who did it; the reply in full, notes and internal steps left out.
    One query."""
    events = WorkOrderEvent.objects.filter(order=order).select_related("actor__staff").order_by("at", "id")
    steps = []
    for e in events:
        text, detail = _event_words(e, order)
        if text:
            steps.append(Step(at=e.at, text=text, detail=detail, who=_who(e)))
    return steps


def orders_of(customer: Customer) -> QuerySet[WorkOrder]:
    """The customer's orders, newest first (every channel)."""
    return WorkOrder.objects.filter(customer=customer).order_by("-created_at", "-id")


def order_of(customer: Customer, pk) -> WorkOrder | None:
    """One order of this customer, or None (the page is then a 404, like an unknown id)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    if not 1 <= pk <= 2**62:
        return None
    return WorkOrder.objects.filter(pk=pk, customer=customer).first()


def attachments_of(order: WorkOrder) -> list[PortalAttachment]:
    return list(PortalAttachment.objects.filter(order=order))


def rating_of(order: WorkOrder) -> PortalRating | None:
    return PortalRating.objects.filter(order=order).first()


def can_rate(order: WorkOrder, rating: PortalRating | None) -> bool:
    return rating is None and order.status in (Status.REPLIED, Status.CALLBACK)


# -------------------------------------------------------------------------- outages


def outages_for_customer(customer: Customer, *, now: dt.datetime | None = None) -> list:
    """Outages affecting the customer's transformer area: in progress and the area not yet
    restored, or announced and not yet over (planned end in the future or unknown)."""
    now = now or timezone.now()
    rows = (
        OutageArea.objects.filter(area_id=customer.area_id)
        .filter(
            Q(outage__status=OutageStatus.IN_PROGRESS, restored_at__isnull=True)
            | (
                Q(outage__status=OutageStatus.ANNOUNCED)
                & (Q(outage__planned_end__isnull=True) | Q(outage__planned_end__gte=now))
            )
        )
        .select_related("outage")
        .order_by("-outage__status", "outage__planned_start", "outage_id")
    )
    return [r.outage for r in rows[:20]]


# ------------------------------------------------------------------------ knowledge

PUBLIC_KINDS = (ArticleKind.ARTICLE, ArticleKind.POLICY)


def _published_q(day: dt.date) -> Q:
    return (
        Q(published__isnull=False, kind__in=PUBLIC_KINDS, is_sample=False)
        & (Q(valid_from__isnull=True) | Q(valid_from__lte=day))
        & (Q(valid_to__isnull=True) | Q(valid_to__gte=day))
    )


def _applies(article: Article, category: str, unit_codes: frozenset[str] | None) -> bool:
    v = article.published
    if not category_applies(v.customer_categories or "", category):
        return False
    regions = {r for r in (v.regions or "").replace("，", ",").split(",") if r.strip()}
    return not regions or (unit_codes is not None and bool(regions & unit_codes))


def unit_codes_of_customer(customer: Customer | None) -> frozenset[str] | None:
    if customer is None:
        return None
    return frozenset(c for c in customer.station.path.strip("/").split("/") if c)


def public_articles(
    *, customer: Customer | None = None, q: str = "", now: dt.datetime | None = None, limit: int = 50
) -> list[Article]:
    """Published articles and policy notices valid today (never call scripts or unreviewed
    sample content); for a signed-in customer only those for their category and region —
    region-bound articles are shown only to customers inside the region."""
    day = timezone.localdate(now) if now else timezone.localdate()
    qs = Article.objects.filter(_published_q(day)).select_related("published", "category")
    q = (q or "").strip()[:50]
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(published__body__icontains=q))
    qs = qs.order_by("-published_at", "-id")[:500]
    category = customer.category if customer is not None else ""
    codes = unit_codes_of_customer(customer)
    return [a for a in qs if _applies(a, category, codes)][:limit]


def public_article(pk, *, customer: Customer | None = None, now=None) -> Article | None:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    if not 1 <= pk <= 2**62:
        return None
    day = timezone.localdate(now) if now else timezone.localdate()
    article = Article.objects.filter(_published_q(day), pk=pk).select_related("published").first()
    if article is None:
        return None
    codes = unit_codes_of_customer(customer)
    if not _applies(article, customer.category if customer else "", codes):
        return None
    return article


# -------------------------------------------------------------------- staff review


def contact_changes_for(user, *, status: str = ChangeStatus.PENDING) -> QuerySet[ContactChange]:
    qs = ContactChange.objects.visible_to(user).select_related("customer", "reviewed_by")
    if status in ChangeStatus.values:
        qs = qs.filter(status=status)
    return (
        qs.order_by("created_at", "id")
        if status == ChangeStatus.PENDING
        else qs.order_by("-reviewed_at", "-id")
    )


def pending_contact_change(customer: Customer) -> ContactChange | None:
    return ContactChange.objects.filter(customer=customer, status=ChangeStatus.PENDING).first()


def latest_contact_change(customer: Customer) -> ContactChange | None:
    return ContactChange.objects.filter(customer=customer).order_by("-created_at", "-id").first()
