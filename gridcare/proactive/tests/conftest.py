import pytest

from gridcare.customers.tests.factories import CustomerFactory
from gridcare.org.choices import Role

from .factories import make_meter


@pytest.fixture
def meters(world):
    """County A: a due meter, an old box, a fine meter; county B: a due meter."""
    a1 = CustomerFactory(customer_no="3200000001", area=world.area_a, phone="13900000001")
    a2 = CustomerFactory(customer_no="3200000002", area=world.area_a, phone="025-84561234", phone2="")
    a3 = CustomerFactory(customer_no="3200000003", area=world.area_a)
    b1 = CustomerFactory(customer_no="3200000004", area=world.area_b)
    return {
        "due": make_meter(a1, "MA1", years=9),
        "box": make_meter(a2, "MA2", years=2, box="damaged"),
        "fine": make_meter(a3, "MA3", years=3, box="good"),
        "other": make_meter(b1, "MB1", years=10),
        "customers": (a1, a2, a3, b1),
    }


@pytest.fixture
def manager(world):
    return world.staff(Role.CUSTOMER_MANAGER, unit=world.county_a, username="cm_a")


@pytest.fixture
def admin(world):
    return world.staff(Role.ADMIN, unit=world.company, username="admin_all")
