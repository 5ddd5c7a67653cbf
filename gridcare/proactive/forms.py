"""Forms of the proactive pages: the care-list filter (also the campaign's list), a new
campaign, a field task's outcome, a potential-demand record."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gridcare.core.limits import NAME_MAX
from gridcare.grid.models import TransformerArea
from gridcare.org.choices import UnitKind
from gridcare.org.models import OrgUnit

from .choices import TASK_OUTCOMES, CampaignKind, CareList, DemandSource, DemandStatus, TargetStatus
from .models import MAX_DEMAND_KW
from .services import MESSAGE_MAX


def station_choices(user) -> list[tuple[str, str]]:
    stations = OrgUnit.objects.visible_to(user).filter(kind=UnitKind.STATION).order_by("path")
    return [("", gettext("全部"))] + [(s.code, s.name) for s in stations.only("code", "name")]


class CareListForm(forms.Form):
    """Which list, and optionally one station or one transformer area (by code)."""

    care_list = forms.ChoiceField(label=_("清单"), choices=CareList.choices, required=False)
    station = forms.ChoiceField(label=_("供电所"), required=False)
    area = forms.CharField(label=_("台区编码"), required=False, max_length=32)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["station"].choices = station_choices(user)

    def clean_care_list(self):
        return self.cleaned_data.get("care_list") or CareList.ANY

    def clean_station(self):
        code = self.cleaned_data.get("station")
        if not code:
            return None
        station = OrgUnit.objects.visible_to(self.user).filter(kind=UnitKind.STATION, code=code).first()
        if station is None:
            raise forms.ValidationError(gettext("供电所不存在或不在您的权限范围内"))
        return station

    def clean_area(self):
        code = (self.cleaned_data.get("area") or "").strip()
        if not code:
            return None
        area = (
            TransformerArea.objects.visible_to(self.user).filter(code=code).select_related("station").first()
        )
        if area is None:
            raise forms.ValidationError(gettext("台区不存在或不在您的权限范围内"))
        return area


class CampaignForm(CareListForm):
    name = forms.CharField(label=_("活动名称"), max_length=NAME_MAX)
    kind = forms.ChoiceField(label=_("方式"), choices=CampaignKind.choices)
    message = forms.CharField(
        label=_("短信内容"),
        required=False,
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("仅短信告知使用；留空用默认内容。{no} 替换为户号，{sig} 替换为签名"),
    )


class TaskOutcomeForm(forms.Form):
    customer_no = forms.CharField(max_length=20)
    outcome = forms.ChoiceField(choices=[(s.value, s.label) for s in TargetStatus if s in TASK_OUTCOMES])
    note = forms.CharField(required=False, max_length=500)


class _DateInput(forms.DateInput):
    input_type = "date"


class DemandForm(forms.Form):
    title = forms.CharField(label=_("项目名称"), max_length=NAME_MAX)
    source = forms.ChoiceField(label=_("信息来源"), choices=DemandSource.choices)
    source_detail = forms.CharField(label=_("来源单位/联系人"), max_length=NAME_MAX, required=False)
    station = forms.ChoiceField(label=_("供电所"))
    area = forms.CharField(label=_("附近台区编码"), max_length=32, required=False)
    location = forms.CharField(label=_("位置"), max_length=200)
    expected_kw = forms.DecimalField(
        label=_("预计负荷(kW)"),
        min_value=Decimal("0.1"),
        max_value=MAX_DEMAND_KW,
        max_digits=10,
        decimal_places=1,
    )
    expected_date = forms.DateField(label=_("预计用电日期"), widget=_DateInput, input_formats=["%Y-%m-%d"])
    status = forms.ChoiceField(label=_("状态"), choices=DemandStatus.choices)
    note = forms.CharField(
        label=_("备注"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["station"].choices = station_choices(user)[1:]

    def clean_expected_date(self):
        day = self.cleaned_data["expected_date"]
        if not dt.date(2000, 1, 1) <= day <= dt.date(2100, 12, 31):
            raise forms.ValidationError(gettext("日期无效"))
        return day

    def clean_station(self):
        code = self.cleaned_data.get("station")
        station = OrgUnit.objects.visible_to(self.user).filter(kind=UnitKind.STATION, code=code).first()
        if station is None:
            raise forms.ValidationError(gettext("供电所不存在或不在您的权限范围内"))
        return station

    def clean_area(self):
        code = (self.cleaned_data.get("area") or "").strip()
        if not code:
            return None
        area = TransformerArea.objects.visible_to(self.user).filter(code=code).first()
        if area is None:
            raise forms.ValidationError(gettext("台区不存在或不在您的权限范围内"))
        return area
