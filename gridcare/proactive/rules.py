"""The care-list rules: which meters are due for rotation (轮换) and which boxes are old,
from the admin-editable settings (``ProactiveSetting``). Pure helpers plus one read."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db.models import Q

from .choices import BoxCondition, CareList
from .models import ProactiveSetting

S = ProactiveSetting
# A number an SMS can reach: a mainland mobile (landlines take no SMS).
MOBILE_RE = re.compile(r"^(\+?86)?1[3-9][0-9]{9}$")


@dataclass(frozen=True)
class CareRules:
    rotation_years: int
    old_boxes: tuple[str, ...]

    def as_dict(self) -> dict:
        return {"rotation_years": self.rotation_years, "old_boxes": list(self.old_boxes)}


def care_rules() -> CareRules:
    """The rules as the settings say now (one query)."""
    v = S.all_values()
    old = []
    if v[S.OLD_BOX_WORN]:
        old.append(BoxCondition.WORN.value)
    if v[S.OLD_BOX_DAMAGED]:
        old.append(BoxCondition.DAMAGED.value)
    return CareRules(rotation_years=v[S.ROTATION_YEARS], old_boxes=tuple(old))


def years_before(day: dt.date, years: int) -> dt.date:
    """The same calendar day ``years`` earlier (29 February becomes the 28th)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def rotation_cutoff(rules: CareRules, today: dt.date) -> dt.date:
    """Meters installed on or before this day are due for rotation."""
    return years_before(today, rules.rotation_years)


def list_q(care_list: str, rules: CareRules, today: dt.date, prefix: str = "") -> Q:
    """The meters on ``care_list`` (a filter on ``MeterFact``, or through ``prefix``)."""
    due = Q(**{f"{prefix}installed_on__lte": rotation_cutoff(rules, today)})
    old = Q(**{f"{prefix}box_condition__in": list(rules.old_boxes)}) if rules.old_boxes else Q(pk__in=[])
    if care_list == CareList.ROTATION:
        return due
    if care_list == CareList.OLD_BOX:
        return old
    return due | old


def sms_phone(phone: str, phone2: str) -> str:
    """The customer's first number that takes an SMS, or ''."""
    for p in (phone, phone2):
        p = (p or "").replace(" ", "").replace("-", "")
        if MOBILE_RE.match(p):
            return p
    return ""
