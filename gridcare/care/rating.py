"""The credit rating's rules as one pure function: facts and rules in, grade and reasons out.

A demerit ledger with expiry, the pattern of utility billing systems:

- a bill paid in full after its due date: ``points_late``, counted for ``bill_months`` from
  the day it was paid;
- a bill past its due date and not paid in full: ``points_unpaid``, counted as long as it
  stays unpaid (once paid it becomes a late bill, whose months start then);
- a conduct event (theft, violation, bounced payment, broken payment plan, disconnection
  for arrears): its kind's points, counted for ``conduct_months`` from its date.

The active points give the grade (A below ``grade_b_points``, C from ``grade_c_points``),
then vetoes cap it: theft → C (no promotion) for ``theft_months``; violation → at most B for
``violation_months``; ``unpaid_count`` bills unpaid with a due date in the last
``unpaid_window`` months → C; a new customer (fewer than ``new_min_bills`` bills) → at most B.

``assess`` also says when the grade may next change by itself (``review_on``: a demerit
expires, a veto ends, an unpaid bill falls due or leaves the window), so the nightly job
recomputes only those customers. Reasons are messages (code and parameters) rendered in the
reader's language when shown.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from gridcare.core.messages import Message, msg

from .choices import GRADE_ORDER, ConductKind, Grade


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months later (clipped to the month's last day)."""
    years, month0 = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, month0 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Rules:
    """The numbers of the rating (``CareSetting``), read once per recomputation."""

    points_late: int = 1
    points_unpaid: int = 3
    points_conduct: dict[str, int] = field(
        default_factory=lambda: {
            ConductKind.THEFT: 12,
            ConductKind.VIOLATION: 6,
            ConductKind.BOUNCED_PAYMENT: 2,
            ConductKind.PAY_PLAN_BROKEN: 3,
            ConductKind.ARREARS_CUTOFF: 3,
        }
    )
    bill_months: int = 12
    conduct_months: int = 24
    grade_b_points: int = 3
    grade_c_points: int = 8
    theft_months: int = 24
    violation_months: int = 12
    unpaid_count: int = 3
    unpaid_window: int = 12
    new_min_bills: int = 1

    def stamp(self) -> str:
        """A fingerprint of these rules: a rating computed under others is recomputed."""
        text = json.dumps(
            {k: (dict(sorted(v.items())) if isinstance(v, dict) else v) for k, v in vars(self).items()},
            sort_keys=True,
        )
        return hashlib.sha1(text.encode()).hexdigest()[:12]


@dataclass(frozen=True)
class BillFact:
    period: str
    due_date: dt.date
    paid_at: dt.date | None
    paid_in_full: bool = True  # the amount paid covers the bill

    @classmethod
    def of(cls, period: str, due_date, paid_at, amount: Decimal, paid_amount: Decimal | None) -> BillFact:
        return cls(period, due_date, paid_at, paid_amount is not None and paid_amount >= amount)

    @property
    def settled(self) -> bool:
        return self.paid_at is not None and self.paid_in_full


@dataclass(frozen=True)
class ConductFact:
    date: dt.date
    kind: str


@dataclass(frozen=True)
class Demerit:
    """One entry of the ledger that counts today."""

    message: Message
    points: int
    date: dt.date
    expires: dt.date | None  # None: counts until the bill is paid


@dataclass
class Assessment:
    grade: str
    points: int
    demerits: list[Demerit]
    vetoes: list[Message]
    summary: Message
    review_on: dt.date | None

    def reasons(self) -> list[dict]:
        """What is stored: the points summary, each demerit, each veto in force."""
        return [self.summary.as_json(), *(d.message.as_json() for d in self.demerits)] + [
            v.as_json() for v in self.vetoes
        ]


def _worse(a: str, b: str) -> str:
    return a if GRADE_ORDER[a] >= GRADE_ORDER[b] else b


