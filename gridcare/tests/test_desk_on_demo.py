"""The daily desk on the seeded demo (one seed for the module).

The audit log reads: each shape of ``changes`` rendered as what it is, actions in words,
and every filter returns what it should — on the shapes the demo's own services write.
The callback workbench shows each task's deadline, the order's callback clock, as the order
page does; its search finds the demo's callers by phone.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from gridcare.core.audit import audit_action_label, audit_change_rows
from gridcare.core.models import AuditEvent

pytestmark = pytest.mark.django_db


# ----------------------------------------------------------------------- shapes in words


def _rows(action, changes):
    return [(r.field, r.pair, r.old, r.new, r.value) for r in audit_change_rows(action, changes)]


def test_a_plain_string_is_one_value_not_a_pair_of_characters():
    # The time-limit monitor's warning: {"clock": "arrival", ...} once read "clock: a → r".
    rows = _rows("work_order.warn", {"clock": "arrival", "level": "warn50", "percent": 50})
    assert rows == [
        ("时限", False, "", "", "到达现场"),
        ("预警级别", False, "", "", "warn50"),
        ("已用时限(%)", False, "", "", "50"),
    ]


def test_old_new_pairs_and_stored_codes_in_words():
    assert _rows("work_order.dispatch", {"status": ["accepted", "dispatched"]}) == [
        ("状态", True, "已受理", "已派单", "")
    ]
    assert _rows("work_order.priority", {"priority": [3, 1]}) == [("优先级", True, "一般", "紧急", "")]
    # A recovery's status uses the recovery's own words, not the work order's.
    assert _rows("escalation.recovery_approve", {"status": ["pending_approval", "approved"]}) == [
        ("状态", True, "待审批", "可执行", "")
    ]
    # Empty old values and masked personal data read as they are.
    assert _rows("customer.update", {"phone": ["", "139****5678"], "name": ["张伟", "张伟伟"]}) == [
        ("联系电话", True, "—", "139****5678", ""),
        ("户名", True, "张伟", "张伟伟", ""),
    ]


def test_lists_of_items_mappings_and_flags_are_values():
    # Two paused clocks are two items, not "arrival → restoration".
    assert _rows("work_order.pause", {"clocks": ["arrival", "restoration"]}) == [
        ("时限", False, "", "", "到达现场、恢复送电")
    ]
    assert _rows("escalation.consultation", {"attendees": [3, 5]}) == [("参会人", False, "", "", "3、5")]
    assert _rows("escalation.callback", {"outcome": "unreachable", "attempt": 1, "final": False}) == [
        ("回访结果", False, "", "", "联系不上"),
        ("第几次拨打", False, "", "", "1"),
        ("回访结束", False, "", "", "否"),
    ]
    assert _rows("work_order.archive", {"satisfied": None}) == [("客户满意", False, "", "", "未知")]
    (row,) = _rows("classifier.train", {"trained_on": {"type": 120, "dimension": 118}})
    assert row == ("训练样本", False, "", "", "type: 120，dimension: 118")
    # An app nobody registered still reads: its keys and values as stored.
    assert _rows("unknown.thing", {"x": "abc"}) == [("x", False, "", "", "abc")]


def test_action_names_in_words():
    assert audit_action_label("work_order.dispatch") == "派单"
    assert audit_action_label("work_order.warn") == "时限预警"
    assert audit_action_label("escalation.callback") == "回访"
    assert audit_action_label("customer.reveal_personal_data") == "查看完整个人信息"
    assert audit_action_label("org.unit_move") == "调整单位隶属"
    assert audit_action_label("warninglevel.admin_update", "escalation.warninglevel") == "后台修改 · 预警级别"
    assert audit_action_label("nobody.registered") == "nobody.registered"


def test_every_action_code_written_in_the_code_has_words():
    """Every ``action="app.verb"`` a service writes is registered (a new one fails here)."""
    import pathlib

    from gridcare.workorders.choices import Action

    root = pathlib.Path(__file__).resolve().parents[1]  # the gridcare package
    codes = set()
    for path in root.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        codes |= set(re.findall(r'action="([a-z_]+\.[a-z_]+)"', path.read_text(encoding="utf-8")))
    codes |= {f"work_order.{a}" for a in Action.values}
    codes |= {"escalation.recovery_approve", "escalation.recovery_reject"}  # built from the verb
    codes.discard("escalation.recovery_")
    missing = sorted(c for c in codes if audit_action_label(c) == c)
    assert not missing, missing


# ------------------------------------------------------------------- the demo's own rows


@pytest.fixture
def demo_events(demo_db):
    """Real rows written by the services on the demo: a time-limit sweep a day ahead
    (warnings with their clock, escalations with old → new unit), a customer edit, a
    reveal, a callback that reaches the customer (callback + archive)."""
    from gridcare.customers.models import Customer
    from gridcare.customers.services import customer_reveal_personal_data, customer_update
    from gridcare.escalation import services as esc
    from gridcare.escalation.models import CallbackTask
    from gridcare.escalation.services.monitor import sla_sweep

    admin = demo_db.users["admin"]
    before = AuditEvent.objects.count()
    # Other tests on the same demo may have swept already: look further ahead until the
    # sweep warns (open orders always have levels left to reach).
    warned = AuditEvent.objects.filter(action="work_order.warn").count()
    for hours in (6, 24, 72, 240):
        sla_sweep(now=timezone.now() + dt.timedelta(hours=hours), max_batches=2)
        if AuditEvent.objects.filter(action="work_order.warn").count() > warned + 2:
            break
    customer = Customer.objects.filter(station__path__startswith=demo_db.county_a.path).order_by("pk").first()
    customer_update(actor=admin, customer=customer, data={"address": customer.address + "（东门）"})
    customer_reveal_personal_data(actor=demo_db.users["supervisor"], customer=customer, reason="回访核实")
    task = CallbackTask.objects.filter(status="pending", kind="order", order__status="callback").first()
    if task is not None:
        esc.callback_record(actor=demo_db.users["supervisor"], task=task, outcome="satisfied", words="满意")
    assert AuditEvent.objects.count() > before + 3
    return {"customer": customer, "task": task}


def _page(user, **params):
    client = Client()
    client.force_login(user)
    return client.get("/audit/", params)


def test_demo_rows_read_in_words(demo_events, demo_db):
    assert AuditEvent.objects.filter(action="work_order.warn").exists(), "the sweep warned nothing"
    html = _page(demo_db.users["admin"], action="work_order.warn").content.decode()
    assert "时限预警" in html and "<b>时限</b>: " in html
    # No value is ever split into characters: "<b>时限</b>: a → r".
    assert not re.search(r"</b>: \w → \w</div>", html), html
    html = _page(demo_db.users["admin"], action="customer.").content.decode()
    assert "修改客户档案" in html and "查看完整个人信息" in html and "（东门）" in html
    if demo_events["task"] is not None:
        html = _page(demo_db.users["admin"], object_type="escalation.callbacktask").content.decode()
        assert "<b>回访结果</b>: 满意" in html
        html = _page(demo_db.users["admin"], action="work_order.archive").content.decode()
        assert "<b>状态</b>: 回访中 → 已归档" in html


def test_each_filter_returns_what_it_should(demo_events, demo_db):
    from gridcare.web.views import audit_events_filtered

    admin, supervisor = demo_db.users["admin"], demo_db.users["supervisor"]

    def ids(**params):
        qs, _f = audit_events_filtered(admin, params)
        return set(qs.values_list("id", flat=True))

    everything = AuditEvent.objects.all()
    # The admin of the top unit sees every row, company-wide ones (no unit: reports, imports) too.
    assert everything.filter(unit_path="").exists()
    assert ids() == set(everything.values_list("id", flat=True))
    # action: one code exactly, or a whole prefix
    assert ids(action="work_order.warn") == set(
        everything.filter(action="work_order.warn").values_list("id", flat=True)
    )
    work_order = ids(action="work_order.")
    assert work_order == set(everything.filter(action__startswith="work_order.").values_list("id", flat=True))
    assert ids(action="work_order.warn") < work_order
    assert ids(action="work_order") == set()  # neither a code nor a prefix
    # object type and id
    customer = demo_events["customer"]
    # (the id, or a part of the object's name: other customers whose number holds the digits)
    found = ids(object_type="customers.customer", object_id=str(customer.pk))
    own = set(
        everything.filter(object_type="customers.customer", object_id=str(customer.pk)).values_list(
            "id", flat=True
        )
    )
    assert own and own <= found
    for row in everything.filter(pk__in=found - own):
        assert row.object_type == "customers.customer" and str(customer.pk) in row.object_repr
    assert ids(object_type="customers.customer", object_id=customer.customer_no) == own
    # actor: by username or by the name people know them by
    by_supervisor = set(everything.filter(actor=supervisor).values_list("id", flat=True))
    assert by_supervisor and ids(actor="supervisor") == by_supervisor
    assert ids(actor=supervisor.staff.display_name) == by_supervisor
    # unit: the unit and the units below it, nothing of the other county
    county_a, county_b = demo_db.county_a, demo_db.county_b
    in_a = ids(unit=county_a.code)
    assert in_a == set(everything.filter(unit_path__startswith=county_a.path).values_list("id", flat=True))
    assert in_a and not (in_a & ids(unit=county_b.code))
    # date range: both days included, in local time
    today = timezone.localdate()
    old = everything.order_by("id").first()
    AuditEvent.objects.filter(pk=old.pk).update(
        at=dt.datetime.combine(
            today - dt.timedelta(days=10), dt.time(23, 30), tzinfo=timezone.get_current_timezone()
        )
    )
    day = (today - dt.timedelta(days=10)).isoformat()
    assert ids(since=day, until=day) == {old.pk}
    assert old.pk not in ids(since=(today - dt.timedelta(days=9)).isoformat())
    assert old.pk in ids(until=day) and not (ids(until=day) & ids(since=today.isoformat()))
    # Filters combine.
    assert ids(action="customer.", actor="supervisor") == set(
        everything.filter(action__startswith="customer.", actor=supervisor).values_list("id", flat=True)
    )


def test_filters_on_the_page_and_bad_input(demo_events, demo_db):
    admin = demo_db.users["admin"]
    response = _page(admin, action="customer.update")
    html = response.content.decode()
    assert response.status_code == 200 and "修改客户档案" in html and "时限预警</td>" not in html
    assert '<option value="customer.update" selected>' in html  # the filter shows what was asked
    response = _page(admin, since="2026-13-45")
    assert response.status_code == 400 and "since" in response.content.decode()
    # A scoped reader (a county supervisor) sees only their units' rows.
    qs_user = demo_db.county_users["supervisor"]
    from gridcare.web.views import audit_events_filtered

    qs, _f = audit_events_filtered(qs_user, {})
    assert all(p.startswith(demo_db.county_a.path) for p in qs.values_list("unit_path", flat=True))


# ------------------------------------------------------------------ the callback workbench


def test_callback_deadlines_are_the_orders_callback_clocks(demo_db):
    """Every pending order callback of the demo is due when its order's callback clock is,
    and the workbench and the order page print the same deadline."""
    from gridcare.escalation.models import CallbackTask
    from gridcare.workorders.choices import ClockKind
    from gridcare.workorders.models import WorkOrderClock

    tasks = list(CallbackTask.objects.filter(status="pending", kind="order").select_related("order"))
    assert tasks, "the demo has no pending callbacks"
    clocks = dict(
        WorkOrderClock.objects.filter(
            order_id__in=[t.order_id for t in tasks], kind=ClockKind.CALLBACK, met_at__isnull=True
        ).values_list("order_id", "due_at")
    )
    assert clocks
    wrong = [t.order.order_no for t in tasks if t.order_id in clocks and clocks[t.order_id] != t.due_at]
    assert not wrong, wrong
    agent = demo_db.users["agent"]
    client = Client()
    client.force_login(agent)
    task = next(t for t in tasks if t.order_id in clocks)
    shown = timezone.localtime(task.due_at).strftime("%Y-%m-%d %H:%M")
    bench = client.get("/escalation/callbacks/", {"q": task.order.order_no}).content.decode()
    assert re.search(rf'<tr id="cb-{task.pk}"><td>(<span[^>]*>)?{shown}', bench), bench
    page = client.get(f"/work-orders/{task.order.order_no}/").content.decode()
    clocks_table = re.search(r'<table class="list" id="clocks">(.*?)</table>', page, re.S).group(1)
    assert shown in next(r for r in clocks_table.split("<tr>") if "回访" in r)
    # Searching by the caller's phone finds the task.
    phone = task.order.contact_phone
    if phone:
        found = client.get("/escalation/callbacks/", {"q": phone}).content.decode()
        assert f'id="cb-{task.pk}"' in found, phone
