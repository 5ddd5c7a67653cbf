"""`gridcare import org FILE` and `gridcare import staff FILE`: a supply company moves in.

Both follow the import contract (``gridcare.core.tabular``): every row validated first,
outside any transaction, all errors reported by row; then one transaction writes all rows
or none. Re-importing a file updates in place (units by ``code``, staff by ``username``).

org: ``code, name, kind, parent_code, area_class``. A parent may come later in the file
than its children (or already exist); unknown parents, cycles and a kind that is not
below its parent's are row errors. A unit that has moved to another parent moves through
``services.org_unit_move`` (its descendants and every copied path follow).

staff: ``username, display_name, unit_code, role, phone, email``. A new account gets an
unusable password and a one-time set-password link (``invitations``), e-mailed when
e-mail is configured, else printed in the report.
"""

from __future__ import annotations

import re

from django.contrib.auth import get_user_model
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridcare.core.audit import audit_record
from gridcare.core.tabular import ImportFailed, ImportReport, check_headers, read_table, register_importer
from gridcare.core.textutil import to_halfwidth

from .choices import UNIT_KIND_ORDER, Role
from .invitations import deliver_set_password_links, set_password_link
from .models import OrgUnit, StaffProfile
from .services import org_unit_move

ORG_COLUMNS = ["code", "name", "kind", "parent_code", "area_class"]
STAFF_COLUMNS = ["username", "display_name", "unit_code", "role", "phone", "email"]
# The values of grid.choices.AreaClass (the grid app sits above the organisation).
AREA_CLASSES = ("urban", "rural", "remote")
CODE_RE = re.compile(r"^[A-Za-z0-9_-]+$")
PHONE_RE = re.compile(r"^[0-9+()\- ]{3,20}$")
KIND_RANK = {k.value: i for i, k in enumerate(UNIT_KIND_ORDER)}
MAX = {
    "code": OrgUnit._meta.get_field("code").max_length,
    "name": OrgUnit._meta.get_field("name").max_length,
    "path": OrgUnit._meta.get_field("path").max_length,
    "display_name": StaffProfile._meta.get_field("display_name").max_length,
    "phone": StaffProfile._meta.get_field("phone").max_length,
    "email": 254,
    "username": 150,
}


def _too_long(report: ImportReport, rowno: int, column: str, value: str) -> bool:
    if len(value) > MAX[column]:
        report.add_error(rowno, column, value, _("最多 %(n)s 个字符") % {"n": MAX[column]})
        return True
    return False


def _rows(table, columns: list[str], report: ImportReport, progress):
    idx = {c: table.headers.index(c) for c in columns}
    for rowno, cells in table.rows:
        report.rows += 1
        if progress:
            progress(1)
        if len(cells) != len(table.headers):
            report.add_error(rowno, "*", len(cells), _("列数不符：应为 %(n)s 列") % {"n": len(table.headers)})
            continue
        yield rowno, {c: cells[i] for c, i in idx.items()}


# ------------------------------------------------------------------------------------- org


