import pytest

from gridcare.core.models import AuditEvent
from gridcare.escalation.models import EscalationSetting, WarningLevel
from gridcare.workorders.models import PolicySetting

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("root", "root@example.com", "pw-123456")
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/admin/escalation/warninglevel/",
        "/admin/escalation/callbackrule/",
        "/admin/escalation/authoritylimit/",
        "/admin/escalation/escalationsetting/",
        "/admin/workorders/commitmentrule/",
        "/admin/workorders/policysetting/",
    ],
)
def test_configuration_admin_pages_load(admin_client, url):
    assert admin_client.get(url).status_code == 200


def test_warning_level_edit_is_audited(admin_client):
    level = WarningLevel.objects.get(code="warn80")
    resp = admin_client.post(
        f"/admin/escalation/warninglevel/{level.pk}/change/",
        {"code": "warn80", "name": level.name, "percent": "75", "escalate": "", "active": "on"},
    )
    assert resp.status_code == 302, resp.content.decode()[:500]
    event = AuditEvent.objects.get(action="warninglevel.admin_update")
    assert event.changes == {"percent": [80, 75]}


def test_setting_edits_are_audited(admin_client):
    setting = EscalationSetting.objects.get(key=EscalationSetting.CALLBACK_MAX_DAYS)
    resp = admin_client.post(
        f"/admin/escalation/escalationsetting/{setting.pk}/change/",
        {"key": setting.key, "value": "10", "description": setting.description},
    )
    assert resp.status_code == 302
    assert AuditEvent.objects.get(action="escalationsetting.admin_update").changes == {"value": [14, 10]}
    policy, _ = PolicySetting.objects.update_or_create(
        key=PolicySetting.MERGE_WINDOW_MINUTES, defaults={"value": 120}
    )
    resp = admin_client.post(
        f"/admin/workorders/policysetting/{policy.pk}/change/",
        {"key": policy.key, "value": "60", "description": policy.description},
    )
    assert resp.status_code == 302
    assert AuditEvent.objects.get(action="policysetting.admin_update").changes == {"value": [120, 60]}
