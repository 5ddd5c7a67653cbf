import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from gridcare.org.choices import Role


@pytest.mark.django_db
def test_openapi_schema_validates(tmp_path):
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    assert "/api/customers/" in text and "/api/transformer-areas/" in text


@pytest.mark.django_db
def test_docs_served_offline(client):
    resp = client.get("/api/docs/")
    assert resp.status_code == 200
    assert "cdn" not in resp.content.decode().lower()


def test_token_command_and_token_auth(world, capsys):
    user = world.staff(Role.SUPERVISOR, world.city, username="sup")
    call_command("token", "sup")
    key = capsys.readouterr().out.strip()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    resp = api.get("/api/org-units/")
    assert resp.status_code == 200
    codes = {u["code"] for u in resp.json()["results"]}
    assert "NJ" in codes and "JS" not in codes  # own unit and below only
    call_command("token", "sup")
    assert capsys.readouterr().out.strip() == key
    assert user.auth_token.key == key


@pytest.mark.django_db
def test_anonymous_api_is_refused():
    assert APIClient().get("/api/customers/").status_code in (401, 403)
