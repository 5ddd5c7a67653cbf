"""Property-based test of the whole REST API against its own published OpenAPI schema.

Schemathesis reads ``/api/schema/`` from the application and, for every operation, draws
requests from the schema (Hypothesis, derandomized: the same requests on every run): path
keys of real objects and made-up ones, every query parameter, bodies that fit the schema
(positive: any Unicode text, NUL included, numbers at their limits) and bodies that break
it (negative: wrong types, missing fields, values out of range). It sends them with an
administrator's token (``Authorization: Token …``) to the WSGI application over a small
seeded organisation, each request in its own savepoint. Every answer must

* not be a server error (no 5xx),
* carry a status code the schema documents for that operation,
* have the documented content type, and a body that matches the documented schema.

Every failure of every operation is collected (not only the first) and reported together
with the request to reproduce it and, for a server error, the server's traceback.

Bounded: ``EXAMPLES`` requests per operation and generation mode; past
``BUDGET_SECONDS`` the remaining operations get ``MIN_EXAMPLES`` each, so the test adds
about a minute to the suite on two cores. Runs on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import time
import traceback
from collections import Counter

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import got_request_exception, request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from gridcare.org.choices import Role

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

# Requests per operation: valid inputs (positive) and inputs the schema forbids (negative).
EXAMPLES = {GenerationMode.POSITIVE: 15, GenerationMode.NEGATIVE: 10}
MIN_EXAMPLES = 3
BUDGET_SECONDS = 70  # a safety net on a slow machine; normally all examples run in ~40 s
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def wsgi_app():
    """Django's WSGI application, sharing the test's database connection and transaction.

    A real WSGI request closes "old" database connections when it starts and ends; inside
    the test's transaction that would close the connection under the test (Django's own
    test client switches it off the same way)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def server_errors():
    """Tracebacks of the exceptions views raised (the 500 answers), for the report."""
    seen: list[str] = []

    def record(sender, request=None, **kwargs):
        seen.append(
            f"{getattr(request, 'method', '')} {getattr(request, 'path', '')}\n{traceback.format_exc()}"
        )

    got_request_exception.connect(record)
    try:
        yield seen
    finally:
        got_request_exception.disconnect(record)


def seed(world) -> dict:
    """A small organisation with one object of every kind the API exposes, in several states."""
    from django.test import TestCase
    from rest_framework.authtoken.models import Token

    from gridcare.customers.tests.factories import CustomerFactory
    from gridcare.escalation import services as esc
    from gridcare.workorders import services as wo
    from gridcare.workorders.choices import Dimension, RequestType
    from gridcare.workorders.tests.factories import make_order

    admin = world.staff(Role.ADMIN, world.company, username="fuzz_admin")
    agent = world.staff(Role.HOTLINE_AGENT, world.city)
    supervisor = world.staff(Role.SUPERVISOR, world.county_a)
    customer = CustomerFactory(area=world.area_a)
    with TestCase.captureOnCommitCallbacks(execute=True):
        make_order(agent, area=world.area_a)
        dispatched = make_order(agent, area=world.area_a, customer=customer.customer_no)
        wo.work_order_dispatch(actor=supervisor, order=dispatched, unit=world.team_a, handler=None, note="")
        complaint = make_order(
            agent,
            request_type=RequestType.COMPLAINT,
            dimension=Dimension.SERVICE_ATTITUDE,
            customer=customer.customer_no,
            description="营业员态度差",
        )
        complaint = wo.work_order_reply(actor=supervisor, order=complaint, reply="已道歉")
        esc.callback_task_ensure(order=complaint)
        esc.urge_record(actor=agent, order=dispatched, words="还没来")
        failure = esc.service_failure_record(
            actor=supervisor,
            order=complaint,
            origin="personnel",
            cause="communication",
            responsible_unit=world.station_a,
            description="沟通不畅",
        )
        esc.recovery_action_propose(
            actor=supervisor, failure=failure, kind="compensation", amount="500", compensation_kind="cash"
        )
        esc.social_supervisor_register(
            actor=supervisor, name="王监督", phone="13800001111", area="东山", unit=world.county_a
        )
        esc.notification_create_many(recipients=[admin.pk], kind="urge", text="催办")
        from django.utils import timezone

        from gridcare.outages.services import outage_create

        outage_create(
            actor=admin, kind="fault", areas=[world.area_a], cause="跳闸", started_at=timezone.now()
        )
    return {"admin": admin, "token": Token.objects.create(user=admin).key}


