"""`gridcare import org` and `gridcare import staff`, and the set-password link they hand out."""

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.test import Client

from gridcare.core.models import AuditEvent
from gridcare.core.tabular import ImportFailed
from gridcare.grid.choices import AreaClass
from gridcare.org.choices import Role, UnitKind
from gridcare.org.importers import AREA_CLASSES, import_org, import_staff
from gridcare.org.models import OrgUnit, StaffProfile
from gridcare.workorders.models import WorkOrder
from gridcare.workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db

ORG = "code,name,kind,parent_code,area_class\n"
STAFF = "username,display_name,unit_code,role,phone,email\n"
LINK = re.compile(r"http://\S+/set-password/\S+/")


def _org(*rows: str) -> bytes:
    return (ORG + "\n".join(rows) + "\n").encode()


def _staff(*rows: str) -> bytes:
    return (STAFF + "\n".join(rows) + "\n").encode()


def test_area_classes_are_the_grids():
    assert set(AREA_CLASSES) == set(AreaClass.values)


def test_parents_may_come_later_in_the_file():
    report = import_org(
        source=_org(
            "QH0101,城东供电所,station,QH01,urban",
            "QH01,清河区供电公司,county,QH,",
            "QH010101,城东抢修一班,team,QH0101,",
            "QH,清河供电公司,city,,",
        )
    )
    assert report.ok and report.created == 4
    team = OrgUnit.objects.get(code="QH010101")
    assert team.path == "/QH/QH01/QH0101/QH010101/" and team.kind == UnitKind.TEAM
    assert OrgUnit.objects.get(code="QH0101").area_class == "urban"
    assert AuditEvent.objects.filter(action="org.import").exists()


def test_cycles_unknown_parents_and_bad_cells_are_row_errors_and_nothing_is_written():
    bad = _org(
        "A,甲,county,C,",  # 2: A → C → B → A
        "B,乙,county,A,",  # 3
        "C,丙,county,B,",  # 4
        "D,丁,station,NOPE,",  # 5: unknown parent
        "E,戊,hamlet,,",  # 6: unknown kind
        "F,己,city,,",  # 7
        "G/1,庚,team,F,",  # 8: a slash would break the unit path
        "F,己2,city,,",  # 9: duplicate code
        "H,,station,F,",  # 10: name required
        "I,辛,city,F,",  # 11: a city below a city
        "J,壬,station,F,suburb",  # 12: unknown area class
        "K,癸,team,J,",  # 13: its parent's row is wrong (said there), not "unknown"
    )
    with pytest.raises(ImportFailed) as exc:
        import_org(source=bad)
    errors = {(e.row, e.column) for e in exc.value.report.errors}
    assert {(2, "parent_code"), (3, "parent_code"), (4, "parent_code")} <= errors  # the cycle, on each row
    assert {(5, "parent_code"), (6, "kind"), (8, "code"), (9, "code"), (10, "name")} <= errors
    assert {(11, "kind"), (12, "area_class")} <= errors
    assert not {e for e in errors if e[0] in (7, 13)}
    assert [e.row for e in exc.value.report.errors] == sorted(e.row for e in exc.value.report.errors)
    assert "→" in next(e.reason for e in exc.value.report.errors if e.row == 2 and e.column == "parent_code")
    assert not OrgUnit.objects.exists()
    with pytest.raises(ImportFailed) as exc:
        import_org(source=b"code,name,kind,parent\nA,a,city,\n")
    assert {e.column for e in exc.value.report.errors} == {"parent", "parent_code", "area_class"}


