"""The business-hall queue for the demo: the city's main hall (扬州供电营业厅) and the demo
clerk's county hall, their counters and clerks, and a realistic past of days plus today
(morning peak 9–11, lunch dip, afternoon bump; a few VIP and elderly tickets, no-shows and
transfers; ratings mostly 5 with some 3s; waits mostly within 15 minutes with a bad
morning or two, when counters opened late).

Each day is simulated (an event loop over arrivals and counters, calling in the queue's
own order — ``hall.selectors.queue_key`` with ``hall.services.priority_lead``) and written
in bulk: the hall app's pure helpers, its models' rows. Today stops at the current time, so
the board shows who is being served and who waits now. Deterministic from the seed (and
the current time, for today).
"""

from __future__ import annotations

import datetime as dt
import math
import random

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from gridcare.core.calendar import is_working_day
from gridcare.customers.models import Customer
from gridcare.hall.choices import PriorityClass, TicketEventKind, TicketStatus
from gridcare.hall.models import (
    Counter,
    CounterRating,
    Hall,
    HallSetting,
    ServiceType,
    Ticket,
    TicketEvent,
    TicketSequence,
)
from gridcare.hall.selectors import queue_key
from gridcare.hall.services import priority_lead
from gridcare.org.choices import Role, UnitKind
from gridcare.org.models import OrgUnit, StaffProfile

S = TicketStatus
DAYS = {"small": 1, "default": 30, "large": 60}
# Arrivals per hour of the day (share of a day's tickets), 8:00–17:00.
HOURLY = {8: 0.4, 9: 1.6, 10: 1.8, 11: 1.0, 12: 0.4, 13: 0.7, 14: 1.1, 15: 1.2, 16: 0.8, 17: 0.2}
TYPE_MIX = {"business": 0.42, "payment": 0.33, "consult": 0.18, "invoice": 0.07}
CLERK_NAMES = ["吴婷", "郑丽华", "王芳", "李娜", "张敏", "赵雪", "钱玉兰", "孙倩", "周蕾", "冯晓梅", "陈燕"]
COMMENTS = ["办理很快，态度好", "耐心解释，谢谢", "等得有点久", "讲解清楚", ""]


def _clerks(hall: Hall, n: int, start: int) -> list:
    """``n`` counter clerks of the hall's unit (staff without a password, not demo logins)."""
    User = get_user_model()
    out = []
    for i in range(n):
        name = CLERK_NAMES[(start + i) % len(CLERK_NAMES)]
        user, created = User.objects.get_or_create(
            username=f"hallclerk{start + i + 1:02d}", defaults={"first_name": name}
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        StaffProfile.objects.update_or_create(
            user=user, defaults={"unit": hall.unit, "role": Role.COUNTER_CLERK, "display_name": name}
        )
        out.append(user)
    return out


def _halls(city: OrgUnit, county: OrgUnit) -> list[tuple[Hall, list[tuple[int, str]]]]:
    """The two halls and their counters (number, served type codes)."""
    specs = [
        (
            city,
            "YZ-YYT-01",
            "扬州供电营业厅",
            "江苏省扬州市文昌中路 451 号",
            "09:00-16:00",
            [
                (1, "business"),
                (2, "business"),
                (3, "business,consult"),
                (4, "payment,invoice"),
                (5, "payment,invoice"),
                (6, ""),
            ],
        ),
        (
            county,
            f"{county.code}-YYT-01",
            f"{county.name.replace('供电公司', '')}供电营业厅",
            f"{county.name.replace('供电公司', '')}城区府前路 18 号",
            "",
            [(1, ""), (2, "payment,invoice"), (3, "business,consult")],
        ),
    ]
    out = []
    for unit, code, name, address, weekend, counters in specs:
        hall, _ = Hall.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "unit": unit,
                "address": address,
                "weekday_hours": "08:30-17:30",
                "weekend_hours": weekend,
                "open_on_holidays": False,
            },
        )
        for number, codes in counters:
            Counter.objects.update_or_create(hall=hall, number=number, defaults={"service_codes": codes})
        out.append((hall, counters))
    return out


