"""Writes of customer care: bills and conduct events (for the imports and the demo), and the
credit ratings recomputed from them. The only writers of care's tables.

Ratings are recomputed in bulk, a chunk of customers at a time in its own transaction:
each chunk reads only what can cost points (bills not settled on time, conduct events),
the number of bills, and the current ratings, then writes only what changed — a new
rating, a changed one, and a history row when the grade moved. Recomputing a customer
twice with the same facts writes nothing, so every caller (import, nightly job) is
idempotent.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q
from django.utils import timezone

from .choices import RatingCause
from .models import (
    Bill,
    CareSetting,
    ConductEvent,
    CreditRating,
    CreditRatingChange,
    CustomerProfile,
    SegmentSetting,
    SegmentSnapshot,
    segment_setting_values,
)
from .rating import Assessment, BillFact, ConductFact, Rules, assess
from .segments import Quintiles, SegmentRules, segments_of, value_of

S = CareSetting
RECOMPUTE_CHUNK = 2500


def care_rules() -> Rules:
    """The rating's rules as the settings say now (one query)."""
    v = CareSetting.all_values()
    return Rules(
        points_late=v[S.POINTS_LATE],
        points_unpaid=v[S.POINTS_UNPAID],
        points_conduct={
            "theft": v[S.POINTS_THEFT],
            "violation": v[S.POINTS_VIOLATION],
            "bounced_payment": v[S.POINTS_BOUNCED],
            "pay_plan_broken": v[S.POINTS_PAY_PLAN],
            "arrears_cutoff": v[S.POINTS_CUTOFF],
        },
        bill_months=v[S.BILL_MONTHS],
        conduct_months=v[S.CONDUCT_MONTHS],
        grade_b_points=v[S.GRADE_B_POINTS],
        grade_c_points=v[S.GRADE_C_POINTS],
        theft_months=v[S.THEFT_MONTHS],
        violation_months=v[S.VIOLATION_MONTHS],
        unpaid_count=v[S.UNPAID_COUNT],
        unpaid_window=v[S.UNPAID_WINDOW],
        new_min_bills=v[S.NEW_MIN_BILLS],
    )


# ------------------------------------------------------------------------------ facts


def _customers_q(ids: list[int]) -> Q:
    """Rows of these customers (sorted ids): a range when they are dense, else a list."""
    if ids[-1] - ids[0] < 4 * len(ids):
        return Q(customer_id__gte=ids[0], customer_id__lte=ids[-1])
    return Q(customer_id__in=ids)


# Bills that can cost points: unpaid, paid late, or paid short.
NOT_ON_TIME = Q(paid_at__isnull=True) | Q(paid_at__gt=F("due_date")) | Q(paid_amount__lt=F("amount"))


def load_facts(ids: list[int], *, with_counts: bool = True):
    """For sorted customer ids: (bills not settled on time, conduct, bill counts), by customer."""
    where = _customers_q(ids)
    bills: dict[int, list[BillFact]] = defaultdict(list)
    for cid, period, due, paid_at, in_full in (
        Bill.objects.filter(where)
        .filter(NOT_ON_TIME)
        .annotate(in_full=ExpressionWrapper(Q(paid_amount__gte=F("amount")), output_field=BooleanField()))
        .values_list("customer_id", "period", "due_date", "paid_at", "in_full")
    ):
        bills[cid].append(BillFact(period, due, paid_at, bool(in_full)))
    conduct: dict[int, list[ConductFact]] = defaultdict(list)
    for cid, date, kind in ConductEvent.objects.filter(where).values_list("customer_id", "date", "kind"):
        conduct[cid].append(ConductFact(date, kind))
    counts: dict[int, int] = {}
    if with_counts:
        counts = dict(
            Bill.objects.filter(where)
            .order_by()
            .values("customer_id")
            .annotate(n=Count("id"))
            .values_list("customer_id", "n")
        )
    return bills, conduct, counts


def assess_customer(
    customer_id: int, *, rules: Rules | None = None, today: dt.date | None = None
) -> Assessment:
    """One customer's assessment from the stored facts, without storing it."""
    rules = rules or care_rules()
    bills, conduct, counts = load_facts([customer_id], with_counts=rules.new_min_bills > 0)
    return assess(
        bills=bills.get(customer_id, ()),
        conduct=conduct.get(customer_id, ()),
        rules=rules,
        today=today or timezone.localdate(),
        bill_count=counts.get(customer_id, 0),
    )


# ---------------------------------------------------------------------------- ratings