def test_reimport_updates_in_place_and_moves_through_the_unit_move(world):
    agent = world.staff(Role.HOTLINE_AGENT, world.station_a)
    order = make_order(agent, area=world.area_a)
    rows = [
        f"{u.code},{u.name},{u.kind},{u.parent.code if u.parent_id else ''},{u.area_class}"
        for u in OrgUnit.objects.select_related("parent").order_by("path")
    ]
    assert import_org(source=_org(*rows)).unchanged == len(rows)
    # The station moves to county B and is renamed; a new station appears under county A.
    rows = [r for r in rows if not r.startswith("NJ0101,")]
    rows += ["NJ0101,东山中心供电所,station,NJ02,urban", "NJ0102,新区供电所,station,NJ01,urban"]
    report = import_org(source=_org(*rows))
    assert (report.created, report.updated) == (1, 1)
    station = OrgUnit.objects.get(code="NJ0101")
    assert station.name == "东山中心供电所" and station.path == "/JS/NJ/NJ02/NJ0101/"
    assert OrgUnit.objects.get(code="NJ010101").path == "/JS/NJ/NJ02/NJ0101/NJ010101/"
    order.refresh_from_db()
    assert order.unit_path.startswith("/JS/NJ/NJ02/NJ0101/")  # every copied path follows
    assert AuditEvent.objects.filter(action="org.unit_move", object_id=str(station.pk)).exists()
    assert AuditEvent.objects.get(action="org.unit_import_update").changes == {
        "name": ["东山供电所", "东山中心供电所"]
    }
    # An existing unit cannot silently become a second top.
    with pytest.raises(ImportFailed):
        import_org(source=_org("NJ0201,雄州供电所,station,,rural"))
    assert WorkOrder.objects.get(pk=order.pk).unit_path.startswith("/JS/NJ/NJ02/")


def test_new_staff_get_an_unusable_password_and_a_printed_link(world):
    report = import_staff(
        source=_staff(
            "zhouxy,周晓燕,NJ,hotline_agent,025-80000001,zhou@example.com",
            "liuht,刘海涛,NJ010101,repair_crew,13800000004,",
        )
    )
    assert report.created == 2
    user = get_user_model().objects.get(username="zhouxy")
    assert not user.has_usable_password() and user.email == "zhou@example.com"
    assert user.staff.unit == world.city and user.staff.role == Role.HOTLINE_AGENT
    assert user.staff.display_name == "周晓燕" and user.staff.phone == "025-80000001"
    assert len(report.notes) == 2 and all(LINK.search(n) for n in report.notes)
    assert "zhouxy" in report.notes[0] and "前有效" in report.notes[0]
    assert "zhouxy" in report.as_text() and LINK.search(report.as_text())
    assert not mail.outbox  # no e-mail configured: printed


def test_links_are_emailed_when_email_is_configured(world, settings):
    settings.GRIDCARE_SET_PASSWORD_EMAIL = True
    report = import_staff(
        source=_staff(
            "zhouxy,周晓燕,NJ,hotline_agent,,zhou@example.com", "liuht,刘海涛,NJ010101,repair_crew,,"
        )
    )
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["zhou@example.com"]
    assert LINK.search(mail.outbox[0].body) and "zhouxy" in mail.outbox[0].body
    assert "zhou@example.com" in report.notes[0] and not LINK.search(report.notes[0])
    assert LINK.search(report.notes[1])  # no address: printed


def test_staff_row_errors_write_nothing(world):
    bad = _staff(
        "zhouxy,周晓燕,NJ,hotline_agent,,",
        "zhouxy,周二,NJ,hotline_agent,,",  # 3: duplicate username
        "bad name,某,NJ,hotline_agent,,",  # 4: space in username
        "chen,陈静,NOPE,counter_clerk,,",  # 5: unknown unit
        "wang,王,NJ,boss,,",  # 6: unknown role
        "li,李,NJ,planner,call me,",  # 7: phone
        "gao,高,NJ,planner,,not-an-address",  # 8: e-mail
        ",无名,NJ,planner,,",  # 9: username required
    )
    with pytest.raises(ImportFailed) as exc:
        import_staff(source=bad)
    errors = {(e.row, e.column) for e in exc.value.report.errors}
    assert errors == {
        (3, "username"),
        (4, "username"),
        (5, "unit_code"),
        (6, "role"),
        (7, "phone"),
        (8, "email"),
        (9, "username"),
    }
    assert not get_user_model().objects.filter(username="zhouxy").exists()


