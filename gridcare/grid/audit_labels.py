"""What the grid's audit rows mean, in words (core's one table)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gridcare.core.audit import register_audit_labels

from .choices import AreaClass
from .models import Feeder, TransformerArea

_COUNTS = {"created": _("新增"), "updated": _("更新")}
register_audit_labels("grid.", group=_("电网台账"), actions={"import": _("导入电网台账")}, fields=_COUNTS)
register_audit_labels(
    "feeder.",
    group=_("线路"),
    actions={"import_update": _("导入更新线路")},
    fields={f.name: f.verbose_name for f in Feeder._meta.concrete_fields},
    objects={"grid.feeder": _("线路")},
)
register_audit_labels(
    "area.",
    group=_("台区"),
    actions={"import_update": _("导入更新台区")},
    fields={f.name: f.verbose_name for f in TransformerArea._meta.concrete_fields},
    values={"area_class": dict(AreaClass.choices)},
    objects={"grid.transformerarea": _("台区")},
)