def credit_ratings_recompute(
    *,
    customer_ids: Iterable[int],
    cause: str = RatingCause.MANUAL,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
) -> dict:
    """Recompute the credit rating of each customer from their facts, storing what changed.

    Returns counts: ``customers`` assessed, ``created`` first ratings, ``updated`` ratings
    whose points, reasons or review day moved, ``changed`` grades (each also a history row).
    """
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    rules = care_rules()
    stamp = rules.stamp()
    ids = sorted(set(customer_ids))
    counts = {"customers": len(ids), "created": 0, "updated": 0, "changed": 0}
    for i in range(0, len(ids), RECOMPUTE_CHUNK):
        with transaction.atomic():
            _recompute_chunk(ids[i : i + RECOMPUTE_CHUNK], rules, stamp, today, now, str(cause), counts)
    return counts


def _recompute_chunk(ids, rules: Rules, stamp: str, today, now, cause: str, counts: dict) -> None:
    bills, conduct, bill_counts = load_facts(ids, with_counts=rules.new_min_bills > 0)
    current = {
        row[0]: row[1:]
        for row in CreditRating.objects.filter(_customers_q(ids)).values_list(
            "customer_id", "grade", "points", "reasons", "since", "review_on", "rules_stamp"
        )
    }
    ops = connection.ops
    at, day = ops.adapt_datetimefield_value(now), ops.adapt_datefield_value
    today_db = day(today)
    # Customers with the same facts (most: nothing against them, or this month's bill not
    # due yet) get the same assessment: assess each set of facts once.
    memo: dict[tuple, tuple] = {}
    new, changed, history = [], [], []
    for cid in ids:
        cb, cc = bills.get(cid, ()), conduct.get(cid, ())
        is_new = bill_counts.get(cid, 0) < rules.new_min_bills
        key = (tuple((b.period, b.due_date, b.paid_at, b.settled) for b in cb), tuple(cc), is_new)
        if key not in memo:
            a = assess(
                bills=cb,
                conduct=cc,
                rules=rules,
                today=today,
                bill_count=0 if is_new else rules.new_min_bills,
            )
            reasons = a.reasons()
            memo[key] = (a, reasons, _json(reasons), day(a.review_on))
        a, reasons, stored, review_db = memo[key]
        old = current.get(cid)
        if old is not None and old == (a.grade, a.points, reasons, old[3], a.review_on, stamp):
            continue
        grade_from = "" if old is None else old[0]
        since = today_db if grade_from != a.grade else day(old[3])
        row = (a.grade, a.points, stored, since, at, review_db, stamp, cid)
        (new if old is None else changed).append(row)
        if grade_from != a.grade:
            history.append((cid, at, grade_from, a.grade, a.points, stored, cause))
    _ratings_write(new, changed, history)
    counts["created"] += len(new)
    counts["updated"] += len(changed)
    counts["changed"] += len(history) - len(new)


def _json(reasons: list) -> str:
    return json.dumps(reasons, ensure_ascii=False)


RATING_FIELDS = ["grade", "points", "reasons", "since", "computed_at", "review_on", "rules_stamp", "customer"]
CHANGE_FIELDS = ["customer", "at", "grade_from", "grade", "points", "reasons", "cause"]


def _names(model, fields: list[str]) -> tuple[str, list[str]]:
    q = connection.ops.quote_name
    return q(model._meta.db_table), [q(model._meta.get_field(f).column) for f in fields]


def _ratings_write(new: list[tuple], changed: list[tuple], history: list[tuple]) -> None:
    """Plain bulk statements, no model instances (a first import rates a million customers):
    COPY on PostgreSQL, ``executemany`` on SQLite. Rows in ``RATING_FIELDS`` and
    ``CHANGE_FIELDS`` order."""
    rating, rcols = _names(CreditRating, RATING_FIELDS)
    change, ccols = _names(CreditRatingChange, CHANGE_FIELDS)
    sets = ", ".join(f"{c} = %s" for c in rcols[:-1])
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            raw = cur.cursor
            _copy(raw, rating, rcols, new)
            if changed:
                raw.execute(
                    f"CREATE TEMP TABLE IF NOT EXISTS _rating_upd ON COMMIT DROP AS SELECT {', '.join(rcols)} FROM {rating} WITH NO DATA"
                )
                raw.execute("TRUNCATE _rating_upd")
                _copy(raw, "_rating_upd", rcols, changed)
                sets = ", ".join(f"{c} = u.{c}" for c in rcols[:-1])
                raw.execute(
                    f"UPDATE {rating} t SET {sets} FROM _rating_upd u WHERE t.{rcols[-1]} = u.{rcols[-1]}"
                )
            _copy(raw, change, ccols, history)
            return
        for sql, rows in (
            (f"INSERT INTO {rating} ({', '.join(rcols)}) VALUES ({', '.join(['%s'] * len(rcols))})", new),
            (f"UPDATE {rating} SET {sets} WHERE {rcols[-1]} = %s", changed),
            (f"INSERT INTO {change} ({', '.join(ccols)}) VALUES ({', '.join(['%s'] * len(ccols))})", history),
        ):
            for i in range(0, len(rows), 5000):
                cur.executemany(sql, rows[i : i + 5000])


