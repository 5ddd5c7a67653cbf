"""Menus. Apps add entries by appending to NAV; the home page shows the same tiles.

An entry is shown to a user exactly when they may open the page it links to: the
permission is read from the view the URL resolves to (``gridcare.core.authz.requires``),
so a menu entry can never lead to a refusal.

An entry may carry a ``badge``: a function of the user giving a small number shown beside
it in the header (the unread notifications). It is called only when a page shows the menu,
at most once per page, so it must be one cheap query.

The header shows a short menu flat; past ``FLAT_UP_TO`` entries (a supervisor may open
twenty-five pages) it folds them into the groups of ``NAV_GROUPS`` (by the entries'
``order``), each a drop-down, keeping the daily work-order pages and any entry with a badge
on the bar itself. The home page's tiles stay flat.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import NoReverseMatch, resolve, reverse
from django.utils.translation import gettext_lazy as _

from .authz import has_perm, view_permission


@dataclass
class NavEntry:
    url_name: str
    label: str
    description: str = ""
    order: int = 100
    tags: set[str] = field(default_factory=set)
    badge: Callable[[object], int] | None = None


class _Badge:
    """A badge computed on first use, then remembered (a template may ask twice)."""

    def __init__(self, func, user):
        self._func, self._user, self._value = func, user, None

    def __call__(self) -> int:
        if self._value is None:
            self._value = int(self._func(self._user) or 0)
        return self._value


# (first order, label, folded): an entry belongs to the last group whose first order it
# reaches. The work-order group is the daily work of most roles: it stays on the bar.
NAV_GROUPS = [
    (0, _("工单"), False),
    (20, _("客户与电网"), True),
    (40, _("督办与分析"), True),
    (60, _("业务运营"), True),
    (90, _("系统"), True),
]
FLAT_UP_TO = 8

NAV: list[NavEntry] = [
    NavEntry("customers:list", _("客户"), _("按户号、电话、户名、地址查找客户"), order=20),
    NavEntry("grid:stations", _("电网"), _("供电所 → 线路 → 台区 → 客户"), order=30),
]


def register_nav(entry: NavEntry) -> None:
    if all(e.url_name != entry.url_name for e in NAV):
        NAV.append(entry)


def nav_entry_permission(entry: NavEntry) -> str | None:
    return view_permission(resolve(reverse(entry.url_name)).func)


def nav_for(user) -> list[dict]:
    out = []
    for e in sorted(NAV, key=lambda e: e.order):
        try:
            url = reverse(e.url_name)
        except NoReverseMatch:
            continue
        perm = view_permission(resolve(url).func)
        if perm is None or not has_perm(user, perm):
            continue
        # Templates call a callable value: the count runs only where the menu is rendered.
        badge = _Badge(e.badge, user) if e.badge is not None else None
        out.append(
            {
                "url": url,
                "label": e.label,
                "description": e.description,
                "badge": badge,
                "order": e.order,
                "is_group": False,
            }
        )
    return out


def _group_of(order: int) -> int:
    index = 0
    for i, (first, _label, _folded) in enumerate(NAV_GROUPS):
        if order >= first:
            index = i
    return index


def nav_menu(user, items: list[dict] | None = None) -> list[dict]:
    """The header menu from ``nav_for``'s entries: flat while short, otherwise one item per
    group (``{"label", "entries", "is_group": True}``; a group of one entry is that entry) with badged entries
    on the bar. Each item keeps ``url``/``label``/``badge`` as ``nav_for`` gives them."""
    items = nav_for(user) if items is None else items
    if len(items) <= FLAT_UP_TO:
        return items
    out: list[dict] = []
    groups: dict[int, dict] = {}
    for item in items:
        index = _group_of(item["order"])
        if item["badge"] is not None or not NAV_GROUPS[index][2]:
            out.append(item)
            continue
        group = groups.get(index)
        if group is None:
            group = groups[index] = {"label": NAV_GROUPS[index][1], "entries": [], "is_group": True}
            out.append(group)
        group["entries"].append(item)
    return [g["entries"][0] if g["is_group"] and len(g["entries"]) == 1 else g for g in out]
