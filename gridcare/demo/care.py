"""Billing history and credit ratings for the demo, through care's services.

- **Bills**: the last 12 complete months for every customer. Consumption follows the
  season (winter heating and summer cooling peaks) around a base of the customer's
  category (a household uses a few hundred kWh a month, a workshop thousands, a factory on
  10 kV hundreds of thousands), priced by tariff. Each bill is issued on the 4th of the next
  month and due on the 25th.
- **Payment behaviour**: most customers pay before the due date; about 6 % are late payers
  (a third of their bills paid 3–40 days late); about 1 % are chronically unpaid (their
  last 3–5 due bills outstanding, half of them cut off for arrears). A bill not yet due may
  still be unpaid.
- **Conduct**: a few thefts, violations and bounced payments.
- **Ratings** computed for every customer (``credit_ratings_recompute``).
- **Segments and value** as they stood a month and two months ago, then now
  (``customer_profiles_recompute``): the segments page starts with three months.

Deterministic from ``seed``; does nothing when bills exist.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from gridcare.care.choices import ConductKind, RatingCause
from gridcare.care.models import Bill, ConductEvent
from gridcare.care.services import (
    bills_write,
    conduct_write,
    credit_ratings_recompute,
    customer_profiles_recompute,
)
from gridcare.customers.models import Customer

MONTHS = 12
# Jan..Dec: winter heating and summer cooling peaks.
SEASON = (1.25, 1.1, 0.9, 0.8, 0.85, 1.05, 1.4, 1.45, 1.1, 0.85, 0.9, 1.15)
BASE_KWH = {
    "residential": (120.0, 320.0),
    "lv_non_residential": (800.0, 4000.0),
    "hv_single": (40_000.0, 200_000.0),
    "hv_dual": (150_000.0, 600_000.0),
}
PRICE = {  # yuan per kWh
    "居民生活用电": 0.5283,
    "居民峰谷分时": 0.5100,
    "一般工商业": 0.6900,
    "农业生产": 0.5090,
    "大工业": 0.6300,
}
LATE_SHARE, CHRONIC_SHARE = 0.06, 0.01
BATCH_CUSTOMERS = 10_000


def _periods(today: dt.date) -> list[tuple[str, float, list[dt.date], dt.date, list[dt.date]]]:
    """The last 12 complete months, oldest first: (period, season factor, the days a bill is
    paid on time — issued on the 4th of the next month, due on the 25th —, the due date, the
    days it is paid 3–40 days late)."""
    out = []
    year, month = today.year, today.month
    for _ in range(MONTHS):
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        ny, nm = (year + 1, 1) if month == 12 else (year, month + 1)
        due = dt.date(ny, nm, 25)
        on_time = [dt.date(ny, nm, d) for d in range(4, 26)]
        late = [due + dt.timedelta(days=d) for d in range(3, 41)]
        out.append((f"{year:04d}-{month:02d}", SEASON[month - 1], on_time, due, late))
    return out[::-1]


def _customer_bills(rnd, cid, category, tariff, periods, today, chronic: bool, late: bool) -> list[tuple]:
    low, high = BASE_KWH.get(category, BASE_KWH["residential"])
    base = low + (high - low) * rnd.random()
    price = PRICE.get(tariff, 0.6)
    unpaid_from = len(periods)
    if chronic:  # the last 3-5 bills past their due date stay unpaid
        unpaid_from = sum(1 for p in periods if p[3] < today) - 3 - int(rnd.random() * 3)
    rows = []
    random = rnd.random
    for i, (period, season, on_time, due, late_days) in enumerate(periods):
        kwh = base * season * (0.85 + 0.3 * random())
        amount = f"{kwh * price:.2f}"
        if i >= unpaid_from:
            paid = None
        elif (late or chronic) and random() < 0.35:
            paid = late_days[int(random() * len(late_days))]
        else:
            paid = on_time[int(random() * len(on_time))]
        if paid is not None and paid > today:
            paid = None
        rows.append((cid, period, f"{kwh:.2f}", amount, due, paid, amount if paid else None))
    return rows


def _conduct(rnd, cid, chronic: bool, periods, today: dt.date) -> list[ConductEvent]:
    out = []

    def event(kind, days_back, note):
        day = today - dt.timedelta(days=days_back)
        out.append(ConductEvent(customer_id=cid, date=day, kind=kind, note=note))

    r = rnd.random()
    if r < 0.0005:
        event(ConductKind.THEFT, rnd.randint(20, 700), "绕越计量装置用电，已追补电费并处违约使用电费")
    elif r < 0.0015:
        event(ConductKind.VIOLATION, rnd.randint(20, 500), "擅自超过合同约定容量用电")
    elif r < 0.0035:
        event(ConductKind.BOUNCED_PAYMENT, rnd.randint(10, 300), "支票退票")
    if chronic and rnd.random() < 0.5:
        last_due = max(p[3] for p in periods if p[3] < today)
        event(ConductKind.ARREARS_CUTOFF, max(1, (today - last_due).days - 7), "欠费停电，已书面通知")
    return out


def seed_care(*, seed: int, stdout=None, now: dt.datetime | None = None) -> dict:
    say = (lambda m: stdout.write(m + "\n")) if stdout is not None else (lambda m: None)
    if Bill.objects.exists():
        say("电费账单：已存在，跳过")
        return {"bills": 0, "skipped": True}
    rnd = random.Random(seed + 707)
    now = now or timezone.now()
    today = timezone.localdate(now)
    periods = _periods(today)
    customers = list(Customer.objects.order_by("pk").values_list("pk", "category", "tariff"))
    bills = events = 0
    with transaction.atomic():
        for start in range(0, len(customers), BATCH_CUSTOMERS):
            rows, conduct = [], []
            for cid, category, tariff in customers[start : start + BATCH_CUSTOMERS]:
                r = rnd.random()
                chronic, late = r < CHRONIC_SHARE, r < CHRONIC_SHARE + LATE_SHARE
                rows += _customer_bills(rnd, cid, category, tariff, periods, today, chronic, late)
                conduct += _conduct(rnd, cid, chronic, periods, today)
            bills_write(new_rows=rows, updates=[])
            conduct_write(new=conduct, changed=[])
            bills += len(rows)
            events += len(conduct)
    ratings = credit_ratings_recompute(
        customer_ids=[c[0] for c in customers], cause=RatingCause.DEMO, today=today, now=now
    )
    # Segments and value as they stood at the two previous month-ends, then now: the
    # segments page has sizes and movement over three months from the start.
    for back in (2, 1):
        day = now - dt.timedelta(days=30 * back)
        customer_profiles_recompute(now=day)
    profiles = customer_profiles_recompute(now=now)
    say(
        f"电费账单：{bills} 张，用电行为 {events} 条，信用等级 {ratings['created']} 户，"
        f"客户细分与价值 {profiles['customers']} 户"
    )
    return {"bills": bills, "conduct": events, "ratings": ratings["created"], "profiles": profiles["created"]}
