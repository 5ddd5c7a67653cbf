import pytest
from rest_framework.test import APIClient
from gridcare.org.choices import Role

pytestmark = pytest.mark.django_db

@pytest.mark.parametrize("q", [
    "created_after=0001-01-01T00:00:00", "created_after=0001-01-01", "created_before=9999-12-31T23:59:59",
    "created_after=9999-12-31T23:59:59%2B14:00", "created_after=0001-01-01T00:00:00-12:00", "created_after=abc",
    "due_before=10000-01-01", "page=99999999999999999999", "page_size=99999999999999999999", "priority=99999999999999999999",
    "created_after=2024-02-30", "q=%00", "customer=%C2%B2",
])
def test_q(world, q):
    admin = world.staff(Role.ADMIN, world.company)
    c = APIClient(); c.force_authenticate(admin)
    r = c.get(f"/api/work-orders/?{q}")
    print(q, r.status_code, r.content[:200])
    assert r.status_code < 500

@pytest.mark.parametrize("q", ["created_after=0001-01-01T00:00:00", "created_after=0001-01-01","created_before=9999-12-31T23:59:59-12:00", "created_after=2024-01-01"])
def test_ui(world, q):
    from django.test import Client
    admin = world.staff(Role.ADMIN, world.company)
    c = Client(); c.force_login(admin)
    r = c.get(f"/work-orders/?{q}")
    assert r.status_code == 200
