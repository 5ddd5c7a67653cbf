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


def test_a_field_named_detail_is_reported_like_any_field(world):
    """The error body's ``detail`` is always the summary; a serializer field that happens to
    be called ``detail`` reports its problem under ``errors`` (found by the API fuzzer on
    supervision's violations)."""
    from rest_framework.test import APIClient

    from gridcare.org.choices import Role

    api = APIClient()
    api.force_authenticate(world.staff(Role.SUPERVISOR, world.company))
    r = api.post("/api/supervision/violations/", {"detail": "长" * 1001}, format="json")
    assert r.status_code == 400
    body = r.json()
    assert isinstance(body["detail"], str) and body["code"] == "invalid"
    assert "detail" in body["errors"]
