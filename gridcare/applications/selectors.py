"""Reads behind the application pages, the API, the report and the jobs — each figure
defined once here.

- **Stalled** (``stalled_q``): in progress (not waiting on the customer, not closed) and the
  working days after the day of the last movement, today included, number at least
  ``stall_working_days`` (setting, default 3).
- **Awaiting an answer** (``awaiting_answer_q``): an unanswered follow-up (stalled or
  terminated), or stalled now with no follow-up recorded for this stall yet. Completing,
  terminating or time passing never drops one: only ``process_follow_up_record`` does.
- **Overdue** (``overdue_q``): in progress past the overall deadline (a paused clock is not
  overdue: its deadline moves on resume).
- **Home visit late** (``home_visit_late_q``): a remote application still open, no visit
  booked, past its booking limit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Avg, Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gridcare.core.authz import can
from gridcare.core.calendar import is_working_day, local_tz

from .choices import ACTION_PERMISSIONS, ACTION_STATUSES, OPEN, ApplicationStatus, FollowUpKind, StageStatus
from .models import (
    Application,
    ApplicationDocument,
    ApplicationEvent,
    ApplicationPause,
    ApplicationSetting,
    ApplicationStage,
    ProcessFollowUp,
    StagePlan,
    application_setting,
)

S = ApplicationStatus
REPORT_ROWS = 500


# ------------------------------------------------------------------------ definitions


def stall_cutoff(now: dt.datetime | None = None) -> dt.datetime:
    """The moment before which a last movement makes a process stalled: the start of the
    day after the day from which ``stall_working_days`` working days have passed by today."""
    now = now or timezone.now()
    n = application_setting(ApplicationSetting.STALL_WORKING_DAYS)
    day = timezone.localtime(now, local_tz()).date()
    count = 0
    while count < n:
        if is_working_day(day):
            count += 1
        day -= dt.timedelta(days=1)
    # (day, today] holds n working days: a movement on ``day`` or earlier is stalled.
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0, 0), tzinfo=local_tz())


def stalled_q(now: dt.datetime | None = None) -> Q:
    return Q(status=S.IN_PROGRESS, last_moved_at__lt=stall_cutoff(now))


def awaiting_answer_q(now: dt.datetime | None = None) -> Q:
    unanswered = ProcessFollowUp.objects.filter(application=OuterRef("pk"), answered_at__isnull=True)
    this_stall = ProcessFollowUp.objects.filter(
        application=OuterRef("pk"), kind=FollowUpKind.STALLED, since=OuterRef("last_moved_at")
    )
    return Q(Exists(unanswered)) | (stalled_q(now) & ~Q(Exists(this_stall)))


def overdue_q(now: dt.datetime | None = None) -> Q:
    return Q(status=S.IN_PROGRESS, due_at__lt=now or timezone.now())


def home_visit_late_q(now: dt.datetime | None = None) -> Q:
    return Q(status__in=OPEN, home_visit_due_at__lt=now or timezone.now(), home_visit_booked_at__isnull=True)


def annotate_flags(qs: QuerySet, now: dt.datetime) -> QuerySet:
    """Each row with ``stalled``, ``awaiting_answer``, ``overdue``, ``visit_late`` (SQL, no
    query per row)."""
    from django.db.models import BooleanField, Case, Value, When

    def flag(q):
        return Case(When(q, then=Value(True)), default=Value(False), output_field=BooleanField())

    return qs.annotate(
        stalled=flag(stalled_q(now)),
        awaiting_answer=flag(awaiting_answer_q(now)),
        overdue=flag(overdue_q(now)),
        visit_late=flag(home_visit_late_q(now)),
    )


# ------------------------------------------------------------------------------ lists


def applications_for(
    user,
    *,
    status: str = "",
    kind: str = "",
    unit_path: str = "",
    stalled: bool = False,
    overdue: bool = False,
    clerk=None,
    q: str = "",
    now: dt.datetime | None = None,
) -> QuerySet[Application]:
    """The applications ``user`` may see, filtered; ``status="open"``: not closed."""
    now = now or timezone.now()
    qs = Application.objects.visible_to(user).select_related("unit", "current_stage", "accepted_by__staff")
    if status == "open":
        qs = qs.filter(status__in=OPEN)
    elif status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if unit_path:
        qs = qs.filter(unit_path__startswith=unit_path)
    if stalled:
        qs = qs.filter(stalled_q(now))
    if overdue:
        qs = qs.filter(overdue_q(now))
    if clerk is not None:
        qs = qs.filter(accepted_by=clerk)
    q = (q or "").strip()[:40]
    if q:
        cond = Q(applicant_name__icontains=q) | Q(customer__customer_no=q)
        if q.upper().startswith("YK") and q[2:].isdigit():
            cond |= Q(pk=int(q[2:]))
        qs = qs.filter(cond)
    return annotate_flags(qs, now).order_by("-accepted_at", "-id")


def my_processes(
    user, *, now: dt.datetime | None = None, include_closed: bool = False
) -> QuerySet[Application]:
    """The processes ``user`` accepted (流程跟踪责任制): those awaiting an answer first, then
    the open ones by due date; closed and answered ones only with ``include_closed``."""
    now = now or timezone.now()
    qs = annotate_flags(
        Application.objects.visible_to(user).filter(accepted_by=user).select_related("unit", "current_stage"),
        now,
    )
    if not include_closed:
        qs = qs.filter(Q(status__in=OPEN) | awaiting_answer_q(now))
    return qs.order_by("-awaiting_answer", "-visit_late", "due_at", "id")


def my_processes_of(user, clerk_id: int, *, now: dt.datetime | None = None) -> QuerySet[Application]:
    """One clerk's list as their supervisor sees it (within the supervisor's scope)."""
    now = now or timezone.now()
    qs = annotate_flags(
        Application.objects.visible_to(user)
        .filter(accepted_by_id=clerk_id)
        .select_related("unit", "current_stage"),
        now,
    )
    return qs.filter(Q(status__in=OPEN) | awaiting_answer_q(now)).order_by(
        "-awaiting_answer", "-visit_late", "due_at", "id"
    )


def clerk_summary(user, *, now: dt.datetime | None = None) -> list[dict]:
    """The supervisor's view: per accepting clerk of the applications ``user`` may see,
    open, overdue, stalled, awaiting an answer, home visits late — one grouped query."""
    now = now or timezone.now()
    rows = (
        Application.objects.visible_to(user)
        .filter(Q(status__in=OPEN) | awaiting_answer_q(now))
        .values(
            "accepted_by_id",
            "accepted_by__username",
            "accepted_by__staff__display_name",
            "accepted_by__staff__unit__name",
        )
        .annotate(
            open=Count("id", filter=Q(status__in=OPEN)),
            overdue=Count("id", filter=overdue_q(now)),
            stalled=Count("id", filter=stalled_q(now)),
            awaiting=Count("id", filter=awaiting_answer_q(now)),
            visit_late=Count("id", filter=home_visit_late_q(now)),
        )
        .order_by("-awaiting", "-stalled", "-open", "accepted_by__username")[:REPORT_ROWS]
    )
    return [
        {
            "clerk_id": r["accepted_by_id"],
            "username": r["accepted_by__username"],
            "name": r["accepted_by__staff__display_name"] or r["accepted_by__username"],
            "unit": r["accepted_by__staff__unit__name"] or "",
            **{k: r[k] for k in ("open", "overdue", "stalled", "awaiting", "visit_late")},
        }
        for r in rows
    ]


def application_get(user, pk: int | None) -> Application | None:
    if pk is None:
        return None
    return (
        Application.objects.visible_to(user)
        .select_related("unit", "customer", "current_stage", "accepted_by__staff", "work_order")
        .filter(pk=pk)
        .first()
    )


def application_stages(app: Application) -> list[ApplicationStage]:
    stages = list(app.stages.select_related("owner_unit", "completed_by__staff").order_by("seq"))
    received: dict[int, dict[str, ApplicationDocument]] = {}
    for d in ApplicationDocument.objects.filter(application=app):
        received.setdefault(d.stage_id, {})[d.name] = d
    now = timezone.now()
    for s in stages:
        docs = received.get(s.pk, {})
        s.checklist = [{"name": n, "doc": docs.get(n)} for n in s.documents]
        s.late = bool(
            s.due_at
            and (
                (s.completed_at and s.completed_at > s.due_at)
                or (
                    not s.completed_at
                    and s.status == StageStatus.ACTIVE
                    and app.status == S.IN_PROGRESS
                    and s.due_at < now
                )
            )
        )
    return stages


def applications_of_customer(customer, *, limit: int = 20) -> list[Application]:
    """A customer's own applications (the customer portal: who they are was verified there,
    so no staff scope applies), open ones first then the most recent, each with its stages
    (``stage_list``) — two queries."""
    apps = list(
        Application.objects.filter(customer=customer)
        .select_related("current_stage")
        .order_by("completed_at", "terminated_at", "-accepted_at", "-id")[:limit]
    )
    by_app: dict[int, list[ApplicationStage]] = {a.pk: [] for a in apps}
    for stage in ApplicationStage.objects.filter(application_id__in=list(by_app)).order_by(
        "application_id", "seq"
    ):
        by_app[stage.application_id].append(stage)
    for app in apps:
        app.stage_list = [st for st in by_app[app.pk] if st.status != StageStatus.SKIPPED]
        app.may_book_visit = app.is_open and app.home_visit_due_at is not None
    return apps


def application_events(app: Application) -> list[ApplicationEvent]:
    return list(app.events.select_related("actor__staff").order_by("at", "id"))


def application_pauses(app: Application) -> list[ApplicationPause]:
    return list(app.pauses.select_related("stage").order_by("started_at"))


def application_follow_ups(app: Application) -> list[ProcessFollowUp]:
    return list(app.follow_ups.select_related("answered_by__staff").order_by("opened_at", "id"))


def document_get(user, app_pk: int | None, token: str) -> ApplicationDocument | None:
    if app_pk is None:
        return None
    return (
        ApplicationDocument.objects.visible_to(user)
        .filter(application_id=app_pk, token=token)
        .exclude(file="")
        .first()
    )


def allowed_actions(user, app: Application, *, now: dt.datetime | None = None) -> list[str]:
    """The actions ``user`` may take on ``app`` now — pages and API offer exactly these."""
    from .services import is_stalled, may_answer, stage_actor_fits

    now = now or timezone.now()
    out = []
    for action, perm in ACTION_PERMISSIONS.items():
        if action == "follow_up":
            if may_answer(user, app) and (
                app.follow_ups.filter(answered_at__isnull=True).exists()
                or (
                    is_stalled(app, now)
                    and not app.follow_ups.filter(kind=FollowUpKind.STALLED, since=app.last_moved_at).exists()
                )
            ):
                out.append(action)
            continue
        if app.status not in ACTION_STATUSES[action] or not can(user, perm, app):
            continue
        if action == "complete_stage" and (
            app.current_stage is None or not stage_actor_fits(user, app.current_stage)
        ):
            continue
        out.append(action)
    return out


def plans_overview() -> list[StagePlan]:
    return list(StagePlan.objects.prefetch_related("steps").order_by("kind", "category", "variant"))


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @property
    def label(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def start(self) -> dt.datetime:
        return dt.datetime(self.year, self.month, 1, tzinfo=local_tz())

    @property
    def end(self) -> dt.datetime:
        y, m = (self.year + 1, 1) if self.month == 12 else (self.year, self.month + 1)
        return dt.datetime(y, m, 1, tzinfo=local_tz())


def last_complete_month(today: dt.date | None = None) -> Month:
    today = today or timezone.localdate()
    return Month(today.year - 1, 12) if today.month == 1 else Month(today.year, today.month - 1)


def parse_month(raw: str | None) -> Month | None:
    """``YYYY-MM`` (years 2000–2100), or None."""
    raw = (raw or "").strip()
    try:
        y, m = raw.split("-")
        month = Month(int(y), int(m))
    except ValueError:
        return None
    if not (2000 <= month.year <= 2100 and 1 <= month.month <= 12) or len(raw) != 7:
        return None
    return month


REPORT_BY = ("clerk", "hall", "unit")
REPORT_COLUMNS = ("accepted", "completed", "on_time", "stalled", "terminated", "answered", "avg_stage_days")


def _group_fields(by: str) -> tuple[str, str]:
    """(key, label lookup) relative to an application."""
    if by == "clerk":
        return "accepted_by_id", "accepted_by__staff__display_name"
    if by == "hall":
        return "hall_id", "hall__name"
    return "unit_id", "unit__name"


def report_available_by() -> tuple[str, ...]:
    return REPORT_BY


def process_report(user, month: Month, by: str = "clerk") -> dict:
    """The month-end process report (流程月报) of what ``user`` may see, per clerk, hall or
    unit: applications accepted in the month; completed in the month, and of those on time
    (by the overall deadline, pauses excluded); stall episodes recorded in the month;
    terminated in the month; follow-ups answered in the month; the average working days
    per stage completed in the month (pauses excluded). Plus the totals and, per stage, the
    count, average and how many ran past their limit. One function for page, Excel and API."""
    if by not in report_available_by():
        by = "clerk"
    key, label = _group_fields(by)
    start, end = month.start, month.end
    apps = Application.objects.visible_to(user)
    rows: dict = {}

    def put(qs, prefix: str, **aggs):
        k = f"{prefix}{key}"
        for r in qs.values(k).annotate(**aggs).order_by():
            row = rows.setdefault(r[k], dict.fromkeys(REPORT_COLUMNS, 0) | {"key": r[k]})
            for name in aggs:
                row[name] = r[name]

    put(apps.filter(accepted_at__gte=start, accepted_at__lt=end), "", accepted=Count("id"))
    put(
        apps.filter(completed_at__gte=start, completed_at__lt=end),
        "",
        completed=Count("id"),
        on_time=Count("id", filter=Q(completed_at__lte=F("due_at"))),
    )
    put(apps.filter(terminated_at__gte=start, terminated_at__lt=end), "", terminated=Count("id"))
    follow = ProcessFollowUp.objects.visible_to(user)
    put(
        follow.filter(kind=FollowUpKind.STALLED, opened_at__gte=start, opened_at__lt=end),
        "application__",
        stalled=Count("id"),
    )
    put(follow.filter(answered_at__gte=start, answered_at__lt=end), "application__", answered=Count("id"))
    stages = ApplicationStage.objects.visible_to(user).filter(
        status=StageStatus.DONE, completed_at__gte=start, completed_at__lt=end
    )
    put(stages, "application__", avg_stage_days=Avg("working_days"))
    labels = (
        dict(
            apps.filter(**{f"{key}__in": [k for k in rows if k is not None]})
            .values_list(key, label)
            .distinct()
            .order_by()
        )
        if rows
        else {}
    )
    out = []
    for k, row in rows.items():
        row["label"] = labels.get(k) or (_("（未关联营业厅）") if k is None else str(k))
        row["avg_stage_days"] = round(float(row["avg_stage_days"]), 1) if row["avg_stage_days"] else None
        row["on_time_rate"] = (
            round(100.0 * row["on_time"] / row["completed"], 1) if row["completed"] else None
        )
        out.append(row)
    out.sort(key=lambda r: (-r["accepted"], -r["completed"], str(r["label"])))
    out = out[:REPORT_ROWS]
    totals = {c: sum(r[c] for r in rows.values()) for c in REPORT_COLUMNS if c != "avg_stage_days"}
    overall = stages.aggregate(avg=Avg("working_days"))["avg"]
    totals["avg_stage_days"] = round(float(overall), 1) if overall is not None else None
    totals["on_time_rate"] = (
        round(100.0 * totals["on_time"] / totals["completed"], 1) if totals["completed"] else None
    )
    per_stage = [
        {
            "name": r["name"],
            "count": r["count"],
            "avg": round(float(r["avg"]), 1) if r["avg"] is not None else None,
            "late": r["late"],
        }
        for r in stages.values("name")
        .annotate(
            count=Count("id"),
            avg=Avg("working_days"),
            late=Count("id", filter=Q(completed_at__gt=F("due_at"))),
        )
        .order_by("-count", "name")[:100]
    ]
    return {"month": month.label, "by": by, "rows": out, "totals": totals, "stages": per_stage}
