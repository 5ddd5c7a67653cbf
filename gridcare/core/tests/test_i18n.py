"""English UI: the compiled catalogue is shipped, complete, and actually used by the pages.

The source strings are Chinese (LANGUAGE_CODE "zh-hans"); English comes from
gridcare/locale/en/LC_MESSAGES/django.mo, which is committed because a fresh install
does not run compilemessages.
"""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings

from gridcare.org.choices import Role

LOCALE_DIR = Path(settings.BASE_DIR) / "gridcare" / "locale" / "en" / "LC_MESSAGES"
PO_FILE = LOCALE_DIR / "django.po"
MO_FILE = LOCALE_DIR / "django.mo"

# Han characters plus full-width punctuation (，：（） etc.).
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%%")


def _main_nav(body: str) -> str:
    m = re.search(r'<nav class="mainnav">(.*?)</nav>', body, re.S)
    assert m, "main navigation not found"
    return m.group(1)


def _nav_labels(body: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", a).strip() for a in re.findall(r"<a [^>]*>(.*?)</a>", _main_nav(body), re.S)
    ]


def _get_en(client, url):
    resp = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert resp.status_code == 200, url
    return resp.content.decode()


# --- the catalogue -------------------------------------------------------------------


def _po_entries():
    """(msgid, [msgstr...], flags) for every live entry of django.po, header excluded."""
    entries, cur, field, flags, context = [], None, None, set(), None

    def flush():
        if cur is not None and cur["msgid"]:
            # A message with a context is stored as "context\x04msgid" (as in django.mo).
            key = f"{cur['ctx']}\x04{cur['msgid']}" if cur.get("ctx") is not None else cur["msgid"]
            entries.append((key, [cur[k] for k in sorted(cur) if k.startswith("msgstr")], cur["flags"]))

    for line in PO_FILE.read_text(encoding="utf-8").splitlines():
        if line.startswith("#~"):  # obsolete entries are not shipped
            continue
        if line.startswith("#,"):
            flags = {f.strip() for f in line[2:].split(",")}
            continue
        if line.startswith("msgctxt "):
            flush()
            cur, context = None, ast.literal_eval(line[len("msgctxt ") :])
            continue
        if line.startswith("msgid "):
            flush()
            cur, field = {"msgid": "", "flags": flags, "ctx": context}, "msgid"
            flags, context = set(), None
        elif line.startswith("msgid_plural "):
            field = "msgid_plural"
        elif line.startswith("msgstr"):
            field = line.split(" ", 1)[0]
        elif not line.startswith('"'):
            continue
        if cur is None:
            continue
        quoted = line[line.index('"') :]
        cur[field] = cur.get(field, "") + ast.literal_eval(quoted)
    flush()
    return entries


def test_po_is_complete_and_has_no_fuzzy_entries():
    entries = _po_entries()
    assert len(entries) > 500
    untranslated = [msgid for msgid, strs, _ in entries if not all(strs)]
    fuzzy = [msgid for msgid, _, flags in entries if "fuzzy" in flags]
    assert not untranslated, f"untranslated: {untranslated[:10]}"
    assert not fuzzy, f"fuzzy: {fuzzy[:10]}"
    for msgid, strs, _ in entries:
        for s in strs:
            assert sorted(PLACEHOLDER.findall(s)) == sorted(PLACEHOLDER.findall(msgid)), msgid
            assert not CJK.search(s) or msgid == "简体中文", (
                f"Chinese left in translation of {msgid!r}: {s!r}"
            )


def test_compiled_catalogue_matches_po():
    """django.mo is committed; it must be recompiled whenever django.po changes."""
    with MO_FILE.open("rb") as fh:
        catalog = gettext.GNUTranslations(fh)._catalog
    for msgid, strs, _ in _po_entries():
        key = msgid if msgid in catalog else (msgid, 0)
        assert key in catalog, f"{msgid!r} missing from django.mo: run compilemessages"
        assert catalog[key] == strs[0], f"{msgid!r} differs between django.po and django.mo"