@register_importer("org", gettext_lazy("组织机构：公司、市公司、县公司、供电所、班组"))
def import_org(*, source, actor=None, name: str = "", progress=None) -> ImportReport:
    report = ImportReport(kind="org")
    table = read_table(source, name=name)
    if not check_headers(table, ORG_COLUMNS, report):
        raise ImportFailed(report)
    rows: dict[str, tuple[int, dict]] = {}
    first: dict[str, int] = {}  # code -> the row it first appears on (valid or not)
    for rowno, v in _rows(table, ORG_COLUMNS, report, progress):
        code, parent = v["code"], v["parent_code"]
        ok = True
        if not code:
            report.add_error(rowno, "code", "", _("不能为空"))
            ok = False
        elif not CODE_RE.match(code):
            report.add_error(rowno, "code", code, _("单位编码只能含字母、数字、- 和 _"))
            ok = False
        elif _too_long(report, rowno, "code", code):
            ok = False
        elif code in first:
            report.add_error(rowno, "code", code, _("单位编码与第 %(row)s 行重复") % {"row": first[code]})
            ok = False
        else:
            first[code] = rowno
        if not v["name"]:
            report.add_error(rowno, "name", "", _("不能为空"))
            ok = False
        elif _too_long(report, rowno, "name", v["name"]):
            ok = False
        if v["kind"] not in KIND_RANK:
            report.add_error(
                rowno, "kind", v["kind"], _("层级应为 %(kinds)s 之一") % {"kinds": ", ".join(KIND_RANK)}
            )
            ok = False
        if v["area_class"] and v["area_class"] not in AREA_CLASSES:
            report.add_error(
                rowno,
                "area_class",
                v["area_class"],
                _("区域类别应为 %(classes)s 之一，或留空") % {"classes": ", ".join(AREA_CLASSES)},
            )
            ok = False
        if parent and parent == code:
            report.add_error(rowno, "parent_code", parent, _("上级单位不能是自己"))
            ok = False
        if ok:
            rows[code] = (rowno, v)
    existing = {u.code: u for u in OrgUnit.objects.select_related("parent")}
    # The tree as it will be: the file's units over the database's.
    parent_of = {code: (u.parent.code if u.parent_id else "") for code, u in existing.items()}
    kind_of = {code: u.kind for code, u in existing.items()}
    for code, (_row, v) in rows.items():
        parent_of[code], kind_of[code] = v["parent_code"], v["kind"]
    bad: set[str] = set()
    for code, (rowno, v) in rows.items():
        parent = v["parent_code"]
        if parent and parent not in parent_of:
            if parent not in first:  # else its own row is wrong, and says so
                report.add_error(rowno, "parent_code", parent, _("上级单位编码不存在（文件和系统中都没有）"))
            bad.add(code)
        elif parent and KIND_RANK.get(kind_of[parent], -1) >= KIND_RANK[v["kind"]]:
            report.add_error(
                rowno,
                "kind",
                v["kind"],
                _("层级必须低于上级单位 %(parent)s 的层级（%(kind)s）")
                % {"parent": parent, "kind": kind_of[parent]},
            )
        elif not parent and code in existing and existing[code].parent_id:
            report.add_error(rowno, "parent_code", "", _("已有单位不能改为顶层单位：请填写它的上级单位编码"))
            bad.add(code)
    depth: dict[str, int] = {}
    for code, (rowno, _v) in rows.items():
        if code in bad:
            continue
        chain, seen, cur = [], set(), code
        while cur and cur not in depth:
            if cur in seen:
                report.add_error(
                    rowno,
                    "parent_code",
                    parent_of[code],
                    _("上级关系成环：%(chain)s") % {"chain": " → ".join([*chain, cur])},
                )
                break
            seen.add(cur)
            chain.append(cur)
            cur = parent_of.get(cur, "")
        else:
            base = depth[cur] if cur else 0
            for i, c in enumerate(reversed(chain), start=1):
                depth[c] = base + i
            path = len(code) + 2
            cur = parent_of.get(code, "")
            while cur:
                path += len(cur) + 1
                cur = parent_of.get(cur, "")
            if path > MAX["path"]:
                report.add_error(
                    rowno,
                    "code",
                    code,
                    _("单位路径超过 %(n)s 个字符：层级过深或编码过长") % {"n": MAX["path"]},
                )
    if not report.ok:
        report.errors.sort(key=lambda e: e.row)
        raise ImportFailed(report)

    created = updated = unchanged = 0
    with transaction.atomic():
        units = {u.code: u for u in OrgUnit.objects.all()}
        # Parents before children, in the tree as it will be.
        for code in sorted(rows, key=lambda c: (depth[c], rows[c][0])):
            _rowno, v = rows[code]
            parent = units.get(v["parent_code"]) if v["parent_code"] else None
            unit = units.get(code)
            if unit is None:
                unit = OrgUnit(
                    code=code, name=v["name"], kind=v["kind"], parent=parent, area_class=v["area_class"]
                )
                unit.save()
                units[code] = unit
                created += 1
                continue
            changes = {
                f: [getattr(unit, f), v[f]]
                for f in ("name", "kind", "area_class")
                if getattr(unit, f) != v[f]
            }
            if changes:
                OrgUnit.objects.filter(pk=unit.pk).update(**{f: new for f, (_old, new) in changes.items()})
                audit_record(
                    actor=actor,
                    action="org.unit_import_update",
                    obj=unit,
                    changes=changes,
                    note=name,
                    unit_path=unit.path,
                )
            moved = parent is not None and unit.parent_id != parent.pk
            if moved:
                org_unit_move(actor=actor, unit=unit, new_parent=parent)
                units = {u.code: u for u in OrgUnit.objects.all()}  # paths below it changed
            if changes or moved:
                updated += 1
            else:
                unchanged += 1
        audit_record(
            actor=actor,
            action="org.import",
            object_type="org.orgunit",
            object_id="*",
            object_repr=name[:200],
            changes={"created": created, "updated": updated},
            note=name,
        )
    report.created, report.updated, report.unchanged = created, updated, unchanged
    return report


# ----------------------------------------------------------------------------------- staff


