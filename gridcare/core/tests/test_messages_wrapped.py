"""Error messages reach users in their language: no raise hands over untranslated Chinese.

Chinese is the source language; a message that is not passed through gettext stays Chinese
for an English reader. The static check parses every module and lists each ``raise`` whose
exception gets a literal Chinese string (or f-string) that is not inside ``_()``/``gettext()``.
The behavioural checks trigger real service errors in English and look at the message.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.utils import translation

from gridcare.core.errors import ApplicationError
from gridcare.org.choices import Role

ROOT = Path(__file__).resolve().parents[2]  # the gridcare package
SKIPPED_DIRS = {"tests", "migrations", "demo"}
GETTEXT_NAMES = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "pgettext", "pgettext_lazy"}
CJK = re.compile(r"[\u3400-\u9fff]")


def _callee(call: ast.Call) -> str | None:
    f = call.func
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else None


def _has_cjk(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and bool(CJK.search(node.value))
    if isinstance(node, ast.JoinedStr):
        return any(_has_cjk(v) for v in node.values)
    return False


def _unwrapped_raises(source: str, filename: str = "<string>") -> list[int]:
    """Line numbers of ``raise E("中文…")`` / ``raise E(f"中文{x}")`` outside gettext."""
    tree = ast.parse(source, filename)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}

    def in_gettext(node: ast.AST) -> bool:
        while node in parents:
            node = parents[node]
            if isinstance(node, ast.Call) and _callee(node) in GETTEXT_NAMES:
                return True
        return False

    lines = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)):
            continue
        for arg in node.exc.args:
            if isinstance(arg, ast.Constant | ast.JoinedStr) and _has_cjk(arg) and not in_gettext(arg):
                lines.append(node.lineno)
                break
    return lines


def _modules():
    for path in sorted(ROOT.rglob("*.py")):
        if SKIPPED_DIRS.isdisjoint(path.relative_to(ROOT).parts):
            yield path


def test_no_raise_hands_users_untranslated_chinese():
    found = [
        f"{path.relative_to(ROOT.parent)}:{line}"
        for path in _modules()
        for line in _unwrapped_raises(path.read_text(encoding="utf-8"), str(path))
    ]
    assert not found, "Chinese error messages not wrapped in gettext:\n" + "\n".join(found)


def test_the_check_sees_plain_and_formatted_chinese_but_not_wrapped_messages():
    bad = 'raise ApplicationError("工单不存在", field="order")\nraise ValueError(f"第 {n} 行无效")\n'
    good = (
        'raise ApplicationError(_("工单不存在"), field="order")\n'
        'raise ApplicationError(_("工单 %(no)s 已归档") % {"no": no})\n'
        'raise ValueError("english only")\n'
    )
    assert _unwrapped_raises(bad) == [1, 2]
    assert _unwrapped_raises(good) == []


# --- in English, real service errors are English ------------------------------------------


def _english_message(call) -> str:
    with translation.override("en"), pytest.raises(ApplicationError) as exc:
        call()
    message = str(exc.value.message)
    assert not CJK.search(message), message
    return message


def test_work_order_merge_errors_are_english(world):
    from gridcare.workorders import services
    from gridcare.workorders.tests.factories import make_order

    supervisor = world.staff(Role.SUPERVISOR, world.city)
    order = make_order(world.staff(Role.HOTLINE_AGENT, world.city), area=world.area_a)
    message = _english_message(lambda: services.work_order_merge(actor=supervisor, order=order, master=order))
    assert "merged into itself" in message


def test_work_order_validation_errors_are_english(world):
    from gridcare.workorders.tests.factories import make_order

    agent = world.staff(Role.HOTLINE_AGENT, world.county_a)
    message = _english_message(lambda: make_order(agent, area=world.area_a, channel="carrier-pigeon"))
    assert "carrier-pigeon" in message


def test_service_failure_errors_are_english(world):
    from gridcare.escalation import services
    from gridcare.workorders.tests.factories import make_order

    supervisor = world.staff(Role.SUPERVISOR, world.city)
    order = make_order(world.staff(Role.HOTLINE_AGENT, world.city), area=world.area_a)  # not a complaint
    message = _english_message(
        lambda: services.service_failure_record(
            actor=supervisor,
            order=order,
            origin="personnel",
            cause="other",
            responsible_unit=world.station_a,
            description="x",
        )
    )
    assert "complaint" in message