def test_staff_reimport_updates_in_place_without_new_links(world):
    import_staff(source=_staff("zhouxy,周晓燕,NJ,hotline_agent,,"))
    report = import_staff(
        source=_staff(
            "zhouxy,周晓燕,NJ01,supervisor,13800000001,zhou@example.com",
            "liuht,刘海涛,NJ010101,repair_crew,,",
        )
    )
    assert (report.created, report.updated) == (1, 1) and len(report.notes) == 1
    profile = StaffProfile.objects.get(user__username="zhouxy")
    assert (profile.unit, profile.role, profile.phone) == (world.county_a, Role.SUPERVISOR, "13800000001")
    event = AuditEvent.objects.get(action="org.staff_import_update")
    assert event.changes["role"] == ["hotline_agent", "supervisor"] and event.changes["unit"] == [
        "NJ",
        "NJ01",
    ]
    assert (
        import_staff(source=_staff("zhouxy,周晓燕,NJ01,supervisor,13800000001,zhou@example.com")).unchanged
        == 1
    )
    # An admin gets the Django admin; losing the role takes it away.
    import_staff(source=_staff("zhouxy,周晓燕,NJ,admin,,"))
    user = get_user_model().objects.get(username="zhouxy")
    assert user.is_staff and user.is_superuser
    import_staff(source=_staff("zhouxy,周晓燕,NJ,planner,,"))
    user.refresh_from_db()
    assert not user.is_staff and not user.is_superuser


# ------------------------------------------------------------------------------ the link


def _link(world) -> str:
    report = import_staff(source=_staff("zhouxy,周晓燕,NJ01,supervisor,,"))
    return LINK.search(report.notes[0]).group(0)


def test_the_link_sets_the_password_once_and_the_user_signs_in(world):
    link = _link(world)
    path = link.removeprefix("http://127.0.0.1:8000")
    client = Client()
    res = client.get(path)
    assert res.status_code == 302 and res["Location"].endswith("/set/")  # the token leaves the URL
    page = client.get(res["Location"])
    assert page.status_code == 200
    body = page.content.decode()
    assert "zhouxy" in body and "前有效" in body and 'name="new_password1"' in body
    res = client.post(res["Location"], {"new_password1": "qinghe-2027!", "new_password2": "qinghe-2027!"})
    assert res.status_code == 302 and res["Location"] == "/login/"
    assert "密码已设置" in client.get("/login/").content.decode()
    assert client.post("/login/", {"username": "zhouxy", "password": "qinghe-2027!"}).status_code == 302
    # Used once: the link no longer works.
    again = Client().get(path)
    assert again.status_code == 200 and "已过期" in again.content.decode()


def test_the_link_expires(world, settings, monkeypatch):
    link = _link(world).removeprefix("http://127.0.0.1:8000")
    from django.contrib.auth.tokens import default_token_generator

    later = dt.datetime.now() + dt.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)
    monkeypatch.setattr(default_token_generator, "_now", lambda: later)
    res = Client().get(link)
    assert res.status_code == 200 and "已过期" in res.content.decode() and "72 小时" in res.content.decode()


def test_wrong_links_count_against_the_sign_in_lockout(world, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    link = _link(world).removeprefix("http://127.0.0.1:8000")
    uid = link.split("/")[2]
    client = Client()
    statuses = [client.get(f"/set-password/{uid}/1-{'0' * 32}/").status_code for _ in range(5)]
    assert statuses[:4] == [200] * 4 and statuses[4] == 429
    locked = client.get(link)  # even the right link, from this address, for the cool-off
    assert locked.status_code == 429 and "登录失败次数过多" in locked.content.decode()
    call_command("axes_reset_username", "zhouxy", verbosity=0)
    assert client.get(link).status_code == 302


def test_a_fresh_link_on_the_command_line(world, capsys):
    _link(world)
    call_command("set_password_link", "zhouxy")
    assert LINK.search(capsys.readouterr().out)
