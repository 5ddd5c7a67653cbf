"""Writes of the organisation."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Length, Substr
from django.utils.translation import gettext as _

from gridcare.core.audit import audit_record
from gridcare.core.authz import require
from gridcare.core.errors import ApplicationError
from gridcare.core.scoping import PATH_COLUMNS

from .models import OrgUnit


def _rewrite_prefix(qs, field: str, old: str, new: str) -> int:
    """``field = new || substr(field, len(old) + 1)`` for rows whose ``field`` starts with ``old``."""
    return qs.filter(**{f"{field}__startswith": old}).update(
        **{field: Concat(Value(new), Substr(F(field), len(old) + 1, Length(F(field))))}
    )


def org_unit_move(*, actor, unit: OrgUnit, new_parent: OrgUnit) -> OrgUnit:
    """Move ``unit`` (and everything below it) under ``new_parent``, in one transaction.

    A unit's path is copied into its descendants and into every scoped row (orders,
    warnings, callbacks, audit events …, each registered by its model's ``PathScope``):
    all of them are rewritten together, so nobody's scope goes stale. A unit cannot move
    under itself or one of its descendants. ``actor`` None is the system (``gridcare import
    org`` run on the server); a user needs ``core.configure``.
    """
    if actor is not None:
        require(actor, "core.configure")
    with transaction.atomic():
        unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
        new_parent = OrgUnit.objects.get(pk=new_parent.pk)
        if new_parent.path.startswith(unit.path):
            raise ApplicationError(_("不能把单位移到它自己或它的下级单位之下"), field="parent", code="cycle")
        old = unit.path
        new = f"{new_parent.path}{unit.code}/"
        if old == new:
            return unit
        counts = {"org.OrgUnit.path": _rewrite_prefix(OrgUnit.objects.all(), "path", old, new)}
        OrgUnit.objects.filter(pk=unit.pk).update(parent=new_parent)
        for model, field in PATH_COLUMNS:
            if model is OrgUnit:
                continue
            counts[f"{model._meta.label}.{field}"] = _rewrite_prefix(
                model._default_manager.all(), field, old, new
            )
        audit_record(
            actor=actor,
            action="org.unit_move",
            obj=unit,
            changes={"path": [old, new], "parent": [unit.parent_id, new_parent.pk]},
            note="; ".join(f"{k}: {v}" for k, v in counts.items() if v),
            unit_path=new,
        )
    return OrgUnit.objects.get(pk=unit.pk)