def _bill_demerits(bills, rules: Rules, today: dt.date, review: list) -> tuple[list[Demerit], set[str]]:
    """Demerits of late and unpaid bills; the periods that count for the unpaid veto."""
    out: list[Demerit] = []
    unpaid_in_window: set[str] = set()
    for b in bills:
        if b.settled:
            if b.paid_at <= b.due_date or rules.points_late <= 0:
                continue
            expires = add_months(b.paid_at, rules.bill_months)
            if expires > today:
                review.append(expires)
                message = msg(
                    "care.demerit.late",
                    period=b.period,
                    due=b.due_date,
                    paid=b.paid_at,
                    points=rules.points_late,
                    expires=expires,
                )
                out.append(Demerit(message, rules.points_late, b.paid_at, expires))
        elif b.due_date < today:
            window_end = add_months(b.due_date, rules.unpaid_window)
            if window_end > today:
                unpaid_in_window.add(b.period)
                review.append(window_end)
            if rules.points_unpaid > 0:
                message = msg(
                    "care.demerit.unpaid",
                    period=b.period,
                    due=b.due_date,
                    points=rules.points_unpaid,
                    expires=None,
                )
                out.append(Demerit(message, rules.points_unpaid, b.due_date, None))
        else:
            review.append(b.due_date + dt.timedelta(days=1))  # falls due: becomes unpaid
    return out, unpaid_in_window


def _conduct_demerits(conduct, rules: Rules, today: dt.date, review: list) -> list[Demerit]:
    out = []
    for e in conduct:
        points = rules.points_conduct.get(e.kind, 0)
        expires = add_months(e.date, rules.conduct_months)
        if points <= 0 or expires <= today:
            continue
        review.append(expires)
        message = msg("care.demerit.conduct", date=e.date, kind=e.kind, points=points, expires=expires)
        out.append(Demerit(message, points, e.date, expires))
    return out


def _latest(conduct, kind: str) -> dt.date | None:
    return max((e.date for e in conduct if e.kind == kind), default=None)


def _vetoes(conduct, unpaid: set[str], bill_count: int, rules: Rules, today: dt.date, review: list):
    """The vetoes in force: [(cap grade, message)]."""
    out = []
    theft = _latest(conduct, ConductKind.THEFT)
    if theft and rules.theft_months > 0 and (until := add_months(theft, rules.theft_months)) > today:
        review.append(until)
        out.append((Grade.C, msg("care.veto.theft", date=theft, until=until)))
    violation = _latest(conduct, ConductKind.VIOLATION)
    if (
        violation
        and rules.violation_months > 0
        and (until := add_months(violation, rules.violation_months)) > today
    ):
        review.append(until)
        out.append((Grade.B, msg("care.veto.violation", date=violation, until=until)))
    if rules.unpaid_count > 0 and len(unpaid) >= rules.unpaid_count:
        out.append((Grade.C, msg("care.veto.unpaid", months=rules.unpaid_window, count=len(unpaid))))
    if rules.new_min_bills > 0 and bill_count < rules.new_min_bills:
        out.append((Grade.B, msg("care.veto.new_customer", bills=rules.new_min_bills)))
    return out


def grade_for_points(points: int, rules: Rules) -> str:
    if points >= rules.grade_c_points:
        return Grade.C
    if points >= rules.grade_b_points:
        return Grade.B
    return Grade.A


def assess(
    *,
    bills: Iterable[BillFact],
    conduct: Iterable[ConductFact],
    rules: Rules,
    today: dt.date,
    bill_count: int | None = None,
) -> Assessment:
    """The grade of one customer today from their facts. ``bills`` may be only the bills that
    are not settled on time (the others add nothing) when ``bill_count`` gives how many
    bills the customer has in all."""
    bills, conduct = list(bills), list(conduct)
    review: list[dt.date] = []
    bill_demerits, unpaid = _bill_demerits(bills, rules, today, review)
    demerits = sorted(
        bill_demerits + _conduct_demerits(conduct, rules, today, review), key=lambda d: d.date, reverse=True
    )
    points = sum(d.points for d in demerits)
    grade = grade_for_points(points, rules)
    vetoes = _vetoes(conduct, unpaid, len(bills) if bill_count is None else bill_count, rules, today, review)
    for cap, _message in vetoes:
        grade = _worse(grade, cap)
    grade = str(grade)
    summary = msg(
        "care.grade.points", points=points, grade=grade, b=rules.grade_b_points, c=rules.grade_c_points
    )
    return Assessment(
        grade=grade,
        points=points,
        demerits=demerits,
        vetoes=[m for _cap, m in vetoes],
        summary=summary,
        review_on=min((d for d in review if d > today), default=None),
    )