_ESC = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_value(v) -> str:
    if v is None:
        return "\\N"
    if isinstance(v, str):
        return v.translate(_ESC)
    if isinstance(v, bool):
        return "t" if v else "f"
    return v.isoformat() if isinstance(v, dt.date) else str(v)  # dates and datetimes; numbers


def _copy_text(rows) -> str:
    """Rows in COPY's text format. Ratings repeat a few values (the time, the stored reasons
    of customers with the same facts): each distinct value is converted once."""
    memo: dict = {}
    lines = []
    for row in rows:
        parts = []
        for v in row:
            if type(v) is int:
                parts.append(str(v))
            else:
                key = (type(v), v)  # True == 1 == Decimal(1): keep them apart
                text = memo.get(key)
                if text is None:
                    text = memo[key] = _copy_value(v)
                parts.append(text)
        lines.append("\t".join(parts))
    return "\n".join(lines) + "\n"


def _copy(raw, table: str, cols: list[str], rows: list) -> None:
    if rows:
        with raw.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as cp:
            for i in range(0, len(rows), 5000):
                cp.write(_copy_text(rows[i : i + 5000]))


def credit_ratings_review(*, today: dt.date | None = None, now: dt.datetime | None = None) -> dict:
    """The nightly pass: recompute the ratings due for review today (a demerit expired, a veto
    ended, a bill fell due) and those computed under rules since changed. Idempotent."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    stamp = care_rules().stamp()
    due = CreditRating.objects.filter(Q(review_on__lte=today) | ~Q(rules_stamp=stamp))
    ids = list(due.values_list("customer_id", flat=True))
    return credit_ratings_recompute(customer_ids=ids, cause=RatingCause.EXPIRY, today=today, now=now)


# ------------------------------------------------------------------------------ writes

BILL_COLUMNS = ["customer_id", "period", "kwh", "amount", "due_date", "paid_at", "paid_amount"]
STEP = 20_000


def bills_write(*, new_rows: list[tuple], updates: list[tuple]) -> None:
    """Insert new bills and update changed ones (for the billing import and the demo).

    ``new_rows``: validated tuples in ``BILL_COLUMNS`` order; ``updates``: ``(pk, row)``. COPY
    on PostgreSQL, plain ``executemany`` on SQLite: a million rows a month must load as
    fast as the customer register does. The caller holds the transaction.
    """
    with connection.cursor() as cur, connection.wrap_database_errors:
        if connection.vendor == "postgresql":
            _pg_write(cur.cursor, new_rows, updates)
        else:
            _sqlite_write(cur.cursor, new_rows, updates)


def _num(v) -> str | None:
    return None if v is None else str(v)


def _day(v) -> str | None:
    return None if v is None else v.isoformat()


def _sqlite_write(raw, new_rows, updates) -> None:
    import sqlite3

    table = Bill._meta.db_table
    if new_rows:
        sql = (
            f"INSERT INTO {table} ({', '.join(BILL_COLUMNS)}) VALUES ({', '.join(['?'] * len(BILL_COLUMNS))})"
        )
        for i in range(0, len(new_rows), STEP):
            sqlite3.Cursor.executemany(
                raw,
                sql,
                [
                    (c, p, str(k), str(a), d.isoformat(), _day(pa), _num(pam))
                    for c, p, k, a, d, pa, pam in new_rows[i : i + STEP]
                ],
            )
    if updates:
        sets = ", ".join(f"{c} = ?" for c in BILL_COLUMNS[2:])
        sql = f"UPDATE {table} SET {sets} WHERE id = ?"
        for i in range(0, len(updates), STEP):
            sqlite3.Cursor.executemany(
                raw,
                sql,
                [
                    (str(k), str(a), d.isoformat(), _day(pa), _num(pam), pk)
                    for pk, (_c, _p, k, a, d, pa, pam) in updates[i : i + STEP]
                ],
            )


def _pg_write(raw, new_rows, updates) -> None:
    table = Bill._meta.db_table
    if new_rows:
        with raw.copy(f"COPY {table} ({', '.join(BILL_COLUMNS)}) FROM STDIN") as cp:
            for i in range(0, len(new_rows), 5000):
                cp.write(_copy_text(new_rows[i : i + 5000]))
    if updates:
        raw.execute(f"CREATE TEMP TABLE IF NOT EXISTS _bill_upd (LIKE {table}) ON COMMIT DROP")
        raw.execute("TRUNCATE _bill_upd")
        with raw.copy(f"COPY _bill_upd (id, {', '.join(BILL_COLUMNS)}) FROM STDIN") as cp:
            for i in range(0, len(updates), 5000):
                cp.write(_copy_text([(pk, *r) for pk, r in updates[i : i + 5000]]))
        sets = ", ".join(f"{c} = u.{c}" for c in BILL_COLUMNS[2:])
        raw.execute(f"UPDATE {table} t SET {sets} FROM _bill_upd u WHERE t.id = u.id")


def conduct_write(*, new: list[ConductEvent], changed: list[ConductEvent]) -> None:
    """Insert new conduct events and save changed notes (the conduct import; the demo)."""
    ConductEvent.objects.bulk_create(new, batch_size=2000)
    ConductEvent.objects.bulk_update(changed, ["note", "updated_at"], batch_size=2000)


# ------------------------------------------------------------------ segments and value

PROFILE_CHUNK = 2000


def segment_rules() -> SegmentRules:
    v = segment_setting_values()
    G = SegmentSetting
    return SegmentRules(
        key_capacity_kva=v[G.KEY_CAPACITY_KVA],
        weights={
            "consumption": v[G.W_CONSUMPTION],
            "revenue": v[G.W_REVENUE],
            "payment": v[G.W_PAYMENT],
            "service": v[G.W_SERVICE],
        },
        tier_high=v[G.TIER_HIGH],
        tier_medium=v[G.TIER_MEDIUM],
        months=v[G.MONTHS],
    )


def _first_period(today: dt.date, months: int) -> str:
    year, month = today.year, today.month - months
    while month <= 0:
        year, month = year - 1, month + 12
    return f"{year:04d}-{month:02d}"


def customer_profiles_recompute(
    *, customer_ids: Iterable[int] | None = None, now: dt.datetime | None = None
) -> dict:
    """Segments and value of every customer (or of ``customer_ids``; the quintiles are
    always taken over everyone), from master data, the bills of the last complete months
    and the orders of the same span before ``now``; writes
    only what changed (idempotent), remembers the previous segment and tier of a customer
    who moved, and updates this month's snapshot of segment sizes. Returns counts."""
    from django.db.models import Sum

    from gridcare.customers.models import Customer
    from gridcare.workorders.models import WorkOrder

    now = now or timezone.now()
    today = timezone.localdate(now)
    rules = segment_rules()
    since_period = _first_period(today, rules.months)
    since = now - dt.timedelta(days=round(rules.months * 30.44))
    usage = {
        cid: (kwh or 0, amount or 0, n, on_time)
        for cid, kwh, amount, n, on_time in Bill.objects.filter(
            period__gte=since_period, period__lt=today.strftime("%Y-%m")
        )
        .values_list("customer_id")
        .annotate(
            total_kwh=Sum("kwh"),
            total_amount=Sum("amount"),
            # Bills not yet due do not count (nobody is late on them yet).
            n=Count("id", filter=Q(due_date__lt=today) | Q(paid_at__isnull=False)),
            on_time=Count(
                "id",
                filter=Q(paid_at__isnull=False, paid_at__lte=F("due_date"), paid_amount__gte=F("amount")),
            ),
        )
        .values_list("customer_id", "total_kwh", "total_amount", "n", "on_time")
        .order_by()
    }
    load = {
        cid: (n, c)
        for cid, n, c in WorkOrder.objects.filter(
            created_at__gte=since, created_at__lt=now, customer_id__isnull=False
        )
        .values_list("customer_id")
        .annotate(n=Count("id"), c=Count("id", filter=Q(request_type="complaint")))
        .values_list("customer_id", "n", "c")
        .order_by()
    }
    all_ids = list(Customer.objects.order_by("pk").values_list("pk", flat=True))
    consumption = Quintiles([usage.get(i, (0, 0, 0, 0))[0] for i in all_ids])
    revenue = Quintiles([usage.get(i, (0, 0, 0, 0))[1] for i in all_ids])
    ids = sorted(set(customer_ids)) if customer_ids is not None else all_ids
    counts = {"customers": 0, "created": 0, "changed": 0, "moved": 0}
    month = today.strftime("%Y-%m")
    moved_in: dict[tuple, int] = defaultdict(int)
    for start in range(0, len(ids), PROFILE_CHUNK):
        chunk = ids[start : start + PROFILE_CHUNK]
        with transaction.atomic():
            customers = Customer.objects.filter(pk__in=chunk).values_list(
                "pk", "category", "capacity_kva", "important", "sensitive", "area__area_class", "station_id"
            )
            current = {p.customer_id: p for p in CustomerProfile.objects.filter(customer_id__in=chunk)}
            new, changed = [], []
            for cid, category, capacity, important, sensitive, area_class, station_id in customers:
                segs = segments_of(
                    category=category,
                    capacity_kva=capacity,
                    important=important,
                    sensitive=sensitive,
                    area_class=area_class or "",
                    rules=rules,
                )
                kwh, amount, n, on_time = usage.get(cid, (0, 0, 0, 0))
                orders, complaints = load.get(cid, (0, 0))
                score, tier, features = value_of(
                    kwh=kwh,
                    amount=amount,
                    bills=n,
                    on_time=on_time,
                    orders=orders,
                    complaints=complaints,
                    consumption=consumption,
                    revenue=revenue,
                    rules=rules,
                )
                counts["customers"] += 1
                p = current.get(cid)
                if p is None:
                    new.append(
                        CustomerProfile(
                            customer_id=cid,
                            segment=segs[0],
                            segments=segs,
                            value_score=score,
                            value_tier=tier,
                            features=features,
                            computed_at=now,
                        )
                    )
                    continue
                if (p.segment, p.segments, p.value_score, p.value_tier, p.features) == (
                    segs[0],
                    segs,
                    score,
                    tier,
                    features,
                ):
                    continue
                if (p.segment, p.value_tier) != (segs[0], tier):
                    p.previous_segment, p.previous_tier = p.segment, p.value_tier
                    moved_in[(station_id, segs[0], tier)] += 1
                    counts["moved"] += 1
                p.segment, p.segments, p.value_score, p.value_tier = segs[0], segs, score, tier
                p.features, p.computed_at = features, now
                changed.append(p)
            CustomerProfile.objects.bulk_create(new, batch_size=1000)
            fields = ["segment", "segments", "value_score", "value_tier", "features"]
            fields += ["previous_segment", "previous_tier", "computed_at"]
            CustomerProfile.objects.bulk_update(changed, fields, batch_size=500)
            counts["created"] += len(new)
            counts["changed"] += len(changed)
    segment_snapshot_take(month=month, moved_in=moved_in)
    return counts


