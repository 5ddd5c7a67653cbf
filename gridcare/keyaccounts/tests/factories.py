"""Helpers for key-account tests: key customers, packages, a PDF."""

from __future__ import annotations

from decimal import Decimal

from gridcare.customers.tests.factories import CustomerFactory
from gridcare.keyaccounts.models import ServicePackage

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def key_customer(area, **kwargs):
    kwargs.setdefault("voltage_kv", Decimal("10"))
    kwargs.setdefault("capacity_kva", Decimal("800"))
    kwargs.setdefault("category", "hv_single")
    kwargs.setdefault("tariff", "大工业")
    return CustomerFactory(area=area, **kwargs)


def package(code="PLUS") -> ServicePackage:
    return ServicePackage.objects.get(code=code)
