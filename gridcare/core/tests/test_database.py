import pytest
from django.db import connection

from gridcare.org.models import OrgUnit


@pytest.mark.django_db
def test_repeated_statements_are_prepared_on_postgresql():
    """A request's reads are planned once per connection, not once per execution."""
    if connection.vendor != "postgresql":
        assert connection.settings_dict["OPTIONS"].get("server_side_binding") is None
        return
    for code in ("A", "B", "C"):
        list(OrgUnit.objects.filter(code=code).select_related("parent"))
    with connection.cursor() as cur:
        cur.execute("SELECT statement FROM pg_prepared_statements")
        statements = [row[0] for row in cur.fetchall()]
    assert any("org_orgunit" in s and "$1" in s for s in statements), statements