def segment_snapshot_take(*, month: str, moved_in: dict | None = None) -> int:
    """This month's segment sizes per station (replacing the month's earlier ones), plus the
    customers who moved into each segment and tier (added to the month's count)."""
    rows = (
        CustomerProfile.objects.values_list("customer__station_id", "segment", "value_tier")
        .annotate(n=Count("id"))
        .order_by()
    )
    with transaction.atomic():
        existing = {
            (s.station_id, s.segment, s.value_tier): s
            for s in SegmentSnapshot.objects.select_for_update().filter(month=month)
        }
        seen = set()
        creates, updates = [], []
        for station_id, segment, tier, n in rows:
            key = (station_id, segment, tier)
            seen.add(key)
            extra = (moved_in or {}).get(key, 0)
            snap = existing.get(key)
            if snap is None:
                creates.append(
                    SegmentSnapshot(
                        month=month,
                        station_id=station_id,
                        segment=segment,
                        value_tier=tier,
                        customers=n,
                        moved_in=extra,
                    )
                )
            elif snap.customers != n or extra:
                snap.customers, snap.moved_in = n, snap.moved_in + extra
                updates.append(snap)
        SegmentSnapshot.objects.bulk_create(creates)
        SegmentSnapshot.objects.bulk_update(updates, ["customers", "moved_in"])
        gone = [s.pk for k, s in existing.items() if k not in seen and s.customers]
        SegmentSnapshot.objects.filter(pk__in=gone).update(customers=0)
    return len(creates) + len(updates)
