"""What the pages and API offer (``selectors.allowed_actions``) is exactly what the services
accept, for every role and every state of an application."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.utils import timezone

from gridcare.applications import selectors, services
from gridcare.core.errors import ApplicationError
from gridcare.org.choices import Role

from .factories import accept, at, complete, receive_all

pytestmark = pytest.mark.django_db


class _Rollback(Exception):
    pass


def _accepts(run) -> bool:
    try:
        with transaction.atomic():
            run()
            raise _Rollback
    except _Rollback:
        return True
    except ApplicationError:
        return False


def _runs(user, app, admin):
    def stage():
        if app.current_stage_id is not None:
            receive_all(admin, app)
        seq = app.current_stage.seq if app.current_stage_id else 1
        services.application_stage_complete(actor=user, application=app, stage=seq)

    return {
        "complete_stage": stage,
        "pause": lambda: services.application_pause(actor=user, application=app, reason="等客户"),
        "resume": lambda: services.application_resume(actor=user, application=app),
        "terminate": lambda: services.application_terminate(actor=user, application=app, reason="撤回"),
        "home_visit": lambda: services.home_visit_book(
            actor=user, application=app, date=timezone.localdate(), window="morning"
        ),
        "follow_up": lambda: services.process_follow_up_record(
            actor=user, application=app, reason="r", reply="y"
        ),
    }


def test_offered_equals_accepted(world):
    admin = world.staff(Role.ADMIN, world.company)
    clerk = world.staff(Role.COUNTER_CLERK, world.county_a)
    users = [clerk] + [
        world.staff(
            role, world.station_a if role in (Role.REPAIR_CREW, Role.CUSTOMER_MANAGER) else world.county_a
        )
        for role in Role.values
        if role != Role.COUNTER_CLERK
    ]
    fresh = accept(clerk, unit=world.station_a)
    survey = accept(clerk, unit=world.station_a)
    complete(clerk, survey)
    waiting = accept(clerk, unit=world.station_a)
    services.application_pause(actor=clerk, application=waiting, reason="等客户")
    ended = accept(clerk, unit=world.station_a)
    services.application_terminate(actor=clerk, application=ended, reason="撤回")
    stalled = accept(clerk, unit=world.station_a, now=at(2026, 1, 5))
    checked = 0
    for app in (fresh, survey, waiting, ended, stalled):
        app = selectors.application_get(admin, app.pk)
        for user in users:
            offered = set(selectors.allowed_actions(user, app))
            for action, run in _runs(user, app, admin).items():
                assert (action in offered) == _accepts(run), (user.staff.role, app.status, action)
                checked += 1
    assert checked == 5 * len(users) * 6
