from decimal import Decimal

import factory

from gridcare.grid.choices import AreaClass
from gridcare.grid.models import Feeder, Substation, TransformerArea
from gridcare.org.choices import UnitKind
from gridcare.org.tests.factories import OrgUnitFactory


class SubstationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Substation
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"城东{n}号变电站")


class FeederFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Feeder

    code = factory.Sequence(lambda n: f"F{n:05d}")
    name = factory.Sequence(lambda n: f"10kV东{n}线")
    substation = factory.SubFactory(SubstationFactory)


class TransformerAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TransformerArea

    code = factory.Sequence(lambda n: f"TA{n:06d}")
    name = factory.Sequence(lambda n: f"幸福小区{n}号台区")
    feeder = factory.SubFactory(FeederFactory)
    station = factory.SubFactory(OrgUnitFactory, kind=UnitKind.STATION)
    capacity_kva = Decimal("400")
    area_class = AreaClass.URBAN
