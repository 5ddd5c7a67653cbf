"""Twelve months of realistic work-order history for the demo utility.

``seed_work_orders`` builds orders, their clocks and timelines with the work order's own
pure rules — the commitment catalog resolved by ``workorders.rules.winning_rules``,
deadlines by ``clock_due`` on the working-day calendar, the transition table for the order
of events, master/child merging for the storm bursts — and hands them to the work-order
app's bulk history writer (``workorders.history``): no per-order service calls, so 50,000+
orders take seconds. Deterministic from ``seed`` (and ``now``).

Shape: a daily rhythm (morning and evening peaks), a weekly one (quieter weekends), a
summer peak in July–August, storm days that bring bursts of fault reports on a few
feeders (merged into masters with children), a few weak transformer areas that report
far more than their share, and realistic outcomes — most orders archived after a
callback (satisfied mostly, some basically satisfied or unreachable, a few unsatisfied
and reopened), some returned or cancelled. Only recent orders are still open: a few of
the last weeks' are forgotten past their deadline (the overdue tail); nothing older is.
Texts come from the labelled corpus in ``gridcare/analytics/data`` when present (never
the held-out evaluation file), else from built-in phrasings.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections import defaultdict
from pathlib import Path
from types import SimpleNamespace

from django.conf import settings
from django.utils import timezone

from gridcare.core.calendar import local_tz
from gridcare.customers.models import Customer
from gridcare.grid.models import TransformerArea
from gridcare.org.choices import Role, UnitKind
from gridcare.org.models import OrgUnit, StaffProfile
from gridcare.workorders.choices import (
    TYPES_WITHOUT_CALLBACK,
    Action,
    ApplicationSubtype,
    Channel,
    ClockKind,
    Dimension,
    Priority,
    RequestType,
    Status,
)
from gridcare.workorders.history import next_order_id, work_orders_write_history
from gridcare.workorders.models import (
    CommitmentRule,
    WorkOrder,
)
from gridcare.workorders.rules import clock_due, winning_rules

CORPUS_FILES = ("seed_corpus_agent.jsonl", "seed_corpus_customer.jsonl")

TYPE_MIX = [
    (RequestType.CONSULTATION, 34),
    (RequestType.FAULT_REPAIR, 30),
    (RequestType.SERVICE_APPLICATION, 21),
    (RequestType.COMPLAINT, 6),
    (RequestType.SUGGESTION, 3),
    (RequestType.REPORT, 2),
    (RequestType.PRAISE, 4),
]
CHANNEL_MIX = [
    (Channel.HOTLINE, 52),
    (Channel.APP, 16),
    (Channel.WECHAT, 12),
    (Channel.WEB, 4),
    (Channel.COUNTER, 10),
    (Channel.FIELD, 2),
    (Channel.REGULATOR, 1.5),
    (Channel.GOV_HOTLINE, 2),
    (Channel.SUPERVISOR, 0.5),
]
# Share of the day's contacts per hour (0..23): morning and evening peaks.
HOURLY = [
    0.6,
    0.4,
    0.3,
    0.3,
    0.3,
    0.5,
    1.2,
    2.6,
    4.2,
    5.6,
    5.8,
    5.2,
    4.1,
    4.3,
    5.0,
    5.2,
    5.0,
    4.8,
    5.0,
    5.6,
    5.4,
    4.2,
    2.6,
    1.3,
]
WEEKDAY = [1.12, 1.05, 1.02, 1.0, 1.0, 0.86, 0.8]

FALLBACK_TEXTS: dict[str, list[tuple[str, str]]] = {
    RequestType.FAULT_REPAIR: [
        ("家里突然没电了，邻居家也没有，请尽快派人来看看", Dimension.SUPPLY_RELIABILITY),
        ("小区{n}栋整栋停电，电梯停运，请安排抢修", Dimension.SUPPLY_RELIABILITY),
        ("电压太低，空调开不起来，灯一闪一闪的", Dimension.SUPPLY_RELIABILITY),
        ("门口电线杆上的线掉下来了，还在冒火花，很危险", Dimension.SUPPLY_SAFETY),
        ("大风把树刮倒压在电线上了，请赶快处理", Dimension.SUPPLY_SAFETY),
        ("电表一直在走但家里没用电，怀疑电表坏了", Dimension.BILLING_PAYMENT),
    ],
    RequestType.CONSULTATION: [
        ("请问我们这里今天什么时候来电", Dimension.INFORMATION_COMMUNICATION),
        ("峰谷电价是怎么计算的，怎么申请", Dimension.BILLING_PAYMENT),
        ("这个月电费怎么比上个月高这么多，想查一下明细", Dimension.BILLING_PAYMENT),
        ("网上国网App怎么绑定户号交电费", Dimension.SERVICE_CHANNEL),
        ("办理过户需要带哪些材料", Dimension.BUSINESS_HANDLING),
    ],
    RequestType.COMPLAINT: [
        ("一个月停了{n}次电，严重影响生活，要求给个说法", Dimension.SUPPLY_RELIABILITY),
        ("停电没有提前通知，冰箱里的东西都坏了", Dimension.INFORMATION_COMMUNICATION),
        ("营业厅工作人员态度很差，问两句就不耐烦", Dimension.SERVICE_ATTITUDE),
        ("报装申请交了半个月了还没人来装表", Dimension.BUSINESS_HANDLING),
        ("交了电费没到账，被停电了", Dimension.BILLING_PAYMENT),
    ],
    RequestType.REPORT: [
        ("举报隔壁厂房私拉电线偷电", Dimension.BILLING_PAYMENT),
        ("有人在高压线下面钓鱼，太危险了", Dimension.SUPPLY_SAFETY),
        ("抄表员私下收取费用", Dimension.SERVICE_ATTITUDE),
    ],
    RequestType.SUGGESTION: [
        ("建议停电通知提前发短信到每户", Dimension.INFORMATION_COMMUNICATION),
        ("建议App增加电费分时明细查询", Dimension.SERVICE_CHANNEL),
    ],
    RequestType.PRAISE: [
        ("昨晚抢修师傅冒雨来修，很快就来电了，非常感谢", Dimension.SUPPLY_RELIABILITY),
        ("营业厅小王服务特别耐心，表扬一下", Dimension.SERVICE_ATTITUDE),
    ],
    RequestType.SERVICE_APPLICATION: [
        ("新房装修好了，申请新装一户居民用电", Dimension.BUSINESS_HANDLING),
        ("厂里要加设备，申请增容到{n}00千伏安", Dimension.BUSINESS_HANDLING),
        ("申请安装家用充电桩", Dimension.BUSINESS_HANDLING),
        ("屋顶装了光伏，申请并网", Dimension.BUSINESS_HANDLING),
        ("怀疑电表走得快，申请校验电表", Dimension.BILLING_PAYMENT),
        ("房子买了，申请电费户名过户", Dimension.BUSINESS_HANDLING),
        ("申请办理峰谷分时电价", Dimension.BUSINESS_HANDLING),
    ],
}

SUBTYPE_KEYWORDS = [
    (("校验", "校表", "检定", "电表走得快", "表计"), ApplicationSubtype.METER_TEST),
    (("充电桩",), ApplicationSubtype.EV_CHARGER),
    (("光伏", "并网"), ApplicationSubtype.PV_CONNECTION),
    (("峰谷", "分时"), ApplicationSubtype.TOU_TARIFF),
    (("过户", "更名", "改名"), ApplicationSubtype.NAME_CHANGE),
    (("增容", "减容", "扩容"), ApplicationSubtype.CAPACITY_CHANGE),
    (("暂停", "恢复用电", "销户"), ApplicationSubtype.PAUSE_RESUME),
    (("新装", "报装", "装表", "接电", "立户"), ApplicationSubtype.NEW_CONNECTION),
]

REPLIES = {
    RequestType.FAULT_REPAIR: [
        "更换跌落式熔断器熔丝，已恢复送电",
        "低压线路接头烧断，已重新压接，恢复供电",
        "表后线故障，已协助客户处理并恢复用电",
        "台区变压器低压开关跳闸，已合闸送电",
        "树障已清理，线路恢复正常",
        "调整变压器分接头，电压恢复正常",
    ],
    RequestType.COMPLAINT: [
        "已联系客户致歉并说明原因，落实整改",
        "经核实情况属实，已对责任人批评教育并改进",
        "已向客户解释停电原因及后续改造计划，客户表示理解",
    ],
    RequestType.SERVICE_APPLICATION: [
        "已完成现场勘查、装表接电",
        "业务已办结，客户确认",
        "已出具校验报告并告知客户",
    ],
    RequestType.REPORT: ["经现场核查，已依法处理", "已转稽查部门处理并反馈举报人"],
    RequestType.CONSULTATION: [
        "已向客户详细解答",
        "已告知办理流程和所需材料",
        "已告知停电原因和预计来电时间",
    ],
    RequestType.SUGGESTION: ["已感谢客户建议并转相关部门研究"],
    RequestType.PRAISE: ["已转达表扬并向客户致谢"],
}


# What customers say when called back (回访), by result; unsatisfied ones reopen the order.
CALLBACK_WORDS = {
    "satisfied": ["很满意，师傅来得很快", "满意，谢谢你们", "处理得很及时", "服务态度很好，满意", "满意"],
    "basically_satisfied": [
        "基本满意，就是等的时间长了点",
        "还行吧，希望以后少停电",
        "基本满意，电话一直打不通",
    ],
    "unsatisfied": ["客户表示问题仍未解决", "客户对处理结果不满意", "客户反映电压还是偏低"],
}
CALLBACK_RESULT_LABELS = {
    "satisfied": "满意",
    "basically_satisfied": "基本满意",
    "unsatisfied": "不满意",
    "unreachable": "联系不上",
}
# Orders are forgotten (left open past their deadline) only in the last weeks: anything
# older has long been handled, late or not.
STUCK_WITHIN = dt.timedelta(days=21)


def _callback_outcome(rnd: random.Random) -> tuple[str, bool | None, str]:
    """A final callback result (never unsatisfied: that path reopens): result code, the
    order's ``satisfied`` and the timeline note, worded like ``callback_record``'s."""
    r = rnd.random()
    result = "satisfied" if r < 0.86 else "basically_satisfied" if r < 0.96 else "unreachable"
    words = rnd.choice(CALLBACK_WORDS[result]) if result in CALLBACK_WORDS else ""
    note = f"回访结果：{CALLBACK_RESULT_LABELS[result]}" + (f"。客户：{words}" if words else "")
    return result, (None if result == "unreachable" else True), note


def _load_corpus(rnd: random.Random) -> dict[str, list[tuple[str, str]]]:
    texts: dict[str, list[tuple[str, str]]] = defaultdict(list)
    folder = Path(settings.BASE_DIR) / "gridcare" / "analytics" / "data"
    for name in CORPUS_FILES:
        path = folder / name
        if not path.exists():
            continue
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                try:
                    row = json.loads(line)
                except ValueError:
                    continue
                if row.get("request_type") in RequestType.values and row.get("dimension") in Dimension.values:
                    texts[row["request_type"]].append((row["text"], row["dimension"]))
    for rtype, fallback in FALLBACK_TEXTS.items():
        if not texts.get(rtype):
            texts[rtype] = list(fallback)
    return texts


class _Ev:
    """A timeline row in the making (model instances cost too much at this volume)."""

    __slots__ = ("order_id", "at", "actor_id", "action", "from_status", "to_status", "note", "data")

    def __init__(self, *, at, action, from_status, to_status, actor_id=None, note="", data=None):
        self.order_id, self.at, self.actor_id, self.action = None, at, actor_id, action
        self.from_status, self.to_status, self.note, self.data = from_status, to_status, note, data or {}


class _Clock:
    __slots__ = (
        "order_id",
        "kind",
        "basis",
        "amount",
        "after",
        "started_at",
        "due_at",
        "met_at",
        "paused_since",
        "paused_seconds",
    )

    def __init__(self, *, kind, basis, amount, started_at, due_at, after=""):
        self.order_id, self.kind, self.basis, self.amount, self.after = None, kind, basis, amount, after
        self.started_at, self.due_at, self.met_at, self.paused_since, self.paused_seconds = (
            started_at,
            due_at,
            None,
            None,
            0,
        )


_ORDER_DEFAULTS: dict | None = None


def _order_row(**values) -> SimpleNamespace:
    """A work-order row in the making, with every column's default."""
    global _ORDER_DEFAULTS
    if _ORDER_DEFAULTS is None:
        _ORDER_DEFAULTS = {
            f.attname: (None if f.primary_key else f.get_default()) for f in WorkOrder._meta.concrete_fields
        }
    row = SimpleNamespace(**_ORDER_DEFAULTS)
    row.unit = row.accepted_unit = row.dispatcher_unit = None
    for key, value in values.items():
        setattr(row, key, value)
    return row


