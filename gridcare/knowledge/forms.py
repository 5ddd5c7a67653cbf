"""The editor's form for an article version (its content is checked again by the services)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import ArticleKind
from .services import BODY_MAX, CODE_MAX, KEYWORDS_MAX, TITLE_MAX


class ArticleForm(forms.Form):
    code = forms.CharField(
        label=_("编号"), max_length=CODE_MAX, help_text=_("字母、数字和 - _ .，如 TARIFF-001")
    )
    kind = forms.ChoiceField(label=_("类型"), choices=ArticleKind.choices)
    category = forms.CharField(
        label=_("分类"), max_length=255, help_text=_("各级用“/”分隔，如 电费电价/分时电价")
    )
    title = forms.CharField(label=_("标题"), max_length=TITLE_MAX)
    body = forms.CharField(
        label=_("正文"),
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 12, "cols": 80}),
        help_text=_("可用简单 HTML（段落、加粗、列表、表格、链接）；脚本等会被清除"),
    )
    keywords = forms.CharField(label=_("关键词"), max_length=KEYWORDS_MAX, required=False)
    synonyms = forms.CharField(
        label=_("同义说法"), max_length=KEYWORDS_MAX, required=False, help_text=_("客户的说法，如 没电、断电")
    )
    customer_categories = forms.CharField(
        label=_("适用客户类别"),
        max_length=200,
        required=False,
        help_text=_("如 居民、非居民、大客户；空为全部"),
    )
    regions = forms.CharField(
        label=_("适用地区"),
        max_length=KEYWORDS_MAX,
        required=False,
        help_text=_("单位编码，逗号分隔；空为全公司"),
    )
    valid_from = forms.DateField(
        label=_("生效日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    valid_to = forms.DateField(
        label=_("失效日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    change_note = forms.CharField(label=_("修改说明"), max_length=200, required=False)
    expected_version = forms.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=0, max_value=2**31 - 1
    )

    def content(self) -> dict:
        d = self.cleaned_data
        return {
            k: d.get(k)
            for k in (
                "title",
                "body",
                "category",
                "kind",
                "keywords",
                "synonyms",
                "customer_categories",
                "regions",
                "valid_from",
                "valid_to",
                "change_note",
            )
        }

    def add_application_error(self, exc) -> None:
        self.add_error(exc.field if exc.field in self.fields else None, exc.message)
