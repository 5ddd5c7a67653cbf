"""The checks themselves: each reads the master data in a fixed number of set-based
queries (or one streamed pass) and answers the problems it sees now, keyed so the same
problem has the same key on every run.

- ``no_reachable_phone``: neither the phone nor the second phone is a mainland mobile
  (``1[3-9]`` + 9 digits, ``+86`` allowed) or a landline (area code ``0xx``/``0xxx``,
  a 7–8 digit number not starting with 0 or 1, an optional extension); empty counts.
- ``duplicate_id_number`` / ``duplicate_phone``: two or more customers share the ID number
  or the (first) phone. ``duplicate_address``: two or more customers share both the
  normalised address and the normalised name (lower case, no spaces): two accounts at one
  address are common (a home and a shop, landlord and tenant), the same name at the same
  address is the same customer registered twice. One finding per group, on the group's
  first customer, keyed by a hash of the shared value (no personal data in keys).
- ``address_area_mismatch``: the address names none of its transformer area's places —
  the area's own place (its name without the station's town and the trailing "N号台区":
  an estate or a village), the station's town (the station's name without "供电所") or the
  county (the county unit's name without "供电公司"). Tokens shorter than two characters
  are ignored; an area without any token is not judged. Addresses are read in one pass
  over the customers (chunks of 5,000 rows), the tokens of all areas in one query.
- ``capacity_over_transformer``: a low-voltage customer (≤ 1 kV, supplied through the
  area's transformer) whose contracted capacity exceeds the transformer's capacity.
  Customers on 10 kV have their own transformer and are not compared.
- ``area_without_customers``: a transformer area no customer hangs on.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q, Value
from django.db.models.functions import Lower, Replace

from gridcare.core.messages import msg
from gridcare.core.textutil import mask_phone
from gridcare.customers.models import Customer
from gridcare.grid.models import TransformerArea

from .choices import CheckCode

MOBILE = r"^(\+?86)?1[3-9][0-9]{9}$"
LANDLINE = r"^0[1-9][0-9]{1,2}-?[2-9][0-9]{6,7}(-[0-9]{1,6})?$"
LV_MAX_KV = 1
OTHERS_SHOWN = 5
CHUNK = 5000
AREA_TAIL = re.compile(r"[0-9０-９#＃]*号?台区$")
COUNTY_SUFFIXES = ("供电分公司", "供电公司", "公司")


@dataclass(frozen=True)
class Detected:
    """A problem as a check sees it now."""

    station_id: int
    details: dict
    customer_id: int | None = None
    area_id: int | None = None


def _valid_phone(field: str) -> Q:
    return Q(**{f"{field}__regex": MOBILE}) | Q(**{f"{field}__regex": LANDLINE})


def no_reachable_phone() -> dict[str, Detected]:
    qs = Customer.objects.exclude(_valid_phone("phone") | _valid_phone("phone2")).order_by("pk")
    return {
        f"c{pk}": Detected(
            station_id=sid,
            customer_id=pk,
            details=msg("dq.no_phone", phone=mask_phone(p1) or "—", phone2=mask_phone(p2) or "—").as_json(),
        )
        for pk, sid, p1, p2 in qs.values_list("pk", "station_id", "phone", "phone2")
    }


def _digest(value: str) -> str:
    return hashlib.sha1(value.encode("utf-8")).hexdigest()[:24]


def _groups(qs, fields: list[str], code: str, kind: str) -> dict[str, Detected]:
    """Customers sharing ``fields``: one finding per group, on its first customer. One
    grouping query, then the members of 200 groups per query."""
    groups = list(qs.values(*fields).annotate(n=Count("id")).filter(n__gt=1).order_by(*fields))
    members: dict[tuple, list[tuple[int, str, int]]] = {}
    for start in range(0, len(groups), 200):
        q = Q()
        for g in groups[start : start + 200]:
            q |= Q(**{f: g[f] for f in fields})
        for row in qs.filter(q).values_list(*fields, "pk", "customer_no", "station_id").order_by("pk"):
            members.setdefault(tuple(row[: len(fields)]), []).append(row[len(fields) :])
    out = {}
    for value, rows in members.items():
        if len(rows) < 2:
            continue
        first_pk, _first_no, first_station = rows[0]
        others = [no for _pk, no, _sid in rows[1:]]
        shown = "、".join(others[:OTHERS_SHOWN]) + ("……" if len(others) > OTHERS_SHOWN else "")
        out[f"{kind}:{_digest(chr(31).join(map(str, value)))}"] = Detected(
            station_id=first_station,
            customer_id=first_pk,
            details=msg(code, others=shown, n=len(rows)).as_json(),
        )
    return out


def duplicate_id_number() -> dict[str, Detected]:
    return _groups(Customer.objects.exclude(id_number=""), ["id_number"], "dq.duplicate_id", "id")


def duplicate_phone() -> dict[str, Detected]:
    return _groups(Customer.objects.exclude(phone=""), ["phone"], "dq.duplicate_phone", "phone")


def _normalised(field: str):
    return Lower(Replace(Replace(F(field), Value(" "), Value("")), Value("\u3000"), Value("")))


def duplicate_address() -> dict[str, Detected]:
    qs = Customer.objects.annotate(addr_n=_normalised("address"), name_n=_normalised("name")).exclude(
        addr_n=""
    )
    return _groups(qs, ["addr_n", "name_n"], "dq.duplicate_address", "addr")


def area_tokens(area_name: str, station_name: str, county_name: str) -> tuple[str, ...]:
    """The place names an address on this transformer area should contain one of."""
    town = station_name.removesuffix("供电所").strip()
    place = AREA_TAIL.sub("", area_name.strip()).rstrip("0123456789")
    if town and place.startswith(town):
        place = place[len(town) :]
    county = county_name.strip()
    for suffix in COUNTY_SUFFIXES:
        if county.endswith(suffix):
            county = county[: -len(suffix)]
            break
    return tuple(t for t in (place, town, county) if len(t) >= 2)


def address_matches(address: str, tokens: tuple[str, ...]) -> bool:
    text = address.replace(" ", "").replace("\u3000", "")
    return any(t in text for t in tokens)


def address_area_mismatch() -> dict[str, Detected]:
    tokens: dict[int, tuple[tuple[str, ...], str]] = {}
    for pk, name, station, county in TransformerArea.objects.values_list(
        "pk", "name", "station__name", "station__parent__name"
    ):
        tokens[pk] = (area_tokens(name, station or "", county or ""), name)
    out = {}
    rows = Customer.objects.order_by("pk").values_list("pk", "area_id", "station_id", "address")
    for pk, area_id, sid, address in rows.iterator(chunk_size=CHUNK):
        words, area_name = tokens.get(area_id, ((), ""))
        if not words or address_matches(address or "", words):
            continue
        out[f"c{pk}"] = Detected(
            station_id=sid,
            customer_id=pk,
            details=msg("dq.address_area", area=area_name, places="、".join(words)).as_json(),
        )
    return out


def capacity_over_transformer() -> dict[str, Detected]:
    qs = Customer.objects.filter(voltage_kv__lte=LV_MAX_KV, capacity_kva__gt=F("area__capacity_kva"))
    return {
        f"c{pk}": Detected(
            station_id=sid,
            customer_id=pk,
            details=msg(
                "dq.over_capacity", capacity=str(cap), area=area_name, area_capacity=str(area_cap)
            ).as_json(),
        )
        for pk, sid, cap, area_name, area_cap in qs.order_by("pk").values_list(
            "pk", "station_id", "capacity_kva", "area__name", "area__capacity_kva"
        )
    }


def area_without_customers() -> dict[str, Detected]:
    qs = TransformerArea.objects.filter(~Exists(Customer.objects.filter(area_id=OuterRef("pk"))))
    return {
        f"a{pk}": Detected(
            station_id=sid, area_id=pk, details=msg("dq.empty_area", area=name, area_code=code).as_json()
        )
        for pk, sid, name, code in qs.order_by("pk").values_list("pk", "station_id", "name", "code")
    }


CHECKS = {
    CheckCode.NO_PHONE: no_reachable_phone,
    CheckCode.DUPLICATE_ID: duplicate_id_number,
    CheckCode.DUPLICATE_PHONE: duplicate_phone,
    CheckCode.DUPLICATE_ADDRESS: duplicate_address,
    CheckCode.ADDRESS_AREA: address_area_mismatch,
    CheckCode.OVER_CAPACITY: capacity_over_transformer,
    CheckCode.EMPTY_AREA: area_without_customers,
}
