"""The header menu: flat while short, folded into groups for roles that open many pages,
every entry the role may open exactly once, and the unread badge always on the bar."""

from __future__ import annotations

import pytest

from gridcare.core.navigation import FLAT_UP_TO, NAV_GROUPS, nav_for, nav_menu
from gridcare.org.choices import Role


def _flatten(menu: list[dict]) -> list[str]:
    out = []
    for item in menu:
        out.extend(sub["url"] for sub in item["entries"]) if item["is_group"] else out.append(item["url"])
    return out


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_menu_holds_each_permitted_entry_once(world, role):
    user = world.staff(role, world.city)
    items = nav_for(user)
    menu = nav_menu(user, items)
    assert sorted(_flatten(menu)) == sorted(i["url"] for i in items)
    if len(items) <= FLAT_UP_TO:
        assert not any(m["is_group"] for m in menu)
    else:
        assert len(menu) < len(items)
        for m in menu:
            if m["is_group"]:
                assert len(m["entries"]) > 1  # a group of one is shown as the entry itself
                assert all(sub["badge"] is None for sub in m["entries"])


def test_supervisor_menu_is_grouped_and_keeps_the_badge_on_the_bar(world, client):
    user = world.staff(Role.SUPERVISOR, world.city)
    items = nav_for(user)
    assert len(items) > FLAT_UP_TO
    menu = nav_menu(user, items)
    labels = [str(m["label"]) for m in menu if m["is_group"]]
    assert labels and set(labels) <= {str(label) for _first, label, folded in NAV_GROUPS if folded}
    top = [m for m in menu if not m["is_group"]]
    assert any(m["url"] == "/escalation/notifications/" for m in top)

    client.force_login(user)
    body = client.get("/").content.decode()
    assert body.count("data-gc-navgroup") == len(labels)
    assert 'href="/escalation/notifications/"' in body


def test_short_menu_stays_flat(world, monkeypatch):
    user = world.staff(Role.REPAIR_CREW, world.team_a)
    items = nav_for(user)[:FLAT_UP_TO]
    assert not any(m["is_group"] for m in nav_menu(user, items))


def test_daily_work_pages_stay_on_the_bar(world):
    user = world.staff(Role.HOTLINE_AGENT, world.city)
    top = {m["url"] for m in nav_menu(user) if not m["is_group"]}
    assert {"/work-orders/intake/", "/work-orders/"} <= top