class _Sim:
    """One hall's day: arrivals, then counters calling in the queue's order."""

    def __init__(self, rnd, hall, counters, types, settings, clerks, customers, day, volume, late_counters):
        self.rnd, self.hall, self.types, self.settings = rnd, hall, types, settings
        self.counters, self.clerks, self.customers, self.day = counters, clerks, customers, day
        self.volume, self.late = volume, late_counters
        self.max_wait = settings[HallSetting.MAX_WAIT]
        self.tickets: list[dict] = []
        self.seq: dict[str, int] = {}

    def _at(self, seconds: float) -> dt.datetime:
        tz = timezone.get_current_timezone()
        return dt.datetime.combine(self.day, dt.time(0), tzinfo=tz) + dt.timedelta(seconds=seconds)

    def _number(self, prefix: str) -> str:
        self.seq[prefix] = self.seq.get(prefix, 0) + 1
        return f"{prefix}{self.seq[prefix]:03d}"

    def _ticket(self, t: float, stype, priority: str, reason: str, customer, rank: dt.datetime | None = None):
        issued = self._at(t)
        row = {
            "t": t,
            "type": stype,
            "issued_at": issued,
            "priority": priority,
            "reason": reason,
            "customer": customer,
            "number": self._number(stype.prefix),
            "rank_at": rank or issued - priority_lead(priority, self.settings),
            "pk": len(self.tickets) + 1,
            "status": S.WAITING,
            "events": [(TicketEventKind.ISSUED, issued, None, None)],
        }
        self.tickets.append(row)
        return row

    def arrivals(self, open_s: float, close_s: float) -> list[dict]:
        rnd, out = self.rnd, []
        weights = sum(HOURLY.values())
        codes = list(TYPE_MIX)
        for hour, share in HOURLY.items():
            n = int(round(self.volume * share / weights * rnd.uniform(0.85, 1.15)))
            for _ in range(n):
                t = hour * 3600 + rnd.uniform(0, 3600)
                if not open_s <= t < close_s - 300:
                    continue
                stype = self.types[rnd.choices(codes, weights=[TYPE_MIX[c] for c in codes])[0]]
                r = rnd.random()
                customer = rnd.choice(self.customers) if self.customers and rnd.random() < 0.45 else None
                if r < 0.02 and customer is not None:
                    pri, reason = PriorityClass.VIP, "客户享有营业厅优先办理"
                elif r < 0.07:
                    pri, reason = PriorityClass.CARE, "老年人/残障人士"
                else:
                    pri, reason = PriorityClass.NORMAL, ""
                out.append((t, stype, pri, reason, customer))
        out.sort(key=lambda a: a[0])
        return [self._ticket(*a) for a in out]

    def run(self, open_s: float, close_s: float) -> None:
        rnd = self.rnd
        pending = self.arrivals(open_s, close_s)
        waiting: list[dict] = []
        free = {}
        for (number, codes), clerk in zip(self.counters, self.clerks, strict=False):
            late = 2 * 3600 if number in self.late else 0
            free[number] = (open_s + late + rnd.uniform(0, 120), set(c for c in codes.split(",") if c), clerk)
        i = 0
        while True:
            number = min(free, key=lambda k: free[k][0])
            t, served, clerk = free[number]
            if t == math.inf:
                break
            while i < len(pending) and pending[i]["t"] <= t:
                waiting.append(pending[i])
                i += 1
            eligible = [w for w in waiting if not served or w["type"].code in served]
            if not eligible:
                nxt = next((p["t"] for p in pending[i:] if not served or p["type"].code in served), None)
                free[number] = (nxt if nxt is not None else math.inf, served, clerk)
                continue
            now = self._at(t)
            pick = min(eligible, key=lambda w: queue_key(_Key(w), now=now, max_wait_minutes=self.max_wait))
            waiting.remove(pick)
            pick.update(called_at=now, counter=number, clerk=clerk, status=S.CALLED)
            pick["events"].append((TicketEventKind.CALLED, now, clerk, number))
            if rnd.random() < 0.03:  # nobody came up: recalled once, then lapsed
                pick["events"].append(
                    (TicketEventKind.RECALLED, now + dt.timedelta(seconds=60), clerk, number)
                )
                pick["recalls"] = 1
                end = now + dt.timedelta(seconds=150)
                pick.update(status=S.NO_SHOW, finished_at=end)
                pick["events"].append((TicketEventKind.NO_SHOW, end, clerk, number))
                free[number] = (t + 160, served, clerk)
                continue
            serving = now + dt.timedelta(seconds=rnd.uniform(20, 70))
            minutes = max(0.7, rnd.lognormvariate(math.log(pick["type"].average_minutes), 0.45))
            end = serving + dt.timedelta(minutes=minutes)
            pick.update(serving_at=serving, finished_at=end, status=S.DONE)
            pick["events"].append((TicketEventKind.SERVING, serving, clerk, number))
            if rnd.random() < 0.02 and pick["type"].code == "consult":  # sent on to business
                pick["status"] = S.TRANSFERRED
                pick["events"].append((TicketEventKind.TRANSFERRED, end, clerk, number))
                new = self._ticket(
                    (end - self._at(0)).total_seconds(),
                    self.types["business"],
                    pick["priority"],
                    pick["reason"],
                    pick["customer"],
                    rank=pick["rank_at"],
                )
                new["from"] = pick
                pending.insert(i, new)
                pending[i:] = sorted(pending[i:], key=lambda p: p["t"])
            else:
                pick["events"].append((TicketEventKind.DONE, end, clerk, number))
                if rnd.random() < 0.7:
                    pick["score"] = rnd.choices([5, 4, 3, 2], weights=[78, 14, 7, 1])[0]
                    pick["rated_at"] = end + dt.timedelta(seconds=rnd.uniform(5, 40))
                    if pick["score"] <= 3 or rnd.random() < 0.1:
                        pick["comment"] = rnd.choice(COMMENTS)
            free[number] = ((end - self._at(0)).total_seconds() + rnd.uniform(10, 45), served, clerk)


