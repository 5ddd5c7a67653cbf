"""Sign-in by customer number + phone on file + SMS code: codes hashed, short-lived, single
use; per-phone and per-IP limits kept in the database; a phone locked after repeated wrong
codes; an arithmetic question after repeated failures from an IP; and nothing that tells a
caller whether a customer number exists."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from gridcare.core.errors import ApplicationError
from gridcare.escalation.models import OutboundMessage
from gridcare.portal import services
from gridcare.portal.choices import CHALLENGE_AFTER_FAILURES, CODE_MAX_TRIES, LOCK_AFTER_WRONG, SEND_PER_PHONE
from gridcare.portal.models import RateCounter, SignInCode

from .conftest import code_sent_to, sign_in

pytestmark = pytest.mark.django_db

CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"')


def _body(response) -> bytes:
    return CSRF.sub(b"", response.content)


def test_sign_in_with_the_code_from_the_outbox(customer):
    c = Client()
    assert c.get("/portal/").status_code == 302  # to sign-in
    sign_in(c, customer)
    page = c.get("/portal/")
    assert page.status_code == 200
    assert customer.customer_no in page.content.decode()
    assert "张**" in page.content.decode()  # the name masked
    row = SignInCode.objects.get()
    assert row.used_at is not None
    sent = code_sent_to(customer.phone)
    assert sent not in row.code_hash and len(row.code_hash) == 64  # only a keyed hash kept
    # Signing out ends the portal session.
    c.post("/portal/signout/")
    assert c.get("/portal/").status_code == 302


def test_second_phone_on_file_works_too(world):
    from gridcare.customers.tests.factories import CustomerFactory

    cu = CustomerFactory(area=world.area_a, phone="13900000001", phone2="13900000002")
    sign_in(Client(), cu, phone="13900000002")


def test_wrong_code_is_refused(customer):
    c = Client()
    c.post("/portal/signin/", {"customer_no": customer.customer_no, "phone": customer.phone})
    good = code_sent_to(customer.phone)
    wrong = "000000" if good != "000000" else "111111"
    r = c.post("/portal/signin/verify/", {"code": wrong})
    assert r.status_code == 400
    assert "验证码错误或已失效" in r.content.decode()
    assert c.get("/portal/").status_code == 302


def test_expired_code_is_refused(customer):
    t0 = timezone.now()
    row = services.code_request(customer_no=customer.customer_no, phone=customer.phone, now=t0)
    code = code_sent_to(customer.phone)
    with pytest.raises(ApplicationError) as exc:
        services.code_verify(code_id=row.pk, code=code, now=t0 + dt.timedelta(minutes=5, seconds=1))
    assert exc.value.code == "invalid_code"
    # Within the five minutes it works.
    assert services.code_verify(code_id=row.pk, code=code, now=t0 + dt.timedelta(minutes=4)) == customer


def test_a_code_is_used_once(customer):
    row = services.code_request(customer_no=customer.customer_no, phone=customer.phone)
    code = code_sent_to(customer.phone)
    assert services.code_verify(code_id=row.pk, code=code) == customer
    with pytest.raises(ApplicationError) as exc:
        services.code_verify(code_id=row.pk, code=code)
    assert exc.value.code == "invalid_code"


def test_a_code_is_spent_after_too_many_wrong_tries(customer):
    row = services.code_request(customer_no=customer.customer_no, phone=customer.phone)
    code = code_sent_to(customer.phone)
    wrong = "000000" if code != "000000" else "111111"
    for _i in range(CODE_MAX_TRIES):
        with pytest.raises(ApplicationError):
            services.code_verify(code_id=row.pk, code=wrong)
    with pytest.raises(ApplicationError) as exc:
        services.code_verify(code_id=row.pk, code=code)  # the right code, too late
    assert exc.value.code == "invalid_code"


def test_brute_force_locks_the_phone(customer):
    window, lock_after = LOCK_AFTER_WRONG
    wrong_total = 0
    while wrong_total < lock_after:
        row = services.code_request(customer_no=customer.customer_no, phone=customer.phone, ip="10.0.0.1")
        code = code_sent_to(customer.phone)
        wrong = "000000" if code != "000000" else "111111"
        for _i in range(min(CODE_MAX_TRIES, lock_after - wrong_total)):
            with pytest.raises(ApplicationError):
                services.code_verify(code_id=row.pk, code=wrong, ip=f"10.0.1.{wrong_total}")
            wrong_total += 1
    # Now even a fresh, correct code is refused for this phone (from another IP too).
    SignInCode.objects.all().delete()
    RateCounter.objects.filter(key__startswith="send:").delete()
    row = services.code_request(customer_no=customer.customer_no, phone=customer.phone, ip="10.9.9.9")
    with pytest.raises(ApplicationError) as exc:
        services.code_verify(code_id=row.pk, code=code_sent_to(customer.phone), ip="10.9.9.9")
    assert exc.value.status == 429 and exc.value.code == "locked"
    # The lock is kept in the database (another process sees the same counter).
    assert RateCounter.objects.filter(key__startswith="wrong:phone:", count__gte=lock_after).exists()
    # After the window the phone signs in again.
    later = timezone.now() + dt.timedelta(seconds=window + 1)
    row = services.code_request(
        customer_no=customer.customer_no, phone=customer.phone, ip="10.9.9.8", now=later
    )
    code = OutboundMessage.objects.filter(key=f"portal:code:{row.pk}").get().body
    code = re.search(r"(\d{6})", code).group(1)
    assert services.code_verify(code_id=row.pk, code=code, ip="10.9.9.8", now=later) == customer


def test_send_limit_per_phone_is_the_same_for_unknown_numbers(customer):
    _window, most = SEND_PER_PHONE
    for phone, number in ((customer.phone, customer.customer_no), ("13700000000", "3199999999")):
        c = Client(REMOTE_ADDR="10.1.1.1")
        statuses = [
            c.post("/portal/signin/", {"customer_no": number, "phone": phone}).status_code
            for _i in range(most + 1)
        ]
        assert statuses == [302] * most + [429]
        RateCounter.objects.filter(key__startswith="send:ip:").delete()
    # Only the real customer's phone got messages, one per accepted request.
    assert OutboundMessage.objects.filter(recipient=customer.phone).count() == most
    assert not OutboundMessage.objects.filter(recipient="13700000000").exists()


def test_send_limit_per_ip():
    from gridcare.portal.choices import SEND_PER_IP

    _window, most = SEND_PER_IP
    c = Client(REMOTE_ADDR="10.2.2.2")
    codes = [
        c.post("/portal/signin/", {"customer_no": f"39{i:08d}", "phone": f"137{i:08d}"}).status_code
        for i in range(most + 1)
    ]
    assert codes[:most] == [302] * most and codes[most] == 429


@pytest.mark.parametrize("other", ["unknown_number", "wrong_phone"])
def test_nothing_tells_whether_a_customer_number_exists(customer, other):
    """The same status, redirect, pages and rows whether the number and phone match or not."""
    if other == "unknown_number":
        form = {"customer_no": "3199999999", "phone": customer.phone}
    else:
        form = {"customer_no": customer.customer_no, "phone": "13700000000"}
    real, fake = Client(REMOTE_ADDR="10.3.3.3"), Client(REMOTE_ADDR="10.3.3.4")
    r1 = real.post("/portal/signin/", {"customer_no": customer.customer_no, "phone": customer.phone})
    r2 = fake.post("/portal/signin/", form)
    assert (r1.status_code, r1["Location"]) == (r2.status_code, r2["Location"])
    assert set(r1.cookies) == set(r2.cookies)
    v1, v2 = real.get("/portal/signin/verify/"), fake.get("/portal/signin/verify/")
    assert v1.status_code == v2.status_code == 200
    assert _body(v1) == _body(v2)
    # A wrong code: the same answer for both.
    good = code_sent_to(customer.phone)
    wrong = "000000" if good != "000000" else "111111"
    w1 = real.post("/portal/signin/verify/", {"code": wrong})
    w2 = fake.post("/portal/signin/verify/", {"code": wrong})
    assert w1.status_code == w2.status_code == 400
    assert _body(w1) == _body(w2)
    # A code row each; the SMS only to the phone on file.
    assert SignInCode.objects.count() == 2
    assert OutboundMessage.objects.filter(key__startswith="portal:code:").count() == 1
    # Bad input reads the same too.
    b1 = Client().post("/portal/signin/", {"customer_no": customer.customer_no, "phone": "12"})
    b2 = Client().post("/portal/signin/", {"customer_no": "3199999999", "phone": "12"})
    assert b1.status_code == b2.status_code == 400
    assert _body(b1).replace(customer.customer_no.encode(), b"N") == _body(b2).replace(b"3199999999", b"N")


def test_question_after_repeated_failures_from_an_ip(customer):
    _window, after = CHALLENGE_AFTER_FAILURES
    c = Client(REMOTE_ADDR="10.4.4.4")
    c.post("/portal/signin/", {"customer_no": customer.customer_no, "phone": customer.phone})
    for _i in range(after):
        c.post("/portal/signin/verify/", {"code": "abcdef"})
    page = c.get("/portal/signin/").content.decode()
    assert 'name="answer"' in page
    # Without the answer (or with a wrong one) the form is refused and no code goes out.
    before = OutboundMessage.objects.count()
    r = c.post(
        "/portal/signin/", {"customer_no": customer.customer_no, "phone": customer.phone, "answer": "99"}
    )
    assert r.status_code == 400 and "请正确回答验证问题" in r.content.decode()
    assert OutboundMessage.objects.count() == before
    # The right answer passes.
    a, b = map(int, re.search(r"(\d+) 加 (\d+) 等于多少", r.content.decode()).groups())
    r = c.post(
        "/portal/signin/",
        {"customer_no": customer.customer_no, "phone": customer.phone, "answer": str(a + b)},
    )
    assert r.status_code == 302
    assert OutboundMessage.objects.count() == before + 1
    # Another IP is not asked.
    assert 'name="answer"' not in Client(REMOTE_ADDR="10.4.4.5").get("/portal/signin/").content.decode()


def test_portal_session_expires(customer, monkeypatch):
    c = sign_in(Client(), customer)
    assert c.get("/portal/").status_code == 200
    import time as _time

    real = _time.time
    monkeypatch.setattr("gridcare.portal.views.time.time", lambda: real() + 3601)
    assert c.get("/portal/").status_code == 302


def test_portal_session_is_not_a_staff_login(portal):
    r = portal.get("/work-orders/")
    assert r.status_code == 302 and not r["Location"].startswith("/portal/")  # the staff sign-in
