"""A run raises new problems, refreshes those still there and closes those gone (recorded
as such), idempotently; a finding is assigned, resolved or dismissed like any task, with
permissions, scope, versions and the transition table."""

import pytest

from gridcare.core.errors import ApplicationError, ConflictError, PermissionDeniedError
from gridcare.core.models import AuditEvent
from gridcare.dataquality import services
from gridcare.dataquality.choices import FindingStatus
from gridcare.dataquality.models import CheckRun, CheckRunStat, DataQualityCheck, Finding
from gridcare.org.choices import Role

from .conftest import clean_customer


@pytest.fixture
def problems(world, clean):
    return {
        "no_phone": clean_customer(world, "3600000001", phone=""),
        "no_phone_b": clean_customer(world, "3600000002", phone="", area=world.area_b),
    }


def active(code="no_reachable_phone"):
    return Finding.objects.filter(code=code, status__in=["open", "assigned"])


def test_a_run_is_idempotent(problems):
    first = services.data_quality_run()
    assert first.counts["no_reachable_phone"] == {"found": 2, "new": 2, "closed": 0}
    second = services.data_quality_run()
    assert second.counts["no_reachable_phone"] == {"found": 2, "new": 0, "closed": 0}
    assert active().count() == 2
    f = active().get(customer=problems["no_phone"])
    assert (f.first_run, f.last_run) == (first, second) and f.last_seen_at == second.started_at
    assert CheckRunStat.objects.filter(run=second, code="no_reachable_phone").count() == 2  # one per station
    assert AuditEvent.objects.filter(action="dataquality.run").count() == 2


def test_a_problem_that_is_gone_closes_itself(problems):
    services.data_quality_run()
    c = problems["no_phone"]
    c.phone = "13900001111"
    c.save()
    run = services.data_quality_run()
    f = Finding.objects.get(customer=c)
    assert (f.status, f.auto_closed, f.closed_by, f.last_run) == ("resolved", True, None, run)
    assert run.counts["no_reachable_phone"]["closed"] == 1


def test_resolved_but_still_there_is_raised_again_dismissed_is_not(problems, supervisor):
    services.data_quality_run()
    f = active().get(customer=problems["no_phone"])
    services.finding_resolve(actor=supervisor, finding=f, note="已补录")
    services.data_quality_run()
    again = active().get(customer=problems["no_phone"])
    assert again.pk != f.pk and Finding.objects.filter(customer=problems["no_phone"]).count() == 2
    services.finding_dismiss(actor=supervisor, finding=again, note="客户拒绝提供电话")
    services.data_quality_run()
    assert not active().filter(customer=problems["no_phone"]).exists()


def test_a_disabled_check_leaves_its_findings(problems):
    services.data_quality_run()
    DataQualityCheck.objects.filter(code="no_reachable_phone").update(enabled=False)
    run = services.data_quality_run()
    assert "no_reachable_phone" not in run.counts and active().count() == 2


def test_assign_resolve_dismiss_lifecycle(world, problems, supervisor, manager):
    services.data_quality_run()
    f = active().get(customer=problems["no_phone"])
    with pytest.raises(ConflictError):
        services.finding_assign(actor=supervisor, finding=f, assignee=manager, expected_version=f.version + 1)
    f = services.finding_assign(actor=supervisor, finding=f, assignee=manager, expected_version=f.version)
    assert (f.status, f.assignee) == (FindingStatus.ASSIGNED, manager)
    with pytest.raises(ApplicationError) as exc:
        services.finding_dismiss(actor=manager, finding=f, note="")
    assert exc.value.field == "note"
    f = services.finding_resolve(actor=manager, finding=f, note="已补录手机号")
    assert (f.status, f.closed_by, f.note, f.auto_closed) == ("resolved", manager, "已补录手机号", False)
    with pytest.raises(ConflictError):
        services.finding_assign(actor=supervisor, finding=f, assignee=manager)
    actions = list(
        AuditEvent.objects.filter(object_type="dataquality.finding")
        .values_list("action", flat=True)
        .order_by("pk")
    )
    assert actions == ["finding.assign", "finding.resolve"]


def test_permissions_and_scope(world, problems, supervisor, manager):
    services.data_quality_run()
    mine = active().get(customer=problems["no_phone"])
    theirs = active().get(customer=problems["no_phone_b"])
    with pytest.raises(PermissionDeniedError):
        services.finding_assign(actor=manager, finding=mine, assignee=manager)  # managers do not hand out
    with pytest.raises(PermissionDeniedError):
        services.finding_resolve(actor=supervisor, finding=theirs)  # another county
    with pytest.raises(ApplicationError):  # an inspector may look, not work
        services.finding_assign(actor=supervisor, finding=mine, assignee=world.staff(Role.QUALITY_INSPECTOR))
    other = world.staff(Role.CUSTOMER_MANAGER, unit=world.county_b)
    with pytest.raises(ApplicationError) as exc:
        services.finding_assign(actor=supervisor, finding=mine, assignee=other)
    assert exc.value.field == "assignee"
    with pytest.raises(PermissionDeniedError):
        services.data_quality_run(actor=supervisor)


def test_bulk_assign_skips_what_either_side_cannot_see(world, problems, supervisor, manager, admin):
    services.data_quality_run()
    ids = list(active().values_list("pk", flat=True))
    assert services.findings_assign_bulk(actor=supervisor, ids=ids, assignee=manager) == {
        "assigned": 1,
        "skipped": 1,
    }
    assert services.findings_assign_bulk(actor=admin, ids=ids, assignee=manager) == {
        "assigned": 1,
        "skipped": 1,
    }
    assert active().filter(assignee=manager).count() == 1
    with pytest.raises(ApplicationError):
        services.findings_assign_bulk(actor=admin, ids=list(range(1, 600)), assignee=manager)


def test_the_nightly_job_runs_the_checks(problems):
    from gridcare.dataquality.tasks import nightly_checks_job

    result = nightly_checks_job()
    assert result["no_reachable_phone"] == 2 and CheckRun.objects.get().trigger == "nightly"
