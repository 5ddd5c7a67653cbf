"""``seed_work_orders``: plan the months of orders, simulate each, hand them to the work-order app's bulk history writer."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from types import SimpleNamespace

from django.utils import timezone

from gridcare.core.calendar import local_tz
from gridcare.customers.models import Customer
from gridcare.demo.users import shift_at
from gridcare.grid.models import TransformerArea
from gridcare.org.choices import Role, UnitKind
from gridcare.org.models import OrgUnit, StaffProfile
from gridcare.workorders.choices import (
    Channel,
    Dimension,
    RequestType,
    Status,
)
from gridcare.workorders.history import next_order_id, work_orders_write_history
from gridcare.workorders.models import (
    WorkOrder,
)
from gridcare.workorders.rules import order_no_format, order_no_scope

from .lifecycle import _follow, _simulate
from .rows import _Clock, _Ev, _Rules, _subtype_for
from .texts import CHANNEL_MIX, HOURLY, TYPE_MIX, WEEKDAY, _load_corpus, written_by


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
    # The weak spots of a real network (planning hotspots): a few overloaded transformer
    # areas, somewhat weak all year and far worse in the last three months (summer load,
    # growth: about five times their own earlier rate, as the hotspot bench plants them),
    # and a few rundown feeders whose areas all fail more often; complaints about supply
    # follow the faults.
    weak = set(rnd.sample(area_ids, max(1, len(area_ids) // 30)))
    rundown = set(rnd.sample(feeders, max(1, len(feeders) // 40)))
    recent_since = now - dt.timedelta(days=90)

    def cumulative(recent: bool) -> list[float]:
        out, acc = [], 0.0
        for aid in area_ids:
            w = len(by_area[aid]) * ((8.0 if recent else 1.5) if aid in weak else 1.0)
            acc += w * (2.5 if areas[aid]["feeder_id"] in rundown else 1.0)
            out.append(acc)
        return out

    fault_weights = {False: cumulative(False), True: cumulative(True)}

    staff_by_role: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for role, path, uid in StaffProfile.objects.order_by("user_id").values_list(
        "role", "unit__path", "user_id"
    ):
        staff_by_role[role].append((path, uid))

    # Calls to the city's hotline are taken by whoever is on shift.
    seats: dict[int, list[int]] = defaultdict(list)
    city_path = city.path
    for index, uid in enumerate(
        StaffProfile.objects.filter(user__username__startswith="hotline", role=Role.HOTLINE_AGENT)
        .order_by("user__username")
        .values_list("user_id", flat=True)
    ):
        seats[_seat_shift(index)].append(uid)

    def actor(role: str, unit_path: str, at: dt.datetime | None = None) -> int | None:
        if role == Role.HOTLINE_AGENT and at is not None and unit_path == city_path:
            on_shift = seats.get(shift_at(timezone.localtime(at).hour))
            if on_shift:
                return on_shift[rnd.randrange(len(on_shift))]
        # The staff of the nearest unit that has this role (its own, else the one above),
        # one of them at random: the work spreads over the unit's people.
        matches = [
            (len(path), uid) for path, uid in staff_by_role.get(role, []) if unit_path.startswith(path)
        ]
        if not matches:
            return None
        deepest = max(n for n, _uid in matches)
        people = [uid for n, uid in matches if n == deepest]
        return people[rnd.randrange(len(people))] if len(people) > 1 else people[0]

    rules = _Rules()
    corpus = _load_corpus(rnd)
    reliability = {
        rtype: [t for t in corpus[rtype] if t[1] == Dimension.SUPPLY_RELIABILITY]
        for rtype in (RequestType.FAULT_REPAIR, RequestType.COMPLAINT)
    }
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
            located = rtype == RequestType.FAULT_REPAIR or (
                rtype == RequestType.COMPLAINT and rnd.random() < 0.3
            )
            if located and area_id is None:
                area_id = rnd.choices(area_ids, cum_weights=fault_weights[created >= recent_since])[0]
            if area_id is not None:
                customer_idx = rnd.choice(by_area[area_id])
            else:
                customer_idx = rnd.randrange(len(customers))
        cid, cname, cphone, caddress, c_area, category = customers[customer_idx]
        area = areas[area_id or c_area]
        # An overloaded area fails with outages: its fault reports and complaints are about
        # supply reliability (still deterministic from the seed).
        pool = corpus[rtype]
        if area["id"] in weak and reliability.get(rtype):
            pool = reliability[rtype]
        text, dimension = rnd.choice(pool)
        text = text.replace("{n}", str(rnd.randint(2, 9)))
        if storm:
            text = rnd.choice(["雷雨过后", "刮大风后", "打雷之后", ""]) + text
        channel = rnd.choices(channels, weights=channel_w)[0]
        if rtype == RequestType.FAULT_REPAIR and channel == Channel.COUNTER:
            channel = Channel.HOTLINE
        text = written_by(text, channel, rnd)
        subtype = _subtype_for(text, rnd) if rtype == RequestType.SERVICE_APPLICATION else ""
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
            key = (day, order_no_scope(s["station"].code))
            counters[key] += 1
            s["order_no"] = order_no_format(day, key[1], counters[key])
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


def _seat_shift(index: int) -> int:
    """The shift of the ``index``-th hotline seat (``gridcare.demo.users.HOTLINE_SHIFTS`` order)."""
    from gridcare.demo.users import HOTLINE_SHIFTS

    for shift, (_s, _e, size) in enumerate(HOTLINE_SHIFTS):
        if index < size:
            return shift
        index -= size
    return 0