def path_values() -> dict[tuple[str, str], list]:
    """(collection, path parameter) → keys of real objects, so generated requests reach them."""
    from gridcare.analytics.models import PublishedReport
    from gridcare.customers.models import Customer
    from gridcare.escalation.models import CallbackTask, RecoveryAction, ServiceFailure, SocialSupervisor
    from gridcare.grid.models import Feeder, Substation, TransformerArea
    from gridcare.org.models import OrgUnit
    from gridcare.outages.models import Outage
    from gridcare.workorders.models import WorkOrder

    def ids(model):
        return list(model.objects.order_by("pk").values_list("pk", flat=True)[:5])

    orders = list(WorkOrder.objects.order_by("pk").values_list("pk", "order_no")[:5])
    return {
        ("work-orders", "key"): [no for _pk, no in orders] + [str(pk) for pk, _no in orders[:2]],
        ("customers", "customer_no"): list(Customer.objects.values_list("customer_no", flat=True)[:3]),
        ("org-units", "code"): list(OrgUnit.objects.order_by("code").values_list("code", flat=True)[:4]),
        ("feeders", "code"): list(Feeder.objects.values_list("code", flat=True)[:3]),
        ("transformer-areas", "code"): list(TransformerArea.objects.values_list("code", flat=True)[:3]),
        ("substations", "id"): ids(Substation),
        ("analysis-reports", "id"): ids(PublishedReport),
        ("service-failures", "id"): ids(ServiceFailure),
        ("recovery-actions", "id"): ids(RecoveryAction),
        ("callback-tasks", "id"): ids(CallbackTask),
        ("social-supervisors", "id"): ids(SocialSupervisor),
        ("outages", "outage_no"): list(Outage.objects.values_list("outage_no", flat=True)[:3]),
    }


def body_values() -> dict:
    """Schemathesis configuration: body and query fields that name objects (an order, a
    unit, a user, a customer, an area) take a real one's key in half of the requests."""
    from django.contrib.auth import get_user_model

    from gridcare.customers.models import Customer
    from gridcare.grid.models import TransformerArea
    from gridcare.org.models import OrgUnit
    from gridcare.workorders.models import WorkOrder

    dictionaries = {
        "orders": list(WorkOrder.objects.order_by("pk").values_list("order_no", flat=True)[:5]),
        "units": list(OrgUnit.objects.order_by("code").values_list("code", flat=True)),
        "users": list(get_user_model().objects.order_by("pk").values_list("username", flat=True)[:5]),
        "customers": list(Customer.objects.values_list("customer_no", flat=True)[:3]),
        "areas": list(TransformerArea.objects.values_list("code", flat=True)[:3]),
    }
    bindings = {
        "orders": ["body.order", "body.master"],
        "units": ["body.unit", "body.responsible_unit"],
        "users": ["body.handler"],
        "customers": ["body.customer", "query.customer"],
        "areas": ["body.area", "query.area"],
    }
    return {
        "dictionaries": {name: {"values": values} for name, values in dictionaries.items() if values},
        "parameters": {
            key: {"dictionary": name, "probability": 0.5}
            for name, keys in bindings.items()
            if dictionaries[name]
            for key in keys
        },
    }


def _strategy(operation, mode, known: dict):
    """The operation's generated requests; half of them aimed at a real object's key."""
    collection = operation.path.strip("/").split("/")[1]
    names = [p.name for p in operation.path_parameters]
    choices = [v for name in names for v in known.get((collection, name), [])]
    generated = operation.as_strategy(generation_mode=mode)
    if len(names) != 1 or not choices:
        return generated
    aimed = st.sampled_from(choices).flatmap(
        lambda value: operation.as_strategy(generation_mode=mode, path_parameters={names[0]: value})
    )
    return st.one_of(aimed, generated)


