"""Safety-inspection findings as a source of rectification items: their label, and the
link from an item back to the inspection that found the problem."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gridcare.core.params import id_param
from gridcare.rectification.sources import register_source_kind

from .models import InspectionFinding
from .services import FINDING_SOURCE


def finding_link(ref: str) -> str | None:
    pk = id_param(ref)
    inspection_id = (
        InspectionFinding.objects.filter(pk=pk).values_list("inspection_id", flat=True).first()
        if pk
        else None
    )
    return reverse("keyaccounts:inspection", args=[inspection_id]) if inspection_id else None


register_source_kind(FINDING_SOURCE, _("大客户安全检查"), link=finding_link)