# --- pages in English ------------------------------------------------------------------


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_main_navigation_is_english_for_every_role(world, client, role):
    client.force_login(world.staff(role, world.city))
    body = _get_en(client, "/")
    assert 'lang="en"' in body
    labels = _nav_labels(body)
    assert labels[0] == "Home"
    assert "Customers" in labels and "Work orders" in labels
    assert not CJK.search(_main_nav(body)), f"untranslated navigation: {labels}"


def test_home_page_in_english(world, client):
    client.force_login(world.staff(Role.SUPERVISOR, world.county_a))
    body = _get_en(client, "/")
    assert "Log out" in body and "Power Supply Service Platform" in body
    # the tiles repeat the menu entries with their descriptions
    assert "Find customers by customer no., phone, name or address" in body
    assert "退出" not in body and "按户号、电话、户名、地址查找客户" not in body


def test_customer_list_in_english(world, client):
    from gridcare.customers.tests.factories import CustomerFactory

    CustomerFactory(area=world.area_a, important=True)
    client.force_login(world.staff(Role.CUSTOMER_MANAGER, world.county_a))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    resp = client.get("/customers/")
    assert resp.status_code == 200
    body = resp.content.decode()
    for label in (
        "Customer search",
        "Customer no.",
        "Customer name",
        "Supply address",
        "Transformer area",
        "Supply station",
        "Search",
        "Export Excel",
        "Important",
    ):
        assert label in body, label
    for zh in ("客户查询", "户号", "用电地址", "查询", "重要"):
        assert zh not in body, zh
    assert not CJK.search(_main_nav(body))


def test_work_order_list_in_english(world, client):
    client.force_login(world.staff(Role.DISPATCHER, world.county_a))
    body = _get_en(client, "/work-orders/")
    for label in (
        "All work orders",
        "Work order no.",
        "Status",
        "Responsible unit",
        "Accepted at",
        "Overdue",
    ):
        assert label in body, label
    for zh in ("全部工单", "工单编号", "责任单位", "受理时间"):
        assert zh not in body, zh
    assert not CJK.search(_main_nav(body))


def test_language_switcher_posts_to_setlang(world, client):
    client.force_login(world.staff(Role.HOTLINE_AGENT, world.county_a))
    resp = client.post("/i18n/setlang/", {"language": "en", "next": "/customers/"})
    assert resp.status_code == 302 and resp["Location"] == "/customers/"
    body = client.get("/customers/").content.decode()
    assert 'lang="en"' in body and "Customer search" in body
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "客户查询" in client.get("/customers/").content.decode()


# --- default stays Chinese -------------------------------------------------------------


@pytest.mark.parametrize("url", ["/", "/customers/", "/work-orders/"])
def test_default_language_is_chinese(world, client, url):
    client.force_login(world.staff(Role.HOTLINE_AGENT, world.county_a))
    resp = client.get(url)
    assert resp.status_code == 200
    body = resp.content.decode()
    assert 'lang="zh-hans"' in body
    labels = _nav_labels(body)
    assert labels[0] == "首页" and "客户" in labels and "工单" in labels
    assert "Customers" not in labels and "Work orders" not in labels


def test_deadline_badges_follow_the_language():
    import datetime as dt

    from django.utils import timezone, translation

    from gridcare.workorders.templatetags.workorder_tags import due_badge

    now = timezone.now()
    soon, late = now + dt.timedelta(hours=3, minutes=5, seconds=30), now - dt.timedelta(days=2, hours=1)
    with translation.override("zh-hans"):
        assert "剩余 3小时5分" in due_badge(soon) and "超时 2天1小时" in due_badge(late)
        assert "按时完成" in due_badge(soon, met_at=now)
    with translation.override("en"):
        assert "3 h 5 min left" in due_badge(soon) and "Overdue 2 d 1 h" in due_badge(late)
        assert "Met on time" in due_badge(soon, met_at=now) and "Clock paused" in due_badge(soon, paused=True)
