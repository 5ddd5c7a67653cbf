"""Helpers for applications tests: an application accepted through the service, documents
received, stages walked."""

from __future__ import annotations

import datetime as dt

from gridcare.applications import services
from gridcare.applications.models import ApplicationStage
from gridcare.core.calendar import local_tz


def at(y, m, d, h=10, mi=0) -> dt.datetime:
    return dt.datetime(y, m, d, h, mi, tzinfo=local_tz())


def accept(actor, customer=None, **kwargs):
    kwargs.setdefault("kind", "new_connection")
    kwargs.setdefault("channel", "counter")
    if customer is None:
        kwargs.setdefault("category", "residential")
        kwargs.setdefault("applicant_name", "张晓明")
        kwargs.setdefault("applicant_phone", "13905190001")
        kwargs.setdefault("applicant_address", "南京市江宁区东山街道竹山路18号")
    return services.application_accept(actor=actor, customer=customer, **kwargs)


def receive_all(actor, app, now=None):
    stage = ApplicationStage.objects.get(pk=app.current_stage_id)
    for name in stage.documents:
        services.application_document_receive(actor=actor, application=app, name=name, now=now)


def complete(actor, app, now=None, **kwargs):
    app.refresh_from_db()
    receive_all(actor, app, now=now)
    stage = ApplicationStage.objects.get(pk=app.current_stage_id)
    return services.application_stage_complete(
        actor=actor, application=app, stage=stage.seq, now=now, **kwargs
    )
