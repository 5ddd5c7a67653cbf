"""A real Open311 client against a running GridCare: the ``georeport`` package (PyPI) lists
services and requests in JSON and XML — the key goes in the base URL as HTTP Basic
credentials, since the client sends no ``api_key`` on reads — and a plain HTTP client POSTs
a request form-encoded, which the client then reads back."""

from __future__ import annotations

import pytest
import requests
from georeport import GeoReport

from gridcare.partners.models import PartnerCall
from gridcare.workorders.models import WorkOrder

from .factories import admin_of, make_key, make_partner, order_in


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_georeport_client_lists_services_and_requests(world, live_server, monkeypatch):
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    admin = admin_of(world)
    partner = make_partner(admin, world.county_a)
    _key, secret = make_key(admin, partner)
    existing = order_in(admin, world.area_a)
    order_in(admin, world.area_b, description="别县的停电")  # out of the key's scope

    host = live_server.url.split("://", 1)[1]
    root = f"http://apikey:{secret}@{host}/open311/v2"

    # POST through a plain HTTP client, form-encoded, with the spec's api_key field
    posted = requests.post(
        f"http://{host}/open311/v2/requests.json",
        data={
            "api_key": secret,
            "jurisdiction_id": "gridcare.example",
            "service_code": "safety-hazard",
            "description": "小区门口电杆倾斜，电线下垂",
            "address_string": "江宁区东山街道上元大街88号",
        },
        timeout=30,
    )
    assert posted.status_code == 201, posted.text
    number = posted.json()[0]["service_request_id"]
    order = WorkOrder.objects.get(order_no=number)
    assert (order.request_type, order.dimension, order.channel) == ("fault_repair", "supply_safety", "web")

    for fmt in ("json", "xml"):
        client = GeoReport(root, jurisdiction="gridcare.example", output_format=fmt)
        services = client.get_service_list()
        codes = [s["service_code"] for s in services]
        assert "outage" in codes and "safety-hazard" in codes
        definition = client.get_service_definition("outage")
        assert definition["service_code"] == "outage"
        listed = client.get_service_requests()
        listed = listed if isinstance(listed, list) else [listed]
        assert sorted(r["service_request_id"] for r in listed) == sorted([existing.order_no, number])
        assert {r["status"] for r in listed} == {"open"}
        one = client.get_service_request(number)
        assert one["service_code"] == "safety-hazard" and one["address"] == "江宁区东山街道上元大街88号"
        hazards = client.get_service_requests(service_code="safety-hazard", status="open")
        hazards = hazards if isinstance(hazards, list) else [hazards]
        assert [r["service_request_id"] for r in hazards] == [number]

    # without the key the client is refused
    with pytest.raises(requests.HTTPError) as exc:
        GeoReport(f"http://{host}/open311/v2").get_service_list()
    assert exc.value.response.status_code == 401
    assert PartnerCall.objects.filter(status=200).count() >= 10
    assert PartnerCall.objects.filter(status=401).count() == 1
