from decimal import Decimal

import pytest

from gridcare.customers.tests.factories import CustomerFactory
from gridcare.org.choices import Role


def clean_customer(world, no: str, **kw):
    """A customer whose record passes every check (address names the area's place)."""
    area = kw.pop("area", world.area_a)
    town = "东山" if area == world.area_a else "雄州"
    defaults = {
        "customer_no": no,
        "name": f"客户{no}",
        "phone": f"139{no[-8:]}",
        "address": f"江苏省南京市{town}街道{no[-3:]}号",
        "area": area,
        "capacity_kva": Decimal("8"),
    }
    defaults.update(kw)
    return CustomerFactory(**defaults)


@pytest.fixture
def clean(world):
    return [clean_customer(world, f"350000000{i}") for i in range(1, 4)] + [
        clean_customer(world, "3500000009", area=world.area_b)
    ]


@pytest.fixture
def supervisor(world):
    return world.staff(Role.SUPERVISOR, unit=world.county_a, username="sup_a")


@pytest.fixture
def manager(world):
    return world.staff(Role.CUSTOMER_MANAGER, unit=world.county_a, username="cm_a")


@pytest.fixture
def admin(world):
    return world.staff(Role.ADMIN, unit=world.company, username="admin_all")
