"""Reading the knowledge base. Articles are company-wide content: who may read is a
permission (``knowledge.view``; editors also see drafts and expired articles), not a unit
scope; ``regions`` narrows the search to the units an article applies to."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from gridcare.core.authz import has_perm

from . import search as _search
from .choices import UseKind, VersionState
from .models import Article, ArticleAttachment, ArticleVersion, SearchLog


def unit_codes_of(user) -> frozenset[str] | None:
    """The codes of the user's unit and the units above it (None: a top-level user or none
    known — no region filter)."""
    from gridcare.org.selectors import staff_of

    staff = staff_of(user)
    if staff is None or staff.unit is None:
        return None
    codes = [c for c in staff.unit.path.strip("/").split("/") if c]
    return frozenset(codes) if len(codes) > 1 else None


def article_search(
    user, query: str | None, *, limit: int = 10, now: dt.datetime | None = None, customer_category: str = ""
):
    """``search.search`` as ``user`` sees it (their region; the caller's customer category
    when one is known)."""
    return _search.search(
        query, limit=limit, now=now, unit_codes=unit_codes_of(user), customer_category=customer_category
    )


def caller_category(user, customer_no: str) -> str:
    """The category of the customer numbered ``customer_no`` if ``user`` may see them, else ''."""
    from gridcare.customers.models import Customer

    customer_no = (customer_no or "").strip()[:20]
    if not customer_no:
        return ""
    return (
        Customer.objects.visible_to(user)
        .filter(customer_no=customer_no)
        .values_list("category", flat=True)
        .first()
        or ""
    )


def article_get(user, pk) -> Article | None:
    """One article the user may open: a published article valid today for agents; any
    article for editors (they maintain drafts and expired ones)."""
    qs = Article.objects.select_related("category", "published", "published__reviewer")
    article = qs.filter(pk=pk).first()
    if article is None:
        return None
    if has_perm(user, "knowledge.edit"):
        return article
    return article if article.is_valid_on(timezone.localdate()) else None


def article_attachments(article: Article) -> list[ArticleAttachment]:
    """The live attachments of an article, oldest first (the caller has already checked
    that the user may open the article: ``article_get``)."""
    return list(
        ArticleAttachment.objects.filter(article=article, removed_at__isnull=True)
        .select_related("by__staff")
        .order_by("at", "id")
    )


def attachment_get(user, article_pk, token: str) -> ArticleAttachment | None:
    """A live attachment of an article the user may open (agents: published and valid
    today; editors: any), found by its token; None otherwise."""
    article = article_get(user, article_pk)
    if article is None or not token:
        return None
    return ArticleAttachment.objects.filter(
        article=article, token=str(token)[:32], removed_at__isnull=True
    ).first()


def articles_for_editor(user, *, q: str = "", state: str = "", category: str = "") -> QuerySet[Article]:
    qs = Article.objects.select_related("category", "published").order_by("code")
    q = (q or "").strip()[:100]
    if q:
        qs = qs.filter(Q(code__icontains=q) | Q(title__icontains=q))
    if category:
        qs = qs.filter(category__path__startswith=category[:255])
    today = timezone.localdate()
    if state == "draft":
        qs = qs.filter(published__isnull=True)
    elif state == "expired":
        qs = qs.filter(valid_to__lt=today)
    elif state == "pending":
        qs = qs.filter(versions__state=VersionState.SUBMITTED).distinct()
    return qs


def review_queue(user) -> QuerySet[ArticleVersion]:
    return (
        ArticleVersion.objects.filter(state=VersionState.SUBMITTED)
        .select_related("article", "category", "author")
        .order_by("submitted_at", "pk")
    )


def insight(*, days: int = 90, now: dt.datetime | None = None, top: int = 20) -> dict:
    """The learning loop's figures over the last ``days`` days: most-used articles with their
    helpful ratio, least helpful ones, searches that found nothing (most frequent first),
    and consultation topics without an article (``topics_without_articles``)."""
    now = now or timezone.now()
    since = now - dt.timedelta(days=days)
    used = (
        Article.objects.filter(uses__at__gte=since)
        .annotate(
            n_uses=Count("uses"),
            n_sms=Count("uses", filter=Q(uses__kind=UseKind.SMS)),
            n_answered=Count("uses", filter=Q(uses__kind=UseKind.ANSWERED)),
        )
        .order_by("-n_uses", "code")[:top]
    )
    unhelpful = Article.objects.filter(unhelpful_count__gt=0).order_by(
        "-unhelpful_count", "helpful_count", "code"
    )[:top]
    gaps = (
        SearchLog.objects.filter(at__gte=since, hits=0)
        .values("query")
        .annotate(n=Count("id"))
        .order_by("-n", "query")[:top]
    )
    searches = SearchLog.objects.filter(at__gte=since).aggregate(
        total=Count("id"), empty=Count("id", filter=Q(hits=0))
    )
    return {
        "days": days,
        "used": list(used),
        "unhelpful": list(unhelpful),
        "gaps": list(gaps),
        "searches": searches,
        "topics": topics_without_articles(since=since, now=now, top=top),
    }


CANDIDATES_PER_TOPIC = 3


def topics_without_articles(
    *, since: dt.datetime, now: dt.datetime, top: int = 20, sample: int = 2000, scope_path: str = ""
) -> list[dict]:
    """Consultations (咨询 orders) of the period grouped by their most telling term, each
    group checked against the knowledge base: the frequent ones no article answers are the
    topics to write next (and publicity topics). Our own simple means: the first topic term
    of each description (``text.query_terms``), over the latest ``sample`` consultations."""
    from gridcare.workorders.models import WorkOrder

    from .text import query_terms

    descriptions = (
        WorkOrder.objects.filter(
            request_type="consultation",
            created_at__gte=since,
            created_at__lt=now,
            unit_path__startswith=scope_path,
        )
        .order_by("-created_at")
        .values_list("description", flat=True)[:sample]
    )
    groups: dict[str, list[str]] = {}
    for text in descriptions:
        terms = [t for t in query_terms(text) if len(t) > 1]
        if terms:
            key = max(terms[:3], key=len)
            groups.setdefault(key, []).append(text)
    out = []
    # Only the most frequent groups are checked (a search each): what a few callers ask
    # about is not a topic to write next, and the report's cost stays bounded.
    ranked = sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))[: top * CANDIDATES_PER_TOPIC]
    for term, texts in ranked:
        if len(out) >= top:
            break
        if len(texts) < 2:
            break
        if not _search.search(texts[0], limit=1, now=now):
            out.append({"term": term, "count": len(texts), "example": texts[0][:120]})
    return out


def report_section(*, since: dt.datetime, until: dt.datetime, scope_path: str = "", top: int = 10) -> dict:
    """The periodic report's section on knowledge gaps: searches of the period, those that
    found nothing (most frequent first), and the period's frequent consultation topics of
    the scope that no article answers — what to write next and what to publicise."""
    logs = SearchLog.objects.filter(at__gte=since, at__lt=until)
    totals = logs.aggregate(total=Count("id"), empty=Count("id", filter=Q(hits=0)))
    gaps = logs.filter(hits=0).values("query").annotate(n=Count("id")).order_by("-n", "query")[:top]
    return {
        "searches": totals["total"] or 0,
        "empty_searches": totals["empty"] or 0,
        "gaps": [{"query": g["query"], "count": g["n"]} for g in gaps],
        "topics": topics_without_articles(since=since, now=until, top=top, scope_path=scope_path),
    }
