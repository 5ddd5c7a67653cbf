"""Forms of the outage pages: announce an outage, and the reliability period."""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gridcare.core.limits import TEXT_MAX
from gridcare.core.params import DATETIME_YEARS

from .choices import OutageKind
from .reliability import LEVELS

_SPLIT = re.compile(r"[\s,，、;；]+")
LEVEL_LABELS = {
    "area": _("台区"),
    "feeder": _("线路"),
    "station": _("供电所"),
    "county": _("县公司"),
    "company": _("省公司"),
}


class _LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class _BoundedDateTimeField(forms.DateTimeField):
    widget = _LocalDateTimeInput

    def clean(self, value):
        result = super().clean(value)
        lo, hi = DATETIME_YEARS
        if result is not None and not lo <= result.year <= hi:
            raise forms.ValidationError(gettext("时间须在 %(lo)s 年至 %(hi)s 年之间") % {"lo": lo, "hi": hi})
        return result


def split_codes(text: str) -> list[str]:
    """Codes typed one per line or separated by commas, spaces or 、."""
    return [c for c in _SPLIT.split(text or "") if c]


class OutageForm(forms.Form):
    kind = forms.ChoiceField(label=_("停电类型"), choices=OutageKind.choices)
    feeders = forms.CharField(
        label=_("线路编码"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("线路下的全部台区停电；多个编码用逗号或换行分隔"),
    )
    areas = forms.CharField(
        label=_("台区编码"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("多个编码用逗号或换行分隔"),
    )
    cause = forms.CharField(
        label=_("停电原因"), required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )
    planned_start = _BoundedDateTimeField(label=_("计划停电时间"), required=False)
    planned_end = _BoundedDateTimeField(label=_("计划送电时间"), required=False)
    started_at = _BoundedDateTimeField(
        label=_("停电时间"), required=False, help_text=_("已停电时填写（故障）：同时冻结停电客户")
    )
    estimated_restoration = _BoundedDateTimeField(label=_("预计恢复时间"), required=False)

    def clean_feeders(self):
        return split_codes(self.cleaned_data["feeders"])

    def clean_areas(self):
        return split_codes(self.cleaned_data["areas"])


class ReliabilityForm(forms.Form):
    # ISO dates: what a browser's date input reads, whatever the language's date format.
    start = forms.DateField(
        label=_("起始日期"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("截止日期"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    level = forms.ChoiceField(label=_("统计层级"), choices=[(lv, LEVEL_LABELS[lv]) for lv in LEVELS])

    MAX_DAYS = 3 * 366

    @classmethod
    def defaults(cls) -> dict:
        today = timezone.localdate()
        return {"start": today.replace(month=1, day=1), "end": today, "level": "station"}  # year to date

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            lo, hi = DATETIME_YEARS
            if not (lo <= start.year <= hi and lo <= end.year <= hi):
                self.add_error("start", gettext("日期超出范围"))
            elif end < start:
                self.add_error("end", gettext("截止日期不能早于起始日期"))
            elif end - start > dt.timedelta(days=self.MAX_DAYS):
                self.add_error("end", gettext("统计期间最长 %(days)d 天") % {"days": self.MAX_DAYS})
        return data