class _Key:
    """A simulated ticket seen through ``queue_key``."""

    def __init__(self, row):
        self.issued_at, self.rank_at, self.pk = row["issued_at"], row["rank_at"], row["pk"]


def _truncate(row: dict, now: dt.datetime) -> dict | None:
    """Today's tickets as they stand at ``now`` (events after it have not happened yet)."""
    if row["issued_at"] > now:
        return None
    row["events"] = [e for e in row["events"] if e[1] <= now]
    kinds = [e[0] for e in row["events"]]
    for field in ("called_at", "serving_at", "finished_at", "rated_at"):
        if row.get(field) and row[field] > now:
            row[field] = None
    if TicketEventKind.DONE in kinds:
        row["status"] = S.DONE
    elif TicketEventKind.TRANSFERRED in kinds:
        row["status"] = S.TRANSFERRED
    elif TicketEventKind.NO_SHOW in kinds:
        row["status"] = S.NO_SHOW
    elif TicketEventKind.SERVING in kinds:
        row["status"] = S.SERVING
    elif TicketEventKind.CALLED in kinds:
        row["status"] = S.CALLED
        row["finished_at"] = None
    else:
        row.update(status=S.WAITING, counter=None, clerk=None)
    if not row.get("rated_at"):
        row.pop("score", None)
    return row


