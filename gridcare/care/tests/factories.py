"""Facts for care's tests: bills and conduct events written as the imports would."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from gridcare.care.models import Bill, ConductEvent


def make_bill(customer, period: str, *, due: dt.date, paid: dt.date | None = None, amount="100.00") -> Bill:
    amount = Decimal(amount)
    return Bill.objects.create(
        customer=customer,
        period=period,
        kwh=Decimal("180.5"),
        amount=amount,
        due_date=due,
        paid_at=paid,
        paid_amount=amount if paid else None,
    )


def make_event(customer, kind: str, day: dt.date, note: str = "") -> ConductEvent:
    return ConductEvent.objects.create(customer=customer, kind=kind, date=day, note=note)


def months_back(today: dt.date, n: int) -> tuple[str, dt.date]:
    """The period ``n`` months before ``today``'s month and its due date (the 25th after it)."""
    y, m = divmod(today.year * 12 + today.month - 1 - n, 12)
    period = f"{y:04d}-{m + 1:02d}"
    ny, nm = divmod(y * 12 + m + 1, 12)
    return period, dt.date(ny, nm + 1, 25)
