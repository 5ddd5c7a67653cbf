"""End to end in Debian Chromium: an agent works the callback workbench — finds the customer
by phone, reveals the number (audited), records "未接通" with one click, calls again later
and records the outcome the customer gave, chosen explicitly."""

import datetime as dt
import os

import pytest
from playwright.sync_api import expect

from gridcare.core.tests.browser import artifacts_dir, browser_page, login
from gridcare.customers.tests.factories import CustomerFactory
from gridcare.org.choices import Role

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "pw-123456"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_agent_calls_back_from_the_workbench(world, live_server):
    from django.utils import timezone

    from gridcare.core.models import AuditEvent
    from gridcare.escalation import services
    from gridcare.escalation.models import CallbackTask
    from gridcare.org.tests.factories import StaffFactory, UserFactory
    from gridcare.workorders import services as wo
    from gridcare.workorders.choices import Dimension, RequestType
    from gridcare.workorders.tests.factories import make_order

    agent = StaffFactory(
        user=UserFactory(username="zhou", password=PASSWORD),
        unit=world.city,
        role=Role.HOTLINE_AGENT,
        display_name="周晓燕",
    ).user
    supervisor = StaffFactory(unit=world.city, role=Role.SUPERVISOR, display_name="徐明").user
    zhang = CustomerFactory(
        customer_no="3109000001", name="张伟", phone="13912345678", address="东山街道18号", area=world.area_a
    )
    tasks = {}
    for customer, words in (
        (zhang, "抄表员态度生硬，要求道歉"),
        (CustomerFactory(area=world.area_a), "营业厅排队太久"),
    ):
        order = make_order(
            agent,
            request_type=RequestType.COMPLAINT,
            dimension=Dimension.SERVICE_ATTITUDE,
            customer=customer.customer_no,
            description=words,
        )
        wo.work_order_reply(actor=supervisor, order=order, reply="已向客户当面致歉，并对当事人批评教育")
        tasks[customer.customer_no] = services.callback_task_ensure(order=order)
    task = tasks[zhang.customer_no]
    base = live_server.url
    shots = artifacts_dir()
    with browser_page() as page:
        login(page, base, "zhou", PASSWORD)
        # 1. Search the workbench by the customer's phone: one task.
        page.goto(f"{base}/escalation/callbacks/")
        expect(page.locator("table.callbacks tr[id^=cb-]:not([id^=cb-panel])")).to_have_count(2)
        page.fill("input[name=q]", "13912345678")
        page.click("#cb-filters button[type=submit]")
        rows = page.locator("table.callbacks tr[id^=cb-]:not([id^=cb-panel])")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text(task.order.order_no)
        expect(rows.first).to_contain_text("139****5678")
        # The deadline shown is the task's own.
        expect(rows.first).to_contain_text(timezone.localtime(task.due_at).strftime("%Y-%m-%d %H:%M"))

        # 2. "呼叫" opens the call panel: the order's story, no outcome chosen.
        rows.first.get_by_role("link", name="呼叫").click()
        panel = page.locator(f"#cb-panel-{task.pk}")
        expect(panel).to_contain_text("抄表员态度生硬")
        expect(panel).to_contain_text("已向客户当面致歉")
        expect(panel.locator("select[name=outcome]")).to_have_value("")
        page.screenshot(path=str(shots / "callback-workbench-panel.png"), full_page=True)

        # 3. Reveal the number (audited).
        panel.get_by_role("button", name="显示号码").click()
        expect(panel.locator("a[href='tel:13912345678']").first).to_be_visible()
        assert AuditEvent.objects.filter(action="customer.reveal_personal_data", actor=agent).count() == 1
        page.screenshot(path=str(shots / "callback-workbench-revealed.png"), full_page=True)

        # 4. No answer: one click. The task stays open, its panel too, the next call waits.
        panel.get_by_role("button", name="未接通").click()
        expect(page.locator("body")).to_contain_text("已记录未接通")
        panel = page.locator(f"#cb-panel-{task.pk}")
        expect(panel).to_contain_text("已拨打 1 / 3 次")
        expect(panel.get_by_role("button", name="未接通")).to_be_disabled()
        page.screenshot(path=str(shots / "callback-workbench-unreachable.png"), full_page=True)
        task.refresh_from_db()
        assert task.status == "pending" and task.attempts == 1 and task.result == ""

        # 5. Later (past the gap between calls) the customer answers: the outcome is chosen explicitly.
        CallbackTask.objects.filter(pk=task.pk).update(last_attempt_at=timezone.now() - dt.timedelta(hours=2))
        page.reload()
        panel = page.locator(f"#cb-panel-{task.pk}")
        save = panel.get_by_role("button", name="保存回访结果")
        save.click()  # nothing chosen: the browser refuses to send the form
        expect(panel.locator("select[name=outcome]:invalid")).to_have_count(1)
        task.refresh_from_db()
        assert task.attempts == 1
        panel.locator("select[name=outcome]").select_option("basically_satisfied")
        panel.locator("textarea[name=words]").fill("道歉收到了，希望以后注意")
        save.click()
        expect(page.locator("body")).to_contain_text("已记录回访结果：基本满意")
        expect(page.locator(f"#cb-{task.pk}")).to_have_count(0)  # off the worklist
        page.screenshot(path=str(shots / "callback-workbench-done.png"), full_page=True)
    task.refresh_from_db()
    order = task.order
    order.refresh_from_db()
    assert task.status == "done" and task.result == "basically_satisfied" and task.attempts == 2
    assert order.status == "archived" and order.satisfied is True
    assert list(task.attempt_log.values_list("outcome", flat=True)) == ["unreachable", "basically_satisfied"]
