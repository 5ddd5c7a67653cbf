"""Knowledge services: import (all or nothing, re-import as a new version), sanitising,
the editor → reviewer flow, feedback, SMS through the outbox, "answered from the knowledge
base" on a work order."""

from __future__ import annotations

import pytest

from gridcare.core.errors import ApplicationError, ConflictError, PermissionDeniedError
from gridcare.core.tabular import ImportFailed
from gridcare.knowledge import services
from gridcare.knowledge.choices import VersionState as V
from gridcare.knowledge.importers import import_knowledge
from gridcare.knowledge.models import Article, ArticleIndex, ArticleVersion
from gridcare.knowledge.sanitize import clean_body
from gridcare.knowledge.search import search
from gridcare.org.choices import Role

from .factories import csv_bytes, make_article

pytestmark = pytest.mark.django_db


def test_import_creates_then_updates_by_code_as_a_new_version(db):
    report = import_knowledge(
        source=csv_bytes(
            "A-1,峰谷电价办理,电费电价/分时电价,居民可申请峰谷电价。,峰谷电,2024-01-01,",
            "A-2,过户办理,用电业务/变更用电,带身份证和房产证办理。,过户,,",
        )
    )
    assert (report.created, report.updated) == (2, 0)
    report = import_knowledge(
        source=csv_bytes(
            "A-1,峰谷电价办理,电费电价/分时电价,居民可在网上国网申请峰谷电价。,峰谷电,2024-01-01,",
            "A-2,过户办理,用电业务/变更用电,带身份证和房产证办理。,过户,,",
        )
    )
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    a1 = Article.objects.get(code="A-1")
    assert list(a1.versions.values_list("number", "state")) == [(2, V.PUBLISHED), (1, V.SUPERSEDED)]
    assert "网上国网" in a1.published.body


def test_reimport_with_a_broken_row_writes_nothing(db):
    import_knowledge(source=csv_bytes("A-1,旧标题,分类,旧正文。,,,"))
    with pytest.raises(ImportFailed) as exc:
        import_knowledge(
            source=csv_bytes(
                "A-1,新标题,分类,新正文。,,,",
                "A-2,,分类,没有标题。,,,",  # row 3: title missing
                "A-3,日期错,分类,正文。,,2024-13-01,",  # row 4: bad date
                "A-1,重复,分类,正文。,,,",  # row 5: duplicate code
            )
        )
    errors = {(e.row, e.column) for e in exc.value.report.errors}
    assert {(3, "title"), (4, "valid_from"), (5, "code")} <= errors
    assert Article.objects.get(code="A-1").title == "旧标题"
    assert Article.objects.count() == 1


def test_import_refuses_other_columns(db):
    with pytest.raises(ImportFailed) as exc:
        import_knowledge(source=b"code,title,category,body\nA,B,C,D\n")
    assert {e.column for e in exc.value.report.errors} >= {"keywords", "valid_from", "valid_to"}


def test_valid_to_before_valid_from_is_refused(db):
    with pytest.raises(ApplicationError) as exc:
        services.article_data(
            title="t", body="b", category="c", valid_from="2025-02-01", valid_to="2025-01-01"
        )
    assert exc.value.field == "valid_to"


@pytest.mark.parametrize(
    "dirty, forbidden",
    [
        ("<p>正文</p><script>alert(1)</script>", "<script"),
        ('<p onclick="steal()">点我</p>', "onclick"),
        ('<a href="javascript:alert(1)">链接</a>', "javascript:"),
        ('<img src=x onerror="alert(1)">', "onerror"),
        ("<iframe src='https://evil'></iframe><p>x</p>", "<iframe"),
    ],
)
def test_bodies_are_sanitised(dirty, forbidden):
    clean = clean_body(dirty)
    assert forbidden not in clean.lower()


def test_plain_text_body_becomes_escaped_paragraphs():
    assert clean_body("第一段\n第二段 1<2 &") == "<p>第一段</p><p>第二段 1&lt;2 &amp;</p>"


def test_script_in_an_imported_body_never_reaches_the_store(db):
    import_knowledge(source=csv_bytes('A-1,标题,分类,"<p>正文</p><script>alert(1)</script>",,,'))
    assert "<script" not in Article.objects.get(code="A-1").published.body


def test_editor_writes_reviewer_publishes(world):
    editor = world.staff(Role.QUALITY_INSPECTOR, world.city)
    reviewer = world.staff(Role.SUPERVISOR, world.city)
    agent = world.staff(Role.HOTLINE_AGENT)
    article = make_article("NEW-1", actor=editor, publish=False, title="新装须知光伏")
    version = article.versions.get()
    assert version.state == V.DRAFT and search("新装须知") == []
    with pytest.raises(PermissionDeniedError):
        services.version_submit(actor=agent, version=version)
    services.version_submit(actor=editor, version=version)
    with pytest.raises(ApplicationError) as exc:  # nobody approves their own text
        services.version_review(actor=editor, version=version, approve=True)
    assert exc.value.code in {"own_version", "permission_denied"} or isinstance(
        exc.value, PermissionDeniedError
    )
    with pytest.raises(ApplicationError):  # a rejection needs a reason
        services.version_review(actor=reviewer, version=version, approve=False)
    services.version_review(actor=reviewer, version=version, approve=True)
    assert [h.code for h in search("新装须知")] == ["NEW-1"]
    with pytest.raises(ApplicationError) as exc:  # already published
        services.version_review(actor=reviewer, version=version, approve=True)
    assert exc.value.code == "invalid_transition"


