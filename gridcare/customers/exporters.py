"""Customer export in the import's own columns, scoped to the user, phones masked."""

from __future__ import annotations

from gridcare.core.audit import audit_record
from gridcare.core.authz import require
from gridcare.core.exporting import register_exporter
from gridcare.core.tabular import column_headers
from gridcare.core.textutil import mask_phone

from .importers import COLUMN_LABELS, COLUMNS
from .selectors import customers_for


@register_exporter("customers")
def export_customers(*, user, unmasked: bool = False):
    """Rows for every customer the user may see. ``unmasked`` (admins only) is audited."""
    require(user, "customers.export")
    if unmasked:
        require(user, "customers.export_unmasked")
        audit_record(
            actor=user, action="customer.export_unmasked", object_type="customers.customer", object_id="*"
        )
    qs = (
        customers_for(user)
        .order_by("customer_no")
        .values_list(
            "customer_no",
            "name",
            "phone",
            "phone2",
            "address",
            "area__code",
            "category",
            "tariff",
            "voltage_kv",
            "capacity_kva",
            "important",
            "sensitive",
        )
    )

    def rows():
        for no, name, phone, phone2, addr, area, cat, tariff, volt, cap, imp, sen in qs.iterator(
            chunk_size=5000
        ):
            phones = [p for p in (phone, phone2) if p]
            if not unmasked:
                phones = [mask_phone(p) for p in phones]
            yield (
                no,
                name,
                ";".join(phones),
                addr,
                area,
                cat,
                tariff,
                str(volt),
                str(cap),
                int(imp),
                int(sen),
            )

    return column_headers(COLUMNS, COLUMN_LABELS), rows()
