"""Reads of customer care: what the customer page shows of a customer's bills, conduct and
credit (``customer_care``), in a fixed number of queries whatever the history."""

from __future__ import annotations

from collections import defaultdict

from django.utils import timezone
from django.utils.translation import gettext as _

from gridcare.core.authz import has_perm
from gridcare.core.messages import render_stored
from gridcare.core.scoping import is_visible
from gridcare.customers.models import Customer

from .choices import SEGMENT_ORDER, Grade, QueuePriority, Segment, ValueTier
from .models import (
    Bill,
    ConductEvent,
    CreditRating,
    CreditRatingChange,
    CustomerProfile,
    SegmentSnapshot,
    active_treatments,
)
from .segments import SegmentRules, segments_of
from .services import assess_customer, segment_rules

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


# ------------------------------------------------------------ segments, value, treatments


def _area_class(customer) -> str:
    from gridcare.grid.models import TransformerArea

    if Customer.area.is_cached(customer):
        return customer.area.area_class
    return (
        TransformerArea.objects.filter(pk=customer.area_id).values_list("area_class", flat=True).first() or ""
    )


def customer_segments(customer, rules: SegmentRules | None = None) -> list[str]:
    """The customer's segments from their master data as it is now (primary first)."""
    return segments_of(
        category=customer.category,
        capacity_kva=customer.capacity_kva,
        important=customer.important,
        sensitive=customer.sensitive,
        area_class=_area_class(customer),
        rules=rules or segment_rules(),
    )


def treatment_terms(segments: list[str], grade: str | None) -> dict:
    """What these segments and grade earn (the union of the active treatments that apply):
    ``green_channel``, ``one_to_one``, ``queue_priority`` (1 first … 3 normal),
    ``hall_priority``, ``narrow_scope``, and ``targets`` (which treatments applied)."""
    targets = list(segments) + ([f"grade_{grade}"] if grade else [])
    rows = [t for t in active_treatments() if t.target in targets]
    rows.sort(key=lambda t: targets.index(t.target))
    return {
        "green_channel": any(t.green_channel for t in rows),
        "one_to_one": any(t.one_to_one for t in rows),
        "queue_priority": min([t.queue_priority for t in rows], default=int(QueuePriority.NORMAL)),
        "hall_priority": any(t.hall_priority for t in rows),
        "narrow_scope": any(t.narrow_scope for t in rows),
        "targets": [t.target for t in rows],
    }


def _grade(customer) -> str | None:
    return CreditRating.objects.filter(customer_id=customer.pk).values_list("grade", flat=True).first()


def care_terms(customer) -> dict:
    """The customer's segments (as their master data says now), grade and the treatments
    these earn (one query: the grade; settings and treatments are cached)."""
    segments = customer_segments(customer)
    grade = _grade(customer)
    return {"segments": segments, "grade": grade, **treatment_terms(segments, grade)}


def intake_terms(customer) -> dict:
    """Intake's question when it takes a request (``core.intake.customer_terms``): does this
    customer get the green channel? The grade is read only when a grade's treatment gives
    the green channel (not by default): no query at all on the default settings."""
    segments = customer_segments(customer)
    grades_matter = any(t.green_channel and t.target.startswith("grade_") for t in active_treatments())
    grade = _grade(customer) if grades_matter else None
    return {"green_channel": treatment_terms(segments, grade)["green_channel"]}


def customer_first_contact(user, customer) -> dict | None:
    """What the agent sees about a caller at first contact: segment, grade, manager and the
    treatments in force (green channel, queue priority, narrower scope)."""
    from gridcare.customers.selectors import responsible_manager

    if not has_perm(user, "care.view") or not is_visible(user, customer):
        return None
    terms = care_terms(customer)
    manager = responsible_manager(customer)
    staff = getattr(manager, "staff", None) if manager is not None else None
    return {
        **terms,
        "segment_labels": [Segment(s).label for s in terms["segments"]],
        "grade_label": Grade(terms["grade"]).label if terms["grade"] else "",
        "manager": (staff.display_name if staff else manager.get_username()) if manager else "",
        "manager_phone": staff.phone if staff else "",
        "queue_label": QueuePriority(terms["queue_priority"]).label,
    }


def customer_value(user, customer) -> dict | None:
    """The stored profile explained: segments, value score and tier, and each feature with
    its figure, percentile, score and weight."""
    if not has_perm(user, "care.view") or not is_visible(user, customer):
        return None
    profile = CustomerProfile.objects.filter(customer_id=customer.pk).first()
    if profile is None:
        return {"profile": None}
    f = profile.features or {}
    scores, weights = f.get("scores", {}), f.get("weights", {})
    rows = [
        (
            _("用电量"),
            _("%(kwh)s kWh，高于 %(pct)s%% 的客户") % {"kwh": f.get("kwh"), "pct": f.get("kwh_pct")},
            "consumption",
        ),
        (
            _("电费贡献"),
            _("%(amount)s 元，高于 %(pct)s%% 的客户")
            % {"amount": f.get("amount"), "pct": f.get("amount_pct")},
            "revenue",
        ),
        (
            _("缴费表现"),
            _("%(on_time)s / %(bills)s 期按时足额缴清")
            % {"on_time": f.get("on_time"), "bills": f.get("bills")},
            "payment",
        ),
        (
            _("服务负荷"),
            _("诉求 %(orders)s 件，其中投诉 %(complaints)s 件（投诉计两次）")
            % {"orders": f.get("orders"), "complaints": f.get("complaints")},
            "service",
        ),
    ]
    return {
        "profile": profile,
        "segment_labels": [Segment(s).label for s in profile.segments],
        "months": f.get("months"),
        "features": [
            {"label": label, "fact": fact, "score": scores.get(key), "weight": weights.get(key)}
            for label, fact, key in rows
        ],
    }


def segment_overview(user, *, months: int = 12) -> dict:
    """Segment sizes by month (scoped to the user's stations) and, for the latest month, the
    size of each segment × tier and how many moved in."""
    from django.db.models import Sum

    snaps = SegmentSnapshot.objects.visible_to(user)
    month_list = list(snaps.values_list("month", flat=True).distinct().order_by("-month")[:months])
    month_list.reverse()
    by_month = defaultdict(dict)
    for month, segment, n in (
        snaps.filter(month__in=month_list)
        .values_list("month", "segment")
        .annotate(n=Sum("customers"))
        .values_list("month", "segment", "n")
        .order_by()
    ):
        by_month[segment][month] = n
    latest = month_list[-1] if month_list else None
    grid = defaultdict(dict)
    moved = defaultdict(dict)
    if latest:
        for segment, tier, n, m in (
            snaps.filter(month=latest)
            .values_list("segment", "value_tier")
            .annotate(n=Sum("customers"), m=Sum("moved_in"))
            .values_list("segment", "value_tier", "n", "m")
            .order_by()
        ):
            grid[segment][tier] = n
            moved[segment][tier] = m
    return {
        "months": month_list,
        "latest": latest,
        "sizes": [
            {"segment": s, "label": Segment(s).label, "counts": [by_month[s].get(m, 0) for m in month_list]}
            for s in SEGMENT_ORDER
        ],
        "grid": [
            {
                "segment": s,
                "label": Segment(s).label,
                "cells": [
                    {"tier": t, "n": grid[s].get(t, 0), "moved": moved[s].get(t, 0)} for t in ValueTier.values
                ],
                "total": sum(grid[s].values()),
            }
            for s in SEGMENT_ORDER
        ],
        "tiers": [ValueTier(t).label for t in ValueTier.values],
    }