@register_importer("staff", gettext_lazy("员工账号：用户名、所在单位、角色（新账号发放设置密码链接）"))
def import_staff(*, source, actor=None, name: str = "", progress=None) -> ImportReport:
    report = ImportReport(kind="staff")
    table = read_table(source, name=name)
    if not check_headers(table, STAFF_COLUMNS, report):
        raise ImportFailed(report)
    units = {u.code: u for u in OrgUnit.objects.all()}
    roles = set(Role.values)
    username_ok = UnicodeUsernameValidator()
    email_ok = EmailValidator()
    rows: dict[str, tuple[int, dict]] = {}
    first: dict[str, int] = {}  # username -> the row it first appears on (valid or not)
    for rowno, v in _rows(table, STAFF_COLUMNS, report, progress):
        username = v["username"]
        v["phone"] = to_halfwidth(v["phone"])
        ok = True
        if not username:
            report.add_error(rowno, "username", "", _("不能为空"))
            ok = False
        elif _too_long(report, rowno, "username", username):
            ok = False
        else:
            try:
                username_ok(username)
            except ValidationError:
                report.add_error(rowno, "username", username, _("用户名只能含字母、数字和 @ . + - _"))
                ok = False
            if ok and username in first:
                report.add_error(
                    rowno, "username", username, _("用户名与第 %(row)s 行重复") % {"row": first[username]}
                )
                ok = False
            first.setdefault(username, rowno)
        if not v["display_name"]:
            report.add_error(rowno, "display_name", "", _("不能为空"))
            ok = False
        elif _too_long(report, rowno, "display_name", v["display_name"]):
            ok = False
        if v["unit_code"] not in units:
            report.add_error(rowno, "unit_code", v["unit_code"], _("单位编码不存在（请先导入组织）"))
            ok = False
        if v["role"] not in roles:
            report.add_error(
                rowno, "role", v["role"], _("角色应为 %(roles)s 之一") % {"roles": ", ".join(Role.values)}
            )
            ok = False
        if v["phone"]:
            if _too_long(report, rowno, "phone", v["phone"]):
                ok = False
            elif not PHONE_RE.match(v["phone"]):
                report.add_error(rowno, "phone", v["phone"], _("电话只能含数字、空格和 + - ( )"))
                ok = False
        if v["email"]:
            try:
                if len(v["email"]) > MAX["email"]:
                    raise ValidationError("too long")
                email_ok(v["email"])
            except ValidationError:
                report.add_error(rowno, "email", v["email"], _("电子邮箱地址无效"))
                ok = False
        if ok:
            rows[username] = (rowno, v)
    if not report.ok:
        report.errors.sort(key=lambda e: e.row)
        raise ImportFailed(report)

    User = get_user_model()
    created: list = []
    updated = unchanged = 0
    with transaction.atomic():
        users = {
            u.username: u for u in User.objects.filter(username__in=list(rows)).select_related("staff__unit")
        }
        for username, (_rowno, v) in rows.items():
            unit = units[v["unit_code"]]
            admin = v["role"] == Role.ADMIN
            user = users.get(username)
            if user is None:
                user = User(
                    username=username,
                    email=v["email"],
                    first_name=v["display_name"],
                    is_staff=admin,
                    is_superuser=admin,
                )
                user.set_unusable_password()
                user.save()
                StaffProfile.objects.create(
                    user=user, unit=unit, role=v["role"], display_name=v["display_name"], phone=v["phone"]
                )
                audit_record(
                    actor=actor,
                    action="org.staff_import_create",
                    object_type="org.staffprofile",
                    object_id=username,
                    object_repr=v["display_name"],
                    changes={"unit": [None, unit.code], "role": [None, v["role"]]},
                    note=name,
                    unit_path=unit.path,
                )
                created.append((user, v["display_name"]))
                continue
            profile = getattr(user, "staff", None)  # None: a login without a staff profile yet
            before = {
                "display_name": profile.display_name if profile else None,
                "unit": profile.unit.code if profile else None,
                "role": profile.role if profile else None,
                "phone": profile.phone if profile else None,
                "email": user.email,
                "is_staff": user.is_staff,
                "is_superuser": user.is_superuser,
            }
            after = {
                "display_name": v["display_name"],
                "unit": unit.code,
                "role": v["role"],
                "phone": v["phone"],
                "email": v["email"],
                "is_staff": admin,
                "is_superuser": admin,
            }
            changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
            if not changes:
                unchanged += 1
                continue
            user.email, user.first_name, user.is_staff, user.is_superuser = (
                v["email"],
                v["display_name"],
                admin,
                admin,
            )
            user.save(update_fields=["email", "first_name", "is_staff", "is_superuser"])
            StaffProfile.objects.update_or_create(
                user=user,
                defaults={
                    "unit": unit,
                    "role": v["role"],
                    "display_name": v["display_name"],
                    "phone": v["phone"],
                },
            )
            audit_record(
                actor=actor,
                action="org.staff_import_update",
                object_type="org.staffprofile",
                object_id=username,
                object_repr=v["display_name"],
                changes=changes,
                note=name,
                unit_path=unit.path,
            )
            updated += 1
        audit_record(
            actor=actor,
            action="org.staff_import",
            object_type="org.staffprofile",
            object_id="*",
            object_repr=name[:200],
            changes={"created": len(created), "updated": updated},
            note=name,
        )
    # After the commit: a link is only worth sending for an account that exists.
    report.notes = deliver_set_password_links([set_password_link(u, display_name=n) for u, n in created])
    report.created, report.updated, report.unchanged = len(created), updated, unchanged
    return report
