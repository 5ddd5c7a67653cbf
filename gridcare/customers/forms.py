from django import forms
from django.utils.translation import gettext as _

from gridcare.grid.models import TransformerArea

from .models import Customer


class CustomerForm(forms.ModelForm):
    """Edit master data; phones validated like the import; area chosen by code within scope."""

    area_code = forms.CharField(label="台区编码", max_length=32)

    class Meta:
        model = Customer
        fields = [
            "name",
            "phone",
            "phone2",
            "address",
            "category",
            "tariff",
            "voltage_kv",
            "capacity_kva",
            "important",
            "sensitive",
        ]

    def __init__(self, *args, areas=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.areas = areas if areas is not None else TransformerArea.objects.all()
        if self.instance and self.instance.pk and not self.is_bound:
            self.fields["area_code"].initial = self.instance.area.code

    def clean_phone(self):
        return _phone(self.cleaned_data["phone"], required=False)

    def clean_phone2(self):
        return _phone(self.cleaned_data["phone2"], required=False)

    def clean_area_code(self):
        area = self.areas.filter(code=self.cleaned_data["area_code"].strip()).first()
        if area is None:
            raise forms.ValidationError(_("台区编码不存在或不在您的权限范围内"))
        return area


def _phone(value: str, *, required: bool) -> str:
    from gridcare.core.textutil import to_halfwidth

    from .importers import PHONE_RE

    value = to_halfwidth(value or "").replace(" ", "")
    if value and not PHONE_RE.match(value):
        raise forms.ValidationError(_("电话号码无效（手机11位或区号-号码）"))
    return value
