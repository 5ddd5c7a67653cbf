"""Kinds of knowledge articles, the states of an article version and the one transition table."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ArticleKind(models.TextChoices):
    ARTICLE = "article", _("知识条目")
    POLICY = "policy", _("政策通知")
    SCRIPT = "script", _("服务话术")


class VersionState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审核")
    PUBLISHED = "published", _("已发布")
    REJECTED = "rejected", _("已退回")
    SUPERSEDED = "superseded", _("已被新版本替代")


class UseKind(models.TextChoices):
    VIEW = "view", _("查看")
    SMS = "sms", _("短信发送")
    ANSWERED = "answered", _("用于答复工单")


class SearchSource(models.TextChoices):
    PAGE = "page", _("知识库检索")
    INTAKE = "intake", _("受理推荐")
    API = "api", _("接口")
    CLI = "cli", _("命令行")


V = VersionState

# THE transition table of a version: state -> states it may move to.
TRANSITIONS: dict[str, frozenset[str]] = {
    V.DRAFT: frozenset({V.SUBMITTED, V.PUBLISHED}),
    V.SUBMITTED: frozenset({V.PUBLISHED, V.REJECTED}),
    V.REJECTED: frozenset({V.SUBMITTED}),
    V.PUBLISHED: frozenset({V.SUPERSEDED}),
    V.SUPERSEDED: frozenset(),
}
EDITABLE = frozenset({V.DRAFT, V.REJECTED})
