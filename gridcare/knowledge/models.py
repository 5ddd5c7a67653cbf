"""The knowledge base (知识库): articles in a category tree, each with versions that an editor
writes and a reviewer publishes, and the search index the services keep beside them.

Articles are company-wide content (no unit scope); ``regions`` only narrows where an
article applies. Agents see the published version while it is valid (``valid_from`` …
``valid_to``); an expired article is never returned to them.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridcare.core.models import BaseModel

from .choices import ArticleKind, SearchSource, UseKind, VersionState

USER = settings.AUTH_USER_MODEL


class Category(models.Model):
    """A node of the category tree; ``path`` is the names from the root joined by ``/``
    (电费电价/分时电价), unique, which is also how imports name a category."""

    name = models.CharField(_("名称"), max_length=60)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("上级"),
    )
    path = models.CharField(_("路径"), max_length=255, unique=True)
    depth = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("知识分类")
        verbose_name_plural = _("知识分类")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.path


class Article(BaseModel):
    """One article as agents know it: ``code`` is its stable name (imports update by code).
    The fields below ``published`` copy the published version (lists and search read them
    without a join); ``published`` is None until a reviewer approved a first version.
    ``version`` grows on every change (stale forms are refused)."""

    code = models.CharField(_("编号"), max_length=40, unique=True)
    kind = models.CharField(
        _("类型"), max_length=16, choices=ArticleKind.choices, default=ArticleKind.ARTICLE
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="articles", verbose_name=_("分类")
    )
    title = models.CharField(_("标题"), max_length=200)
    published = models.ForeignKey(
        "ArticleVersion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("已发布版本"),
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    valid_from = models.DateField(_("生效日期"), null=True, blank=True)
    valid_to = models.DateField(_("失效日期"), null=True, blank=True)
    is_sample = models.BooleanField(_("示例内容（待供电公司审核）"), default=False)
    used_count = models.PositiveIntegerField(_("使用次数"), default=0)
    helpful_count = models.PositiveIntegerField(_("有帮助"), default=0)
    unhelpful_count = models.PositiveIntegerField(_("没帮助"), default=0)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("知识条目")
        verbose_name_plural = _("知识条目")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="knowledge_article_valid_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def is_valid_on(self, day: dt.date) -> bool:
        return (
            self.published_id is not None
            and (self.valid_from is None or self.valid_from <= day)
            and (self.valid_to is None or self.valid_to >= day)
        )


class ArticleVersion(models.Model):
    """One version of an article: what an editor wrote (``author``), its state in the
    review (draft → submitted → published, or rejected back to the editor) and who
    reviewed it. Published versions are never edited: a change is a new version."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="versions", verbose_name=_("知识条目")
    )
    number = models.PositiveIntegerField(_("版本号"))
    state = models.CharField(
        _("状态"), max_length=16, choices=VersionState.choices, default=VersionState.DRAFT
    )
    kind = models.CharField(
        _("类型"), max_length=16, choices=ArticleKind.choices, default=ArticleKind.ARTICLE
    )
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+", verbose_name=_("分类"))
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("正文"))
    keywords = models.CharField(_("关键词"), max_length=500, blank=True)
    synonyms = models.CharField(_("同义说法"), max_length=500, blank=True)
    customer_categories = models.CharField(_("适用客户类别"), max_length=200, blank=True)
    regions = models.CharField(_("适用地区"), max_length=500, blank=True)
    valid_from = models.DateField(_("生效日期"), null=True, blank=True)
    valid_to = models.DateField(_("失效日期"), null=True, blank=True)
    change_note = models.CharField(_("修改说明"), max_length=200, blank=True)
    author = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("创建时间"))
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    reviewer = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    review_note = models.CharField(_("审核意见"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("知识条目版本")
        verbose_name_plural = _("知识条目版本")
        ordering = ["article_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="knowledge_version_unique_number"),
        ]
        indexes = [models.Index(fields=["state", "submitted_at"], name="knowledge_version_state")]

    def __str__(self) -> str:
        return f"{self.article_id} v{self.number}"


class ArticleIndex(models.Model):
    """The search index row of a published article (one per article): its jieba tokens per
    field, space-separated, and the validity copied for filtering. Written only by
    ``services`` (the index follows publication). SQLite keeps an FTS5 table
    ``knowledge_fts`` beside it (rowid = article id); PostgreSQL a generated ``document``
    tsvector column with a GIN index (both created by migration 0002)."""

    article = models.OneToOneField(Article, on_delete=models.CASCADE, primary_key=True, related_name="index")
    title_tokens = models.TextField(blank=True)
    keyword_tokens = models.TextField(blank=True)
    body_tokens = models.TextField(blank=True)
    regions = models.CharField(max_length=500, blank=True)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("检索索引")
        verbose_name_plural = _("检索索引")


class SearchLog(models.Model):
    """One search an agent ran (the learning loop: what is asked, what found nothing)."""

    at = models.DateTimeField(_("时间"), db_index=True)
    user = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    query = models.CharField(_("检索词"), max_length=200)
    source = models.CharField(_("来源"), max_length=16, choices=SearchSource.choices)
    hits = models.PositiveIntegerField(_("结果数"))
    top = models.ForeignKey(Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("检索记录")
        verbose_name_plural = _("检索记录")
        ordering = ["-at"]
        indexes = [models.Index(fields=["hits", "at"], name="knowledge_search_hits")]


class ArticleUse(models.Model):
    """An article put to use: viewed, sent to a customer by SMS, or recorded as the answer
    on a work order (``order_no``)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="uses")
    kind = models.CharField(_("方式"), max_length=16, choices=UseKind.choices)
    user = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("时间"), db_index=True)
    order_no = models.CharField(_("工单号"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("知识使用记录")
        verbose_name_plural = _("知识使用记录")
        ordering = ["-at"]


class ArticleFeedback(models.Model):
    """An agent's verdict on an article: it helped or it did not (one per agent and article;
    a second vote replaces the first)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="feedback")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    helpful = models.BooleanField(_("有帮助"))
    at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("知识反馈")
        verbose_name_plural = _("知识反馈")
        constraints = [models.UniqueConstraint(fields=["article", "user"], name="knowledge_feedback_once")]


def attachment_path(attachment: ArticleAttachment, filename: str) -> str:
    return f"knowledge/{attachment.article_id}/{attachment.token}.{attachment.extension}"


class ArticleAttachment(models.Model):
    """A file attached to an article (附件: a notice as PDF, a form as Word, a photo),
    recognised by content, at most 10 MB. Attachments belong to the article, not to one
    version, and do not go through review: agents see them only where they see the
    article (published and valid today, ``selectors.article_get``); editors always.
    ``version`` is the version that was the latest when the file was added (history only).
    Removing one is soft (``removed_at``): the row and the file stay for the record."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("知识条目")
    )
    version = models.ForeignKey(
        ArticleVersion,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("添加时版本"),
    )
    file = models.FileField(upload_to=attachment_path, max_length=200)
    token = models.CharField(max_length=32, unique=True, editable=False)
    extension = models.CharField(max_length=8)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(default=0)
    filename = models.CharField(_("文件名"), max_length=200)
    by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("时间"))
    removed_at = models.DateTimeField(_("删除时间"), null=True, blank=True)
    removed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("知识条目附件")
        verbose_name_plural = _("知识条目附件")
        ordering = ["article_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.article_id}:{self.filename}"
