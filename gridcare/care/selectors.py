"""Reads of customer care: what the customer page shows of a customer's bills, conduct and
credit (``customer_care``), in a fixed number of queries whatever the history."""

from __future__ import annotations

from django.utils import timezone

from gridcare.core.authz import has_perm
from gridcare.core.messages import render_stored
from gridcare.core.scoping import is_visible

from .choices import Grade
from .models import Bill, ConductEvent, CreditRating, CreditRatingChange
from .services import assess_customer

BILL_MONTHS = 12
CONDUCT_ROWS = 20
HISTORY_ROWS = 5


def _explained(reasons: list) -> dict:
    """Stored reasons in the reader's language: the summary line, each demerit with its
    points and expiry, the vetoes in force."""
    out = {"summary": "", "demerits": [], "vetoes": []}
    for r in reasons or []:
        code = r.get("code", "") if isinstance(r, dict) else ""
        text = render_stored(r)
        if code.startswith("care.demerit."):
            params = r.get("params") or {}
            out["demerits"].append(
                {"text": text, "points": params.get("points"), "expires": params.get("expires")}
            )
        elif code.startswith("care.veto."):
            out["vetoes"].append(text)
        elif code:
            out["summary"] = text
    return out


def customer_care(user, customer) -> dict | None:
    """The grade and why, the last 12 months' bills, conduct and recent grade changes of a
    customer the user may see; None for a role without ``care.view``."""
    if not has_perm(user, "care.view") or not is_visible(user, customer):
        return None
    rating = CreditRating.objects.filter(customer_id=customer.pk).first()
    if rating is not None:
        grade, points, reasons, since = rating.grade, rating.points, rating.reasons, rating.since
    else:  # never rated (no facts imported yet): what the rules say now, not stored
        a = assess_customer(customer.pk)
        grade, points, reasons, since = a.grade, a.points, a.reasons(), None
    return {
        "grade": grade,
        "grade_label": Grade(grade).label,
        "points": points,
        "since": since,
        "stored": rating is not None,
        "today": timezone.localdate(),
        **_explained(reasons),
        "bills": list(Bill.objects.filter(customer_id=customer.pk).order_by("-period")[:BILL_MONTHS]),
        "conduct": list(
            ConductEvent.objects.filter(customer_id=customer.pk).order_by("-date", "-id")[:CONDUCT_ROWS]
        ),
        "changes": list(
            CreditRatingChange.objects.filter(customer_id=customer.pk).order_by("-at", "-id")[:HISTORY_ROWS]
        ),
    }
