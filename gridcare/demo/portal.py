"""Portal data for the demo, through the portal's own services: contact changes waiting
for review at the customers' stations, a few requests customers submitted on the portal
(web orders with the customer as first contact), and one anonymous report whose tracking
code is printed (and returned) so the status page can be tried. Customers are picked
deterministically from the seed; running it twice adds nothing."""

from __future__ import annotations

import datetime as dt
import random

from gridcare.customers.models import Customer
from gridcare.portal import services
from gridcare.portal.models import AnonymousReport, ContactChange
from gridcare.workorders.choices import RequestType

PER_SIZE = {"small": 3, "default": 6, "large": 12}
STREETS = ["文昌中路", "江阳西路", "汶河南路", "扬子江北路", "运河西路", "邗江中路"]
REQUESTS = [
    (RequestType.CONSULTATION, "想了解峰谷电价怎么申请，晚上用电多的话是否划算？"),
    (RequestType.FAULT_REPAIR, "家里电表箱的空气开关老是跳闸，今天已经跳了三次。"),
    (RequestType.SUGGESTION, "建议在网上营业厅增加电费账单的下载功能。"),
    (RequestType.COMPLAINT, "上周预约的上门换表，工作人员没来也没打电话通知。"),
    (RequestType.PRAISE, "抢修师傅半夜冒雨来修好了线路，特别感谢！"),
]


def seed_portal(*, seed: int, size: str = "default", stdout=None, now: dt.datetime | None = None) -> dict:
    """``PER_SIZE[size]`` pending contact changes, as many portal requests (at most one of each
    kind in ``REQUESTS``), and one anonymous report. Returns the counts and the report's code."""
    if ContactChange.objects.exists() or AnonymousReport.objects.exists():
        return {"skipped": True}
    rng = random.Random(seed * 31 + 18)
    n = PER_SIZE.get(size, PER_SIZE["default"])
    ids = list(Customer.objects.exclude(phone="").order_by("pk").values_list("pk", flat=True)[:5000])
    if not ids:
        return {"changes": 0, "requests": 0, "report": ""}
    picked = rng.sample(ids, min(len(ids), n + len(REQUESTS)))
    customers = {c.pk: c for c in Customer.objects.filter(pk__in=picked).select_related("station")}
    changes = 0
    for i, pk in enumerate(picked[:n]):
        c = customers[pk]
        if i % 2 == 0:
            phone = f"139{rng.randrange(10**8):08d}"
            services.contact_change_request(customer=c, phone=phone, note="换了新手机号", now=now)
        else:
            address = f"{rng.choice(STREETS)}{rng.randrange(1, 300)}号{rng.randrange(1, 30)}栋"
            services.contact_change_request(customer=c, address=address, note="门牌号已重新编排", now=now)
        changes += 1
    requests = 0
    for i, pk in enumerate(picked[n : n + len(REQUESTS)]):
        request_type, text = REQUESTS[i]
        services.request_submit(
            customer=customers[pk],
            request_type=request_type,
            description=text,
            ip=f"192.0.2.{i + 1}",  # documentation addresses: each its own flood counter
            now=now,
        )
        requests += 1
    applied = _remote_application(rng, now=now)
    _order, code = services.report_submit(
        topic="theft",
        description="小区门口的小饭店从路灯杆私拉电线，疑似窃电，已经好几个月了。",
        address=f"{rng.choice(STREETS)}{rng.randrange(1, 300)}号",
        ip="192.0.2.100",
        now=now,
    )
    if stdout is not None:
        stdout.write(f"网上营业厅：{changes} 条待审核信息变更，{requests} 条网上诉求，匿名举报查询码 {code}")
        if applied:
            stdout.write(f"网上营业厅：户号 {applied} 的峰谷电申请待客户自行预约上门")
    return {"changes": changes, "requests": requests, "report": code, "application_customer": applied}


def _remote_application(rng: random.Random, *, now=None) -> str:
    """A residential customer's time-of-use (峰谷电) application taken online and not yet
    given a home visit, so the customer can book it on the portal. Returns the customer
    number (empty when the demo has no clerk or plan for it)."""
    from gridcare.applications.services import application_accept
    from gridcare.core.errors import ApplicationError
    from gridcare.org.choices import Role
    from gridcare.org.models import StaffProfile

    clerks = list(
        StaffProfile.objects.filter(role=Role.COUNTER_CLERK, service_account=False)
        .select_related("user", "unit")
        .order_by("pk")
    )
    candidates = Customer.objects.filter(category="residential").exclude(phone="").select_related("station")
    start = rng.randrange(50)
    for customer in candidates.order_by("pk")[start : start + 200]:
        clerk = next((c for c in clerks if customer.station.path.startswith(c.unit.path)), None)
        if clerk is None:
            continue
        try:
            application_accept(actor=clerk.user, kind="tou_tariff", channel="web", customer=customer, now=now)
        except ApplicationError:
            return ""
        return customer.customer_no
    return ""
