"""Pages of the knowledge base: search (agents), an article (send by SMS, record as the
answer on an order, helpful or not), the intake desk's suggestions (htmx), the editors'
list and form with the versions, the review queue, and the learning loop.

Views read through ``selectors``/``search`` and write only through the services; an
``ApplicationError`` becomes a form error or a message on the page.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gridcare.core.audit import audit_events_for
from gridcare.core.authz import has_perm, requires
from gridcare.core.errors import ApplicationError
from gridcare.core.listing import paginate
from gridcare.core.params import id_param, int_param
from gridcare.core.uploads import read_upload, serve_document

from . import selectors, services
from .choices import EDITABLE, ArticleKind, SearchSource, VersionState
from .forms import ArticleForm
from .models import Article, ArticleAttachment, ArticleVersion
from .search import LIMIT_MAX

QUERY_FIELD_MAX = 2000
SUGGEST_LIMIT = 5


def _article(request, pk) -> Article:
    article = selectors.article_get(request.user, id_param(pk))
    if article is None:
        raise Http404
    return article


def _query(request, name: str = "q") -> str:
    return (request.GET.get(name) or "")[:QUERY_FIELD_MAX]


# ------------------------------------------------------------------------- agents


@requires("knowledge.view")
def search_page(request):
    """Search with the same engine as the API; a query of one character asks for more."""
    q = _query(request).strip()
    limit = int_param(request.GET.get("limit"), 20, 1, LIMIT_MAX)
    hits = selectors.article_search(request.user, q, limit=limit) if q else []
    if q:
        services.search_log(actor=request.user, query=q, source=SearchSource.PAGE, hits=hits)
    return render(
        request,
        "knowledge/search.html",
        {"q": q, "hits": hits, "too_short": bool(q) and len(q.strip()) < 2},
    )


@requires("knowledge.view")
def suggest(request):
    """The intake desk's block: the best articles for the description typed so far."""
    text = (request.GET.get("description") or request.GET.get("q") or "")[:QUERY_FIELD_MAX]
    category = selectors.caller_category(request.user, request.GET.get("customer", ""))
    hits = (
        selectors.article_search(request.user, text, limit=SUGGEST_LIMIT, customer_category=category)
        if len(text.strip()) >= 2
        else []
    )
    return render(
        request,
        "knowledge/_suggestions.html",
        {"hits": hits, "typed": bool(text.strip()), "can_send": has_perm(request.user, "knowledge.send")},
    )


@requires("knowledge.view")
def article_detail(request, pk):
    article = _article(request, pk)
    version = article.published
    if version is None:
        # An editor opening a never-published article sees its latest draft.
        version = article.versions.order_by("-number").select_related("category").first()
    elif has_perm(request.user, "knowledge.send") and article.is_valid_on(request_today()):
        services.article_viewed(actor=request.user, article=article)
    return render(
        request,
        "knowledge/article.html",
        {
            "article": article,
            "v": version,
            "valid": article.is_valid_on(request_today()),
            "can_send": has_perm(request.user, "knowledge.send"),
            "can_edit": has_perm(request.user, "knowledge.edit"),
            "order_no": (request.GET.get("order") or "")[:32],
            "attachments": selectors.article_attachments(article),
        },
    )


def request_today():
    from django.utils import timezone

    return timezone.localdate()


def _back(article):
    return redirect("knowledge:article", pk=article.pk)


@requires("knowledge.view")
@require_POST
def feedback(request, pk):
    article = _article(request, pk)
    try:
        services.article_feedback(
            actor=request.user, article=article, helpful=request.POST.get("helpful") == "1"
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("谢谢，反馈已记录"))
    return _back(article)


@requires("knowledge.send")
@require_POST
def send_sms(request, pk):
    article = _article(request, pk)
    try:
        services.article_send_sms(
            actor=request.user,
            article=article,
            phone=request.POST.get("phone", "")[:32],
            order_no=request.POST.get("order_no", "")[:32],
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("短信已加入发送队列"))
    return _back(article)