def _write(hall: Hall, counters: dict[int, Counter], sim: _Sim, rows: list[dict], day: dt.date) -> int:
    tickets = []
    for r in rows:
        tickets.append(
            Ticket(
                hall=hall,
                unit_path=hall.unit_path,
                service_type=r["type"],
                day=day,
                number=r["number"],
                customer=r["customer"],
                priority=r["priority"],
                priority_reason=r["reason"],
                status=r["status"],
                issued_at=r["issued_at"],
                rank_at=r["rank_at"],
                called_at=r.get("called_at"),
                serving_at=r.get("serving_at"),
                finished_at=r.get("finished_at"),
                counter=counters.get(r.get("counter")),
                called_by=r.get("clerk"),
                recalls=r.get("recalls", 0),
            )
        )
    Ticket.objects.bulk_create(tickets, batch_size=2000)
    saved = {r["number"]: t for r, t in zip(rows, tickets, strict=True)}
    if any(t.pk is None for t in tickets):  # SQLite before 3.35 gives no ids back
        saved = {t.number: t for t in Ticket.objects.filter(hall=hall, day=day)}
    links = [
        (saved[r["number"]], saved[r["from"]["number"]])
        for r in rows
        if r.get("from") and r["from"]["number"] in saved
    ]
    for new, old in links:
        new.transferred_from = old
    Ticket.objects.bulk_update([n for n, _ in links], ["transferred_from"])
    events, ratings = [], []
    for r in rows:
        t = saved[r["number"]]
        for kind, at, actor, number in r["events"]:
            events.append(TicketEvent(ticket=t, kind=kind, at=at, actor=actor, counter=counters.get(number)))
        if r.get("score"):
            ratings.append(
                CounterRating(
                    ticket=t,
                    clerk=r.get("clerk"),
                    counter=counters.get(r.get("counter")),
                    hall=hall,
                    unit_path=hall.unit_path,
                    score=r["score"],
                    comment=r.get("comment", ""),
                    rated_at=r["rated_at"],
                )
            )
    TicketEvent.objects.bulk_create(events, batch_size=5000)
    CounterRating.objects.bulk_create(ratings, batch_size=2000)
    TicketSequence.objects.bulk_create(
        [TicketSequence(hall=hall, day=day, prefix=p, value=v) for p, v in sim.seq.items()], batch_size=100
    )
    return len(tickets)


def seed_hall(*, seed: int, size: str = "default", stdout=None, now: dt.datetime | None = None) -> dict:
    """Two halls with their counters and clerks, ``DAYS[size]`` past days plus today."""
    city = OrgUnit.objects.filter(kind=UnitKind.CITY).order_by("code").first()
    demo_clerk = StaffProfile.objects.filter(user__username="clerk").select_related("unit", "user").first()
    if city is None or demo_clerk is None:
        return {"halls": 0, "tickets": 0}
    now = now or timezone.now()
    today = timezone.localdate(now)
    rnd = random.Random(seed + 1515)
    types = {t.code: t for t in ServiceType.objects.all()}
    if any(code not in types for code in TYPE_MIX):
        return {"halls": 0, "tickets": 0}
    settings = HallSetting.all_values()
    total = 0
    with transaction.atomic():
        halls = _halls(city, demo_clerk.unit)
        for index, (hall, specs) in enumerate(halls):
            counters = {c.number: c for c in Counter.objects.filter(hall=hall)}
            clerks = _clerks(hall, len(specs), start=index * 6)
            if index == 1:  # the demo clerk works the county hall's counter 1
                clerks[0] = demo_clerk.user
            customers = list(
                Customer.objects.filter(station__path__startswith=hall.unit_path)
                .order_by("pk")
                .values_list("pk", flat=True)[:3000]
            )
            customers = list(Customer.objects.filter(pk__in=customers).order_by("pk")) if customers else []
            volume = 180 if index == 0 else 70
            days, day = [], today
            while len(days) < DAYS.get(size, 30) + 1 and (today - day).days < 120:
                if hall.hours_on(day) is not None:
                    days.append(day)
                day -= dt.timedelta(days=1)
            bad = set(rnd.sample(days[1:], min(2, len(days) - 1))) if len(days) > 2 else set()
            for day in sorted(days):
                hours = hall.hours_on(day)
                open_s = hours[0].hour * 3600 + hours[0].minute * 60
                close_s = hours[1].hour * 3600 + hours[1].minute * 60
                weekend = not is_working_day(day)
                late = {1, 2} if day in bad else set()
                sim = _Sim(
                    rnd,
                    hall,
                    specs,
                    types,
                    settings,
                    clerks,
                    customers,
                    day,
                    volume * (0.45 if weekend else 1.0),
                    late,
                )
                sim.run(open_s, close_s)
                rows = sim.tickets
                if day == today:
                    rows = [r for r in (_truncate(r, now) for r in rows) if r is not None]
                    for r in rows:
                        if r.get("from") and r["from"]["issued_at"] > now:
                            r.pop("from")
                    sim.seq = {}
                    for r in rows:
                        p, n = r["number"][0], int(r["number"][1:])
                        sim.seq[p] = max(sim.seq.get(p, 0), n)
                total += _write(hall, counters, sim, rows, day)
    if stdout is not None:
        stdout.write(f"营业厅 2 个，排队号 {total} 个")
    return {"halls": 2, "tickets": total}
