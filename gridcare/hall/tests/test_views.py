"""Hall pages per role: the halls, the board (refresh, wait against the commitment, query
count), the kiosk and its slip, the counter (the flow, query count, the work-order link),
the rating tablet, the figures and their Excel, closing a hall."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse

from gridcare.customers.tests.factories import CustomerFactory
from gridcare.hall import services
from gridcare.hall.choices import TicketStatus as S
from gridcare.hall.models import CounterRating, Hall, Ticket
from gridcare.org.choices import Role

from .factories import counter, make_hall

pytestmark = pytest.mark.django_db


def _page(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def hall(world):
    return make_hall(world.county_a)


@pytest.fixture
def clerk(world):
    return world.staff(Role.COUNTER_CLERK, world.county_a)


def test_pages_per_role(world, hall, clerk):
    urls_view = [
        reverse("hall:list"),
        reverse("hall:detail", args=[hall.pk]),
        reverse("hall:board", args=[hall.pk]),
        reverse("hall:figures"),
    ]
    urls_clerk = [
        reverse("hall:kiosk", args=[hall.pk]),
        reverse("hall:counter-pick"),
        reverse("hall:counter", args=[counter(hall).pk]),
        reverse("hall:rate", args=[counter(hall).pk]),
    ]
    for role, view, serve in [
        (Role.COUNTER_CLERK, True, True),
        (Role.SUPERVISOR, True, False),
        (Role.MANAGER, True, False),
        (Role.QUALITY_INSPECTOR, True, False),
        (Role.HOTLINE_AGENT, False, False),
        (Role.REPAIR_CREW, False, False),
    ]:
        c = _page(world.staff(role, world.county_a))
        for url in urls_view:
            assert c.get(url).status_code == (200 if view else 403), (role, url)
        for url in urls_clerk:
            assert c.get(url).status_code == (200 if serve else 403), (role, url)
    # another county's clerk does not see this hall
    other = _page(world.staff(Role.COUNTER_CLERK, world.county_b))
    assert other.get(reverse("hall:board", args=[hall.pk])).status_code == 404
    assert other.get(reverse("hall:counter", args=[counter(hall).pk])).status_code == 404
    assert hall.name not in other.get(reverse("hall:list")).content.decode()


def test_supervisor_sees_no_clerk_controls(world, hall):
    html = (
        _page(world.staff(Role.SUPERVISOR, world.county_a))
        .get(reverse("hall:detail", args=[hall.pk]))
        .content.decode()
    )
    assert reverse("hall:kiosk", args=[hall.pk]) not in html
    assert reverse("hall:counter", args=[counter(hall).pk]) not in html
    assert reverse("hall:close", args=[hall.pk]) not in html


def test_kiosk_takes_a_number_and_prints_the_slip(world, hall, clerk):
    c = _page(clerk)
    CustomerFactory(station=world.station_a, area=world.area_a, customer_no="3201000001")
    services.ticket_take(actor=clerk, hall=hall, service_type="business")
    r = c.post(
        reverse("hall:kiosk", args=[hall.pk]),
        {"service_type": "business", "customer": "3201000001", "care": "1"},
    )
    t = Ticket.objects.get(number="A002")
    assert r.status_code == 302 and r["Location"] == reverse("hall:slip", args=[t.pk])
    assert t.customer.customer_no == "3201000001" and t.priority == "care"
    html = c.get(r["Location"]).content.decode()
    assert "A002" in html and "您前面还有 0 人" in html  # the elderly customer queues ahead
    # What the customer sees (kiosk, slip, board, counter tablet) carries no staff menu,
    # no staff name and no sign-out: only the hall's name.
    for url in (
        reverse("hall:kiosk", args=[hall.pk]),
        r["Location"],
        reverse("hall:board", args=[hall.pk]),
        reverse("hall:rate", args=[hall.counters.first().pk]),
    ):
        page = c.get(url).content.decode()
        assert 'class="mainnav"' not in page and "/logout/" not in page and hall.name in page, url
    r = c.post(
        reverse("hall:kiosk", args=[hall.pk]), {"service_type": "business", "customer": "999"}, follow=True
    )
    assert "户号 999 不存在" in r.content.decode()
    r = c.post(reverse("hall:kiosk", args=[hall.pk]), {"service_type": "xx"}, follow=True)
    assert "请选择业务类型" in r.content.decode()
    Hall.objects.filter(pk=hall.pk).update(closed_now=True)
    r = c.post(reverse("hall:kiosk", args=[hall.pk]), {"service_type": "business"}, follow=True)
    assert "不在营业时间" in r.content.decode() and Ticket.objects.count() == 2


def test_counter_flow_and_rating(world, hall, clerk):
    c = _page(clerk)
    ctr = counter(hall)
    t = services.ticket_take(actor=clerk, hall=hall, service_type="business")
    c.post(reverse("hall:call-next", args=[ctr.pk]))
    t.refresh_from_db()
    assert t.status == S.CALLED and t.counter == ctr
    html = c.get(reverse("hall:counter", args=[ctr.pk])).content.decode()
    assert "A001" in html and reverse("hall:act", args=[t.pk, "serve"]) in html
    c.post(reverse("hall:act", args=[t.pk, "serve"]), {"expected_version": t.version})
    html = c.get(reverse("hall:counter", args=[ctr.pk])).content.decode()
    assert reverse("workorders:intake") in html and f"intake_ref=hall-ticket%3A{t.pk}" in html
    t.refresh_from_db()
    r = c.post(reverse("hall:act", args=[t.pk, "finish"]), {"expected_version": t.version - 1}, follow=True)
    assert "已被他人处理" in r.content.decode()
    c.post(reverse("hall:act", args=[t.pk, "finish"]), {"expected_version": t.version})
    t.refresh_from_db()
    assert t.status == S.DONE
    html = c.get(reverse("hall:rate", args=[ctr.pk])).content.decode()
    assert 'name="score" value="5"' in html
    r = c.post(reverse("hall:rate", args=[ctr.pk]), {"ticket": t.pk, "score": "9"}, follow=True)
    assert "评分须为 1～5 分" in r.content.decode()
    c.post(reverse("hall:rate", args=[ctr.pk]), {"ticket": t.pk, "score": "5", "comment": "很好"})
    assert CounterRating.objects.get().score == 5
    assert 'name="score"' not in c.get(reverse("hall:rate", args=[ctr.pk])).content.decode()
    assert c.post(reverse("hall:act", args=[t.pk, "bogus"])).status_code == 404


def test_board_shows_wait_against_commitment_with_few_queries(
    world, hall, clerk, django_assert_max_num_queries
):
    for i in range(12):
        services.ticket_take(actor=clerk, hall=hall, service_type="business" if i % 2 else "payment")
    services.ticket_call_next(actor=clerk, counter=counter(hall, 1))
    services.ticket_call_next(actor=clerk, counter=counter(hall, 2))
    c = _page(world.staff(Role.SUPERVISOR, world.county_a))
    url = reverse("hall:board", args=[hall.pk])
    with django_assert_max_num_queries(14):
        r = c.get(url)
    html = r.content.decode()
    assert 'http-equiv="refresh" content="10"' in html
    assert "承诺 ≤ 15 分钟" in html and "B001" in html and "B002" in html  # the earliest two, one per counter
    assert '<td>6</td><td class="over">72</td>' in html  # 6 business tickets × 12 min ÷ 1 counter > 15


def test_counter_page_query_count(world, hall, clerk, django_assert_max_num_queries):
    for _ in range(10):
        services.ticket_take(actor=clerk, hall=hall, service_type="business")
    services.ticket_call_next(actor=clerk, counter=counter(hall))
    c = _page(clerk)
    with django_assert_max_num_queries(18):
        assert c.get(reverse("hall:counter", args=[counter(hall).pk])).status_code == 200


def test_figures_page_and_excel(world, hall, clerk):
    t = services.ticket_take(actor=clerk, hall=hall, service_type="business")
    services.ticket_call_next(actor=clerk, counter=counter(hall))
    services.ticket_no_show(actor=clerk, ticket=t)
    c = _page(world.staff(Role.MANAGER, world.county_a))
    html = c.get(reverse("hall:figures")).content.decode()
    assert hall.name in html
    assert c.get(reverse("hall:figures") + "?month=2099-99&day=xx").status_code == 200  # bad input: defaults
    r = c.get(reverse("hall:figures-xlsx") + f"?hall={hall.pk}")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.values)
    assert rows[0][0] == "营业厅" and rows[1][0] == hall.name and rows[1][5] == 1  # one no-show


def test_admin_closes_and_reopens_a_hall(world, hall):
    admin = world.staff(Role.ADMIN, world.company)
    c = _page(admin)
    c.post(reverse("hall:close", args=[hall.pk]), {"closed": "1", "note": "系统升级"})
    hall.refresh_from_db()
    assert hall.closed_now and hall.closed_note == "系统升级"
    assert (
        _page(world.staff(Role.COUNTER_CLERK, world.county_a))
        .post(reverse("hall:close", args=[hall.pk]), {"closed": "0"})
        .status_code
        == 403
    )
    c.post(reverse("hall:close", args=[hall.pk]), {"closed": "0"})
    hall.refresh_from_db()
    assert not hall.closed_now


def test_a_work_order_taken_for_the_ticket_is_linked(world, hall, clerk):
    """Intake hands ``intake_ref`` back through core.intake; the hook links the order."""
    from gridcare.core.intake import caller_report_created
    from gridcare.workorders.choices import Channel
    from gridcare.workorders.tests.factories import make_order

    t = services.ticket_take(actor=clerk, hall=hall, service_type="business")
    services.ticket_call_next(actor=clerk, counter=counter(hall))
    services.ticket_serve(actor=clerk, ticket=t)
    order = make_order(clerk, area=world.area_a, channel=Channel.COUNTER)
    caller_report_created(clerk, order, {"notice_ref": "", "intake_ref": f"hall-ticket:{t.pk}"})
    t.refresh_from_db()
    assert t.work_order == order
    caller_report_created(clerk, order, {"intake_ref": "hall-ticket:abc"})  # ignored, no error
    caller_report_created(clerk, order, {"intake_ref": "other:1"})


def test_serving_ticket_offers_the_application_page_and_the_selector_is_scoped(world, hall, clerk):
    from gridcare.hall.selectors import ticket_for_application

    customer = CustomerFactory(station=world.station_a, area=world.area_a)
    t = services.ticket_take(actor=clerk, hall=hall, service_type="business", customer=customer)
    services.ticket_call_next(actor=clerk, counter=counter(hall))
    services.ticket_serve(actor=clerk, ticket=t)
    html = _page(clerk).get(reverse("hall:counter", args=[counter(hall).pk])).content.decode()
    assert f"{reverse('applications:new')}?ticket={t.pk}" in html
    got = ticket_for_application(clerk, t.pk)
    assert got == t and got.customer == customer and got.hall == hall
    assert ticket_for_application(world.staff(Role.COUNTER_CLERK, world.county_b), t.pk) is None
    assert ticket_for_application(clerk, None) is None


def test_the_intake_page_opened_from_the_counter_links_its_order(world, hall, clerk):
    """The counter's "生成工单" opens intake prefilled (customer, channel counter, the
    ticket's reference); the order taken there is recorded on the ticket."""
    import re

    from gridcare.workorders.models import WorkOrder

    customer = CustomerFactory(area=world.area_a, station=world.station_a, name="张伟", phone="13912345678")
    t = services.ticket_take(actor=clerk, hall=hall, service_type="business", customer=customer)
    services.ticket_call_next(actor=clerk, counter=counter(hall))
    services.ticket_serve(actor=clerk, ticket=t)
    c = _page(clerk)
    html = c.get(reverse("hall:counter", args=[counter(hall).pk])).content.decode()
    link = re.search(r'href="(/work-orders/intake/\?[^"]+)"', html).group(1).replace("&amp;", "&")
    form = c.get(link).content.decode()
    assert f'name="intake_ref" value="hall-ticket:{t.pk}"' in form
    assert f'name="customer" value="{customer.customer_no}"' in form
    r = c.post(
        reverse("workorders:intake"),
        {
            "channel": "counter",
            "request_type": "consultation",
            "dimension": "billing_payment",
            "description": "咨询阶梯电价",
            "customer": customer.customer_no,
            "contact_name": "张伟",
            "contact_phone": "",
            "address": "东山街道18号",
            "intake_ref": f"hall-ticket:{t.pk}",
        },
    )
    assert r.status_code == 302
    t.refresh_from_db()
    assert t.work_order == WorkOrder.objects.get() and t.work_order.channel == "counter"
    html = c.get(reverse("hall:counter", args=[counter(hall).pk])).content.decode()
    assert t.work_order.order_no in html and "/work-orders/intake/?" not in html  # no second order link


def test_home_widget_shows_my_counter_after_i_chose_it(world, hall, clerk):
    services.ticket_take(actor=clerk, hall=hall, service_type="business")
    c = _page(clerk)
    assert "我的窗口" not in c.get("/").content.decode()
    c.get(reverse("hall:counter", args=[counter(hall).pk]))
    html = c.get("/").content.decode()
    assert "我的窗口" in html and "本窗口可叫的等候号 1 个" in html