def _has_constrained_input(schema, operation) -> bool:
    """Whether a request to the operation can violate its schema (negative generation has
    something to break): a body, a query parameter or header, or a non-string path key."""
    raw = schema.raw_schema["paths"][operation.path][operation.method.lower()]
    if "requestBody" in raw:
        return True
    for parameter in raw.get("parameters", []):
        if parameter.get("in") != "path" or parameter.get("schema", {}).get("type") != "string":
            return True
    return False


def _signature(failure, server_errors) -> str:
    """What makes two failures the same problem: the check, the schema location, the exception."""
    message = str(getattr(failure, "message", "") or "")
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    where = [line for line in lines if line.startswith("Schema at")]
    parts = [type(failure).__name__, getattr(failure, "title", ""), lines[0] if lines else "", *where[:1]]
    if type(failure).__name__ == "ServerError" and server_errors:
        parts.append(server_errors[-1].strip().splitlines()[-1])
    return " | ".join(p for p in parts if p)


def _describe(exc, server_errors) -> str:
    text = str(exc).strip()
    if server_errors:
        text += "\n\nServer traceback:\n" + server_errors[-1]
    return text


def _runner(operation, mode, *, examples, strategy, app, headers, failures, counts, statuses, server_errors):
    """A Hypothesis test of one operation in one generation mode that records every failure."""

    @settings(
        max_examples=examples,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case):
        server_errors.clear()
        # Each request in its own savepoint, as each commits or rolls back on its own in
        # production: a failed one must not poison the test's transaction for the next.
        with transaction.atomic():
            response = case.call(app=app, headers=headers)
        counts[operation.label] += 1
        statuses[response.status_code] += 1
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except BaseException as exc:  # schemathesis' FailureGroup is a BaseExceptionGroup
            if isinstance(exc, KeyboardInterrupt):
                raise
            for failure in getattr(exc, "exceptions", [exc]):
                key = (operation.label, f"{mode.value}: {_signature(failure, server_errors)}")
                failures.setdefault(key, _describe(exc, server_errors))

    return run


def test_api_answers_conform_to_the_published_schema(world, wsgi_app, server_errors):
    seeded = seed(world)
    config = schemathesis.Config.from_dict(
        {
            "generation": {"with-security-parameters": False},
            "seed": 20240501,
            **body_values(),
        }
    )
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", wsgi_app, config=config)
    headers = {"Authorization": f"Token {seeded['token']}"}
    known = path_values()
    failures: dict[tuple[str, str], str] = {}
    per_operation: Counter = Counter()
    statuses: Counter = Counter()
    unsatisfiable: list[str] = []  # should stay empty: see _has_constrained_input
    started = time.monotonic()

    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 40, [op.label for op in operations]
    for operation in operations:
        for mode, examples in EXAMPLES.items():
            if mode == GenerationMode.NEGATIVE and not _has_constrained_input(schema, operation):
                continue
            over_budget = time.monotonic() - started > BUDGET_SECONDS
            run = _runner(
                operation,
                mode,
                examples=MIN_EXAMPLES if over_budget else examples,
                strategy=_strategy(operation, mode, known),
                app=wsgi_app,
                headers=headers,
                failures=failures,
                counts=per_operation,
                statuses=statuses,
                server_errors=server_errors,
            )
            try:
                run()
            except Unsatisfiable:  # nothing in this operation's input can be made invalid
                unsatisfiable.append(f"{operation.label} ({mode.value})")

    elapsed = time.monotonic() - started
    total = sum(per_operation.values())
    print(
        f"\nAPI fuzz: {total} requests over {len(operations)} operations in {elapsed:.1f}s; "
        f"status codes {dict(sorted(statuses.items()))}; no invalid input possible: {unsatisfiable}"
    )
    assert total >= len(operations) * MIN_EXAMPLES
    report = "\n\n".join(f"=== {label} [{what}]\n{text}" for (label, what), text in sorted(failures.items()))
    assert not failures, f"{len(failures)} distinct failures:\n\n{report}"
