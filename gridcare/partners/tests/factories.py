"""Helpers for partner tests: an admin, a partner and keys made through the services."""

from __future__ import annotations

from gridcare.org.choices import Role
from gridcare.partners import services
from gridcare.partners.choices import Endpoint

BOTH = [Endpoint.OPEN311_READ, Endpoint.OPEN311_POST]


def admin_of(world):
    return world.staff(Role.ADMIN, world.company)


def make_partner(admin, unit, name="市政务服务热线 12345", **kwargs):
    return services.partner_create(actor=admin, name=name, unit=unit, **kwargs)


def make_key(admin, partner, units=None, endpoints=None, **kwargs):
    return services.api_key_issue(
        actor=admin,
        partner=partner,
        units=units if units is not None else [partner.unit],
        endpoints=endpoints if endpoints is not None else BOTH,
        **kwargs,
    )


def order_in(actor, area, description="小区整片停电，请尽快抢修", **kwargs):
    from gridcare.workorders.services import work_order_create

    kwargs.setdefault("channel", "hotline")
    kwargs.setdefault("request_type", "fault_repair")
    kwargs.setdefault("dimension", "supply_reliability")
    return work_order_create(actor=actor, area=area, description=description, **kwargs)
