"""Every page and API endpoint, enumerated from the URL configuration, with the permission
each declares — so a new endpoint without a declared permission cannot go unnoticed."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

# Not GridCare's pages, or public by design (declared with ``public`` where we own them).
FOREIGN_PREFIXES = ("admin/", "i18n/")


@dataclass(frozen=True)
class Endpoint:
    route: str
    name: str
    callback: object
    api: bool

    @property
    def view_class(self):
        return getattr(self.callback, "cls", None)

    @property
    def public(self) -> bool:
        return bool(getattr(self.callback, "gridcare_public", False))

    def methods(self) -> dict[str, str | None]:
        """HTTP method -> the DRF action it runs (API), or {"get": None} for a page."""
        if not self.api:
            return {"get": None}
        actions = getattr(self.callback, "actions", None)
        if actions:
            return dict(actions)
        cls = self.view_class
        return {m: m for m in ("get", "post", "put", "patch", "delete") if hasattr(cls, m)}

    def permission(self, method: str = "get") -> str | None:
        if not self.api:
            return getattr(self.callback, "gridcare_permission", None)
        action = self.methods().get(method)
        mapping = getattr(self.view_class, "permissions_by_action", None) or {}
        return mapping.get(action) or mapping.get("*")


def _walk(patterns, prefix: str = "", namespace: str | None = None):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace
            full = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from _walk(p.url_patterns, prefix + str(p.pattern), full)
        elif isinstance(p, URLPattern):
            name = f"{namespace}:{p.name}" if namespace and p.name else p.name
            yield prefix + str(p.pattern), name or "", p.callback


def endpoints() -> list[Endpoint]:
    out = []
    for route, name, callback in _walk(get_resolver().url_patterns):
        if route.startswith(FOREIGN_PREFIXES):
            continue
        out.append(Endpoint(route=route, name=name, callback=callback, api=route.startswith("api/")))
    return out


# ------------------------------------------------------------ sample arguments of later apps
# Apps added after the permission matrix's own table contribute here: ``SAMPLE_BUILDERS``
# (each ``fn(demo, county, other_county, admin) -> dict``, merged into a side's samples:
# objects of that county) and ``SAMPLE_KWARGS`` (URL name -> ``fn(samples) -> [kwargs]``).


def _proactive_samples(demo, county, other, admin) -> dict:
    """A campaign and a potential demand of ``county`` (the demo's, or made here)."""
    import datetime as dt

    from django.utils import timezone

    from gridcare.org.choices import UnitKind
    from gridcare.org.models import OrgUnit
    from gridcare.proactive.models import Campaign, PotentialDemand
    from gridcare.proactive.services import campaign_create, demand_create

    path = county.path
    station = OrgUnit.objects.filter(kind=UnitKind.STATION, path__startswith=path).order_by("code").first()
    campaign = Campaign.objects.filter(unit_path__startswith=path).order_by("pk").first() or campaign_create(
        actor=admin, name=f"矩阵样例{county.code}", kind="field_task", care_list="any", station=station
    )
    demand = PotentialDemand.objects.filter(station__path__startswith=path).order_by(
        "pk"
    ).first() or demand_create(
        actor=admin,
        data={
            "source": "government",
            "title": f"矩阵样例{county.code}",
            "station": station,
            "location": "样例位置",
            "expected_kw": 100,
            "expected_date": timezone.localdate() + dt.timedelta(days=90),
        },
    )
    return {"campaign": campaign.pk, "demand": demand.pk}


def _dataquality_samples(demo, county, other, admin) -> dict:
    """An open data-quality finding of ``county`` (the demo's, or planted and found here)."""
    from gridcare.customers.models import Customer
    from gridcare.customers.services import customer_update
    from gridcare.dataquality.models import Finding
    from gridcare.dataquality.services import data_quality_run

    mine = Finding.objects.filter(station__path__startswith=county.path, status="open").order_by("pk")
    if not mine.exists():
        customer = Customer.objects.filter(station__path__startswith=county.path).order_by("pk").first()
        customer_update(actor=admin, customer=customer, data={"phone": "", "phone2": ""})
        data_quality_run(trigger="manual")
    return {"finding": mine.first().pk}


def _rectification_samples(demo, county, other, admin) -> dict:
    """Two rectification items of ``county`` made here: one open, one fixed with an evidence file."""
    import io

    from PIL import Image

    from gridcare.org.choices import UnitKind
    from gridcare.org.models import OrgUnit
    from gridcare.rectification.services import rectification_fix, rectification_open

    station = (
        OrgUnit.objects.filter(kind=UnitKind.STATION, path__startswith=county.path).order_by("code").first()
    )
    item = rectification_open(actor=admin, source_kind="manual", title=f"矩阵样例{county.code}", unit=station)
    fixed = rectification_open(
        actor=admin, source_kind="manual", title=f"矩阵佐证{county.code}", unit=station
    )
    buf = io.BytesIO()
    Image.new("RGB", (8, 6), (20, 90, 160)).save(buf, "PNG")
    rectification_fix(
        actor=admin, item=fixed, evidence="已整改", file_content=buf.getvalue(), file_name="a.png"
    )
    return {"rect": item.pk, "rect_fixed": fixed.pk, "rect_evidence": fixed.evidence.get().token}


def _keyaccount_samples(demo, county, other, admin) -> dict:
    """A key customer of ``county`` with a subscription, an inspection, a current plan and a
    drill (the demo's, or made here)."""
    import datetime as dt

    from django.utils import timezone

    from gridcare.customers.models import Customer
    from gridcare.keyaccounts.models import (
        Drill,
        EmergencyPlan,
        SafetyInspection,
        ServicePackage,
        Subscription,
    )
    from gridcare.keyaccounts.selectors import key_customer_q
    from gridcare.keyaccounts.services import (
        drill_schedule,
        inspection_schedule,
        plan_create,
        subscription_start,
    )

    path = county.path
    today = timezone.localdate()
    sub = Subscription.objects.filter(customer__station__path__startswith=path, ended_on__isnull=True).first()
    if sub is None:
        customer = (
            Customer.objects.filter(key_customer_q(), station__path__startswith=path).order_by("pk").first()
        )
        sub = subscription_start(actor=admin, customer=customer, package=ServicePackage.objects.first())
    inspection = SafetyInspection.objects.filter(subscription=sub).order_by("-status", "pk").first()
    if inspection is None:
        inspection = inspection_schedule(actor=admin, subscription=sub, due_date=today)
    plan = EmergencyPlan.objects.filter(customer__station__path__startswith=path, active=True).first()
    if plan is None:
        plan = plan_create(
            actor=admin,
            customer=sub.customer,
            title="矩阵样例预案",
            review_date=today + dt.timedelta(days=100),
            document_content=b"%PDF-1.4\n%%EOF\n",
        )
    drill = Drill.objects.filter(plan=plan).order_by("pk").first() or drill_schedule(
        actor=admin, plan=plan, scheduled_for=today + dt.timedelta(days=10)
    )
    return {
        "ka_customer": sub.customer.customer_no,
        "ka_subscription": sub.pk,
        "ka_inspection": inspection.pk,
        "ka_plan": plan.pk,
        "ka_drill": drill.pk,
    }


def _grid_samples(demo, county, other, admin) -> dict:
    """A service grid of ``county`` and its manager (the demo gives every station grids)."""
    from gridcare.customers.models import ServiceGrid

    grid = (
        ServiceGrid.objects.filter(station__path__startswith=county.path, manager__isnull=False)
        .select_related("manager")
        .order_by("code")
        .first()
    )
    return {"grid": grid.code, "grid_manager": grid.manager.username}


def _applications_samples(demo, county, other, admin) -> dict:
    """A business application of ``county`` made here (its first stage open) with one
    document received as a file."""
    import io

    from PIL import Image

    from gridcare.applications.services import application_accept, application_document_receive
    from gridcare.org.choices import UnitKind
    from gridcare.org.models import OrgUnit

    station = (
        OrgUnit.objects.filter(kind=UnitKind.STATION, path__startswith=county.path).order_by("code").first()
    )
    app = application_accept(
        actor=admin,
        kind="new_connection",
        category="residential",
        channel="hotline",
        unit=station,
        applicant_name=f"矩阵样例{county.code}",
        applicant_phone="13900000000",
        applicant_address="样例地址1号",
    )
    buf = io.BytesIO()
    Image.new("RGB", (8, 6), (20, 90, 160)).save(buf, "PNG")
    doc = application_document_receive(
        actor=admin,
        application=app,
        name="申请人有效身份证明",
        file_content=buf.getvalue(),
        file_name="id.png",
    )
    return {"appl": app.pk, "appl_doc": doc.token}


def _hall_samples(demo, county, other, admin) -> dict:
    """A hall of ``county`` open round the clock (made here), a counter and a waiting ticket."""
    from gridcare.hall.models import Counter, Hall
    from gridcare.hall.services import ticket_take

    hall, _ = Hall.objects.get_or_create(
        code=f"MX-{county.code}",
        defaults={
            "name": f"矩阵样例营业厅{county.code}",
            "unit": county,
            "weekday_hours": "00:00-23:59",
            "weekend_hours": "00:00-23:59",
            "open_on_holidays": True,
        },
    )
    counter, _ = Counter.objects.get_or_create(hall=hall, number=1)
    ticket = ticket_take(actor=admin, hall=hall, service_type="business")
    return {"hall": hall.pk, "hall_counter": counter.pk, "hall_ticket": ticket.pk}


def _knowledge_samples(demo, county, other, admin) -> dict:
    """A published article and a version waiting for review (company-wide content: the
    demo's, or made here)."""
    from gridcare.knowledge.models import Article, ArticleVersion
    from gridcare.knowledge.services import article_create, article_data, version_submit

    article = Article.objects.filter(published__isnull=False).order_by("pk").first() or article_create(
        actor=None,
        code="MATRIX-1",
        data=article_data(title="矩阵样例条目", body="样例正文。", category="样例"),
        publish=True,
    )
    version = ArticleVersion.objects.filter(state="submitted").order_by("pk").first()
    if version is None:
        draft = article_create(
            actor=None,
            code=f"MATRIX-{county.code}",
            data=article_data(title="矩阵样例草稿", body="样例。", category="样例"),
        )
        version = version_submit(actor=admin, version=draft.versions.get())
    from gridcare.knowledge.models import ArticleAttachment
    from gridcare.knowledge.services import attachment_add

    attachment = ArticleAttachment.objects.filter(article=article, removed_at__isnull=True).order_by(
        "pk"
    ).first() or attachment_add(
        actor=admin,
        article=article,
        content=b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
        filename="矩阵样例附件.pdf",
    )
    return {
        "kb_article": article.pk,
        "kb_version": version.pk,
        "kb_attachment": attachment.pk,
        "kb_attachment_token": attachment.token,
    }


def _inspections_samples(demo, county, other, admin) -> dict:
    """A station site of ``county`` and an inspection of it made here (one item failed,
    a photo attached), published."""
    import io

    from PIL import Image

    from gridcare.inspections.models import Checklist, InspectionSite
    from gridcare.inspections.services import inspection_publish, inspection_record
    from gridcare.org.choices import UnitKind
    from gridcare.org.models import OrgUnit

    station = (
        OrgUnit.objects.filter(kind=UnitKind.STATION, path__startswith=county.path).order_by("code").first()
    )
    site = InspectionSite.objects.filter(
        kind="station", unit=station
    ).first() or InspectionSite.objects.create(kind="station", name=station.name, unit=station)
    checklist = Checklist.objects.filter(site_kind="station", active=True).order_by("pk").first()
    items = list(checklist.items.filter(active=True))
    results = {i.pk: {"passed": True, "note": ""} for i in items}
    results[items[0].pk] = {"passed": False, "note": "矩阵样例问题"}
    buf = io.BytesIO()
    Image.new("RGB", (8, 6), (200, 90, 20)).save(buf, "PNG")
    import datetime as dt

    from django.utils import timezone

    inspection = inspection_record(
        actor=admin,
        site=site,
        kind="open",
        checklist=checklist,
        at=timezone.now() - dt.timedelta(hours=1),
        results=results,
        files=[(buf.getvalue(), "photo.png")],
    )
    inspection_publish(actor=admin, inspection=inspection)
    return {
        "inspection": inspection.pk,
        "inspection_file": inspection.files.get().token,
        "inspection_site": site.pk,
    }


def _survey_samples(demo, county, other, admin) -> dict:
    """A sent satisfaction survey over ``county`` (made here) and one invitation's token."""
    import datetime as dt

    from django.utils import timezone

    from gridcare.surveys.models import SurveyInvitation
    from gridcare.surveys.services import campaign_create, campaign_send

    today = timezone.localdate()
    c = campaign_create(
        actor=admin,
        title=f"矩阵样例调查{county.code}",
        unit=county,
        sample_size=10,
        opens_on=today,
        closes_on=today + dt.timedelta(days=7),
    )
    c = campaign_send(actor=admin, campaign=c)
    inv = SurveyInvitation.objects.filter(campaign=c).order_by("pk").first()
    return {"survey_campaign": c.pk, "survey_token": inv.token}


def _evaluation_samples(demo, county, other, admin) -> dict:
    """An expert appointment (the admin, for ``county``) and the admin's expert assessment of
    ``county`` for this month."""
    from django.utils import timezone

    from gridcare.evaluation.models import ExpertAppointment, ExpertAssessment, ExpertChecklistItem
    from gridcare.evaluation.services import assessment_save, expert_appoint

    today = timezone.localdate()
    appointment = ExpertAppointment.objects.filter(user=admin, unit=county).first() or expert_appoint(
        actor=admin, user=admin, unit=county, valid_from=today, note="矩阵样例"
    )
    row = ExpertAssessment.objects.filter(
        expert=admin, target_key=f"unit:{county.pk}", period=today.replace(day=1)
    ).first()
    if row is None:
        codes = ExpertChecklistItem.objects.filter(active=True).values_list("code", flat=True)
        row = assessment_save(
            actor=admin, unit=county, scores=dict.fromkeys(codes, 80), period=today, expert=admin
        )
    return {"eval_appointment": appointment.pk, "eval_assessment": row.pk}


def _supervision_samples(demo, county, other, admin) -> dict:
    """A social supervisor of ``county`` with a point, a proposed reward, and a conduct
    violation of one of the county's staff (made here)."""
    import datetime as dt

    from gridcare.escalation.services import social_supervisor_register
    from gridcare.org.models import StaffProfile
    from gridcare.supervision.models import ConductNorm
    from gridcare.supervision.services import point_raise, reward_propose, violation_record

    sup = social_supervisor_register(
        actor=admin, name=f"矩阵监督员{county.code}", phone="13900000000", area="城区", unit=county
    )
    point = point_raise(actor=admin, supervisor=sup, text="矩阵样例意见")
    reward = reward_propose(actor=admin, supervisor=sup, kind="certificate", reason="矩阵样例")
    staff = StaffProfile.objects.filter(unit__path__startswith=county.path).order_by("pk").first()
    violation = violation_record(
        actor=admin,
        staff=staff.user,
        norm=ConductNorm.objects.order_by("pk").first(),
        source="other",
        found_on=dt.date.today() - dt.timedelta(days=1),
    )
    return {"sup_point": point.pk, "sup_reward": reward.pk, "sup_violation": violation.pk}


def _portal_samples(demo, county, other, admin) -> dict:
    """A pending contact change of a customer of ``county`` and a portal request of theirs
    with one attachment (made here through the portal's services)."""
    import io

    from PIL import Image

    from gridcare.customers.models import Customer
    from gridcare.portal.models import ContactChange, PortalAttachment
    from gridcare.portal.services import contact_change_request, request_submit

    customer = (
        Customer.objects.filter(station__path__startswith=county.path)
        .exclude(phone="")
        .order_by("pk")
        .first()
    )
    change = ContactChange.objects.filter(
        customer=customer, status="pending"
    ).first() or contact_change_request(customer=customer, address="矩阵样例地址1号")
    att = PortalAttachment.objects.filter(order__customer=customer).order_by("pk").first()
    if att is None:
        buf = io.BytesIO()
        Image.new("RGB", (4, 4)).save(buf, "PNG")
        order = request_submit(
            customer=customer,
            request_type="consultation",
            description="矩阵样例",
            files=[(buf.getvalue(), "sample.png")],
            ip=f"matrix-{county.code}",
        )
        att = PortalAttachment.objects.get(order=order)
    return {"portal_change": change.pk, "portal_attachment": att.token}


def _partner_samples(demo, county, other, admin) -> dict:
    """A partner of ``county`` (made here) with one key."""
    from gridcare.partners.models import Partner
    from gridcare.partners.services import api_key_issue, partner_create

    name = f"矩阵样例合作方{county.code}"
    partner = Partner.objects.filter(name=name).first() or partner_create(actor=admin, name=name, unit=county)
    key = (
        partner.keys.order_by("pk").first()
        or api_key_issue(
            actor=admin, partner=partner, units=[county], endpoints=["open311_read", "open311_post"]
        )[0]
    )
    return {"partner": partner.pk, "partner_key": key.pk}


def _webhooks_samples(demo, county, other, admin) -> dict:
    """An inactive subscription (made here; never sends anything)."""
    from gridcare.webhooks.models import Subscription
    from gridcare.webhooks.services import generate_secret

    sub, _ = Subscription.objects.get_or_create(
        name="矩阵样例推送订阅",
        defaults={
            "url": "https://hooks.partner.example.com/matrix",
            "events": ["order.created"],
            "secret": generate_secret(),
            "owner": admin,
            "active": False,
        },
    )
    return {"webhook_subscription": sub.pk}


SAMPLE_BUILDERS = [
    _webhooks_samples,
    _partner_samples,
    _portal_samples,
    _supervision_samples,
    _evaluation_samples,
    _survey_samples,
    _inspections_samples,
    _knowledge_samples,
    _applications_samples,
    _hall_samples,
    _proactive_samples,
    _dataquality_samples,
    _rectification_samples,
    _keyaccount_samples,
    _grid_samples,
]

_CAMPAIGN = lambda s: [{"pk": s["campaign"]}]  # noqa: E731
_DEMAND = lambda s: [{"pk": s["demand"]}]  # noqa: E731
_FINDING = lambda s: [{"pk": s["finding"]}]  # noqa: E731
SAMPLE_KWARGS = {
    # portal (staff pages; the customer's own pages are public and skipped by the matrix)
    "portal:review": lambda s: [{"pk": s["portal_change"]}],
    "portal:attachment": lambda s: [{"token": s["portal_attachment"]}],
    # knowledge attachments
    "knowledge:attachment-file": lambda s: [{"pk": s["kb_article"], "token": s["kb_attachment_token"]}],
    "knowledge:attachment-add": lambda s: [{"pk": s["kb_article"]}],
    "knowledge:attachment-remove": lambda s: [{"pk": s["kb_attachment"]}],
    # webhooks
    **dict.fromkeys(
        [
            "webhooks:detail",
            "webhooks:rotate",
            "webhooks:enable",
            "webhooks:disable",
            "webhooks:test",
            "webhook-subscription-detail",
            "webhook-subscription-rotate-secret",
            "webhook-subscription-send-test",
            "webhook-subscription-enable",
            "webhook-subscription-disable",
            "webhook-subscription-deliveries",
        ],
        lambda s: [{"pk": s["webhook_subscription"]}],
    ),
    # partners
    **dict.fromkeys(
        ["partners:detail", "partners:edit", "partners:key-issue"], lambda s: [{"pk": s["partner"]}]
    ),
    **dict.fromkeys(["partners:key", "partners:key-revoke"], lambda s: [{"pk": s["partner_key"]}]),
    # supervision
    **dict.fromkeys(
        [
            "supervision:point",
            "supervision:point-answer",
            "supervision:point-rectify",
            "supervision-point-detail",
            "supervision-point-answer",
            "supervision-point-rectify",
        ],
        lambda s: [{"pk": s["sup_point"]}],
    ),
    "supervision:reward-decide": lambda s: [
        {"pk": s["sup_reward"], "verb": "approve"},
        {"pk": s["sup_reward"], "verb": "reject"},
    ],
    **dict.fromkeys(
        ["supervision-reward-approve", "supervision-reward-reject"], lambda s: [{"pk": s["sup_reward"]}]
    ),
    **dict.fromkeys(
        ["supervision:violation-withdraw", "supervision-violation-withdraw"],
        lambda s: [{"pk": s["sup_violation"]}],
    ),
    # evaluation
    **dict.fromkeys(
        ["evaluation:assessment-edit", "evaluation:assessment-delete", "evaluation-assessment-detail"],
        lambda s: [{"pk": s["eval_assessment"]}],
    ),
    "evaluation:expert-end": lambda s: [{"pk": s["eval_appointment"]}],
    # surveys
    **dict.fromkeys(
        [
            "surveys:detail",
            "surveys:send",
            "surveys:close",
            "survey-campaign-detail",
            "survey-campaign-send",
            "survey-campaign-close",
        ],
        lambda s: [{"pk": s["survey_campaign"]}],
    ),
    "surveys:answer": lambda s: [{"token": s["survey_token"]}],
    # inspections
    **dict.fromkeys(
        [
            "inspections:detail",
            "inspections:publish",
            "inspections:file-add",
            "inspections:published-detail",
            "inspection-detail",
            "inspection-publish",
        ],
        lambda s: [{"pk": s["inspection"]}],
    ),
    "inspections:file": lambda s: [{"pk": s["inspection"], "token": s["inspection_file"]}],
    "inspection-site-detail": lambda s: [{"pk": s["inspection_site"]}],
    # knowledge
    **dict.fromkeys(
        [
            "knowledge:article",
            "knowledge:feedback",
            "knowledge:sms",
            "knowledge:answered",
            "knowledge:versions",
            "knowledge:edit",
        ],
        lambda s: [{"pk": s["kb_article"]}],
    ),
    **dict.fromkeys(["knowledge:submit", "knowledge:review-version"], lambda s: [{"pk": s["kb_version"]}]),
    # customers: grids and managers
    **dict.fromkeys(["customers:grid", "customers:grid-edit"], lambda s: [{"code": s["grid"]}]),
    "customers:worklist-of": lambda s: [{"username": s["grid_manager"]}],
    "customers:manager": lambda s: [{"customer_no": s["customer_no"]}],
    # applications
    **dict.fromkeys(
        [
            "applications:detail",
            "applications:complete-stage",
            "applications:document",
            "applications:pause",
            "applications:resume",
            "applications:terminate",
            "applications:home-visit",
            "applications:follow-up",
            "application-detail",
            "application-complete-stage",
            "application-document",
            "application-pause",
            "application-resume",
            "application-terminate",
            "application-home-visit",
            "application-follow-up",
        ],
        lambda s: [{"pk": s["appl"]}],
    ),
    "applications:document-file": lambda s: [{"pk": s["appl"], "token": s["appl_doc"]}],
    # rectification
    **dict.fromkeys(
        [
            "rectification:detail",
            "rectification:fix",
            "rectification:verify",
            "rectification:reopen",
            "rectification:cancel",
            "rectification-item-detail",
            "rectification-item-fix",
            "rectification-item-verify",
            "rectification-item-reopen",
            "rectification-item-cancel",
        ],
        lambda s: [{"pk": s["rect"]}, {"pk": s["rect_fixed"]}],
    ),
    "rectification:evidence-file": lambda s: [{"pk": s["rect_fixed"], "token": s["rect_evidence"]}],
    # keyaccounts
    **dict.fromkeys(
        ["keyaccounts:customer", "keyaccounts:subscribe", "keyaccounts:plan-new"],
        lambda s: [{"customer_no": s["ka_customer"]}],
    ),
    **dict.fromkeys(
        ["keyaccounts:subscription-end", "key-account-subscription-detail", "key-account-subscription-end"],
        lambda s: [{"pk": s["ka_subscription"]}],
    ),
    **dict.fromkeys(
        [
            "keyaccounts:inspection",
            "keyaccounts:inspection-record",
            "keyaccounts:inspection-cancel",
            "safety-inspection-detail",
            "safety-inspection-record",
            "safety-inspection-cancel",
        ],
        lambda s: [{"pk": s["ka_inspection"]}],
    ),
    **dict.fromkeys(
        [
            "keyaccounts:plan",
            "keyaccounts:plan-document",
            "keyaccounts:plan-edit",
            "keyaccounts:drill-new",
            "emergency-plan-detail",
            "emergency-plan-review",
            "emergency-plan-drills",
        ],
        lambda s: [{"pk": s["ka_plan"]}],
    ),
    **dict.fromkeys(
        [
            "keyaccounts:drill-record",
            "keyaccounts:drill-cancel",
            "emergency-drill-detail",
            "emergency-drill-record",
            "emergency-drill-cancel",
        ],
        lambda s: [{"pk": s["ka_drill"]}],
    ),
    **dict.fromkeys(
        [
            "proactive:campaign",
            "proactive:campaign-launch",
            "proactive:campaign-close",
            "proactive:campaign-cancel",
            "proactive:campaign-record",
            "care-campaign-detail",
            "care-campaign-launch",
            "care-campaign-close",
            "care-campaign-cancel",
            "care-campaign-targets",
            "care-campaign-record",
        ],
        _CAMPAIGN,
    ),
    **dict.fromkeys(
        ["proactive:demand", "proactive:demand-edit", "proactive:demand-delete", "potential-demand-detail"],
        _DEMAND,
    ),
    **dict.fromkeys(
        [
            "dataquality:finding",
            "dataquality:assign",
            "dataquality:resolve",
            "dataquality:dismiss",
            "dataquality:rectify",
            "data-quality-finding-detail",
            "data-quality-finding-assign",
            "data-quality-finding-resolve",
            "data-quality-finding-dismiss",
        ],
        _FINDING,
    ),
    # hall
    **dict.fromkeys(
        ["hall:detail", "hall:close", "hall:board", "hall:kiosk", "hall-hall-detail"],
        lambda s: [{"pk": s["hall"]}],
    ),
    **dict.fromkeys(
        ["hall:counter", "hall:call-next", "hall:rate", "hall-counter-detail", "hall-counter-call-next"],
        lambda s: [{"pk": s["hall_counter"]}],
    ),
    **dict.fromkeys(
        [
            "hall:ticket",
            "hall:slip",
            "hall-ticket-detail",
            "hall-ticket-recall",
            "hall-ticket-serve",
            "hall-ticket-finish",
            "hall-ticket-no-show",
            "hall-ticket-transfer",
            "hall-ticket-rate",
        ],
        lambda s: [{"pk": s["hall_ticket"]}],
    ),
    "hall:act": lambda s: [
        {"pk": s["hall_ticket"], "action": a} for a in ("recall", "serve", "finish", "no_show", "transfer")
    ],
}
