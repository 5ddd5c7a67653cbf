from decimal import Decimal

import factory

from gridcare.customers.choices import CustomerCategory
from gridcare.customers.models import Customer
from gridcare.grid.tests.factories import TransformerAreaFactory


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    customer_no = factory.Sequence(lambda n: f"31{n:08d}")
    name = factory.Sequence(lambda n: f"王{n}")
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    address = factory.Sequence(lambda n: f"江苏省南京市玄武区中山路{n}号")
    area = factory.SubFactory(TransformerAreaFactory)
    station = factory.LazyAttribute(lambda o: o.area.station)
    category = CustomerCategory.RESIDENTIAL
    tariff = "居民生活用电"
    voltage_kv = Decimal("0.22")
    capacity_kva = Decimal("8")
