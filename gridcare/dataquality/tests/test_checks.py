"""Each check finds a planted problem and leaves a clean record alone."""

from decimal import Decimal

import pytest

from gridcare.dataquality import checks
from gridcare.grid.tests.factories import TransformerAreaFactory

from .conftest import clean_customer

pytestmark = pytest.mark.django_db


def keys(found) -> set[str]:
    return set(found)


def test_clean_records_raise_nothing(world, clean):
    world.area_b.capacity_kva = Decimal("400")
    for name, check in checks.CHECKS.items():
        assert check() == {}, name


@pytest.mark.parametrize(
    "phone, phone2, found",
    [
        ("", "", True),
        ("12345", "", True),
        ("1391234567", "", True),  # 10 digits
        ("0000000", "abc", True),
        ("13912345678", "", False),
        ("+8613912345678", "", False),
        ("025-84561234", "", False),
        ("0514-81234567", "", False),
        ("02584561234", "", False),
        ("", "15851234567", False),  # the second phone reaches them
        ("025-84561234-802", "", False),
    ],
)
def test_reachable_phone(world, phone, phone2, found):
    c = clean_customer(world, "3510000001", phone=phone, phone2=phone2)
    result = checks.no_reachable_phone()
    assert (f"c{c.pk}" in result) is found
    if found:
        assert result[f"c{c.pk}"].station_id == world.station_a.pk
        assert phone not in str(result[f"c{c.pk}"].details) or not phone  # masked


def test_duplicates_by_id_phone_and_name_with_address(world, clean):
    a = clean_customer(world, "3520000001", id_number="321002198506150021")
    b = clean_customer(world, "3520000002", id_number="321002198506150021", area=world.area_b)
    c = clean_customer(world, "3520000003", phone=a.phone)
    d = clean_customer(world, "3520000004", name="张三", address="江苏省南京市东山街道 1号")
    e = clean_customer(world, "3520000005", name="张 三", address="江苏省南京市东山街道1号")
    clean_customer(
        world, "3520000006", name="李四", address="江苏省南京市东山街道1号"
    )  # same address, other name
    ids = checks.duplicate_id_number()
    assert len(ids) == 1
    (only,) = ids.values()
    assert only.customer_id == a.pk and only.details["params"] == {"others": b.customer_no, "n": 2}
    assert "321002" not in next(iter(ids))  # no ID number in the key
    phones = checks.duplicate_phone()
    assert [d_.customer_id for d_ in phones.values()] == [a.pk] and c.customer_no in str(phones)
    addresses = checks.duplicate_address()
    assert [d_.customer_id for d_ in addresses.values()] == [d.pk]
    assert e.customer_no in next(iter(addresses.values())).details["params"]["others"]


def test_keys_are_stable_between_runs(world):
    clean_customer(world, "3530000001", id_number="X1")
    clean_customer(world, "3530000002", id_number="X1")
    assert keys(checks.duplicate_id_number()) == keys(checks.duplicate_id_number())


def test_address_tokens():
    assert checks.area_tokens("东关翠岗花园3号台区", "东关供电所", "广陵区供电公司") == (
        "翠岗花园",
        "东关",
        "广陵区",
    )
    assert checks.area_tokens("仙女张庄村12号台区", "仙女供电所", "江都区供电公司") == (
        "张庄村",
        "仙女",
        "江都区",
    )
    assert checks.area_tokens("1号台区", "X供电所", "") == ()


def test_address_not_matching_the_area(world, clean):
    wrong = clean_customer(world, "3540000001", address="上海市浦东新区世纪大道100号")
    county_only = clean_customer(world, "3540000002", address="江苏省南京市江宁区双龙大道1号")
    found = checks.address_area_mismatch()
    assert keys(found) == {f"c{wrong.pk}"}
    assert found[f"c{wrong.pk}"].details["params"]["area"] == world.area_a.name
    assert county_only.pk  # the county's name is enough


def test_low_voltage_capacity_over_the_transformer(world, clean):
    over = clean_customer(world, "3550000001", capacity_kva=Decimal("500"))  # area: 400 kVA
    clean_customer(
        world, "3550000002", capacity_kva=Decimal("800"), voltage_kv=Decimal("10")
    )  # own transformer
    found = checks.capacity_over_transformer()
    assert keys(found) == {f"c{over.pk}"}
    assert found[f"c{over.pk}"].details["params"]["area_capacity"] == "400.0"


def test_areas_without_customers(world, clean):
    empty = TransformerAreaFactory(station=world.station_b, name="雄州空3号台区")
    found = checks.area_without_customers()
    assert keys(found) == {f"a{empty.pk}"}
    assert (
        found[f"a{empty.pk}"].station_id == world.station_b.pk and found[f"a{empty.pk}"].customer_id is None
    )
