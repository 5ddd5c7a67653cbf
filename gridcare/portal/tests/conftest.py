"""Portal test helpers: a customer, the code from the outbox, a signed-in client."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from gridcare.customers.tests.factories import CustomerFactory
from gridcare.escalation.models import OutboundMessage

REVIEW = "portal.review_contact"


@pytest.fixture
def customer(world):
    return CustomerFactory(
        area=world.area_a, customer_no="3100012345", phone="13912345678", name="张三丰", address="东山路1号"
    )


def code_sent_to(phone: str) -> str:
    msg = (
        OutboundMessage.objects.filter(recipient=phone, key__startswith="portal:code:")
        .order_by("-id")
        .first()
    )
    assert msg is not None, "no code in the outbox"
    return re.search(r"(\d{6})", msg.body).group(1)


def sign_in(client: Client, customer, phone: str | None = None) -> Client:
    phone = phone or customer.phone
    r = client.post("/portal/signin/", {"customer_no": customer.customer_no, "phone": phone})
    assert r.status_code == 302 and r["Location"] == "/portal/signin/verify/", r.content[:500]
    r = client.post("/portal/signin/verify/", {"code": code_sent_to(phone)})
    assert r.status_code == 302 and r["Location"] == "/portal/", r.content[:500]
    return client


@pytest.fixture
def portal(customer) -> Client:
    return sign_in(Client(), customer)
