"""What a signed-in customer does: submit (a web order, attachments checked by content,
a flood from one IP refused), track their own orders only (another's is a 404) with a
customer-worded timeline, rate a replied order once (recorded as its callback), read outage
notices and published articles, and ask for a contact change."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from django.utils import timezone

from gridcare.customers.tests.factories import CustomerFactory
from gridcare.escalation.choices import CallbackResult, CallbackStatus
from gridcare.escalation.models import CallbackTask
from gridcare.escalation.selectors import order_callbacks_done, satisfaction_counts
from gridcare.escalation.services import callback_task_ensure
from gridcare.org.choices import Role
from gridcare.portal import services
from gridcare.portal.choices import SUBMIT_PER_IP
from gridcare.portal.models import PortalAttachment, PortalRating
from gridcare.workorders import services as wo
from gridcare.workorders.choices import Channel, RequestType, Status
from gridcare.workorders.models import WorkOrder

from .conftest import sign_in

pytestmark = pytest.mark.django_db


def png_bytes(size=(8, 8)) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buf, "PNG")
    return buf.getvalue()


def _upload(name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="image/png")


# ------------------------------------------------------------------------------ submit


def test_submit_becomes_a_web_order_with_the_customer(world, portal, customer):
    r = portal.post(
        "/portal/orders/new/",
        {
            "request_type": RequestType.COMPLAINT,
            "description": "抄表员态度差",
            "attachments": [_upload("photo.png", png_bytes())],
        },
    )
    assert r.status_code == 302, r.content.decode()[:400]
    order = WorkOrder.objects.get()
    assert r["Location"] == f"/portal/orders/{order.pk}/"
    assert order.channel == Channel.WEB
    assert order.customer == customer
    assert order.request_type == RequestType.COMPLAINT
    assert order.unit == world.station_a  # the customer's station is responsible
    assert order.contact_phone == customer.phone
    att = PortalAttachment.objects.get(order=order)
    assert att.content_type == "image/png" and att.size == len(png_bytes())
    page = portal.get(r["Location"]).content.decode()
    assert "抄表员态度差" in page and "您的诉求已受理" in page


def test_business_application_needs_its_kind(portal):
    r = portal.post(
        "/portal/orders/new/", {"request_type": RequestType.SERVICE_APPLICATION, "description": "装充电桩"}
    )
    assert r.status_code == 400
    r = portal.post(
        "/portal/orders/new/",
        {"request_type": RequestType.SERVICE_APPLICATION, "subtype": "ev_charger", "description": "装充电桩"},
    )
    assert r.status_code == 302
    assert WorkOrder.objects.get().subtype == "ev_charger"


@pytest.mark.parametrize(
    "name,content,code",
    [
        ("evil.png", b"#!/bin/sh\necho not an image\n", "不支持的文件类型"),
        ("big.pdf", b"%PDF-1.4\n" + b"0" * (5 * 1024 * 1024 + 1), "文件过大"),
    ],
)
def test_bad_attachments_are_refused_and_no_order_made(portal, name, content, code):
    r = portal.post(
        "/portal/orders/new/",
        {
            "request_type": RequestType.CONSULTATION,
            "description": "问电价",
            "attachments": [_upload(name, content)],
        },
    )
    assert r.status_code == 400
    assert code in r.content.decode()
    assert not WorkOrder.objects.exists()
    assert not PortalAttachment.objects.exists()


def test_too_many_attachments(portal):
    files = [_upload(f"p{i}.png", png_bytes()) for i in range(4)]
    r = portal.post(
        "/portal/orders/new/",
        {"request_type": RequestType.CONSULTATION, "description": "问", "attachments": files},
    )
    assert r.status_code == 400 and not WorkOrder.objects.exists()


def test_a_flood_from_one_ip_is_refused(customer):
    _window, most = SUBMIT_PER_IP
    c = sign_in(Client(REMOTE_ADDR="10.7.7.7"), customer)
    codes = [
        c.post(
            "/portal/orders/new/", {"request_type": RequestType.SUGGESTION, "description": f"建议{i}"}
        ).status_code
        for i in range(most + 1)
    ]
    assert codes == [302] * most + [429]
    assert WorkOrder.objects.count() == most
    # Another IP may still submit.
    other = sign_in(Client(REMOTE_ADDR="10.7.7.8"), customer)
    assert (
        other.post(
            "/portal/orders/new/", {"request_type": RequestType.SUGGESTION, "description": "x"}
        ).status_code
        == 302
    )


def test_bad_type_is_refused(portal):
    r = portal.post("/portal/orders/new/", {"request_type": "nonsense", "description": "x"})
    assert r.status_code == 400 and not WorkOrder.objects.exists()


# ------------------------------------------------------------------------------- track


def _order_for(customer, **kw):
    return services.request_submit(
        customer=customer,
        request_type=kw.pop("request_type", RequestType.COMPLAINT),
        description=kw.pop("description", "停电没人管"),
        ip=kw.pop("ip", "10.8.0.1"),
    )


def test_only_their_own_orders(world, portal, customer):
    mine = _order_for(customer)
    other = _order_for(CustomerFactory(area=world.area_b))
    listing = portal.get("/portal/orders/").content.decode()
    assert mine.order_no in listing and other.order_no not in listing
    assert portal.get(f"/portal/orders/{other.pk}/").status_code == 404
    assert portal.get("/portal/orders/999999/").status_code == 404
    assert portal.post(f"/portal/orders/{other.pk}/rate/", {"score": "5"}).status_code == 404
    # Not signed in: to the sign-in page.
    r = Client().get(f"/portal/orders/{mine.pk}/")
    assert r.status_code == 302 and r["Location"] == "/portal/signin/"


def test_timeline_in_customer_words_without_notes_or_names(world, portal, customer):
    order = _order_for(customer)
    sup = world.staff(Role.SUPERVISOR, world.city, username="wangdali")
    sup.staff.display_name = "王大力"
    sup.staff.save()
    wo.work_order_note(actor=sup, order=order, note="内部：该客户多次投诉，注意口径")
    wo.work_order_reply(actor=sup, order=order, reply="已核实并向您致歉，抄表员已批评教育")
    page = portal.get(f"/portal/orders/{order.pk}/").content.decode()
    assert "已核实并向您致歉" in page
    assert "处理完毕" in page
    assert "服务督办" in page  # the role, not the name
    assert "王大力" not in page and "wangdali" not in page
    assert "内部" not in page and "注意口径" not in page
    # No unit codes (the order number, which the customer is also told by SMS, carries one).
    rest = page.replace(order.order_no, "")
    assert world.station_a.code not in rest and world.city.code not in rest and "TA-A1" not in rest


def test_order_pages_query_count(world, portal, customer, django_assert_max_num_queries):
    for i in range(5):
        _order_for(customer, description=f"诉求{i}")
    with django_assert_max_num_queries(8):
        assert portal.get("/portal/orders/").status_code == 200
    order = WorkOrder.objects.first()
    sup = world.staff(Role.SUPERVISOR, world.city)
    for i in range(5):
        wo.work_order_note(actor=sup, order=order, note=f"备注{i}")
    with django_assert_max_num_queries(10):
        assert portal.get(f"/portal/orders/{order.pk}/").status_code == 200


# -------------------------------------------------------------------------------- rate


def test_rating_is_recorded_as_the_callback(world, portal, customer):
    order = _order_for(customer)
    sup = world.staff(Role.SUPERVISOR, world.city)
    wo.work_order_reply(actor=sup, order=order, reply="已处理")
    page = portal.get(f"/portal/orders/{order.pk}/").content.decode()
    assert 'id="portal-rate"' in page
    r = portal.post(f"/portal/orders/{order.pk}/rate/", {"score": "5", "words": "很快"})
    assert r.status_code == 302
    rating = PortalRating.objects.get(order=order)
    task = CallbackTask.objects.get(order=order)
    assert rating.callback == task
    assert task.status == CallbackStatus.DONE and task.result == CallbackResult.SATISFIED
    order.refresh_from_db()
    assert order.status == Status.ARCHIVED and order.satisfied is True
    # It counts in the one satisfaction figure.
    now = timezone.now()
    counts = satisfaction_counts(
        order_callbacks_done(since=now - dt.timedelta(hours=1), until=now + dt.timedelta(hours=1))
    )
    assert counts["surveyed"] == 1 and counts["satisfied"] == 1
    # Once only.
    r = portal.post(f"/portal/orders/{order.pk}/rate/", {"score": "1", "words": "改主意了"}, follow=True)
    assert "您已评价过该工单" in r.content.decode()
    assert PortalRating.objects.count() == 1


def test_unsatisfied_rating_reopens_and_needs_words(world, portal, customer):
    order = _order_for(customer)
    wo.work_order_reply(actor=world.staff(Role.SUPERVISOR, world.city), order=order, reply="已处理")
    r = portal.post(f"/portal/orders/{order.pk}/rate/", {"score": "1"}, follow=True)
    assert "请告诉我们哪里做得不好" in r.content.decode()
    assert not PortalRating.objects.exists()
    portal.post(f"/portal/orders/{order.pk}/rate/", {"score": "2", "words": "根本没解决"})
    task = CallbackTask.objects.get(order=order)
    assert task.result == CallbackResult.UNSATISFIED and task.words == "根本没解决"
    order.refresh_from_db()
    assert order.status not in (Status.REPLIED, Status.ARCHIVED)  # reopened


def test_cannot_rate_before_the_reply_or_out_of_range(portal, customer):
    order = _order_for(customer)
    r = portal.post(f"/portal/orders/{order.pk}/rate/", {"score": "5"}, follow=True)
    assert "工单答复后才能评价" in r.content.decode()
    for bad in ("0", "6", "x", ""):
        r = portal.post(f"/portal/orders/{order.pk}/rate/", {"score": bad}, follow=True)
        assert "请选择 1 到 5 分" in r.content.decode()
    assert not PortalRating.objects.exists()


def test_a_customers_rating_counts_even_where_callbacks_are_not_sampled(world, portal, customer):
    """Consultations are sampled at 0 % for callbacks; a customer who rates one is heard
    all the same: the rating is the callback's result and counts in the one figure."""
    order = _order_for(customer, request_type=RequestType.CONSULTATION)  # sampled at 0 %
    wo.work_order_reply(actor=world.staff(Role.SUPERVISOR, world.city), order=order, reply="电价为0.53元")
    assert callback_task_ensure(order=order) is None  # the rule alone makes no task
    portal.post(f"/portal/orders/{order.pk}/rate/", {"score": "4"})
    rating = PortalRating.objects.get(order=order)
    task = CallbackTask.objects.get(order=order)
    assert rating.callback == task and task.result == CallbackResult.BASICALLY_SATISFIED
    assert task.words == ""  # no sentence made up in the customer's name
    now = timezone.now()
    counts = satisfaction_counts(
        order_callbacks_done(since=now - dt.timedelta(hours=1), until=now + dt.timedelta(hours=1))
    )
    assert counts["surveyed"] == 1