@requires("knowledge.send")
@require_POST
def answered(request, pk):
    article = _article(request, pk)
    try:
        services.article_answered(
            actor=request.user, article=article, order_no=request.POST.get("order_no", "")
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已在工单上记录“知识库答复”"))
    return _back(article)


# ------------------------------------------------------------------------ editors


@requires("knowledge.edit")
def manage(request):
    q = (request.GET.get("q") or "")[:100]
    state = request.GET.get("state", "")
    if state not in {"", "draft", "expired", "pending"}:
        state = ""
    ctx = paginate(request, selectors.articles_for_editor(request.user, q=q, state=state))
    ctx.update(
        {
            "q": q,
            "state": state,
            "pending": selectors.review_queue(request.user).count(),
            "can_review": has_perm(request.user, "knowledge.review"),
            "can_insight": has_perm(request.user, "knowledge.insight"),
            "today": request_today(),
        }
    )
    return render(request, "knowledge/manage.html", ctx)


@requires("knowledge.edit")
def article_new(request):
    form = ArticleForm(request.POST or None, initial={"kind": ArticleKind.ARTICLE})
    if request.method == "POST" and form.is_valid():
        try:
            data = services.article_data(**form.content())
            article = services.article_create(actor=request.user, code=form.cleaned_data["code"], data=data)
        except ApplicationError as exc:
            form.add_application_error(exc)
        else:
            messages.success(request, _("已保存草稿，提交审核后发布"))
            return redirect("knowledge:versions", pk=article.pk)
    return render(request, "knowledge/edit.html", {"form": form, "article": None})


def _initial(article: Article, version: ArticleVersion) -> dict:
    return {
        "code": article.code,
        "kind": version.kind,
        "category": version.category.path,
        "title": version.title,
        "body": version.body,
        "keywords": version.keywords,
        "synonyms": version.synonyms,
        "customer_categories": version.customer_categories,
        "regions": version.regions,
        "valid_from": version.valid_from,
        "valid_to": version.valid_to,
        "expected_version": article.version,
    }


@requires("knowledge.edit")
def article_edit(request, pk):
    article = _article(request, pk)
    latest = article.versions.select_related("category").order_by("-number").first()
    form = ArticleForm(request.POST or None, initial=_initial(article, latest))
    form.fields["code"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            data = services.article_data(**form.content())
            services.article_revise(
                actor=request.user,
                article=article,
                data=data,
                expected_version=form.cleaned_data.get("expected_version"),
            )
        except ApplicationError as exc:
            form.add_application_error(exc)
        else:
            messages.success(request, _("已保存为草稿版本，提交审核后发布"))
            return redirect("knowledge:versions", pk=article.pk)
    return render(request, "knowledge/edit.html", {"form": form, "article": article})


@requires("knowledge.edit")
def article_versions(request, pk):
    article = _article(request, pk)
    versions = article.versions.select_related("author", "reviewer", "category").order_by("-number")
    return render(
        request,
        "knowledge/versions.html",
        {
            "article": article,
            "versions": versions,
            "editable": EDITABLE,
            "submitted": VersionState.SUBMITTED,
            "can_review": has_perm(request.user, "knowledge.review"),
            "events": audit_events_for(article)[:30],
            "attachments": selectors.article_attachments(article),
            "attachments_max": services.ATTACHMENTS_MAX,
        },
    )


@requires("knowledge.view")
def attachment_file(request, pk, token):
    """An attachment as a download; 404 where the user may not open the article (an agent
    and an unpublished or expired article) or the attachment was removed."""
    row = selectors.attachment_get(request.user, id_param(pk), (token or "")[:32])
    if row is None:
        raise Http404
    return serve_document(row.file, content_type=row.content_type, filename=row.filename)


@requires("knowledge.edit")
@require_POST
def attachment_add(request, pk):
    article = _article(request, pk)
    try:
        upload = request.FILES.get("file")
        content = read_upload(upload, field="file")
        services.attachment_add(
            actor=request.user,
            article=article,
            content=content or None,
            filename=upload.name if upload is not None else "",
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("附件已添加"))
    return redirect("knowledge:versions", pk=article.pk)


@requires("knowledge.edit")
@require_POST
def attachment_remove(request, pk):
    row = ArticleAttachment.objects.filter(pk=id_param(pk), removed_at__isnull=True).first()
    if row is None:
        raise Http404
    try:
        services.attachment_remove(actor=request.user, attachment=row)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("附件已删除"))
    return redirect("knowledge:versions", pk=row.article_id)


def _version(pk) -> ArticleVersion:
    version = (
        ArticleVersion.objects.select_related("article", "category", "author").filter(pk=id_param(pk)).first()
    )
    if version is None:
        raise Http404
    return version


@requires("knowledge.edit")
@require_POST
def submit(request, pk):
    version = _version(pk)
    try:
        services.version_submit(actor=request.user, version=version)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已提交审核"))
    return redirect("knowledge:versions", pk=version.article_id)


@requires("knowledge.review")
def review_queue(request):
    ctx = paginate(request, selectors.review_queue(request.user))
    return render(request, "knowledge/review.html", ctx)


@requires("knowledge.review")
def review(request, pk):
    version = _version(pk)
    if request.method == "POST":
        try:
            services.version_review(
                actor=request.user,
                version=version,
                approve=request.POST.get("decision") == "approve",
                note=request.POST.get("note", "")[:500],
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("审核结果已保存"))
            return redirect("knowledge:review")
    published = version.article.published
    return render(
        request,
        "knowledge/review_version.html",
        {
            "v": version,
            "published": published if published and published.pk != version.pk else None,
            "pending": version.state == VersionState.SUBMITTED,
            "own": version.author_id == request.user.pk,
        },
    )


@requires("knowledge.insight")
def insight(request):
    days = int_param(request.GET.get("days"), 90, 7, 366)
    return render(request, "knowledge/insight.html", selectors.insight(days=days))