def test_reviewer_cannot_approve_own_version(world):
    sup = world.staff(Role.SUPERVISOR, world.city)
    article = make_article("OWN", actor=sup, publish=False)
    version = article.versions.get()
    services.version_submit(actor=sup, version=version)
    with pytest.raises(ApplicationError) as exc:
        services.version_review(actor=sup, version=version, approve=True)
    assert exc.value.code == "own_version"


def test_revision_keeps_the_published_version_until_approved(world):
    editor = world.staff(Role.QUALITY_INSPECTOR, world.city)
    article = make_article("REV", title="营业厅在中山路")
    draft = services.article_revise(
        actor=editor,
        article=article,
        data=services.article_data(title="营业厅搬到建康路", body="新地址。", category="测试/分类"),
        expected_version=article.version,
    )
    assert draft.number == 2 and draft.state == V.DRAFT
    assert [h.code for h in search("中山路")] == ["REV"]
    with pytest.raises(ConflictError):  # a form opened before the revision
        services.article_revise(
            actor=editor,
            article=article,
            expected_version=article.version,
            data=services.article_data(title="x", body="y", category="z"),
        )


def test_feedback_counts_one_vote_per_agent(world):
    agent = world.staff(Role.HOTLINE_AGENT)
    article = make_article()
    services.article_feedback(actor=agent, article=article, helpful=True)
    services.article_feedback(actor=agent, article=article, helpful=True)
    article = services.article_feedback(actor=agent, article=article, helpful=False)
    assert (article.helpful_count, article.unhelpful_count) == (0, 1)


def test_sms_goes_to_the_outbox(world):
    from gridcare.escalation.models import OutboundMessage

    agent = world.staff(Role.HOTLINE_AGENT)
    article = make_article(title="峰谷电价办理", body="<p>" + "居民可申请。" * 100 + "</p>")
    with pytest.raises(ApplicationError) as exc:
        services.article_send_sms(actor=agent, article=article, phone="12345")
    assert exc.value.field == "phone"
    services.article_send_sms(actor=agent, article=article, phone="139 1234 5678")
    message = OutboundMessage.objects.get()
    assert message.recipient == "13912345678" and "峰谷电价办理" in message.body
    assert len(message.body) <= services.SMS_MAX
    planner = world.staff(Role.PLANNER)
    with pytest.raises(PermissionDeniedError):
        services.article_send_sms(actor=planner, article=article, phone="13912345678")


def test_expired_article_cannot_be_sent(world):
    import datetime as dt

    from django.utils import timezone

    agent = world.staff(Role.HOTLINE_AGENT)
    article = make_article(valid_to=timezone.localdate() - dt.timedelta(days=1))
    with pytest.raises(ApplicationError) as exc:
        services.article_send_sms(actor=agent, article=article, phone="13912345678")
    assert exc.value.status == 404


def test_answered_from_the_knowledge_base_is_on_the_order_timeline(world):
    from gridcare.workorders.choices import RequestType
    from gridcare.workorders.tests.factories import make_order

    agent = world.staff(Role.HOTLINE_AGENT)
    order = make_order(
        agent, request_type=RequestType.CONSULTATION, description="峰谷电怎么办理", area=world.area_a
    )
    article = make_article("T003", title="居民峰谷分时电价办理")
    services.article_answered(actor=agent, article=article, order_no=order.order_no)
    event = order.events.order_by("-id").first()
    assert event.data.get("knowledge_article") == "T003"
    with pytest.raises(ApplicationError) as exc:
        services.article_answered(actor=agent, article=article, order_no="NOPE")
    assert exc.value.field == "order_no"
    assert article.uses.filter(kind="answered").count() == 1


def test_index_follows_publication_only(db):
    make_article("P", publish=False)
    assert not ArticleIndex.objects.exists()
    assert ArticleVersion.objects.count() == 1


def test_gridcare_import_knowledge_command(db, tmp_path, capsys):
    from django.core.management import call_command

    from .factories import STARTER

    call_command("import", "knowledge", str(STARTER), "--no-progress")
    assert Article.objects.count() >= 150
    assert Article.objects.get(code="X001").kind == "policy"
    assert Article.objects.get(code="K001").kind == "script"
    call_command("import", "knowledge", str(STARTER), "--no-progress")  # again: nothing changes
    assert not ArticleVersion.objects.filter(number=2).exists()