# ------------------------------------------------------------------- outages, knowledge


def test_outages_on_the_customer_area(world, portal, customer):
    from gridcare.outages.services import outage_create

    admin = world.staff(Role.ADMIN, world.company)
    now = timezone.now()
    outage_create(
        actor=admin,
        kind="planned",
        areas=[world.area_a],
        cause="线路检修",
        planned_start=now + dt.timedelta(days=1),
        planned_end=now + dt.timedelta(days=1, hours=4),
    )
    outage_create(
        actor=admin,
        kind="planned",
        areas=[world.area_b],
        cause="别处检修",
        planned_start=now + dt.timedelta(days=1),
        planned_end=now + dt.timedelta(days=1, hours=4),
    )
    page = portal.get("/portal/outages/").content.decode()
    assert "线路检修" in page and "别处检修" not in page
    assert 'id="outage-alert"' in portal.get("/portal/").content.decode()


def test_published_articles_only(world, customer):
    from gridcare.knowledge.tests.factories import make_article

    today = timezone.localdate()
    make_article("K-1", title="居民阶梯电价说明", body="<p>阶梯电价分三档</p>")
    make_article(
        "K-2",
        title="已过期的通知",
        valid_from=today - dt.timedelta(days=30),
        valid_to=today - dt.timedelta(days=1),
    )
    make_article("K-3", title="未发布的草稿", publish=False)
    make_article("K-4", title="坐席话术", kind="script")
    make_article("K-5", title="大工业两部制电价", customer_categories="大工业")
    c = Client()
    page = c.get("/portal/articles/").content.decode()
    assert "居民阶梯电价说明" in page
    for hidden in ("已过期的通知", "未发布的草稿", "坐席话术"):
        assert hidden not in page
    assert "大工业两部制电价" in page  # anonymous: every category
    signed = sign_in(Client(), customer).get("/portal/articles/").content.decode()
    assert "居民阶梯电价说明" in signed and "大工业两部制电价" not in signed  # a residential customer
    from gridcare.knowledge.models import Article

    k1 = Article.objects.get(code="K-1")
    assert "阶梯电价分三档" in c.get(f"/portal/articles/{k1.pk}/").content.decode()
    assert c.get(f"/portal/articles/{Article.objects.get(code='K-3').pk}/").status_code == 404
    assert c.get(f"/portal/articles/{Article.objects.get(code='K-4').pk}/").status_code == 404
    assert "居民阶梯电价说明" in c.get("/portal/articles/?q=阶梯").content.decode()
    assert "居民阶梯电价说明" not in c.get("/portal/articles/?q=光伏").content.decode()


def test_application_page_is_public(customer):
    assert Client().get("/portal/apply/").status_code == 200
