"""Menus per role. Apps add entries by appending to NAV; the home page shows the same tiles."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _


@dataclass
class NavEntry:
    url_name: str
    label: str
    description: str = ""
    roles: set[str] | None = None  # None: every role
    order: int = 100
    tags: set[str] = field(default_factory=set)


NAV: list[NavEntry] = [
    NavEntry("customers:list", _("客户"), _("按户号、电话、户名、地址查找客户"), order=20),
    NavEntry("grid:stations", _("电网"), _("供电所 → 线路 → 台区 → 客户"), order=30),
    NavEntry(
        "core-audit",
        _("审计日志"),
        _("谁在何时改了什么"),
        roles={"admin", "supervisor", "quality_inspector"},
        order=90,
    ),
    NavEntry(
        "core-import", _("数据导入"), _("导入台区、客户等主数据（全部成功才写入）"), roles={"admin"}, order=91
    ),
]


def register_nav(entry: NavEntry) -> None:
    if all(e.url_name != entry.url_name for e in NAV):
        NAV.append(entry)


def nav_for(role: str | None) -> list[dict]:
    out = []
    for e in sorted(NAV, key=lambda e: e.order):
        if e.roles is not None and role not in e.roles:
            continue
        try:
            url = reverse(e.url_name)
        except NoReverseMatch:
            continue
        out.append({"url": url, "label": e.label, "description": e.description})
    return out
