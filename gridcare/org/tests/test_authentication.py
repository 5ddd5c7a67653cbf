"""The user, their staff profile and unit arrive in one query, by token and by session."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from gridcare.org.choices import Role
from gridcare.org.selectors import user_scope_path

pytestmark = pytest.mark.django_db


def test_token_authentication_loads_staff_and_unit_with_the_user(world):
    from gridcare.org.authentication import StaffTokenAuthentication

    agent = world.staff(Role.HOTLINE_AGENT, world.county_a)
    token = Token.objects.create(user=agent)
    with CaptureQueriesContext(connection) as ctx:
        user, _ = StaffTokenAuthentication().authenticate_credentials(token.key)
        path = user_scope_path(user)
    assert path == world.county_a.path
    assert len(ctx.captured_queries) == 1


def test_bad_or_inactive_token_is_refused(world):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token nope")
    assert client.get("/api/customers/").status_code == 401
    agent = world.staff(Role.HOTLINE_AGENT, world.county_a)
    token = Token.objects.create(user=agent)
    agent.is_active = False
    agent.save()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    res = client.get("/api/customers/")
    assert res.status_code == 401


def test_session_user_comes_with_staff_profile(world, client):
    from django.contrib.auth import get_user

    agent = world.staff(Role.HOTLINE_AGENT, world.county_a)
    client.force_login(agent)
    request = type("R", (), {"session": client.session})()
    with CaptureQueriesContext(connection) as ctx:
        user = get_user(request)
        assert user.staff.unit == world.county_a
    # the session row, then the user with staff profile and unit
    assert user.pk == agent.pk and len(ctx.captured_queries) == 2


def test_user_without_staff_profile_still_signs_in(db, client):
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("root", password="pw-123456789")
    client.force_login(admin)
    assert client.get("/").status_code == 200
