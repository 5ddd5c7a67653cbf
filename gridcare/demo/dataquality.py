"""Data-quality problems for the demo, and one run of the checks so the dashboard has
findings.

The demo's customers are clean by construction, so a few typical master-data errors are
planted through customers' own service (``customer_update``, audited like any correction
done wrong): customers without a usable phone (blank, too short), a phone and an ID number
registered on two customers, the same customer registered twice, an address typed for
another county, a household with a contracted capacity above its transformer's, and one
small transformer area whose customers were moved to a neighbouring area (it is left
empty). Then the checks run once (``data_quality_run``), and a few findings are assigned.

Deterministic from ``seed``; does nothing when a run exists.
"""

from __future__ import annotations

import random
from decimal import Decimal

from django.db.models import Count

from gridcare.customers.models import Customer
from gridcare.customers.services import customer_update
from gridcare.dataquality.choices import RunTrigger
from gridcare.dataquality.models import CheckRun, Finding
from gridcare.dataquality.selectors import assignee_candidates
from gridcare.dataquality.services import data_quality_run, findings_assign_bulk
from gridcare.grid.models import TransformerArea
from gridcare.org.choices import Role
from gridcare.org.models import StaffProfile

MAX_EMPTIED_AREA = 60  # customers moved off the area left empty


def seed_dataquality(*, seed: int, stdout=None) -> dict:
    say = (lambda m: stdout.write(m + "\n")) if stdout is not None else (lambda m: None)
    if CheckRun.objects.exists():
        say("数据质量检查：已存在，跳过")
        return {"skipped": True}
    admin = StaffProfile.objects.filter(role=Role.ADMIN).select_related("user").order_by("pk").first()
    if admin is None:
        return {"skipped": True}
    actor = admin.user
    rnd = random.Random(seed + 909)
    planted = _plant(actor, rnd)
    run = data_quality_run(trigger=RunTrigger.DEMO)
    assigned = _assign_some(actor)
    found = {code: c["found"] for code, c in run.counts.items()}
    say(f"数据质量检查：发现 {sum(found.values())} 个问题，已分派 {assigned} 个")
    return {"planted": planted, "found": found, "assigned": assigned}


def _plant(actor, rnd: random.Random) -> int:
    ids = list(Customer.objects.filter(category="residential").order_by("pk").values_list("pk", flat=True))
    if len(ids) < 40:
        return 0
    picked = rnd.sample(ids, 16)
    customers = {c.pk: c for c in Customer.objects.filter(pk__in=picked).select_related("area", "station")}
    c = [customers[pk] for pk in picked]
    n = 0

    def update(customer, **data):
        nonlocal n
        customer_update(actor=actor, customer=customer, data=data)
        n += 1

    update(c[0], phone="", phone2="")
    update(c[1], phone="12345", phone2="")
    update(c[2], phone="0000000", phone2="")
    update(c[3], phone=c[4].phone)  # one phone on two accounts
    update(c[5], id_number="321002198506150021")
    update(c[6], id_number="321002198506150021")
    update(c[7], name=c[8].name, address=c[8].address)  # registered twice
    update(c[9], address="江苏省南京市玄武区珠江路88号")  # another city altogether
    update(c[10], address="上海市浦东新区世纪大道100号")
    update(c[11], capacity_kva=Decimal(c[11].area.capacity_kva) + Decimal("50"))
    # The smallest area of a station with several: its customers move to a neighbour.
    small = (
        TransformerArea.objects.annotate(n=Count("customers"))
        .filter(n__gt=0, n__lte=MAX_EMPTIED_AREA)
        .order_by("n", "code")
        .first()
    )
    if small is not None:
        neighbour = (
            TransformerArea.objects.filter(station_id=small.station_id)
            .exclude(pk=small.pk)
            .order_by("code")
            .first()
        )
        if neighbour is not None:
            for customer in Customer.objects.filter(area=small).order_by("pk"):
                update(customer, area=neighbour)
    return n


def _assign_some(actor) -> int:
    """A few open findings handed to a customer manager who sees them."""
    managers = assignee_candidates(actor).filter(role=Role.CUSTOMER_MANAGER)
    total = 0
    for staff in managers[:3]:
        from gridcare.core.scoping import visible_station_ids

        reach = visible_station_ids(staff.user)
        qs = Finding.objects.filter(status="open")
        if reach is not None:
            qs = qs.filter(station_id__in=reach)
        ids = list(qs.order_by("pk").values_list("pk", flat=True)[:3])
        if ids:
            total += findings_assign_bulk(actor=actor, ids=ids, assignee=staff.user)["assigned"]
    return total
