"""Partner access for the demo: the city's 12345 government hotline (市政务服务热线 12345)
as a partner, with a key scoped to the city (read and post; its secret is not kept or
printed — an admin issues a fresh one on the partner page to try the endpoint), and a
month of requests it submitted through Open311 (``partners.services.open311_submit``, the
endpoint's own service), each with the record of its call. Deterministic from the seed.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from gridcare.org.choices import Role, UnitKind
from gridcare.org.models import OrgUnit, StaffProfile
from gridcare.partners import services
from gridcare.partners.choices import Endpoint
from gridcare.partners.models import Partner
from gridcare.workorders.choices import Channel

NAME = "市政务服务热线 12345"
PER_SIZE = {"small": 6, "default": 18, "large": 40}
STREETS = [
    "文昌中路",
    "江阳西路",
    "汶河南路",
    "扬子江北路",
    "运河西路",
    "邗江中路",
    "维扬路",
    "盐阜西路",
    "史可法路",
    "开发东路",
]
REQUESTS = [
    ("outage", "市民来电反映：家中突然停电，邻居家也没电，请尽快派人抢修。"),
    ("outage", "市民反映小区一栋楼整体停电已一个多小时，家里有老人，请尽快处理。"),
    ("low-voltage", "市民反映晚上用电高峰时电压偏低，空调无法启动。"),
    ("safety-hazard", "市民反映路边电线被大风刮断垂到地面，担心行人触电，请立即处理。"),
    ("safety-hazard", "市民反映小区门口电杆倾斜，树枝压在电线上，存在安全隐患。"),
    ("outage-info", "市民咨询本周六计划停电的具体时间和范围。"),
    ("billing-question", "市民咨询本月电费比上月高出很多的原因，想了解阶梯电价。"),
    ("complaint-outage", "市民投诉本月已停电三次，每次抢修都很慢，要求给个说法。"),
    ("complaint-notice", "市民投诉昨天停电前没有任何通知，冰箱里的食物都坏了。"),
    ("complaint-billing", "市民投诉通过手机缴费后显示未到账，被催缴电费。"),
    ("report-theft", "市民举报附近一家小作坊私拉电线，疑似窃电。"),
    ("new-connection", "市民咨询并申请新房装表接电，希望尽快安排上门。"),
    ("ev-charger", "市民申请在小区车位安装充电桩，物业已同意。"),
    ("praise", "市民来电表扬抢修人员冒雨连夜恢复供电，工作认真负责。"),
]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙朱马胡郭"


def seed_partners(*, seed: int, size: str = "default", stdout=None, now: dt.datetime | None = None) -> dict:
    """The 12345 partner, its city-wide key and ``PER_SIZE[size]`` requests of the past month."""
    city = OrgUnit.objects.filter(kind=UnitKind.CITY).order_by("code").first()
    admin = (
        StaffProfile.objects.filter(role=Role.ADMIN)
        .select_related("user")
        .order_by("unit__path", "pk")
        .first()
    )
    if city is None or admin is None:
        return {"partners": 0, "requests": 0}
    if Partner.objects.filter(name=NAME).exists():
        return {"partners": 0, "requests": 0}
    now = now or timezone.now()
    rnd = random.Random(seed + 3110)
    with transaction.atomic():
        partner = services.partner_create(
            actor=admin.user,
            name=NAME,
            unit=city,
            contact="市政务服务中心 转办科 0514-12345",
            channel=Channel.GOV_HOTLINE,
        )
        key, _secret = services.api_key_issue(
            actor=admin.user,
            partner=partner,
            name="12345 工单转办系统",
            units=[city],
            endpoints=[Endpoint.OPEN311_READ, Endpoint.OPEN311_POST],
            now=now - dt.timedelta(days=35),
        )
        count = PER_SIZE.get(size, PER_SIZE["default"])
        moments = sorted(
            now - dt.timedelta(days=rnd.uniform(0.2, 30), minutes=rnd.randint(0, 600)) for _ in range(count)
        )
        made = 0
        for i, at in enumerate(moments):
            code, text = REQUESTS[rnd.randrange(len(REQUESTS))]
            street = STREETS[rnd.randrange(len(STREETS))]
            services.open311_submit(
                key=key,
                service_code=code,
                description=text,
                address_string=f"扬州市{street}{rnd.randint(1, 300)}号",
                last_name=SURNAMES[rnd.randrange(len(SURNAMES))],
                first_name="先生" if rnd.random() < 0.5 else "女士",
                phone=f"13{rnd.randint(0, 9)}{rnd.randint(10000000, 99999999)}",
                idempotency_key=f"demo-{seed}-{i}",
                now=at,
            )
            services.call_record(
                key=key,
                prefix=key.prefix,
                method="POST",
                path="/open311/v2/requests.json",
                status=201,
                ip="10.20.30.40",
                now=at,
            )
            services.call_record(
                key=key,
                prefix=key.prefix,
                method="GET",
                path="/open311/v2/requests.json",
                status=200,
                ip="10.20.30.40",
                now=at + dt.timedelta(hours=2),
            )
            made += 1
    if stdout is not None:
        stdout.write(f"合作方接入：{NAME}，{made} 条 Open311 诉求")
    return {"partners": 1, "requests": made}
