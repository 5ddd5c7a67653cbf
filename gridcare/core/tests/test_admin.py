import datetime as dt

import pytest

from gridcare.core import calendar as cal
from gridcare.core.models import AuditEvent, CalendarDay


@pytest.fixture
def admin_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("root", "root@example.com", "pw-123456")
    client.force_login(user)
    return client


def test_admin_enters_next_years_holiday_and_it_is_audited(admin_client):
    day = dt.date(2031, 1, 1)
    resp = admin_client.post("/admin/core/calendarday/add/", {"date": "2031-01-01", "name": "元旦"})
    assert resp.status_code == 302, resp.content.decode()[:500]
    assert CalendarDay.objects.get(date=day).is_working is False
    assert not cal.is_working_day(day)
    ev = AuditEvent.objects.get(action="calendarday.admin_create")
    assert ev.changes["date"] == [None, "2031-01-01"]


@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/org/orgunit/",
        "/admin/grid/transformerarea/",
        "/admin/customers/customer/",
        "/admin/core/auditevent/",
    ],
)
def test_admin_pages_load(admin_client, world, url):
    assert admin_client.get(url).status_code == 200
