"""Writing the knowledge base: articles and their versions (editor → reviewer), the search
index that follows publication, imports, and the learning loop's records (searches, uses,
feedback). Keyword-only, atomic, permission checked (``actor=None`` is the system: the
demo's seeding, a management command), row locked, transition validated against
``choices.TRANSITIONS``, audited. The only writer of the knowledge tables.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gridcare.core.audit import audit_record
from gridcare.core.authz import require
from gridcare.core.errors import ApplicationError, ConflictError
from gridcare.core.limits import check_length
from gridcare.core.uploads import DOCUMENTS, check_document

from .choices import EDITABLE, TRANSITIONS, ArticleKind, SearchSource, UseKind, VersionState
from .models import (
    Article,
    ArticleAttachment,
    ArticleFeedback,
    ArticleIndex,
    ArticleUse,
    ArticleVersion,
    Category,
    SearchLog,
)
from .sanitize import clean_body, plain_text
from .text import index_tokens

V = VersionState
BODY_MAX = 20000
CODE_MAX = 40
TITLE_MAX = 200
KEYWORDS_MAX = 500
CATEGORY_DEPTH_MAX = 4
YEAR_RANGE = (2000, 2100)
SMS_MAX = 300
ATTACHMENTS_MAX = 10
FILENAME_MAX = 200


def _now(now):
    return now or timezone.now()


def _require(actor, perm: str) -> None:
    if actor is not None:
        require(actor, perm)


# ----------------------------------------------------------------------- pure helpers


@dataclass
class ArticleData:
    """The editable content of an article version, checked (``article_data``)."""

    title: str
    body: str
    category: str
    kind: str = ArticleKind.ARTICLE
    keywords: str = ""
    synonyms: str = ""
    customer_categories: str = ""
    regions: str = ""
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    change_note: str = ""
    errors: list[tuple[str, str]] = field(default_factory=list)


def _words(value: str | None, *, field_name: str, max_length: int) -> str:
    """Keywords and the like: split on spaces, commas (also Chinese ones) and semicolons,
    joined by commas."""
    raw = (value or "").replace("，", ",").replace("；", ",").replace(";", ",").replace("、", ",")
    words = [w.strip() for part in raw.split(",") for w in part.split()]
    out = ",".join(dict.fromkeys(w for w in words if w))
    check_length(out, field=field_name, max_length=max_length)
    return out


def parse_date(value, *, field_name: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        day = value
    else:
        text = str(value).strip()
        if text.endswith(" 00:00:00"):
            text = text[:-9]
        try:
            day = dt.date.fromisoformat(text.replace("/", "-"))
        except ValueError:
            raise ApplicationError(_("日期格式应为 YYYY-MM-DD"), field=field_name, code="invalid") from None
    if not YEAR_RANGE[0] <= day.year <= YEAR_RANGE[1]:
        raise ApplicationError(_("日期格式应为 YYYY-MM-DD"), field=field_name, code="invalid")
    return day


def article_data(
    *,
    title,
    body,
    category,
    kind=ArticleKind.ARTICLE,
    keywords="",
    synonyms="",
    customer_categories="",
    regions="",
    valid_from=None,
    valid_to=None,
    change_note="",
) -> ArticleData:
    """Check and clean what an editor or an import gives; ``ApplicationError`` names the field."""
    title = (title or "").strip()
    if not title:
        raise ApplicationError(_("请填写标题"), field="title", code="required")
    check_length(title, field="title", max_length=TITLE_MAX)
    if len(body or "") > BODY_MAX:
        check_length(body, field="body", max_length=BODY_MAX)
    body = clean_body(body)
    if not plain_text(body):
        raise ApplicationError(_("请填写正文"), field="body", code="required")
    category = "/".join(p.strip() for p in (category or "").replace("／", "/").split("/") if p.strip())
    if not category:
        raise ApplicationError(_("请填写分类"), field="category", code="required")
    parts = category.split("/")
    if len(parts) > CATEGORY_DEPTH_MAX or any(len(p) > 60 for p in parts):
        raise ApplicationError(
            _("分类最多 %(n)s 级、每级不超过 60 字，用“/”分隔") % {"n": CATEGORY_DEPTH_MAX},
            field="category",
            code="invalid",
        )
    if kind not in ArticleKind.values:
        raise ApplicationError(_("类型无效"), field="kind", code="invalid_choice")
    vf = parse_date(valid_from, field_name="valid_from")
    vt = parse_date(valid_to, field_name="valid_to")
    if vf and vt and vt < vf:
        raise ApplicationError(_("失效日期不能早于生效日期"), field="valid_to", code="invalid")
    note = (change_note or "").strip()
    check_length(note, field="change_note", max_length=200)
    return ArticleData(
        title=title,
        body=body,
        category=category,
        kind=kind,
        keywords=_words(keywords, field_name="keywords", max_length=KEYWORDS_MAX),
        synonyms=_words(synonyms, field_name="synonyms", max_length=KEYWORDS_MAX),
        customer_categories=_words(customer_categories, field_name="customer_categories", max_length=200),
        regions=_words(regions, field_name="regions", max_length=KEYWORDS_MAX),
        valid_from=vf,
        valid_to=vt,
        change_note=note,
    )


def check_code(code) -> str:
    code = (code or "").strip()
    if not code:
        raise ApplicationError(_("请填写编号"), field="code", code="required")
    if len(code) > CODE_MAX or not all(c.isascii() and (c.isalnum() or c in "-_.") for c in code):
        raise ApplicationError(
            _("编号只能由字母、数字和 - _ . 组成，最长 %(n)s 位") % {"n": CODE_MAX},
            field="code",
            code="invalid",
        )
    return code.upper()


def category_for(path: str) -> Category:
    """The category of ``path`` (created with its parents when new)."""
    parent = None
    node = None
    parts = path.split("/")
    for depth, name in enumerate(parts):
        full = "/".join(parts[: depth + 1])
        node = Category.objects.filter(path=full).first()
        if node is None:
            node = Category.objects.create(name=name, parent=parent, path=full, depth=depth)
        parent = node
    return node


def _version_fields(data: ArticleData) -> dict:
    return {
        "kind": data.kind,
        "category": category_for(data.category),
        "title": data.title,
        "body": data.body,
        "keywords": data.keywords,
        "synonyms": data.synonyms,
        "customer_categories": data.customer_categories,
        "regions": data.regions,
        "valid_from": data.valid_from,
        "valid_to": data.valid_to,
        "change_note": data.change_note,
    }


# ------------------------------------------------------------------------ the index


def _index_rows(article: Article, version: ArticleVersion) -> dict:
    return {
        "title_tokens": index_tokens(version.title),
        "keyword_tokens": index_tokens(" ".join(version.keywords.split(",") + version.synonyms.split(","))),
        "body_tokens": index_tokens(plain_text(version.body), max_chars=BODY_MAX),
        "regions": version.regions,
        "valid_from": version.valid_from,
        "valid_to": version.valid_to,
        "published_at": article.published_at,
    }


def _fts_write(rows: list[tuple[int, str, str, str]], *, delete: list[int] = ()) -> None:
    """SQLite only: mirror index rows into the FTS5 table (PostgreSQL's tsvector is generated)."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cur:
        ids = [r[0] for r in rows] + list(delete)
        if ids:
            cur.executemany("DELETE FROM knowledge_fts WHERE rowid = %s", [(i,) for i in ids])
        if rows:
            cur.executemany(
                "INSERT INTO knowledge_fts(rowid, title, keywords, body) VALUES (%s, %s, %s, %s)", rows
            )


def article_reindex(*, article: Article, version: ArticleVersion) -> None:
    """Put the published ``version`` of ``article`` in the search index (internal: called by
    publication; no permission of its own)."""
    values = _index_rows(article, version)
    ArticleIndex.objects.update_or_create(article=article, defaults=values)
    _fts_write([(article.pk, values["title_tokens"], values["keyword_tokens"], values["body_tokens"])])


def index_rebuild() -> int:
    """Rebuild the whole index from the published versions (after a dictionary change)."""
    n = 0
    with transaction.atomic():
        ArticleIndex.objects.all().delete()
        if connection.vendor == "sqlite":
            with connection.cursor() as cur:
                cur.execute("DELETE FROM knowledge_fts")
        for article in Article.objects.filter(published__isnull=False).select_related("published"):
            article_reindex(article=article, version=article.published)
            n += 1
    return n


# ------------------------------------------------------------------------- services


def _lock_article(article: Article | int, expected_version: int | None) -> Article:
    pk = article.pk if isinstance(article, Article) else article
    locked = Article.objects.select_for_update().filter(pk=pk).first()
    if locked is None:
        raise ApplicationError(_("知识条目不存在"), field="article", code="not_found", status=404)
    if expected_version is not None and locked.version != expected_version:
        raise ConflictError(_("知识条目已被他人修改，请刷新后重试"))
    return locked


def _publish(article: Article, version: ArticleVersion, *, actor, now: dt.datetime, note: str = "") -> None:
    """Make ``version`` the published one (the previous one superseded) and index it."""
    if article.published_id and article.published_id != version.pk:
        ArticleVersion.objects.filter(pk=article.published_id).update(state=V.SUPERSEDED)
    version.state = V.PUBLISHED
    version.reviewer = actor if getattr(actor, "pk", None) else None
    version.reviewed_at = now
    version.review_note = note
    version.save(update_fields=["state", "reviewer", "reviewed_at", "review_note"])
    article.published = version
    article.published_at = now
    article.title = version.title
    article.kind = version.kind
    article.category = version.category
    article.valid_from = version.valid_from
    article.valid_to = version.valid_to
    article.version += 1
    article.save()
    article_reindex(article=article, version=version)


def article_create(
    *,
    actor,
    code: str,
    data: ArticleData,
    publish: bool = False,
    is_sample: bool = False,
    now: dt.datetime | None = None,
) -> Article:
    """A new article with its first version, a draft (``publish``: published at once — the
    system's imports and seeding, or a reviewer writing it)."""
    _require(actor, "knowledge.edit")
    if publish:
        _require(actor, "knowledge.review")
    code = check_code(code)
    now = _now(now)
    with transaction.atomic():
        if Article.objects.filter(code=code).exists():
            raise ApplicationError(_("编号 %(code)s 已存在") % {"code": code}, field="code", code="duplicate")
        fields = _version_fields(data)
        article = Article.objects.create(
            code=code, kind=data.kind, category=fields["category"], title=data.title, is_sample=is_sample
        )
        version = ArticleVersion.objects.create(
            article=article,
            number=1,
            author=actor if getattr(actor, "pk", None) else None,
            created_at=now,
            **fields,
        )
        audit_record(
            actor=actor, action="knowledge.create", obj=article, changes={"title": [None, data.title]}
        )
        if publish:
            _publish(article, version, actor=actor, now=now)
            audit_record(actor=actor, action="knowledge.publish", obj=article, changes={"number": [None, 1]})
        return article


def article_revise(
    *,
    actor,
    article: Article | int,
    data: ArticleData,
    expected_version: int | None = None,
    publish: bool = False,
    now: dt.datetime | None = None,
) -> ArticleVersion:
    """A change to an article: the open draft (or rejected version) is rewritten, else a new
    version starts as a draft. Agents keep seeing the published version until a reviewer
    publishes the change (``publish``: at once, for reviewers and the system's imports)."""
    _require(actor, "knowledge.edit")
    if publish:
        _require(actor, "knowledge.review")
    now = _now(now)
    with transaction.atomic():
        article = _lock_article(article, expected_version)
        fields = _version_fields(data)
        latest = article.versions.order_by("-number").first()
        if latest is not None and latest.state in EDITABLE:
            for name, value in fields.items():
                setattr(latest, name, value)
            latest.state = V.DRAFT
            latest.author = actor if getattr(actor, "pk", None) else latest.author
            latest.save()
            version = latest
        else:
            version = ArticleVersion.objects.create(
                article=article,
                number=(latest.number + 1) if latest else 1,
                author=actor if getattr(actor, "pk", None) else None,
                created_at=now,
                **fields,
            )
        article.version += 1
        article.save(update_fields=["version", "updated_at"])
        audit_record(
            actor=actor, action="knowledge.revise", obj=article, changes={"number": [None, version.number]}
        )
        if publish:
            _publish(article, version, actor=actor, now=now)
            audit_record(
                actor=actor,
                action="knowledge.publish",
                obj=article,
                changes={"number": [None, version.number]},
            )
        return version


def _lock_version(version: ArticleVersion | int) -> ArticleVersion:
    pk = version.pk if isinstance(version, ArticleVersion) else version
    locked = ArticleVersion.objects.select_for_update().filter(pk=pk).select_related("article").first()
    if locked is None:
        raise ApplicationError(_("版本不存在"), field="version", code="not_found", status=404)
    return locked


def _check_transition(version: ArticleVersion, target: str) -> None:
    if target not in TRANSITIONS[version.state]:
        raise ApplicationError(
            _("版本处于“%(state)s”状态，不能变为“%(target)s”")
            % {"state": version.get_state_display(), "target": VersionState(target).label},
            field="state",
            code="invalid_transition",
            status=409,
        )


def version_submit(*, actor, version: ArticleVersion | int, now: dt.datetime | None = None) -> ArticleVersion:
    """The editor hands a draft (or a rejected version, corrected) to the reviewers."""
    require(actor, "knowledge.edit")
    now = _now(now)
    with transaction.atomic():
        version = _lock_version(version)
        _check_transition(version, V.SUBMITTED)
        before = version.state
        version.state = V.SUBMITTED
        version.submitted_at = now
        version.save(update_fields=["state", "submitted_at"])
        Article.objects.filter(pk=version.article_id).update(version=F("version") + 1)
        audit_record(
            actor=actor, action="knowledge.submit", obj=version, changes={"state": [before, V.SUBMITTED]}
        )
        return version


def version_review(
    *, actor, version: ArticleVersion | int, approve: bool, note: str = "", now: dt.datetime | None = None
) -> ArticleVersion:
    """A reviewer publishes a submitted version or sends it back with a reason. Nobody
    approves their own text (the approval step means a second person read it)."""
    require(actor, "knowledge.review")
    note = (note or "").strip()
    check_length(note, field="note", max_length=500)
    now = _now(now)
    with transaction.atomic():
        version = _lock_version(version)
        target = V.PUBLISHED if approve else V.REJECTED
        _check_transition(version, target)
        if approve and version.author_id is not None and version.author_id == getattr(actor, "pk", None):
            raise ApplicationError(
                _("不能审核自己编写的版本"), field="version", code="own_version", status=409
            )
        if not approve and not note:
            raise ApplicationError(_("退回须写明原因"), field="note", code="required")
        article = _lock_article(version.article_id, None)
        if approve:
            _publish(article, version, actor=actor, now=now, note=note)
        else:
            version.state = V.REJECTED
            version.reviewer = actor
            version.reviewed_at = now
            version.review_note = note
            version.save(update_fields=["state", "reviewer", "reviewed_at", "review_note"])
            article.version += 1
            article.save(update_fields=["version", "updated_at"])
        audit_record(
            actor=actor,
            action="knowledge.publish" if approve else "knowledge.reject",
            obj=version,
            changes={"state": [V.SUBMITTED, target], **({"note": [None, note]} if note else {})},
        )
        return version


def knowledge_import(*, actor, rows: list[tuple[int, str, ArticleData]], name: str = "") -> dict:
    """Write checked import rows ``(row number, code, data)``: a new code is a new article,
    a known one gets a new version; published at once (an import is the administrator's
    reviewed content); a row whose content equals the published version changes nothing.
    All in one transaction."""
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    now = timezone.now()
    with transaction.atomic():
        existing = {
            a.code: a
            for a in Article.objects.filter(code__in=[c for _r, c, _d in rows]).select_related("published")
        }
        for _rowno, code, data in rows:
            article = existing.get(code)
            if article is None:
                article_create(actor=None, code=code, data=data, publish=True, is_sample=False, now=now)
                counts["created"] += 1
                continue
            pub = article.published
            if pub is not None and all(
                getattr(pub, k) == v if k != "category" else pub.category.path == data.category
                for k, v in _comparable(data).items()
            ):
                counts["unchanged"] += 1
                continue
            article_revise(actor=None, article=article, data=data, publish=True, now=now)
            counts["updated"] += 1
        audit_record(
            actor=actor,
            action="knowledge.import",
            object_type="knowledge.article",
            note=name,
            changes={"rows": [None, len(rows)]},
        )
    return counts


def _comparable(data: ArticleData) -> dict:
    return {
        "title": data.title,
        "body": data.body,
        "category": data.category,
        "keywords": data.keywords,
        "valid_from": data.valid_from,
        "valid_to": data.valid_to,
    }


# ------------------------------------------------------------- the learning loop


def search_log(*, actor, query: str, source: str, hits: list, now: dt.datetime | None = None) -> None:
    """Remember a search (what was asked, how many answers, the first) — the gaps are the
    searches that found nothing."""
    q = " ".join((query or "").split())[:200]
    if not q or source not in SearchSource.values:
        return
    SearchLog.objects.create(
        at=_now(now),
        user=actor if getattr(actor, "pk", None) else None,
        query=q,
        source=source,
        hits=len(hits),
        top_id=hits[0].article_id if hits else None,
    )


def _usable(actor, article: Article | int, now: dt.datetime) -> Article:
    pk = article.pk if isinstance(article, Article) else article
    found = Article.objects.select_for_update().filter(pk=pk).first()
    if found is None or not found.is_valid_on(timezone.localdate(now)):
        raise ApplicationError(_("知识条目不存在或已失效"), field="article", code="not_found", status=404)
    return found


def article_feedback(
    *, actor, article: Article | int, helpful: bool, now: dt.datetime | None = None
) -> Article:
    """An agent says the article helped (or not); one vote per agent, the last one counts."""
    require(actor, "knowledge.view")
    now = _now(now)
    with transaction.atomic():
        article = _usable(actor, article, now)
        previous = ArticleFeedback.objects.filter(article=article, user=actor).first()
        if previous is not None:
            if previous.helpful == helpful:
                return article
            old = "helpful_count" if previous.helpful else "unhelpful_count"
            previous.helpful, previous.at = helpful, now
            previous.save(update_fields=["helpful", "at"])
        else:
            ArticleFeedback.objects.create(article=article, user=actor, helpful=helpful, at=now)
            old = None
        new = "helpful_count" if helpful else "unhelpful_count"
        updates = {new: F(new) + 1}
        if old:
            updates[old] = F(old) - 1
        Article.objects.filter(pk=article.pk).update(**updates)
        article.refresh_from_db()
        return article


def article_viewed(*, actor, article: Article, now: dt.datetime | None = None) -> None:
    """An agent opened the article (counted once per agent, article and day)."""
    now = _now(now)
    today = timezone.localdate(now)
    start = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    if ArticleUse.objects.filter(article=article, user=actor, kind=UseKind.VIEW, at__gte=start).exists():
        return
    with transaction.atomic():
        ArticleUse.objects.create(article=article, user=actor, kind=UseKind.VIEW, at=now)
        Article.objects.filter(pk=article.pk).update(used_count=F("used_count") + 1)


def sms_text(article: Article) -> str:
    """The SMS of an article: title and the opening of its text, within ``SMS_MAX``."""
    body = plain_text(article.published.body if article.published_id else "").replace("\n", " ")
    head = f"【国网客服】{article.title}："
    tail = _("（详询95598）")
    room = SMS_MAX - len(head) - len(tail)
    if len(body) > room:
        body = body[: room - 1] + "…"
    return head + body + tail


def article_send_sms(
    *, actor, article: Article | int, phone: str, order_no: str = "", now: dt.datetime | None = None
) -> None:
    """Send the article to a customer's mobile through escalation's outbox."""
    from gridcare.escalation.services import outbound_enqueue

    require(actor, "knowledge.send")
    phone = "".join((phone or "").split()).replace("-", "")
    if not (len(phone) == 11 and phone.isdigit() and phone.startswith("1")):
        raise ApplicationError(_("请填写 11 位手机号码"), field="phone", code="invalid")
    now = _now(now)
    with transaction.atomic():
        article = _usable(actor, article, now)
        outbound_enqueue(channel="sms", recipient=phone, body=sms_text(article))
        ArticleUse.objects.create(
            article=article, user=actor, kind=UseKind.SMS, at=now, order_no=order_no[:32]
        )
        Article.objects.filter(pk=article.pk).update(used_count=F("used_count") + 1)
        audit_record(
            actor=actor,
            action="knowledge.sms",
            obj=article,
            changes={"phone": [None, phone[:3] + "****" + phone[-4:]]},
        )


def article_answered(*, actor, article: Article | int, order_no: str, now: dt.datetime | None = None) -> None:
    """Record on a work order that the agent answered from this article (the order's
    timeline names it)."""
    from gridcare.core.messages import msg
    from gridcare.workorders.models import WorkOrder
    from gridcare.workorders.selectors import work_order_get
    from gridcare.workorders.services import work_order_note

    require(actor, "knowledge.send")
    order_no = (order_no or "").strip()[:32]
    if not order_no:
        raise ApplicationError(_("请填写工单号"), field="order_no", code="required")
    now = _now(now)
    with transaction.atomic():
        article = _usable(actor, article, now)
        try:
            order = work_order_get(actor, order_no)
        except (WorkOrder.DoesNotExist, ValueError):
            raise ApplicationError(
                _("工单 %(no)s 不存在") % {"no": order_no}, field="order_no", code="not_found"
            ) from None
        work_order_note(
            actor=actor,
            order=order,
            msg=msg("knowledge.answered", article=article.code, title=article.title),
            data={"knowledge_article": article.code},
            notify=False,
            now=now,
        )
        ArticleUse.objects.create(
            article=article, user=actor, kind=UseKind.ANSWERED, at=now, order_no=order_no
        )
        Article.objects.filter(pk=article.pk).update(used_count=F("used_count") + 1)
        audit_record(
            actor=actor, action="knowledge.answered", obj=article, changes={"order": [None, order_no]}
        )


# ------------------------------------------------------------------------ attachments


def attachment_filename(name: str | None, extension: str) -> str:
    """The name a download is offered under: the uploaded name without any folder part,
    cut to ``FILENAME_MAX`` keeping its end; ``附件.<ext>`` when nothing is left."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    name = "".join(ch for ch in name if ch.isprintable())
    return name[-FILENAME_MAX:] or f"附件.{extension}"


def attachment_add(
    *,
    actor,
    article: Article | int,
    content: bytes | None,
    filename: str = "",
    now: dt.datetime | None = None,
) -> ArticleAttachment:
    """Attach a file to an article (PDF, Word, JPEG, PNG or WEBP, recognised by content,
    at most 10 MB; at most ``ATTACHMENTS_MAX`` live files per article). Attachments belong
    to the article and are not reviewed: agents see them wherever they may open the
    article (published and valid), editors always."""
    _require(actor, "knowledge.edit")
    kind = check_document(content, field="file", allowed=DOCUMENTS)
    now = _now(now)
    with transaction.atomic():
        locked = _lock_article(article, None)
        if locked.attachments.filter(removed_at__isnull=True).count() >= ATTACHMENTS_MAX:
            raise ApplicationError(
                _("每个知识条目最多 %(n)s 个附件，请先删除不用的附件") % {"n": ATTACHMENTS_MAX},
                field="file",
                code="too_many",
            )
        row = ArticleAttachment(
            article=locked,
            version=locked.versions.order_by("-number").first(),
            token=secrets.token_hex(16),
            extension=kind.extension,
            content_type=kind.content_type,
            size=len(content),
            filename=attachment_filename(filename, kind.extension),
            by=actor if getattr(actor, "pk", None) else None,
            at=now,
        )
        row.file.save(f"{row.token}.{kind.extension}", ContentFile(content), save=False)
        try:
            row.save()
            audit_record(
                actor=actor,
                action="knowledge.attach",
                obj=locked,
                changes={"file": [None, row.filename], "type": row.content_type, "size": row.size},
            )
        except Exception:
            row.file.delete(save=False)
            raise
    return row


def attachment_remove(
    *, actor, attachment: ArticleAttachment | int, now: dt.datetime | None = None
) -> ArticleAttachment:
    """Take an attachment off its article (soft: ``removed_at``; the file is kept for the
    record but no longer listed or served)."""
    _require(actor, "knowledge.edit")
    pk = attachment.pk if isinstance(attachment, ArticleAttachment) else attachment
    now = _now(now)
    with transaction.atomic():
        row = ArticleAttachment.objects.select_for_update().filter(pk=pk).select_related("article").first()
        if row is None or row.removed_at is not None:
            raise ApplicationError(_("附件不存在或已删除"), field="attachment", code="not_found", status=404)
        row.removed_at = now
        row.removed_by = actor if getattr(actor, "pk", None) else None
        row.save(update_fields=["removed_at", "removed_by"])
        audit_record(
            actor=actor, action="knowledge.detach", obj=row.article, changes={"file": [row.filename, None]}
        )
    return row
