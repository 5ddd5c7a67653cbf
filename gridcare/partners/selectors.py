"""Reads of partner access: a key by its secret, what a key may see, the Open311 views of
services and orders, and the admin pages' lists."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet

from gridcare.core.textutil import mask_personal
from gridcare.workorders.choices import OPEN_STATUSES, Status
from gridcare.workorders.models import WorkOrder

from .choices import CLOSED, OPEN, open311_status
from .models import ApiKey, Partner, PartnerCall, PartnerRequest, ServiceMapping
from .services import KEY_PREFIX, hash_secret


@dataclass(frozen=True)
class KeyCheck:
    """What a presented secret turned out to be: ``key`` when usable; else ``status``
    (401 unknown, 403 revoked/expired/partner disabled) and ``reason`` (a code)."""

    key: ApiKey | None
    prefix: str
    status: int = 200
    reason: str = ""


def key_for_secret(raw: str, now) -> KeyCheck:
    raw = (raw or "").strip()
    if not raw:
        return KeyCheck(None, "", 401, "missing")
    parts = raw.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX or not parts[1] or len(raw) > 200:
        return KeyCheck(None, "", 401, "invalid")
    prefix = parts[1][:16]
    key = (
        ApiKey.objects.select_related("partner", "partner__unit", "partner__user")
        .filter(prefix=prefix)
        .first()
    )
    if key is None or not hmac.compare_digest(key.key_hash, hash_secret(raw)):
        return KeyCheck(None, prefix, 401, "invalid")
    state = key.state(now)
    if state != "active":
        return KeyCheck(key, prefix, 403, state)
    if not key.partner.active:
        return KeyCheck(key, prefix, 403, "partner_inactive")
    return KeyCheck(key, prefix)


def key_scope_q(key: ApiKey) -> Q:
    """Orders of the key's units and below (nothing when it has none)."""
    paths = list(key.units.values_list("path", flat=True))
    if not paths:
        return Q(pk__in=[])
    return reduce(or_, (Q(unit_path__startswith=p) for p in paths))


def orders_for_key(key: ApiKey) -> QuerySet[WorkOrder]:
    return WorkOrder.objects.filter(key_scope_q(key))


def services_active() -> list[ServiceMapping]:
    return list(ServiceMapping.objects.filter(active=True))


def service_get(code: str) -> ServiceMapping | None:
    return ServiceMapping.objects.filter(service_code=code[:64], active=True).first()


class ServiceIndex:
    """Which service an order reads as: the mapping of its type, dimension and subtype, else
    of its type and dimension (first by order)."""

    def __init__(self, mappings=None):
        self.exact: dict[tuple, ServiceMapping] = {}
        self.loose: dict[tuple, ServiceMapping] = {}
        for m in mappings if mappings is not None else ServiceMapping.objects.all():
            self.exact.setdefault((m.request_type, m.dimension, m.subtype), m)
            self.loose.setdefault((m.request_type, m.dimension), m)

    def of(self, order: WorkOrder) -> ServiceMapping | None:
        return self.exact.get((order.request_type, order.dimension, order.subtype)) or self.loose.get(
            (order.request_type, order.dimension)
        )


def service_q(mapping: ServiceMapping) -> Q:
    q = Q(request_type=mapping.request_type, dimension=mapping.dimension)
    if mapping.subtype:
        q &= Q(subtype=mapping.subtype)
    return q


def status_q(status: str) -> Q:
    if status == OPEN:
        return Q(status__in=OPEN_STATUSES)
    if status == CLOSED:
        return ~Q(status__in=OPEN_STATUSES)
    return Q()


def request_rows(orders, *, index: ServiceIndex | None = None) -> list[dict]:
    """The Open311 view of orders (GeoReport v2 ``request`` fields). Never the customer's
    name or phone: the description as typed (phone and ID numbers in it masked), the
    order's address text, lat/long only when
    the partner gave them (the order has none); ``status_notes`` says where it stands."""
    index = index or ServiceIndex()
    orders = list(orders)
    located = {
        r.order_id: r
        for r in PartnerRequest.objects.filter(order_id__in=[o.pk for o in orders]).only(
            "order_id", "lat", "long", "service_code"
        )
    }
    rows = []
    for o in orders:
        mapping = index.of(o)
        pr = located.get(o.pk)
        rows.append(
            {
                "service_request_id": o.order_no,
                "status": open311_status(o.status),
                "status_notes": str(Status(o.status).label),
                "service_name": mapping.name if mapping else "",
                "service_code": (pr.service_code if pr else "") or (mapping.service_code if mapping else ""),
                "description": masked(o.description),
                "agency_responsible": o.unit.name if o.unit_id else "",
                "service_notice": "",
                "requested_datetime": _w3(o.created_at),
                "updated_datetime": _w3(o.updated_at),
                "expected_datetime": _w3(o.due_at) if o.status in OPEN_STATUSES and o.due_at else "",
                "address": masked(o.address),
                "address_id": "",
                "zipcode": "",
                "lat": str(pr.lat) if pr and pr.lat is not None else "",
                "long": str(pr.long) if pr and pr.long is not None else "",
                "media_url": "",
            }
        )
    return rows


def masked(text: str) -> str:
    """``text`` with the phone and ID numbers in it masked (138****5678): a partner reads
    what the customer asked, not how to reach them."""
    return mask_personal(text)


def _w3(value) -> str:
    if value is None:
        return ""
    from django.utils import timezone

    return timezone.localtime(value).isoformat(timespec="seconds")


# ------------------------------------------------------------------------ admin pages


def partners_for(user) -> QuerySet[Partner]:
    return Partner.objects.visible_to(user).select_related("unit")


def partner_get(user, pk) -> Partner | None:
    if pk is None:
        return None
    return partners_for(user).filter(pk=pk).first()


def key_get(user, pk) -> ApiKey | None:
    if pk is None:
        return None
    return ApiKey.objects.visible_to(user).select_related("partner", "partner__unit").filter(pk=pk).first()


def calls_of_key(key: ApiKey, limit: int = 200) -> list[PartnerCall]:
    return list(PartnerCall.objects.filter(key=key).order_by("-at", "-id")[:limit])
