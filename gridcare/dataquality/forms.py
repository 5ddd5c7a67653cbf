"""Forms of the data-quality pages: the worklist filter."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gridcare.org.choices import UnitKind
from gridcare.org.models import OrgUnit

from .choices import CheckCode, FindingStatus
from .selectors import STATUS_ACTIVE, STATUS_ALL


class FindingFilterForm(forms.Form):
    code = forms.ChoiceField(label=_("检查项"), required=False)
    status = forms.ChoiceField(label=_("状态"), required=False)
    station = forms.ChoiceField(label=_("供电所"), required=False)
    mine = forms.ChoiceField(
        label=_("处理人"),
        required=False,
        choices=[("", _("全部")), ("me", _("分派给我")), ("none", _("未分派"))],
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["code"].choices = [("", gettext("全部"))] + list(CheckCode.choices)
        self.fields["status"].choices = [
            (STATUS_ACTIVE, gettext("未关闭")),
            *FindingStatus.choices,
            (STATUS_ALL, gettext("全部")),
        ]
        stations = OrgUnit.objects.visible_to(user).filter(kind=UnitKind.STATION).order_by("path")
        self.fields["station"].choices = [("", gettext("全部"))] + [
            (s.code, s.name) for s in stations.only("code", "name")
        ]

    def filters(self) -> dict:
        """The selector's keyword arguments (defaults when the form is not valid)."""
        out = {"code": "", "status": STATUS_ACTIVE, "station": None, "assignee": None, "unassigned": False}
        if not self.is_bound or not self.is_valid():
            return out
        d = self.cleaned_data
        out["code"] = d.get("code") or ""
        out["status"] = d.get("status") or STATUS_ACTIVE
        if d.get("station"):
            out["station"] = (
                OrgUnit.objects.visible_to(self.user).filter(kind=UnitKind.STATION, code=d["station"]).first()
            )
        if d.get("mine") == "me":
            out["assignee"] = self.user
        elif d.get("mine") == "none":
            out["unassigned"] = True
        return out
