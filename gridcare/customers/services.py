"""Writes to customer master data. Every change is audited field by field."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from gridcare.core.audit import audit_record, diff, snapshot
from gridcare.core.authz import require
from gridcare.core.errors import ApplicationError
from gridcare.core.limits import TEXT_MAX, check_length
from gridcare.core.scoping import is_visible
from gridcare.core.textutil import mask_id_number, mask_phone

from .models import Customer

EDITABLE_FIELDS = [
    "name",
    "phone",
    "phone2",
    "id_number",
    "address",
    "area",
    "category",
    "tariff",
    "voltage_kv",
    "capacity_kva",
    "important",
    "sensitive",
]
PERSONAL_FIELDS = {"phone", "phone2", "id_number"}


def _masked_changes(changes: dict) -> dict:
    """Audit rows never store personal data in clear."""
    out = {}
    for k, (old, new) in changes.items():
        if k in PERSONAL_FIELDS:
            m = mask_id_number if k == "id_number" else mask_phone
            out[k] = [m(old or ""), m(new or "")]
        else:
            out[k] = [old, new]
    return out


def customer_update(*, actor, customer: Customer, data: dict) -> Customer:
    """Change a customer's master data (``customers.update`` on a customer within the actor's
    scope); moving to another transformer area — one the actor may see — moves its station too."""
    require(actor, "customers.update", customer)
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ApplicationError(
            _("不可修改的字段：%(fields)s") % {"fields": ", ".join(sorted(unknown))}, field=sorted(unknown)[0]
        )
    if data.get("area") is not None and not is_visible(actor, data["area"]):
        raise ApplicationError(_("台区不在您的权限范围内"), field="area", code="out_of_scope")
    with transaction.atomic():
        locked = Customer.objects.select_for_update().get(pk=customer.pk)
        before = snapshot(locked, EDITABLE_FIELDS)
        for k, v in data.items():
            setattr(locked, k, v)
        if "area" in data:
            locked.station_id = locked.area.station_id
        locked.full_clean(exclude=["area", "station"])
        locked.save()
        locked.refresh_from_db()  # stored values (decimal places) are what the audit compares
        changes = diff(before, snapshot(locked, EDITABLE_FIELDS))
        if changes:
            audit_record(
                actor=actor,
                action="customer.update",
                obj=locked,
                changes=_masked_changes(changes),
                unit_path=locked.station.path,
            )
    return locked


def customer_reveal_personal_data(*, actor, customer: Customer, reason: str = "") -> dict:
    """Show phones and ID number in clear to a role that needs them; the reveal is audited."""
    require(actor, "customers.reveal", customer)
    check_length(reason, field="reason", max_length=TEXT_MAX)
    audit_record(
        actor=actor,
        action="customer.reveal_personal_data",
        obj=customer,
        note=reason,
        unit_path=customer.station.path,
    )
    return {"phone": customer.phone, "phone2": customer.phone2, "id_number": customer.id_number}


def customers_follow_areas(*, area_ids) -> int:
    """Customers of transformer areas that moved to another supply station move with them
    (``Customer.station`` copies the area's station for scoping). Returns how many moved."""
    from django.db.models import OuterRef, Subquery

    from gridcare.grid.models import TransformerArea

    station = TransformerArea.objects.filter(pk=OuterRef("area_id")).values("station_id")[:1]
    return Customer.objects.filter(area_id__in=list(area_ids)).update(station_id=Subquery(station))