def _subtype_for(text: str, rnd: random.Random) -> str:
    for words, subtype in SUBTYPE_KEYWORDS:
        if any(w in text for w in words):
            return subtype
    return rnd.choice(
        [ApplicationSubtype.NEW_CONNECTION, ApplicationSubtype.NEW_CONNECTION, ApplicationSubtype.OTHER]
    )


class _Rules:
    """The commitment catalog in memory, resolved like ``selectors.commitment_rules_for``."""

    def __init__(self):
        self.rules = list(CommitmentRule.objects.filter(active=True))
        self.cache: dict[tuple, dict[str, CommitmentRule]] = {}

    def for_order(
        self, rtype: str, subtype: str, area_class: str, category: str
    ) -> dict[str, CommitmentRule]:
        key = (rtype, subtype, area_class, category)
        if key not in self.cache:
            self.cache[key] = winning_rules(
                self.rules,
                request_type=rtype,
                subtype=subtype,
                area_class=area_class,
                customer_category=category,
            )
        return self.cache[key]


def seed_work_orders(
    *, seed: int, days: int = 365, orders_per_day: float = 150.0, stdout=None, now: dt.datetime | None = None
) -> dict:
    """Create ``days`` days of order history ending at ``now``. Returns counts.

    Needs the demo organisation, grid and customers; does nothing if orders exist.
    """
    say = (lambda msg: stdout.write(msg + "\n")) if stdout is not None else (lambda msg: None)
    if WorkOrder.objects.exists():
        say("工单：已存在，跳过历史工单生成")
        return {"orders": 0, "skipped": True}
    rnd = random.Random(seed)
    tz = local_tz()
    now = timezone.localtime(now or timezone.now(), tz).replace(microsecond=0)

    units = {u.pk: u for u in OrgUnit.objects.all()}
    city = next((u for u in units.values() if u.kind == UnitKind.CITY), None) or next(
        iter(units.values()), None
    )
    if city is None:
        say("工单：没有组织机构，跳过")
        return {"orders": 0, "skipped": True}
    repair_team = {
        u.parent_id: u
        for u in sorted(units.values(), key=lambda u: u.code)
        if u.kind == UnitKind.TEAM and "抢修" in u.name
    }
    county_of = {
        u.pk: (units[u.parent_id] if u.parent_id in units else u)
        for u in units.values()
        if u.kind == UnitKind.STATION
    }
    areas = {
        a["id"]: a for a in TransformerArea.objects.values("id", "feeder_id", "station_id", "area_class")
    }
    customers = list(
        Customer.objects.values_list("id", "name", "phone", "address", "area_id", "category").order_by("id")
    )
    if not customers:
        say("工单：没有客户，跳过")
        return {"orders": 0, "skipped": True}
    by_area: dict[int, list[int]] = defaultdict(list)
    for i, c in enumerate(customers):
        by_area[c[4]].append(i)
    area_ids = sorted(by_area)
    by_feeder: dict[int, list[int]] = defaultdict(list)
    for aid in area_ids:
        by_feeder[areas[aid]["feeder_id"]].append(aid)
    feeders = sorted(by_feeder)
    # A few weak areas report faults far more often than their share (planning hotspots).
    weak = set(rnd.sample(area_ids, max(1, len(area_ids) // 30)))
    fault_weights = []
    acc = 0.0
    for aid in area_ids:
        acc += len(by_area[aid]) * (6.0 if aid in weak else 1.0)
        fault_weights.append(acc)

    staff_by_role: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for role, path, uid in StaffProfile.objects.values_list("role", "unit__path", "user_id"):
        staff_by_role[role].append((path, uid))

    def actor(role: str, unit_path: str) -> int | None:
        for path, uid in staff_by_role.get(role, []):
            if unit_path.startswith(path):
                return uid
        return None

    rules = _Rules()
    corpus = _load_corpus(rnd)
    types, type_w = zip(*TYPE_MIX, strict=True)
    channels, channel_w = zip(*CHANNEL_MIX, strict=True)

    start_day = (now - dt.timedelta(days=days)).date()
    storm_days = set()
    for _ in range(max(1, days // 40)):
        day = start_day + dt.timedelta(days=rnd.randrange(days))
        storm_days.add(day)
    for _ in range(max(1, days // 45)):  # summer thunderstorms
        month_day = start_day + dt.timedelta(days=rnd.randrange(days))
        if month_day.month in (6, 7, 8):
            storm_days.add(month_day)

    orders: list[SimpleNamespace] = []
    plans: list[dict] = []  # per order: lifecycle plan, parallel to ``orders``
    counters: dict[tuple[dt.date, str], int] = defaultdict(int)

    def new_order(
        created: dt.datetime,
        rtype: str,
        *,
        customer_idx: int | None = None,
        area_id: int | None = None,
        storm: bool = False,
    ) -> dict:
        if customer_idx is None:
            if rtype == RequestType.FAULT_REPAIR and area_id is None:
                area_id = rnd.choices(area_ids, cum_weights=fault_weights)[0]
            if area_id is not None:
                customer_idx = rnd.choice(by_area[area_id])
            else:
                customer_idx = rnd.randrange(len(customers))
        cid, cname, cphone, caddress, c_area, category = customers[customer_idx]
        area = areas[area_id or c_area]
        text, dimension = rnd.choice(corpus[rtype])
        text = text.replace("{n}", str(rnd.randint(2, 9)))
        if storm:
            text = rnd.choice(["雷雨过后", "刮大风后", "打雷之后", ""]) + text
        subtype = _subtype_for(text, rnd) if rtype == RequestType.SERVICE_APPLICATION else ""
        channel = rnd.choices(channels, weights=channel_w)[0]
        if rtype == RequestType.FAULT_REPAIR and channel == Channel.COUNTER:
            channel = Channel.HOTLINE
        station = units[area["station_id"]]
        accepted = station if channel in (Channel.COUNTER, Channel.FIELD) else city
        return {
            "created": created,
            "rtype": rtype,
            "subtype": subtype,
            "dimension": dimension,
            "text": text,
            "channel": channel,
            "customer": (cid, cname, cphone, caddress, category),
            "area": area,
            "station": station,
            "accepted": accepted,
            "storm": storm,
        }

    day = start_day
    total_days = 0
    while day < now.date() or (day == now.date()):
        total_days += 1
        factor = WEEKDAY[day.weekday()]
        if day.month in (7, 8):
            factor *= 1.5
        elif day.month in (1, 2, 12):
            factor *= 1.12
        count = max(0, int(rnd.gauss(orders_per_day * factor, orders_per_day * factor * 0.08)))
        specs = []
        for _ in range(count):
            hour = rnd.choices(range(24), weights=HOURLY)[0]
            created = dt.datetime.combine(day, dt.time(hour, rnd.randrange(60), rnd.randrange(60)), tzinfo=tz)
            rtype = rnd.choices(
                types,
                weights=[
                    w * (1.6 if t == RequestType.FAULT_REPAIR and day.month in (7, 8) else 1)
                    for t, w in TYPE_MIX
                ],
            )[0]
            specs.append(new_order(created, rtype))
        if day in storm_days:
            storm_hour = rnd.randint(14, 21)
            for feeder in rnd.sample(feeders, min(len(feeders), rnd.randint(2, 5))):
                onset = dt.datetime.combine(day, dt.time(storm_hour, rnd.randrange(60)), tzinfo=tz)
                burst = []
                for _ in range(rnd.randint(12, 45)):
                    aid = rnd.choice(by_feeder[feeder])
                    burst.append(
                        new_order(
                            onset + dt.timedelta(seconds=rnd.randint(0, 100 * 60)),
                            RequestType.FAULT_REPAIR,
                            area_id=aid,
                            storm=True,
                        )
                    )
                burst.sort(key=lambda s: s["created"])
                burst[0]["is_master"] = True
                for s in burst[1:]:
                    s["master_spec"] = burst[0]
                specs.extend(burst)
        specs = [s for s in specs if s["created"] <= now]
        specs.sort(key=lambda s: s["created"])
        for s in specs:
            key = (day, s["station"].code)
            counters[key] += 1
            s["order_no"] = f"GD{day:%Y%m%d}{s['station'].code}{counters[key]:05d}"
            plans.append(s)
        day += dt.timedelta(days=1)

    # Lifecycle of each order, simulated against ``now``.
    events: list[tuple[int, _Ev]] = []
    clocks_for: list[list[_Clock]] = []
    spec_index = {id(s): i for i, s in enumerate(plans)}
    events_of: list[list[_Ev]] = []
    for i, s in enumerate(plans):
        result = None
        if "master_spec" in s:
            mi = spec_index[id(s["master_spec"])]
            result = _follow(s, orders[mi], events_of[mi], rnd, rules, now, actor)
            if result is None:  # the master was already handled: this report stands alone
                del s["master_spec"]
        if result is None:
            result = _simulate(s, rnd, rules, now, actor, repair_team, county_of)
        order, order_events, order_clocks = result
        events_of.append(order_events)
        orders.append(order)
        events.extend((i, e) for e in order_events)
        clocks_for.append(order_clocks)

    child_idx = [i for i, s in enumerate(plans) if "master_spec" in s]
    # Explicit ids so children, clocks and events can point at their orders; the work-order
    # app writes them (its bulk history path).
    first_id = next_order_id()
    for n, o in enumerate(orders):
        o.id = o.pk = first_id + n
    children_count: dict[int, int] = defaultdict(int)
    for i in child_idx:
        m = orders[spec_index[id(plans[i]["master_spec"])]]
        orders[i].master_id = m.pk
        children_count[m.pk] += 1
    for pk, n in children_count.items():
        orders[pk - first_id].children_count = n
    for o in orders:
        o.unit_id, o.accepted_unit_id = o.unit.pk, o.accepted_unit.pk
        o.dispatcher_unit_id = o.dispatcher_unit.pk if o.dispatcher_unit is not None else None
        o.updated_at = o.closed_at or now
    for i, e in events:
        e.order_id = orders[i].pk
    all_clocks = []
    for i, cl in enumerate(clocks_for):
        for c in cl:
            c.order_id = orders[i].pk
            all_clocks.append(c)
    work_orders_write_history(
        orders=orders, events=[e for _i, e in events], clocks=all_clocks, counters=counters
    )
    status_counts: dict[str, int] = defaultdict(int)
    for o in orders:
        status_counts[o.status] += 1
    overdue = sum(1 for o in orders if o.due_at is not None and o.due_at < now)
    say(
        f"工单：{len(orders)} 张（{total_days} 天，暴雨日 {len(storm_days)} 个，子单 {len(child_idx)} 张，"
        f"在途 {sum(v for k, v in status_counts.items() if k not in (Status.ARCHIVED, Status.CANCELLED))} 张，"
        f"超时 {overdue} 张）"
    )
    return {
        "orders": len(orders),
        "events": len(events),
        "clocks": len(all_clocks),
        "children": len(child_idx),
        "storm_days": len(storm_days),
        "overdue": overdue,
        "status": dict(status_counts),
    }


def _base(s: dict, rnd: random.Random, rules: _Rules, actor) -> tuple[SimpleNamespace, dict[str, _Clock]]:
    """The order as accepted, with its initial clocks."""
    created: dt.datetime = s["created"]
    rtype, area, station, accepted = s["rtype"], s["area"], s["station"], s["accepted"]
    cid, cname, cphone, caddress, category = s["customer"]
    klass = area["area_class"]
    priority = Priority.NORMAL
    if rtype == RequestType.FAULT_REPAIR and s["dimension"] == Dimension.SUPPLY_SAFETY:
        priority = Priority.URGENT
    elif rtype == RequestType.COMPLAINT:
        priority = Priority.HIGH
    description = s["text"]
    if accepted.kind == UnitKind.CITY and rnd.random() < 0.3 and not description.startswith("客户"):
        description = f"客户来电反映：{description}"
    order = _order_row(
        order_no=s["order_no"],
        channel=s["channel"],
        request_type=rtype,
        subtype=s["subtype"],
        dimension=s["dimension"],
        status=Status.ACCEPTED,
        priority=priority,
        description=description,
        contact_name=cname,
        contact_phone=cphone,
        address=caddress,
        customer_id=cid,
        area_id=area["id"],
        feeder_id=area["feeder_id"],
        area_class=klass,
        unit=station,
        unit_path=station.path,
        accepted_unit=accepted,
        accepted_path=accepted.path,
        accepted_by_id=actor(
            Role.COUNTER_CLERK if accepted.kind != UnitKind.CITY else Role.HOTLINE_AGENT, accepted.path
        ),
        created_at=created,
        version=1,
    )
    found = rules.for_order(rtype, s["subtype"], klass, category)
    clocks: dict[str, _Clock] = {}
    for rule in sorted(found.values(), key=lambda r: bool(r.after)):
        if rule.kind == ClockKind.CALLBACK:
            continue
        start = clocks[rule.after].due_at if rule.after in clocks else created
        clocks[rule.kind] = _Clock(
            kind=rule.kind,
            basis=rule.basis,
            amount=rule.amount,
            after=rule.after,
            started_at=start,
            due_at=clock_due(rule.basis, rule.amount, start),
        )
    return order, clocks


def _meet(clocks: dict[str, _Clock], kinds, at: dt.datetime) -> None:
    for k in kinds:
        c = clocks.get(k)
        if c is not None and c.met_at is None:
            c.met_at = at
    for c in clocks.values():
        if c.after and c.after in kinds and c.met_at is None:
            c.started_at = at
            c.due_at = clock_due(c.basis, c.amount, at)


def _close(order: SimpleNamespace, clocks: dict[str, _Clock], status: str):
    order.status = status
    running = [c.due_at for c in clocks.values() if c.met_at is None]
    order.due_at = (
        None if status in (Status.ARCHIVED, Status.CANCELLED) else (min(running) if running else None)
    )


def _follow(
    s: dict,
    master: SimpleNamespace,
    master_events: list[_Ev],
    rnd: random.Random,
    rules: _Rules,
    now: dt.datetime,
    actor,
):
    """A storm report merged into ``master``: it follows the master's dispatch, start and reply."""
    created: dt.datetime = s["created"]
    state = Status.ACCEPTED
    for e in master_events:
        if e.at <= created:
            state = e.to_status
    if state not in (Status.ACCEPTED, Status.DISPATCHED, Status.IN_PROGRESS):
        return None
    order, clocks = _base(s, rnd, rules, actor)
    agent = actor(Role.HOTLINE_AGENT, order.accepted_path)
    events = [
        _Ev(
            at=created,
            actor_id=order.accepted_by_id,
            action=Action.CREATE,
            from_status="",
            to_status=Status.ACCEPTED,
            note=f"{Channel(s['channel']).label}受理",
            data={"channel": s["channel"]},
        ),
        _Ev(
            at=created,
            action=Action.MERGE,
            from_status=Status.ACCEPTED,
            to_status=state,
            note="自动合并：同台区/同线路故障",
            data={"master": master.order_no},
        ),
    ]
    order.version = 2
    if state != Status.ACCEPTED:
        order.unit, order.unit_path, order.handler_id = master.unit, master.unit_path, master.handler_id
        order.dispatcher_unit = master.dispatcher_unit
    if state == Status.IN_PROGRESS:
        _meet(clocks, {ClockKind.ARRIVAL}, created)
    t = created
    for e in master_events:
        if e.at <= created or e.action not in (Action.DISPATCH, Action.START, Action.REPLY):
            continue
        if (state, e.action) not in {
            (Status.ACCEPTED, Action.DISPATCH),
            (Status.DISPATCHED, Action.START),
            (Status.IN_PROGRESS, Action.REPLY),
        }:
            continue
        events.append(
            _Ev(
                at=e.at,
                actor_id=e.actor_id,
                action=e.action,
                from_status=state,
                to_status=e.to_status,
                note=f"随主单 {master.order_no}",
                data={"master": master.order_no},
            )
        )
        state, t = e.to_status, e.at
        order.version += 1
        if e.action == Action.DISPATCH:
            order.unit, order.unit_path = master.unit, master.unit_path
            order.dispatcher_unit, order.handler_id = master.dispatcher_unit, master.handler_id
        elif e.action == Action.START:
            _meet(clocks, {ClockKind.ARRIVAL}, e.at)
        elif e.action == Action.REPLY:
            order.reply, order.replied_at = master.reply, e.at
            _meet(clocks, {ClockKind.ARRIVAL, ClockKind.RESTORATION}, e.at)
            cb = rules.for_order(order.request_type, "", order.area_class, s["customer"][4]).get(
                ClockKind.CALLBACK
            )
            if cb is not None:
                clocks[ClockKind.CALLBACK] = _Clock(
                    kind=ClockKind.CALLBACK,
                    basis=cb.basis,
                    amount=cb.amount,
                    started_at=e.at,
                    due_at=clock_due(cb.basis, cb.amount, e.at),
                )
    if state == Status.REPLIED:
        result, satisfied, note = _callback_outcome(rnd)
        for action, to, hours in (
            (Action.CALLBACK, Status.CALLBACK, rnd.uniform(2, 72)),
            (Action.ARCHIVE, Status.ARCHIVED, 0),
        ):
            t += dt.timedelta(hours=hours)
            if t > now:
                break
            data = {"satisfied": satisfied, "result": result} if action == Action.ARCHIVE else {}
            events.append(
                _Ev(
                    at=t, actor_id=agent, action=action, from_status=state, to_status=to, note=note, data=data
                )
            )
            state = to
            order.version += 1
            if action == Action.CALLBACK:
                _meet(clocks, {ClockKind.CALLBACK}, t)
            else:
                order.satisfied, order.closed_at = satisfied, t
    _close(order, clocks, state)
    return order, events, list(clocks.values())


def _simulate(s: dict, rnd: random.Random, rules: _Rules, now: dt.datetime, actor, repair_team, county_of):
    """Build one order with its clocks and timeline, advanced as far as ``now`` allows."""
    created: dt.datetime = s["created"]
    rtype, station, accepted = s["rtype"], s["station"], s["accepted"]
    category = s["customer"][4]
    klass = s["area"]["area_class"]
    order, clocks = _base(s, rnd, rules, actor)
    events: list[_Ev] = []
    state = {"status": Status.ACCEPTED, "t": created}

    def ev(action, to, at, note="", actor_id=None, data=None):
        events.append(
            _Ev(
                at=at,
                actor_id=actor_id,
                action=action,
                from_status=state["status"],
                to_status=to,
                note=note,
                data=data or {},
            )
        )
        state["status"], state["t"] = to, at
        order.version += 1

    events.append(
        _Ev(
            at=created,
            actor_id=order.accepted_by_id,
            action=Action.CREATE,
            from_status="",
            to_status=Status.ACCEPTED,
            note=f"{Channel(s['channel']).label}受理",
            data={"channel": s["channel"]},
        )
    )

    def meet(kinds, at):
        _meet(clocks, kinds, at)

    def finish():
        _close(order, clocks, state["status"])
        return order, events, list(clocks.values())

    # Forgotten orders (the overdue tail) exist only among the recent ones.
    stuck = rnd.random() < 0.04 and now - created < STUCK_WITHIN
    team = repair_team.get(station.pk, station)
    county = county_of.get(station.pk, station)
    dispatcher = actor(Role.DISPATCHER, station.path)
    crew = actor(Role.REPAIR_CREW, team.path)
    agent = actor(Role.HOTLINE_AGENT, accepted.path)
    reply_text = rnd.choice(REPLIES[rtype])

    # Consultations are mostly answered at first contact.
    if rtype == RequestType.CONSULTATION and rnd.random() < 0.75:
        order.reply, order.replied_at, order.handler_id = reply_text, created, order.accepted_by_id
        meet({ClockKind.REPLY}, created)
        ev(Action.REPLY, Status.REPLIED, created, "受理时直接答复", order.accepted_by_id)
        t = created + dt.timedelta(minutes=rnd.randint(5, 600))
        if t <= now:
            ev(Action.ARCHIVE, Status.ARCHIVED, t, actor_id=agent)
            order.closed_at = t
        return finish()

    if rnd.random() < 0.02:  # withdrawn by the customer or entered twice
        t = created + dt.timedelta(minutes=rnd.randint(3, 240))
        if t <= now and not s.get("is_master"):
            ev(
                Action.CANCEL,
                Status.CANCELLED,
                t,
                rnd.choice(["客户撤回诉求", "重复受理", "客户自行解决"]),
                agent,
            )
            order.cancel_reason, order.closed_at = events[-1].note, t
            return finish()

    fault = rtype == RequestType.FAULT_REPAIR
    # Dispatch.
    t = created + (
        dt.timedelta(minutes=rnd.randint(2, 12)) if fault else dt.timedelta(hours=rnd.uniform(0.3, 5))
    )
    if t > now:
        return finish()
    target = team if fault else station
    order.dispatcher_unit = station
    order.unit, order.unit_path = target, target.path
    order.handler_id = crew if fault else None
    ev(Action.DISPATCH, Status.DISPATCHED, t, actor_id=dispatcher, data={"unit": target.code})
    if rnd.random() < 0.03:  # returned once, then dispatched again
        t += dt.timedelta(minutes=rnd.randint(10, 90))
        if t > now:
            return finish()
        order.return_reason = rnd.choice(["地址不在本班组范围", "客户信息不全，无法联系", "应由营销部门处理"])
        order.unit, order.unit_path, order.handler_id = station, station.path, None
        ev(Action.RETURN, Status.ACCEPTED, t, order.return_reason, crew)
        t += dt.timedelta(minutes=rnd.randint(5, 60))
        if t > now:
            return finish()
        order.unit, order.unit_path = target, target.path
        ev(Action.DISPATCH, Status.DISPATCHED, t, "重新派单", dispatcher)
    elif not fault and rnd.random() < 0.02:
        t += dt.timedelta(hours=rnd.uniform(1, 20))
        if t > now:
            return finish()
        other = county if county.pk != station.pk else station
        order.unit, order.unit_path = other, other.path
        ev(Action.TRANSFER, Status.DISPATCHED, t, "跨所业务，转县公司处理", dispatcher, {"unit": other.code})

    if stuck:
        return finish()
    # Start (arrival on site for faults, contact for complaints).
    if fault:
        limit = clocks[ClockKind.ARRIVAL].amount if ClockKind.ARRIVAL in clocks else 90
        arrive = created + dt.timedelta(
            minutes=limit * (rnd.uniform(0.35, 0.95) if rnd.random() < 0.93 else rnd.uniform(1.02, 1.6))
        )
        # Never before the (re-)dispatch: a returned order is late on site.
        t = max(arrive, t + dt.timedelta(minutes=rnd.randint(5, 30)))
    else:
        t += dt.timedelta(hours=rnd.uniform(0.5, 20))
    if t > now:
        return finish()
    meet({ClockKind.ARRIVAL, ClockKind.CONTACT}, t)
    ev(Action.START, Status.IN_PROGRESS, t, actor_id=crew if fault else None)
    # Reply.
    if fault:
        limit = clocks[ClockKind.RESTORATION].amount if ClockKind.RESTORATION in clocks else 240
        t += dt.timedelta(
            minutes=limit * (rnd.uniform(0.1, 0.9) if rnd.random() < 0.95 else rnd.uniform(1.05, 1.8))
        )
    else:
        goal = next((clocks[k] for k in (ClockKind.COMPLETION, ClockKind.REPLY) if k in clocks), None)
        if goal is not None:
            span = (goal.due_at - created).total_seconds()
            t = created + dt.timedelta(
                seconds=span * (rnd.uniform(0.15, 0.95) if rnd.random() < 0.94 else rnd.uniform(1.02, 1.4))
            )
        else:
            t += dt.timedelta(days=rnd.uniform(0.5, 3))
    if t > now:
        return finish()
    order.reply, order.replied_at = reply_text, t
    if order.handler_id is None:
        order.handler_id = crew if fault else dispatcher
    meet(
        {ClockKind.ARRIVAL, ClockKind.CONTACT, ClockKind.RESTORATION, ClockKind.REPLY, ClockKind.COMPLETION},
        t,
    )
    ev(Action.REPLY, Status.REPLIED, t, reply_text, order.handler_id)
    if rtype in TYPES_WITHOUT_CALLBACK:
        t += dt.timedelta(hours=rnd.uniform(1, 30))
        if t <= now:
            ev(Action.ARCHIVE, Status.ARCHIVED, t, actor_id=agent)
            order.closed_at = t
        return finish()
    cb_rule = rules.for_order(rtype, s["subtype"], klass, category).get(ClockKind.CALLBACK)
    if cb_rule is not None:
        clocks[ClockKind.CALLBACK] = _Clock(
            kind=ClockKind.CALLBACK,
            basis=cb_rule.basis,
            amount=cb_rule.amount,
            started_at=t,
            due_at=clock_due(cb_rule.basis, cb_rule.amount, t),
        )
    # Callback, sometimes unsatisfied → reopen and handle again.
    t += dt.timedelta(hours=rnd.uniform(2, 96))
    if t > now:
        return finish()
    meet({ClockKind.CALLBACK}, t)
    if rnd.random() < 0.05:
        words = rnd.choice(CALLBACK_WORDS["unsatisfied"])
        ev(Action.CALLBACK, Status.CALLBACK, t, f"回访结果：不满意。客户：{words}", agent)
        order.satisfied = False
        ev(Action.REOPEN, Status.DISPATCHED, t, f"回访不满意：{words}", agent)
        clocks.pop(ClockKind.CALLBACK, None)
        for k in (ClockKind.RESTORATION, ClockKind.REPLY, ClockKind.COMPLETION):
            c = clocks.get(k)
            if c is not None:
                c.met_at, c.started_at, c.due_at = None, t, clock_due(c.basis, c.amount, t)
        t += dt.timedelta(hours=rnd.uniform(0.5, 24))
        if t > now:
            return finish()
        ev(Action.START, Status.IN_PROGRESS, t, actor_id=order.handler_id)
        t += dt.timedelta(hours=rnd.uniform(1, 48))
        if t > now:
            return finish()
        meet({ClockKind.RESTORATION, ClockKind.REPLY, ClockKind.COMPLETION}, t)
        order.reply, order.replied_at = "再次处理：" + rnd.choice(REPLIES[rtype]), t
        ev(Action.REPLY, Status.REPLIED, t, order.reply, order.handler_id)
        cb_rule = rules.for_order(rtype, s["subtype"], klass, category).get(ClockKind.CALLBACK)
        if cb_rule is not None:
            clocks[ClockKind.CALLBACK] = _Clock(
                kind=ClockKind.CALLBACK,
                basis=cb_rule.basis,
                amount=cb_rule.amount,
                started_at=t,
                due_at=clock_due(cb_rule.basis, cb_rule.amount, t),
            )
        t += dt.timedelta(hours=rnd.uniform(2, 72))
        if t > now:
            return finish()
        meet({ClockKind.CALLBACK}, t)
    # The callback that closes the loop: satisfied mostly (as ``callback_record`` records it).
    result, satisfied, note = _callback_outcome(rnd)
    ev(Action.CALLBACK, Status.CALLBACK, t, note, agent)
    order.satisfied = satisfied
    ev(Action.ARCHIVE, Status.ARCHIVED, t, note, agent, {"satisfied": satisfied, "result": result})
    order.closed_at = t
    return finish()
