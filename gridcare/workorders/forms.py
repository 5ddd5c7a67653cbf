"""Forms of the work-order pages. They only shape input; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gridcare.core.errors import ApplicationError
from gridcare.core.limits import DESCRIPTION_MAX, TEXT_MAX

from .choices import (
    ApplicationSubtype,
    ArchiveSatisfaction,
    Channel,
    Dimension,
    FaultCause,
    Priority,
    RequestType,
)


class ApplicationErrorFormMixin:
    def add_application_error(self, exc: ApplicationError) -> None:
        field = exc.field if exc.field in self.fields else None
        self.add_error(field, exc.message)


class WorkOrderIntakeForm(ApplicationErrorFormMixin, forms.Form):
    """The intake form. The channel starts from the role (``choices.INTAKE_CHANNEL_BY_ROLE``,
    set by the view) and is otherwise an explicit choice; the contact phone may stay blank,
    and the customer's recorded phone is then used (shown masked as a hint, ``phone_hint``)."""

    channel = forms.ChoiceField(label=_("受理渠道"), choices=[("", _("—请选择—"))] + list(Channel.choices))
    request_type = forms.ChoiceField(label=_("诉求类型"), choices=RequestType.choices)
    subtype = forms.ChoiceField(
        label=_("业务子类"), choices=[("", "—")] + list(ApplicationSubtype.choices), required=False
    )
    dimension = forms.ChoiceField(label=_("分析维度"), choices=Dimension.choices)
    priority = forms.TypedChoiceField(
        label=_("优先级"),
        choices=[("", _("自动"))] + list(Priority.choices),
        coerce=int,
        empty_value=None,
        required=False,
    )
    description = forms.CharField(
        label=_("诉求内容"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=DESCRIPTION_MAX,
    )
    customer = forms.CharField(label=_("户号"), required=False)
    area = forms.CharField(label=_("台区编码"), required=False)
    contact_name = forms.CharField(label=_("联系人"), required=False, max_length=100)
    contact_phone = forms.CharField(
        label=_("联系电话"),
        required=False,
        max_length=20,
        help_text=_("留空则使用客户档案中的电话"),
    )
    address = forms.CharField(label=_("地址"), required=False, max_length=200)
    answered = forms.BooleanField(label=_("咨询已当场答复"), required=False)
    reply = forms.CharField(
        label=_("答复内容"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=TEXT_MAX
    )

    def __init__(self, *args, phone_hint: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if phone_hint:
            self.fields["contact_phone"].widget.attrs["placeholder"] = phone_hint

    def clean_contact_phone(self):
        phone = self.cleaned_data["contact_phone"].strip()
        if "*" in phone:  # a masked number copied from the screen is no number to call back
            raise forms.ValidationError(_("请填写完整的联系电话，或留空使用客户档案中的电话"))
        return phone


class ActionForm(ApplicationErrorFormMixin, forms.Form):
    """Fields of any order action; each action uses the ones it needs."""

    expected_version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    unit = forms.CharField(label=_("目标单位"), required=False)
    handler = forms.CharField(label=_("处理人（用户名）"), required=False)
    reason = forms.CharField(label=_("原因"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    note = forms.CharField(label=_("说明"), required=False)
    reply = forms.CharField(label=_("处理结果"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    # Archive: an explicit choice (no default); the dispatcher refuses an empty one.
    satisfied = forms.ChoiceField(
        label=_("客户是否满意"), required=False, choices=[("", "—"), *ArchiveSatisfaction.choices]
    )
    master = forms.CharField(label=_("主单号"), required=False)
    at = forms.DateTimeField(
        label=_("实际时间"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )
    isolated_at = forms.DateTimeField(
        label=_("故障隔离时间"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )
    fault_cause = forms.ChoiceField(
        label=_("故障原因"), required=False, choices=[("", "—"), *FaultCause.choices]
    )
    priority = forms.TypedChoiceField(
        label=_("优先级"), required=False, choices=Priority.choices, coerce=int, empty_value=None
    )
