"""The README's "From an empty database": exactly its commands, on an empty database, then an
imported dispatcher sets their password through their link, signs in and sees their scope."""

from __future__ import annotations

import io
import re
import shlex
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from gridcare.customers.models import Customer
from gridcare.grid.models import TransformerArea
from gridcare.org.models import OrgUnit, StaffProfile
from gridcare.workorders.models import WorkOrder

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
SEQUENCE = [
    "migrate",
    "import org",
    "import staff",
    "import grid",
    "import customers",
    "import work-orders",
    "serve",
]


def readme_commands() -> list[list[str]]:
    """The `gridcare …` lines of the README section "From an empty database"."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## From an empty database", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```bash\n(.*?)```", section, re.S).group(1)
    return [shlex.split(line)[1:] for line in block.splitlines() if line.startswith("gridcare ")]


def test_the_readme_sequence_runs_on_an_empty_database():
    assert not OrgUnit.objects.exists() and not StaffProfile.objects.exists()
    commands = readme_commands()
    assert [" ".join(c[:2]) if c[0] == "import" else c[0] for c in commands] == SEQUENCE
    printed: dict[str, str] = {}
    for command in commands:
        if command[0] == "serve":
            continue  # the test client stands in for the server
        out = io.StringIO()
        if command[0] == "import":
            kind, file = command[1], command[2]
            assert file.startswith("docs/examples/")
            call_command("import", kind, str(ROOT / file), no_progress=True, stdout=out)
            assert "导入成功" in out.getvalue(), (kind, out.getvalue())
            printed[kind] = out.getvalue()
        else:
            call_command(*command, verbosity=0, stdout=out)
    assert OrgUnit.objects.filter(code="QH0101", path="/QH/QH01/QH0101/").exists()
    assert TransformerArea.objects.count() == 4 and Customer.objects.count() == 4
    assert WorkOrder.objects.count() == 4

    # Every new account got a link; the dispatcher of the county QH01 takes theirs.
    links = dict(re.findall(r"^(\w+)（.*?）设置密码：(http://\S+)", printed["staff"], re.M))
    assert set(links) == set(StaffProfile.objects.values_list("user__username", flat=True))
    client = Client()
    res = client.get(links["liqiang"].removeprefix("http://127.0.0.1:8000"))
    assert res.status_code == 302
    res = client.post(res["Location"], {"new_password1": "qinghe-2027!", "new_password2": "qinghe-2027!"})
    assert res.status_code == 302
    res = client.post("/login/", {"username": "liqiang", "password": "qinghe-2027!"})
    assert res.status_code == 302 and res["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200 and "李强" in home.content.decode()

    # Their scope: the county QH01's customers and orders, not those of the county QH02.
    customers = client.get("/customers/").content.decode()
    assert "周建华" in customers and "柳林村村民委员会" in customers
    assert "王集镇养殖场" not in customers
    orders = client.get("/work-orders/?status=archived").content.decode()
    assert "H2025000001" in orders and "H2025000004" not in orders
    assert client.get("/customers/3302000001/").status_code == 404
