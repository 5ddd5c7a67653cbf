"""Moving a unit rewrites every path below it and every copied path, in one transaction."""

import pytest
from django.test import Client

from gridcare.core.errors import ApplicationError, PermissionDeniedError
from gridcare.core.models import AuditEvent
from gridcare.org.choices import Role, UnitKind
from gridcare.org.models import OrgUnit
from gridcare.org.services import org_unit_move
from gridcare.org.tests.factories import OrgUnitFactory
from gridcare.workorders.models import WorkOrder
from gridcare.workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db


def test_move_rewrites_descendants_and_scoped_rows(world):
    admin = world.staff(Role.ADMIN, world.company)
    agent = world.staff(Role.HOTLINE_AGENT, world.station_a)
    order = make_order(agent, area=world.area_a)
    supervisor_b = world.staff(Role.SUPERVISOR, world.county_b)
    assert not WorkOrder.objects.visible_to(supervisor_b).filter(pk=order.pk).exists()

    org_unit_move(actor=admin, unit=world.station_a, new_parent=world.county_b)

    station = OrgUnit.objects.get(pk=world.station_a.pk)
    team = OrgUnit.objects.get(pk=world.team_a.pk)
    assert station.parent_id == world.county_b.pk
    assert station.path == "/JS/NJ/NJ02/NJ0101/" and team.path == "/JS/NJ/NJ02/NJ0101/NJ010101/"
    order.refresh_from_db()
    assert order.unit_path.startswith("/JS/NJ/NJ02/NJ0101/")
    assert order.accepted_path.startswith("/JS/NJ/NJ02/NJ0101/")
    # Scope follows: the county B supervisor now sees the station's order, county A's does not.
    fresh_b = type(supervisor_b).objects.get(pk=supervisor_b.pk)
    assert WorkOrder.objects.visible_to(fresh_b).filter(pk=order.pk).exists()
    supervisor_a = world.staff(Role.SUPERVISOR, world.county_a)
    assert not WorkOrder.objects.visible_to(supervisor_a).filter(pk=order.pk).exists()
    assert AuditEvent.objects.filter(action="org.unit_move", object_id=str(station.pk)).exists()
    assert not AuditEvent.objects.filter(unit_path__startswith="/JS/NJ/NJ01/NJ0101/").exists()


def test_move_refuses_cycles_and_non_admins(world):
    admin = world.staff(Role.ADMIN, world.company)
    with pytest.raises(ApplicationError):
        org_unit_move(actor=admin, unit=world.county_a, new_parent=world.team_a)
    with pytest.raises(PermissionDeniedError):
        org_unit_move(
            actor=world.staff(Role.SUPERVISOR, world.city), unit=world.station_a, new_parent=world.county_b
        )


def test_saving_a_moved_unit_directly_is_refused(world):
    unit = OrgUnit.objects.get(pk=world.station_a.pk)
    unit.parent = world.county_b
    with pytest.raises(ValueError):
        unit.save()
    new = OrgUnitFactory(code="NJ0102", kind=UnitKind.STATION, parent=world.county_a)
    assert new.path == "/JS/NJ/NJ01/NJ0102/"


def test_admin_edits_cannot_change_code_or_parent_and_the_move_page_works(world):
    admin = world.staff(Role.ADMIN, world.company)
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client = Client()
    client.force_login(admin)
    page = client.get(f"/admin/org/orgunit/{world.station_a.pk}/change/").content.decode()
    assert 'name="parent"' not in page and 'name="code"' not in page
    assert f"/admin/org/orgunit/{world.station_a.pk}/move/" in page
    response = client.post(
        f"/admin/org/orgunit/{world.station_a.pk}/move/", {"new_parent": world.county_b.pk}
    )
    assert response.status_code == 302
    assert OrgUnit.objects.get(pk=world.station_a.pk).path == "/JS/NJ/NJ02/NJ0101/"
